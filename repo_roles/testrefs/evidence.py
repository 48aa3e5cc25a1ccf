"""The per-run evidence index: for each source file, the tests that exercise it and how.

A piece of evidence is ``(test file, line, what it does, kind)``:

* ``import`` — a Python test imports the module (``from app.billing import invoice``), resolved
  by :mod:`~repo_roles.testrefs.pyresolve`; ``patch`` — a dotted patch target names it
  (``mock.patch("app.billing.invoice.send")``); ``fixture`` — the test uses a fixture of a
  ``conftest.py`` above it whose body uses an import of the module (pytest: "conftest.py:
  sharing fixtures across multiple files");
* ``js-import`` — a JS/TS test imports it (:mod:`~repo_roles.testrefs.jsresolve`);
* ``go`` — a Go test of the same package refers to a name the file defines, or an external
  ``_test`` package / another package's test imports the package and uses ``pkg.Name``;
* ``java`` — a test class imports the class, or names it from the same package.

Built once per run from the facts (:mod:`~repo_roles.testrefs.facts`); the whole index is kept
in the analysis cache under a key made of every path and every read file's blob id, so a warm
run with nothing changed reads one value instead of resolving again.
"""

from __future__ import annotations

import json
import os
import zlib
from collections import Counter
from functools import partial
from itertools import chain, compress, repeat
from operator import itemgetter, ne
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, Iterator, List, Mapping, NamedTuple, Optional, Set, Tuple

from repo_roles.columns import ByGet
from repo_roles.coverage import name_order
from repo_roles.testrefs import facts as F
from repo_roles.testrefs.extract import Facts
from repo_roles.testrefs.jsresolve import JsResolver
from repo_roles.testrefs.pyresolve import PythonModules, init_columns

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext

Evidence = Tuple[str, int, str, str]  # test, line (0: not known), what, kind
INDEX_KIND = "test-evidence"
# The index stored by a run that changed it a little (a few tests edited) is a delta on top of
# the whole one stored before (named by the digest of its bytes), not the whole index again.
INDEX_DELTA_KIND = "test-evidence-delta"
DELTA_MAX_MODULES = 4096  # more changed modules (or blob ids) than this: the whole index is written
# A run on a few files reads the index in shards (by a hash of the path asked about): a 5-file
# check on 200k files reads at most 5 of them and the small "meta" value, not the whole index.
SHARDS = 64  # at least; one shard per ~128 modules and tests beyond that (shard_count)
SHARD_KIND = "test-evidence-shard-{:04d}"
META_KIND = "test-evidence-meta-3"
_META_FIELDS = ("problems", "not_manifests", "alembic", "searched", "unparsable")
KIND_NAMES = {
    "import": "Python imports", "patch": "patch targets", "fixture": "conftest fixtures",
    "js-import": "JS/TS imports", "go": "Go identifiers", "java": "Java imports/names",
}
_JVM_ROOTS = ("/src/main/java/", "/src/main/kotlin/")


def _dir(path: str) -> str:
    return path.rpartition("/")[0]


class _Rows(ByGet, Mapping[str, List[Evidence]]):
    """module -> evidence tuples, each list made from its stored JSON rows on first access."""

    def __init__(self, raw: Mapping) -> None:
        self._raw = raw  # the stored rows: a dict, or one field of the shards (``_ShardedField``)
        self._done: Dict[str, List[Evidence]] = {}

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        """As Mapping.get, without a KeyError raised through two mappings for each module
        without evidence (``ls`` asks about every file)."""
        found = self._done.get(key)
        if found is None:
            raw = self._raw.get(key)
            if raw is None:
                return default
            found = self._done[key] = [tuple(e) for e in raw]  # type: ignore[misc]
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __contains__(self, key: object) -> bool:
        return key in self._raw

    def raw_items_of(self, key: str) -> list:  # type: ignore[type-arg]
        """``key``'s stored rows (lists; test path first), not converted; [] when it has none."""
        return self._raw.get(key) or []

    def raw_items(self) -> Iterable[Tuple[str, list]]:  # type: ignore[type-arg]
        """module -> the stored rows (lists; test path first), none converted."""
        return self._raw.items()


class EvidenceIndex:
    """What the tests of a repository exercise (see the module doc); built by :func:`build_index`."""

    def __init__(self, data: dict) -> None:
        # converted module by module as asked: a 5-file check reads a few of 100,000 entries
        self.by_module: _Rows = _Rows(data.get("by_module", {}))
        self.problems: Dict[str, str] = dict(data.get("problems", {}))
        self.not_manifests: Set[str] = set(data.get("not_manifests", []))
        self.migrations: Set[str] = set(data.get("migrations", []))
        self.alembic_dirs: Tuple[str, ...] = tuple(data.get("alembic", []))
        self.unparsable: Dict[str, str] = dict(data.get("unparsable", {}))  # test file -> why
        self.parsed: Set[str] = set(data.get("parsed", []))  # test files whose facts were read
        self.searched: Dict[str, int] = dict(data.get("searched", {}))
        self._by_test: Optional[Dict[str, Set[str]]] = None
        self.key: Optional[str] = None  # the cache key it was stored under (None: not stored)
        self.change: Optional["EvidenceChange"] = None  # since the index stored before it

    def to_json(self) -> dict:
        return {
            "by_module": {k: [list(e) for e in v] for k, v in self.by_module.items()},
            "problems": self.problems, "not_manifests": sorted(self.not_manifests),
            "migrations": sorted(self.migrations), "alembic": list(self.alembic_dirs),
            "unparsable": self.unparsable, "parsed": sorted(self.parsed), "searched": self.searched,
        }

    def to_meta(self) -> dict:
        """The fields a sharded index keeps whole (see :func:`split`), with how many rows each
        evidence kind has and how many entries the shards hold (so that an update in shards,
        :func:`_updated_sharded`, tells the kinds used and the shard count without the rows)."""
        lists = map(itemgetter(1), self.by_module.raw_items())
        kind_rows = Counter(map(itemgetter(3), chain.from_iterable(lists)))
        return {"problems": self.problems, "not_manifests": sorted(self.not_manifests),
                "alembic": list(self.alembic_dirs), "searched": self.searched, "unparsable": dict(self.unparsable),
                "kinds": sorted(kind_rows), "kind_rows": dict(kind_rows), "entries": _entries(self),
                "change": self.change.to_json() if self.change is not None else None}

    # -- questions ----------------------------------------------------------------------------
    def evidence(self, path: str) -> List[Evidence]:
        return self.by_module.get(path, [])

    def tests(self, path: str) -> List[str]:
        return list(dict.fromkeys(e[0] for e in self.by_module.get(path, ())))

    def kinds_used(self) -> List[str]:
        used = self.kinds()  # (one pass over the rows, not one per kind)
        return [KIND_NAMES[k] for k in KIND_NAMES if k in used]

    def kinds(self) -> Set[str]:
        """The evidence kinds of the rows (``import``, ``go``…)."""
        # the stored rows as they are (no evidence tuple made), kinds at C speed
        lists = map(itemgetter(1), self.by_module.raw_items())
        return set(map(itemgetter(3), chain.from_iterable(lists)))

    def exercises(self, test: str, module: str) -> bool:
        """Whether ``test`` is in ``module``'s evidence: its stored rows only, no reverse map
        (``targets_of`` builds one over every row of the index)."""
        return any(row[0] == test for row in self.by_module.raw_items_of(module))

    def reverse_built(self) -> bool:
        """Whether :meth:`targets_of`'s reverse map is made (then it answers at once)."""
        return self._by_test is not None

    def targets_of(self, test: str) -> Set[str]:
        """Every file ``test`` exercises (by any evidence)."""
        if self._by_test is None:
            self._by_test = {}
            # the stored rows as they are: no evidence tuple is made for the reverse map
            for module, found in self.by_module.raw_items():
                for e in found:
                    self._by_test.setdefault(e[0], set()).add(module)
        return self._by_test.get(test, set())

    def is_manifest(self, path: str) -> bool:
        """False for a ``setup.py`` that is not a packaging script and a ``pyproject.toml``
        without ``[project]``/``[tool.poetry]``/``[build-system]``; True for any other manifest."""
        return path not in self.not_manifests

    def in_alembic_versions(self, path: str) -> Optional[str]:
        """The Alembic ``versions`` directory holding ``path`` (or whose ``env.py`` it is)."""
        for directory in self.alembic_dirs:
            env = directory[: -len("versions")] + "env.py"
            if path.startswith(directory + "/") or path == env:
                return directory
        return None


