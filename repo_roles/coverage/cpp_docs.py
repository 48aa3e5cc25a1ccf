"""C and C++ documentation items: what Doxygen warns about as undocumented, on the public surface.

The public surface of a C/C++ library is its headers (``.h``, ``.hh``, ``.hpp``, ``.hxx``,
``.h++``, ``.inl``): that is what callers include. Items are the declarations there of
functions, classes, structs, unions, enums, typedefs (and ``using`` aliases) and macros, and the
methods and nested types of a class, struct or union. Source files (``.c``, ``.cc``, ``.cpp``…)
have no items: a definition there of something declared in a header is the same entity (Doxygen
merges the two), so it is never counted twice. (A doc comment written only at the ``.c``
definition is not seen from the header: one file is analysed at a time.)

Exempt (items that do not count): ``private`` members (Doxygen's default ``EXTRACT_PRIVATE=NO``
hides them; ``class`` members are private until an access specifier says otherwise,
``struct``/``union`` members public), ``static`` functions (``EXTRACT_STATIC=NO``), anything in
an anonymous namespace (``EXTRACT_ANON_NSPACES=NO``) or in a ``detail``/``internal`` namespace
is not exempt (Doxygen shows them). Include guards (``#ifndef X`` / ``#define X``) are not
macros a reader needs documented; Doxygen skips them too. Out-of-class member definitions
(``void A::f() {}``) belong to the in-class declaration; a prototype and an inline definition with
the same parameter list are one item, overloads are one item each. Destructors and default
constructors are exempt (``"destructor"``, ``"default-constructor"``): Doxygen 1.9 does not
report them undocumented (measured; see the closing note of issue 17). Fields, enum values and variables are
not items: a declaration-level count, like the other languages'.

A doc comment is a Doxygen block (https://www.doxygen.nl/manual/docblocks.html): ``/** … */``,
``/*! … */``, ``///`` or ``//!`` lines with some text before the declaration (any comments,
blank lines and, for templates, the ``template<…>`` head may stand between), or a member
comment ``///<`` / ``//!<`` / ``/**<`` / ``/*!<`` after it. A block holding ``\\file``/``@file``
documents the file, not the next declaration. Generated files (``DO NOT EDIT``, ``@generated`` in
the leading comments) have no items.

The grammar reads source without running the preprocessor, so macros can defeat it: an error
inside a function body is tolerated (the declarations and their comments are intact). Macros at
declaration level — attribute and export macros (``inline Color() ESPHOME_ALWAYS_INLINE : …``,
``API_EXPORT int f();``) and member-generating invocations (``TEMPLATABLE_VALUE(int, delay)`` on
a line of its own) — are read the way Doxygen reads them without ``MACRO_EXPANSION``: as text
that is not a declaration (https://www.doxygen.nl/manual/preprocessing.html). On a syntax error,
the file is parsed again with one macro name blanked everywhere it is used outside comments and
preprocessor lines (with its ``( … )`` arguments; same length, so lines and columns stay): a name
on the error's line (or the line before) that is ``#define``d in the file or written in capitals
(``[A-Z_][A-Z0-9_]{2,}``); a blanking is kept when the error moves on, and the result is used
only when a parse is clean. Any other error leaves the file out with a ``syntax-error`` problem,
shown in the audit.
"""

from __future__ import annotations

import bisect
import re
from pathlib import PurePosixPath
from typing import Any, Dict, List, Optional, Tuple

from repo_roles.coverage.model import DocItem, DocOptions, FileDocs, check_counting
from repo_roles.coverage.treesitter import (
    GrammarUnavailable,
    check_source,
    failed,
    finish,
    generated,
    has_words,
    line_of,
    parse_tree,
    reparse,
    text_of,
    unavailable,
)

HEADERS = frozenset({".h", ".hh", ".hpp", ".hxx", ".h++", ".inl", ".ipp", ".tcc"})
SOURCES = frozenset({".c", ".cc", ".cpp", ".cxx", ".c++"})
_FILE_COMMAND = re.compile(r"[\\@]file\b")
_MEMBER_DOC = ("///<", "//!<", "/**<", "/*!<")
_CONTAINERS = frozenset({
    "preproc_ifdef", "preproc_if", "preproc_else", "preproc_elif", "preproc_elifdef",
    "linkage_specification", "declaration_list",
})
_TYPES = {"class_specifier": "class", "struct_specifier": "struct", "union_specifier": "union",
          "enum_specifier": "enum"}
