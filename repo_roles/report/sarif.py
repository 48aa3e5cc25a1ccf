"""``--output-format sarif``: SARIF 2.1.0 (OASIS), e.g. for GitHub code scanning.

One run whose ``tool.driver`` lists the rules that have findings (sorted by id; an id the
registry does not know gets a bare descriptor so every ``ruleIndex`` is valid).  Each result
carries ``ruleId``, ``ruleIndex``, ``level`` (error → error, warning → warning, info → note),
``message.text`` and ``partialFingerprints`` (the content fingerprint a baseline entry carries:
rule id, key and normalised content, no line numbers, no path, so it survives a rename).

Locations are relative URIs against ``%SRCROOT%`` (declared in ``originalUriBaseIds`` as the
repository root: a project in a sub-folder puts its ``path_prefix`` in front of every path, as
GitHub code scanning expects paths relative to the repository), percent-encoded as RFC 3986 requires: spaces, ``#``, ``%``, non-ASCII (as UTF-8).
``region`` is left out without a line, ``startColumn``/``endColumn`` without columns
(``endColumn`` is exclusive, as in ``Finding``); columns count code points.  Repository-wide
findings have no location at all (SARIF allows it; GitHub code scanning may not show them).
"""

from __future__ import annotations

import json
from typing import Any, Dict, Optional, Sequence
from urllib.parse import quote

from repo_roles.checks.registry import Rule
from repo_roles.findings import Finding
from repo_roles.report.base import INFORMATION_URI, TOOL_NAME, ReportInput, fingerprints, report_order

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "repoRoles/v2"  # v2: content fingerprints (v1 hashed the path in)
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def artifact_uri(path: str) -> str:
    """A relative URI reference for a POSIX path: only unreserved characters and ``/`` stay."""
    try:  # an undecodable file name gets its original bytes back
        raw = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = path.encode("utf-8", "surrogatepass")
    return quote(raw, safe="/")


def _descriptor(rule_id: str, rule: Optional[Rule]) -> Dict[str, Any]:
    if rule is None:
        return {"id": rule_id}
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.doc},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "defaultConfiguration": {"level": _LEVELS.get(rule.default_severity, "error")},
    }


def _region(finding: Finding) -> Dict[str, int]:
    region = {"startLine": finding.line}
    if finding.column is not None:
        region["startColumn"] = finding.column
    if finding.end_line is not None and finding.end_line >= region["startLine"]:
        region["endLine"] = finding.end_line
        if finding.end_column is not None and finding.column is not None:
            region["endColumn"] = finding.end_column
    return region


def _result(finding: Finding, index: int, fingerprint: str, prefix: str) -> Dict[str, Any]:
    result: Dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": index,
        "level": _LEVELS.get(finding.severity, "error"),
        "message": {"text": finding.message},
    }
    if finding.path:
        physical: Dict[str, Any] = {
            "artifactLocation": {"uri": artifact_uri(prefix + finding.path), "uriBaseId": "%SRCROOT%"}
        }
        if finding.line is not None:
            physical["region"] = _region(finding)
        result["locations"] = [{"physicalLocation": physical}]
    result["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint}
    return result


def sarif_log(report: ReportInput) -> Dict[str, Any]:
    findings: Sequence[Finding] = report_order(report)
    rule_ids = sorted({f.rule_id for f in findings})
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    results = [
        _result(f, index[f.rule_id], fp, report.path_prefix)
        for f, fp in zip(findings, fingerprints(findings, report.fingerprint))
    ]
    base = report.root.resolve()
    for _ in [part for part in report.path_prefix.split("/") if part]:
        base = base.parent  # from the project root up to the repository root
    # A base URI must end in "/" or relative URIs would resolve against its parent directory.
    root_uri = base.as_uri().rstrip("/") + "/"
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": report.tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": [_descriptor(r, report.rules.get(r)) for r in rule_ids],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root_uri}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


class SarifFormatter:
    name = "sarif"

    def render(self, report: ReportInput) -> str:
        return json.dumps(sarif_log(report), indent=2) + "\n"