def shard_of(path: str, count: int = SHARDS) -> int:
    return zlib.crc32(path.encode("utf-8", "surrogatepass")) % count


def _entries(index: EvidenceIndex) -> int:
    """How many entries the shards of ``index`` hold: modules with rows, parsed tests, migrations."""
    return len(index.by_module) + len(index.parsed) + len(index.migrations)


def shard_count(index: EvidenceIndex) -> int:
    """How many shards ``index`` is stored in (:func:`count_for` its entries)."""
    return count_for(_entries(index))


def count_for(entries: int) -> int:
    """How many shards an index of ``entries`` entries is stored in: a power of two, so that a
    shard holds ~128 modules and tests whatever the repository's size (what a 5-file check
    reads stays the same)."""
    count = SHARDS
    while count * 128 < entries:
        count *= 2
    return count


def split(index: EvidenceIndex, count: int = SHARDS) -> Tuple[dict, List[dict]]:
    """``(meta, shards)`` of a whole index: module rows, reverse map, parsed test files and
    migrations, each in the shard of its path; the small fields (the unparsable tests among
    them) in ``meta``."""
    data = index.to_json()
    meta = {**index.to_meta(), "shards": count}
    shards: List[dict] = [{"by_module": {}, "by_test": {}, "parsed": [], "migrations": []}
                          for _ in range(count)]
    by_test: Dict[str, Set[str]] = {}
    for module, rows in data["by_module"].items():
        shards[shard_of(module, count)]["by_module"][module] = rows
        for row in rows:
            by_test.setdefault(row[0], set()).add(module)
    for test, modules in by_test.items():
        shards[shard_of(test, count)]["by_test"][test] = sorted(modules)
    for test in data["parsed"]:
        shards[shard_of(test, count)]["parsed"].append(test)
    for path in data["migrations"]:
        shards[shard_of(path, count)]["migrations"].append(path)
    return meta, shards


class _Sharded:
    """The shards of one stored index, read as paths are asked about (``read(i)`` gives shard
    ``i`` or None; a missing or malformed shard makes ``whole()`` answer every question instead),
    with the ``overlay`` of the entries that changed since they were written applied."""

    def __init__(self, read: Callable[[int], Optional[dict]], whole: Callable[[], EvidenceIndex],
                 count: int = SHARDS, overlay: Optional[dict] = None) -> None:
        self._read = read
        self._whole = whole
        self.count = count
        self._shards: Dict[int, dict] = {}
        self.fallback: Optional[List[dict]] = None
        self._overlay: Dict[int, List[Tuple[str, str, object]]] = {}  # shard -> (field, path, value)
        for field, entries in (overlay or {}).items():
            for path, value in entries.items():
                self._overlay.setdefault(shard_of(path, count), []).append((field, path, value))

    def of(self, path: str) -> dict:
        return self.of_index(shard_of(path, self.count))

    def all(self) -> List[dict]:
        return [self.of_index(i) for i in range(self.count)]

    def of_index(self, i: int) -> dict:
        if self.fallback is None and i not in self._shards:
            found = self._read(i)
            if not _valid_shard(found):
                self.fallback = split(self._whole(), self.count)[1]
            else:
                self._shards[i] = _overlaid(found, self._overlay.get(i, ()))  # type: ignore[arg-type]
        return self.fallback[i] if self.fallback is not None else self._shards[i]


def _overlaid(shard: dict, changes: Iterable[Tuple[str, str, object]]) -> dict:
    """``shard`` with the entries changed since it was written (see :func:`_overlay`)."""
    for field, path, value in changes:
        if field in ("by_module", "by_test"):
            if value:
                shard[field][path] = value
            else:
                shard[field].pop(path, None)
        else:  # parsed, migrations: membership
            listed = [p for p in shard[field] if p != path]
            shard[field] = listed + [path] if value else listed
    return shard


def _valid_shard(found: object) -> bool:
    return isinstance(found, dict) and isinstance(found.get("by_module"), dict) \
        and isinstance(found.get("by_test"), dict) and isinstance(found.get("parsed"), list) \
        and isinstance(found.get("migrations"), list)


class _ShardedField(Mapping[str, object]):
    """One field of every shard (``by_module``) as one mapping, read by path."""

    def __init__(self, shards: _Sharded, name: str) -> None:
        self._shards = shards
        self._name = name

    def __getitem__(self, path: str) -> object:
        return self._shards.of(path)[self._name][path]

    def get(self, path: str, default: Any = None) -> Any:  # type: ignore[override]
        return self._shards.of(path)[self._name].get(path, default) if isinstance(path, str) else default

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and path in self._shards.of(path)[self._name]

    def __iter__(self) -> Iterator[str]:
        return (p for shard in self._shards.all() for p in shard[self._name])

    def __len__(self) -> int:
        return sum(len(shard[self._name]) for shard in self._shards.all())


class _ShardedSet:
    """``path in parsed`` (or another list field), one shard at a time; iterating reads every shard."""

    def __init__(self, shards: _Sharded, name: str = "parsed") -> None:
        self._shards = shards
        self._name = name
        self._sets: Dict[int, Set[str]] = {}

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, str):
            return False
        i = shard_of(path, self._shards.count)
        found = self._sets.get(i)
        if found is None:
            found = self._sets[i] = set(self._shards.of(path)[self._name])
        return path in found

    def __iter__(self) -> Iterator[str]:
        return (p for shard in self._shards.all() for p in shard[self._name])


class ShardedEvidence(EvidenceIndex):
    """An :class:`EvidenceIndex` read shard by shard (see ``SHARDS``): same answers, for a run
    that asks about a few paths."""

    def __init__(self, meta: dict, read: Callable[[int], Optional[dict]], whole: Callable[[], EvidenceIndex]) -> None:
        super().__init__({k: meta.get(k) or ({} if k in ("problems", "searched", "unparsable") else [])
                          for k in _META_FIELDS})
        self._sharded = _Sharded(read, whole, meta["shards"], meta.get("overlay"))
        self.by_module = _Rows(_ShardedField(self._sharded, "by_module"))
        self.parsed = _ShardedSet(self._sharded)  # type: ignore[assignment]
        self.migrations = _ShardedSet(self._sharded, "migrations")  # type: ignore[assignment]
        self._kinds = set(meta["kinds"])  # the unparsable tests and the kinds used: kept whole in the meta value
        self.change = EvidenceChange.from_json(meta.get("change"))  # absent (damaged): no change known

    def kinds(self) -> Set[str]:
        return self._kinds

    def reverse_built(self) -> bool:
        return True  # the shard of a test holds its targets

    def targets_of(self, test: str) -> Set[str]:
        return set(self._sharded.of(test)["by_test"].get(test, ()))


# --- building --------------------------------------------------------------------------------


