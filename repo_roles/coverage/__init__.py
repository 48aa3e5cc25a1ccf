"""Documentation items per language (and, later, test presence and a cache)."""

from __future__ import annotations

from repo_roles.coverage.model import COUNTING_MODES, PROBLEM_CODES, DocItem, DocOptions, FileDocs, Problem
from repo_roles.coverage.python_docs import analyze_python

__all__ = ["COUNTING_MODES", "PROBLEM_CODES", "DocItem", "DocOptions", "FileDocs", "Problem", "analyze_python"]