# Function bodies may hold what the grammar cannot read without a preprocessor (macros,
# some template expressions): the declarations around them are intact (see treesitter.parse).
_BODIES = ("function_definition",)
_WRAPPERS = frozenset({"pointer_declarator", "reference_declarator", "parenthesized_declarator",
                       "attributed_declarator"})


def is_doc_comment(text: str) -> bool:
    """A Doxygen comment block or line: ``/**`` ``/*!`` ``///`` ``//!`` (not ``/**/``, ``////``)."""
    if text.startswith("///"):
        return not text.startswith("////")
    return text.startswith(("//!", "/*!")) or (text.startswith("/**") and not text.startswith("/**/"))


def analyze_c(data: bytes, path: str, options: DocOptions = DocOptions()) -> FileDocs:
    """Documentation items of one C file (headers only; sources have none)."""
    return _analyze(data, path, options, "c")


def analyze_cpp(data: bytes, path: str, options: DocOptions = DocOptions()) -> FileDocs:
    """Documentation items of one C++ file (headers only; sources have none)."""
    return _analyze(data, path, options, "cpp")


def _analyze(data: bytes, path: str, options: DocOptions, language: str) -> FileDocs:
    check_counting(options)
    label = "C" if language == "c" else "C++"
    data, problem = check_source(data, options, label)
    if problem is not None:
        return failed(path, language, problem)
    if PurePosixPath(path).suffix not in HEADERS:
        return FileDocs(path, language)
    try:
        # A ``.h`` header may be C or C++: the C++ grammar first (with declaration-level macros
        # read through), then C (``new``, ``class`` as plain identifiers are valid C).
        tree, root, problem = parse_tree(data, "cpp", _BODIES)
        if problem is not None:
            root, data, second = _without_macros(data, "cpp", problem, tree)
            if second is None:
                problem = None
        if problem is not None and language == "c":
            tree, root, second = parse_tree(data, "c", _BODIES)
            if second is not None:
                root, data, second = _without_macros(data, "c", second, tree)
            problem = None if second is None else problem
    except GrammarUnavailable as error:
        return unavailable(path, language, error)
    if problem is not None:
        return failed(path, language, problem)
    if generated(root, data, ("comment",)):
        return FileDocs(path, language)
    return finish(path, language, _Collector(data).run(root), options)


