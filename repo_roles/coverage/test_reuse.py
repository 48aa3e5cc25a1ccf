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
import marshal
from array import array
from itertools import compress, filterfalse, repeat
from operator import and_, attrgetter, eq, ge, is_, itemgetter, methodcaller, ne
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from repo_roles.coverage import colfile

from repo_roles.coverage.test_names import JS_TEST, LANGUAGES, MANIFESTS, tests_dir

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext
    from repo_roles.inventory import FileEntry
    from repo_roles.testrefs.evidence import EvidenceChange

STATE_KIND = "tests-needed"  # the file of the stored answers (colfile)
PATHS_KIND = "tests-needed-paths"  # the path list they were made with (the analysis database)
VERSION = "5"
FORMAT = 5
MAGIC = b"repo-roles tests needed 5\0"
# A run that asks at most this many modules again, with the path list and evidence of the stored
# answers, does not rewrite them (a write of 50,000 answers costs more than asking 256 again).
REWRITE_MIN = 256
# A run whose answers differ from the stored ones in at most this many rows (the same modules and
# path list; another evidence index: a test edited) writes those rows as a delta on top of them
# (``DELTA_KIND``, naming the stored answers' ``id``), not the 50,000 answers again; a delta
# replaces the one before it (it holds every row that differs from the stored answers).
DELTA_KIND = "tests-needed-delta"
DELTA_MAGIC = b"repo-roles tests needed delta 1\0"
DELTA_MAX = 4096
_STRIP_SUFFIXES = ("_test", "_spec", "_tests", "_unittest", "_unittests", "Test", "Tests", "TestCase", "IT", "ITCase")
_STRIP_PREFIXES = ("test_", "Test", "IT")

# A module's stored answer: None (needs no test), or the tests found (empty: none found).
Answer = Optional[Tuple[str, ...]]
# An answer as a sequence (``dict.get(answer, answer)``): None (needs no test) as ``()``, its stored
# count then set to -1
_AS_SEQUENCE: Dict[Any, Tuple[str, ...]] = {None: ()}
_PARTITION_SLASH, _PARTITION_DOT = methodcaller("rpartition", "/"), methodcaller("rpartition", ".")
_HEAD, _TAIL = itemgetter(0), itemgetter(2)


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

    def change(self, change: "EvidenceChange") -> None:
        """Every test and module an evidence index's change names (:meth:`test`, :meth:`module`)."""
        for test in change.tests:
            self.test(test)
        for module in change.modules:
            self.module(module)

    def rows(self, paths: List[str], prefixes: Tuple[str, ...]) -> Set[int]:
        """The positions in ``paths`` that :meth:`hits`, found column by column at C speed (a
        Python test per path only for the Go directories and a change of a Rust crate's tests)."""
        bad: Set[int] = set()
        every = range(len(paths))
        if self.paths:
            bad.update(compress(every, map(self.paths.__contains__, paths)))
        if prefixes:
            bad.update(compress(every, map(methodcaller("startswith", prefixes), paths)))
        if self.names:
            # each path's stem (as ``_module_names``), cut by C-level calls only
            stems = map(_HEAD, map(_PARTITION_DOT, map(_TAIL, map(_PARTITION_SLASH, paths))))
            bad.update(compress(every, map(self.names.__contains__, stems)))
        if self.dirs or "" in self.names:
            bad.update(i for i, p in enumerate(paths) if self.hits(p, ()))
        return bad

    def hits(self, path: str, prefixes: Tuple[str, ...]) -> bool:
        if path in self.paths or (prefixes and path.startswith(prefixes)):
            return True
        if self.dirs and path.endswith(".go") and _dir(path) in self.dirs:
            return True
        return any(n in self.names for n in _module_names(path))


