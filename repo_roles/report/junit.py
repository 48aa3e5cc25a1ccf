"""``--output-format junit``: JUnit XML, one ``testsuite`` per file and one failing
``testcase`` per finding, shaped like ruff's JUnit output so CI test tabs show findings::

    <testsuites name="repo-roles" tests="1" failures="1" errors="0">
      <testsuite name="src/app.py" tests="1" disabled="0" errors="0" failures="1" package="org.repo-roles">
        <testcase name="org.repo-roles.RR101" classname="src/app" line="3" column="5">
          <failure message="message">line 3, col 5, message</failure>

Suites follow the order of the files' first findings; repository-wide findings form a suite
named ``.``.  ``classname`` is the path without its suffix (ruff).  ``line``/``column`` are left
out when unknown.  A clean run is one suite with a passing "No problems found" case, as in ruff.
XML 1.0 cannot carry most control characters (nor lone surrogates from undecodable file names)
even as character references, so those are written as visible escapes such as ``\\x1b``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Dict, List

from repo_roles.findings import Finding
from repo_roles.report.base import REPOSITORY_WIDE, TOOL_NAME, ReportInput, report_order

_PACKAGE = f"org.{TOOL_NAME}"


def _xml_safe_char(char: str) -> str:
    code = ord(char)
    if char in "\t\n\r" or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000:
        return char
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (replaced by visible escapes)."""
    return "".join(_xml_safe_char(c) for c in text)


def _classname(path: str) -> str:
    if not path:
        return TOOL_NAME
    directory, _, base = path.rpartition("/")
    stem = base.rsplit(".", 1)[0] if "." in base.lstrip(".") else base
    return xml_text(f"{directory}/{stem}" if directory else stem)


def _where(finding: Finding) -> str:
    parts = []
    if finding.line is not None:
        parts.append(f"line {finding.line}")
        if finding.column is not None:
            parts.append(f"col {finding.column}")
    return ", ".join(parts + [finding.message])


def _testcase(suite: ET.Element, finding: Finding) -> None:
    case = ET.SubElement(
        suite, "testcase", name=f"{_PACKAGE}.{finding.rule_id}", classname=_classname(finding.path)
    )
    if finding.line is not None:
        case.set("line", str(finding.line))
        if finding.column is not None:
            case.set("column", str(finding.column))
    failure = ET.SubElement(case, "failure", message=xml_text(finding.message))
    failure.text = xml_text(_where(finding))


def _suite(parent: ET.Element, name: str, tests: int, failures: int) -> ET.Element:
    return ET.SubElement(
        parent,
        "testsuite",
        name=xml_text(name),
        tests=str(tests),
        disabled="0",
        errors="0",
        failures=str(failures),
        package=_PACKAGE,
    )


class JunitFormatter:
    name = "junit"

    def render(self, report: ReportInput) -> str:
        findings = report_order(report)
        root = ET.Element(
            "testsuites",
            name=TOOL_NAME,
            tests=str(max(1, len(findings))),
            failures=str(len(findings)),
            errors="0",
        )
        if not findings:
            suite = _suite(root, TOOL_NAME, 1, 0)
            ET.SubElement(suite, "testcase", name="No problems found", classname=TOOL_NAME)
        by_file: Dict[str, List[Finding]] = {}
        for finding in findings:
            by_file.setdefault(finding.path, []).append(finding)
        for path, group in by_file.items():
            suite = _suite(root, path or REPOSITORY_WIDE, len(group), len(group))
            for finding in group:
                _testcase(suite, finding)
        ET.indent(root, space="  ")
        body = ET.tostring(root, encoding="unicode")
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
