"""Rust documentation items: what rustc's ``missing_docs`` lint (``#![warn(missing_docs)]``) reports.

Public (counted) items, per the lint (https://doc.rust-lang.org/rustc/lints/listing/allowed-by-default.html#missing-docs)
as far as one file can tell:

* the crate itself, in ``lib.rs`` (documented by an inner ``//!`` / ``/*! */`` / ``#![doc = …]``);
* ``pub`` functions, structs, enums, unions, traits, type aliases, consts, statics and inline
  modules (``pub mod x { … }``, documented outside by ``///`` or inside by ``//!``);
  ``#[macro_export]`` ``macro_rules!`` macros;
* the named fields of a public struct, union or enum variant (``pub`` fields of a struct; every
  field of a variant), and every variant of a public enum (tuple fields are not asked for);
* every item of a public trait, and the ``pub`` items of an inherent ``impl``; items of a trait
  ``impl`` are exempt (``"trait-impl"``: the trait documents them, and the lint skips them).

Restricted visibility (``pub(crate)``, ``pub(super)``, ``pub(in …)``) and no ``pub`` are
``exempt="private"``; ``#[doc(hidden)]`` items and all they contain are ``"doc-hidden"``;
``#[cfg(test)]`` modules are ``"test"``. A module declared without a body (``mod x;``) is
documented either by ``///`` on the ``pub mod x;`` line or by ``//!`` at the top of its own file:
a module file with ``//!`` carries a documented ``module`` item; ``pub mod x;`` with ``///``
is a documented item; without it the declaration is exempt (``"module-file"``), since only the
other file can say whether the module is documented (never a false "missing"). Whether a file's
module is public at all is a whole-crate question: the file's ``mod x;`` declarations
(:attr:`FileDocs.modules`) and top-level ``pub use`` paths (:attr:`FileDocs.uses`) are recorded,
and :mod:`repo_roles.coverage.rust_crate` exempts the items of files reached only through
private modules after every file is analysed. Items made by macros (``cfg_if!`` included) are
not seen.

A doc comment is ``///`` (not ``////``) or ``/** … */`` (not ``/***``) with some text, or a
``#[doc = "…"]`` attribute, before the item; other attributes may stand in between (the
Reference, "Doc comments"). Generated files (``@generated`` or ``DO NOT EDIT`` in the leading
comments) have no items.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any, List, Optional, Tuple

from repo_roles.coverage.model import DocItem, DocOptions, FileDocs, check_counting
from repo_roles.coverage.treesitter import finish, has_words, line_of, prepare, text_of

_ITEMS = {
    "function_item": "function", "function_signature_item": "function", "struct_item": "struct",
    "enum_item": "enum", "union_item": "union", "trait_item": "trait", "type_item": "type",
    "associated_type": "type", "const_item": "const", "static_item": "static", "mod_item": "module",
    "macro_definition": "macro",
}
_COMMENTS = ("line_comment", "block_comment")
_ROOTS = frozenset({"lib.rs", "main.rs"})


def is_outer_doc(text: str) -> bool:
    """``///`` or ``/**`` opening an outer doc comment (``////`` and ``/***`` are plain)."""
    return ((text.startswith("///") and not text.startswith("////"))
            or (text.startswith("/**") and not text.startswith("/***") and not text.startswith("/**/")))


def is_inner_doc(text: str) -> bool:
    """``//!`` or ``/*!``: documents the enclosing item (module or crate)."""
    return text.startswith("//!") or text.startswith("/*!")


def analyze_rust(data: bytes, path: str, options: DocOptions = DocOptions()) -> FileDocs:
    """Documentation items of one Rust file (``path`` is POSIX, repo-relative)."""
    check_counting(options)
    prepared = prepare(data, path, options, "rust", "rust", "Rust", generated_by=_COMMENTS)
    if isinstance(prepared, FileDocs):
        return prepared
    root, data = prepared
    name = PurePosixPath(path).name
    items: List[DocItem] = []
    inner = _inner_doc(root.children, data)
    if name == "lib.rs":
        items.append(DocItem("crate", "crate", 1, True, inner))
    elif name not in _ROOTS and name != "build.rs" and inner:
        # A module file documents its module with ``//!``; whether the module is public is
        # said in the parent file, so an undocumented module file is no item here (see below).
        module = PurePosixPath(path).stem if name != "mod.rs" else PurePosixPath(path).parent.name
        items.append(DocItem(module, "module", 1, True, True))
    modules: List[Tuple[str, bool, str]] = []
    uses: List[str] = []
    _walk(root, data, items, modules, uses)
    items.sort(key=lambda item: item.line)
    return finish(path, "rust", items, options)._replace(modules=tuple(modules), uses=tuple(uses))


