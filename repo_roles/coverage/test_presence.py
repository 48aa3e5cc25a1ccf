"""Which test files exercise which source file, by each ecosystem's own naming convention.

Built from the path list (no file is read): small indexes (test module name -> test files,
directory -> Go test files, manifest directories), filled in one pass when many files are asked
about, or one module name at a time when few are (:mod:`repo_roles.coverage.test_names`); each
question is then a handful of dict look-ups.  Conventions, tried in this order:

* ``[tests] mapping`` templates first: ``"src/{dir}/{name}.py" = ["tests/{dir}/test_{name}.py"]``
  (``{dir}`` is zero or more directories, ``{name}`` one file-name stem).
* Python (pytest's default ``python_files = test_*.py *_test.py``): ``test_<name>.py`` or
  ``<name>_test.py`` next to the module, or in a ``tests``/``test`` directory whose parent is an
  ancestor of the module — ``backend/tests/**`` serves ``backend/**``.  When several such
  directories hold a candidate, the nearest one wins (longest common prefix); a candidate whose
  path below ``tests/`` mirrors the module's directory (``tests/a/test_b.py`` for
  ``src/pkg/a/b.py``) is preferred to a loose one, and a loose candidate that mirrors *another*
  module of the same name belongs to that one.  A tests directory never serves another project:
  a project is the nearest directory holding a manifest (pyproject.toml, package.json, go.mod…),
  so in a monorepo ``services/a/tests/`` never counts for ``services/b/``.
* JavaScript/TypeScript (Jest's default ``testMatch``: ``**/__tests__/**/*.[jt]s?(x)`` and
  ``**/?(*.)+(spec|test).[jt]s?(x)``): ``x.test.ts``/``x.spec.tsx``… next to ``x.ts``, or any
  ``x``/``x.test``/``x.spec`` script under ``__tests__/`` (or ``tests``/``test``) of the same or
  a parent directory, with the same project and preference rules as Python.
* Go (``go test`` runs per package): a ``.go`` file is tested when its directory has any
  ``_test.go`` file.
* Java/Kotlin (Maven Surefire/Failsafe default includes): ``src/main/java/<pkg>/Foo.java`` <->
  ``src/test/java/<pkg>/{FooTest,FooTests,FooTestCase,TestFoo,FooIT,ITFoo,FooITCase}.java``.
* Ruby (RSpec and Rails layouts): ``lib/x/y.rb`` <-> ``spec/x/y_spec.rb`` (or ``spec/lib/…``,
  ``test/x/y_test.rb``, ``test/x/test_y.rb``); ``app/models/y.rb`` <-> ``spec/models/y_spec.rb``.
* C/C++ (GoogleTest's ``foo_test.cc``/``foo_unittest.cc``, Catch2's ``test_foo.cpp``/
  ``foo_tests.cpp``): ``foo.h``/``foo.cc`` <-> a test file of that stem anywhere in the project;
  any C/C++ file under a ``test``/``tests``/``unittests`` directory is a test.
* Rust (``cargo test``, https://doc.rust-lang.org/cargo/guide/tests.html): integration tests in
  the crate's ``tests/`` directory (the crate is the nearest ``Cargo.toml``) test its ``src/``.
  A source file with its own unit tests (a ``#[cfg(test)]`` module or ``#[test]`` functions,
  the convention of https://doc.rust-lang.org/book/ch11-03-test-organization.html) tests
  itself: :func:`modules_needing_tests` reads the few Rust files no other evidence covers.
* C# (xUnit/NUnit/MSTest projects): ``Foo.cs`` <-> ``FooTests.cs``/``FooTest.cs`` in the
  project; files of a ``*.Tests``/``*.UnitTests``/``*.Test`` project directory are tests.
* PHP (PHPUnit, https://docs.phpunit.de/en/11.5/organizing-tests.html): ``src/Foo.php`` <->
  ``FooTest.php`` (under ``tests/``) in the project.

Files of other languages have no convention and are exempt.  Data-only Python modules (no
``def``/``class``) are exempt too, but finding that out needs the file's text: see
:func:`defines_code`, which the rule calls only for files that would otherwise be reported.
"""

from __future__ import annotations

import hashlib
import re
from array import array
from collections.abc import ItemsView, Mapping, ValuesView
from functools import partial
from itertools import chain, compress, filterfalse, repeat
from operator import and_, attrgetter, eq, is_not, itemgetter, not_
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple


from repo_roles import roles as R
from repo_roles.globs import GlobSet
from repo_roles.config.model import TestsConfig
from repo_roles.coverage import name_order
from repo_roles.coverage.test_names import JS_TEST, LANGUAGES, MANIFESTS, TEST_DIRS, Candidate, PathNames
from repo_roles.testrefs.exemptions import Exempter

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext
    from repo_roles.inventory import FileEntry
    from repo_roles.testrefs.evidence import EvidenceIndex

__all__ = ["DATA_ONLY_READ_LIMIT", "MANIFESTS", "TEST_DIRS", "TestIndex", "defines_code", "module_defines_code",
           "modules_needing_tests"]

_JVM_SUFFIXES = ("Test", "Tests", "TestCase", "IT", "ITCase")
_JVM_PREFIXES = ("Test", "IT")
_PLACEHOLDER = re.compile(r"\{dir\}/|\{dir\}|\{name\}")
# A definition starts a logical line (compound statements cannot follow ``;`` or ``:``), so a
# line-start match finds every def/class; one inside a string only makes us report, never skip.
_DEFINITION = re.compile(rb"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]", re.MULTILINE)


