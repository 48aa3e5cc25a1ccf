"""A validated configuration remembered by its text (``repo_roles.config.remembered``): the same
``Config`` as a fresh load, without the parse and the schema check; an error is never
remembered (the same message, file, line and column every run); a configuration extending a
project file is always read; a damaged entry is a miss."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, List

import pytest

from repo_roles.config import load_config
from repo_roles.config import remembered as M
from repo_roles.config import schema
from repo_roles.errors import ConfigError
from tests.conftest import git

TEXT = """\
extends = "recommended"
exclude = ["build/", "*.min.js"]

[roles]
"frontend.ui" = ["web/src/**/*.ts"]

[teams."@acme/web"]
responsible = ["frontend.ui"]
members = ["@alice"]

[lint]
ignore = ["OWN003"]
severity = { "OWN003" = "warning" }
"""


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> List[int]:
    """Counts the schema checks; the working directory is tmp_path."""
    monkeypatch.chdir(tmp_path)
    calls: List[int] = []
    original = schema.validate

    def validate(data):
        calls.append(1)
        return original(data)

    monkeypatch.setattr(schema, "validate", validate)
    return calls


def _entries() -> List[Path]:
    return sorted((Path(os.environ["REPO_ROLES_CACHE_DIR"]) / "config").glob(f"*{M.SUFFIX}"))


def test_the_same_config_without_a_check(tmp_path: Path, checks: List[int]) -> None:
    path = tmp_path / "repo-roles.toml"
    path.write_text(TEXT)
    fresh = load_config(path)
    assert not _entries() and checks  # not asked to remember: nothing stored
    first = load_config(path, remember=True)
    stored = len(checks)
    again = load_config(path, remember=True)
    assert len(checks) == stored and len(_entries()) == 1  # the second load checked nothing
    assert fresh == first == again and again.sources == fresh.sources and again.path == path
    path.write_text(TEXT.replace("@alice", "@bob"))
    changed = load_config(path, remember=True)
    assert len(checks) > stored and changed.teams["@acme/web"].members == ("@bob",)



def test_a_file_saved_during_a_load_is_kept_under_its_own_text(tmp_path: Path, checks: List[int],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The remembered value is made of the text its key was made of: a file saved while a load
    reads it (an editor, a checkout beside a pre-commit hook) is read once, never twice."""
    from repo_roles import safeio

    path = tmp_path / "repo-roles.toml"
    path.write_text(TEXT)
    original, reads = safeio.read_text, []

    def read_then_save(*args, **kwargs):
        text = original(*args, **kwargs)
        if Path(args[0]) == path:  # not the built-in pack it extends
            reads.append(text)
            path.write_text(TEXT.replace("@alice", "@bob"))  # saved right after this read
        return text

    monkeypatch.setattr(safeio, "read_text", read_then_save)
    loaded = load_config(path, remember=True)
    monkeypatch.setattr(safeio, "read_text", original)
    assert len(reads) == 1 and loaded.teams["@acme/web"].members == ("@alice",)
    path.write_text(TEXT)
    assert load_config(path, remember=True).teams["@acme/web"].members == ("@alice",)
    path.write_text(TEXT.replace("@alice", "@bob"))
    assert load_config(path, remember=True).teams["@acme/web"].members == ("@bob",)

@pytest.mark.parametrize("text", ["exclude = 3\n", "[lint]\nselect = 'OWN'\n", "x = [\n", "unknown = 1\n"])
def test_an_error_is_never_remembered(tmp_path: Path, checks: List[int], text: str) -> None:
    path = tmp_path / "repo-roles.toml"
    path.write_text(text)
    errors = []
    for _ in range(3):
        with pytest.raises(ConfigError) as caught:
            load_config(path, remember=True)
        error = caught.value
        errors.append((str(error), error.file, error.line, error.column, error.key_path))
    assert errors[0] == errors[1] == errors[2] and not _entries()


