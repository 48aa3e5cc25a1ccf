"""What users see of history: ls jsonl, explain, audit's "Declared vs actual", suggest-owners."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _history import ANN, BOB, CAROL, DAN, Script, merge_topic, merged_old_branch

ROSTER = """\
[teams."@acme/pay"]
members = ["@ann", "@bob"]

[teams."@acme/web"]
members = ["@carol"]

[history]
identities = { "ann@example.com" = "@ann", "bob@example.com" = "@bob", "carol@example.com" = "@carol" }
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    s = Script(tmp_path / "r")
    s.commit(ANN, 0, {"repo-roles.toml": ROSTER, ".github/CODEOWNERS": "/pay/ @acme/pay\n/old/ @acme/pay\n"})
    s.commit(ANN, 1, {"pay/a.py": "1", "pay/b.py": "1"})
    s.commit(DAN, 2, {"old/x.py": "1", "old/y.py": "1"})  # owned by @acme/pay, known by Dan only
    s.commit(CAROL, 700, {"web/a.ts": "1", "web/lib/b.ts": "1", "web/lib/c.ts": "1"})  # unowned
    s.commit(DAN, 750, {"old/x.py": "2", "old/y.py": "2"})
    s.commit(BOB, 800, {"pay/a.py": "2"})
    monkeypatch.chdir(s.root)
    return s.root


def test_ls_jsonl_has_authors_strongest_first_and_last_commit(project: Path, run_cli) -> None:
    rows = {json.loads(line)["path"]: json.loads(line) for line in run_cli("ls", "--format", "jsonl").stdout.splitlines()}
    # Bob: DOA 3.235 < 3.293 (one commit against one of Ann's), so not an author
    assert rows["pay/a.py"]["authors"] == ["Ann <ann@example.com>"]
    assert rows["pay/a.py"]["last_commit"] == "2022-03-11T12:00:00Z"  # day 800
    assert rows["web/a.ts"]["authors"] == ["Carol <carol@example.com>"]


def test_ls_jsonl_outside_git_has_empty_authors(tmp_path: Path, run_cli, monkeypatch) -> None:
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "a.py").write_text("x = 1\n")
    (tmp_path / "plain" / "repo-roles.toml").write_text("")  # outside git a config file is the explicit choice (issue 12)
    monkeypatch.chdir(tmp_path / "plain")
    [row] = [r for r in map(json.loads, run_cli("ls", "--format", "jsonl").stdout.splitlines()) if r["path"] == "a.py"]
    assert (row["authors"], row["last_commit"]) == ([], None)


def test_explain_shows_the_doa_inputs_per_author(project: Path, run_cli) -> None:
    out = run_cli("explain", "pay/a.py").stdout
    assert "  doa:      * Ann <ann@example.com>  FA=1 DL=1 AC=1  DOA=4.332  normalised=1.00" in out
    assert "  doa:      * Bob <bob@example.com>  FA=0 DL=1 AC=1  DOA=3.234" not in out  # below 3.293: no author
    assert "  doa:        Bob <bob@example.com>  FA=0 DL=1 AC=1  DOA=3.234  normalised=0.75" in out


def test_audit_declared_vs_actual(project: Path, run_cli) -> None:
    out = run_cli("audit").stdout
    section = out[out.index("Declared vs actual"):out.index("Findings")]
    row = next(line.split() for line in section.splitlines() if line.startswith("  @acme/pay"))
    # 4 files: pay/* authored by Ann (a member, inactive since day 1: Bob's one commit to pay/a.py
    # does not make him an author); old/* by Dan (active, not a member).  Truck factor: Ann and
    # Dan author two files each; without Ann exactly half are orphaned, so Dan goes too: 2.
    assert row[:6] == ["@acme/pay", "4", "50.0%", "50.0%", "2022-03-11", "2"]
    assert any(line.split()[:3] == ["web/", "3", "1"] for line in section.splitlines())


def test_suggest_owners_coarsest_accurate_directory(project: Path, run_cli) -> None:
    out = run_cli("suggest-owners").stdout.splitlines()
    rules = [line for line in out if not line.startswith("#")]
    # web/ is unowned and only Carol (@acme/web) knows it: one line for the whole directory.
    assert "/web/ @acme/web" in rules and not any(r.startswith("/web/lib") for r in rules)
    # old/ is owned by @acme/pay, but only Dan (no roster entry, no identity) works on it.
    assert "/old/ dan@example.com" in rules
    assert not any(r.startswith("/pay/") or r.startswith("*") for r in rules)


def test_suggest_owners_on_a_shallow_clone_says_why(project: Path, tmp_path: Path, run_cli, monkeypatch) -> None:
    import subprocess

    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{project}", str(tmp_path / "s")], check=True)
    monkeypatch.chdir(tmp_path / "s")
    result = run_cli("suggest-owners")
    assert result.exit_code == 0 and result.stdout == ""
    assert "history needs the full history: fetch-depth: 0" in result.stderr


def test_a_merged_branch_of_older_commits_reports_what_no_cache_reports(tmp_path: Path, run_cli, monkeypatch) -> None:
    """ls's authors and last commit, the HIS findings and the audit after a merge of commits
    dated before the cached head equal a --no-cache run (the history stage does a full pass)."""
    config = ROSTER.replace('"carol@example.com" = "@carol" }', '"carol@example.com" = "@carol" }\nactive-days = 10')
    config += '\n[lint]\nextend-select = ["HIS"]\n'
    s = merged_old_branch(tmp_path / "r", {"repo-roles.toml": config, ".github/CODEOWNERS": "*.py @acme/pay\n"})
    monkeypatch.chdir(s.root)
    commands = [("ls", "--format", "jsonl"), ("check", "--output-format", "json"),
                ("audit", "--format", "json", "--findings")]
    for args in commands:
        run_cli(*args)  # the cache at main's head
    merge_topic(s, 40)
    for args in commands:
        cached, uncached = run_cli(*args), run_cli(*args, "--no-cache")
        assert (cached.exit_code, cached.stdout) == (uncached.exit_code, uncached.stdout), args
    rows = {r["path"]: r for r in map(json.loads, run_cli("ls", "--format", "jsonl").stdout.splitlines())}
    assert rows["h.py"]["last_commit"] == "2020-01-13T12:00:00Z"  # Carol's rename, day 12
    assert rows["d.py"]["authors"] == ["Bob <bob@example.com>"]  # deleted on topic, then Bob's edit
    codes = {f["code"] for f in json.loads(run_cli("check", "--output-format", "json").stdout)}
    assert any(code.startswith("HIS") for code in codes)
