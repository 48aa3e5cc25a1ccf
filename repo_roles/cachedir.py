"""Where repo-roles keeps its caches: trusted only from the user's environment.

Every cache (documentation analysis, classification, test evidence, history) lives below
:func:`user_cache_root`; a repository's ``cache-dir`` only names a sub-directory inside it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from repo_roles.config import Config


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


def user_cache_root() -> Path:
    """$REPO_ROLES_CACHE_DIR > $XDG_CACHE_HOME/repo-roles > ~/.cache/repo-roles."""
    explicit = os.environ.get("REPO_ROLES_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):  # the XDG spec says relative values are to be ignored
        return Path(xdg) / "repo-roles"
    return Path.home() / ".cache" / "repo-roles"
