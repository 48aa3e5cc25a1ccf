"""``--output-format full``: the concise line, the offending source line with a caret, the rule.

::

    src/app.py:3:5: RR101 Function has no docstring
      |
    3 | def handler(event):
      |     ^^^^^^^ RR101
      |
      = error RR101 (missing-docstring): Public functions are documented

The source line is read from the project root; a missing or unreadable file, a line past the
end, or a path that resolves outside the root (a symlink) just leaves the snippet out.  Tabs are
expanded and control characters escaped before the caret is placed, so it lines up (wide East
Asian characters may still shift it).  Findings are separated by a blank line; the summary
line and ``statistics`` behave as in ``concise``.
"""

from __future__ import annotations

from typing import List, Optional

from repo_roles.findings import Finding
from repo_roles.report.base import (
    ReportInput,
    one_line,
    report_order,
    SourceLines,
    render_statistics,
    rule_name,
    rule_summary,
    summary_line,
    text_line,
)

_TAB_WIDTH = 4


def _display(text: str) -> str:
    return one_line(text.expandtabs(_TAB_WIDTH))


def _snippet(finding: Finding, source: str) -> List[str]:
    number = str(finding.line)
    gutter = " " * len(number)
    lines = [f"{gutter} |", f"{number} | {_display(source)}".rstrip()]
    if finding.column is not None:
        start = finding.column - 1
        # The caret width covers the finding's span when it stays on this line.
        width = 1
        if finding.end_line in (None, finding.line) and finding.end_column is not None:
            width = max(1, finding.end_column - finding.column)
        pad = len(_display(source[:start])) + max(0, start - len(source))
        marked = source[start : start + width]
        carets = "^" * max(1, len(_display(marked)) if marked else width)
        lines.append(f"{gutter} | {' ' * pad}{carets} {finding.rule_id}")
    lines.append(f"{gutter} |")
    return lines


def _rule_line(report: ReportInput, finding: Finding) -> str:
    name = rule_name(report, finding.rule_id)
    summary = rule_summary(report, finding.rule_id)
    text = f"= {finding.severity} {finding.rule_id}"
    if name:
        text += f" ({name})"
    if summary:
        text += f": {one_line(summary)}"
    return text


def render_one(report: ReportInput, finding: Finding, sources: Optional[SourceLines] = None) -> str:
    """One finding with its source line; ``sources``: the report's files, read once each."""
    lines = [text_line(finding)]
    source: Optional[str] = None
    if finding.line is not None:
        source = (sources or SourceLines(report.root)).line(finding.path, finding.line)
    indent = "  "
    if source is not None:
        lines.extend(_snippet(finding, source))
        indent = " " * (len(str(finding.line)) + 1)  # line the "=" up with the gutter's "|"
    lines.append(indent + _rule_line(report, finding))
    return "\n".join(lines)


class FullFormatter:
    name = "full"

    def render(self, report: ReportInput) -> str:
        if report.statistics:
            return render_statistics(report)
        sources = SourceLines(report.root)
        blocks = [render_one(report, finding, sources) for finding in report_order(report)]
        blocks.append(summary_line(report.findings))
        return "\n\n".join(blocks) + "\n"
