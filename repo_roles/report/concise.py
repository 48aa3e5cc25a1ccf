"""``--output-format concise``: one ``path:line:col: ID message`` line per finding, like ruff.

Missing parts are left out (``path:line: ID message``, ``path: ID message``); repository-wide
findings use ``.`` as their path.  Control characters in paths and messages are escaped so one
finding is always one line (editors and ``grep`` rely on it).  A summary line ends the output:
``Found N problems (…).``, or ruff's ``All checks passed!`` when there is nothing.
With ``statistics`` the listing is replaced by per-rule counts, as ``ruff --statistics`` does.
"""

from __future__ import annotations

from repo_roles.report.base import ReportInput, render_statistics, report_order, summary_line, text_lines


class ConciseFormatter:
    name = "concise"

    def render(self, report: ReportInput) -> str:
        if report.statistics:
            return render_statistics(report)
        lines = text_lines(report_order(report))
        lines.append(summary_line(report.findings))
        return "\n".join(lines) + "\n"
