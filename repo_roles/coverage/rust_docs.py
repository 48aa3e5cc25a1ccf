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
private modules after every file is analysed.

Conditional compilation (the Reference, "Conditional compilation",
https://doc.rust-lang.org/reference/conditional-compilation.html) depends on the crate's features
and the target, which one file cannot know: each item records its condition
(:attr:`FileDocs.cfgs`; ``#[cfg(…)]`` on it and on everything around it, a file's ``#![cfg(…)]``),
and so do ``mod`` declarations and ``pub use`` paths; the crate pass evaluates them. The items of
``cfg_if! { if #[cfg(a)] { … } else if #[cfg(b)] { … } else { … } }`` (the cfg-if crate,
https://docs.rs/cfg-if: the first branch whose predicate holds is expanded) are read from each
branch, under ``a``, ``all(b, not(a))``, ``all(not(a), not(b))``. Items other macros make are
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
from repo_roles.coverage.treesitter import finish, has_words, line_of, parse, prepare, text_of

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
    modules: List[Tuple[str, bool, str, str]] = []
    uses: List[Tuple[str, str]] = []
    conds: List[str] = []
    base = _inner_cfgs(root.children, data)
    conds.extend(all_of(base) for _ in items)
    _walk(root, data, items, conds, modules, uses, base)
    order = sorted(range(len(items)), key=lambda index: items[index].line)
    cfgs = tuple(conds[index] for index in order)
    return finish(path, "rust", [items[index] for index in order], options)._replace(
        modules=tuple(modules), uses=tuple(uses), cfgs=cfgs if any(cfgs) else ())


_CFG = re.compile(r"#!?\[cfg\((.*)\)\]\Z", re.S)
_BLANK = re.compile(rb"[^\n]")
_EXPORT_IF = re.compile(r"#\[cfg_attr\((.*),macro_export(?:\(\w*\))?\)\]\Z", re.S)
_CFG_IF = frozenset({"cfg_if", "cfg_if::cfg_if", "::cfg_if::cfg_if"})


def all_of(parts: Tuple[str, ...]) -> str:
    """One cfg predicate for a conjunction ("" when there is no condition)."""
    return "" if not parts else parts[0] if len(parts) == 1 else "all(" + ",".join(parts) + ")"


def _cfgs(attrs: str) -> Tuple[str, ...]:
    """The predicates of the ``#[cfg(…)]`` attributes among ``attrs`` (whitespace removed)."""
    out = []
    for attr in attrs.split(" "):
        found = _CFG.match(attr)
        if found is not None:
            out.append(re.sub(r"\s+", "", found.group(1)))
    return tuple(out)


def _inner_cfgs(children: List[Any], data: bytes) -> Tuple[str, ...]:
    """A file's ``#![cfg(…)]`` predicates: the whole module is compiled only when they hold."""
    found = [text_of(child, data).replace(" ", "") for child in children if child.type == "inner_attribute_item"]
    return _cfgs(" ".join(found))


def cfg_if_branches(macro: Any, data: bytes) -> List[Tuple[Any, str]]:
    """``(branch body token tree, its condition)`` of a ``cfg_if!`` invocation: branch *i* is
    expanded when its predicate holds and no earlier one does; ``[]`` for another shape."""
    tree = next((child for child in macro.children if child.type == "token_tree"), None)
    if tree is None:
        return []
    out: List[Tuple[Any, str]] = []
    earlier: List[str] = []
    pending: Optional[str] = None
    for child in tree.children[1:-1]:
        if child.type != "token_tree":
            continue
        text = text_of(child, data)
        if text.startswith("["):
            found = _CFG.match("#" + re.sub(r"\s+", "", text))
            if found is None:
                return []
            pending = found.group(1)
        elif text.startswith("{"):
            if pending is None and not earlier:
                return []
            negated = tuple(f"not({p})" for p in earlier)
            out.append((child, all_of(((pending,) if pending is not None else ()) + negated)))
            if pending is None:
                break  # the final ``else``
            earlier.append(pending)
            pending = None
    return out


def _branch_root(body: Any, data: bytes) -> Optional[Any]:
    """The items of one ``cfg_if!`` branch, parsed where they stand: every byte outside the
    branch's braces blanked (newlines kept), so lines and byte offsets are the file's own."""
    start, end = body.start_byte + 1, body.end_byte - 1
    buffer = _BLANK.sub(b" ", data[:start]) + data[start:end] + _BLANK.sub(b" ", data[end:])
    root, problem = parse(buffer, "rust")
    return root if problem is None else None


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


# (container node, qualified prefix, exempt reason inherited, container kind, cfg predicates)
_Frame = Tuple[Any, str, Optional[str], str, Tuple[str, ...]]


def _walk(root: Any, data: bytes, items: List[DocItem], conds: List[str],
          modules: List[Tuple[str, bool, str, str]], uses: List[Tuple[str, str]], base: Tuple[str, ...]) -> None:
    stack: List[_Frame] = [(root, "", None, "module", base)]
    while stack:
        body, outer, inherited, container, around = stack.pop()
        found: List[_Frame] = []
        for node, doc, attrs in _with_docs(body.children, data):
            kind = _ITEMS.get(node.type)
            cond = around + _cfgs(attrs)
            if kind == "macro" and "#[macro_export" not in attrs:
                # ``#[cfg_attr(p, macro_export)]``: exported only when ``p`` holds
                cond += tuple(m.group(1) for m in map(_EXPORT_IF.match, attrs.split(" ")) if m)
            if node.type == "macro_invocation":
                name = node.child_by_field_name("macro")
                if name is not None and text_of(name, data).replace(" ", "") in _CFG_IF:
                    for branch, predicate in cfg_if_branches(node, data):
                        parsed = _branch_root(branch, data)
                        if parsed is not None:
                            found.append((parsed, outer, inherited, container, cond + (predicate,)))
                continue
            if node.type == "use_declaration":
                argument = node.child_by_field_name("argument")
                if not outer and inherited is None and argument is not None and _is_pub(node, data):
                    uses.extend((use, all_of(cond)) for use in use_paths(text_of(argument, data)))
                continue
            if node.type == "impl_item":
                inner = node.child_by_field_name("body")
                typ = node.child_by_field_name("type")
                if inner is not None and typ is not None:
                    reason = inherited or ("trait-impl" if node.child_by_field_name("trait") is not None else None)
                    if reason is None and "doc(hidden)" in attrs:
                        reason = "doc-hidden"
                    found.append((inner, _join(outer, text_of(typ, data)), reason, "impl", cond))
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
                conds.append(all_of(cond))
                modules.append((name.replace("::", "/"), exempt in (None, "module-file"), _path_attr(attrs, outer),
                                all_of(cond)))
                continue
            if kind == "module":
                doc = doc or _inner_doc(node.child_by_field_name("body").children, data)
                cond = cond + _inner_cfgs(node.child_by_field_name("body").children, data)
            items.append(DocItem(name, kind, line_of(name_node), exempt is None, doc, exempt))
            conds.append(all_of(cond))
            inner = node.child_by_field_name("body")
            if inner is None:
                continue
            if kind in ("module", "trait"):
                found.append((inner, name, exempt, kind, cond))
            elif kind in ("struct", "union"):
                _fields(inner, name, exempt, data, items, conds, cond, require_pub=True)
            elif kind == "enum":
                _variants(inner, name, exempt, data, items, conds, cond)
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
            conds: List[str], around: Tuple[str, ...], require_pub: bool) -> None:
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
        conds.append(all_of(around + _cfgs(attrs)))


def _variants(body: Any, owner: str, inherited: Optional[str], data: bytes, items: List[DocItem],
              conds: List[str], around: Tuple[str, ...]) -> None:
    for node, doc, attrs in _with_docs(body.children, data):
        name_node = node.child_by_field_name("name")
        if node.type != "enum_variant" or name_node is None:
            continue
        exempt = inherited or ("doc-hidden" if "doc(hidden)" in attrs else None)
        name = f"{owner}::{text_of(name_node, data)}"
        cond = around + _cfgs(attrs)
        items.append(DocItem(name, "variant", line_of(name_node), exempt is None, doc, exempt))
        conds.append(all_of(cond))
        fields = node.child_by_field_name("body")
        if fields is not None:
            _fields(fields, name, exempt, data, items, conds, cond, require_pub=False)


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
