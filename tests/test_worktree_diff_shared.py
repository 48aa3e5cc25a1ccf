"""A large run asks git once which files differ from the index, whatever stages trust blob ids."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Callable, List

import pytest

import repo_roles.coverage.analyze as analyze
import repo_roles.scan as scan_module


def _spy_diff_files(monkeypatch: pytest.MonkeyPatch) -> List[list]:
    calls: List[list] = []
    real = subprocess.Popen

    def spy(args, *rest, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(args, (list, tuple)) and "diff-files" in args:
            calls.append(list(args))
        return real(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", spy)
    return calls


@pytest.mark.parametrize("dirty", [pytest.param(False, id="clean"), pytest.param(True, id="dirty-file")])
def test_one_git_diff_files_per_audit(
    make_repo: Callable[..., Path], run_cli, monkeypatch: pytest.MonkeyPatch, dirty: bool
) -> None:
    # Thresholds lowered so a tiny real repository takes the large-run path of both stages.
    monkeypatch.setattr(analyze, "GIT_STATUS_MIN_FILES", 1)
    monkeypatch.setattr(scan_module, "SNIFF_CACHE_MIN_FILES", 1)
    calls = _spy_diff_files(monkeypatch)
    root = make_repo({"app/a.py": '"""A."""\n', "app/b.py": "def f():\n    pass\n", "web/x.ts": "export {}\n"})
    run_cli("audit", str(root))  # cold: fills the caches
    if dirty:
        (root / "app/a.py").write_text("def g():\n    pass\n", encoding="utf-8")
    calls.clear()
    result = run_cli("audit", "--findings", str(root))
    assert len(calls) == 1, calls  # the stored-run key and both stages share it
    # The shared answer is still honoured: the edited file is analysed from the work tree.
    assert ("'g' has no docstring" in result.stdout) is dirty


def test_git_compares_the_work_tree_before_the_configuration_loads(
    make_repo: Callable[..., Path], run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cached audit starts its one ``git diff-files`` before it loads the configuration (git
    works meanwhile); a configuration error stops it (no git left running), and ``--no-cache``
    does not start it early."""
    import repo_roles.config.loader as loader
    from repo_roles.inventory import WorktreeDiff

    events: List[str] = []
    calls = _spy_diff_files(monkeypatch)
    real_load = loader.load_config

    def load_config(*args, **kwargs):  # type: ignore[no-untyped-def]
        events.append(f"config after {len(calls)} diff-files")
        return real_load(*args, **kwargs)

    monkeypatch.setattr(loader, "load_config", load_config)
    cancelled: List[bool] = []
    real_cancel = WorktreeDiff.cancel

    def cancel(self: WorktreeDiff) -> None:
        cancelled.append(True)
        real_cancel(self)
        assert self._process is not None and self._process.returncode is not None  # git stopped

    monkeypatch.setattr(WorktreeDiff, "cancel", cancel)
    root = make_repo({"repo-roles.toml": "exclude = ['gen/']\n", "app/a.py": '"""A."""\n'})
    assert run_cli("audit", str(root)).exit_code in (0, 1)
    assert events == ["config after 1 diff-files"] and len(calls) == 1 and not cancelled
    events.clear(), calls.clear()
    assert run_cli("audit", "--no-cache", str(root)).exit_code in (0, 1)
    assert events == ["config after 0 diff-files"]
    events.clear(), calls.clear()
    (root / "repo-roles.toml").write_text("exclude = 'gen/'\n")
    result = run_cli("audit", str(root))
    assert result.exit_code == 2 and "repo-roles.toml:1" in result.stderr
    assert events == ["config after 1 diff-files"] and cancelled == [True]
