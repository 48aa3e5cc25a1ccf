"""Show any path on one terminal line, the way git quotes it (``core.quotePath=false``).

Paths with control characters, a double quote or a backslash are C-quoted inside double quotes
(``"a\\nb.py"``); everything else, unicode included, is shown as is -- except what a terminal
or a line-based tool would act on: C1 controls (U+0080-U+009F, e.g. CSI) and the Unicode line
and paragraph separators are octal escapes of their UTF-8 bytes, as git's default
``core.quotePath=true`` writes every non-ASCII byte.  Bytes that are not UTF-8 (kept by
``surrogateescape``) are octal escapes too.  Every text output that names a path (``ls``,
``explain``, ``check``'s concise and full formats) uses this one function; machine formats
(jsonl, json, sarif…) carry the path verbatim.
"""

from __future__ import annotations

import re

_ESCAPES = {"\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r",
            '"': '\\"', "\\": "\\\\"}
# One C-level search decides the common case: a path with nothing to quote.
_NEEDS_QUOTES = re.compile('[\x00-\x1f\x7f-\x9f"\\\\\u2028\u2029\udc80-\udcff]')


def display_path(path: str) -> str:
    if _NEEDS_QUOTES.search(path) is None:
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
        elif 0x80 <= code <= 0x9F or code in (0x2028, 0x2029):
            out.append("".join(f"\\{byte:03o}" for byte in ch.encode("utf-8")))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'
