"""The SQLite file behind :mod:`repo_roles.coverage.cache`; every failure degrades to "no cache".

Two tables keyed by (project, salt, path, blob): ``files`` holds the small columns of
:class:`~repo_roles.coverage.cache.Entry`, which a warm run reads for every target in a few
batched queries, and ``items`` the large ``docs`` column, read one file at a time, only for the
files whose items someone asks for.  Kept apart, the small table stays a few pages per thousand
files instead of being spread across the item lists (a tenth of the pages to read).
A third, ``snapshot``, holds the classifier's per-project tables, each one value
(:mod:`repo_roles.columns`).

``project`` is :func:`repo_roles.cachedir.project_key`, a name made from the project's content,
never its location: a fresh clone or a second worktree of a project reads the rows of the first.
A project key seen for the first time starts from a copy of the rows of the most recently used
project under the same settings (rows are matched by path and blob id, so a copy can only save
work).  ``used`` remembers when each (project, settings) group was last read or written, to the
minute: what least-recently-used eviction (:func:`evict`) removes first.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from pathlib import Path
from typing import Collection, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

from repo_roles import safeio
from repo_roles.coverage.cache import DB_NAME, Entry, user_cache_root

ADOPT_SAMPLE = 50  # paths a new project key compares with the recently used projects' rows
USED_RESOLUTION = 60  # seconds: a group's last use is written at most once a minute
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


_SNAPSHOT = "snapshot:"  # the ``used`` salt of a project's snapshot of one kind


def raw_path(path: str) -> bytes:
    # Paths are stored as git's bytes: a str with surrogate escapes is not valid UTF-8 text.
    return path.encode("utf-8", "surrogateescape")


_SNAPSHOT_TABLE = ("CREATE TABLE IF NOT EXISTS snapshot (project TEXT NOT NULL, kind TEXT NOT NULL, "
                   "salt TEXT NOT NULL, data BLOB, PRIMARY KEY (project, kind))")


def _snapshot_table(db: sqlite3.Connection) -> None:
    """The ``snapshot`` table, a rowid table with its key in an index of its own.  Its values
    are large (megabytes at 100k files); in a ``WITHOUT ROWID`` table, as earlier releases made
    it, every key comparison of a look-up that meets an overflowing row reads that whole row
    (SQLite compares the full record), so reading a 100-byte value next to a 14 MB one cost
    tens of milliseconds.  Such a table is dropped (it is a cache) and made again, once."""
    found = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'snapshot'").fetchone()
    if found is not None and "WITHOUT ROWID" in str(found[0]).upper():
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                again = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'snapshot'").fetchone()
                if again is not None and "WITHOUT ROWID" in str(again[0]).upper():
                    db.execute("DROP TABLE snapshot")
                db.execute(_SNAPSHOT_TABLE)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError:
            return  # locked by another run: the old table serves, replaced next time
    db.execute(_SNAPSHOT_TABLE)


class DocCache:
    """The rows of one project (its :func:`~repo_roles.cachedir.project_key`) and settings
    fingerprint (``salt``) in ``directory``.

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
            db.execute("PRAGMA auto_vacuum=INCREMENTAL")  # takes effect in a new file: eviction can shrink it
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
            _snapshot_table(db)
            # Line counts by content (the audit's treemap sized by lines): a blob's count is the
            # same in every project and under every setting, so the blob id alone is the key.
            db.execute("CREATE TABLE IF NOT EXISTS lines (blob TEXT PRIMARY KEY NOT NULL, lines INTEGER NOT NULL) "
                       "WITHOUT ROWID")
            # When each (project, settings) group was last used: least-recently-used eviction.
            db.execute("CREATE TABLE IF NOT EXISTS used (project TEXT NOT NULL, salt TEXT NOT NULL, "
                       "last_used INTEGER NOT NULL, PRIMARY KEY (project, salt)) WITHOUT ROWID")
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

    def touch(self, salt: Optional[str] = None) -> Optional[int]:
        """Record that this project's ``salt`` group is used now (at most one write a minute);
        the time it was last used before, None when never (or unknown)."""
        if self._db is None:
            return None
        salt = self.salt if salt is None else salt
        now = int(time.time())
        try:
            row = self._db.execute("SELECT last_used FROM used WHERE project = ? AND salt = ?",
                                   (self.project, salt)).fetchone()
        except sqlite3.DatabaseError:
            return None
        last = row[0] if row is not None and type(row[0]) is int else None
        if last is None or now - last >= USED_RESOLUTION:
            sql = "INSERT OR REPLACE INTO used VALUES (?, ?, ?)"
            self._write(sql, sql, [(self.project, salt, now)], [])
        return last

    def _adopt(self, paths: Sequence[str]) -> None:
        """A project key used for the first time under these settings (a new top-level
        directory changed it): start from a copy of the rows of the recently used project that
        holds most of a sample of ``paths``, if it holds at least half of them -- another key
        of this same project, never an unrelated one (its rows would only take room)."""
        if self._db is None or self.touch() is not None:
            return
        step = max(1, len(paths) // ADOPT_SAMPLE)
        sample = [raw_path(p) for p in paths[::step][:ADOPT_SAMPLE]]
        best, held = None, 0
        try:
            donors = self._db.execute("SELECT project FROM used WHERE salt = ? AND project != ? "
                                      "ORDER BY last_used DESC LIMIT 5", (self.salt, self.project)).fetchall()
            for (donor,) in donors:
                count = self._db.execute(
                    f"SELECT count(DISTINCT path) FROM files WHERE project = ? AND salt = ? "
                    f"AND path IN ({','.join('?' * len(sample))})", (donor, self.salt, *sample)).fetchone()[0]
                if count > held:
                    best, held = donor, count
        except sqlite3.DatabaseError:
            return
        if best is None or 2 * held < len(sample):
            return
        select = "SELECT ?, salt, path, blob, {} FROM {} WHERE project = ? AND salt = ?"
        self._write(
            "INSERT OR IGNORE INTO files " + select.format("language, counted, documented, missing, suppressions, "
                                                           "defines", "files"),
            "INSERT OR IGNORE INTO items " + select.format("docs", "items"),
            [(self.project, best, self.salt)], [(self.project, best, self.salt)],
        )

    def read(self, paths: Sequence[str]) -> List[tuple]:
        """Stored rows ``(path bytes, blob, *light columns)`` that may belong to ``paths``.

        Many paths: one range scan of the project's rows (sequential pages, no per-path index
        search); a few: ``IN`` look-ups.  Either way only well-typed rows come back.
        """
        if self._db is None or not paths:
            return []
        self._adopt(paths)
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

    def match(self, rows: Iterable[tuple], keys: Dict[str, str],
              keep: Collection[Tuple[bytes, str]] = ()) -> Dict[str, Light]:
        """``{path: light columns}`` of the rows stored for the content in ``keys`` (path -> blob).

        Rows of other contents of these paths are stale: once they outnumber a quarter of the
        current ones they are deleted, so a project's scan stays proportional to its size --
        except the ``(path bytes, blob)`` rows in ``keep`` (the ones the snapshot refers to:
        their item lists are read from here).
        """
        wanted = {raw_path(path): (path, blob) for path, blob in keys.items()}
        found: Dict[str, Light] = {}
        stale: List[tuple] = []
        languages: Dict[object, object] = {}  # one string per language, not one per row (5 MB per 100k)
        for row in rows:
            key = wanted.get(row[0])
            if key is None:
                continue  # a file deleted since, or outside this run's scope
            if key[1] == row[1]:
                found[key[0]] = (languages.setdefault(row[2], row[2]), *row[3:])
            elif not keep or (row[0], row[1]) not in keep:
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
        self.touch()
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
        """The project's stored ``kind`` table if it was written under ``salt``; else the one of
        the most recently used project (its rows are checked by blob id like any); else None."""
        if self._db is None:
            return None
        try:
            row = self._db.execute(
                "SELECT data FROM snapshot WHERE project = ? AND kind = ? AND salt = ?", (self.project, kind, salt)
            ).fetchone()
            if row is None:
                row = self._db.execute(
                    "SELECT s.data FROM snapshot AS s LEFT JOIN used AS u ON u.project = s.project "
                    "WHERE s.kind = ? AND s.salt = ? GROUP BY s.project ORDER BY max(u.last_used) DESC LIMIT 1",
                    (kind, salt)).fetchone()
        except sqlite3.DatabaseError:
            self._reset()
            return None
        self.touch(_SNAPSHOT + kind)
        return row[0] if row is not None and isinstance(row[0], bytes) else None

    def touch_snapshot(self, kind: str) -> None:
        """Record that the project's ``kind`` table was used without being read (eviction)."""
        self.touch(_SNAPSHOT + kind)

    def put_snapshot(self, kind: str, salt: str, data: bytes) -> None:
        """Replace the project's ``kind`` table (one per project: a new salt replaces the old)."""
        sql = "INSERT OR REPLACE INTO snapshot VALUES (?, ?, ?, ?)"
        self._write(sql, sql, [(self.project, kind, salt, data)], [])
        self.touch(_SNAPSHOT + kind)

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


class Group(NamedTuple):
    """One unit of least-recently-used eviction: a project's rows under one settings salt (or
    its snapshot of one kind), their share of the file's size, and when they were last used."""

    project: str
    salt: str
    rows: int
    size: int  # bytes, estimated: the file's size shared out by rows (snapshots: their length)
    last_used: int  # seconds since the epoch; 0 when never recorded (rows of an older release)


def groups(cache: DocCache) -> List[Group]:
    """Every group stored in ``cache`` (one scan of its tables: for ``cache info`` and eviction)."""
    db = cache._db
    if db is None:
        return []
    try:
        used = {(p, s): t for p, s, t in db.execute("SELECT project, salt, last_used FROM used")}
        counts = db.execute("SELECT project, salt, count(*) FROM files GROUP BY project, salt").fetchall()
        snaps = db.execute("SELECT project, kind, length(data) FROM snapshot").fetchall()
        page = db.execute("PRAGMA page_size").fetchone()[0]
        pages = db.execute("PRAGMA page_count").fetchone()[0] - db.execute("PRAGMA freelist_count").fetchone()[0]
    except sqlite3.DatabaseError:
        return []
    snap_bytes = sum(n or 0 for _, _, n in snaps)
    total_rows = sum(n for _, _, n in counts) or 1
    rest = max(page * pages - snap_bytes, 0)
    found = [Group(p, s, n, rest * n // total_rows, used.get((p, s), 0) or 0) for p, s, n in counts]
    found += [Group(p, _SNAPSHOT + k, 1, n or 0, used.get((p, _SNAPSHOT + k), 0) or 0) for p, k, n in snaps]
    return found


def drop(cache: DocCache, doomed: Iterable[Group]) -> None:
    """Delete the rows of the ``doomed`` groups, the line counts no remaining row refers to,
    and give the freed pages back to the file system (one transaction; skipped when locked)."""
    db = cache._db
    doomed = list(doomed)
    if db is None or not doomed:
        return
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            for group in doomed:
                key = (group.project, group.salt)
                if group.salt.startswith(_SNAPSHOT):
                    db.execute("DELETE FROM snapshot WHERE project = ? AND kind = ?",
                               (group.project, group.salt[len(_SNAPSHOT):]))
                else:
                    db.execute("DELETE FROM files WHERE project = ? AND salt = ?", key)
                    db.execute("DELETE FROM items WHERE project = ? AND salt = ?", key)
                db.execute("DELETE FROM used WHERE project = ? AND salt = ?", key)
            db.execute("DELETE FROM lines WHERE blob NOT IN (SELECT blob FROM files)")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        if db.execute("PRAGMA auto_vacuum").fetchone()[0] == 2:
            db.execute("PRAGMA incremental_vacuum").fetchall()  # it frees pages as rows are read
        else:  # a file made before auto_vacuum was set: rebuilt once
            db.execute("VACUUM")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error:
        pass  # another run holds the lock: evicted next time
