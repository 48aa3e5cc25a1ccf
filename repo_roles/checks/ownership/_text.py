"""Wording shared by the ownership rules: a CODEOWNERS line as written, a file count.

Kept apart from ``_usage`` (the whole-repository analysis) so the file-scope rules that run on
every pre-commit call do not load that analysis and its path index.
"""

from __future__ import annotations

from repo_roles.ownership.codeowners import OwnerRule


def describe(rule: OwnerRule) -> str:
    """A rule as written, blanks collapsed: ``/backend/ @shop/backend``."""
    text = " ".join(rule.raw.split())
    return text or rule.pattern


def count_files(n: int) -> str:
    return f"{n} file" if n == 1 else f"{n} files"
