"""Python import names resolved to repository files, against the package roots the repository has.

A module ``a/b/c.py`` is importable as ``b.c`` from root ``a`` when ``a/b/`` is a package or a
namespace package on the path.  The roots accepted (Python's import system, PEP 420, pytest's
``rootdir``/``pythonpath``, setuptools' ``package-dir``/``packages.find``, Poetry's ``from``):

* the *classic root* of a module — the first directory above its chain of ``__init__.py``
  directories (``src/`` in a src layout, ``backend/`` for ``backend/app/__init__.py``), and every
  directory above it (namespace packages: a directory without ``__init__.py`` is still a package);
* the roots named in ``pyproject.toml`` / ``setup.cfg`` / ``pytest.ini`` (relative to their file).

A name several files answer to (``utils`` in many script directories) goes to the one nearest the
importing test (longest common directory), as the test's own directory comes first on its path.
Nothing recurses: a deep package path or an import cycle costs a loop over the path's parts.
"""

from __future__ import annotations

import posixpath
from bisect import bisect_left, bisect_right
from itertools import compress
from operator import itemgetter, methodcaller
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple


def _common(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a.split("/"), b.split("/")):
        if x != y:
            break
        n += 1
    return n


def _at_or_above(ancestor: str, directory: str) -> bool:
    return ancestor == "" or directory == ancestor or directory.startswith(ancestor + "/")


