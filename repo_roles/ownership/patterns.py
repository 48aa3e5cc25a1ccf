"""CODEOWNERS pattern → regular expression, per dialect.

Why not ``pathspec``: its ``gitwildmatch`` implements *gitignore*, and CODEOWNERS is only
gitignore-like. GitHub documents that ``docs/*`` owns ``docs/getting-started.md`` but *not*
``docs/build-app/troubleshooting.md`` (gitignore would ignore the whole ``docs/build-app``
directory, hence everything in it); GitHub has no ``[ ]`` ranges (brackets are literal here)
and no ``!``, which gitignore accepts; GitLab anchors only a *leading* ``/`` ("paths without a
leading / are treated as globstar paths"), where gitignore also anchors on a middle slash. So the translation is ours.

Semantics (one pattern, one file path, both case sensitive — GitHub: "CODEOWNERS paths are
case sensitive"; GitLab: ``File.fnmatch`` without ``FNM_CASEFOLD``):

* A trailing ``/`` makes the pattern *directory only*: it owns files strictly below a directory
  it matches. A trailing ``/**`` means the same, and a lone ``**`` owns everything; ``x/**/``
  (gitignore: directories below x) owns ``x/a/f`` but not ``x/f``.
* GitHub / Bitbucket: a pattern is anchored to the root when it has a leading or a middle
  ``/``; otherwise it matches at any depth (as if prefixed with ``**/``).
  GitLab: only a leading ``/`` anchors; ``internal/README.md`` matches ``docs/internal/README.md``.
* ``*`` matches within one path segment (dotfiles included), ``?`` one non-``/`` character,
  ``**`` as a whole segment zero or more segments (consecutive ``**`` segments collapse, so
  ``**/**/**/x`` is ``**/x``); ``**`` inside a segment is a plain ``*``. ``\\x`` is a literal x.
* A pattern that matches a directory owns everything below it (``apps`` owns ``apps/x/y``),
  except when its last segment is exactly ``*``: GitHub's ``docs/*`` owns direct children only.
  GitLab matches with ``File.fnmatch`` after ``normalize_pattern`` (``ee/lib/gitlab/
  code_owners/file.rb``): only a trailing ``/`` reaches below a directory, so ``docs`` owns a
  file named ``docs`` and not ``docs/x.md``, and a trailing ``**`` is a plain ``*``.
* GitLab only: ``[abc]``, ``[a-z]``, ``[!a]`` / ``[^a]`` are ``fnmatch`` classes (never ``/``);
  an unclosed ``[`` is literal. GitLab's bare ``/`` is the root directory: it owns everything.

Every regex is built segment by segment and matched against ``"/" + path`` (so each segment
carries its own leading slash and no separator bookkeeping is needed). Segment regexes never
cross ``/`` and ``**`` is the unambiguous ``(?:/[^/]+)*``, so there are no nested quantifiers
over the same text: compile and match time are linear in the pattern length for the usual
shapes, and consecutive ``**`` cannot pile up.
"""

from __future__ import annotations

import functools
import re
from typing import Callable, List, NamedTuple, Optional, Pattern, Sequence, Tuple

from repo_roles.linear import _sre_parse, compile_untrusted

DIALECTS = ("github", "gitlab", "bitbucket")

_FLAGS = re.DOTALL  # paths may hold any character, "\n" included

# A segment matcher: a basename in, "does it match" out.
SegmentTest = Callable[[str], bool]


class SegmentShape(NamedTuple):
    """How a last segment can be indexed without running its regex."""

    kind: str  # "literal" | "suffix" ("*" + literal) | "prefix" (literal + "*") | "any" | "regex"
    text: str  # the literal part ("" for "any" and "regex")


class CompiledPattern(NamedTuple):
    """One pattern, ready for the matcher.

    ``segments`` is normalised: leading ``**`` when unanchored, consecutive ``**`` collapsed,
    a trailing ``**`` turned into ``dir_only``. Regexes run against ``"/" + path``
    (``""`` for the root directory).
    """

    pattern: str
    segments: Tuple[str, ...]
    dir_only: bool
    descendants: bool  # owns files below a directory it matches
    regex_source: str  # the whole rule, against "/" + file path
    dir_source: Optional[str]  # the segments, against "/" + directory path
    dirpart_source: Optional[str]  # all but the last segment, against "/" + directory
    base: Optional[SegmentTest]  # the last segment, against one name (None: no segments)
    base_shape: Optional[SegmentShape]
    literals: Tuple[Optional[str], ...]  # per segment: its unescaped text, None for wildcards
    base_source: Optional[str] = None  # the regex of ``base`` (for a set of many: one pass)

    @property
    def regex(self) -> Pattern[str]:
        return compile_regex(self.regex_source)

    def matches(self, path: str) -> bool:
        """Does this pattern own ``path`` (POSIX, relative to the root)?"""
        return self.regex.fullmatch("/" + path.lstrip("/")) is not None


@functools.lru_cache(maxsize=8192)
def compile_regex(source: str) -> Pattern[str]:
    """Regexes are compiled on first use: most rules of a big file never need theirs."""
    return compile_untrusted(source, _FLAGS)  # type: ignore[return-value]