class _Collector:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.items: List[DocItem] = []
        self.seen: Dict[Tuple[str, str, str], int] = {}

    def run(self, root: Any) -> List[DocItem]:
        # (children, qualified prefix, exempt reason inherited, default access in a class body or None)
        stack: List[Tuple[List[Any], str, Optional[str], Optional[str]]] = [(root.children, "", None, None)]
        while stack:
            children, outer, inherited, access = stack.pop()
            found: List[Tuple[List[Any], str, Optional[str], Optional[str]]] = []
            for node, doc, current in self._with_docs(children, access):
                found.extend(self._node(node, doc, outer, inherited, current, children))
            stack.extend(reversed(found))
        self.items.sort(key=lambda item: item.line)
        return self.items

    def _with_docs(self, children: List[Any], access: Optional[str]) -> List[Tuple[Any, bool, Optional[str]]]:
        out: List[Tuple[Any, bool, Optional[str]]] = []
        documented = False
        for child in children:
            if child.type == "comment":
                text = text_of(child, self.data)
                if text.startswith(_MEMBER_DOC):
                    if out and has_words(text[4:]):
                        node, _, current = out[-1]
                        out[-1] = (node, True, current)
                elif is_doc_comment(text) and has_words(text) and not _FILE_COMMAND.search(text):
                    documented = True
            elif child.type == "access_specifier":
                access = text_of(child, self.data).strip()
                documented = False
            elif not child.is_named:
                if child.type not in (";", ":"):
                    documented = False
            else:
                out.append((child, documented, access))
                documented = False
        return out

    def _add(self, name: str, kind: str, node: Any, doc: bool, exempt: Optional[str], signature: str = "") -> None:
        key = (name, kind, signature)  # overloads differ by their parameter list
        index = self.seen.get(key)
        if index is not None:  # declared twice (a prototype, then an inline definition): one item
            if doc and not self.items[index].documented:
                self.items[index] = self.items[index]._replace(documented=True)
            return
        self.seen[key] = len(self.items)
        self.items.append(DocItem(name, kind, line_of(node), exempt is None, doc, exempt))

    def _node(self, node: Any, doc: bool, outer: str, inherited: Optional[str], access: Optional[str],
              siblings: List[Any]) -> List[Tuple[List[Any], str, Optional[str], Optional[str]]]:
        kind = node.type
        data = self.data
        exempt = inherited or ("private" if access == "private" else None)
        if kind in _CONTAINERS:
            return [(node.children, outer, inherited, access)]
        if kind == "namespace_definition":
            body = node.child_by_field_name("body")
            name = node.child_by_field_name("name")
            if body is None:
                return []
            reason = inherited if name is not None else (inherited or "anonymous-namespace")
            prefix = _join(outer, text_of(name, data)) if name is not None else outer
            return [(body.children, prefix, reason, None)]
        if kind == "template_declaration":  # the comment before ``template<…>`` documents what follows
            inner = [c for c in node.named_children if c.type != "template_parameter_list"]
            return self._node(inner[0], doc, outer, inherited, access, siblings) if inner else []
        if kind in ("preproc_def", "preproc_function_def"):
            name = text_of(node.child_by_field_name("name"), data)
            if not (kind == "preproc_def" and node.child_by_field_name("value") is None and _guard(name, siblings, data)):
                self._add(name, "macro", node, doc, inherited)
            return []
        if kind in ("type_definition", "alias_declaration"):
            name = _typedef_name(node, data)
            spec = node.child_by_field_name("type") if kind == "type_definition" else None
            if spec is not None and spec.type in _TYPES and spec.child_by_field_name("name") is not None \
                    and spec.child_by_field_name("body") is not None:
                # ``typedef struct X { … } Y;``: Doxygen documents (and reports) the struct and
                # the typedef, the typedef at its declarator line; one comment documents both
                found = self._node(spec, doc, outer, inherited, access, siblings)
                declarators = node.children_by_field_name("declarator")
                if name and declarators:
                    self._add(_join(outer, name), "typedef", declarators[-1], doc, exempt)
                return found
            if name:
                self._add(_join(outer, name), "typedef", node, doc, exempt)
            return []
        if kind in _TYPES or (kind in ("declaration", "field_declaration") and _type_child(node) is not None
                              and _declarator(node) is None):
            spec = node if kind in _TYPES else _type_child(node)
            name, body = spec.child_by_field_name("name"), spec.child_by_field_name("body")
            if name is None or body is None:
                return []
            qualified = _join(outer, text_of(name, data))
            self._add(qualified, _TYPES[spec.type], name, doc, exempt)
            if spec.type == "enum_specifier":
                return []
            default = "private" if spec.type == "class_specifier" else "public"
            return [(body.children, qualified, exempt, default)]
        if kind in ("declaration", "field_declaration", "function_definition"):
            declarator = _declarator(node)
            if declarator is None:
                return []
            target = declarator.child_by_field_name("declarator")
            if target is None or (kind == "function_definition" and target.type == "qualified_identifier"):
                return []
            if target.type == "parenthesized_declarator":
                return []  # ``void (*callback)(int);``: a pointer to a function is a variable
            if any(c.type == "storage_class_specifier" and text_of(c, data) == "static" for c in node.children) \
                    and access is None:
                exempt = exempt or "static"
            name = _join(outer, text_of(target, data))
            parameters = declarator.child_by_field_name("parameters")
            signature = "".join(text_of(parameters, data).split()) if parameters is not None else ""
            if access is not None and (target.type == "destructor_name" or (
                    signature in ("()", "(void)") and outer.rpartition("::")[2] == text_of(target, data))):
                exempt = exempt or "destructor" if target.type == "destructor_name" else exempt or "default-constructor"
            self._add(name, "method" if access is not None else "function", target, doc, exempt, signature)
        return []


