"""``audit --format json``: the audit document itself (schema: ``audit.schema.json``).

ASCII-only (``ensure_ascii``): an undecodable file name (a lone surrogate) is written as a
``\\udcXX`` escape rather than failing to encode.  Keys keep the document's order.

The indented document is the text of ``json.dumps(doc, indent=1, separators=(",", ": "))``,
written faster (:func:`_indented`): the standard library encodes an indented document in Python,
a generator call per value (thin-20k's 11 MB document: ~0.3 s); here every container that holds
no container -- a finding, a file's row, an owner's pair -- is encoded at C speed in one call, by
an encoder whose item separator carries the newline and the indent of its depth (with
``ensure_ascii`` no string holds a newline, so the separator is the only one).
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii
from typing import Any, Callable, Dict, List

try:
    from _json import make_encoder as _c_make_encoder
except ImportError:  # pragma: no cover - a Python without the C accelerator
    _c_make_encoder = None

_CONTAINERS = (list, tuple, dict)


def dumps(doc: dict, *, indent: "int | None" = None) -> str:
    """``doc`` as ``json.dumps`` writes it: compact, or indented by ``indent`` (the HTML page's blob)."""
    return json.dumps(doc, indent=indent, separators=(",", ": ") if indent else (",", ":"))


def render(doc: dict) -> str:
    """The audit document as ``audit --format json`` prints it: ``dumps(doc, indent=1)`` and a
    newline, written by :func:`_indented`."""
    if _c_make_encoder is None:  # pragma: no cover
        return dumps(doc, indent=1) + "\n"
    out: List[str] = []
    try:
        _indented(doc, 0, out, {})
    except _Unusual:
        return dumps(doc, indent=1) + "\n"
    out.append("\n")
    return "".join(out)


class _Unusual(Exception):
    """A key that is not a string: left to ``json.dumps``, whose conversion rules apply."""


def _refuse(value: Any) -> Any:
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


def _flat(depth: int, encoders: Dict[int, Callable[[Any, int], Any]]) -> Callable[[Any, int], Any]:
    """A C encoder for a container of scalars whose items sit at ``depth``."""
    found = encoders.get(depth)
    if found is None:
        found = encoders[depth] = _c_make_encoder(None, _refuse, encode_basestring_ascii, None, ": ",
                                                  ",\n" + " " * depth, False, False, True)
    return found


def _indented(value: Any, depth: int, out: List[str], encoders: Dict[int, Callable[[Any, int], Any]]) -> None:
    """Append ``value`` (a container at ``depth``) as ``json.dumps(indent=1)`` writes it there."""
    is_dict = isinstance(value, dict)
    items = value.values() if is_dict else value
    if not items:
        out.append("{}" if is_dict else "[]")
        return
    close = "\n" + " " * depth + ("}" if is_dict else "]")
    for item in items:
        if isinstance(item, _CONTAINERS):
            break
    else:  # scalars only: one C call, its brackets replaced by the indented ones
        text = "".join(_flat(depth + 1, encoders)(value, 0))
        out.append(text[0] + "\n" + " " * (depth + 1) + text[1:-1] + close)
        return
    if not is_dict and _rows(value):
        out.append(_rows_text(value, depth, encoders))
        return
    separator = ",\n" + " " * (depth + 1)
    scalar = _flat(0, encoders)
    out.append(("{" if is_dict else "[") + "\n" + " " * (depth + 1))
    first = True
    for key, item in (value.items() if is_dict else zip(range(len(value)), value)):
        if first:
            first = False
        else:
            out.append(separator)
        if is_dict:
            if type(key) is not str:
                raise _Unusual(key)
            out.append(encode_basestring_ascii(key) + ": ")
        if isinstance(item, _CONTAINERS):
            _indented(item, depth + 1, out, encoders)
        elif type(item) is str:
            out.append(encode_basestring_ascii(item))
        else:
            out.append("".join(scalar(item, 0)))
    out.append(close)


def _rows(value: Any) -> bool:
    """Whether a list holds non-empty containers of one kind (all dicts, or all lists) of
    scalars only: the findings, the rows of a table, ``[owner, count]`` pairs."""
    kind = dict if isinstance(value[0], dict) else (list, tuple) if isinstance(value[0], (list, tuple)) else None
    if kind is None:
        return False
    for row in value:
        if not isinstance(row, kind) or not row:
            return False
        for item in (row.values() if kind is dict else row):
            if isinstance(item, _CONTAINERS):
                return False
    return True


def _rows_text(value: Any, depth: int, encoders: Dict[int, Callable[[Any, int], Any]]) -> str:
    """:func:`_rows`'s list at ``depth``, indented, from one C call.  Encoded with the item
    separator ``",\n"`` at every level, a separator between two rows is the only one after a
    closing bracket (a scalar ends with a quote, a digit or a letter), so it is told apart by
    text: every separator gets the rows' items' indent, then the ones between rows are
    rewritten with the rows' own."""
    opening, closing = ("{", "}") if isinstance(value[0], dict) else ("[", "]")
    outer, inner = " " * (depth + 1), " " * (depth + 2)
    body = "".join(_flat(0, encoders)(value, 0))[2:-2]  # without "[" + the first row's opening, and the last's closing + "]"
    body = body.replace(",\n", ",\n" + inner)
    body = body.replace(closing + ",\n" + inner + opening, "\n" + outer + closing + ",\n" + outer + opening + "\n" + inner)
    return ("[\n" + outer + opening + "\n" + inner + body + "\n" + outer + closing + "\n" + " " * depth + "]")
