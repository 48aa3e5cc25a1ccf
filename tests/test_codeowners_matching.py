"""Pattern semantics and precedence, pinned to the hosts' documentation."""

from __future__ import annotations

import pytest

from repo_roles.ownership import CompiledCodeowners, OwnerMatch, compile_pattern, parse_codeowners

GITHUB = "https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners"
GITIGNORE = "https://git-scm.com/docs/gitignore#_pattern_format"
GITLAB = "https://docs.gitlab.com/user/project/codeowners/reference/"
GITLAB_ADV = "https://docs.gitlab.com/user/project/codeowners/advanced/"


@pytest.mark.parametrize(
    "pattern, path, expected",
    [
        # Every example of GitHub's "Example of a CODEOWNERS file".
        pytest.param("*", "README.md", True, id=f"star-owns-everything {GITHUB}"),
        pytest.param("*", "a/b/c.py", True, id=f"star-any-depth {GITHUB}"),
        pytest.param("*.js", "src/app.js", True, id=f"ext-any-depth {GITHUB}"),
        pytest.param("*.js", "src/app.jsx", False, id=f"ext-exact {GITHUB}"),
        pytest.param("*.go", "cmd/main.go", True, id=f"go {GITHUB}"),
        pytest.param("*.txt", "notes/a.txt", True, id=f"txt {GITHUB}"),
        pytest.param("/build/logs/", "build/logs/x.log", True, id=f"root-dir {GITHUB}"),
        pytest.param("/build/logs/", "build/logs/2024/x.log", True, id=f"root-dir-subdirectories {GITHUB}"),
        pytest.param("/build/logs/", "src/build/logs/x.log", False, id=f"root-dir-is-anchored {GITHUB}"),
        pytest.param("docs/*", "docs/getting-started.md", True, id=f"docs-star-direct-child {GITHUB}"),
        pytest.param("docs/*", "docs/build-app/troubleshooting.md", False, id=f"docs-star-not-nested {GITHUB} (gitignore disagrees)"),
        pytest.param("apps/", "apps/main.js", True, id=f"apps-dir {GITHUB}"),
        pytest.param("apps/", "deep/er/apps/x/y.js", True, id=f"apps-dir-anywhere {GITHUB}"),
        pytest.param("apps/", "apps", False, id=f"dir-pattern-not-a-file {GITIGNORE}"),
        pytest.param("/docs/", "docs/a/b.md", True, id=f"root-docs {GITHUB}"),
        pytest.param("/docs/", "x/docs/a.md", False, id=f"root-docs-anchored {GITHUB}"),
        pytest.param("/scripts/", "scripts/deploy.sh", True, id=f"scripts {GITHUB}"),
        pytest.param("**/logs", "build/logs/a", True, id=f"globstar-build-logs {GITHUB}"),
        pytest.param("**/logs", "scripts/logs/a", True, id=f"globstar-scripts-logs {GITHUB}"),
        pytest.param("**/logs", "deeply/nested/logs/a", True, id=f"globstar-nested-logs {GITHUB}"),
        pytest.param("**/logs", "logs/a", True, id=f"globstar-zero-dirs {GITIGNORE}"),
        pytest.param("/apps/github", "apps/github/x.js", True, id=f"apps-github {GITHUB}"),
        # The rest of the semantics (the brief's list, and the documented disagreements).
        pytest.param("apps", "apps/x/y", True, id="name-matching-a-directory-owns-its-contents"),
        pytest.param("/docs", "docs/a/b.md", True, id="anchored-name-owns-directory"),
        pytest.param("/*", "README.md", True, id="root-star-root-files"),
        pytest.param("/*", "src/a.py", False, id="root-star-not-nested (like docs/*)"),
        pytest.param("foo/**/", "foo/a/x", True, id=f"foo-globstar-slash-below-a-subdirectory {GITIGNORE}"),
        pytest.param("foo/**/", "foo/x", False, id=f"foo-globstar-slash-needs-a-subdirectory {GITIGNORE}"),
        pytest.param("foo/**", "foo/x", True, id=f"trailing-globstar-inside {GITIGNORE}"),
        pytest.param("foo/**", "foo", False, id=f"trailing-globstar-not-itself {GITIGNORE}"),
        pytest.param("a/**/b", "a/b", True, id=f"middle-globstar-zero {GITIGNORE}"),
        pytest.param("a/**/b", "a/x/y/b", True, id=f"middle-globstar-many {GITIGNORE}"),
        pytest.param("**", "any/thing", True, id="lone-globstar"),
        pytest.param("?.py", "src/a.py", True, id="question-one-char"),
        pytest.param("?.py", "src/ab.py", False, id="question-not-two"),
        pytest.param("src/*.py", "src/a/b.py", False, id="star-not-across-slash"),
        pytest.param("*.md", "docs/.hidden.md", True, id="star-matches-dotfiles"),
        pytest.param("README.md", "readme.md", False, id=f"case-sensitive {GITHUB}"),
        pytest.param("path\\ with\\ spaces/", "path with spaces/a", True, id="escaped-spaces"),
        pytest.param("dокументы/*", "dокументы/файл.md", True, id="unicode"),
        pytest.param("*.txt", "line\nbreak.txt", True, id="newline-in-path"),
        pytest.param("**/**/**/**/**/**/**/**/**/**/**/**/**/**/x", "a/" * 40 + "y", False, id="collapsed-globstars-fail-fast"),
        pytest.param("**/**/**/**/**/**/**/**/**/**/**/**/**/**/x", "a/" * 40 + "x", True, id="collapsed-globstars-match"),
    ],
)
def test_github_pattern_semantics(pattern: str, path: str, expected: bool) -> None:
    assert compile_pattern(pattern, "github").matches(path) is expected
    parsed = parse_codeowners(f"{pattern} @o\n".encode())
    assert (CompiledCodeowners(parsed).match(path).rule is not None) is expected