class _Builder:
    def __init__(self, paths: List[str], facts: Dict[str, Facts], kinds: Dict[str, str],
                 named: Optional[Callable[[str], List[str]]] = None,
                 inits: Optional[Tuple[List[str], List[str], List[str]]] = None) -> None:
        self.paths = paths
        self.named = named  # the paths of a file name: Python modules looked up name by name
        self.inits = inits  # with ``named``: the path list's __init__.py files (``pyresolve.init_columns``)
        self.facts = facts
        self.kinds = kinds
        self.by_module: Dict[str, List[Evidence]] = {}
        self._seen: Set[Tuple[str, str, str]] = set()
        self.problems: Dict[str, str] = {}

    @property
    def path_set(self) -> frozenset:
        found = self.__dict__.get("_path_set")
        if found is None:
            found = self.__dict__["_path_set"] = frozenset(self.paths)
        return found

    def add(self, target: Optional[str], test: str, line: int, what: str, kind: str) -> None:
        if target is None or target == test:
            return
        key = (target, test, kind)
        if key in self._seen:
            return
        self._seen.add(key)
        self.by_module.setdefault(target, []).append((test, line, what, kind))

    def of_kind(self, *kinds: str) -> Iterable[Tuple[str, Facts]]:
        for path in sorted(self.facts):
            if self.kinds.get(path) in kinds:
                yield path, self.facts[path]

    # -- Python -------------------------------------------------------------------------------
    def python(self) -> None:
        roots: List[str] = []
        for path, facts in self.of_kind("pyproject", "ini-roots"):
            base = _dir(path)
            roots += [f"{base}/{r}".strip("/") if base else r.strip("/") for r in facts.get("roots", [])
                      if isinstance(r, str) and not r.startswith("/")]
        roots = [r.replace("./", "") for r in roots]
        if self.named is None:
            modules = PythonModules(self.paths, roots)
        elif self.inits is not None:
            modules = PythonModules.from_inits(self.named, *self.inits, roots=roots)
        else:
            modules = PythonModules.by_file_name(self.named, roots)
        self.modules = modules
        conftests: Dict[str, Dict[str, List[Tuple[str, int, str]]]] = {}
        for test, facts in self.of_kind("py-test", "py-conftest"):
            imports = facts.get("imports", [])
            resolved = [self._py_import(test, record) for record in imports]
            if self.kinds[test] != "py-conftest":  # a conftest's imports count through its fixtures
                for found in resolved:
                    for target, line, what in found:
                        self.add(target, test, line, what, "import")
                for dotted, line in facts.get("patches", []):
                    self.add(modules.longest_prefix(dotted, test), test, line, f'patch target "{dotted}"', "patch")
            else:
                fixtures = {}
                for name, indexes in (facts.get("fixtures") or {}).items():
                    fixtures[name] = [hit for i in indexes if 0 <= i < len(resolved) for hit in resolved[i]]
                conftests[_dir(test)] = fixtures
        if not conftests:
            return
        for test, facts in self.of_kind("py-test"):
            params = set(facts.get("params", []))
            directory = _dir(test)
            while True:
                for name, hits in conftests.get(directory, {}).items():
                    if name in params:
                        where = f"{directory}/conftest.py" if directory else "conftest.py"
                        for target, line, what in hits:
                            self.add(target, test, 0, f"uses fixture {name} ({where}:{line} {what})", "fixture")
                if not directory:
                    break
                directory = _dir(directory)

    def _py_import(self, test: str, record: list) -> List[Tuple[str, int, str]]:
        try:
            module, level, names, line = record
        except (TypeError, ValueError):
            return []
        modules = self.modules
        out: List[Tuple[str, int, str]] = []
        if level:
            dots = "." * level
            if names:
                missed = []
                for name in names:
                    sub = modules.resolve_relative(f"{module}.{name}" if module else name, level, test) \
                        if name != "*" else None
                    if sub is not None:
                        out.append((sub, line, f"from {dots}{module} import {name}"))
                    else:
                        missed.append(name)
                if missed:
                    base = modules.resolve_relative(module, level, test)
                    if base is not None:
                        out.append((base, line, f"from {dots}{module} import {', '.join(missed)}"))
            return out
        if names is None:
            target = modules.resolve(module, test)
            return [(target, line, f"import {module}")] if target else []
        missed = []
        for name in names:
            sub = modules.resolve(f"{module}.{name}", test) if name != "*" else None
            if sub is not None:
                out.append((sub, line, f"from {module} import {name}"))
            else:
                missed.append(name)
        if missed:
            base = modules.resolve(module, test)
            if base is not None:
                out.append((base, line, f"from {module} import {', '.join(missed)}"))
        return out

    # -- JS/TS ----------------------------------------------------------------------------------
    def javascript(self) -> None:
        tsconfigs = {p: f for p, f in self.of_kind("tsconfig") if "error" not in f}
        packages = dict(self.of_kind("package.json"))
        resolver = JsResolver(self.path_set, tsconfigs, packages)
        for config in tsconfigs:
            resolver._resolved_config(config)  # every cycle is reported, used or not
        for test, facts in self.of_kind("js-test"):
            for spec, line in facts.get("specs", []):
                if isinstance(spec, str):
                    self.add(resolver.resolve(test, spec), test, line, f"imports '{spec}'", "js-import")
        self.problems.update(resolver.problems)

    # -- Go -------------------------------------------------------------------------------------
    def go(self) -> None:
        modules = {_dir(p): f.get("module") for p, f in self.of_kind("go.mod") if f.get("module")}
        sources: Dict[str, List[Tuple[str, str, Set[str]]]] = {}
        for path, facts in self.of_kind("go"):
            sources.setdefault(_dir(path), []).append((path, facts.get("package", ""), set(facts.get("defines", []))))

        def dir_of(import_path: str) -> Optional[str]:
            for directory, module in modules.items():
                if import_path == module or import_path.startswith(module + "/"):
                    rest = import_path[len(module):].strip("/")
                    return "/".join(p for p in (directory, rest) if p)
            return None

        for test, facts in self.of_kind("go-test"):
            package = facts.get("package", "")
            uses = set(facts.get("uses", []))
            selectors = set(facts.get("selectors", []))
            if not package.endswith("_test"):
                for source, source_package, defines in sources.get(_dir(test), []):
                    if source_package == package:
                        hit = sorted(defines & uses)
                        if hit:
                            self.add(source, test, 0, "uses " + ", ".join(hit[:4]), "go")
            for import_path, alias in facts.get("imports", []):
                directory = dir_of(import_path)
                if directory is None:
                    continue
                for source, source_package, defines in sources.get(directory, []):
                    name = alias or source_package
                    if alias == ".":
                        hit = sorted(defines & uses)
                    else:
                        hit = sorted(d for d in defines if f"{name}.{d}" in selectors)
                    if hit:
                        shown = ", ".join(f"{name}.{d}" for d in hit[:4])
                        self.add(source, test, 0, f'imports "{import_path}", uses {shown}', "go")

    # -- Java -----------------------------------------------------------------------------------
    def java(self) -> None:
        kinds = self.kinds
        if "java-test" not in kinds.values() or not any(kinds.get(p) == "java-test" for p in self.facts):
            return  # no test to resolve: the classes are not indexed
        classes: Dict[str, str] = {}
        for path in self.paths:
            if path.endswith((".java", ".kt")):
                wrapped = "/" + path
                for root in _JVM_ROOTS:
                    if root in wrapped:
                        rel = wrapped.rpartition(root)[2]
                        classes[rel.rpartition(".")[0].replace("/", ".")] = path
                        break
        if not classes:
            return
        for test, facts in self.of_kind("java-test"):
            uses = facts.get("uses", [])
            for imported in facts.get("imports", []):
                if imported.endswith(".*"):
                    for name in uses:
                        self.add(classes.get(f"{imported[:-2]}.{name}"), test, 0, f"import {imported} ({name})", "java")
                else:
                    self.add(classes.get(imported), test, 0, f"import {imported}", "java")
            package = facts.get("package", "")
            for name in uses:
                self.add(classes.get(f"{package}.{name}" if package else name), test, 0,
                         f"names {name} (same package)", "java")

    # -- facts that are not evidence ------------------------------------------------------------
    def rest(self) -> dict:
        not_manifests = [p for p, f in self.of_kind("setup.py") if not f.get("packaging")]
        not_manifests += [p for p, f in self.of_kind("pyproject") if not f.get("project")]
        migrations = [p for p, f in self.of_kind("py-numbered") if f.get("migration")]
        alembic: Set[str] = set()
        for path in self.paths:
            if path.endswith("env.py") and (path == "env.py" or path.endswith("/env.py")):
                versions = f"{_dir(path)}/versions" if _dir(path) else "versions"
                alembic.add(versions)
        for path, facts in self.of_kind("alembic.ini"):
            location = facts.get("script_location")
            if isinstance(location, str):
                location = location.replace("%(here)s/", "").replace("%(here)s", "").strip("/")
                base = "/".join(p for p in (_dir(path), location) if p)
                alembic.add(f"{base}/versions" if base else "versions")
        prefixes = tuple(d + "/" for d in alembic)
        present = {d for d in alembic if any(p.startswith(d + "/") for p in self.paths if p.startswith(prefixes))}
        tests = [p for p, k in self.kinds.items() if k in ("py-test", "js-test", "go-test", "java-test")
                 and p in self.facts]
        searched: Dict[str, int] = {}
        for p in tests:
            language = self.kinds[p].partition("-")[0]
            searched[language] = searched.get(language, 0) + 1
        return {
            "not_manifests": not_manifests, "migrations": migrations, "alembic": sorted(present),
            "unparsable": {p: str(self.facts[p]["error"]) for p in sorted(tests) if "error" in self.facts[p]},
            "parsed": sorted(p for p in tests if "error" not in self.facts[p]), "searched": searched,
        }


