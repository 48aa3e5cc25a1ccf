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

Speed: a rule owns ``dir/name`` either because it matches an ancestor directory (then every
file below is owned) or because it matches the whole path. Both questions are answered once
per directory and memoised: each directory gets the best directory-level rule (its parent's
best, maxed with the rules that match it) and a short list of file-level candidates, tried
from the last rule down and only while they could still beat the best so far. Rules reach a
directory only when they can match there: anchored rules through the literal prefix of their
segments (all-literal ones at exactly one directory, no regex at all), unanchored ones through
a literal segment they require, and the ``*.ext`` / ``Makefile`` / ``**/logs`` kind through
per-name indexes (literal, suffix, prefix dictionaries) memoised per file or directory name.
"""

from __future__ import annotations

from typing import Callable, Dict, Iterable, List, NamedTuple, Optional, Tuple

from repo_roles.ownership.codeowners import OwnerRule, ParsedCodeowners
from repo_roles.ownership.patterns import CompiledPattern, PatternError, SegmentShape, compile_pattern, compile_regex

_NONE = -1


class OwnerMatch(NamedTuple):
    """``rule`` None: no line matched. ``owners == ()`` with a rule: explicitly unowned."""

    owners: Tuple[str, ...]
    rule: Optional[OwnerRule]


_NO_MATCH = OwnerMatch((), None)

_Entry = Tuple[int, CompiledPattern]
# A registration: rule index, its directory test (None: not tested as a directory rule), its
# directory-part test and last-segment test (None: not tested as a file rule).
_Test = Callable[[str], object]
_Cand = Tuple[int, Optional[_Test], Optional[_Test], Optional[Callable[[str], bool]]]


class _NameIndex:
    """Highest rule index whose single segment matches a name, memoised per name."""

    def __init__(self) -> None:
        self.literal: Dict[str, int] = {}
        self.suffix: Dict[str, int] = {}
        self.prefix: Dict[str, int] = {}
        self.any = _NONE
        self.generic: List[Tuple[int, Callable[[str], bool]]] = []
        self.memo: Dict[str, int] = {}

    def add(self, idx: int, shape: SegmentShape, test: Callable[[str], bool]) -> None:
        table = {"literal": self.literal, "suffix": self.suffix, "prefix": self.prefix}.get(shape.kind)
        if table is not None:
            table[shape.text] = max(table.get(shape.text, _NONE), idx)
        elif shape.kind == "any":
            self.any = max(self.any, idx)
        else:
            self.generic.append((idx, test))

    def freeze(self) -> None:
        self.generic.sort(key=lambda item: -item[0])
        self.suffix_lengths = sorted({len(s) for s in self.suffix})
        self.prefix_lengths = sorted({len(s) for s in self.prefix})
        self.empty = not (self.literal or self.suffix or self.prefix or self.generic) and self.any == _NONE

    def best(self, name: str) -> int:
        if self.empty:
            return _NONE
        found = self.memo.get(name)
        if found is not None:
            return found
        best = max(self.any, self.literal.get(name, _NONE))
        size = len(name)
        for length in self.suffix_lengths:
            if length > size:
                break
            best = max(best, self.suffix.get(name[size - length :], _NONE))
        for length in self.prefix_lengths:
            if length > size:
                break
            best = max(best, self.prefix.get(name[:length], _NONE))
        for idx, test in self.generic:
            if idx <= best:
                break
            if test(name):
                best = idx
                break
        self.memo[name] = best
        return best


class _DirInfo(NamedTuple):
    cands: List[_Cand]  # subtree rules that may match this directory or below
    dir_best: int  # best rule owning this directory (or an ancestor) as a directory
    file_cands: List[Tuple[int, Callable[[str], bool]]]  # file-level rules, highest first


class _RuleIndex:
    """Last-match-wins over one list of rules (a whole GitHub file, or one GitLab section)."""

    def __init__(self, entries: List[_Entry]) -> None:
        self.subtree: Dict[Tuple[str, ...], List[_Cand]] = {}  # cumulative from that directory down
        self.by_literal: Dict[str, List[_Cand]] = {}  # cumulative from a directory of that name down
        self.exact_dir: Dict[Tuple[str, ...], int] = {}  # all-literal directory rules
        self.exact_file: Dict[Tuple[str, ...], List[Tuple[int, Callable[[str], bool]]]] = {}
        self.global_file = _NameIndex()  # "*.js", "Makefile", "*": any depth, one segment
        self.global_dir = _NameIndex()  # "apps/", "**/logs", "build": a directory of that name
        self.dirs: Dict[str, _DirInfo] = {}
        for entry in entries:
            self._add(entry)
        self.global_file.freeze()
        self.global_dir.freeze()

    def _add(self, entry: _Entry) -> None:
        idx, cp = entry
        segs, lits = cp.segments, cp.literals
        if len(segs) == 2 and segs[0] == "**" and cp.base is not None and cp.base_shape is not None:
            if not cp.dir_only:
                self.global_file.add(idx, cp.base_shape, cp.base)
            if cp.descendants:
                self.global_dir.add(idx, cp.base_shape, cp.base)
            return
        subtree_dir = subtree_file = False
        if cp.descendants:
            if all(lit is not None for lit in lits):
                key = tuple(lits)  # type: ignore[arg-type]
                self.exact_dir[key] = max(self.exact_dir.get(key, _NONE), idx)
            else:
                subtree_dir = True
        if not cp.dir_only and cp.base is not None:
            dir_lits = lits[:-1]
            if all(lit is not None for lit in dir_lits):
                self.exact_file.setdefault(tuple(dir_lits), []).append((idx, cp.base))  # type: ignore[arg-type]
            else:
                subtree_file = True
        if subtree_dir or subtree_file:
            # Registered under what every match needs: for a file rule its directory part
            # (a prefix of the whole), for a directory-only rule all of it.
            dir_test = compile_regex(cp.dir_source).fullmatch if subtree_dir and cp.dir_source is not None else None
            dirpart_test = base = None
            if subtree_file and cp.dirpart_source is not None:
                dirpart_test, base = compile_regex(cp.dirpart_source).fullmatch, cp.base
            self._add_subtree((idx, dir_test, dirpart_test, base), lits if cp.dir_only else lits[:-1])

    def _add_subtree(self, cand: _Cand, lits: Tuple[Optional[str], ...]) -> None:
        prefix: List[str] = []
        for lit in lits:
            if lit is None:
                break
            prefix.append(lit)
        if not prefix:
            required = next((lit for lit in lits if lit is not None), None)
            if required is not None:
                self.by_literal.setdefault(required, []).append(cand)
                return
        self.subtree.setdefault(tuple(prefix), []).append(cand)

    def _compute(self, path: str, parent: Optional[_DirInfo]) -> _DirInfo:
        key = tuple(path.split("/")) if path else ()
        if parent is None:
            cands = list(self.subtree.get((), ()))
            dir_best = _NONE
        else:
            name = key[-1]
            new = self.subtree.get(key, []) + self.by_literal.get(name, [])
            cands = parent.cands + new if new else parent.cands
            dir_best = max(parent.dir_best, self.global_dir.best(name))
        dir_best = max(dir_best, self.exact_dir.get(key, _NONE))
        text = "/" + path if path else ""
        for idx, dir_test, _, _ in cands:
            if dir_test is not None and idx > dir_best and dir_test(text):
                dir_best = idx
        file_cands = [item for item in self.exact_file.get(key, ()) if item[0] > dir_best]
        for idx, _, dirpart_test, base in cands:
            if base is not None and dirpart_test is not None and idx > dir_best and dirpart_test(text):
                file_cands.append((idx, base))
        file_cands.sort(key=lambda item: -item[0])
        return _DirInfo(cands, dir_best, file_cands)

    def directory(self, path: str) -> _DirInfo:
        info = self.dirs.get(path)
        if info is not None:
            return info
        missing = []
        while path not in self.dirs:
            missing.append(path)
            if not path:
                break
            path = path.rpartition("/")[0]
        parent = self.dirs.get(path)
        for item in reversed(missing):
            parent = self._compute(item, parent)
            self.dirs[item] = parent
        assert parent is not None
        return parent

    def best(self, directory: str, name: str) -> int:
        info = self.directory(directory)
        best = max(info.dir_best, self.global_file.best(name))
        for idx, test in info.file_cands:
            if idx <= best:
                break
            if test(name):
                return idx
        return best


class _SectionIndex(NamedTuple):
    name: str  # "" for the rules before the first GitLab section
    include: _RuleIndex
    exclude: Optional[_RuleIndex]


class CompiledCodeowners:
    """A parsed CODEOWNERS file ready to answer "who owns this path?" for many paths."""

    def __init__(self, parsed: ParsedCodeowners) -> None:
        self.parsed = parsed
        self.rules = parsed.rules
        self.compiled: List[Optional[CompiledPattern]] = []
        for rule in self.rules:
            try:
                self.compiled.append(compile_pattern(rule.pattern, parsed.dialect))
            except PatternError:  # the parser reported it; such a rule never matches
                self.compiled.append(None)
        self.gitlab = parsed.dialect == "gitlab"
        groups: Dict[str, Tuple[List[_Entry], List[_Entry]]] = {"": ([], [])}
        if self.gitlab:
            for section in parsed.sections:
                groups.setdefault(section.name, ([], []))
        for idx, (rule, cp) in enumerate(zip(self.rules, self.compiled)):
            if cp is None:
                continue
            name = (rule.section or "") if self.gitlab else ""
            include, exclude = groups.setdefault(name, ([], []))
            (exclude if rule.negated and self.gitlab else include).append((idx, cp))
        self.sections = [
            _SectionIndex(name, _RuleIndex(inc), _RuleIndex(exc) if exc else None)
            for name, (inc, exc) in groups.items()
        ]
        self._single: Dict[int, OwnerMatch] = {}
        self._combined: Dict[Tuple[int, ...], OwnerMatch] = {}

    def _one(self, idx: int) -> OwnerMatch:
        found = self._single.get(idx)
        if found is None:
            rule = self.rules[idx]
            found = self._single[idx] = OwnerMatch(() if rule.negated else rule.owners, rule)
        return found

    def _winners(self, directory: str, name: str) -> Tuple[int, ...]:
        """Per section: the winning rule index, or -1."""
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
        winners = self._winners(directory, name)
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
        directory, _, name = path.lstrip("/").rpartition("/")
        return self._winners(directory, name)

    def match_all(self, paths: Iterable[str]) -> Dict[str, OwnerMatch]:
        """The owners of every path; directory work is shared, so this is the fast path."""
        if len(self.sections) != 1 or self.sections[0].exclude is not None:
            resolve = self._resolve
            return {path: resolve(path) for path in paths}
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
        info: Optional[_DirInfo] = None
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
