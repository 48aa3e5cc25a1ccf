"""Run the enabled rules over a scan context and return the accepted findings, sorted."""

from __future__ import annotations

from array import array
from itertools import accumulate, chain, compress
from operator import attrgetter
from typing import TYPE_CHECKING, Callable, Dict, FrozenSet, Iterable, Iterator, List, Optional, Sequence, Tuple

from repo_roles.checks.filereuse import FILE_INPUTS, FileFindings, gone_ranges, merge_sorted
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
    store = FileFindings.open(context, selection)
    if store is not None and store.load():
        return _run_stored(context, selection, store)
    targets = context.target_paths
    accepted: List[Finding] = []
    ran: List[str] = []
    for rule_id, rule in _ordered(selection):
        # Inline suppressions apply once every other rule has reported; SUP001 runs last, so it
        # can see which suppressions were used.
        if rule_id == UNUSED_SUPPRESSION_RULE:
            accepted = apply_suppressions(context, accepted, ran)
        if rule.scope == "repository" and not context.repository_checks:
            continue
        ran.append(rule_id)
        accepted.extend(_accepted(selection, rule_id, rule, _findings_of(context, rule_id, rule), targets))
    if UNUSED_SUPPRESSION_RULE not in selection.enabled:
        accepted = apply_suppressions(context, accepted, ran)
    # in place: a sorted copy with its keys and indices would hold ~40 bytes more per finding
    accepted.sort(key=Finding.sort_key)
    return accepted


def _run_stored(context: "ProjectContext", selection: RuleSelection, store: FileFindings) -> List[Finding]:
    """:func:`run_checks` on a whole-project scan with the stored findings of the last stored
    run: a file rule is asked about the files whose inputs changed, and its findings on the other
    files are the stored ones; every other rule runs, and its findings replace the stored ones
    only when they differ.  The stored sorted list is rebuilt at C speed from the stored order
    and what changed is merged into it (``filereuse.merge_sorted``): no sort of every finding."""
    targets = context.target_paths
    stored = store.stored
    lists: Dict[str, List[Finding]] = {}  # this run's findings per rule, by path (for saving)
    kept: Dict[str, List[Tuple[int, int]]] = {}  # file rules: the stored ranges cut
    cut: List[Tuple[str, int, int]] = []  # (rule id, start, end): stored findings not kept
    added: List[Finding] = []  # findings not among the kept stored ones, in rule order
    ran: List[str] = []
    unused: Optional[Rule] = None
    for rule_id, rule in _ordered(selection):
        if rule_id == UNUSED_SUPPRESSION_RULE:
            unused = rule
            continue
        if rule.scope == "repository" and not context.repository_checks:
            continue
        ran.append(rule_id)
        old = stored.get(rule_id)
        fresh = None
        if rule.inputs == FILE_INPUTS:
            fresh = store.file_findings(rule_id, _compute(context, rule_id, rule))
        if fresh is not None:  # the stored findings of unchanged files (file_findings: None unless stored), and these
            fresh = _accepted(selection, rule_id, rule, fresh, targets)
            ranges = kept[rule_id] = gone_ranges(old, store.gone)
            cut.extend((rule_id, start, end) for start, end in ranges)
            added.extend(fresh)
            lists[rule_id] = fresh
            continue
        notes = len(context.notes)
        found = _accepted(selection, rule_id, rule, _findings_of(context, rule_id, rule), targets)
        if rule.inputs == FILE_INPUTS and len(context.notes) != notes:
            store.noted = True  # a note to say again: not stored
        found.sort(key=_PATH)  # stable: as stored
        if old is not None and found == old:
            lists[rule_id] = old  # the objects the stored order points at
            continue
        if old:
            cut.append((rule_id, 0, len(old)))
        added.extend(found)
        lists[rule_id] = found
    for rule_id, old in stored.items():
        if rule_id not in lists and old:
            cut.append((rule_id, 0, len(old)))
    base = _stored_order(stored, store.order, cut)
    added.sort(key=Finding.sort_key)
    ordered = merge_sorted(base, added)
    del base, added
    if store.must_save():
        for rule_id, ranges in kept.items():
            old = stored[rule_id]
            lists[rule_id] = sorted(_without_ranges(old, ranges) + lists[rule_id], key=_PATH)
        store.save(lists, ordered)
    else:  # the files changed since the entry was written, beside it
        store.save_delta({rule_id: lists[rule_id] for rule_id in kept})
    del lists, kept
    store.stored = {}
    accepted = apply_suppressions(context, ordered, ran)
    if unused is not None and (unused.scope != "repository" or context.repository_checks):
        ran.append(UNUSED_SUPPRESSION_RULE)
        found = _accepted(selection, UNUSED_SUPPRESSION_RULE, unused,
                          _findings_of(context, UNUSED_SUPPRESSION_RULE, unused), targets)
        accepted = merge_sorted(accepted, sorted(found, key=Finding.sort_key))
    return accepted


