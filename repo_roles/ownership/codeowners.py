"""CODEOWNERS parser for the GitHub, GitLab and Bitbucket dialects.

The parser never fails a whole file: every line it cannot use becomes a ``ParseIssue`` and is
handled the way the host handles it. Sources (pinned in tests/test_codeowners_parser.py):

* GitHub, "About code owners": ``#`` comments, including the documented inline comment
  ``*.js @js-owner #This is an inline comment.``; owners ``@user``, ``@org/team`` or an email;
  "If any line in your CODEOWNERS file contains invalid syntax, that line will be skipped";
  "Syntax exceptions": escaping a leading ``#`` with ``\\`` and ``!`` negation do not work — we
  report ``unsupported-syntax`` and skip the line as GitHub would. ``[ ]`` ranges "do not work"
  either, but what GitHub does with such a line is not documented: the brackets are matched
  literally (route folders ``[param]``, ``[[...slug]]``) and a ``literal-brackets`` warning names
  the escape ``\\[``. Owners GitHub no longer allows for new accounts (``@tobias-``) are kept,
  with a ``suspicious-owner`` warning.
  A ``#`` starts a comment at the start of a line or at the start of a token (after
  whitespace); inside a token (``file#1.txt``, ``@a#b``) it is an ordinary character.
  A pattern with no owners is valid and makes the paths it matches unowned.
* GitLab, "Syntax of CODEOWNERS file" and "Advanced CODEOWNERS configuration": sections
  ``[Name]``, optional ``^[Name]``, approvals ``[Name][2]`` (invalid or < 1 → 1), default owners
  after the heading, duplicate sections merged case-insensitively (first spelling kept; the
  section is optional only if every heading is), ``!pattern`` exclusions scoped to their
  section (17.10+), roles ``@@developer``/``@@maintainer``/``@@owner`` (plural accepted),
  nested groups ``@group/sub/subsub``, ``\\#`` and ``\\ `` escapes. "Inline comments are
  unsupported. Any Code Owners listed in a comment are parsed": after a ``#`` token the owner
  words still count (reported once as ``unsupported-syntax``). "Malformed owners are invalid and
  ignored" (the rest of the line is kept); an unparsable heading is "parsed as an entry" of the
  previous section. A line with zero owners is reported (``no-owners``) and still matches.
* Bitbucket Cloud, "Set up and use code owners": the GitHub pattern rules and the same three
  exceptions; comments "can be at the start of line or inline"; owners are an email, ``@user``,
  ``@workspace/group`` or ``@teams/name`` with an optional ``:all``, ``:random(n)`` or
  ``:least_busy(n)`` selector. The docs do not say what happens to an invalid line, so we treat
  it like GitHub (skipped). ``@@group`` and quoted names are the third-party "Code Owners for
  Bitbucket" app's syntax, not Bitbucket's: reported as ``invalid-owner``.

``OwnerRule.pattern`` keeps the pattern as written (escapes included, GitLab's ``!`` removed
and recorded in ``negated``); ``OwnerRule.owners`` are the effective owners, so a GitLab line
without owners already carries its section's default owners.
"""

from __future__ import annotations

import codecs
import re
from typing import Dict, List, NamedTuple, Optional, Tuple

from repo_roles.ownership.patterns import DIALECTS, PatternError, compile_pattern, split_pattern


class OwnerRule(NamedTuple):
    line: int  # 1-based
    column: int  # 1-based column of the pattern
    pattern: str
    owners: Tuple[str, ...]
    section: Optional[str]  # GitLab section (canonical spelling); None = before any section
    negated: bool  # GitLab "!pattern" exclusion
    raw: str  # the line as written, without its line break


# The rule-list key of GitLab's blank-named section (heading "[]"): no heading can produce a
# name holding "]", so it never collides with a named section, nor with "" (before any heading).
BLANK_SECTION_KEY = "[]"


def section_key(name: Optional[str]) -> str:
    """The rule-list key of a GitLab section name (None: the lines before the first heading)."""
    if name is None:
        return ""
    return name or BLANK_SECTION_KEY


def rule_list(rule: OwnerRule, gitlab: bool) -> str:
    """The rule list a line competes in: its GitLab section (``""`` before the first one), or
    ``""``, the whole file, for GitHub and Bitbucket (sections exist only in GitLab's syntax)."""
    return section_key(rule.section) if gitlab else ""


class Section(NamedTuple):
    name: str
    line: int
    optional: bool
    approvals: int
    default_owners: Tuple[str, ...]


class ParseIssue(NamedTuple):
    line: int
    column: int
    code: str  # invalid-owner | invalid-pattern | unsupported-syntax | malformed-section |
    # invalid-approvals | no-owners | encoding | suspicious-owner | literal-brackets
    message: str
    severity: str = "error"  # "warning": the line is used as written, but may not mean that