class PatternError(ValueError):
    """A pattern that cannot be translated (reported by the parser as ``invalid-pattern``)."""


# A segment holding none of these is its own literal text (most segments of a large file).
_SPECIAL = re.compile(r"[\\*?\[]")


def segment_literal(seg: str, dialect: str) -> Optional[str]:
    """The unescaped text of a wildcard-free segment, else None."""
    if _SPECIAL.search(seg) is None:
        return seg
    out = []
    i = 0
    while i < len(seg):
        ch = seg[i]
        if ch == "\\" and i + 1 < len(seg):
            out.append(seg[i + 1])
            i += 2
            continue
        if ch in "*?" or (ch == "[" and dialect == "gitlab"):
            return None
        out.append(ch)
        i += 1
    return "".join(out)


def literal_prefix(literals: Sequence[Optional[str]]) -> List[str]:
    """The leading run of literal segments (``CompiledPattern.literals`` up to the first
    wildcard segment): an anchored pattern's matches all lie below it."""
    lead: List[str] = []
    for lit in literals:
        if lit is None:
            break
        lead.append(lit)
    return lead


def first_literal(literals: Sequence[Optional[str]]) -> Optional[str]:
    """The first literal segment, wherever it stands (None: every segment is a wildcard)."""
    return next((lit for lit in literals if lit is not None), None)


def literal_segments(pattern: str, dialect: str) -> Tuple[str, ...]:
    """The unescaped wildcard-free segments of ``pattern``: each must equal a whole segment of
    any path the pattern owns (a segment never crosses ``/``), so they screen candidates."""
    found = (segment_literal(seg, dialect) for seg in pattern.split("/") if seg)
    return tuple(literal for literal in found if literal)


def _class_regex(body: str) -> str:
    """An fnmatch bracket body (between ``[`` and ``]``) as a regex class that never matches ``/``."""
    negate = body[:1] in ("!", "^")
    if negate:
        body = body[1:]
    parts = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            parts.append(re.escape(body[i + 1]))
            i += 2
            continue
        if ch == "-" and parts and i + 1 < len(body):
            parts.append("-")
        else:
            parts.append(re.escape(ch) if ch != "-" else r"\-")
        i += 1
    inner = "".join(parts)
    if negate:
        return f"[^/{inner}]"
    return _without_slash(inner)


def _without_slash(inner: str) -> str:
    """The class ``[inner]`` minus ``/``, without a look-ahead (the linear-time engine has none):
    its members as ranges of code points, a range over ``/`` split in two."""
    ranges: List[Tuple[int, int]] = []
    first = _sre_parse.parse(f"[{inner}]")[0]  # re.error for "[z-a]": caller reports
    for item in first[1] if str(first[0]) == "IN" else [first]:  # "[/]" parses as a literal
        op, arg = str(item[0]), item[1]
        if op == "LITERAL":
            ranges.append((arg, arg))
        elif op == "RANGE":
            ranges.append(arg)
    slash = ord("/")
    kept = []
    for low, high in ranges:
        if low <= slash <= high:
            kept.extend(r for r in ((low, slash - 1), (slash + 1, high)) if r[0] <= r[1])
        else:
            kept.append((low, high))
    if not kept:
        return r"[^\s\S]"  # "[/]" matches no name character
    body = "".join(re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in kept)
    return f"[{body}]"


def segment_regex(seg: str, dialect: str) -> str:
    """One path segment (no ``/``) as a regex that never crosses ``/``."""
    if seg == "*":
        return "[^/]+"
    if _SPECIAL.search(seg) is None:  # what the loop below gives: each character escaped
        return re.escape(seg)
    out = []
    i = 0
    n = len(seg)
    while i < n:
        ch = seg[i]
        if ch == "\\":
            if i + 1 < n:
                out.append(re.escape(seg[i + 1]))
                i += 2
            else:
                out.append(re.escape("\\"))
                i += 1
            continue
        if ch == "*":
            # "**" inside a segment is a plain "*" (gitignore: "other consecutive asterisks").
            while i < n and seg[i] == "*":
                i += 1
            out.append("[^/]*")
            continue
        if ch == "?":
            out.append("[^/]")
        elif ch == "[" and dialect == "gitlab":
            # fnmatch: "]" right after "[" (or "[!") belongs to the class.
            j = i + 1
            if j < n and seg[j] in "!^":
                j += 1
            if j < n and seg[j] == "]":
                j += 1
            while j < n and seg[j] != "]":
                j += 2 if seg[j] == "\\" else 1
            if j < n:
                out.append(_class_regex(seg[i + 1 : j]))
                i = j + 1
                continue
            out.append(re.escape("["))  # unclosed: a literal bracket
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


def _segments_regex(segments: Tuple[str, ...], dialect: str) -> str:
    parts = []
    for seg in segments:
        parts.append("(?:/[^/]+)*" if seg == "**" else "/" + segment_regex(seg, dialect))
    return "".join(parts)