@pytest.mark.parametrize(
    "pattern, path, expected",
    [
        pytest.param("/README.md", "README.md", True, id=f"absolute {GITLAB}#absolute-paths"),
        pytest.param("/docs/README.md", "x/docs/README.md", False, id=f"absolute-anchored {GITLAB}#absolute-paths"),
        pytest.param("README.md", "app/lib/README.md", True, id=f"relative-any-depth {GITLAB}#relative-paths"),
        pytest.param("internal/README.md", "docs/api/internal/README.md", True, id=f"relative-middle-slash-not-anchored {GITLAB}#relative-paths (GitHub anchors)"),
        pytest.param("/docs/", "docs/a/b.md", True, id=f"directory {GITLAB}#directory-paths"),
        pytest.param("/docs/*.md", "docs/a.md", True, id=f"wildcard {GITLAB}#wildcard-paths"),
        pytest.param("/docs/index.*", "docs/index.html", True, id=f"wildcard-ext {GITLAB}#wildcard-paths"),
        pytest.param("/docs/*spec*", "docs/qa_specs.rb", True, id=f"wildcard-inner {GITLAB}#wildcard-paths"),
        pytest.param("/docs/*/README.md", "docs/api/README.md", True, id=f"wildcard-dir {GITLAB}#wildcard-paths"),
        pytest.param("/docs/**/index.md", "docs/api/graphql/index.md", True, id=f"globstar {GITLAB}#globstar-paths"),
        pytest.param("/docs/**/index.md", "docs/index.md", True, id=f"globstar-zero {GITLAB}#globstar-paths"),
        pytest.param("**/*.rb", "config/database.rb", True, id=f"fnmatch {GITLAB_ADV}#pattern-matching"),
        pytest.param("*", ".gitignore", True, id=f"dotmatch {GITLAB_ADV}#pattern-matching"),
        pytest.param("[abc]*.py", "b1.py", True, id="fnmatch-class"),
        pytest.param("[!abc]*.py", "b1.py", False, id="fnmatch-negated-class"),
        pytest.param("/", "any/file", True, id="gitlab-root-directory"),
    ],
)
def test_gitlab_pattern_semantics(pattern: str, path: str, expected: bool) -> None:
    assert compile_pattern(pattern, "gitlab").matches(path) is expected


GITHUB_FILE = b"""\
*       @global-owner1 @global-owner2
*.js    @js-owner #This is an inline comment.
/build/logs/ @doctocat
**/logs @octocat
/apps/ @octocat
/apps/github
"""


