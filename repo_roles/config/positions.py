"""Where each key of a TOML document is written, because tomllib reports no positions.

``key_positions`` scans text that tomllib has already accepted and records the line and column
of every key path (table headers, dotted keys, inline tables, array items).  It is a locator, not
a parser: it only has to be right enough to point an error at the key's line, and ``Positions.of``
falls back to the nearest enclosing key or table header when a path was not recorded.
"""

from __future__ import annotations

import bisect
import string
from typing import Dict, List, Tuple, Union

from repo_roles._compat import tomllib

KeyPath = Tuple[Union[str, int], ...]
LineCol = Tuple[int, int]  # 1-based, like tomllib's error messages

_BARE = frozenset(string.ascii_letters + string.digits + "_-")
_SCALAR_END = frozenset(",]}#\r\n")


class Positions:
    """Key path -> (line, column) of one document."""

    def __init__(self, text: str) -> None:
        self._offsets = _Scanner(text).run()
        self._line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def of(self, key_path: KeyPath) -> LineCol:
        """The position of ``key_path``, else of its nearest recorded ancestor, else 1:1."""
        path = tuple(key_path)
        while path:
            if path in self._offsets:
                return self._line_col(self._offsets[path])
            path = path[:-1]
        return (1, 1)

    def has(self, key_path: KeyPath) -> bool:
        return tuple(key_path) in self._offsets

    def _line_col(self, offset: int) -> LineCol:
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1


class _Scanner:
    """A single pass over valid TOML that records the offset where each key path first appears."""

    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.found: Dict[KeyPath, int] = {}
        self._table_arrays: Dict[KeyPath, int] = {}  # [[x]] seen so far -> next index

    def run(self) -> Dict[KeyPath, int]:
        try:
            self._document()
        except (IndexError, ValueError, tomllib.TOMLDecodeError):
            pass  # best effort: keep what was located before the surprise
        return self.found

    # -- structure -------------------------------------------------------------------------
    def _document(self) -> None:
        table: KeyPath = ()
        while True:
            self._skip(newlines=True)
            if self.i >= len(self.s):
                return
            start = self.i
            if self.s[self.i] == "[":
                table = self._header()
            else:
                self._key_value(table)
            self._skip(newlines=False)
            if self.i == start:  # never loop forever on something unexpected
                self.i += 1

    def _header(self) -> KeyPath:
        is_array = self.s.startswith("[[", self.i)
        self.i += 2 if is_array else 1
        parts = self._key()
        path = self._record((), parts)
        self.i = self.s.index("]", self.i) + (2 if is_array else 1)
        if is_array:  # each [[x]] opens a new element x[n]
            index = self._table_arrays.get(path, 0)
            self._table_arrays[path] = index + 1
            path = path + (index,)
            self.found.setdefault(path, parts[-1][1])
        return path

    def _key_value(self, table: KeyPath) -> None:
        path = self._record(table, self._key())
        self._skip(newlines=False)
        if self.s[self.i] != "=":
            raise ValueError("expected '='")
        self.i += 1
        self._value(path)

    def _record(self, base: KeyPath, parts: List[Tuple[str, int]]) -> KeyPath:
        path = base
        for name, offset in parts:
            path = path + (name,)
            self.found.setdefault(path, offset)  # first mention wins: that is where it was set
        return path

    # -- keys ------------------------------------------------------------------------------
    def _key(self) -> List[Tuple[str, int]]:
        """A dotted key: ``a."b.c".'d'`` -> [("a", off), ("b.c", off), ("d", off)]."""
        parts: List[Tuple[str, int]] = []
        while True:
            self._skip(newlines=False)
            start = self.i
            ch = self.s[self.i]
            if ch in "\"'":
                self._string()
                parts.append((_decode_string(self.s[start : self.i]), start))
            else:
                while self.i < len(self.s) and self.s[self.i] in _BARE:
                    self.i += 1
                if self.i == start:
                    raise ValueError("expected a key")
                parts.append((self.s[start : self.i], start))
            self._skip(newlines=False)
            if self.i < len(self.s) and self.s[self.i] == ".":
                self.i += 1
                continue
            return parts

    # -- values ----------------------------------------------------------------------------
    def _value(self, path: KeyPath) -> None:
        self._skip(newlines=False)
        ch = self.s[self.i]
        if ch in "\"'":
            self._string()
        elif ch == "[":
            self._array(path)
        elif ch == "{":
            self._inline_table(path)
        else:  # numbers, booleans, dates: run to the next delimiter
            while self.i < len(self.s) and self.s[self.i] not in _SCALAR_END:
                self.i += 1

    def _array(self, path: KeyPath) -> None:
        self.i += 1
        index = 0
        while True:
            self._skip(newlines=True)
            if self.s[self.i] == "]":
                self.i += 1
                return
            self.found.setdefault(path + (index,), self.i)
            self._value(path + (index,))
            index += 1
            self._skip(newlines=True)
            if self.s[self.i] == ",":
                self.i += 1

    def _inline_table(self, path: KeyPath) -> None:
        self.i += 1
        while True:
            self._skip(newlines=True)
            if self.s[self.i] == "}":
                self.i += 1
                return
            self._key_value(path)
            self._skip(newlines=True)
            if self.s[self.i] == ",":
                self.i += 1

    def _string(self) -> None:
        """Move past a basic, literal or multi-line string starting at ``self.i``."""
        quote = self.s[self.i]
        triple = quote * 3
        if self.s.startswith(triple, self.i):
            end = self.i + 3
            while True:
                if quote == '"' and self.s[end] == "\\":
                    end += 2
                    continue
                if self.s.startswith(triple, end):
                    # the content may end in up to two quotes: """a""""" closes after all five
                    run = 3
                    while end + run < len(self.s) and self.s[end + run] == quote:
                        run += 1
                    self.i = end + run
                    return
                end += 1
        end = self.i + 1
        while self.s[end] != quote:
            end += 2 if quote == '"' and self.s[end] == "\\" else 1
        self.i = end + 1

    # -- whitespace and comments -----------------------------------------------------------
    def _skip(self, *, newlines: bool) -> None:
        blank = " \t\r\n" if newlines else " \t"
        while self.i < len(self.s):
            ch = self.s[self.i]
            if ch in blank:
                self.i += 1
            elif ch == "#":
                end = self.s.find("\n", self.i)
                self.i = len(self.s) if end < 0 else end
            else:
                return


def _decode_string(raw: str) -> str:
    """The value of a quoted key; tomllib itself decodes escapes so we never get them wrong."""
    if raw.startswith("'") or "\\" not in raw:
        return raw[1:-1]
    return str(tomllib.loads(f"k = {raw}")["k"])
