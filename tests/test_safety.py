"""Hostile pull requests (issue 9): one case per reported break, each in a real temporary repository.

Every case runs the CLI in a subprocess under ``resource`` limits -- RLIMIT_AS (address space)
and RLIMIT_CPU (CPU seconds) -- so a blow-up is a killed process (a negative return code), not
a slow assertion; no wall-clock time is asserted.  Each asserts the exit code, the message and
that nothing outside the repository changed (a sibling ``outside`` directory is fingerprinted
before and after).  FIFOs are private (``os.mkfifo`` in tmp_path); no system file is touched.
"""

from __future__ import annotations

import hashlib
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from repo_roles.coverage.cache import DB_NAME

from tests.conftest import git, write_files

MEMORY = 1536 << 20  # 1.5 GiB of address space: the interpreter, tree-sitter and git fit easily
CPU_SECONDS = 30  # the catastrophic cases took minutes to hours before the fix


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def cli(cwd: Path, *args: str, env: Dict[str, str] = {}) -> Tuple[int, str, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "repo_roles", *args], cwd=cwd, capture_output=True, text=True,
        env={**os.environ, **env}, preexec_fn=_limits, stdin=subprocess.DEVNULL, timeout=600,
    )
    assert proc.returncode >= 0, f"killed by signal {-proc.returncode} (resource limit): {proc.stderr}"
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, proc.stdout, proc.stderr


def fingerprint(root: Path) -> List[Tuple[str, str]]:
    out = []
    for path in sorted(root.rglob("*")):
        st = os.lstat(path)
        if path.is_symlink():
            out.append((str(path), "link:" + os.readlink(path)))
        elif path.is_file():
            out.append((str(path), hashlib.sha1(path.read_bytes()).hexdigest()))
        else:
            out.append((str(path), oct(st.st_mode)))
    return out


@pytest.fixture
def world(tmp_path: Path):
    """``(repo maker, outside directory)``; the outside directory must never change."""
    outside = tmp_path / "outside"
    write_files(outside, {"victim.txt": "precious\n", "repo-roles.toml": '[roles]\n"backend.logic" = ["x/**"]\n',
                          "secret.py": "def leaked_function_name():\n    pass\n"})
    before: List[List[Tuple[str, str]]] = []

    def make(files: Dict[str, object], links: Dict[str, str] = {}, fifos: Tuple[str, ...] = (), commit=True) -> Path:
        before.append(fingerprint(outside))  # the test's own outside files are in place by now
        root = tmp_path / "repo"
        root.mkdir()
        git(root, "init", "-q", "-b", "main")
        write_files(root, {k: v for k, v in files.items()})  # type: ignore[misc]
        for name, target in links.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(target, root / name)
        for name in fifos:
            os.mkfifo(root / name)
        if commit:
            git(root, "add", "-A", "--", *[p for p in os.listdir(root) if p != ".git" and p not in fifos])
            git(root, "commit", "-q", "-m", "hostile")
        return root

    yield make, outside
    assert before and fingerprint(outside) == before[0], "something outside the repository changed"


# -- 1. the repository's config cannot make repo-roles write outside it ---------------------
def test_config_cache_dir_cannot_reach_a_linked_database(world, tmp_path: Path) -> None:
    make, outside = world
    victim = outside / DB_NAME  # the cache database name of this version
    victim.write_bytes(b"not a database but precious")
    repo = make({"repo-roles.toml": 'cache-dir = "."\n', "a.py": "def f():\n    pass\n"},
                links={DB_NAME: str(victim)})
    tracked = fingerprint(repo / "a.py") + [(str(repo / "a.py"), (repo / "a.py").read_text())]
    code, _, err = cli(repo, "check", ".", env={"REPO_ROLES_CACHE_DIR": str(tmp_path / "cache")})
    assert code in (0, 1), err
    assert victim.read_bytes() == b"not a database but precious"
    assert os.path.islink(repo / DB_NAME)  # the tracked link was not replaced either
    assert tracked == fingerprint(repo / "a.py") + [(str(repo / "a.py"), (repo / "a.py").read_text())]
    assert (tmp_path / "cache" / DB_NAME).is_file()  # the cache went to the user's root


