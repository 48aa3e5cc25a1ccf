"""The one place that knows which languages have a documentation analyzer.

A language is one module exposing an :class:`Analyzer`, plus a line in :data:`ANALYZERS` and its
extensions in :data:`EXTENSIONS` — no discovery magic. Which files are analysed at all (backend
code, not tests or generated files) is the caller's decision, made by role; this registry only
maps a path to its language.
"""

from __future__ import annotations

from typing import Dict, Optional, Protocol

from repo_roles.coverage.cpp_docs import analyze_c, analyze_cpp
from repo_roles.coverage.csharp_docs import analyze_csharp
from repo_roles.coverage.go_docs import analyze_go
from repo_roles.coverage.java_docs import analyze_java
from repo_roles.coverage.js_docs import analyze_javascript, analyze_typescript
from repo_roles.coverage.kotlin_docs import analyze_kotlin
from repo_roles.coverage.model import DocOptions, FileDocs
from repo_roles.coverage.php_docs import analyze_php
from repo_roles.coverage.python_docs import analyze_python
from repo_roles.coverage.ruby_docs import analyze_ruby
from repo_roles.coverage.rust_docs import analyze_rust


class Analyzer(Protocol):
    """``analyze_<language>(data, path, options) -> FileDocs``: never raises on bad input.

    Unreadable input (syntax errors, bad encoding, binary, too large, a grammar that is not
    installed) becomes a problem on the returned ``FileDocs``; only a programming error (an
    unknown counting mode) raises.
    """

    def __call__(self, data: bytes, path: str, options: DocOptions = ...) -> FileDocs: ...


ANALYZERS: Dict[str, Analyzer] = {
    "python": analyze_python,
    "go": analyze_go,
    "java": analyze_java,
    "javascript": analyze_javascript,
    "typescript": analyze_typescript,
    "c": analyze_c,
    "cpp": analyze_cpp,
    "rust": analyze_rust,
    "csharp": analyze_csharp,
    "kotlin": analyze_kotlin,
    "ruby": analyze_ruby,
    "php": analyze_php,
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
