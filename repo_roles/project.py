"""Which project a user-given path belongs to: its root, the scoped sub-path and the config file.

Kept apart from the pipeline (``scan.py``) so that a command can find its project -- and, with
:mod:`repo_roles.runcache`, answer from a stored run -- without importing the analysis stages.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from repo_roles.config import discover_config
from repo_roles.errors import NotARepositoryError, UsageError
from repo_roles.inventory import git_toplevel


def locate_project(path: Path, config_path: Optional[str] = None) -> tuple:
    """Return ``(project_root, scope, config file or None)`` for a user-given PATH.

    The project root is the nearest directory at or above PATH that holds a configuration,
    else the git top-level, else (with ``--config``) PATH itself; ``scope`` is PATH relative to
    that root.  Outside any git repository and without a configuration, scanning is refused:
    a folder that is no project (``/``, a scratch directory) is scanned only when asked for.
    """
    if not os.path.lexists(path):
        raise NotARepositoryError(f"{path}: no such file or directory")
    if os.path.islink(str(path).rstrip("/") or "/"):
        # A committed link to another tree would make that tree (and its config) the project.
        raise UsageError(f"{path}: is a symbolic link; repo-roles does not follow links (pass its target)")
    absolute = Path(os.path.abspath(path))
    start_dir = absolute if absolute.is_dir() else absolute.parent
    git_root = git_toplevel(start_dir)
    discovered = discover_config(start_dir, git_root)
    if discovered is not None:
        project_root = discovered.parent
    elif git_root is not None:
        project_root = git_root
    else:
        if not absolute.is_dir():
            raise NotARepositoryError(f"{path}: not a directory and not inside a git repository")
        if not config_path:
            raise NotARepositoryError(outside_message(path))
        project_root = absolute
    project_root = Path(os.path.realpath(project_root))
    real = Path(os.path.realpath(absolute))
    try:
        scope = real.relative_to(project_root).as_posix()
    except ValueError:
        raise UsageError(f"{path}: outside the project root {project_root}") from None
    if scope == ".":
        scope = ""
    chosen = Path(config_path) if config_path else discovered
    if config_path and not Path(config_path).is_file():
        raise UsageError(f"--config {config_path}: no such file")
    return project_root, scope, chosen


def outside_message(path: object) -> str:
    """Why a folder outside git and without configuration is not scanned, and the two ways on."""
    return (f"{path}: not inside a git repository and no repo-roles configuration found; run repo-roles "
            "inside a git repository, or make this folder a project with a repo-roles.toml "
            "(`repo-roles init`) or --config FILE")
