"""Wording shared by the ownership rules: a CODEOWNERS line as written, a file count.

Kept apart from ``_usage`` (the whole-repository analysis) so the file-scope rules that run on
every pre-commit call do not load that analysis and its path index.
"""

from __future__ import annotations

from typing import Iterator

from repo_roles.findings import Finding
from repo_roles.ownership.codeowners import OwnerRule, ParsedCodeowners


def describe(rule: OwnerRule) -> str:
    """A rule as written, blanks collapsed: ``/backend/ @shop/backend``."""
    text = " ".join(rule.raw.split())
    return text or rule.pattern


def count_files(n: int) -> str:
    return f"{n} file" if n == 1 else f"{n} files"


def parse_issue_findings(rule_id: str, parsed: ParsedCodeowners, severity: str) -> Iterator[Finding]:
    """The CODEOWNERS parser's issues of one severity as findings: OWN002 the lines the host
    cannot use (errors), OWN014 the lines used as written with a doubt (warnings)."""
    for issue in parsed.issues:
        if issue.severity == severity:
            yield Finding(
                rule_id,
                f"{issue.message} [{issue.code}]",
                parsed.path,
                issue.line,
                issue.column,
                severity=severity,
                key=f"{issue.code}: {issue.message}",
            )
