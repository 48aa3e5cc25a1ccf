"""``repo-roles cache info`` and ``repo-roles cache clear [NAME...]``: the caches under the cache root.

Like ``ruff clean`` and ``pre-commit clean``/``gc``.  ``info`` says where the cache root is and
which setting chose it, the size cap, and per cache its size on disk, entries and last use
(``--format json``: the same as one object).  ``clear`` removes every cache, or the named ones
(a name ``info`` lists); an unknown name is a usage error (exit 2) and removes nothing.
Every cache under the root is found by what is there (:mod:`repo_roles.cacheadmin.survey`),
so a cache added later is listed, cleared and capped without a change here.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path
from typing import List, Optional, Sequence

import click

from repo_roles.errors import UsageError


def human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"  # pragma: no cover - the loop returns


def when(stamp: Optional[float]) -> Optional[str]:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(stamp)) if stamp else None


def run_info(output_format: str) -> int:
    from repo_roles.cacheadmin.evict import ENV, max_size
    from repo_roles.cacheadmin.survey import survey
    from repo_roles.cachedir import root_origin, user_cache_root

    root = user_cache_root()
    cap = max_size()
    caches = survey(root)
    if output_format == "json":
        data = {
            "root": str(root), "root_from": root_origin(), "max_size": cap,
            "size": sum(c.size for c in caches),
            "caches": [{"name": c.name, "size": c.size, "entries": c.entries, "entry_kind": c.detail,
                        "last_used": when(c.last_used), "paths": [str(p) for p in c.paths]} for c in caches],
        }
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return 0
    lines = [f"cache root: {root} (from {root_origin()})",
             f"size cap:   {human(cap) + ' ' if cap is not None else 'none '}(${ENV})"]
    if not caches:
        lines.append("no caches yet" if root.exists() else "no caches yet (the directory does not exist)")
    else:
        rows = [("NAME", "SIZE", "ENTRIES", "LAST USED", "WHAT")]
        rows += [(c.name, human(c.size), str(c.entries), when(c.last_used) or "-", c.detail) for c in caches]
        rows.append(("total", human(sum(c.size for c in caches)), "", "", ""))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines += ["  ".join(cell.ljust(w) for cell, w in zip(r[:4], widths)) + "  " + r[4] for r in rows]
    sys.stdout.write("\n".join(line.rstrip() for line in lines) + "\n")
    return 0


def run_clear(names: Sequence[str]) -> int:
    from repo_roles.cacheadmin.survey import survey
    from repo_roles.cachedir import user_cache_root

    root = user_cache_root()
    caches = survey(root)
    known = {c.name: c for c in caches}
    unknown = [n for n in names if n not in known]
    if unknown:
        listed = ", ".join(sorted(known)) or "none"
        raise UsageError(f"no cache named {', '.join(unknown)} under {root} (caches there: {listed})")
    chosen = [known[n] for n in dict.fromkeys(names)] if names else caches
    freed = 0
    for cache in chosen:
        for path in cache.paths:
            _remove(path)
        freed += cache.size
    what = ", ".join(c.name for c in chosen) if chosen else "nothing to clear"
    click.echo(f"cleared {what} under {root} ({human(freed)})", err=True)
    return 0


def _remove(path: Path) -> None:
    """A top-level file (and its SQLite side files) or directory; never follows a link."""
    from repo_roles.cacheadmin.evict import remove_file

    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)  # removes links inside, never their targets
    else:
        remove_file(path)


def register(group: click.Group) -> None:
    @group.group("cache")
    def cache() -> None:
        """Show or clear the caches (where: $REPO_ROLES_CACHE_DIR; cap: $REPO_ROLES_CACHE_MAX_SIZE)."""

    @cache.command("info")
    @click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
                  show_default=True)
    def info(output_format: str) -> None:
        """Where the cache root is, the size cap, and each cache's size, entries and last use."""
        raise SystemExit(run_info(output_format))

    @cache.command("clear")
    @click.argument("names", nargs=-1)
    def clear(names: List[str]) -> None:
        """Remove every cache, or the NAMES that `cache info` lists."""
        raise SystemExit(run_clear(names))
