"""Python that the running interpreter cannot parse, read with tree-sitter's Python grammar.

``ast`` only knows the syntax of the Python running repo-roles: under 3.11 a PEP 695 ``type``
statement or ``def f[T](x: T)`` is a ``SyntaxError``, so a project's figures would depend on the
CI image. When ``ast`` fails, :func:`module_from_treesitter` parses the file with the
``tree-sitter-python`` grammar (which knows every version's syntax) and rebuilds the part of an
``ast.Module`` that :mod:`repo_roles.coverage.python_docs` reads: definitions (name, line,
``async``, decorators, body), docstring statements, ``__all__`` statements and the blocks that can
hold a definition. The counting code then runs unchanged, so both counting modes give the same
figures as ``ast`` would (``tests/test_python_treesitter.py`` pins this over the repository's own
Python). Everything else becomes ``ast.Pass``.

The grammar also accepts Python 2 ``print``/``exec`` statements, and recovers from errors: a tree
with an error node, or with those statements, is not Python in any supported version, and the
caller keeps ``ast``'s problem (DOC004).
"""

from __future__ import annotations

import ast
import warnings
from typing import Any, List, Optional

from repo_roles.coverage.treesitter import GrammarUnavailable, parser_for

_PYTHON2 = frozenset({"print_statement", "exec_statement"})
_STRINGS = frozenset({"string", "concatenated_string", "parenthesized_expression"})
_COMPOUND = frozenset({
    "if_statement", "for_statement", "while_statement", "try_statement", "with_statement",
    "match_statement",
})


_NO_ARGUMENTS = ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None,
                              defaults=[])


class NotPython(Exception):
    """The tree has an error node or Python 2 statements."""


def module_from_treesitter(text: str) -> Optional[ast.Module]:
    """The ``ast.Module`` skeleton of ``text``; None when the grammar is missing or rejects it."""
    data = text.encode("utf-8", "surrogatepass")
    try:
        root = parser_for("python").parse(data).root_node
    except GrammarUnavailable:
        return None
    if root.has_error:
        return None
    try:
        return ast.Module(body=_statements(root.children, data), type_ignores=[])
    except (NotPython, RecursionError):
        return None


def _text(node: Any, data: bytes) -> str:
    return data[node.start_byte:node.end_byte].decode("utf-8", "surrogatepass")


def _statements(children: List[Any], data: bytes) -> List[ast.stmt]:
    out: List[ast.stmt] = []
    for child in children:
        if child.type == "comment" or not child.is_named:
            continue
        made = _statement(child, data)
        # Every statement carries its lines, as ast's do: a definition's signature end is the
        # line before its first body statement (python_docs._signature_end).
        if not hasattr(made, "lineno"):
            made.lineno = child.start_point[0] + 1
        made.end_lineno = child.end_point[0] + 1
        out.append(made)
    return out


def _statement(node: Any, data: bytes) -> ast.stmt:
    kind = node.type
    if kind in _PYTHON2:
        raise NotPython(kind)
    if kind == "decorated_definition":
        decorators = [_expression(c.named_children[0], data) for c in node.children
                      if c.type == "decorator" and c.named_children]
        definition = node.child_by_field_name("definition")
        return _definition(definition, data, decorators)
    if kind in ("function_definition", "class_definition"):
        return _definition(node, data, [])
    if kind in _COMPOUND:
        # One container in source order: python_docs walks body/orelse/handlers/finalbody
        # in source order too, so the definitions come out in the same pre-order.
        return ast.If(test=ast.Constant(value=None), body=_nested(node, data), orelse=[])
    if kind == "expression_statement":
        return _expression_statement(node, data)
    return ast.Pass()


def _nested(node: Any, data: bytes) -> List[ast.stmt]:
    """The statements of every block of a compound statement (clauses included), in order."""
    out: List[ast.stmt] = []
    for child in node.children:
        if child.type == "block":
            if node.type == "match_statement":  # match's block holds case clauses
                for case in child.named_children:
                    out.extend(_nested(case, data))
            else:
                out.extend(_statements(child.children, data))
        elif child.type.endswith("_clause"):
            out.extend(_nested(child, data))
    return out


def _definition(node: Any, data: bytes, decorators: List[ast.expr]) -> ast.stmt:
    name = _text(node.child_by_field_name("name"), data)
    body_node = node.child_by_field_name("body")
    body = _statements(body_node.children, data) if body_node is not None else []
    line = node.start_point[0] + 1
    if node.type == "class_definition":
        made: ast.stmt = ast.ClassDef(name=name, bases=[], keywords=[], body=body, decorator_list=decorators)
    else:
        # Every required field (3.13 warns, 3.15 errors without ``args``); parameters are not read.
        function = ast.AsyncFunctionDef if any(c.type == "async" for c in node.children) else ast.FunctionDef
        made = function(name=name, args=_NO_ARGUMENTS, body=body, decorator_list=decorators, returns=None)
    made.lineno = line
    return made


def _expression(node: Any, data: bytes) -> ast.expr:
    """A decorator expression as ``ast`` would give it, or an anonymous name when ``ast`` cannot."""
    parsed = _parse(f"({_text(node, data)})")
    if parsed and isinstance(parsed[0], ast.Expr):
        return parsed[0].value
    return ast.Name(id="", ctx=ast.Load())


def _expression_statement(node: Any, data: bytes) -> ast.stmt:
    children = node.named_children
    text = _text(node, data)
    if len(children) == 1 and children[0].type in _STRINGS:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # invalid escapes warn; nothing may print
                value = ast.literal_eval(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return ast.Expr(value=ast.Name(id="", ctx=ast.Load()))  # an f-string: not a docstring
        return ast.Expr(value=ast.Constant(value=value))
    if "__all__" in text:
        parsed = _parse(text)
        if parsed and len(parsed) == 1:
            return parsed[0]
        # An __all__ statement ast cannot read: make __all__ undecidable, as a computed one is.
        return ast.AugAssign(target=ast.Name(id="__all__", ctx=ast.Store()), op=ast.Add(),
                             value=ast.Name(id="", ctx=ast.Load()))
    return ast.Pass()


def _parse(text: str) -> Optional[List[ast.stmt]]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
