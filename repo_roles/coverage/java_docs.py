"""Java documentation items: what the ``javadoc`` tool documents by default, and doclint's rule.

Public (counted) items are those javadoc's default ``-protected`` access shows
(https://docs.oracle.com/en/java/javase/17/docs/specs/man/javadoc.html): ``public`` and
``protected`` classes, interfaces, enums, records, annotation types, methods, constructors,
fields and enum constants, inside types that are themselves shown. Interface and annotation
members are implicitly public (unless ``private``); enum constructors are implicitly private.
Members of a package-private or private type are not public. Everything else is an item with
``exempt="private"``. ``@Override`` methods are exempt (``"override"``): javadoc copies the
overridden method's comment ("Method Comment Inheritance"), and ``javac -Xdoclint:missing``
does not ask for one. Records' implicit members are not in the source, so not items; an explicit
(compact) canonical constructor is, as doclint reports it. ``package-info.java`` carries the
``package`` item; ``module-info.java`` has no items.

A doc comment is a ``/** … */`` comment (javac: ``/**`` not followed by ``/``) with some text,
among the comments between the previous token and the declaration's first token — so it goes
before the annotations; one between an annotation and the declaration is dangling (Oracle,
"How to Write Doc Comments for the Javadoc Tool": "placed directly before the declaration").
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any, List, Optional, Tuple

from repo_roles.coverage.model import DocItem, DocOptions, FileDocs, check_counting
from repo_roles.coverage.treesitter import block_doc_siblings, finish, line_of, prepare, text_of

_TYPES = {
    "class_declaration": "class", "interface_declaration": "interface", "enum_declaration": "enum",
    "record_declaration": "record", "annotation_type_declaration": "annotation",
}
_MEMBERS = {
    "method_declaration": "method", "annotation_type_element_declaration": "method",
    "constructor_declaration": "constructor", "compact_constructor_declaration": "constructor",
    "field_declaration": "field", "constant_declaration": "field", "enum_constant": "field",
}
_IMPLICITLY_PUBLIC = frozenset({"interface", "annotation"})  # bodies whose members are public
_OVERRIDE = frozenset({"Override", "java.lang.Override"})

# (body node, enclosing qualified name, enclosing type shown?, enclosing type kind)
_Frame = Tuple[Any, str, bool, str]


def analyze_java(data: bytes, path: str, options: DocOptions = DocOptions()) -> FileDocs:
    """Documentation items of one Java file (``path`` is POSIX, repo-relative)."""
    check_counting(options)
    name = PurePosixPath(path).name
    if name == "module-info.java":
        return FileDocs(path, "java")
    prepared = prepare(data, path, options, "java", "java", "Java")
    if isinstance(prepared, FileDocs):
        return prepared
    root, data = prepared
    items: List[DocItem] = []
    for node, doc in _with_docs(root.children, data):
        if node.type == "package_declaration" and name == "package-info.java":
            package = next((c for c in node.named_children if c.type in ("identifier", "scoped_identifier")), None)
            items.append(DocItem(text_of(package, data) if package is not None else "", "package",
                                 line_of(node), True, doc))
    _walk(root, data, items)
    items.sort(key=lambda item: item.line)  # nested types were walked after their siblings
    return finish(path, "java", items, options)


def _walk(root: Any, data: bytes, items: List[DocItem]) -> None:
    """Types and their members, with an explicit stack (nested types can nest arbitrarily)."""
    stack: List[_Frame] = [(root, "", True, "")]
    while stack:
        body, outer, outer_shown, outer_kind = stack.pop()
        found: List[_Frame] = []
        for node, doc in _with_docs(_members_of(body), data):
            kind = _TYPES.get(node.type) or _MEMBERS.get(node.type)
            if kind is None:
                continue
            words, annotations = _modifiers(node, data)
            shown = outer_shown and _shown(words, node.type, outer_kind, top=body is root)
            exempt: Optional[str] = None if shown else "private"
            if exempt is None and kind == "method" and annotations & _OVERRIDE:
                exempt = "override"
            names = _names(node)
            for name_node in names:
                qualname = f"{outer}.{text_of(name_node, data)}" if outer else text_of(name_node, data)
                items.append(DocItem(qualname, kind, line_of(name_node), shown, doc, exempt))
            inner = node.child_by_field_name("body")
            if node.type in _TYPES and inner is not None and names:
                found.append((inner, items[-1].name, shown, kind))
        stack.extend(reversed(found))  # source order: the first nested type is walked first


def _members_of(body: Any) -> List[Any]:
    """Children of a type body; an enum's methods sit in a nested ``enum_body_declarations``."""
    children: List[Any] = []
    for child in body.children:
        if child.type == "enum_body_declarations":
            children.extend(child.children)
        else:
            children.append(child)
    return children


def _modifiers(node: Any, data: bytes) -> Tuple[frozenset, frozenset]:
    """(modifier keywords, annotation names) of a declaration."""
    modifiers = next((c for c in node.children if c.type == "modifiers"), None)
    if modifiers is None:
        return frozenset(), frozenset()
    words, annotations = set(), set()
    for child in modifiers.children:
        if child.type in ("marker_annotation", "annotation"):
            name = child.child_by_field_name("name")
            if name is not None:
                annotations.add(text_of(name, data))
        else:
            words.add(text_of(child, data))
    return frozenset(words), frozenset(annotations)


def _shown(words: frozenset, node_type: str, outer_kind: str, top: bool) -> bool:
    """Whether javadoc's default (``-protected``) shows the declaration, its container aside."""
    if "private" in words:
        return False
    if top:
        return "public" in words
    if node_type == "enum_constant" or outer_kind in _IMPLICITLY_PUBLIC:
        return True
    if node_type == "constructor_declaration" and outer_kind == "enum":
        return False  # JLS 8.9.2: enum constructors are private
    return "public" in words or "protected" in words


def _names(node: Any) -> List[Any]:
    """Name nodes: one per declarator of a field (`int a, b;`), else the declaration's name."""
    if node.type in ("field_declaration", "constant_declaration"):
        return [d.child_by_field_name("name") for d in node.children_by_field_name("declarator")
                if d.child_by_field_name("name") is not None]
    name = node.child_by_field_name("name")
    return [name] if name is not None else []


def _with_docs(children: List[Any], data: bytes) -> List[Tuple[Any, bool]]:
    """Pairs (node, has a doc comment) over sibling nodes; comments left out."""
    return block_doc_siblings(children, data, ("block_comment", "line_comment"))
