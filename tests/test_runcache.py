"""Stored runs (repo_roles.runcache): a command whose inputs are unchanged answers from disk.

Each test runs the real CLI on a real repository and compares with a ``--no-cache`` run: a
stored answer is only ever replayed when the analysis would print the same.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path
from typing import Callable, List

import pytest

import repo_roles.scan as scan_module
from repo_roles.runcache import store as S

from conftest import git

FILES = {
    "repo-roles.toml": "[lint]\nextend-select = ['DOC001']\n",
    ".github/CODEOWNERS": "/app/ @acme/backend\n",
    "app/__init__.py": "",
    "app/billing.py": "def charge(amount):\n    return amount\n",
    "app/util.py": '"""Helpers."""\n\n\ndef f():\n    """F."""\n',
    "tests/test_util.py": "from app.util import f\n\n\ndef test_f():\n    f()\n",
    "README.md": "# demo\n",
}

COMMANDS = [
    pytest.param(("audit",), id="audit-text"),
    pytest.param(("audit", "--format", "json"), id="audit-json"),
    pytest.param(("ls", "--format", "jsonl"), id="ls-jsonl"),
    pytest.param(("ls",), id="ls-text"),
    pytest.param(("check", "--output-format", "json"), id="check-json"),
    pytest.param(("check",), id="check-concise"),
]


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> List[int]:
    """Counts the pipeline runs (a replayed answer runs none)."""
    calls: List[int] = []
    real = scan_module.scan_project

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(scan_module, "scan_project", spy)
    return calls


def _run(run_cli: Callable, command: tuple, *extra: str):  # type: ignore[no-untyped-def]
    result = run_cli(*command, *extra)
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unchanged_project_is_answered_from_the_stored_run(make_repo, run_cli, monkeypatch, scans,
                                                              command) -> None:
    root = make_repo(FILES)
    monkeypatch.chdir(root)
    first = _run(run_cli, command)
    assert len(scans) == 1
    again = _run(run_cli, command)
    assert again == first
    assert len(scans) == 1, "the second run analysed the project again"
    assert _run(run_cli, command, "--no-cache") == first


@pytest.mark.parametrize("command", COMMANDS)
def test_every_input_change_is_a_new_run(make_repo, run_cli, monkeypatch, scans, command) -> None:
    """Edits in the work tree, staged edits, new commits, config and CODEOWNERS changes, new
    untracked files taking part, and a branch switch each give the --no-cache answer."""
    root = make_repo(FILES)
    monkeypatch.chdir(root)

    def same_as_uncached() -> None:
        assert _run(run_cli, command) == _run(run_cli, command, "--no-cache")

    same_as_uncached()
    (root / "app/billing.py").write_text('"""Billing."""\n\n\ndef charge(amount):\n    """Charge."""\n')
    same_as_uncached()  # a dirty file, by content
    git(root, "add", "-A")
    same_as_uncached()  # staged: the index changed
    git(root, "commit", "-q", "-m", "docs")
    same_as_uncached()
    (root / ".github/CODEOWNERS").write_text("* @acme/all\n")
    same_as_uncached()
    (root / "repo-roles.toml").write_text("[lint]\nignore = ['DOC']\n")
    same_as_uncached()
    git(root, "checkout", "-q", "-b", "other")
    git(root, "rm", "-q", "app/util.py")
    git(root, "commit", "-q", "-am", "drop util")
    same_as_uncached()
    git(root, "checkout", "-q", "main")
    same_as_uncached()
    (root / "app/new.py").write_text("def g():\n    pass\n")
    same_as_uncached()  # untracked: not part of the project by default ...
    assert _run(run_cli, command, "--untracked") == _run(run_cli, command, "--untracked", "--no-cache")
    (root / "app/new.py").write_text("def h():\n    pass\n")
    assert _run(run_cli, command, "--untracked") == _run(run_cli, command, "--untracked", "--no-cache")


def test_the_same_content_elsewhere_reuses_the_run(make_repo, run_cli, monkeypatch, scans, tmp_path) -> None:
    """Keys are content, not locations: a fresh clone finds the run of its first checkout --
    unless the stored answer names the first checkout's location (the audit's title does)."""
    root = make_repo(FILES)
    clone = tmp_path / "elsewhere" / "clone"
    subprocess.run(["git", "clone", "-q", str(root), str(clone)], check=True)
    monkeypatch.chdir(root)
    first = _run(run_cli, ("check", "--output-format", "json"))
    monkeypatch.chdir(clone)
    calls = len(scans)
    assert _run(run_cli, ("check", "--output-format", "json")) == first
    assert len(scans) == calls, "the clone analysed the same content again"
    audit_here = _run(run_cli, ("audit",))
    assert str(clone) in audit_here[1]
    monkeypatch.chdir(root)
    audit_there = _run(run_cli, ("audit",))
    assert str(root) in audit_there[1] and str(clone) not in audit_there[1]


def test_a_damaged_stored_run_is_a_miss(make_repo, run_cli, monkeypatch, tmp_path, scans) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(cache))
    root = make_repo(FILES)
    monkeypatch.chdir(root)
    first = _run(run_cli, ("ls", "--format", "jsonl"))
    (entry,) = (cache / "runs").iterdir()
    data = entry.read_bytes()
    for damaged in (data[: len(data) // 2], data[:-1] + bytes([data[-1] ^ 1]), b"", b"garbage" * 10,
                    data.replace(b'"exit": 0', b'"exit": 1')):
        entry.write_bytes(damaged)
        before = len(scans)
        assert _run(run_cli, ("ls", "--format", "jsonl")) == first
        assert len(scans) == before + 1, "a damaged entry was replayed"


def test_no_cache_stores_nothing(make_repo, run_cli, monkeypatch, tmp_path) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(cache))
    root = make_repo(FILES)
    monkeypatch.chdir(root)
    _run(run_cli, ("check",), "--no-cache")
    assert not (cache / "runs").exists()


def test_baseline_content_is_part_of_the_key(make_repo, run_cli, monkeypatch, scans) -> None:
    root = make_repo(FILES)
    monkeypatch.chdir(root)
    assert run_cli("baseline").exit_code == 0
    with_baseline = _run(run_cli, ("check", "--baseline", "repo-roles-baseline.json"))
    assert with_baseline[0] == 0 and "baseline hid" in with_baseline[2]
    assert _run(run_cli, ("check", "--baseline", "repo-roles-baseline.json")) == with_baseline
    Path("repo-roles-baseline.json").write_text('{"repo-roles-baseline": 2, "findings": []}\n')
    assert (_run(run_cli, ("check", "--baseline", "repo-roles-baseline.json"))
            == _run(run_cli, ("check", "--baseline", "repo-roles-baseline.json", "--no-cache")))


def test_stored_runs_are_evicted_least_recently_used(tmp_path) -> None:
    runs = S.RunStore(tmp_path)
    entry = S.RunEntry(0, "out", "", {})
    for n in range(5):
        runs.save(f"k{n}", entry)
    assert runs.load("k0", {}) == entry  # used: now the youngest
    runs.evict(max_entries=3)
    left = sorted(p.stem for p in runs.directory.iterdir())
    assert left == ["k0", "k3", "k4"]


def test_an_entry_naming_another_location_is_not_replayed(tmp_path) -> None:
    runs = S.RunStore(tmp_path)
    runs.save("k", S.RunEntry(1, "audit of /a/repo\n", "", S.anchors_in(["audit of /a/repo\n"], {"root": "/a/repo"})))
    assert b"/a/repo" not in runs._path("k").read_bytes().split(b"}", 1)[0]  # the header holds a hash, no path
    assert runs.load("k", {"root": "/b/repo"}) is None
    assert runs.load("k", {"root": "/a/repo"}).stdout == "audit of /a/repo\n"  # type: ignore[union-attr]


def test_check_declares_every_output_format() -> None:
    """`check` names the formats without importing them (a stored run needs none of them)."""
    from repo_roles.commands.check import OUTPUT_FORMATS
    from repo_roles.report import FORMATTERS

    assert OUTPUT_FORMATS == tuple(FORMATTERS)


@pytest.mark.parametrize("command", [["check", "--output-format", "json"], ["audit"], ["ls", "--format", "jsonl"]],
                         ids=["check", "audit", "ls"])
def test_a_stored_run_is_answered_without_importing_the_analysis(make_repo, tmp_path, command) -> None:
    """A hit imports neither the pipeline nor the rules (the real console entry, a fresh process)."""
    import os
    import sys

    root = make_repo(FILES)
    env = {**os.environ, "REPO_ROLES_CACHE_DIR": str(tmp_path / "cache")}
    # atexit: the console entry may end the process with os._exit once its output is flushed
    probe = ("import atexit, sys, runpy\n"
             "def said():\n"
             "    loaded = sorted(m for m in sys.modules if m.startswith(('repo_roles.scan', 'repo_roles.checks',"
             " 'repo_roles.coverage', 'repo_roles.classify', 'repo_roles.auditreport.document',"
             " 'repo_roles.summary', 'repo_roles.report')))\n"
             "    sys.stderr.write('LOADED=' + ','.join(loaded) + '\\n'); sys.stderr.flush()\n"
             "atexit.register(said)\n"
             f"sys.argv = ['repo-roles', *{command!r}]\n"
             "runpy.run_module('repo_roles', run_name='__main__')\n")
    runs = [subprocess.run([sys.executable, "-c", probe], cwd=root, env=env, capture_output=True, text=True)
            for _ in range(2)]
    assert runs[0].stdout == runs[1].stdout and runs[0].stdout
    assert "LOADED=repo_roles." in runs[0].stderr  # the first run analysed
    assert "LOADED=\n" in runs[1].stderr, runs[1].stderr  # the second imported none of it


@pytest.mark.parametrize("text", [
    pytest.param('{"root": "/a/r\\u00e9po"}', id="json-ascii"),
    pytest.param('{"root": "/a/r\u00e9po"}', id="json-utf8"),
    pytest.param('<file name="/a/r&#x27;x"/>', id="xml") ,
    pytest.param('"uri": "file:///a/r%C3%A9po/"', id="sarif-uri"),
])
def test_a_location_is_found_however_a_format_spells_it(text) -> None:
    """A JSON, XML or SARIF report spells the project root its own way; a stored run naming it
    in any spelling is tied to that root (never replayed in a clone elsewhere)."""
    root = "/a/r'x" if "&#x27;" in text else "/a/r\u00e9po"
    assert S.anchors_in([text], {"root": root}) == {"root": S.anchor(root)}
    assert S.anchors_in([text], {"root": "/b/other"}) == {}


@pytest.mark.parametrize("location", ["/a/repo", "/a/r&d", "/a/<r>", '/a/"r"', "/a/r'x", "/a/r\u00e9po"])
def test_the_html_spellings_are_there_whatever_the_location(location) -> None:
    """``html`` is imported only for a location holding a character it escapes; the spellings
    are every format's, its two escapes included, whatever the location."""
    import html
    import json
    import urllib.parse

    expected = {location, json.dumps(location)[1:-1], json.dumps(location, ensure_ascii=False)[1:-1],
                html.escape(location), html.escape(location, quote=False),
                urllib.parse.quote(location), urllib.parse.quote(location, safe="/:")}
    assert S.spellings(location) == sorted(expected)


