"""Per-file findings reuse (``checks/filereuse.py``): a file-scope rule that declares
``FILE_INPUTS`` is asked only about the files whose inputs changed (issue 13: "a run after a
20-file change does work proportional to those files"); results equal a ``--no-cache`` run."""

from __future__ import annotations

import dataclasses
import os
from array import array
from pathlib import Path
from typing import List

import pytest

from repo_roles.checks import engine, filereuse
from repo_roles.checks.filereuse import FILE_INPUTS
from repo_roles.checks.registry import RULES, iter_rules, rule
from repo_roles.coverage import test_presence
from repo_roles.findings import PATH, Finding, FindingTable, column_of
from repo_roles.scan import scan
from tests.conftest import git, record_calls, write_files

CODEOWNERS = "/app/ @acme/backend\n/app/legacy/\n"
CONFIG = """\
[teams."@acme/backend"]
responsible = ["frontend"]
"""
FILES = {
    ".github/CODEOWNERS": CODEOWNERS,
    "repo-roles.toml": CONFIG,
    "app/a.py": "def a():\n    return 1\n",
    "app/b.py": "def b():\n    return 2\n",
    "app/legacy/c.py": "def c():\n    return 3\n",
    "app/documented.py": '"""Docs."""\n\n\ndef d():\n    """Documented."""\n',
}


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> dict:
    """rule id -> the ``paths`` each call of a FILE_INPUTS rule was given (None: every target)."""
    calls: dict = {}
    for rule_id, found in list(RULES.items()):
        if found.inputs != FILE_INPUTS:
            continue

        def check(context, paths=None, _rule=found):
            calls.setdefault(_rule.id, []).append(None if paths is None else sorted(paths))
            return _rule.check(context, paths)

        monkeypatch.setitem(RULES, rule_id, dataclasses.replace(found, check=check))
    return calls


def _run(root: Path, *, use_cache: bool = True) -> List[Finding]:
    return engine.run_checks(scan(root, use_cache=use_cache))


def _entry() -> Path:
    entries = sorted(Path(os.environ["REPO_ROLES_CACHE_DIR"]).rglob("findings/files-*.bin"))
    assert len(entries) == 1
    return entries[0]


def test_the_per_file_rules_declare_their_inputs() -> None:
    declared = {r.id for r in iter_rules() if r.inputs == FILE_INPUTS}
    assert {"DOC001", "OWN001", "OWN007"} <= declared


def test_an_edit_computes_that_file_only(make_repo, asked) -> None:
    root = make_repo(FILES)
    first = _run(root)
    assert {f.rule_id for f in first} >= {"DOC001", "OWN001", "OWN007"}
    assert asked["DOC001"] == [None]  # nothing stored yet: every target
    write_files(root, {"app/a.py": '"""Now documented."""\n\n\ndef a():\n    """A."""\n'})  # unstaged
    second = _run(root)
    assert asked["DOC001"] == [None, ["app/a.py"]]
    assert asked["OWN001"] == [None, ["app/a.py"]]
    assert not any(f.path == "app/a.py" and f.rule_id == "DOC001" for f in second)
    assert any(f.path == "app/b.py" and f.rule_id == "DOC001" for f in second)  # reused
    assert second == _run(root, use_cache=False)


def test_nothing_changed_computes_nothing(make_repo, asked) -> None:
    root = make_repo(FILES)
    first = _run(root)
    assert _run(root) == first
    assert asked["DOC001"] == [None, []]  # the second run asked about no file
    assert asked["OWN007"] == [None, []]


def test_a_codeowners_edit_computes_every_file(make_repo, asked) -> None:
    root = make_repo(FILES)
    first = _run(root)
    assert any(f.rule_id == "OWN001" and f.path == "app/legacy/c.py" for f in first)
    write_files(root, {".github/CODEOWNERS": "/app/ @acme/backend\n"})
    found = _run(root)
    assert asked["OWN001"][-1] is None
    assert not any(f.rule_id == "OWN001" for f in found)
    assert found == _run(root, use_cache=False)


@pytest.mark.parametrize("name, content, computed", [
    pytest.param(".gitattributes", "app/b.py linguist-generated\n", [".gitattributes", "app/b.py"],
                 id="a role changes alone"),  # the new file, and b by its role
    pytest.param("app/new.py", "def new():\n    return 0\n", ["app/new.py"], id="a file added"),
])
def test_a_staged_file_computes_the_files_it_changes(make_repo, asked, name, content, computed) -> None:
    root = make_repo(FILES)
    first = _run(root)
    write_files(root, {name: content})
    git(root, "add", name)
    found = _run(root)
    assert asked["DOC001"][-1] == computed
    assert found != first
    assert found == _run(root, use_cache=False)


