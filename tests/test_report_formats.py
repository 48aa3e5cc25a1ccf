"""Output formats: golden files per format, plus parsing each structured format back.

Goldens live in ``tests/golden/report/`` (one file per ``--output-format``).  After an intended
change to a format, regenerate them and review the diff::

    REPO_ROLES_UPDATE_GOLDEN=1 python -m pytest tests/test_report_formats.py

The fixed findings are deliberately awkward: paths with spaces, unicode, ``#``, ``%``, ``,`` and
``:`` and a newline; a message with a newline and an ANSI escape; missing lines and columns;
repository-wide findings; a rule id the registry does not know; all three severities; two
findings whose fingerprints would collide; a symlink out of the root and a missing file.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Dict, List
from urllib.parse import unquote

import pytest

from repo_roles.checks.registry import Rule
from repo_roles.errors import UsageError
from repo_roles.findings import Finding
from repo_roles.report import FORMATTERS, ReportInput, render, render_statistics
from repo_roles.report.markdown import MarkdownFormatter

GOLDEN_DIR = Path(__file__).parent / "golden" / "report"
UPDATE = os.environ.get("REPO_ROLES_UPDATE_GOLDEN") == "1"
SARIF_SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "sarif-schema-2.1.0.json"
GOLDEN_NAMES = {
    "concise": "concise.txt",
    "full": "full.txt",
    "json": "json.json",
    "json-lines": "json-lines.jsonl",
    "github": "github.txt",
    "gitlab": "gitlab.json",
    "junit": "junit.xml",
    "sarif": "sarif.json",
    "markdown": "markdown.md",
}
ROOT_PLACEHOLDER = "file:///PROJECT/"


def _rule(id: str, name: str, summary: str, severity: str) -> Rule:
    return Rule(id, name, summary, severity, f"{summary}.\n\nWhy: *because* | it matters.", lambda ctx: [])


RULES: Dict[str, Rule] = {
    r.id: r
    for r in (
        _rule("RR101", "missing-docstring", "Public functions are documented", "error"),
        _rule("RR102", "unknown-owner", "Owners are in the roster", "warning"),
        _rule("RR103", "missing-test", "Source files have tests", "info"),
        _rule("RR104", "odd-name", "File names are portable", "warning"),
        _rule("RR900", "no-codeowners", "The repository has a CODEOWNERS file", "error"),
    )
}

FINDINGS: List[Finding] = [
    Finding("RR101", "Function `handler` has no docstring", "src/app.py", 3, 5, "error", "handler", 3, 12),
    Finding("RR101", "Function `tabbed` has no docstring", "src/tabs.py", 2, 6, "error", "tabbed", 2, 12),
    Finding("RR102", "Owner @ghost is not in the roster", "docs/read me.md", 1, None, "warning", "@ghost"),
    Finding("RR103", "ünïcode.py has no test", "src/naïve/ünïcode.py", None, None, "info", "ünïcode.py"),
    Finding("RR104", "100% odd: #hash | pipe", "dir#1/file%20x.py", 2, 1, "warning", "dir#1"),
    Finding("RR104", "Line one\nline two, with: colon", "a,b:c.py", 1, 2, "warning", "a,b"),
    Finding("RR104", "Name has a newline \x1b[31mred\x1b[0m", "weird\nname.py", None, None, "warning", "nl"),
    Finding("RR900", "No CODEOWNERS file", "", severity="error", key="codeowners"),
    Finding("XX001", "A rule the registry does not know", "", severity="info", key="xx"),
    Finding("RR101", "Function `secret` has no docstring", "link.py", 1, 1, "error", "secret"),
    Finding("RR101", "Function `gone` has no docstring", "gone.py", 4, 2, "error", "gone"),
    # Same rule, path and key as each other: fingerprints must still differ.
    Finding("RR102", "Owner @dup is not in the roster", "CODEOWNERS", 2, 1, "warning", "@dup"),
    Finding("RR102", "Owner @dup is not in the roster", "CODEOWNERS", 5, 1, "warning", "@dup"),
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("import os\n\ndef handler(event):\n    return event\n", "utf-8")
    (root / "src" / "tabs.py").write_text("if True:\n\tdef tabbed():\n\t\tpass\n", "utf-8")
    outside = tmp_path / "outside.py"
    outside.write_text("TOP_SECRET = 1\n", "utf-8")
    os.symlink(outside, root / "link.py")  # points out of the root: full must not show it
    return root


def _report(root: Path, findings: List[Finding] = FINDINGS, **kwargs: object) -> ReportInput:
    return ReportInput(findings, RULES, root, "1.2.3", **kwargs)  # type: ignore[arg-type]


def _normalise(text: str, root: Path) -> str:
    return text.replace(root.resolve().as_uri().rstrip("/") + "/", ROOT_PLACEHOLDER)


@pytest.mark.parametrize("fmt", list(FORMATTERS))
def test_golden(fmt: str, project: Path) -> None:
    text = _normalise(render(fmt, _report(project)), project)
    golden = GOLDEN_DIR / GOLDEN_NAMES[fmt]
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(text.encode("utf-8"))
    assert golden.exists(), f"{golden} missing: run with REPO_ROLES_UPDATE_GOLDEN=1"
    assert text == golden.read_bytes().decode("utf-8")


def test_every_format_has_a_golden_and_a_matching_name() -> None:
    assert set(GOLDEN_NAMES) == set(FORMATTERS)
    assert all(formatter.name == key for key, formatter in FORMATTERS.items())


@pytest.mark.parametrize("fmt", list(FORMATTERS))
def test_output_does_not_depend_on_input_order(fmt: str, project: Path) -> None:
    forward = render(fmt, _report(project))
    assert render(fmt, _report(project, list(reversed(FINDINGS)))) == forward


def test_unknown_format_is_a_usage_error(project: Path) -> None:
    with pytest.raises(UsageError, match="unknown output format 'xml'.*concise"):
        render("xml", _report(project))


# --- concise, full, statistics ------------------------------------------------------------------


def test_concise_one_line_per_finding_and_a_summary(project: Path) -> None:
    lines = render("concise", _report(project)).splitlines()
    assert len(lines) == len(FINDINGS) + 1
    assert lines[-1] == "Found 13 problems (5 errors, 6 warnings, 2 info)."
    assert "src/app.py:3:5: RR101 Function `handler` has no docstring" in lines
    assert "docs/read me.md:1: RR102 Owner @ghost is not in the roster" in lines
    assert "src/naïve/ünïcode.py: RR103 ünïcode.py has no test" in lines
    assert ".: RR900 No CODEOWNERS file" in lines
    # the path quoted as git (and ``ls``) quote it; the message's control characters escaped
    assert '"weird\\nname.py": RR104 Name has a newline \\x1b[31mred\\x1b[0m' in lines


@pytest.mark.parametrize("fmt", ["concise", "full"])
def test_text_formats_say_all_clear_when_clean(fmt: str, project: Path) -> None:
    assert render(fmt, _report(project, [])) == "All checks passed!\n"


def test_full_reads_each_file_once(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many findings in one file: one read of it, not one per finding."""
    from repo_roles.report.base import SourceLines

    reads: List[str] = []
    real = SourceLines._read

    def counting(self: SourceLines, path: str) -> object:
        reads.append(path)
        return real(self, path)

    monkeypatch.setattr(SourceLines, "_read", counting)
    twice = [FINDINGS[0], FINDINGS[0]._replace(line=1, column=None, message="again")]
    text = render("full", _report(project, twice))
    assert reads == ["src/app.py"]
    assert "3 | def handler(event):" in text


