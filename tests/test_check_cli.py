"""``repo-roles check``: files as pre-commit passes them, --diff-base, ruff's options, exit codes.

The behaviour tests run three small test-only rules (registered for the test's duration with
``fake_rules``, selected with ``--select ZZZ``) so they do not move when real rules change:
ZZZ901 (file scope, error) flags lines containing ``VIOLATION``, ZZZ903 (file, info) flags
``NOTE``, ZZZ902 (repository scope, warning) reports which ownership file the scan found.

The golden tests at the end run the real rules on a copy of ``examples/shop`` placed in a
sub-folder of a git repository (so paths carry the ``examples/shop/`` prefix in github, gitlab
and sarif).  Regenerate after an intended change and review the diff::

    REPO_ROLES_UPDATE_GOLDEN=1 python -m pytest tests/test_check_cli.py
"""

from __future__ import annotations

import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Callable, Iterator, List

import pytest
import yaml

from conftest import git
from repo_roles import __version__
from repo_roles.checks.registry import RULES, Rule, iter_rules
from repo_roles.findings import Finding
from repo_roles.report import FORMATTERS

MAIN = Path(__file__).resolve().parents[1]
SHOP = MAIN / "examples" / "shop"
GOLDEN_DIR = Path(__file__).parent / "golden" / "check"
UPDATE = os.environ.get("REPO_ROLES_UPDATE_GOLDEN") == "1"
SARIF_SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "sarif-schema-2.1.0.json"
GOLDEN_NAMES = {
    "concise": "concise.txt", "full": "full.txt", "json": "json.json", "json-lines": "json-lines.jsonl",
    "github": "github.txt", "gitlab": "gitlab.json", "junit": "junit.xml", "sarif": "sarif.json",
    "markdown": "markdown.md",
}
SELECT = ("--select", "ZZZ")


# --- test-only rules ---------------------------------------------------------------------------


def _lines(context: Any, path: str) -> List[str]:
    data = context.inventory.read_bytes(path, 1_000_000) or b""
    return data.decode("utf-8", "replace").splitlines()


def _marker(context: Any) -> Iterator[Finding]:
    for entry in context.targets:
        for number, line in enumerate(_lines(context, entry.path), start=1):
            if "VIOLATION" in line:
                yield Finding("ZZZ901", "marker found", entry.path, number, line.index("VIOLATION") + 1,
                              "error", key=line.strip())


def _note(context: Any) -> Iterator[Finding]:
    for entry in context.targets:
        for number, line in enumerate(_lines(context, entry.path), start=1):
            if "NOTE" in line:
                yield Finding("ZZZ903", "note found", entry.path, number, None, "info", key="note")


def _repository(context: Any) -> Iterator[Finding]:
    source = context.ownership.source_file
    yield Finding("ZZZ902", f"ownership file: {source}", source or "", severity="warning", key="seen")


FAKE_RULES = (
    Rule("ZZZ901", "marker", "No VIOLATION markers", "error", "No VIOLATION markers.\n\nLong doc.", _marker),
    Rule("ZZZ902", "ownership-seen", "Reports the ownership file", "warning", "Repository rule.",
         _repository, scope="repository"),
    Rule("ZZZ903", "note", "NOTE markers are information", "info", "Info rule.", _note),
)


@pytest.fixture
def fake_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    iter_rules()  # the real rules first, so ours are only added for this test
    for r in FAKE_RULES:
        monkeypatch.setitem(RULES, r.id, r)


FILES = {
    ".github/CODEOWNERS": "* @org/team\n",
    "src/bad.py": "x = 1\ny = 'VIOLATION'\n",
    "src/good.py": "x = 1\n",
    "src/info.py": "# NOTE: fine\n",
}


@pytest.fixture
def repo(make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, fake_rules: None) -> Path:
    root = make_repo(FILES)
    monkeypatch.chdir(root)
    return root


# --- FILES --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "code", "expected"),
    [
        pytest.param(["src/bad.py"], 1, ["src/bad.py:2:6: ZZZ901 marker found"], id="fires-on-passed-file"),
        pytest.param(["src/good.py"], 0, [], id="other-files-with-findings-are-context-only"),
        pytest.param(["src/info.py"], 0, ["src/info.py:1: ZZZ903 note found"], id="info-alone-exits-0"),
        pytest.param(["src/bad.py", "src/info.py"], 1,
                     ["src/bad.py:2:6: ZZZ901 marker found", "src/info.py:1: ZZZ903 note found"], id="two-files"),
    ],
)
def test_files_are_the_only_targets(repo: Path, run_cli: Callable, files: List[str], code: int,
                                    expected: List[str]) -> None:
    result = run_cli("check", *SELECT, *files)
    assert result.exit_code == code, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:-1] == expected
    assert lines[-1].startswith("Found") if expected else lines[-1] == "All checks passed!"


