"""`check FILE...` touches what the given files need, and the fixed costs of every command (issue 13).

Pinned here as behaviour, not timings (the figures live in ``benchmarks/bench_check.py``):

* ``check FILES`` gives the findings a whole-project ``check`` gives for those files, on a first
  run (the evidence index built and stored in shards), a second (read shard by shard) and after
  a shard is damaged (answered from the whole index);
* which git commands run, seen through a ``git`` on PATH that logs its arguments and hands over
  to the real git (no mock: git does the work): ``check FILES`` never stats the whole work tree
  (``git diff-files``), and a whole scan skips ``git check-attr`` when no attributes file
  exists (gitattributes(5) lists where git reads them);
* GitPython is not imported by ``check``/``ls`` (it is by history commands);
* the console script ends with ``os._exit`` after flushing: its exit codes 0 / 1 / 2 / 130 and
  its whole output are those of the ordinary exit (ruff's exit codes; POSIX 128 + SIGINT).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import pytest

from conftest import git

MakeRepo = Callable[..., Path]

TREE = {
    "pyproject.toml": "[project]\nname = 'shop'\n",
    "src/shop/__init__.py": "",
    "src/shop/billing.py": "def charge(x):\n    return x\n",
    "src/shop/orders.py": "def place(x):\n    return x\n",
    "src/shop/lonely.py": "def alone():\n    return 1\n",
    "src/shop/carts.py": '"""Carts."""\n\n\ndef add(x):\n    """Add."""\n    return x\n',
    "tests/conftest.py": "import pytest\nfrom shop import orders\n\n\n@pytest.fixture\ndef order():\n    return orders\n",
    "tests/test_billing.py": "from shop.billing import charge\n\n\ndef test_charge():\n    assert charge(1) == 1\n",
    "tests/test_uses_order.py": "def test_order(order):\n    assert order\n",
    "tests/test_broken.py": "def test_(:\n",
    "web/src/cart.test.ts": "import { total } from './cart';\n",
    "web/src/cart.ts": "export function total() { return 1; }\n",
    ".github/CODEOWNERS": "* @acme/core\n/web/ @acme/web\n",
}
TARGETS = ["src/shop/billing.py", "src/shop/lonely.py", "src/shop/orders.py", "tests/test_broken.py",
           "web/src/cart.ts"]


def _console() -> List[str]:
    return [sys.executable, "-m", "repo_roles"]


def _run(cwd: Path, *args: str, env: Dict[str, str] = {}) -> subprocess.CompletedProcess:
    return subprocess.run([*_console(), *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **env}, stdin=subprocess.DEVNULL, timeout=300)


def _findings(out: str, paths: List[str]) -> List[Tuple[str, str, object, str]]:
    return sorted((f["filename"], f["code"], f["location"]["row"] if f.get("location") else None, f["message"])
                  for f in json.loads(out) if f["filename"] in paths)


def _file_scope(codes: List[Tuple[str, str, object, str]]) -> List[Tuple[str, str, object, str]]:
    from repo_roles.checks.registry import RULES, iter_rules

    iter_rules()
    return [f for f in codes if RULES[f[1]].scope == "file"]


def test_check_files_gives_the_whole_runs_findings_for_those_files(make_repo: MakeRepo, tmp_path: Path) -> None:
    repo = make_repo(TREE)
    whole = _run(repo, "check", "--exit-zero", "--output-format", "json")
    assert whole.returncode == 0, whole.stderr
    expected = _file_scope(_findings(whole.stdout, TARGETS))
    codes = {f[1] for f in expected}
    assert {"TST001", "DOC001", "DOC004"} <= codes, expected  # the cases below are really exercised
    assert any(f[0] == "src/shop/lonely.py" and f[1] == "TST001" for f in expected)
    assert not any(f[0] in ("src/shop/billing.py", "src/shop/orders.py") and f[1] == "TST001" for f in expected)
    cache = Path(os.environ["REPO_ROLES_CACHE_DIR"])
    first = _run(repo, "check", "--exit-zero", "--output-format", "json", *TARGETS)  # builds, stores shards
    assert _findings(first.stdout, TARGETS) == expected, first.stderr
    for _ in range(3):  # a cache write is skipped when the database stays locked (a loaded machine)
        if _shard_rows(cache):
            break
        _run(repo, "check", "--exit-zero", *TARGETS)
    assert _shard_rows(cache) > 0
    second = _run(repo, "check", "--exit-zero", "--output-format", "json", *TARGETS)  # reads shards
    assert _findings(second.stdout, TARGETS) == expected, second.stderr
    _shard_rows(cache, damage=True)
    third = _run(repo, "check", "--exit-zero", "--output-format", "json", *TARGETS)
    assert _findings(third.stdout, TARGETS) == expected, third.stderr


def _shard_rows(cache: Path, damage: bool = False) -> int:
    """How many evidence shards are stored; with ``damage``, garble them all first (the run must
    then answer from the whole index)."""
    from repo_roles.testrefs.evidence import SHARD_KIND

    like = SHARD_KIND.split("{")[0] + "%"
    count = 0
    for database in cache.rglob("*.sqlite3"):
        with sqlite3.connect(str(database)) as db:
            if damage:
                db.execute("UPDATE snapshot SET data = ? WHERE kind LIKE ?", (b"{not json", like))
            count += db.execute("SELECT COUNT(*) FROM snapshot WHERE kind LIKE ?", (like,)).fetchone()[0]
    return count


def test_check_files_sees_a_changed_test_among_the_files(make_repo: MakeRepo) -> None:
    """A target's work-tree content counts, even unstaged: the test now imports lonely."""
    repo = make_repo(TREE)
    assert "TST001" in _run(repo, "check", "--exit-zero", "src/shop/lonely.py", "tests/test_billing.py").stdout
    (repo / "tests" / "test_billing.py").write_text("from shop.lonely import alone\n\n\ndef test_a():\n    alone()\n")
    after = _run(repo, "check", "--exit-zero", "src/shop/lonely.py", "tests/test_billing.py")
    assert "TST001" not in after.stdout, after.stdout


