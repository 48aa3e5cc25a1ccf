"""``--output-format github``: GitHub Actions workflow commands that annotate the pull request.

::

    ::error title=repo-roles (RR101),file=src/app.py,line=3,col=5::src/app.py:3:5: RR101 message

Severity ``error`` → ``::error``, ``warning`` → ``::warning``, ``info`` → ``::notice``.
Escaping follows the Actions toolkit (``@actions/core`` ``command.ts``): in the message ``%``,
``\\r``, ``\\n`` become ``%25``, ``%0D``, ``%0A``; property values additionally escape ``:`` and
``,`` (``%3A``, ``%2C``), which would otherwise end the value.  Other control characters
(ESC would colour the log) are shown as escapes such as ``\\x1b``.  ``file`` is relative to the
repository root (GitHub resolves it there): the project's ``path_prefix`` is put in front.  A
repository-wide finding carries no ``file``.  Nothing is written when clean.
"""

from __future__ import annotations

from typing import List, Tuple

from repo_roles.findings import Finding
from repo_roles.report.base import TOOL_NAME, ReportInput, one_line, report_order, raw_location

_LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    # Other control characters have no toolkit escape; ESC would colour the log, so show them.
    text = one_line(text, keep="\r\n")
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _properties(finding: Finding) -> List[Tuple[str, str]]:
    props = [("title", f"{TOOL_NAME} ({finding.rule_id})")]
    if finding.path:
        props.append(("file", finding.path))
        if finding.line is not None:
            props.append(("line", str(finding.line)))
            if finding.column is not None:
                props.append(("col", str(finding.column)))
            if finding.end_line is not None:
                props.append(("endLine", str(finding.end_line)))
                if finding.end_column is not None:
                    props.append(("endColumn", str(finding.end_column)))
    return props


def command(finding: Finding, path_prefix: str = "") -> str:
    if path_prefix and finding.path:
        finding = finding._replace(path=path_prefix + finding.path)
    level = _LEVELS.get(finding.severity, "error")
    props = ",".join(f"{key}={escape_property(value)}" for key, value in _properties(finding))
    # The raw path, not the escaped text form: escape_data encodes newlines losslessly.
    data = f"{raw_location(finding)}: {finding.rule_id} {finding.message}"
    return f"::{level} {props}::{escape_data(data)}"


class GithubFormatter:
    name = "github"

    def render(self, report: ReportInput) -> str:
        prefix = report.path_prefix
        return "".join(command(finding, prefix) + "\n" for finding in report_order(report))