def _inner_doc(children: List[Any], data: bytes) -> bool:
    """A leading ``//!``/``/*!`` comment or ``#![doc = …]`` among the first children."""
    for child in children:
        if child.type in _COMMENTS:
            text = text_of(child, data)
            if is_inner_doc(text) and has_words(text[3:]):
                return True
        elif child.type == "inner_attribute_item":
            if text_of(child, data).replace(" ", "").startswith("#![doc="):
                return True
        elif child.is_named:
            return False
    return False


# (container node, qualified prefix, exempt reason inherited, container kind)
_Frame = Tuple[Any, str, Optional[str], str]


def _walk(root: Any, data: bytes, items: List[DocItem], modules: List[Tuple[str, bool, str]],
          uses: List[str]) -> None:
    stack: List[_Frame] = [(root, "", None, "module")]
    while stack:
        body, outer, inherited, container = stack.pop()
        found: List[_Frame] = []
        for node, doc, attrs in _with_docs(body.children, data):
            kind = _ITEMS.get(node.type)
            if node.type == "use_declaration":
                argument = node.child_by_field_name("argument")
                if not outer and inherited is None and argument is not None and _is_pub(node, data):
                    uses.extend(use_paths(text_of(argument, data)))
                continue
            if node.type == "impl_item":
                inner = node.child_by_field_name("body")
                typ = node.child_by_field_name("type")
                if inner is not None and typ is not None:
                    reason = inherited or ("trait-impl" if node.child_by_field_name("trait") is not None else None)
                    if reason is None and "doc(hidden)" in attrs:
                        reason = "doc-hidden"
                    found.append((inner, _join(outer, text_of(typ, data)), reason, "impl"))
                continue
            if kind is None:
                continue
            name_node = node.child_by_field_name("name")
            if name_node is None:
                continue
            name = _join(outer, text_of(name_node, data))
            exempt = inherited or _reason(node, kind, attrs, container, data)
            if kind == "module" and node.child_by_field_name("body") is None:
                # `pub mod x;`: documented here by `///`, or inside x.rs by `//!` (that file
                # carries the item then); undocumented here, it is exempt: one file cannot tell.
                if exempt is None and not doc:
                    exempt = "module-file"
                items.append(DocItem(name, kind, line_of(name_node), exempt is None, doc, exempt))
                modules.append((name.replace("::", "/"), exempt in (None, "module-file"), _path_attr(attrs, outer)))
                continue
            if kind == "module":
                doc = doc or _inner_doc(node.child_by_field_name("body").children, data)
            items.append(DocItem(name, kind, line_of(name_node), exempt is None, doc, exempt))
            inner = node.child_by_field_name("body")
            if inner is None:
                continue
            if kind in ("module", "trait"):
                found.append((inner, name, exempt, kind))
            elif kind in ("struct", "union"):
                _fields(inner, name, exempt, data, items, require_pub=True)
            elif kind == "enum":
                _variants(inner, name, exempt, data, items)
        stack.extend(reversed(found))


_AS = re.compile(r"\s+as\s+\w+")
_SPACE = re.compile(r"\s+|//[^\n]*|/\*.*?\*/", re.S)