def test_config_cache_dir_dotdot_stays_in_the_user_cache_root(world, tmp_path: Path) -> None:
    make, outside = world
    repo = make({"repo-roles.toml": f'cache-dir = "../../../{outside}/made"\n', "a.py": "x = 1\n"})
    code, _, err = cli(repo, "check", ".", env={"REPO_ROLES_CACHE_DIR": str(tmp_path / "cache")})
    assert code in (0, 1), err
    assert not (outside / "made").exists()
    assert list((tmp_path / "cache" / "by-config").rglob(DB_NAME))


# -- 2. -o never replaces a FIFO or a device, never writes through a linked parent -----------
def test_output_refuses_a_fifo(world, tmp_path: Path) -> None:
    make, _ = world
    repo = make({"a.py": "x = 1\n"})
    fifo = tmp_path / "private.fifo"  # a stand-in for /dev/null: a special file, not ours
    os.mkfifo(fifo)
    code, _, err = cli(repo, "check", ".", "-o", str(fifo))
    assert code == 2 and "is a FIFO; refusing to replace it" in err
    assert fifo.is_fifo()


@pytest.mark.parametrize("command", [("check", ".", "-o", "out/report.txt"), ("baseline", ".", "-o", "out/deep/b.json")])
def test_outputs_refuse_a_linked_parent_directory(world, command) -> None:
    make, outside = world
    repo = make({"a.py": "x = 1\n"}, links={"out": str(outside)})
    code, _, err = cli(repo, *command)
    assert code == 2 and "is a symbolic link; refusing to write through it" in err


def test_init_refuses_a_linked_destination(world) -> None:
    make, outside = world
    repo = make({"a.py": "x = 1\n"}, links={"repo-roles.toml": str(outside / "new.toml")})
    code, _, err = cli(repo, "init", ".")
    assert code == 2 and "symbolic link" in err
    assert not (outside / "new.toml").exists()


def test_output_parent_that_cannot_be_created_is_a_plain_error(world) -> None:
    make, _ = world
    repo = make({"a.py": "x = 1\n", "blocker": "a file, not a directory\n"})
    code, _, err = cli(repo, "check", ".", "-o", "blocker/report.txt")
    assert code == 2 and "blocker/report.txt: cannot write: Not a directory" in err


# -- 3. linear-time matching of every untrusted pattern --------------------------------------
EVIL = "**/" * 10 + "a*" * 8 + "b"
LONG_NAME = "a" * 200


@pytest.mark.parametrize("dialect_line", ["", "[Section]\n"], ids=["github", "gitlab"])
def test_codeowners_catastrophic_pattern_is_linear(world, dialect_line: str) -> None:
    make, _ = world
    repo = make({".github/CODEOWNERS": f"{dialect_line}{EVIL} @x\n* @y\n", LONG_NAME: "x\n", "a.py": "x = 1\n"})
    for command in (("check", "."), ("ls", "."), ("audit", "."), ("explain", LONG_NAME)):
        code, _, err = cli(repo, *command)
        assert code in (0, 1), (command, err)


def test_owners_k8s_filters_and_chromium_per_file_are_linear(world) -> None:
    make, _ = world
    evil_re = "(a*)*" * 4 + "b"
    repo = make({
        "k8s/OWNERS": f'filters:\n  "{evil_re}":\n    approvers: ["@x"]\n',
        f"k8s/{LONG_NAME}": "x\n",
        "chrome/OWNERS": f"per-file {'*a' * 12}b=someone@example.com\n",
        f"chrome/{LONG_NAME}": "x\n",
    })
    code, _, err = cli(repo, "check", ".")
    assert code in (0, 1), err


def test_config_globs_and_ignore_regex_are_linear(world) -> None:
    make, _ = world
    repo = make({
        "repo-roles.toml": f'exclude = ["{EVIL}"]\n[roles]\n"backend.logic" = ["{EVIL}"]\n'
                           f'[docs.python]\nignore-regex = ["{"(a|a)*" * 3}b"]\n',
        LONG_NAME + ".py": f"def {LONG_NAME}():\n    pass\n",
    })
    code, _, err = cli(repo, "check", ".")
    assert code in (0, 1), err


