"""The modules' test results of the last run, reused for every module whose inputs did not change.

:func:`~repo_roles.coverage.test_presence.modules_needing_tests` answers, for each target module,
whether it needs a test and which test files were found (and, for TST001, what was searched).
After a 20-file change most of 50,000 answers are the same: this module keeps the last run's
answers (one value per project in the analysis cache, under a digest of the ``[tests]``
settings and the tool's exemption table) and says which modules must be asked again.

A module's answer is reused when its role and content id (git's blob id; never for a file the
work tree changed or git does not track) are the ones stored, and nothing it can depend on
changed since the stored run:

* the path list: a file added or removed invalidates the modules of the names it can be a test
  or a namesake of (``test_x.py``, ``x.test.ts``, ``XTest.java``, ``x_spec.rb``, ``x_test.cc``,
  a Rust integration test: the names of :func:`names_of`), the Go files of its directory (Go's
  package tests) and, for a package's ``__init__.py`` or a Python test under a ``tests``
  directory, the modules below that package or tests directory's parent (the message's nearest
  package and tests roots); a manifest added or removed, or any change of a path list under
  ``[tests] mapping`` templates, asks every module again;
* the evidence index: its :class:`~repo_roles.testrefs.evidence.EvidenceChange` since the
  index the stored answers were made with names the modules whose evidence changed and the
  tests whose targets or parsed status changed (their names and directories, as above); a
  change of the real manifests or the Alembic directories asks every module again.

Anything else (another evidence index than the one before, a stored value that is missing or
malformed, no path list to compare with) asks every module: the answers are those of a run
without this module.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from itertools import accumulate, chain, compress, repeat
from operator import eq
from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from repo_roles.coverage.test_names import JS_TEST, LANGUAGES, MANIFESTS, tests_dir

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext
    from repo_roles.inventory import FileEntry

STATE_KIND = "tests-needed"
PATHS_KIND = "tests-needed-paths"
VERSION = "2"
# A run that asks at most this many modules again, with the path list and evidence of the stored
# answers, does not rewrite them (a write of 50,000 answers costs more than asking 256 again).
REWRITE_MIN = 256
_STRIP_SUFFIXES = ("_test", "_spec", "_tests", "_unittest", "_unittests", "Test", "Tests", "TestCase", "IT", "ITCase")
_STRIP_PREFIXES = ("test_", "Test", "IT")

# A module's stored answer: None (needs no test), or the tests found (empty: none found).
Answer = Optional[Tuple[str, ...]]


def names_of(path: str) -> Set[str]:
    """Every module name whose answer a file at ``path`` can be part of: its stem, and the stem
    it tests by any convention (a superset: asking a module again is never wrong)."""
    directory, _, base = path.rpartition("/")
    stem, _, ext = base.rpartition(".")
    names = {stem}
    names.update(stem[: -len(s)] for s in _STRIP_SUFFIXES if stem.endswith(s))
    names.update(stem[len(p):] for p in _STRIP_PREFIXES if stem.startswith(p))
    match = JS_TEST.match(base)
    if match is not None:
        names.add(match.group("stem"))
    if LANGUAGES.get(ext) in ("cpp", "rust", "cs", "php"):
        from repo_roles.coverage.test_presence import _named_test

        tested = _named_test(LANGUAGES[ext], directory, stem)
        if tested is not None:
            names.add(tested)
    return names


def _module_names(path: str) -> Tuple[str, ...]:
    stem = path.rpartition("/")[2].rpartition(".")[0]
    return (stem, "") if path.endswith(".rs") else (stem,)  # a crate's tests serve every file


def _dir(path: str) -> str:
    return path.rpartition("/")[0]


class Invalid:
    """What the changes since the stored run touch: names, directories, whole subtrees, paths."""

    def __init__(self) -> None:
        self.names: Set[str] = set()
        self.dirs: Set[str] = set()
        self.subtrees: Set[str] = set()  # "" = everything
        self.paths: Set[str] = set()

    def test(self, path: str) -> None:
        """A test whose targets or parsed status changed: the modules it is a name match of
        (and, for Go, the files of its package)."""
        self.names |= names_of(path)
        if path.endswith(".go"):
            self.dirs.add(_dir(path))

    def file(self, path: str) -> None:
        """A file added or removed: a test or namesake of other modules, a package (the modules
        below it), a Python test making its tests directory a tests root (of the modules below
        that directory's parent)."""
        self.test(path)
        base = path.rpartition("/")[2]
        if base == "__init__.py":
            self.subtrees.add(_dir(path))
        elif base.endswith(".py") and (base.startswith("test_") or base.endswith("_test.py")):
            parent, _ = tests_dir(_dir(path))
            if parent is not None:
                self.subtrees.add(parent)

    def module(self, path: str) -> None:
        """A module whose own evidence changed (a package's: the messages of every module below)."""
        self.paths.add(path)
        if path.rpartition("/")[2] == "__init__.py":
            self.subtrees.add(_dir(path))

    def hits(self, path: str, prefixes: Tuple[str, ...]) -> bool:
        if path in self.paths or (prefixes and path.startswith(prefixes)):
            return True
        if self.dirs and path.endswith(".go") and _dir(path) in self.dirs:
            return True
        return any(n in self.names for n in _module_names(path))


class Memo:
    """The stored answers of one project (see the module doc), split into reusable and not."""

    def __init__(self, context: "ProjectContext", settings: str) -> None:
        from repo_roles.testrefs import facts as F

        self._context = context
        self._store = F.open_store(context)
        self._settings = settings
        self._listed = context.inventory.paths_digest()
        self._modified = F.modified_files(context)
        self._evidence_key: Optional[str] = None
        self._listed_before: Optional[str] = None  # the path list digest of the stored answers
        self._evidence_before: Optional[str] = None  # and their evidence index key
        self._state_rows = -1  # rows of the stored answers
        self.reused = 0  # answers reused by split()

    def split(self, entries: Sequence["FileEntry"], role_of: Dict[str, str]) -> Tuple[Dict[str, Answer], Dict[str, str]]:
        """``(path -> reused answer, path -> reused TST001 message head)`` for ``entries``."""
        if self._store is None or self._modified is None:
            return {}, {}
        evidence = self._context.test_index.evidence()
        self._evidence_key = evidence.key
        state = _load(self._store.read_snapshot(STATE_KIND, self._settings))
        if state is None or evidence.key is None:
            return {}, {}
        self._listed_before = state["listed"]
        self._evidence_before = state["evidence"]
        invalid = Invalid()
        if state["evidence"] != evidence.key:
            change = evidence.change
            if change is None or change.whole or change.previous != state["evidence"]:
                return {}, {}
            for test in change.tests:
                invalid.test(test)
            for module in change.modules:
                invalid.module(module)
        if state["listed"] != self._listed:
            from repo_roles.inventory import paths_digest

            before = self._store.read_snapshot(PATHS_KIND, state["listed"])
            if before is None or self._context.config.tests.mapping:
                return {}, {}
            listed_before = before.decode("utf-8", "surrogatepass").split("\0") if before else []
            if paths_digest(listed_before) != state["listed"]:  # damaged: no reuse
                return {}, {}
            old = set(listed_before)
            now = set(self._context.inventory.paths)
            for path in old.symmetric_difference(now):
                if path.rpartition("/")[2] in MANIFESTS:
                    return {}, {}
                invalid.file(path)
        if "" in invalid.subtrees:
            return {}, {}
        prefixes = tuple(d + "/" for d in invalid.subtrees)
        paths, roles, blobs, counts, ends, tests, texts = state["rows"]
        now = [e.path for e in entries]
        if now == paths:  # the same modules as last time (most runs): rows compared at C speed
            rows: Iterable[int] = compress(range(len(now)), map(eq, [e.blob for e in entries], blobs))
            if [role_of[p] for p in now] != roles:
                rows = [i for i in rows if roles[i] == role_of[now[i]]]
        else:
            position = dict(zip(paths, range(len(paths))))
            rows = [i for i, e in ((position.get(e.path), e) for e in entries)
                    if i is not None and blobs[i] == e.blob and roles[i] == role_of[e.path]]
        modified = self._modified
        check = bool(prefixes or invalid.paths or invalid.dirs or invalid.names)
        answers: Dict[str, Answer] = {}
        heads: Dict[str, str] = {}
        for i in rows:
            path = paths[i]
            if path in modified or not blobs[i] or (check and invalid.hits(path, prefixes)):
                continue
            count = counts[i]
            answers[path] = None if count < 0 else tuple(tests[ends[i] - count:ends[i]])
            if texts[i]:
                heads[path] = texts[i]
        self.reused = len(answers)
        self._state_rows = len(paths)
        return answers, heads

    def save(self, entries: Sequence["FileEntry"], role_of: Dict[str, str], answers: Dict[str, Answer],
             heads: Dict[str, str]) -> None:
        """Store this run's answers (``answers`` covers every entry)."""
        if self._store is None or self._modified is None or self._evidence_key is None:
            return
        if self._state_rows == len(entries) and len(entries) - self.reused <= REWRITE_MIN \
                and self._listed_before == self._listed and self._evidence_key == self._evidence_before:
            return  # a few modules asked again: cheaper to ask them again next time than to write
        modified = self._modified
        results = [answers[e.path] for e in entries]
        value = {"version": VERSION, "listed": self._listed, "evidence": self._evidence_key,
                 "paths": "\0".join([e.path for e in entries]), "roles": _roles([role_of[e.path] for e in entries]),
                 # no id for a file the work tree changed or git does not track: asked again
                 "blobs": "\0".join(["" if not e.blob or e.path in modified else e.blob for e in entries]),
                 "counts": ",".join([str(-1 if a is None else len(a)) for a in results]),
                 "tests": "\0".join(chain.from_iterable(a for a in results if a)),
                 "heads": "\0".join([heads.get(e.path, "") for e in entries])}
        store = self._store
        if self._listed_before != self._listed:  # the path list the next run compares with
            store.put_snapshot(PATHS_KIND, self._listed,
                               "\0".join(self._context.inventory.paths).encode("utf-8", "surrogatepass"))
        # compressed: the columns repeat directory names and message text (11 MB -> 2 MB at 100k)
        store.put_snapshot(STATE_KIND, self._settings, zlib.compress(
            json.dumps(value, separators=(",", ":")).encode("utf-8", "surrogatepass"), 1))

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def _roles(roles: List[str]) -> str:
    """The roles column: the distinct roles, then each row's as a number (a few bytes a row)."""
    known = sorted(set(roles))
    number = {r: str(i) for i, r in enumerate(known)}
    return "\0".join(known) + "\0\0" + ",".join([number[r] for r in roles])


def _column(text: str) -> List[str]:
    return text.split("\0") if text else []


def _load(raw: Optional[bytes]) -> Optional[dict]:
    """The stored state, validated (anything malformed: None); its rows as columns, split at C
    speed: (paths, roles, blobs, test counts (-1: needs none), where each row's
    tests end in the tests column, the tests column, message heads)."""
    if raw is None:
        return None
    try:
        value = json.loads(zlib.decompress(raw).decode("utf-8", "surrogatepass"))
    except (ValueError, UnicodeDecodeError, zlib.error):
        return None
    names = ("listed", "evidence", "paths", "roles", "blobs", "counts", "tests", "heads")
    if not isinstance(value, dict) or value.get("version") != VERSION \
            or not all(isinstance(value.get(k), str) for k in names):
        return None
    paths, blobs, tests, heads = (_column(value[k]) for k in ("paths", "blobs", "tests", "heads"))
    try:
        counts = [int(c) for c in value["counts"].split(",")] if value["counts"] else []
        names_of_roles, _, numbers = value["roles"].partition("\0\0")
        known = _column(names_of_roles)
        roles = [known[int(n)] for n in numbers.split(",")] if numbers else []
    except (ValueError, IndexError):
        return None
    ends = list(accumulate(map(max, counts, repeat(0))))
    if not (len(paths) == len(roles) == len(blobs) == len(counts) == len(heads)) or min(counts, default=0) < -1 \
            or (ends[-1] if ends else 0) != len(tests):
        return None
    return {"listed": value["listed"], "evidence": value["evidence"],
            "rows": (paths, roles, blobs, counts, ends, tests, heads)}


def settings_key(context: "ProjectContext", required: Iterable[str]) -> str:
    """What every answer depends on: the ``[tests]`` settings, the roles that need tests, the
    tool's version and exemption table and this module's format (``VERSION``: raise it when what
    an answer depends on changes)."""
    from repo_roles import __version__
    from repo_roles.testrefs import facts as F
    from repo_roles.testrefs.exemptions import load

    tests = context.config.tests
    parts = [VERSION, __version__, F.SALT, repr(sorted(required)), repr(list(tests.exempt)),
             repr(sorted((k, list(v)) for k, v in tests.mapping.items())), repr(load())]
    return hashlib.sha1("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def open_memo(context: "ProjectContext", required: Iterable[str]) -> Optional[Memo]:
    """The stored answers of ``context``'s project, or None when a run does not keep them (no
    cache, or a run on given files: those ask about a few modules)."""
    if not getattr(context, "use_cache", True) or getattr(context, "context_from_index", False):
        return None
    return Memo(context, settings_key(context, required))
