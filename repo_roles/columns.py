"""A table of many rows as one value: text columns cut at C speed, repeated values stored once.

The classifier's caches hold a row per file of the project (100,000 in a large monorepo) and a
warm run needs every row.  Read from SQLite one row at a time that is ~0.3 s of Python objects;
read as one value it is a few splits and a ``dict(zip(...))``.  Rows whose last column repeats
(a file's whole classification, a sniff verdict: a few hundred distinct values per project)
store an index into the distinct values instead.

Layout: ``MAGIC``, one line of JSON ``{"rows": n, "sizes": [bytes of each text column],
"values": [distinct values]}``, each text column as its cells joined by NUL (UTF-8 with
surrogate escapes: git paths round-trip; a cell never contains NUL, as no git path or blob id
does), then one little-endian unsigned 32-bit index per row.  JSON, never pickle: a cache
directory may be attacker controlled; the caller validates the distinct values it gets back.
"""

from __future__ import annotations

import json
import sys
from array import array
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

MAGIC = b"repo-roles columns 1\n"
_U32 = next(code for code in "IL" if array(code).itemsize == 4)  # "I" on every platform we know


class ByGet:
    """``[key]`` and ``in`` of a mapping answered by its ``get`` (None: not there), for the
    column-backed mappings that answer ``get`` without a dict (a non-string key is never there)."""

    def get(self, key: str, default: Any = None) -> Any:
        raise NotImplementedError

    def __getitem__(self, key: str) -> Any:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None


def encode(columns: Sequence[Sequence[str]], values: Sequence[object]) -> bytes:
    """Rows given column by column (``columns[c][row]``) plus each row's JSON-able ``values[row]``."""
    rows = len(values)
    if any(len(column) != rows for column in columns):
        raise ValueError("every column needs one cell per row")
    distinct: Dict[str, int] = {}  # JSON text -> its index
    # Rows repeat a few hundred values (100k rows): a value made of text alone is looked up by
    # itself, and only its first sighting is written as JSON.  Other values (lists, numbers,
    # whose equality is looser than their JSON's: 1 == True) go by their JSON text.
    known: Dict[object, int] = {}
    index = array(_U32)
    for value in values:
        plain = type(value) is str or (isinstance(value, tuple) and all(type(v) is str or v is None for v in value))
        at = known.get(value) if plain else None
        if at is None:
            at = distinct.setdefault(json.dumps(value, separators=(",", ":")), len(distinct))
            if plain:
                known[value] = at
        index.append(at)
    return encode_indexed(columns, [json.loads(v) for v in distinct], index)


def encode_indexed(columns: Sequence[Sequence[str]], distinct: Sequence[object], index: Iterable[int]) -> bytes:
    """:func:`encode` of rows whose values the caller already numbered: ``distinct`` (JSON-able,
    each once) and each row's position in it (C-level passes: no Python step per row)."""
    at = array(_U32, index)
    if any(len(column) != len(at) for column in columns):
        raise ValueError("every column needs one cell per row")
    if at and max(at) >= len(distinct):
        raise ValueError("an index past the distinct values")
    if sys.byteorder != "little":
        at.byteswap()
    cut = [("\0".join(column)).encode("utf-8", "surrogateescape") for column in columns]
    header = {"rows": len(at), "sizes": [len(c) for c in cut], "values": list(distinct)}
    return b"".join([MAGIC, json.dumps(header, separators=(",", ":")).encode(), b"\n", *cut, at.tobytes()])


def decode(data: object, width: int) -> Optional[Tuple[List[List[str]], List[object], array]]:
    """``(columns, distinct values, index per row)`` of ``width`` text columns; None when malformed."""
    if not isinstance(data, bytes) or not data.startswith(MAGIC):
        return None
    end = data.find(b"\n", len(MAGIC))
    try:
        header = json.loads(data[len(MAGIC):end]) if end > 0 else None
    except ValueError:
        return None
    if not isinstance(header, dict):
        return None
    rows, sizes, values = header.get("rows"), header.get("sizes"), header.get("values")
    if (type(rows) is not int or rows < 0 or not isinstance(values, list) or not isinstance(sizes, list)
            or len(sizes) != width or not all(type(s) is int and s >= 0 for s in sizes)
            or end + 1 + sum(sizes) + 4 * rows != len(data)):
        return None
    columns: List[List[str]] = []
    at = end + 1
    for size in sizes:
        cells = data[at:at + size].decode("utf-8", "surrogateescape").split("\0") if rows else []
        if len(cells) != rows:
            return None
        columns.append(cells)
        at += size
    index = array(_U32)
    index.frombytes(data[at:])
    if sys.byteorder != "little":
        index.byteswap()
    if rows and max(index) >= len(values):
        return None
    return columns, values, index


# A table is written whole, or only its delta: the rows learned since (a second table of the
# same layout, read after the base, its rows overriding the base's).  A run that learns a few
# rows of a 100,000-row table writes those, not the table; the delta is folded into a new base
# once it outgrows 1/DELTA_SHARE of it.  Rows are keyed by content, so any base with any delta
# (a run killed between the two writes, two runs at once) gives correct rows.
DELTA = "+"  # the delta's kind: the base's kind plus this
DELTA_SHARE = 8


def delta_fits(delta_rows: int, base_rows: int) -> bool:
    """Whether ``delta_rows`` may be written as a delta over a base of ``base_rows``."""
    return delta_rows <= base_rows // DELTA_SHARE

