"""The one place that knows which languages have a documentation analyzer.

A language is one module exposing an :class:`Analyzer`, plus a line in :data:`ANALYZERS` and its
extensions in :data:`EXTENSIONS` — no discovery magic. Which files are analysed at all (backend
code, not tests or generated files) is the caller's decision, made by role; this registry only
maps a path to its language.
"""

from __future__ import annotations

import importlib
from typing import Dict, Optional, Protocol

from repo_roles.coverage.model import DocOptions, FileDocs
from repo_roles.coverage.python_docs import analyze_python


class Analyzer(Protocol):
    """``analyze_<language>(data, path, options) -> FileDocs``: never raises on bad input.

    Unreadable input (syntax errors, bad encoding, binary, too large, a grammar that is not
    installed) becomes a problem on the returned ``FileDocs``; only a programming error (an
    unknown counting mode) raises.
    """

    def __call__(self, data: bytes, path: str, options: DocOptions = ...) -> FileDocs: ...


class _FirstUse:
    """``module.name``, imported on its first call, then put in its place in :data:`ANALYZERS`:
    a run that analyses no file of a language imports none of its analyzer (a warm run after a
    change of Python files imports no tree-sitter analyzer).  It carries the function's module
    and name, which is all the cache key reads of it (``analyze._describe``)."""

    def __init__(self, language: str, module: str, name: str) -> None:
        self.language = language
        self.__module__ = module
        self.__qualname__ = name

    def __call__(self, data: bytes, path: str, options: DocOptions = DocOptions()) -> FileDocs:
        found = getattr(importlib.import_module(self.__module__), self.__qualname__)
        if ANALYZERS.get(self.language) is self:
            ANALYZERS[self.language] = found
        return found(data, path, options)


def _first_use(language: str, module: str, name: str) -> Analyzer:
    return _FirstUse(language, "repo_roles.coverage." + module, name)


ANALYZERS: Dict[str, Analyzer] = {
    "python": analyze_python,
    "go": _first_use("go", "go_docs", "analyze_go"),
    "java": _first_use("java", "java_docs", "analyze_java"),
    "javascript": _first_use("javascript", "js_docs", "analyze_javascript"),
    "typescript": _first_use("typescript", "js_docs", "analyze_typescript"),
    "c": _first_use("c", "cpp_docs", "analyze_c"),
    "cpp": _first_use("cpp", "cpp_docs", "analyze_cpp"),
    "rust": _first_use("rust", "rust_docs", "analyze_rust"),
    "csharp": _first_use("csharp", "csharp_docs", "analyze_csharp"),
    "kotlin": _first_use("kotlin", "kotlin_docs", "analyze_kotlin"),
    "ruby": _first_use("ruby", "ruby_docs", "analyze_ruby"),
    "php": _first_use("php", "php_docs", "analyze_php"),
}

# File suffix -> language. ``.d.ts`` is TypeScript; its analyzer knows declaration files have
# no items. ``.pyi`` stubs are not here: they document code that lives elsewhere.
EXTENSIONS: Dict[str, str] = {
    ".py": "python",
    ".go": "go",
    ".java": "java",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "typescript",
    # C/C++: headers are the public surface (``cpp_docs``); a ``.h`` may be C or C++.
    ".h": "c",
    ".c": "c",
    ".hh": "cpp",
    ".hpp": "cpp",
    ".hxx": "cpp",
    ".h++": "cpp",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".c++": "cpp",
    ".rs": "rust",
    ".cs": "csharp",
    ".kt": "kotlin",
    ".rb": "ruby",
    ".php": "php",
}


def language_of(path: str) -> Optional[str]:
    """The documentation language of ``path`` by its suffix (case-sensitive, as compilers are)."""
    return EXTENSIONS.get(suffix_of(path))


def suffix_of(path: str) -> str:
    """``PurePosixPath(path).suffix`` of a repository path (no ``//``, no trailing ``/``), by
    string operations: it runs for every file of a cold run, where pathlib costs ~10 µs a call."""
    name = path.rpartition("/")[2]
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def analyze(data: bytes, path: str, options: DocOptions = DocOptions()) -> Optional[FileDocs]:
    """The documentation items of ``path``, or None when no analyzer knows its language."""
    language = language_of(path)
    if language is None:
        return None
    return ANALYZERS[language](data, path, options)
