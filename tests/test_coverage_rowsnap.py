"""The documentation rows' snapshot (``coverage/rowsnap.py``): the last whole run's rows read as
one value, reused for every file whose blob id is the snapshot's; SQLite is asked only for the
others, and a damaged snapshot is a miss (issue 13: work proportional to what changed)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import List

import pytest

from repo_roles.coverage import analyze as A
from repo_roles.coverage import rowsnap as R
from repo_roles.coverage.cache import encode_missing
from repo_roles.coverage.store import DocCache
from repo_roles.scan import scan

UNDOCUMENTED = "def f():\n    pass\n\n\nclass K:\n    def m(self):\n        pass\n"
DOCUMENTED = '"""M."""\n\n\ndef g():\n    """G."""\n'
SUPPRESSED = "def h():  # repo-roles: ignore[DOC001]\n    pass\n"


def _rows() -> List[object]:
    missing = encode_missing((("f", "function", 1, True, None), ("K.m\udcff", "method", 6, False, 7)))
    return [("python", 3, 0, missing, None, 1), None, ("go", 2, 2, None, '[[1,["DOC001"],false]]', None),
            ("python", None, None, None, None, None)]


def test_round_trip_keeps_every_column() -> None:
    raw = R.encode(["a.py", "b.bin", "c.go", "d.py"], ["1" * 40, "2" * 40, "3" * 40, "4" * 40], _rows(),
                   [7, None, 3, 0])
    rows = R.decode(raw)
    assert rows is not None and rows.same_paths(["a.py", "b.bin", "c.go", "d.py"])
    assert [rows.light(i) for i in range(4)] == [
        _rows()[0], (None, None, None, None, None, None), _rows()[2], _rows()[3]]
    assert rows.blob_list() == ["1" * 40, "", "3" * 40, "4" * 40]  # no row: no blob id to match
    assert [rows.blob(i) for i in range(4)] == rows.blob_list()
    assert rows.missing(0) == (("f", "function", 1, True, None), ("K.m\udcff", "method", 6, False, 7))
    assert rows.missing(2) == ()
    assert [rows.line_count(i) for i in range(4)] == [7, None, 3, 0]
    assert list(rows.with_items()) == [0] and list(rows.suppressed()) == [2]
    assert list(rows.unreadable()) == [3] and list(rows.unmeasured()) == [1, 3] and rows.measured({0}) == {"go": 1}
    moved = rows.aligned(["new.py", "c.go", "a.py"])
    assert moved.blob_list() == ["", "3" * 40, "1" * 40] and moved.light(2) == _rows()[0]
    assert moved.missing(2) == rows.missing(0) and moved.missing(0) == moved.missing(1) == ()
    assert list(moved.with_items()) == [2] and list(moved.suppressed()) == [1]


@pytest.mark.parametrize("damage", ["truncated", "flipped byte", "other byte order", "empty", "other format"])
def test_damaged_value_is_a_miss(damage: str) -> None:
    raw = R.encode(["a.py"], ["1" * 40], _rows()[:1], [7])
    if damage == "truncated":
        raw = raw[:-3]
    elif damage == "flipped byte":
        raw = raw[:-10] + bytes([raw[-10] ^ 1]) + raw[-9:]
    elif damage == "other byte order":
        raw = raw.replace(b'"order":"little"', b'"order":"xxxxxx"').replace(b'"order":"big"', b'"order":"xxx"')
    elif damage == "empty":
        raw = b""
    else:
        raw = raw.replace(R.MAGIC, b"repo-roles docs rows 0\0")
    assert R.decode(raw) is None
    assert R.decode(R.encode(["a.py"], ["1" * 40], _rows()[:1], [7])) is not None  # the sound one decodes


@pytest.mark.parametrize("bounds", [pytest.param((0, 5, 3, 3, 3, 3, 3, 3), id="decreasing"),
                                    pytest.param((0, 10**6, 10**6, 10**6, 10**6, 10**6, 10**6, 10**6), id="past-the-end"),
                                    pytest.param((-1, 0, 0, 0, 0, 0, 0, 0), id="negative")])
def test_sound_checksum_with_unsound_item_bounds_is_a_miss(bounds) -> None:
    """The items' bounds are checked in one pass (they never decrease) when the items are first
    read: a value whose checksums are sound but whose bounds point backwards or outside the
    items gives no item (the rows are read again elsewhere)."""
    import json
    from array import array

    from repo_roles.coverage import colfile

    raw = R.encode(["a.py", "b.bin", "c.go", "d.py"], ["1" * 40, "2" * 40, "3" * 40, "4" * 40], _rows(),
                   [7, None, 3, 0])
    start = len(R.MAGIC) + 4
    size = int.from_bytes(raw[len(R.MAGIC):start], "little")
    header = json.loads(raw[start:start + size])
    parts, at = [], start + size
    for length in header["lengths"]:
        parts.append(raw[at:at + length])
        at += length
    header = {k: v for k, v in header.items() if k not in ("crc", "crcs", "order", "lengths")}
    repacked = R.decode(b"".join(colfile.pack_checked(R.MAGIC, header, parts)))
    assert repacked is not None and repacked.sound() and repacked.missing(0)  # repacked as it was: sound
    parts[7] = array("q", bounds).tobytes()
    rows = R.decode(b"".join(colfile.pack_checked(R.MAGIC, header, parts)))
    assert rows is None or (not rows.sound() and rows.missing(0) is None and rows.light(0)[3] == b"\0")


def test_items_column_is_read_and_checked_only_when_asked(tmp_path: Path) -> None:
    """A warm run opens the snapshot without reading the joined items (the end of the file): a
    damaged item column is found when a question needs it, answers nothing from it (the items
    are an undecodable column, so the caller reads the row again) and removes the file; a
    truncated file is a miss when opened."""
    paths, blobs = ["a.py", "b.bin", "c.go", "d.py"], ["1" * 40, "2" * 40, "3" * 40, "4" * 40]
    where = tmp_path / "rows.bin"
    R.save(where, paths, blobs, _rows(), [7, None, 3, 0])
    sound = R.load(where)
    assert sound is not None and sound.missing(0) == R.decode(R.encode(paths, blobs, _rows(), [7, None, 3, 0])).missing(0)
    raw = where.read_bytes()
    where.write_bytes(raw[:-3] + bytes([raw[-3] ^ 1]) + raw[-2:])  # a byte of the last column
    rows = R.load(where)
    assert rows is not None and rows.counts(0) == (0, 3) and rows.light(2) == _rows()[2]  # the other columns stand
    assert where.exists()  # nothing read of the items yet
    assert rows.light(0)[3] == b"\0" and rows.missing(0) is None and not rows.sound()
    assert not where.exists()  # damaged: gone, the next run writes it again
    where.write_bytes(raw[:-1])
    assert R.load(where) is None


def test_paths_compared_by_their_digest_are_not_read(tmp_path: Path) -> None:
    """A run that knows its path list's digest compares it with the stored one: the joined paths
    are not read (here damaged, and the rows still serve); a run that must compare the paths
    reads and checks them, and a damaged path column is then a miss (no rows, file removed)."""
    from repo_roles.inventory import paths_digest

    paths, blobs = ["a.py", "b.bin", "c.go", "d.py"], ["1" * 40, "2" * 40, "3" * 40, "4" * 40]
    where = tmp_path / "rows.bin"
    R.save(where, paths, blobs, _rows(), [7, None, 3, 0])
    raw = where.read_bytes()
    at = raw.index(b"a.py\0b.bin")
    where.write_bytes(raw[:at] + b"A" + raw[at + 1:])
    rows = R.load(where)
    assert rows is not None and rows.same_paths(list(paths), paths_digest(paths))
    assert rows.paths == paths and rows.light(0) == _rows()[0] and where.exists()
    assert not R.load(where).same_paths(list(paths), paths_digest(["other.py"]))  # another digest: not the same
    damaged = R.load(where)  # the paths are read only now, to align: damaged, a miss, the file removed
    assert damaged is not None and damaged.aligned(paths) is None and not where.exists()


@pytest.mark.parametrize("case", ["same", "some changed", "a row without an id", "an id of another length",
                                  "every row changed"])
def test_blob_ids_compared_block_by_block(case: str) -> None:
    """The joined compare finds exactly the rows a row-by-row compare finds."""
    count = 1000
    paths = [f"f{i:04}.py" for i in range(count)]
    stored = [f"{i:040x}" for i in range(count)]
    stored[5] = ""  # a row the snapshot has no blob id for
    rows = R.decode(R.encode(paths, stored, [None if i == 5 else ("python", 1, 1, None, None, 1)
                                             for i in range(count)], [1] * count))
    assert rows is not None
    now: List[object] = list(stored)
    now[5] = None
    if case == "some changed":
        for i in (0, 255, 256, 700, 999):
            now[i] = "f" * 40
    elif case == "a row without an id":
        now[300] = None
    elif case == "an id of another length":
        now[42] = "a" * 64
    elif case == "every row changed":
        now = ["e" * 40] * count
    expected = [i for i in range(count) if now[i] != rows.blob_list()[i]]
    assert rows.mismatches(now) == expected
    assert 5 in expected


@pytest.fixture
def snapshot_paths(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> List[List[str]]:
    """Every small repository takes the many-files path; returns the paths each run asked SQLite
    about."""
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(A, "SNAPSHOT_MIN_FILES", 0)
    monkeypatch.setattr(A, "GIT_STATUS_MIN_FILES", 0)
    asked: List[List[str]] = []
    read = DocCache.read

    def recording(self, paths):  # type: ignore[no-untyped-def]
        asked.append(list(paths))
        return read(self, paths)

    monkeypatch.setattr(DocCache, "read", recording)
    return asked


def _answers(root: Path, use_cache: bool = True) -> tuple:
    coverage = scan(root, use_cache=use_cache).coverage
    files = sorted(coverage.files)
    return (list(coverage.undocumented_files()), list(coverage.documented_counts()),
            coverage.languages(), sorted(coverage.paths_with_suppressions()),
            [coverage.counts(p) for p in files], [coverage.defines_code(p) for p in files],
            [coverage.suppressions(p) for p in files], [coverage.problems(p) for p in files])


def test_warm_run_asks_sqlite_only_about_changed_files(make_repo, snapshot_paths) -> None:
    files = {f"app/m{i}.py": UNDOCUMENTED if i % 3 else DOCUMENTED for i in range(9)}
    files.update({"app/s.py": SUPPRESSED, "README.md": "# r\n", "app/broken.py": "def (:\n",
                  # no analyzer: left out by suffix, the snapshot's rows grouped in one pass
                  "app/x.swift": "let x = 1\n", "app/y.swift": "let y = 1\n", "bin/run": "#!/bin/sh\n"})
    root = make_repo(files)
    expected = _answers(root, use_cache=False)
    assert expected[2][".swift"] == (0, {"no-analyzer": 2}) and expected[2]["(no extension)"] == (0, {"no-analyzer": 1})
    assert _answers(root) == expected  # no snapshot yet: the project's rows, then written
    assert len(list(Path(os.environ["REPO_ROLES_CACHE_DIR"]).glob("docs-rows-v*.bin"))) == 1
    snapshot_paths.clear()
    assert _answers(root) == expected
    assert snapshot_paths == []  # nothing changed: every row from the snapshot
    (root / "app/m1.py").write_text(DOCUMENTED)
    (root / "app/m3.py").write_text(UNDOCUMENTED + "\n\ndef more():\n    pass\n")
    (root / "app/x.swift").write_text("let x = 2\n")  # answered afresh, its namesake from the snapshot
    expected = _answers(root, use_cache=False)
    snapshot_paths.clear()
    assert _answers(root) == expected
    assert [sorted(p) for p in snapshot_paths] == [["app/m1.py", "app/m3.py", "app/x.swift"]]


def test_damaged_snapshot_file_gives_the_same_answers(make_repo, snapshot_paths) -> None:
    root = make_repo({f"app/m{i}.py": UNDOCUMENTED for i in range(5)})
    expected = _answers(root, use_cache=False)
    assert _answers(root) == expected
    (found,) = Path(os.environ["REPO_ROLES_CACHE_DIR"]).glob("docs-rows-v*.bin")
    raw = found.read_bytes()
    found.write_bytes(raw[: len(raw) // 2])
    assert _answers(root) == expected
    assert found.read_bytes() == raw  # a miss, written again whole
    found.write_bytes(raw[:-40] + b"\0" * 40)
    assert _answers(root) == expected


def test_added_and_removed_files_realign_the_rows(make_repo, snapshot_paths) -> None:
    root = make_repo({f"app/m{i}.py": UNDOCUMENTED if i % 2 else DOCUMENTED for i in range(6)})
    assert _answers(root) == _answers(root, use_cache=False)
    subprocess.run(["git", "rm", "-q", "app/m2.py"], cwd=root, check=True)
    (root / "app/a_new.py").write_text(UNDOCUMENTED)
    subprocess.run(["git", "add", "app/a_new.py"], cwd=root, check=True)
    expected = _answers(root, use_cache=False)
    snapshot_paths.clear()
    assert _answers(root) == expected
    assert snapshot_paths == [["app/a_new.py"]]  # the others' rows moved to their new places
    snapshot_paths.clear()
    assert _answers(root) == expected
    assert snapshot_paths == []  # and written again for the new path list


@pytest.mark.parametrize("order", [["a.py", "b/c.py", "b/d.py", "z"], ["z", "a.py", "b/d.py", "b/c.py"]],
                         ids=["sorted", "not sorted"])
def test_positions_answer_as_a_dict_of_the_paths(order: List[str]) -> None:
    """The stage's ``path -> index`` map bisects a sorted path list and falls back to a dict
    (a path not found so, or a list not sorted): the answers are a dict's."""
    where = A._Positions(order)
    expected = {p: i for i, p in enumerate(order)}
    for path in (*order, "b", "missing.py", "zz"):
        assert where.get(path) == expected.get(path) and (path in where) == (path in expected)
    assert dict(where.items()) == expected and len(where) == len(order)
    with pytest.raises(KeyError):
        where["missing.py"]


@pytest.mark.parametrize("header", [b"[]", b"1", b'"x"', b"null"])
def test_a_header_that_is_no_object_is_a_miss(header: bytes) -> None:
    """decode answers None for a header that is JSON but no object (an earlier reader raised
    AttributeError on one)."""
    assert R.decode(R.MAGIC + len(header).to_bytes(4, "little") + header) is None


def test_more_than_65536_no_analyzer_groups_still_store_a_snapshot() -> None:
    """A tree whose unanalysed files have 70,000 different suffixes (hostile, or odd): the rows
    still decode with their no-analyzer sums (16-bit group codes made every such snapshot a miss,
    so each run read the rows again)."""
    count = 70_000
    paths = [f"f{i}.x{i}" for i in range(count)]
    rows = R.decode(R.encode(paths, ["1" * 40] * count, [None] * count, [None] * count))
    assert rows is not None
    found = rows.no_analyzer()
    assert found is not None
    numbers, codes, names = found
    assert len(numbers) == len(codes) == count and len(names) == count and names[codes[-1]] == ".x69999"
