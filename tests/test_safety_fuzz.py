"""Property-based fuzz (issue 9): hostile CODEOWNERS, OWNERS, config and baseline text through the CLI.

Whatever the text, ``check`` exits 0, 1 or 2, never prints "internal error" or a traceback, and
writes nothing outside the repository (a sibling directory, reachable through a committed
symbolic link, is fingerprinted before and after every example).  Each property runs a bounded
number of examples (``max_examples``) so the whole file stays at tens of seconds in CI.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Dict, Tuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import git, write_files
from tests.test_safety import fingerprint

# Pieces an attacker combines: wildcards, anchors, escapes, classes, owners, sections,
# Chromium directives, YAML and TOML syntax, odd characters.
TOKENS = [
    "*", "**", "/", "a", "b", "a*a*", "[", "]", "[!a]", "[z-a]", "!", "\\", "#", " ", "\t", "\n", "\r",
    "@x", "@org/team", "x@example.com", "^[S]", "[Section][2]", "per-file ", "=", "file://d/OWNERS",
    "include ", "set noparent", "filters:", '  "(a*)*b":', "    approvers: [x]", "approvers:", "- x",
    '"', "'", ".", "{", "}", ":", ",", "é", "\u2028", "\x00", "..", "../../", "/etc/passwd", "x" * 60,
    "[roles]", '"backend.logic" = ["', '"]', "extends = ", "cache-dir = ", "[docs.python]",
    "ignore-regex = [", "max-file-size = ", "1e9", "[docs]", "thresholds = {", "= 50}", "[[x]]", "a.b.c",
    '{"version": 1, "entries": [', '{"rule": "OWN001", "path": "a.py", "count": ', "]}", "-1", "null",
]

TEXT = st.lists(st.sampled_from(TOKENS), min_size=0, max_size=40).map("".join)
FUZZ = settings(max_examples=30, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def hostile_repo(tmp_path: Path) -> Tuple[Path, Callable[[Dict[str, str], Tuple[str, ...]], object]]:
    """A committed repository with a link to an ``outside`` directory, and a runner that writes
    the fuzzed files into the work tree, runs the CLI and checks the properties."""
    from click.testing import CliRunner

    from repo_roles.cli import main

    outside = tmp_path / "outside"
    write_files(outside, {"victim.txt": "precious\n", "repo-roles.toml": "[roles]\n"})
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write_files(root, {".github/CODEOWNERS": "* @x\n", "d/OWNERS": "x@example.com\n", "d/a.py": "x = 1\n",
                       "repo-roles.toml": "\n", "baseline.json": '{"version": 1, "entries": []}\n'})
    os.symlink(str(outside), root / "linked")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "hostile")
    before = fingerprint(outside)
    siblings = sorted(os.listdir(tmp_path))

    def run(files: Dict[str, str], args: Tuple[str, ...]) -> object:
        for name, text in files.items():
            (root / name).write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            runner = CliRunner(mix_stderr=False)  # click < 8.2
        except TypeError:
            runner = CliRunner()
        cwd = os.getcwd()
        os.chdir(root)
        try:
            result = runner.invoke(main, ["check", ".", *args], catch_exceptions=False)
        finally:
            os.chdir(cwd)
        assert result.exit_code in (0, 1, 2), (files, result.exit_code, result.stderr)
        assert "internal error" not in result.stderr and "Traceback" not in result.stderr, result.stderr
        assert fingerprint(outside) == before
        assert sorted(os.listdir(tmp_path)) == siblings
        return result

    return root, run


@FUZZ
@given(text=TEXT)
def test_fuzz_codeowners(hostile_repo, text: str) -> None:
    _, run = hostile_repo
    run({".github/CODEOWNERS": text}, ())


@FUZZ
@given(text=TEXT)
def test_fuzz_owners_files(hostile_repo, text: str) -> None:
    _, run = hostile_repo
    run({"d/OWNERS": text, ".github/CODEOWNERS": ""}, ())


@FUZZ
@given(text=TEXT)
def test_fuzz_config(hostile_repo, text: str) -> None:
    _, run = hostile_repo
    run({"repo-roles.toml": text}, ())


@FUZZ
@given(text=TEXT)
def test_fuzz_baseline(hostile_repo, text: str) -> None:
    _, run = hostile_repo
    run({"baseline.json": text}, ("--baseline", "baseline.json"))