def build(paths: List[str], facts: Dict[str, Facts], kinds: Dict[str, str]) -> EvidenceIndex:
    builder = _Builder(paths, {p: f for p, f in facts.items() if "error" not in f}, kinds)
    builder.python()
    builder.javascript()
    builder.go()
    builder.java()
    builder.facts = facts  # the unparsable ones too: they are listed, their evidence skipped
    data = builder.rest()
    data["by_module"] = builder.by_module
    data["problems"] = builder.problems
    return EvidenceIndex(data)


def build_index(context: "ProjectContext", mapped_tests: Iterable[str] = (), sharded: bool = True) -> EvidenceIndex:
    """The evidence index of ``context``'s project (every file, not only the targets).

    A run on given files (``context_from_index``) reads it in shards when they are stored (and
    stores them when not): what a 5-file check reads does not grow with the repository.  The
    whole index is stored with its key and what changed since the index stored before it
    (:class:`EvidenceChange`), so that the modules' test results can be updated for those
    modules only (:mod:`repo_roles.coverage.test_reuse`)."""
    paths = context.inventory.paths
    mapped = list(mapped_tests)
    listed = context.inventory.paths_digest()
    store = F.open_store(context)
    few = sharded and bool(getattr(context, "context_from_index", False))
    # a run on given files: the key from the stored positions of the files evidence reads
    key = F.few_key(context, store, listed, mapped) if few and store is not None else None
    # a whole run: the key from the stored positions too, and the index read in shards as well
    # (a 20-module change asks about a few modules; nothing decodes the whole index)
    positional = sharded and not few and store is not None and len(paths) >= SHARDED_MIN_PATHS
    state: Optional[F.WholeState] = None
    if positional:
        state = F.whole_state(context, listed, mapped, F.stored_positions(store, listed, mapped))
        key = None if state is None else state.key
    kinds: Optional[Dict[str, str]] = None
    blobs: Optional[Dict[str, str]] = None
    if key is None:
        kinds, kinds_digest = F.wanted_cached(store, paths, listed, mapped)
        if positional:  # no positions stored: this run's, remembered (the next run's key is the same)
            state = F.whole_state(context, listed, mapped, (kinds_digest, F.positions_of(paths, kinds)))
            key = None if state is None else state.key
            if key is not None:
                F.remember_positions(store, paths, listed, mapped, kinds, kinds_digest)
        else:
            key = F.quick_key(context, kinds, kinds_digest, listed)
            if key is not None and few and store is not None:
                F.remember_positions(store, paths, listed, mapped, kinds, kinds_digest)
    positional = positional and key is not None
    if key is None:
        assert kinds is not None
        blobs, read = F.blob_ids(context, kinds)
        key = F.index_key(listed, blobs, kinds_digest)
    if store is not None and (few or positional):
        rebuild = partial(build_index, context, mapped, sharded=False)
        found = _read_sharded(store, key, rebuild)
        if found is None and positional and state is not None:
            # a few tests edited since the index stored last: that index updated in shards
            found = _updated_sharded(context, store, state, listed, mapped, rebuild)
        if found is not None:
            return found  # the store stays open: shards are read as paths are asked about
    stored, base = _read_stored(store) if store is not None else (None, None)
    if stored is not None and stored.get("key") == key:
        whole = _from_stored(stored)
        if whole is not None:
            if few or positional:
                meta = _write_sharded(store, key, whole)
                if state is not None:
                    _write_head(store, state, paths, listed, mapped, stored.get("context"), meta)
            store.close()  # type: ignore[union-attr]
            return whole
    if kinds is None:  # the key came from the stored positions (a run on given files): a miss
        kinds, kinds_digest = F.wanted_cached(store, paths, listed, mapped)
    if blobs is None:  # a miss: now every file's blob id (git's, or read)
        blobs, read = F.blob_ids(context, kinds)
    data = _updated(context, stored, listed, kinds, kinds_digest, blobs, read) if stored is not None else None
    index = _from_data(data) if data is not None else None
    if index is not None:
        context_facts = stored["context"]  # type: ignore[index]
    else:
        facts = F.collect(context, kinds, blobs, read)
        index = build(paths, facts, kinds)
        data = index.to_json()
        context_facts = {p: facts[p] for p in facts if kinds[p] in CONTEXT_KINDS}
    index.key = key
    index.change = _change(stored, data)
    if store is not None:
        value = {"key": key, "change": index.change.to_json(), "index": data, "listed": listed,
                 "kinds": kinds_digest, "blobs": "\0".join(map(blobs.get, sorted(kinds), repeat(""))),
                 "context": context_facts}
        _put_stored(store, value, base)
        if few or positional:
            meta = _write_sharded(store, key, index)
            if state is not None:
                _write_head(store, state, paths, listed, mapped, context_facts, meta)
        store.close()
    return index


class EvidenceChange(NamedTuple):
    """What differs between an index and the one stored before it (key ``previous``):
    ``modules`` whose evidence rows (or migration status) changed, ``tests`` whose targets or
    parsed status changed; ``whole`` when a fact every module may depend on changed (the real
    manifests, the Alembic directories)."""

    previous: Optional[str]
    modules: Tuple[str, ...] = ()
    tests: Tuple[str, ...] = ()
    whole: bool = True

    def to_json(self) -> dict:
        return {"previous": self.previous, "modules": list(self.modules), "tests": list(self.tests),
                "whole": self.whole}

    @classmethod
    def from_json(cls, value: object) -> "EvidenceChange":
        if not isinstance(value, dict):
            return cls(None)
        previous, modules, tests = value.get("previous"), value.get("modules"), value.get("tests")
        if not (isinstance(previous, str) and isinstance(modules, list) and isinstance(tests, list)
                and all(isinstance(p, str) for p in modules + tests)):
            return cls(None)
        return cls(previous, tuple(modules), tuple(tests), value.get("whole") is not False)


# --- updating ----------------------------------------------------------------------------------
# A run where only the content of test files changed (no path added or removed, no manifest,
# conftest, tsconfig or source file read by evidence changed) recomputes the rows of those tests
# only: their evidence depends on their own facts, the path list and the facts of these kinds.
CONTEXT_KINDS = frozenset({"pyproject", "ini-roots", "py-conftest", "tsconfig", "package.json"})
UPDATED_KINDS = frozenset({"py-test", "js-test", "java-test"})
NAMED_MIN_PATHS = 2000  # fewer paths: indexing every .py file costs less than the stored order
SHARDED_MIN_PATHS = 2000  # fewer paths: a whole run reads the whole (small) index, writes no shard
UPDATE_MAX = 500  # more changed tests than this: the whole index is built again
# The order a full build adds rows in (one pass per kind, tests in path order): a target's rows
# sorted by (pass, test) stably are in the order ``build`` gives.
_PASS = {"import": 0, "patch": 0, "fixture": 1, "js-import": 2, "go": 3, "java": 4}


