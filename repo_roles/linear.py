"""The one way to compile a pattern that came from a scanned repository: linear-time matching.

CODEOWNERS and OWNERS globs, Kubernetes ``filters``, Chromium ``per-file`` globs and the
``roles`` / ``exclude`` / ``ignore-regex`` settings of a repository's config are written by
whoever opened the pull request.  Python's ``re`` backtracks: ``a*a*a*a*b`` against a long
name takes time growing as a power of the name's length.  :func:`compile_untrusted` decides,
per regex, between two engines that are both linear in the text for a fixed pattern:

* **Python's ``re``** when the parsed regex has at most one unbounded repeat on any path
  through it, of one character or of a ``/``-delimited run (``^(?:.+/)?docs$``,
  ``[^/]*\\.py``, ``(?:/[^/]+)*/docs``): a backtracking matcher then tries each
  split point of that one repeat once, O(text x pattern), and ``re`` is ~10x cheaper per call
  than the RE2 binding -- this keeps the 100,000-file scans as fast as before;
* **RE2** (``google-re2``, Google's maintained wheels for CPython 3.9-3.13 on Linux, macOS and
  Windows) for everything else: an automaton, never backtracking, linear by construction.
  Constructs RE2 cannot run in linear time (back-references, look-arounds) are refused with
  :class:`re.error`, which every caller already reports as an invalid pattern.

Both answer ``match`` / ``fullmatch`` / ``search`` with a match object offering ``group``,
``lastgroup``, ``start``/``end``.  ``search`` always uses RE2 (an unanchored backtracking search
multiplies by the text length again).  Paths decoded with ``surrogateescape`` are matched with
each lone surrogate read as U+FFFD (RE2 takes UTF-8 only): a wildcard matches it as before.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Callable, List, Optional, Sequence, Tuple

try:  # Python 3.11 renamed the parser module
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
    from re import _compiler as _sre_compile  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_parse as _sre_parse  # type: ignore[no-redef]
    import sre_compile as _sre_compile  # type: ignore[no-redef]
import _sre

import re2

__all__ = ["FullMatchSet", "LinearPattern", "compile_untrusted", "backtracking_safe"]

_MAXREPEAT = _sre_parse.MAXREPEAT
_C = _sre_parse  # opcodes live there as module constants (MAX_REPEAT, BRANCH, ...)
_SIMPLE = {"LITERAL", "NOT_LITERAL", "ANY", "IN", "AT"}
_REPEATS = {"MAX_REPEAT", "MIN_REPEAT"}
_MAX_PATHS = 1 << 16  # alternatives are tried one after the other: a sum, unless nested
_MAX_PATTERN = 1 << 20
_SET_MEMORY = 64 << 20  # RE2's budget for one pattern set (its DFA cache lives within it)  # a megabyte of regex is not a pattern anybody writes by hand
_SURROGATES = re.compile("[\udc80-\udcff]")


def _cost(items: Any) -> Optional[Tuple[int, int]]:
    """``(degree, paths)`` of a parsed sub-pattern for a backtracking matcher: how many unbounded
    repeats follow each other on one path through it, and how many paths there are.  None for
    constructs kept away from the backtracking engine (back-references, look-arounds, a repeat
    of anything wider than one character: ``(?:a|aa)*`` backtracks exponentially)."""
    degree, paths = 0, 1
    for op, arg in items:
        name = str(op)
        if name in _SIMPLE:
            continue
        if name == "SUBPATTERN":
            inner = _cost(arg[-1])
        elif name == "BRANCH":
            branches = [_cost(branch) for branch in arg[1]]
            if any(b is None for b in branches):
                return None
            inner = (max(b[0] for b in branches), sum(b[1] for b in branches))  # type: ignore[index]
        elif name in _REPEATS:
            low, high, body = arg
            single = len(body) == 1 and str(body[0][0]) in _SIMPLE
            if high == _MAXREPEAT and not single and _delimited(body):
                inner = (1, 1)  # "(?:/[^/]+)*": iterations cut at each "/", one choice per "/"
            elif high == _MAXREPEAT or high > 1:
                if not single:
                    return None
                inner = (1 if high == _MAXREPEAT else 0, 1 if high == _MAXREPEAT else high - low + 1)
            else:
                body_cost = _cost(body)
                inner = None if body_cost is None else (body_cost[0], body_cost[1] + 1)
        else:
            return None
        if inner is None:
            return None
        degree, paths = degree + inner[0], paths * inner[1]
        if paths > _MAX_PATHS:
            return None
    return degree, paths


def _delimited(body: Any) -> bool:
    """``c[^c]+``: a delimiter then a run that cannot contain it (a CODEOWNERS ``**`` is
    ``(?:/[^/]+)*``).  Each iteration ends where a ``c`` is, so a backtracking matcher tries at
    most one split per ``c`` and gives back characters of the last run only: linear."""
    if len(body) != 2 or str(body[0][0]) != "LITERAL":
        return False
    delimiter = body[0][1]
    op, arg = body[1]
    if str(op) not in _REPEATS or arg[1] != _MAXREPEAT or len(arg[2]) != 1:
        return False
    kind, value = arg[2][0]
    if str(kind) == "NOT_LITERAL":
        return value == delimiter
    if str(kind) == "IN":
        items = [(str(k), v) for k, v in value]
        return len(items) == 2 and items[0][0] == "NEGATE" and items[1] == ("LITERAL", delimiter)
    return False


def backtracking_safe(source: str, flags: int = 0) -> bool:
    """True when ``re`` matches ``source`` (anchored) in time linear in the text: at most one
    unbounded single-character repeat on any path, and no more paths than ``_MAX_PATHS``."""
    return _safe_parse(source, flags) is not None


def _safe_parse(source: str, flags: int) -> Any:
    """``source`` parsed, when :func:`backtracking_safe`; else None."""
    try:
        parsed = _sre_parse.parse(source, flags)
    except (re.error, RecursionError, OverflowError):
        return None
    cost = _cost(parsed)
    return parsed if cost is not None and cost[0] <= 1 else None


def _compile_parsed(source: str, flags: int, parsed: Any) -> "re.Pattern[str]":
    """``re.compile(source, flags)`` from the tree :func:`_safe_parse` made, so the pattern is
    parsed once, not twice: the steps of ``re``'s own ``compile`` (the same from Python 3.9 to
    3.13) after its parse.  Any other interpreter's internals: ``re.compile``."""
    try:
        code = _sre_compile._code(parsed, flags)
        state = parsed.state
        indexgroup = [None] * state.groups
        for name, index in state.groupdict.items():
            indexgroup[index] = name
        return _sre.compile(source, flags | state.flags, code, state.groups - 1, state.groupdict, tuple(indexgroup))
    except (AttributeError, TypeError):  # pragma: no cover - internals that differ
        return re.compile(source, flags)


