"""``ls --format jsonl`` after a change makes again only the lines whose inputs changed
(``repo_roles/commands/ls_rows.py``): the stored lines stand in for the others, and a stored value
that is missing, damaged or truncated is a miss (every line made), never another answer."""

from __future__ import annotations

import os
from pathlib import Path
from typing import List

import pytest

from conftest import git, record_calls

FILES = {
    ".github/CODEOWNERS": "*  @acme/all\n/src/  @acme/backend\n",
    "src/app.py": "def main():\n    return 1\n",
    "src/billing.py": '"""Billing."""\n\ndef charge():\n    """Charge."""\n    return 2\n',
    "src/util.py": "def helper():\n    return 3\n",
    "tests/test_app.py": "from src.app import main\n\ndef test_main():\n    assert main() == 1\n",
    "tests/test_util.py": "def test_nothing():\n    assert True\n",
    "docs/guide.md": "# guide\n",
}


def _ls(run_cli, root: Path, *extra: str) -> str:
    result = run_cli("ls", "--format", "jsonl", *extra, str(root))
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _made(monkeypatch: pytest.MonkeyPatch) -> List[int]:
    """How many entries each ``ls`` record pass was asked for."""
    from repo_roles.commands import ls

    return record_calls(monkeypatch, ls, "records", lambda context, entries: len(entries))


def _stored(cache: Path, kind: str) -> Path:
    found = [p for p in cache.rglob(f"{kind}-v*.bin")]
    assert len(found) == 1, found
    return found[0]


