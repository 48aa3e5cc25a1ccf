"""Load ``rules/classify.toml`` once into typed, pre-normalised tables.

The TOML is data written by people; every list is validated here so that a typo in a role name
or a glob fails loudly (``ConfigError`` pointing at the table) instead of classifying silently.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Mapping, NamedTuple, Optional, Tuple

from repo_roles import roles as R
from repo_roles.globs import GlobError, GlobSet, GlobTable
from repo_roles.errors import ConfigError

TABLES_FILE = "classify.toml"
TABLES_SOURCE = f"rules/{TABLES_FILE}"


class PathTable(NamedTuple):
    """Names, extensions, directory names and globs that all mean one ``role``."""

    name: str
    role: str
    dirs: FrozenSet[str]
    filenames: FrozenSet[str]
    extensions: FrozenSet[str]
    globs: GlobTable


class RunnerConvention(NamedTuple):
    name: str
    side: Optional[str]
    dirs: FrozenSet[str]
    globs: Tuple[str, ...]
    beside_tests: FrozenSet[str] = frozenset()  # dirs that are test data next to test files


class LazyRegex:
    """A table's regex with ``re.Pattern``'s ``pattern``, ``flags`` and ``search``, compiled on
    its first search: most runs search a few file heads, or none (every head remembered)."""

    __slots__ = ("pattern", "flags", "_compiled")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern, self.flags = pattern, flags
        self._compiled: Optional["re.Pattern[str]"] = None

    def compiled(self) -> "re.Pattern[str]":
        if self._compiled is None:
            try:
                self._compiled = re.compile(self.pattern, self.flags)
            except re.error as exc:
                raise _fail("generated.headers", f"bad header rule {self.pattern!r}: {exc}") from exc
        return self._compiled

    def search(self, text: str, *args: int) -> Optional["re.Match[str]"]:
        return self.compiled().search(text, *args)


class Header(NamedTuple):
    name: str
    regex: LazyRegex
    # Only files with these extensions (lowercase, no dot); empty: every source file.
    extensions: FrozenSet[str] = frozenset()


class JsPath(NamedTuple):
    glob: str
    role: str
    why: str


class JsTables(NamedTuple):
    extensions: FrozenSet[str]
    directives: Dict[str, str]
    paths: Tuple[JsPath, ...]
    path_globs: GlobSet
    backend_packages: FrozenSet[str]
    frontend_packages: FrozenSet[str]
    node_builtins: FrozenSet[str]
    frontend_dirs: Tuple[str, ...]
    backend_dirs: Tuple[str, ...]
    package_dirs: Tuple[str, ...]  # frontend evidence only inside a non-backend JS package


class TranslationTable(NamedTuple):
    """Message catalogs (by extension) and i18n data files (by folder name and extension)."""

    extensions: FrozenSet[str]
    dirs: FrozenSet[str]
    data_extensions: FrozenSet[str]


class Tables(NamedTuple):
    vendored: PathTable
    generated: PathTable
    headers: Tuple[Header, ...]
    tests: Tuple[RunnerConvention, ...]
    test_globs: GlobTable  # every convention's globs in one regex; test_glob_owner names the owner
    test_glob_owner: Dict[str, RunnerConvention]
    docs: PathTable
    frontend_ui: PathTable
    frontend_assets: PathTable
    template: PathTable
    translation: TranslationTable
    js: JsTables
    manifests: FrozenSet[str]  # lowercase names of non-JS package manifests (backend)
    language: PathTable
    data: PathTable
    interpreter: Tuple[Tuple[str, FrozenSet[str]], ...]  # (role, identify tags), in order
    source: str


def rules_dir() -> Path:
    """The built-in ``rules/`` directory (the one lookup lives in ``config.discovery``)."""
    from repo_roles.config import builtin_rules_dir

    return Path(builtin_rules_dir())


def _fail(key: str, message: str) -> ConfigError:
    return ConfigError(message, file=TABLES_SOURCE, key_path=key)


def _strings(data: Mapping[str, Any], key: str, where: str, *, lower: bool = False) -> List[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(f"{where}.{key}", "expected a list of non-empty strings")
    if lower and any(v != v.lower() for v in value):
        raise _fail(f"{where}.{key}", "entries must be lowercase (matching is case-insensitive)")
    return list(value)


def _role(value: Any, where: str) -> str:
    if value not in R.ROLES:
        raise _fail(where, f"unknown role {value!r}; expected one of {', '.join(R.ROLES)}")
    return str(value)


def _globs(globs: List[str], where: str) -> GlobTable:
    try:
        return GlobTable(globs)
    except GlobError as exc:
        raise _fail(where, str(exc)) from exc


def _ordered_globs(globs: List[str], where: str) -> GlobSet:
    """Globs with different meanings, where list order decides (first match wins)."""
    try:
        return GlobSet(globs)
    except GlobError as exc:
        raise _fail(where, str(exc)) from exc


def _path_table(data: Mapping[str, Any], name: str, role: Optional[str] = None) -> PathTable:
    section = data.get(name, {})
    return PathTable(
        name=name,
        role=_role(section.get("role", role), f"{name}.role"),
        dirs=frozenset(_strings(section, "dirs", name, lower=True)),
        filenames=frozenset(_strings(section, "filenames", name, lower=True)),
        extensions=frozenset(e.lstrip(".") for e in _strings(section, "extensions", name, lower=True)),
        globs=_globs(_strings(section, "globs", name), f"{name}.globs"),
    )


def _headers(data: Mapping[str, Any]) -> Tuple[Header, ...]:
    out = []
    for index, item in enumerate(data.get("generated", {}).get("headers", [])):
        try:
            where = f"generated.headers[{index}]"
            extensions = frozenset(e.lstrip(".") for e in _strings(item, "extensions", where, lower=True))
            # compiled on first search (a bad rule is then a ConfigError naming the table)
            out.append(Header(str(item["name"]), LazyRegex(str(item["regex"]), re.MULTILINE), extensions))
        except KeyError as exc:
            raise _fail(f"generated.headers[{index}]", f"bad header rule: {exc}") from exc
    return tuple(out)


def _tests(data: Mapping[str, Any]) -> Tuple[RunnerConvention, ...]:
    out = []
    for name, section in data.get("tests", {}).get("conventions", {}).items():
        where = f"tests.conventions.{name}"
        side = section.get("side")
        if side is not None and side not in R.SIDES:
            raise _fail(f"{where}.side", f"unknown side {side!r}")
        out.append(
            RunnerConvention(
                name=name,
                side=side,
                dirs=frozenset(_strings(section, "dirs", where, lower=True)),
                globs=tuple(_strings(section, "globs", where)),
                beside_tests=frozenset(_strings(section, "beside-tests", where, lower=True)),
            )
        )
    return tuple(out)


def _js(data: Mapping[str, Any]) -> JsTables:
    section = data.get("js", {})
    paths = tuple(
        JsPath(str(p["glob"]), _role(p.get("role"), f"js.paths[{i}].role"), str(p.get("why", "")))
        for i, p in enumerate(section.get("paths", []))
    )
    packages = section.get("packages", {})
    dirs = section.get("dirs", {})
    return JsTables(
        extensions=frozenset(_strings(section, "extensions", "js", lower=True)),
        directives={k: _role(v, f"js.directives.{k}") for k, v in section.get("directives", {}).items()},
        paths=paths,
        path_globs=_ordered_globs([p.glob for p in paths], "js.paths"),
        backend_packages=frozenset(_strings(packages, "backend", "js.packages")),
        frontend_packages=frozenset(_strings(packages, "frontend", "js.packages")),
        node_builtins=frozenset(_strings(packages, "node-builtins", "js.packages")),
        frontend_dirs=tuple(_strings(dirs, "frontend", "js.dirs", lower=True)),
        backend_dirs=tuple(_strings(dirs, "backend", "js.dirs", lower=True)),
        package_dirs=tuple(_strings(dirs, "frontend-in-package", "js.dirs", lower=True)),
    )


def _translation(data: Mapping[str, Any]) -> TranslationTable:
    section = data.get("translation", {})
    return TranslationTable(
        extensions=frozenset(_strings(section, "extensions", "translation", lower=True)),
        dirs=frozenset(_strings(section, "dirs", "translation", lower=True)),
        data_extensions=frozenset(_strings(section, "data-extensions", "translation", lower=True)),
    )


_INTERPRETER_ROLES = (
    ("backend-logic", R.BACKEND_LOGIC), ("backend-docs", R.BACKEND_DOCS),
    ("frontend-assets", R.FRONTEND_ASSETS), ("config", R.CONFIG),
)


def _interpreter(data: Mapping[str, Any]) -> Tuple[Tuple[str, FrozenSet[str]], ...]:
    """identify's tags per role, in the order they are tried (code, prose, media, config)."""
    section = data.get("interpreter", {})
    unknown = set(section) - {key for key, _ in _INTERPRETER_ROLES}
    if unknown:
        raise _fail(f"interpreter.{sorted(unknown)[0]}", "unknown key")
    return tuple((role, frozenset(_strings(section, key, "interpreter", lower=True)))
                 for key, role in _INTERPRETER_ROLES)