def test_a_lazily_cut_listing_equals_the_eager_one(make_repo) -> None:
    """The index listing is cut only when asked (a stored run needs its digest alone)."""
    from repo_roles.index_listing import IndexListing

    root = make_repo({"a b.py": "x\n", "dir/\u00e9.txt": "y\n", "z.py": "z\n"})
    (root / "link").symlink_to("z.py")
    git(root, "add", "link")
    raw = subprocess.run(["git", "ls-files", "-s", "-z"], cwd=root, capture_output=True, check=True).stdout
    text = raw.decode("utf-8", "surrogateescape")
    lazy, eager = IndexListing.parse(text, b"digest"), IndexListing.parse(text)
    assert "_text" in lazy.__dict__ and lazy.digest() == b"digest" and "_text" in lazy.__dict__
    assert (lazy.paths, lazy.entries(), lazy.special_kinds()) == (eager.paths, eager.entries(), eager.special_kinds())
    conflicted = text + "100644 " + "1" * 40 + " 1\tz.py\0"
    # a conflict: found when the text is cut, read record by record into one record per path
    from repo_roles.index_listing import parse_records

    cut = IndexListing.parse(conflicted, lazy_digest=True)
    assert cut.entries() == parse_records(conflicted.split("\0")[:-1]) == eager.entries()
    assert cut.digest() == hashlib.sha256(conflicted.encode("utf-8", "surrogateescape")).digest()
    # a lazy digest is git's bytes hashed, whether asked before or after the text is cut
    early, late = IndexListing.parse(text, lazy_digest=True), IndexListing.parse(text, lazy_digest=True)
    kept = IndexListing.parse(text, lazy_digest=True, raw=raw)
    assert late.paths == eager.paths and early.digest() == late.digest() == kept.digest() == hashlib.sha256(raw).digest()


