"""Run the enabled rules over a scan context and return the accepted findings, sorted."""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, FrozenSet, Iterable, Iterator, List, Optional, Sequence

from repo_roles.checks.filereuse import FILE_INPUTS, FileFindings
from repo_roles.checks.registry import RULES, Rule, iter_rules
from repo_roles.checks.reuse import reused_findings
from repo_roles.checks.selection import RuleSelection
from repo_roles.checks.suppression import UNUSED_SUPPRESSION_RULE, apply_suppressions
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.config import Config
    from repo_roles.context import ProjectContext

_PATH = attrgetter("path")
_SEVERITY = attrgetter("severity")


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


def run_checks(context: "ProjectContext", selection: Optional[RuleSelection] = None) -> List[Finding]:
    selection = selection or build_selection(context.config)
    targets = context.target_paths
    accepted: List[Finding] = []
    ran: List[str] = []
    # Inline suppressions apply once every other rule has reported; SUP001 runs last, so it can
    # see which suppressions were used.
    ordered = sorted(selection.enabled.items(), key=lambda item: (item[0] == UNUSED_SUPPRESSION_RULE, item[0]))
    per_file = FileFindings.open(context) if any(r.inputs == FILE_INPUTS for r in selection.enabled.values()) else None
    for rule_id, rule in ordered:
        if rule_id == UNUSED_SUPPRESSION_RULE:
            accepted = apply_suppressions(context, accepted, ran)
        if rule.scope == "repository" and not context.repository_checks:
            continue
        ran.append(rule_id)
        found = _findings_of(context, rule_id, rule, per_file)
        if not isinstance(found, list):
            found = list(found)
        # A finding already as accept() would leave it skips the call: DOC001 alone may give
        # 200k findings on a large monorepo.
        plain = selection.plain_level(rule_id)
        if plain is not None \
                and (rule.scope != "file" or targets.issuperset(map(_PATH, found))) \
                and all(map(plain.__eq__, map(_SEVERITY, found))):
            accepted.extend(found)  # every finding as the loop below would accept it: at C speed
            continue
        for raw in found:
            # File rules speak only of the targets (the scope, or the files pre-commit passed);
            # repository rules run only when asked for, and then every finding of theirs counts.
            if rule.scope == "file" and raw.path not in targets:
                continue
            if raw.severity == plain:
                accepted.append(raw)
                continue
            finding = selection.accept(raw)
            if finding is not None:
                accepted.append(finding)
    if per_file is not None:
        per_file.save()
        per_file = found = None  # its columns and lists are not kept through the sort below
    if UNUSED_SUPPRESSION_RULE not in selection.enabled:
        accepted = apply_suppressions(context, accepted, ran)
    # in place: a sorted copy with its keys and indices would hold ~40 bytes more per finding
    accepted.sort(key=Finding.sort_key)
    return accepted


def _findings_of(context: "ProjectContext", rule_id: str, rule: Rule,
                 per_file: Optional[FileFindings]) -> Iterable[Finding]:
    """The rule's findings under its own id: computed, or reused when its declared inputs did
    not change since they were stored (``checks/reuse.py``, per file: ``checks/filereuse.py``)."""
    def compute(paths: Optional[FrozenSet[str]] = None) -> Iterator[Finding]:
        for raw in (rule.check(context) if paths is None else rule.check(context, paths)):  # type: ignore[call-arg]
            yield raw if raw.rule_id == rule_id else raw._replace(rule_id=rule_id)

    if rule.inputs == FILE_INPUTS:
        return compute() if per_file is None else per_file.findings(rule_id, compute)
    if rule.inputs:
        return reused_findings(context, rule_id, rule.inputs, compute)
    return compute()
