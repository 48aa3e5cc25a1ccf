"""Which side a .js/.ts file runs on, from the strongest evidence to the weakest.

1. a ``'use client'`` / ``'use server'`` directive (React's explicit boundary);
2. a framework file convention (Next.js ``pages/api/``, SvelteKit ``+page.server.ts`` …);
3. imports: node builtins or a server framework → backend (such a module cannot run in a
   browser, so backend evidence wins), else a UI framework → frontend;
4. the nearest package.json's dependencies, when they name only one side's frameworks;
5. the outermost directory name that hints a side (``frontend/src/api/x.ts`` is frontend).
"""

from __future__ import annotations

import posixpath
import re
from operator import methodcaller
from typing import Callable, Container, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from repo_roles import roles as R
from repo_roles.classify import sniff
from repo_roles.classify.results import Hit
from repo_roles.classify.tables import JsTables

ReadBytes = Callable[[str, int], Optional[bytes]]
SIDE_ROLE = {"frontend": R.FRONTEND_UI, "backend": R.BACKEND_LOGIC}
# decide()'s steps from the file itself, in order; the package.json and directory steps follow
_OWN_STEPS = ("directive", "framework path", "imports")


def _dir_regex(frontend: Iterable[str], backend: Iterable[str], package: Iterable[str]) -> "re.Pattern[str]":
    def alternation(names: Iterable[str]) -> str:
        return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) or "(?!)"

    return re.compile(
        rf"(?:^|/)(?:(?P<frontend>{alternation(frontend)})|(?P<backend>{alternation(backend)})"
        rf"|(?P<package>{alternation(package)}))(?=/)",
        re.IGNORECASE,
    )


def nearest_holding(directory: str, holding: Callable[[], Container[str]],
                    cache: Dict[str, Optional[str]]) -> Optional[str]:
    """The nearest directory at or above ``directory`` that is in ``holding()`` (cached)."""
    if directory in cache:
        return cache[directory]
    if directory in holding():
        found: Optional[str] = directory
    elif directory:
        found = nearest_holding(posixpath.dirname(directory), holding, cache)
    else:
        found = None
    cache[directory] = found
    return found


