"""Ownership rules OWN001-OWN012: a fires and a does-not-fire case each, on tiny real repositories.

Sources cited in ids:
* github-codeowners: GitHub docs, "About code owners" (last match wins, ``docs/*`` owns direct
  children only, a pattern without owners leaves files unowned, invalid lines are skipped,
  file locations and the 3 MB limit);
* gitlab-sections: GitLab docs, "Code Owners" / "Advanced CODEOWNERS configuration" (each
  section decides separately, section names are case-insensitive and merged, ``@@role``
  owners);
* k8s-owners-md: kubernetes/community contributors/guide/owners.md (approvers, aliases).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Dict, List, Tuple

import pytest

from repo_roles.checks.registry import RULES, iter_rules
from repo_roles.findings import Finding
from repo_roles.scan import scan

ROSTER = """\
[roles]
"backend.logic" = ["api/**"]
"frontend.ui" = ["web/**"]
"backend.docs" = ["docs/**"]

[teams."@acme/backend"]
responsible = ["backend"]
members = ["@ada", "linus@acme.example"]

[teams."@acme/frontend"]
responsible = ["frontend"]
members = ["@tim"]

[teams."@acme/docs"]
responsible = ["backend.docs"]

[teams."@acme/platform"]
responsible = ["config", "unclassified"]