class Memo:
    """The stored answers of one project (see the module doc), split into reusable and not."""

    def __init__(self, context: "ProjectContext", settings: str) -> None:
        from repo_roles.cachedir import project_key
        from repo_roles.coverage import cache as C
        from repo_roles.testrefs import facts as F

        self._context = context
        inventory = context.inventory
        directory = C.cache_directory(context.config, inventory.project_root)
        self._file = colfile.file_for(directory, STATE_KIND, FORMAT, project_key(inventory), settings)
        self._delta_file = colfile.file_for(directory, DELTA_KIND, FORMAT, project_key(inventory), settings)
        self._store: Optional[Any] = None  # the analysis database, opened only for the path list
        self._settings = settings
        self._listed = inventory.paths_digest()
        self._modified = F.modified_files(context)
        self._evidence_key: Optional[str] = None
        self._listed_before: Optional[str] = None  # the path list digest of the stored answers
        self._evidence_before: Optional[str] = None  # and their evidence index key
        self._state_rows = -1  # rows of the stored answers
        self.reused = 0  # answers reused by split()
        self.state: Optional["_State"] = None  # the stored answers split() or rows() read

    def _load(self) -> Optional["_State"]:
        if self.state is None:
            state = _State.load(colfile.read(self._file))
            if state is not None and state.id:
                state.apply(colfile.read(self._delta_file))
            self.state = state
        return self.state

    def _database(self) -> Optional[Any]:
        if self._store is None:
            from repo_roles.testrefs import facts as F

            self._store = F.open_store(self._context)
        return self._store

    def split(self, entries: Sequence["FileEntry"], roles: List[str]) -> Tuple[Dict[str, Answer], Dict[str, str]]:
        """``(path -> reused answer, path -> reused TST001 message head)`` for ``entries`` (their
        roles aligned with them)."""
        if self._modified is None:
            return {}, {}
        evidence = self._context.test_index.evidence()
        self._evidence_key = evidence.key
        state = self._load()
        if state is None or evidence.key is None:
            return {}, {}
        self._listed_before = state.listed
        self._evidence_before = state.evidence
        invalid = Invalid()
        if state.evidence != evidence.key:
            change = evidence.change
            if change is None or change.whole or change.previous != state.evidence:
                return {}, {}
            invalid.change(change)
        if state.listed != self._listed:
            from repo_roles.inventory import paths_digest

            store = self._database()
            before = store.read_snapshot(PATHS_KIND, state.listed) if store is not None else None
            if before is None or self._context.config.tests.mapping:
                return {}, {}
            listed_before = before.decode("utf-8", "surrogatepass").split("\0") if before else []
            if paths_digest(listed_before) != state.listed:  # damaged: no reuse
                return {}, {}
            old = set(listed_before)
            now_listed = set(self._context.inventory.paths)
            for path in old.symmetric_difference(now_listed):
                if path.rpartition("/")[2] in MANIFESTS:
                    return {}, {}
                invalid.file(path)
        if "" in invalid.subtrees:
            return {}, {}
        prefixes = tuple(d + "/" for d in invalid.subtrees)
        now = list(map(attrgetter("path"), entries))
        blobs_now = list(map(attrgetter("blob"), entries))
        modified = self._modified
        if state.same_paths(now):  # the same modules as last time (most runs): compared at C speed
            paths = now
            same = map(eq, blobs_now, state.blobs)
            if state.roles_of(roles) != state.roles:
                same = map(and_, same, map(eq, state.role_names(), roles))
            rows: Iterable[int] = compress(range(len(now)), same)
        else:
            paths = state.paths
            position = dict(zip(paths, range(len(paths))))
            names = state.role_names()
            rows = [i for i, blob, role in ((position.get(p), b, r) for p, b, r in zip(now, blobs_now, roles))
                    if i is not None and state.blobs[i] == blob and names[i] == role]
        blobs, texts = state.blobs, state.heads
        bad = invalid.rows(paths, prefixes)
        if modified:
            bad.update(compress(range(len(paths)), map(modified.__contains__, paths)))
        rows = list(filterfalse(bad.__contains__, rows) if bad else rows)
        rows = list(compress(rows, map(blobs.__getitem__, rows)))  # no id stored: asked again
        # the reused rows' paths, answers and heads picked at C speed (no Python call per row)
        pick = itemgetter(*rows) if len(rows) > 1 else (lambda seq: tuple(seq[i] for i in rows))
        kept_paths, kept_texts = pick(paths), pick(texts)
        answers: Dict[str, Answer] = dict(zip(kept_paths, pick(state.answers)))
        heads: Dict[str, str] = dict(compress(zip(kept_paths, kept_texts), kept_texts))
        self.reused = len(answers)
        self._state_rows = len(state.blobs)
        return answers, heads

    def rows(self, entries: Sequence["FileEntry"], paths: List[str], roles: List[str]) -> Optional[List[int]]:
        """The rows of the stored answers to ask again when they are the rows of ``entries`` (the
        same modules in the same order, the same path list and evidence index: most runs after
        an edit), else None (then :meth:`split`): the modules whose role or blob id is not the
        stored one, the files the work tree changed and those stored without an id -- compared
        column by column at C speed, no answer or message head decoded or picked."""
        if self._modified is None:
            return None
        evidence = self._context.test_index.evidence()
        state = self._load()
        if state is None or evidence.key is None or state.evidence != evidence.key or state.listed != self._listed \
                or not state.same_paths(paths):
            return None
        if not state.same_roles(roles):
            return None
        self._evidence_key = self._evidence_before = evidence.key
        self._listed_before = state.listed
        self._state_rows = len(paths)
        every = range(len(paths))
        asked = set(compress(every, map(ne, map(attrgetter("blob"), entries), state.blobs)))
        if self._modified:
            asked.update(compress(every, map(self._modified.__contains__, paths)))
        self.reused = len(paths) - len(asked)
        return sorted(asked)

    def rewrites(self) -> bool:
        """Whether :meth:`save` would write when the stored answers have this run's row count (it
        writes whenever they have another)."""
        return self._modified is not None and self._evidence_key is not None and not (
            self._state_rows >= 0 and self._state_rows - self.reused <= REWRITE_MIN
            and self._listed_before == self._listed and self._evidence_key == self._evidence_before)

    def save(self, entries: Sequence["FileEntry"], roles: List[str], answers: Dict[str, Answer],
             heads: Dict[str, str], fingerprint: Optional[Callable[[List[str]], str]] = None) -> Optional[str]:
        """Store this run's answers (``answers`` covers every entry) with TST001's fingerprint of
        them (``fingerprint``: of the answers' order of paths; returned when made)."""
        if self._modified is None or self._evidence_key is None:
            return None
        if self._state_rows == len(entries) and not self.rewrites():
            return None  # a few modules asked again: cheaper to ask them again next time than to write
        paths = list(map(attrgetter("path"), entries))
        results = list(map(answers.__getitem__, paths))
        blobs = self._blobs(entries, paths)
        texts = list(map(heads.get, paths, repeat("")))
        state = self.state
        if state is not None and state.id and self._listed_before == self._listed and state.same_paths(paths):
            rows = state.differing(roles, blobs, results, texts)
            if rows is not None and len(rows) <= DELTA_MAX:  # a few rows: written on top of the stored ones
                return self._save_delta(state, rows, paths, roles, blobs, results, texts, fingerprint)
        known = sorted(set(roles))
        number = {r: i for i, r in enumerate(known)}
        try:
            columns = self._columns(paths, roles, number, blobs, results, texts)
        except UnicodeEncodeError:  # a text git cannot have given: not stored
            return None
        if self._listed_before != self._listed:  # the path list the next run compares with
            store = self._database()
            if store is not None:
                store.put_snapshot(PATHS_KIND, self._listed,
                                   "\0".join(self._context.inventory.paths).encode("utf-8", "surrogatepass"))
        made = fingerprint(paths) if fingerprint is not None else None
        header = {"version": VERSION, "listed": self._listed, "evidence": self._evidence_key, "rows": len(paths),
                  "roles": known, "fingerprint": made or "", "searched": self._searched()}
        header["id"] = _content_id(header, columns)  # (a delta made on other answers: unused)
        colfile.write(self._file, colfile.pack(MAGIC, header, columns))
        return made

    def _save_delta(self, state: "_State", rows: List[int], paths: List[str], roles: List[str], blobs: List[str],
                    results: List[Answer], texts: List[str], fingerprint: Optional[Callable[[List[str]], str]]
                    ) -> Optional[str]:
        """Store the ``rows`` of this run's answers that differ from the stored ones (see
        ``DELTA_KIND``) with this run's path list digest, evidence key and fingerprint."""
        pick = (lambda seq: [seq[i] for i in rows])
        picked_roles = pick(roles)
        known = sorted(set(picked_roles))
        number = {r: i for i, r in enumerate(known)}
        try:
            columns = [array("i", rows).tobytes()] + self._columns(pick(paths), picked_roles, number, pick(blobs),
                                                                    pick(results), pick(texts))
        except UnicodeEncodeError:  # a text git cannot have given: not stored
            return None
        searched = self._searched()
        if state.same_texts and state.fingerprint and searched is not None and state.searched == searched:
            made: Optional[str] = state.fingerprint  # TST001's parts are the stored ones (see _digest)
        else:
            made = fingerprint(paths) if fingerprint is not None else None
        header = {"version": VERSION, "base": state.id, "listed": self._listed, "evidence": self._evidence_key,
                  "rows": len(rows), "of": len(paths), "roles": known, "fingerprint": made or "",
                  "searched": searched}
        colfile.write(self._delta_file, colfile.pack(DELTA_MAGIC, header, columns))
        return made

    def _searched(self) -> Optional[Dict[str, int]]:
        """The evidence index's count of test files searched per language: with the untested
        modules and their message heads, what TST001's fingerprint is made of."""
        searched = getattr(self._context.test_index.evidence(), "searched", None)
        return dict(searched) if isinstance(searched, dict) else None

    def _blobs(self, entries: Sequence["FileEntry"], paths: List[str]) -> List[str]:
        """The stored blob id column: none ("", asked again) for a file the work tree changed or
        git does not track, made at C speed (no Python call per row)."""
        modified = self._modified
        assert modified is not None
        blobs = list(map(attrgetter("blob"), entries))
        if None in blobs:
            blobs = [b or "" for b in blobs]
        for i in compress(range(len(paths)), map(modified.__contains__, paths)) if modified else ():
            blobs[i] = ""
        return blobs

    @staticmethod
    def _columns(paths: List[str], roles: List[str], number: Dict[str, int], blobs: List[str],
                 results: List[Answer], texts: List[str]) -> List[bytes]:
        """The six stored columns, each made at C speed (no Python call per row)."""
        counts = array("i", map(len, map(_AS_SEQUENCE.get, results, results)))
        for i in compress(range(len(results)), map(is_, results, repeat(None))):
            counts[i] = -1
        return [
            "\0".join(paths).encode("utf-8", "surrogateescape"),
            array("H", map(number.__getitem__, roles)).tobytes(),
            # no id for a file the work tree changed or git does not track: asked again
            "\0".join(blobs).encode("ascii"),
            counts.tobytes(),
            # the answers themselves (None, or a tuple of test paths), read back at C speed
            marshal.dumps(results),
            "\0".join(texts).encode("utf-8", "surrogateescape"),
        ]

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