def test_full_shows_the_line_and_a_caret_under_the_span(project: Path) -> None:
    text = render("full", _report(project, [FINDINGS[0]]))
    assert text.splitlines()[:6] == [
        "src/app.py:3:5: RR101 Function `handler` has no docstring",
        "  |",
        "3 | def handler(event):",
        "  |     ^^^^^^^ RR101",
        "  |",
        "  = error RR101 (missing-docstring): Public functions are documented",
    ]


def test_full_expands_tabs_before_placing_the_caret(project: Path) -> None:
    lines = render("full", _report(project, [FINDINGS[1]])).splitlines()
    assert lines[2:4] == ["2 |     def tabbed():", "  |         ^^^^^^ RR101"]


def test_full_never_reads_through_a_symlink_out_of_the_root(project: Path) -> None:
    text = render("full", _report(project, [FINDINGS[9]]))
    assert "TOP_SECRET" not in text
    assert text.startswith("link.py:1:1: RR101 Function `secret` has no docstring\n  = error RR101")


@pytest.mark.parametrize("path", ["gone.py", "../outside.py", "/etc/hostname", "nul\0byte.py"])
def test_full_skips_the_snippet_for_unreadable_paths(path: str, project: Path) -> None:
    text = render("full", _report(project, [Finding("RR101", "m", path, 1, 1)]))
    assert " | " not in text and "TOP_SECRET" not in text


