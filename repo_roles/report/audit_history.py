"""Render the audit's "Declared vs actual" section (figures from :mod:`repo_roles.history.declared`)."""

from __future__ import annotations

from typing import List, Optional, Sequence

from repo_roles.history.declared import DirectoryRow, TeamRow
from repo_roles.history.stage import History, iso
from repo_roles.report.audit_terminal import table


def _day(when: Optional[int]) -> str:
    return iso(when)[:10] if when is not None else "never"


def _authors(labels: Sequence[str], limit: int = 3) -> str:
    shown = ", ".join(labels[:limit])
    return shown + (f" +{len(labels) - limit}" if len(labels) > limit else "") or "-"


def render_declared(history: History, owners: Sequence[TeamRow], directories: Sequence[DirectoryRow]) -> str:
    lines: List[str] = ["Declared vs actual (authors by Degree of Authorship; truck factor by Avelino et al.)"]
    if not history.available:
        return "\n".join(lines + [f"  {history.note}", ""]) + "\n"
    model = history.model
    assert model is not None
    lines.append(f"  history up to {(model.head or '')[:12]}; active = a commit since {_day(history.since())}")
    if owners:
        lines += table(
            ["owner", "files", "member among authors", "nobody active knows", "last commit by a member",
             "truck factor", "top authors"],
            [(r.owner, r.files, f"{100 * r.with_member:.1f}%", f"{100 * r.nobody_active:.1f}%",
              _day(r.last_member_commit), r.truck_factor, _authors(r.top_authors)) for r in owners],
            right=(1, 2, 3, 5),
        )
    else:
        lines.append("  no declared owners")
    lines += ["", "Truck factor by top directory"]
    if directories:
        lines += table(
            ["directory", "files", "truck factor", "top authors"],
            [(d.directory + "/", d.files, d.truck_factor, _authors(d.top_authors)) for d in directories],
            right=(1, 2),
        )
    else:
        lines.append("  no directories")
    return "\n".join(lines + [""]) + "\n"
