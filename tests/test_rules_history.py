"""History rules HIS001-HIS005: a fires and a does-not-fire case each, on scripted repositories.

Authors by Degree of Authorship (Fritz et al. 2010; Avelino et al., ICPC 2016), truck factor by
Avelino et al.'s greedy algorithm; CODEOWNERS semantics from GitHub docs, "About code owners".
Every scenario's newest commit is on day 800, so the default active window (365 days) starts on
day 435.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from _history import ANN, BOB, CAROL, DAN, Script

from repo_roles.checks.registry import RULES, iter_rules
from repo_roles.checks.engine import build_selection, run_checks
from repo_roles.config import Config
from repo_roles.scan import scan

ROSTER = """\
[teams."@acme/pay"]
members = ["@ann", "bob@example.com"]

[teams."@acme/web"]
members = ["@carol"]

[history]
identities = { "ann@example.com" = "@ann", "Carol" = "@carol" }
concentration-files = 2
orphaned-files = 2
"""

CODEOWNERS = "/pay/ @acme/pay\n/web/ @carol\n"


def scenario(tmp_path: Path, commits: List[Tuple], codeowners: str = CODEOWNERS) -> Path:
    s = Script(tmp_path / "r")
    s.commit(ANN, 0, {"repo-roles.toml": ROSTER, ".github/CODEOWNERS": codeowners})
    for author, day, files in commits:
        s.commit(author, day, files)
    return s.root


def run(root: Path, rule_id: str) -> List[Tuple[str, Optional[int], Optional[int], Optional[str]]]:
    iter_rules()
    context = scan(root)
    return sorted((f.path, f.line, f.column, f.key) for f in RULES[rule_id].check(context))


def test_roster_rules_are_off_by_default_and_the_others_on() -> None:
    """Issue #15: "off by default where they need a roster".  HIS001-HIS003 compare commit
    authors with CODEOWNERS handles and teams (the roster maps one to the other); HIS004 and
    HIS005 need authors and dates only."""
    iter_rules()
    assert [r for r in ("HIS001", "HIS002", "HIS003", "HIS004", "HIS005") if RULES[r].enabled_by_default] == [
        "HIS004", "HIS005"]
    enabled = build_selection(Config()).enabled
    assert "HIS004" in enabled and "HIS005" in enabled
    assert not {"HIS001", "HIS002", "HIS003"} & set(enabled)
    # the default-on ones look at the whole project: pre-commit's `check FILE...` skips them
    assert RULES["HIS004"].scope == RULES["HIS005"].scope == "repository"


def test_default_rules_on_a_full_scan_read_history_and_fire(tmp_path: Path) -> None:
    root = scenario(tmp_path, [(CAROL, 1, {"legacy/a.py": "1", "legacy/b.py": "1"}),
                               (ANN, 800, {"pay/a.py": "1", "pay/b.py": "1", "pay/c.py": "1"})])
    context = scan(root)
    found = sorted((f.rule_id, f.path) for f in run_checks(context) if f.rule_id.startswith("HIS"))
    assert found == [("HIS004", ".github/CODEOWNERS"), ("HIS004", "pay"), ("HIS005", "legacy")]


def test_check_files_as_pre_commit_passes_them_never_reads_history(tmp_path: Path) -> None:
    """pre-commit passes the staged files: repository-scope rules (HIS004, HIS005) do not run,
    so no `git log` runs either, unless the ownership file or the configuration is among them."""
    root = scenario(tmp_path, [(CAROL, 1, {"legacy/a.py": "1", "legacy/b.py": "1"}),
                               (ANN, 800, {"pay/a.py": "1", "pay/b.py": "1", "pay/c.py": "1"})])
    context = scan(root, files=["pay/a.py", "legacy/a.py"], repository_checks=False)
    assert not any(f.rule_id.startswith("HIS") for f in run_checks(context))
    assert "_history" not in context.__dict__  # nothing asked for it: no git log ran
    # the ownership file among them: the whole project is judged, not only the files passed
    context = scan(root, files=[".github/CODEOWNERS"], repository_checks=True)
    found = sorted((f.rule_id, f.path) for f in run_checks(context) if f.rule_id.startswith("HIS"))
    assert found == [("HIS004", ".github/CODEOWNERS"), ("HIS004", "pay"), ("HIS005", "legacy")]


# -- HIS001 stale-owner -------------------------------------------------------------------------
def test_his001_fires_when_only_others_committed_lately(tmp_path: Path) -> None:
    root = scenario(tmp_path, [(ANN, 1, {"pay/x.py": "1"}), (DAN, 800, {"pay/x.py": "2"})])
    assert run(root, "HIS001") == [("pay/x.py", None, None, "@acme/pay")]


def test_his001_quiet_when_a_member_committed_to_the_directory(tmp_path: Path) -> None:
    root = scenario(tmp_path, [(ANN, 1, {"pay/x.py": "1"}), (BOB, 700, {"pay/y.py": "1"}),
                               (DAN, 800, {"pay/x.py": "2"})])
    assert run(root, "HIS001") == []


# -- HIS002 departed-owner ----------------------------------------------------------------------
def test_his002_fires_on_the_codeowners_line_of_a_departed_person_and_team(tmp_path: Path) -> None:
    root = scenario(tmp_path, [(CAROL, 1, {"web/a.ts": "1"}), (DAN, 800, {"pay/x.py": "1"})])
    assert run(root, "HIS002") == [(".github/CODEOWNERS", 1, 7, "@acme/pay"), (".github/CODEOWNERS", 2, 7, "@carol")]


def test_his002_quiet_when_owners_committed_anywhere_lately(tmp_path: Path) -> None:
    root = scenario(tmp_path, [(CAROL, 700, {"web/a.ts": "1"}), (BOB, 800, {"docs.md": "1"})])
    assert run(root, "HIS002") == []


def test_his002_leaves_owners_history_cannot_identify_alone(tmp_path: Path) -> None:
    root = scenario(tmp_path, [(DAN, 800, {"x.py": "1"})], codeowners="* @stranger\n")
    assert run(root, "HIS002") == []


# -- HIS003 ownership-drift ---------------------------------------------------------------------
def test_his003_fires_when_no_owner_is_among_the_authors(tmp_path: Path) -> None:
    root = scenario(tmp_path, [(DAN, 800, {"pay/x.py": "1"})])
    assert run(root, "HIS003") == [("pay/x.py", None, None, "@acme/pay")]


def test_his003_quiet_when_a_team_member_is_an_author(tmp_path: Path) -> None:
    root = scenario(tmp_path, [(BOB, 1, {"pay/x.py": "1"}), (DAN, 800, {"pay/x.py": "2"})])
    assert run(root, "HIS003") == []


# -- HIS004 knowledge-concentration -------------------------------------------------------------
def test_his004_fires_on_a_directory_and_an_owner_with_truck_factor_1(tmp_path: Path) -> None:
    root = scenario(tmp_path, [(ANN, 800, {"pay/a.py": "1", "pay/b.py": "1", "pay/c.py": "1"})])
    assert run(root, "HIS004") == [(".github/CODEOWNERS", None, None, "@acme/pay"), ("pay", None, None, "pay")]


def test_his004_quiet_with_truck_factor_2(tmp_path: Path) -> None:
    # Removing Ann orphans exactly half the files (not more than half): Bob goes too, TF = 2.
    root = scenario(tmp_path, [(ANN, 799, {"pay/a.py": "1", "pay/b.py": "1"}),
                               (BOB, 800, {"pay/c.py": "1", "pay/d.py": "1"})])
    assert run(root, "HIS004") == []


def test_his004_leaves_tests_fixtures_and_docs_out(tmp_path: Path) -> None:
    """A single-author fixture folder is no knowledge risk: only [history] roles count (default
    backend.logic, frontend.ui; pytest's tests/ folder convention makes these backend.tests)."""
    root = scenario(tmp_path, [(ANN, 800, {"tests/fixtures/a.py": "1", "tests/fixtures/b.py": "1",
                                           "tests/test_a.py": "1", "docs/a.md": "1", "docs/b.md": "1",
                                           "docs/c.md": "1"})])
    assert run(root, "HIS004") == []
    (root / "repo-roles.toml").write_text(ROSTER + 'roles = ["backend.tests"]\n', encoding="utf-8")
    assert run(root, "HIS004") == [("tests", None, None, "tests")]


def test_his004_leaves_an_area_owned_by_one_person_alone(tmp_path: Path) -> None:
    """`/web/ @carol` declares that one person knows web/: its truck factor of 1 is the line
    itself (HIS002 says when Carol leaves); the top directory is still judged."""
    root = scenario(tmp_path, [(CAROL, 800, {"web/a.py": "1", "web/b.py": "1", "web/c.py": "1"})])
    assert run(root, "HIS004") == [("web", None, None, "web")]


# -- HIS005 orphaned-knowledge ------------------------------------------------------------------
def test_his005_fires_on_a_directory_whose_authors_are_all_inactive(tmp_path: Path) -> None:
    root = scenario(tmp_path, [(CAROL, 1, {"legacy/a.py": "1"}), (BOB, 2, {"legacy/b.py": "1"}),
                               (DAN, 800, {"new/a.py": "1", "new/b.py": "1"})])
    iter_rules()
    findings = list(RULES["HIS005"].check(scan(root)))
    assert [(f.path, f.key) for f in findings] == [("legacy", "legacy")]
    assert "the 2 code files in legacy/" in findings[0].message and "Bob" in findings[0].message


def test_his005_quiet_when_an_author_is_active_elsewhere(tmp_path: Path) -> None:
    root = scenario(tmp_path, [(CAROL, 1, {"legacy/a.py": "1", "legacy/b.py": "1"}),
                               (CAROL, 700, {"web/x.ts": "1"}), (DAN, 800, {"new.py": "1"})])
    assert run(root, "HIS005") == []


def test_his005_quiet_when_someone_active_knows_a_file_of_the_directory(tmp_path: Path) -> None:
    root = scenario(tmp_path, [(CAROL, 1, {"legacy/a.py": "1", "legacy/b.py": "1"}),
                               (DAN, 800, {"legacy/c.py": "1"})])
    assert run(root, "HIS005") == []


def test_his005_quiet_when_someone_active_changed_a_file_lately(tmp_path: Path) -> None:
    """Dan's one late commit does not make him an author by DOA (Carol created the file and
    made 3 of its 4 commits) but he is somebody to ask."""
    root = scenario(tmp_path, [(CAROL, 1, {"legacy/a.py": "1", "legacy/b.py": "1"}), (CAROL, 2, {"legacy/a.py": "2"}),
                               (CAROL, 3, {"legacy/a.py": "3"}), (DAN, 800, {"legacy/a.py": "4"})])
    context = scan(root)
    assert context.history.authors("legacy/a.py") == ["Carol <carol@example.com>"]
    assert run(root, "HIS005") == []


def test_his005_quiet_below_orphaned_files_and_outside_the_roles(tmp_path: Path) -> None:
    root = scenario(tmp_path, [(CAROL, 1, {"legacy/a.py": "1", "tests/fixtures/a.py": "1",
                                           "tests/fixtures/b.py": "1", "docs/a.md": "1", "docs/b.md": "1"}),
                               (DAN, 800, {"new.py": "1"})])
    assert run(root, "HIS005") == []
    (root / "repo-roles.toml").write_text(ROSTER.replace("orphaned-files = 2", "orphaned-files = 1"),
                                          encoding="utf-8")
    assert run(root, "HIS005") == [("legacy", None, None, "legacy")]


# -- the findings cache ---------------------------------------------------------------------------
def test_a_warm_full_check_takes_the_findings_from_the_cache_without_the_history_model(tmp_path: Path) -> None:
    """Nothing changed since the last run (same HEAD, settings, files and owners): HIS004 and
    HIS005 answer from the cache and no history model is loaded; a new commit, or a damaged
    cache file, makes them compute again (the model then extended with CACHED..HEAD)."""
    root = scenario(tmp_path, [(CAROL, 1, {"legacy/a.py": "1", "legacy/b.py": "1"}),
                               (ANN, 800, {"pay/a.py": "1", "pay/b.py": "1", "pay/c.py": "1"})])
    expected = [("HIS004", ".github/CODEOWNERS"), ("HIS004", "pay"), ("HIS005", "legacy")]

    def his(context) -> List[Tuple[str, str]]:
        return sorted((f.rule_id, f.path) for f in run_checks(context) if f.rule_id.startswith("HIS"))

    assert his(scan(root)) == expected
    warm = scan(root)
    assert his(warm) == expected
    assert "_history" not in warm.__dict__
    Script(root).commit(CAROL, 801, {"legacy/c.py": "1"})  # Carol is back: legacy/ is known again
    after = scan(root)
    now = [("HIS004", ".github/CODEOWNERS"), ("HIS004", "legacy"), ("HIS004", "pay")]  # only Carol knows it
    assert his(after) == now
    assert "_history" in after.__dict__
    import os

    for name in os.listdir(os.environ["REPO_ROLES_CACHE_DIR"]):
        if name.startswith("his00"):
            Path(os.environ["REPO_ROLES_CACHE_DIR"], name).write_text('{"key": 1, "findings": [[]]}')
    assert his(scan(root)) == now


# -- shallow clones -----------------------------------------------------------------------------
def test_history_rules_on_a_shallow_clone_say_one_note_and_give_no_verdict(tmp_path: Path, run_cli, monkeypatch) -> None:
    """actions/checkout fetches one commit by default (fetch-depth: 1)."""
    root = scenario(tmp_path, [(CAROL, 1, {"old.py": "1"}), (DAN, 800, {"pay/x.py": "1"})])
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{root}", str(shallow)], check=True)
    monkeypatch.chdir(shallow)
    result = run_cli("check", "--select", "HIS", ".")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("history needs the full history: fetch-depth: 0") == 1
    assert "HIS" not in result.stdout


def test_default_check_on_a_shallow_clone_says_the_note_once_and_fails_nothing(tmp_path: Path, run_cli,
                                                                               monkeypatch) -> None:
    """HIS004 and HIS005 are on by default, and CI clones shallow (actions/checkout's default
    fetch-depth: 1): one note, no HIS verdict, and the exit code the other rules decide."""
    root = scenario(tmp_path, [(CAROL, 1, {"legacy/a.py": "1", "legacy/b.py": "1"}),
                               (ANN, 800, {"pay/a.py": "1", "pay/b.py": "1", "pay/c.py": "1"})])
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{root}", str(shallow)], check=True)
    monkeypatch.chdir(shallow)
    result = run_cli("check", ".")
    assert result.stderr.count("history needs the full history: fetch-depth: 0") == 1
    assert "HIS" not in result.stdout
    without = run_cli("check", "--ignore", "HIS", ".")
    assert result.exit_code == without.exit_code != 2
    assert "fetch-depth" not in without.stderr


def test_rule_pages_say_which_history_rules_are_on_and_why(run_cli) -> None:
    """`repo-roles rule ID` serves the module docstring (ruff's rule pages)."""
    page = run_cli("rule", "HIS004").stdout
    assert "scope: repository\n" in page and "opt-in" not in page.splitlines()[2]
    assert "[history] roles" in page and "On by default" in page
    assert "opt-in" in run_cli("rule", "HIS001").stdout.splitlines()[2]
    assert "it needs the roster" in " ".join(run_cli("rule", "HIS003").stdout.split())


# -- HIS002 without a roster: e-mail owners -----------------------------------------------------
def test_his002_judges_an_email_owner_by_the_commit_email_without_a_roster(tmp_path: Path) -> None:
    """GitHub docs, "About code owners": an owner may be an e-mail address.  Such an owner is
    matched to commits by its e-mail alone; an owner handle with no roster entry is left alone."""
    s = Script(tmp_path / "r")
    s.commit(ANN, 0, {".github/CODEOWNERS": "/a/ carol@example.com\n/b/ dan@example.com @dan\n"})
    s.commit(CAROL, 1, {"a/x.py": "1"})
    s.commit(DAN, 800, {"b/x.py": "1"})
    assert run(s.root, "HIS002") == [(".github/CODEOWNERS", 1, 5, "carol@example.com")]
