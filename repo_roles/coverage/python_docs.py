"""Python documentation items from the standard library's ``ast``: parsed, never imported or run.

Two counting modes (``DocOptions.counting``):

``repo-roles`` (default) — what a reviewer would ask to document. "Public" follows pydocstyle:
a leading underscore is private; a literal module-level ``__all__`` decides module-level
publicity; methods of a private class are private; magic methods (``__eq__``, ``__init__``) of a
public class are public; nested functions are never public; a class nested in a function is
not public. Only public, non-exempt items count. Exempt by default: an empty ``__init__.py``
(no statements: a namespace marker has nothing to document), ``@overload`` signatures,
``@override`` implementations (the base documents them), property setters/deleters (the getter
documents the property), and ``__init__`` when its class has a docstring (PEP 257 allows the
class docstring to document the constructor).

``interrogate`` — covered/total equal interrogate 1.7's for the same file and options, quirks
included (nested-ness only between sync ``def``\\ s, ``ignore_nested_classes`` dropping only direct
children, ``docstring_style="google"`` covering both ways). One difference: interrogate counts an
item twice when two ``include_regex`` patterns match it; we count it once.

Walking touches statements only (never expressions), with an explicit stack, so deep code can
neither overflow our recursion nor cost more than one pass over the statements.
"""

from __future__ import annotations

import ast
import codecs
import io
import re
import sys
import tokenize
import warnings
from typing import Dict, List, Optional, Tuple

from repo_roles.coverage.model import (
    DocItem,
    DocOptions,
    FileDocs,
    Problem,
    check_counting,
    compiled_patterns,
    size_or_binary_problem,
)
from repo_roles.coverage.python_treesitter import module_from_treesitter

_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# Statement-list fields that can hold a nested definition (If/For/While/With/Try/Match bodies,
# except handlers, match cases); expression fields can't, so they are never visited.
_BLOCK_FIELDS = frozenset({"body", "orelse", "finalbody", "handlers", "cases"})
_block_fields_cache: Dict[type, Tuple[str, ...]] = {}

# Parser limits, not mistakes: the file may be fine, we just can't read it.
_TOO_DEEP_MESSAGES = ("too many levels of indentation", "too many nested parentheses")

# Syntax this interpreter may not know: (pattern over the rejected line, needs version, feature).
# Consulted only after a SyntaxError, so valid files never pay for it.
_NEWER_SYNTAX: Tuple[Tuple[re.Pattern[str], Tuple[int, int], str], ...] = tuple(
    (re.compile(pattern), version, feature)
    for pattern, version, feature in (
        (r"^\s*(async\s+)?def\s+\w+\s*\[[^\]]*=", (3, 13), "type parameter defaults (PEP 696)"),
        (r"^\s*class\s+\w+\s*\[[^\]]*=", (3, 13), "type parameter defaults (PEP 696)"),
        (r"^\s*type\s+[^\W\d]\w*\s*[\[=]", (3, 12), "the type statement (PEP 695)"),
        (r"^\s*(async\s+)?def\s+\w+\s*\[", (3, 12), "generic functions (PEP 695)"),
        (r"^\s*class\s+\w+\s*\[", (3, 12), "generic classes (PEP 695)"),
        (r"^\s*except\s*\*", (3, 11), "except* (PEP 654)"),
        (r"^\s*(match|case)\b.*:\s*(#.*)?$", (3, 10), "the match statement (PEP 634)"),
        (r"^\s*except\s+[^(\s:][^:]*,", (3, 14), "unparenthesized except lists (PEP 758)"),
        (r"(?<![\w.])[tT][rR]?['\"]", (3, 14), "template strings (PEP 750)"),
    )
)
# Problems tree-sitter's Python grammar may resolve: syntax newer than this interpreter.
_GRAMMAR_FALLBACK = frozenset({"syntax-error", "newer-syntax"})
# Before 3.12 (PEP 701) f-strings could not reuse their quote, hold comments or backslashes.
_FSTRING_PEP701 = ((3, 12), "f-string syntax from PEP 701")