def test_extending_a_project_file_is_always_read(tmp_path: Path, checks: List[int]) -> None:
    (tmp_path / "base.toml").write_text('exclude = ["dist/"]\n')
    path = tmp_path / "repo-roles.toml"
    path.write_text('extends = "base.toml"\n')
    assert load_config(path, remember=True).exclude == ("dist/",)
    (tmp_path / "base.toml").write_text('exclude = ["out/"]\n')
    assert load_config(path, remember=True).exclude == ("out/",) and not _entries()


def test_a_damaged_entry_is_a_miss(tmp_path: Path, checks: List[int]) -> None:
    path = tmp_path / "repo-roles.toml"
    path.write_text(TEXT)
    fresh = load_config(path, remember=True)
    (entry,) = _entries()
    data = entry.read_bytes()
    entry.write_bytes(data[:-1] + b"x")
    stored = len(checks)
    assert load_config(path, remember=True) == fresh and len(checks) > stored
    entry.write_bytes(data[:30])
    assert load_config(path, remember=True) == fresh


def test_pyproject_and_a_config_file_with_the_same_text_differ(tmp_path: Path, checks: List[int]) -> None:
    text = '[tool.repo-roles]\nexclude = ["gen/"]\n'
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "pyproject.toml").write_text(text)
    (tmp_path / "b" / "repo-roles.toml").write_text(text)
    assert load_config(tmp_path / "a" / "pyproject.toml", remember=True).exclude == ("gen/",)
    stored = len(checks)
    assert load_config(tmp_path / "a" / "pyproject.toml", remember=True).exclude == ("gen/",)
    assert len(checks) == stored  # remembered: the same text in a repo-roles.toml is not served it
    with pytest.raises(ConfigError):  # a repo-roles.toml has no [tool] table
        load_config(tmp_path / "b" / "repo-roles.toml", remember=True)


def test_check_reports_a_config_error_the_same_every_run(make_repo: Callable, run_cli: Callable,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo({"repo-roles.toml": "exclude = ['a/']\n", "src/x.py": "x = 1\n"})
    monkeypatch.chdir(repo)
    assert run_cli("check", "--exit-zero", "src/x.py").exit_code == 0
    (repo / "repo-roles.toml").write_text("exclude = ['a/']\n[lint]\nselect = 'OWN'\n")
    git(repo, "add", "repo-roles.toml")
    first, second = run_cli("check", "src/x.py"), run_cli("check", "src/x.py")
    assert first.exit_code == second.exit_code == 2
    assert first.stderr == second.stderr and "repo-roles.toml:3" in first.stderr


@pytest.mark.parametrize("command", [("audit",), ("ls",)])
def test_audit_and_ls_take_the_remembered_config(make_repo: Callable, run_cli: Callable, checks: List[int],
                                                 monkeypatch: pytest.MonkeyPatch, command: tuple) -> None:
    """``audit`` and ``ls`` load the configuration as ``check`` does: checked once, then taken
    from the remembered one (a changed file makes the second run analyse: no stored run);
    ``--no-cache`` checks it every run; an error is reported the same every run."""
    repo = make_repo({"repo-roles.toml": TEXT, "src/x.py": "x = 1\n"})
    monkeypatch.chdir(repo)
    assert run_cli(*command).exit_code in (0, 1)
    once = len(checks)  # the file and the pack it extends
    assert once and len(_entries()) == 1
    (repo / "src" / "x.py").write_text("x = 2\n")
    assert run_cli(*command).exit_code in (0, 1)
    assert len(checks) == once  # remembered: no schema check
    assert run_cli(*command, "--no-cache").exit_code in (0, 1)
    assert len(checks) == 2 * once  # --no-cache reads and checks the file
    (repo / "repo-roles.toml").write_text(TEXT + "[lint]\nselect = 'OWN'\n")
    first, second = run_cli(*command), run_cli(*command)
    assert first.exit_code == second.exit_code == 2
    assert first.stderr == second.stderr and "repo-roles.toml:" in first.stderr
