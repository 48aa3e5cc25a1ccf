"""Where each platform looks for CODEOWNERS, and which file/dialect discovery picks.

Sources:
* GitHub docs, "About code owners" › "CODEOWNERS file location": .github/, root, docs/ —
  "search for them in that order and use the first one it finds"; files of 3 MB or more are
  not loaded.
* GitLab ee/lib/gitlab/code_owners.rb FILE_PATHS = [CODEOWNERS, docs/, .gitlab/] and
  gitlab-org/gitlab#219916 ("Only the first file will be used ... Order is root, docs, .gitlab").
* Bitbucket Cloud "Set up and use code owners": the file lives in .bitbucket/CODEOWNERS.
"""

from __future__ import annotations

from typing import Dict, Optional

import pytest

from repo_roles.ownership.discovery import (
    ALL_LOCATIONS,
    GITHUB_SIZE_LIMIT,
    PLATFORM_LOCATIONS,
    DiscoveryResult,
    OwnershipFileCandidate,
    dialect_from_syntax,
    discover_ownership_file,
    platform_winners,
)

PLAIN = b"* @org/team\n/docs/ @docs\n"
SECTIONS = b"[Backend]\n/app/ @be\n^[Optional][2] @lead\n/docs/ @docs\n"


def heads(files: Dict[str, bytes]):
    return lambda path: files.get(path)


@pytest.mark.parametrize(
    "present, chosen",
    [
        pytest.param({".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"}, ".github/CODEOWNERS", id="github-docs-.github-first"),
        pytest.param({"CODEOWNERS", "docs/CODEOWNERS"}, "CODEOWNERS", id="github-docs-root-before-docs"),
        pytest.param({"docs/CODEOWNERS"}, "docs/CODEOWNERS", id="github-docs-docs-last"),
    ],
)
def test_github_precedence(present: set, chosen: str) -> None:
    result = discover_ownership_file(present | {"src/a.py"}, configured_dialect="github")
    assert (result.chosen, result.dialect) == (chosen, "github")


@pytest.mark.parametrize(
    "present, chosen",
    [
        pytest.param({"CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"}, "CODEOWNERS", id="gitlab-FILE_PATHS-root-first"),
        pytest.param({"docs/CODEOWNERS", ".gitlab/CODEOWNERS"}, "docs/CODEOWNERS", id="gitlab-FILE_PATHS-docs-before-.gitlab"),
        pytest.param({".gitlab/CODEOWNERS"}, ".gitlab/CODEOWNERS", id="gitlab-FILE_PATHS-.gitlab-last"),
        pytest.param({".github/CODEOWNERS"}, None, id="gitlab-never-reads-.github"),
    ],
)
def test_gitlab_precedence(present: set, chosen: Optional[str]) -> None:
    result = discover_ownership_file(present, configured_dialect="gitlab")
    assert (result.chosen, result.dialect) == (chosen, "gitlab")


@pytest.mark.parametrize(
    "present, chosen",
    [
        pytest.param({".bitbucket/CODEOWNERS", "CODEOWNERS"}, ".bitbucket/CODEOWNERS", id="bitbucket-docs-.bitbucket-only"),
        pytest.param({"CODEOWNERS", "docs/CODEOWNERS"}, None, id="bitbucket-docs-root-not-read"),
    ],
)
def test_bitbucket_reads_only_its_directory(present: set, chosen: Optional[str]) -> None:
    result = discover_ownership_file(present, configured_dialect="bitbucket")
    assert (result.chosen, result.dialect) == (chosen, "bitbucket")


