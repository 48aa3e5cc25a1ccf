"""Bad and unusual input (issue #2's quality bar): a clear message on stderr, the right exit code
(ruff's: 0 clean, 1 findings, 2 error), and never a traceback.

Path quoting is git's (git-config ``core.quotePath``: names with control characters, ``"`` or
``\\`` are C-quoted in double quotes; with ``core.quotePath=false`` other unicode is shown as
is; bytes that are not UTF-8 are octal escapes as in git's default).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Callable

import pytest

from conftest import git
from repo_roles.pathfmt import display_path

MakeRepo = Callable[..., Path]


def clean(result) -> None:
    """No traceback and no "internal error" anywhere: every failure here is a user error."""
    assert "Traceback" not in result.stdout + result.stderr
    assert "internal error" not in result.stderr


def error_line(result) -> str:
    (line,) = [line for line in result.stderr.splitlines() if line.strip()]
    return line


# -- paths that cannot be scanned -----------------------------------------------------------------


@pytest.mark.parametrize("command", ["ls", "audit", "explain"])
def test_path_that_does_not_exist(run_cli, tmp_path: Path, command: str) -> None:
    missing = tmp_path / "nope"
    result = run_cli(command, str(missing))
    clean(result)
    assert result.exit_code == 2
    assert error_line(result) == f"repo-roles: error: {missing}: no such file or directory"
    assert result.stdout == ""


@pytest.mark.parametrize("command", ["ls", "audit"])
def test_bare_repository(run_cli, tmp_path: Path, command: str) -> None:
    bare = tmp_path / "bare.git"
    bare.mkdir()
    git(bare, "init", "-q", "--bare")
    result = run_cli(command, str(bare))
    clean(result)
    assert result.exit_code == 2
    assert "is a bare git repository" in error_line(result)


def test_directory_that_is_not_a_repository_is_walked_with_gitignore(make_repo: MakeRepo, run_cli) -> None:
    """A folder outside git is a project by its repo-roles.toml, and then walked honouring .gitignore."""
    root = make_repo(
        {".gitignore": "*.log\nbuild/\n", "app.py": "x = 1\n", "debug.log": "x\n", "build/out.js": "x\n",
         "sub/.gitignore": "local.txt\n", "sub/local.txt": "x\n", "sub/kept.txt": "x\n", "repo-roles.toml": ""},
        git_init=False,
    )
    result = run_cli("ls", "--format", "jsonl", str(root))
    clean(result)
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["path"] for r in records] == [".gitignore", "app.py", "repo-roles.toml", "sub/.gitignore",
                                            "sub/kept.txt"]
    assert {r["tracked"] for r in records} == {False}


@pytest.mark.parametrize(
    "untracked_files",
    [pytest.param({}, id="nothing-at-all"), pytest.param({"a.py": "x = 1\n"}, id="untracked-file-present")],
)
def test_empty_repository_without_commits(make_repo: MakeRepo, run_cli, untracked_files: dict) -> None:
    root = make_repo({})
    for name, content in untracked_files.items():
        (root / name).write_text(content)
    for args in (("ls",), ("ls", "--format", "jsonl")):
        result = run_cli(*args, str(root))
        clean(result)
        assert (result.exit_code, result.stdout) == (0, "")
    audit = run_cli("audit", str(root))
    clean(audit)
    assert audit.exit_code in (0, 1) and "Roles (0 files)" in audit.stdout


def test_detached_head(make_repo: MakeRepo, run_cli) -> None:
    root = make_repo({"app.py": "x = 1\n"})
    git(root, "checkout", "-q", "--detach")
    result = run_cli("ls", str(root))
    clean(result)
    assert result.exit_code == 0 and result.stdout.split()[:2] == ["backend.logic", "app.py"]


# -- odd file contents and names --------------------------------------------------------------------


def test_binary_and_non_utf8_contents_are_classified_by_path(make_repo: MakeRepo, run_cli) -> None:
    root = make_repo({
        "assets/photo.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
        "blob.bin": bytes(range(256)) * 4,
        "legacy/latin1.py": "s = 'caf\xe9'\n".encode("latin-1"),
        "legacy/utf16.txt": "hello".encode("utf-16"),
    })
    result = run_cli("ls", "--format", "jsonl", str(root))
    clean(result)
    assert result.exit_code == 0
    roles = {r["path"]: r["role"] for r in map(json.loads, result.stdout.splitlines())}
    assert roles["assets/photo.png"] == "frontend.assets"
    assert roles["legacy/latin1.py"] == "backend.logic"
    assert set(roles) == {"assets/photo.png", "blob.bin", "legacy/latin1.py", "legacy/utf16.txt"}
    for name in ("blob.bin", "legacy/latin1.py"):
        explained = run_cli("explain", str(root / name))
        clean(explained)
        assert explained.exit_code == 0


WEIRD = [
    pytest.param("with space.py", id="space"),
    pytest.param("ünïcødé.py", id="unicode"),
    pytest.param("new\nline.py", id="newline"),
    pytest.param("tab\there.py", id="tab"),
    pytest.param("-leading-dash.py", id="leading-dash"),
    pytest.param('quo"te.py', id="double-quote"),
    pytest.param("back\\slash.py", id="backslash"),
]


@pytest.mark.skipif(sys.platform == "win32", reason="these names are not allowed on Windows")
@pytest.mark.parametrize("name", WEIRD)
def test_weird_names_quoted_like_git_in_text_verbatim_in_jsonl(make_repo: MakeRepo, run_cli, name: str) -> None:
    root = make_repo({name: "x = 1\n"})
    text = run_cli("ls", str(root))
    clean(text)
    shown_by_git = git(root, "-c", "core.quotePath=false", "ls-files").rstrip("\n")
    assert text.stdout == f"backend.logic  {shown_by_git}  -\n"
    assert len(text.stdout.splitlines()) == 1  # one file, one line, whatever its name
    # check's text formats show the name exactly as ls does
    checked = run_cli("check", "--select", "DOC001", "--output-format", "concise", str(root))
    assert checked.stdout.splitlines()[0].startswith(f"{shown_by_git}:1: DOC001 ")
    (record,) = [json.loads(line) for line in run_cli("ls", "--format", "jsonl", str(root)).stdout.splitlines()]
    assert record["path"] == name


@pytest.mark.skipif(sys.platform == "win32", reason="these names are not allowed on Windows")
@pytest.mark.parametrize("name", [pytest.param("csi\x9b31m.py", id="c1-control-csi"),
                                  pytest.param("line\u2028sep.py", id="unicode-line-separator")])
def test_terminal_controls_in_names_are_quoted_as_git_does_by_default(make_repo: MakeRepo, run_cli,
                                                                       name: str) -> None:
    """A C1 control (CSI starts a terminal escape) or U+2028 in a name is shown as git's default
    ``core.quotePath=true`` shows it -- octal escapes of its UTF-8 bytes -- never raw."""
    root = make_repo({name: "x = 1\n", "plain.py": "x = 1\n"})
    quoted_by_git = git(root, "ls-files").splitlines()[0]
    assert quoted_by_git.startswith('"') and "\\" in quoted_by_git
    assert display_path(name) == quoted_by_git
    assert run_cli("ls", str(root)).stdout.splitlines()[0] == f"backend.logic  {quoted_by_git}  -"


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="needs a filesystem that keeps any bytes")
def test_name_that_is_not_utf8(make_repo: MakeRepo, run_cli) -> None:
    raw = b"caf\xe9-\xff.py"  # Latin-1 bytes: not valid UTF-8
    root = make_repo({"ok.py": "x = 1\n"})
    with open(os.path.join(os.fsencode(root), raw), "wb") as handle:
        handle.write(b"x = 1\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "latin-1 name")

    text = run_cli("ls", str(root))
    clean(text)
    assert text.exit_code == 0
    # Git's default quoting (core.quotePath=true) of bytes that are not UTF-8: octal escapes.
    assert text.stdout.splitlines()[0] == f"backend.logic  {git(root, 'ls-files').splitlines()[0]}  -"
    assert text.stdout.splitlines()[0] == 'backend.logic  "caf\\351-\\377.py"  -'

    result = run_cli("ls", "--format", "jsonl", str(root))
    clean(result)
    assert result.exit_code == 0
    data = result.stdout_bytes
    data.decode("utf-8")  # the stream stays valid UTF-8 ...
    records = [json.loads(line) for line in data.decode("utf-8").splitlines()]  # ... and valid JSON
    assert records[0]["path"].encode("utf-8", "surrogateescape") == raw  # git's bytes come back
    assert records[1] == {**records[1], "path": "ok.py"}
    assert '"ok.py"' in data.decode("utf-8").splitlines()[1]  # other lines keep the plain form

    audit = run_cli("audit", str(root))  # documentation analysis and caching see that name too
    clean(audit)
    assert audit.exit_code in (0, 1)


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_symlink_pointing_outside_is_listed_never_followed(make_repo: MakeRepo, run_cli, tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text("# Code generated by a tool. DO NOT EDIT.\n")  # would make it `generated`
    root = make_repo({"app.py": "x = 1\n"})
    os.symlink(str(outside), root / "link.py")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "link")
    result = run_cli("ls", "--format", "jsonl", str(root))
    clean(result)
    link = next(r for r in map(json.loads, result.stdout.splitlines()) if r["path"] == "link.py")
    assert (link["kind"], link["role"], link["signal"]) == ("symlink", "backend.logic", "language")
    explained = run_cli("explain", str(root / "link.py"))
    clean(explained)
    assert f"symlink -> {outside} (never followed or read; classified by path)" in explained.stdout
    assert "DO NOT EDIT" not in explained.stdout


# -- broken configuration: exit 2, file:line:col, nothing scanned ------------------------------------


@pytest.mark.parametrize(
    "config, location, message",
    [
        pytest.param("extends = 'recommended'\nbogus = 1\n", "repo-roles.toml:2:1", "bogus: unknown key 'bogus'",
                     id="unknown-key"),
        pytest.param("[ownership]\nowners-files = 'yes'\n", "repo-roles.toml:2:1",
                     "ownership.owners-files: expected true or false, found string 'yes'", id="wrong-type"),
        pytest.param("[roles\n", "repo-roles.toml:1:7", "invalid TOML", id="toml-syntax-error"),
        pytest.param('[roles]\n"backend.logik" = ["x/**"]\n', "repo-roles.toml:2:1",
                     "did you mean 'backend.logic'?", id="unknown-role"),
    ],
)
@pytest.mark.parametrize("command", ["ls", "audit", "explain"])
def test_broken_config(make_repo: MakeRepo, run_cli, monkeypatch: pytest.MonkeyPatch,
                       command: str, config: str, location: str, message: str) -> None:
    root = make_repo({"app.py": "x = 1\n", "repo-roles.toml": config})
    monkeypatch.chdir(root)
    result = run_cli(command, "app.py" if command == "explain" else ".")
    clean(result)
    assert result.exit_code == 2
    line = error_line(result)
    assert line.startswith(f"repo-roles: error: {location}: ") and message in line
    assert result.stdout == ""  # nothing was scanned or printed


@pytest.mark.parametrize("command", ["ls", "audit", "explain"])
def test_config_option_missing_file(make_repo: MakeRepo, run_cli, command: str) -> None:
    root = make_repo({"app.py": "x = 1\n"})
    target = str(root / "app.py") if command == "explain" else str(root)
    result = run_cli(command, "--config", str(root / "missing.toml"), target)
    clean(result)
    assert result.exit_code == 2
    assert error_line(result) == f"repo-roles: error: --config {root / 'missing.toml'}: no such file"


def test_config_option_is_used(make_repo: MakeRepo, run_cli, tmp_path: Path) -> None:
    root = make_repo({"tool.xyz": "x\n"})
    other = tmp_path / "elsewhere.toml"
    other.write_text('[roles]\n"config" = ["*.xyz"]\n')
    records = run_cli("ls", "--format", "jsonl", "--config", str(other), str(root)).stdout.splitlines()
    assert json.loads(records[0])["role"] == "config"


@pytest.mark.parametrize(
    "args, message",
    [
        pytest.param(("ls", "--bogus"), "No such option", id="unknown-option"),
        pytest.param(("ls", "--format", "xml"), "Invalid value for '--format'", id="bad-choice"),
        pytest.param(("frobnicate",), "No such command 'frobnicate'", id="unknown-command"),
        pytest.param(("explain",), "Missing argument 'PATHS...'", id="missing-argument"),
        pytest.param(("audit", "--depth", "0"), "Invalid value for '--depth'", id="out-of-range"),
    ],
)
def test_click_usage_errors_exit_2(run_cli, args: tuple, message: str) -> None:
    result = run_cli(*args)
    clean(result)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


# -- explain of something outside the project ---------------------------------------------------------


def test_explain_path_outside_the_project(make_repo: MakeRepo, run_cli, monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path) -> None:
    root = make_repo({"app.py": "x = 1\n"})
    stranger = tmp_path / "elsewhere" / "x.py"
    stranger.parent.mkdir()
    stranger.write_text("y = 2\n")
    monkeypatch.chdir(root)
    alone = run_cli("explain", str(stranger))  # not in git, no config, not under the cwd: refused
    clean(alone)
    assert alone.exit_code == 2 and alone.stdout == ""
    assert f"{stranger}: outside the project" in error_line(alone)

    mixed = run_cli("explain", "app.py", str(stranger))  # the good one is still explained
    clean(mixed)
    assert mixed.exit_code == 2
    assert mixed.stdout.splitlines()[0] == "app.py"
    assert f"{stranger}: outside the project root {root.resolve()}" in error_line(mixed)


@pytest.mark.parametrize(
    "make, message",
    [
        pytest.param(lambda root: root / "missing.py", "no such file or directory", id="missing-file"),
        pytest.param(lambda root: root, "is a directory; explain takes files", id="directory"),
    ],
)
def test_explain_rejects_missing_and_directories(make_repo: MakeRepo, run_cli, make, message: str) -> None:
    root = make_repo({"app.py": "x = 1\n"})
    result = run_cli("explain", str(root / "app.py"), str(make(root)))
    clean(result)
    assert result.exit_code == 2 and message in error_line(result)
    assert result.stdout.splitlines()[0] == "app.py"


def test_explain_a_name_that_looks_like_an_option(make_repo: MakeRepo, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo({"-x.py": "x = 1\n"})
    monkeypatch.chdir(root)
    result = run_cli("explain", "--", "-x.py")
    clean(result)
    assert result.exit_code == 0 and result.stdout.splitlines()[0] == "-x.py"


def test_ls_of_a_file_outside_any_repository(run_cli, tmp_path: Path) -> None:
    loose = tmp_path / "loose.py"
    loose.write_text("x = 1\n")
    result = run_cli("ls", str(loose))
    clean(result)
    assert result.exit_code == 2 and "not a directory and not inside a git repository" in error_line(result)