class JsSide:
    """Side decisions for JS/TS files, with per-directory caches (package.json read once)."""

    def __init__(
        self, tables: JsTables, paths: Callable[[], Iterable[str]], read_bytes: ReadBytes, source: str
    ) -> None:
        """``paths`` gives every path of the inventory; asked only when a manifest is looked up."""
        self.tables = tables
        self.source = source
        self._read_bytes = read_bytes
        self._paths = paths
        self.paths = paths
        self._manifests: Optional[Set[str]] = None
        self._dirs = _dir_regex(tables.frontend_dirs, tables.backend_dirs, tables.package_dirs)
        self._dir_cache: Dict[str, Optional[Hit]] = {}
        self._nearest_cache: Dict[str, Optional[str]] = {}
        self._manifest_cache: Dict[str, Optional[Hit]] = {}

    # -- evidence from the file itself -------------------------------------------------------
    def directive(self, text: str) -> Optional[Hit]:
        for directive in sniff.js_directives(text):
            role = self.tables.directives.get(directive)
            if role is not None:
                return Hit(role, f"'{directive}' directive", self.source)
        return None

    def framework_path(self, path: str) -> Optional[Hit]:
        glob = self.tables.path_globs.first(path)
        if glob is None:
            return None
        entry = next(p for p in self.tables.paths if p.glob == glob)
        return Hit(entry.role, f"{entry.why} ({glob})", self.source)

    def imports(self, text: str) -> Optional[Hit]:
        specifiers = sniff.js_imports(text)
        for specifier in specifiers:
            if specifier.startswith("node:") or sniff.package_of(specifier) in self.tables.node_builtins:
                return Hit(R.BACKEND_LOGIC, f"imports node builtin '{specifier}'", self.source)
        backend = sniff.first_in(specifiers, self.tables.backend_packages)
        if backend is not None:
            return Hit(R.BACKEND_LOGIC, f"imports server package '{backend}'", self.source)
        frontend = sniff.first_in(specifiers, self.tables.frontend_packages)
        if frontend is not None:
            return Hit(R.FRONTEND_UI, f"imports UI package '{frontend}'", self.source)
        return None

    # -- evidence from where the file lives (cached per directory) ---------------------------
    def nearest_manifest(self, directory: str) -> Optional[str]:
        """The directory of the nearest package.json at or above ``directory``."""
        return nearest_holding(directory, self._manifest_dirs, self._nearest_cache)

    def _manifest_dirs(self) -> Set[str]:
        """Directories holding a package.json ("" = the root), found on first use."""
        if self._manifests is None:
            # The C-level suffix filter leaves a handful of paths for the exact name test.
            candidates = filter(methodcaller("endswith", "package.json"), self._paths())
            self._manifests = {
                path[: -len("/package.json")] if path != "package.json" else ""
                for path in candidates
                if path == "package.json" or path.endswith("/package.json")
            }
        return self._manifests

    def manifest_path(self, directory: str) -> Optional[str]:
        """The nearest package.json at or above ``directory`` (None: there is none)."""
        owner = self.nearest_manifest(directory)
        return None if owner is None else posixpath.join(owner, "package.json")

    def manifest(self, directory: str) -> Optional[Hit]:
        owner = self.nearest_manifest(directory)
        if owner is None:
            return None
        if owner not in self._manifest_cache:
            self._manifest_cache[owner] = self._manifest_verdict(owner)
        return self._manifest_cache[owner]

    def _manifest_verdict(self, owner: str) -> Optional[Hit]:
        path = posixpath.join(owner, "package.json")
        deps = sorted(sniff.package_json_dependencies(self._read_bytes(path, sniff.PACKAGE_JSON_LIMIT)))
        backend = sniff.first_in(deps, self.tables.backend_packages)
        frontend = sniff.first_in(deps, self.tables.frontend_packages)
        # Both sides (a Next.js app with Prisma) tell nothing about one file: fall through.
        if (backend is None) == (frontend is None):
            return None
        side, name = ("backend", backend) if backend is not None else ("frontend", frontend)
        return Hit(SIDE_ROLE[side], f"nearest {path} depends on '{name}'", self.source)

    def directory(self, directory: str) -> Optional[Hit]:
        """The outermost directory name that hints a side; ``components/`` and its kind only
        inside a package.json whose dependencies are not backend-only (UI code lives there)."""
        if directory not in self._dir_cache:
            hit = None
            for match in self._dirs.finditer(directory) if directory else ():
                side = match.lastgroup
                name = match.group(side) if side is not None else ""
                if side == "package":
                    verdict = self.manifest(directory) if self.nearest_manifest(directory) is not None else None
                    if self.nearest_manifest(directory) is None or (verdict is not None and verdict.role != R.FRONTEND_UI):
                        continue
                    hit = Hit(R.FRONTEND_UI, f"directory '{name}/' in a JS package", self.source)
                elif side is not None:
                    hit = Hit(SIDE_ROLE[side], f"directory '{name}/'", self.source)
                if hit is not None:
                    break
            self._dir_cache[directory] = hit
        return self._dir_cache[directory]

    # -- the decision --------------------------------------------------------------------------
    def decide(self, path: str, directive: Callable[[], Optional[Hit]],
               imports: Callable[[], Optional[Hit]]) -> Tuple[Optional[Hit], List[str]]:
        """The side hit (or ``None``) and the steps that found nothing, for ``explain``.

        ``directive`` and ``imports`` give :meth:`directive` and :meth:`imports` of the file's
        head (``None`` when unreadable); asked lazily, and possibly answered from a cache.
        """
        directory = posixpath.dirname(path)
        steps: List[Tuple[str, Callable[[], Optional[Hit]]]] = [
            *zip(_OWN_STEPS, (directive, lambda: self.framework_path(path), imports)),
            ("package.json", lambda: self.manifest(directory)),
            ("directory name", lambda: self.directory(directory)),
        ]
        tried: List[str] = []
        for name, step in steps:
            hit = step()
            if hit is not None:
                return hit, tried
            tried.append(name)
        return None, tried

    @staticmethod
    def looked_around(tried: Sequence[str]) -> bool:
        """Whether a :meth:`decide` that failed the ``tried`` steps went on to the package.json
        and directory steps: its answer depends on more than the file (``rolecache``)."""
        return len(tried) >= len(_OWN_STEPS)
