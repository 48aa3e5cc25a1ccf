"""``repo-roles init``: a starter repo-roles.toml that loads, round-trips and never clobbers.

Also the atomic writer it uses (repo_roles/atomic.py): temp file in the same directory, fsync,
``os.replace`` (atomic per POSIX rename(2) and Python's ``os.replace`` docs), never through a
symbolic link, and no overwrite when asked not to.
"""

from __future__ import annotations

import os
import stat
from collections import Counter
from pathlib import Path
from typing import Callable, List

import pytest

from repo_roles._compat import tomllib
from repo_roles.atomic import AtomicWriteError, write_atomic
from repo_roles.commands.init import responsible_for
from repo_roles.config import load_config
from repo_roles.config.model import DEFAULT_REQUIRE_OWNER

MakeRepo = Callable[..., Path]

CODEOWNERS = """\
*                 @acme/platform
/src/             @acme/backend
/src/ui/          @acme/frontend
/docs/            @acme/docs
/legacy/          @acme/retired
/scripts/         *
"""

FILES = {
    ".github/CODEOWNERS": CODEOWNERS,
    "README.md": "# demo\n",
    "docs/guide.md": "# guide\n",
    "src/app.py": "x = 1\n",
    "src/models.py": "y = 2\n",
    "src/ui/App.tsx": "export const App = () => <div/>;\n",
    "src/ui/App.test.tsx": "test('x', () => {});\n",
    "src/ui/logo.svg": "<svg/>\n",
    "tests/test_app.py": "def test_x():\n    assert True\n",
    "tools/data.xyz": "?\n",
    "tools/more.xyz": "?\n",
    "tools/other.qqq": "?\n",
}


def init(run_cli, *args: str):
    result = run_cli("init", *args)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def written(root: Path) -> dict:
    return tomllib.loads((root / "repo-roles.toml").read_text(encoding="utf-8"))


# -- what it writes -----------------------------------------------------------------------------


def test_writes_a_config_that_loads(make_repo: MakeRepo, run_cli) -> None:
    root = make_repo(FILES)
    result = init(run_cli, str(root))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"Wrote {root.resolve() / 'repo-roles.toml'} (5 teams)")
    config = load_config(root / "repo-roles.toml")
    assert config.extends == ("recommended",)
    assert "node_modules/" in config.exclude  # the pack really is merged
    assert config.ownership.require_owner == DEFAULT_REQUIRE_OWNER
    assert {h: t.responsible for h, t in config.teams.items()} == {
        "@acme/backend": ("backend.logic",),  # src/app.py, src/models.py
        "@acme/frontend": ("frontend",),  # ui, assets and tests under src/ui/
        # `*`: README.md, tests/test_app.py (two backend roles), CODEOWNERS, tools/*
        "@acme/platform": ("backend", "config", "unclassified"),
        "@acme/docs": ("backend.docs",),
        "@acme/retired": (),  # named on a line that matches nothing
    }


def test_comments_explain_counts_and_unclassified_hints(make_repo: MakeRepo, run_cli) -> None:
    root = make_repo(FILES)
    init(run_cli, str(root))
    text = (root / "repo-roles.toml").read_text(encoding="utf-8")
    assert "# 3 of 12 files (25%) are unclassified." in text
    assert '# "ROLE" = ["tools/**", "**/*.xyz"]' in text
    assert "# Unclassified files by extension: .xyz 2, .qqq 1" in text
    assert "# Unclassified files by directory: tools/ 3" in text
    assert "# owns 2 files: backend.logic 2" in text
    assert "# Owners read from .github/CODEOWNERS (github syntax)." in text


def test_owner_named_on_a_line_matching_nothing_is_listed(make_repo: MakeRepo, run_cli) -> None:
    root = make_repo(FILES)
    init(run_cli, str(root))
    text = (root / "repo-roles.toml").read_text(encoding="utf-8")
    assert "@acme/retired" in written(root)["teams"]
    assert written(root)["teams"]["@acme/retired"]["responsible"] == []
    assert "named in the ownership file but owns no file" in text


