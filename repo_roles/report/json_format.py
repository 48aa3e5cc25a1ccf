"""``--output-format json``: a JSON array with one object per finding, shaped like ruff's.

Each object (keys in this order)::

    {
      "code": "RR101",                      # rule id
      "name": "missing-docstring",          # rule name ("" for an id the registry lacks)
      "message": "…",
      "severity": "error",                  # error | warning | info
      "filename": "src/app.py",             # relative POSIX; "" for repository-wide findings
      "location": {"row": 3, "column": 5},  # null without a line; "column" null without one
      "end_location": {"row": 3, "column": 12} | null,
      "key": "…",                           # the finding's stable identity detail
      "fingerprint": "…"                    # 32 hex digits, no line numbers (see base.fingerprints)
    }

Non-ASCII text is written as ``\\u`` escapes so the output is plain ASCII whatever the
terminal's encoding; every JSON parser restores it.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence

from repo_roles.findings import Finding
from repo_roles.report.base import ReportInput, fingerprints, report_order, rule_name


def _position(row: Optional[int], column: Optional[int]) -> Optional[Dict[str, Optional[int]]]:
    if row is None:
        return None
    return {"row": row, "column": column}


def finding_objects(report: ReportInput) -> List[Dict[str, Any]]:
    """The per-finding objects shared by ``json`` and ``json-lines``."""
    findings: Sequence[Finding] = report_order(report)
    return [
        {
            "code": f.rule_id,
            "name": rule_name(report, f.rule_id),
            "message": f.message,
            "severity": f.severity,
            "filename": f.path,
            "location": _position(f.line, f.column),
            "end_location": _position(f.end_line, f.end_column),
            "key": f.key,
            "fingerprint": fingerprint,
        }
        for f, fingerprint in zip(findings, fingerprints(findings, report.fingerprint))
    ]


class JsonFormatter:
    name = "json"

    def render(self, report: ReportInput) -> str:
        return json.dumps(finding_objects(report), indent=2) + "\n"