@pytest.mark.parametrize(
    "path, owners, line",
    [
        pytest.param("README.md", ("@global-owner1", "@global-owner2"), 1, id=f"default {GITHUB}"),
        pytest.param("src/app.js", ("@js-owner",), 2, id=f"last-match-wins {GITHUB}"),
        pytest.param("build/logs/x.log", ("@octocat",), 4, id=f"later-line-overrides {GITHUB}"),
        pytest.param("apps/github/readme.md", (), 6, id=f"explicitly-unowned {GITHUB}"),
        pytest.param("apps/web/a.py", ("@octocat",), 5, id=f"apps {GITHUB}"),
    ],
)
def test_github_precedence(path: str, owners: tuple, line: int) -> None:
    compiled = CompiledCodeowners(parse_codeowners(GITHUB_FILE))
    found = compiled.match(path)
    assert found.owners == owners and found.rule is not None and found.rule.line == line
    assert compiled.all_matches(path)[-1] == found.rule
    assert compiled.match_sections(path) == {"": found}


def test_unmatched_is_not_unowned() -> None:
    compiled = CompiledCodeowners(parse_codeowners(b"/src/ @a\n/src/gen\n"))
    assert compiled.match("README.md") == OwnerMatch((), None)
    assert compiled.match("src/gen/x.py").rule is not None and compiled.match("src/gen/x.py").owners == ()


SECTIONS = b"""\
* @admin

[README Owners]
README.md @user1 @user2
internal/README.md @user4

[README other owners]
README.md @user3
"""


@pytest.mark.parametrize(
    "path, owners, sections",
    [
        pytest.param("README.md", ("@admin", "@user1", "@user2", "@user3"), {"": ("@admin",), "README Owners": ("@user1", "@user2"), "README other owners": ("@user3",)}, id=f"root-readme {GITLAB}#sections"),
        pytest.param("internal/README.md", ("@admin", "@user4", "@user3"), {"": ("@admin",), "README Owners": ("@user4",), "README other owners": ("@user3",)}, id=f"internal-readme-last-in-section {GITLAB}#sections"),
        pytest.param("a.py", ("@admin",), {"": ("@admin",)}, id="only-the-unnamed-section"),
    ],
)
def test_gitlab_sections(path: str, owners: tuple, sections: dict) -> None:
    compiled = CompiledCodeowners(parse_codeowners(SECTIONS, dialect="gitlab"))
    found = compiled.match(path)
    assert found.owners == owners
    assert found.rule is not None and found.rule.section is None  # the first section that owns it
    assert {name: m.owners for name, m in compiled.match_sections(path).items()} == sections


def test_gitlab_regular_entries_and_sections() -> None:
    # GITLAB_ADV#regular-entries-and-sections: model/db/CHANGELOG.txt needs three approvals.
    text = b"* @general-approvers\n\n[Documentation] @docs-team\ndocs/\nREADME.md\n*.txt\n\n[Database] @database-team\nmodel/db/\nconfig/db/database-setup.md @docs-team\n"
    compiled = CompiledCodeowners(parse_codeowners(text, dialect="gitlab"))
    assert compiled.match("model/db/CHANGELOG.txt").owners == ("@general-approvers", "@docs-team", "@database-team")
    assert compiled.match("config/db/database-setup.md").owners == ("@general-approvers", "@docs-team")


EXCLUSIONS = b"""\
* @username
!pom.xml

[Ruby]
*.rb @ruby-team
!/config/**/*.rb
/config/routes.rb @ops
"""


@pytest.mark.parametrize(
    "path, owners",
    [
        pytest.param("pom.xml", (), id=f"excluded-from-default-section {GITLAB}#exclusion-patterns"),
        pytest.param("app/models/user.rb", ("@username", "@ruby-team"), id=f"not-excluded {GITLAB}#exclusion-patterns"),
        pytest.param("config/initializers/a.rb", ("@username",), id=f"excluded-in-ruby-only {GITLAB}#exclusion-patterns"),
        pytest.param("config/routes.rb", ("@username",), id=f"cannot-be-included-again {GITLAB}#exclusion-patterns"),
    ],
)
def test_gitlab_exclusions_are_scoped_to_their_section(path: str, owners: tuple) -> None:
    compiled = CompiledCodeowners(parse_codeowners(EXCLUSIONS, dialect="gitlab"))
    assert compiled.match(path).owners == owners


def test_gitlab_excluded_everywhere_is_explicitly_unowned() -> None:
    compiled = CompiledCodeowners(parse_codeowners(EXCLUSIONS, dialect="gitlab"))
    found = compiled.match("pom.xml")
    assert found.rule is not None and found.rule.negated and found.rule.pattern == "pom.xml"
    assert compiled.match_sections("pom.xml") == {"": found}


