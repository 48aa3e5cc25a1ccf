"""Documentation coverage figures (covered / total / percent) grouped by file, directory, role,
owning team and side; read by ``audit`` and by DOC002.

Only files whose items could be read count: an unparsable file is unknown, not undocumented
(DOC004 reports it).  A group with no counted item has no percentage (``None``), never 0 or 100.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict, Iterable, NamedTuple, Optional, Tuple

from repo_roles import roles as R

if TYPE_CHECKING:
    from repo_roles.scan import ScanContext

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

    def describe(self) -> str:
        """``"62.5% (5/8)"``, or ``"-"`` when nothing counts."""
        percent = self.percent
        return "-" if percent is None else f"{percent:.1f}% ({self.covered}/{self.total})"


def by_file(context: "ScanContext", paths: Optional[Iterable[str]] = None) -> Dict[str, Coverage]:
    """Coverage of each analysed target (or of each of ``paths`` that was analysed)."""
    result = context.coverage
    if paths is None:  # from the stored counts, without decoding any item list
        return {path: Coverage(covered, counted) for path, covered, counted in result.documented_counts()}
    out: Dict[str, Coverage] = {}
    for path in paths:
        counts = result.counts(path)
        if counts is not None:
            out[path] = Coverage(*counts)
    return out


def required_files(context: "ScanContext") -> Dict[str, Coverage]:
    """Per-file coverage of the targets whose role is in ``docs.require``."""
    required = set(context.config.docs.require)
    return {p: c for p, c in by_file(context).items() if context.role_of(p) in required}


def total(files: Dict[str, Coverage]) -> Coverage:
    return Coverage(sum(c.covered for c in files.values()), sum(c.total for c in files.values()))


def group(files: Dict[str, Coverage], keys_of: Callable[[str], Iterable[str]]) -> Dict[str, Coverage]:
    """Sum per-file coverage into groups; a file may belong to several (co-owners)."""
    # Plain integer sums per key: one Coverage per group, not one per file and key.
    covered: Dict[str, int] = {}
    counted: Dict[str, int] = {}
    for path, (done, total_) in files.items():
        for key in keys_of(path):
            covered[key] = covered.get(key, 0) + done
            counted[key] = counted.get(key, 0) + total_
    return {key: Coverage(covered[key], counted[key]) for key in sorted(covered)}


def by_role(context: "ScanContext", files: Optional[Dict[str, Coverage]] = None) -> Dict[str, Coverage]:
    grouped = group(by_file(context) if files is None else files, lambda p: (context.role_of(p),))
    return {role: grouped[role] for role in R.ROLES if role in grouped}  # vocabulary order


def by_side(context: "ScanContext", files: Optional[Dict[str, Coverage]] = None) -> Dict[str, Coverage]:
    return group(by_file(context) if files is None else files,
                 lambda p: (R.side_of(context.role_of(p)) or "other",))


def by_owner(context: "ScanContext", files: Dict[str, Coverage]) -> Dict[str, Coverage]:
    return group(files, lambda p: context.ownership.owners_of(p) or (NO_OWNER,))


def top_directory(path: str, depth: int = 1) -> str:
    parts = path.split("/")[:-1]
    return "/".join(parts[:depth]) + "/" if parts else "."


def by_directory(files: Dict[str, Coverage], depth: int = 1) -> Dict[str, Coverage]:
    return group(files, lambda p: (top_directory(p, depth),))


def percent_text(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.1f}%"


def summary_rows(groups: Dict[str, Coverage]) -> Tuple[Tuple[str, int, int, str], ...]:
    """``(name, covered, total, percent)`` rows for a table."""
    return tuple((name, c.covered, c.total, percent_text(c.percent)) for name, c in groups.items())