# -- which git commands run ------------------------------------------------------------------


def _git_logger(tmp_path: Path) -> Tuple[Dict[str, str], Path]:
    """A ``git`` first on PATH that appends its arguments to a log, then runs the real git."""
    real = shutil.which("git")
    assert real is not None
    bin_dir = tmp_path / "logging-bin"
    bin_dir.mkdir()
    log = tmp_path / "git.log"
    script = bin_dir / "git"
    script.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{real}" "$@"\n')
    script.chmod(0o755)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}, log


def _git_commands(log: Path) -> List[str]:
    return [line.split()[0] for line in log.read_text().splitlines() if line.split()] if log.exists() else []


def test_check_files_never_stats_the_whole_work_tree(make_repo: MakeRepo, tmp_path: Path) -> None:
    repo = make_repo({**TREE, **{f"pkg/m{i}.py": "x = 1\n" for i in range(2100)}})  # over GIT_STATUS_MIN_FILES
    env, log = _git_logger(tmp_path)
    done = _run(repo, "check", "--exit-zero", *TARGETS, env=env)
    assert done.returncode == 0, done.stderr
    commands = _git_commands(log)
    assert "ls-files" in commands and "diff-files" not in commands, commands
    log.unlink()
    done = _run(repo, "check", "--exit-zero", env=env)  # the whole project: git compares the tree
    assert done.returncode == 0 and "diff-files" in _git_commands(log), _git_commands(log)


