"""Ownership rules (OWNxxx): one module per rule, imported here in id order."""

from __future__ import annotations

from repo_roles.checks.ownership import (  # noqa: F401
    own001_unowned_file,
    own002_invalid_ownership_line,
    own003_pattern_matches_nothing,
    own004_duplicate_pattern,
    own005_shadowed_rule,
    own006_owner_not_in_roster,
    own007_role_mismatch,
    own008_ownership_file_unowned,
    own009_multiple_ownership_files,
    own010_non_recursive_pattern,
    own011_ownership_file_too_large,
    own012_no_ownership_file,
    own013_duplicate_section,
    own014_questionable_ownership_line,
)