_DEFINED = re.compile(rb"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)", re.M)
_IDENT = re.compile(rb"\b[A-Za-z_]\w*\b")
_CAPS = re.compile(rb"[A-Z_][A-Z0-9_]{2,}\Z")
_SKIPPED = re.compile(rb"//[^\n]*|/\*.*?\*/|^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", re.S | re.M)  # comments, directives
_MACRO_ROUNDS = 16
_ARGUMENTS_LIMIT = 4000


def _without_macros(data: bytes, grammar: str, problem: Any, tree: Any) -> Tuple[Any, bytes, Any]:
    """``(root, bytes parsed, None)`` once blanking declaration-level macros (see the module
    docs) gives a clean parse, else ``(None, data, the first problem)``.  ``tree``: the parse of
    ``data`` that found ``problem``; each candidate blanking is parsed again incrementally from
    the tree of the text it edits (``treesitter.reparse``), not from scratch."""
    defined = set(_DEFINED.findall(data))
    skipped = [(m.start(), m.end()) for m in _SKIPPED.finditer(data)]  # same offsets in every rewrite
    starts = [start for start, _ in skipped]
    tried: set = set()
    patched = _EXTERN_C.sub(lambda m: m.group(1) + re.sub(rb"[^\n]", b" ", m.group(2)), data)
    if patched == data:  # nothing to blank: the parse the caller made, whose first problem is this
        current = problem
    else:
        tree, root, current = parse_tree(patched, grammar, _BODIES)
        if current is None:
            return root, patched, None
    for _ in range(_MACRO_ROUNDS):
        line = current[0]
        moved = None
        for match in _IDENT.finditer(patched, *_line_range(patched, line)):
            name = match.group(0)
            at = bisect.bisect_right(starts, match.start()) - 1
            if name in tried or not (_CAPS.match(name) or name in defined) or (
                    at >= 0 and match.start() < skipped[at][1]):
                continue
            tried.add(name)
            for keep in (False, True):  # the invocation blanked, or only its name and parentheses
                spans: List[Tuple[int, int]] = []
                candidate = _rewrite_uses(patched, name, skipped, keep, spans)
                candidate_tree, root, second = reparse(tree, patched, candidate, spans, grammar, _BODIES)
                if second is None:
                    return root, candidate, None
                if second[0] > line:
                    moved = candidate, second, candidate_tree
                    break
            if moved is not None:
                break
        if moved is None:
            break
        patched, current, tree = moved
    return None, data, problem


def _line_range(data: bytes, line: int) -> Tuple[int, int]:
    """Byte range of lines ``line - 1`` and ``line`` (1-based)."""
    start = 0
    for _ in range(max(line - 2, 0)):
        start = data.find(b"\n", start) + 1
        if start == 0:
            return len(data), len(data)
    end = start
    for _ in range(2 if line > 1 else 1):
        found = data.find(b"\n", end)
        end = len(data) if found < 0 else found + 1
    return start, end


def _rewrite_uses(data: bytes, name: bytes, skipped: List[Tuple[int, int]], keep_arguments: bool,
                  spans: Optional[List[Tuple[int, int]]] = None) -> bytes:
    """``data`` with every use of macro ``name`` outside comments and directives (``skipped``)
    made blanks, with its ``( … )`` arguments when they follow (balanced, not past ``;``, ``{``,
    ``}``) — or, ``keep_arguments``, with only the name and the parentheses blanked (a macro
    that wraps a type: ``CJSON_PUBLIC(cJSON *)``) — except an invocation first on its line,
    which stays a declaration of that name (:func:`_as_declaration`).  ``spans``, when given,
    receives the byte ranges rewritten (the result has the length of ``data``)."""
    starts = [start for start, _ in skipped]
    changed = spans if spans is not None else []
    out = bytearray(data)
    for match in re.finditer(rb"\b" + re.escape(name) + rb"\b", data):
        at = bisect.bisect_right(starts, match.start()) - 1
        if at >= 0 and match.start() < skipped[at][1]:
            continue
        end = match.end()
        after = end
        while after < len(data) and data[after] in b" \t":
            after += 1
        if after < len(data) and data[after:after + 1] == b"(":
            closing = _closing(data, after)
            if closing is not None:
                declared = _as_declaration(data, match.start(), closing)
                if declared is not None:
                    out[declared[0]:closing] = declared[1]
                    changed.append((declared[0], closing))
                    continue
                if keep_arguments:
                    out[match.start():after + 1] = b" " * (after + 1 - match.start())
                    out[closing - 1] = 0x20
                    changed.extend(((match.start(), after + 1), (closing - 1, closing)))
                    continue
                end = closing
        out[match.start():end] = re.sub(rb"[^\n]", b" ", data[match.start():end])
        changed.append((match.start(), end))
    return bytes(out)