@pytest.mark.parametrize("damage", ["empty", "truncated", "flipped", "other-key"])
def test_a_damaged_entry_is_a_miss(make_repo, asked, damage) -> None:
    root = make_repo(FILES)
    first = _run(root)
    entry = _entry()
    data = entry.read_bytes()
    if damage == "empty":
        data = b""
    elif damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "flipped":
        data = data[:-5] + bytes([data[-5] ^ 0xFF]) + data[-4:]
    else:  # a well-formed entry of another key
        filereuse._write(entry, "another key", filereuse._columns([], [], [], []), {"DOC001": []}, array("l"))
        data = entry.read_bytes()
    entry.write_bytes(data)
    assert _run(root) == first
    assert asked["DOC001"] == [None, None]


def test_no_cache_neither_reads_nor_writes(make_repo, asked) -> None:
    root = make_repo(FILES)
    _run(root, use_cache=False)
    assert not list(Path(os.environ["REPO_ROLES_CACHE_DIR"]).rglob("findings/files-*.bin"))


def test_a_rule_declaring_file_inputs_takes_paths() -> None:
    with pytest.raises(ValueError, match="takes the paths"):
        rule("ZZZ901", "zzz", "x", inputs=FILE_INPUTS)(lambda context: iter(()))
    with pytest.raises(ValueError, match="file-scope rule"):
        rule("ZZZ902", "zzz", "x", scope="repository", inputs=FILE_INPUTS)(lambda context, paths=None: iter(()))
    assert "ZZZ901" not in RULES and "ZZZ902" not in RULES


def test_gone_ranges_cut_the_findings_of_gone_paths() -> None:
    paths = list("aabbbcd")
    assert filereuse.gone_ranges(paths, frozenset({"b", "d", "x"})) == [(2, 5), (6, 7)]
    assert filereuse.gone_ranges(paths, frozenset()) == []


@pytest.mark.parametrize("found", [
    pytest.param([], id="none"),
    pytest.param([Finding("DOC001", f"m{i}", f"p{i // 3:06}", i or None, None, "warning", f"k{i}", None if i % 2 else i + 4)
                  for i in range(700)], id="varied"),
    pytest.param([Finding("OWN001", "a\0b", "x\ny", None, None, "error", "", None, None),
                  Finding("OWN001", "c", "x\ny", 3, 0, "error", "k\0", 3, 7)], id="a NUL in a text"),
    pytest.param([Finding("TST001", "same", "p", 1, 2, "warning", "p", 3, 4)] * 3, id="every column the same"),
    pytest.param([Finding("DOC001", f"m{i % 3}", f"p{i}", 300 + i % 2, None, "warning" if i % 5 else "error", f"k{i % 4}",
                          None if i % 3 else 1000 + i % 2) for i in range(40)], id="few distinct values"),
    pytest.param([Finding("DOC001", "a\0b" if i % 2 else "c", "p", i % 2 or None) for i in range(6)],
                 id="few distinct values, a NUL in one"),
])
def test_stored_columns_of_findings_round_trip(found) -> None:
    back = filereuse._decode(filereuse._encode(found))
    assert back == found and all(type(f) is Finding for f in back)
    # the same columns read lazily: each column, each row and the rule's list, across parts
    parts = [filereuse._encode(found[start:start + 256]) for start in range(0, len(found), 256)]
    stored = filereuse.StoredFindings({"R": parts})
    assert len(stored) == len(found) and stored.sizes == {"R": len(found)}
    for index in range(len(Finding._fields)):
        assert stored.column(index) == [f[index] for f in found]
    assert [stored.row(i) for i in range(len(found))] == found
    assert stored.rule_findings("R") == found and stored.rule_column("R", 2) == [f.path for f in found]


def test_a_malformed_column_is_refused() -> None:
    encoded = list(filereuse._encode([Finding("R", "m", "p", 1), Finding("R", "n", "q", 2)]))
    encoded[2] = ("text", "only one")
    with pytest.raises(ValueError):
        filereuse._decode(tuple(encoded))
    with pytest.raises(ValueError):  # checked when read, before any column is decoded
        filereuse._check(tuple(encoded))



