"""Run the pipeline once: config → inventory → classify → ownership → checks.

Commands call :func:`scan` and read the :class:`ScanContext` it returns; rules receive the same
context.  Every expensive step (git's index, attributes, the ownership file) is read once here.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional

import pathspec

from repo_roles.classify import Classification, Classifier
from repo_roles.config import Config, discover_config, load_config
from repo_roles.errors import NotARepositoryError, UsageError
from repo_roles.checks.selection import RuleSelection
from repo_roles.findings import Finding
from repo_roles.inventory import FileEntry, Inventory, git_toplevel, load_inventory
from repo_roles.ownership.resolve import Ownership, resolve_ownership


@dataclass
class ScanContext:
    """Everything the pipeline learned about one project; read by rules and commands."""

    config: Config
    inventory: Inventory
    classifier: Classifier
    classifications: Dict[str, Classification]
    ownership: Ownership
    findings: List[Finding] = field(default_factory=list)

    @property
    def root(self) -> Path:
        return self.inventory.project_root

    def role_of(self, path: str) -> str:
        return self.classifications[path].role


def locate_project(path: Path, config_path: Optional[str] = None) -> tuple:
    """Return ``(project_root, scope, config file or None)`` for a user-given PATH.

    The project root is the nearest directory at or above PATH that holds a configuration,
    else the git top-level, else PATH itself; ``scope`` is PATH relative to that root.
    """
    if not os.path.lexists(path):
        raise NotARepositoryError(f"{path}: no such file or directory")
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


def _filter_entries(inventory: Inventory, config: Config) -> Inventory:
    """Apply the config's include/exclude globs (gitignore-style) once, up front."""
    if not config.include and not config.exclude:
        return inventory
    include = pathspec.GitIgnoreSpec.from_lines(config.include) if config.include else None
    exclude = pathspec.GitIgnoreSpec.from_lines(config.exclude) if config.exclude else None
    kept: List[FileEntry] = []
    for entry in inventory.entries:
        if include is not None and not include.match_file(entry.path):
            continue
        if exclude is not None and exclude.match_file(entry.path):
            continue
        kept.append(entry)
    return dataclasses.replace(inventory, entries=kept)


def scan(
    path: Path,
    *,
    config_path: Optional[str] = None,
    untracked: Optional[bool] = None,
    run_checks: bool = True,
    selection: Optional["RuleSelection"] = None,
) -> ScanContext:
    """Scan ``path`` and return the context; findings are filled when ``run_checks``."""
    project_root, scope, config_file = locate_project(path, config_path)
    config = load_config(config_file)
    inventory = load_inventory(
        project_root, scope=scope, untracked=config.untracked if untracked is None else untracked
    )
    inventory = _filter_entries(inventory, config)
    classifier = Classifier(config, inventory)
    classifications = classifier.classify_all()
    ownership = resolve_ownership(inventory, config, classifications)
    context = ScanContext(config, inventory, classifier, classifications, ownership)
    if run_checks:
        from repo_roles.checks.engine import run_checks as _run

        context.findings = _run(context, selection)
    return context