def test_statistics_counts_per_rule_most_frequent_first(project: Path) -> None:
    text = render_statistics(_report(project))
    assert [line.split()[:2] for line in text.splitlines()] == [
        ["4", "RR101"], ["3", "RR102"], ["3", "RR104"], ["1", "RR103"], ["1", "RR900"], ["1", "XX001"]
    ]
    assert text.splitlines()[0] == "4  RR101  missing-docstring  Public functions are documented"
    assert render("concise", _report(project, statistics=True)) == text
    assert render_statistics(_report(project, [])) == ""


# --- json, json-lines ---------------------------------------------------------------------------


def test_json_parses_back_to_the_findings(project: Path) -> None:
    objects = json.loads(render("json", _report(project)))
    by_fingerprint = {o["fingerprint"] for o in objects}
    assert len(by_fingerprint) == len(FINDINGS)
    restored = {
        (o["code"], o["message"], o["filename"], (o["location"] or {}).get("row"), o["severity"])
        for o in objects
    }
    assert restored == {(f.rule_id, f.message, f.path, f.line, f.severity) for f in FINDINGS}
    app = next(o for o in objects if o["filename"] == "src/app.py")
    assert app["location"] == {"row": 3, "column": 5}
    assert app["end_location"] == {"row": 3, "column": 12}
    assert app["name"] == "missing-docstring"
    assert next(o for o in objects if o["code"] == "XX001")["name"] == ""


def test_json_lines_is_the_json_array_one_object_per_line(project: Path) -> None:
    text = render("json-lines", _report(project))
    lines = text.splitlines()
    assert len(lines) == len(FINDINGS)
    assert [json.loads(line) for line in lines] == json.loads(render("json", _report(project)))
    assert render("json-lines", _report(project, [])) == ""
    assert json.loads(render("json", _report(project, []))) == []


def test_fingerprints_ignore_line_numbers(project: Path) -> None:
    shifted = [f._replace(line=(f.line or 0) + 10, end_line=None) for f in FINDINGS]
    for fmt in ("json", "gitlab"):
        before = [o["fingerprint"] for o in json.loads(render(fmt, _report(project)))]
        after = [o["fingerprint"] for o in json.loads(render(fmt, _report(project, shifted)))]
        assert sorted(before) == sorted(after)


# --- github -------------------------------------------------------------------------------------

_COMMAND = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")


def _unescape(text: str) -> str:
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, char)
    return text


def test_github_commands_escape_as_the_actions_toolkit_documents(project: Path) -> None:
    """Escaping per GitHub docs "Workflow commands for GitHub Actions" / @actions/core command.ts."""
    lines = render("github", _report(project)).splitlines()
    assert len(lines) == len(FINDINGS)
    parsed = []
    for line in lines:
        match = _COMMAND.match(line)
        assert match, line
        props = dict(item.split("=", 1) for item in match.group(2).split(","))
        parsed.append((match.group(1), {k: _unescape(v) for k, v in props.items()}, _unescape(match.group(3))))
    levels = {level for level, _, _ in parsed}
    assert levels == {"error", "warning", "notice"}
    comma = next(p for p in parsed if p[1].get("file") == "a,b:c.py")
    assert comma[1] == {"title": "repo-roles (RR104)", "file": "a,b:c.py", "line": "1", "col": "2"}
    assert comma[2] == "a,b:c.py:1:2: RR104 Line one\nline two, with: colon"
    percent = next(p for p in parsed if p[1].get("file") == "dir#1/file%20x.py")
    assert percent[2].endswith("RR104 100% odd: #hash | pipe")
    weird = next(p for p in parsed if p[1].get("file") == "weird\nname.py")
    assert weird[2].endswith("newline \\x1b[31mred\\x1b[0m")  # no raw ESC reaches the log
    repo_wide = next(p for p in parsed if "RR900" in p[1]["title"])
    assert "file" not in repo_wide[1]
    assert render("github", _report(project, [])) == ""


