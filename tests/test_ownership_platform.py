"""Issue 16, item 3: the CODEOWNERS dialect comes from the repository's evidence first, syntax last.

Sources: GitHub reads ``.github/CODEOWNERS``, ``CODEOWNERS``, ``docs/CODEOWNERS`` (GitHub docs,
"About code owners", CODEOWNERS file location); GitLab reads ``CODEOWNERS``, ``docs/CODEOWNERS``,
``.gitlab/CODEOWNERS`` (``FILE_PATHS`` in gitlab-org/gitlab ``ee/lib/gitlab/code_owners.rb``).
A root file is therefore read by both; only GitLab gives ``[Section]`` lines a meaning, GitHub
reads them as (literal-bracket) patterns.  The platform is what the repository says: its remote
(``git config`` ``remote.<name>.url``, git-config(1)), its CI and platform directories.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import pytest

from repo_roles.ownership.platform import host_platform, read_git_config, remote_hosts, repository_platform

SECTIONED = "[Backend]\n* @acme/backend\n[Docs]\ndocs/ @acme/docs\n"


def explain_dialect(run_cli, root: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(root)
    out = run_cli("explain", "src/a.py").stdout
    (line,) = [x for x in out.splitlines() if x.startswith("  dialect:")]
    return line


def test_root_sections_in_a_github_repository_read_as_github(make_repo, run_cli, monkeypatch) -> None:
    root = make_repo({"CODEOWNERS": SECTIONED, ".github/workflows/ci.yml": "on: push\n", "src/a.py": ""})
    line = explain_dialect(run_cli, root, monkeypatch)
    assert line.startswith("  dialect:  github  [repository: .github/ present")
    audit = run_cli("audit").stdout
    assert "Owners (from CODEOWNERS, github syntax)" in audit
    assert "  dialect decided by repository: .github/ present, no .gitlab/, .gitlab-ci.yml" in audit


def test_root_sections_with_gitlab_ci_read_as_gitlab(make_repo, run_cli, monkeypatch) -> None:
    root = make_repo({"CODEOWNERS": SECTIONED, ".gitlab-ci.yml": "test:\n  script: [true]\n", "src/a.py": ""})
    line = explain_dialect(run_cli, root, monkeypatch)
    assert line.startswith("  dialect:  gitlab  [repository: .gitlab-ci.yml present")


def test_remote_url_decides_before_platform_files(make_repo, run_cli, monkeypatch) -> None:
    from conftest import git

    root = make_repo({"CODEOWNERS": SECTIONED, ".github/dependabot.yml": "version: 2\n", "src/a.py": ""})
    git(root, "remote", "add", "origin", "https://ci-token:s3cret@gitlab.example.com/acme/app.git")
    line = explain_dialect(run_cli, root, monkeypatch)
    assert line == "  dialect:  gitlab  [repository: remote 'origin' is on gitlab.example.com]"
    assert "s3cret" not in line


def test_configured_dialect_wins(make_repo, run_cli, monkeypatch) -> None:
    root = make_repo({
        "CODEOWNERS": SECTIONED, ".github/workflows/ci.yml": "on: push\n", "src/a.py": "",
        "repo-roles.toml": '[ownership]\ndialect = "gitlab"\n',
    })
    line = explain_dialect(run_cli, root, monkeypatch)
    assert line == '  dialect:  gitlab  [configured: [ownership] dialect = "gitlab"]'


def test_platform_directory_location_decides(make_repo, run_cli, monkeypatch) -> None:
    root = make_repo({".github/CODEOWNERS": SECTIONED, ".gitlab-ci.yml": "x: 1\n", "src/a.py": ""})
    line = explain_dialect(run_cli, root, monkeypatch)
    assert line.startswith("  dialect:  github  [location: .github/CODEOWNERS is in .github/")


def test_silent_repository_falls_back_to_syntax(make_repo, run_cli, monkeypatch) -> None:
    root = make_repo({"CODEOWNERS": SECTIONED, "src/a.py": ""})
    line = explain_dialect(run_cli, root, monkeypatch)
    assert line == "  dialect:  gitlab  [syntax: no platform evidence in the repository; CODEOWNERS has a GitLab [Section] heading]"


def test_split_evidence_is_no_evidence() -> None:
    assert repository_platform([".github/x.yml", ".gitlab-ci.yml"], None) is None
    config = b'[remote "a"]\n\turl = git@github.com:o/r.git\n[remote "b"]\n\turl = https://gitlab.com/o/r\n'
    assert repository_platform([], config) is None  # a mirror: remotes disagree


@pytest.mark.parametrize(
    "url, host, platform",
    [
        ("git@github.com:acme/app.git", "github.com", "github"),
        ("https://user:token@github.com/acme/app", "github.com", "github"),
        ("ssh://git@gitlab.com:2222/acme/app.git", "gitlab.com", "gitlab"),
        ("https://gitlab.internal.example/acme/app.git", "gitlab.internal.example", "gitlab"),
        ("git@bitbucket.org:acme/app.git", "bitbucket.org", "bitbucket"),
        ("/srv/git/app.git", None, None),
        ("https://git.example.com/app.git", "git.example.com", None),
    ],
)
def test_remote_hosts_from_git_config(url: str, host, platform) -> None:
    config = f'[core]\n\tbare = false\n[remote "origin"]\n\turl = {url}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n'
    found = remote_hosts(config.encode())
    assert found == ([("origin", host)] if host else [])
    assert (host_platform(host) if host else None) == platform


def test_git_config_is_never_read_through_a_symlink(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.write_text('[remote "origin"]\n\turl = git@gitlab.com:o/r.git\n')
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    os.symlink(outside, repo / ".git" / "config")
    assert read_git_config(repo) is None
    linked = tmp_path / "linked"
    linked.mkdir()
    os.symlink(repo / ".git", linked / ".git")
    assert read_git_config(linked) is None
    (repo / ".git" / "config").unlink()
    (repo / ".git" / "config").write_text('[remote "origin"]\n\turl = git@gitlab.com:o/r.git\n')
    assert read_git_config(repo) is not None and read_git_config(tmp_path / "missing") is None
