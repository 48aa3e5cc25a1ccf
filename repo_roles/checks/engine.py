"""Run the enabled rules over a scan context and return the accepted findings, sorted."""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional, Sequence

from repo_roles.checks.registry import RULES, iter_rules
from repo_roles.checks.selection import RuleSelection
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.config import Config
    from repo_roles.scan import ScanContext


def build_selection(
    config: "Config",
    *,
    select: Sequence[str] = (),
    extend_select: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> RuleSelection:
    """Command-line choices override the configuration's, as in ruff (``--select`` replaces)."""
    iter_rules()  # make sure every rule module is imported
    lint = config.lint
    return RuleSelection.build(
        RULES,
        select=tuple(select) or lint.select,
        extend_select=(*lint.extend_select, *extend_select),
        ignore=(*lint.ignore, *ignore),
        severity=lint.severity,
        per_path_ignores=lint.per_path_ignores,
    )


def _in_scope(path: str, scope: str) -> bool:
    if not scope:
        return True
    return path == scope or path.startswith(scope.rstrip("/") + "/")


def run_checks(context: "ScanContext", selection: Optional[RuleSelection] = None) -> List[Finding]:
    selection = selection or build_selection(context.config)
    scope = context.inventory.scope
    accepted: List[Finding] = []
    for rule_id, rule in sorted(selection.enabled.items()):
        for raw in rule.check(context):
            if raw.rule_id != rule_id:
                raw = raw._replace(rule_id=rule_id)
            if not _in_scope(raw.path, scope):
                continue
            finding = selection.accept(raw)
            if finding is not None:
                accepted.append(finding)
    accepted.sort(key=Finding.sort_key)
    return accepted