class PythonModules:
    """The ``.py`` files of a repository, answering "which file is module ``a.b.c``?"."""

    def __init__(self, paths: Iterable[str], roots: Iterable[str] = ()) -> None:
        self.by_last: Dict[str, List[str]] = {}
        self.packages: Set[str] = set()  # directories holding an __init__.py
        for path in paths:
            if not path.endswith(".py"):
                continue
            directory, _, base = path.rpartition("/")
            stem = base[:-3]
            if stem == "__init__":
                self.packages.add(directory)
                last = directory.rpartition("/")[2]
                if not directory:
                    continue
            else:
                last = stem
            if last.isidentifier():
                self.by_last.setdefault(last, []).append(path)
        self.roots = frozenset(r.strip("/") for r in roots)
        self._classic: Dict[str, str] = {}
        self._named: Optional[Callable[[str], List[str]]] = None
        self._inits: Set[str] = set()  # by file name: the __init__.py files that count
        self._asked: Set[str] = set()  # by file name: the module names looked up so far
        # by stored columns (:meth:`from_inits`): the packages' names, sorted, and their __init__.py files
        self._keyed: Optional[Tuple[Sequence[str], Sequence[str]]] = None

    @classmethod
    def by_file_name(cls, named: Callable[[str], List[str]], roots: Iterable[str] = ()) -> "PythonModules":
        """The same answers, the modules looked up name by name: ``named(base)`` gives the paths
        whose file name is ``base`` (a run that updates a few tests' evidence asks about their
        imports only, not about every ``.py`` file of the repository)."""
        modules = cls((), roots)
        modules._named = named
        for path in named("__init__.py"):
            directory = path.rpartition("/")[0]
            modules.packages.add(directory)
            last = directory.rpartition("/")[2]
            if directory and last.isidentifier():
                modules.by_last.setdefault(last, []).append(path)
                modules._inits.add(path)
        return modules

    @classmethod
    def from_inits(cls, named: Callable[[str], List[str]], inits: Sequence[str], keys: Sequence[str],
                   keyed: Sequence[str], roots: Iterable[str] = ()) -> "PythonModules":
        """:meth:`by_file_name`'s answers from the ``__init__.py`` files of the path list worked out
        beforehand (:func:`init_columns`): ``inits`` every one, ``keyed`` those of a package whose
        name is an identifier, sorted stably by that name (``keys``): a package name's files are
        found by binary search when it is first asked, no Python step per package."""
        modules = cls((), roots)
        modules._named = named
        modules.packages = set(map(_HEAD, map(_RPARTITION_SLASH, inits)))
        modules._inits = set(keyed)
        modules._keyed = (keys, keyed)
        return modules

    def _candidates(self, last: str) -> Optional[List[str]]:
        """The files module name ``last`` can be (``x.py``, ``x/__init__.py``)."""
        if self._named is None or last in self._asked:
            return self.by_last.get(last)
        self._asked.add(last)
        if self._keyed is not None:  # the packages of that name, as by_file_name lists them
            keys, keyed = self._keyed
            lo, hi = bisect_left(keys, last), bisect_right(keys, last)
            if lo < hi:
                self.by_last[last] = list(keyed[lo:hi])
        if last != "__init__" and last.isidentifier():
            files = self._named(last + ".py")
            if files:
                self.by_last[last] = files + self.by_last.get(last, [])
        return self.by_last.get(last)

    def classic_root(self, directory: str) -> str:
        """The first directory at or above ``directory`` that is not a regular package."""
        found = self._classic.get(directory)
        if found is not None:
            return found
        chain = []
        current = directory
        while current in self.packages and current:
            cached = self._classic.get(current)
            if cached is not None:
                current = cached
                break
            chain.append(current)
            current = current.rpartition("/")[0]
        for d in chain:
            self._classic[d] = current
        self._classic[directory] = current
        return current

    def dotted(self, path: str) -> str:
        """``path``'s module name from its classic root (``app.billing.invoice``)."""
        directory, _, base = path.rpartition("/")
        root = self.classic_root(directory)
        rel = path[len(root) + 1:] if root else path
        rel = rel[:-3]
        if rel.endswith("/__init__") or rel == "__init__":
            rel = rel[: -len("/__init__")] if "/" in rel else ""
        return rel.replace("/", ".")

    def resolve(self, dotted: str, near: str) -> Optional[str]:
        """The file of module ``dotted`` as imported from file ``near`` (None: not in the repository)."""
        parts = dotted.split(".")
        if not all(p.isidentifier() for p in parts):
            return None
        candidates = self._candidates(parts[-1])
        if not candidates:
            return None
        rel = "/".join(parts)
        found: List[str] = []
        for suffix in (rel + ".py", rel + "/__init__.py"):
            for path in candidates:
                if path == suffix:
                    root = ""
                elif path.endswith("/" + suffix):
                    root = path[: -len(suffix) - 1]
                else:
                    continue
                if root in self.roots or _at_or_above(root, self.classic_root(path.rpartition("/")[0])):
                    found.append(path)
            if found:
                break
        if len(found) > 1:
            best = max(_common(near, p) for p in found)
            found = sorted(p for p in found if _common(near, p) == best)
        return found[0] if found else None

    def resolve_relative(self, module: str, level: int, near: str) -> Optional[str]:
        """``from ..module import …`` in file ``near``: the file of ``module`` (or the package)."""
        base = near.rpartition("/")[0]
        for _ in range(level - 1):
            if not base:
                return None
            base = base.rpartition("/")[0]
        rel = module.replace(".", "/") if module else ""
        target = posixpath.join(base, rel) if rel else base
        for candidate in (target + ".py", posixpath.join(target, "__init__.py")):
            if self._is_module(candidate):
                return candidate
        return None

    def _is_module(self, path: str) -> bool:
        """Whether ``path`` is one of the ``.py`` files a module name can resolve to."""
        if self._named is None:
            return path in self._all_paths()
        base = path.rpartition("/")[2]
        if base == "__init__.py":
            return path in self._inits
        return base.endswith(".py") and base[:-3].isidentifier() and path in self._named(base)

    def _all_paths(self) -> Set[str]:
        found = self.__dict__.get("_paths")
        if found is None:
            found = self.__dict__["_paths"] = {p for ps in self.by_last.values() for p in ps}
        return found

    def longest_prefix(self, dotted: str, near: str) -> Optional[str]:
        """The longest leading part of ``dotted`` that is a module (``pkg.mod`` of ``pkg.mod.attr``)."""
        parts = dotted.split(".")
        for end in range(len(parts), 0, -1):
            found = self.resolve(".".join(parts[:end]), near)
            if found is not None:
                return found
        return None


_HEAD, _RPARTITION_SLASH = itemgetter(0), methodcaller("rpartition", "/")


def init_columns(paths: Sequence[str]) -> Tuple[List[str], List[str], List[str]]:
    """``(inits, keys, keyed)`` of :meth:`PythonModules.from_inits` for the path list ``paths``."""
    ending = compress(paths, map(methodcaller("endswith", "__init__.py"), paths))
    inits = [p for p in ending if p.rpartition("/")[2] == "__init__.py"]
    named = []
    for path in inits:
        directory = path.rpartition("/")[0]
        last = directory.rpartition("/")[2]
        if directory and last.isidentifier():
            named.append((last, path))
    named.sort(key=_HEAD)  # stable: a name's files in path order
    return inits, [k for k, _ in named], [p for _, p in named]
