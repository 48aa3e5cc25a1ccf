"""``audit --format html``: one self-contained page — the audit document plus a small renderer.

The page is the JSON document in a ``<script type="application/json">`` element, the stylesheet
and script from ``static/`` (package data) inline, and a Content-Security-Policy that allows no
network request at all (``default-src 'none'``): it opens offline, from ``file://``, anywhere.
The treemap is hand-written SVG (a squarified layout, ~40 lines of the script) rather than a
vendored d3-hierarchy: one layout is all the page needs, and it keeps the page free of a
third-party bundle and its licence text.  The closing note states the page's own size.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from repo_roles.auditreport.render_json import dumps

STATIC = Path(__file__).resolve().parent / "static"
_SIZE = "@@PAGE_BYTES@@"
_PLACEHOLDER = re.compile(r"\{(title|css|js|data|closing)\}")

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
{css}</style>
</head>
<body>
<header>
<h1 id="title">{title}</h1>
<p id="headline"></p>
<nav><a href="#map">Map</a><a href="#owners">Owners × roles</a><a href="#docs-section">Documentation</a><a href="#tests-section">Tests</a><a href="#findings-section">Findings</a></nav>
</header>
<main>
<section id="compare"></section>
<h2 id="map">Map of the repository</h2>
<div class="controls">
<fieldset><legend>colour by</legend>
<label><input type="radio" name="coloring" id="color-role" value="role">role</label>
<label><input type="radio" name="coloring" id="color-team" value="team">owning team</label>
<label><input type="radio" name="coloring" id="color-docs" value="docs">doc coverage</label>
<label><input type="radio" name="coloring" id="color-tests" value="tests">test presence</label>
</fieldset>
<label>size by <select id="size-by"><option value="files">files</option><option value="lines">lines</option><option value="bytes">bytes</option></select></label>
</div>
<div id="trail"></div>
<div id="treemap"></div>
<div id="legend"></div>
<h2 id="owners">Owners × roles (files)</h2>
<div id="matrix"></div>
<h2 id="docs-section">Documentation coverage (documented / counted items, required roles)</h2>
<div id="docs"></div>
<h2 id="tests-section">Test presence (modules with a test file / modules that need one)</h2>
<div id="tests"></div>
<h2 id="findings-section">Findings</h2>
<div id="findings"></div>
<h2>Rules</h2>
<div id="rule-docs"></div>
</main>
<footer><p id="closing">{closing}</p></footer>
<div id="tooltip" role="tooltip"></div>
<script id="audit-data" type="application/json">{data}</script>
<script>
{js}</script>
</body>
</html>
"""


def _script_safe(text: str) -> str:
    """JSON that cannot end its ``<script>`` element early (``</script>``, ``<!--``)."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(doc: dict) -> str:
    project = doc["project"]
    title = "repo-roles audit of " + project["root"] + ("/" + project["scope"] if project["scope"] else "")
    tree = doc.get("tree") or {}
    folded = " (directories aggregated where too many to list)" if _folded(tree) else ""
    closing = (f"repo-roles {doc['tool']['version']}, audit document version {doc['version']}. "
               f"This page: {_SIZE} bytes, self-contained (no network requests); treemap of "
               f"{doc['files']:,} files{folded}; hand-written SVG.")
    values = {
        "title": html.escape(title),
        "css": (STATIC / "report.css").read_text(encoding="utf-8"),
        "js": (STATIC / "report.js").read_text(encoding="utf-8"),
        "data": _script_safe(dumps(doc)),
        "closing": html.escape(closing),
    }
    # One pass: text put in is never scanned for placeholders again.
    page = _PLACEHOLDER.sub(lambda m: values[m.group(1)], TEMPLATE)
    # The page states its own size in its footer: substitute until the number is stable.
    head, footer, tail = page.partition("<footer>")
    size = len(page.encode("utf-8"))
    for _ in range(3):
        filled = head + footer + tail.replace(_SIZE, f"{size:,}", 1)
        new_size = len(filled.encode("utf-8"))
        if new_size == size:
            break
        size = new_size
    return filled


def _folded(node: dict) -> bool:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.get("folded"):
            return True
        stack.extend(current.get("children", ()))
    return False