def test_no_files_checks_the_whole_repository_with_repository_rules(repo: Path, run_cli: Callable) -> None:
    result = run_cli("check", *SELECT)
    assert result.exit_code == 1
    assert ".github/CODEOWNERS: ZZZ902 ownership file: .github/CODEOWNERS" in result.stdout
    assert "src/bad.py:2:6: ZZZ901" in result.stdout


@pytest.mark.parametrize(
    ("files", "runs"),
    [
        pytest.param([".github/CODEOWNERS"], True, id="ownership-file-passed"),
        pytest.param(["repo-roles.toml"], True, id="config-file-passed"),
        pytest.param(["docs/OWNERS"], True, id="owners-file-passed"),
        pytest.param(["src/good.py"], False, id="ordinary-file"),
    ],
)
def test_repository_rules_run_when_their_inputs_change(make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
                                                       fake_rules: None, run_cli: Callable, files: List[str],
                                                       runs: bool) -> None:
    root = make_repo({**FILES, "repo-roles.toml": "untracked = false\n", "docs/OWNERS": "approvers: [a]\n"})
    monkeypatch.chdir(root)
    result = run_cli("check", *SELECT, *files)
    assert ("ZZZ902" in result.stdout) is runs


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(["src/missing.py"], id="missing"),
        pytest.param(["src/good.py", "nope.txt"], id="one-of-several-missing"),
        pytest.param(["src"], id="directory-among-files"),
    ],
)
def test_bad_files_are_usage_errors_naming_them(repo: Path, run_cli: Callable, files: List[str]) -> None:
    if files == ["src"]:
        files = ["src/good.py", "src"]
    result = run_cli("check", *SELECT, *files)
    assert result.exit_code == 2
    assert files[-1] in result.stderr and result.stdout == ""


def test_a_file_outside_the_repository_is_an_error(repo: Path, tmp_path: Path, run_cli: Callable) -> None:
    outside = tmp_path / "elsewhere.py"
    outside.write_text("x = 'VIOLATION'\n")
    result = run_cli("check", *SELECT, "src/good.py", str(outside))
    assert result.exit_code == 2
    assert "outside the repository" in result.stderr and "elsewhere.py" in result.stderr


def test_files_are_relative_to_the_current_directory(repo: Path, run_cli: Callable,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "src")
    result = run_cli("check", *SELECT, "bad.py")
    assert result.exit_code == 1 and "src/bad.py:2:6: ZZZ901" in result.stdout


@pytest.mark.parametrize(
    ("config", "code"),
    [
        pytest.param('exclude = ["src/bad.py"]\n', 0, id="excluded-file-is-not-a-target"),
        pytest.param('include = ["src/**"]\n', 1, id="included-file-is-a-target"),
    ],
)
def test_config_include_exclude_apply_to_passed_files(make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
                                                      fake_rules: None, run_cli: Callable, config: str,
                                                      code: int) -> None:
    root = make_repo({**FILES, "repo-roles.toml": config})
    monkeypatch.chdir(root)
    assert run_cli("check", *SELECT, "src/bad.py").exit_code == code


def test_one_directory_is_a_scope(repo: Path, run_cli: Callable) -> None:
    result = run_cli("check", *SELECT, "src")
    assert result.exit_code == 1 and "src/bad.py" in result.stdout and "ZZZ902" not in result.stdout


# --- options ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code"),
    [
        pytest.param(("--select", "ZZZ903"), 0, id="select-replaces"),
        pytest.param(("--select", "ZZZ903,ZZZ901"), 1, id="comma-separated"),
        pytest.param(("--select", "ZZZ903", "--select", "ZZZ901"), 1, id="repeatable"),
        pytest.param(("--select", "ZZZ903", "--extend-select", "ZZZ901"), 1, id="extend-select-adds"),
        pytest.param(("--select", "ZZZ", "--ignore", "ZZZ901"), 0, id="ignore-removes"),
        pytest.param(("--select", "ZZZ", "--exit-zero"), 0, id="exit-zero"),
    ],
)
def test_rule_selection_options_ruff_semantics(repo: Path, run_cli: Callable, args: tuple, code: int) -> None:
    """Semantics of https://docs.astral.sh/ruff/settings/#lint_select (select replaces, extend adds)."""
    assert run_cli("check", *args, "src/bad.py", "src/info.py").exit_code == code