def analyze_python(data: bytes, path: str, options: DocOptions = DocOptions()) -> FileDocs:
    """Documentation items of one Python file (``path`` is POSIX, repo-relative)."""
    check_counting(options)
    problem = size_or_binary_problem(data, options.max_file_size, "Python")
    if problem is None:
        text, problem = _decode(data)
        if problem is None:
            tree, problem = _parse(text)
            if problem is not None and problem[1] in _GRAMMAR_FALLBACK:
                fallback = module_from_treesitter(text)
                if fallback is not None:  # valid in some supported version: count it
                    tree, problem = fallback, None
    if problem is not None:
        return FileDocs(path, "python", (), (problem,))
    defs = _collect(tree)
    folders, stem = _module_parts(path)
    defs[0].kind = "package" if stem == "__init__" else "module"
    defs[0].qualname = ".".join(folders if defs[0].kind == "package" else folders + (stem,))
    # ``__all__`` is spelt out in an ASCII text that assigns it (a non-ASCII identifier may
    # normalise to it, NFKC): without it, no statement is looked at
    dunder_all = _dunder_all(tree) if "__all__" in text or not text.isascii() else None
    public = _publicity(defs, path, dunder_all, folders, stem)
    if options.counting == "interrogate":
        exempt = _interrogate_exempt(defs, path, options)
    else:
        exempt = _repo_roles_exempt(defs, path, options, public, not tree.body)
    items = tuple(
        DocItem(d.qualname, d.kind, d.line, public[i], d.documented, exempt[i], d.end_line)
        for i, d in enumerate(defs)
    )
    return FileDocs(path, "python", items, ())


# --- reading -------------------------------------------------------------------------------


def _decode(data: bytes) -> Tuple[str, Optional[Problem]]:
    # The same rules as the interpreter: UTF-8 by default, a BOM, or a PEP 263 coding cookie.
    first_lines = data[:data.find(b"\n", data.find(b"\n") + 1) + 1 or len(data)]
    if b"coding" not in first_lines and first_lines.isascii():
        # No BOM and no cookie in the lines a cookie may take (tokenize.detect_encoding would
        # answer "utf-8"): decode directly, which warns about nothing.
        try:
            return data.decode("utf-8"), None
        except UnicodeDecodeError:
            pass  # the exact message comes from the general path below
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:  # unknown cookie, or a cookie contradicting the BOM
        return "", (getattr(error, "lineno", None) or 1, "encoding", str(error.msg or error))
    try:
        # A cookie may name unicode_escape & co, whose DeprecationWarnings about the scanned
        # file's bad escapes must not reach our stderr.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            text = codecs.decode(data, encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return "", (line, "encoding", f"not valid {encoding}: {error.reason} at byte {error.start}")
    except Exception as error:  # noqa: BLE001 - a cookie may name any codec (hex, zlib…)
        return "", (1, "encoding", f"cannot decode as {encoding}: {type(error).__name__}")
    if not isinstance(text, str):  # bytes-to-bytes codecs "succeed" with bytes
        return "", (1, "encoding", f"{encoding} is not a text encoding")
    return text, None


# What ``warnings.simplefilter("ignore")`` puts first in the filters: every warning ignored.
_IGNORE_ALL = ("ignore", None, Warning, None, 0)


def _parse(text: str) -> Tuple[Optional[ast.Module], Optional[Problem]]:
    try:
        if warnings.filters[:1] == [_IGNORE_ALL]:  # already (a worker's group, analyze._Reader)
            return ast.parse(text), None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes etc. warn; nothing may print
            return ast.parse(text), None
    except SyntaxError as error:
        return None, _syntax_problem(error, text)
    except (RecursionError, MemoryError):
        return None, (0, "too-deep", "nested too deeply for the Python parser")
    except ValueError as error:  # NUL bytes on some versions (we check first, but be safe)
        return None, (0, "binary", str(error))


def _syntax_problem(error: SyntaxError, text: str) -> Problem:
    line = error.lineno or 0
    message = error.msg or "invalid syntax"
    if message in _TOO_DEEP_MESSAGES or message.startswith("too many statically nested"):
        return (line, "too-deep", message)
    source_line = error.text
    if source_line is None and 0 < line:
        lines = text.splitlines()
        source_line = lines[line - 1] if line <= len(lines) else ""
    running = sys.version_info[:2]
    here = f"{running[0]}.{running[1]}"
    for pattern, version, feature in _NEWER_SYNTAX:
        if running < version and pattern.search(source_line or ""):
            return (line, "newer-syntax", f"{feature} needs Python {version[0]}.{version[1]}; this is {here}")
    if message.startswith("f-string") and running < _FSTRING_PEP701[0]:
        return (line, "newer-syntax", f"{message}: may be {_FSTRING_PEP701[1]} (Python 3.12); this is {here}")
    return (line, "syntax-error", message)


# --- collecting ----------------------------------------------------------------------------


