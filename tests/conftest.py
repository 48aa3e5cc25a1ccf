"""Shared fixtures: real git repositories in tmp_path, and the CLI runner."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any, Callable, List, Mapping, Union

import pytest
from click.testing import CliRunner, Result

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
}

Files = Mapping[str, Union[str, bytes]]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Pin git identity and keep caches out of the user's home."""
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(home / "cache"))


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env
    ).stdout


def write_files(root: Path, files: Files) -> None:
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")



def record_calls(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str,
                 note: Callable[..., Any] = lambda *args: 1) -> List[Any]:
    """Wrap ``owner.name`` so every call appends ``note(*args)`` to the returned list, then runs
    the real function (a spy for "was it computed again?" assertions)."""
    seen: List[Any] = []
    real = getattr(owner, name)

    def spy(*args: Any) -> Any:
        seen.append(note(*args))
        return real(*args)

    monkeypatch.setattr(owner, name, spy)
    return seen

@pytest.fixture
def cache_for_any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """The classifier's caches are on for every run size (a test repository is small), and git
    is asked which files are dirty."""
    import repo_roles.coverage.analyze as analyze
    import repo_roles.scan as scan_module

    monkeypatch.setattr(scan_module, "SNIFF_CACHE_MIN_FILES", 0)
    monkeypatch.setattr(analyze, "GIT_STATUS_MIN_FILES", 0)


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    """Build a real git repository: ``make_repo({"a.py": "x = 1\\n"}, commit=True)``."""
    counter = {"n": 0}

    def _make(files: Files = {}, *, commit: bool = True, git_init: bool = True, name: str | None = None) -> Path:
        counter["n"] += 1
        root = tmp_path / (name or f"repo{counter['n']}")
        root.mkdir(parents=True)
        if git_init:
            git(root, "init", "-q", "-b", "main")
        write_files(root, files)
        if git_init and files:
            git(root, "add", "-A")
            if commit:
                git(root, "commit", "-q", "-m", "initial")
        return root

    return _make


@pytest.fixture
def run_cli() -> Callable[..., Result]:
    """Invoke the CLI in-process; stdout and stderr are kept apart (``result.stderr``)."""
    from repo_roles.cli import main

    def _run(*args: str, input: str | None = None) -> Result:
        try:
            runner = CliRunner(mix_stderr=False)  # click < 8.2
        except TypeError:
            runner = CliRunner()  # click >= 8.2 always separates stderr
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return _run
