"""Issue 13: a run that changes a few rows of the stored evidence index or of the stored test
answers writes those rows as a delta on top of the whole value (testrefs/evidence.py
``INDEX_DELTA_KIND``, coverage/test_reuse.py ``DELTA_KIND``), not the whole value again; a delta
over a delta, a damaged delta or one made on other stored bytes give the answers of a run
without the cache."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Dict, List

import pytest

from repo_roles.coverage import test_reuse as TR
from repo_roles.testrefs import evidence as E
from tests.conftest import write_files
from tests.test_evidence_update import FILES as EVIDENCE_FILES, commit, index_json
from tests.test_test_reuse import FILES as REUSE_FILES, answers, asked  # noqa: F401 (a fixture)


def snapshots(cache: Path) -> Dict[str, bytes]:
    """The stored evidence index and its delta (kind -> bytes) in the cache directory."""
    found: Dict[str, bytes] = {}
    for db in cache.rglob("*.sqlite3"):
        with closing(sqlite3.connect(db)) as connection:
            try:
                found.update(connection.execute("SELECT kind, data FROM snapshot WHERE kind IN (?, ?)",
                                                (E.INDEX_KIND, E.INDEX_DELTA_KIND)).fetchall())
            except sqlite3.Error:
                continue
    return found


def put_delta(cache: Path, data: bytes) -> None:
    """Replace the stored evidence delta by ``data``."""
    for db in cache.rglob("*.sqlite3"):
        with closing(sqlite3.connect(db)) as connection:
            try:
                connection.execute("UPDATE snapshot SET data = ? WHERE kind = ?", (data, E.INDEX_DELTA_KIND))
                connection.commit()
            except sqlite3.Error:
                continue


def moved(text: str, lines: int) -> str:
    """``text`` with ``lines`` comment lines first (every row of its evidence on another line)."""
    return "# moved\n" * lines + text


def test_a_test_edit_stores_a_delta_on_the_evidence_index(make_repo, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(tmp_path / "cache"))
    root = make_repo(EVIDENCE_FILES)
    index_json(root)
    whole = snapshots(tmp_path / "cache")[E.INDEX_KIND]
    for lines in (1, 3):  # a delta, then a delta over it (made on the same whole index)
        write_files(root, {"tests/test_orders.py": moved(EVIDENCE_FILES["tests/test_orders.py"], lines)})
        commit(root)
        after = index_json(root)
        assert [row[1] for row in after["by_module"]["app/orders.py"] if row[0] == "tests/test_orders.py"] == [1 + lines]
        stored = snapshots(tmp_path / "cache")
        assert stored[E.INDEX_KIND] == whole  # not written again
        delta = json.loads(stored[E.INDEX_DELTA_KIND])
        assert list(delta["by_module"]) == ["app/orders.py"] and len(delta["blobs"]) == 1


def with_a_delta(make_repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project whose stored evidence index has a delta on it (a test edited and committed)."""
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(tmp_path / "cache"))
    root = make_repo(EVIDENCE_FILES)
    index_json(root)
    write_files(root, {"tests/test_orders.py": moved(EVIDENCE_FILES["tests/test_orders.py"], 1)})
    commit(root)
    index_json(root)
    return root


@pytest.mark.parametrize("damage", ["not JSON", "another base", "a blob position out of range", "rows not a list",
                                    "a field of another type", "no change"])
def test_a_damaged_evidence_delta_is_not_used(make_repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              damage: str) -> None:
    root = with_a_delta(make_repo, tmp_path, monkeypatch)
    delta = json.loads(snapshots(tmp_path / "cache")[E.INDEX_DELTA_KIND])
    if damage == "another base":
        delta["base"] = "0" * 40
    elif damage == "a blob position out of range":
        delta["blobs"] = [[10 ** 6, "0" * 40]]
    elif damage == "rows not a list":
        delta["by_module"] = {"app/orders.py": 1}
    elif damage == "a field of another type":  # (review of s11-d: a TypeError, exit 2, before)
        delta["fields"]["migrations"] = 5
    elif damage == "no change":  # (a KeyError before)
        del delta["change"]
    put_delta(tmp_path / "cache", b"{\"base\"" if damage == "not JSON" else json.dumps(delta).encode())
    write_files(root, {"tests/test_orders.py": moved(EVIDENCE_FILES["tests/test_orders.py"], 2)})
    commit(root)
    after = index_json(root)  # (equal to a run without the cache)
    assert [row[1] for row in after["by_module"]["app/orders.py"] if row[0] == "tests/test_orders.py"] == [3]


