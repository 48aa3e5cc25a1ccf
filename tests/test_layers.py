"""The layering ARCHITECTURE.md promises, read from every module's imports (type-only ones too).

Data walks one way: config → inventory → classify → ownership / coverage / tests / history →
checks → findings → report; ``commands/`` wire it.  Analysis knows no pipeline (it types against
``repo_roles.context.ProjectContext``), and the pipeline (``scan.py``) imports no rule.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Set

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "repo_roles"

# module prefix -> the repo_roles modules it must never import (prefix match)
FORBIDDEN: Dict[str, tuple] = {
    "repo_roles.config": ("repo_roles.scan", "repo_roles.checks", "repo_roles.commands", "repo_roles.report",
                          "repo_roles.auditreport", "repo_roles.summary", "repo_roles.cli"),
    "repo_roles.inventory": ("repo_roles.scan", "repo_roles.checks", "repo_roles.commands", "repo_roles.report",
                             "repo_roles.classify", "repo_roles.ownership", "repo_roles.coverage"),
    # the path table of a run on given files sits with the inventory it serves
    "repo_roles.fewfiles": ("repo_roles.scan", "repo_roles.checks", "repo_roles.commands", "repo_roles.report",
                            "repo_roles.classify", "repo_roles.ownership", "repo_roles.coverage"),
    "repo_roles.classify": ("repo_roles.scan", "repo_roles.checks", "repo_roles.commands", "repo_roles.report",
                            "repo_roles.auditreport", "repo_roles.summary", "repo_roles.ownership",
                            "repo_roles.history", "repo_roles.testrefs"),
    "repo_roles.ownership": ("repo_roles.scan", "repo_roles.checks", "repo_roles.commands", "repo_roles.report",
                             "repo_roles.auditreport", "repo_roles.summary", "repo_roles.coverage",
                             "repo_roles.history", "repo_roles.testrefs"),
    "repo_roles.coverage": ("repo_roles.scan", "repo_roles.checks", "repo_roles.commands", "repo_roles.report",
                            "repo_roles.auditreport", "repo_roles.summary", "repo_roles.history"),
    "repo_roles.testrefs": ("repo_roles.scan", "repo_roles.checks", "repo_roles.commands", "repo_roles.report",
                            "repo_roles.auditreport", "repo_roles.summary", "repo_roles.history"),
    "repo_roles.history": ("repo_roles.scan", "repo_roles.checks", "repo_roles.commands", "repo_roles.report",
                           "repo_roles.auditreport", "repo_roles.summary", "repo_roles.coverage",
                           "repo_roles.testrefs"),
    "repo_roles.checks": ("repo_roles.scan", "repo_roles.commands", "repo_roles.report",
                          "repo_roles.auditreport", "repo_roles.summary", "repo_roles.cli"),
    "repo_roles.scan": ("repo_roles.checks", "repo_roles.commands", "repo_roles.report",
                        "repo_roles.auditreport", "repo_roles.summary", "repo_roles.cli"),
    "repo_roles.report": ("repo_roles.scan", "repo_roles.commands", "repo_roles.cli"),
    "repo_roles.auditreport": ("repo_roles.commands", "repo_roles.cli"),
    # A stored run is found without the analysis: a hit must not import it.
    "repo_roles.runcache": ("repo_roles.scan", "repo_roles.checks", "repo_roles.commands", "repo_roles.report",
                            "repo_roles.auditreport", "repo_roles.summary", "repo_roles.cli", "repo_roles.classify",
                            "repo_roles.ownership", "repo_roles.coverage", "repo_roles.testrefs",
                            "repo_roles.history"),
    "repo_roles.project": ("repo_roles.scan", "repo_roles.checks", "repo_roles.commands", "repo_roles.classify",
                           "repo_roles.ownership", "repo_roles.coverage", "repo_roles.testrefs",
                           "repo_roles.history"),
    "repo_roles.cacheadmin": ("repo_roles.scan", "repo_roles.checks", "repo_roles.commands", "repo_roles.report",
                              "repo_roles.auditreport", "repo_roles.summary", "repo_roles.cli"),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> Set[str]:
    found: Set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("repo_roles")}


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


MODULES = sorted(PACKAGE.rglob("*.py"))
LAYERED = [p for p in MODULES if any(_within(_module_name(p), prefix) for prefix in FORBIDDEN)]


@pytest.mark.parametrize("path", LAYERED, ids=lambda p: _module_name(p))
def test_lower_layers_never_import_higher_ones(path: Path) -> None:
    module = _module_name(path)
    rules = [forbidden for prefix, forbidden in FORBIDDEN.items() if _within(module, prefix)]
    wrong = sorted(name for name in _imports(path) for forbidden in rules for bad in forbidden
                   if _within(name, bad) and not _within(module, bad))
    assert not wrong, f"{module} imports {wrong} (ARCHITECTURE.md: data walks one way)"


def test_the_layer_table_names_real_packages() -> None:
    """A rule about a module that does not exist would pass for ever: every prefix names one."""
    names = {_module_name(p) for p in MODULES}
    for prefix in FORBIDDEN:
        assert any(_within(name, prefix) for name in names), prefix