# --- gitlab -------------------------------------------------------------------------------------

# The fields https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format requires.
GITLAB_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string"},
            "check_name": {"type": "string"},
            "fingerprint": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}


def test_gitlab_code_quality_structure(project: Path) -> None:
    import jsonschema

    issues = json.loads(render("gitlab", _report(project)))
    jsonschema.validate(issues, GITLAB_SCHEMA)
    assert len(issues) == len(FINDINGS)
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    assert {i["severity"] for i in issues} == {"major", "minor", "info"}
    repo_wide = next(i for i in issues if i["check_name"] == "RR900")
    assert repo_wide["location"] == {"path": ".", "lines": {"begin": 1}}
    assert json.loads(render("gitlab", _report(project, []))) == []


# --- junit --------------------------------------------------------------------------------------


def test_junit_parses_back_grouped_per_file(project: Path) -> None:
    root = ET.fromstring(render("junit", _report(project)).encode("utf-8"))
    assert root.tag == "testsuites"
    assert root.get("tests") == root.get("failures") == str(len(FINDINGS))
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert len(suites) == len({f.path for f in FINDINGS})
    owners = suites["CODEOWNERS"].findall("testcase")
    assert suites["CODEOWNERS"].get("failures") == "2" and len(owners) == 2
    assert [c.get("line") for c in owners] == ["2", "5"]
    assert all(c.get("name") == "org.repo-roles.RR102" for c in owners)
    app = suites["src/app.py"].find("testcase")
    assert app is not None and app.get("classname") == "src/app" and app.get("column") == "5"
    failure = app.find("failure")
    assert failure is not None and failure.text == "line 3, col 5, Function `handler` has no docstring"
    # Newlines survive in attributes (written as &#10;); ESC, which XML 1.0 forbids, is escaped.
    comma = suites["a,b:c.py"].find("testcase/failure")
    assert comma is not None and comma.get("message") == "Line one\nline two, with: colon"
    weird = suites["weird\nname.py"].find("testcase/failure")
    assert weird is not None and weird.get("message") == "Name has a newline \\x1b[31mred\\x1b[0m"
    assert "line" not in suites["."].find("testcase").attrib  # type: ignore[union-attr]


def test_junit_clean_run_is_one_passing_case(project: Path) -> None:
    root = ET.fromstring(render("junit", _report(project, [])))
    cases = root.findall("testsuite/testcase")
    assert root.get("failures") == "0" and len(cases) == 1 and cases[0].find("failure") is None


# --- sarif --------------------------------------------------------------------------------------


