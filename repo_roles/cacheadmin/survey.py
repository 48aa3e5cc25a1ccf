"""Every cache under the cache root, found by what is there rather than by a list of known caches.

A cache is named by its files: ``docs-v6.sqlite3`` (with its ``-wal``/``-shm`` side files) is
``docs``, every ``history-v5-<key>.json`` is ``history``, every ``declared-rows-v2-<key>.json`` is
``declared-rows``, and a sub-directory (``by-config``, or any cache added later that keeps its
entries in a directory of its own) is one cache by its directory name.  A temporary file left by
an interrupted write (``.name.XXXX.tmp``) counts with the cache it was to replace.

Entries and last use: for the analysis database, its (project, settings) groups and their
recorded last use (:mod:`repo_roles.coverage.store`); for anything else, its files and their
modification times (every cache marks a file it reuses: :func:`repo_roles.cachedir.mark_used`).
Nothing here follows a symbolic link.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Dict, Iterator, List, NamedTuple, Optional, Tuple

SQLITE_SIDE = ("-wal", "-shm", "-journal")
_VERSIONED = re.compile(r"\A(.+?)-v\d+(?:-[0-9a-f]+)?\Z")
_TEMPORARY = re.compile(r"\A\.(.+)\.[^.]+\.tmp\Z")  # repo_roles.atomic's mkstemp names


class Unit(NamedTuple):
    """Something eviction can remove on its own: a file (with its SQLite side files), or one
    group of rows inside the analysis database."""

    cache: str
    path: Path  # the file, or the database holding the group
    size: int
    last_used: float
    group: object = None  # a repo_roles.coverage.store.Group, or None for a whole file


class Cache(NamedTuple):
    name: str
    paths: Tuple[Path, ...]  # what `cache clear NAME` removes: top-level files or one directory
    size: int  # bytes on disk
    entries: int
    last_used: Optional[float]  # seconds since the epoch
    detail: str  # what an entry is


def cache_name(filename: str) -> str:
    """The cache a top-level file belongs to (see the module docstring)."""
    temporary = _TEMPORARY.match(filename)
    if temporary:
        filename = temporary.group(1)
    for side in SQLITE_SIDE:
        if filename.endswith(side):
            filename = filename[: -len(side)]
    stem = filename.split(".", 1)[0] or filename
    versioned = _VERSIONED.match(stem)
    return versioned.group(1) if versioned else stem


def main_file(path: Path) -> Path:
    """A SQLite side file's database; any other file itself."""
    for side in SQLITE_SIDE:
        if path.name.endswith(side):
            return path.with_name(path.name[: -len(side)])
    return path


def _listing(directory: Path) -> Iterator[Tuple[os.DirEntry, os.stat_result]]:
    """The entries of ``directory`` with their own ``lstat`` (an unreadable one is left out)."""
    try:
        with os.scandir(directory) as found:
            entries = list(found)
    except OSError:
        return
    for entry in entries:
        try:
            yield entry, entry.stat(follow_symlinks=False)
        except OSError:
            continue


def _files(directory: Path) -> Iterator[Tuple[Path, os.stat_result]]:
    """Every regular file below ``directory`` (symbolic links are neither followed nor listed)."""
    for entry, info in _listing(directory):
        if stat.S_ISDIR(info.st_mode):
            yield from _files(Path(entry.path))
        elif stat.S_ISREG(info.st_mode):
            yield Path(entry.path), info


def top_level(root: Path) -> Dict[str, List[Path]]:
    """cache name -> its top-level files and directories under ``root``."""
    out: Dict[str, List[Path]] = {}
    for entry, info in _listing(root):
        mode = info.st_mode
        if stat.S_ISDIR(mode):
            out.setdefault(entry.name, []).append(Path(entry.path))
        elif stat.S_ISREG(mode):
            out.setdefault(cache_name(entry.name), []).append(Path(entry.path))
    return out


def units(root: Path, with_groups: bool = True) -> List[Unit]:
    """Every evictable unit under ``root``; the analysis database's groups when ``with_groups``
    (one scan of its tables), else the database as one unit."""
    by_file: Dict[Path, List[Tuple[Path, os.stat_result]]] = {}
    names: Dict[Path, str] = {}
    for name, paths in top_level(root).items():
        for top in paths:
            if top.is_dir() and not top.is_symlink():
                files = _files(top)
            else:
                try:
                    files = [(top, os.lstat(top))]
                except OSError:  # gone since listed (SQLite removes its -wal/-shm files on close)
                    continue
            for path, info in files:
                owner = main_file(path)
                by_file.setdefault(owner, []).append((path, info))
                names[owner] = name
    out: List[Unit] = []
    for owner, parts in by_file.items():
        size = sum(info.st_blocks * 512 if hasattr(info, "st_blocks") else info.st_size for _, info in parts)
        last = max(info.st_mtime for _, info in parts)
        if with_groups and owner.name == _db_name() and owner.exists():
            groups = _groups(owner)
            if groups is not None:
                share = sum(g.size for g in groups) or 1
                out += [Unit(names[owner], owner, size * g.size // share, float(g.last_used), g) for g in groups]
                continue
        out.append(Unit(names[owner], owner, size, last))
    return out


def _db_name() -> str:
    from repo_roles.coverage.cache import DB_NAME

    return DB_NAME


def _groups(database: Path) -> Optional[list]:
    from repo_roles.coverage.store import DocCache, groups

    cache = DocCache(database.parent, "", "")
    try:
        return groups(cache) if cache._db is not None else None
    finally:
        cache.close()


def survey(root: Path) -> List[Cache]:
    """Every cache under ``root``, by name."""
    found = top_level(root)
    by_cache: Dict[str, List[Unit]] = {}
    for unit in units(root):
        by_cache.setdefault(unit.cache, []).append(unit)
    out = []
    for name in sorted(found):
        parts = by_cache.get(name, [])
        grouped = [u for u in parts if u.group is not None]
        size = sum(u.size for u in parts)
        if grouped:
            rows = sum(u.group.rows for u in grouped)  # type: ignore[attr-defined]
            detail = f"{len(grouped)} project/settings groups, {rows} rows"
            used = [u.last_used for u in grouped if u.last_used]
            last = max(used) if used else max((u.last_used for u in parts), default=None)
            entries = len(grouped) + len(parts) - len(grouped)
        else:
            detail = "files"
            entries = len(parts)
            last = max((u.last_used for u in parts), default=None)
        out.append(Cache(name, tuple(sorted(found[name])), size, entries, last, detail))
    return out
