"""``repo-roles ls``: the text listing and the ``--format jsonl`` machine contract.

The jsonl contract (repo_roles/commands/ls.py): one JSON object per line with at least ``path``,
``role``, ``signal``, ``owners`` (list) and ``owners_line`` (int or null).  Ownership follows
GitHub's CODEOWNERS semantics ("About code owners": the last matching pattern takes precedence;
a pattern with no owners leaves matching files unowned).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Callable, Dict, List

import pytest

from conftest import GIT_ENV, git

MakeRepo = Callable[..., Path]

CODEOWNERS = """\
*           @acme/all
/src/       @acme/backend
/web/       @acme/frontend
/docs/
"""

FILES = {
    ".github/CODEOWNERS": CODEOWNERS,
    "README.md": "# demo\n",
    "docs/guide.md": "# guide\n",
    "src/app.py": "def main():\n    return 1\n",
    "tests/test_app.py": "def test_main():\n    assert True\n",
    "web/App.tsx": "export const App = () => <div/>;\n",
}

# path -> (role, owners, CODEOWNERS line)
EXPECTED = {
    ".github/CODEOWNERS": ("config", ["@acme/all"], 1),
    "README.md": ("backend.docs", ["@acme/all"], 1),
    "docs/guide.md": ("backend.docs", [], 4),  # GitHub: a pattern without owners un-owns
    "src/app.py": ("backend.logic", ["@acme/backend"], 2),
    "tests/test_app.py": ("backend.tests", ["@acme/all"], 1),
    "web/App.tsx": ("frontend.ui", ["@acme/frontend"], 3),
}


def jsonl(stdout: str) -> List[Dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines()]


def console_script() -> str:
    found = shutil.which("repo-roles")
    if found is None:
        pytest.skip("the repo-roles console script is not installed")
    return found


@pytest.fixture
def demo(make_repo: MakeRepo) -> Path:
    return make_repo(FILES)


def test_text_lists_role_path_and_owners_aligned(demo: Path, run_cli) -> None:
    result = run_cli("ls", str(demo))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[1] for line in lines] == sorted(FILES)  # path order
    for line in lines:
        role, path, *owners = line.split()
        expected_role, expected_owners, _ = EXPECTED[path]
        assert role == expected_role
        assert owners == (expected_owners or ["-"])  # "-" marks an unowned file
    # Paths start in one column: the role column is padded to the longest role.
    assert len({line.index(line.split()[1]) for line in lines}) == 1


def test_jsonl_contract_every_line(demo: Path, run_cli) -> None:
    result = run_cli("ls", "--format", "jsonl", str(demo))
    assert result.exit_code == 0, result.stderr
    records = jsonl(result.stdout)
    assert [r["path"] for r in records] == sorted(FILES)
    for record in records:
        assert isinstance(record["path"], str) and isinstance(record["role"], str)
        assert isinstance(record["signal"], str) and record["signal"]
        assert isinstance(record["owners"], list)
        assert record["owners_line"] is None or isinstance(record["owners_line"], int)
        role, owners, line = EXPECTED[record["path"]]
        assert (record["role"], record["owners"], record["owners_line"]) == (role, owners, line)
    assert {r["owners_source"] for r in records} == {".github/CODEOWNERS"}


def test_jsonl_without_ownership_file_has_null_line(make_repo: MakeRepo, run_cli) -> None:
    root = make_repo({"app.py": "x = 1\n"})
    (record,) = jsonl(run_cli("ls", "--format", "jsonl", str(root)).stdout)
    assert record["owners"] == [] and record["owners_line"] is None
    assert (record["role"], record["signal"]) == ("backend.logic", "language")


def test_sub_path_lists_only_that_scope_with_project_relative_paths(demo: Path, run_cli) -> None:
    result = run_cli("ls", "--format", "jsonl", str(demo / "src"))
    assert result.exit_code == 0, result.stderr
    assert [r["path"] for r in jsonl(result.stdout)] == ["src/app.py"]


def test_single_file_argument(demo: Path, run_cli) -> None:
    result = run_cli("ls", str(demo / "web" / "App.tsx"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split() == ["frontend.ui", "web/App.tsx", "@acme/frontend"]


def test_default_path_is_the_working_directory(demo: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(demo / "web")
    result = run_cli("ls")
    # Inside a sub-directory, `ls` lists that scope of the repository (paths stay root-relative).
    assert result.stdout.split() == ["frontend.ui", "web/App.tsx", "@acme/frontend"]


def test_untracked_files_only_when_asked(demo: Path, run_cli) -> None:
    (demo / "src" / "new.py").write_text("y = 2\n")
    default = [r["path"] for r in jsonl(run_cli("ls", "--format", "jsonl", str(demo)).stdout)]
    assert "src/new.py" not in default
    asked = jsonl(run_cli("ls", "--format", "jsonl", "--untracked", str(demo)).stdout)
    new = next(r for r in asked if r["path"] == "src/new.py")
    assert new["tracked"] is False and new["owners"] == ["@acme/backend"]


# -- the real console script --------------------------------------------------------------------


def test_console_script_jsonl(demo: Path) -> None:
    done = subprocess.run(
        [console_script(), "ls", "--format", "jsonl", str(demo)],
        capture_output=True, env={**os.environ, **GIT_ENV}, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert {r["path"]: r["role"] for r in records} == {p: e[0] for p, e in EXPECTED.items()}


def test_console_script_closed_pipe_is_quiet(make_repo: MakeRepo) -> None:
    """`repo-roles ls | head -1`: more output than a pipe buffer holds, reader gone, no traceback."""
    root = make_repo({f"pkg/module_with_a_rather_long_name_{i:04d}.py": "" for i in range(1500)})
    proc = subprocess.Popen(
        [console_script(), "ls", str(root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, **GIT_ENV},
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # what `head -1` does after its line
    stderr = proc.stderr.read().decode("utf-8", "replace")
    code = proc.wait(timeout=120)
    assert first.startswith(b"backend.logic  pkg/module_with_a_rather_long_name_0000.py")
    assert "Traceback" not in stderr and "internal error" not in stderr
    assert code == 0
    git(root, "status", "--short")  # the repository is untouched and still valid