def test_whole_scan_skips_check_attr_without_attributes_files(make_repo: MakeRepo, tmp_path: Path) -> None:
    """gitattributes(5): .gitattributes in the tree, $GIT_DIR/info/attributes, core.attributesFile
    ($XDG_CONFIG_HOME/git/attributes by default) and $(prefix)/etc/gitattributes."""
    repo = make_repo({"src/app.py": "x = 1\n", "gen/api.py": "x = 1\n"})
    env, log = _git_logger(tmp_path)
    env["GIT_ATTR_NOSYSTEM"] = "1"  # this machine's system file, if any, is not the test's
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg")
    assert _run(repo, "ls", "--format", "jsonl", env=env).returncode == 0
    assert "check-attr" not in _git_commands(log)
    # an untracked .gitattributes in a sub-directory applies (git reads the work tree's files)
    (repo / "gen" / ".gitattributes").write_text("*.py linguist-generated\n")
    log.unlink()
    listed = _run(repo, "ls", "--format", "jsonl", env=env)
    assert "check-attr" in _git_commands(log)
    roles = {row["path"]: row["role"] for row in map(json.loads, listed.stdout.splitlines())}
    assert roles["gen/api.py"] == "generated" and roles["src/app.py"] != "generated", roles
    (repo / "gen" / ".gitattributes").unlink()
    for where in (repo / ".git" / "info" / "attributes", tmp_path / "xdg" / "git" / "attributes"):
        where.parent.mkdir(parents=True, exist_ok=True)
        where.write_text("gen/*.py linguist-generated\n")
        log.unlink()
        listed = _run(repo, "ls", "--format", "jsonl", env=env)
        assert "check-attr" in _git_commands(log), where
        assert '"generated"' in listed.stdout, (where, listed.stdout)
        where.unlink()


# -- imports -----------------------------------------------------------------------------------


