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
        pytest.param("*.[ch] @a", [], [(1, "unsupported-syntax")], id=f"github-range-unsupported {GITHUB}#syntax-exceptions"),
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
        pytest.param("[abc]*.py @a", ("[abc]*.py", False, ("@a",)), id="fnmatch-class-is-a-pattern-not-a-heading"),
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