def parse_tables(data: Mapping[str, Any], source: str = TABLES_SOURCE) -> Tables:
    """Validate and normalise the TOML document (a dict) into :class:`Tables`."""
    tests = _tests(data)
    owner = {glob: convention for convention in reversed(tests) for glob in convention.globs}
    return Tables(
        vendored=_path_table(data, "vendored"),
        generated=_path_table(data, "generated"),
        headers=_headers(data),
        tests=tests,
        test_globs=_globs([g for c in tests for g in c.globs], "tests.conventions"),
        test_glob_owner=owner,
        docs=_path_table(data, "docs"),
        frontend_ui=_path_table(data, "frontend-ui"),
        frontend_assets=_path_table(data, "frontend-assets"),
        template=_path_table(data, "template"),
        translation=_translation(data),
        js=_js(data),
        manifests=frozenset(_strings(data.get("manifests", {}), "backend", "manifests", lower=True)),
        language=_path_table(data, "language"),
        data=_path_table(data, "data"),
        interpreter=_interpreter(data),
        source=source,
    )


@functools.lru_cache(maxsize=None)
def load_tables(path: Optional[Path] = None) -> Tables:
    """Read and validate the tables once per process (``path`` defaults to the built-in file;
    as :func:`remember_tables` loaded it, if a run with a cache asked for that first)."""
    if path is None and _REMEMBERED:
        return _REMEMBERED[0]
    from repo_roles._compat import tomllib  # not needed when the tables are remembered

    with open(path or rules_dir() / TABLES_FILE, "rb") as handle:
        return parse_tables(tomllib.load(handle))


_REMEMBERED: List[Tables] = []


def remember_tables() -> None:
    """Load the built-in tables through :mod:`repo_roles.classify.tablecache` (as a former run
    read them, else parsed and kept) for this process's :func:`load_tables`: for a run that uses
    a cache (a ``--no-cache`` run never calls it, and writes nothing)."""
    if _REMEMBERED or load_tables.cache_info().currsize:
        return  # loaded already in this process
    from repo_roles.classify import tablecache
    from repo_roles.globs import know_translations

    with open(rules_dir() / TABLES_FILE, "rb") as handle:
        raw = handle.read()
    digest = tablecache.key(raw)
    found = tablecache.load(digest)
    if found is not None:
        know_translations(found[1])
        _REMEMBERED.append(parse_tables(found[0]))
        return
    from repo_roles._compat import tomllib

    document = tomllib.loads(raw.decode())
    _REMEMBERED.append(parse_tables(document))
    tablecache.store(digest, document)