class ParsedCodeowners(NamedTuple):
    path: str
    dialect: str
    rules: Tuple[OwnerRule, ...]
    sections: Tuple[Section, ...]
    issues: Tuple[ParseIssue, ...]
    # GitLab headings that repeat an earlier section (names compare case-insensitively) and
    # were merged into it: (line, name as written, line of the first heading).  Valid, but
    # rarely meant: the later heading's lines silently join (and override) the first section.
    merged_sections: Tuple[Tuple[int, str, int], ...] = ()


# A token is a run of non-blanks where "\<any>" (an escaped space included) never splits.
_TOKEN = re.compile(r"(?:\\.|\\$|[^ \t\f\v\\])+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_NAME = r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?"
# GitHub: any run of login characters after "@". Legacy accounts keep names GitHub's sign-up
# form no longer allows (a trailing hyphen such as @tobias-, "--", "_"): the line is used and the
# handle reported as a warning (``suspicious-owner``), never dropped.
_LEGACY_NAME = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"
_GITHUB_OWNER = re.compile(rf"@{_LEGACY_NAME}(?:/{_LEGACY_NAME})?")
# GitHub's sign-up rule for a login (and an organisation): "may only contain alphanumeric
# characters or single hyphens, and cannot begin or end with a hyphen", at most 39 characters.
_GITHUB_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_GITLAB_OWNER = re.compile(rf"@{_NAME}(?:/{_NAME})*")
_GITLAB_ROLE = re.compile(r"@@(?:developer|maintainer|owner)s?", re.IGNORECASE)
_BITBUCKET_OWNER = re.compile(rf"@{_NAME}(?:/{_NAME})?(?::(?:all|random\(\d+\)|least_busy\(\d+\)))?")
# GitLab heading, as ee/lib/gitlab/code_owners/section_parser.rb reads it: HEADER_REGEX is
# anchored at the start only ("^", optional "^", "[name]" up to the first "]", optional "[n]"),
# so any line opening with "[...]" is a heading — "[]" included (a blank-named section,
# :missing_section_name) and "[abc]*.py @a" (section "abc", :invalid_section_format because
# STRICT_HEADER_REGEX wants blanks and owners up to the end of the line).
_SECTION = re.compile(r"(\^)?\[([^\]]*)\](?:\[([^\]]*)\])?(.*)", re.DOTALL)


# GitHub documents only that "[ ]" ranges "do not work"; what it does with such a line could not
# be established (see tests/test_codeowners_parser.py): the brackets are matched literally, as
# route folders such as Next.js "[param]" need, and the line is flagged.
BRACKETS_MESSAGE = (
    "'[' is matched literally (a folder such as '[param]'): GitHub documents that '[ ]' ranges "
    "do not work and not what it does with the line; write '\\[' and '\\]' to make the literal "
    "brackets explicit"
)


def _decode(data: bytes, issues: List[ParseIssue]) -> str:
    """Text of the file: BOM removed, invalid bytes replaced (and reported once)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        issues.append(ParseIssue(1, 1, "encoding", "the file is UTF-16; CODEOWNERS hosts read UTF-8"))
        return data.decode("utf-16", errors="replace").lstrip("\ufeff")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        issues.append(
            ParseIssue(line, column, "encoding", "the file is not valid UTF-8; invalid bytes were replaced")
        )
        return data.decode("utf-8", errors="replace")


def detect_dialect(data: bytes, path: str) -> str:
    """``gitlab`` or ``bitbucket`` by location, else ``gitlab`` when a ``[Section]`` heading appears."""
    parts = path.replace("\\", "/").split("/")
    if ".gitlab" in parts[:-1]:
        return "gitlab"
    if ".bitbucket" in parts[:-1]:
        return "bitbucket"
    # The syntax test discovery uses, so the two never disagree about what a section header is.
    from repo_roles.ownership.discovery import dialect_from_syntax

    return dialect_from_syntax(data)


def _valid_owner(owner: str, dialect: str) -> bool:
    if _EMAIL.fullmatch(owner) and not owner.startswith("@"):
        return True
    if dialect == "gitlab":
        return bool(_GITLAB_OWNER.fullmatch(owner) or _GITLAB_ROLE.fullmatch(owner))
    if dialect == "bitbucket":
        return bool(_BITBUCKET_OWNER.fullmatch(owner))
    return bool(_GITHUB_OWNER.fullmatch(owner))


def suspicious_github_owner(owner: str) -> Optional[str]:
    """Why an accepted GitHub ``@login`` / ``@org/team`` would not pass today's sign-up rule
    (None when it does)."""
    login = owner[1:].split("/", 1)[0]
    if _GITHUB_LOGIN.fullmatch(login):
        return None
    if login.endswith("-"):
        why = "ends with a hyphen"
    elif "--" in login:
        why = "has consecutive hyphens"
    elif len(login) > 39:
        why = "is longer than 39 characters"
    else:
        why = "holds characters other than letters, digits and single hyphens"
    return (
        f"'{owner}': the login {why}, which GitHub no longer allows for new accounts "
        "(older accounts keep such names); the line is used, check that the account exists"
    )


def _owner_message(owner: str, dialect: str) -> str:
    if dialect == "bitbucket" and (owner.startswith("@@") or owner.startswith('@"')):
        return f"'{owner}' is the syntax of the Code Owners app, not of Bitbucket's CODEOWNERS"
    if dialect == "gitlab" and owner.startswith("@@"):
        return f"'{owner}' is not a GitLab role (@@developer, @@maintainer or @@owner)"
    kinds = {
        "github": "@user, @org/team or an email",
        "gitlab": "@user, @group/subgroup, @@role or an email",
        "bitbucket": "@user, @workspace/group, an email",
    }
    return f"'{owner}' is not an owner ({kinds[dialect]})"


def _has_unescaped(text: str, char: str) -> bool:
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == char:
            return True
        i += 1
    return False


class _Parser:
    def __init__(self, path: str, dialect: str) -> None:
        self.path = path
        self.dialect = dialect
        self.rules: List[OwnerRule] = []
        self.issues: List[ParseIssue] = []
        self.sections: Dict[str, Section] = {}  # casefolded name → merged section
        self.merged: List[Tuple[int, str, int]] = []
        self.section_key: Optional[str] = None
        self.section_defaults: Tuple[str, ...] = ()

    def issue(self, line: int, column: int, code: str, message: str, severity: str = "error") -> None:
        self.issues.append(ParseIssue(line, column, code, message, severity))

    def owners(self, line: int, tokens: List[Tuple[int, str]]) -> Tuple[Optional[Tuple[str, ...]], bool]:
        """Valid owners of a line (None = the whole line is invalid) and whether a comment was seen."""
        owners: Dict[str, None] = {}  # ordered and de-duplicated in O(1) per owner (a 3 MB line)
        in_comment = False
        for column, token in tokens:
            if token.startswith("#"):
                if self.dialect != "gitlab":
                    break  # GitHub/Bitbucket: the rest of the line is a comment
                if not in_comment:
                    self.issue(
                        line,
                        column,
                        "unsupported-syntax",
                        "GitLab has no inline comments: owners written after '#' still count",
                    )
                in_comment = True
                continue
            if _valid_owner(token, self.dialect):
                if token not in owners:
                    owners.setdefault(token, None)
                    if self.dialect == "github" and token.startswith("@"):
                        why = suspicious_github_owner(token)
                        if why is not None:
                            self.issue(line, column, "suspicious-owner", why, "warning")
                continue
            if self.dialect == "gitlab":
                if not in_comment:  # GitLab ignores malformed owners, keeps the line
                    self.issue(line, column, "invalid-owner", _owner_message(token, self.dialect) + "; ignored")
                continue
            self.issue(line, column, "invalid-owner", _owner_message(token, self.dialect) + "; line skipped")
            return None, in_comment
        return tuple(owners), in_comment

    def section_heading(self, number: int, text: str, column: int) -> bool:
        """Record a GitLab heading; False when the line is an entry after all."""
        match = _SECTION.match(text)
        if match is None:
            # "[Section name": GitLab's INVALID_SECTION_REGEX, :invalid_section_format.
            self.issue(number, column, "malformed-section", "unparsable section heading: read as an entry")
            return False
        optional = match.group(1) is not None
        name = match.group(2).strip()
        if not name:
            self.issue(
                number,
                column,
                "malformed-section",
                "the heading has no name: GitLab starts a new section with a blank name (missing_section_name)",
            )
        approvals = 1
        if match.group(3) is not None:
            raw_n = match.group(3).strip()
            if raw_n.isdigit() and int(raw_n) >= 1:
                approvals = int(raw_n)
                if optional:
                    # section_parser.rb invalid_approvals?: "section.optional && section.approvals > 0"
                    self.issue(
                        number,
                        column,
                        "invalid-approvals",
                        f"an optional section cannot require approvals ('^[{name}][{raw_n}]'): GitLab reports "
                        "invalid_approval_requirement and keeps the section optional",
                    )
            else:
                self.issue(number, column, "invalid-approvals", f"approvals '[{raw_n}]' is not >= 1: treated as 1")
        rest = match.group(4)
        if rest and rest[0] not in " \t":
            # STRICT_HEADER_REGEX: only blanks and owners may follow the heading.
            self.issue(
                number,
                column,
                "malformed-section",
                f"'{text}' opens with a section heading '[{name}]' (GitLab reads it as one, "
                "invalid_section_format); the rest of the line is ignored",
            )
            rest = ""
        tokens = [(column + match.start(4) + m.start(), m.group()) for m in _TOKEN.finditer(rest)]
        defaults, _ = self.owners(number, tokens)
        defaults = defaults or ()
        key = name.casefold()
        known = self.sections.get(key)
        if known is None:
            self.sections[key] = Section(name, number, optional, approvals, defaults)
        else:
            self.merged.append((number, name, known.line))
            merged = known.default_owners + tuple(o for o in defaults if o not in known.default_owners)
            self.sections[key] = Section(
                known.name,
                known.line,
                known.optional and optional,  # "one optional, the other not → required"
                max(known.approvals, approvals),
                merged,
            )
        self.section_key = key
        self.section_defaults = defaults
        return True

    def line(self, number: int, raw: str) -> None:
        text = raw.rstrip(" \t\f\v")
        stripped = text.lstrip(" \t\f\v")
        if not stripped or stripped.startswith("#"):
            return
        column = len(text) - len(stripped) + 1
        if self.dialect == "gitlab" and (stripped.startswith("[") or stripped.startswith("^[")):
            if self.section_heading(number, stripped, column):
                return
        tokens = [(column + m.start(), m.group()) for m in _TOKEN.finditer(stripped)]
        if not tokens:  # only backslashes and blanks cannot happen, but never trust input
            return
        pattern_column, pattern = tokens[0]
        negated = False
        if self.dialect == "gitlab" and pattern.startswith("!"):
            negated = True
            pattern = pattern[1:]
        if not self.pattern_ok(number, pattern_column, pattern):
            return
        owners, _ = self.owners(number, tokens[1:])
        if owners is None:
            return
        section = self.sections[self.section_key].name if self.section_key is not None else None
        if negated and owners:
            self.issue(number, pattern_column, "unsupported-syntax", "owners on an exclusion line are ignored")
            owners = ()
        elif not negated and not owners and self.dialect == "gitlab":
            owners = self.section_defaults
            if not owners:
                self.issue(
                    number,
                    pattern_column,
                    "no-owners",
                    "the entry has no owners: GitLab treats it as invalid and auto-approves it",
                )
        self.rules.append(OwnerRule(number, pattern_column, pattern, owners, section, negated, raw))

    def pattern_ok(self, number: int, column: int, pattern: str) -> bool:
        if self.dialect != "gitlab":
            unsupported = None
            if pattern.startswith("\\#"):
                unsupported = "escaping a leading '#' with '\\' does not work in CODEOWNERS"
            elif pattern.startswith("!"):
                unsupported = "'!' negation does not work in CODEOWNERS"
            elif _has_unescaped(pattern, "["):
                self.issue(number, column, "literal-brackets", BRACKETS_MESSAGE, "warning")
            if unsupported is not None:
                self.issue(number, column, "unsupported-syntax", unsupported + "; line skipped")
                return False
        if not pattern:
            self.issue(number, column, "invalid-pattern", "an exclusion needs a pattern")
            return False
        if "\x00" in pattern or "\ufffd" in pattern:
            # Decoding debris, never a path git can hold: do not let it make files unowned.
            self.issue(number, column, "invalid-pattern", "the pattern holds undecodable bytes; line skipped")
            return False
        try:
            if self.dialect == "gitlab" and "[" in pattern:
                compile_pattern(pattern, self.dialect)  # fnmatch classes can be malformed ("[z-a]")
            else:
                split_pattern(pattern, self.dialect)
        except PatternError as exc:
            self.issue(number, column, "invalid-pattern", f"{exc}; line skipped")
            return False
        return True


def parse_codeowners(data: bytes, *, path: str = "CODEOWNERS", dialect: str = "github") -> ParsedCodeowners:
    """Parse a CODEOWNERS file; problems become ``issues``, never exceptions."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown CODEOWNERS dialect {dialect!r} (expected one of {', '.join(DIALECTS)})")
    parser = _Parser(path, dialect)
    text = _decode(data, parser.issues)
    for number, raw in enumerate(text.split("\n"), start=1):
        if raw.endswith("\r"):
            raw = raw[:-1]
        parser.line(number, raw)
    issues = sorted(parser.issues, key=lambda i: (i.line, i.column))
    return ParsedCodeowners(
        path, dialect, tuple(parser.rules), tuple(parser.sections.values()), tuple(issues), tuple(parser.merged)
    )