@pytest.mark.parametrize(
    "files, chosen, dialect",
    [
        pytest.param({".github/CODEOWNERS": SECTIONS}, ".github/CODEOWNERS", "github", id="location-.github-beats-syntax"),
        pytest.param({".gitlab/CODEOWNERS": PLAIN}, ".gitlab/CODEOWNERS", "gitlab", id="location-.gitlab"),
        pytest.param({".bitbucket/CODEOWNERS": PLAIN}, ".bitbucket/CODEOWNERS", "bitbucket", id="location-.bitbucket"),
        pytest.param({"CODEOWNERS": PLAIN}, "CODEOWNERS", "github", id="root-plain-syntax-github"),
        pytest.param({"CODEOWNERS": SECTIONS}, "CODEOWNERS", "gitlab", id="root-gitlab-sections-syntax"),
        pytest.param({"docs/CODEOWNERS": b"^[Docs]\n*.md @docs\n"}, "docs/CODEOWNERS", "gitlab", id="docs-optional-section-syntax"),
        # GitLab reads the root file before .gitlab/: the .gitlab/ file says "GitLab", the root file wins.
        pytest.param({"CODEOWNERS": PLAIN, ".gitlab/CODEOWNERS": PLAIN}, "CODEOWNERS", "gitlab", id="gitlab-dir-implies-platform-root-wins"),
    ],
)
def test_auto_dialect(files: Dict[str, bytes], chosen: str, dialect: str) -> None:
    result = discover_ownership_file(set(files), head=heads(files))
    assert (result.chosen, result.dialect) == (chosen, dialect)


@pytest.mark.parametrize(
    "data, dialect",
    [
        pytest.param(b"[Section name]\n", "gitlab", id="gitlab-section"),
        pytest.param(b"  [Docs] @docs-team\n", "gitlab", id="gitlab-section-default-owners"),
        pytest.param(b"[Docs][2] @a @b\r\n", "gitlab", id="gitlab-section-approvals-crlf"),
        pytest.param(b"^[Optional]\n", "gitlab", id="gitlab-optional-section"),
        pytest.param(b"[abc]*.py @x\n", "github", id="bracket-pattern-is-not-a-section"),
        pytest.param(b"# [not a section]\n* @x\n", "github", id="comment-is-not-a-section"),
        pytest.param(b"", "github", id="empty"),
    ],
)
def test_dialect_from_syntax(data: bytes, dialect: str) -> None:
    assert dialect_from_syntax(data, "CODEOWNERS") == dialect


def test_multiple_candidates_are_all_recorded_with_per_platform_winners() -> None:
    present = {".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS", ".bitbucket/CODEOWNERS"}
    result = discover_ownership_file(present)
    assert result.candidates == ALL_LOCATIONS
    assert result.chosen == ".github/CODEOWNERS" and result.dialect == "github"
    assert result.winners == (
        OwnershipFileCandidate(".github/CODEOWNERS", "github"),
        OwnershipFileCandidate("CODEOWNERS", "gitlab"),
        OwnershipFileCandidate(".bitbucket/CODEOWNERS", "bitbucket"),
    )
    assert "GitHub uses .github/CODEOWNERS; CODEOWNERS is ignored" in result.notes
    assert "GitHub does not read .gitlab/CODEOWNERS" in result.notes


def test_notes_say_which_file_gitlab_ignores() -> None:
    files = {"CODEOWNERS": PLAIN, ".gitlab/CODEOWNERS": PLAIN}
    result = discover_ownership_file(set(files), head=heads(files))
    assert result.notes == ("GitLab uses CODEOWNERS; .gitlab/CODEOWNERS is ignored",)


@pytest.mark.parametrize(
    "present, note",
    [
        pytest.param({"src/a.py", "sub/CODEOWNERS"}, "no CODEOWNERS file found", id="none-nested-file-is-not-a-location"),
        pytest.param({"CODEOWNERS"}, "Bitbucket reads none of CODEOWNERS", id="bitbucket-none-read"),
    ],
)
def test_nothing_chosen(present: set, note: str) -> None:
    dialect = "bitbucket" if "CODEOWNERS" in present else "auto"
    result = discover_ownership_file(present, configured_dialect=dialect)
    assert result.chosen is None
    assert note in result.notes