@pytest.mark.parametrize("args, imported", [
    (["check", "--exit-zero"], False),
    (["ls"], False),
    (["suggest-owners"], True),
], ids=["check", "ls", "history-reads-git-log"])
def test_gitpython_is_imported_only_by_commands_that_use_it(make_repo: MakeRepo, args: List[str],
                                                             imported: bool) -> None:
    repo = make_repo({"src/app.py": "x = 1\n"})
    code = ("import sys\nfrom repo_roles.cli import main\n"
            f"try:\n    main.main({args!r})\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write('GITPYTHON=%s' % ('git' in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, timeout=300)
    assert f"GITPYTHON={imported}" in done.stderr, done.stderr


# -- the quick exit ----------------------------------------------------------------------------


def test_console_script_exit_codes_and_whole_output(make_repo: MakeRepo, run_cli) -> None:
    """ruff's exit codes: 0 clean, 1 findings, 2 usage error -- through ``os._exit``."""
    # the console script of the interpreter under test (not whichever repo-roles PATH finds first)
    executable = shutil.which("repo-roles", path=os.path.dirname(sys.executable))
    commands = [_console()] + ([[executable]] if executable else [])
    clean = make_repo({"README.md": "# x\n", ".github/CODEOWNERS": "* @acme/core\n"})
    many = make_repo({f"pkg/m{i}.py": "".join(f"def f{j}():\n    pass\n" for j in range(30)) for i in range(40)})
    old = os.getcwd()
    os.chdir(many)
    try:
        in_process = run_cli("check", "--output-format", "json")
    finally:
        os.chdir(old)
    assert in_process.exit_code == 1
    for command in commands:
        assert subprocess.run([*command, "check"], cwd=clean, capture_output=True).returncode == 0
        done = subprocess.run([*command, "check", "--output-format", "json"], cwd=many, capture_output=True, text=True)
        assert done.returncode == 1
        assert done.stdout == in_process.stdout and len(json.loads(done.stdout)) > 40 * 30  # all of it, flushed
        bad = subprocess.run([*command, "check", "--no-such-option"], cwd=clean, capture_output=True, text=True)
        assert bad.returncode == 2 and "No such option" in bad.stderr


def test_console_script_interrupted_exits_130(make_repo: MakeRepo, tmp_path: Path) -> None:
    """POSIX: 128 + SIGINT (2).  A ``git`` that waits lets the signal arrive mid-run, for sure."""
    repo = make_repo({"a.py": "x = 1\n"})
    bin_dir = tmp_path / "slow-bin"
    bin_dir.mkdir()
    started = tmp_path / "started"
    (bin_dir / "git").write_text(f'#!/bin/sh\ntouch "{started}"\nexec sleep 60\n')
    (bin_dir / "git").chmod(0o755)
    # A shell without job control starts background commands with SIGINT ignored, and Python then
    # keeps it ignored (no KeyboardInterrupt): the child gets the default disposition, as a
    # command typed at a terminal has, whatever the way this suite itself was started.
    proc = subprocess.Popen([*_console(), "check"], cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        for _ in range(600):  # the interpreter is up and waiting on git
            if started.exists():
                break
            time.sleep(0.05)
        assert started.exists()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130 and "repo-roles: interrupted" in err, err


# -- the evidence key ----------------------------------------------------------------------------


def _evidence_key(repo: Path, files: List[str]) -> str:
    from repo_roles.scan import scan
    from repo_roles.testrefs import facts as F

    old = os.getcwd()
    os.chdir(repo)
    try:
        context = scan(Path("."), files=files)
        paths = context.inventory.paths
        listed = context.inventory.paths_digest()
        kinds, kinds_digest = F.wanted_cached(None, paths, listed, [])
        key = F.quick_key(context, kinds, kinds_digest, listed)
        # a check's key from the stored positions of the files evidence reads is the same key
        store = F.open_store(context)
        F.remember_positions(store, paths, listed, [], kinds, kinds_digest)
        assert F.few_key(context, store, listed, []) == key
        assert F.few_key(context, store, listed, ["tests/test_billing.py"]) is None  # other settings
        salt = F._positions_salt(listed, [])
        raw = store.read_snapshot(F.POSITIONS_KIND, salt)
        for damaged in (raw[:-2], raw[:40] + bytes([raw[40] ^ 1]) + raw[41:], raw[:70] + b"\xff" + raw[71:]):
            store.put_snapshot(F.POSITIONS_KIND, salt, damaged)
            assert F.few_key(context, store, listed, []) is None  # truncated or damaged: a miss
        store.close()
    finally:
        os.chdir(old)
    assert key is not None
    return key


def test_evidence_key_follows_paths_and_the_files_evidence_reads(make_repo: MakeRepo) -> None:
    """The key of the stored index moves with every path and every test/manifest blob (what the
    index is made of), and with a target's unstaged content; not with other files' content."""
    repo = make_repo(TREE)
    files = ["src/shop/lonely.py"]
    base = _evidence_key(repo, files)
    assert _evidence_key(repo, files) == base
    (repo / "src" / "shop" / "billing.py").write_text("def charge(x):\n    return 2 * x\n")
    git(repo, "commit", "-qam", "module edit")
    assert _evidence_key(repo, files) == base  # not a file test evidence reads
    (repo / "tests" / "test_billing.py").write_text("from shop.lonely import alone\n")
    git(repo, "commit", "-qam", "test edit")
    edited = _evidence_key(repo, files)
    assert edited != base
    (repo / "src" / "shop" / "new.py").write_text("x = 1\n")
    git(repo, "add", "-A")
    assert _evidence_key(repo, files) != edited  # a new path: imports may resolve differently
    (repo / "tests" / "test_uses_order.py").write_text("from shop.lonely import alone\n")  # unstaged
    staged = _evidence_key(repo, files)
    assert _evidence_key(repo, [*files, "tests/test_uses_order.py"]) != staged  # a target: read from disk


def test_tests_roots_by_binary_search_match_the_scan() -> None:
    """Sorted paths (an inventory's) are searched by prefix; any other order is scanned: same roots."""
    from repo_roles.coverage.test_names import PathNames

    paths = sorted(["app/tests/test_a.py", "app/tests/unit/test_b.py", "app/src/a.py", "lib/test/x_test.py",
                    "lib/src/tests/helper.py", "tests/test_top.py", "tests/tests/test_deep.py", "testsuite/test_no.py",
                    "unicodé/tests/test_u.py", "unicodé/src/u.py"])
    for directory in ("app/src", "lib/src", "", "unicodé/src", "tests"):
        expected = PathNames(list(reversed(paths))).tests_roots(directory)  # not sorted: one scan
        assert PathNames(paths).tests_roots(directory) == expected, directory
    assert PathNames(paths).tests_roots("app/src") == ["tests", "app/tests"]


def test_paths_digest_is_the_hash_of_every_path_ended_by_a_nul() -> None:
    """Hashed chunk by chunk, the digest is that of one stream: a chunk boundary changes nothing."""
    import hashlib

    from repo_roles import inventory as F

    paths = [f"src/m{i}/caf\u00e9_{i}.py" for i in range(F._DIGEST_CHUNK * 2 + 5)]
    expected = hashlib.sha1("".join(p + "\0" for p in paths).encode("utf-8", "surrogatepass")).hexdigest()
    assert F.paths_digest(paths) == expected
    assert F.paths_digest(paths[:-1]) != expected and F.paths_digest([]) == hashlib.sha1(b"").hexdigest()


def test_path_set_answers_as_a_set_does() -> None:
    """Binary search while few questions are asked of a sorted list, a set after (or unsorted)."""
    from repo_roles.coverage.test_names import PathNames, PathSet

    paths = sorted(["a/__init__.py", "a/b.py", "a/b/c.py", "caf\u00e9.py", "z.py", "a/b.pyi"])
    asked = ["a/b.py", "a/b", "a", "", "z.py", "zz.py", "caf\u00e9.py", "a/b/c.py", "0"] * (PathSet.FEW // 4)
    for listed in (paths, list(reversed(paths))):
        members = PathNames(listed).paths
        assert [p in members for p in asked] == [p in set(paths) for p in asked]
        assert sorted(members) == paths and len(members) == len(paths)


def test_clean_targets_share_the_evidence_key(make_repo: MakeRepo) -> None:
    """pre-commit runs a hook on its files in parallel batches (``require_serial: false``): two
    runs on different clean test files read the same evidence, under one key; a target whose
    content is not its index record's is keyed by its content."""
    repo = make_repo(TREE)
    base = _evidence_key(repo, ["src/shop/lonely.py"])
    assert _evidence_key(repo, ["tests/test_billing.py"]) == base
    assert _evidence_key(repo, ["tests/test_uses_order.py", "src/shop/billing.py"]) == base
    (repo / "tests" / "test_uses_order.py").write_text("from shop.lonely import alone\n")  # not staged
    dirty = _evidence_key(repo, ["tests/test_uses_order.py"])
    assert dirty != base and _evidence_key(repo, ["tests/test_billing.py"]) == base
    git(repo, "add", "tests/test_uses_order.py")  # staged: the index record is that content again
    assert _evidence_key(repo, ["tests/test_uses_order.py"]) == _evidence_key(repo, ["tests/test_billing.py"]) != base


def test_open_project_asks_git_its_top_level_once(make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    """The project lookup and the inventory of a stored-run command share one ``git rev-parse``."""
    from repo_roles import inventory
    from repo_roles.commands.memo import open_project

    repo = make_repo(TREE)
    asked: List[Path] = []
    original = inventory.ask_toplevel
    monkeypatch.setattr(inventory, "ask_toplevel", lambda path: asked.append(path) or original(path))
    monkeypatch.chdir(repo)
    project = open_project(".", None, None)
    assert len(asked) == 1 and project.root == repo.resolve() and "src/shop/lonely.py" in project.inventory.paths
