"""Invariants over the whole of rules/classify.toml (identify-style: assert on the data itself)."""

from __future__ import annotations

import itertools
import re
from typing import Dict, Iterator, List, NamedTuple, Optional, Tuple

import pytest

from repo_roles import roles as R
from repo_roles._compat import tomllib
from repo_roles.classify import Classifier, load_tables, rules_dir
from repo_roles.globs import GlobSet
from repo_roles.classify.tables import PathTable, Tables, parse_tables
from repo_roles.config.model import Config
from repo_roles.errors import ConfigError

TABLES: Tables = load_tables()
RAW = tomllib.loads((rules_dir() / "classify.toml").read_text(encoding="utf-8"))
PATH_TABLES: Dict[str, Tuple[PathTable, str]] = {  # table -> (data, the signal that reads it)
    "vendored": (TABLES.vendored, "vendored-path"),
    "generated": (TABLES.generated, "generated"),
    "docs": (TABLES.docs, "docs"),
    "frontend-ui": (TABLES.frontend_ui, "frontend-extension"),
    "frontend-assets": (TABLES.frontend_assets, "frontend-extension"),
    "template": (TABLES.template, "template"),
    "language": (TABLES.language, "language"),
    "data": (TABLES.data, "data-file"),
}


class _Entry(NamedTuple):
    path: str
    kind: str = "file"


class _Inventory:
    def __init__(self, files: Dict[str, str]) -> None:
        self.files = files
        self.entries = [_Entry(p) for p in files]

    def read_head(self, path: str, limit: int = 4096) -> Optional[bytes]:
        return self.files.get(path, "").encode()[:limit]

    def read_bytes(self, path: str, max_size: int) -> Optional[bytes]:
        return self.read_head(path, max_size)

    def attributes(self, names: List[str]) -> Dict[str, Dict[str, str]]:
        return {}


def classify(path: str, content: str = "") -> Tuple[str, str]:
    result = Classifier(Config(), _Inventory({path: content})).classify(path)  # type: ignore[arg-type]
    return result.role, result.signal


def sample(glob: str, ext: str = "zzz") -> str:
    """A path the glob matches: ``*`` → ``x``; a directory glob gets a file inside."""
    path = glob.replace("**/", "").lstrip("/")
    if path.endswith("/"):
        path += f"f.{ext}"
    if path.endswith(".*"):
        path = path[:-1] + ext
    path = re.sub(r"\[(.)[^\]]*\]", r"\1", path)  # a character class: its first character
    return path.replace("*", "x").replace("?", "x")


def all_extensions() -> Iterator[Tuple[str, str]]:
    for name, (table, _) in PATH_TABLES.items():
        for ext in table.extensions:
            yield name, ext
    for ext in TABLES.js.extensions:
        yield "js", ext


# --- vocabulary and spelling -----------------------------------------------------------------------

def test_every_role_named_in_the_tables_is_in_the_vocabulary() -> None:
    named = [table.role for table, _ in PATH_TABLES.values()]
    named += list(TABLES.js.directives.values()) + [p.role for p in TABLES.js.paths]
    assert named and set(named) <= set(R.ROLES)


