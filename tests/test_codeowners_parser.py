"""CODEOWNERS parsing: documented syntax per dialect, and hostile input that must never raise."""

from __future__ import annotations

import codecs
from typing import List, Tuple

import pytest

from repo_roles.ownership import ParsedCodeowners, Section, detect_dialect, parse_codeowners

GITHUB = "https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners"
GITLAB = "https://docs.gitlab.com/user/project/codeowners/reference/"
GITLAB_ADV = "https://docs.gitlab.com/user/project/codeowners/advanced/"
BITBUCKET = "https://support.atlassian.com/bitbucket-cloud/docs/set-up-and-use-code-owners/"


def rules(parsed: ParsedCodeowners) -> List[Tuple[str, Tuple[str, ...]]]:
    return [(r.pattern, r.owners) for r in parsed.rules]


def codes(parsed: ParsedCodeowners) -> List[Tuple[int, str]]:
    return [(i.line, i.code) for i in parsed.issues]


@pytest.mark.parametrize(
    "line, expected_rules, expected_codes",
    [
        pytest.param("*       @global-owner1 @global-owner2", [("*", ("@global-owner1", "@global-owner2"))], [], id=f"github-defaults {GITHUB}"),
        pytest.param("*.js    @js-owner #This is an inline comment.", [("*.js", ("@js-owner",))], [], id=f"github-inline-comment {GITHUB}"),
        pytest.param("*.go docs@example.com", [("*.go", ("docs@example.com",))], [], id=f"github-email {GITHUB}"),
        pytest.param("*.txt @octo-org/octocats", [("*.txt", ("@octo-org/octocats",))], [], id=f"github-team {GITHUB}"),
        pytest.param("/apps/github", [("/apps/github", ())], [], id=f"github-no-owners-is-valid {GITHUB}"),
        pytest.param("# This is a comment.", [], [], id=f"github-comment {GITHUB}"),
        pytest.param("file#1.txt @a", [("file#1.txt", ("@a",))], [], id="github-hash-inside-a-token-is-literal (our reading)"),
        pytest.param("!x @a", [], [(1, "unsupported-syntax")], id=f"github-negation-unsupported {GITHUB}#syntax-exceptions"),
        pytest.param("\\#file @a", [], [(1, "unsupported-syntax")], id=f"github-escaped-hash-unsupported {GITHUB}#syntax-exceptions"),
        pytest.param("*.py user_without_at", [], [(1, "invalid-owner")], id=f"github-invalid-line-skipped {GITHUB}"),
        pytest.param("/ @a", [], [(1, "invalid-pattern")], id="github-bare-slash-matches-nothing (gitignore)"),
        pytest.param("path\\ with\\ spaces/ @a", [("path\\ with\\ spaces/", ("@a",))], [], id="escaped-spaces"),
        pytest.param("\t*.py\t@a\t  ", [("*.py", ("@a",))], [], id="tabs-and-trailing-blanks"),
        pytest.param("dокументы/ @команда", [], [(1, "invalid-owner")], id="unicode-owner-is-not-a-github-login"),
        pytest.param("dокументы/ná.md @a", [("dокументы/ná.md", ("@a",))], [], id="unicode-pattern"),
    ],
)
def test_github_lines(line: str, expected_rules: list, expected_codes: list) -> None:
    parsed = parse_codeowners(line.encode(), dialect="github")
    assert rules(parsed) == expected_rules
    assert codes(parsed) == expected_codes


def test_rule_positions_and_raw_text() -> None:
    parsed = parse_codeowners(b"# c\n\n   docs/  @a  \r\n", path=".github/CODEOWNERS")
    (rule,) = parsed.rules
    assert (rule.line, rule.column, rule.raw, rule.section, rule.negated) == (3, 4, "   docs/  @a  ", None, False)
    assert parsed.path == ".github/CODEOWNERS" and parsed.dialect == "github"


