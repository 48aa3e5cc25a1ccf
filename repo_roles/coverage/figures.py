"""Documentation coverage figures (covered / total / percent) grouped by file, directory, role,
owning team and side; read by ``audit`` and by DOC002.

Only files whose items could be read count: an unparsable file is unknown, not undocumented
(DOC004 reports it).  A group with no counted item has no percentage (``None``), never 0 or 100.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, NamedTuple, Optional


if TYPE_CHECKING:
    from repo_roles.context import ProjectContext

NO_OWNER = "(unowned)"


class Coverage(NamedTuple):
    covered: int = 0
    total: int = 0

    @property
    def percent(self) -> Optional[float]:
        return 100.0 * self.covered / self.total if self.total else None

    def __add__(self, other: object) -> "Coverage":  # type: ignore[override]
        assert isinstance(other, Coverage)
        return Coverage(self.covered + other.covered, self.total + other.total)


def by_file(context: "ProjectContext") -> Dict[str, Coverage]:
    """Coverage of each analysed target, from the stored counts (no item list is decoded)."""
    return {path: Coverage(covered, counted) for path, covered, counted in context.coverage.documented_counts()}


def required_files(context: "ProjectContext", files: Optional[Dict[str, Coverage]] = None) -> Dict[str, Coverage]:
    """Per-file coverage of the targets whose role is in ``docs.require`` (of ``files``, the
    :func:`by_file` of this context when the caller has it already)."""
    required = set(context.config.docs.require)
    return {p: c for p, c in (files if files is not None else by_file(context)).items()
            if context.role_of(p) in required}


def total(files: Dict[str, Coverage]) -> Coverage:
    return Coverage(sum(c.covered for c in files.values()), sum(c.total for c in files.values()))
