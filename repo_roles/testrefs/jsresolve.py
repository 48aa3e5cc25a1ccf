"""JavaScript/TypeScript import specifiers resolved to repository files, the way a bundler would.

* relative specifiers (``./x``, ``../lib/y``) with extension and ``index`` resolution, and a
  ``.js`` written for a TypeScript file (``./x.js`` -> ``x.ts``, TypeScript's ESM convention);
* ``tsconfig.json`` / ``jsconfig.json`` of the nearest directory: ``compilerOptions.paths``
  aliases (``"@/*": ["src/*"]``, relative to ``baseUrl``, else to the file that declares them)
  and ``baseUrl`` itself, following relative ``extends`` (a cycle stops and is reported);
* workspace packages: a specifier ``name`` or ``name/sub`` whose ``package.json`` is in the
  repository resolves to that package's entry (``source``/``module``/``main``) or ``index``.

Sources: TypeScript handbook "Module Resolution" (paths, baseUrl, extends); Node.js "Modules:
Packages" (main); webpack ``resolve.extensions``.
"""

from __future__ import annotations

import posixpath
from typing import Any, Dict, List, Optional, Tuple

EXTENSIONS = ("ts", "tsx", "js", "jsx", "mjs", "cjs", "mts", "cts", "vue", "d.ts")
_JS_OUT = {".js": (".ts", ".tsx"), ".jsx": (".tsx",), ".mjs": (".mts",), ".cjs": (".cts",)}
MAX_EXTENDS = 32  # TypeScript itself follows any chain; a longer one is a configuration bug

Facts = Dict[str, Any]


def _norm(path: str) -> Optional[str]:
    out = posixpath.normpath(path)
    if out.startswith("../") or out == ".." or out.startswith("/"):
        return None
    return "" if out == "." else out


