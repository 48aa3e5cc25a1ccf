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

The grammar (tree-sitter-kotlin 1.1.0, the newest on PyPI) rejects two shapes of valid Kotlin:

* a class whose primary constructor starts on the next line (``class B`` then ``internal
  constructor(…)``; tree-sitter-kotlin issue 75);
* a type body whose last member ends on the line of its ``}``: ``class A { val x = 1 }``,
  ``object O { fun f() = 1 }``, ``interface I { fun f() }`` (the Kotlin grammar's
  ``classMemberDeclarations`` make the ``semis`` after a member optional; the grammar wants one).

Such a file is parsed a second time with bytes moved, never added: the newline before
``constructor`` moved after it (indentation one blank shorter), and the blank before each ``}``
that follows the end of a member or statement on its line made a ``;`` (not in a ``"${ … }"``
template). Lines and columns stay, and the result is used only if that parse is clean. With no
blank before the ``}`` (``{val x = 1}``) the file is left out as ``syntax-error``, the message
saying why.
"""

from __future__ import annotations

import re
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
# a ``}`` after a blank after the end of a statement or member on the same line; the blank is the spot
_CLOSING = re.compile(rb"(?<=[^\s{;])([ \t])[ \t]*\}")
# ``class B`` / ``internal constructor(`` on the next line: the grammar ends the class at the newline
_CONSTRUCTOR_LINE = re.compile(rb"(\b(?:class|object)[ \t]+\w+(?:<[^>\n]*>)?)\n([ \t]+)((?:(?:public|internal|private|"
                               rb"protected|@[\w.]+(?:\([^)\n]*\))?)[ \t]+)*constructor)(?=[ \t]*\()")
_ONE_LINE_TYPE = re.compile(rb"\b(?:class|object|interface)\b[^{]*\{.*[^\s{;]\}")


def analyze_kotlin(data: bytes, path: str, options: DocOptions = DocOptions()) -> FileDocs:
    """Documentation items of one Kotlin file (``.kt``)."""
    check_counting(options)
    prepared = prepare(data, path, options, "kotlin", "kotlin", "Kotlin", generated_by=_COMMENTS)
    if isinstance(prepared, FileDocs) and prepared.problems and prepared.problems[0][1] == "syntax-error":
        prepared = _one_line_bodies(data, path, options, prepared)
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


def _one_line_bodies(data: bytes, path: str, options: DocOptions, failed: FileDocs) -> Any:
    """The parse of ``data`` with a ``;`` in the blank before each ``}`` that closes something
    written after its last statement or member on the same line (see the module docs), or
    ``failed`` when that does not make a clean parse."""
    spots = [match.start(1) for match in _CLOSING.finditer(data) if not _template_end(data, match.start())]
    patched = bytearray(_CONSTRUCTOR_LINE.sub(_constructor_up, data))
    for spot in spots:
        patched[spot] = ord(";")
    if patched != data:
        retried = prepare(bytes(patched), path, options, "kotlin", "kotlin", "Kotlin", generated_by=_COMMENTS)
        if not isinstance(retried, FileDocs) or not retried.problems:
            return retried
    line, _, message = failed.problems[0]
    text = data.split(b"\n")[line - 1] if line else b""
    if _ONE_LINE_TYPE.search(text):
        return failed._replace(problems=((line, "syntax-error", message + "; a one-line type body "
                                          "(tree-sitter-kotlin 1.1.0 cannot read it without a blank before '}')"),))
    return failed


def _constructor_up(match: Any) -> bytes:
    """``class B\\n  internal constructor(`` -> ``class B internal constructor\\n (``: the same
    bytes count and lines, the newline moved after the keyword, where the grammar allows it."""
    return match.group(1) + b" " + match.group(3) + b"\n" + match.group(2)[1:]


def _template_end(data: bytes, at: int) -> bool:
    """Whether the ``}`` after ``at`` closes a string template's ``${`` on the same line."""
    start, depth = data.rfind(b"\n", 0, at) + 1, 0
    for index in range(at, start - 1, -1):
        char = data[index]
        if char == 0x7D:  # }
            depth += 1
        elif char == 0x7B:  # {
            if depth == 0:
                return index > 0 and data[index - 1] == 0x24  # $
            depth -= 1
    return False


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