@pytest.mark.parametrize(
    "data, expected_rules, expected_codes",
    [
        pytest.param(codecs.BOM_UTF8 + b"*.py @a\n", [("*.py", ("@a",))], [], id="utf8-bom"),
        pytest.param(b"*.py @a\r\n*.js @b\r\n", [("*.py", ("@a",)), ("*.js", ("@b",))], [], id="crlf"),
        pytest.param(b"*.py @a\n\xff\xfe\x00junk\n*.js @b\n", [("*.py", ("@a",)), ("*.js", ("@b",))], [(2, "encoding")], id="binary-garbage-line-is-skipped-not-fatal"),
        pytest.param(codecs.BOM_UTF16_LE + "*.py @a\n".encode("utf-16-le"), [("*.py", ("@a",))], [(1, "encoding")], id="utf16"),
        pytest.param(b"", [], [], id="empty"),
    ],
)
def test_bad_input_never_raises(data: bytes, expected_rules: list, expected_codes: list) -> None:
    parsed = parse_codeowners(data)
    assert rules(parsed) == expected_rules
    assert [c for c in codes(parsed) if c[1] == "encoding"] == [c for c in expected_codes if c[1] == "encoding"]
    assert set(codes(parsed)) >= set(expected_codes)


def test_random_bytes_never_raise() -> None:
    import random

    rng = random.Random(3)
    for _ in range(200):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(200)))
        for dialect in ("github", "gitlab", "bitbucket"):
            parsed = parse_codeowners(data, dialect=dialect)
            assert all(i.line >= 1 and i.column >= 1 for i in parsed.issues)


def test_huge_file_parses() -> None:
    lines = [f"/services/s{i}/module{i % 97}/ @org/team-{i % 50} user{i}@example.com" for i in range(100_000)]
    parsed = parse_codeowners("\n".join(lines).encode())
    assert len(parsed.rules) == 100_000 and parsed.issues == ()
    assert parsed.rules[-1].line == 100_000


GITLAB_EXAMPLE = b"""\
* @default-owner
README.md @doc-team @tech-lead
LICENSE @legal janedoe@gitlab.com
README @group @group/with-nested/subgroup
/docs/**/*.md @markdown-docs  # Match specific file types in any subdirectory
[Documentation]
ee/docs    @docs
docs       @docs
/config/ @@maintainer
"""


def test_gitlab_reference_examples() -> None:
    parsed = parse_codeowners(GITLAB_EXAMPLE, dialect="gitlab")
    assert rules(parsed) == [
        ("*", ("@default-owner",)),
        ("README.md", ("@doc-team", "@tech-lead")),
        ("LICENSE", ("@legal", "janedoe@gitlab.com")),
        ("README", ("@group", "@group/with-nested/subgroup")),
        ("/docs/**/*.md", ("@markdown-docs",)),  # "Any Code Owners listed in a comment are parsed"
        ("ee/docs", ("@docs",)),
        ("docs", ("@docs",)),
        ("/config/", ("@@maintainer",)),
    ]
    assert [r.section for r in parsed.rules][-3:] == ["Documentation"] * 3
    assert codes(parsed) == [(5, "unsupported-syntax")]  # the inline comment, reported once


@pytest.mark.parametrize(
    "text, sections",
    [
        pytest.param("[Section name]\n", [Section("Section name", 1, False, 1, ())], id=f"required {GITLAB}#section-headings-and-names"),
        pytest.param("^[Section name]\n", [Section("Section name", 1, True, 1, ())], id=f"optional {GITLAB}#optional-sections"),
        pytest.param("[Section name][5]\n", [Section("Section name", 1, False, 5, ())], id=f"approvals {GITLAB}#section-headings-and-names"),
        pytest.param("[Section name][2] @group @subgroup\n", [Section("Section name", 1, False, 2, ("@group", "@subgroup"))], id=f"defaults-and-approvals {GITLAB}"),
        pytest.param("[Docs]\n^[DOCS]\n", [Section("Docs", 1, False, 1, ())], id=f"duplicates-merged-case-insensitively-required-wins {GITLAB_ADV}#sections-with-duplicate-names"),
        pytest.param("[Docs][0]\n", [Section("Docs", 1, False, 1, ())], id=f"zero-approvals-means-one {GITLAB_ADV}#minimum-approvals"),
    ],
)
def test_gitlab_section_headings(text: str, sections: List[Section]) -> None:
    assert list(parse_codeowners(text.encode(), dialect="gitlab").sections) == sections


def test_gitlab_duplicate_sections_combine_under_the_first_spelling() -> None:
    text = b"[Documentation]\nee/docs/ @docs\ndocs/ @docs\n[Database]\nREADME.md @database\nmodel/db/ @database\n[DOCUMENTATION]\nREADME.md @docs\n"
    parsed = parse_codeowners(text, dialect="gitlab")
    by_section = [r.section for r in parsed.rules]
    assert by_section.count("Documentation") == 3 and by_section.count("Database") == 2  # GITLAB_ADV