@pytest.mark.parametrize(
    "counts, expected",
    [
        pytest.param({"backend.logic": 9, "backend.tests": 1}, ["backend"], id="two-roles-of-a-side-become-the-side"),
        pytest.param({"backend.docs": 5}, ["backend.docs"], id="one-role-of-a-side-stays-a-role"),
        pytest.param({"frontend.ui": 19, "backend.logic": 1}, ["frontend.ui"], id="under-10-percent-is-left-out"),
        pytest.param({"frontend.ui": 9, "backend.logic": 1}, ["backend.logic", "frontend.ui"], id="10-percent-counts"),
        pytest.param({"config": 5, "generated": 5}, ["config", "generated"], id="unsided-roles-each-on-their-own"),
        pytest.param({"backend.logic": 4, "backend.tests": 4, "frontend.ui": 1, "frontend.tests": 1},
                     ["backend", "frontend"], id="side-share-sums-its-roles"),
        pytest.param({}, [], id="owns-nothing"),
    ],
)
def test_responsible_for(counts: dict, expected: List[str]) -> None:
    assert responsible_for(Counter(counts)) == expected


def test_round_trip_audit_right_after_init(make_repo: MakeRepo, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo(FILES)
    monkeypatch.chdir(root)
    assert init(run_cli).exit_code == 0  # no PATH: the git top level of the working directory
    result = run_cli("audit")
    assert result.exit_code in (0, 1), result.stderr
    assert "config repo-roles.toml" in result.stdout.splitlines()[0]
    assert "NOT IN ROSTER" not in result.stdout  # every owner found is in the starter roster
    assert "OWN006" not in result.stdout


def test_without_ownership_files_nothing_requires_an_owner(make_repo: MakeRepo, run_cli) -> None:
    root = make_repo({"app.py": "x = 1\n", "README.md": "# x\n"})
    assert init(run_cli, str(root)).exit_code == 0
    data = written(root)
    assert "teams" not in data
    assert data["ownership"]["require-owner"] == []
    text = (root / "repo-roles.toml").read_text(encoding="utf-8")
    assert "No CODEOWNERS or OWNERS file found" in text
    assert "every file has a role" in text
    assert load_config(root / "repo-roles.toml").ownership.require_owner == ()


def test_owners_files_give_the_roster(make_repo: MakeRepo, run_cli) -> None:
    """Kubernetes OWNERS (https://go.k8s.io/owners): approvers own their directory; logins become
    @handles; ``*`` ("anyone") is not a roster entry."""
    root = make_repo({
        "OWNERS": "approvers:\n  - Alice\n",
        "svc/OWNERS": "approvers:\n  - bob\n  - '*'\n",
        "svc/main.go": "package main\n",
        "svc/main_test.go": "package main\n",
        "lib.py": "x = 1\n",
    })
    assert init(run_cli, str(root)).exit_code == 0
    text = (root / "repo-roles.toml").read_text(encoding="utf-8")
    teams = written(root)["teams"]
    # Individual approvers are grouped by the top directory holding most of their files: bob
    # owns only svc/; alice (root approver, inherited below) owns more under svc/ than at the top.
    assert teams["@people/svc"]["members"] == ["@alice", "@bob"]
    assert "@alice" not in teams and "@bob" not in teams
    assert teams["@people/svc"]["responsible"] == ["backend", "config"]
    assert "2 OWNERS files" in text


def test_individual_owners_are_grouped_not_one_team_each(make_repo: MakeRepo, run_cli) -> None:
    """GitHub CODEOWNERS may name users (``@alice``) and e-mail addresses as well as teams
    (docs.github.com, "About code owners"); the roster gets one group per top directory."""
    root = make_repo({
        ".github/CODEOWNERS": "/api/ @alice @bob\n/web/ carol@example.com\n/docs/ @org/docs\n",
        "api/app.py": "x = 1\n", "api/db.py": "y = 2\n", "web/App.tsx": "export {}\n",
        "docs/index.md": "# docs\n",
    })
    assert init(run_cli, str(root)).exit_code == 0
    teams = written(root)["teams"]
    assert set(teams) == {"@people/api", "@people/web", "@org/docs"}
    assert teams["@people/api"]["members"] == ["@alice", "@bob"]
    assert teams["@people/web"]["members"] == ["carol@example.com"]
    assert "members" not in teams["@org/docs"]
    audit = run_cli("audit", "--findings", str(root)).stdout
    assert "OWN006" not in audit and "NOT IN ROSTER" not in audit  # members are in the roster


def test_sub_directory_of_a_repository(make_repo: MakeRepo, run_cli) -> None:
    root = make_repo({"apps/web/src/App.tsx": "x\n", "apps/web/src/App.css": "a {}\n", "other.py": "x = 1\n"})
    target = root / "apps" / "web"
    assert init(run_cli, str(target)).exit_code == 0
    assert (target / "repo-roles.toml").is_file() and not (root / "repo-roles.toml").exists()
    assert "# Scanned 2 files: frontend.ui 2." in (target / "repo-roles.toml").read_text(encoding="utf-8")
    result = run_cli("audit", str(target))
    assert result.exit_code in (0, 1) and "config repo-roles.toml" in result.stdout


def test_plain_directory_without_git(make_repo: MakeRepo, run_cli) -> None:
    root = make_repo({"app.py": "x = 1\n", ".gitignore": "*.log\n", "debug.log": "x\n"}, git_init=False)
    assert init(run_cli, str(root)).exit_code == 0
    assert "# Scanned 2 files" in (root / "repo-roles.toml").read_text(encoding="utf-8")  # .log ignored


def test_stdout_prints_and_writes_nothing(make_repo: MakeRepo, run_cli) -> None:
    root = make_repo(FILES)
    result = init(run_cli, "--stdout", str(root))
    assert result.exit_code == 0
    assert tomllib.loads(result.stdout)["extends"] == "recommended"
    assert not (root / "repo-roles.toml").exists()


# -- refusing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content",
    [
        pytest.param("repo-roles.toml", "extends = 'recommended'\n", id="repo-roles.toml"),
        pytest.param(".repo-roles.toml", "untracked = true\n", id="dot-repo-roles.toml"),
        pytest.param("pyproject.toml", "[tool.repo-roles]\nuntracked = true\n", id="pyproject-tool-table"),
        pytest.param("repo-roles.toml", "this is [not toml\n", id="even-a-broken-one"),
    ],
)
def test_refuses_an_existing_config(make_repo: MakeRepo, run_cli, name: str, content: str) -> None:
    root = make_repo({"app.py": "x = 1\n", name: content})
    result = init(run_cli, str(root))
    assert result.exit_code == 2
    assert f"{root.resolve() / name}: a configuration already exists" in result.stderr
    assert "--stdout" in result.stderr
    assert (root / name).read_text() == content
    assert result.stdout == ""


