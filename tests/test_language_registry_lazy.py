"""``coverage.languages.ANALYZERS``: the tree-sitter analyzers are imported on first use, and the
registry still describes (for the analysis cache key) and runs the real functions."""

from __future__ import annotations

import subprocess
import sys

from repo_roles.coverage import languages as L
from repo_roles.coverage.analyze import _describe

LAZY = {"go": "go_docs", "java": "java_docs", "javascript": "js_docs", "typescript": "js_docs", "c": "cpp_docs",
        "cpp": "cpp_docs", "rust": "rust_docs", "csharp": "csharp_docs", "kotlin": "kotlin_docs",
        "ruby": "ruby_docs", "php": "php_docs"}


def test_importing_the_registry_imports_no_tree_sitter_analyzer() -> None:
    code = ("import sys, repo_roles.coverage.languages as L\n"
            f"print(sorted(m for m in {sorted(set(LAZY.values()))!r} if 'repo_roles.coverage.' + m in sys.modules))\n"
            "L.analyze(b'// Package p.\\npackage p\\n', 'p/p.go')\n"
            "print('repo_roles.coverage.go_docs' in sys.modules, 'repo_roles.coverage.rust_docs' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == "True False"  # a Go file imports the Go analyzer, and only it


def test_the_registry_names_and_runs_the_real_functions() -> None:
    import importlib

    for language, module in LAZY.items():
        entry = L.ANALYZERS[language]
        real = getattr(importlib.import_module("repo_roles.coverage." + module), f"analyze_{language}")
        assert _describe(entry) == _describe(real) == f"repo_roles.coverage.{module}.analyze_{language}"
    docs = L.analyze(b"// Package p.\npackage p\n\n// F does.\nfunc F() {}\n\nfunc G() {}\n", "p/p.go")
    assert docs is not None and [item.name for item in docs.items] == ["p", "F", "G"]
    # after its first call the real function stands in the registry
    assert L.ANALYZERS["go"] is importlib.import_module("repo_roles.coverage.go_docs").analyze_go
