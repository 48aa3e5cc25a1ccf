"""``repo_roles.linear``: a pattern safe for Python's ``re`` is parsed once -- the safety check's
tree is compiled -- and the result is the pattern ``re.compile`` makes (same flags, groups,
answers); an unsafe one still goes to RE2."""

from __future__ import annotations

import re

import pytest

from repo_roles import linear

SAFE = [r"^(?:.+/)?docs$", r"[^/]*\.py", r"(?:/[^/]+)*/docs(?:/|$)", r"(?P<g0>x)|(?P<g1>y/)", r"(?i)abc",
        r"a.b", r"^foo/(?:.*/)?bar(?:/|$)", r"caf\u00e9[0-9]?"]
TEXTS = ["docs", "x/docs", "a/docs/b", "a.py", "x", "y/", "ABC", "a\nb", "foo/bar", "foo/x/bar/z", "caf\u00e97", ""]


@pytest.mark.parametrize("flags", [0, re.I, re.S, re.I | re.S])
@pytest.mark.parametrize("source", SAFE)
def test_one_parse_compiles_what_re_compiles(source: str, flags: int) -> None:
    parsed = linear._safe_parse(source, int(flags))
    assert parsed is not None
    ours, theirs = linear._compile_parsed(source, int(flags), parsed), re.compile(source, flags)
    assert (ours.pattern, ours.flags, ours.groups, ours.groupindex) == \
        (theirs.pattern, theirs.flags, theirs.groups, theirs.groupindex)
    for text in TEXTS:
        for method in ("match", "fullmatch", "search"):
            a, b = getattr(ours, method)(text), getattr(theirs, method)(text)
            assert (a and (a.span(), a.lastgroup)) == (b and (b.span(), b.lastgroup)), (method, text)


def test_the_safety_parse_is_the_only_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    parse = linear._sre_parse.parse
    monkeypatch.setattr(linear._sre_parse, "parse", lambda *a, **k: calls.append(a) or parse(*a, **k))
    pattern = linear.LinearPattern(r"^(?:.+/)?only-once[0-9]$")
    assert pattern.engine == "re" and pattern.match("a/only-once1")
    assert len(calls) == 1


def test_an_unsafe_pattern_still_goes_to_re2() -> None:
    pattern = linear.LinearPattern(r"(?:a|aa)*b")
    assert pattern.engine == "re2" and pattern.match("aaab") and not pattern.match("aaa")
