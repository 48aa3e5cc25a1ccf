"""Go documentation items: what ``revive``'s ``exported`` rule (golint's successor) asks to document.

Public (counted) items, per revive's ``exported`` rule and https://go.dev/doc/comment:

* package-level funcs, types, consts and vars whose name is exported (upper-case first letter);
* methods whose name and receiver type are both exported — except the well-known interface
  methods revive skips (``Error``, ``Read``, ``ServeHTTP``, ``String``, ``Unwrap``, ``Write``)
  and ``Len``/``Less``/``Swap`` of a type that has all three in the file (``sort.Interface``);
* the package itself, once: go.dev/doc/comment says a multi-file package needs its package
  comment in one file only, so a file cannot be blamed for lacking it. We emit a ``package`` item
  only where it is expected — a file that carries a package comment, or ``doc.go``, the file
  whose only job is that comment.

A doc comment is the comment group (``//`` lines or ``/* */``, no blank line inside) that ends on
the line right above the declaration — as ``go/parser`` attaches ``Doc``. A comment trailing the
previous declaration on its line is not part of it. Directives (``//go:generate``, ``//nolint:x``,
``//line``, ``//export``) are not documentation (go.dev/doc/comment, "Directives"). In a grouped
``const (…)``/``var (…)``/``type (…)`` block, the group's comment documents every spec without
its own (revive). Unexported names are items with ``exempt="private"``.

A syntax error confined to function and method bodies (syntax newer than the grammar, such as
Go 1.26's ``new(int64(0))``) does not stop the count: declarations and comments are intact.

``_test.go`` files and generated files (``// Code generated … DO NOT EDIT.`` before the package
clause, https://go.dev/s/generatedcode) have no items.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any, Dict, List, Set, Tuple

from repo_roles.coverage.model import DocItem, DocOptions, FileDocs, check_counting
from repo_roles.coverage.treesitter import finish, has_words, line_of, prepare, text_of

_GENERATED = re.compile(r"^// Code generated .* DO NOT EDIT\.$")
# go/ast isDirective: "//line " / "//extern " / "//export ", or "//[a-z0-9]+:[a-z0-9]".
_DIRECTIVE = re.compile(r"^//(line |extern |export |[a-z0-9]+:[a-z0-9])")
_COMMON_METHODS = frozenset({"Error", "Read", "ServeHTTP", "String", "Unwrap", "Write"})
_SORT_METHODS = frozenset({"Len", "Less", "Swap"})
_GROUPS = {"const_declaration": "const", "var_declaration": "var", "type_declaration": "type"}
_SPECS = frozenset({"const_spec", "var_spec", "type_spec", "type_alias"})
# Function bodies may hold syntax newer than the grammar (Go 1.26 ``new(expr)``): see treesitter.parse.
_BODIES = ("function_declaration", "method_declaration")


def analyze_go(data: bytes, path: str, options: DocOptions = DocOptions()) -> FileDocs:
    """Documentation items of one Go file (``path`` is POSIX, repo-relative)."""
    check_counting(options)
    if path.endswith("_test.go"):
        return FileDocs(path, "go")
    prepared = prepare(data, path, options, "go", "go", "Go", _BODIES)
    if isinstance(prepared, FileDocs) and _syntax_error(prepared) and b"new(" in data:
        # Go 1.26 ``new(expr)`` outside a body (``var X = new(int64(0))``): the grammar's
        # recovery swallows the declarations that follow, so the ERROR cannot be tolerated.
        # Read as an ordinary call of a same-length name instead: offsets, lines, names and
        # comments stay as they are, and only a clean parse is used.
        retry = prepare(_NEW_CALL.sub(b"nEw(", data), path, options, "go", "go", "Go", _BODIES)
        if not isinstance(retry, FileDocs):
            prepared = retry
    if isinstance(prepared, FileDocs):
        return prepared
    root, data = prepared
    return _collect(root, data, path, options)


# ``new(`` as the builtin: not ``x.new(``, ``xnew(``, nor a function or method declared ``new``.
_NEW_CALL = re.compile(rb"(?<!func )(?<!\) )(?<![\w.])new\(")


def _syntax_error(docs: FileDocs) -> bool:
    return any(problem[1] == "syntax-error" for problem in docs.problems)


def _exported(name: str) -> bool:
    return name[:1].isupper()


def _collect(root: Any, data: bytes, path: str, options: DocOptions) -> FileDocs:
    items: List[DocItem] = []
    methods: Dict[str, Set[str]] = {}  # receiver type -> method names (for sort.Interface)
    for node, doc in _with_docs(root.children, data):
        kind = node.type
        if kind == "package_clause":
            if any(_GENERATED.match(text_of(c, data)) for c in root.children[:root.children.index(node)]
                   if c.type == "comment"):
                return FileDocs(path, "go")
            if doc or PurePosixPath(path).name == "doc.go":
                name = text_of(node.named_children[0], data) if node.named_children else ""
                items.append(DocItem(name, "package", line_of(node), True, doc))
        elif kind == "function_declaration":
            name = _name(node, data)
            items.append(_item(name, "function", node, _exported(name), doc))
        elif kind == "method_declaration":
            receiver, name = _receiver(node, data), _name(node, data)
            methods.setdefault(receiver, set()).add(name)
            public = _exported(receiver) and _exported(name)
            items.append(_item(f"{receiver}.{name}" if receiver else name, "method", node, public, doc))
        elif kind in _GROUPS:
            items.extend(_group_items(node, _GROUPS[kind], doc, data))
    sortable = {recv for recv, names in methods.items() if _SORT_METHODS <= names}
    for index, item in enumerate(items):
        if item.kind == "method" and item.exempt is None:
            receiver, _, name = item.name.rpartition(".")
            if name in _COMMON_METHODS:
                items[index] = item._replace(exempt="common-method")
            elif name in _SORT_METHODS and receiver in sortable:
                items[index] = item._replace(exempt="sort-interface")
    return finish(path, "go", items, options)


def _item(name: str, kind: str, node: Any, public: bool, documented: bool) -> DocItem:
    name_node = node.child_by_field_name("name")
    line = line_of(name_node if name_node is not None else node)
    return DocItem(name, kind, line, public, documented, None if public else "private")


def _name(node: Any, data: bytes) -> str:
    name = node.child_by_field_name("name")
    return text_of(name, data) if name is not None else ""


def _receiver(node: Any, data: bytes) -> str:
    """The receiver's type name: ``(s *Store[K])`` -> ``Store``."""
    params = node.child_by_field_name("receiver")
    declaration = params.named_children[0] if params is not None and params.named_children else None
    typ = declaration.child_by_field_name("type") if declaration is not None else None
    while typ is not None and typ.type in ("pointer_type", "parenthesized_type", "generic_type"):
        inner = typ.child_by_field_name("type")
        typ = inner if inner is not None else (typ.named_children[0] if typ.named_children else None)
    return text_of(typ, data) if typ is not None else ""


