"""The inventory's paths indexed for "which files does this CODEOWNERS pattern match?".

Rules that ask about a pattern that decides nothing (OWN003, OWN005, OWN010) must not run its
regex over 100,000 paths.  A pattern is narrowed to candidates first, by what every match needs:

* an anchored pattern's leading literal segments (``/backend/shop/*.py``): the files below
  ``backend/shop/`` in the sorted path list, found by bisection; an all-literal pattern needs
  no regex at all;
* a floating one-segment pattern (``*.md``, ``Makefile``, ``logs/``): the distinct file and
  directory *names*, far fewer than paths (a literal name is one dictionary look-up);
* a floating pattern with some literal segment (GitLab's ``internal/README.md``): the files
  named like its last segment, or the files below the directories named like the literal.

Only patterns without any literal segment fall back to a scan of every path.
"""

from __future__ import annotations

import bisect
from functools import cached_property
from typing import Dict, FrozenSet, Iterable, Iterator, List, Optional, Sequence

from repo_roles.ownership.patterns import CompiledPattern, compile_regex, first_literal, literal_prefix


class PathIndex:
    """Sorted file paths plus the directories and names they imply; built lazily, once."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.paths: List[str] = sorted(paths)  # already sorted: timsort makes this O(n)

    @cached_property
    def path_set(self) -> FrozenSet[str]:
        return frozenset(self.paths)

    @cached_property
    def dir_set(self) -> FrozenSet[str]:
        return frozenset(self.dirs)

    @cached_property
    def dirs(self) -> List[str]:
        """Every directory holding a file (the root ``""`` excluded), sorted."""
        seen: set = set()
        for path in self.paths:
            folder = path.rpartition("/")[0]
            while folder and folder not in seen:
                seen.add(folder)
                folder = folder.rpartition("/")[0]
        return sorted(seen)

    @cached_property
    def files_by_name(self) -> Dict[str, List[str]]:
        out: Dict[str, List[str]] = {}
        for path in self.paths:
            out.setdefault(path.rpartition("/")[2], []).append(path)
        return out

    @cached_property
    def dirs_by_name(self) -> Dict[str, List[str]]:
        out: Dict[str, List[str]] = {}
        for folder in self.dirs:
            out.setdefault(folder.rpartition("/")[2], []).append(folder)
        return out

    def under(self, directory: str) -> List[str]:
        """Files strictly below ``directory`` ("" = every file), in order (a slice: no copy per file)."""
        if not directory:
            return self.paths
        paths = self.paths
        # Every path below "d/" sorts between "d/" and "d0" ("0" follows "/" in code points).
        return paths[bisect.bisect_left(paths, directory + "/") : bisect.bisect_left(paths, directory + "0")]

    def dirs_under(self, directory: str) -> Iterator[str]:
        """``directory`` itself (when it exists) and the directories below it."""
        dirs = self.dirs
        start = bisect.bisect_left(dirs, directory)
        if start < len(dirs) and dirs[start] == directory:
            yield directory
        prefix = directory + "/"
        for k in range(bisect.bisect_left(dirs, prefix), len(dirs)):
            if not dirs[k].startswith(prefix):
                return
            yield dirs[k]

    # -- patterns ---------------------------------------------------------------------------

    def matches(self, cp: CompiledPattern) -> Iterator[str]:
        """Every file ``cp`` owns, each once (order unspecified)."""
        segments, literals = cp.segments, cp.literals
        if not segments:  # GitLab's bare "/": everything
            yield from self.paths
            return
        if segments[0] != "**":
            lead = literal_prefix(literals)
            if len(lead) == len(segments):
                target = "/".join(lead)
                if not cp.dir_only and target in self.path_set:
                    yield target
                if cp.descendants:
                    yield from self.under(target)
                return
            fullmatch = cp.regex.fullmatch  # compiled only here: most patterns never need it
            candidates: Iterable[str] = self.under("/".join(lead)) if lead else self.paths
            yield from (p for p in candidates if fullmatch("/" + p))
            return
        yield from self._floating(cp)

    def _floating(self, cp: CompiledPattern) -> Iterator[str]:
        rest = cp.literals[1:]
        seen: set = set()
        if len(rest) == 1 and cp.base is not None and cp.base_shape is not None:
            # "**/name": a file so named, or any file below a directory so named.
            names = self._names(cp, self.files_by_name) if not cp.dir_only else []
            for name in names:
                for path in self.files_by_name[name]:
                    seen.add(path)
                    yield path
            if cp.descendants:
                for name in self._names(cp, self.dirs_by_name):
                    yield from self._below(self.dirs_by_name[name], seen)
            return
        fullmatch = cp.regex.fullmatch
        last = rest[-1]
        if last is not None and not cp.dir_only:
            for path in self.files_by_name.get(last, ()):
                if fullmatch("/" + path):
                    seen.add(path)
                    yield path
            if cp.descendants and cp.dir_source is not None:
                dir_match = compile_regex(cp.dir_source).fullmatch
                found = [d for d in self.dirs_by_name.get(last, ()) if dir_match("/" + d)]
                yield from self._below(found, seen)
            return
        literal = first_literal(rest)
        if literal is None:
            yield from (p for p in self.paths if fullmatch("/" + p))
            return
        for path in self._below(self.dirs_by_name.get(literal, ()), seen):
            if fullmatch("/" + path):
                yield path

    def _names(self, cp: CompiledPattern, table: Dict[str, List[str]]) -> List[str]:
        shape = cp.base_shape
        assert shape is not None and cp.base is not None
        if shape.kind == "literal":
            return [shape.text] if shape.text in table else []
        test = cp.base
        return [name for name in table if test(name)]

    def _below(self, dirs: Sequence[str], seen: set) -> Iterator[str]:
        if len(dirs) == 1 and not seen:
            yield from self.under(dirs[0])
            return
        for folder in dirs:
            for path in self.under(folder):
                if path not in seen:
                    seen.add(path)
                    yield path

    def matching_dirs(self, source: str, literals: Sequence[Optional[str]]) -> Iterator[str]:
        """Directories (``""`` = the root) whose ``"/" + dir`` fully matches the regex ``source``.

        ``literals`` are the per-segment literals of the segments ``source`` was built from.
        """
        if not literals:
            if compile_regex(source).fullmatch(""):
                yield ""
            return
        lead = literal_prefix(literals)
        if len(lead) == len(literals):  # one literal directory: no regex at all
            target = "/".join(lead)
            if target in self.dir_set:
                yield target
            return
        fullmatch = compile_regex(source).fullmatch
        if lead:  # anchored: below the literal prefix
            yield from (d for d in self.dirs_under("/".join(lead)) if fullmatch("/" + d))
            return
        literal = first_literal(literals)
        if literal is None:
            if fullmatch(""):
                yield ""
            yield from (d for d in self.dirs if fullmatch("/" + d))
            return
        done: set = set()
        for top in self.dirs_by_name.get(literal, ()):
            for folder in self.dirs_under(top):
                if folder not in done:
                    done.add(folder)
                    if fullmatch("/" + folder):
                        yield folder