def _sarif_validator() -> Any:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"official SARIF schema not found at {SARIF_SCHEMA} (shared checkout absent)")
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text("utf-8"))
    cls = jsonschema.validators.validator_for(schema)  # the schema's own $schema draft
    cls.check_schema(schema)
    return cls(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("findings", [FINDINGS, []], ids=["findings", "clean"])
def test_sarif_validates_against_the_official_schema(findings: List[Finding], project: Path) -> None:
    log = json.loads(render("sarif", _report(project, findings)))
    validator = _sarif_validator()
    errors = sorted(validator.iter_errors(log), key=str)
    assert not errors, "\n".join(e.message for e in errors[:5])
    del log["runs"][0]["tool"]["driver"]["name"]  # and the validator does bite
    assert not validator.is_valid(log)


def test_sarif_results_point_at_rules_and_encoded_uris(project: Path) -> None:
    log = json.loads(render("sarif", _report(project)))
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "repo-roles" and driver["version"] == "1.2.3"
    rules = driver["rules"]
    assert [r["id"] for r in rules] == sorted({f.rule_id for f in FINDINGS})
    assert rules[0]["defaultConfiguration"] == {"level": "error"}
    assert rules[0]["help"]["markdown"] == RULES["RR101"].doc
    assert rules[-1] == {"id": "XX001"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.resolve().as_uri() + "/"
    results = run["results"]
    assert len(results) == len(FINDINGS)
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    assert {r["level"] for r in results} == {"error", "warning", "note"}
    uris = {}
    for result in results:
        if "locations" not in result:
            assert result["ruleId"] in ("RR900", "XX001")  # repository-wide
            continue
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert re.fullmatch(r"[A-Za-z0-9/%._~-]+", artifact["uri"]), artifact["uri"]
        uris[unquote(artifact["uri"])] = result
    assert set(uris) == {f.path for f in FINDINGS if f.path}
    assert uris["dir#1/file%20x.py"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "dir%231/file%2520x.py"
    )
    assert "region" not in uris["src/naïve/ünïcode.py"]["locations"][0]["physicalLocation"]
    assert uris["docs/read me.md"]["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    assert uris["src/app.py"]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 12
    }
    fingerprints = [r["partialFingerprints"]["repoRoles/v2"] for r in results]
    assert len(set(fingerprints)) == len(fingerprints)


# --- markdown -----------------------------------------------------------------------------------


def _cells(row: str) -> List[str]:
    return re.split(r"(?<!\\)\|", row.strip())[1:-1]


def test_markdown_tables_keep_their_shape(project: Path) -> None:
    text = render("markdown", _report(project))
    assert text.startswith("## repo-roles: 13 problems\n")
    rows = [line for line in text.splitlines() if line.startswith("|")]
    widths = {len(_cells(row)) for row in rows}
    assert widths == {2, 3, 4}  # severity, rule and findings tables; no cell split a row
    findings_rows = [r for r in rows if len(_cells(r)) == 4][2:]
    assert len(findings_rows) == len(FINDINGS)
    assert "| a,b:c.py:1:2 | RR104 | warning | Line one<br>line two, with: colon |" in rows
    assert "| 100% odd: \\#hash \\| pipe |" in next(r for r in rows if "dir\\#1" in r)
    assert "| RR101 | missing\\-docstring | 4 |" not in rows  # "-" needs no escape
    assert "| RR101 | missing-docstring | 4 |" in rows


def test_markdown_caps_the_findings_table(project: Path) -> None:
    text = MarkdownFormatter(max_rows=3).render(_report(project))
    finding_rows = [line for line in text.splitlines() if line.startswith("|") and len(_cells(line)) == 4]
    assert len(finding_rows) == 2 + 3
    assert text.endswith(f"\n… and {len(FINDINGS) - 3} more.\n")
    assert MarkdownFormatter().render(_report(project, [])) == "## repo-roles\n\nAll checks passed!\n"


def test_text_lines_is_text_line_of_each_finding() -> None:
    """The batch form (one check over all lines at once) escapes exactly as the per-part form."""
    from repo_roles.report.base import text_line, text_lines

    odd = FINDINGS + [Finding("RR104", "tab\there", "p\u2028q.py", 3, None, "warning", "t"),
                      Finding("RR104", "column without line", "x.py", None, 4, "warning", "c")]
    plain = [f for f in odd if "\\" not in text_line(f)]  # nothing escaped: the all-at-once path
    assert plain and len(plain) < len(odd)
    for findings in (odd, plain, []):
        assert text_lines(findings) == [text_line(f) for f in findings]


def test_presorted_report_renders_as_a_sorted_one(project: Path) -> None:
    """``presorted`` (the engine's findings, sorted once) only skips the second sort."""
    ordered = sorted(FINDINGS, key=Finding.sort_key)
    presorted = render("concise", _report(project, ordered, presorted=True))
    assert presorted == render("concise", _report(project, FINDINGS))
    # and it is trusted, not sorted again: every format keeps the order it is given
    backwards = list(reversed(ordered))
    for fmt in ("concise", "full", "json", "github", "junit", "sarif", "markdown", "gitlab"):
        assert render(fmt, _report(project, backwards, presorted=True)) != render(fmt, _report(project, backwards)), fmt