def test_chromium_include_chain_is_bounded_with_a_finding(world) -> None:
    make, _ = world
    files: Dict[str, object] = {f"d{i}/OWNERS": f"file://d{i + 1}/OWNERS\nu{i}@example.com\n" for i in range(1000)}
    files["d1000/OWNERS"] = "last@example.com\n"
    files["d0/a.py"] = "x = 1\n"
    repo = make(files)
    code, out, err = cli(repo, "check", ".", "--output-format", "concise")
    assert code in (0, 1), err
    assert "not followed: references go more than 32 levels deep" in out


# -- 4. bounded reads --------------------------------------------------------------------------
def test_baseline_through_a_link_to_a_fifo_is_refused(world, tmp_path: Path) -> None:
    make, _ = world
    fifo = tmp_path / "zero.fifo"  # stands in for /dev/zero: reading it would never end
    os.mkfifo(fifo)
    repo = make({"a.py": "x = 1\n"}, links={"baseline.json": str(fifo)})
    code, _, err = cli(repo, "check", ".", "--baseline", "baseline.json")
    assert code == 2 and "cannot read the baseline" in err and "symbolic link" in err
    code, _, err = cli(repo, "check", ".", "--baseline", str(fifo))
    assert code == 2 and "is a FIFO" in err


def test_gitignore_fifo_outside_git_never_hangs(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    write_files(root, {"a.py": "x = 1\n", "repo-roles.toml": ""})  # outside git a config is the explicit choice
    os.mkfifo(root / ".gitignore")
    os.symlink("/etc/hostname", root / "sub.gitignore")  # a link is never read, only listed
    code, _, err = cli(root, "ls", ".")
    assert code in (0, 1), err


def test_huge_codeowners_line_memory_is_bounded(world) -> None:
    make, _ = world
    owners = " ".join(f"@u{i}" for i in range(300_000))  # ~2.9 MB on one line
    repo = make({".github/CODEOWNERS": f"* {owners}\n", "a.py": "x = 1\n"})
    code, _, err = cli(repo, "check", ".")
    assert code in (0, 1), err


def test_deep_dotted_key_is_a_config_error(world) -> None:
    make, _ = world
    repo = make({"repo-roles.toml": "a." * 20_000 + "b = 1\n"})
    code, _, err = cli(repo, "check", ".")
    assert code == 2 and "repo-roles.toml:1:1: a dotted key with more than 32 parts" in err


def test_huge_max_file_size_is_refused(world) -> None:
    make, _ = world
    repo = make({"repo-roles.toml": "[docs.python]\nmax-file-size = 2147483648\n"})
    code, _, err = cli(repo, "check", ".")
    assert code == 2 and "repo-roles.toml:2:" in err and "an integer from 1 to" in err


# -- 5. no reads outside the repository ----------------------------------------------------------
@pytest.mark.parametrize("name", ["repo-roles.toml", "pyproject.toml"])
def test_linked_config_is_not_read(world, name: str) -> None:
    make, outside = world
    (outside / "pyproject.toml").write_text("[tool.repo-roles]\nsecret-key-name = 1\n")
    repo = make({"a.py": "x = 1\n"}, links={name: str(outside / name)})
    code, _, err = cli(repo, "check", ".")
    assert "secret-key-name" not in err
    if name == "repo-roles.toml":
        assert code == 2 and "symbolic link" in err
    else:
        assert code in (0, 1)  # a linked pyproject.toml is no configuration


@pytest.mark.parametrize("ref", ["ABS", "../outside/repo-roles.toml", "linked.toml"])
def test_extends_outside_the_work_tree_is_refused(world, ref: str) -> None:
    make, outside = world
    target = str(outside / "repo-roles.toml") if ref == "ABS" else ref
    repo = make({"repo-roles.toml": f'extends = "{target}"\n'}, links={"linked.toml": str(outside / "repo-roles.toml")})
    code, _, err = cli(repo, "check", ".")
    assert code == 2 and "repo-roles.toml:1:" in err
    assert "outside the project root" in err or "symbolic link" in err
    assert "x/**" not in err


@pytest.mark.parametrize("command", ["ls", "audit", "check"])
def test_linked_directory_argument_never_scans_its_target(world, command: str) -> None:
    make, outside = world
    repo = make({"a.py": "x = 1\n"}, links={"docs": str(outside)})
    code, out, err = cli(repo, command, "docs")
    assert "leaked_function_name" not in out + err and "secret.py" not in out + err
    if command == "check":  # a file argument that is a link is an entry of its own, not followed
        assert code in (0, 1), err
    else:
        assert code == 2 and "docs: is a symbolic link; repo-roles does not follow links" in err


# -- 6. exit codes and plain messages -------------------------------------------------------------
def test_interrupt_exits_130(world, run_cli, monkeypatch) -> None:
    """POSIX shells report 128 + SIGINT (2) = 130 for an interrupted command; ruff does too."""
    make, _ = world
    repo = make({"a.py": "x = 1\n"})
    import repo_roles.scan

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt  # what Ctrl-C raises wherever the scan happens to be

    monkeypatch.setattr(repo_roles.scan, "scan_project", interrupted)
    result = run_cli("check", str(repo))
    assert result.exit_code == 130 and "repo-roles: interrupted" in result.stderr


def test_broken_pipe_exits_2_with_a_message(world) -> None:
    make, _ = world
    repo = make({"a.py": "x = 1\n"})
    proc = subprocess.Popen([sys.executable, "-m", "repo_roles", "ls", "."], cwd=repo,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdout.close()  # type: ignore[union-attr]
    err = proc.stderr.read()  # type: ignore[union-attr]
    assert proc.wait() == 2 and "broken pipe" in err


def test_missing_git_is_a_plain_message(world) -> None:
    make, _ = world
    repo = make({"a.py": "x = 1\n"})
    code, _, err = cli(repo, "check", ".", env={"PATH": str(repo / "no-bin")})
    assert code == 2 and "git is not installed or not on PATH" in err


@pytest.mark.parametrize("config, expected", [
    ('[docs]\nthresholds = { "src/[z-a]/**" = 50 }\n', "invalid glob"),
    ('[docs.python]\nignore-regex = ["(a)\\\\1"]\n', "invalid regular expression"),
    ('[docs.python]\nmax-file-size = 1.5\n', "an integer from 1 to"),
    ('extends = "' + "x/" * 600 + 'a.toml"\n', "path longer than 1024 characters"),
], ids=["thresholds-glob", "ignore-regex", "float-max-file-size", "long-extends"])
def test_former_internal_errors_are_config_errors(world, config: str, expected: str) -> None:
    make, _ = world
    repo = make({"repo-roles.toml": config})
    code, _, err = cli(repo, "check", ".")
    assert code == 2 and expected in err and "repo-roles.toml:" in err, err


def test_read_fd_with_a_stale_size_reads_the_file_as_it_is(tmp_path):
    """read_fd takes the size of an fstat already made (Inventory.read_bytes: one fstat) and
    reads that many bytes plus one; a file that grew or shrank since, or whose size does not
    count its bytes, is read on to its end, still never past the cap."""
    from repo_roles import safeio

    target = tmp_path / "f.txt"
    target.write_bytes(b"0123456789")

    def read(size, cap=100):
        return safeio.read_fd(safeio.open_regular(target), cap, size)

    assert read(10) == b"0123456789"  # the size it has
    assert read(5) == b"0123456789"  # grew since the fstat
    assert read(0) == b"0123456789"  # a size of 0 with bytes behind it
    assert read(20) == b"0123456789"  # shrank since the fstat
    assert read(5, cap=7) is None  # grew past the cap
    assert read(8, cap=7) is None  # over the cap as stated
    fd, size = safeio.open_regular_sized(target)
    assert (size, safeio.read_fd(fd, 100, size)) == (10, b"0123456789")