@pytest.mark.parametrize(
    "configured, dialect, chosen, expected_dialect",
    [
        pytest.param("owners/CODEOWNERS", "auto", "owners/CODEOWNERS", "gitlab", id="configured-syntax-gitlab"),
        pytest.param(".gitlab/CODEOWNERS", "auto", ".gitlab/CODEOWNERS", "gitlab", id="configured-location"),
        pytest.param("owners/CODEOWNERS", "github", "owners/CODEOWNERS", "github", id="configured-dialect-wins"),
        pytest.param("missing/CODEOWNERS", "auto", None, "github", id="configured-missing"),
    ],
)
def test_configured_file(configured: str, dialect: str, chosen: Optional[str], expected_dialect: str) -> None:
    files = {"owners/CODEOWNERS": SECTIONS, ".gitlab/CODEOWNERS": SECTIONS, ".github/CODEOWNERS": PLAIN}
    result = discover_ownership_file(set(files), configured_file=configured, configured_dialect=dialect, head=heads(files))
    assert (result.chosen, result.dialect) == (chosen, expected_dialect)
    assert result.candidates == (".github/CODEOWNERS", ".gitlab/CODEOWNERS")
    if chosen is None:
        assert result.notes == ("the configured CODEOWNERS file missing/CODEOWNERS does not exist",)


def test_syntax_dialect_hook_replaces_the_local_check() -> None:
    seen = []

    def colleague(data: bytes, path: str) -> str:
        seen.append((data, path))
        return "gitlab"

    files = {"CODEOWNERS": PLAIN}
    result = discover_ownership_file(set(files), head=heads(files), syntax_dialect=colleague)
    assert result.dialect == "gitlab" and seen == [(PLAIN, "CODEOWNERS")]


@pytest.mark.parametrize(
    "size, oversized",
    [
        pytest.param(GITHUB_SIZE_LIMIT - 1, False, id="github-docs-under-3MB-loaded"),
        pytest.param(GITHUB_SIZE_LIMIT, True, id="github-docs-3MB-not-loaded"),
    ],
)
def test_github_size_limit(size: int, oversized: bool) -> None:
    result = discover_ownership_file({".github/CODEOWNERS"}, size=lambda path: size)
    assert result.oversized is oversized
    assert any("3 MB" in note for note in result.notes) is oversized


def test_size_limit_is_githubs_only() -> None:
    result = discover_ownership_file({".gitlab/CODEOWNERS"}, size=lambda path: GITHUB_SIZE_LIMIT * 2)
    assert result.dialect == "gitlab" and result.oversized is False


def test_unknown_dialect_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown CODEOWNERS dialect 'gitea'"):
        discover_ownership_file({"CODEOWNERS"}, configured_dialect="gitea")


def test_location_tables_are_consistent() -> None:
    """Every platform location is a known location, and ALL_LOCATIONS has no extra entry."""
    listed = {loc for locations in PLATFORM_LOCATIONS.values() for loc in locations}
    assert listed == set(ALL_LOCATIONS) and len(ALL_LOCATIONS) == len(set(ALL_LOCATIONS))
    assert all(loc.endswith("CODEOWNERS") for loc in ALL_LOCATIONS)


def test_platform_winners_empty_without_files() -> None:
    assert platform_winners({"README.md"}) == ()


def test_discovery_on_a_real_repository(make_repo) -> None:
    """End to end: inventory-like paths and heads read from a real git checkout."""
    root = make_repo({"CODEOWNERS": SECTIONS.decode(), ".gitlab/CODEOWNERS": "* @x\n", "app/main.py": ""})
    paths = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}

    def head(path: str) -> Optional[bytes]:
        target = root / path
        return target.read_bytes()[:4096] if target.is_file() else None

    result = discover_ownership_file(paths, head=head, size=lambda path: (root / path).stat().st_size)
    assert result == DiscoveryResult(
        chosen="CODEOWNERS",
        dialect="gitlab",
        candidates=("CODEOWNERS", ".gitlab/CODEOWNERS"),
        notes=("GitLab uses CODEOWNERS; .gitlab/CODEOWNERS is ignored",),
        winners=(OwnershipFileCandidate("CODEOWNERS", "github"), OwnershipFileCandidate("CODEOWNERS", "gitlab")),
        oversized=False,
        dialect_reason="location: .gitlab/CODEOWNERS is in .gitlab/, which only GitLab reads",
    )