@pytest.mark.parametrize(
    ("lint", "expected"),
    [
        pytest.param("", ["src/bad.py:2:6: ZZZ901 marker found", "src/info.py:1: ZZZ903 note found"],
                     id="as-reported"),
        pytest.param('[lint.per-path-ignores]\n"src/bad.py" = ["ZZZ9"]\n', ["src/info.py:1: ZZZ903 note found"],
                     id="per-path-ignore-by-prefix"),
        pytest.param('[lint.per-path-ignores]\n"src/info.py" = ["ZZZ901"]\n',
                     ["src/bad.py:2:6: ZZZ901 marker found", "src/info.py:1: ZZZ903 note found"],
                     id="per-path-ignore-of-another-file"),
    ],
)
def test_per_path_ignores_drop_only_their_files_findings(make_repo: Callable[..., Path], fake_rules: None,
                                                         monkeypatch: pytest.MonkeyPatch, run_cli: Callable,
                                                         lint: str, expected: List[str]) -> None:
    """ruff's lint.per-file-ignores: glob -> codes, matched against the file's project path."""
    root = make_repo({**FILES, "repo-roles.toml": lint})
    monkeypatch.chdir(root)
    result = run_cli("check", "--select", "ZZZ901,ZZZ903", "--output-format", "concise")
    assert result.stdout.splitlines()[:-1] == expected


def test_severity_override_reaches_every_finding(make_repo: Callable[..., Path], fake_rules: None,
                                                 monkeypatch: pytest.MonkeyPatch, run_cli: Callable) -> None:
    root = make_repo({**FILES, "repo-roles.toml": '[lint.severity]\nZZZ901 = "info"\nZZZ903 = "error"\n'})
    monkeypatch.chdir(root)
    result = run_cli("check", "--select", "ZZZ901,ZZZ903", "--output-format", "json")
    levels = {(f["code"], f["filename"].rpartition("/")[2]): f["severity"] for f in json.loads(result.stdout)}
    assert levels == {("ZZZ901", "bad.py"): "info", ("ZZZ903", "info.py"): "error"}
    assert result.exit_code == 1  # an error now, from the info rule


def test_unknown_rule_is_exit_2_with_a_suggestion(repo: Path, run_cli: Callable) -> None:
    result = run_cli("check", "--select", "ZZZ9O1")
    assert result.exit_code == 2 and "ZZZ9O1" in result.stderr and "did you mean 'ZZZ901'" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("--diff-base", "HEAD", "src/bad.py"), id="files-and-diff-base"),
        pytest.param(("--strict-baseline",), id="strict-without-baseline"),
        pytest.param(("--output-format", "xml"), id="unknown-format"),
    ],
)
def test_contradictory_options_exit_2(repo: Path, run_cli: Callable, args: tuple) -> None:
    assert run_cli("check", *SELECT, *args).exit_code == 2


def test_output_file_gets_the_report_and_stdout_stays_empty(repo: Path, run_cli: Callable) -> None:
    result = run_cli("check", *SELECT, "--output-format", "json", "-o", "out/report.json", "src/bad.py")
    assert result.exit_code == 1 and result.stdout == ""
    data = json.loads((repo / "out" / "report.json").read_text("utf-8"))
    assert [(d["code"], d["filename"]) for d in data] == [("ZZZ901", "src/bad.py")]
    assert [p.name for p in (repo / "out").iterdir()] == ["report.json"]  # no temporary left over


def test_output_format_from_the_environment(repo: Path, run_cli: Callable, monkeypatch: pytest.MonkeyPatch) -> None:
    """Like RUFF_OUTPUT_FORMAT (https://docs.astral.sh/ruff/configuration/#environment-variables)."""
    monkeypatch.setenv("REPO_ROLES_OUTPUT_FORMAT", "github")
    result = run_cli("check", *SELECT, "src/bad.py")
    assert result.stdout.startswith("::error title=repo-roles (ZZZ901),file=src/bad.py,line=2,col=6::")


def test_statistics(repo: Path, run_cli: Callable) -> None:
    result = run_cli("check", *SELECT, "--statistics")
    assert result.exit_code == 1
    by_rule, by_team, by_directory = result.stdout.split("\n\n")
    rows = [line.split()[:2] for line in by_rule.splitlines()]
    assert sorted(rows) == [["1", "ZZZ901"], ["1", "ZZZ902"], ["1", "ZZZ903"]]
    assert by_team.splitlines()[0] == "By owning team:" and by_directory.splitlines()[0] == "By top directory:"


