"""The SQLite file behind :mod:`repo_roles.coverage.cache`; every failure degrades to "no cache".

Two tables keyed by (project, salt, path, blob): ``files`` holds the small columns of
:class:`~repo_roles.coverage.cache.Entry`, which a warm run reads for every target in a few
batched queries, and ``items`` the large ``docs`` column, read one file at a time, only for the
files whose items someone asks for.  Kept apart, the small table stays a few pages per thousand
files instead of being spread across the item lists (a tenth of the pages to read).
A third, ``snapshot``, holds the classifier's per-project tables, each one value
(:mod:`repo_roles.columns`).
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from repo_roles import safeio
from repo_roles.coverage.cache import DB_NAME, Entry, user_cache_root

_BATCH = 900  # under SQLite's historical 999 bound-parameter limit
SCAN_MIN_FILES = 2000  # from this many files on, scanning the project's rows beats look-ups by path
# Columns read for every file; ``docs`` (the whole item list) stays in the database until asked for.
_LIGHT = "path, blob, language, counted, documented, missing, suppressions, defines"

# (language, counted, documented, missing, suppressions, defines): an Entry without ``docs``.
Light = Tuple[object, ...]
# A row whose columns do not have the types we write is a miss, filtered out by SQLite itself
# (no per-row Python check); the JSON columns are validated when decoded.
_WELL_TYPED = (
    "typeof(language) IN ('text', 'null') AND typeof(missing) IN ('blob', 'null') "
    "AND typeof(suppressions) IN ('text', 'null') AND typeof(defines) IN ('integer', 'null') "
    "AND (typeof(counted) = 'integer' "
    "AND typeof(documented) = 'integer' OR counted IS NULL AND documented IS NULL)"
)


def raw_path(path: str) -> bytes:
    # Paths are stored as git's bytes: a str with surrogate escapes is not valid UTF-8 text.
    return path.encode("utf-8", "surrogateescape")


class DocCache:
    """The rows of one project (its absolute root) and settings fingerprint (``salt``) in ``directory``.

    A cache directory may serve many projects (``~/.cache/repo-roles``); keyed by project first,
    one project's rows are one contiguous range, read in one scan.
    """

    def __init__(self, directory: Path, salt: str, project: str = "", threads: bool = False) -> None:
        """``threads``: the connection may be used from another thread than the one that opened
        it, one thread at a time (the early documentation stage writes from its collector)."""
        self.path = Path(directory) / DB_NAME
        self.salt = salt
        self.project = project
        self._threads = threads
        self._db: Optional[sqlite3.Connection] = None
        try:
            self._db = self._connect()
        except safeio.UnsafeReadError:
            self._db = None  # a link or a FIFO where the database goes: no cache, nothing touched
        except (OSError, sqlite3.Error):
            self._reset()

    def _guard(self) -> None:
        """SQLite follows links: open only a path with no link below the user cache root and
        no link, FIFO or device where the database and its -wal/-shm/-journal files go."""
        root = user_cache_root()
        if os.path.abspath(self.path).startswith(os.path.abspath(root) + os.sep):
            reason = safeio.inside_root(self.path, root)
            if reason is not None:
                raise safeio.UnsafeReadError(self.path, reason.replace("project root", "user cache root"))
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                mode = os.lstat(str(self.path) + suffix).st_mode
            except FileNotFoundError:
                continue
            if not stat.S_ISREG(mode):
                raise safeio.UnsafeReadError(str(self.path) + suffix, "is not a regular file")

    def _connect(self) -> sqlite3.Connection:
        self._guard()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(str(self.path), timeout=5.0, isolation_level=None,
                             check_same_thread=not getattr(self, "_threads", False))
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable enough for a cache
            key = "project TEXT NOT NULL, salt TEXT NOT NULL, path BLOB NOT NULL, blob TEXT NOT NULL"
            pk = "PRIMARY KEY (project, salt, path, blob)"
            db.execute(
                f"CREATE TABLE IF NOT EXISTS files ({key}, language TEXT, counted INTEGER, documented INTEGER, "
                f"missing BLOB, suppressions TEXT, defines INTEGER, {pk}) WITHOUT ROWID"
            )
            db.execute(f"CREATE TABLE IF NOT EXISTS items ({key}, docs TEXT, {pk}) WITHOUT ROWID")
            # The classifier's caches (``classify.sniffcache``, ``classify.rolecache``): one value per
            # project and kind, a whole table in ``columns`` layout, read in one go.
            db.execute("CREATE TABLE IF NOT EXISTS snapshot (project TEXT NOT NULL, kind TEXT NOT NULL, "
                       "salt TEXT NOT NULL, data BLOB, PRIMARY KEY (project, kind)) WITHOUT ROWID")
            # Line counts by content (the audit's treemap sized by lines): a blob's count is the
            # same in every project and under every setting, so the blob id alone is the key.
            db.execute("CREATE TABLE IF NOT EXISTS lines (blob TEXT PRIMARY KEY NOT NULL, lines INTEGER NOT NULL) "
                       "WITHOUT ROWID")
            # Tables of earlier releases, replaced by ``snapshot``: dropped once, not left to grow.
            legacy = [name for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('sniff', 'roles')")]
            for name in legacy:
                try:
                    db.execute(f"DROP TABLE IF EXISTS {name}")
                except sqlite3.OperationalError:  # locked by another run: drop it next time
                    break
            # One page read proves the file is a database; a damaged page further in surfaces as a
            # DatabaseError when read, and is handled there (a count here would read them all).
            db.execute("SELECT 1 FROM files LIMIT 1").fetchone()
        except sqlite3.Error:
            db.close()
            raise
        return db

    def _reset(self) -> None:
        """Replace a database that SQLite cannot read (truncated, garbled, not a database)."""
        if self._db is not None:
            self._db.close()
        self._db = None
        try:
            self._guard()
            for suffix in ("", "-wal", "-shm"):
                try:
                    os.unlink(str(self.path) + suffix)
                except FileNotFoundError:
                    pass
            self._db = self._connect()
        except (OSError, sqlite3.Error, safeio.UnsafeReadError):
            self._db = None  # unwritable location, or corrupt again: run without a cache

    def read(self, paths: Sequence[str]) -> List[tuple]:
        """Stored rows ``(path bytes, blob, *light columns)`` that may belong to ``paths``.

        Many paths: one range scan of the project's rows (sequential pages, no per-path index
        search); a few: ``IN`` look-ups.  Either way only well-typed rows come back.
        """
        if self._db is None or not paths:
            return []
        head = f"SELECT {_LIGHT} FROM files WHERE project = ? AND salt = ? AND {_WELL_TYPED}"
        try:
            if len(paths) >= SCAN_MIN_FILES:
                return self._db.execute(head, (self.project, self.salt)).fetchall()
            raw = [raw_path(p) for p in paths]
            rows: List[tuple] = []
            for start in range(0, len(raw), _BATCH):
                chunk = raw[start:start + _BATCH]
                sql = f"{head} AND path IN ({','.join('?' * len(chunk))})"
                rows += self._db.execute(sql, (self.project, self.salt, *chunk)).fetchall()
            return rows
        except sqlite3.DatabaseError:
            self._reset()
            return []

    def empty(self) -> bool:
        """No row at all for this project and settings (a cold run); True without a database."""
        if self._db is None:
            return True
        try:
            return self._db.execute("SELECT 1 FROM files WHERE project = ? AND salt = ? LIMIT 1",
                                    (self.project, self.salt)).fetchone() is None
        except sqlite3.DatabaseError:
            self._reset()
            return True

    def match(self, rows: Iterable[tuple], keys: Dict[str, str]) -> Dict[str, Light]:
        """``{path: light columns}`` of the rows stored for the content in ``keys`` (path -> blob).

        Rows of other contents of these paths are stale: once they outnumber a quarter of the
        current ones they are deleted, so a project's scan stays proportional to its size.
        """
        wanted = {raw_path(path): (path, blob) for path, blob in keys.items()}
        found: Dict[str, Light] = {}
        stale: List[tuple] = []
        for row in rows:
            key = wanted.get(row[0])
            if key is None:
                continue  # a file deleted since, or outside this run's scope
            if key[1] == row[1]:
                found[key[0]] = row[2:]
            else:
                stale.append((self.project, self.salt, row[0], row[1]))
        if len(stale) > len(found) // 4:
            self._write("DELETE FROM files WHERE project = ? AND salt = ? AND path = ? AND blob = ?",
                        "DELETE FROM items WHERE project = ? AND salt = ? AND path = ? AND blob = ?", stale, stale)
        return found

    def get_docs(self, path: str, blob: str) -> Tuple[bool, Optional[str]]:
        """``(found, docs column)`` of one stored file."""
        if self._db is None:
            return False, None
        try:
            row = self._db.execute(
                "SELECT docs FROM items WHERE project = ? AND salt = ? AND path = ? AND blob = ?",
                (self.project, self.salt, raw_path(path), blob),
            ).fetchone()
        except sqlite3.DatabaseError:
            return False, None
        return (True, row[0]) if row is not None else (False, None)

    def put_many(self, rows: Iterable[Tuple[str, str, Entry]]) -> None:
        """Store ``(path, blob, entry)`` rows in one transaction; skipped when locked."""
        keyed = [((self.project, self.salt, raw_path(path), blob), entry) for path, blob, entry in rows]
        self._write(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            "INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, ?)",
            [(*key, *entry[:-1]) for key, entry in keyed],
            [(*key, entry.docs) for key, entry in keyed if entry.docs is not None],
        )

    def get_lines(self, blobs: Sequence[str]) -> Dict[str, int]:
        """``{blob: lines}``, holding the stored ones among ``blobs`` (maybe a few more).

        Many blobs: the whole table when it is not much larger (one sequential scan, ~0.1 s
        for 100k rows), else this project's rows joined with it; a few: ``IN`` look-ups.
        """
        if self._db is None or not blobs:
            return {}
        typed = "typeof(l.lines) = 'integer' AND l.lines >= 0"
        unique = list(set(blobs))
        try:
            if len(unique) >= SCAN_MIN_FILES:
                limit = 2 * len(unique)
                rows = self._db.execute(f"SELECT blob, lines FROM lines AS l WHERE {typed} LIMIT ?",
                                        (limit,)).fetchall()
                if len(rows) < limit:
                    return dict(rows)
                return dict(self._db.execute(
                    f"SELECT l.blob, l.lines FROM files AS f JOIN lines AS l ON l.blob = f.blob "
                    f"WHERE f.project = ? AND {typed}", (self.project,)).fetchall())
            found: Dict[str, int] = {}
            for start in range(0, len(unique), _BATCH):
                chunk = unique[start:start + _BATCH]
                sql = f"SELECT blob, lines FROM lines AS l WHERE {typed} AND blob IN ({','.join('?' * len(chunk))})"
                found.update(self._db.execute(sql, chunk).fetchall())
            return found
        except sqlite3.DatabaseError:
            return {}

    def put_lines(self, rows: Iterable[Tuple[str, int]]) -> None:
        """Store ``(blob, lines)`` pairs in one transaction; skipped when locked."""
        sql = "INSERT OR REPLACE INTO lines VALUES (?, ?)"
        self._write(sql, sql, list(rows), [])

    def read_snapshot(self, kind: str, salt: str) -> Optional[bytes]:
        """The project's stored ``kind`` table if it was written under ``salt`` (else None)."""
        if self._db is None:
            return None
        try:
            row = self._db.execute(
                "SELECT data FROM snapshot WHERE project = ? AND kind = ? AND salt = ?", (self.project, kind, salt)
            ).fetchone()
        except sqlite3.DatabaseError:
            self._reset()
            return None
        return row[0] if row is not None and isinstance(row[0], bytes) else None

    def put_snapshot(self, kind: str, salt: str, data: bytes) -> None:
        """Replace the project's ``kind`` table (one per project: a new salt replaces the old)."""
        sql = "INSERT OR REPLACE INTO snapshot VALUES (?, ?, ?, ?)"
        self._write(sql, sql, [(self.project, kind, salt, data)], [])

    def _write(self, files_sql: str, items_sql: str, files: List[tuple], items: List[tuple],
               retry: bool = True) -> None:
        """One transaction over both tables; skipped when another run holds the lock too long."""
        if self._db is None or not files:
            return
        try:
            self._transaction(files_sql, items_sql, files, items)
        except sqlite3.OperationalError:
            pass  # another run holds the lock past the timeout: it is writing the same results
        except sqlite3.DatabaseError:
            # A damaged page found only now (reads may not have touched it): the results are
            # written again into the fresh file, or the next run finds nothing to reuse.
            self._reset()
            if retry:
                self._write(files_sql, items_sql, files, items, retry=False)

    def _transaction(self, files_sql: str, items_sql: str, files: List[tuple], items: List[tuple]) -> None:
        if self._db is None:
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.executemany(files_sql, files)
            self._db.executemany(items_sql, items)
            self._db.execute("COMMIT")
        except BaseException:
            try:
                self._db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            raise

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
