"""Baselines: ``repo-roles baseline`` writes one, ``check --baseline`` fails only on new findings.

Uses the test-only rules of ``test_check_cli`` (ZZZ901 flags lines containing ``VIOLATION``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Callable, Dict

import pytest

from repo_roles import baseline as B
from repo_roles.errors import ConfigError
from repo_roles.findings import Finding
from test_check_cli import SELECT, fake_rules  # noqa: F401  (fixture)

FILES = {
    "a.py": "x = 'VIOLATION one'\n",
    "b.py": "y = 'VIOLATION two'\n",
    "c.py": "z = 1\n",
}


@pytest.fixture
def repo(make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, fake_rules: None) -> Path:
    root = make_repo(FILES)
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def baselined(repo: Path, run_cli: Callable) -> Path:
    result = run_cli("baseline", *SELECT)
    assert result.exit_code == 0, result.stderr
    return repo / B.DEFAULT_FILENAME


# --- the file -----------------------------------------------------------------------------------


def test_baseline_file_is_sorted_json_one_entry_per_line(baselined: Path) -> None:
    text = baselined.read_text("utf-8")
    data = json.loads(text)
    assert data[B.FORMAT_KEY] == B.FORMAT_VERSION
    assert [{k: v for k, v in e.items() if k != "fingerprint"} for e in data["findings"]] == [
        {"rule": "ZZZ901", "path": "a.py", "key": "x = 'VIOLATION one'", "count": 1},
        {"rule": "ZZZ901", "path": "b.py", "key": "y = 'VIOLATION two'", "count": 1},
        {"rule": "ZZZ902", "path": "", "key": "seen", "count": 1},
    ]
    assert all(re.fullmatch("[0-9a-f]{32}", e["fingerprint"]) for e in data["findings"])
    assert list(data["findings"][0]) == ["rule", "path", "key", "fingerprint", "count"]
    # One entry per line, so a review diff shows each accepted finding that came or went.
    entries = [json.loads(line.rstrip(",")) for line in text.splitlines() if line.startswith("    {")]
    assert entries == data["findings"]


@pytest.mark.parametrize(
    "path",
    [pytest.param("plain.py", id="ascii"), pytest.param("naïve dir/ü.py", id="unicode-kept-readable"),
     pytest.param("bad\udcff.py", id="undecodable-name-escaped")],
)
def test_dumps_loads_round_trip(path: str) -> None:
    counts = {("R1", path, "k", "f" * 32): 2, ("R0", "", "repo", "0" * 32): 1}
    text = B.dumps(counts)
    text.encode("utf-8")  # always valid UTF-8
    assert B.loads(text, "x.json") == B.Baseline(counts, B.FORMAT_VERSION)
    assert ("ü" in text) is ("ü" in path)


def test_identity_ignores_lines_and_falls_back_to_the_message() -> None:
    assert B.identity(Finding("R1", "msg", "a.py", 3, 1, key="k")) == B.identity(Finding("R1", "other", "a.py", 9, key="k"))
    assert B.identity(Finding("R1", "msg", "a.py")) == ("R1", "a.py", "msg")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("{", "not valid JSON", id="not-json"),
        pytest.param("[]", "not a repo-roles baseline", id="not-an-object"),
        pytest.param('{"repo-roles-baseline": 3, "findings": []}', "newer than this repo-roles reads", id="newer-version"),
        pytest.param('{"repo-roles-baseline": 2, "findings": [{"rule": "R", "path": "", "key": "", "count": 1}]}',
                     "exactly the keys", id="version-2-needs-a-fingerprint"),
        pytest.param('{"repo-roles-baseline": "1", "findings": []}', "positive integer", id="version-not-int"),
        pytest.param('{"repo-roles-baseline": 1, "findings": {}}', "must be a list", id="findings-not-list"),
        pytest.param('{"repo-roles-baseline": 1, "findings": [{"rule": "R", "path": "", "key": ""}]}',
                     "exactly the keys", id="missing-count"),
        pytest.param('{"repo-roles-baseline": 1, "findings": [{"rule": "R", "path": "", "key": "", "count": 0}]}',
                     "positive integer", id="zero-count"),
        pytest.param('{"repo-roles-baseline": 1, "findings": [{"rule": "R", "path": "", "key": "", "count": true}]}',
                     "positive integer", id="bool-count"),
        pytest.param('{"repo-roles-baseline": 1, "findings": [' + ", ".join(
            ['{"rule": "R", "path": "", "key": "", "count": 1}'] * 2) + "]}", "duplicate entry", id="duplicate"),
        pytest.param('{"repo-roles-baseline": 1, "findings": [], "extra": 1}', "unknown key", id="unknown-key"),
    ],
)
def test_malformed_baselines_are_config_errors(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        B.loads(text, "base.json")


# --- repo-roles baseline ------------------------------------------------------------------------


def test_baseline_refuses_to_overwrite_without_update(baselined: Path, run_cli: Callable) -> None:
    before = baselined.read_bytes()
    (baselined.parent / "c.py").write_text("VIOLATION = 3\n")
    result = run_cli("baseline", *SELECT)
    assert result.exit_code == 2 and "--update" in result.stderr
    assert baselined.read_bytes() == before
    result = run_cli("baseline", *SELECT, "--update")
    assert result.exit_code == 0 and "(1 added, 0 removed)" in result.stderr
    assert '"path": "c.py"' in baselined.read_text("utf-8")


@pytest.mark.parametrize(
    "content",
    [pytest.param("not json", id="malformed"), pytest.param('{"repo-roles-baseline": 9, "findings": []}', id="newer")],
)
def test_update_never_overwrites_a_broken_or_newer_file(repo: Path, run_cli: Callable, content: str) -> None:
    target = repo / B.DEFAULT_FILENAME
    target.write_text(content)
    for args in (("baseline", *SELECT, "--update"), ("check", *SELECT, "--baseline", str(target))):
        result = run_cli(*args)
        assert result.exit_code == 2 and B.DEFAULT_FILENAME in result.stderr and result.stdout == ""
    assert target.read_text() == content


def test_baseline_output_option_and_missing_baseline(repo: Path, run_cli: Callable) -> None:
    assert run_cli("baseline", *SELECT, "-o", "ci/accepted.json").exit_code == 0
    entries = B.loads((repo / "ci" / "accepted.json").read_text("utf-8"), "x").entries
    assert [n for k, n in entries.items() if k[:3] == ("ZZZ901", "a.py", "x = 'VIOLATION one'")] == [1]
    result = run_cli("check", *SELECT, "--baseline", "nope.json")
    assert result.exit_code == 2 and "no such baseline file" in result.stderr


# --- check --baseline ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "code", "reported"),
    [
        pytest.param({}, 0, [], id="unchanged-passes"),
        pytest.param({"a.py": "\n\n\nx = 'VIOLATION one'\n"}, 0, [], id="shifted-lines-still-match"),
        pytest.param({"c.py": "VIOLATION = 3\n"}, 1, ["c.py:1:1: ZZZ901"], id="new-finding-fails"),
        pytest.param({"a.py": "x = 'VIOLATION one'\nx = 'VIOLATION one'\n"}, 1, ["a.py:2:6: ZZZ901"],
                     id="count-grew-reports-the-excess"),
    ],
)
def test_check_fails_only_on_new_findings(baselined: Path, run_cli: Callable, change: Dict[str, str], code: int,
                                          reported: list) -> None:
    for name, text in change.items():
        (baselined.parent / name).write_text(text)
    result = run_cli("check", *SELECT, "--baseline", str(baselined))
    assert result.exit_code == code, result.stdout
    assert [line for line in result.stdout.splitlines() if "ZZZ9" in line] == [
        f"{r} marker found" for r in reported
    ]


@pytest.mark.parametrize(
    ("strict", "code"),
    [pytest.param(False, 0, id="stale-entry-is-reported"), pytest.param(True, 1, id="strict-baseline-fails")],
)
def test_entries_that_no_longer_occur(baselined: Path, run_cli: Callable, strict: bool, code: int) -> None:
    (baselined.parent / "a.py").write_text("x = 'fixed'\n")
    args = ("--strict-baseline",) if strict else ()
    result = run_cli("check", *SELECT, "--baseline", str(baselined), *args)
    assert result.exit_code == code
    assert "ZZZ901 a.py \"x = 'VIOLATION one'\": accepted 1, found 0" in result.stderr
    assert "baseline --update" in result.stderr


@pytest.mark.parametrize(
    ("args", "stale"),
    [pytest.param((), True, id="full-run-sees-the-deleted-file-is-gone"),
     pytest.param(("c.py",), False, id="file-list-cannot-tell")],
)
def test_entries_of_deleted_files(baselined: Path, run_cli: Callable, args: tuple, stale: bool) -> None:
    from conftest import git

    git(baselined.parent, "rm", "-q", "a.py")
    result = run_cli("check", *SELECT, "--baseline", str(baselined), "--strict-baseline", *args)
    assert ("ZZZ901 a.py" in result.stderr) is stale
    assert result.exit_code == (1 if stale else 0)


def test_a_file_list_never_calls_unseen_entries_stale(baselined: Path, run_cli: Callable) -> None:
    """A pre-commit run on c.py cannot see a.py's or the repository's findings: not stale."""
    result = run_cli("check", *SELECT, "--baseline", str(baselined), "--strict-baseline", "c.py")
    assert result.exit_code == 0
    assert result.stderr == f"{baselined}: the baseline hid 0 findings; 0 entries no longer match anything\n"


def test_check_never_writes_the_baseline(baselined: Path, run_cli: Callable) -> None:
    before = baselined.read_bytes()
    (baselined.parent / "a.py").write_text("fixed = 1\n")
    run_cli("check", *SELECT, "--baseline", str(baselined))
    assert baselined.read_bytes() == before
