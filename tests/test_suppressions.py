"""Inline suppressions (``repo-roles: ignore[...]``) and SUP001 unused-suppression.

Semantics follow ruff's ``noqa`` (https://docs.astral.sh/ruff/linter/#error-suppression): codes
are rule ids or prefixes, a bare directive suppresses everything on its line, a file-level
directive (ruff: ``# ruff: noqa: F401``) covers the whole file; RUF100
(https://docs.astral.sh/ruff/rules/unused-noqa/) reports directives that suppressed nothing and
codes that name no rule.

Two test-only rules keep these tests still when real rules change: ZZZ911 flags every line
containing ``VIOLATION``; ZZZ912 reports a whole-file finding (no line) for files containing
``WHOLE``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator, List

import pytest

from repo_roles.checks.registry import RULES, Rule, iter_rules
from repo_roles.findings import Finding

CODE = "def f():\n    return 1\n"


def _lines(context: Any, path: str) -> List[str]:
    return (context.inventory.read_bytes(path, 1_000_000) or b"").decode("utf-8", "replace").splitlines()


def _violation(context: Any) -> Iterator[Finding]:
    for entry in context.targets:
        for number, line in enumerate(_lines(context, entry.path), start=1):
            if "VIOLATION" in line:
                yield Finding("ZZZ911", "violation", entry.path, number, line.index("VIOLATION") + 1, key=line)


def _whole(context: Any) -> Iterator[Finding]:
    for entry in context.targets:
        if any("WHOLE" in line for line in _lines(context, entry.path)):
            yield Finding("ZZZ912", "whole file", entry.path, key="whole")


@pytest.fixture(autouse=True)
def fake_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    iter_rules()
    monkeypatch.setitem(RULES, "ZZZ911", Rule("ZZZ911", "violation", "VIOLATION lines", "error", "doc", _violation))
    monkeypatch.setitem(RULES, "ZZZ912", Rule("ZZZ912", "whole", "WHOLE files", "error", "doc", _whole))


def check(make_repo: Callable[..., Path], run_cli: Callable, files: dict, *select: str) -> List[str]:
    root = make_repo(files)
    args = ("--select", ",".join(select)) if select else ()
    result = run_cli("check", str(root), *args, "--output-format", "concise")
    assert result.exit_code in (0, 1), result.stderr
    return [line for line in result.stdout.splitlines()[:-1] if line]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("x = 'VIOLATION'  # repo-roles: ignore[ZZZ911]\n", [], id="ruff-noqa-same-line-honoured"),
        pytest.param("x = 'VIOLATION'\n", ["a.py:1:6: ZZZ911 violation"], id="no-suppression-fires"),
        pytest.param("# repo-roles: ignore[ZZZ911]\nx = 'VIOLATION'\n",
                     ["a.py:1: SUP001 unused suppression `repo-roles: ignore[ZZZ911]` (unused: ZZZ911)",
                      "a.py:2:6: ZZZ911 violation"], id="ruff-noqa-other-line-does-not-suppress"),
        pytest.param("x = 'VIOLATION'  # repo-roles: ignore[ZZZ9]\n", [], id="ruff-noqa-prefix-code"),
        pytest.param("x = 'VIOLATION'  # repo-roles: ignore\n", [], id="ruff-noqa-blanket"),
        pytest.param("x = 'VIOLATION'  # repo-roles: ignore[ZZZ912]\n",
                     ["a.py:1: SUP001 unused suppression `repo-roles: ignore[ZZZ912]` (unused: ZZZ912)",
                      "a.py:1:6: ZZZ911 violation"], id="ruff-noqa-other-code-does-not-suppress"),
        pytest.param("# repo-roles: ignore-file[ZZZ911]\nx = 'VIOLATION'\ny = 'VIOLATION'\n", [],
                     id="ruff-file-level-noqa-covers-every-line"),
        pytest.param("# repo-roles: ignore-file[ZZZ912]\nWHOLE = 1\n", [],
                     id="ruff-file-level-noqa-covers-findings-without-line"),
        pytest.param("WHOLE = 1  # repo-roles: ignore[ZZZ912]\n",
                     ["a.py: ZZZ912 whole file",
                      "a.py:1: SUP001 unused suppression `repo-roles: ignore[ZZZ912]` (unused: ZZZ912)"],
                     id="line-suppression-does-not-cover-findings-without-line"),
        pytest.param("x = 'VIOLATION'  # repo-roles: ignore[ZZZ911, QQQ123]\n",
                     ["a.py:1: SUP001 unused suppression `repo-roles: ignore[ZZZ911, QQQ123]` (unknown: QQQ123)"],
                     id="ruf100-unknown-code-reported"),
        pytest.param("x = 1  # repo-roles: ignore[TST001]\n", [], id="ruf100-codes-of-rules-that-did-not-run-not-judged"),
        pytest.param("x = 1  # repo-roles: ignore[SUP001]\n", [], id="sup001-is-a-known-code"),
        pytest.param("x = 1  # repo-roles: ignore\n", [], id="blanket-not-judged-when-rules-were-deselected"),
    ],
)
def test_suppressions(make_repo: Callable[..., Path], run_cli: Callable, source: str, expected: List[str]) -> None:
    assert check(make_repo, run_cli, {"a.py": source}, "ZZZ9", "SUP") == expected


def test_suppression_in_a_typescript_comment(make_repo: Callable[..., Path], run_cli: Callable) -> None:
    files = {"web/a.ts": "const a = 'VIOLATION'; // repo-roles: ignore[ZZZ911]\nconst b = 'VIOLATION';\n"}
    assert check(make_repo, run_cli, files, "ZZZ9", "SUP") == ["web/a.ts:2:12: ZZZ911 violation"]


def test_file_level_suppression_of_a_real_rule(make_repo: Callable[..., Path], run_cli: Callable) -> None:
    files = {"pkg/a.py": "# repo-roles: ignore-file[TST001]\n" + CODE, "pkg/b.py": CODE}
    assert check(make_repo, run_cli, files, "TST001", "SUP") == [
        "pkg/b.py: TST001 no test found for pkg/b.py (no test imports b; no test_b.py / b_test.py next to it "
        "(0 Python test files searched))"
    ]


def test_unused_blanket_reported_when_every_rule_ran(make_repo: Callable[..., Path], run_cli: Callable) -> None:
    files = {"README.md": "#\n", "pkg/a.py": '"""Doc."""\nx = 1  # repo-roles: ignore\n'}
    assert "pkg/a.py:2: SUP001 unused blanket suppression `repo-roles: ignore`" in check(make_repo, run_cli, files)


def test_suppressed_findings_do_not_fail_the_run(make_repo: Callable[..., Path], run_cli: Callable) -> None:
    root = make_repo({"a.py": "x = 'VIOLATION'  # repo-roles: ignore[ZZZ911]\n"})
    result = run_cli("check", str(root), "--select", "ZZZ911")
    assert (result.exit_code, result.stdout.strip()) == (0, "All checks passed!")


def test_no_finding_no_coverage_stage(make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Suppressions are looked up only for findings: a run of ownership rules that finds
    nothing reads and parses no source file (the coverage stage never starts)."""
    import repo_roles.coverage.analyze as analyze
    from repo_roles.checks.engine import build_selection
    from repo_roles.config import load_config
    from repo_roles.checks.engine import run_checks
    from repo_roles.scan import scan

    started: List[int] = []
    original = analyze.analyze_context

    def counting(context: Any) -> Any:
        started.append(1)
        return original(context)

    monkeypatch.setattr(analyze, "analyze_context", counting)
    root = make_repo({".github/CODEOWNERS": "* @acme/all\n", "app.py": CODE})
    iter_rules()
    context = scan(root)
    assert run_checks(context, build_selection(load_config(None), select=["OWN001"])) == []
    assert started == []
    run_checks(scan(root))  # the full selection does start it: the counter counts
    assert started == [1]
