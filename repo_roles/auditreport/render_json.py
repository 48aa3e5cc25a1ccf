"""``audit --format json``: the audit document itself (schema: ``audit.schema.json``).

ASCII-only (``ensure_ascii``): an undecodable file name (a lone surrogate) is written as a
``\\udcXX`` escape rather than failing to encode.  Keys keep the document's order.
"""

from __future__ import annotations

import json


def dumps(doc: dict, *, indent: "int | None" = None) -> str:
    return json.dumps(doc, indent=indent, separators=(",", ": ") if indent else (",", ":"))


def render(doc: dict) -> str:
    return dumps(doc, indent=1) + "\n"
