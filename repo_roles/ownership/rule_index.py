"""Last-match-wins over one list of CODEOWNERS rules, for many paths: the batch index.

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

import re
from typing import Callable, Dict, List, NamedTuple, Optional, Tuple

from repo_roles.linear import FullMatchSet
from repo_roles.ownership.patterns import (
    _FLAGS,
    CompiledPattern,
    SegmentShape,
    compile_regex,
    first_literal,
    literal_prefix,
)

_SET_FROM = 16  # more generic name globs than this are matched as one set

_NONE = -1

Entry = Tuple[int, CompiledPattern]
# A registration: rule index, its directory test (None: not tested as a directory rule), its
# directory-part test and last-segment test (None: not tested as a file rule).
_Test = Callable[[str], object]
_Cand = Tuple[int, Optional[_Test], Optional[_Test], Optional[Callable[[str], bool]]]


class NameIndex:
    """Highest rule index whose single segment matches a name, memoised per name."""

    def __init__(self) -> None:
        self.literal: Dict[str, int] = {}
        self.suffix: Dict[str, int] = {}
        self.prefix: Dict[str, int] = {}
        self.any = _NONE
        self.generic: List[Tuple[int, Callable[[str], bool]]] = []
        self.sources: Dict[int, str] = {}
        self.memo: Dict[str, int] = {}
        self.set: Optional[FullMatchSet] = None
        self.set_rules: Tuple[int, ...] = ()

    def add(self, idx: int, shape: SegmentShape, test: Callable[[str], bool], source: Optional[str] = None) -> None:
        table = {"literal": self.literal, "suffix": self.suffix, "prefix": self.prefix}.get(shape.kind)
        if table is not None:
            table[shape.text] = max(table.get(shape.text, _NONE), idx)
        elif shape.kind == "any":
            self.any = max(self.any, idx)
        else:
            self.generic.append((idx, test))
            if source is not None:
                self.sources[idx] = source

    def freeze(self) -> None:
        self.generic.sort(key=lambda item: -item[0])
        if len(self.generic) > _SET_FROM and all(idx in self.sources for idx, _ in self.generic):
            # Hundreds of "**/a*b" lines: one automaton pass per name instead of a loop over
            # them (a hostile CODEOWNERS would otherwise cost rules x names regex calls).
            rules = tuple(idx for idx, _ in self.generic)
            try:
                self.set = FullMatchSet([self.sources[idx] for idx in rules], _FLAGS)
                self.set_rules = rules
            except re.error:  # past RE2's memory budget: the patterns one by one (each linear)
                self.set = None
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
        if self.set is not None:
            if self.set_rules[0] > best:
                best = max(best, max((self.set_rules[i] for i in self.set.matches(name)), default=_NONE))
        else:
            for idx, test in self.generic:
                if idx <= best:
                    break
                if test(name):
                    best = idx
                    break
        self.memo[name] = best
        return best


class DirInfo(NamedTuple):
    cands: List[_Cand]  # subtree rules that may match this directory or below
    dir_best: int  # best rule owning this directory (or an ancestor) as a directory
    file_cands: List[Tuple[int, Callable[[str], bool]]]  # file-level rules, highest first


class RuleIndex:
    """Last-match-wins over one list of rules (a whole GitHub file, or one GitLab section)."""

    def __init__(self, entries: List[Entry]) -> None:
        self.subtree: Dict[Tuple[str, ...], List[_Cand]] = {}  # cumulative from that directory down
        self.by_literal: Dict[str, List[_Cand]] = {}  # cumulative from a directory of that name down
        self.exact_dir: Dict[Tuple[str, ...], int] = {}  # all-literal directory rules
        self.exact_file: Dict[Tuple[str, ...], List[Tuple[int, Callable[[str], bool]]]] = {}
        self.global_file = NameIndex()  # "*.js", "Makefile", "*": any depth, one segment
        self.global_dir = NameIndex()  # "apps/", "**/logs", "build": a directory of that name
        self.dirs: Dict[str, DirInfo] = {}
        for entry in entries:
            self._add(entry)
        self.global_file.freeze()
        self.global_dir.freeze()

    def _add(self, entry: Entry) -> None:
        idx, cp = entry
        segs, lits = cp.segments, cp.literals
        if len(segs) == 2 and segs[0] == "**" and cp.base is not None and cp.base_shape is not None:
            if not cp.dir_only:
                self.global_file.add(idx, cp.base_shape, cp.base, cp.base_source)
            if cp.descendants:
                self.global_dir.add(idx, cp.base_shape, cp.base, cp.base_source)
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
        prefix = literal_prefix(lits)
        if not prefix:
            required = first_literal(lits)
            if required is not None:
                self.by_literal.setdefault(required, []).append(cand)
                return
        self.subtree.setdefault(tuple(prefix), []).append(cand)

    def _compute(self, path: str, parent: Optional[DirInfo]) -> DirInfo:
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
        return DirInfo(cands, dir_best, file_cands)

    def directory(self, path: str) -> DirInfo:
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
