"""``repo-roles rules`` and ``repo-roles rule ID``: the rule catalogue, from the registry."""

from __future__ import annotations

import json
import re
from typing import Callable

import pytest

from repo_roles.checks.registry import iter_rules
from test_check_cli import fake_rules  # noqa: F401  (fixture)


def test_rules_text_lists_every_rule_with_severity_and_scope(fake_rules: None, run_cli: Callable) -> None:
    result = run_cli("rules")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "NAME", "SEVERITY", "SCOPE", "SUMMARY"]
    ids = [line.split()[0] for line in lines[1:]]
    assert ids == [r.id for r in iter_rules()]
    row = next(line for line in lines if line.startswith("ZZZ902"))
    assert row.split()[:4] == ["ZZZ902", "ownership-seen", "warning", "repository"]
    assert row.endswith("Reports the ownership file")


def test_rules_json_is_a_stable_machine_contract(fake_rules: None, run_cli: Callable) -> None:
    result = run_cli("rules", "--format", "json")
    data = json.loads(result.stdout)
    assert [d["id"] for d in data] == [r.id for r in iter_rules()]
    assert next(d for d in data if d["id"] == "ZZZ901") == {
        "id": "ZZZ901", "name": "marker", "severity": "error", "scope": "file",
        "enabled_by_default": True, "summary": "No VIOLATION markers",
    }


@pytest.mark.parametrize(
    "wanted",
    [pytest.param("ZZZ901", id="by-id"), pytest.param("zzz901", id="id-any-case"), pytest.param("marker", id="by-name")],
)
def test_rule_prints_its_full_documentation(fake_rules: None, run_cli: Callable, wanted: str) -> None:
    result = run_cli("rule", wanted)
    assert result.exit_code == 0
    assert result.stdout.startswith("ZZZ901 (marker)\n\nDefault severity: error; scope: file\n\n")
    assert result.stdout.endswith("No VIOLATION markers.\n\nLong doc.\n")


@pytest.mark.parametrize(
    ("wanted", "hint"),
    [
        pytest.param("ZZZ9O1", "did you mean ZZZ901?", id="typo-suggests-the-id"),
        pytest.param("markr", "did you mean marker?", id="typo-suggests-the-name"),
        pytest.param("QQQ", "`repo-roles rules` lists them", id="nothing-close"),
    ],
)
def test_unknown_rule_exits_2_with_did_you_mean(fake_rules: None, run_cli: Callable, wanted: str, hint: str) -> None:
    result = run_cli("rule", wanted)
    assert result.exit_code == 2 and result.stdout == ""
    assert f"unknown rule {wanted!r}" in result.stderr and hint in result.stderr


# Invariants over the real registry: whatever rules exist, the catalogue can show them.
@pytest.mark.parametrize("rule", list(iter_rules()), ids=lambda r: r.id)
def test_every_real_rule_is_documented(rule, run_cli: Callable) -> None:
    assert re.fullmatch(r"[A-Z]{2,4}\d{3}", rule.id)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.summary and "\n" not in rule.summary
    result = run_cli("rule", rule.id)
    assert result.exit_code == 0 and len(result.stdout.splitlines()) > 4
