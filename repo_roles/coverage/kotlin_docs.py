"""Kotlin documentation items: what Dokka's ``reportUndocumented`` reports with its defaults.

Dokka documents declarations whose visibility is in ``documentedVisibilities`` — ``PUBLIC``
only by default (https://kotlinlang.org/docs/dokka-gradle.html#source-set-configuration) — and
``reportUndocumented`` warns about each of them without KDoc. Items: classes, interfaces, enum
classes, objects (companion objects included), type aliases, functions, constructors declared
with ``constructor``, and properties, inside types that are themselves public. Kotlin's default
visibility is ``public``; ``private``, ``internal`` and ``protected`` declarations (and all
members of a non-public type) are ``exempt="private"``. ``override`` members inherit the
overridden KDoc (Dokka shows it), so are exempt (``"override"``). Local declarations (inside
function bodies) are not API. Primary-constructor properties are documented in the class KDoc
(``@property``), so are not separate items.

A doc comment is a KDoc block ``/** … */`` (not ``/**/``) with some text right before the
declaration; annotations belong to the declaration node, after it
(https://kotlinlang.org/docs/kotlin-doc.html). Generated files (``DO NOT EDIT``/``@generated`` in
the leading comments) have no items.
"""

from __future__ import annotations

from typing import Any, List, Tuple

from repo_roles.coverage.model import DocItem, DocOptions, FileDocs, check_counting
from repo_roles.coverage.treesitter import block_doc_siblings, finish, line_of, prepare, text_of

_KINDS = {
    "class_declaration": "class", "object_declaration": "object", "companion_object": "object",
    "type_alias": "typealias", "function_declaration": "function", "property_declaration": "property",
    "secondary_constructor": "constructor",
}
_BODIES = frozenset({"class_body", "enum_class_body"})
_COMMENTS = ("block_comment", "line_comment")


def analyze_kotlin(data: bytes, path: str, options: DocOptions = DocOptions()) -> FileDocs:
    """Documentation items of one Kotlin file (``.kt``)."""
    check_counting(options)
    prepared = prepare(data, path, options, "kotlin", "kotlin", "Kotlin", generated_by=_COMMENTS)
    if isinstance(prepared, FileDocs):
        return prepared
    root, data = prepared
    items: List[DocItem] = []
    stack: List[Tuple[Any, str, bool]] = [(root, "", True)]
    while stack:
        body, outer, visible = stack.pop()
        found: List[Tuple[Any, str, bool]] = []
        for node, doc in block_doc_siblings(body.children, data, _COMMENTS):
            kind = _KINDS.get(node.type)
            if kind is None:
                continue
            if node.type == "class_declaration" and any(c.type == "interface" for c in node.children):
                kind = "interface"
            words = _modifiers(node, data)
            public = visible and not (words & {"private", "internal", "protected"})
            exempt = None if public else "private"
            if exempt is None and "override" in words:
                exempt = "override"
            name = _name(node, data, kind)
            qualified = f"{outer}.{name}" if outer else name
            items.append(DocItem(qualified, kind, line_of(node), public, doc, exempt))
            inner = next((c for c in node.children if c.type in _BODIES), None)
            if inner is not None:
                found.append((inner, qualified, public))
        stack.extend(reversed(found))
    items.sort(key=lambda item: item.line)
    return finish(path, "kotlin", items, options)


def _modifiers(node: Any, data: bytes) -> frozenset:
    modifiers = next((c for c in node.children if c.type == "modifiers"), None)
    if modifiers is None:
        return frozenset()
    return frozenset(text_of(c, data) for c in modifiers.named_children if c.type != "annotation")


def _name(node: Any, data: bytes, kind: str) -> str:
    if node.type == "companion_object":
        found = next((c for c in node.children if c.type == "identifier"), None)
        return text_of(found, data) if found is not None else "Companion"
    if node.type == "secondary_constructor":
        return "constructor"
    if node.type == "property_declaration":
        declaration = next((c for c in node.named_children if c.type in ("variable_declaration",
                                                                          "multi_variable_declaration")), None)
        found = next((c for c in declaration.named_children if c.type == "identifier"), None) if declaration else None
        return text_of(found, data) if found is not None else ""
    found = node.child_by_field_name("name") or next((c for c in node.children if c.type in
                                                      ("identifier", "type_identifier", "simple_identifier")), None)
    return text_of(found, data) if found is not None else ""