def _group_items(declaration: Any, word: str, group_doc: bool, data: bytes) -> List[DocItem]:
    """Items of ``const``/``var``/``type`` declarations, grouped or not."""
    children = list(declaration.children)
    for child in declaration.children:
        if child.type in ("var_spec_list", "const_spec_list", "type_spec_list"):  # grammar versions differ
            children = list(child.children)
    items = []
    for spec, doc in _with_docs(children, data):
        if spec.type not in _SPECS:
            continue
        documented = doc or group_doc
        for name_node in spec.children_by_field_name("name"):
            name = text_of(name_node, data)
            if name == "_":
                continue
            public = _exported(name)
            items.append(DocItem(name, word, line_of(name_node), public, documented, None if public else "private"))
    return items


def _with_docs(children: List[Any], data: bytes) -> List[Tuple[Any, bool]]:
    """Pairs (declaration, has a doc comment) over one list of sibling nodes, comments left out.

    go/parser's rule: the comment group that ends on the line above the declaration, minus any
    comment on the line where the previous token ended (that one trails the previous line).
    """
    out: List[Tuple[Any, bool]] = []
    pending: List[Any] = []
    previous_end = -1  # row where the previous non-comment token ended
    for child in children:
        if child.type == "comment":
            pending.append(child)
            continue
        if not child.is_named:  # "(", ")", ";", keywords
            previous_end = child.end_point[0]
            pending = []
            continue
        out.append((child, _documented(pending, child.start_point[0], previous_end, data)))
        previous_end = child.end_point[0]
        pending = []
    return out


def _documented(comments: List[Any], row: int, previous_end: int, data: bytes) -> bool:
    words = False
    expected = row - 1  # the group must end right above the declaration…
    for index, comment in enumerate(reversed(comments)):
        end = comment.end_point[0]
        # …and holds no blank line (two comments may share a line: `/* a */ /* b */`).
        if end != expected and (index == 0 or end != expected + 1):
            break
        if comment.start_point[0] == previous_end:
            break  # trails the previous token's line: a line comment, not this group
        text = text_of(comment, data)
        if has_words(text) and not (text.startswith("//") and _DIRECTIVE.match(text)):
            words = True
        expected = comment.start_point[0] - 1
    return words