class _Def:
    """One definition as found in the tree; index 0 is always the module."""

    __slots__ = ("node_type", "name", "qualname", "kind", "line", "documented", "parent", "decorators", "end_line")

    def __init__(self, node_type: str, name: str, qualname: str, kind: str, line: int,
                 documented: bool, parent: int, decorators: Tuple[ast.expr, ...]) -> None:
        self.node_type = node_type  # the ast class name: Module, ClassDef, FunctionDef, AsyncFunctionDef
        self.name = name
        self.qualname = qualname
        self.kind = kind
        self.line = line
        self.documented = documented
        self.parent = parent  # index of the nearest enclosing definition; -1 for the module
        self.decorators = decorators
        self.end_line: Optional[int] = None  # the signature's last line, when after ``line``


def _has_docstring(body: List[ast.stmt]) -> bool:
    # ast.get_docstring's test, without cleandoc: a non-blank string stays non-blank after it.
    if body and isinstance(body[0], ast.Expr):
        value = body[0].value
        return isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value.strip() != ""
    return False


def _signature_end(node: ast.AST) -> Optional[int]:
    """The last line of a definition's signature (a blank docstring included), None when it is
    the definition's own line: the line before the body, or the body's first string."""
    first = node.body[0]  # type: ignore[attr-defined]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        end = getattr(first, "end_lineno", None) or first.lineno
    else:
        end = first.lineno - 1
    return end if end > node.lineno else None  # type: ignore[attr-defined]


def _block_fields(node_type: type) -> Tuple[str, ...]:
    fields = _block_fields_cache.get(node_type)
    if fields is None:
        # Reversed: children are pushed on a stack, so the first field must be pushed last.
        fields = tuple(f for f in reversed(node_type._fields) if f in _BLOCK_FIELDS)
        _block_fields_cache[node_type] = fields
    return fields


def _may_hold_defs(node_type: type) -> bool:
    """Whether a node of this type is a definition or has a statement list that may hold one."""
    return issubclass(node_type, _DEFS) or bool(_block_fields(node_type))


# Every node type of ``ast`` -> whether :func:`_collect` must look inside it.  Simple statements
# (imports, assignments, expressions: most of a module's top level) hold no definition, so they
# are never pushed on the stack; a type not listed here (none the parser makes) is looked at.
_HOLDS_DEFS: Dict[type, bool] = {
    value: _may_hold_defs(value) for value in vars(ast).values()
    if isinstance(value, type) and issubclass(value, ast.AST)
}


def _collect(tree: ast.Module) -> List[_Def]:
    """All definitions in source pre-order (interrogate's visiting order)."""
    defs = [_Def("Module", "", "", "module", 1, _has_docstring(tree.body), -1, ())]
    holds = _HOLDS_DEFS
    stack: List[Tuple[ast.AST, int]] = [(stmt, 0) for stmt in reversed(tree.body) if holds.get(type(stmt), True)]
    while stack:
        node, parent = stack.pop()
        if isinstance(node, _DEFS):
            parent_def = defs[parent]
            is_class = isinstance(node, ast.ClassDef)
            if parent_def.node_type == "Module":
                kind, qualname = ("class" if is_class else "function"), node.name
            else:
                in_class = parent_def.node_type == "ClassDef"
                kind = "nested_class" if is_class else ("method" if in_class else "nested_function")
                qualname = f"{parent_def.qualname}.{node.name}"
            index = len(defs)
            defs.append(_Def(type(node).__name__, node.name, qualname, kind, node.lineno,
                             _has_docstring(node.body), parent, tuple(node.decorator_list)))
            defs[-1].end_line = _signature_end(node)
            stack.extend((child, index) for child in reversed(node.body) if holds.get(type(child), True))
            continue
        for field in _block_fields(type(node)):
            stack.extend((child, parent) for child in reversed(getattr(node, field)) if holds.get(type(child), True))
    return defs


# --- publicity (pydocstyle's rules) --------------------------------------------------------


def _dunder_all(tree: ast.Module) -> Optional[frozenset]:
    """A literal module-level ``__all__``; None when absent or not a literal of strings."""
    names: Optional[List[str]] = None
    for stmt in tree.body:
        value: Optional[ast.expr] = None
        if isinstance(stmt, ast.Assign) and any(_is_name(t, "__all__") for t in stmt.targets):
            names, value = [], stmt.value
        elif isinstance(stmt, ast.AnnAssign) and _is_name(stmt.target, "__all__") and stmt.value is not None:
            names, value = [], stmt.value
        elif isinstance(stmt, ast.AugAssign) and _is_name(stmt.target, "__all__"):
            value = stmt.value
        elif (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
              and isinstance(stmt.value.func, ast.Attribute) and _is_name(stmt.value.func.value, "__all__")
              and stmt.value.func.attr in ("extend", "append") and len(stmt.value.args) == 1):
            value = stmt.value.args[0]
            if stmt.value.func.attr == "append":
                value = ast.Tuple(elts=[value], ctx=ast.Load())
        else:
            continue
        strings = _literal_strings(value)
        if strings is None or names is None:
            return None  # computed or extended before being defined: undecidable
        names.extend(strings)
    return frozenset(names) if names is not None else None


