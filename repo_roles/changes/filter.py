"""Which findings a change is responsible for, by reviewdog's filter modes.

reviewdog (https://github.com/reviewdog/reviewdog#filter-mode) names four modes, and so do we:

``added`` (the default for a diff)
    Findings on lines the change adds or modifies.  A finding with a span (``end_line``: a
    DOC001 declaration's signature) counts when any line of the span changed, or when lines
    were removed inside it or right after it (a deleted docstring).  A finding about a file as
    a whole (no line) counts when the file is new or copied, or renamed into a place with other
    owners or another role.
``diff_context``
    As ``added``, with each change widened by git's default three lines of context, i.e. the
    lines ``git diff`` shows around it.
``file``
    Every finding of every changed file (what ``check FILES`` reports).
``nofilter``
    Every finding of the project, as if no diff were given.

Repository-scope findings (the ownership file, ``OWNERS``, the roster, the configuration) run
only when one of those files changed; in ``added``/``diff_context`` one located on a line of a
changed file follows that file's lines, the others count (a roster edit in the configuration
can make old CODEOWNERS lines wrong).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, FrozenSet, List, Mapping, NamedTuple, Optional, Sequence

from repo_roles.changes.diff import DEFAULT_CONTEXT, ChangeSet, FileChange
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.checks.registry import Rule

FILTER_MODES = ("added", "diff_context", "file", "nofilter")
DEFAULT_MODE = "added"
WHOLE_FILE = frozenset({"A", "C"})  # new files: every finding of theirs is new


class FilterResult(NamedTuple):
    kept: List[Finding]
    hidden: int  # findings of the checked files left out because their lines did not change


def _widen(lines: FrozenSet[int], by: int) -> FrozenSet[int]:
    if not by:
        return lines
    return frozenset(n for line in lines for n in range(max(line - by, 0), line + by + 1))


class _Lines(NamedTuple):
    added: FrozenSet[int]
    deleted_after: FrozenSet[int]

    def touches(self, start: int, end: int) -> bool:
        if end - start < 64:
            return any(n in self.added for n in range(start, end + 1)) or any(
                start <= d <= end for d in self.deleted_after)
        return any(start <= n <= end for n in self.added) or any(start <= d <= end for d in self.deleted_after)


def filter_findings(
    findings: Sequence[Finding],
    changes: ChangeSet,
    mode: str,
    rules: Mapping[str, "Rule"],
    moved_elsewhere: Callable[[FileChange], bool],
    unchanged_whole: FrozenSet[str] = frozenset(),
) -> FilterResult:
    """Keep the findings ``changes`` is responsible for under ``mode`` (findings stay in order).

    ``moved_elsewhere(change)`` says whether a renamed file now has other owners or another
    role than at its old path (the caller knows ownership and roles; this module does not).
    ``unchanged_whole``: files asked about by name that the change does not touch (pre-commit's
    ``--all-files``): all their findings count.
    """
    if mode in ("file", "nofilter"):
        return FilterResult(list(findings), 0)
    if mode not in FILTER_MODES:
        raise ValueError(f"unknown filter mode {mode!r}")
    context = DEFAULT_CONTEXT if mode == "diff_context" else 0
    lines: dict = {}
    whole: dict = {}
    kept: List[Finding] = []
    for finding in findings:
        change = changes.files.get(finding.path) if finding.path else None
        if change is None and finding.path in unchanged_whole:
            kept.append(finding)
            continue
        rule = rules.get(finding.rule_id)
        repository = rule is not None and rule.scope == "repository"
        if change is None or change.status in WHOLE_FILE:
            # A new file's findings are all new.  The engine ran repository rules only because
            # an ownership file, the roster or the configuration changed: a finding of theirs in
            # a file this change leaves alone (CODEOWNERS lines an edited roster now flags) counts.
            if change is not None or repository:
                kept.append(finding)
            continue
        if finding.line is None and repository:
            kept.append(finding)
            continue
        if finding.line is None:  # about the file as a whole
            moved = whole.get(finding.path)
            if moved is None:
                moved = whole[finding.path] = change.status == "R" and moved_elsewhere(change)
            if moved:
                kept.append(finding)
            continue
        known: Optional[_Lines] = lines.get(finding.path)
        if known is None:
            known = lines[finding.path] = _Lines(_widen(change.added, context), _widen(change.deleted_after, context))
        end = finding.end_line if finding.end_line is not None and finding.end_line >= finding.line else finding.line
        if known.touches(finding.line, end):
            kept.append(finding)
    return FilterResult(kept, len(findings) - len(kept))