def _updated(context: "ProjectContext", stored: dict, listed: str, kinds: Dict[str, str], kinds_digest: str,
             blobs: Dict[str, str], read: Dict[str, bytes]) -> Optional[dict]:
    """The stored index updated for the test files whose content changed since (its JSON), or
    None when the change is not one of test contents only (see ``UPDATED_KINDS``)."""
    before = stored.get("blobs")
    facts_before = stored.get("context")
    if stored.get("listed") != listed or stored.get("kinds") != kinds_digest or not isinstance(before, str) \
            or not isinstance(facts_before, dict):
        return None
    old_blobs = before.split("\0") if before else []
    if len(old_blobs) != len(kinds):
        return None
    changed = [p for p, b in zip(sorted(kinds), old_blobs) if blobs.get(p, "") != b]
    base = stored["index"]
    if not changed:  # the same path list, kinds and contents (another key's form): the same index
        return base
    if len(changed) > UPDATE_MAX or any(kinds[p] not in UPDATED_KINDS for p in changed):
        return None
    gone = set(changed)
    touched = set()
    first = itemgetter(0)
    try:
        stored_rows = base["by_module"]
        # the stored lists are shared until a module's rows change (the stored index is compared
        # with this one afterwards: ``_change``); a module's tests looked at C speed
        by_module = dict(stored_rows)
        for module, rows in stored_rows.items():
            if not gone.isdisjoint(map(first, rows)):
                by_module[module] = [r for r in rows if r[0] not in gone]
                touched.add(module)
        parsed, unparsable = set(base["parsed"]), dict(base["unparsable"])
        searched = dict(base["searched"])
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return None
    facts: Dict[str, Facts] = {p: f for p, f in facts_before.items() if isinstance(f, dict)}
    facts.update(_facts_of(context, {p: kinds[p] for p in changed}, blobs, read))
    paths = context.inventory.paths
    # a whole run on many paths: the changed tests' imports looked up by file name (see
    # ``name_order``), not every .py file indexed; a run on given files keeps its path table unsplit
    order = name_order.of_project(context) if len(paths) >= NAMED_MIN_PATHS and isinstance(paths, list) \
        and not getattr(context, "context_from_index", False) else None
    builder = _Builder(paths, {p: f for p, f in facts.items() if "error" not in f}, kinds,
                       None if order is None else partial(name_order.named, paths, order))
    builder.python()
    builder.javascript()
    builder.java()
    for module, rows in builder.by_module.items():
        if module not in touched:  # (a stored list: copied before it changes)
            by_module[module] = list(by_module.get(module, ()))
            touched.add(module)
        by_module[module].extend(list(r) for r in rows)
    for module in touched:
        rows = by_module[module]
        if rows:
            rows.sort(key=lambda r: (_PASS.get(r[3], 9), r[0]))
        else:
            del by_module[module]
    for test in changed:
        language = kinds[test].partition("-")[0]
        was = test in parsed or test in unparsable
        parsed.discard(test)
        unparsable.pop(test, None)
        found = facts.get(test)
        if found is not None:
            if "error" in found:
                unparsable[test] = str(found["error"])
            else:
                parsed.add(test)
        searched[language] = searched.get(language, 0) + (found is not None) - was
    if searched.keys() != base["searched"].keys() or not all(searched.values()):
        return None  # a language's first or last test: its place among the counts is a full build's
    data = dict(base)
    data.update({"by_module": by_module, "parsed": sorted(parsed), "searched": searched,
                 "unparsable": {p: unparsable[p] for p in sorted(unparsable)}})
    return data


def _facts_of(context: "ProjectContext", kinds: Dict[str, str], blobs: Dict[str, str],
              read: Dict[str, bytes]) -> Dict[str, Facts]:
    """The facts of a few files (this run's coverage stage's, or read here), not stored."""
    from repo_roles.coverage.analyze import computed_coverage

    fresh = getattr(computed_coverage(context), "test_facts", None) or {}
    out: Dict[str, Facts] = {}
    todo = []
    for path, kind in kinds.items():
        if path not in blobs:
            continue  # unreadable: no facts (as a full build)
        known = fresh.get(path)
        if known is not None and known[0] == blobs[path] and known[1] == kind:
            out[path] = known[2]
        else:
            todo.append(path)
    out.update(F.read_facts(context, kinds, blobs, read, todo))
    return out


def _read_stored(store) -> Tuple[Optional[dict], Optional[dict]]:
    """``(the stored index, the whole value it came from)``: the stored index (its JSON value)
    with the delta stored on top of it put in when there is a sound one made on that value (its
    random ``id``; else the whole one alone: an older index, a sound answer), and the whole
    value, which a delta of this run is made on."""
    value = _json(store.read_snapshot(INDEX_KIND, F.SALT))
    if value is None or not isinstance(value.get("index"), dict) or not isinstance(value.get("key"), str):
        return None, None
    ident = value.get("id")
    merged = _with_delta(value, _json(store.read_snapshot(INDEX_DELTA_KIND, F.SALT)), ident) \
        if isinstance(ident, str) else None
    return (merged if merged is not None else value), value


_DELTA_FIELDS = ("key", "change", "listed", "kinds")


def _with_delta(base: dict, delta: Optional[dict], ident: str) -> Optional[dict]:
    """``base`` with a sound ``delta`` made on it (``ident``: its id) put in, else None."""
    if delta is None or delta.get("base") != ident or not all(isinstance(delta.get(k), str) for k in ("key", "listed", "kinds")) \
            or "change" not in delta or type(delta["change"]) is not type(base.get("change")):
        return None
    index, modules, fields, at = base["index"], delta.get("by_module"), delta.get("fields"), delta.get("blobs")
    before = base.get("blobs")
    if not isinstance(modules, dict) or not isinstance(fields, dict) or not set(fields) <= set(index) - {"by_module"} \
            or any(type(value) is not type(index[name]) for name, value in fields.items()) \
            or not isinstance(at, list) or not isinstance(before, str) or not isinstance(index.get("by_module"), dict) \
            or not modules.keys() <= index["by_module"].keys() or not all(isinstance(r, list) for r in modules.values()):
        return None
    blobs = before.split("\0") if before else []
    if delta.get("count") != len(blobs):
        return None
    for item in at:
        if not (isinstance(item, list) and len(item) == 2 and type(item[0]) is int and 0 <= item[0] < len(blobs)
                and isinstance(item[1], str)):
            return None
        blobs[item[0]] = item[1]
    by_module = dict(index["by_module"])
    by_module.update(modules)  # (modules of the stored index only: its order kept)
    merged = {**base, **{k: delta[k] for k in _DELTA_FIELDS}, "blobs": "\0".join(blobs),
              "index": {**index, **fields, "by_module": by_module}}
    return merged


def _put_stored(store, value: dict, base: Optional[dict]) -> None:
    """Store ``value`` (the index and what the next run compares with): as a delta on the whole
    value ``base`` stored before it when they differ in a few modules and blob ids and share the
    context facts (a few tests edited), else whole, under a new random id."""
    delta = _delta(value, base) if base is not None else None
    if delta is not None:
        store.put_snapshot(INDEX_DELTA_KIND, F.SALT, json.dumps(delta, separators=(",", ":")).encode(
            "utf-8", "surrogatepass"))
        return
    store.put_snapshot(INDEX_KIND, F.SALT, json.dumps({**value, "id": os.urandom(8).hex()}, separators=(",", ":")).encode(
        "utf-8", "surrogatepass"))  # (a delta made on the index before: unused from now on)


