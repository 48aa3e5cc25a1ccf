"""The path list indexed the way :class:`~repo_roles.coverage.test_presence.TestIndex` asks:
test files by the module name they test, directories of same-named modules, Go tests by
directory, projects (manifest directories) and Python tests directories.

Built whole in one pass when many files will be asked about (``audit``, ``ls``), or one module
name / directory at a time when few are: a pre-commit run on five files looks at the paths that
contain those five names (a substring test, in C) instead of indexing 18,000 test files.  Every
answer is the same either way: a lazily indexed name gets all of its entries, from the same code.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from itertools import compress, islice, repeat
from operator import le
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

MANIFESTS = frozenset({
    "pyproject.toml", "setup.py", "setup.cfg", "package.json", "go.mod", "pom.xml",
    "build.gradle", "build.gradle.kts", "Cargo.toml", "Gemfile",
})
TEST_DIRS = frozenset({"tests", "test", "__tests__"})
LANGUAGES = {
    "py": "py", "go": "go", "java": "jvm", "kt": "jvm", "rb": "rb",
    **{ext: "js" for ext in ("js", "jsx", "ts", "tsx", "mjs", "cjs", "mts", "cts", "vue")},
    # Issue 17: GoogleTest/Catch2, cargo test, xUnit/NUnit/MSTest, PHPUnit (see test_presence).
    **{ext: "cpp" for ext in ("c", "h", "cc", "cpp", "cxx", "hpp", "hh", "hxx")},
    "rs": "rust", "cs": "cs", "php": "php",
}
JS_TEST = re.compile(r"^(?P<stem>.+?)\.(?:test|spec)\.[cm]?[jt]sx?$")
# Questions about more names than this build the whole index (one pass over 100k paths cost
# 0.26-0.32 s, 20 name scans 0.09 s: about 65 name scans; a 20-module change stays lazy).
LAZY_NAMES = 48

Candidate = Tuple[str, str, Optional[str], str]  # test path, its dir, tests-dir parent, dir below it


def tests_dir(directory: str) -> Tuple[Optional[str], str]:
    """(parent of the innermost tests directory, the path below it) — (None, "") when none."""
    parts = directory.split("/") if directory else []
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] in TEST_DIRS:
            return "/".join(parts[:i]), "/".join(parts[i + 1:])
    return None, ""


def _join(directory: str, name: str) -> str:
    return f"{directory}/{name}" if directory else name


class PathSet:
    """``path in paths`` over a path list: by binary search while the questions are few (up to
    ``FEW`` or a sixteenth of the paths) and the list is sorted (an inventory's is; checked
    once, at C speed), so a 5-file check or a 20-module change on 200k files builds no
    200k-entry set; a set once they are many (a whole run asks about every file)."""

    __slots__ = ("_all", "_sorted", "_set", "_asked")
    FEW = 256  # questions answered by binary search before the set is built

    def __init__(self, paths: Sequence[str], is_sorted: Callable[[], bool]) -> None:
        self._all = paths
        self._sorted = is_sorted
        self._set: Optional[frozenset] = None
        self._asked = 0

    def __contains__(self, path: object) -> bool:
        found = self._set
        if found is None:
            self._asked += 1
            # a binary search is ~1 us, a set costs ~0.05 us a path: the set past 1/16 of them
            if self._asked <= max(self.FEW, len(self._all) >> 4) and self._sorted():
                paths = self._all
                at = bisect_left(paths, path)  # type: ignore[arg-type]
                return at < len(paths) and paths[at] == path
            found = self._set = frozenset(self._all)
        return path in found

    def __iter__(self) -> Iterator[str]:
        return iter(self._all)

    def __len__(self) -> int:
        return len(self._all)


class PathNames:
    """Indexes of ``paths`` by module name and directory, filled on demand (see the module doc)."""

    def __init__(self, paths: Sequence[str], is_manifest: Optional[Callable[[str], bool]] = None) -> None:
        self._all = paths
        self._is_manifest = is_manifest  # None: any manifest name counts
        # a stored path table (``fewfiles.table.MappedPaths``) answers by itself, at C speed
        self._mapped = callable(getattr(paths, "with_base_prefixes", None))
        self.paths = paths if self._mapped else PathSet(paths, self.is_sorted)  # type: ignore[assignment]
        self._joined: Optional[str] = None  # every path, NUL-separated (built on first name())
        # the rows in file-name order (``coverage.name_order``), asked for on first name()
        self._order_of: Optional[Callable[[], Optional[Sequence[int]]]] = None
        self._order: Optional[Sequence[int]] = None
        self._sorted: Optional[bool] = None  # whether ``paths`` is in order (asked on first use)
        self.py: Dict[str, List[Candidate]] = {}  # module name -> Python test candidates
        self.js: Dict[str, List[Candidate]] = {}
        self.py_dirs: Dict[str, Set[str]] = {}  # module name -> directories of same-named modules
        self.js_dirs: Dict[str, Set[str]] = {}
        self._go: Dict[str, List[str]] = {}  # directory -> its _test.go files
        self._roots: Set[str] = set()  # innermost tests directories holding Python tests
        self._whole = False
        self._names: Set[str] = set()  # names indexed so far, when not whole
        self._go_dirs: Set[str] = set()
        self._roots_asked: Set[str] = set()  # candidate roots whose presence is known
        self._roots_of: Dict[str, List[str]] = {}  # directory -> tests_roots(directory)
        self._dir_cache: Dict[str, Tuple[Optional[str], str]] = {}
        self._projects: Dict[str, str] = {}

    # -- filling ----------------------------------------------------------------------------
    def expect(self, count: int) -> None:
        """``count`` files are about to be asked about: index everything now when they are many."""
        if count > LAZY_NAMES:
            self._index_all()

    def use_order(self, provider: Callable[[], Optional[Sequence[int]]]) -> None:
        """Find the entries of a name by binary search in the rows of the paths sorted by file
        name, which ``provider`` gives on first use (None: scan the paths as before)."""
        if not self._mapped:
            self._order_of = provider

    def name(self, name: str) -> None:
        """Make sure the entries of module ``name`` are indexed."""
        if self._whole or name in self._names:
            return
        if len(self._names) >= LAZY_NAMES:
            self._index_all()
            return
        self._names.add(name)
        self._index(self._containing(name), name)

    def named(self, base: str) -> Optional[List[str]]:
        """The paths whose file name is ``base``, by binary search in the file-name order
        (:meth:`use_order`); None when this run has no such order (the caller looks otherwise)."""
        if self._order_of is not None:
            self._order, self._order_of = self._order_of(), None
        if self._order is None or self._mapped:
            return None
        from repo_roles.coverage.name_order import named

        return named(self._all, self._order, base)

    def _containing(self, name: str) -> List[str]:
        """The paths that contain ``name``, in order: ``str.find`` over all paths joined by NUL
        (a character no path holds), so a 5-file check skims 200k paths at memchr speed."""
        if self._mapped and name:
            # every entry _index keeps for a name has a file name starting with it or with
            # "test_" + it (test_x.py, x_test.py, x.py, x.test.ts, x.spec.js, x.ts): a table
            # answers those by binary search in its file-name order
            return self._all.with_base_prefixes((name, "test_" + name))  # type: ignore[attr-defined]
        if self._order_of is not None and name:
            self._order, self._order_of = self._order_of(), None
        if self._order is not None and name:  # the same entries, by file name (see above)
            from repo_roles.coverage.name_order import with_base_prefixes

            return with_base_prefixes(self._all, self._order, (name, "test_" + name))
        if self._joined is None:
            self._joined = "\0".join(self._all)
        text, found = self._joined, []
        at = text.find(name) if name else -1
        while at >= 0:
            start = text.rfind("\0", 0, at) + 1
            end = text.find("\0", at)
            end = len(text) if end < 0 else end
            found.append(text[start:end])
            at = text.find(name, end)
        return found if name else list(self._all)

    def _index_all(self) -> None:
        if self._whole:
            return
        for index in (self.py, self.js, self.py_dirs, self.js_dirs, self._go, self._roots_of):
            index.clear()
        self._roots.clear()
        self._whole = True
        self._index(self._all, None)

    def _index(self, paths: Sequence[str], only: Optional[str]) -> None:
        """Index ``paths``; with ``only``, just the entries of that module name (no Go tests)."""
        py, js, go, py_dirs, js_dirs = self.py, self.js, self._go, self.py_dirs, self.js_dirs
        for path in paths:  # one pass of cheap string tests: 100k paths in ~0.15 s
            directory, _, base = path.rpartition("/")
            stem, _, ext = base.rpartition(".")
            language = LANGUAGES.get(ext)
            if language == "py":
                if stem.startswith("test_") or stem.endswith("_test"):
                    name = stem[5:] if stem.startswith("test_") else stem[:-5]
                    if only is None or name == only:
                        self._add(py, name, path, directory)
                elif only is None or stem == only:
                    py_dirs.setdefault(stem, set()).add(directory)
            elif language == "go":
                if only is None and stem.endswith("_test"):
                    go.setdefault(directory, []).append(path)
            elif language == "js":
                m = JS_TEST.match(base)
                if m:
                    if only is None or m.group("stem") == only:
                        self._add(js, m.group("stem"), path, directory)
                elif only is not None and stem != only:
                    continue
                elif "__tests__" in directory.split("/"):
                    js.setdefault(stem, []).append((path, directory, *self.tests_dir(directory)))
                else:
                    js_dirs.setdefault(stem, set()).add(directory)

    def _add(self, index: Dict[str, List[Candidate]], name: str, path: str, directory: str) -> None:
        parent, below = self.tests_dir(directory)
        if parent is not None and index is self.py:
            self._roots.add(directory[: len(directory) - len(below)].rstrip("/"))
        index.setdefault(name, []).append((path, directory, parent, below))

    # -- questions --------------------------------------------------------------------------
    def tests_dir(self, directory: str) -> Tuple[Optional[str], str]:
        found = self._dir_cache.get(directory)
        if found is None:
            found = self._dir_cache[directory] = tests_dir(directory)
        return found

    def go_tests(self, directory: str) -> List[str]:
        """The ``_test.go`` files directly in ``directory``."""
        if not self._whole and directory not in self._go_dirs:
            self._go_dirs.add(directory)
            prefix = _join(directory, "")
            self._go[directory] = [
                p for p in self._below((prefix,))
                if p.endswith("_test.go") and "/" not in p[len(prefix):]
            ]
        return self._go.get(directory, [])

    def project(self, directory: str) -> str:
        """The nearest directory at or above ``directory`` holding a manifest ("" = the root)."""
        found = self._projects.get(directory)
        if found is None:
            found, current = "", directory
            while current:
                if any(_join(current, m) in self.paths and (self._is_manifest is None
                                                            or self._is_manifest(_join(current, m)))
                       for m in MANIFESTS):
                    found = current
                    break
                current = current.rpartition("/")[0]
            self._projects[directory] = found
        return found

    def tests_roots(self, directory: str) -> List[str]:
        """The tests directories holding Python tests whose parent is ``directory`` or above it."""
        found = self._roots_of.get(directory)
        if found is None:
            ancestors = [""]
            parts = directory.split("/") if directory else []
            ancestors += ["/".join(parts[: i + 1]) for i in range(len(parts))]
            candidates = [_join(a, t) for a in ancestors for t in sorted(TEST_DIRS)]
            if not self._whole:
                self._find_roots([c for c in candidates if c not in self._roots_asked])
            found = self._roots_of[directory] = [c for c in candidates if c in self._roots]
        return found

    def is_sorted(self) -> bool:
        """Whether the paths are in order (asked once, at C speed)."""
        if self._sorted is None and self._mapped:
            self._sorted = True  # git's order of UTF-8 names: code-point order
        if self._sorted is None and self._order_of is not None:  # the file-name order knows (s12-b)
            self._order, self._order_of = self._order_of(), None
        if self._sorted is None:
            self._sorted = getattr(self._order, "paths_sorted", None)
        if self._sorted is None:
            paths = self._all
            self._sorted = all(map(le, paths, islice(paths, 1, None)))
        return self._sorted

    def _below(self, prefixes: Tuple[str, ...]) -> Iterable[str]:
        """The paths starting with one of ``prefixes``: by binary search when the paths are
        sorted (an inventory's are; checked once, at C speed), else one C-level pass."""
        paths = self._all
        if self._mapped:
            return paths.below(prefixes)  # type: ignore[attr-defined]
        if not self.is_sorted():
            return compress(paths, map(str.startswith, paths, repeat(prefixes)))
        found: List[str] = []
        for prefix in prefixes:
            at = bisect_left(paths, prefix)
            while at < len(paths) and paths[at].startswith(prefix):
                found.append(paths[at])
                at += 1
        return found

    def _find_roots(self, candidates: List[str]) -> None:
        """Index the Python tests below ``candidates`` that make them tests roots."""
        if not candidates:
            return
        self._roots_asked.update(candidates)
        for path in self._below(tuple(c + "/" for c in candidates)):
            if path.endswith(".py"):
                directory, _, base = path.rpartition("/")
                stem = base[:-3]
                if stem.startswith("test_") or stem.endswith("_test"):
                    parent, below = self.tests_dir(directory)
                    if parent is not None:
                        self._roots.add(directory[: len(directory) - len(below)].rstrip("/"))