def use_paths(tree: str) -> List[str]:
    """The leaves of a ``use`` tree: ``a::{b, c::*}`` -> ``["a::b", "a::c::*"]`` (``as`` renames
    dropped: what matters is which item is re-exported)."""
    text = _SPACE.sub("", _AS.sub("", tree))
    out: List[str] = []
    stack = [("", text)]
    while stack:
        prefix, rest = stack.pop()
        brace = rest.find("{")
        if brace < 0 or not rest.endswith("}"):
            if rest and "{" not in rest and "}" not in rest:
                leaf = prefix + rest
                out.append(leaf[:-6] if leaf.endswith("::self") else leaf)
            continue
        head, depth, start = prefix + rest[:brace], 0, brace + 1
        for index in range(brace + 1, len(rest) - 1):
            char = rest[index]
            depth += (char == "{") - (char == "}")
            if char == "," and depth == 0:
                stack.append((head, rest[start:index]))
                start = index + 1
        stack.append((head, rest[start:len(rest) - 1]))
    return sorted(out)


_PATH_ATTR = re.compile(r'#\[path="([^"\\]+)"\]')


def _path_attr(attrs: str, outer: str) -> str:
    """A ``#[path = "…"]`` value; "?" inside an inline module (resolved against a directory
    this pass does not follow: the crate pass leaves such a file alone)."""
    found = _PATH_ATTR.search(attrs)
    if found is None:
        return ""
    return found.group(1) if not outer else "?"


def _join(outer: str, name: str) -> str:
    return f"{outer}::{name}" if outer else name


def _reason(node: Any, kind: str, attrs: str, container: str, data: bytes) -> Optional[str]:
    if "doc(hidden)" in attrs:
        return "doc-hidden"
    if kind == "module" and "cfg(test)" in attrs:
        return "test"
    if kind == "macro":
        return None if "macro_export" in attrs else "private"
    if container == "trait":
        return None  # trait items are as public as the trait
    return None if _is_pub(node, data) else "private"


def _is_pub(node: Any, data: bytes) -> bool:
    """Plain ``pub``: ``pub(crate)`` & co are not exported."""
    for child in node.children:
        if child.type == "visibility_modifier":
            return text_of(child, data).strip() == "pub"
    return False


def _fields(body: Any, owner: str, inherited: Optional[str], data: bytes, items: List[DocItem],
            require_pub: bool) -> None:
    if body.type != "field_declaration_list":
        return  # tuple fields: not asked for
    for node, doc, attrs in _with_docs(body.children, data):
        name_node = node.child_by_field_name("name")
        if node.type != "field_declaration" or name_node is None:
            continue
        exempt = inherited or ("doc-hidden" if "doc(hidden)" in attrs else None)
        if exempt is None and require_pub and not _is_pub(node, data):
            exempt = "private"
        items.append(DocItem(f"{owner}.{text_of(name_node, data)}", "field", line_of(name_node),
                             exempt is None, doc, exempt))


def _variants(body: Any, owner: str, inherited: Optional[str], data: bytes, items: List[DocItem]) -> None:
    for node, doc, attrs in _with_docs(body.children, data):
        name_node = node.child_by_field_name("name")
        if node.type != "enum_variant" or name_node is None:
            continue
        exempt = inherited or ("doc-hidden" if "doc(hidden)" in attrs else None)
        name = f"{owner}::{text_of(name_node, data)}"
        items.append(DocItem(name, "variant", line_of(name_node), exempt is None, doc, exempt))
        fields = node.child_by_field_name("body")
        if fields is not None:
            _fields(fields, name, exempt, data, items, require_pub=False)


def _with_docs(children: List[Any], data: bytes) -> List[Tuple[Any, bool, str]]:
    """Triples (item, has an outer doc, its attributes' text) over sibling nodes."""
    out: List[Tuple[Any, bool, str]] = []
    documented, attrs = False, []
    for child in children:
        if child.type in _COMMENTS:
            text = text_of(child, data)
            documented = documented or (is_outer_doc(text) and has_words(text[3:]))
        elif child.type == "attribute_item":
            text = text_of(child, data).replace(" ", "")
            attrs.append(text)
            if text.startswith("#[doc=") or text.startswith("#[doc(alias"):
                documented = documented or text.startswith("#[doc=")
        elif not child.is_named:
            documented, attrs = False, []
        else:
            out.append((child, documented, " ".join(attrs)))
            documented, attrs = False, []
    return out
