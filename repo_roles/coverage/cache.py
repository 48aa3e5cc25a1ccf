"""Per-file analysis results, cached across runs by content.

An entry is keyed by (settings fingerprint, path, git blob id).  The blob id is git's
(``sha1(b"blob <size>\\0" + data)``): taken from the index for files git reports clean, computed
from the bytes otherwise, so a cached result is only ever reused for the very same content.
The fingerprint covers everything else that changes a result: the tool and cache-format
versions, the Python version (its parser decides what is valid syntax), the ``DocOptions`` and
the analyzer set.  The path is part of the key because results depend on it (module names,
publicity, ``__init__.py``).

Storage is one SQLite file in WAL mode: concurrent runs read while one writes, a write is one
transaction, and a run that cannot get the lock in time simply does not write (a cache is best
effort).  Values are JSON, never pickle — a ``cache-dir`` inside a repository is attacker
controlled — and every value is validated on read: a corrupt or malformed entry is a miss and
gets rebuilt; a corrupt database file is replaced.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Iterable, Optional, Sequence, Tuple

from repo_roles import __version__
from repo_roles.coverage.model import DocItem, DocOptions, FileDocs

if TYPE_CHECKING:
    from repo_roles.config import Config

CACHE_FORMAT = 2
DB_NAME = f"docs-v{CACHE_FORMAT}.sqlite3"
_BATCH = 900  # under SQLite's historical 999 bound-parameter limit

# An entry's payload, decoded: (FileDocs or None, suppressions as (line, codes, file_level)).
Payload = Tuple[Optional[FileDocs], Tuple[Tuple[int, Tuple[str, ...], bool], ...]]


def blob_id(data: bytes) -> str:
    """Git's object id of ``data`` as a blob (what ``git hash-object`` prints)."""
    digest = hashlib.sha1(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


def cache_directory(config: "Config", project_root: Path) -> Path:
    """``cache-dir`` (relative to the project root) > $REPO_ROLES_CACHE_DIR > XDG > ~/.cache."""
    if config.cache_dir:
        return Path(project_root) / config.cache_dir
    explicit = os.environ.get("REPO_ROLES_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):  # the XDG spec says relative values are to be ignored
        return Path(xdg) / "repo-roles"
    return Path.home() / ".cache" / "repo-roles"


def fingerprint(options: DocOptions, analyzers: str) -> str:
    """A short hash of every setting that changes an analysis result."""
    settings = [CACHE_FORMAT, __version__, list(sys.version_info[:2]), list(options), analyzers]
    return hashlib.sha1(json.dumps(settings, sort_keys=True, default=list).encode()).hexdigest()[:16]


# --- values ----------------------------------------------------------------------------------


def encode(docs: Optional[FileDocs], suppressions: Iterable[Tuple[int, Tuple[str, ...], bool]]) -> str:
    """The JSON text stored for one file: items column by column (compact, fast to check)."""
    doc_part = None
    if docs is not None:
        items = docs.items
        doc_part = [
            docs.language,
            [i.name for i in items],
            [i.kind for i in items],
            [i.line for i in items],
            [i.public for i in items],
            [i.documented for i in items],
            [i.exempt for i in items],
            [list(p) for p in docs.problems],
        ]
    sups = [[line, list(codes), file_level] for line, codes, file_level in suppressions]
    # ASCII: a name that is not valid UTF-8 (surrogate escapes) survives as a \udcxx escape.
    return json.dumps([doc_part, sups], separators=(",", ":"))


_NEW_ITEM = functools.partial(tuple.__new__, DocItem)


def _only(values: list, *types: type) -> bool:
    return isinstance(values, list) and set(map(type, values)) <= set(types)


def decode(path: str, text: str) -> Optional[Payload]:
    """The payload of a stored value; None for anything that is not exactly what :func:`encode` writes."""
    try:
        doc_part, sups = json.loads(text)
        docs = None
        if doc_part is not None:
            language, names, kinds, lines, public, documented, exempts, problems = doc_part
            size = len(names)
            if not (
                type(language) is str
                and _only(names, str) and _only(kinds, str) and _only(lines, int)
                and _only(public, bool) and _only(documented, bool)
                and _only(exempts, str, type(None)) and _only(problems, list)
                and len(kinds) == len(lines) == len(public) == len(documented) == len(exempts) == size
            ):
                return None
            for problem in problems:
                if len(problem) != 3 or type(problem[0]) is not int or not _only(problem[1:], str):
                    return None
            # tuple.__new__ straight from zip: no Python-level call per item (a million on 100k files)
            items = tuple(map(_NEW_ITEM, zip(names, kinds, lines, public, documented, exempts)))
            docs = FileDocs(path, language, items, tuple(tuple(p) for p in problems))  # type: ignore[misc]
        if not sups:
            return docs, ()
        out = []
        for line, codes, file_level in sups:
            if type(line) is not int or not _only(codes, str) or type(file_level) is not bool:
                return None
            out.append((line, tuple(codes), file_level))
        return docs, tuple(out)
    except (ValueError, TypeError):  # bad JSON, wrong shape (unpacking), wrong types
        return None


# --- storage ---------------------------------------------------------------------------------


def _raw(path: str) -> bytes:
    return path.encode("utf-8", "surrogateescape")


class DocCache:
    """The SQLite store; every failure degrades to "no cache", never to an error."""

    def __init__(self, directory: Path, salt: str) -> None:
        self.path = Path(directory) / DB_NAME
        self.salt = salt
        self._db: Optional[sqlite3.Connection] = None
        try:
            self._db = self._connect()
        except (OSError, sqlite3.Error):
            self._reset()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(str(self.path), timeout=5.0, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable enough for a cache
            db.execute(
                "CREATE TABLE IF NOT EXISTS entries (salt TEXT NOT NULL, path BLOB NOT NULL, "
                "blob TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (salt, path, blob)) WITHOUT ROWID"
            )
            db.execute("SELECT count(*) FROM entries WHERE salt = ?", (self.salt,)).fetchone()
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
            for suffix in ("", "-wal", "-shm"):
                try:
                    os.unlink(str(self.path) + suffix)
                except FileNotFoundError:
                    pass
            self._db = self._connect()
        except (OSError, sqlite3.Error):
            self._db = None  # unwritable location, or corrupt again: run without a cache

    def get_many(self, keys: Sequence[Tuple[str, str]]) -> Dict[str, Payload]:
        """``{path: payload}`` for each ``(path, blob)`` stored under this salt."""
        found: Dict[str, Payload] = {}
        if self._db is None or not keys:
            return found
        # Paths are stored as git's bytes: a str with surrogate escapes is not valid UTF-8 text.
        wanted = {_raw(path): blob for path, blob in keys}
        paths = list(wanted)
        try:
            for start in range(0, len(paths), _BATCH):
                chunk = paths[start:start + _BATCH]
                rows = self._db.execute(
                    f"SELECT path, blob, value FROM entries WHERE salt = ? AND path IN ({','.join('?' * len(chunk))})",
                    (self.salt, *chunk),
                ).fetchall()
                for raw, blob, value in rows:
                    if wanted.get(raw) == blob and isinstance(value, str):
                        path = raw.decode("utf-8", "surrogateescape")
                        payload = decode(path, value)
                        if payload is not None:
                            found[path] = payload
        except sqlite3.DatabaseError:
            self._reset()
            return {}
        return found

    def put_many(self, rows: Iterable[Tuple[str, str, str]]) -> None:
        """Store ``(path, blob, encoded value)`` rows in one transaction; skipped when locked."""
        rows = [(self.salt, _raw(path), blob, value) for path, blob, value in rows]
        if self._db is None or not rows:
            return
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)", rows)
                self._db.execute("COMMIT")
            except BaseException:
                try:
                    self._db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                raise
        except sqlite3.OperationalError:
            pass  # another run holds the lock past the timeout: it is writing the same results
        except sqlite3.DatabaseError:
            self._reset()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

