"""A size cap on the cache root, kept by least-recently-used eviction.

After a command that ran with the cache, :func:`after_run` adds up the sizes of what is under the
root (a directory listing and a ``stat`` per file: ~1 ms, no database opened).  Only when the total
is over the cap does it open the analysis database to read its groups' last use, and remove
units, least recently used first, down to 80% of the cap (so that the next runs do not evict
again at once): whole files (a history model, a database of an older release, a file of a cache
kept in a sub-directory) or one (project, settings) group of rows in the analysis database.
Units used in the last ``RECENT`` seconds are kept: a single project larger than the cap keeps
its entries (the cap is exceeded rather than every run being a cold one).

The cap is ``REPO_ROLES_CACHE_MAX_SIZE`` (bytes, or with a K/M/G/T suffix in powers of 1024:
``500M``, ``2G``; ``0`` or ``none``: no cap); default :data:`DEFAULT_MAX_SIZE`.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Dict, List, Optional

from repo_roles.cacheadmin.survey import SQLITE_SIDE, Unit, units
from repo_roles.errors import UsageError

ENV = "REPO_ROLES_CACHE_MAX_SIZE"
DEFAULT_MAX_SIZE = 1 << 30  # 1 GiB
RECENT = 600.0  # seconds: what the last runs used stays
KEEP = 0.8  # evict down to this share of the cap
_SIZE = re.compile(r"\A\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*\Z", re.IGNORECASE)


def max_size(environ: Optional[Dict[str, str]] = None) -> Optional[int]:
    """The cap in bytes from the environment; None: no cap.  A malformed value is a UsageError."""
    value = (os.environ if environ is None else environ).get(ENV)
    if value is None or not value.strip():
        return DEFAULT_MAX_SIZE
    if value.strip().lower() in ("0", "none", "off"):
        return None
    found = _SIZE.match(value)
    if not found:
        raise UsageError(f"{ENV}={value!r}: not a size (bytes, or a number with K, M, G or T: 500M, 2G; "
                         "0 or none for no cap)")
    return int(float(found.group(1)) * 1024 ** " kmgt".index(found.group(2).lower() or " "))


def total_size(root: Path) -> int:
    """Bytes on disk under ``root`` (files only, no link followed, no database opened)."""
    return sum(unit.size for unit in units(root, with_groups=False))


def evict(root: Path, cap: int, now: Optional[float] = None) -> List[Unit]:
    """Remove least-recently-used units until ``root`` holds at most ``KEEP * cap`` bytes;
    the units removed.  Nothing happens when it is within the cap."""
    if total_size(root) <= cap:
        return []
    now = time.time() if now is None else now
    found = units(root)
    size = sum(u.size for u in found)
    removed: List[Unit] = []
    doomed_groups: Dict[Path, list] = {}
    for unit in sorted(found, key=lambda u: u.last_used):
        if size <= cap * KEEP or now - unit.last_used < RECENT:
            break
        if unit.group is not None:
            doomed_groups.setdefault(unit.path, []).append(unit.group)
        else:
            remove_file(unit.path)
        size -= unit.size
        removed.append(unit)
    for database, groups in doomed_groups.items():
        _drop(database, groups)
    return removed


def remove_file(path: Path) -> None:
    """A cache file and its SQLite side files (never through a link; gone already is fine)."""
    for suffix in ("", *SQLITE_SIDE):
        try:
            os.unlink(str(path) + suffix)
        except FileNotFoundError:
            pass
        except OSError:
            pass  # best effort: counted again next time


def _drop(database: Path, groups: list) -> None:
    from repo_roles.coverage.store import DocCache, drop

    cache = DocCache(database.parent, "", "")
    try:
        drop(cache, groups)
    finally:
        cache.close()


def after_run(root: Path) -> List[Unit]:
    """The check a command makes when it ends (see the module docstring); a missing root is empty."""
    cap = max_size()
    if cap is None or not root.is_dir():
        return []
    return evict(root, cap)