def test_findings_on_the_project_path_are_read_back(tmp_path) -> None:
    """Project-level findings (DOC002's thresholds, OWN012) have the path "": a column whose every
    text is "" is stored as one empty text, and an entry holding it is read, never a miss."""
    found = [Finding("OWN012", "no CODEOWNERS file", "", None, None, "warning")]
    filereuse._check(filereuse._encode(found))
    entry = tmp_path / "files.bin"
    filereuse._write(entry, "key", filereuse._columns([], [], [], []), {"OWN012": found}, array("l", [0]))
    handle = filereuse._open_entry(entry)
    assert filereuse._read_head(handle, "key") is not None
    stored, _ = filereuse._read_rules(handle, [("OWN012", 1)])
    assert stored.rule_findings("OWN012") == found
    handle.close()


def test_a_short_column_or_an_oversized_part_is_a_miss(tmp_path) -> None:
    encoded = list(filereuse._encode([Finding("R", "m", "p", 1), Finding("R", "n", "q", 2)]))
    encoded[3] = ("dict",)  # a column shorter than its kind
    with pytest.raises(ValueError):
        filereuse._check(tuple(encoded))
    part = tmp_path / "part"
    part.write_bytes((2 ** 62).to_bytes(8, "little") + bytes(4) + b"x" * 16)  # a length past the end
    with open(part, "rb") as handle, pytest.raises(ValueError):
        filereuse._read_part(handle)

def test_a_merged_table_equals_a_sort_of_both() -> None:
    """``FindingTable.merged`` over stored columns gives the list a sort of both would; kept
    rows and columns agree with the list."""
    base = sorted([Finding("DOC001", f"m{i}", f"p{i % 50:03}", i % 7 or None) for i in range(400)], key=Finding.sort_key)
    added = sorted([Finding("TST001", "t", f"p{i:03}", None) for i in range(0, 60, 3)]
                   + [Finding("DOC001", "z", "p000", 2), Finding("OWN001", "o", "zz", None)], key=Finding.sort_key)
    by_path = sorted(base, key=lambda f: f.path)
    stored = filereuse.StoredFindings({"DOC001": [filereuse._encode(by_path)]})
    table = FindingTable(stored, [by_path.index(f) for f in base])
    assert list(table) == base
    merged = table.merged(added)
    whole = sorted(base + added, key=Finding.sort_key)
    assert merged == whole and len(merged) == len(whole) and merged[5] == whole[5]
    assert merged.column(2) == [f.path for f in whole] and merged.column(1) == [f.message for f in whole]
    assert table.merged([]) is table and list(FindingTable(None, []).merged(added)) == added
    keep = [i % 3 != 0 for i in range(len(whole))]
    kept = merged.kept(keep)
    assert list(kept) == [f for f, k in zip(whole, keep) if k]
    assert kept.column(0) == [f.rule_id for f, k in zip(whole, keep) if k]
    assert column_of(whole, 5) == merged.column(5)


def test_selection_and_suppressions_apply_to_reused_findings(make_repo, asked) -> None:
    """Per-path ignores, severity overrides and inline suppressions act on the reused findings
    as on computed ones (they apply after the rules, in the engine)."""
    config = CONFIG + '\n[lint]\nseverity = { "DOC001" = "error" }\nper-path-ignores = { "app/legacy/**" = ["OWN001"] }\n'
    root = make_repo({**FILES, "repo-roles.toml": config,
                      "app/b.py": "def b():  # repo-roles: ignore[DOC001]\n    return 2\n"})
    first = _run(root)
    assert {f.severity for f in first if f.rule_id == "DOC001"} == {"error"}
    assert not any(f.path == "app/legacy/c.py" and f.rule_id == "OWN001" for f in first)  # ignored there
    assert not any(f.path == "app/b.py" and f.rule_id == "DOC001" for f in first)  # suppressed inline
    write_files(root, {"app/a.py": "def a():  # repo-roles: ignore[DOC001]\n    return 1\n"})
    found = _run(root)
    assert asked["DOC001"][-1] == ["app/a.py"]
    assert not any(f.rule_id == "DOC001" and f.path in ("app/a.py", "app/b.py") for f in found)
    assert any(f.rule_id == "DOC001" and f.path == "app/legacy/c.py" for f in found)  # reused
    assert found == _run(root, use_cache=False)


