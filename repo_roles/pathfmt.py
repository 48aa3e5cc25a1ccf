"""Show any path on one terminal line, the way git does with ``core.quotePath=false``.

Paths with control characters, a double quote or a backslash are C-quoted inside double quotes
(``"a\\nb.py"``); everything else, unicode included, is shown as is.  Machine formats (jsonl,
json, sarif…) never use this: they carry the path verbatim.
"""

from __future__ import annotations

_ESCAPES = {"\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r",
            '"': '\\"', "\\": "\\\\"}


def display_path(path: str) -> str:
    if not any(ch in _ESCAPES or ord(ch) < 0x20 or ord(ch) == 0x7F or 0xDC80 <= ord(ch) <= 0xDCFF
               for ch in path):
        return path
    out = []
    for ch in path:
        code = ord(ch)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif 0xDC80 <= code <= 0xDCFF:  # an undecodable byte kept by surrogateescape
            out.append(f"\\{code - 0xDC00:03o}")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\{code:03o}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'