[ownership]
require-owner = ["backend.logic"]
"""

TREE = {
    "repo-roles.toml": ROSTER,
    "api/app.py": "x = 1\n",
    "api/migrations/m0001.py": "x = 1\n",
    "web/index.ts": "export {}\n",
    "web/src/app.ts": "export {}\n",
    "docs/guide.md": "# Guide\n",
}

Row = Tuple[str, object, str]  # (path, line, key)


def run_rule(make_repo: Callable[..., Path], files: Dict[str, object], rule_id: str) -> List[Finding]:
    """The raw findings of one rule on a fresh repository (the whole project scanned)."""
    iter_rules()
    context = scan(make_repo(files))
    return list(RULES[rule_id].check(context))


def rows(findings: List[Finding]) -> List[Row]:
    return sorted((f.path, f.line, f.key) for f in findings)


def repo(codeowners: str, *, at: str = ".github/CODEOWNERS", **extra: object) -> Dict[str, object]:
    files: Dict[str, object] = dict(TREE)
    files[at] = codeowners
    files.update(extra)
    return files


# -- OWN001 unowned-file ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "codeowners, expected, why",
    [
        pytest.param(
            "* @acme/platform\n/api/ @acme/backend\n/api/migrations/\n",
            [("api/migrations/m0001.py", None, "backend.logic")],
            ".github/CODEOWNERS:3 (/api/migrations/) is its last matching line and names no owners",
            id="github-codeowners-pattern-without-owners-unowns",
        ),
        pytest.param(
            "/web/ @acme/frontend\n",
            [("api/app.py", None, "backend.logic"), ("api/migrations/m0001.py", None, "backend.logic")],
            "no line of .github/CODEOWNERS matches it",
            id="no-line-matches",
        ),
        pytest.param("/api/ @acme/backend\n", [], "", id="owned-does-not-fire"),
        pytest.param("/api/ @acme/backend\n/web/\n", [], "", id="role-not-required-does-not-fire"),
    ],
)
def test_own001_unowned_file(make_repo: Callable[..., Path], codeowners: str, expected: List[Row], why: str) -> None:
    found = run_rule(make_repo, repo(codeowners), "OWN001")
    assert rows(found) == expected
    assert all(why in f.message for f in found)


def test_own001_is_silent_without_any_ownership_source(make_repo: Callable[..., Path]) -> None:
    assert run_rule(make_repo, dict(TREE), "OWN001") == []


# -- OWN002 invalid-ownership-line -----------------------------------------------------------


def test_own002_reports_each_parse_issue_with_position(make_repo: Callable[..., Path]) -> None:
    """github-codeowners: "If any line ... contains invalid syntax, that line will be skipped"."""
    found = run_rule(make_repo, repo("* @acme/platform\n/api/ @acme/backend backend-team\n"), "OWN002")
    assert [(f.path, f.line, f.column) for f in found] == [(".github/CODEOWNERS", 2, 21)]
    assert "'backend-team' is not an owner (@user, @org/team or an email); line skipped" in found[0].message
    assert found[0].key.startswith("invalid-owner: ")


def test_own002_reports_owners_file_issues(make_repo: Callable[..., Path]) -> None:
    """k8s-owners-md: an OWNERS file has a fixed set of keys."""
    files = repo("* @acme/platform\n", **{"api/OWNERS": "approvers:\n  - ada\napprover:\n  - tim\n"})
    found = run_rule(make_repo, files, "OWN002")
    assert [(f.path, f.line, f.key) for f in found] == [("api/OWNERS", 3, "unknown-key: unknown OWNERS key 'approver'")]


def test_own002_valid_file_does_not_fire(make_repo: Callable[..., Path]) -> None:
    files = repo("* @acme/platform dev@acme.example\n", **{"api/OWNERS": "approvers:\n  - ada\n"})
    assert run_rule(make_repo, files, "OWN002") == []


# -- OWN003 pattern-matches-nothing ----------------------------------------------------------


@pytest.mark.parametrize(
    "codeowners, expected",
    [
        pytest.param("* @acme/platform\n/api/legacy/ @acme/backend\n", [(".github/CODEOWNERS", 2, "/api/legacy/")], id="missing-directory"),
        pytest.param("* @acme/platform\n*.rb @acme/backend\n", [(".github/CODEOWNERS", 2, "*.rb")], id="missing-extension"),
        pytest.param("* @acme/platform\n/API/ @acme/backend\n", [(".github/CODEOWNERS", 2, "/API/")], id="github-codeowners-paths-are-case-sensitive"),
        pytest.param("* @acme/platform\n/api/ @acme/backend\n*.md @acme/docs\n", [], id="matching-patterns-do-not-fire"),
        pytest.param("/web/ @acme/frontend\n* @acme/platform\n", [], id="shadowed-is-not-nothing"),
    ],
)
def test_own003_pattern_matches_nothing(make_repo: Callable[..., Path], codeowners: str, expected: List[Row]) -> None:
    assert rows(run_rule(make_repo, repo(codeowners), "OWN003")) == expected


# -- OWN004 duplicate-pattern ----------------------------------------------------------------


@pytest.mark.parametrize(
    "codeowners, at, expected, later",
    [
        pytest.param("/docs/ @acme/docs\n/api/ @acme/backend\n/docs/ @acme/backend\n", ".github/CODEOWNERS",
                     [(".github/CODEOWNERS", 1, "/docs/")], 3, id="same-text"),
        pytest.param("/docs/ @acme/docs\ndocs/** @acme/backend\n", ".github/CODEOWNERS",
                     [(".github/CODEOWNERS", 1, "/docs/")], 2, id="github-codeowners-middle-slash-anchors-docs-globstar-equals-docs-dir"),
        pytest.param("/docs/ @acme/docs\ndocs/ @acme/backend\n", ".github/CODEOWNERS", [], 0,
                     id="github-codeowners-docs-dir-unanchored-is-different"),
        pytest.param("[Docs] @acme/docs\n/docs/\n[Backend] @acme/backend\n/docs/\n", ".gitlab/CODEOWNERS", [], 0,
                     id="gitlab-sections-other-section-is-not-a-duplicate"),
        pytest.param("[Docs] @acme/docs\n/docs/\n/api/\n/docs/ @acme/backend\n", ".gitlab/CODEOWNERS",
                     [(".gitlab/CODEOWNERS", 2, "/docs/")], 4, id="gitlab-sections-same-section"),
        pytest.param("[Docs] @acme/docs\n/docs/\n[Backend] @acme/backend\n/api/\n[docs]\n/docs/\n", ".gitlab/CODEOWNERS",
                     [(".gitlab/CODEOWNERS", 2, "/docs/")], 6, id="gitlab-sections-case-insensitive-names-merge"),
    ],
)
def test_own004_duplicate_pattern(make_repo: Callable[..., Path], codeowners: str, at: str, expected: List[Row],
                                  later: int) -> None:
    found = run_rule(make_repo, repo(codeowners, at=at), "OWN004")
    assert rows(found) == expected
    assert all(f"repeated on line {later}" in f.message for f in found)


# -- OWN005 shadowed-rule --------------------------------------------------------------------


@pytest.mark.parametrize(
    "codeowners, at, expected",
    [
        pytest.param("/web/src/ @acme/backend\n/web/ @acme/frontend\n", ".github/CODEOWNERS",
                     [(".github/CODEOWNERS", 1, "/web/src/")], id="github-codeowners-last-match-wins-broad-after-specific"),
        pytest.param("/web/ @acme/frontend\n/web/src/ @acme/backend\n", ".github/CODEOWNERS", [],
                     id="specific-after-broad-does-not-fire"),
        pytest.param("/api/app.py @acme/backend\n/api/app.py @acme/docs\n", ".github/CODEOWNERS", [],
                     id="exact-duplicate-is-own004s"),
        pytest.param("[Backend] @acme/backend\n/api/migrations/\n/api/\n", ".gitlab/CODEOWNERS",
                     [(".gitlab/CODEOWNERS", 2, "/api/migrations/")], id="gitlab-sections-shadowed-within-section"),
        pytest.param("[Backend] @acme/backend\n/api/\n[Migrations] @acme/platform\n/api/migrations/\n", ".gitlab/CODEOWNERS",
                     [], id="gitlab-sections-decide-separately"),
        pytest.param("* @acme/platform\n[Backend] @acme/backend\n/api/\n", ".gitlab/CODEOWNERS", [],
                     id="gitlab-sections-unsectioned-line-is-its-own-list"),
    ],
)
def test_own005_shadowed_rule(make_repo: Callable[..., Path], codeowners: str, at: str, expected: List[Row]) -> None:
    found = run_rule(make_repo, repo(codeowners, at=at), "OWN005")
    assert rows(found) == expected


def test_own005_names_the_deciding_line(make_repo: Callable[..., Path]) -> None:
    found = run_rule(make_repo, repo("/web/src/ @acme/backend\n/web/ @acme/frontend\n",
                                     **{"web/src/b.ts": ""}), "OWN005")
    assert found[0].message == (
        "/web/src/ matches 2 files but never decides an owner: "
        "the later line 2 (/web/ @acme/frontend) wins for all of them"
    )


# -- OWN006 owner-not-in-roster --------------------------------------------------------------


@pytest.mark.parametrize(
    "codeowners, at, expected",
    [
        pytest.param("* @acme/platform @acme/ghosts\n/api/ @acme/ghosts\n", ".github/CODEOWNERS",
                     [(".github/CODEOWNERS", 1, "@acme/ghosts")], id="unknown-team-once-at-first-use"),
        pytest.param("* @acme/platform\n/api/ @bob\n", ".github/CODEOWNERS",
                     [(".github/CODEOWNERS", 2, "@bob")], id="unknown-user"),
        pytest.param("* @ACME/Platform @ada @tim linus@acme.example\n", ".github/CODEOWNERS", [],
                     id="teams-members-and-emails-case-insensitive"),
        pytest.param("[Backend] @acme/ghosts\n/api/\n", ".gitlab/CODEOWNERS",
                     [(".gitlab/CODEOWNERS", 1, "@acme/ghosts")], id="gitlab-sections-default-owner-at-heading"),
        pytest.param("* @@developer @acme/platform\n", ".gitlab/CODEOWNERS", [], id="gitlab-sections-role-owners-exempt"),
    ],
)
def test_own006_owner_not_in_roster(make_repo: Callable[..., Path], codeowners: str, at: str, expected: List[Row]) -> None:
    assert rows(run_rule(make_repo, repo(codeowners, at=at), "OWN006")) == expected


def test_own006_owners_file_approver_outside_roster(make_repo: Callable[..., Path]) -> None:
    """k8s-owners-md: a name that is no OWNERS_ALIASES alias is a GitHub login."""
    files = repo("* @acme/platform\n", **{
        "api/OWNERS": "approvers:\n  - backend-leads\n  - oncall\n",
        "OWNERS_ALIASES": "aliases:\n  backend-leads:\n    - ada\n",
    })
    found = run_rule(make_repo, files, "OWN006")
    assert [(f.path, f.line, f.column, f.key) for f in found] == [("api/OWNERS", 3, 5, "@oncall")]


def test_own006_is_silent_without_a_roster(make_repo: Callable[..., Path]) -> None:
    files = repo("* @acme/ghosts\n")
    files["repo-roles.toml"] = '[roles]\n"backend.logic" = ["api/**"]\n'
    assert run_rule(make_repo, files, "OWN006") == []


# -- OWN007 role-mismatch --------------------------------------------------------------------


BASE = "* @acme/platform\n/api/ @acme/backend\n/web/ @acme/frontend\n/docs/ @acme/docs\n"


@pytest.mark.parametrize(
    "extra, expected",
    [
        pytest.param("/api/app.py @acme/frontend\n", [("api/app.py", None, "backend.logic @acme/frontend")],
                     id="backend-file-frontend-owner"),
        pytest.param("/api/app.py @acme/frontend @acme/backend\n", [], id="one-responsible-owner-suffices"),
        pytest.param("/api/app.py @ada\n", [], id="member-answers-for-their-team"),
        pytest.param("/api/app.py @acme/ghosts\n", [], id="owner-outside-roster-is-own006s"),
        pytest.param("/docs/ @acme/frontend\n", [("docs/guide.md", None, "backend.docs @acme/frontend")],
                     id="backend-docs-owned-by-no-backend-side"),
        pytest.param("", [], id="every-owner-responsible"),
    ],
)
def test_own007_role_mismatch(make_repo: Callable[..., Path], extra: str, expected: List[Row]) -> None:
    assert rows(run_rule(make_repo, repo(BASE + extra), "OWN007")) == expected


@pytest.mark.parametrize(
    "path, content",
    [
        pytest.param("web/package.json", '{"name": "web"}\n', id="config"),
        pytest.param("web/package-lock.json", '{"lockfileVersion": 3}\n', id="generated"),
    ],
)
def test_own007_does_not_judge_files_of_no_side(
    make_repo: Callable[..., Path], path: str, content: str
) -> None:
    """Config and generated files belong to no side: a frontend team owning them is the norm."""
    files = repo(BASE, **{path: content})
    assert [f for f in run_rule(make_repo, files, "OWN007") if f.path == path] == []


def test_own007_message_names_owner_responsibility_and_role(make_repo: Callable[..., Path]) -> None:
    found = run_rule(make_repo, repo("* @acme/platform\n/api/ @acme/frontend\n/web/ @acme/frontend\n"), "OWN007")
    app = next(f for f in found if f.path == "api/app.py")
    assert app.message == (
        "api/app.py is backend.logic, but its owners answer for other roles: "
        "@acme/frontend (frontend) [.github/CODEOWNERS:2]"
    )


# -- OWN008 ownership-file-unowned -----------------------------------------------------------


@pytest.mark.parametrize(
    "codeowners, expected",
    [
        pytest.param("/api/ @acme/backend\n", [(".github/CODEOWNERS", None, ".github/CODEOWNERS")], id="no-line-matches-it"),
        pytest.param("* @acme/platform\n/.github/\n", [(".github/CODEOWNERS", 2, ".github/CODEOWNERS")],
                     id="github-codeowners-ownerless-line-unowns-it"),
        pytest.param("/api/ @acme/backend\n/.github/ @acme/platform\n", [], id="owned-does-not-fire"),
    ],
)
def test_own008_ownership_file_unowned(make_repo: Callable[..., Path], codeowners: str, expected: List[Row]) -> None:
    assert rows(run_rule(make_repo, repo(codeowners), "OWN008")) == expected


# -- OWN009 multiple-ownership-files ---------------------------------------------------------


def test_own009_github_reads_the_first_location(make_repo: Callable[..., Path]) -> None:
    """github-codeowners: .github/, root, docs/ — "use the first one it finds"."""
    files = repo("* @acme/platform\n", **{"CODEOWNERS": "* @acme/backend\n"})
    found = run_rule(make_repo, files, "OWN009")
    assert rows(found) == [(".github/CODEOWNERS", None, ".github/CODEOWNERS,CODEOWNERS")]
    assert found[0].message == (
        "2 CODEOWNERS files: GitHub uses .github/CODEOWNERS; GitLab uses CODEOWNERS; "
        "repo-roles checks .github/CODEOWNERS (GitHub) and ignores CODEOWNERS"
    )


def test_own009_one_file_does_not_fire(make_repo: Callable[..., Path]) -> None:
    assert run_rule(make_repo, repo("* @acme/platform\n"), "OWN009") == []


# -- OWN010 non-recursive-pattern ------------------------------------------------------------

NESTED = {"api/templates/base.j2": "", "api/templates/emails/a.j2": "", "api/templates/emails/b.j2": ""}


@pytest.mark.parametrize(
    "codeowners, files, expected",
    [
        pytest.param("/api/ @acme/backend\n/api/templates/* @acme/frontend\n", NESTED,
                     [(".github/CODEOWNERS", 2, "/api/templates/*")], id="github-codeowners-docs-star-direct-children-only"),
        pytest.param("/api/templates/* @acme/frontend\n", NESTED,
                     [(".github/CODEOWNERS", 1, "/api/templates/*")], id="nested-files-owned-by-nothing"),
        pytest.param("/api/ @acme/backend\n/api/templates/* @acme/frontend\n", {"api/templates/base.j2": ""}, [],
                     id="no-nested-files"),
        pytest.param("/api/ @acme/backend\n/api/templates/* @acme/frontend\n/api/templates/emails/ @acme/docs\n", NESTED, [],
                     id="nested-files-decided-by-later-line"),
        pytest.param("/api/ @acme/backend\n/api/templates/ @acme/frontend\n", NESTED, [], id="recursive-pattern"),
    ],
)
def test_own010_non_recursive_pattern(make_repo: Callable[..., Path], codeowners: str, files: Dict[str, str],
                                      expected: List[Row]) -> None:
    assert rows(run_rule(make_repo, repo(codeowners, **files), "OWN010")) == expected


def test_own010_message_counts_and_suggests(make_repo: Callable[..., Path]) -> None:
    found = run_rule(make_repo, repo("/api/ @acme/backend\n/api/templates/* @acme/frontend\n", **NESTED), "OWN010")
    assert found[0].message == (
        "/api/templates/* matches only direct children; 2 files below api/templates/ fall back to line 1 "
        "(/api/ @acme/backend), e.g. api/templates/emails/a.j2; write /api/templates/ or /api/templates/** "
        "to own the whole tree"
    )


# -- OWN011 ownership-file-too-large ---------------------------------------------------------

HUGE = ("#" * 1_048_575 + "\n") * 3 + "* @acme/platform\n"  # 3 MB of comments, then one rule


@pytest.mark.parametrize(
    "codeowners, dialect, expected",
    [
        pytest.param(HUGE, "github", [(".github/CODEOWNERS", None, ".github/CODEOWNERS")], id="github-codeowners-3mb-not-loaded"),
        pytest.param(HUGE, "gitlab", [], id="gitlab-has-no-such-limit"),
        pytest.param("* @acme/platform\n", "github", [], id="small-file"),
    ],
)
def test_own011_ownership_file_too_large(make_repo: Callable[..., Path], codeowners: str, dialect: str,
                                         expected: List[Row]) -> None:
    files = repo(codeowners)
    files["repo-roles.toml"] = ROSTER.replace("[ownership]\n", f'[ownership]\ndialect = "{dialect}"\n')
    assert rows(run_rule(make_repo, files, "OWN011")) == expected


# -- OWN012 no-ownership-file ----------------------------------------------------------------


def test_own012_no_ownership_file(make_repo: Callable[..., Path]) -> None:
    found = run_rule(make_repo, dict(TREE), "OWN012")
    assert rows(found) == [("", None, "no-ownership-file")]
    assert "require-owner lists backend.logic" in found[0].message


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(repo("* @acme/platform\n"), id="codeowners-exists"),
        pytest.param({**TREE, "OWNERS": "approvers:\n  - ada\n"}, id="k8s-owners-md-owners-file-exists"),
        pytest.param({**TREE, "repo-roles.toml": ROSTER.replace('require-owner = ["backend.logic"]', "require-owner = []")},
                     id="nothing-required"),
    ],
)
def test_own012_does_not_fire(make_repo: Callable[..., Path], files: Dict[str, object]) -> None:
    assert run_rule(make_repo, files, "OWN012") == []


def test_every_ownership_rule_is_documented() -> None:
    """``repo-roles rule OWNxxx`` prints the module docstring: each says what fires and how to fix."""
    rules = [r for r in iter_rules() if r.id.startswith("OWN")]
    assert [r.id for r in rules] == [f"OWN{n:03d}" for n in range(1, 15)]
    for rule in rules:
        assert rule.doc.startswith(f"{rule.id} {rule.name}:")
        for heading in ("What it checks", "Why it matters", "Fires::", "Does not fire::", "How to fix", "Configuration"):
            assert heading in rule.doc, (rule.id, heading)


# -- OWN013 duplicate-section ----------------------------------------------------------------


@pytest.mark.parametrize(
    "codeowners, expected",
    [
        pytest.param(
            "[Backend] @acme/backend\n/api/ @acme/backend\n[backend]\n/api/app.py @acme/frontend\n",
            [(".gitlab/CODEOWNERS", 3, "backend")],
            id="gitlab-docs-section-names-not-case-sensitive-duplicates-combined",
        ),
        pytest.param(
            "[Backend] @acme/backend\n/api/ @acme/backend\n[Frontend]\n/web/ @acme/frontend\n",
            [],
            id="distinct-sections",
        ),
    ],
)
def test_own013_duplicate_section(make_repo: Callable[..., Path], codeowners: str, expected: List[Row]) -> None:
    found = run_rule(make_repo, repo(codeowners, at=".gitlab/CODEOWNERS"), "OWN013")
    assert [(f.path, f.line, f.key) for f in found] == expected


# -- OWN014 questionable-ownership-line ------------------------------------------------------


@pytest.mark.parametrize(
    "codeowners, expected",
    [
        pytest.param(
            "* @acme/platform\n/api/ @tobias-\n/web/[slug]/ @acme/frontend\n",
            [(".github/CODEOWNERS", 2, "suspicious-owner"), (".github/CODEOWNERS", 3, "literal-brackets")],
            id="legacy-handle-esphome-and-nextjs-route-folder (issue 16)",
        ),
        pytest.param("* @acme/platform\n/web/\\[slug\\]/ @acme/frontend\n", [], id="escaped-brackets-and-modern-handles"),
    ],
)
def test_own014_questionable_ownership_line(make_repo: Callable[..., Path], codeowners: str, expected: List[Row]) -> None:
    files = repo(codeowners)
    found = run_rule(make_repo, files, "OWN014")
    assert [(f.path, f.line, f.key.split(":")[0]) for f in found] == expected
    assert all(f.severity == "warning" for f in found)
    assert run_rule(make_repo, files, "OWN002") == []  # used as written, not skipped


def test_gitlab_sections_match_each_path_once(make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """With GitLab sections every path has one winner per section ("Each section enforces its
    rules separately", GitLab docs); resolving owners computes them, and the ownership rules
    reuse them instead of matching every path again."""
    from repo_roles.ownership.matcher import CompiledCodeowners

    asked: List[str] = []
    original = CompiledCodeowners._winners

    def counting(self: CompiledCodeowners, directory: str, name: str) -> tuple:
        asked.append(f"{directory}/{name}" if directory else name)
        return original(self, directory, name)

    monkeypatch.setattr(CompiledCodeowners, "_winners", counting)
    files = repo("[Backend] @acme/backend\n/api/\n!/api/migrations/\n[Docs] @acme/docs\n*.md\n/api/\n",
                 at=".gitlab/CODEOWNERS",
                 **{f"api/mod{i}.py": "x = 1\n" for i in range(80)})  # past the few-paths shortcut
    iter_rules()
    context = scan(make_repo(files))
    paths = list(context.inventory.paths)
    for rule_id in ("OWN003", "OWN005"):
        list(RULES[rule_id].check(context))
    assert sorted(asked) == sorted(paths)
    # per section (unnamed, Backend, Docs): no line, the exclusion (rule 1), Docs' /api/ (rule 3)
    assert context.ownership.compiled.winners("api/migrations/m0001.py") == (-1, 1, 3)


def test_own007_frontend_team_owning_its_package_readme_is_no_mismatch(make_repo: Callable[..., Path]) -> None:
    """Issue 11: a README inside a frontend package is frontend.docs, which
    ``responsible = ["frontend"]`` covers; the project's own README is still backend.docs."""
    files = {
        "repo-roles.toml": '[teams."@acme/frontend"]\nresponsible = ["frontend"]\n\n'
                           '[teams."@acme/backend"]\nresponsible = ["backend"]\n',
        ".github/CODEOWNERS": "* @acme/backend\n/web/ @acme/frontend\n/README.md @acme/frontend\n",
        "pyproject.toml": "[project]\nname = 'x'\n",
        "README.md": "# x\n",
        "web/package.json": '{"dependencies": {"react": "19.0.0"}}\n',
        "web/README.md": "# web\n",
        "web/src/App.tsx": "export const App = () => null\n",
    }
    assert rows(run_rule(make_repo, files, "OWN007")) == [("README.md", None, "backend.docs @acme/frontend")]
