"""The owners of a few paths without compiling the whole CODEOWNERS: the `check FILE...` path.

A pre-commit run asks about five files of a repository whose CODEOWNERS has thousands of lines.
Building the full matcher (``rule_index.RuleIndex``) means translating and compiling every
pattern; here a pattern is only translated when it could match one of the asked paths.

What every match needs is read off the raw pattern text, for free: each wildcard-free segment
(``services``, ``billing`` in ``/services/billing/**/*.py``) matches exactly one whole path
segment, since a segment never crosses ``/`` (see ``patterns``).  So a line is a candidate for a
path only when all of its literal segments are segments of the path; lines are indexed by one
such segment, and lines without any (``*``, ``*.md``) are candidates everywhere.  The candidates
are then tried from the last line down, each translated once (and kept) and matched exactly as
``CompiledPattern.matches`` -- the definition the full matcher is tested against.  The literal
test only ever keeps too many lines, never too few: it reads segments as the translation does
(``patterns.literal_segments``: escapes unescaped, ``*``/``?`` and GitLab's ``[`` wildcards).
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

from repo_roles.ownership.codeowners import OwnerRule, rule_list
from repo_roles.ownership.patterns import CompiledPattern, PatternError, compile_pattern, literal_segments

_NONE = -1


class RuleCandidates:
    """Per rule list (a GitLab section, or the whole file): the deciding line for one path."""

    def __init__(self, rules: Sequence[OwnerRule], dialect: str, sections: Sequence[str],
                 required: Optional[Sequence[Tuple[str, ...]]] = None) -> None:
        """``sections``: the rule lists in order (``""`` first); each rule competes in
        ``rule.section or ""`` (GitLab) or in ``""``.  Exclusions (GitLab ``!pattern``) decide
        their section when they match, whatever their position.  ``required``: each rule's
        literal segments as an earlier run found them (``ownership.parsecache``), else read here."""
        self.rules = rules
        self.dialect = dialect
        self.gitlab = dialect == "gitlab"
        self.section_pos = {name: k for k, name in enumerate(sections)}
        self._required: List[Tuple[str, ...]] = []
        self._by_segment: Dict[str, List[int]] = {}
        self._everywhere: List[int] = []
        for idx, rule in enumerate(rules):
            segments = literal_segments(rule.pattern, dialect) if required is None else required[idx]
            self._required.append(segments)
            if segments:
                # The last literal is the most specific one ("handlers" rather than "services").
                self._by_segment.setdefault(segments[-1], []).append(idx)
            else:
                self._everywhere.append(idx)
        self._compiled: Dict[int, Optional[CompiledPattern]] = {}

    @property
    def required(self) -> List[Tuple[str, ...]]:
        """Each rule's literal segments (what ``ownership.parsecache`` keeps)."""
        return self._required

    def pattern(self, idx: int) -> Optional[CompiledPattern]:
        """Line ``idx`` translated on first use; None when it cannot be (it never matches)."""
        if idx in self._compiled:
            return self._compiled[idx]
        try:
            found: Optional[CompiledPattern] = compile_pattern(self.rules[idx].pattern, self.dialect)
        except PatternError:
            found = None
        self._compiled[idx] = found
        return found

    def candidates(self, path: str) -> List[int]:
        """Indexes of the lines that may own ``path``, last line first."""
        names = set(path.split("/"))
        found = list(self._everywhere)
        required = self._required
        for name in names:
            for idx in self._by_segment.get(name, ()):
                if names.issuperset(required[idx]):
                    found.append(idx)
        found.sort(reverse=True)
        return found

    def winners(self, path: str) -> Tuple[int, ...]:
        """Per rule list, the index of the line deciding ``path`` (-1: none)."""
        path = path.lstrip("/")
        size = len(self.section_pos)
        included = [_NONE] * size
        excluded = [_NONE] * size
        for idx in self.candidates(path):
            rule = self.rules[idx]
            pos = self.section_pos[rule_list(rule, self.gitlab)]
            exclusion = self.gitlab and rule.negated
            if excluded[pos] != _NONE or (not exclusion and included[pos] != _NONE):
                continue  # this list is decided already (the last match wins; an exclusion always)
            cp = self.pattern(idx)
            if cp is None or not cp.matches(path):
                continue
            if exclusion:
                excluded[pos] = idx
            else:
                included[pos] = idx
        return tuple(ex if ex != _NONE else inc for ex, inc in zip(excluded, included))
