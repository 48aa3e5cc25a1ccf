"""A damaged cache, two runs at once, and a run killed mid-write never change results (issue 13).

The worst case is a slower run: every result equals the one of a ``--no-cache`` run.  SQLite's
own guarantees are what the analysis database leans on: a transaction is atomic even when the
process dies (https://www.sqlite.org/atomiccommit.html, https://www.sqlite.org/wal.html), and
concurrent writers wait on the lock (``timeout``) or skip, never interleave.  The JSON caches
are replaced whole through ``repo_roles.atomic`` (a rename), so a killed writer leaves the old
file or the new one, never half of one.
"""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

import pytest

from repo_roles import scan as scan_module
from tests.conftest import GIT_ENV, git, write_files

MODULES = 300  # the in-process test lowers scan.SNIFF_CACHE_MIN_FILES so the classifier's caches take part


def _files(count: int) -> Dict[str, str]:
    files = {"CODEOWNERS": "* @org/core\nsvc/ @org/svc\n", "README.md": "# demo\n",
             "tests/test_m0.py": "from svc.m0 import f0\n\n\ndef test_f0():\n    f0()\n"}
    for i in range(count):
        doc = f'"""Module {i}."""\n' if i % 3 else ""
        files[f"svc/p{i % 40}/m{i}.py"] = f"{doc}\n\ndef f{i}():\n    return {i}\n"
    return files


@pytest.fixture(scope="module")
def big_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("robust") / "repo"
    root.mkdir()
    os.environ.update(GIT_ENV)
    git(root, "init", "-q", "-b", "main")
    write_files(root, _files(MODULES))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    (root / "svc" / "p1" / "m1.py").write_text('"""Dirty in the work tree."""\n')  # dirty: analysed by content
    return root


def _cli(root: Path, env: Dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "repo_roles", *args, str(root)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _out(proc: subprocess.Popen) -> bytes:
    out, err = proc.communicate(timeout=600)
    assert proc.returncode in (0, 1), err.decode(errors="replace")
    return out


COMMANDS: List[List[str]] = [["ls", "--format", "jsonl"], ["check", "--output-format", "json", "--extend-select", "HIS"],
                             ["audit", "--format", "json"]]


def _results(root: Path, env: Dict[str, str], *extra: str) -> List[bytes]:
    return [_out(_cli(root, env, *command, *extra)) for command in COMMANDS]


@pytest.fixture(scope="module")
def expected(big_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> List[bytes]:
    env = dict(os.environ, REPO_ROLES_CACHE_DIR=str(tmp_path_factory.mktemp("unused")))
    return _results(big_repo, env, "--no-cache")


def _env(tmp_path: Path) -> Dict[str, str]:
    return dict(os.environ, REPO_ROLES_CACHE_DIR=str(tmp_path / "cache"))


def test_two_runs_at_once_on_one_cache(big_repo: Path, expected: List[bytes], tmp_path: Path) -> None:
    """Two audits (they write every cache) fill one empty cache at the same time; both, and the
    runs after, are right."""
    env = _env(tmp_path)
    both = [_cli(big_repo, env, *COMMANDS[2]), _cli(big_repo, env, *COMMANDS[2])]
    assert [_out(p) for p in both] == [expected[2], expected[2]]
    assert _results(big_repo, env) == expected


def test_runs_killed_with_sigkill_mid_write_change_nothing(big_repo: Path, expected: List[bytes], tmp_path: Path) -> None:
    """SIGKILL at several moments of cold runs (reading git, analysing, writing the caches), on
    the same cache each time; then a run equals the ``--no-cache`` one."""
    env = _env(tmp_path)
    killed = 0
    for delay in (0.4, 0.8, 1.2, 1.6, 2.0, 2.5, 3.0):
        proc = _cli(big_repo, env, *COMMANDS[2])  # the audit writes every cache
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        killed += proc.returncode == -signal.SIGKILL
    assert killed >= 3  # most were killed before their end (the test means something)
    assert _results(big_repo, env) == expected


def _damage_every_file(root: Path, how: str) -> int:
    damaged = 0
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if how == "truncated":
            path.write_bytes(data[: len(data) // 2])
        elif how == "garbage":
            path.write_bytes(os.urandom(max(len(data), 64)))
        else:
            path.write_bytes(b"")
        damaged += 1
    return damaged


@pytest.mark.parametrize("how", ["truncated", "garbage"])
def test_every_cache_file_damaged(big_repo: Path, expected: List[bytes], tmp_path: Path, monkeypatch, run_cli,
                                  how: str) -> None:
    """Every file under the cache root (the SQLite database with its -wal/-shm, the history
    model, the declared-rows table) truncated, overwritten with garbage, or emptied: the next
    run equals ``--no-cache``, and so does the one after (the caches were rebuilt)."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(cache))
    monkeypatch.setattr(scan_module, "SNIFF_CACHE_MIN_FILES", 0)

    def results() -> List[bytes]:
        out = []
        for command in COMMANDS:
            result = run_cli(*command, str(big_repo))
            assert result.exit_code in (0, 1), result.stderr
            out.append(result.stdout.encode())
        return out

    results()
    # At rest, as between two processes: an in-process run may leave a connection for the
    # garbage collector, and SQLite maps the -shm file of an open database (damaging a mapped
    # file is another matter: https://www.sqlite.org/howtocorrupt.html).
    gc.collect()
    names = {p.name.split("-v")[0] for p in cache.iterdir()}
    assert {"docs", "history", "declared-rows"} <= names
    assert _damage_every_file(cache, how) >= 3
    assert results() == expected
    assert results() == expected
