"""``--output-format gitlab``: a GitLab Code Quality report (``artifacts:reports:codequality``).

A JSON array of issues with the fields GitLab requires
(https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format)::

    {
      "description": "RR101: message",
      "check_name": "RR101",
      "fingerprint": "…",          # rule id + key + content, no line numbers, no path (base.fingerprints)
      "severity": "major",         # error → major, warning → minor, info → info
      "location": {"path": "src/app.py", "lines": {"begin": 3}}   # + "end" when known
    }

GitLab requires a path and a begin line: a finding without a line starts at line 1, and a
repository-wide finding points at ``.`` (the project root).  GitLab collapses issues with equal
fingerprints, so colliding ones get an occurrence number (see ``base.fingerprints``).
"""

from __future__ import annotations

import json
from typing import Any, Dict, Sequence

from repo_roles.findings import Finding
from repo_roles.report.base import REPOSITORY_WIDE, ReportInput, fingerprints, report_order

# Code Quality knows info|minor|major|critical|blocker; ours has three levels. "major" for
# errors (as ruff reports everything) keeps critical/blocker for security scanners.
SEVERITY_MAP = {"error": "major", "warning": "minor", "info": "info"}


def _issue(finding: Finding, fingerprint: str, prefix: str) -> Dict[str, Any]:
    begin = finding.line if finding.line is not None else 1
    lines: Dict[str, int] = {"begin": begin}
    if finding.end_line is not None and finding.end_line >= begin:
        lines["end"] = finding.end_line
    return {
        "description": f"{finding.rule_id}: {finding.message}",
        "check_name": finding.rule_id,
        "fingerprint": fingerprint,
        "severity": SEVERITY_MAP.get(finding.severity, "major"),
        # GitLab resolves paths against the repository root: put the project's prefix in front.
        "location": {"path": prefix + finding.path if finding.path else prefix.rstrip("/") or REPOSITORY_WIDE,
                     "lines": lines},
    }


class GitlabFormatter:
    name = "gitlab"

    def render(self, report: ReportInput) -> str:
        findings: Sequence[Finding] = report_order(report)
        prints = fingerprints(findings, report.fingerprint)
        issues = [_issue(f, fp, report.path_prefix) for f, fp in zip(findings, prints)]
        return json.dumps(issues, indent=2) + "\n"