@pytest.mark.parametrize("bad, message", [
    pytest.param({"docs": {"role": "frontend.manual"}}, "unknown role", id="is-rejected-unknown-role"),
    pytest.param({"data": {"role": "config", "globs": ["a/**b/["]}}, "invalid glob", id="is-rejected-bad-glob"),
    pytest.param({"language": {"role": "backend.logic", "extensions": ["PY"]}}, "lowercase", id="is-rejected-uppercase-extension"),
])
def test_parse_tables_rejects_bad_data(bad: Dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_tables({**RAW, **bad})


def test_a_bad_header_rule_is_a_config_error_when_first_searched() -> None:
    tables = parse_tables({**RAW, "generated": {**RAW["generated"], "headers": [{"name": "x", "regex": "(unclosed"}]}})
    with pytest.raises(ConfigError, match="bad header rule"):
        tables.headers[0].regex.search("any head")


def test_loading_the_tables_compiles_no_regex_until_a_file_needs_one() -> None:
    tables = parse_tables(RAW)
    assert all(h.regex._compiled is None for h in tables.headers)
    assert not {"_names", "_dir_paths", "_paths"} & set(tables.vendored.globs.__dict__)
    # every shipped rule compiles, and the lazy table answers as the globs say
    assert all(h.regex.compiled() is not None for h in tables.headers)
    assert tables.vendored.globs.first("a/Godeps/_workspace/x.go") == "**/Godeps/_workspace/"
    assert tables.vendored.globs.first("src/app.py") is None


def test_parse_tables_accepts_the_shipped_file() -> None:
    assert parse_tables(RAW).docs.role == R.BACKEND_DOCS


def test_extensions_are_lowercase_without_dots() -> None:
    bad = [ext for _, ext in all_extensions() if ext != ext.lower() or "." in ext or not ext]
    assert bad == []


def test_names_and_dirs_are_lowercase() -> None:
    names = [n for table, _ in PATH_TABLES.values() for n in itertools.chain(table.filenames, table.dirs)]
    names += [d for c in TABLES.tests for d in c.dirs] + list(TABLES.js.frontend_dirs + TABLES.js.backend_dirs)
    assert [n for n in names if n != n.lower()] == []


def test_every_extension_belongs_to_exactly_one_table() -> None:
    owners: Dict[str, List[str]] = {}
    for table, ext in all_extensions():
        owners.setdefault(ext, []).append(table)
    assert {ext: tables for ext, tables in owners.items() if len(tables) > 1} == {}


def test_no_file_name_in_two_tables() -> None:
    owners: Dict[str, List[str]] = {}
    for name, (table, _) in PATH_TABLES.items():
        for filename in table.filenames:
            owners.setdefault(filename, []).append(name)
    assert {n: t for n, t in owners.items() if len(t) > 1} == {}


def test_directory_names_are_disjoint_across_tables() -> None:
    """No vendored dir is also a docs, test, generated or template dir (it would be shadowed)."""
    groups = {name: set(table.dirs) for name, (table, _) in PATH_TABLES.items()}
    groups["tests"] = {d for c in TABLES.tests for d in c.dirs}
    clashes = {(a, b): groups[a] & groups[b] for a, b in itertools.combinations(groups, 2) if groups[a] & groups[b]}
    assert clashes == {}
    assert set(TABLES.js.frontend_dirs) & set(TABLES.js.backend_dirs) == set()


def test_every_glob_compiles_and_no_glob_is_listed_twice() -> None:
    globs = [g for table, _ in PATH_TABLES.values() for g in table.globs.globs]
    globs += [g for c in TABLES.tests for g in c.globs] + [p.glob for p in TABLES.js.paths]
    assert GlobSet(globs).globs == tuple(globs)
    assert sorted(g for g in set(globs) if globs.count(g) > 1) == []


def test_every_header_regex_is_anchored_to_a_line() -> None:
    """Headers are searched in 4 KB of code: unanchored they would fire on any mention. Scoped
    rules may instead pin Linguist's lines from the start of the file (``\\A``)."""
    assert [h.name for h in TABLES.headers if not h.regex.pattern.lstrip("(?i)").startswith("^")
            and not (h.extensions and h.regex.pattern.lstrip("(?i)").startswith("\\A"))] == []


# --- reachability: every entry decides some file, through its own signal --------------------------

def _reachability_cases() -> Iterator[object]:
    for name, (table, signal) in PATH_TABLES.items():
        for ext in sorted(table.extensions):
            yield pytest.param(f"src/sample.{ext}", signal, id=f"{name}-ext-{ext}")
        for filename in sorted(table.filenames):
            yield pytest.param(f"pkg/{filename}", signal, id=f"{name}-name-{filename}")
        for directory in sorted(table.dirs):
            yield pytest.param(f"{directory}/sample.zzz", signal, id=f"{name}-dir-{directory}")
        for glob in table.globs.globs:
            yield pytest.param(sample(glob), signal, id=f"{name}-glob-{glob}")
    for convention in TABLES.tests:
        for directory in sorted(convention.dirs):
            yield pytest.param(f"{directory}/sample.zzz", "test-convention", id=f"{convention.name}-dir-{directory}")
        for glob in convention.globs:
            yield pytest.param(sample(glob), "test-convention", id=f"{convention.name}-glob-{glob}")


@pytest.mark.parametrize("path, signal", list(_reachability_cases()))
def test_no_table_entry_is_shadowed_by_an_earlier_signal(path: str, signal: str) -> None:
    assert classify(path)[1] == signal


@pytest.mark.parametrize("glob, role", [pytest.param(p.glob, p.role, id=p.why) for p in TABLES.js.paths])
def test_every_js_framework_path_is_reachable(glob: str, role: str) -> None:
    assert classify(sample(glob, "ts")) == (role, "js-side")


@pytest.mark.parametrize("ext", sorted(TABLES.js.extensions))
def test_every_js_extension_reaches_js_side(ext: str) -> None:
    assert classify(f"src/sample.{ext}", "'use client'\n") == (R.FRONTEND_UI, "js-side")


@pytest.mark.parametrize("package, role", [
    *(pytest.param(p, R.BACKEND_LOGIC, id=f"backend-{p}") for p in sorted(TABLES.js.backend_packages)),
    *(pytest.param(p, R.FRONTEND_UI, id=f"frontend-{p}") for p in sorted(TABLES.js.frontend_packages)),
])
def test_every_js_package_decides_its_side(package: str, role: str) -> None:
    specifier = package.replace("/*", "/x")
    assert classify("src/sample.ts", f"import x from '{specifier}'\n") == (role, "js-side")


def test_no_package_is_on_both_sides() -> None:
    assert TABLES.js.backend_packages & TABLES.js.frontend_packages == frozenset()
    assert not any(re.search(r"[A-Z]", p) for p in TABLES.js.backend_packages | TABLES.js.frontend_packages)
