"""Ownership sources: CODEOWNERS dialects (parser, pattern translation, compiled matcher)."""

from __future__ import annotations

from repo_roles.ownership.codeowners import (
    OwnerRule,
    ParsedCodeowners,
    ParseIssue,
    Section,
    detect_dialect,
    parse_codeowners,
)
from repo_roles.ownership.matcher import CompiledCodeowners, OwnerMatch
from repo_roles.ownership.patterns import DIALECTS, CompiledPattern, PatternError, compile_pattern

__all__ = [
    "DIALECTS",
    "CompiledCodeowners",
    "CompiledPattern",
    "OwnerMatch",
    "OwnerRule",
    "ParseIssue",
    "ParsedCodeowners",
    "PatternError",
    "Section",
    "compile_pattern",
    "detect_dialect",
    "parse_codeowners",
]
