"""The compiled matcher against a deliberately naive reference of GitHub's CODEOWNERS semantics.

The reference is written for clarity, not speed: recursive matching over path segments, one
pattern at a time, every prefix of the path tried. It encodes the reading documented in
repo_roles/ownership/patterns.py (GitHub "About code owners" + gitignore pattern format).
"""

from __future__ import annotations

from typing import List, Optional, Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from repo_roles.ownership import CompiledCodeowners, compile_pattern, parse_codeowners

SETTINGS = settings(max_examples=300, deadline=None, database=None)


def ref_segment(pattern: str, name: str) -> bool:
    """fnmatch inside one segment: '*' any run, '?' one character."""
    if not pattern:
        return not name
    head = pattern[0]
    if head == "*":
        return any(ref_segment(pattern[1:], name[i:]) for i in range(len(name) + 1))
    if not name:
        return False
    return (head == "?" or head == name[0]) and ref_segment(pattern[1:], name[1:])


def ref_segments(pattern: Sequence[str], names: Sequence[str]) -> bool:
    """'**' is zero or more whole segments; anything else matches exactly one segment."""
    if not pattern:
        return not names
    if pattern[0] == "**":
        return any(ref_segments(pattern[1:], names[i:]) for i in range(len(names) + 1))
    return bool(names) and ref_segment(pattern[0], names[0]) and ref_segments(pattern[1:], names[1:])


def ref_owns(pattern: str, path: str) -> bool:
    dir_only = pattern.endswith("/")
    body = pattern.rstrip("/")
    anchored = body.startswith("/") or "/" in body.lstrip("/")
    segs = [("**" if s.startswith("**") else s) for s in body.split("/") if s]
    if not anchored:
        segs = ["**"] + segs
    names = path.split("/")
    if segs[-1] == "**" and dir_only:  # "x/**/" (gitignore): below a directory strictly inside x
        return any(ref_segments(segs + ["*"], names[:k]) for k in range(1, len(names)))
    if segs[-1] == "**":  # "x/**": everything strictly inside a directory matching x
        return any(ref_segments(segs[:-1], names[:k]) for k in range(len(names)))
    for k in range(1, len(names) + 1):
        if not ref_segments(segs, names[:k]):
            continue
        if k == len(names) and not dir_only:
            return True
        if k < len(names) and (dir_only or segs[-1] != "*"):  # "docs/*": direct children only
            return True
    return False


def ref_winner(patterns: List[str], path: str) -> Optional[int]:
    winner = None
    for i, pattern in enumerate(patterns):
        if ref_owns(pattern, path):
            winner = i
    return winner


SEGMENT = st.sampled_from(["a", "b", "*", "**", "?", "a*", "*b", "?a"])
NAME = st.sampled_from(["a", "b", "ab", "ba", "aa", "bab"])


@st.composite
def patterns(draw: st.DrawFn) -> str:
    segs = draw(st.lists(SEGMENT, min_size=1, max_size=4))
    lead = "/" if draw(st.booleans()) else ""
    trail = "/" if draw(st.booleans()) else ""
    return lead + "/".join(segs) + trail


PATHS = st.lists(NAME, min_size=1, max_size=5).map("/".join)


@SETTINGS
@given(patterns(), PATHS)
def test_compiled_pattern_agrees_with_reference(pattern: str, path: str) -> None:
    assert compile_pattern(pattern, "github").matches(path) == ref_owns(pattern, path), (pattern, path)


@SETTINGS
@given(st.lists(patterns(), min_size=1, max_size=8), st.lists(PATHS, min_size=1, max_size=25))
def test_last_match_wins_like_reference(pats: List[str], paths: List[str]) -> None:
    text = "".join(f"{p} @o{i}\n" for i, p in enumerate(pats)).encode()
    parsed = parse_codeowners(text, dialect="github")
    assert [r.pattern for r in parsed.rules] == pats
    bulk = CompiledCodeowners(parsed).match_all(paths)
    for path in paths:
        expected = ref_winner(pats, path)
        one = CompiledCodeowners(parsed).match(path)  # a fresh instance: no shared memo
        got = None if one.rule is None else one.rule.line - 1
        assert got == expected, (pats, path)
        assert bulk[path] == one, (pats, path)
        assert [r.line - 1 for r in CompiledCodeowners(parsed).all_matches(path)] == [
            i for i, p in enumerate(pats) if ref_owns(p, path)
        ]


def test_reference_pins_the_documented_examples() -> None:
    # The reference itself must say what GitHub's page says, or the property proves nothing.
    assert ref_owns("docs/*", "docs/getting-started.md")
    assert not ref_owns("docs/*", "docs/build-app/troubleshooting.md")
    assert ref_owns("apps/", "x/apps/y/z.js")
    assert ref_owns("**/logs", "deeply/nested/logs/x")
    assert not ref_owns("/build/logs/", "x/build/logs/a")
