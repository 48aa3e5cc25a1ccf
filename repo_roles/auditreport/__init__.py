"""The audit as one document: built once from a scan (pure data), rendered by every format.

``document.build(context, summary)`` returns a JSON-ready ``dict`` (the schema is
``audit.schema.json`` next to this file, versioned by ``SCHEMA_VERSION``); ``compare.delta``
adds the change since a previous document; the formats — ``text``, ``json``, ``markdown``,
``html`` — each live in one module and only render, listed in :data:`FORMATS`.
"""

from __future__ import annotations

from typing import Callable

FORMATS = ("text", "json", "markdown", "html")


def renderer(fmt: str) -> Callable[[dict], str]:
    """The render function of one audit format (imported lazily: only `html` needs its assets)."""
    if fmt == "text":
        from repo_roles.auditreport.render_text import render
    elif fmt == "json":
        from repo_roles.auditreport.render_json import render
    elif fmt == "markdown":
        from repo_roles.auditreport.render_markdown import render
    elif fmt == "html":
        from repo_roles.auditreport.render_html import render
    else:
        raise ValueError(f"unknown audit format {fmt!r}")
    return render


__all__ = ["FORMATS", "renderer"]