def _ordered(selection: RuleSelection) -> List[Tuple[str, Rule]]:
    """The enabled rules by id, SUP001 last."""
    return sorted(selection.enabled.items(), key=lambda item: (item[0] == UNUSED_SUPPRESSION_RULE, item[0]))


def _stored_order(stored: Dict[str, List[Finding]], order: Optional[array],
                  cut: List[Tuple[str, int, int]]) -> List[Finding]:
    """The stored findings in their stored (sorted) order, less the ``cut`` ranges: at C speed."""
    if order is None or not stored:
        return []
    joined = list(chain.from_iterable(stored.values()))
    if not cut:
        return list(map(joined.__getitem__, order))
    offsets = dict(zip(stored, accumulate(chain((0,), map(len, stored.values())))))
    keep = bytearray(b"\1") * len(joined)
    for rule_id, start, end in cut:
        offset = offsets[rule_id]
        keep[offset + start:offset + end] = bytes(end - start)
    return list(compress(map(joined.__getitem__, order), map(keep.__getitem__, order)))


def _without_ranges(found: List[Finding], ranges: List[Tuple[int, int]]) -> List[Finding]:
    out: List[Finding] = []
    start = 0
    for low, high in ranges:
        out.extend(found[start:low])
        start = high
    out.extend(found[start:])
    return out


def _accepted(selection: RuleSelection, rule_id: str, rule: Rule, found: Iterable[Finding],
              targets: FrozenSet[str]) -> List[Finding]:
    """The rule's findings as the selection accepts them (per-path ignores, severities)."""
    if not isinstance(found, list):
        found = list(found)
    # A finding already as accept() would leave it skips the call: DOC001 alone may give
    # 200k findings on a large monorepo.
    plain = selection.plain_level(rule_id)
    if plain is not None \
            and (rule.scope != "file" or targets.issuperset(map(_PATH, found))) \
            and all(map(plain.__eq__, map(_SEVERITY, found))):
        return found  # every finding as the loop below would accept it: at C speed
    accepted: List[Finding] = []
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
    return accepted


def _compute(context: "ProjectContext", rule_id: str, rule: Rule) -> Callable[[Optional[FrozenSet[str]]], Iterator[Finding]]:
    """The rule's findings under its own id, on every target (None) or on the given paths."""
    def compute(paths: Optional[FrozenSet[str]] = None) -> Iterator[Finding]:
        for raw in (rule.check(context) if paths is None else rule.check(context, paths)):  # type: ignore[call-arg]
            yield raw if raw.rule_id == rule_id else raw._replace(rule_id=rule_id)
    return compute


def _findings_of(context: "ProjectContext", rule_id: str, rule: Rule) -> Iterable[Finding]:
    """The rule's findings under its own id: computed, or reused when its declared inputs did
    not change since they were stored (``checks/reuse.py``)."""
    compute = _compute(context, rule_id, rule)
    if rule.inputs and rule.inputs != FILE_INPUTS:
        return reused_findings(context, rule_id, rule.inputs, lambda: compute(None))
    return compute(None)