def test_show_settings_prints_the_selection_and_exits_0(repo: Path, run_cli: Callable) -> None:
    result = run_cli("check", "--select", "ZZZ90", "--ignore", "ZZZ903", "--show-settings")
    assert result.exit_code == 0
    assert f"project-root = {json.dumps(str(repo.resolve()))}" in result.stdout
    enabled = [line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ")]
    assert enabled == ["ZZZ901", "ZZZ902"]


# --- --diff-base --------------------------------------------------------------------------------


def test_diff_base_checks_what_changed_since_the_merge_base(repo: Path, run_cli: Callable) -> None:
    """``git diff --merge-base REF`` (https://git-scm.com/docs/git-diff): from merge-base(REF, HEAD)
    to the work tree, so committed, staged and unstaged changes count; deletions are skipped."""
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "src" / "new.py").write_text("VIOLATION = 1\n")
    git(repo, "add", "src/new.py")
    git(repo, "commit", "-q", "-m", "new")
    (repo / "src" / "good.py").write_text("x = 'VIOLATION'\n")  # dirty, unstaged
    git(repo, "rm", "-q", "src/info.py")  # deleted: nothing to check
    git(repo, "checkout", "-q", "main")
    git(repo, "commit", "-q", "--allow-empty", "-m", "main moves on")  # merge-base != main
    git(repo, "checkout", "-q", "feature")
    (repo / "src" / "good.py").write_text("x = 'VIOLATION'\n")
    result = run_cli("check", *SELECT, "--diff-base", "main")
    assert result.exit_code == 1, result.stderr
    paths = sorted({line.split(":")[0] for line in result.stdout.splitlines()[:-1]})
    assert paths == ["src/good.py", "src/new.py"]  # src/bad.py unchanged: not reported


@pytest.mark.parametrize(
    ("ref", "code"),
    [pytest.param("HEAD", 0, id="clean-tree-nothing-changed"), pytest.param("no-such-ref", 2, id="unknown-ref")],
)
def test_diff_base_edges(repo: Path, run_cli: Callable, ref: str, code: int) -> None:
    result = run_cli("check", *SELECT, "--diff-base", ref)
    assert result.exit_code == code
    if code == 2:
        assert "no-such-ref" in result.stderr


# --- monorepo prefix ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "needle"),
    [
        pytest.param("github", "file=sub/proj/src/bad.py,", id="github-file-relative-to-repository"),
        pytest.param("gitlab", '"path": "sub/proj/src/bad.py"', id="gitlab-path-relative-to-repository"),
        pytest.param("sarif", '"uri": "sub/proj/src/bad.py"', id="sarif-uri-relative-to-repository"),
        pytest.param("concise", "\nsrc/bad.py:2:6:", id="concise-stays-project-relative"),
    ],
)
def test_project_in_a_subfolder_reports_repository_paths(make_repo: Callable[..., Path], fake_rules: None,
                                                         monkeypatch: pytest.MonkeyPatch, run_cli: Callable,
                                                         fmt: str, needle: str) -> None:
    """GitHub resolves annotation ``file`` and SARIF URIs against the repository root
    (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning)."""
    root = make_repo({"sub/proj/repo-roles.toml": "", **{f"sub/proj/{k}": v for k, v in FILES.items()}})
    monkeypatch.chdir(root)  # as pre-commit runs: cwd at the top level, paths relative to it
    result = run_cli("check", *SELECT, "--output-format", fmt, "sub/proj/src/bad.py")
    assert result.exit_code == 1, result.stderr
    assert needle in "\n" + result.stdout
    if fmt == "sarif":
        base = json.loads(result.stdout)["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        assert base == root.resolve().as_uri() + "/"


# --- action.yml ---------------------------------------------------------------------------------


def test_action_never_interpolates_expressions_into_scripts() -> None:
    """Script injection: https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#understanding-the-risk-of-script-injections"""
    action = yaml.safe_load((MAIN / "action.yml").read_text("utf-8"))
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    scripts = [step["run"] for step in steps if "run" in step]
    assert scripts and all("${{" not in script for script in scripts)
    assert {"version", "args", "path", "output-format"} <= set(action["inputs"])
    assert any("GITHUB_STEP_SUMMARY" in script for script in scripts)
    assert all(step.get("shell") == "bash" for step in steps if "run" in step)  # composite steps need one


# --- goldens on examples/shop -------------------------------------------------------------------


@pytest.fixture(scope="module")
def shop_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mono")
    shutil.copytree(SHOP, root / "examples" / "shop", ignore=shutil.ignore_patterns("__pycache__", "node_modules"))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "shop")
    return root


