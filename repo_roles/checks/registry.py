"""The one place that knows which rules exist.

Each rule is a function in its own module under ``repo_roles/checks/``, registered with
``@rule(...)``.  Its module docstring is its user documentation (``repo-roles rule ID``).
``repo_roles/checks/__init__.py`` imports every rule module explicitly, so reading that file
tells a newcomer what exists (no discovery magic).
"""

from __future__ import annotations

import inspect
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Optional

from repo_roles.checks.filereuse import FILE_INPUTS
from repo_roles.checks.reuse import INPUTS
from repo_roles.findings import SEVERITIES, Finding

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext

CheckFunction = Callable[["ProjectContext"], Iterable[Finding]]
Fingerprint = Callable[["ProjectContext"], Optional[bytes]]


@dataclass(frozen=True)
class Rule:
    """A registered rule: stable id, kebab-case name, default severity and documentation."""

    id: str
    name: str
    summary: str
    default_severity: str
    doc: str
    check: CheckFunction
    enabled_by_default: bool = True
    # "file": reports on ``context.targets`` only (cheap; runs in every pre-commit call).
    # "repository": looks at the whole project (the ownership file, the roster…); runs on full
    # scans, and in `check` only when the ownership file or the config is among the files.
    scope: str = "file"
    # What the findings depend on besides the configuration and the tool: a repository-scope
    # rule that declares it is run only when those inputs changed (``checks/reuse.py``); a
    # file-scope rule declaring ``FILE_INPUTS`` reads of each file only the file itself and is
    # called as ``check(context, paths)`` on the files whose inputs changed
    # (``checks/filereuse.py``); "" runs every time.
    inputs: str = ""
    # A digest of everything the rule's findings are made of, cheaper to make than they are
    # (None: not known this run): a whole-project run whose stored findings of the rule were
    # made under the same digest keeps them without running the rule (``checks/engine.py``).
    fingerprint: Optional[Fingerprint] = None


RULES: dict[str, Rule] = {}


def rule(
    id: str,
    name: str,
    summary: str,
    severity: str = "error",
    enabled_by_default: bool = True,
    scope: str = "file",
    inputs: str = "",
    fingerprint: Optional[Fingerprint] = None,
) -> Callable[[CheckFunction], CheckFunction]:
    """Register ``func`` under ``id``; its module docstring becomes the rule's documentation."""
    if severity not in SEVERITIES:
        raise ValueError(f"{id}: unknown severity {severity!r}")
    if scope not in ("file", "repository"):
        raise ValueError(f"{id}: unknown scope {scope!r}")
    if inputs and inputs != FILE_INPUTS and inputs not in INPUTS:
        raise ValueError(f"{id}: unknown inputs {inputs!r}")
    if inputs and (scope == "file") != (inputs == FILE_INPUTS):
        raise ValueError(f"{id}: a file-scope rule declares {FILE_INPUTS!r} inputs, a repository-scope rule others")

    def decorate(func: CheckFunction) -> CheckFunction:
        if id in RULES:
            raise ValueError(f"rule id {id} registered twice")
        if inputs == FILE_INPUTS and "paths" not in inspect.signature(func).parameters:
            raise ValueError(f"{id}: a rule declaring {FILE_INPUTS!r} inputs takes the paths to report on")
        module = sys.modules.get(func.__module__)
        doc = inspect.cleandoc((module.__doc__ if module else None) or func.__doc__ or summary)
        RULES[id] = Rule(id, name, summary, severity, doc, func, enabled_by_default, scope, inputs, fingerprint)
        return func

    return decorate


def iter_rules() -> Iterable[Rule]:
    """Every registered rule, sorted by id."""
    import repo_roles.checks  # noqa: F401  (imports every rule module, filling RULES)

    return [RULES[k] for k in sorted(RULES)]
