"""The facts of one file that test evidence needs, from its bytes alone (no repository context).

``kind_of(path)`` says whether a file matters (by its name only) and ``extract(kind, data)``
returns its facts as JSON-able data, so they can be cached by blob id and computed in the
coverage stage's workers while they hold the bytes anyway:

* ``py-test`` / ``py-conftest`` (pytest's ``test_*.py``, ``*_test.py``, ``conftest.py``): every
  ``import`` / ``from … import`` (absolute and relative, with its line), dotted strings given to
  ``patch``/``setattr``-like calls (``mock.patch("pkg.mod.attr")``), the parameter names of its
  functions (the fixtures a test uses) and, for a conftest, which imports each
  ``@pytest.fixture`` function uses.  Parsed with :mod:`ast`: the code never runs.
* ``py-numbered`` (``0001_x.py``-style names): whether the module defines migration steps —
  ``upgrade()``/``downgrade()`` (Alembic) or ``forwards_*``/``backwards_*`` (Snuba-style).
* ``js-test``: ``import … from``, side-effect ``import``, ``export … from``, ``require()``,
  dynamic ``import()`` and ``jest.mock``/``vi.mock`` specifiers, with lines.
* ``go``: the package clause, imports (path, alias), top-level names a file defines, and for a
  test the identifiers and ``alias.Name`` selectors it uses.
* ``java-test``: package, imports and the identifiers used.
* manifests: ``setup.py`` (does it call ``setup(`` imported from setuptools/distutils?),
  ``pyproject.toml`` (a real project? which package roots?), ``setup.cfg``/``pytest.ini``
  (roots), ``tsconfig.json``/``jsconfig.json`` (``extends``, ``baseUrl``, ``paths``),
  ``package.json`` (``name``, entry fields), ``go.mod`` (module path), ``alembic.ini``.

A file that cannot be parsed yields ``{"error": …}``: its evidence is skipped (the coverage
stage reports it as DOC004).
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any, Dict, List, Optional, Set, Tuple

from repo_roles._compat import tomllib

FACTS_VERSION = 1  # bump when a kind's facts change shape or meaning (part of the cache key)
MAX_SIZE = 1024 * 1024  # larger files yield no evidence (a generated fixture, not a test)

Facts = Dict[str, Any]

_JS_EXTS = ("js", "jsx", "ts", "tsx", "mjs", "cjs", "mts", "cts", "vue")
_JS_TEST = re.compile(r"^.+\.(?:test|spec)\.[cm]?[jt]sx?$")
_NUMBERED = re.compile(r"^(?:[vVmM]_?)?\d{2,}[_a-zA-Z]")
_MANIFEST_KINDS = {
    "setup.py": "setup.py", "pyproject.toml": "pyproject", "setup.cfg": "ini-roots", "pytest.ini": "ini-roots",
    "tox.ini": "ini-roots", "package.json": "package.json", "go.mod": "go.mod", "alembic.ini": "alembic.ini",
}


def kind_of(path: str) -> Optional[str]:
    """The facts kind of ``path`` by its name, or None when test evidence never reads it."""
    directory, _, base = path.rpartition("/")
    kind = _MANIFEST_KINDS.get(base)
    if kind is not None:
        return kind
    stem, dot, ext = base.rpartition(".")
    if not dot:
        return None
    if ext == "py":
        if base == "conftest.py":
            return "py-conftest"
        if stem.startswith("test_") or stem.endswith("_test"):
            return "py-test"
        if _NUMBERED.match(stem):
            return "py-numbered"
        return None
    if ext == "json" and (stem.startswith("tsconfig") or stem.startswith("jsconfig")):
        return "tsconfig"
    if ext in _JS_EXTS:
        if _JS_TEST.match(base) or "__tests__" in directory.split("/"):
            return "js-test"
        return None
    if ext == "go":
        return "go-test" if stem.endswith("_test") else "go"
    if ext in ("java", "kt") and "/src/test/" in f"/{directory}/":
        return "java-test"
    return None


def extract(kind: str, data: bytes, parse_error: Optional[str] = "unknown") -> Facts:
    """The facts of ``data`` read as ``kind`` (see the module doc).

    ``parse_error``: for a Python file the coverage stage has parsed already, its verdict (None:
    it parses; a message: it does not), so the file is not parsed twice; "unknown" parses it.
    """
    if len(data) > MAX_SIZE:
        return {"error": "too large"}
    try:
        if kind in ("py-test", "py-conftest"):
            return _python(data, kind == "py-conftest", parse_error)
        return _EXTRACTORS[kind](data)
    except RecursionError:
        return {"error": "nested too deeply to parse"}


# --- Python ------------------------------------------------------------------------------------
# The facts are read from the text with a few regular expressions (C speed; a walk over the
# syntax tree in Python costs more than the parse itself); ``ast.parse`` only says whether the
# file is valid Python, and reads a conftest's fixtures.  An ``import`` inside a docstring may
# count: it only ever makes a module look tested by that file, never hides one.

_PY_IMPORT = re.compile(rb"^[ \t]*import[ \t]+([\w. \t,]+)", re.MULTILINE)
_PY_FROM = re.compile(rb"^[ \t]*from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import[ \t]*(\([^)]*\)|[^\n#;]*(?:\\\n[^\n#;]*)*)",
                      re.MULTILINE)
_PY_PATCH = re.compile(rb"\b(?:patch|setattr|delattr|patch_object|spy)[ \t]*\([ \t\r\n]*(?:target[ \t]*=[ \t]*)?"
                       rb"[rbuRBU]?['\"]([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)['\"]")
_PY_DEF = re.compile(rb"^[ \t]*(?:async[ \t]+)?def[ \t]+\w+[ \t]*\(([^)]*)\)", re.MULTILINE)
_PY_PARAM = re.compile(rb"(?:^|,)[ \t\r\n]*\**[ \t]*([A-Za-z_]\w*)")
_PY_USEFIXTURES = re.compile(rb"usefixtures\(([^)]*)\)")
_PY_STRING = re.compile(rb"['\"]([A-Za-z_]\w*)['\"]")


def _parse(data: bytes) -> "ast.AST":
    return ast.parse(data)


def _names(text: bytes) -> List[str]:
    out = []
    for part in text.strip(b"()\\ \t\r\n").replace(b"\\\n", b" ").split(b","):
        words = part.split()
        if words:
            out.append(words[0].strip(b"()").decode("utf-8", "replace"))
    return [n for n in out if n]


def _python(data: bytes, conftest: bool = False, parse_error: Optional[str] = "unknown") -> Facts:
    tree = None
    if parse_error == "unknown" or conftest:
        try:
            tree = _parse(data)
            parse_error = None
        except (SyntaxError, ValueError, MemoryError) as exc:
            parse_error = f"cannot be parsed (line {getattr(exc, 'lineno', None) or 0})"
    if parse_error is not None:
        return {"error": parse_error}
    lines = _LineCounter(data)
    imports: List[list] = []  # [module, level, [names] or None, line]
    for m in _PY_IMPORT.finditer(data):
        line = lines.at(m.start())
        for name in _names(m.group(1)):
            imports.append([name, 0, None, line])
    for m in _PY_FROM.finditer(data):
        names = _names(m.group(3))
        if names:
            imports.append([m.group(2).decode("utf-8", "replace"), len(m.group(1)), names, lines.at(m.start())])
    imports.sort(key=lambda r: r[3])
    patches = [[m.group(1).decode(), lines.at(m.start())] for m in _PY_PATCH.finditer(data)]
    params: Set[str] = set()
    for m in _PY_DEF.finditer(data):
        params.update(p.decode() for p in _PY_PARAM.findall(m.group(1)))
    for m in _PY_USEFIXTURES.finditer(data):
        params.update(p.decode() for p in _PY_STRING.findall(m.group(1)))
    facts: Facts = {"imports": imports, "patches": patches, "params": sorted(params)}
    if conftest and tree is not None:
        facts["fixtures"] = _fixtures(tree, imports)
    return facts


class _LineCounter:
    """1-based line numbers of offsets asked in increasing order (one pass over the text)."""

    def __init__(self, data: bytes) -> None:
        self._data, self._offset, self._line = data, 0, 1

    def at(self, offset: int) -> int:
        if offset < self._offset:
            self._offset, self._line = 0, 1
        self._line += self._data.count(b"\n", self._offset, offset)
        self._offset = offset
        return self._line


def _index_of(imports: List[list], module: str, line: int) -> int:
    for i, record in enumerate(imports):
        if record[0] == module and record[3] == line:
            return i
    return -1


def _fixtures(tree: "ast.AST", imports: List[list]) -> Dict[str, List[int]]:
    """``@pytest.fixture`` function name -> indexes (in ``imports``) of the imports it uses."""
    bound: Dict[str, int] = {}  # module-level name -> index in imports
    for node in getattr(tree, "body", ()):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound[alias.asname or alias.name.partition(".")[0]] = _index_of(imports, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            index = _index_of(imports, node.module or "", node.lineno)
            for alias in node.names:
                bound[alias.asname or alias.name] = index
    out: Dict[str, List[int]] = {}
    for node in getattr(tree, "body", ()):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if not any("fixture" in ast.dump(d) for d in node.decorator_list):
            continue
        used: Set[int] = set()
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name) and inner.id in bound:
                used.add(bound[inner.id])
            elif isinstance(inner, (ast.Import, ast.ImportFrom)):
                module = inner.names[0].name if isinstance(inner, ast.Import) else (inner.module or "")
                used.add(_index_of(imports, module, inner.lineno))
        out[node.name] = sorted(i for i in used if i >= 0)
    return out


_MIGRATION_DEF = re.compile(rb"^[ \t]*def[ \t]+(?:upgrade|downgrade|forwards_\w*|backwards_\w*)[ \t]*\(", re.MULTILINE)


def _numbered(data: bytes) -> Facts:
    return {"migration": _MIGRATION_DEF.search(data) is not None}


# --- JavaScript / TypeScript ---------------------------------------------------------------------

_JS_SPEC = re.compile(
    r"""(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*|\b(?:jest|vi)\.(?:mock|requireActual)\s*\(\s*)"""
    r"""(['"`])([^'"`\n]+)\1"""
)


def _js(data: bytes) -> Facts:
    text = data.decode("utf-8", "replace")
    specs = []
    for m in _JS_SPEC.finditer(text):
        specs.append([m.group(2), text.count("\n", 0, m.start()) + 1])
    return {"specs": specs}


# --- Go ------------------------------------------------------------------------------------------

_GO_PACKAGE = re.compile(rb"^package[ \t]+(\w+)", re.MULTILINE)
_GO_IMPORT_ONE = re.compile(rb'^import[ \t]+(?:(\w+|\.)[ \t]+)?"([^"]+)"', re.MULTILINE)
_GO_IMPORT_BLOCK = re.compile(rb"^import[ \t]*\((.*?)^\)", re.MULTILINE | re.DOTALL)
_GO_IMPORT_LINE = re.compile(rb'^[ \t]*(?:(\w+|\.)[ \t]+)?"([^"]+)"', re.MULTILINE)
_GO_FUNC = re.compile(rb"^func[ \t]*(?:\([^)]*\)[ \t]*)?(\w+)", re.MULTILINE)
_GO_DECL = re.compile(rb"^(?:type|var|const)[ \t]+(\w+)", re.MULTILINE)
_GO_BLOCK = re.compile(rb"^(?:type|var|const)[ \t]*\((.*?)^\)", re.MULTILINE | re.DOTALL)
_GO_BLOCK_NAME = re.compile(rb"^[ \t]+(\w+)", re.MULTILINE)
_GO_COMMENTS = re.compile(rb"//[^\n]*|/\*.*?\*/", re.DOTALL)
_GO_STRINGS = re.compile(rb'"(?:\\.|[^"\\\n])*"|`[^`]*`')
_IDENT = re.compile(rb"[A-Za-z_]\w*")
_SELECTOR = re.compile(rb"\b([A-Za-z_]\w*)\.([A-Za-z_]\w*)")
_GO_NOT_NAMES = frozenset({"_", "init", "main"})


def _go(data: bytes, test: bool = False) -> Facts:
    code = _GO_COMMENTS.sub(b" ", data)
    package = _GO_PACKAGE.search(code)
    imports = [[path.decode("utf-8", "replace"), (alias or b"").decode()]
               for alias, path in _GO_IMPORT_ONE.findall(code)]
    for block in _GO_IMPORT_BLOCK.findall(code):
        imports += [[path.decode("utf-8", "replace"), (alias or b"").decode()]
                    for alias, path in _GO_IMPORT_LINE.findall(block)]
    names = set(_GO_FUNC.findall(code)) | set(_GO_DECL.findall(code))
    for block in _GO_BLOCK.findall(code):
        names.update(_GO_BLOCK_NAME.findall(block))
    facts: Facts = {
        "package": package.group(1).decode() if package else "",
        "imports": imports,
        "defines": sorted(n.decode() for n in names if n.decode() not in _GO_NOT_NAMES),
    }
    if test:  # what a test refers to: every identifier, and every ``alias.Name`` selector
        bare = _GO_STRINGS.sub(b" ", code)
        facts["uses"] = sorted({i.decode() for i in _IDENT.findall(bare)})
        facts["selectors"] = sorted({f"{a.decode()}.{b.decode()}" for a, b in _SELECTOR.findall(bare)})
    return facts


# --- Java / Kotlin -------------------------------------------------------------------------------

_JAVA_PACKAGE = re.compile(rb"^[ \t]*package[ \t]+([\w.]+)", re.MULTILINE)
_JAVA_IMPORT = re.compile(rb"^[ \t]*import[ \t]+(?:static[ \t]+)?([\w.]+(?:\.\*)?)", re.MULTILINE)


def _java(data: bytes) -> Facts:
    code = _GO_COMMENTS.sub(b" ", data)
    package = _JAVA_PACKAGE.search(code)
    return {
        "package": package.group(1).decode() if package else "",
        "imports": [i.decode() for i in _JAVA_IMPORT.findall(code)],
        "uses": sorted({i.decode() for i in _IDENT.findall(_GO_STRINGS.sub(b" ", code)) if i[:1].isupper()}),
    }


# --- manifests -----------------------------------------------------------------------------------


def _setup_py(data: bytes) -> Facts:
    """A packaging script imports ``setup`` from setuptools/distutils and calls it."""
    try:
        tree = _parse(data)
    except (SyntaxError, ValueError, MemoryError):
        return {"packaging": False}
    names: Set[str] = set()
    modules: Set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("setuptools", "distutils"):
            names.update(a.asname or a.name for a in node.names if a.name == "setup")
        elif isinstance(node, ast.Import):
            modules.update(a.asname or a.name for a in node.names
                           if a.name.split(".")[0] in ("setuptools", "distutils"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in names:
                return {"packaging": True}
            if isinstance(func, ast.Attribute) and func.attr == "setup":
                root = func.value
                while isinstance(root, ast.Attribute):
                    root = root.value
                if isinstance(root, ast.Name) and root.id in modules:
                    return {"packaging": True}
    return {"packaging": False}


def _strings(value: object) -> List[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _pyproject(data: bytes) -> Facts:
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return {"project": False, "roots": []}
    tool = doc.get("tool") if isinstance(doc.get("tool"), dict) else {}
    real = isinstance(doc.get("project"), dict) or isinstance(tool.get("poetry"), dict) \
        or isinstance(doc.get("build-system"), dict)
    roots: List[str] = []
    setuptools = tool.get("setuptools") if isinstance(tool.get("setuptools"), dict) else {}
    packages = setuptools.get("packages")
    if isinstance(packages, dict) and isinstance(packages.get("find"), dict):
        roots += _strings(packages["find"].get("where"))
    package_dir = setuptools.get("package-dir")
    if isinstance(package_dir, dict):
        roots += _strings(package_dir.get(""))
    poetry = tool.get("poetry") if isinstance(tool.get("poetry"), dict) else {}
    for entry in poetry.get("packages", []) if isinstance(poetry.get("packages"), list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("from"), str):
            roots.append(entry["from"])
    pytest = tool.get("pytest") if isinstance(tool.get("pytest"), dict) else {}
    options = pytest.get("ini_options") if isinstance(pytest.get("ini_options"), dict) else {}
    roots += _strings(options.get("pythonpath"))
    return {"project": bool(real), "roots": roots}


def _ini_roots(data: bytes) -> Facts:
    import configparser  # setup.cfg files only: most runs read none

    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read_string(data.decode("utf-8", "replace"))
    except configparser.Error:
        return {"roots": []}
    roots: List[str] = []
    for section, key in (("options.packages.find", "where"), ("tool:pytest", "pythonpath"),
                         ("pytest", "pythonpath")):
        if parser.has_option(section, key):
            roots += parser.get(section, key).split()
    if parser.has_option("options", "package_dir"):
        for line in parser.get("options", "package_dir").splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "" and value.strip():
                roots.append(value.strip())
    return {"roots": roots}


_JSONC_TOKENS = re.compile(r'("(?:\\.|[^"\\])*")|//[^\n]*|/\*.*?\*/', re.DOTALL)
_TRAILING_COMMA = re.compile(r'("(?:\\.|[^"\\])*")|,(\s*[}\]])')


def load_jsonc(data: bytes) -> object:
    """JSON with comments and trailing commas (``tsconfig.json``); raises ValueError."""
    text = data.decode("utf-8-sig")
    text = _JSONC_TOKENS.sub(lambda m: m.group(1) or " ", text)
    text = _TRAILING_COMMA.sub(lambda m: m.group(1) or m.group(2), text)
    return json.loads(text)


def _tsconfig(data: bytes) -> Facts:
    try:
        doc = load_jsonc(data)
    except (ValueError, UnicodeDecodeError):
        return {"error": "not valid JSON"}
    if not isinstance(doc, dict):
        return {"error": "not a JSON object"}
    options = doc.get("compilerOptions") if isinstance(doc.get("compilerOptions"), dict) else {}
    paths = options.get("paths") if isinstance(options.get("paths"), dict) else {}
    return {
        "extends": _strings(doc.get("extends")),
        "baseUrl": options.get("baseUrl") if isinstance(options.get("baseUrl"), str) else None,
        "paths": {k: _strings(v) for k, v in paths.items() if isinstance(k, str)},
    }


def _package_json(data: bytes) -> Facts:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        return {"name": None}
    if not isinstance(doc, dict):
        return {"name": None}
    entries = [doc[k] for k in ("source", "module", "main", "types") if isinstance(doc.get(k), str)]
    return {"name": doc.get("name") if isinstance(doc.get("name"), str) else None, "entries": entries}


_GO_MODULE = re.compile(rb"^module[ \t]+\"?([^\s\"]+)", re.MULTILINE)


def _go_mod(data: bytes) -> Facts:
    m = _GO_MODULE.search(data)
    return {"module": m.group(1).decode("utf-8", "replace") if m else None}


_ALEMBIC_LOCATION = re.compile(rb"^[ \t]*script_location[ \t]*[=:][ \t]*(\S+)", re.MULTILINE)


def _alembic_ini(data: bytes) -> Facts:
    m = _ALEMBIC_LOCATION.search(data)
    return {"script_location": m.group(1).decode("utf-8", "replace") if m else None}


_EXTRACTORS = {
    "py-numbered": _numbered,
    "js-test": _js,
    "go": _go,
    "go-test": lambda data: _go(data, test=True),
    "java-test": _java,
    "setup.py": _setup_py,
    "pyproject": _pyproject,
    "ini-roots": _ini_roots,
    "tsconfig": _tsconfig,
    "package.json": _package_json,
    "go.mod": _go_mod,
    "alembic.ini": _alembic_ini,
}

KINDS: Tuple[str, ...] = tuple(_EXTRACTORS)
