"""Where a file lives: the package around it and the code next to its tests.

A test fixture, a translation catalog or a README has no side of its own; it belongs with the
code of its package.  Two kinds of evidence, both from paths only (nothing read but the
package.json that :class:`~repo_roles.classify.jsside.JsSide` already reads):

* the nearest package manifest at or above the file: a backend manifest (``pyproject.toml``,
  ``go.mod``, ``Cargo.toml`` … the ``[manifests]`` table) says backend; a ``package.json`` says
  what its dependencies say (frontend for React/Angular/Vue, backend for Express/NestJS);
  both in one directory (a Go server with its web build at the root) say nothing;
* the code under the test folder: ``tests/`` holding ``test_*.py`` is a backend test folder,
  one holding ``*.test.tsx`` a frontend one.
"""

from __future__ import annotations

import bisect
from operator import methodcaller
from typing import Callable, Dict, FrozenSet, Iterable, List, Optional, Tuple

from repo_roles import roles as R
from repo_roles.classify.jsside import JsSide, nearest_holding
from repo_roles.classify.probe import extension_of

# How many files under one test folder are looked at to tell its language (bounded work).
SCAN_LIMIT = 2000
Side = Tuple[str, str]  # (side, why)


class Context:
    """Package and test-folder sides, cached per directory."""

    def __init__(self, manifests: FrozenSet[str], js: JsSide, paths: Callable[[], Iterable[str]],
                 backend_exts: FrozenSet[str], frontend_exts: FrozenSet[str], js_exts: FrozenSet[str]) -> None:
        self._names = manifests
        self._js = js
        self._paths = paths
        self._backend_exts = backend_exts
        self._frontend_exts = frontend_exts
        self._js_exts = js_exts
        self._backend_dirs: Optional[Dict[str, str]] = None
        self._nearest: Dict[str, Optional[str]] = {}
        self._package: Dict[str, Optional[Side]] = {}
        self._tests: Dict[str, Optional[Side]] = {}
        self._sorted: Optional[List[str]] = None
        self._beside: Dict[str, bool] = {}

    # -- manifests ------------------------------------------------------------------------------
    def _manifest_dirs(self) -> Dict[str, str]:
        """Directory -> the backend manifest's path in it, found on first use."""
        if self._backend_dirs is None:
            found: Dict[str, str] = {}
            paths = self._paths()
            paths = paths if isinstance(paths, list) else list(paths)
            suffixes = tuple(self._names)
            # The C-level suffix filter (case-insensitive names: also the capitalised spellings)
            for path in filter(methodcaller("endswith", suffixes + tuple(n.capitalize() for n in suffixes)
                                            + ("CMakeLists.txt", "Gemfile")), paths):
                directory, _, base = path.rpartition("/")
                if base.lower() in self._names:
                    found.setdefault(directory, path)
            self._backend_dirs = found
        return self._backend_dirs

    def backend_manifest_dir(self, directory: str) -> Optional[str]:
        """The directory of the nearest backend manifest at or above ``directory``."""
        return nearest_holding(directory, self._manifest_dirs, self._nearest)

    def package_side(self, directory: str) -> Optional[Side]:
        """The side of the package ``directory`` is in, or None when nothing (or both) says."""
        if directory not in self._package:
            self._package[directory] = self._package_side(directory)
        return self._package[directory]

    def _package_side(self, directory: str) -> Optional[Side]:
        backend = self.backend_manifest_dir(directory)
        js = self._js.nearest_manifest(directory)
        if backend is None and js is None:
            return None
        if js is None or (backend is not None and len(backend) > len(js)):
            return "backend", f"nearest manifest {self._manifest_dirs()[backend]}"  # type: ignore[index]
        verdict = self._js.manifest(js)
        if backend == js:  # a Go or Python server with its web build at the same root
            if verdict is not None and verdict.role == R.BACKEND_LOGIC:
                return "backend", verdict.detail
            return None
        if verdict is None:
            return None
        return R.side_of(verdict.role) or "backend", verdict.detail

    def key(self, directory: str) -> str:
        """What :meth:`package_side` of ``directory`` looked at, for the role cache's key (the
        package.json's content is keyed separately by its blob id)."""
        return f" man:{self.backend_manifest_dir(directory)}"

    # -- the code under a test folder --------------------------------------------------------------
    def tests_side(self, folder: str) -> Optional[Side]:
        """The side of the test code under ``folder`` (a ``tests/`` directory path)."""
        if folder not in self._tests:
            self._tests[folder] = self._tests_side(folder)
        return self._tests[folder]

    def _tests_side(self, folder: str) -> Optional[Side]:
        if self._sorted is None:
            self._sorted = sorted(self._paths())
        paths, prefix = self._sorted, folder + "/"
        backend = frontend = js = 0
        start = bisect.bisect_left(paths, prefix)
        for path in paths[start:start + SCAN_LIMIT]:
            if not path.startswith(prefix):
                break
            ext = extension_of(path.rpartition("/")[2])
            if ext in self._backend_exts:
                backend += 1
            elif ext in self._frontend_exts:
                frontend += 1
            elif ext in self._js_exts:
                js += 1
        if backend and backend >= frontend + js:
            return "backend", f"the tests in {prefix} are backend code"
        if frontend:
            return "frontend", f"the tests in {prefix} are UI components"
        if js:
            hit = self._js.manifest(folder) or self._js.directory(folder)
            if hit is not None:
                return R.side_of(hit.role) or "backend", hit.detail
        return None

    def has_tests(self, directory: str, is_test: Callable[[str, str], bool]) -> bool:
        """Whether ``directory`` directly holds a file ``is_test(directory, name)`` accepts."""
        if directory not in self._beside:
            if self._sorted is None:
                self._sorted = sorted(self._paths())
            paths, prefix = self._sorted, directory + "/" if directory else ""
            start = bisect.bisect_left(paths, prefix)
            found = False
            for path in paths[start:start + SCAN_LIMIT]:
                if not path.startswith(prefix):
                    break
                name = path[len(prefix):]
                if "/" not in name and is_test(directory, name):
                    found = True
                    break
            self._beside[directory] = found
        return self._beside[directory]

    def tests_key(self, folder: str) -> str:
        """:meth:`tests_side`'s answer, for the role cache's key: a new test file can change it."""
        side = self.tests_side(folder)
        return f" tests:{folder}={side[0] if side else '-'}"