def test_gitlab_default_owners_fill_lines_without_owners() -> None:
    text = b"[Documentation] @docs-team\ndocs/\nREADME.md\n\n[Database] @database-team @agarcia\nmodel/db/\nconfig/db/database-setup.md @docs-team\n"
    assert rules(parse_codeowners(text, dialect="gitlab")) == [  # GITLAB#set-default-code-owner-for-a-section
        ("docs/", ("@docs-team",)),
        ("README.md", ("@docs-team",)),
        ("model/db/", ("@database-team", "@agarcia")),
        ("config/db/database-setup.md", ("@docs-team",)),
    ]


def test_gitlab_error_handling_page() -> None:
    # GITLAB_ADV#error-handling: unparsable heading → entry of the previous section;
    # malformed owners ignored, the rest kept; zero owners reported.
    text = b"[Docs]\ndocs/**/* @group\n\n[Section name\ndocs/ @docs_group\n/path/* @group user_without_at_symbol @user_with_at_symbol\n"
    parsed = parse_codeowners(text, dialect="gitlab")
    assert rules(parsed) == [
        ("docs/**/*", ("@group",)),
        ("[Section", ()),
        ("docs/", ("@docs_group",)),
        ("/path/*", ("@group", "@user_with_at_symbol")),
    ]
    assert all(r.section == "Docs" for r in parsed.rules)
    assert codes(parsed) == [(4, "malformed-section"), (4, "no-owners"), (4, "invalid-owner"), (6, "invalid-owner")]


@pytest.mark.parametrize(
    "line, expected",
    [
        pytest.param("!pom.xml", ("pom.xml", True, ()), id=f"exclusion {GITLAB}#exclusion-patterns"),
        pytest.param("\\#file_with_pound.rb @owner-file-with-pound", ("\\#file_with_pound.rb", False, ("@owner-file-with-pound",)), id="escaped-hash https://docs.gitlab.com/17.7/ee/user/project/codeowners/reference.html"),
        pytest.param("file.md @@developer @@maintainers", ("file.md", False, ("@@developer", "@@maintainers")), id=f"roles-plural-accepted {GITLAB}#add-a-role-as-a-code-owner"),
    ],
)
def test_gitlab_entries(line: str, expected: tuple) -> None:
    parsed = parse_codeowners(line.encode(), dialect="gitlab")
    (rule,) = parsed.rules
    assert (rule.pattern, rule.negated, rule.owners) == expected
    assert not [i for i in parsed.issues if i.code != "no-owners"]


def test_gitlab_unknown_role_is_ignored() -> None:
    parsed = parse_codeowners(b"file.md @@guest @a", dialect="gitlab")
    assert rules(parsed) == [("file.md", ("@a",))] and codes(parsed) == [(1, "invalid-owner")]


@pytest.mark.parametrize(
    "line, expected_rules, expected_codes",
    [
        pytest.param("* individual@example.com individual2@example.com", [("*", ("individual@example.com", "individual2@example.com"))], [], id=f"emails {BITBUCKET}"),
        pytest.param("*.js @workspace-slug/frontenders:all", [("*.js", ("@workspace-slug/frontenders:all",))], [], id="group-all https://bitbucket.org/blog/code-owners"),
        pytest.param("*.py @workspace-slug/backenders:least_busy(2)", [("*.py", ("@workspace-slug/backenders:least_busy(2)",))], [], id="least-busy https://bitbucket.org/blog/code-owners"),
        pytest.param("*.tf @teams/sre-leads:random(2)  # inline", [("*.tf", ("@teams/sre-leads:random(2)",))], [], id=f"team-random-and-inline-comment {BITBUCKET}"),
        pytest.param("src/** @@developers", [], [(1, "invalid-owner")], id="app-only-group-syntax-is-not-native"),
        pytest.param("!x @a", [], [(1, "unsupported-syntax")], id=f"negation-unsupported {BITBUCKET}"),
    ],
)
def test_bitbucket_lines(line: str, expected_rules: list, expected_codes: list) -> None:
    parsed = parse_codeowners(line.encode(), dialect="bitbucket")
    assert rules(parsed) == expected_rules and codes(parsed) == expected_codes


