"""The pre-commit hooks, as users get them: the manifest validates and the hook really runs.

``pre-commit try-repo`` (https://pre-commit.com/#pre-commit-try-repo) installs the hook from a
local repository into a fresh virtualenv, exactly as a user's ``.pre-commit-config.yaml`` would.
It takes the hook repository's committed HEAD (plus changes to tracked files), so the test first
snapshots this checkout — tracked and new, not ignored files — into a committed temporary
repository: it then tests what is in the working tree, in CI and during development alike.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable, Dict

import pytest

from conftest import GIT_ENV, git

MAIN = Path(__file__).resolve().parents[1]
# Captured at import, before the autouse fixture points HOME at a temporary directory: pip's
# download cache keeps the virtualenv build quick (only PyPI is needed, and only on a cold cache).
_PIP_CACHE = os.environ.get("PIP_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "pip")


def _pre_commit(*args: str, cwd: Path, env: Dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def pre_commit_available() -> None:
    pytest.importorskip("pre_commit", reason="pre-commit is a test dependency: pip install -e '.[test]'")


def test_manifest_validates(pre_commit_available: None) -> None:
    """``pre-commit validate-manifest`` (https://pre-commit.com/#new-hooks)."""
    done = _pre_commit("validate-manifest", ".pre-commit-hooks.yaml", cwd=MAIN, env=dict(os.environ))
    assert done.returncode == 0, done.stdout + done.stderr


def test_manifest_declares_both_hooks() -> None:
    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((MAIN / ".pre-commit-hooks.yaml").read_text("utf-8"))}
    assert hooks["repo-roles"]["require_serial"] is True
    assert hooks["repo-roles"].get("pass_filenames", True) is True
    audit = hooks["repo-roles-audit"]
    assert (audit["pass_filenames"], audit["always_run"], audit["stages"]) == (False, True, ["pre-push", "manual"])


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, pre_commit_available: None) -> Path:
    """A committed snapshot of this checkout (what a user would get at a tag)."""
    listed = subprocess.run(["git", "-C", str(MAIN), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            check=True, capture_output=True).stdout.decode("utf-8", "surrogateescape")
    dest = tmp_path_factory.mktemp("hook-repo")
    for rel in filter(None, listed.split("\0")):
        source = MAIN / rel
        if source.is_file() and not source.is_symlink() and "__pycache__" not in rel:
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel)
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", "init", "-q", "-b", "main", str(dest)], check=True, env=env)
    subprocess.run(["git", "-C", str(dest), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(dest), "commit", "-q", "-m", "snapshot"], check=True, env=env)
    return dest


def _hook_env(tmp_path: Path) -> Dict[str, str]:
    """What a hook run sees: pinned git identity, its own pre-commit home and analysis cache."""
    return {
        **os.environ,
        **GIT_ENV,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PIP_CACHE_DIR": _PIP_CACHE,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_INPUT": "1",
        "PRE_COMMIT_COLOR": "never",
        "REPO_ROLES_CACHE_DIR": str(tmp_path / "cache"),
    }


UNDOCUMENTED = '"""App."""\n\n\ndef handler(event):\n    return event\n'
DOCUMENTED = '"""App."""\n\n\ndef handler(event):\n    """Handle one event."""\n    return event\n'


@pytest.mark.slow
@pytest.mark.parametrize(
    ("source", "code"),
    [pytest.param(UNDOCUMENTED, 1, id="violation-fails-the-hook"), pytest.param(DOCUMENTED, 0, id="clean-passes")],
)
def test_try_repo_runs_the_hook(hook_repo: Path, make_repo: Callable[..., Path], tmp_path: Path,
                                source: str, code: int) -> None:
    target = make_repo({"app/core.py": source, "repo-roles.toml": '[lint]\nselect = ["DOC001"]\n'})
    done = _pre_commit("try-repo", str(hook_repo), "repo-roles", "--all-files", cwd=target, env=_hook_env(tmp_path))
    output = done.stdout + done.stderr
    assert done.returncode == code, output
    if code:
        assert "app/core.py:4: DOC001" in output
    else:
        assert "Passed" in output
    assert git(target, "status", "--porcelain") == ""  # the hook wrote nothing


@pytest.mark.slow
def test_commit_reports_only_the_three_new_functions(hook_repo: Path, make_repo: Callable[..., Path],
                                                      tmp_path: Path) -> None:
    """Issue 12's case through the real pre-commit: thirty old findings in the staged files,
    three new undocumented functions, exactly three findings (``pre-commit try-repo`` without
    ``--all-files`` runs the hook on the staged files, as a commit does)."""
    from test_adoption import add_new_functions, history_files, NEW_THREE

    target = make_repo(history_files())
    add_new_functions(target)
    git(target, "add", "-A")
    done = _pre_commit("try-repo", str(hook_repo), "repo-roles", cwd=target, env=_hook_env(tmp_path))
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    found = sorted(line.split(":")[0] + " " + line.split("'")[1] for line in output.splitlines() if ": DOC001 " in line)
    assert found == NEW_THREE, output
