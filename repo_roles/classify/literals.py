"""Literal text that every match of some regexes must contain: a cheap reject before a search.

A generated-header rule such as ``^\\s*(?:#|//)\\s*.*@generated\\b`` (MULTILINE) is tried at
every line start of a 4 KB head, ~20 µs per rule and file; one substring test answers
"impossible" for almost every file in a microsecond or two. The literals are read from the
regexes themselves (Python's own parser), so ``rules/classify.toml`` stays the single source of
truth, and a rule whose literals cannot be proven simply makes the screen always answer "maybe".
"""

from __future__ import annotations

import functools
import re
from typing import Any, List, NamedTuple, Optional, Sequence, Tuple

try:  # Python >= 3.11; the public alias ``sre_parse`` is deprecated there
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.9 / 3.10
    import sre_parse as _sre_parse  # type: ignore[no-redef]


class Needle(NamedTuple):
    """``text`` occurs in every match; lowercase when ``ignore_case``."""

    text: str
    ignore_case: bool


class Required(NamedTuple):
    """Every run of literal characters a regex's matches all contain."""

    runs: Tuple[str, ...]
    ignore_case: bool


def required_runs(regex: "re.Pattern[str]") -> Optional[Required]:
    """The runs of literal characters in the pattern's top-level sequence, or ``None``.

    Only the top level counts: a literal inside a group, a branch or a repeat may be skipped
    by a match.
    """
    if not isinstance(regex.pattern, str) or regex.flags & re.VERBOSE:
        return None
    try:
        parsed = _sre_parse.parse(regex.pattern, regex.flags)
        literal_op = _sre_parse.LITERAL
        items: List[Any] = list(parsed)
        ignore_case = bool(parsed.state.flags & re.IGNORECASE)
    except Exception:  # pragma: no cover - a future parser shape: no screen, search every time
        return None
    runs: List[str] = []
    run: List[str] = []
    for op, arg in items + [(None, None)]:
        if op is literal_op:
            run.append(chr(arg))
        elif run:
            runs.append("".join(run))
            run = []
    return Required(tuple(runs), ignore_case) if runs else None


def _covers(needle: Needle, required: Required) -> bool:
    """Whether a text without ``needle`` cannot contain any match of ``required``'s regex."""
    if needle.ignore_case:
        return any(needle.text in run.lower() for run in required.runs)
    return not required.ignore_case and any(needle.text in run for run in required.runs)


# The non-ASCII characters ``re.IGNORECASE`` matches with an ASCII letter (every code point
# checked on Python 3.11; a test asks the running ``re``): dotted capital I, dotless i, long s,
# Kelvin sign.  A case-insensitive needle is looked for in the text with these folded to their
# letter, then lowered.
_ASCII_FOLDS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_ASCII_FOLDS_UTF8 = tuple(chr(c).encode("utf-8") for c in (0x130, 0x131, 0x17F, 0x212A))


class LiteralScreen:
    """A few ASCII needles such that a text containing none of them matches none of the regexes.

    Chosen greedily (the needle that rules out most regexes first, then the longest: of
    ``/``, `` source`` and ``URL=`` the one fewest files contain), so the shipped header rules,
    which all say "generated", cost one ``lower()`` and one ``in``.
    """

    def __init__(self, regexes: Sequence["re.Pattern[str]"]) -> None:
        required = [required_runs(r) for r in regexes]
        self.needles: Optional[Tuple[Needle, ...]] = None  # None: the screen lets everything in
        if any(r is None for r in required):
            return
        candidates = {
            Needle(run.lower() if r.ignore_case else run, r.ignore_case)
            for r in required if r is not None for run in r.runs if run.isascii()
        }
        uncovered = [r for r in required if r is not None]
        chosen: List[Needle] = []
        while uncovered:
            scored = [(sum(_covers(n, r) for r in uncovered), len(n.text), n.text, n) for n in candidates]
            best = max(scored, default=None, key=lambda item: item[:3])
            if best is None or best[0] == 0:
                return
            chosen.append(best[3])
            uncovered = [r for r in uncovered if not _covers(best[3], r)]
        self.needles = tuple(chosen)
        self._bytes = tuple((n.text.encode("ascii"), n.ignore_case) for n in chosen)
        self._ignore_case = any(n.ignore_case for n in chosen)

    def may_match(self, text: str) -> bool:
        """False only when no regex can match ``text``.

        Outside ASCII, ``re.I`` also lets four characters match ASCII letters (see
        :data:`_ASCII_FOLDS`); they are folded first, then ``str.lower`` (which may only add
        matches: ``İ`` lowers to ``i`` and a combining dot).
        """
        if self.needles is None:
            return True
        lowered = None
        if self._ignore_case:
            lowered = folded(text)
        return any(n.text in (lowered if n.ignore_case else text) for n in self.needles)  # type: ignore[operator]

    def may_match_bytes(self, head: bytes) -> bool:
        """:meth:`may_match` on the text ``head`` decodes to (UTF-8, ``errors="replace"``).

        Same answer without decoding: ASCII needles, and decoding never merges ASCII bytes into
        another character while ASCII bytes decode to themselves.
        """
        if self.needles is None:
            return True
        lowered = None
        if self._ignore_case:
            # bytes.lower() folds ASCII only: exact unless one of the characters re.I matches
            # with an ASCII letter is there (any other non-ASCII character matches none)
            if not head.isascii() and any(folded in head for folded in _ASCII_FOLDS_UTF8):
                return True
            lowered = head.lower()
        return any(n in (lowered if ci else head) for n, ci in self._bytes)  # type: ignore[operator]


@functools.lru_cache(maxsize=None)
def screen_for(regexes: Tuple["re.Pattern[str]", ...]) -> LiteralScreen:
    """One screen per list of regexes (the tables are loaded once per process)."""
    return LiteralScreen(regexes)


def folded(text: str) -> str:
    """``text`` as a case-insensitive needle is looked for in it (see :data:`_ASCII_FOLDS`)."""
    return text.lower() if text.isascii() else text.translate(_ASCII_FOLDS).lower()


class RuleNeedles(NamedTuple):
    """What one regex's every match holds: ``plain`` runs as written, ``folded`` runs (of a
    case-insensitive regex, lowercase ASCII) to look for in :func:`folded` text."""

    plain: Tuple[str, ...]
    folded: Tuple[str, ...]

    def may_match(self, text: str, folded_text: str) -> bool:
        """False only when the regex cannot match ``text`` (``folded_text``: ``folded(text)``)."""
        return all(run in text for run in self.plain) and all(run in folded_text for run in self.folded)


def rule_needles(regex: "re.Pattern[str]") -> RuleNeedles:
    """Every top-level literal run of ``regex`` (:func:`required_runs`): a rule screened after
    the shared :class:`LiteralScreen` let a text through is searched only when its own runs are
    all there.  A case-insensitive run outside ASCII is not used (Unicode folding)."""
    required = required_runs(regex)
    if required is None:
        return RuleNeedles((), ())
    if required.ignore_case:
        return RuleNeedles((), tuple(run.lower() for run in required.runs if run.isascii()))
    return RuleNeedles(required.runs, ())
