"""Ruby documentation items: what ``yard stats --list-undoc`` lists among methods, classes, modules.

YARD's docstring is the comment block directly above a declaration — consecutive ``#`` lines
ending on the line right before it, no blank line between (https://rubydoc.info/gems/yard/file/docs/GettingStarted.md,
"Documenting Code with YARD"); ``=begin``/``=end`` blocks count the same way. A comment after
code on a line is not a block above the next line; after the declaration on its own line
(``class Request #:nodoc:``) it is YARD's inline docstring of that declaration. One blank line
may stand between the block and the declaration (YARD looks two lines up). YARD also counts as
documented what it tags by itself: ``?`` methods (``@return [Boolean]``), and methods that
``yield`` (``@yield``) or ``raise SomeError`` (``@raise``) — measured with yard 0.9.28.
``initialize``, ``initialize_copy/clone/dup`` and ``respond_to_missing?`` are always private. Items: ``class``,
``module``, ``def`` and ``def self.x`` (singleton methods). ``yard stats`` counts public
methods only by default: methods after a bare ``private``/``protected`` in a class or module
body, or wrapped in ``private def …``/``protected def …``, or named in ``private :a, :b`` /
``private_class_method :a``, are ``exempt="private"``. Magic comments (``# frozen_string_literal:``,
``# encoding:``, ``# rubocop:…``) are not documentation. Methods defined inside a method body are
not items. Generated files (``DO NOT EDIT``/``@generated`` in the leading comments) have none.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Set, Tuple

from repo_roles.coverage.model import DocItem, DocOptions, FileDocs, check_counting
from repo_roles.coverage.treesitter import finish, line_of, prepare, text_of

_MAGIC = re.compile(r"^#\s*(-\*-|frozen_string_literal:|encoding:|coding[:=]|warn_indent:|rubocop:|typed:|!)")
_VISIBILITY = frozenset({"private", "protected", "public", "module_function", "private_class_method"})
# Ruby makes these private whatever the visibility in force (and YARD lists them so).
_ALWAYS_PRIVATE = frozenset({"initialize", "initialize_copy", "initialize_clone", "initialize_dup",
                             "respond_to_missing?"})
_DEFS = {"class": "class", "module": "module", "method": "method", "singleton_method": "method"}


def analyze_ruby(data: bytes, path: str, options: DocOptions = DocOptions()) -> FileDocs:
    """Documentation items of one Ruby file (``.rb``)."""
    check_counting(options)
    prepared = prepare(data, path, options, "ruby", "ruby", "Ruby", generated_by=("comment",))
    if isinstance(prepared, FileDocs):
        return prepared
    root, data = prepared
    comments: Dict[int, Tuple[int, bool]] = {}  # end row -> (start row, says something), own-line comments
    trailing: Dict[int, bool] = {}  # row -> a comment after code on that row says something
    tagged: Set[int] = set()  # rows of methods YARD gives a @yield or @raise tag to
    items: List[DocItem] = []
    named: Set[str] = set()  # methods made private by name: ``private :a``
    _walk(root, data, items, comments, trailing, tagged, named)
    lines = data.split(b"\n")
    for index, item in enumerate(items):
        row = item.line - 1
        documented = (_documented(comments, row) or trailing.get(row, False)
                      or (row >= 2 and not lines[row - 1].strip() and _documented(comments, row - 1))
                      or (item.kind == "method" and (item.name.endswith("?") or row in tagged)))
        item = item._replace(documented=documented)
        if item.kind == "method" and item.name in named and item.exempt is None:
            item = item._replace(public=False, exempt="private")
        items[index] = item
    items.sort(key=lambda item: item.line)
    return finish(path, "ruby", items, options)


def _documented(comments: Dict[int, Tuple[int, bool]], row: int) -> bool:
    """Whether the comment block ending on the 0-based row above ``row`` (the item's) has words."""
    above = row - 1
    words = False
    while above in comments:
        start, says = comments[above]
        words = words or says
        above = start - 1
    return words


def _walk(root: Any, data: bytes, items: List[DocItem], comments: Dict[int, Tuple[int, bool]],
          trailing: Dict[int, bool], tagged: Set[int], named: Set[str]) -> None:
    # (node, qualified prefix, visibility in force, explicit visibility of this node or None)
    stack: List[Tuple[Any, str, List[str], Optional[str]]] = [(root, "", ["public"], None)]
    while stack:
        node, outer, state, forced = stack.pop()
        kind = node.type
        if kind == "comment":
            text = text_of(node, data)
            says = not _MAGIC.match(text) and (text.startswith("=begin") or bool(text.strip("#").strip()))
            line_start = data.rfind(b"\n", 0, node.start_byte) + 1
            if data[line_start:node.start_byte].strip():
                trailing[node.start_point[0]] = says  # after code: YARD's inline docstring of that line
            else:
                comments[node.end_point[0]] = (node.start_point[0], says)
            continue
        children: List[Any] = list(node.children)
        if kind in _DEFS and node.is_named:
            name_node = node.child_by_field_name("name")
            name = text_of(name_node, data) if name_node is not None else ""
            qualified = f"{outer}::{name}" if outer and kind != "method" else (f"{outer}#{name}" if outer else name)
            if kind == "singleton_method":
                qualified = f"{outer}.{name}" if outer else name
            visibility = forced or (state[0] if kind == "method" else "public")
            if kind == "method" and name in _ALWAYS_PRIVATE:
                visibility = "private"
            public = visibility == "public"
            items.append(DocItem(qualified, _DEFS[kind], line_of(node), public, False, None if public else "private"))
            if kind in ("method", "singleton_method"):
                if _auto_tagged(node, data):
                    tagged.add(node.start_point[0])
                stack.extend((c, outer, state, None) for c in reversed(children) if c.type == "comment")
                continue  # nested defs are not API; comments inside still index
            scope_state = ["public"]
            stack.extend((c, qualified, scope_state, None) for c in reversed(children))
            continue
        if kind == "body_statement":
            _named_visibility(children, data, outer, named)
        if kind == "identifier" and text_of(node, data) in ("private", "protected", "public") \
                and node.parent is not None and node.parent.type == "body_statement":
            state[0] = text_of(node, data)
            continue
        if kind == "call" and not forced:
            method = node.child_by_field_name("method")
            word = text_of(method, data) if method is not None and node.child_by_field_name("receiver") is None else ""
            if word in ("private", "protected", "public"):
                arguments = node.child_by_field_name("arguments")
                if arguments is not None:
                    stack.extend((c, outer, state, word) for c in reversed(arguments.children)
                                 if c.type in ("method", "singleton_method"))
                    continue
        stack.extend((c, outer, state, forced if kind == "argument_list" else None) for c in reversed(children))


def _named_visibility(children: List[Any], data: bytes, outer: str, named: Set[str]) -> None:
    """``private :a, :b`` / ``private_class_method :a``: the methods named (applied after the walk)."""
    for child in children:
        if child.type != "call":
            continue
        method = child.child_by_field_name("method")
        arguments = child.child_by_field_name("arguments")
        if method is None or arguments is None or text_of(method, data) not in _VISIBILITY - {"public"}:
            continue
        for argument in arguments.named_children:
            if argument.type == "simple_symbol":
                symbol = text_of(argument, data)[1:]
                named.update((f"{outer}#{symbol}" if outer else symbol, f"{outer}.{symbol}" if outer else symbol))


def _auto_tagged(method: Any, data: bytes) -> bool:
    """Whether YARD documents ``method`` without a comment: a statement of its body (a modifier
    form included) that is a ``yield`` (``@yield``) or a ``raise SomeError`` (``@raise``).
    Measured with yard 0.9.28: nested in an ``if`` they get no tag, nor does ``raise "text"``."""
    body = next((c for c in method.children if c.type == "body_statement"), None)
    for statement in body.named_children if body is not None else ():
        if statement.type.endswith("_modifier") and statement.named_children:
            statement = statement.named_children[0]
        if statement.type == "yield" or (statement.type == "call" and _RAISE.match(text_of(statement, data))):
            return True
    return False


_RAISE = re.compile(r"^raise[\s(]+(?:::)?[A-Z]")
