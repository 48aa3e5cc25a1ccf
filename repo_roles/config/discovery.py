"""Finding files: the configuration that applies to a path, and the built-in rule packs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

import repo_roles
from repo_roles import safeio
from repo_roles.errors import RepoRolesError

# In precedence order within one directory.
CONFIG_FILENAMES = ("repo-roles.toml", ".repo-roles.toml", "pyproject.toml")
PYPROJECT = "pyproject.toml"

# `[tool.repo-roles]` or any of its sub-tables (`[tool.repo-roles.lint]`), quoted or not.
_TOOL_TABLE = re.compile(
    r"""^[ \t]*\[[ \t]*tool[ \t]*\.[ \t]*(?:repo-roles|"repo-roles"|'repo-roles')[ \t]*[.\]]""", re.M
)


def builtin_rules_dir() -> Path:
    """The directory of the built-in ``rules/*.toml`` packs.

    Wheels carry it as ``repo_roles/rules`` (hatch force-include); a source checkout or an
    editable install has it at the top of the repository, next to the package.
    """
    package = Path(repo_roles.__file__).resolve().parent
    candidates = (package / "rules", package.parent / "rules")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    looked = " and ".join(str(c) for c in candidates)
    raise RepoRolesError(f"the built-in rule packs are missing (looked in {looked}); reinstall repo-roles")


def has_tool_table(pyproject: Path) -> bool:
    """Cheap textual check that a pyproject.toml has a ``[tool.repo-roles]`` table.

    The loader parses it properly; this only keeps discovery from parsing every pyproject.toml
    on the way up (and from picking one that merely exists).
    """
    try:
        text = safeio.read_regular(pyproject, max_size=safeio.MAX_CONFIG).decode("utf-8", "replace")
    except (OSError, safeio.UnsafeReadError):  # a link or a FIFO is no configuration either
        return False  # unreadable: it cannot be the config; the closest readable one applies
    return _TOOL_TABLE.search(text) is not None


def config_in(directory: Path) -> Optional[Path]:
    """The configuration file of one directory, if it has one."""
    for name in CONFIG_FILENAMES:
        candidate = directory / name
        if not candidate.is_file():
            continue
        if name != PYPROJECT or has_tool_table(candidate):
            return candidate
    return None


def discover_config(start: Path, stop_at: Optional[Path]) -> Optional[Path]:
    """The closest configuration file at or above ``start`` (a directory, or a file's parent).

    The walk stops after ``stop_at`` (inclusive; typically the repository root) or at the
    filesystem root when ``stop_at`` is None.
    """
    here = Path(start).resolve()
    if not here.is_dir():
        here = here.parent
    limit = Path(stop_at).resolve() if stop_at is not None else None
    for directory in (here, *here.parents):
        found = config_in(directory)
        if found is not None:
            return found
        if directory == limit:
            break
    return None