class _State:
    """The stored answers, validated (see :meth:`load`): columns aligned with the modules' paths."""

    def __init__(self, listed: str, evidence: str, paths: memoryview, roles: array, names: List[str],
                 blobs: List[str], answers: List[Answer], heads: memoryview, fingerprint: str) -> None:
        self.listed, self.evidence = listed, evidence
        self._raw_paths: Optional[memoryview] = paths
        self._paths: Optional[List[str]] = None
        self.roles, self._names = roles, names
        self.blobs, self.answers = blobs, answers
        self._raw_heads = heads
        self.fingerprint = fingerprint  # TST001's of these answers and heads ("": none)
        self.id = ""  # the stored answers' id (a delta names it; "": an older file, no delta)
        self._head_rows: Dict[int, str] = {}  # a delta's heads, put in when the heads are split
        self.changed: List[int] = []  # the rows a delta put in (they differ from the stored answers)
        self.searched: Optional[dict] = None  # the evidence's searched counts the fingerprint was made with
        self.same_texts = False  # (set by differing)

    def apply(self, raw: Optional[bytes]) -> None:
        """Put in the rows of a sound delta on these answers (see ``DELTA_KIND``); anything
        missing, damaged, of another format or made on other answers is not used."""
        found = colfile.unpack(raw, DELTA_MAGIC, 7)
        if found is None:
            return
        header, columns = found
        try:
            n, names = header["rows"], header["roles"]
            if header.get("version") != VERSION or header.get("base") != self.id or header.get("of") != len(self.blobs) \
                    or type(n) is not int or not isinstance(names, list) or not all(type(r) is str for r in names) \
                    or not all(isinstance(header.get(k), str) for k in ("listed", "evidence", "fingerprint")):
                return
            rows, roles, counts = array("i"), array("H"), array("i")
            rows.frombytes(columns[0])
            roles.frombytes(columns[2])
            counts.frombytes(columns[4])
            blobs = str(columns[3], "ascii").split("\0") if n else []
            answers = _answers(columns[5], n)
            heads = str(columns[6], "utf-8", "surrogateescape").split("\0") if n else []
            # (the rows' paths, column 1, are not compared: the id names the answers they were made on)
        except (ValueError, KeyError, TypeError, UnicodeDecodeError, EOFError, MemoryError, OverflowError):
            return
        if not (len(rows) == len(roles) == len(counts) == len(blobs) == len(heads) == n) \
                or (n and (max(roles) >= len(names) or rows[0] < 0 or rows[-1] >= len(self.blobs)
                           or any(map(ge, rows, rows[1:])))) \
                or answers is None or len(answers) != n or answers.count(None) != counts.count(-1) \
                or not set(map(type, answers)) <= {type(None), tuple}:
            return
        number = {r: i for i, r in enumerate(self._names)}
        for name in names:
            if name not in number:  # a role the stored rows lack
                number[name] = len(self._names)
                self._names.append(name)
        for i, role, blob, answer, head in zip(rows, roles, blobs, answers, heads):
            self.roles[i] = number[names[role]]
            self.blobs[i], self.answers[i] = blob, answer
            self._head_rows[i] = head
        self.__dict__.pop("_heads", None)
        self.listed, self.evidence, self.fingerprint = header["listed"], header["evidence"], header["fingerprint"]
        self.searched = header.get("searched")
        self.changed = list(rows)

    def differing(self, roles: List[str], blobs: List[str], answers: List[Answer], heads: List[str]
                  ) -> Optional[List[int]]:
        """The rows where the given columns (of these rows' modules) differ from the stored
        answers before any delta, found at C speed: the rows a delta put in and those differing
        now; None when more than ``DELTA_MAX`` rows of a column differ."""
        every = range(len(self.blobs))
        found = set(self.changed)
        self.same_texts = True  # whether every answer and head is the stored one (TST001's parts)
        for column, (mine, theirs) in enumerate(((self.answers, answers), (self.heads, heads), (self.blobs, blobs),
                                                 (self.role_names(), roles))):
            before = len(found)
            found.update(compress(every, map(ne, mine, theirs)))
            if column < 2 and (len(found) > before or any(map(ne, map(mine.__getitem__, self.changed),
                                                              map(theirs.__getitem__, self.changed)))):
                self.same_texts = False
            if len(found) > DELTA_MAX:
                return None
        return sorted(found)

    @property
    def heads(self) -> List[str]:
        """The stored TST001 message heads ("" where none: made again), split on first use."""
        found = self.__dict__.get("_heads")
        if found is None:
            try:
                found = str(self._raw_heads, "utf-8", "surrogateescape").split("\0") if self.blobs else []
            except UnicodeDecodeError:
                found = []
            if len(found) != len(self.blobs):  # (not what was written: none reused)
                found = [""] * len(self.blobs)
            for i, head in self._head_rows.items():  # a delta's
                found[i] = head
            self.__dict__["_heads"] = found
        return found

    @property
    def paths(self) -> List[str]:
        if self._paths is None:
            raw = self._raw_paths
            self._paths = str(raw, "utf-8", "surrogateescape").split("\0") if self.blobs else []  # type: ignore[arg-type]
        return self._paths

    def same_paths(self, paths: List[str]) -> bool:
        """Whether the rows are those of ``paths`` (compared joined, at C speed)."""
        if self._paths is not None:
            return self._paths == paths
        # (bytes: a memoryview compares item by item)
        return len(paths) == len(self.blobs) \
            and "\0".join(paths).encode("utf-8", "surrogateescape") == bytes(self._raw_paths)  # type: ignore[arg-type]

    def same_roles(self, roles: List[str]) -> bool:
        """Whether ``roles`` are the stored rows' roles (one role: counted at C speed)."""
        if len(self._names) == 1:  # every stored number is 0 (checked on load)
            return len(roles) == len(self.roles) and roles.count(self._names[0]) == len(roles)
        return self.roles_of(roles) == self.roles

    def roles_of(self, roles: List[str]) -> array:
        """``roles`` as the numbers of the stored role table (65535: a role it lacks)."""
        number = {r: i for i, r in enumerate(self._names)}
        try:
            return array("H", map(number.__getitem__, roles))
        except KeyError:  # a role the stored rows do not have
            return array("H")

    def role_names(self) -> List[str]:
        return list(map(self._names.__getitem__, self.roles))

    @classmethod
    def load(cls, raw: Optional[bytes]) -> Optional["_State"]:
        """The stored state; None for anything missing, damaged or of another format."""
        found = colfile.unpack(raw, MAGIC, 6)
        if found is None:
            return None
        header, columns = found
        try:
            n, names = header["rows"], header["roles"]
            if header.get("version") != VERSION or type(n) is not int or not isinstance(names, list) \
                    or not all(type(r) is str for r in names) \
                    or not all(isinstance(header.get(k), str) for k in ("listed", "evidence")):
                return None
            roles, counts = array("H"), array("i")
            roles.frombytes(columns[1])
            counts.frombytes(columns[3])
            blobs = str(columns[2], "ascii").split("\0") if n else []
            answers = _answers(columns[4], n)
            heads = columns[5]  # decoded and checked when a message is made (``heads``)
            fingerprint = header["fingerprint"]
        except (ValueError, KeyError, TypeError, UnicodeDecodeError, EOFError, MemoryError, OverflowError):
            return None
        if not (len(roles) == len(blobs) == len(counts) == n) \
                or (n and max(roles) >= len(names)) or type(fingerprint) is not str \
                or answers is None or len(answers) != n or answers.count(None) != counts.count(-1) \
                or not set(map(type, answers)) <= {type(None), tuple}:
            return None  # (the file's checksum covers every column: the answers are the ones written)
        state = cls(header["listed"], header["evidence"], columns[0], roles, names, blobs, answers, heads, fingerprint)
        found_id = header.get("id")
        state.id = found_id if type(found_id) is str else ""
        state.searched = header.get("searched")
        return state


def _content_id(header: dict, columns: List[bytes]) -> str:
    """The id of stored answers: a digest of what they hold (the same answers, the same id)."""
    digest = hashlib.sha1(json.dumps(header, sort_keys=True).encode("utf-8", "surrogatepass"))
    for column in columns:
        digest.update(len(column).to_bytes(8, "little"))
        digest.update(column)
    return digest.hexdigest()


def _answers(column: bytes, n: int) -> Optional[list]:
    """The stored answers column: a marshalled list of ``n`` items, checked before it is read
    (marshal reserves as many items as a list's header claims, before reading any)."""
    if len(column) < 5 or column[0] & 0x7F != ord("[") or int.from_bytes(column[1:5], "little") != n:
        return None
    answers = marshal.loads(column)
    return answers if type(answers) is list else None


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
