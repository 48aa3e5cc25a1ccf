"""The analysis cache's ``snapshot`` table (``repo_roles.coverage.store``): a rowid table with
its key in an index, so reading a small value never reads a large neighbour (in a ``WITHOUT
ROWID`` table SQLite compares a look-up's key with whole overflowing rows,
https://www.sqlite.org/withoutrowid.html section 4: "WITHOUT ROWID tables work best when
individual rows are not too large").  A table of that older layout is moved once (tests/test_cache.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from repo_roles.coverage import store as S


def _layout(path: Path) -> str:
    db = sqlite3.connect(str(path))
    try:
        return db.execute("SELECT sql FROM sqlite_master WHERE name = 'snapshot'").fetchone()[0]
    finally:
        db.close()


def test_values_are_read_and_replaced_by_project_and_kind(tmp_path: Path) -> None:
    one, other = S.DocCache(tmp_path, "salt", "p:one"), S.DocCache(tmp_path, "salt", "p:other")
    one.put_snapshot("kind", "s1", b"x" * 300_000)
    one.put_snapshot("kind-meta", "s1", b"small")
    other.put_snapshot("kind", "s1", b"y")
    assert "WITHOUT ROWID" not in _layout(one.path).upper()
    assert one.read_snapshot("kind-meta", "s1") == b"small" and one.read_snapshot("kind", "s1") == b"x" * 300_000
    assert other.read_snapshot("kind", "s1") == b"y"
    one.put_snapshot("kind", "s2", b"z")  # one value per project and kind: a new salt replaces it
    assert one.read_snapshot("kind", "s2") == b"z" and one.read_snapshot("kind", "s1") in (None, b"y")
    assert other.read_snapshot("kind", "s1") == b"y"