# ``#ifdef __cplusplus`` / ``extern "C" {`` / ``#endif`` and its closing ``}``: braces the grammar
# cannot pair across preprocessor branches, blanked (the declarations between stay)
_EXTERN_C = re.compile(rb'(^[ \t]*#[ \t]*if(?:def[ \t]+__cplusplus|[ \t]+defined[ \t]*\(?[ \t]*__cplusplus[ \t]*\)?)'
                       rb'[^\n]*\n)((?:[ \t]*(?:extern[ \t]+"C"[ \t]*\{?|\{|\})[ \t]*(?://[^\n]*)?\n)+)(?=[ \t]*#[ \t]*endif)',
                       re.M)
_REST_OF_LINE = re.compile(rb"[ \t]*(?://[^\n]*)?(?:\n|\Z)")
_WITH_SEMICOLON = re.compile(rb"[ \t]*;")


def _as_declaration(data: bytes, start: int, end: int) -> Optional[Tuple[int, bytes]]:
    """``NAME(args)`` first on its line, the way Doxygen without ``MACRO_EXPANSION`` reads it: a
    declaration named by the macro. ``(offset, bytes up to end)``: unchanged when a ``;``
    follows, else ``NAME(args);`` one column left (the indentation gives the byte) when nothing
    but a comment follows on the line; None otherwise (then it is blanked)."""
    line = data.rfind(b"\n", 0, start) + 1
    if data[line:start].strip():
        return None  # after something on its line: an attribute position
    if _WITH_SEMICOLON.match(data, end):
        return start, data[start:end]
    if line == start or not _REST_OF_LINE.match(data, end):
        return None
    return start - 1, data[start:end] + b";"


def _closing(data: bytes, at: int) -> Optional[int]:
    """The offset after the ``)`` matching the ``(`` at ``at``; None past ``;``, ``{``, ``}``."""
    depth = 0
    for index in range(at, min(len(data), at + _ARGUMENTS_LIMIT)):
        char = data[index]
        if char == 0x28:
            depth += 1
        elif char == 0x29:
            depth -= 1
            if depth == 0:
                return index + 1
        elif char in (0x3B, 0x7B, 0x7D):
            return None
    return None


def _join(outer: str, name: str) -> str:
    return f"{outer}::{name}" if outer else name


def _type_child(node: Any) -> Optional[Any]:
    spec = node.child_by_field_name("type")
    return spec if spec is not None and spec.type in _TYPES else None


def _declarator(node: Any) -> Optional[Any]:
    """The ``function_declarator`` of a declaration, through pointers and references."""
    for declarator in node.children_by_field_name("declarator"):
        while declarator is not None and declarator.type in _WRAPPERS:
            inner = declarator.child_by_field_name("declarator")
            declarator = inner if inner is not None else (declarator.named_children[-1]
                                                          if declarator.named_children else None)
        if declarator is not None and declarator.type == "function_declarator":
            return declarator
    return None


def _typedef_name(node: Any, data: bytes) -> str:
    if node.type == "alias_declaration":
        name = node.child_by_field_name("name")
        return text_of(name, data) if name is not None else ""
    names = node.children_by_field_name("declarator")
    if not names:
        return ""
    declarator = names[-1]
    while declarator.type not in ("type_identifier", "primitive_type") and declarator.named_children:
        inner = declarator.child_by_field_name("declarator")
        declarator = inner if inner is not None else declarator.named_children[0]
    return text_of(declarator, data)


def _guard(name: str, siblings: List[Any], data: bytes) -> bool:
    """``#define X`` right inside ``#ifndef X``: an include guard."""
    parent = siblings[0].parent if siblings else None
    if parent is None or parent.type != "preproc_ifdef":
        return False
    guarded = parent.child_by_field_name("name")
    return guarded is not None and text_of(guarded, data) == name