# Languages whose tests are found by name (see the module doc): language -> test-name patterns
# (the group is the tested stem); files under these directories are tests whatever their name.
_NAMED = {
    "cpp": re.compile(r"^(?:test_(?P<a>.+)|(?P<b>.+?)_(?:unit)?tests?)$"),
    "cs": re.compile(r"^(?P<a>.+?)Tests?$"),
    "php": re.compile(r"^(?P<a>.+?)Test$"),
    "rust": re.compile(r"(?!)"),
}
_TEST_DIRS = {"cpp": frozenset({"test", "tests", "unittests"}), "rust": frozenset({"tests"}),
              "php": frozenset(), "cs": frozenset()}
_CS_TEST_PROJECT = re.compile(r"\.(?:Unit|Integration)?Tests?$")
_LOOKED_FOR = {
    "cpp": "{stem}_test.{ext} / {stem}_unittest.{ext} / test_{stem}.{ext} in the project",
    "rust": "integration tests in the crate's tests/ directory",
    "cs": "{stem}Tests.cs / {stem}Test.cs in the project",
    "php": "{stem}Test.php in the project",
}


def _named_test(language: str, directory: str, stem: str) -> Optional[str]:
    """The stem a test file of ``language`` tests ("" for a test named after nothing: a file in
    a tests directory, a Rust integration test); None when the file is not a test."""
    match = _NAMED[language].match(stem)
    if match is not None:
        return match.group("a") or match.groupdict().get("b") or ""
    parts = directory.split("/") if directory else []
    if any(part in _TEST_DIRS[language] for part in parts):
        return ""
    if language == "cs" and any(_CS_TEST_PROJECT.search(part) for part in parts):
        return ""
    return None


def _within(ancestor: str, directory: str) -> bool:
    return ancestor == "" or directory == ancestor or directory.startswith(ancestor + "/")


def _mirrors(below: str, directory: str) -> bool:
    return below != "" and (directory == below or directory.endswith("/" + below))


def _compile_template(source: str) -> "re.Pattern[str]":
    out, seen, pos = [], set(), 0
    for m in _PLACEHOLDER.finditer(source):
        out.append(re.escape(source[pos:m.start()]))
        token = m.group()
        key = "dir" if token.startswith("{dir") else "name"
        if key in seen:
            out.append(f"(?P={key})" + ("/" if token == "{dir}/" else ""))
        elif token == "{dir}/":
            out.append("(?:(?P<dir>.+)/)?")
        else:
            out.append("(?P<dir>.*)" if key == "dir" else "(?P<name>[^/]+)")
        seen.add(key)
        pos = m.end()
    out.append(re.escape(source[pos:]))
    return re.compile("".join(out))


def defines_code(source: Optional[bytes]) -> bool:
    """True unless ``source`` is a Python module without any function or class definition."""
    return source is None or _DEFINITION.search(source) is not None


# A data-only module is small; a bigger file is assumed to define something rather than read.
DATA_ONLY_READ_LIMIT = 256 * 1024


def module_defines_code(data: bytes) -> bool:
    """What ``defines_code(read_bytes(path, DATA_ONLY_READ_LIMIT))`` says, from the whole content
    (the coverage stage computes it while it has the bytes, so TST001 need not read the file)."""
    return len(data) > DATA_ONLY_READ_LIMIT or defines_code(data)


# What TST001 says was searched, per language (Python's message also names the nearest package).
_MISSING = {
    "js": ("no test imports it; no {looked}", "JS/TS test files"),
    "go": ("no test of its package refers to a name it defines", "Go test files"),
    "jvm": ("no test imports or names the class; no {looked}", "test files"),
}


class _Evidence:
    """The evidence index, built on first use by ``build`` (None: an empty index)."""

    def __init__(self, build: Optional[Callable[[], "EvidenceIndex"]]) -> None:
        self._build = build
        self._index: Optional["EvidenceIndex"] = None

    def get(self) -> "EvidenceIndex":
        if self._index is None:
            from repo_roles.testrefs.evidence import EvidenceIndex

            self._index = self._build() if self._build is not None else EvidenceIndex({})
        return self._index

    def is_manifest(self, path: str) -> bool:
        base = path.rpartition("/")[2]
        return base not in ("setup.py", "pyproject.toml") or self.get().is_manifest(path)


def joined_texts(parts: Tuple[List[str], List[str], Dict[str, str]]) -> Iterator[str]:
    """The texts :meth:`TestIndex.missing_text` gives, from :meth:`TestIndex.missing_parts`' answer."""
    heads, extensions, searched = parts
    return map(str.__add__, heads, map(searched.__getitem__, extensions))