def test_an_edit_makes_only_its_line_again(make_repo, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """A work-tree edit of one module, then a test that starts importing another module: the
    lines made again are that module's, then the test's and the module it now tests; the output
    is a --no-cache run's."""
    root = make_repo(FILES)
    _ls(run_cli, root)
    (root / "src/billing.py").write_text(FILES["src/billing.py"] + "\ndef refund():\n    return 4\n")
    made = _made(monkeypatch)
    assert _ls(run_cli, root) == _ls(run_cli, root, "--no-cache")
    assert made[0] == 1
    (root / "tests/test_util.py").write_text("from src.util import helper\n\ndef test_helper():\n    assert helper()\n")
    made.clear()
    got = _ls(run_cli, root)
    assert got == _ls(run_cli, root, "--no-cache")
    assert '"path": "src/util.py"' in got and '"tests": ["tests/test_util.py"]' in got
    assert made[0] is not None and made[0] < len(FILES)


def test_history_figures_of_a_line_made_again_are_the_stored_ones(make_repo, run_cli,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A line made again after an edit takes ``authors``/``last_commit`` from the stored line
    (the history and the path are the stored ones); after a commit the committed file's line is
    made again and every other line gets the new history's figures (no other line made)."""
    root = make_repo(FILES)
    _ls(run_cli, root)
    (root / "src/app.py").write_text("def main():\n    return 5\n")
    assert _ls(run_cli, root) == _ls(run_cli, root, "--no-cache")
    before = _ls(run_cli, root)
    (root / "src/app.py").write_text("".join(f"def step_{i}():\n    return {i}\n\n" for i in range(20)))
    git(root, "commit", "-qam", "a rewrite", "--author=Grace Hopper <grace@acme.example>", "--date=2025-06-01T00:00:00Z")
    made = _made(monkeypatch)
    got = _ls(run_cli, root)
    assert made == [1]
    assert got == _ls(run_cli, root, "--no-cache") != before
    assert '"last_commit": "2025-06-01T00:00:00Z"' in got


@pytest.mark.parametrize("damage", ["truncated", "a flipped byte", "empty", "a directory", "a symlink"])
@pytest.mark.parametrize("kind", ["ls-rows", "ls-rows-delta"])
def test_a_damaged_stored_value_is_a_miss(make_repo, run_cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                          damage: str, kind: str) -> None:
    """A stored value or delta that is truncated, damaged, empty or not a regular file is not
    taken: the lines equal a --no-cache run's (a damaged base: every line made again)."""
    root = make_repo(FILES)
    cache = Path(os.environ["REPO_ROLES_CACHE_DIR"])
    _ls(run_cli, root)
    (root / "src/app.py").write_text("def main():\n    return 6\n")
    _ls(run_cli, root)  # the base, and a delta on it
    target = _stored(cache, kind)
    data = target.read_bytes()
    if damage == "truncated":
        target.write_bytes(data[: len(data) // 2])
    elif damage == "a flipped byte":
        target.write_bytes(data[:-3] + bytes([data[-3] ^ 0x20]) + data[-2:])
    elif damage == "empty":
        target.write_bytes(b"")
    elif damage == "a directory":
        target.unlink()
        target.mkdir()
    else:
        elsewhere = tmp_path / "elsewhere.bin"
        elsewhere.write_bytes(data)
        target.unlink()
        target.symlink_to(elsewhere)
    (root / "src/util.py").write_text("def helper():\n    return 7\n")
    made = _made(monkeypatch)
    assert _ls(run_cli, root) == _ls(run_cli, root, "--no-cache")
    if kind == "ls-rows":
        assert made[0] == len(FILES)  # every line made again


@pytest.mark.parametrize("replaced", [(), (0,), (3,), (5,), (0, 1), (4, 5), (0, 2, 5)])
def test_stored_lines_with_rows_replaced_are_written_whole(tmp_path: Path, replaced) -> None:
    """The output of stored lines with some rows made again -- the first, the last, neighbours
    -- is the lines joined, each with its newline; so is the split a new base is written from."""
    from repo_roles.commands import ls_rows

    lines = ['{"path": "a"}', '{"path": "b", "tests": []}', "{}", '{"path": "d\\u00e9"}', '{"path": "é"}', "{}"]
    header = {k: "x" for k in ls_rows._HEADER_KEYS}
    target = tmp_path / "rows.bin"
    ls_rows._save(target, header, lines, ["b"] * 6, ["r"] * 6, ["s"] * 6)
    stored = ls_rows._Stored.load(target.read_bytes())
    assert stored is not None and [stored.line(i) for i in range(6)] == lines
    expected = list(lines)
    for i in replaced:
        stored.replaced[i] = expected[i] = f'{{"row": {i}}}'
    assert "".join(stored.pieces()) == "\n".join(expected) + "\n"
    assert stored.lines() == expected


def test_many_rows_made_again_write_a_new_base(make_repo, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past ``REWRITE_MIN`` rows made since the stored lines, they are stored whole again (a new
    base: the delta written on the old one is not taken with it); the output stays a --no-cache
    run's."""
    from repo_roles.commands import ls_rows

    monkeypatch.setattr(ls_rows, "REWRITE_MIN", 1)
    root = make_repo(FILES)
    cache = Path(os.environ["REPO_ROLES_CACHE_DIR"])
    _ls(run_cli, root)
    first = _stored(cache, "ls-rows").read_bytes()
    (root / "src/app.py").write_text("def main():\n    return 10\n")
    assert _ls(run_cli, root) == _ls(run_cli, root, "--no-cache")
    assert _stored(cache, "ls-rows").read_bytes() == first  # one row: a delta on the stored lines
    delta = _stored(cache, "ls-rows-delta").read_bytes()
    (root / "src/util.py").write_text("def helper():\n    return 30\n")  # two rows since: a new base
    assert _ls(run_cli, root) == _ls(run_cli, root, "--no-cache")
    base = ls_rows._Stored.load(_stored(cache, "ls-rows").read_bytes())
    assert base is not None and _stored(cache, "ls-rows").read_bytes() != first
    assert _stored(cache, "ls-rows-delta").read_bytes() == delta  # left beside it, made on the old base:
    base.apply(delta)
    assert base.delta == [] and base.replaced == {}  # not taken


def test_a_commit_restamps_lines_with_escapes_and_other_characters(make_repo, run_cli,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """After a commit, a line written with every character escaped (a name that is not UTF-8)
    is made again rather than restamped, a line holding other characters as they are is
    restamped; the output is a --no-cache run's whatever the new author's name."""
    files = dict(FILES, **{"src/caf\u00e9.py": "def brew():\n    return 1\n",
                           "src/b\udcffd.py": "def odd():\n    return 2\n"})
    root = make_repo(files)
    _ls(run_cli, root)
    (root / "src/util.py").write_text("".join(f"def u_{i}():\n    return {i}\n\n" for i in range(20)))
    (root / "src/caf\u00e9.py").write_text("".join(f"def c_{i}():\n    return {i}\n\n" for i in range(20)))
    git(root, "commit", "-qam", "rewrites", "--author=Gr\u00e2ce H\u00f6pper <grace@acme.example>",
        "--date=2025-06-01T00:00:00Z")
    made = _made(monkeypatch)
    got = _ls(run_cli, root)
    assert got == _ls(run_cli, root, "--no-cache")
    assert '"path": "src/caf\u00e9.py"' in got and '"last_commit": "2025-06-01T00:00:00Z"' in got
    assert made[:2] == [2, 1]  # the two rewritten, then the line written escaped (no other line made)
    # review of s11-a: a line naming Zo\u00eb, or of a path of other characters, was written as it
    # is: the next commit restamps it like any other (it was made again)
    (root / "src/zoe.py").write_text("def hers():\n    return 30\n")
    git(root, "add", "src/zoe.py")
    git(root, "commit", "-qm", "by Zo\u00eb", "--author=Zo\u00eb M\u00fcller <zoe@acme.example>",
        "--date=2025-07-01T00:00:00Z")
    _ls(run_cli, root)
    (root / "src/app.py").write_text("def main():\n    return 50\n")
    git(root, "commit", "-qam", "by Grace", "--author=Grace Hopper <grace@acme.example>",
        "--date=2025-08-01T00:00:00Z")
    made.clear()
    got = _ls(run_cli, root)
    assert got == _ls(run_cli, root, "--no-cache") and "Zo\u00eb M\u00fcller" in got
    assert made[:2] == [1, 1]  # the committed file, then the escaped line only


def test_a_line_whose_grammar_did_not_load_is_made_in_every_run(make_repo, run_cli,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Review of s11-a: a Go file analysed while tree-sitter's Go grammar does not load has no
    counts (``not-analysed``, which the documentation cache never stores: it is about the
    install, ``coverage/model.py`` ABOUT_THE_INSTALL); once the grammar loads, the stored line
    must not stand in for it (an unrelated edit first, so no whole stored run answers)."""
    from repo_roles.coverage import treesitter

    files = dict(FILES)
    files["go.mod"] = "module example.com/m\n\ngo 1.21\n"
    files["main.go"] = ("// Package main is it.\npackage main\n\n// Hello says hello.\n"
                        "func Hello() string { return \"hi\" }\n\nfunc Bye() string { return \"bye\" }\n")
    root = make_repo(files)
    real = treesitter.parser_for

    def no_go(grammar: str):
        if grammar == "go":
            raise treesitter.GrammarUnavailable("tree_sitter_go is not installed")
        return real(grammar)

    monkeypatch.setattr(treesitter, "parser_for", no_go)
    without = _ls(run_cli, root)
    assert '"path": "main.go"' in without and without == _ls(run_cli, root, "--no-cache")
    monkeypatch.setattr(treesitter, "parser_for", real)
    (root / "src/util.py").write_text("def helper():\n    return 30\n")
    got = _ls(run_cli, root)
    assert got == _ls(run_cli, root, "--no-cache") != without
    line = next(x for x in got.splitlines() if '"path": "main.go"' in x)
    assert '"doc_items": 3' in line and '"doc_documented": 2' in line


def test_a_rust_edit_makes_the_rust_lines_again_only(make_repo, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review of s11-a: a Rust file's documentation counts depend on its crate (``lib.rs``'s
    ``mod`` declarations), so an edit of ``lib.rs`` makes every Rust line again -- and no other
    (it made every line of the project, and stored them all again, while the edit stayed)."""
    files = dict(FILES, **{
        "crates/calc/Cargo.toml": '[package]\nname = "calc"\nversion = "0.1.0"\n',
        "crates/calc/src/lib.rs": "mod inner;\n",
        "crates/calc/src/inner.rs": "pub fn undocumented() {}\n\n/// Documented.\npub fn documented() {}\n",
    })
    root = make_repo(files)
    _ls(run_cli, root)
    (root / "crates/calc/src/lib.rs").write_text("pub mod inner;\n")
    made = _made(monkeypatch)
    got = _ls(run_cli, root)
    assert got == _ls(run_cli, root, "--no-cache")
    inner = next(x for x in got.splitlines() if '"path": "crates/calc/src/inner.rs"' in x)
    assert '"doc_items": 2' in inner  # exported now: both count
    assert made[0] == 2  # lib.rs and inner.rs, not every line
