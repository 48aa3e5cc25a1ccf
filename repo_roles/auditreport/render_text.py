"""The audit document as terminal tables: a summary people read, not a list of every finding.

Findings appear as counts — by rule (with its name), by owning team, by top directory — and the
ten files and directories with the most; ``audit --findings`` (or ``check``) lists them all.
The roster columns appear only when the configuration has a roster.  Paths and owner names are
shown with :func:`~repo_roles.pathfmt.display_path` (control characters escaped).
"""

from __future__ import annotations

from typing import Dict, List, Sequence, Tuple

from repo_roles import roles as R
from repo_roles.auditreport.compare import arrow, signed
from repo_roles.auditreport.document import pairs
from repo_roles.pathfmt import display_path


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], *, right: Sequence[int] = ()) -> List[str]:
    """A borderless, aligned table; columns whose index is in ``right`` are right-aligned."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def fmt(row: Sequence[str]) -> str:
        parts = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
        return "  " + "  ".join(parts).rstrip()

    return [fmt(cells[0]), "  " + "  ".join("-" * w for w in widths)] + [fmt(r) for r in cells[1:]]


ROWS = 20  # rows of a per-owner table; the rest are counted (json and html have them all)


def capped(rows: List[Sequence[object]], what: str = "owners") -> Tuple[List[Sequence[object]], List[str]]:
    """The first :data:`ROWS` rows, and the line that says how many were left out."""
    if len(rows) <= ROWS:
        return rows, []
    return rows[:ROWS], [f"  … and {len(rows) - ROWS:,} more {what} (`--format html` or `json` lists them all)"]


def _short_role(role: str) -> str:
    return role.replace("backend.", "be.").replace("frontend.", "fe.")


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def title_of(doc: dict) -> str:
    project = doc["project"]
    where = project["root"] + ("/" + project["scope"] if project["scope"] else "")
    config = f", config {project['config']}" if project["config"] else ", no config file"
    return f"repo-roles audit of {where}{config}"


def render(doc: dict) -> str:
    lines: List[str] = [title_of(doc), ""]
    lines += _roles_lines(doc)
    lines += _owner_lines(doc)
    lines += _documentation_lines(doc)
    lines += _test_lines(doc)
    lines += declared_lines(doc)
    lines += findings_lines(doc)
    if doc.get("compare"):
        lines += compare_lines(doc["compare"])
    return "\n".join(lines) + "\n"


def _roles_lines(doc: dict) -> List[str]:
    total = doc["files"] or 1
    lines = [f"Roles ({doc['files']} files)"]
    lines += table(["role", "files", "share"],
                   [(role, n, f"{100 * n / total:.1f}%") for role, n in doc["roles"].items()], right=(1, 2))
    lines += ["", "Directories by side"]
    lines += table(
        ["directory", "files", "backend", "frontend", "other", "side"],
        [(display_path(d["directory"]), d["files"], d["backend"], d["frontend"], d["other"], d["side"])
         for d in doc["directories"]],
        right=(1, 2, 3, 4),
    )
    return lines + [""]


def _owner_lines(doc: dict) -> List[str]:
    ownership = doc["ownership"]
    if ownership["file"]:
        lines = [f"Owners (from {ownership['file']}, {ownership['dialect']} syntax)"]
        if ownership.get("dialect_reason"):
            lines.append(f"  dialect decided by {ownership['dialect_reason']}")
    else:
        lines = ["Owners (no CODEOWNERS file found)"]
    teams = doc["teams"]
    if teams:
        shown = [r for r in R.ROLES if any(t["by_role"].get(r) for t in teams)]
        headers = ["owner", "files", *(_short_role(r) for r in shown)]
        rows = []
        for team in teams:
            row = [display_path(team["owner"]), team["files"], *(team["by_role"].get(r, 0) for r in shown)]
            if ownership["roster"]:  # without a roster every owner would be "not in roster"
                row.append(", ".join(team["responsible"]) or "-" if team["in_roster"] else "NOT IN ROSTER")
            rows.append(row)
        if ownership["roster"]:
            headers.append("responsible for")
        rows, more = capped(rows)
        lines += table(headers, rows, right=tuple(range(1, 2 + len(shown)))) + more
    unowned = ownership["unowned"]
    if unowned:
        detail = ", ".join(f"{role} {n}" for role, n in ownership["unowned_by_role"].items())
        lines.append(f"  unowned files: {unowned} ({detail})")
    else:
        lines.append("  unowned files: 0")
    return lines


def _ratio_table(column: str, groups: Dict[str, Tuple[int, int]], a: str, b: str) -> List[str]:
    """One ratio per row; past :data:`ROWS` rows, the largest groups (by their denominator)."""
    items = list(groups.items())
    if len(items) > ROWS:
        items.sort(key=lambda kv: (-kv[1][1], kv[0]))
    rows, more = capped([(display_path(name), x, y, _pct(x, y)) for name, (x, y) in items], f"{column}s")
    return table([column, a, b, "percent"], rows, right=(1, 2, 3)) + more


def not_measured_note(doc: dict) -> str:
    """"2,020 backend.logic files not measured (no documentation analyzer for their language): Scala 1,200, …"."""
    missing = doc["docs"]["not_measured"]
    if not missing["files"]:
        return ""
    exts = ", ".join(f"{display_path(name)} {n:,}" for name, n in missing["by_language"][:8])
    more = " …" if len(missing["by_language"]) > 8 else ""
    roles = ", ".join(doc["docs"]["required"])
    return (f"{missing['files']:,} {roles} file{'s' if missing['files'] != 1 else ''} not measured "
            f"(no documentation analyzer for their language): {exts}{more}")


def _documentation_lines(doc: dict) -> List[str]:
    docs = doc["docs"]
    lines = ["", "Documentation coverage (documented / counted items)"]
    note = not_measured_note(doc)
    if not docs["by_role"]:
        lines.append("  no file in an analysed language")
        return lines + ([f"  note: {note}"] if note else [])
    lines += _ratio_table("role", pairs(docs["by_role"], "covered", "total"), "covered", "total")
    if note:
        lines.append(f"  note: {note}")
    lines += _language_lines(docs.get("by_language") or [])
    lines += ["", "Documentation coverage by side (documented / counted items)"]
    lines += _ratio_table("side", pairs(docs["by_side"], "covered", "total"), "covered", "total")
    required = ", ".join(docs["required"]) or "none"
    for title, column, key in (("owning team", "owner", "by_owner"), ("top directory", "directory", "by_directory")):
        lines += ["", f"Documentation coverage by {title} (required roles: {required})"]
        if docs[key]:
            lines += _ratio_table(column, pairs(docs[key], "covered", "total"), "covered", "total")
        else:
            lines.append("  no file in a required role")
    return lines


def _language_lines(languages: List[dict]) -> List[str]:
    """Files measured and files left out (with why) per language: what the figures cover."""
    if not languages:
        return []
    rows = [(row["language"], row["measured"], sum(row["left_out"].values()),
             ", ".join(f"{why} {n}" for why, n in row["left_out"].items()) or "-") for row in languages]
    return ["", "Documentation measured by language (files)"] + table(
        ["language", "measured", "left out", "why"], rows, right=(1, 2))


def _test_lines(doc: dict) -> List[str]:
    tests = doc["tests"]
    required = ", ".join(tests["required"]) or "none"
    lines = ["", f"Test presence (modules with a test file / modules that need one; required roles: {required})"]
    if not tests["by_side"]:
        return lines + ["  no module needs a test"]
    if tests.get("evidence"):
        lines.append(f"  evidence used: {', '.join(tests['evidence'])}")
    for column, key in (("side", "by_side"), ("owner", "by_owner"), ("directory", "by_directory")):
        lines += _ratio_table(column, pairs(tests[key], "tested", "modules"), "with tests", "modules") + [""]
    return lines[:-1]


def _authors(labels: Sequence[str], limit: int = 3) -> str:
    shown = ", ".join(labels[:limit])
    return shown + (f" +{len(labels) - limit}" if len(labels) > limit else "") or "-"


def declared_lines(doc: dict) -> List[str]:
    """The "Declared vs actual" tables (absent from documents written before history existed)."""
    declared = doc.get("declared")
    if declared is None:
        return []
    lines = ["", "Declared vs actual (authors by Degree of Authorship; truck factor by Avelino et al.)"]
    if not declared["available"]:
        return lines + [f"  {declared['note']}"]
    lines.append(f"  history up to {(declared['head'] or '')[:12]}; active = a commit since {declared['active_since']}")
    if declared["owners"]:
        lines += table(
            ["owner", "files", "member among authors", "nobody active knows", "last commit by a member",
             "truck factor", "top authors"],
            [(display_path(r["owner"]), r["files"], f"{r['with_member']:.1f}%", f"{r['nobody_active']:.1f}%",
              r["last_member_commit"] or "never", r["truck_factor"], _authors(r["top_authors"]))
             for r in declared["owners"][:ROWS]],
            right=(1, 2, 3, 5),
        )
        if len(declared["owners"]) > ROWS:
            lines.append(f"  … {len(declared['owners']) - ROWS:,} more owners (`--format json` or html has them all)")
    else:
        lines.append("  no declared owners")
    lines += ["", "Truck factor by top directory"]
    if declared["directories"]:
        lines += table(["directory", "files", "truck factor", "top authors"],
                       [(display_path(d["directory"]), d["files"], d["truck_factor"], _authors(d["top_authors"]))
                        for d in declared["directories"][:ROWS]], right=(1, 2))
        if len(declared["directories"]) > ROWS:
            lines.append(f"  … {len(declared['directories']) - ROWS:,} more directories")
    else:
        lines.append("  no directories")
    return lines


def findings_lines(doc: dict) -> List[str]:
    findings = doc["findings"]
    lines = [""]
    if not findings["total"]:
        return lines + ["Findings: 0 (all checks passed)"]
    sev = findings["by_severity"]
    lines.append(f"Findings: {findings['total']:,} ({sev['error']:,} errors, {sev['warning']:,} warnings, "
                 f"{sev['info']:,} info); `repo-roles audit --findings` lists them all")
    lines += table(["rule", "name", "severity", "findings", "files"],
                   [(r["rule"], r["name"], r["severity"], f"{r['count']:,}", f"{r['files_total']:,}")
                    for r in findings["by_rule"]], right=(3, 4))
    lines += ["", "Findings by owning team"]
    rows, more = capped([(display_path(t["owner"]), f"{t['count']:,}", f"{t['files_total']:,}")
                         for t in findings["by_team"]])
    lines += table(["owner", "findings", "files"], rows, right=(1, 2)) + more
    lines += ["", "Findings by top directory"]
    rows, more = capped([(display_path(d), f"{n:,}") for d, n in findings["by_directory"]], "directories")
    lines += table(["directory", "findings"], rows, right=(1,)) + more
    for title, key, column in (("Files with the most findings", "top_files", "file"),
                               ("Directories with the most findings", "top_directories", "directory")):
        lines += ["", title]
        lines += table([column, "findings"], [(display_path(p), f"{n:,}") for p, n in findings[key]], right=(1,))
    return lines


def compare_lines(change: dict) -> List[str]:
    """The ``--compare`` block: counts with arrows and signed deltas, percentages in points."""
    lines = ["", f"Change since the previous audit (repo-roles {change['previous']['tool_version'] or '?'})"]
    rows = [(label, f"{c['before']:,}", f"{c['after']:,}", f"{arrow(c['delta'])} {signed(c['delta'])}")
            for label, c in (("files", change["files"]), ("unowned files", change["unowned"]),
                             ("findings", change["findings"]))]
    lines += table(["", "before", "after", "change"], rows, right=(1, 2, 3))
    changed = [r for r in change["findings_by_rule"] if r["delta"]]
    if changed:
        lines += ["", "Findings by rule (changed rules)"]
        lines += table(["rule", "before", "after", "change"],
                       [(r["name"], f"{r['before']:,}", f"{r['after']:,}", f"{arrow(r['delta'])} {signed(r['delta'])}")
                        for r in changed], right=(1, 2, 3))
    for title, key in (("Documentation coverage by owning team", "docs_by_owner"),
                       ("Test presence by owning team", "tests_by_owner")):
        if change[key]:
            lines += ["", title]
            lines += table(["owner", "before", "after", "change"],
                           [(display_path(r["name"]), _opt(r["before"]), _opt(r["after"]),
                             f"{arrow(r['delta'])} {signed(r['delta'], 'pp')}") for r in change[key]],
                           right=(1, 2, 3))
    return lines


def _opt(value) -> str:
    return "-" if value is None else f"{value:.1f}%"