def _normalise(text: str, root: Path) -> str:
    text = text.replace(root.resolve().as_uri(), "file:///REPO").replace(str(root.resolve()), "/REPO")
    return re.sub(r'("version": )"' + re.escape(__version__) + '"', r'\1"VERSION"', text)


def _check_shop(run_cli: Callable, root: Path, fmt: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(root)
    return run_cli("check", "--output-format", fmt, "examples/shop")


@pytest.mark.parametrize("fmt", list(FORMATTERS))
def test_golden_check_output_on_the_shop_example(fmt: str, shop_copy: Path, run_cli: Callable,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    result = _check_shop(run_cli, shop_copy, fmt, monkeypatch)
    assert result.exit_code in (0, 1), result.stderr
    text = _normalise(result.stdout, shop_copy)
    golden = GOLDEN_DIR / GOLDEN_NAMES[fmt]
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(text.encode("utf-8"))
    assert golden.exists(), f"{golden} missing: run with REPO_ROLES_UPDATE_GOLDEN=1"
    assert text == golden.read_bytes().decode("utf-8"), f"regenerate with REPO_ROLES_UPDATE_GOLDEN=1 and review"


def test_structured_formats_parse_back_to_the_same_findings(shop_copy: Path, run_cli: Callable,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    findings = json.loads(_check_shop(run_cli, shop_copy, "json", monkeypatch).stdout)
    lines = [json.loads(line) for line in _check_shop(run_cli, shop_copy, "json-lines", monkeypatch).stdout.splitlines()]
    assert lines == findings
    suites = ET.fromstring(_check_shop(run_cli, shop_copy, "junit", monkeypatch).stdout)
    failures = suites.findall(".//failure")
    assert len(failures) == len(findings)
    sarif = json.loads(_check_shop(run_cli, shop_copy, "sarif", monkeypatch).stdout)
    assert len(sarif["runs"][0]["results"]) == len(findings)
    for result, finding in zip(sarif["runs"][0]["results"], findings):
        assert result["ruleId"] == finding["code"]
        if finding["filename"]:
            uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            assert uri == "examples/shop/" + finding["filename"].replace(" ", "%20")


def test_sarif_of_the_shop_validates_against_the_official_schema(shop_copy: Path, run_cli: Callable,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"official SARIF schema not found at {SARIF_SCHEMA} (shared checkout absent)")
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text("utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema, format_checker=jsonschema.FormatChecker())
    log = json.loads(_check_shop(run_cli, shop_copy, "sarif", monkeypatch).stdout)
    errors = sorted(validator.iter_errors(log), key=str)
    assert not errors, "\n".join(e.message for e in errors[:5])


def _action_step(step_id: str) -> dict:
    action = yaml.safe_load((MAIN / "action.yml").read_text("utf-8"))
    return next(step for step in action["runs"]["steps"] if step.get("id") == step_id)


@pytest.mark.parametrize(
    ("args", "code", "in_log"),
    [
        pytest.param("", 1, "::", id="findings-annotate-and-fail"),
        pytest.param("--select DOC004", 0, "", id="clean-passes"),
        pytest.param("$(touch pwned) ;touch pwned", 2, "", id="args-are-data-not-shell"),
    ],
)
def test_action_check_step_runs_as_github_would(shop_copy: Path, tmp_path: Path, args: str, code: int,
                                                in_log: str) -> None:
    """Runs the step's script under bash with the variables the runner sets
    (https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/store-information-in-variables#default-environment-variables)."""
    import subprocess

    executable = shutil.which("repo-roles")
    if executable is None:
        pytest.skip("the repo-roles console script is not installed")
    bin_dir = tmp_path / "repo-roles-venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "repo-roles").symlink_to(executable)
    env = {**os.environ, "RUNNER_TEMP": str(tmp_path), "GITHUB_OUTPUT": str(tmp_path / "out"),
           "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"), "INPUT_ARGS": args,
           "INPUT_PATH": "examples/shop", "INPUT_OUTPUT_FORMAT": "github"}
    step = _action_step("check")
    done = subprocess.run(["bash", "-c", step["run"]], cwd=shop_copy, env=env, capture_output=True, text=True)
    assert done.returncode == code, done.stderr
    assert (tmp_path / "out").read_text() == f"exit-code={code}\n"
    assert in_log in done.stdout and (code != 1 or done.stdout.startswith("::"))
    assert not (shop_copy / "examples" / "shop" / "pwned").exists() and not (shop_copy / "pwned").exists()
    if code != 2:
        assert (tmp_path / "summary.md").read_text("utf-8").startswith("#")