def _inline_flags(flags: int) -> str:
    letters = "".join(ch for flag, ch in ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s")) if flags & flag)
    return f"(?{letters})" if letters else ""


def _text(value: str) -> str:
    """``value`` with lone surrogates (undecodable bytes of a file name) read as U+FFFD."""
    return _SURROGATES.sub("\ufffd", value)


class LinearPattern:
    """A compiled untrusted regex with ``re``'s ``match`` / ``fullmatch`` / ``search``."""

    __slots__ = ("pattern", "engine", "match", "fullmatch", "search")

    def __init__(self, source: str, flags: int = 0) -> None:
        if len(source) > _MAX_PATTERN:
            raise re.error(f"pattern longer than {_MAX_PATTERN} characters")
        self.pattern = source
        parsed = _safe_parse(source, int(flags))
        if parsed is not None:
            # Only plain constructs reach here; RE2 is built on the first search (unanchored
            # backtracking would multiply by the text length again), not for every glob.
            compiled = _compile_parsed(source, int(flags), parsed)
            self.engine = "re"
            self.match: Callable[[str], Any] = compiled.match
            self.fullmatch: Callable[[str], Any] = compiled.fullmatch
            self.search: Callable[[str], Any] = _lazy_search(source, flags)
        else:
            automaton = _compile_re2(source, flags)
            self.engine = "re2"
            self.match = _wrap(automaton.match)
            self.fullmatch = _wrap(automaton.fullmatch)
            self.search = _wrap(automaton.search)


def _lazy_search(source: str, flags: int) -> Callable[[str], Any]:
    built: List[Callable[[str], Any]] = []

    def search(text: str) -> Any:
        if not built:
            built.append(_wrap(_compile_re2(source, flags).search))
        return built[0](text)

    return search


def _wrap(method: Callable[[str], Any]) -> Callable[[str], Any]:
    def call(text: str) -> Any:
        try:
            return method(text)
        except UnicodeEncodeError:
            return method(_text(text))

    return call


def _compile_re2(source: str, flags: int) -> Any:
    options = re2.Options()
    options.log_errors = False  # the binding would print parse errors to stderr
    options.max_mem = 64 << 20  # RE2 falls back to its NFA past this: still linear
    try:
        return re2.compile(_inline_flags(flags) + source, options)
    except Exception as exc:  # re2.error: make it the error every caller already catches
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise re.error(f"not supported by the linear-time matcher: {reason}") from None


@functools.lru_cache(maxsize=8192)
def compile_untrusted(source: str, flags: int = 0) -> LinearPattern:
    """Compile a regex written by a scanned repository (cached; raises :class:`re.error`)."""
    return LinearPattern(source, flags)


class FullMatchSet:
    """Which of many untrusted regexes fully match a text, in one automaton pass (``RE2::Set``).

    For a list of hundreds of globs (CODEOWNERS ``**/a*b`` lines) one pass per text replaces a
    loop over the patterns.  ``RE2::Set::Match`` reports a DFA failure the same way as "no
    match", but in RE2's ``dfa.cc`` the "cache thrashing: bail out" branch is disabled for set
    matching (``kind_ != Prog::kManyMatch``: a set scan flushes its cache and keeps going), and
    ``Compile`` itself runs the DFA once and fails when the memory budget cannot hold it -- so
    after a successful compile an empty answer means no match.  A failed compile raises
    :class:`re.error`; the caller then asks the patterns one by one (each linear).
    """

    def __init__(self, sources: Sequence[str], flags: int = 0) -> None:
        prefix = _inline_flags(flags)
        options = re2.Options()
        options.log_errors = False
        options.max_mem = _SET_MEMORY
        try:
            self._set = re2.Set.FullMatchSet(options)
            for source in sources:
                self._set.Add(prefix + source)
            self._set.Compile()
        except Exception as exc:  # re2.error
            raise re.error(f"not supported by the linear-time matcher: {exc}") from None

    def matches(self, text: str) -> List[int]:
        """Indexes (in the order given) of every pattern that matches the whole of ``text``."""
        try:
            hits = self._set.Match(text)
        except UnicodeEncodeError:
            hits = self._set.Match(_text(text))
        return list(hits) if hits else []
