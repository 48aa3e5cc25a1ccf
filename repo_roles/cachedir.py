"""Where repo-roles keeps its caches: trusted only from the user's environment.

Every cache (documentation analysis, classification, test evidence, history) lives below
:func:`user_cache_root`; a repository's ``cache-dir`` only names a sub-directory inside it.

No cache entry is keyed by where a project lives: results are keyed by content (blob ids) and
settings, and grouped per project under :func:`project_key`, a name made from the project's
content, so a fresh clone, a second worktree or another branch finds the entries of the first.
Projects whose top-level directory names are equal share a coarse group (:func:`key_of_paths`)
and are told apart by a sample of their files (:mod:`repo_roles.projectslots`): each takes one
of up to ``SLOTS`` names of that group, so two of them no longer overwrite each other's
single-slot snapshots.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, List, Sequence

if TYPE_CHECKING:
    from repo_roles.config import Config
    from repo_roles.inventory import Inventory

PROJECT_KEY_FORMAT = 1


def project_key(inventory: "Inventory") -> str:
    """The name a project's cache entries are grouped under: its content, never its location.

    The coarse group of its top-level names (:func:`key_of_paths`; a few-files inventory brings
    it from its stored table), narrowed to one of the group's slots by a sample of the project's
    files (:func:`repo_roles.projectslots.choose`). Remembered on the inventory (asked once per run).
    """
    found = inventory.__dict__.get("_cache_project_key")
    if found is None:
        from repo_roles import projectslots

        group = inventory.__dict__.get("_cache_project_group") or key_of_paths(inventory.paths)
        found = inventory.__dict__["_cache_project_key"] = projectslots.choose(user_cache_root(), group, inventory)
    return found


def key_of_paths(paths: Sequence[str]) -> str:
    """A short hash of the project's top-level directory names (its top-level files when it has
    no directory; ``paths`` sorted, as an inventory's are): the same in every clone, worktree
    and most branches of one project, rarely the same for two projects, and unchanged by the
    everyday edits, additions and deletions.

    It only groups entries (each is still matched by path and blob id), so a collision or a
    change costs time, never a wrong result; a project whose key changed starts from the
    entries of the most recently used project (``coverage.store``, ``history.cache``).
    """
    tops: List[str] = []
    files: List[str] = []
    at, end = 0, len(paths)
    while at < end:  # paths are sorted: jump past each top-level directory (O(dirs * log files))
        top, slash, _ = paths[at].partition("/")
        if slash:
            tops.append(top)
            at = bisect.bisect_left(paths, top + "0", at + 1)  # "0" follows "/" in code-point order
        else:
            files.append(top)
            at += 1
    digest = hashlib.sha1(f"project-{PROJECT_KEY_FORMAT}\0".encode())
    digest.update("\0".join(sorted(set(tops or files))).encode("utf-8", "surrogateescape"))
    return "p:" + digest.hexdigest()[:16]


def cache_directory(config: "Config", project_root: Path) -> Path:
    """The user cache root, or a sub-directory of it named by the configuration's ``cache-dir``.

    The cache location is trusted only from the user's environment ($REPO_ROLES_CACHE_DIR,
    $XDG_CACHE_HOME, the home directory): a repository's ``cache-dir`` is read as a name
    *inside* that root -- ``/``, ``.`` and ``..`` parts dropped -- so it can neither write into
    the repository (replacing tracked files) nor anywhere else.
    """
    root = user_cache_root()
    if config.cache_dir:
        parts = [p for p in config.cache_dir.replace("\\", "/").split("/") if p not in ("", ".", "..")]
        return root.joinpath("by-config", *parts) if parts else root
    return root


def root_origin() -> str:
    """Which setting chose :func:`user_cache_root` (for ``repo-roles cache info``)."""
    if os.environ.get("REPO_ROLES_CACHE_DIR"):
        return "$REPO_ROLES_CACHE_DIR"
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return "$XDG_CACHE_HOME/repo-roles"
    return "~/.cache/repo-roles (default)"


def user_cache_root() -> Path:
    """$REPO_ROLES_CACHE_DIR > $XDG_CACHE_HOME/repo-roles > ~/.cache/repo-roles."""
    explicit = os.environ.get("REPO_ROLES_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):  # the XDG spec says relative values are to be ignored
        return Path(xdg) / "repo-roles"
    return Path.home() / ".cache" / "repo-roles"


def keep_newest(directory: Path, suffix: str, count: int, prefix: str = "") -> None:
    """Delete all but the ``count`` most recently written files named ``prefix*suffix`` in
    ``directory`` (a per-directory cache of small entries: index stamps, path tables)."""
    found = []
    try:
        with os.scandir(directory) as listing:
            for item in listing:
                if item.name.endswith(suffix) and item.name.startswith(prefix) and item.is_file(follow_symlinks=False):
                    found.append((item.stat(follow_symlinks=False).st_mtime_ns, item.path))
    except OSError:
        return
    for _, path in sorted(found, reverse=True)[count:]:
        try:
            os.unlink(path)
        except OSError:
            pass


def mark_used(path: Path) -> None:
    """Its modification time is when it was last used (least-recently-used eviction); written
    at most once a minute, never through a symbolic link."""
    try:
        now = time.time()
        if now - os.lstat(path).st_mtime >= 60 and os.utime in os.supports_follow_symlinks:
            os.utime(path, (now, now), follow_symlinks=False)
    except OSError:
        pass
