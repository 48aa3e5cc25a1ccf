"""``repo-roles audit``: the summary tables, the findings, and ruff's exit codes.

Exit codes follow ruff ("Exit codes" in ruff's docs): 0 when nothing is reported, 1 when
violations are found, 2 on errors.  Here "violations" are error and warning findings; info
findings are listed but do not fail the run.  The behaviour tests select only two test-only
rules (``[lint] select = ["ZZZ8"]``) so they do not move while the real rules evolve.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Callable, Iterator, List

import pytest

from conftest import GIT_ENV
from repo_roles.checks.registry import RULES, Rule, iter_rules
from repo_roles.findings import Finding

MakeRepo = Callable[..., Path]


def _lines_with(context, marker: str) -> Iterator[tuple]:
    for entry in context.targets:
        data = context.inventory.read_bytes(entry.path, 1_000_000) or b""
        for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
            if marker in line:
                yield entry.path, number


def _violation(context) -> Iterator[Finding]:
    for path, line in _lines_with(context, "VIOLATION"):
        yield Finding("ZZZ801", "violation marker", path, line, severity="error", key=path)


def _note(context) -> Iterator[Finding]:
    for path, line in _lines_with(context, "NOTE"):
        yield Finding("ZZZ802", "note marker", path, line, severity="info", key=path)


FAKE_RULES = (
    Rule("ZZZ801", "violation-marker", "Test-only: a line says VIOLATION.", "error", "test", _violation),
    Rule("ZZZ802", "note-marker", "Test-only: a line says NOTE.", "info", "test", _note),
)


@pytest.fixture(autouse=True)
def fake_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    iter_rules()  # the real rules first, so the fakes are only added for this test
    for rule in FAKE_RULES:
        monkeypatch.setitem(RULES, rule.id, rule)


CONFIG = """\
extends = "recommended"

[lint]
select = ["ZZZ8"]

[teams."@acme/backend"]
responsible = ["backend"]
"""

FILES = {
    "repo-roles.toml": CONFIG,
    ".github/CODEOWNERS": "/src/  @acme/backend\n/web/  @acme/frontend\n",
    "src/app.py": "x = 1\n",
    "src/util.py": "y = 2\n",
    "tests/test_app.py": "def test_x():\n    assert True\n",
    "web/App.tsx": "export const App = () => <div/>;\n",
    "web/logo.svg": "<svg/>\n",
}


def section(stdout: str, title: str) -> List[str]:
    """The lines of one titled block of the report, up to the next blank line."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


def row(table: List[str], first: str) -> List[str]:
    return next(line.split() for line in table if line.split() and line.split()[0] == first)


def findings_of(stdout: str) -> List[str]:
    return stdout.split("\nFindings\n", 1)[1].splitlines()


def test_tables(make_repo: MakeRepo, run_cli) -> None:
    root = make_repo(FILES)
    result = run_cli("audit", str(root))
    out = result.stdout
    assert out.splitlines()[0] == f"repo-roles audit of {root.resolve()}, config repo-roles.toml"

    roles = section(out, "Roles (7 files)")
    assert row(roles, "backend.logic")[:2] == ["backend.logic", "2"]
    assert row(roles, "backend.tests")[:2] == ["backend.tests", "1"]
    assert row(roles, "frontend.ui")[:2] == ["frontend.ui", "1"]
    assert row(roles, "frontend.assets")[:2] == ["frontend.assets", "1"]
    assert row(roles, "config")[:2] == ["config", "2"]
    assert row(roles, "backend.logic")[2] == "28.6%"

    dirs = section(out, "Directories by side")
    assert row(dirs, "src/")[-1] == "backend"
    assert row(dirs, "web/")[-1] == "frontend"

    owners = section(out, "Owners (from .github/CODEOWNERS, github syntax)")
    assert row(owners, "@acme/backend")[1] == "2" and row(owners, "@acme/backend")[-1] == "backend"
    assert row(owners, "@acme/frontend")[1] == "2"
    assert row(owners, "@acme/frontend")[-3:] == ["NOT", "IN", "ROSTER"]
    assert any(line.strip().startswith("unowned files: 3") for line in owners)


@pytest.mark.parametrize(
    "extra, code, listed",
    [
        pytest.param({}, 0, [], id="clean-exits-0"),
        pytest.param({"src/bad.py": "x = 'VIOLATION'\n"}, 1, ["src/bad.py:1: ZZZ801 violation marker"],
                     id="error-finding-exits-1"),
        pytest.param({"src/info.py": "# NOTE\n"}, 0, ["src/info.py:1: ZZZ802 note marker"],
                     id="info-finding-listed-exits-0"),
    ],
)
def test_exit_code_is_1_iff_violations_are_listed(make_repo: MakeRepo, run_cli, extra, code, listed) -> None:
    root = make_repo({**FILES, **extra})
    result = run_cli("audit", "--findings", str(root))
    assert result.exit_code == code, result.stderr
    findings = findings_of(result.stdout)
    assert findings[:-1] == listed
    if not listed:
        assert findings[-1] == "All checks passed!"
    else:
        assert re.match(r"^Found \d+ problems? \(", findings[-1])


def test_depth_option_widens_the_directory_table(make_repo: MakeRepo, run_cli) -> None:
    root = make_repo({**FILES, "src/deep/inner.py": "z = 3\n"})
    shallow = section(run_cli("audit", str(root)).stdout, "Directories by side")
    deep = section(run_cli("audit", "--depth", "2", str(root)).stdout, "Directories by side")
    assert not any(line.split()[0] == "src/deep/" for line in shallow[1:])
    assert row(deep, "src/deep/")[1] == "1"


def test_console_script_exit_code(make_repo: MakeRepo) -> None:
    script = shutil.which("repo-roles")
    if script is None:
        pytest.skip("the repo-roles console script is not installed")
    root = make_repo(FILES)
    # A real process has no fake rules: it runs the real ones, whatever they find, and the exit
    # code must agree with the summary line.
    (root / "repo-roles.toml").write_text(CONFIG.replace('select = ["ZZZ8"]', "select = []"))
    done = subprocess.run([script, "audit", "--findings", str(root)], capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}, timeout=120)
    assert "Traceback" not in done.stderr
    summary = done.stdout.rstrip().splitlines()[-1]
    violations = re.search(r"\d+ (errors?|warnings?)\b", summary) is not None
    assert done.returncode == (1 if violations else 0), done.stdout + done.stderr


def test_directory_side_counts_sided_files_only(make_repo: MakeRepo, run_cli) -> None:
    """A folder of config (.github/ with workflows and templates) has no side: "none"."""
    root = make_repo({
        **FILES,
        ".github/workflows/ci.yml": "on: push\n",
        ".github/PULL_REQUEST_TEMPLATE.md": "## What\n",
        "deploy/values.yaml": "a: 1\n",
        "deploy/README.md": "# Deploy\n",
    })
    dirs = section(run_cli("audit", str(root)).stdout, "Directories by side")
    assert row(dirs, ".github/")[-1] == "none"
    # one sided file among config: the side of that file, whatever the config count
    assert row(dirs, "deploy/")[-1] == "backend"
