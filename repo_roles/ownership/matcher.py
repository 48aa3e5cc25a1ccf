"""Resolve the owners of many paths against a parsed CODEOWNERS file, fast.

Precedence:

* GitHub / Bitbucket: the last matching rule wins ("Order is important; the last matching
  pattern takes the most precedence"). A winning rule without owners leaves the path unowned.
* GitLab: "Each section enforces its rules separately. Only one Code Owner pattern per section
  is matched to a file path": per section (the unnamed one first, then sections in order of
  first appearance) the last matching rule wins, unless an exclusion (``!pattern``) of that
  section matches — "after a pattern is excluded, it cannot be included again in the same
  section" — and then the section contributes nothing. ``match`` unites the owners of every
  section's winner in section order (GitLab requires each section's approval); its ``rule`` is
  the winner of the first section that contributed owners, else the first section's winner
  (an exclusion or an owner-less line), else None.

Speed: nothing is compiled up front.  A few single paths (a pre-commit run) go through
``candidates.RuleCandidates``, which translates only the lines that can match them; batches
build the per-directory index of ``rule_index.RuleIndex`` once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

from repo_roles.ownership.candidates import RuleCandidates
from repo_roles.ownership.codeowners import OwnerRule, ParsedCodeowners, rule_list, section_key
from repo_roles.ownership.patterns import CompiledPattern, PatternError, compile_pattern

if TYPE_CHECKING:
    from repo_roles.ownership.rule_index import DirInfo, Entry, RuleIndex

_NONE = -1  # no rule (rule_index uses the same value)
# Single-path questions answered by translating candidate lines before the whole file is
# compiled: each costs ~0.1 ms against ~50 ms for a 2,000-line file's full index.
_FEW_PATHS = 64


class OwnerMatch(NamedTuple):
    """``rule`` None: no line matched. ``owners == ()`` with a rule: explicitly unowned."""

    owners: Tuple[str, ...]
    rule: Optional[OwnerRule]


_NO_MATCH = OwnerMatch((), None)

class _SectionIndex(NamedTuple):
    name: str  # "" for the rules before the first GitLab section
    include: RuleIndex
    exclude: Optional[RuleIndex]


class CompiledCodeowners:
    """A parsed CODEOWNERS file ready to answer "who owns this path?" for many paths.

    Nothing is compiled up front.  The first few single-path questions (a pre-commit run on a
    handful of files) are answered by :class:`RuleCandidates`, which translates only the lines
    that could match; a batch (:meth:`match_all` over many paths), the whole-file views
    (``compiled``, ``sections``) or many single questions build the full index once.
    """

    def __init__(self, parsed: ParsedCodeowners, required: Optional[Sequence[Tuple[str, ...]]] = None) -> None:
        """``required``: each rule's literal segments, as an earlier run's candidate index had
        them (``ownership.parsecache``); else they are read when first needed."""
        self.parsed = parsed
        self._required = required
        self.rules = parsed.rules
        self.gitlab = parsed.dialect == "gitlab"
        names: Dict[str, None] = {"": None}
        if self.gitlab:
            for section in parsed.sections:
                names.setdefault(section_key(section.name))
        self.section_names: Tuple[str, ...] = tuple(names)
        self._compiled: Optional[List[Optional[CompiledPattern]]] = None
        self._sections: Optional[List[_SectionIndex]] = None
        self._few: Optional[RuleCandidates] = None
        self._few_calls = 0
        self._single: Dict[int, OwnerMatch] = {}
        self._combined: Dict[Tuple[int, ...], OwnerMatch] = {}
        self._winners_by_path: Dict[str, Tuple[int, ...]] = {}  # filled by match_all with sections

    @property
    def compiled(self) -> List[Optional[CompiledPattern]]:
        """Every line's translated pattern (None for a line that cannot be translated)."""
        if self._compiled is None:
            known = self._few.pattern if self._few is not None else None
            out: List[Optional[CompiledPattern]] = []
            for idx, rule in enumerate(self.rules):
                if known is not None:
                    out.append(known(idx))
                    continue
                try:
                    out.append(compile_pattern(rule.pattern, self.parsed.dialect))
                except PatternError:  # the parser reported it; such a rule never matches
                    out.append(None)
            self._compiled = out
        return self._compiled

    @property
    def sections(self) -> List[_SectionIndex]:
        """One last-match-wins index per rule list: the whole file, or each GitLab section."""
        if self._sections is None:
            from repo_roles.ownership.rule_index import RuleIndex  # batches only

            groups: Dict[str, Tuple[List[Entry], List[Entry]]] = {name: ([], []) for name in self.section_names}
            for idx, (rule, cp) in enumerate(zip(self.rules, self.compiled)):
                if cp is None:
                    continue
                name = rule_list(rule, self.gitlab)
                include, exclude = groups.setdefault(name, ([], []))
                (exclude if rule.negated and self.gitlab else include).append((idx, cp))
            self._sections = [
                _SectionIndex(name, RuleIndex(inc), RuleIndex(exc) if exc else None)
                for name, (inc, exc) in groups.items()
            ]
        return self._sections

    def candidate_segments(self) -> Optional[List[Tuple[str, ...]]]:
        """Each rule's literal segments when the few-paths index was built, else None."""
        return self._few.required if self._few is not None else None

    def _one(self, idx: int) -> OwnerMatch:
        found = self._single.get(idx)
        if found is None:
            rule = self.rules[idx]
            found = self._single[idx] = OwnerMatch(() if rule.negated else rule.owners, rule)
        return found

    def _winners(self, directory: str, name: str) -> Tuple[int, ...]:
        """Per section: the winning rule index, or -1."""
        if self._sections is None and self._few_calls < _FEW_PATHS:
            # Few questions so far: translate only the lines that can match this one path.
            self._few_calls += 1
            if self._few is None:
                self._few = RuleCandidates(self.rules, self.parsed.dialect, self.section_names, self._required)
            return self._few.winners(f"{directory}/{name}" if directory else name)
        out = []
        for section in self.sections:
            if section.exclude is not None:
                excluded = section.exclude.best(directory, name)
                if excluded != _NONE:
                    out.append(excluded)
                    continue
            out.append(section.include.best(directory, name))
        return tuple(out)

    def _resolve(self, path: str) -> OwnerMatch:
        directory, _, name = path.lstrip("/").rpartition("/")
        return self._owners_of(self._winners(directory, name))

    def _owners_of(self, winners: Tuple[int, ...]) -> OwnerMatch:
        if len(winners) == 1:
            return _NO_MATCH if winners[0] == _NONE else self._one(winners[0])
        found = self._combined.get(winners)
        if found is not None:
            return found
        owners: List[str] = []
        first: Optional[OwnerRule] = None
        first_owning: Optional[OwnerRule] = None
        for idx in winners:
            if idx == _NONE:
                continue
            match = self._one(idx)
            first = first or match.rule
            if match.owners and first_owning is None:
                first_owning = match.rule
            owners.extend(o for o in match.owners if o not in owners)
        found = OwnerMatch(tuple(owners), first_owning or first)
        self._combined[winners] = found
        return found

    def match(self, path: str) -> OwnerMatch:
        """The owners of one path (POSIX, relative to the repository root)."""
        return self._resolve(path)

    def winners(self, path: str) -> Tuple[int, ...]:
        """Per entry of ``sections``: the index in ``rules`` of the line deciding ``path``, or -1."""
        found = self._winners_by_path.get(path)
        if found is None:
            directory, _, name = path.lstrip("/").rpartition("/")
            found = self._winners(directory, name)
        return found

    def winners_of(self, paths: Iterable[str]) -> Dict[str, Tuple[int, ...]]:
        """:meth:`winners` of every path, as one mapping: the one ``match_all`` filled (not a
        copy), completed for paths it was not given.  It may hold other paths too."""
        kept = self._winners_by_path
        for path in paths:
            if path not in kept:
                directory, _, name = path.lstrip("/").rpartition("/")
                kept[path] = self._winners(directory, name)
        return kept

    def match_all(self, paths: Iterable[str]) -> Dict[str, OwnerMatch]:
        """The owners of every path; directory work is shared, so this is the fast path."""
        paths = list(paths)
        if self._sections is None and self._few_calls + len(paths) <= _FEW_PATHS:
            return {path: self._resolve(path) for path in paths}
        if len(self.sections) != 1 or self.sections[0].exclude is not None:
            # Several rule lists (GitLab sections, exclusions): each path's winners are kept, as
            # the ownership rules ask for them again (``winners``) and need not match twice.
            winners_of, owners_of, kept = self._winners, self._owners_of, self._winners_by_path
            shared: Dict[Tuple[int, ...], Tuple[int, ...]] = {}  # one tuple per distinct answer
            out = {}
            for path in paths:
                directory, _, name = path.lstrip("/").rpartition("/")
                found = winners_of(directory, name)
                found = kept[path] = shared.setdefault(found, found)
                out[path] = owners_of(found)
            return out
        # One rule list (GitHub, Bitbucket, GitLab without sections): RuleIndex.best, inlined.
        index = self.sections[0].include
        directory = index.directory
        global_best = index.global_file.best
        global_empty = index.global_file.empty
        memo_get = index.global_file.memo.get  # the per-name memo, read without a call
        single_get = self._single.get
        one = self._one
        out: Dict[str, OwnerMatch] = {}
        last_dir: Optional[str] = None
        info: Optional[DirInfo] = None
        for path in paths:
            folder, _, name = path.lstrip("/").rpartition("/")
            if folder != last_dir:  # inventories are sorted: a directory's files come together
                info, last_dir = directory(folder), folder
            assert info is not None
            best = info.dir_best
            if not global_empty:
                found = memo_get(name)
                if found is None:
                    found = global_best(name)
                if found > best:
                    best = found
            for idx, test in info.file_cands:
                if idx <= best:
                    break
                if test(name):
                    best = idx
                    break
            out[path] = _NO_MATCH if best == _NONE else (single_get(best) or one(best))
        return out

    def match_sections(self, path: str) -> Dict[str, OwnerMatch]:
        """Per section that matched (``""`` = rules outside any section): its winner."""
        directory, _, name = path.lstrip("/").rpartition("/")
        return {
            section.name: self._one(idx)
            for section, idx in zip(self.sections, self._winners(directory, name))
            if idx != _NONE
        }

    def all_matches(self, path: str) -> List[OwnerRule]:
        """Every rule matching ``path`` in file order (the winner and the lines it overrides)."""
        return [rule for rule, cp in zip(self.rules, self.compiled) if cp is not None and cp.matches(path)]