def test_an_entry_of_many_parts(make_repo, asked, monkeypatch) -> None:
    """Rows are stored and read in parts of ``_PIECE`` (one part's bytes held at a time); a
    damaged part in the middle is a miss of the whole entry."""
    monkeypatch.setattr(filereuse, "_PIECE", 2)
    root = make_repo({**FILES, **{f"app/m{i}.py": f"def f{i}():\n    return {i}\n" for i in range(5)}})
    first = _run(root)
    write_files(root, {"app/m2.py": '"""Now documented."""\n\n\ndef f2():\n    """F2."""\n'})
    second = _run(root)
    assert asked["DOC001"][-1] == ["app/m2.py"]
    assert second == _run(root, use_cache=False) != first
    entry = _entry()
    data = bytearray(entry.read_bytes())
    data[len(data) * 2 // 3] ^= 0xFF
    entry.write_bytes(bytes(data))
    assert _run(root) == second
    assert asked["DOC001"][-1] is None


@pytest.mark.parametrize("paths, modes, blobs, roles", [
    pytest.param([], [], [], [], id="no file"),
    pytest.param(["a b/ü.py"], [0o100644], [None], ["unclassified"], id="one untracked file"),
    pytest.param(["a", "b\nc"], [0o100755, 0o120000], ["0" * 40, ""], ["backend.logic", "generated"], id="two"),
])
def test_stored_columns_round_trip(paths, modes, blobs, roles) -> None:
    known = filereuse._columns(paths, modes, blobs, roles)
    assert filereuse._split(0, known[0], -1) == paths
    assert filereuse._split(1, known[1], len(paths)) == modes
    assert filereuse._split(2, known[2], len(paths)) == [b or "" for b in blobs]
    assert filereuse._split(3, known[3], len(paths)) == roles


def test_changes_since_the_entry_are_not_computed_again(make_repo, asked) -> None:
    """The entry is written again only past 1/8 of the targets; meanwhile a delta beside it keeps
    the files changed since, so a run computes only the files changed since the last run (issue
    13: work proportional to what changed, not to what accumulated)."""
    root = make_repo({**FILES, **{f"app/m{i}.py": f"def f{i}():\n    return {i}\n" for i in range(20)}})
    _run(root)
    write_files(root, {"app/m1.py": '"""Now documented."""\n\n\ndef f1():\n    """F1."""\n'})
    git(root, "add", "app/m1.py")  # staged: its blob id stands for its content
    _run(root)
    assert asked["DOC001"][-1] == ["app/m1.py"]
    write_files(root, {"app/m2.py": "def f2():\n    return 22\n"})
    git(root, "add", "app/m2.py")
    found = _run(root)
    assert asked["DOC001"][-1] == ["app/m2.py"]  # m1 from the delta
    assert found == _run(root, use_cache=False)
    delta = _entry().with_suffix(".delta")
    assert delta.is_file()
    delta.write_bytes(delta.read_bytes()[:-3])  # truncated: a miss, both files computed
    assert _run(root) == found
    assert asked["DOC001"][-1] == ["app/m1.py", "app/m2.py"]
    git(root, "checkout", "HEAD", "--", "app/m1.py")  # m1 back to the entry's content
    found = _run(root)
    assert asked["DOC001"][-1] == []
    assert found == _run(root, use_cache=False)


def test_a_file_added_writes_the_entry_again_for_the_new_path_list(make_repo, asked, monkeypatch) -> None:
    """After a file is added, the entry is of another path list: the run that sees it first
    writes it again, so a later edit is matched on the same list (no path-by-path comparison of
    the two lists, issue 13: a run after a change does work proportional to that change)."""
    root = make_repo({**FILES, **{f"app/m{i}.py": f"def f{i}():\n    return {i}\n" for i in range(20)}})
    _run(root)
    write_files(root, {"app/new.py": "def new():\n    return 0\n"})
    git(root, "add", "app/new.py")
    _run(root)
    assert asked["DOC001"][-1] == ["app/new.py"]
    columns = record_calls(monkeypatch, filereuse, "_split", lambda index, *rest: index)
    write_files(root, {"app/m3.py": "def f3():\n    return 33\n"})
    git(root, "add", "app/m3.py")
    found = _run(root)
    assert asked["DOC001"][-1] == ["app/m3.py"]
    assert 0 not in columns  # the stored paths were not split: the entry is of this list
    assert found == _run(root, use_cache=False)


def test_targets_among_a_few_of_many() -> None:
    """A few paths of many targets are found by bisection, as the whole look finds them."""
    from types import SimpleNamespace

    from repo_roles.inventory import FileEntry

    targets = [FileEntry(f"d{i // 100}/f{i:05}.py", "file", 0o100644, "0" * 40, True) for i in range(3000)]
    context = SimpleNamespace(targets=targets)
    wanted = frozenset({"d7/f00712.py", "d0/f00003.py"})
    assert filereuse.targets_among(context, wanted) == [targets[3], targets[712]]
    assert filereuse.targets_among(context, frozenset({"d0/f00003.py", "missing.py"})) == [targets[3]]
    assert filereuse.targets_among(context, None) is targets


def test_an_entry_read_keeps_its_parts_light_and_reads_the_rest_again(tmp_path) -> None:
    """Read from an entry, the stored findings keep only the columns a report counts; messages,
    keys and lines are read again from the open entry, and every row is the one written."""
    doc = [Finding("DOC001", f"item {i} undocumented", f"p{i // 3:04}.py", i + 1, 0, "warning", f"k{i}")
           for i in range(filereuse._PIECE + 5)]  # two parts
    own = [Finding("OWN001", "no owner", f"q{i}", None, None, "error") for i in range(7)]
    whole = sorted(doc + own, key=Finding.sort_key)
    joined = doc + own
    order = array("l", sorted(range(len(joined)), key=lambda i: joined[i].sort_key()))
    entry = tmp_path / "files.bin"
    filereuse._write(entry, "key", filereuse._columns([], [], [], []), {"DOC001": doc, "OWN001": own}, order)
    handle = filereuse._open_entry(entry)
    assert filereuse._read_head(handle, "key") is not None
    stored, read_order = filereuse._read_rules(handle, [("DOC001", 2), ("OWN001", 1)])
    assert read_order == order and stored.sizes == {"DOC001": len(doc), "OWN001": 7}
    assert all(part[1 + 1] is None for part in stored._flat[:2])  # DOC001's messages not held
    table = FindingTable(stored, read_order)
    assert table.column(2) == [f.path for f in whole] and table.column(6) == [f.key for f in whole]
    assert table[3] == whole[3] and list(table) == whole
    assert stored.rule_findings("OWN001") == own
    assert stored.rule_equals("DOC001", doc) and stored.rule_equals("OWN001", own)
    assert not stored.rule_equals("DOC001", doc[:-1] + [doc[-1]._replace(message="other")])
    assert not stored.rule_equals("OWN001", own[:-1]) and not stored.rule_equals("TST001", [])
    last = len(joined) - 1
    assert [stored.value(i, 1) for i in (0, last)] == [joined[0].message, joined[last].message]
    assert table.probe(0) == (whole[0].rule_id, whole[0].path, whole[0].line, whole[0].end_line)
    stored.forget()  # the parts read whole are dropped; a row asked later is read again
    assert not stored._whole and stored.row(last) == joined[last]
    handle.close()


def test_a_table_answer_equals_the_list(make_repo) -> None:
    """``run_checks(table=True)`` (audit) after an edit: a ``FindingTable`` over the stored
    columns, equal to the uncached list row by row and column by column."""
    root = make_repo({**FILES, "app/s.py": "def s():  # repo-roles: ignore[DOC001]\n    return 4\n"})
    _run(root)
    write_files(root, {"app/a.py": "def a():\n    return 1\n\n\ndef more():\n    return 5\n"})
    table = engine.run_checks(scan(root), table=True)
    plain = _run(root, use_cache=False)
    assert isinstance(table, FindingTable) and len(table) == len(plain)
    assert all(table.column(i) == column_of(plain, i) for i in range(len(Finding._fields)))
    assert [table[i] for i in range(len(plain))] == plain and table == plain
    assert not any(f.path == "app/s.py" and f.rule_id == "DOC001" for f in plain)  # suppressed in both


def test_a_repository_rule_is_compared_by_the_digest_stored_with_it(tmp_path, monkeypatch) -> None:
    """A rule that runs on every change (TST001: ~27k findings at 100k files) is compared with
    its stored findings by the digest written with them: no part of it is read again, and any
    differing value, order or count is a difference."""
    found = [Finding("TST001", f"no test found for m{i}.py", f"m{i}.py", None, None, "warning", f"m{i}.py")
             for i in range(5)]
    entry = tmp_path / "files.bin"
    filereuse._write(entry, "key", filereuse._columns([], [], [], []), {"TST001": found}, array("l", range(5)),
                     {"TST001": (filereuse.findings_digest(found), None)})
    handle = filereuse._open_entry(entry)
    head = filereuse._read_head(handle, "key")
    stored, _ = filereuse._read_rules(handle, head[1])
    monkeypatch.setattr(stored, "_part", lambda number: pytest.fail("a part read again"))
    # equal values in other objects (made afresh, texts not shared nor interned alike)
    again = [Finding(*("".join(list(v)) if isinstance(v, str) else v for v in f)) for f in found]
    assert stored.rule_equals("TST001", again)
    assert not stored.rule_equals("TST001", again[:4] + [again[4]._replace(message="no test found for x.py")])
    assert not stored.rule_equals("TST001", again[:3] + [again[4], again[3]])
    assert not stored.rule_equals("TST001", again[:4])
    handle.close()


def test_stored_findings_hold_their_own_digests_and_fingerprints() -> None:
    """Each instance's digests and fingerprints are its own: one set on an entry's findings
    (or on the empty ones of a project without an entry) never answers for another."""
    stored, other = filereuse.StoredFindings({}), filereuse.StoredFindings({})
    stored.digests["TST001"] = stored.fingerprints["TST001"] = b"mark"
    assert other.digests == {} and other.fingerprints == {}


def test_tst001_runs_again_only_when_what_its_findings_are_made_of_changed(make_repo, monkeypatch) -> None:
    """TST001 declares a fingerprint of its inputs (the untested modules, what was searched for
    each): a change that leaves it as stored keeps the stored findings without running the
    rule; a test of no module (one more test file searched) or a test added for a module runs
    it, and every answer equals ``--no-cache``."""
    runs: list = []
    found = RULES["TST001"]

    def check(context, _rule=found):
        runs.append(1)
        return _rule.check(context)

    monkeypatch.setitem(RULES, "TST001", dataclasses.replace(found, check=check))
    # tests/ from the start: the entry's project key (its top-level directories) stays the same
    nothing = "def test_nothing():\n    assert True\n"  # a test of no module
    root = make_repo({**FILES, "tests/test_nothing.py": nothing,
                      "repo-roles.toml": CONFIG + '[tests]\nrequire = ["backend.logic"]\n'})
    first = _run(root)
    assert {f.path for f in first if f.rule_id == "TST001"} >= {"app/a.py", "app/b.py"}
    write_files(root, {"app/a.py": "def a():\n    return 10\n"})  # content only: the same inputs
    assert _run(root) == _run(root, use_cache=False)
    assert len(runs) == 2  # the first run and the uncached one: not the cached second
    compared: list = []
    rule_equals = filereuse.StoredFindings.rule_equals
    monkeypatch.setattr(filereuse.StoredFindings, "rule_equals",
                        lambda self, rule_id, found: compared.append(rule_id) or rule_equals(self, rule_id, found))
    # another test of no module: the same untested modules, one more test file searched for each
    write_files(root, {"tests/test_more.py": nothing})
    git(root, "add", "-A")
    assert _run(root) == _run(root, use_cache=False)
    assert len(runs) == 4
    write_files(root, {"tests/test_b.py": "from app.b import b\n\n\ndef test_b():\n    assert b()\n"})
    git(root, "add", "-A")
    asked: list = []
    missing_parts = test_presence.TestIndex.missing_parts
    monkeypatch.setattr(test_presence.TestIndex, "missing_parts",
                        lambda self, paths: asked.append(1) or missing_parts(self, paths))
    third = _run(root)
    assert len(runs) == 5
    assert len(asked) == 1  # the fingerprint's answer serves the check
    assert "TST001" not in compared  # made of other inputs: not compared by digest
    assert not any(f.rule_id == "TST001" and f.path == "app/b.py" for f in third)
    assert third == _run(root, use_cache=False)


def test_a_part_is_stored_in_two_halves_and_a_damaged_other_half_is_found_when_read(tmp_path) -> None:
    """Each part is stored as the columns a report counts and the others: a light read decodes
    only the first half and goes past the other, which is checked against its CRC-32 when a row
    is read later (a damaged byte there: ``DamagedEntry``, the engine computes afresh)."""
    found = [Finding("DOC001", f"undocumented f{i}", "a.py", i + 1, 0, "warning", f"f{i}") for i in range(4)]
    entry = tmp_path / "files.bin"
    filereuse._write(entry, "key", filereuse._columns([], [], [], []), {"DOC001": found}, array("l", range(4)))
    with filereuse._open_entry(entry) as handle:
        head = filereuse._read_head(handle, "key")
        start = handle.tell()
        light = filereuse._read_part(handle)
        heavy_at = handle.tell()
        heavy = filereuse._read_part(handle)
        assert light[2] is None and heavy[2] is not None and heavy[3] is None  # messages apart, paths here
        handle.seek(start)
        stored, _ = filereuse._read_rules(handle, head[1], light=True)
        assert stored.row(2) == found[2] and stored.rule_findings("DOC001") == found
    data = bytearray(entry.read_bytes())
    data[heavy_at + 20] ^= 0xFF  # a byte of the second half's payload
    entry.write_bytes(bytes(data))
    with filereuse._open_entry(entry) as handle:
        head = filereuse._read_head(handle, "key")
        stored, _ = filereuse._read_rules(handle, head[1], light=True)
        assert stored.column(PATH) == ["a.py"] * 4  # the light half: read
        with pytest.raises(filereuse.DamagedEntry):
            stored.row(2)
    with filereuse._open_entry(entry) as handle:
        head = filereuse._read_head(handle, "key")
        assert filereuse._read_rules(handle, head[1], light=False) is None  # read whole: a miss


def test_a_damaged_other_half_found_late_computes_afresh(make_repo, run_cli) -> None:
    """A stored part's other half (messages, lines) damaged in the entry: an audit, which reads
    it only for the rows it merges, and a check equal ``--no-cache`` runs; the entry is removed
    and written again by the next run."""
    files = dict(FILES, **{f"app/m{i}.py": f"def m{i}():\n    return {i}\n" for i in range(6)})
    # a suppression comment: the engine reads the lines of this file's stored findings (other
    # lines than the rest: the line column is in the parts' other half, not one value for all)
    files["app/s.py"] = "\n\n\ndef s():  # repo-roles: ignore[OWN007]\n    return 1\n"
    root = make_repo(files)

    def outputs(*extra: str) -> list:
        found = []
        for args in (("audit",), ("audit", "--format", "json"), ("check", "--output-format", "json")):
            result = run_cli(*args, *extra, str(root))
            assert result.exit_code in (0, 1), result.stderr
            found.append(result.stdout)
        return found

    outputs()
    entry = _entry()
    raw = bytearray(entry.read_bytes())
    at = raw.index(b"public function 'm")  # a message: in a part's other half
    raw[at] ^= 0x20
    entry.write_bytes(bytes(raw))
    write_files(root, {"app/a.py": "def a():\n    return 2\n"})  # a merged row reads its part whole
    assert outputs() == outputs("--no-cache")
    assert outputs() == outputs("--no-cache")
    assert _entry().is_file()  # removed when found damaged, written again since


def test_same_path_list_skips_the_stored_paths(tmp_path) -> None:
    """The head keeps the digest of its path list; a run on a list of that digest goes past the
    joined paths without reading them (here damaged: not read, so not a miss), another list reads
    and checks them (the damage is then a miss)."""
    from repo_roles.inventory import paths_digest

    paths = ["a.py", "b/c.py"]
    found = [Finding("OWN012", "no CODEOWNERS file", "", None, None, "warning")]
    entry = tmp_path / "files.bin"
    filereuse._write(entry, "key", filereuse._columns(paths, [0o100644] * 2, ["1" * 40] * 2, ["docs"] * 2),
                     {"OWN012": found}, array("l", [0]), paths_key=paths_digest(paths))
    raw = entry.read_bytes()
    at = raw.index(b"a.py\0b/c.py")
    entry.write_bytes(raw[:at] + b"A" + raw[at + 1:])
    with filereuse._open_entry(entry) as handle:
        known, counts, _ = filereuse._read_head(handle, "key", paths_digest(paths))
        assert known[:6] == [None, filereuse._columns(paths, [0o100644] * 2, [], [])[1], "1" * 40 + "\0" + "1" * 40,
                             "docs\0docs", [], []]
        stored, _ = filereuse._read_rules(handle, counts)
        assert stored.rule_findings("OWN012") == found
    with filereuse._open_entry(entry) as handle:
        assert filereuse._read_head(handle, "key", paths_digest(["other.py"])) is None


def test_same_path_list_and_listing_skip_the_stored_columns(tmp_path) -> None:
    """An entry written from git's listing of one digest, on a run with the same path list and
    listing, is not read for its modes, blob ids and roles (here damaged: not read, so not a miss;
    the roles are compared by their codes); another listing, or no codes, reads and checks them
    (the damage is then a miss)."""
    from repo_roles.inventory import paths_digest

    paths = ["a.py", "b/c.py"]
    found = [Finding("OWN012", "no CODEOWNERS file", "", None, None, "warning")]
    entry = tmp_path / "files.bin"
    filereuse._write(entry, "key", filereuse._columns(paths, [0o100644] * 2, ["1" * 40] * 2, ["docs", "odd"]),
                     {"OWN012": found}, array("l", [0]), paths_key=paths_digest(paths), listing=b"L" * 32,
                     codes=b"\1\2")
    raw = entry.read_bytes()
    at = raw.index(b"docs\0odd")
    entry.write_bytes(raw[:at] + b"X" + raw[at + 1:])
    with filereuse._open_entry(entry) as handle:
        known, counts, _ = filereuse._read_head(handle, "key", paths_digest(paths), b"L" * 32, b"\1\3")
        assert known[:4] == [None, None, None, None] and known[6] == b"\1\2" and len(known[7]) == 16
        stored, _ = filereuse._read_rules(handle, counts)
        assert stored.rule_findings("OWN012") == found
    for listing, codes in ((b"M" * 32, b"\1\2"), (b"L" * 32, None), (b"", b"\1\2")):
        with filereuse._open_entry(entry) as handle:
            assert filereuse._read_head(handle, "key", paths_digest(paths), listing, codes) is None


def test_a_role_moved_on_the_same_listing_is_computed_again(make_repo, run_cli) -> None:
    """A run on the entry's path list and git listing (the CLI's runs know its digest) compares
    the roles by their codes: a file whose role moves while neither it nor the index changes (a
    ``.gitattributes`` edited in the work tree marks it generated: Linguist's
    ``linguist-generated``) is computed again."""
    root = make_repo(dict(FILES, **{".gitattributes": "*.md text\n"}))

    def check(*extra: str) -> str:
        result = run_cli("check", "--output-format", "json", *extra, str(root))
        assert result.exit_code in (0, 1), result.stderr
        return result.stdout

    first = check()
    assert '"app/b.py"' in first
    write_files(root, {"app/a.py": "def a():\n    return 10\n"})  # the entry's delta, beside it
    check()
    write_files(root, {".gitattributes": "*.md text\napp/b.py linguist-generated\n"})
    found = check()
    assert found == check("--no-cache")
    assert found != first


def test_a_file_modified_when_stored_is_computed_after_it_is_restored(make_repo, asked) -> None:
    """An entry written while a file was modified keeps that file's index id (so an unchanged
    index compares as one string) but lists it as not known: restored, it is computed again,
    and its findings are the clean file's."""
    root = make_repo(FILES)
    _run(root)
    write_files(root, {"app/a.py": '"""Now documented."""\n\n\ndef a():\n    """A."""\n'})  # unstaged
    modified = _run(root)
    assert not any(f.path == "app/a.py" and f.rule_id == "DOC001" for f in modified)
    git(root, "checkout", "--", "app/a.py")
    restored = _run(root)
    assert asked["DOC001"][-1] == ["app/a.py"]
    assert any(f.path == "app/a.py" and f.rule_id == "DOC001" for f in restored)
    assert restored == _run(root, use_cache=False)


def test_rust_files_are_computed_on_every_run_from_the_stored_list(make_repo, asked) -> None:
    """Files whose documentation is read across the crate are computed on every run: a run on
    the entry's path list takes them from the list stored with it (no pass over the paths)."""
    files = dict(FILES, **{"crate/Cargo.toml": '[package]\nname = "c"\nversion = "0.1.0"\n',
                           "crate/src/lib.rs": "pub fn open() {}\n"})
    root = make_repo(files)
    _run(root)
    with filereuse._open_entry(_entry()) as handle:
        known = filereuse._read_head(handle, filereuse.FileFindings.open(
            scan(root), engine.build_selection(scan(root).config))._key)[0]
    assert known[5] == ["crate/src/lib.rs"]
    write_files(root, {"app/a.py": '"""Now documented."""\n\n\ndef a():\n    """A."""\n'})
    found = _run(root)
    assert asked["DOC001"][-1] == ["app/a.py", "crate/src/lib.rs"]
    assert found == _run(root, use_cache=False)


@pytest.mark.parametrize("numbers, expected", [([0, 5, 2 ** 40], True), ([0, -1, 3], False), ([], True),
                                               ([-(2 ** 62)], False)])
def test_stored_order_checked_non_negative_at_c_speed(numbers, expected) -> None:
    order = array("l", numbers)
    assert filereuse._non_negative(order, order.tobytes()) is expected


@pytest.mark.parametrize("positions", ["inverse", "wrong", "out of range"])
def test_a_few_rows_cut_out_of_the_order_through_their_positions(positions) -> None:
    """The stored order less a few rows, found through where each row stands (stored with the
    order): the same table as a pass over the order; positions that do not name their rows are
    not used."""
    order = array("l", [5, 0, 3, 1, 4, 2, 6, 7])
    stored = filereuse.StoredFindings({"A": [filereuse._encode([Finding("A", str(i), f"p{i}") for i in range(8)])]})
    if positions == "inverse":
        stored.positions = array("l", sorted(range(8), key=order.__getitem__))
    elif positions == "wrong":
        stored.positions = array("l", range(8))
    else:
        stored.positions = array("l", [99] * 8)
    cut = [("A", 0, 1), ("A", 3, 5)]
    expected = array("l", [r for r in order if r not in (0, 3, 4)])
    assert engine._cut_few(order, stored.positions, [(0, 1), (3, 5)]) == (expected if positions == "inverse" else None)
    assert list(engine._stored_order(stored, order, cut)) == [stored.row(r) for r in expected]