def test_pyproject_without_tool_table_is_not_a_config(make_repo: MakeRepo, run_cli) -> None:
    root = make_repo({"pyproject.toml": "[project]\nname = 'x'\n", "app.py": "x = 1\n"})
    assert init(run_cli, str(root)).exit_code == 0
    assert (root / "repo-roles.toml").is_file()


def test_stdout_works_even_with_a_config(make_repo: MakeRepo, run_cli) -> None:
    root = make_repo({"app.py": "x = 1\n", "repo-roles.toml": "untracked = true\n"})
    result = init(run_cli, "--stdout", str(root))
    assert result.exit_code == 0 and "extends = \"recommended\"" in result.stdout
    assert (root / "repo-roles.toml").read_text() == "untracked = true\n"


def test_refuses_to_write_through_a_symlink(make_repo: MakeRepo, run_cli, tmp_path: Path) -> None:
    victim = tmp_path / "victim.toml"  # a dangling link: config discovery does not see a file
    root = make_repo({"app.py": "x = 1\n"})
    os.symlink(str(victim), root / "repo-roles.toml")
    result = init(run_cli, str(root))
    assert result.exit_code == 2
    assert "is a symbolic link; refusing to write through it" in result.stderr
    assert not victim.exists() and os.path.islink(root / "repo-roles.toml")