def _is_name(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _literal_strings(node: Optional[ast.expr]) -> Optional[List[str]]:
    if not isinstance(node, (ast.List, ast.Tuple)):
        return None
    out = []
    for element in node.elts:
        if not (isinstance(element, ast.Constant) and isinstance(element.value, str)):
            return None
        out.append(element.value)
    return out


def _public_name(name: str) -> bool:
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))


def _module_parts(path: str) -> Tuple[Tuple[str, ...], str]:
    """``(folders, stem)`` of a repository path as ``PurePosixPath`` gives them (``parts[:-1]``
    and ``stem``), by string operations: pathlib costs ~40 µs a file on a cold run."""
    parts = [part for part in path.split("/") if part and part != "."]
    name = parts.pop() if parts else ""
    dot = name.rfind(".")
    return tuple(parts), name[:dot] if 0 < dot < len(name) - 1 else name


def _publicity(defs: List[_Def], path: str, dunder_all: Optional[frozenset],
               folders: Optional[Tuple[str, ...]] = None, stem: Optional[str] = None) -> List[bool]:
    if folders is None or stem is None:
        folders, stem = _module_parts(path)
    public = [all(_public_name(part) for part in folders) and _public_name(stem)]
    for d in defs[1:]:
        parent = defs[d.parent]
        if d.kind in ("class", "function"):
            value = d.name in dunder_all if dunder_all is not None else not d.name.startswith("_")
        elif d.kind == "method":
            # A setter/deleter of property `x` is decorated `@x.setter`: pydocstyle calls it private.
            accessor = bool(d.decorators) and any(isinstance(dec, ast.Attribute) and _is_name(dec.value, d.name)
                                                  for dec in d.decorators)
            value = public[d.parent] and not accessor and _public_name(d.name)
        elif d.kind == "nested_class":
            value = parent.node_type == "ClassDef" and public[d.parent] and not d.name.startswith("_")
        else:
            value = False  # nested functions: pydocstyle never requires their docstrings
        public.append(value)
    return public


# --- decorators and names ------------------------------------------------------------------


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def _decorated(d: _Def, names: Tuple[str, ...]) -> bool:
    return any(_dotted(dec) in names for dec in d.decorators)


def _is_setter(d: _Def, deleters: bool) -> bool:
    attrs = ("setter", "deleter") if deleters else ("setter",)
    return any(isinstance(dec, ast.Attribute) and dec.attr in attrs for dec in d.decorators)


def _is_property(d: _Def) -> bool:
    # interrogate: a bare `@property`, or any `@<x>.setter` / `@<x>.deleter`.
    return any(_is_name(dec, "property") or (isinstance(dec, ast.Attribute) and dec.attr in ("setter", "deleter"))
               for dec in d.decorators)


def _matches(name: str, patterns: Tuple[str, ...]) -> bool:
    return any(regex.match(name) for regex in compiled_patterns(patterns))


def _option_reason(d: _Def, options: DocOptions, interrogate: bool) -> Optional[str]:
    """Why an option removes this definition and everything inside it (interrogate's visitor)."""
    name = d.name
    decorated = bool(d.decorators)  # the decorator tests below all answer no without one (most defs)
    if d.node_type != "ClassDef":
        if options.ignore_init_method and name == "__init__":
            return "init-method"
        if options.ignore_magic and name.startswith("__") and name.endswith("__") and name != "__init__":
            return "magic"
        if decorated:
            if options.ignore_property_decorators and _is_property(d):
                return "property"
            if options.flag("ignore_property_setters") and _is_setter(d, deleters=not interrogate):
                return "property-setter"
            overloads = ("overload", "typing.overload") if interrogate else (
                "overload", "typing.overload", "typing_extensions.overload")
            if options.flag("ignore_overloaded_functions") and _decorated(d, overloads):
                return "overload"
            if options.flag("ignore_overrides") and _decorated(
                    d, ("override", "typing.override", "typing_extensions.override")):
                return "override"
    if decorated and options.ignore_decorators and _decorated(d, options.ignore_decorators):
        return "ignored-decorator"
    if not name.endswith("__"):
        if options.ignore_private and name.startswith("__"):
            return "private"
        if options.ignore_semiprivate and name.startswith("_") and not name.startswith("__"):
            return "semiprivate"
    if options.ignore_regex and _matches(name, options.ignore_regex):
        return "ignore-regex"
    return None