@pytest.mark.parametrize(
    "data, path, expected",
    [
        pytest.param(b"* @a\n", ".gitlab/CODEOWNERS", "gitlab", id="gitlab-location"),
        pytest.param(b"* @a\n", ".bitbucket/CODEOWNERS", "bitbucket", id="bitbucket-location"),
        pytest.param(b"* @a\n[Docs] @d\ndocs/\n", "CODEOWNERS", "gitlab", id="section-syntax"),
        pytest.param(b"^[Docs]\n", "docs/CODEOWNERS", "gitlab", id="optional-section-syntax"),
        pytest.param(b"* @a\n[abc]*.py @b\n", ".github/CODEOWNERS", "github", id="bracket-pattern-is-not-a-section"),
    ],
)
def test_detect_dialect(data: bytes, path: str, expected: str) -> None:
    assert detect_dialect(data, path) == expected


def test_unknown_dialect_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown CODEOWNERS dialect"):
        parse_codeowners(b"", dialect="gitea")


# Issue 16, item 1: GitHub once allowed logins its sign-up form now refuses ("Username may only
# contain alphanumeric characters or single hyphens, and cannot begin or end with a hyphen"):
# esphome/esphome's CODEOWNERS names @tobias- and GitHub requests that account's review.  Peer:
# hmarr/codeowners accepts `@([a-zA-Z0-9\-_]+)` (parse.go usernameRegexp).  Such handles are
# kept, with a warning; only what no GitHub login can be is an error that skips the line.
@pytest.mark.parametrize(
    "line, owners, expected",
    [
        pytest.param("esphome/components/bl0940/* @tobias-", ("@tobias-",), [(1, "suspicious-owner", "warning")], id="legacy-trailing-hyphen esphome/esphome CODEOWNERS"),
        pytest.param("x @a--b", ("@a--b",), [(1, "suspicious-owner", "warning")], id="legacy-double-hyphen"),
        pytest.param("x @under_score/team", ("@under_score/team",), [(1, "suspicious-owner", "warning")], id="underscore-org-hmarr-usernameRegexp"),
        pytest.param("x @" + "a" * 40, ("@" + "a" * 40,), [(1, "suspicious-owner", "warning")], id="longer-than-39"),
        pytest.param("x @octo-org/octo_cats @good", ("@octo-org/octo_cats", "@good"), [], id="team-slug-is-not-a-login"),
        pytest.param("x @-lead", None, [(1, "invalid-owner", "error")], id="leading-hyphen-is-no-login"),
        pytest.param("x @a!b", None, [(1, "invalid-owner", "error")], id="punctuation-is-no-login"),
    ],
)
def test_github_legacy_handles_are_kept_with_a_warning(line: str, owners: object, expected: list) -> None:
    parsed = parse_codeowners(line.encode(), dialect="github")
    assert [r.owners for r in parsed.rules] == ([owners] if owners is not None else [])
    assert [(i.line, i.code, i.severity) for i in parsed.issues] == expected


# Issue 16, item 2: GitHub's "Syntax exceptions" say "[ ] to define a character range" does not
# work, and nothing more.  What we found: python/cpython#112206 (`Python/ceval*.[ch]`: "GitHub now
# says 'This CODEOWNERS file contains errors'"), langgenius/dify#28865 (a user reports the
# `[appId]` route line did not match and escaped it as `\[appId\]` in dify#28866),
# hmarr/codeowners#42/#44 (the Go peer now matches brackets literally), open-sauced/app#4052
# (GitHub flagged `pages/s/[org]/[repo]/...`).  Whether GitHub skips, ranges or matches such a
# line cannot be established from that, so: literal brackets, a warning naming the escape.
@pytest.mark.parametrize(
    "line, path, owned",
    [
        pytest.param("/apps/[param]/file.ts @a", "apps/[param]/file.ts", True, id="nextjs-dynamic-route hmarr/codeowners#42"),
        pytest.param("/apps/[param]/file.ts @a", "apps/p/file.ts", False, id="not-a-character-class"),
        pytest.param("app/[[...slug]]/ @a", "app/[[...slug]]/page.tsx", True, id="nextjs-optional-catch-all"),
        pytest.param("web/app/(group)/[appId]/overview/ @a", "web/app/(group)/[appId]/overview/page.tsx", True, id="route-group-and-param langgenius/dify#28865"),
        pytest.param("*.[ch] @a", "ceval.c", False, id="range-is-not-a-range python/cpython#112206"),
        pytest.param("*.[ch] @a", "x.[ch]", True, id="range-matches-its-own-text"),
    ],
)
def test_github_brackets_match_literally_with_a_warning(line: str, path: str, owned: bool) -> None:
    from repo_roles.ownership import CompiledCodeowners

    parsed = parse_codeowners(line.encode(), dialect="github")
    assert len(parsed.rules) == 1  # the line is kept (OWN002 skipped it before issue 16)
    (issue,) = parsed.issues
    assert (issue.code, issue.severity) == ("literal-brackets", "warning") and "\\[" in issue.message
    assert (CompiledCodeowners(parsed).match(path).rule is not None) is owned