@pytest.mark.parametrize(
    "make_path, message",
    [
        pytest.param(lambda tmp: tmp / "missing", "no such file or directory", id="missing"),
        pytest.param(lambda tmp: (tmp / "f.txt", (tmp / "f.txt").write_text("x"))[0], "not a directory",
                     id="a-file"),
    ],
)
def test_bad_path(run_cli, tmp_path: Path, make_path, message: str) -> None:
    result = init(run_cli, str(make_path(tmp_path)))
    assert result.exit_code == 2 and message in result.stderr


# -- repo_roles.atomic ----------------------------------------------------------------------------


def leftovers(directory: Path) -> List[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_atomic_write_creates_with_umask_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    write_atomic(target, "héllo\n")
    assert target.read_bytes() == "héllo\n".encode("utf-8")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert leftovers(tmp_path) == []


def test_atomic_replace_keeps_the_existing_mode(tmp_path: Path) -> None:
    target = tmp_path / "run.sh"
    target.write_text("old\n")
    target.chmod(0o751)
    write_atomic(target, b"new\n")
    assert target.read_text() == "new\n" and stat.S_IMODE(target.stat().st_mode) == 0o751


@pytest.mark.parametrize(
    "overwrite, exists, outcome",
    [
        pytest.param(False, False, "written", id="no-overwrite-new-file-is-written"),
        pytest.param(False, True, "refused", id="no-overwrite-existing-is-refused"),
        pytest.param(True, True, "written", id="overwrite-replaces"),
    ],
)
def test_atomic_overwrite_flag(tmp_path: Path, overwrite: bool, exists: bool, outcome: str) -> None:
    target = tmp_path / "cfg.toml"
    if exists:
        target.write_text("old\n")
    if outcome == "refused":
        with pytest.raises(AtomicWriteError, match="already exists; not overwriting it"):
            write_atomic(target, "new\n", overwrite=overwrite)
        assert target.read_text() == "old\n"
    else:
        write_atomic(target, "new\n", overwrite=overwrite)
        assert target.read_text() == "new\n"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("overwrite", [pytest.param(True, id="overwrite"), pytest.param(False, id="no-overwrite")])
def test_atomic_never_follows_a_symlink(tmp_path: Path, overwrite: bool) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    link = tmp_path / "link"
    os.symlink(str(victim), link)
    with pytest.raises(AtomicWriteError, match="is a symbolic link"):
        write_atomic(link, "evil\n", overwrite=overwrite)
    assert victim.read_text() == "precious\n" and os.path.islink(link)


def test_atomic_refuses_a_directory_and_cleans_up(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    with pytest.raises(AtomicWriteError, match="is a directory"):
        write_atomic(tmp_path / "d", "x")
    with pytest.raises(AtomicWriteError, match="cannot write"):
        write_atomic(tmp_path / "missing-dir" / "f", "x")
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(os.name == "nt", reason="such names are not allowed on Windows")
def test_odd_unclassified_names_stay_inside_their_comments(make_repo: MakeRepo, run_cli) -> None:
    root = make_repo({"we\nird/file.a\tb": "x\n", "plain/x.a\tb": "y\n"})
    assert init(run_cli, str(root)).exit_code == 0
    text = (root / "repo-roles.toml").read_text(encoding="utf-8")
    assert '# Unclassified files by extension: ".a\\tb" 2' in text
    assert '"we\\nird/" 1' in text
    assert load_config(root / "repo-roles.toml").extends == ("recommended",)
