"""The value type every check produces and every formatter consumes."""

from __future__ import annotations

from typing import NamedTuple, Optional

SEVERITIES = ("error", "warning", "info")


class Finding(NamedTuple):
    """One problem at one place.

    ``path`` is POSIX and relative to the project root (``""`` for repository-wide findings).
    ``key`` identifies the finding without line numbers (a pattern, an item name, an owner…), so
    baselines and GitLab fingerprints survive unrelated edits that shift lines.
    """

    rule_id: str
    message: str
    path: str
    line: Optional[int] = None
    column: Optional[int] = None
    severity: str = "error"
    key: str = ""
    end_line: Optional[int] = None
    end_column: Optional[int] = None

    def identity(self) -> tuple:
        """What a baseline entry and a fingerprint know a finding by: no line numbers; the
        message stands in for a missing key."""
        return (self.rule_id, self.path, self.key or self.message)

    def sort_key(self) -> tuple:
        return (self.path, self.line or 0, self.column or 0, self.rule_id, self.message)