def test_github_escaped_brackets_are_literal_without_a_warning() -> None:
    from repo_roles.ownership import CompiledCodeowners

    parsed = parse_codeowners(b"app/\\[id\\]/ @a", dialect="github")
    assert parsed.issues == () and CompiledCodeowners(parsed).match("app/[id]/page.tsx").owners == ("@a",)


# Issue 16, item 4: GitLab's own parser, ee/lib/gitlab/code_owners/section_parser.rb
# (gitlab-org/gitlab, as mirrored at diffblue/gitlab 38fab09 and in the current SectionParser
# with STRICT_HEADER_REGEX).  The heading regex is anchored at the start only:
#   HEADER_REGEX = Regexp.new(REGEX.values_at(:bol, :optional, :name, :approvals, :default_owners).join)
#   name: %r{\[(?<name>.*?)\]}
SECTION_PARSER = "gitlab-org/gitlab ee/lib/gitlab/code_owners/section_parser.rb"


def test_gitlab_empty_heading_starts_a_blank_named_section() -> None:
    # SectionParser: `errors.add(:missing_section_name, line_number) if missing_section_name?`
    # is reported, yet `return section` / `@section = Section.new(name: ...)` still opens it;
    # file.rb: `parsed_sectional_data[current_section.name] ||= {}`.
    from repo_roles.ownership import CompiledCodeowners

    text = b"* @all\n[]\ndocs/ @blank\n[Docs]\ndocs/ @docs\n"
    parsed = parse_codeowners(text, dialect="gitlab")
    assert [s.name for s in parsed.sections] == ["", "Docs"]
    assert [r.section for r in parsed.rules] == [None, "", "Docs"]
    assert codes(parsed) == [(2, "malformed-section")] and "blank name" in parsed.issues[0].message
    # three rule lists: before any heading, the blank one, Docs: each section decides separately
    sections = CompiledCodeowners(parsed).match_sections("docs/a.md")
    assert {k: m.owners for k, m in sections.items()} == {"": ("@all",), "[]": ("@blank",), "Docs": ("@docs",)}


def test_gitlab_optional_section_with_approvals_is_reported_and_stays_optional() -> None:
    # SectionParser#invalid_approvals?: `section.optional && section.approvals > 0`
    # → :invalid_approval_requirement; the Section keeps `optional: match[:optional].present?`
    # and `approvals: match[:approvals].to_i`.
    parsed = parse_codeowners(b"^[Doc][1] @docs\ndocs/\n", dialect="gitlab")
    assert list(parsed.sections) == [Section("Doc", 1, True, 1, ("@docs",))]
    assert codes(parsed) == [(1, "invalid-approvals")]
    assert "invalid_approval_requirement" in parsed.issues[0].message
    assert [(r.pattern, r.owners, r.section) for r in parsed.rules] == [("docs/", ("@docs",), "Doc")]


def test_gitlab_bracket_line_is_a_heading_as_gitlab_reads_it() -> None:
    # HEADER_REGEX has no end anchor, so "[abc]*.py @a" opens section "abc";
    # STRICT_HEADER_REGEX (`... :strict_default_owners, :eol`) fails → :invalid_section_format.
    parsed = parse_codeowners(b"[abc]*.py @a\nx.py @b\n", dialect="gitlab")
    assert [s.name for s in parsed.sections] == ["abc"]
    assert [(r.pattern, r.section) for r in parsed.rules] == [("x.py", "abc")]
    assert codes(parsed) == [(1, "malformed-section")]