def test_gitlab_role_owners_are_owners() -> None:
    compiled = CompiledCodeowners(parse_codeowners(b"/config/ @@maintainer\n", dialect="gitlab"))
    assert compiled.match("config/app.yml").owners == ("@@maintainer",)


def test_bitbucket_uses_github_precedence() -> None:
    text = b"* alisha@example.com fred@example.com\n*.js @workspace-slug/frontenders:all\n"
    compiled = CompiledCodeowners(parse_codeowners(text, dialect="bitbucket"))
    assert compiled.match("web/app.js").owners == ("@workspace-slug/frontenders:all",)
    assert compiled.match("README").owners == ("alisha@example.com", "fred@example.com")


def test_match_all_equals_match() -> None:
    compiled = CompiledCodeowners(parse_codeowners(EXCLUSIONS, dialect="gitlab"))
    paths = ["pom.xml", "a/b.rb", "config/x/y.rb", "config/routes.rb", "README"]
    fresh = CompiledCodeowners(parse_codeowners(EXCLUSIONS, dialect="gitlab"))
    assert compiled.match_all(paths) == {p: fresh.match(p) for p in paths}


# Issue 16, item 4: GitLab matches with File.fnmatch after normalising the pattern
# (gitlab-org/gitlab ee/lib/gitlab/code_owners/file.rb, as mirrored at
# pavankalisetti009/gitlab 0325e1c):
#   FNMATCH_FLAGS = (::File::FNM_DOTMATCH | ::File::FNM_PATHNAME).freeze
#   normalize_pattern: `return '/**/*' if pattern == '*'`; `pattern = "/**/#{pattern}"` unless it
#   starts with "/"; `pattern = "#{pattern}**/*"` if it ends with "/"
#   path_matches?: `::File.fnmatch?(pattern, path, FNMATCH_FLAGS)` on "/#{path}"
# Ruby's fnmatch with FNM_PATHNAME: "**/" is recursive, a "**" not followed by "/" is a "*".
# gitlab-org/gitlab!69050 ("Add missing slash to CODEOWNERS to catch directory") and
# gitlab-org/gitlab!192969 (`/doc-locale/**` gave no approval rule for
# doc-locale/ja-jp/ci/.../_index.md; "To cover all files in a directory, just end in /") are the
# same facts met in GitLab's own CODEOWNERS.
FILE_RB = "gitlab-org/gitlab ee/lib/gitlab/code_owners/file.rb"


@pytest.mark.parametrize(
    "pattern, path, expected",
    [
        pytest.param("docs", "docs/x.md", False, id=f"slashless-name-owns-no-directory {FILE_RB} fnmatch?('/**/docs', '/docs/x.md')"),
        pytest.param("docs", "docs", True, id=f"slashless-name-owns-the-file {FILE_RB}"),
        pytest.param("docs", "a/b/docs", True, id=f"slashless-name-at-any-depth {FILE_RB} '/**/'"),
        pytest.param("/docs", "docs/x.md", False, id=f"anchored-name-owns-no-directory {FILE_RB}"),
        pytest.param("docs/", "a/docs/x/y.md", True, id=f"trailing-slash-owns-below {FILE_RB} '**/*'"),
        pytest.param("/docs/**", "docs/a.md", True, id=f"trailing-globstar-is-a-star {FILE_RB} FNM_PATHNAME"),
        pytest.param("/docs/**", "docs/a/b.md", False, id=f"trailing-globstar-not-recursive {FILE_RB} FNM_PATHNAME gitlab-org/gitlab!192969"),
        pytest.param("/docs/**/", "docs/a/b.md", True, id=f"globstar-slash-recursive {FILE_RB}"),
        pytest.param("/docs/**/", "docs/a.md", True, id=f"globstar-slash-zero-dirs {FILE_RB} '/docs/**/**/*' (gitignore: no)"),
        pytest.param("*", "a/b/.c", True, id=f"star-is-everything {FILE_RB} '/**/*' FNM_DOTMATCH"),
        pytest.param("ee/docs", "ee/docs/x.md", False, id=f"reference-example-ee-docs {FILE_RB}"),
    ],
)
def test_gitlab_file_fnmatch(pattern: str, path: str, expected: bool) -> None:
    assert compile_pattern(pattern, "gitlab").matches(path) is expected
    parsed = parse_codeowners(f"{pattern} @o\n".encode(), dialect="gitlab")
    assert (CompiledCodeowners(parsed).match(path).rule is not None) is expected