def _shape(seg: str, dialect: str) -> SegmentShape:
    if seg == "*":
        return SegmentShape("any", "")
    literal = segment_literal(seg, dialect)
    if literal is not None:
        return SegmentShape("literal", literal)
    if seg.startswith("*") and not seg.startswith("**"):
        tail = segment_literal(seg[1:], dialect)
        if tail is not None:
            return SegmentShape("suffix", tail)
    if seg.endswith("*") and not seg.endswith("\\*") and not seg.endswith("**"):
        head = segment_literal(seg[:-1], dialect)
        if head is not None:
            return SegmentShape("prefix", head)
    return SegmentShape("regex", "")


def _segment_test(shape: SegmentShape, regex: str) -> SegmentTest:
    if shape.kind == "literal":
        return shape.text.__eq__
    if shape.kind == "any":
        return bool
    if shape.kind == "suffix":
        text = shape.text
        return lambda name: name.endswith(text)
    if shape.kind == "prefix":
        text = shape.text
        return lambda name: name.startswith(text)
    compiled: List[Callable[[str], object]] = []

    def test(name: str) -> bool:  # compiled on first use: a set of many never calls it
        if not compiled:
            compiled.append(compile_regex(regex).fullmatch)
        return compiled[0](name) is not None

    return test


def split_pattern(pattern: str, dialect: str) -> Tuple[Tuple[str, ...], bool]:
    """Normalised ``(segments, dir_only)`` of a pattern; raises PatternError when it matches nothing."""
    body = pattern
    dir_only = False
    while body.endswith("/") and not body.endswith("\\/"):
        body = body[:-1]
        dir_only = True
    anchored = body.startswith("/")
    body = body.lstrip("/")
    if not body:
        if dialect == "gitlab" and dir_only:
            return (), True  # GitLab's "/" is the root directory: everything below it
        raise PatternError("the pattern names no path (a bare '/' matches nothing)")
    raw = [s for s in body.split("/") if s]  # "a//b" is "a/b", as on a file system
    if dialect != "gitlab" and len(raw) > 1:
        anchored = True  # GitHub/gitignore: a middle slash anchors to the root
    segments = []
    for seg in raw:
        if seg and set(seg) == {"*"} and len(seg) >= 2:
            seg = "**"
        if seg == "**" and segments and segments[-1] == "**":
            continue
        segments.append(seg)
    if not anchored and segments[0] != "**":
        segments.insert(0, "**")
    if segments[-1] == "**" and dialect == "gitlab" and not dir_only and len(segments) > 1:
        # File.fnmatch with FNM_PATHNAME: "**" is recursive only as "**/"; a trailing "**" is a
        # plain "*" (GitLab's "/docs/**" owns docs/a.md, not docs/a/b.md).
        segments[-1] = "*"
    if segments[-1] == "**":
        if dir_only and dialect != "gitlab":
            # "x/**/" (gitignore): any directory below x, so files at least two levels down;
            # GitHub lists no exception for it. Same as "x/**/*/".
            segments.append("*")
        else:
            # "x/**" owns everything inside x (not x itself): a directory-only "x/".  GitLab's
            # "x/**/" is "x/**/**/*" after normalize_pattern: the same.
            segments.pop()
            dir_only = True
    return tuple(segments), dir_only


def compile_pattern(pattern: str, dialect: str = "github") -> CompiledPattern:
    """Translate one CODEOWNERS pattern (as written, escapes included) for ``dialect``."""
    segments, dir_only = split_pattern(pattern, dialect)
    last = segments[-1] if segments else ""
    # GitLab (ee/lib/gitlab/code_owners/file.rb normalize_pattern + path_matches?): only a
    # trailing "/" (rewritten to "/**/*") reaches below a directory; "docs" is "/**/docs" and
    # File.fnmatch?("/**/docs", "/docs/x.md", FNM_DOTMATCH | FNM_PATHNAME) is false.
    descendants = dir_only or (last != "*" and dialect != "gitlab")
    body = _segments_regex(segments, dialect)
    if dir_only:
        whole = body + "/.+"
    elif descendants:
        whole = body + "(?:/.+)?"
    else:
        whole = body
    dirpart = None if dir_only else _segments_regex(segments[:-1], dialect)
    base = shape = base_source = None
    try:
        if "[" in whole:  # only GitLab classes can be malformed; fail at translation time
            compile_regex(whole)  # validates, and is the one the pattern will use
        if segments:
            shape = _shape(last, dialect)
            base_source = segment_regex(last, dialect)
            base = _segment_test(shape, base_source)
    except re.error as exc:  # e.g. a GitLab class with a reversed range "[z-a]"
        raise PatternError(f"cannot translate the pattern: {exc}") from None
    return CompiledPattern(
        pattern=pattern,
        segments=segments,
        dir_only=dir_only,
        descendants=descendants,
        regex_source=whole,
        dir_source=body if descendants else None,
        dirpart_source=dirpart,
        base=base,
        base_shape=shape,
        literals=tuple(segment_literal(seg, dialect) for seg in segments),
        base_source=base_source,
    )
