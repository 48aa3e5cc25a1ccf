"""Which CODEOWNERS lines decide ownership somewhere: computed once per scan, shared by rules.

A line "decides" a file when it is the last matching line for it (GitHub, Bitbucket) or the
last matching line of its own section (GitLab: each section decides separately; a matching
``!exclusion`` decides that the section contributes nothing).  The deciding lines come from
one pass over every path — for a single rule list straight from the owners the scan already
resolved — so only the lines that decide nothing need a per-pattern search (``PathIndex``).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Dict, Iterator, List, Optional, Set, Tuple

from repo_roles.checks.ownership._paths import PathIndex
from repo_roles.ownership.codeowners import OwnerRule, rule_list
from repo_roles.ownership.matcher import CompiledCodeowners
from repo_roles.ownership.patterns import CompiledPattern

if TYPE_CHECKING:
    from repo_roles.ownership.resolve import Ownership
    from repo_roles.context import ProjectContext

_CACHE_KEY = "_ownership_rule_usage"
# Enough matched files to name the lines that decide them; counting further adds nothing.
MAX_COUNTED = 1_000


class RuleUsage:
    """The deciding lines of a compiled CODEOWNERS over the inventory, and lookups around them."""

    def __init__(self, ownership: "Ownership", compiled: CompiledCodeowners, paths: List[str]) -> None:
        self.ownership = ownership
        self.compiled = compiled
        self.rules = compiled.rules
        self.index = PathIndex(paths)
        positions = {section.name: k for k, section in enumerate(compiled.sections)}
        self.section_pos = [positions[self.section_key(rule)] for rule in self.rules]
        # One rule list without exclusions: the scan's resolved owners already name the winner.
        self.single = len(compiled.sections) == 1 and compiled.sections[0].exclude is None
        self.by_line = {rule.line: i for i, rule in enumerate(self.rules)}
        # path -> per rule list, the index of its deciding line (-1: none): one pass, kept.
        self.decided: Dict[str, Tuple[int, ...]] = self._decide(self.index.paths)
        self.winning: Set[int] = {idx for found in set(self.decided.values()) for idx in found if idx >= 0}
        self._summaries: Dict[int, Tuple[int, Counter]] = {}

    def section_key(self, rule: OwnerRule) -> str:
        """The rule list a rule competes in: its GitLab section, else the whole file."""
        return rule_list(rule, self.compiled.gitlab)

    def _decide(self, paths: List[str]) -> Dict[str, Tuple[int, ...]]:
        if not self.single:
            return self.compiled.winners_of(paths)
        source = self.ownership.source_file
        lookup = self.ownership.lookup
        by_line = self.by_line
        known: Dict[Optional[int], Tuple[int, ...]] = {None: (-1,)}
        out: Dict[str, Tuple[int, ...]] = {}
        for path in paths:
            owned = lookup(path)
            line = owned.line if owned.source == source else None
            found = known.get(line)
            if found is None:
                found = known[line] = (by_line.get(line, -1),)  # type: ignore[arg-type]
            out[path] = found
        return out

    def pattern(self, idx: int) -> Optional[CompiledPattern]:
        return self.compiled.compiled[idx]

    def winner(self, path: str, idx: int) -> int:
        """The index of the line deciding ``path`` in the rule list of line ``idx`` (-1: none)."""
        found = self.decided.get(path)
        if found is None:  # not in the inventory: asked by a caller with its own path
            found = self._decide([path])[path]
        return found[self.section_pos[idx]]

    def summary(self, idx: int) -> Tuple[int, Counter]:
        """How many files line ``idx`` matches (counted up to ``MAX_COUNTED``) and who decides them.

        Only meant for lines that decide nothing (few, and the search is narrowed); kept, as
        OWN003 and OWN005 both ask.
        """
        found = self._summaries.get(idx)
        if found is None:
            deciders: Counter = Counter()
            pos = self.section_pos[idx]
            decided = self.decided
            matched = 0
            for path in self.matched(idx):
                entry = decided.get(path)
                deciders[entry[pos] if entry is not None else self.winner(path, idx)] += 1
                matched += 1
                if matched >= MAX_COUNTED:
                    break
            found = self._summaries[idx] = (matched, deciders)
        return found

    def matches_any(self, idx: int) -> bool:
        """Does line ``idx`` match at least one file? (stops at the first)"""
        if idx in self.winning:
            return True
        known = self._summaries.get(idx)
        if known is not None:
            return known[0] > 0
        return next(self.matched(idx), None) is not None

    def matched(self, idx: int) -> Iterator[str]:
        """Every inventory file line ``idx`` matches (whether or not it decides them)."""
        cp = self.compiled.compiled[idx]
        if cp is None:
            return iter(())
        return self.index.matches(cp)


def rule_usage(context: "ProjectContext") -> Optional[RuleUsage]:
    """The shared analysis of ``context``'s CODEOWNERS (None without one), built on first use."""
    cached = context.__dict__.get(_CACHE_KEY)
    if cached is None:
        compiled = context.ownership.compiled
        if compiled is None:
            return None
        paths = list(context.inventory.paths)
        cached = context.__dict__[_CACHE_KEY] = RuleUsage(context.ownership, compiled, paths)
    return cached