def test_an_untracked_attributes_file_is_an_input(make_repo, run_cli, monkeypatch) -> None:
    """gitattributes(5): git reads a work tree's .gitattributes whether git tracks it or not, and
    linguist-generated decides a role: such a file is part of the key."""
    root = make_repo(FILES)
    monkeypatch.chdir(root)
    before = _run(run_cli, ("ls", "--format", "jsonl"))
    (root / "app" / ".gitattributes").write_text("billing.py linguist-generated\n")
    after = _run(run_cli, ("ls", "--format", "jsonl"))
    assert after == _run(run_cli, ("ls", "--format", "jsonl"), "--no-cache") and after != before


def test_an_untracked_mailmap_is_an_input(make_repo, run_cli, monkeypatch) -> None:
    """gitmailmap(5): git log maps authors through the work tree's .mailmap whether git tracks it
    or not, and the authors are in every ls record: such a file is part of the key (a stored run
    answered with the authors before it; found by the review of session 11)."""
    root = make_repo(FILES)
    monkeypatch.chdir(root)
    before = _run(run_cli, ("ls", "--format", "jsonl"))
    (root / ".mailmap").write_text("Ada Lovelace <ada@example.com> <author@example.com>\n")
    after = _run(run_cli, ("ls", "--format", "jsonl"))
    assert after == _run(run_cli, ("ls", "--format", "jsonl"), "--no-cache") and after != before
    assert "Ada Lovelace" in str(after)