def test_a_delta_is_put_only_on_the_value_it_was_made_on(make_repo, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Review of s11-d: a delta names the whole stored index it was made on (its random id) and is
    put on that one only (one left beside an index another run rewrote is not taken, whatever it
    holds)."""
    root = with_a_delta(make_repo, tmp_path, monkeypatch)
    stored = snapshots(tmp_path / "cache")
    base, delta = json.loads(stored[E.INDEX_KIND]), json.loads(stored[E.INDEX_DELTA_KIND])
    merged = E._with_delta(base, delta, base["id"])
    assert merged is not None and merged["key"] == delta["key"]
    assert E._with_delta(base, delta, base["id"] + "0") is None
    assert index_json(root)  # (equal to a run without the cache)


def test_a_test_edit_stores_a_delta_on_the_test_answers(make_repo, asked: List[str], tmp_path: Path,  # noqa: F811
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(tmp_path / "cache"))
    root = make_repo(REUSE_FILES)
    first = answers(root, asked)
    (stored,) = (tmp_path / "cache").glob("tests-needed-v*.bin")
    whole = stored.read_bytes()
    # another evidence index (the test's rows move), then a module made data only as well
    write_files(root, {"backend/tests/test_orders.py": moved(REUSE_FILES["backend/tests/test_orders.py"], 1)})
    commit(root)
    assert answers(root, asked) == first
    (delta,) = (tmp_path / "cache").glob(f"{TR.DELTA_KIND}-v*.bin")
    write_files(root, {"backend/tests/test_orders.py": moved(REUSE_FILES["backend/tests/test_orders.py"], 2),
                       "backend/src/app/refunds.py": "REFUNDS = 1\n"})
    commit(root)
    got = answers(root, asked)
    # (orders.py: its evidence rows moved)
    assert "backend/src/app/refunds.py" not in got and sorted(asked) == ["backend/src/app/orders.py",
                                                                          "backend/src/app/refunds.py"]
    assert stored.read_bytes() == whole  # the delta over the delta holds the row
    state = TR._State.from_bytes(whole)
    assert state is not None and state.id and state.complete()
    state.apply(delta.read_bytes())
    assert state.changed == [state.paths.index("backend/src/app/refunds.py")]
    assert answers(root, asked) == got and asked == []  # the delta's evidence key: nothing asked


@pytest.mark.parametrize("damage", ["truncated", "another base", "empty"])
def test_a_damaged_answers_delta_is_not_used(make_repo, asked: List[str], tmp_path: Path,  # noqa: F811
                                             monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    from repo_roles.coverage import colfile

    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(tmp_path / "cache"))
    root = make_repo(REUSE_FILES)
    answers(root, asked)
    write_files(root, {"backend/tests/test_orders.py": moved(REUSE_FILES["backend/tests/test_orders.py"], 1),
                       "backend/src/app/refunds.py": "REFUNDS = 1\n"})
    commit(root)
    got = answers(root, asked)
    (delta,) = (tmp_path / "cache").glob(f"{TR.DELTA_KIND}-v*.bin")
    raw = delta.read_bytes()
    if damage == "another base":
        header, columns = colfile.unpack(raw, TR.DELTA_MAGIC, 7)
        header = {k: v for k, v in header.items() if k not in ("crc", "lengths", "order")}
        header["base"] = "0" * 40
        raw = b"".join(colfile.pack(TR.DELTA_MAGIC, header, [bytes(c) for c in columns]))
    else:
        raw = raw[:len(raw) // 2] if damage == "truncated" else b""
    delta.write_bytes(raw)
    assert answers(root, asked) == got  # the stored answers alone (another evidence index): asked again
    assert "backend/src/app/refunds.py" in asked


def test_a_delta_with_the_same_answers_keeps_the_stored_fingerprint(make_repo, asked: List[str],  # noqa: F811
                                                                    tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Another evidence index with every answer, message head and searched count the stored one:
    TST001's fingerprint is the stored one, not made again (and equals a run without the cache's);
    a module made data only makes it again."""
    from repo_roles.coverage import test_presence
    from repo_roles.scan import scan
    from tests.conftest import record_calls

    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(tmp_path / "cache"))
    root = make_repo(REUSE_FILES)
    answers(root, asked)
    made = record_calls(monkeypatch, test_presence, "_digest_of")
    for lines, edit, fingerprints in ((1, {}, 0), (2, {"backend/src/app/refunds.py": "REFUNDS = 1\n"}, 1)):
        write_files(root, {"backend/tests/test_orders.py": moved(REUSE_FILES["backend/tests/test_orders.py"], lines),
                           **edit})
        commit(root)
        made.clear()
        cached = test_presence.untested_digest(scan(root))
        assert len(made) == fingerprints
        assert cached == test_presence.untested_digest(scan(root, use_cache=False))