def _delta(value: dict, base: dict) -> Optional[dict]:
    """The delta from the whole stored value ``base`` to ``value``, found at C speed (rows
    compared per module, blob ids per position), or None when it would be large or ``base`` has
    no id to name."""
    ident = base.get("id")
    if not isinstance(ident, str):
        return None
    if value["context"] is not base.get("context") and value["context"] != base.get("context"):
        return None
    index, before = value["index"], base["index"]
    old, new = before.get("by_module"), index["by_module"]
    if not isinstance(old, dict) or set(index) != set(before):
        return None
    keys = list(new)
    if keys != list(old):  # a module added or removed (or moved): written whole, in its order
        return None
    modules = list(compress(keys, map(ne, map(old.get, keys), map(new.get, keys))))
    if len(modules) > DELTA_MAX_MODULES:
        return None
    blobs, blobs_before = value["blobs"], base.get("blobs")
    if not isinstance(blobs_before, str):
        return None
    at: List[list] = []
    if blobs != blobs_before:
        now, then = blobs.split("\0"), blobs_before.split("\0")
        if len(now) != len(then) or not blobs or not blobs_before:
            return None
        changed = list(compress(range(len(now)), map(ne, now, then)))
        if len(changed) > DELTA_MAX_MODULES:
            return None
        at = [[i, now[i]] for i in changed]
    return {"base": ident, **{k: value[k] for k in _DELTA_FIELDS},
            "by_module": {m: new[m] for m in modules},
            "fields": {k: v for k, v in index.items() if k != "by_module" and v != before[k]},
            "blobs": at, "count": blobs_before.count("\0") + 1 if blobs_before else 0}


def _from_data(data: dict) -> Optional[EvidenceIndex]:
    try:
        return EvidenceIndex(data)
    except (TypeError, ValueError, AttributeError):
        return None


def _from_stored(stored: dict) -> Optional[EvidenceIndex]:
    index = _from_data(stored["index"])
    if index is None:
        return None
    index.key = stored["key"]
    index.change = EvidenceChange.from_json(stored.get("change"))
    return index


def _change(stored: Optional[dict], data: dict) -> EvidenceChange:
    """The :class:`EvidenceChange` from the ``stored`` index (its JSON) to ``data``."""
    if stored is None:
        return EvidenceChange(None)
    before = stored["index"]
    previous = stored["key"]
    if any(before.get(k) != data[k] for k in ("not_manifests", "alembic")) \
            or not isinstance(before.get("by_module"), dict):
        return EvidenceChange(previous)
    old, new = before["by_module"], data["by_module"]
    # every module's rows compared at C speed (the same modules: no union of the keys made)
    keys = list(new) if old.keys() == new.keys() else list(old.keys() | new.keys())
    modules = set(compress(keys, map(ne, map(old.get, keys), map(new.get, keys))))
    modules.update(set(before.get("migrations") or ()).symmetric_difference(data["migrations"]))
    tests = set(set(before.get("parsed") or ()).symmetric_difference(data["parsed"]))
    for m in modules:
        for rows in (old.get(m), new.get(m)):
            for row in rows if isinstance(rows, list) else ():
                if isinstance(row, list) and row and isinstance(row[0], str):
                    tests.add(row[0])
    return EvidenceChange(previous, tuple(sorted(modules)), tuple(sorted(tests)), whole=False)


def _json(raw: Optional[bytes]) -> Optional[dict]:
    if raw is None:
        return None
    try:
        value = json.loads(raw.decode("utf-8", "surrogatepass"))
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


# An index whose shards were written under an earlier key keeps them, with the entries changed
# since in its meta value (the overlay), until it holds this many: then its shards are written.
OVERLAY_MAX = 2048
_OVERLAY_FIELDS = ("by_module", "by_test", "parsed", "migrations")


def _meta(store, key: str) -> Optional[dict]:
    """The meta value stored under ``key`` when it is a sound one."""
    return _sound_meta(_json(store.read_snapshot(META_KIND, key)), key)


def _sound_meta(meta: object, key: str) -> Optional[dict]:
    """``meta`` when it is a sound meta value of the index stored under ``key``, else None."""
    if not isinstance(meta, dict) or not isinstance(meta.get("shards"), int) or meta["shards"] < 1 \
            or not isinstance(meta.get("kinds"), list) or not all(isinstance(k, str) for k in meta["kinds"]) \
            or not all(isinstance(meta.get(k), dict) for k in ("problems", "searched", "unparsable")) \
            or not isinstance(meta.get("base", key), str) or not _valid_overlay(meta.get("overlay", {})) \
            or not _valid_moved(meta.get("moved", {})):
        return None
    return meta


def _valid_moved(moved: object) -> bool:
    """Whether ``moved`` (shard number -> the key it was written under since) is sound."""
    return isinstance(moved, dict) and all(k.isdigit() and isinstance(v, str) for k, v in moved.items())


def _shard_reader(store, meta: dict, key: str) -> Callable[[int], Optional[dict]]:
    """Shard ``i`` of the index stored with ``meta`` (under ``key``), as stored: under the key it
    was last written under (``moved``), else the meta value's ``base``."""
    base, moved = meta.get("base", key), meta.get("moved") or {}
    return lambda i: _json(store.read_snapshot(SHARD_KIND.format(i), moved.get(str(i), base)))


def _valid_overlay(overlay: object) -> bool:
    return isinstance(overlay, dict) and set(overlay) <= set(_OVERLAY_FIELDS) \
        and all(isinstance(v, dict) for v in overlay.values()) \
        and all(isinstance(v, list) for f in ("by_module", "by_test") for v in overlay.get(f, {}).values()) \
        and all(isinstance(v, bool) for f in ("parsed", "migrations") for v in overlay.get(f, {}).values())


def _read_sharded(store, key: str, whole: Callable[[], EvidenceIndex]) -> Optional[EvidenceIndex]:
    meta = _meta(store, key)
    if meta is None:
        return None
    return _sharded_index(store, meta, key, whole)


def _sharded_index(store, meta: dict, key: str, whole: Callable[[], EvidenceIndex]) -> "ShardedEvidence":
    """The index stored in shards under ``key`` (its ``meta`` value), read as paths are asked about."""
    found = ShardedEvidence(meta, _shard_reader(store, meta, key), whole)
    found.key = key
    return found


def _write_sharded(store, key: str, index: EvidenceIndex) -> dict:
    """The shards first, the meta value last: a meta value is found only with its shards
    (a shard overwritten since by another key is a miss, answered from the whole index).  An
    index that differs from the one stored before it by a few entries (a test edited) keeps
    that one's shards and holds the changed entries in its meta value (:func:`_overlay`).
    The meta value written."""
    found = _overlay(store, index)
    if found is not None:
        meta = {**index.to_meta(), "shards": shard_count(index), **found}
    else:
        meta, shards = split(index, shard_count(index))
        for i, shard in enumerate(shards):
            store.put_snapshot(SHARD_KIND.format(i), key, json.dumps(shard, separators=(",", ":")).encode(
                "utf-8", "surrogatepass"))
    store.put_snapshot(META_KIND, key, json.dumps(meta, separators=(",", ":")).encode("utf-8", "surrogatepass"))
    return meta


def _overlay(store, index: EvidenceIndex) -> Optional[dict]:
    """``{"base": key, "moved": keys, "overlay": entries}``: the shards of the index stored before
    ``index`` (its ``change.previous``: its base key and the shards written since under other
    keys) and every entry that differs from them -- a changed module's rows
    (empty: none), a changed test's targets, parsed status, a migration's status; None when
    there is no such index, the change is whole, the shard count differs or the entries would
    be over ``OVERLAY_MAX``."""
    change = index.change
    if change is None or change.whole or change.previous is None:
        return None
    before = _meta(store, change.previous)
    if before is None or before["shards"] != shard_count(index):
        return None
    overlay = {f: dict(before.get("overlay", {}).get(f, {})) for f in _OVERLAY_FIELDS}
    for module in change.modules:
        overlay["by_module"][module] = [list(e) for e in index.by_module.raw_items_of(module)]
        overlay["migrations"][module] = module in index.migrations
    for test in change.tests:
        overlay["by_test"][test] = sorted(index.targets_of(test))
        overlay["parsed"][test] = test in index.parsed
    if sum(map(len, overlay.values())) > OVERLAY_MAX:
        return None
    return {"base": before.get("base", change.previous), "moved": before.get("moved") or {}, "overlay": overlay}


