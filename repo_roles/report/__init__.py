"""The output formats: one module per ``--output-format`` name, listed in :data:`FORMATTERS`.

``render(fmt, report)`` returns the complete text (trailing newline included; ``""`` when a
format has nothing to say, e.g. ``github`` on a clean run); the CLI writes it unchanged.
Adding a format: a module with a class that has ``name`` and ``render(report) -> str``, one line
in :data:`FORMATTERS`, a golden file under ``tests/golden/report/``.
"""

from __future__ import annotations

from typing import Dict

from repo_roles.errors import UsageError
from repo_roles.report.base import Formatter, ReportInput, render_statistics
from repo_roles.report.concise import ConciseFormatter
from repo_roles.report.full import FullFormatter
from repo_roles.report.github import GithubFormatter
from repo_roles.report.gitlab import GitlabFormatter
from repo_roles.report.json_format import JsonFormatter
from repo_roles.report.json_lines import JsonLinesFormatter
from repo_roles.report.junit import JunitFormatter
from repo_roles.report.markdown import MarkdownFormatter
from repo_roles.report.sarif import SarifFormatter

__all__ = ["FORMATTERS", "Formatter", "ReportInput", "render", "render_statistics"]

# The order is the order `--help` should list them in: human formats first, then CI formats.
FORMATTERS: Dict[str, Formatter] = {
    "concise": ConciseFormatter(),
    "full": FullFormatter(),
    "json": JsonFormatter(),
    "json-lines": JsonLinesFormatter(),
    "github": GithubFormatter(),
    "gitlab": GitlabFormatter(),
    "junit": JunitFormatter(),
    "sarif": SarifFormatter(),
    "markdown": MarkdownFormatter(),
}


def render(fmt: str, report: ReportInput) -> str:
    """The text of ``report`` in output format ``fmt`` (a key of :data:`FORMATTERS`)."""
    formatter = FORMATTERS.get(fmt)
    if formatter is None:
        choices = ", ".join(FORMATTERS)
        raise UsageError(f"unknown output format {fmt!r} (choose from: {choices})")
    return formatter.render(report)
