"""Shared tree-sitter plumbing for the non-Python analyzers: grammars, reading, parsing, comments.

The grammars come from the per-language wheels on PyPI (``tree-sitter-go``, ``-javascript``,
``-typescript``, ``-java``), installed with the ``repo-roles[languages]`` extra. They are optional:
when a wheel (or ``tree-sitter`` itself) is missing or too old for the grammar's ABI, the file gets
one ``not-analysed`` problem instead of a crash, and the rest of the report goes on.

Each ``Language`` is built once per process and each ``Parser`` once per thread (a parser is
stateful, a language is not). Nothing here recurses over the tree: the first syntax error is
found with an explicit stack that only descends into subtrees that contain one.
"""

from __future__ import annotations

import importlib
import re
import threading
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from repo_roles.coverage.model import DocItem, DocOptions, FileDocs, Problem, compiled_patterns, size_or_binary_problem

INSTALL_HINT = "install repo-roles[languages]"
from repo_roles.coverage.model import NOT_ANALYSED  # noqa: E402  (no grammar on this install)

# grammar name -> (module of the PyPI wheel, function returning the language pointer)
GRAMMARS: Dict[str, Tuple[str, str]] = {
    "go": ("tree_sitter_go", "language"),
    "java": ("tree_sitter_java", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "c": ("tree_sitter_c", "language"),
    "cpp": ("tree_sitter_cpp", "language"),
    "rust": ("tree_sitter_rust", "language"),
    "c_sharp": ("tree_sitter_c_sharp", "language"),
    "kotlin": ("tree_sitter_kotlin", "language"),
    "ruby": ("tree_sitter_ruby", "language"),
    "php": ("tree_sitter_php", "language_php"),
    "python": ("tree_sitter_python", "language"),
}

_WORDS = re.compile(r"[^\s/*]")
# Generated-file markers in a file's leading comments: Go's convention (go.dev/s/generatedcode),
# protoc's "DO NOT EDIT!", and the ``@generated`` tag (Phabricator, GitHub Linguist).
_GENERATED = re.compile(r"DO NOT EDIT|@generated\b")
# Inside a function body, a line starting in column 0 with something other than ``}``, a
# preprocessor line or a comment is a top-level declaration that the error recovery swallowed.
_SWALLOWED = re.compile(rb"\n[^\s}#/]")
_languages: Dict[str, Any] = {}
_failures: Dict[str, str] = {}  # grammar -> why it cannot load (asked once, remembered)
_local = threading.local()
_lock = threading.Lock()


class GrammarUnavailable(Exception):
    """The grammar (or tree-sitter itself) is not installed or not loadable here."""


def _language(grammar: str) -> Any:
    found = _languages.get(grammar)
    if found is not None:
        return found
    with _lock:
        if grammar in _failures:
            raise GrammarUnavailable(_failures[grammar])
        module_name, function = GRAMMARS[grammar]
        try:
            from tree_sitter import Language

            pointer = getattr(importlib.import_module(module_name), function)()
            found = Language(pointer)
        except ImportError as error:
            _failures[grammar] = f"{error.name or module_name} is not installed; {INSTALL_HINT}"
            raise GrammarUnavailable(_failures[grammar]) from None
        except (ValueError, TypeError, AttributeError) as error:  # ABI too new/old for the binding
            _failures[grammar] = f"cannot load the {grammar} grammar ({error}); {INSTALL_HINT}"
            raise GrammarUnavailable(_failures[grammar]) from None
        _languages[grammar] = found
        return found


def parser_for(grammar: str) -> Any:
    """This thread's parser for ``grammar``; raises :class:`GrammarUnavailable`."""
    parsers = getattr(_local, "parsers", None)
    if parsers is None:
        parsers = _local.parsers = {}
    parser = parsers.get(grammar)
    if parser is None:
        from tree_sitter import Parser

        language = _language(grammar)
        try:
            parser = parsers[grammar] = Parser(language)
        except ValueError as error:  # tree-sitter < 0.25 rejects ABI-15 grammars (the 0.25 wheels) here
            with _lock:
                _failures[grammar] = f"cannot load the {grammar} grammar ({error}); {INSTALL_HINT}"
                _languages.pop(grammar, None)
            raise GrammarUnavailable(_failures[grammar]) from None
    return parser


def grammar_available(grammar: str) -> bool:
    """Whether ``grammar`` loads on this install (tests and ``--show-settings`` ask)."""
    try:
        parser_for(grammar)
    except GrammarUnavailable:
        return False
    return True


def check_source(data: bytes, options: DocOptions, language: str) -> Tuple[bytes, Optional[Problem]]:
    """Size, NUL and UTF-8 checks before parsing; returns the bytes to parse (BOM removed).

    Go, JavaScript/TypeScript and (since JDK 18, JEP 400) Java sources are UTF-8: other bytes
    are an ``encoding`` problem, never guessed at.
    """
    problem = size_or_binary_problem(data, options.max_file_size, language)
    if problem is not None:
        return data, problem
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return data, (line, "encoding", f"not valid UTF-8: {error.reason} at byte {error.start}")
    if data.startswith(b"\xef\xbb\xbf"):
        data = b"   " + data[3:]  # same length: byte offsets and columns stay put
    return data, None


def parse(data: bytes, grammar: str, bodies: Tuple[str, ...] = ()) -> Tuple[Any, Optional[Problem]]:
    """The root node, or a ``syntax-error`` problem at the first ERROR/MISSING node.

    A file with a syntax error counts nothing (see ``model.PROBLEM_CODES``): tree-sitter
    recovers, but what it recovers into is a guess, and a guessed item is a wrong item.
    ``bodies`` names top-level declaration types whose ``body`` may hold an error the grammar
    does not know (syntax newer than the grammar, such as Go 1.26's ``new(expr)``): when every
    error sits inside such a body, which still ends with its own ``}``, the declarations and their
    doc comments are intact and the root is returned.
    """
    return _verdict(parser_for(grammar).parse(data).root_node, data, bodies)


def _verdict(root: Any, data: bytes, bodies: Tuple[str, ...]) -> Tuple[Any, Optional[Problem]]:
    if not root.has_error or (bodies and _errors_only_in_bodies(root, data, bodies)):
        return root, None
    return None, _first_error(root, data)


def parse_tree(data: bytes, grammar: str, bodies: Tuple[str, ...] = ()) -> Tuple[Any, Any, Optional[Problem]]:
    """:func:`parse`, with the tree first: :func:`reparse` parses an edited copy of it again."""
    tree = parser_for(grammar).parse(data)
    root, problem = _verdict(tree.root_node, data, bodies)
    return tree, root, problem


# Edits handed to tree-sitter one by one up to this many; more become one edit over their span.
_MAX_EDITS = 64


def reparse(tree: Any, old: bytes, data: bytes, spans: List[Tuple[int, int]], grammar: str,
            bodies: Tuple[str, ...] = ()) -> Tuple[Any, Any, Optional[Problem]]:
    """:func:`parse_tree` of ``data``, which differs from ``old`` (whose tree is ``tree``, left
    as it is) only inside ``spans`` and has its length: tree-sitter's incremental parse, which
    reads again only around the edits (the C/C++ macro rounds re-parse a header once per
    candidate macro).  Without ``Tree.copy`` (older bindings), a parse from scratch."""
    copy = getattr(tree, "copy", None)
    if copy is None or len(old) != len(data):
        return parse_tree(data, grammar, bodies)
    edited = copy()
    merged: List[List[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    if len(merged) > _MAX_EDITS:
        merged = [[merged[0][0], merged[-1][1]]]
    row = position = 0
    for start, end in merged:  # in order: each in the coordinates the ones before it left
        row += data.count(b"\n", position, start)
        line = data.rfind(b"\n", 0, start) + 1  # the edit's first line starts here in both
        old_line, new_line = old.rfind(b"\n", start, end), data.rfind(b"\n", start, end)
        edited.edit(start_byte=start, old_end_byte=end, new_end_byte=end, start_point=(row, start - line),
                    old_end_point=(row + old.count(b"\n", start, end), end - (old_line + 1 if old_line >= 0 else line)),
                    new_end_point=(row + data.count(b"\n", start, end), end - (new_line + 1 if new_line >= 0 else line)))
        row, position = row + data.count(b"\n", start, end), end
    found = parser_for(grammar).parse(data, edited)
    root, problem = _verdict(found.root_node, data, bodies)
    return found, root, problem


def _errors_only_in_bodies(root: Any, data: bytes, bodies: Tuple[str, ...]) -> bool:
    """Whether every ERROR/MISSING node lies inside the ``body`` of a ``bodies`` declaration (at
    any depth: C++ methods sit in classes in namespaces) that still closes with its own ``}``."""
    stack: List[Any] = [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            return False
        if node.type in bodies:
            body = node.child_by_field_name("body")
            if body is None or body.child_count == 0 or body.children[-1].is_missing or body.children[-1].type != "}":
                return False
            if any(c.has_error or c.is_missing for c in node.children if c.id != body.id):
                return False
            if _SWALLOWED.search(data, body.start_byte, body.end_byte):
                return False  # a later declaration swallowed by the recovery: not a body error
            continue
        stack.extend(child for child in node.children if child.has_error or child.is_missing)
    return True


def _first_error(root: Any, data: bytes) -> Problem:
    stack: List[Any] = [root]
    while stack:
        node = stack.pop()
        if node.is_missing:
            return (line_of(node), "syntax-error", f"missing {node.type!r}")
        if node.type == "ERROR":
            snippet = data[node.start_byte:node.start_byte + 30].split(b"\n", 1)[0].decode("utf-8", "replace")
            return (line_of(node), "syntax-error", f"cannot parse {snippet!r}" if snippet else "invalid syntax")
        # Children in reverse so the leftmost error pops first; only subtrees holding an error.
        stack.extend(child for child in reversed(node.children) if child.has_error or child.is_missing)
    return (line_of(root), "syntax-error", "invalid syntax")


def finish(path: str, language: str, items: List[DocItem], options: DocOptions) -> FileDocs:
    """Apply the name-based options to counted items (``re.match`` on the bare name) and wrap up."""
    if options.ignore_regex or options.include_regex or options.ignore_module:
        ignore, include = compiled_patterns(options.ignore_regex), compiled_patterns(options.include_regex)
        for index, item in enumerate(items):
            if item.exempt is not None:
                continue
            bare = item.name.rsplit(".", 1)[-1]
            if item.kind == "package":
                reason = "module-ignored" if options.ignore_module else None
            elif any(regex.match(bare) for regex in ignore):
                reason = "ignore-regex"
            elif include and not any(regex.match(bare) for regex in include):
                reason = "not-included"
            else:
                continue
            items[index] = item._replace(exempt=reason)
    return FileDocs(path, language, tuple(items), ())


def failed(path: str, language: str, problem: Problem) -> FileDocs:
    """A ``FileDocs`` that holds one problem and no items."""
    return FileDocs(path, language, (), (problem,))


def unavailable(path: str, language: str, error: GrammarUnavailable) -> FileDocs:
    """The language is not analysed on this install: a problem, never an exception."""
    return failed(path, language, (0, NOT_ANALYSED, f"{language} not analysed: {error}"))


def line_of(node: Any) -> int:
    """1-based line of a node's start."""
    return node.start_point[0] + 1


def text_of(node: Any, data: bytes) -> str:
    """The source text of ``node`` (the data was checked to be UTF-8)."""
    return data[node.start_byte:node.end_byte].decode("utf-8", "replace")


def has_words(comment: str) -> bool:
    """Whether a comment says anything beyond its markers (``/** */``, ``//`` are empty)."""
    return _WORDS.search(comment) is not None


def is_doc_block(comment: str) -> bool:
    """A ``/** ... */`` doc comment; ``/**/`` is an empty block comment.

    javac's tokenizer and TypeScript's ``isJSDocLikeText`` agree: ``/**`` not followed by ``/``.
    """
    return comment.startswith("/**") and not comment.startswith("/**/")


def prepare(data: bytes, path: str, options: DocOptions, language: str, grammar: str,
            label: str, bodies: Tuple[str, ...] = (),
            generated_by: Tuple[str, ...] = ()) -> Union[FileDocs, Tuple[Any, bytes]]:
    """``(root node, bytes parsed)``, or the ``FileDocs`` that says why the file is not read:
    too large, binary, not UTF-8, a syntax error, or no grammar on this install.  ``label``
    names the language in messages ("NUL byte: not Go source").  With ``generated_by`` (the
    grammar's comment node types), a file whose leading comments mark it generated is an empty
    ``FileDocs``: it has no items (see :func:`generated`)."""
    data, problem = check_source(data, options, label)
    if problem is not None:
        return failed(path, language, problem)
    try:
        root, problem = parse(data, grammar, bodies)
    except GrammarUnavailable as error:
        return unavailable(path, language, error)
    if problem is not None:
        return failed(path, language, problem)
    if generated_by and generated(root, data, generated_by):
        return FileDocs(path, language)
    return root, data


def generated(root: Any, data: bytes, comments: Tuple[str, ...]) -> bool:
    """Whether the comments before the first declaration mark the file as generated."""
    for child in root.children:
        if child.type in comments:
            if _GENERATED.search(text_of(child, data)):
                return True
        elif child.is_named and not child.type.startswith("preproc") and child.type != "php_tag":
            return False
    return False


def block_doc_siblings(children: List[Any], data: bytes, comments: Tuple[str, ...],
                       skipped: Tuple[str, ...] = (),
                       is_doc: Callable[[str], bool] = is_doc_block) -> List[Tuple[Any, bool]]:
    """Pairs (node, has a doc comment (``is_doc``: ``/** */`` by default) right before it) over
    sibling nodes.

    Comment nodes (of the ``comments`` types) are left out; ``skipped`` node types sit between
    a comment and its declaration without breaking the link (JS/TS decorators); any other
    unnamed node ("{", ";", ",") starts the next declaration fresh.
    """
    out: List[Tuple[Any, bool]] = []
    documented = False
    for child in children:
        if child.type in comments:
            text = text_of(child, data)
            documented = documented or (is_doc(text) and has_words(text))
        elif child.type in skipped:
            continue
        elif not child.is_named:
            documented = False
        else:
            out.append((child, documented))
            documented = False
    return out