class JsResolver:
    """Resolves specifiers from test files; ``problems`` collects configurations it cannot follow."""

    def __init__(self, paths: frozenset, tsconfigs: Dict[str, Facts], packages: Dict[str, Facts]) -> None:
        self.paths = paths
        self.tsconfigs = tsconfigs
        self.problems: Dict[str, str] = {}  # tsconfig path -> why its aliases were not used
        self._effective: Dict[str, Tuple[Optional[str], List[Tuple[str, List[str], str]]]] = {}
        self._nearest: Dict[str, Optional[str]] = {}
        self.workspaces: Dict[str, Tuple[str, List[str]]] = {}
        for path, facts in sorted(packages.items()):
            name = facts.get("name")
            if isinstance(name, str) and name and "/node_modules/" not in f"/{path}":
                self.workspaces.setdefault(name, (path.rpartition("/")[0], list(facts.get("entries") or [])))

    # -- files ------------------------------------------------------------------------------
    def file(self, base: Optional[str]) -> Optional[str]:
        """``base`` as a file, with an extension, or as a directory's ``index``."""
        if base is None:
            return None
        if base in self.paths and "." in base.rpartition("/")[2]:
            return base
        stem, ext = posixpath.splitext(base)
        for replacement in _JS_OUT.get(ext, ()):
            if stem + replacement in self.paths:
                return stem + replacement
        for ext in EXTENSIONS:
            if f"{base}.{ext}" in self.paths:
                return f"{base}.{ext}"
        for ext in EXTENSIONS:
            index = f"{base}/index.{ext}" if base else f"index.{ext}"
            if index in self.paths:
                return index
        return None

    # -- tsconfig ---------------------------------------------------------------------------
    def _config_for(self, directory: str) -> Optional[str]:
        if directory in self._nearest:
            return self._nearest[directory]
        current, found = directory, None
        seen = []
        while True:
            if current in self._nearest:
                found = self._nearest[current]
                break
            seen.append(current)
            hit = next((f"{current}/{n}" if current else n for n in ("tsconfig.json", "jsconfig.json")
                        if (f"{current}/{n}" if current else n) in self.tsconfigs), None)
            if hit is not None or not current:
                found = hit
                break
            current = current.rpartition("/")[0]
        for d in seen:
            self._nearest[d] = found
        return found

    def _resolved_config(self, path: str) -> Tuple[Optional[str], List[Tuple[str, List[str], str]]]:
        """``(baseUrl directory, [(alias pattern, targets, directory targets are relative to)])``."""
        if path in self._effective:
            return self._effective[path]
        chain: List[str] = []
        current: Optional[str] = path
        while current is not None:
            if current in chain:
                cycle = " -> ".join(chain + [current])
                self.problems.setdefault(path, f"extends forms a cycle ({cycle}); its paths aliases are not used")
                self._effective[path] = (None, [])
                return self._effective[path]
            if len(chain) >= MAX_EXTENDS:
                self.problems.setdefault(path, f"extends chain longer than {MAX_EXTENDS} files; not followed")
                break
            chain.append(current)
            facts = self.tsconfigs.get(current) or {}
            parent = None
            for spec in facts.get("extends") or []:
                if spec.startswith("."):
                    base = _norm(posixpath.join(current.rpartition("/")[0], spec))
                    if base is not None:
                        parent = base if base in self.tsconfigs else (base + ".json" if base + ".json" in self.tsconfigs else None)
                break  # the first (TypeScript 5 allows a list; the last wins, rarely more than one)
            current = parent
        base_url: Optional[str] = None
        aliases: List[Tuple[str, List[str], str]] = []
        for config in reversed(chain):  # the base first, each child overriding
            facts = self.tsconfigs.get(config) or {}
            directory = config.rpartition("/")[0]
            if facts.get("baseUrl") is not None:
                base_url = _norm(posixpath.join(directory, facts["baseUrl"]))
            if facts.get("paths"):
                aliases = [(k, v, directory) for k, v in facts["paths"].items()]
        if base_url is not None:
            aliases = [(k, v, base_url) for k, v, _ in aliases]
        self._effective[path] = (base_url, aliases)
        return self._effective[path]

    # -- specifiers -------------------------------------------------------------------------
    def resolve(self, test: str, spec: str) -> Optional[str]:
        directory = test.rpartition("/")[0]
        spec = spec.split("?")[0]
        if spec.startswith("./") or spec.startswith("../") or spec in (".", ".."):
            return self.file(_norm(posixpath.join(directory, spec)))
        config = self._config_for(directory)
        if config is not None:
            base_url, aliases = self._resolved_config(config)
            for pattern, targets, relative_to in aliases:
                star = pattern.find("*")
                if star < 0:
                    matched = spec if spec == pattern else None
                elif spec.startswith(pattern[:star]) and spec.endswith(pattern[star + 1:]) \
                        and len(spec) >= len(pattern) - 1:
                    matched = spec[star: len(spec) - (len(pattern) - star - 1)]
                else:
                    matched = None
                if matched is None:
                    continue
                for target in targets:
                    found = self.file(_norm(posixpath.join(relative_to, target.replace("*", matched))))
                    if found is not None:
                        return found
            if base_url is not None:
                found = self.file(_norm(posixpath.join(base_url, spec)))
                if found is not None:
                    return found
        return self._workspace(spec)

    def _workspace(self, spec: str) -> Optional[str]:
        parts = spec.split("/")
        name = "/".join(parts[:2]) if spec.startswith("@") else parts[0]
        rest = "/".join(parts[2:] if spec.startswith("@") else parts[1:])
        found = self.workspaces.get(name)
        if found is None:
            return None
        directory, entries = found
        if rest:
            return self.file(_norm(posixpath.join(directory, rest))) or \
                self.file(_norm(posixpath.join(directory, "src", rest)))
        for entry in entries:
            hit = self.file(_norm(posixpath.join(directory, entry)))
            if hit is not None:
                return hit
        return self.file(_norm(posixpath.join(directory, "src/index"))) or self.file(directory or None)