class TestIndex:
    """Test files per source file (``tests_for``) and why a file needs none (``exempt_reason``)."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, paths: Sequence[str], config: TestsConfig, role_of: Callable[[str], str],
                 evidence: Optional[Callable[[], "EvidenceIndex"]] = None,
                 defines: Optional[Callable[[str], Optional[bool]]] = None) -> None:
        self._role_of = role_of
        self._evidence_of = evidence
        self._holder = _Evidence(evidence)  # shared below without pointing back here (no cycle)
        # indexed whole or name by name, as the questions come; a manifest counts when real
        self._names = PathNames(paths, self._holder.is_manifest if evidence is not None else None)
        self._exempter = Exempter(self._holder.get, defines)
        self._paths = self._names.paths
        # gitignore semantics in one compiled regex; ``first`` names the deciding glob.
        self._exempt = GlobSet(tuple(config.exempt), last_wins=True)
        self._mapping = [(_compile_template(src), tuple(tests)) for src, tests in config.mapping.items()]
        self._mapped_tests = [_compile_template(t) for tests in config.mapping.values() for t in tests]
        self._roots_text: Dict[str, str] = {}  # directory -> "under …" of looked_for
        self._named_index: Optional[Dict[Tuple[str, str, str], List[str]]] = None  # (language, stem, project)
        self._heads: Dict[str, str] = {}  # path -> missing_head, computed or reused
        self._searched: Dict[Optional[str], str] = {}  # language -> _searched_text

    def expect(self, count: int) -> None:
        """``count`` files are about to be asked about: lets a large run index all paths at once."""
        self._names.expect(count)

    def use_name_order(self, provider: Callable[[], Optional[Sequence[int]]]) -> None:
        """Look module names up in the paths' file-name order ``provider`` gives (see
        :mod:`repo_roles.coverage.name_order`) rather than by a scan of every path."""
        self._names.use_order(provider)

    def evidence(self) -> "EvidenceIndex":
        """The evidence index (built on first use; an empty one when there is no builder)."""
        return self._holder.get()

    def mapped_tests(self, paths: Iterable[str]) -> List[str]:
        """The files of ``paths`` that are tests only by a ``[tests] mapping`` template."""
        if not self._mapped_tests:
            return []
        return [p for p in paths if any(rx.fullmatch(p) for rx in self._mapped_tests)]

    # -- questions ------------------------------------------------------------------------
    def is_test(self, path: str) -> bool:
        """True for a file that is itself a test by one of the conventions or mapping templates."""
        if self._mapped_tests and any(rx.fullmatch(path) for rx in self._mapped_tests):
            return True
        directory, _, base = path.rpartition("/")
        stem, _, ext = base.rpartition(".")
        language = LANGUAGES.get(ext)
        if language == "py":
            return stem.startswith("test_") or stem.endswith("_test")
        if language == "rb":
            return stem.startswith("test_") or stem.endswith(("_test", "_spec"))
        if language == "go":
            return stem.endswith("_test")
        if language in _NAMED:
            return _named_test(language, directory, stem) is not None
        if language == "js":
            return JS_TEST.match(base) is not None or "__tests__" in directory.split("/")
        return language == "jvm" and "/src/test/" in f"/{directory}/"

    def tests_for(self, path: str) -> Tuple[str, ...]:
        """The test files found for ``path`` (empty for a test file or a file without one)."""
        found = self._mapped(path) if self._mapping else []
        directory, _, base = path.rpartition("/")
        stem, _, ext = base.rpartition(".")
        language = LANGUAGES.get(ext)
        if language is None or self.is_test(path):
            return tuple(found)
        names = self._names
        evidence = self.evidence() if self._evidence_of is not None else None
        if evidence is not None:
            found += evidence.tests(path)
        if language == "py":
            names.name(stem)
            found += self._not_overruled(evidence, path, self._nearby(names.py, names.py_dirs, directory, stem))
        elif language == "go":
            own = f"{directory}/{stem}_test.go" if directory else f"{stem}_test.go"
            package_tests = names.go_tests(directory)
            if evidence is not None and all(t in evidence.parsed for t in package_tests):
                found += [own] if own in self._paths else []  # the file's own test, by name
            else:  # tests that could not be read: the package convention (go test runs them all)
                found += sorted(package_tests, key=lambda t: (t != own, t))
        elif language == "js":
            names.name(stem)
            found += self._not_overruled(evidence, path, self._nearby(names.js, names.js_dirs, directory, stem))
        elif language == "jvm":
            found += self._existing(self._jvm_candidates(directory, stem, ext))
        elif language in _NAMED:
            found += self._named(language, directory, stem)
        else:
            found += self._existing(self._ruby_candidates(directory, stem))
        return tuple(dict.fromkeys(found))

    def exempt_reason(self, path: str) -> Optional[str]:
        """Why ``path`` needs no test (a test itself, a glob, no convention, generated…), or None."""
        base = path.rpartition("/")[2]
        ext = base.rpartition(".")[2]
        if self.is_test(path):
            return "a test file"
        if base.endswith((".pyi", ".d.ts")):
            return "type declarations only"
        if ext not in LANGUAGES and not any(rx.fullmatch(path) for rx, _ in self._mapping):
            return f"no test convention for {'.' + ext if ext != base else base} files"
        if base == "doc.go":
            return "Go package documentation file"
        convention = self._exempter.reason(path)
        if convention is not None:
            return f"{convention.id}: {convention.why}"
        glob = self._exempt.first(path)
        if glob is not None:
            return f"exempt by [tests] exempt glob {glob!r}"
        role = self._role_of(path)
        if role in (R.GENERATED, R.VENDORED):
            return f"{role} code"
        return None

    def looked_for(self, path: str) -> str:
        """What :meth:`tests_for` searched, for a message: ``test_x.py / x_test.py under …``."""
        directory, _, base = path.rpartition("/")
        stem, _, ext = base.rpartition(".")
        mapped = [t for rx, tests in self._mapping if rx.fullmatch(path) for t in self._expand(rx, path, tests)]
        prefix = "".join(f"{t} (mapping), " for t in mapped)
        language = LANGUAGES.get(ext)
        if language == "py":
            return f"{prefix}test_{stem}.py / {stem}_test.py {self._tests_roots_text(directory)}next to it"
        if language == "go":
            return f"{prefix}a _test.go file in {directory or '.'}/"
        if language == "js":
            return f"{prefix}{stem}.test.* / {stem}.spec.* next to it and under __tests__/"
        if language == "jvm":
            return prefix + " / ".join(self._jvm_candidates(directory, stem, ext)[:2]) + " …"
        if language == "rb":
            return prefix + " / ".join(self._ruby_candidates(directory, stem))
        if language in _NAMED:
            return prefix + _LOOKED_FOR[language].format(stem=stem, ext=ext)
        return prefix.rstrip(", ") or "no convention"

    def missing_text(self, path: str) -> str:
        """What was searched for a module without tests, and the nearest candidate (TST001)."""
        head = self._known_heads().get(path)
        if head is None:
            head = self._heads[path] = self.missing_head(path)
        return head + self._searched_text(path)

    def missing_parts(self, paths: Sequence[str]) -> Tuple[List[str], List[str], Dict[str, str]]:
        """What :meth:`missing_text` joins for each of ``paths``: their heads, their extensions,
        and the count of test files searched per extension; the heads known picked at C speed
        (a Python call only for a head not known)."""
        heads = list(map(self._known_heads().get, paths))
        if None in heads:
            for path in [path for path, head in zip(paths, heads) if head is None]:
                self._heads[path] = self.missing_head(path)
            heads = list(map(self._heads.get, paths))
        extensions = list(map(itemgetter(2), map(str.rpartition, paths, repeat("."))))
        searched = {extension: self._searched_text("." + extension) for extension in set(extensions)}
        return heads, extensions, searched

    def missing_head(self, path: str) -> str:
        """:meth:`missing_text` without the count of test files searched (which changes with
        any test file of the language, so it is not kept with the module's answer)."""
        looked = self.looked_for(path)
        if self._evidence_of is None:
            return f"looked for {looked}"
        language = LANGUAGES.get(path.rpartition(".")[2])
        if language == "py":
            dotted, nearest = self._python_nearest(self.evidence(), path)
            head = f"no test imports {dotted or path}"
            if nearest:
                head += f"; {nearest}"
            if not path.endswith("__init__.py"):
                head += f"; no {looked}"
            return head
        found = _MISSING.get(language or "")
        return f"looked for {looked}" if found is None else found[0].format(looked=looked)

    def reuse_heads(self, heads: Dict[str, str], more: Optional[Callable[[], Dict[str, str]]] = None) -> None:
        """Message heads of an earlier run for modules whose inputs did not change (``more``:
        the rest of them, made when a message is asked for)."""
        self._heads.update(heads)
        if more is not None:
            self._more_heads = more

    def _known_heads(self) -> Dict[str, str]:
        more = self.__dict__.pop("_more_heads", None)
        if more is not None:
            self._heads = {**more(), **self._heads}
        return self._heads

    def _searched_text(self, path: str) -> str:
        """`` (12 Python test files searched)``: per language, made once."""
        if self._evidence_of is None:
            return ""
        language = LANGUAGES.get(path.rpartition(".")[2])
        text = self._searched.get(language)
        if text is None:
            found = ("", "Python test files") if language == "py" else _MISSING.get(language or "")
            count = self.evidence().searched.get({"jvm": "java"}.get(language or "", language or ""), 0)
            text = self._searched[language] = "" if found is None else f" ({count} {found[1]} searched)"
        return text

    def explain(self, path: str) -> List[str]:
        """Lines for ``explain``: each piece of evidence (test, line, what it does), the name
        matches, or why no test is needed, or what was searched."""
        reason = self.exempt_reason(path)
        if reason is not None:
            return [f"tests:    none needed ({reason})"]
        lines = []
        evidence = self.evidence() if self._evidence_of is not None else None
        shown = set()
        for test, line, what, kind in (evidence.evidence(path) if evidence is not None else []):
            where = f"{test}:{line}" if line else test
            lines.append(f"tests:    {where} {what} [{kind}]")
            shown.add(test)
        for test in self.tests_for(path):
            if test not in shown:
                lines.append(f"tests:    {test} [name convention or mapping]")
        if not lines and LANGUAGES.get(path.rpartition(".")[2]) is not None:
            lines.append(f"tests:    none found ({self.missing_text(path)})")
        return lines

    def _python_nearest(self, evidence: "EvidenceIndex", path: str) -> Tuple[str, str]:
        """``(module name, "tests/x.py imports app.billing only")`` from the package chain."""
        directory, _, base = path.rpartition("/")
        parts = [] if base == "__init__.py" else [base[:-3]]
        chain = []
        while directory and f"{directory}/__init__.py" in self._paths:
            chain.append(directory)
            parts.insert(0, directory.rpartition("/")[2])
            directory = directory.rpartition("/")[0]
        dotted = ".".join(parts)
        for i, package in enumerate(chain):
            found = evidence.evidence(f"{package}/__init__.py")
            if found:
                name = ".".join(parts[: len(chain) - i])
                return dotted, f"{found[0][0]} imports {name} only"
        return dotted, ""

    def _not_overruled(self, evidence: Optional["EvidenceIndex"], path: str, tests: List[str]) -> List[str]:
        """Name matches, less those whose imports show they test another module of that name."""
        if evidence is None:
            return tests
        base = path.rpartition("/")[2]
        out = []
        namesakes: Optional[List[str]] = None
        for test in tests:
            if test in evidence.parsed:
                if not evidence.reverse_built():  # a few modules asked: the namesakes' rows, not every row
                    if namesakes is None:
                        namesakes = self._names.named(base)
                    if namesakes is not None:
                        if not evidence.exercises(test, path) \
                                and any(evidence.exercises(test, other) for other in namesakes if other != path):
                            continue
                        out.append(test)
                        continue
                targets = evidence.targets_of(test)
                if path not in targets and any(t.rpartition("/")[2] == base for t in targets):
                    continue
            out.append(test)
        return out

    def _tests_roots_text(self, directory: str) -> str:
        """``"under a/tests/ and "`` (the nearest three tests roots of the project), per directory."""
        found = self._roots_text.get(directory)
        if found is None:
            project = self._names.project(directory)
            roots = sorted(r for r in self._names.tests_roots(directory) if _within(project, r))
            where = "".join(f"{r}/ and " for r in roots[-3:])
            found = self._roots_text[directory] = f"under {where}" if where else ""
        return found

    # -- conventions ----------------------------------------------------------------------
    def _expand(self, rx: "re.Pattern[str]", path: str, tests: Iterable[str]) -> List[str]:
        m = rx.fullmatch(path)
        values = {k: v or "" for k, v in m.groupdict().items()} if m else {}
        out = []
        for template in tests:
            text = template.replace("{dir}", values.get("dir", "")).replace("{name}", values.get("name", ""))
            out.append("/".join(p for p in text.split("/") if p))
        return out

    def _mapped(self, path: str) -> List[str]:
        return [t for rx, tests in self._mapping if rx.fullmatch(path)
                for t in self._expand(rx, path, tests) if t in self._paths]

    def _existing(self, candidates: Iterable[str]) -> List[str]:
        return [c for c in candidates if c in self._paths]

    def _nearby(self, index: Dict[str, List[Candidate]], sources: Dict[str, Set[str]],
                directory: str, name: str) -> List[str]:
        candidates = index.get(name)
        if not candidates:
            return []
        project = self._names.project(directory)
        beside: List[str] = []
        mirrored: List[Tuple[int, str]] = []
        loose: List[Tuple[int, str]] = []
        for test, test_dir, parent, below in candidates:
            if test_dir == directory:
                beside.append(test)
            elif parent is not None and _within(parent, directory) and _within(project, parent):
                if _mirrors(below, directory):
                    mirrored.append((len(parent), test))
                elif not any(_mirrors(below, d) for d in sources.get(name, ()) if d != directory):
                    loose.append((len(parent), test))
        chosen = mirrored or loose
        nearest = max((depth for depth, _ in chosen), default=0)
        return sorted(beside) + sorted(t for depth, t in chosen if depth == nearest)

    def _named(self, language: str, directory: str, stem: str) -> List[str]:
        """Tests of ``stem`` by name (C/C++, C#, PHP) or the crate's ``tests/`` (Rust), in the
        same project; the index (by language, tested stem and project) is built in one pass
        over the paths on first use, so each question is one look-up."""
        if self._named_index is None:
            index: Dict[Tuple[str, str, str], List[str]] = {}
            for path in sorted(self._paths):
                test_dir, _, base = path.rpartition("/")
                test_stem, _, ext = base.rpartition(".")
                kind = LANGUAGES.get(ext)
                if kind in _NAMED:
                    tested = _named_test(kind, test_dir, test_stem)
                    if tested is not None:
                        index.setdefault((kind, tested, self._names.project(test_dir)), []).append(path)
            self._named_index = index
        project = self._names.project(directory)
        if language == "rust":
            root = f"{project}/tests/" if project else "tests/"
            return [t for t in self._named_index.get(("rust", "", project), ()) if t.startswith(root)]
        return list(self._named_index.get((language, stem, project), ()))

    @staticmethod
    def _jvm_candidates(directory: str, stem: str, ext: str) -> List[str]:
        wrapped = f"/{directory}/"
        if "/src/main/" not in wrapped:
            return []
        head, _, tail = wrapped.rpartition("/src/main/")
        base = f"{head}/src/test/{tail}".strip("/")
        names = [stem + s for s in _JVM_SUFFIXES] + [p + stem for p in _JVM_PREFIXES]
        return [f"{base}/{n}.{ext}" for n in names]

    @staticmethod
    def _ruby_candidates(directory: str, stem: str) -> List[str]:
        parts = directory.split("/") if directory else []
        for i in range(len(parts) - 1, -1, -1):
            if parts[i] in ("lib", "app"):
                head = "/".join(parts[:i] + [""]) if i else ""
                rest = "/".join(parts[i + 1:] + [""]) if i + 1 < len(parts) else ""
                out = [f"{head}spec/{rest}{stem}_spec.rb"]
                if parts[i] == "lib":
                    out.append(f"{head}spec/lib/{rest}{stem}_spec.rb")
                out += [f"{head}test/{rest}{stem}_test.rb", f"{head}test/{rest}test_{stem}.rb"]
                return out
        return []


RUST_READ_LIMIT = 4 * 1024 * 1024
_RUST_UNIT_TESTS = re.compile(rb"#\[\s*cfg\s*\(\s*test\s*\)\s*\]|#\[\s*(?:tokio::)?test\b")


def target_columns(context: "ProjectContext") -> Tuple[List[str], List[str]]:
    """``(paths, roles)`` of ``context.targets``, in their order, once per scan (the test answers,
    the stored findings and the history rules ask): a whole scan's classifications are in the
    targets' order (checked: one C-level comparison), read without a look-up each."""
    found = context.__dict__.get("_target_columns")
    if found is None:
        targets, listed = context.targets, context.inventory.paths
        # a whole scan's targets are the inventory's entries, in its order: their paths are its list
        paths = listed if len(targets) == len(listed) else list(map(attrgetter("path"), targets))
        classifications = context.classifications
        if isinstance(classifications, dict) and len(classifications) == len(paths) and list(classifications) == paths:
            classified: Iterable[Any] = classifications.values()
        else:
            classified = map(classifications.__getitem__, paths)
        found = context.__dict__["_target_columns"] = (paths, list(map(itemgetter(0), classified)))
    return found


_FEW_TARGETS = 4096  # up to this many targets, each one's kind is read (no question about the others)


def modules_needing_tests(context: "ProjectContext") -> Mapping[str, Tuple[str, ...]]:
    """Every target module that needs a test -> the test files found for it (empty: none).

    A module needs a test when its role is in ``[tests] require`` and it is not exempt (see
    :meth:`TestIndex.exempt_reason`); a Python module without tests that defines no function
    or class is data only and needs none.  TST001 reports the empty ones; the audit's test
    figures count both kinds.  Data-only is what the coverage stage found when this run has it,
    else the few files without tests are read (a run of TST001 alone parses nothing).
    """
    from repo_roles.coverage.analyze import computed_coverage

    required: Set[str] = set()
    for item in context.config.tests.require:
        required |= R.expand_responsibility(item)
    if not required:
        return {}
    from repo_roles.coverage.test_reuse import open_memo

    index = context.test_index
    targets = context.targets
    every_path, roles = target_columns(context)
    memo = open_memo(context, required)
    if memo is not None:
        try:
            patched = _patched(context, index, memo, every_path, roles)
        except BaseException:
            memo.close()
            raise
        if patched is not None:
            memo.close()
            return patched
    # the regular files in a role that needs tests, picked at C speed (the kinds looked at only
    # when the project has symbolic links or submodules, or when the targets are a few given
    # files: a few files' inventory would look at every entry to say whether it has any)
    needed = list(map(required.__contains__, roles))
    if len(targets) <= _FEW_TARGETS or context.inventory.special_kinds():
        needed = list(map(and_, map(eq, map(attrgetter("kind"), targets), repeat("file")), needed))
    modules = list(compress(targets, needed))
    module_roles = list(compress(roles, needed))
    paths = list(compress(every_path, needed))
    if memo is not None and len(every_path) == len(context.inventory.paths):  # a whole scan
        memo.whole_scan(list(compress(range(len(needed)), needed)), roles, bytes(needed))
    del needed
    try:
        rows = memo.rows(modules, paths, module_roles) if memo is not None else None
        if rows is not None:  # the stored answers' own rows: those asked again replaced
            assert memo is not None
            return _replaced(context, index, memo, paths, rows, modules, module_roles)
        reused, heads = memo.split(modules, module_roles) if memo is not None else ({}, {})
        asked = list(filterfalse(reused.__contains__, paths)) if reused else paths
        # a few names (a change of 20 modules): the index reads only the names asked about
        names = len(context.targets) if memo is None else len({path.rpartition("/")[2].rpartition(".")[0]
                                                               for path in asked})
        index.expect(names)
        if memo is not None and names >= name_order.MIN_NAMES:  # found by file name, not by a scan
            index.use_name_order(lambda: name_order.of_project(context))
        known = computed_coverage(context)
        found: Dict[str, Optional[Tuple[str, ...]]] = {}
        for path in asked:
            answer = found[path] = _answer(context, index, known, path)
            if answer == () and memo is not None and path not in heads:
                heads[path] = index.missing_head(path)
        if memo is not None:  # a reused module without tests and without a stored message head
            without = compress(reused.keys(), map(eq, reused.values(), repeat(())))
            for path in filterfalse(heads.__contains__, without):
                heads[path] = index.missing_head(path)
        index.reuse_heads(heads)
        reused.update(found)
        answers = dict(zip(paths, map(reused.__getitem__, paths)))  # in the modules' order
        if memo is not None:
            made = memo.save(modules, module_roles, answers, heads, partial(_digest_of, context, index, answers))
            if made is not None:
                context.__dict__["_untested_digest"] = made
    finally:
        if memo is not None:
            memo.close()
    return dict(compress(answers.items(), map(is_not, answers.values(), repeat(None))))


def _patched(context: "ProjectContext", index: TestIndex, memo, every_path: List[str],
             roles: List[str]) -> Optional["Answers"]:
    """The stored answers of this whole scan's modules with the rows :meth:`Memo.patch
    <repo_roles.coverage.test_reuse.Memo.patch>` finds asked again, put in place (no Python
    object is made per reused module); None when they are not this scan's modules.

    Another evidence index: each row asked is looked up whole.  The same one: the tests found
    for a module do not depend on its content (see :func:`_replaced`), the others are asked
    without a look-up.  TST001's stored fingerprint holds when every answer and message head
    asked again (and the searched counts) are the stored ones.  Stored again as a delta when
    the evidence index or a module's blob id moved or an answer or head differs from the stored
    one, whole past ``REWRITE_MIN`` rows asked."""
    from repo_roles.coverage.analyze import computed_coverage
    from repo_roles.coverage import test_reuse as TR

    patch = memo.patch(every_path, roles)
    if patch is None:
        return None
    state = memo.state
    # a copy patched (the stored list stays what :meth:`_State.differing` compares this run's with)
    paths, answers, full, content = patch.paths, list(state.answers), patch.full, patch.content
    if full:
        names = len({paths[i].rpartition("/")[2].rpartition(".")[0] for i in full})
        index.expect(names)
        if names >= name_order.MIN_NAMES:  # found by file name, not by a scan
            index.use_name_order(lambda: name_order.of_project(context))
    known = computed_coverage(context) if full or content else None
    same = bool(state.fingerprint) and (not patch.evidence_changed or memo.searched() == state.searched)
    heads: Dict[str, str] = {}
    texts_differ: Set[int] = set()  # rows whose answer or message head is not the stored one
    for i in full:
        path = paths[i]
        answer = _answer(context, index, known, path)
        if answer == ():
            head = heads[path] = index.missing_head(path)
            if answers[i] != () or head != state.head(i):
                texts_differ.add(i)
        elif answer != answers[i]:
            texts_differ.add(i)
        answers[i] = answer
    for i in content:
        path = paths[i]
        if _found_by_name(path, answers[i]):
            continue  # the tests found for it do not depend on its content
        answer = _answer(context, index, known, path, ())
        if answer == () and not (answers[i] == () and state.has_head(i)):
            heads[path] = index.missing_head(path)  # (else the stored head, handed on below)
            texts_differ.add(i)
        elif answer != answers[i]:
            texts_differ.add(i)
        answers[i] = answer
    same = same and not texts_differ
    # the other heads (the untested reused modules') only if a message is made
    index.reuse_heads(heads, lambda: dict(compress(zip(paths, state.heads), state.heads)))
    made: Optional[str] = state.fingerprint if same else None
    asked = len(full) + len(content)
    # stored again when what the next run compares moved, or an answer or head asked again differs
    # (a module edited in the work tree, asked every run: then the stored fingerprint holds again)
    moved = patch.evidence_changed or patch.moved_blobs or texts_differ
    modified, targets, positions = memo.modified, context.targets, state.positions
    if moved:  # the rows differing from the stored answers: a delta's, and those asked whose texts or id differ
        rows = set(state.changed) | texts_differ | patch.moved_blobs
        for i in chain(full, content):  # a row's id: none (modified, untracked) or the index's
            stored_none, none_now = i in state.unknown, paths[i] in modified or targets[positions[i]].blob is None
            if stored_none != none_now:
                rows.add(i)
        rows = sorted(rows)
    if asked > TR.REWRITE_MIN or (moved and len(rows) > TR.DELTA_MAX):  # stored whole again
        pick = itemgetter(*positions) if len(positions) > 1 else (lambda seq: tuple(seq[i] for i in positions))
        stored = dict(compress(zip(paths, state.heads), map(eq, answers, repeat(()))))
        stored.update(heads)
        found = dict(zip(paths, answers))
        memo.whole_scan(list(positions), roles, state.mask)
        made = memo.save(list(pick(context.targets)), list(pick(roles)), found, stored,
                         partial(_digest_of, context, index, found)) or made
    elif moved:  # the rows differing from the stored answers, as a delta on them
        if made is None:
            made = _digest_of(context, index, dict(zip(paths, answers)), list(paths))
        blobs = [targets[positions[i]].blob or "" for i in rows]
        texts = [("" if answers[i] != () else heads.get(paths[i]) or state.head(i) or index.missing_head(paths[i]))
                 for i in rows]
        memo.write_delta(state, rows, [paths[i] for i in rows], [roles[positions[i]] for i in rows],
                         ["" if paths[i] in modified else blob for i, blob in zip(rows, blobs)],
                         [answers[i] for i in rows], texts, made)
    if made is not None:
        context.__dict__["_untested_digest"] = made
    return Answers(paths, answers)


class Answers(Mapping):  # type: ignore[type-arg]
    """What :func:`modules_needing_tests` answers from the patched stored answers: module ->
    the tests found for it, over the modules' paths and answers as two aligned lists (None: it
    needs no test, left out).  The paths and answers kept are picked at C speed when first
    iterated (``list(needing)``, ``needing.values()``: what the summary and TST001 read); the
    dict of them is made only when a module is looked up."""

    def __init__(self, paths: Sequence[str], answers: List[Optional[Tuple[str, ...]]]) -> None:
        self._paths, self._answers = paths, answers
        self._columns: Optional[Tuple[List[str], List[Tuple[str, ...]]]] = None
        self._dict: Optional[Dict[str, Tuple[str, ...]]] = None

    def columns(self) -> Tuple[List[str], List[Tuple[str, ...]]]:
        """``(modules, their tests)`` in the modules' order, those needing none left out."""
        if self._columns is None:
            answers = self._answers
            if None in answers:
                kept = list(map(is_not, answers, repeat(None)))
                self._columns = (list(compress(self._paths, kept)), list(compress(answers, kept)))  # type: ignore[arg-type]
            else:
                self._columns = (list(self._paths), list(answers))  # type: ignore[arg-type]
        return self._columns

    def _mapping(self) -> Dict[str, Tuple[str, ...]]:
        if self._dict is None:
            self._dict = dict(zip(*self.columns()))
        return self._dict

    def __getitem__(self, path: str) -> Tuple[str, ...]:
        return self._mapping()[path]

    def __contains__(self, path: object) -> bool:
        return path in self._mapping()

    def get(self, path: str, default: Any = None) -> Any:
        return self._mapping().get(path, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self.columns()[0])

    def __len__(self) -> int:
        return len(self.columns()[0])

    def values(self) -> "_AnswerValues":
        return _AnswerValues(self)

    def items(self) -> "_AnswerItems":
        return _AnswerItems(self)

    def __repr__(self) -> str:
        return repr(self._mapping())


class _AnswerValues(ValuesView):  # type: ignore[type-arg]
    """The answers kept, iterated as one list (no look-up per module)."""

    def __iter__(self) -> Iterator[Tuple[str, ...]]:
        return iter(self._mapping.columns()[1])  # type: ignore[attr-defined]


class _AnswerItems(ItemsView):  # type: ignore[type-arg]
    """``(module, tests)`` pairs, zipped from the two lists."""

    def __iter__(self) -> Iterator[Tuple[str, Tuple[str, ...]]]:
        return zip(*self._mapping.columns())  # type: ignore[attr-defined]


def _replaced(context: "ProjectContext", index: TestIndex, memo, paths: List[str], rows: List[int],
              modules: List["FileEntry"], roles: List[str]) -> Dict[str, Tuple[str, ...]]:
    """The stored answers with the ``rows`` asked again replaced (nothing is picked or looked up
    per reused module); TST001's stored fingerprint holds when each new answer and message
    head is the stored one."""
    from repo_roles.coverage.analyze import computed_coverage

    state = memo.state
    answers = list(state.answers)
    # The path list, the evidence index, the settings and the roles are the stored ones: the tests
    # found for a module (by name, mapping or evidence) and what was searched for it do not depend
    # on its own content.  What does: whether a module without tests needs one (a data-only Python
    # module, a Rust file with its own unit tests, an exemption that reads the file).  So a module
    # stored with tests keeps them, the others are asked again without looking for tests.
    redo = [i for i in rows if not _found_by_name(paths[i], answers[i])]
    known = computed_coverage(context) if redo else None
    same = bool(state.fingerprint)
    heads: Dict[str, str] = {}
    for i in redo:
        path = paths[i]
        answer = _answer(context, index, known, path, ())
        if answer == ():  # what was searched: the stored text, unless it was not stored (or none)
            heads[path] = state.heads[i] if answers[i] == () and state.heads[i] else index.missing_head(path)
        same = same and answer == answers[i] and (answer != () or heads[path] == state.heads[i])
        answers[i] = answer
    # the other heads (the untested reused modules') only if a message is made
    index.reuse_heads(heads, lambda: dict(compress(zip(paths, state.heads), state.heads)))
    if same:
        context.__dict__["_untested_digest"] = state.fingerprint
    found = dict(zip(paths, answers))
    if memo.rewrites():  # many rows asked: stored again (with every untested module's head)
        stored = dict(compress(zip(paths, state.heads), map(eq, answers, repeat(()))))
        stored.update(heads)
        made = memo.save(modules, roles, found, stored, partial(_digest_of, context, index, found))
        if made is not None:
            context.__dict__["_untested_digest"] = made
    return dict(compress(found.items(), map(is_not, answers, repeat(None))))


Parts = Tuple[List[str], Tuple[List[str], List[str], Dict[str, str]]]


def untested_parts(context: "ProjectContext") -> Parts:
    """The modules without tests (in the answers' order) and what was searched for them
    (:meth:`TestIndex.missing_parts`), once per scan: what TST001's findings are made of."""
    found = context.__dict__.get("_untested_parts")
    if found is None:
        needing = context.modules_needing_tests
        found = context.__dict__.get("_untested_parts")  # made while the answers were stored
        if found is None:
            untested = list(compress(needing, map(not_, needing.values())))
            found = _untested_parts(context, context.test_index, untested)
    return found


def _untested_parts(context: "ProjectContext", index: TestIndex, untested: List[str]) -> Parts:
    parts = index.missing_parts(untested) if untested else ([], [], {})  # none: no index made
    found = context.__dict__["_untested_parts"] = (untested, parts)
    return found


def untested_digest(context: "ProjectContext") -> str:
    """A digest of :func:`untested_parts`; the stored one when this run's answers and message
    heads are the stored ones (then no part is made)."""
    context.modules_needing_tests
    found = context.__dict__.get("_untested_digest")
    if found is None:
        found = _digest(*untested_parts(context))
    return found


def _digest_of(context: "ProjectContext", index: TestIndex, answers: Dict[str, Optional[Tuple[str, ...]]],
               paths: List[str]) -> str:
    untested = list(compress(paths, map(eq, map(answers.__getitem__, paths), repeat(()))))
    return _digest(*_untested_parts(context, index, untested))


def _digest(untested: List[str], parts: Tuple[List[str], List[str], Dict[str, str]]) -> str:
    heads, _, searched = parts
    digest = hashlib.sha1(b"TST001 1")
    for texts in (untested, heads):
        digest.update(len(texts).to_bytes(8, "little") + array("q", map(len, texts)).tobytes())
        digest.update("\0".join(texts).encode("utf-8", "surrogatepass"))
    digest.update(repr(sorted(searched.items())).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _found_by_name(path: str, answer: Optional[Tuple[str, ...]]) -> bool:
    """Whether ``answer`` lists tests found for ``path`` by the path list, the mapping or the
    evidence index (not the unit tests a Rust file holds: its own content)."""
    return bool(answer) and answer != (path,)


def _answer(context: "ProjectContext", index: TestIndex, known, path: str,
            tests: Optional[Tuple[str, ...]] = None) -> Optional[Tuple[str, ...]]:
    """The tests found for a module in a role that needs them; None when it needs none
    (``tests``: the tests found for it when they are known)."""
    if tests is None:
        tests = index.tests_for(path)
    if not tests:
        if index.exempt_reason(path) is not None:
            return None
        if path.endswith(".rs"):
            data = context.inventory.read_bytes(path, RUST_READ_LIMIT)
            if data is not None and _RUST_UNIT_TESTS.search(data):
                return (path,)  # unit tests in the file itself (Rust's convention)
        if path.endswith(".py"):
            defines = known.defines_code(path) if known is not None else None
            if defines is None:
                defines = defines_code(context.inventory.read_bytes(path, DATA_ONLY_READ_LIMIT))
            if not defines:
                return None
    return tests