# --- a whole run's update in shards -------------------------------------------------------------
# A whole run of many paths whose key missed because a few tests changed since the last run
# (the bench's "20 files changed, among them tests") updates the index stored last in its
# shards: the changed files are told apart from the columns its key was made from (compared
# with those of the last run at C speed), their old rows found by their shards' reverse map, and
# only the meta value (with the changed entries as overlay) and the small head are written.
# Nothing decodes, compares or writes the whole index: the cost follows the changed tests and
# the modules their rows touch, not the repository.
HEAD_KIND = "test-evidence-head"  # the last whole run's key, its columns' digest and differences from the base, its work tree
COLUMN_KIND = "test-evidence-columns"  # a whole run's columns (``WholeState.column``), checksummed: the base
CONTEXT_KIND = "test-evidence-context"  # the facts of the context kinds the head's index was made with
COLUMN_OVERRIDES_MAX = 4096  # more positions differing from the base columns: this run's are the base


class _Miss(Exception):
    """A stored shard is missing or damaged: the update in shards gives way to the whole path."""


def _missing() -> EvidenceIndex:
    raise _Miss()


def _put_checked(store, kind: str, salt: str, body: bytes) -> str:
    """Store ``body`` under a new random id with a CRC-32 of both; the id."""
    ident = os.urandom(8).hex()
    data = ident.encode("ascii") + body
    store.put_snapshot(kind, salt, zlib.crc32(data).to_bytes(4, "big") + data)
    return ident


def _read_checked(store, kind: str, salt: str, ident: object) -> Optional[bytes]:
    """What :func:`_put_checked` stored under ``ident``; None when missing, another, damaged or truncated."""
    raw = store.read_snapshot(kind, salt)
    if raw is None or not isinstance(ident, str) or len(raw) < 20 or raw[4:20] != ident.encode("ascii", "replace") \
            or zlib.crc32(memoryview(raw)[4:]) != int.from_bytes(raw[:4], "big"):
        return None
    return raw[20:]


def _write_head(store, state: "F.WholeState", paths: List[str], listed: str, mapped: List[str],
                context_facts: object, meta: dict) -> None:
    """Remember what the index just stored under ``state.key`` (its ``meta`` value) was made from
    (see :func:`_updated_sharded`): this run's columns as the base, its work tree, the context
    facts and the path list's ``__init__.py`` files (``pyresolve.init_columns``).  The head
    keeps the meta value too: a run on given files replaces the one meta value of the project,
    not the head, so a whole run after it still finds the index in its shards."""
    if not isinstance(context_facts, dict):
        return
    salt = F._positions_salt(listed, mapped)
    kinds = F.wanted(context_facts, [m for m in mapped if m in context_facts])
    facts = {p: [kinds[p], f] for p, f in context_facts.items() if p in kinds}
    columns = [("\0".join(column)).encode("utf-8", "surrogatepass") for column in init_columns(paths)]
    # the three columns NUL-joined, each after its length (no JSON escape per NUL), then the facts
    context = b"".join(len(c).to_bytes(4, "big") for c in columns) + b"".join(columns) \
        + json.dumps(facts, separators=(",", ":")).encode("utf-8", "surrogatepass")
    _put_head(store, salt, state, _put_checked(store, COLUMN_KIND, salt, state.column), {},
              _put_checked(store, CONTEXT_KIND, salt, context), meta)


def _put_head(store, salt: str, state: "F.WholeState", columns: str, over: Dict[str, str], context: str,
              meta: dict) -> None:
    """Store the head (what :func:`_head` reads): the key and meta value of the index just stored,
    the ids of its base columns and context value, the positions differing from the base, this
    run's work-tree and special entries."""
    head = {"key": state.key, "columns": columns, "digest": state.column_digest, "over": over,
            "worktree": state.worktree, "special": state.special, "context": context, "meta": meta}
    store.put_snapshot(HEAD_KIND, salt, json.dumps(head, separators=(",", ":")).encode("utf-8", "surrogatepass"))


def _head(store, salt: str) -> Optional[dict]:
    head = _json(store.read_snapshot(HEAD_KIND, salt))
    if head is None or not all(isinstance(head.get(k), str) for k in ("key", "columns", "context")) \
            or not all(isinstance(head.get(k), dict) for k in ("over", "worktree", "special")) \
            or not all(isinstance(v, str) for v in chain(head["over"].values(), head["worktree"].values(),
                                                         head["special"].values())) \
            or not all(k.isdigit() for k in head["over"]) or _sound_meta(head.get("meta"), head["key"]) is None:
        return None
    return head


def _entry_width(column: bytes, count: int) -> Optional[int]:
    """The width of one blob id in ``column`` (``WholeState.column`` of ``count`` files) when
    every id has it (then entries are found by position), else None."""
    width = column.find(b"\0") if count > 1 else len(column)
    if count < 1 or width < 1 or len(column) != count * (width + 1) - 1:
        return None
    return width


def _positions_differing(old: bytes, new: bytes, count: int, width: int) -> List[int]:
    """The positions whose blob id differs between two columns of the same shape, compared in
    blocks at C speed (only a block that differs is looked at entry by entry)."""
    found: List[int] = []
    stride, block = width + 1, 1024
    for start in range(0, count, block):
        end = min(count, start + block)
        if old[start * stride:end * stride] != new[start * stride:end * stride]:
            found += (i for i in range(start, end) if old[i * stride:i * stride + width] != new[i * stride:i * stride + width])
    return found


def _entry(column: bytes, i: int, width: int) -> str:
    """Position ``i``'s blob id in ``column``."""
    return column[i * (width + 1):i * (width + 1) + width].decode("ascii", "replace")


def _context(raw: bytes) -> Optional[Tuple[dict, Tuple[List[str], List[str], List[str]]]]:
    """``(context facts, init columns)`` of a stored context value (see :func:`_write_head`), or
    None when it is not a sound one."""
    if len(raw) < 12:
        return None
    sizes = [int.from_bytes(raw[i:i + 4], "big") for i in (0, 4, 8)]
    try:
        columns, at = [], 12
        for size in sizes:
            text = raw[at:at + size].decode("utf-8", "surrogatepass")
            columns.append(text.split("\0") if text else [])
            at += size
        facts = json.loads(raw[at:].decode("utf-8", "surrogatepass"))
    except (ValueError, UnicodeDecodeError):
        return None
    if at > len(raw) or not isinstance(facts, dict) or len(columns[1]) != len(columns[2]) \
            or not all(isinstance(v, list) and len(v) == 2 and isinstance(v[0], str) and isinstance(v[1], dict)
                       for v in facts.values()):
        return None
    return facts, (columns[0], columns[1], columns[2])