def _is_init_file(path: str) -> bool:
    return path.rpartition("/")[2] == "__init__.py"


# --- counting ------------------------------------------------------------------------------


def _visited(defs: List[_Def], options: DocOptions, interrogate: bool) -> List[Optional[str]]:
    """Option reasons, propagated to everything inside an ignored definition."""
    reasons: List[Optional[str]] = [None] * len(defs)
    for i in range(1, len(defs)):
        parent = defs[i].parent
        if parent > 0 and reasons[parent] is not None:
            reasons[i] = "parent-ignored"
        else:
            reasons[i] = _option_reason(defs[i], options, interrogate)
    return reasons


def _interrogate_exempt(defs: List[_Def], path: str, options: DocOptions) -> List[Optional[str]]:
    """interrogate 1.7's CoverageVisitor + InterrogateCoverage._get_file_coverage, as exemptions."""
    if options.ignore_init_module and _is_init_file(path):
        return ["init-module"] * len(defs)
    reasons = _visited(defs, options, interrogate=True)
    nodes = [i for i in range(len(defs)) if reasons[i] is None]
    if options.ignore_module and len(nodes) == 1:
        reasons[0] = "module-ignored"
        return reasons
    if options.include_regex:
        kept = [i for i in nodes[1:] if _matches(defs[i].name, options.include_regex)]
        for i in set(nodes[1:]) - set(kept):
            reasons[i] = "not-included"
        if not kept:
            reasons[0] = "not-included"  # interrogate drops the whole file
            return reasons
        nodes = [0] + kept
    if options.flag("ignore_nested_functions"):
        nested = {i for i in nodes if defs[i].node_type == "FunctionDef"
                  and i and defs[defs[i].parent].node_type == "FunctionDef"}
        for i in nested:
            reasons[i] = "nested-function"
        nodes = [i for i in nodes if i not in nested]
    if options.ignore_nested_classes:
        nested = {i for i in nodes if defs[i].node_type == "ClassDef"
                  and defs[defs[i].parent].node_type in ("ClassDef", "FunctionDef")}
        children = {i for i in nodes if defs[i].parent in nested}  # direct children only, as interrogate
        for i in nested:
            reasons[i] = "nested-class"
        for i in children:
            reasons[i] = "parent-ignored"
        nodes = [i for i in nodes if i not in nested and i not in children]
    if options.docstring_style == "google":
        for i in nodes:
            d = defs[i]
            if d.node_type == "FunctionDef" and d.name == "__init__":
                parent = defs[d.parent]
                if not d.documented and parent.documented:
                    d.documented = True
                elif d.documented and not parent.documented:
                    parent.documented = True
    if options.ignore_module:
        reasons[0] = "module-ignored"
    return reasons


def _repo_roles_exempt(defs: List[_Def], path: str, options: DocOptions, public: List[bool],
                       empty: bool) -> List[Optional[str]]:
    if options.ignore_init_module and _is_init_file(path):
        return ["init-module"] * len(defs)
    reasons = _visited(defs, options, interrogate=False)
    if options.ignore_module:
        reasons[0] = "module-ignored"
    elif defs[0].kind == "package" and empty:
        reasons[0] = "empty-init"
    elif not public[0]:
        reasons[0] = "private"
    init_documented = {d.parent for d in defs[1:] if d.kind == "method" and d.name == "__init__" and d.documented}
    for i in range(1, len(defs)):
        if reasons[i] is not None:
            continue
        d = defs[i]
        parent_reason = reasons[d.parent] if d.parent > 0 else None
        if parent_reason in ("nested-class", "parent-ignored"):
            reasons[i] = "parent-ignored"
        elif options.include_regex and not _matches(d.name, options.include_regex):
            reasons[i] = "not-included"
        elif d.kind == "nested_function":
            # Not public for pydocstyle; counted only on request, and only inside counted code.
            if options.flag("ignore_nested_functions") or d.name.startswith("_") or parent_reason is not None:
                reasons[i] = "nested-function"
        elif d.kind == "nested_class" and options.ignore_nested_classes:
            reasons[i] = "nested-class"
        elif not public[i]:
            reasons[i] = "private"
        elif d.kind == "method" and d.name == "__init__" and defs[d.parent].documented:
            reasons[i] = "init-covered-by-class"
        elif (d.node_type == "ClassDef" and not d.documented and options.docstring_style == "google"
              and i in init_documented):
            reasons[i] = "documented-in-init"
    return reasons
