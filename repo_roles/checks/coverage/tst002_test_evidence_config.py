"""TST002 test-evidence-config: a configuration that test evidence follows cannot be followed.

What it checks: the ``tsconfig.json`` / ``jsconfig.json`` files whose ``paths`` aliases and
``baseUrl`` resolve test imports (TypeScript handbook, "tsconfig extends").  A chain of
``extends`` that comes back to a file already in it (a file that extends itself, or
``a -> b -> a``), or that is longer than 32 files, is reported, and its aliases are not used:
imports through them resolve to nothing, so TST001 may report the modules behind them.

Why it matters: TypeScript itself stops with "Circularity detected while resolving
configuration"; the aliases a reviewer sees in the file are not what any tool uses.

Fires: ``web/tsconfig.json`` with ``"extends": "./tsconfig.json"``.

Does not fire: an ``extends`` chain that ends (``./tsconfig.base.json``, a package name).

How to fix: remove the cycle from ``extends``.

Configuration: none.  Repository scope: runs on whole-project scans.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from repo_roles.checks.registry import rule
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext


@rule("TST002", "test-evidence-config", "A tsconfig.json that test evidence follows cannot be followed.",
      severity="warning", scope="repository")
def check(context: "ProjectContext") -> Iterator[Finding]:
    for path, problem in sorted(context.test_evidence.problems.items()):
        yield Finding("TST002", f"{path}: {problem}", path, severity="warning", key=path)