def _updated_sharded(context: "ProjectContext", store, state: "F.WholeState", listed: str, mapped: List[str],
                     whole: Callable[[], EvidenceIndex]) -> Optional[EvidenceIndex]:
    """The index stored by the last whole run (the head's key) updated in its shards for the
    files changed since, when they are a few tests (``UPDATED_KINDS``, up to ``UPDATE_MAX``);
    stored under ``state.key`` (its meta value: the changed entries in its overlay) and read in
    shards.  The same index as ``_updated`` would make (rows in the order of a full build, the
    unparsable tests, the counts searched) and the same :class:`EvidenceChange`.  None (the
    whole path, which builds or updates the whole index) when anything needed is missing,
    damaged or of another shape, or the change is not one of a few tests' contents."""
    salt = F._positions_salt(listed, mapped)
    head = _head(store, salt)
    if head is None:
        return None
    before = head["meta"]
    if head["key"] == state.key:  # the meta value replaced since by a run on given files: the head's
        return _sharded_index(store, before, state.key, whole)
    if not isinstance(before.get("kind_rows"), dict) or type(before.get("entries")) is not int \
            or not all(type(n) is int for n in before["kind_rows"].values()):
        return None
    paths, at = context.inventory.paths, state.at
    count = len(at)
    over = head["over"]
    if any(int(i) >= count for i in over):
        return None
    if head.get("digest") == state.column_digest:
        # the head's index columns (a work-tree edit, nothing staged): no column is read
        changed: Set[str] = set()
    else:
        width = _entry_width(state.column, count)
        base = _read_checked(store, COLUMN_KIND, salt, head["columns"])
        now = state.column
        if width is None or base is None or len(base) != len(now):
            return None
        differing = _positions_differing(base, now, count, width)
        # a position changed since the head when its entry is not the head's (the base's, or the
        # head's own where it differed from the base)
        changed = {paths[at[i]] for i in set(differing).union(map(int, over))
                   if over.get(str(i), _entry(base, i, width)) != _entry(now, i, width)}
        over = {str(i): _entry(now, i, width) for i in differing}
    # a work-tree file when its content id is not the head's, a file whose kind is not
    for before_now in ((head["worktree"], state.worktree), (head["special"], state.special)):
        changed.update(p for p in before_now[0].keys() | before_now[1].keys() if before_now[0].get(p) != before_now[1].get(p))
    kinds = F.wanted(changed, [m for m in mapped if m in changed])
    if len(changed) > UPDATE_MAX or any(kinds.get(p) not in UPDATED_KINDS for p in changed):
        return None
    try:
        meta = _shards_updated(context, store, head, before, sorted(changed), kinds, state.key, salt)
    except _Miss:
        return None
    if meta is None:
        return None
    columns = head["columns"]
    if len(over) > COLUMN_OVERRIDES_MAX:  # this run's columns are the new base
        columns, over = _put_checked(store, COLUMN_KIND, salt, state.column), {}
    store.put_snapshot(META_KIND, state.key, json.dumps(meta, separators=(",", ":")).encode("utf-8", "surrogatepass"))
    _put_head(store, salt, state, columns, over, head["context"], meta)
    return _sharded_index(store, meta, state.key, whole)


def _shards_updated(context: "ProjectContext", store, head: dict, before: dict, changed: List[str],
                    kinds: Dict[str, str], key: str, salt: str) -> Optional[dict]:
    """The meta value of the index ``before`` (the head's) with the ``changed`` tests' rows made
    again (see :func:`_updated_sharded`); shards it needs that are missing or damaged raise
    :class:`_Miss`; None when the update is not one this can make."""
    old = _Sharded(_shard_reader(store, before, head["key"]), _missing, before["shards"], before.get("overlay"))
    gone = set(changed)
    targets_before = {t: old.of(t)["by_test"].get(t) or [] for t in changed}
    parsed_before = {t: t in old.of(t)["parsed"] for t in changed}
    facts: Dict[str, Facts] = {}
    inits: Optional[Tuple[List[str], List[str], List[str]]] = None
    if changed:
        raw = _read_checked(store, CONTEXT_KIND, salt, head["context"])
        found_context = _context(raw) if raw is not None else None
        if found_context is None:
            return None
        stored, inits = found_context
        # the conftests whose fixtures the changed tests can use: those of their directories and above
        above = {""}
        for test in changed:
            directory = _dir(test)
            while directory and directory not in above:
                above.add(directory)
                directory = _dir(directory)
        for path, (kind, found) in stored.items():
            if kind != "py-conftest" or _dir(path) in above:
                facts[path] = found
                kinds.setdefault(path, kind)
    fresh: Dict[str, Facts] = {}
    made: Dict[str, List[list]] = {}  # module -> the changed tests' rows
    if changed:
        blobs, read = F.blob_ids(context, changed)
        fresh = _facts_of(context, {p: kinds[p] for p in changed}, blobs, read)
        facts.update(fresh)
        paths = context.inventory.paths
        order = name_order.of_project(context) if len(paths) >= NAMED_MIN_PATHS and isinstance(paths, list) else None
        builder = _Builder(paths, {p: f for p, f in facts.items() if "error" not in f}, kinds,
                           None if order is None else partial(name_order.named, paths, order), inits)
        builder.python()
        if any(kinds[t] == "js-test" for t in changed):
            builder.javascript()  # (its configuration problems are the stored ones: the same configurations)
        builder.java()
        made = {m: [list(r) for r in rows] for m, rows in builder.by_module.items()}
    rows_of: Dict[str, Tuple[list, list]] = {}  # changed module -> (rows before, rows now)
    for module in sorted(set(chain.from_iterable(targets_before.values())).union(made)):
        was = old.of(module)["by_module"].get(module) or []
        rows = [r for r in was if r[0] not in gone] + made.get(module, [])
        rows.sort(key=lambda r: (_PASS.get(r[3], 9), r[0]))
        if rows != was:
            rows_of[module] = (was, rows)
    unparsable, searched = dict(before["unparsable"]), dict(before["searched"])
    parsed_now: Dict[str, bool] = {}
    for test in changed:
        language = kinds[test].partition("-")[0]
        was_listed = parsed_before[test] or test in unparsable
        unparsable.pop(test, None)
        found = fresh.get(test)
        if found is not None and "error" in found:
            unparsable[test] = str(found["error"])
        if (found is not None and "error" not in found) != parsed_before[test]:
            parsed_now[test] = not parsed_before[test]
        searched[language] = searched.get(language, 0) + (found is not None) - was_listed
    if searched.keys() != before["searched"].keys() or not all(searched.values()):
        return None  # a language's first or last test: its place among the counts is a full build's
    kind_rows = dict(before["kind_rows"])
    for was, rows in rows_of.values():
        for row in was:
            kind_rows[row[3]] = kind_rows.get(row[3], 0) - 1
        for row in rows:
            kind_rows[row[3]] = kind_rows.get(row[3], 0) + 1
    if any(n < 0 for n in kind_rows.values()):
        return None  # counts that do not add up (another index's): the whole path
    entries = before["entries"] + sum(bool(rows) - bool(was) for was, rows in rows_of.values()) \
        + sum(1 if now else -1 for now in parsed_now.values())
    if count_for(entries) != before["shards"]:
        return None  # the shards would be cut otherwise: written whole
    tests = set(parsed_now)
    for was, rows in rows_of.values():
        tests.update(row[0] for row in chain(was, rows))
    change = EvidenceChange(head["key"], tuple(rows_of), tuple(sorted(tests)), whole=False)
    overlay = {f: dict(before.get("overlay", {}).get(f, {})) for f in _OVERLAY_FIELDS}
    for module, (_, rows) in rows_of.items():
        overlay["by_module"][module] = rows
    for test in changed:
        targets = sorted(m for m, rows in made.items() if any(row[0] == test for row in rows))
        if targets != targets_before[test]:
            overlay["by_test"][test] = targets
    for test, now in parsed_now.items():
        overlay["parsed"][test] = now
    moved = dict(before.get("moved") or {})
    if sum(map(len, overlay.values())) > OVERLAY_MAX:
        # the shards the overlay touches written again under this key; the others kept
        new = _Sharded(_shard_reader(store, before, head["key"]), _missing, before["shards"], overlay)
        touched = sorted({shard_of(p, new.count) for entries_of in overlay.values() for p in entries_of})
        for i in touched:
            store.put_snapshot(SHARD_KIND.format(i), key, json.dumps(new.of_index(i), separators=(",", ":")).encode(
                "utf-8", "surrogatepass"))
            moved[str(i)] = key
        overlay = {f: {} for f in _OVERLAY_FIELDS}
    return {**before, "searched": searched, "unparsable": {p: unparsable[p] for p in sorted(unparsable)},
            "kinds": sorted(k for k, n in kind_rows.items() if n), "kind_rows": {k: n for k, n in kind_rows.items() if n},
            "entries": entries, "change": change.to_json(), "base": before.get("base", head["key"]), "moved": moved,
            "overlay": overlay}
