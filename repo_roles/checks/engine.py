"""Run the enabled rules over a scan context and return the accepted findings, sorted."""

from __future__ import annotations

from array import array
from itertools import compress
from operator import attrgetter
from typing import TYPE_CHECKING, Callable, Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple

from repo_roles.checks.filereuse import FILE_INPUTS, DamagedEntry, FileFindings, StoredFindings, gone_ranges
from repo_roles.checks.registry import RULES, Rule, iter_rules
from repo_roles.checks.reuse import reused_findings
from repo_roles.checks.selection import RuleSelection
from repo_roles.checks.suppression import UNUSED_SUPPRESSION_RULE, apply_suppressions
from repo_roles.findings import PATH, Finding, FindingTable

if TYPE_CHECKING:
    from repo_roles.config import Config
    from repo_roles.context import ProjectContext

_PATH = attrgetter("path")
_RULE_ID = attrgetter("rule_id")
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


def run_checks(context: "ProjectContext", selection: Optional[RuleSelection] = None, *,
               table: bool = False) -> Sequence[Finding]:
    """The accepted findings of the enabled rules, sorted.  ``table``: a whole-project run with
    stored findings may answer a :class:`~repo_roles.findings.FindingTable` (columns, findings
    made only when looked at) instead of a list, for a caller that counts them (``audit``)."""
    selection = selection or build_selection(context.config)
    store = FileFindings.open(context, selection)
    if store is not None:
        store.light = table
    if store is not None and store.load():
        try:
            found = _run_stored(context, selection, store)
            return found if table else list(found)
        except DamagedEntry:  # a stored part failed its check when read: every finding computed afresh
            store.discard()
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


def _run_stored(context: "ProjectContext", selection: RuleSelection, store: FileFindings) -> FindingTable:
    """:func:`run_checks` on a whole-project scan with the stored findings of the last stored
    run: a file rule is asked about the files whose inputs changed, and its findings on the other
    files are the stored ones; every other rule runs, and its findings replace the stored ones
    only when they differ.  The stored sorted order is kept as row numbers into the stored
    columns (no finding made of them), less the rows cut, and what changed is merged into it
    (``FindingTable.merged``): no sort of every finding."""
    targets = context.target_paths
    stored = store.stored
    lists: Dict[str, Optional[List[Finding]]] = {}  # this run's findings per rule, by path (None: the stored ones)
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
        size = stored.sizes.get(rule_id)
        fresh = None
        if rule.inputs == FILE_INPUTS:
            fresh = store.file_findings(rule_id, _compute(context, rule_id, rule))
        if fresh is not None:  # the stored findings of unchanged files (file_findings: None unless stored), and these
            fresh = _accepted(selection, rule_id, rule, fresh, targets)
            ranges = kept[rule_id] = gone_ranges(stored.rule_column(rule_id, PATH), store.gone)
            cut.extend((rule_id, start, end) for start, end in ranges)
            added.extend(fresh)
            lists[rule_id] = fresh
            continue
        changed = False  # made of other inputs than the stored findings: they differ, no digest to compare
        if rule.fingerprint is not None and rule.inputs != FILE_INPUTS:
            mark = rule.fingerprint(context)  # what its findings are made of, cheaper than they are
            if mark is not None:
                store.fingerprints[rule_id] = mark
                prior = stored.fingerprints.get(rule_id)
                if size is not None and prior == mark:
                    lists[rule_id] = None  # made of the same inputs: the stored rows stand, not run
                    continue
                changed = prior is not None
        notes = len(context.notes)
        found = _accepted(selection, rule_id, rule, _findings_of(context, rule_id, rule), targets)
        if rule.inputs == FILE_INPUTS and len(context.notes) != notes:
            store.noted = True  # a note to say again: not stored
        found.sort(key=_PATH)  # stable: as stored
        if size is not None and not changed and stored.rule_equals(rule_id, found):
            lists[rule_id] = None  # the stored rows stand
            continue
        if size:
            cut.append((rule_id, 0, size))
        added.extend(found)
        lists[rule_id] = found
    for rule_id, size in stored.sizes.items():
        if rule_id not in lists and size:
            cut.append((rule_id, 0, size))
    added.sort(key=Finding.sort_key)
    ordered = _stored_order(stored, store.order, cut).merged(added)
    del added
    if store.must_save():
        whole = {rule_id: found if found is not None else stored.rule_findings(rule_id)
                 for rule_id, found in lists.items()}
        for rule_id, ranges in kept.items():
            whole[rule_id] = sorted(_without_ranges(stored.rule_findings(rule_id), ranges) + whole[rule_id], key=_PATH)
        store.save(whole, list(ordered))
        del whole
    else:  # the files changed since the entry was written, beside it
        store.save_delta({rule_id: lists[rule_id] for rule_id in kept})  # type: ignore[misc]
    del lists, kept
    accepted = apply_suppressions(context, ordered, ran)
    if unused is not None and (unused.scope != "repository" or context.repository_checks):
        ran.append(UNUSED_SUPPRESSION_RULE)
        found = _accepted(selection, UNUSED_SUPPRESSION_RULE, unused,
                          _findings_of(context, UNUSED_SUPPRESSION_RULE, unused), targets)
        accepted = accepted.merged(sorted(found, key=Finding.sort_key))
    stored.forget()  # the rows made while merging and suppressing are made
    return accepted


