"""PHP documentation items: PHPDoc ``/** … */`` blocks on the public API (PSR-5 draft, phpDocumentor).

A DocBlock (https://docs.phpdoc.org/guide/getting-started/what-is-a-docblock.html) is a
``/** … */`` comment directly before the structural element it documents; attributes
(``#[…]``) belong to the element, after the DocBlock. Items: functions, classes, interfaces,
traits, enums and their methods. Methods are public unless marked ``private`` or
``protected`` (PHP's default visibility is public; interface methods are public); non-public
methods are ``exempt="private"``. Properties and constants are not items (a declaration-level
count, like the other languages'). Generated files (``DO NOT EDIT``/``@generated`` in the
leading comments) have no items.
"""

from __future__ import annotations

from typing import Any, List, Tuple

from repo_roles.coverage.model import DocItem, DocOptions, FileDocs, check_counting
from repo_roles.coverage.treesitter import block_doc_siblings, finish, line_of, prepare, text_of

_TYPES = {"class_declaration": "class", "interface_declaration": "interface", "trait_declaration": "trait",
          "enum_declaration": "enum"}
_CONTAINERS = frozenset({"namespace_definition", "compound_statement", "declare_statement"})


def analyze_php(data: bytes, path: str, options: DocOptions = DocOptions()) -> FileDocs:
    """Documentation items of one PHP file (``.php``)."""
    check_counting(options)
    prepared = prepare(data, path, options, "php", "php", "PHP", generated_by=("comment",))
    if isinstance(prepared, FileDocs):
        return prepared
    root, data = prepared
    items: List[DocItem] = []
    stack: List[Tuple[Any, str]] = [(root, "")]
    while stack:
        body, outer = stack.pop()
        found: List[Tuple[Any, str]] = []
        for node, doc in block_doc_siblings(body.children, data, ("comment",)):
            if node.type in _CONTAINERS:
                inner = node.child_by_field_name("body")
                found.append((inner if inner is not None else node, outer))
                continue
            name_node = node.child_by_field_name("name")
            if name_node is None:
                continue
            name = text_of(name_node, data)
            qualified = f"{outer}::{name}" if outer else name
            if node.type in _TYPES:
                items.append(DocItem(qualified, _TYPES[node.type], line_of(name_node), True, doc))
                inner = node.child_by_field_name("body")
                if inner is not None:
                    found.append((inner, qualified))
            elif node.type == "function_definition":
                items.append(DocItem(qualified, "function", line_of(name_node), True, doc))
            elif node.type == "method_declaration":
                visibility = next((text_of(c, data).lower() for c in node.children
                                   if c.type == "visibility_modifier"), "public")
                public = visibility == "public"
                items.append(DocItem(qualified, "method", line_of(name_node), public, doc,
                                     None if public else "private"))
        stack.extend(reversed(found))
    items.sort(key=lambda item: item.line)
    return finish(path, "php", items, options)
