"""``audit --format markdown``: the summary for a CI job summary or a pull-request comment.

GitHub caps a comment body at 65,536 characters (larger step summaries are cut too: 1 MiB per
step, "Adding a job summary" in GitHub's workflow-commands docs), so the text stops before
:data:`LIMIT` at a line boundary with a closing note saying how much was left out.  Cells are
escaped with the findings format's :func:`~repo_roles.report.markdown.cell`.
"""

from __future__ import annotations

from typing import Dict, List, Sequence, Tuple

from repo_roles.auditreport.compare import arrow, signed
from repo_roles.auditreport.document import pairs
from repo_roles.auditreport.render_text import not_measured_note
from repo_roles.report.markdown import cell

LIMIT = 65_536
ROWS = 50  # rows per table; the rest are counted in a last row


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[int] = ()) -> List[str]:
    out = ["| " + " | ".join(headers) + " |",
           "|" + "|".join("---:" if i in right else "---" for i in range(len(headers))) + "|"]
    for row in rows[:ROWS]:
        out.append("| " + " | ".join(cell(str(c)) for c in row) + " |")
    if len(rows) > ROWS:
        out.append(f"| … {len(rows) - ROWS:,} more rows |" + " |" * (len(headers) - 1))
    return out + [""]


def _pct(x: int, y: int) -> str:
    return f"{100 * x / y:.1f}%" if y else "-"


def _ratios(column: str, groups: Dict[str, Tuple[int, int]], a: str, b: str) -> List[str]:
    return _table([column, a, b, "percent"], [(k, x, y, _pct(x, y)) for k, (x, y) in groups.items()], (1, 2, 3))


def sections(doc: dict) -> List[str]:
    findings = doc["findings"]
    sev = findings["by_severity"]
    out = [f"## repo-roles audit: {doc['files']:,} files, {findings['total']:,} findings "
           f"({sev['error']:,} errors, {sev['warning']:,} warnings, {sev['info']:,} info)", ""]
    if doc.get("compare"):
        out += _compare(doc["compare"])
    if findings["total"]:
        out += ["### Findings by rule", ""]
        out += _table(["rule", "name", "severity", "findings", "files"],
                      [(r["rule"], r["name"], r["severity"], r["count"], r["files_total"]) for r in findings["by_rule"]],
                      (3, 4))
        out += ["### Findings by owning team", ""]
        out += _table(["owner", "findings", "files"], [(t["owner"], t["count"], t["files_total"])
                                                        for t in findings["by_team"]], (1, 2))
        out += ["### Files with the most findings", ""]
        out += _table(["file", "findings"], findings["top_files"], (1,))
        out += ["### Directories with the most findings", ""]
        out += _table(["directory", "findings"], findings["top_directories"], (1,))
    own = doc["ownership"]
    out += [f"### Owners ({own['file'] or 'no ownership file'}): {own['unowned']:,} unowned files", ""]
    out += _table(["owner", "files"] + (["in roster"] if own["roster"] else []),
                  [(t["owner"], t["files"]) + ((("yes" if t["in_roster"] else "no"),) if own["roster"] else ())
                   for t in doc["teams"]], (1,))
    out += ["### Documentation coverage by owning team", ""]
    out += _ratios("owner", pairs(doc["docs"]["by_owner"], "covered", "total"), "covered", "total")
    note = not_measured_note(doc)
    if note:
        out += [f"> {cell(note)}", ""]
    out += ["### Test presence by owning team", ""]
    out += _ratios("owner", pairs(doc["tests"]["by_owner"], "tested", "modules"), "with tests", "modules")
    declared = doc.get("declared")
    if declared is not None:
        out += ["### Declared vs actual (git history)", ""]
        if not declared["available"]:
            out += [f"> {cell(declared['note'] or 'history unavailable')}", ""]
        else:
            out += _table(["owner", "files", "member among authors", "nobody active knows", "truck factor"],
                          [(r["owner"], r["files"], f"{r['with_member']:.1f}%", f"{r['nobody_active']:.1f}%",
                            r["truck_factor"]) for r in declared["owners"]], (1, 2, 3, 4))
    return out


def _compare(change: dict) -> List[str]:
    out = ["### Change since the previous audit", ""]
    out += _table(["", "before", "after", "change"],
                  [(label, f"{c['before']:,}", f"{c['after']:,}", f"{arrow(c['delta'])} {signed(c['delta'])}")
                   for label, c in (("files", change["files"]), ("unowned files", change["unowned"]),
                                    ("findings", change["findings"]))], (1, 2, 3))
    changed = [r for r in change["findings_by_rule"] if r["delta"]]
    if changed:
        out += _table(["rule", "before", "after", "change"],
                      [(r["name"], r["before"], r["after"], f"{arrow(r['delta'])} {signed(r['delta'])}")
                       for r in changed], (1, 2, 3))
    for title, key in (("documentation coverage", "docs_by_owner"), ("test presence", "tests_by_owner")):
        rows = [(r["name"], "-" if r["before"] is None else f"{r['before']:.1f}%",
                 "-" if r["after"] is None else f"{r['after']:.1f}%", f"{arrow(r['delta'])} {signed(r['delta'], 'pp')}")
                for r in change[key]]
        if rows:
            out += [f"Change in {title} by owning team:", ""] + _table(["owner", "before", "after", "change"], rows, (1, 2, 3))
    return out


def render(doc: dict, limit: int = LIMIT) -> str:
    """The Markdown, cut at a line boundary (with a note) to stay under ``limit`` characters."""
    lines = sections(doc)
    text = "\n".join(lines) + "\n"
    if len(text) <= limit:
        return text
    kept: List[str] = []
    size = 0
    budget = limit - 200  # room for the note
    for line in lines:
        if size + len(line) + 1 > budget:
            break
        kept.append(line)
        size += len(line) + 1
    left = len(lines) - len(kept)
    note = (f"\n\n> Truncated: {left:,} more lines left out to stay under {limit:,} characters "
            "(GitHub's limit); `repo-roles audit --format html` has everything.")
    return "\n".join(kept) + note + "\n"