def _ordered(selection: RuleSelection) -> List[Tuple[str, Rule]]:
    """The enabled rules by id, SUP001 last."""
    return sorted(selection.enabled.items(), key=lambda item: (item[0] == UNUSED_SUPPRESSION_RULE, item[0]))


def _stored_order(stored: StoredFindings, order: Optional[array], cut: List[Tuple[str, int, int]]) -> FindingTable:
    """The stored findings in their stored (sorted) order, less the ``cut`` ranges: row numbers
    picked at C speed, no finding made."""
    if order is None or not len(stored):
        return FindingTable(None, [])
    if not cut:
        return FindingTable(stored, order)
    offsets = stored.offsets()
    cut_rows = sum(end - start for _, start, end in cut)
    positions = stored.positions
    if positions is not None and cut_rows * 16 < len(order):
        found = _cut_few(order, positions, [(offsets[rule_id] + start, offsets[rule_id] + end) for rule_id, start, end in cut])
        if found is not None:
            return FindingTable(stored, found)
    keep = bytearray(b"\1") * len(stored)
    for rule_id, start, end in cut:
        offset = offsets[rule_id]
        keep[offset + start:offset + end] = bytes(end - start)
    return FindingTable(stored, array("l", compress(order, map(keep.__getitem__, order))))


def _cut_few(order: array, positions: array, ranges: List[Tuple[int, int]]) -> Optional[array]:
    """``order`` less the rows in ``ranges``, found through ``positions`` (where each row stands
    in ``order``) and copied around in slices: no pass over the order.  None when a position
    does not name its row (the caller passes over the order)."""
    rows: List[int] = []
    for start, end in ranges:
        rows.extend(range(start, end))
    try:
        at = list(map(positions.__getitem__, rows))
        if (at and min(at) < 0) or list(map(order.__getitem__, at)) != rows:
            return None
    except IndexError:
        return None
    at.sort()
    out = array(order.typecode)
    previous = 0
    for position in at:
        out.extend(order[previous:position])
        previous = position + 1
    out.extend(order[previous:])
    return out


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


def _compute(context: "ProjectContext", rule_id: str, rule: Rule) -> Callable[[Optional[FrozenSet[str]]], List[Finding]]:
    """The rule's findings under its own id, on every target (None) or on the given paths."""
    def compute(paths: Optional[FrozenSet[str]] = None) -> List[Finding]:
        found = list(rule.check(context) if paths is None else rule.check(context, paths))  # type: ignore[call-arg]
        if all(map(rule_id.__eq__, map(_RULE_ID, found))):  # at C speed: TST001 gives ~27k at 100k files
            return found
        return [raw if raw.rule_id == rule_id else raw._replace(rule_id=rule_id) for raw in found]
    return compute


def _findings_of(context: "ProjectContext", rule_id: str, rule: Rule) -> Iterable[Finding]:
    """The rule's findings under its own id: computed, or reused when its declared inputs did
    not change since they were stored (``checks/reuse.py``)."""
    compute = _compute(context, rule_id, rule)
    if rule.inputs and rule.inputs != FILE_INPUTS:
        return reused_findings(context, rule_id, rule.inputs, lambda: compute(None))
    return compute(None)
