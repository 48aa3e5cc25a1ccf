"""Inline suppressions: drop the findings a ``repo-roles: ignore[...]`` comment covers.

Syntax (extracted per target file by :mod:`repo_roles.coverage.analyze`), in any comment::

    x = legacy()  # repo-roles: ignore[TST001, DOC]   findings of TST001 / DOC* on this line
    # repo-roles: ignore-file[TST001]                 TST001 findings anywhere in this file
    # repo-roles: ignore                              every finding on this line (ignore-file: file)

A code matches a rule id or a prefix of it, like ruff's ``noqa``.  A line suppression covers a
finding that starts on that line (or spans it, ``line <= comment <= end_line``); a file-level
one also covers findings without a line.  The engine applies suppressions after rule selection
and records which suppressions were used, so SUP001 can report the ones that suppressed nothing.
"""

from __future__ import annotations

from itertools import compress
from typing import TYPE_CHECKING, Dict, FrozenSet, Iterable, List, NamedTuple, Optional, Set, Tuple, Union

from repo_roles.findings import PATH, Finding, FindingTable, Probe, column_of

if TYPE_CHECKING:
    from repo_roles.coverage.analyze import Suppression
    from repo_roles.context import ProjectContext

UNUSED_SUPPRESSION_RULE = "SUP001"  # runs after every other rule and after suppression
BLANKET = ""  # the code recorded when a suppression without codes was used
_USAGE_KEY = "_suppression_usage"

UseKey = Tuple[str, int, bool]  # (path, comment line, file level)


class SuppressionUsage(NamedTuple):
    """Which suppression codes suppressed something, and which rules ran to give them a chance."""

    used: Dict[UseKey, Set[str]]
    ran: FrozenSet[str]


def suppressions_for(context: "ProjectContext", path: str) -> Tuple["Suppression", ...]:
    """The suppression comments of one target file (none for a file that was not analysed)."""
    return context.coverage.suppressions(path)


def _covers(suppression: "Suppression", finding: "Union[Finding, Probe]") -> bool:
    if suppression.file_level:
        return True
    if finding.line is None:
        return False
    if finding.end_line is not None and finding.end_line > finding.line:
        return finding.line <= suppression.line <= finding.end_line
    return finding.line == suppression.line


def apply_suppressions(context: "ProjectContext", findings: Iterable[Finding], ran: Iterable[str]) -> List[Finding]:
    """The findings no suppression covers; records the usage for :func:`usage_of`.  A
    :class:`FindingTable` gives a table: only the findings of commented files are made."""
    used: Dict[UseKey, Set[str]] = {}
    known: Dict[str, Tuple["Suppression", ...]] = {}
    if not isinstance(findings, FindingTable):
        findings = list(findings)
    # Only files with a suppression comment need a look (no finding: no coverage stage either):
    # the others' findings are picked out at C speed.
    commented = context.coverage.paths_with_suppressions() if len(findings) else frozenset()
    looked = list(map(commented.__contains__, column_of(findings, PATH))) if commented else []
    if not any(looked):
        context.__dict__[_USAGE_KEY] = SuppressionUsage(used, frozenset(ran))
        return findings
    keep = [True] * len(findings)
    # a table's findings are looked at by the fields a suppression reads (no message, no key)
    probe = findings.probe if isinstance(findings, FindingTable) else findings.__getitem__
    for index in compress(range(len(findings)), looked):
        finding = probe(index)
        sups = known.get(finding.path)
        if sups is None:
            sups = known[finding.path] = suppressions_for(context, finding.path)
        suppressed = False
        for sup in sups:
            if not _covers(sup, finding):
                continue
            codes = [c for c in sup.codes if finding.rule_id.startswith(c)] if sup.codes else [BLANKET]
            if codes:
                used.setdefault((finding.path, sup.line, sup.file_level), set()).update(codes)
                suppressed = True
        if suppressed:
            keep[index] = False
    context.__dict__[_USAGE_KEY] = SuppressionUsage(used, frozenset(ran))
    if isinstance(findings, FindingTable):
        return findings.kept(keep)  # type: ignore[return-value]
    return list(compress(findings, keep))


def usage_of(context: "ProjectContext") -> Optional[SuppressionUsage]:
    """What :func:`apply_suppressions` recorded in this run; None when it has not run."""
    return context.__dict__.get(_USAGE_KEY)
