"""Render an :class:`~repo_roles.summary.AuditSummary` as plain terminal tables."""

from __future__ import annotations

from typing import Dict, List, Sequence, Tuple

from repo_roles import roles as R
from repo_roles.summary import AuditSummary


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], *, right: Sequence[int] = ()) -> List[str]:
    """A borderless, aligned table; columns whose index is in ``right`` are right-aligned."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def fmt(row: Sequence[str]) -> str:
        parts = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
        return "  " + "  ".join(parts).rstrip()

    return [fmt(cells[0]), "  " + "  ".join("-" * w for w in widths)] + [fmt(r) for r in cells[1:]]


def _short_role(role: str) -> str:
    return role.replace("backend.", "be.").replace("frontend.", "fe.")


def render_audit(summary: AuditSummary, *, title: str) -> str:
    lines: List[str] = [title, ""]
    total = summary.total_files or 1
    lines.append(f"Roles ({summary.total_files} files)")
    lines += table(
        ["role", "files", "share"],
        [(role, n, f"{100 * n / total:.1f}%") for role, n in summary.by_role.items()],
        right=(1, 2),
    )
    lines += ["", "Directories by side"]
    lines += table(
        ["directory", "files", "backend", "frontend", "other", "side"],
        [
            (d.directory, d.files, d.by_side.get("backend", 0), d.by_side.get("frontend", 0),
             d.by_side.get("other", 0), d.side)
            for d in summary.directories
        ],
        right=(1, 2, 3, 4),
    )
    lines.append("")
    if summary.ownership_file:
        lines.append(f"Owners (from {summary.ownership_file}, {summary.ownership_dialect} syntax)")
    else:
        lines.append("Owners (no CODEOWNERS file found)")
    if summary.teams:
        shown_roles = [r for r in R.ROLES if any(t.by_role.get(r) for t in summary.teams)]
        rows = []
        for team in summary.teams:
            roster = ", ".join(team.responsible) if team.in_roster else "NOT IN ROSTER"
            rows.append([team.owner, team.files, *(team.by_role.get(r, 0) for r in shown_roles), roster or "-"])
        lines += table(
            ["owner", "files", *(_short_role(r) for r in shown_roles), "responsible for"],
            rows,
            right=tuple(range(1, 2 + len(shown_roles))),
        )
    unowned = sum(summary.unowned_by_role.values())
    if unowned:
        detail = ", ".join(f"{role} {n}" for role, n in summary.unowned_by_role.items())
        lines.append(f"  unowned files: {unowned} ({detail})")
    else:
        lines.append("  unowned files: 0")
    lines += _documentation_lines(summary)
    lines += _test_lines(summary)
    return "\n".join(lines) + "\n"


def _documentation_lines(summary: AuditSummary) -> List[str]:
    """The "Documentation coverage" tables: by role, then owner and directory of required roles."""
    lines = ["", "Documentation coverage (documented / counted items)"]
    if not summary.docs_by_role:
        return lines + ["  no file in an analysed language"]

    def rows(groups: Dict[str, Tuple[int, int]]) -> List[Tuple[str, int, int, str]]:
        return [(name, c, t, f"{100 * c / t:.1f}%" if t else "-") for name, (c, t) in groups.items()]

    lines += table(["role", "covered", "total", "percent"], rows(summary.docs_by_role), right=(1, 2, 3))
    lines += ["", "Documentation coverage by side (documented / counted items)"]
    lines += table(["side", "covered", "total", "percent"], rows(summary.docs_by_side), right=(1, 2, 3))
    required = ", ".join(summary.docs_required) or "none"
    for title, column, groups in (("owning team", "owner", summary.docs_by_owner),
                                  ("top directory", "directory", summary.docs_by_directory)):
        lines += ["", f"Documentation coverage by {title} (required roles: {required})"]
        if groups:
            lines += table([column, "covered", "total", "percent"], rows(groups), right=(1, 2, 3))
        else:
            lines.append("  no file in a required role")
    return lines


def _test_lines(summary: AuditSummary) -> List[str]:
    """The "Test presence" tables: modules of the ``[tests] require`` roles that need a test."""
    required = ", ".join(summary.tests_required) or "none"
    lines = ["", f"Test presence (modules with a test file / modules that need one; required roles: {required})"]
    if not summary.tests_by_side:
        return lines + ["  no module needs a test"]
    if summary.tests_evidence:
        lines.append(f"  evidence used: {', '.join(summary.tests_evidence)}")
    header = ["with tests", "modules", "percent"]
    for column, groups in (("side", summary.tests_by_side), ("owner", summary.tests_by_owner),
                           ("directory", summary.tests_by_directory)):
        rows = [(name, c, t, f"{100 * c / t:.1f}%") for name, (c, t) in groups.items()]
        lines += table([column, *header], rows, right=(1, 2, 3)) + [""]
    return lines[:-1]
