"""``--output-format markdown``: a summary for ``$GITHUB_STEP_SUMMARY`` or a PR comment.

A heading with the total, a table of counts per severity, a table per rule (id, name, count;
most frequent first) and a findings table capped at ``max_rows`` rows (200 by default) followed
by "… and N more.".  Cells are escaped so file names and messages cannot break the table or
inject markup: Markdown punctuation gets a backslash (``|`` included, which GFM tables honour
even inside code), newlines become ``<br>``, other control characters are shown as escapes.
"""

from __future__ import annotations

from typing import List, Sequence

from repo_roles.findings import Finding
from repo_roles.report.base import (
    TOOL_NAME,
    ReportInput,
    one_line,
    report_order,
    plural,
    raw_location,
    rule_counts,
    rule_name,
    severity_counts,
)

DEFAULT_MAX_ROWS = 200
# Every ASCII punctuation character may be backslash-escaped in CommonMark; these are the ones
# that can start markup, a link, raw HTML, an entity or a cell boundary.
_SPECIAL = set("\\`*_{}[]<>()#+!|~&")


def cell(text: str) -> str:
    """``text`` safe inside one GitHub-flavoured Markdown table cell."""
    out = []
    for char in text.replace("\r\n", "\n"):
        if char == "\n":
            out.append("<br>")
        elif char in _SPECIAL:
            out.append("\\" + char)
        else:
            out.append(one_line(char))
    return "".join(out)


def _table(header: Sequence[str], align: str, rows: List[Sequence[str]]) -> List[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


class MarkdownFormatter:
    name = "markdown"

    def __init__(self, max_rows: int = DEFAULT_MAX_ROWS) -> None:
        self.max_rows = max_rows

    def render(self, report: ReportInput) -> str:
        findings: Sequence[Finding] = report_order(report)
        if not findings:
            return f"## {TOOL_NAME}\n\nAll checks passed!\n"
        lines = [f"## {TOOL_NAME}: {plural(len(findings), 'problem')}", ""]
        severities = [(cell(s), str(n)) for s, n in severity_counts(findings).items()]
        lines += _table(("Severity", "Count"), (" --- ", " ---: "), severities)
        lines += ["", "### Rules", ""]
        rules = [
            (cell(rule_id), cell(rule_name(report, rule_id)), str(count))
            for rule_id, count in rule_counts(findings)
        ]
        lines += _table(("Rule", "Name", "Count"), (" --- ", " --- ", " ---: "), rules)
        lines += ["", "### Findings", ""]
        rows = [
            (cell(raw_location(f)), cell(f.rule_id), cell(f.severity), cell(f.message))
            for f in findings[: self.max_rows]
        ]
        lines += _table(("Location", "Rule", "Severity", "Message"), (" --- ",) * 4, rows)
        hidden = len(findings) - len(rows)
        if hidden > 0:
            lines += ["", f"… and {hidden} more."]
        return "\n".join(lines) + "\n"

