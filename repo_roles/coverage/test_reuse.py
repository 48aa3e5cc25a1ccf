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
import os
import zlib
from array import array
from bisect import bisect_left
from itertools import accumulate, compress, count, filterfalse, repeat
from operator import add, and_, attrgetter, eq, ge, is_, itemgetter, methodcaller, ne, not_
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, NamedTuple, Optional, Sequence, Set, Tuple

from repo_roles.coverage import colfile

from repo_roles.coverage.test_names import JS_TEST, LANGUAGES, MANIFESTS, tests_dir

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext
    from repo_roles.inventory import FileEntry
    from repo_roles.testrefs.evidence import EvidenceChange

STATE_KIND = "tests-needed"  # the file of the stored answers (colfile)
PATHS_KIND = "tests-needed-paths"  # the path list they were made with (the analysis database)
VERSION = "6"
FORMAT = 6
MAGIC = b"repo-roles tests needed 6\0"
# The stored answers' columns (``colfile.pack_checked``), the first ``EAGER`` read on open: what a
# run after an edit needs (the modules' places among the targets, as numbers and as one byte per
# target, picked with ``compress``; the rows stored without a blob
# id, the answers, every target's role, where each message head ends and its CRC-32: one head is
# read alone, checked by it; the modules' index blob ids, of one width, compared joined); the
# others when asked.
(_POSITIONS, _UNKNOWN, _MASK, _ANSWERS, _TARGET_ROLES, _HEAD_ENDS, _HEAD_CRCS, _INDEX_BLOBS, _ROLES, _BLOBS,
 _PATHS, _HEADS) = range(12)
COLUMNS, EAGER = 12, 8
# A run that asks at most this many modules again, with the path list and evidence of the stored
# answers, does not rewrite them (a write of 50,000 answers costs more than asking 256 again).
REWRITE_MIN = 256
# A run whose answers differ from the stored ones in at most this many rows (the same modules and
# path list; another evidence index: a test edited) writes those rows as a delta on top of them
# (``DELTA_KIND``, naming the stored answers' ``id``), not the 50,000 answers again; a delta
# replaces the one before it (it holds every row that differs from the stored answers).
DELTA_KIND = "tests-needed-delta"
DELTA_MAGIC = b"repo-roles tests needed delta 2\0"
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
_BLOB = itemgetter(3)  # a FileEntry's blob id (a NamedTuple: an item is quicker than its attribute)


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

    def rows_of(self, paths: Sequence[str], every_path: Sequence[str], positions: Sequence[int],
                context: "ProjectContext") -> Set[int]:
        """:meth:`rows` of the modules ``paths`` (at ``positions`` of the path list ``every_path``),
        without a pass per name: the paths touched and the modules of the names touched found by
        binary search (the names in the file-name order, ``name_order``); the subtrees by one
        C-level pass; a Go package or a crate's tests by :meth:`rows`."""
        prefixes = tuple(d + "/" for d in self.subtrees)
        if self.dirs or "" in self.names:
            return self.rows(list(paths), prefixes)
        bad: Set[int] = set()
        if prefixes:
            bad.update(compress(range(len(paths)), map(methodcaller("startswith", prefixes), paths)))
        places = _places(every_path, self.paths)
        if self.names:
            from repo_roles.coverage import name_order

            places.update(name_order.rows_with_stems(every_path, name_order.of_project(context), self.names))
        bad.update(_rows_at(positions, places))
        return bad

    def hits(self, path: str, prefixes: Tuple[str, ...]) -> bool:
        if path in self.paths or (prefixes and path.startswith(prefixes)):
            return True
        if self.dirs and path.endswith(".go") and _dir(path) in self.dirs:
            return True
        return any(n in self.names for n in _module_names(path))


class Patch(NamedTuple):
    """What :meth:`Memo.patch` found: the modules' paths (the stored rows), the rows to ask again
    whole (another evidence index: each is looked up again) or only for what depends on the
    module's own content (the same evidence: tests found for it by name are kept)."""

    paths: Sequence[str]
    full: List[int]
    content: List[int]
    evidence_changed: bool
    moved_blobs: Set[int]  # rows stored with another blob id than the index's (not without one)


def _bisected(ordered: Sequence[Any], items: Iterable[Any]) -> Tuple[Set[int], Set[Any]]:
    """The places in ``ordered`` (increasing) of those of ``items`` binary search finds there,
    and the items it does not."""
    found: Set[int] = set()
    missed: Set[Any] = set()
    n = len(ordered)
    for item in items:
        i = bisect_left(ordered, item)
        if i < n and ordered[i] == item:
            found.add(i)
        else:
            missed.add(item)
    return found, missed


def _places(paths: Sequence[str], wanted: Iterable[str]) -> Set[int]:
    """The positions in ``paths`` (git's sorted path list) of those of ``wanted`` it holds, by
    binary search; a path not where bisection looks is looked for in one C-level pass."""
    found, missed = _bisected(paths, wanted)
    if missed:
        found.update(compress(range(len(paths)), map(missed.__contains__, paths)))
    return found


def _rows_at(positions: Sequence[int], places: Iterable[int]) -> Set[int]:
    """The rows of ``positions`` (increasing) that hold one of ``places``."""
    return _bisected(positions, places)[0]


def special_key(inventory: Any) -> str:
    """The project's entries that are not regular files, as a digest ("": none): with the path
    list and every target's role, they tell which targets are modules."""
    special = inventory.special_kinds()
    if not special:
        return ""
    return hashlib.sha1(repr(sorted(special.items())).encode("utf-8", "surrogatepass")).hexdigest()


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
        self._loaded = False
        self._positions: Optional[List[int]] = None  # the modules' places among the targets (whole scans)
        self._target_roles: Optional[List[str]] = None  # every target's role (whole scans)
        self._mask = b""  # a byte per target, 1 for a module (whole scans)

    def _load(self, whole: bool = True) -> Optional["_State"]:
        """The stored answers with their delta put in; ``whole``: every column read (else the
        ``EAGER`` ones, :meth:`patch`), None when one is missing or damaged."""
        if self.state is None and not self._loaded:
            self._loaded = True
            state = _State.load(self._file)
            if state is not None and state.id:
                state.apply(colfile.read(self._delta_file))
            self.state = state
        if whole and self.state is not None and not self.state.complete():
            self.state = None
        return self.state

    def patch(self, every_path: Sequence[str], roles: List[str]) -> Optional["Patch"]:
        """The rows of the stored answers to ask again when they are this whole scan's modules
        (``every_path``: the targets' paths, the project's path list; ``roles``: theirs) -- the
        same path list, special kinds and roles of every target, and the stored evidence index
        or one whose change since it is known --, else None (then :meth:`rows`, :meth:`split`).

        Nothing is looked at per module: a row is asked again when it was stored without a
        blob id, when the work tree changed its file, when the evidence change touches it (the
        names it touches looked up in the file-name order, ``name_order``), or when its blob id
        is not the stored one (the modules' ids compared joined; one by one only when they
        differ: a commit, ``git add``)."""
        if self._modified is None:
            return None
        inventory = self._context.inventory
        if len(every_path) != len(inventory.paths):  # a whole scan only
            return None
        state = self._load(whole=False)
        if state is None or not state.positions or state.listed != self._listed or state.targets != len(every_path) \
                or state.special != special_key(inventory) or not state.same_target_roles(roles):
            return None
        evidence = self._context.test_index.evidence()
        if evidence.key is None:
            return None
        invalid: Optional[Invalid] = None
        if state.evidence != evidence.key:
            change = evidence.change
            if change is None or change.whole or change.previous != state.evidence:
                return None
            invalid = Invalid()
            invalid.change(change)
            if "" in invalid.subtrees:
                return None
        positions, mask = state.positions, state.mask
        paths = list(compress(every_path, mask))
        asked = set(state.unknown)
        if self._modified:
            asked.update(_rows_at(positions, _places(every_path, self._modified)))
        moved: Set[int] = set()
        targets = self._context.targets
        blobs = list(map(_BLOB, compress(targets, mask)))
        if not state.same_index_blobs(blobs):  # other blob ids are stored for some modules: compared
            if not state.complete():
                return None
            moved = set(compress(range(len(positions)), map(ne, blobs, state.blobs))) - state.unknown
            asked |= moved
        touched: Set[int] = set()
        if invalid is not None:
            touched = invalid.rows_of(paths, every_path, positions, self._context)
        self._evidence_key, self._evidence_before = evidence.key, state.evidence
        self._listed_before = state.listed
        self._state_rows = len(positions)
        self.reused = len(positions) - len(asked | touched)
        if invalid is not None:
            return Patch(paths, sorted(touched | asked), [], True, moved)
        return Patch(paths, [], sorted(asked), False, moved)

    @property
    def modified(self) -> frozenset:
        """The files whose work tree differs from git's index (none stored with a blob id)."""
        return self._modified or frozenset()

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
        # (the late columns read and checked first: a damaged one leaves no rows to compare with)
        if state is not None and state.id and self._listed_before == self._listed and state.complete() \
                and state.same_paths(paths) and self._same_targets(state):
            rows = state.differing(roles, blobs, results, texts)
            if rows is not None and len(rows) <= DELTA_MAX:  # a few rows: written on top of the stored ones
                return self._save_delta(state, rows, paths, roles, blobs, results, texts, fingerprint)
        known = sorted(set(roles))
        number = {r: i for i, r in enumerate(known)}
        try:
            columns = self._stored_columns(entries, paths, roles, number, blobs, results, texts)
        except UnicodeEncodeError:  # a text git cannot have given: not stored
            return None
        if self._listed_before != self._listed:  # the path list the next run compares with
            store = self._database()
            if store is not None:
                store.put_snapshot(PATHS_KIND, self._listed,
                                   "\0".join(self._context.inventory.paths).encode("utf-8", "surrogatepass"))
        made = fingerprint(paths) if fingerprint is not None else None
        whole = self._positions is not None
        width = len(columns[_INDEX_BLOBS]) // len(paths) if paths else 0
        header = {"version": VERSION, "listed": self._listed, "evidence": self._evidence_key, "rows": len(paths),
                  "blob_width": width, "none": results.count(None),
                  "roles": known, "fingerprint": made or "", "searched": self.searched(),
                  "targets": len(self._target_roles) if whole else None,  # type: ignore[arg-type]
                  "special": special_key(self._context.inventory) if whole else ""}
        header["id"] = _content_id(header, columns)  # (a delta made on other answers: unused)
        colfile.write(self._file, colfile.pack_checked(MAGIC, header, columns))
        return made

    def whole_scan(self, positions: List[int], roles: List[str], mask: bytes) -> None:
        """This is a whole scan: the modules are the targets at ``positions`` (``mask``: a byte
        per target, 1 for a module), ``roles`` every target's role (stored with the answers:
        what :meth:`patch` compares)."""
        self._positions, self._target_roles, self._mask = positions, roles, mask

    def _same_targets(self, state: "_State") -> bool:
        """Whether the stored answers' targets (whole scan or not, their roles and special kinds)
        are this run's, so that a delta on them keeps what :meth:`patch` compares."""
        if self._positions is None or self._target_roles is None:
            return state.targets is None
        return state.targets == len(self._target_roles) and state.special == special_key(self._context.inventory) \
            and state.same_target_roles(self._target_roles)

    def _stored_columns(self, entries: Sequence["FileEntry"], paths: List[str], roles: List[str],
                        number: Dict[str, int], blobs: List[str], results: List[Answer], texts: List[str]) -> List[bytes]:
        """The columns of the stored answers (see ``COLUMNS``), each made at C speed."""
        paths_column, roles_column, blobs_column, _, answers, heads = \
            self._columns(paths, roles, number, blobs, results, texts)
        index_blobs = list(map(attrgetter("blob"), entries))
        width = len(index_blobs[0] or "") if index_blobs else 0
        if None in index_blobs:  # untracked: asked again whatever they hold
            index_blobs = [b or "0" * width for b in index_blobs]
        joined = "".join(index_blobs).encode("ascii")
        if len(joined) != width * len(index_blobs):  # ids of several widths: none compared joined
            joined = b""
        encoded = list(map(methodcaller("encode", "utf-8", "surrogateescape"), texts))
        ends = array("I", map(add, accumulate(map(len, encoded)), count()))  # each head's end, a NUL between two
        whole = self._positions is not None
        return [array("i", self._positions if whole else ()).tobytes(),  # type: ignore[arg-type]
                array("i", compress(range(len(blobs)), map(not_, blobs))).tobytes(), self._mask if whole else b"", answers,
                marshal.dumps(self._target_roles if whole else []), ends.tobytes(),
                array("I", map(zlib.crc32, encoded)).tobytes(), joined, roles_column, blobs_column, paths_column,
                heads]

    def _save_delta(self, state: "_State", rows: List[int], paths: List[str], roles: List[str], blobs: List[str],
                    results: List[Answer], texts: List[str], fingerprint: Optional[Callable[[List[str]], str]]
                    ) -> Optional[str]:
        """Store the ``rows`` of this run's answers that differ from the stored ones (see
        ``DELTA_KIND``) with this run's path list digest, evidence key and fingerprint."""
        pick = (lambda seq: [seq[i] for i in rows])
        searched = self.searched()
        if state.same_texts and state.fingerprint and searched is not None and state.searched == searched:
            made: Optional[str] = state.fingerprint  # TST001's parts are the stored ones (see _digest)
        else:
            made = fingerprint(paths) if fingerprint is not None else None
        self.write_delta(state, rows, pick(paths), pick(roles), pick(blobs), pick(results), pick(texts), made)
        return made

    def write_delta(self, state: "_State", rows: List[int], paths: List[str], roles: List[str], blobs: List[str],
                    results: List[Answer], texts: List[str], made: Optional[str]) -> None:
        """Store ``rows`` (every row that differs from the stored answers, increasing) with their
        paths, roles, blob ids, answers and heads as the delta on ``state`` (see ``DELTA_KIND``),
        with this run's path list digest, evidence key and TST001 fingerprint."""
        known = sorted(set(roles))
        number = {r: i for i, r in enumerate(known)}
        try:
            columns = [array("i", rows).tobytes()] + self._columns(paths, roles, number, blobs, results, texts)
        except UnicodeEncodeError:  # a text git cannot have given: not stored
            return
        header = {"version": VERSION, "base": state.id, "listed": self._listed, "evidence": self._evidence_key,
                  "rows": len(rows), "of": state.rows, "roles": known, "fingerprint": made or "",
                  "searched": self.searched()}
        colfile.write(self._delta_file, colfile.pack(DELTA_MAGIC, header, columns))

    def searched(self) -> Optional[Dict[str, int]]:
        """The evidence index's count of test files searched per language: with the untested
        modules and their message heads, what TST001's fingerprint is made of (what the stored
        fingerprint's counts are compared with)."""
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
    """The stored answers, validated (see :meth:`load`): columns aligned with the modules' paths.

    Opened with the columns a run after an edit needs (``EAGER``: the modules' places among the
    targets, the rows stored without a blob id, the answers, the targets' roles and where each
    message head ends); the others (roles, blob ids, paths, heads) are read and checked only
    when a run asks (:meth:`complete`)."""

    def __init__(self, header: dict, rows: int, positions: array, unknown: Set[int], answers: List[Answer],
                 target_roles: memoryview, head_ends: array, head_crcs: array, later: Optional[colfile.Later]) -> None:
        self.listed, self.evidence = header["listed"], header["evidence"]
        self.rows = rows
        self.positions = positions  # the modules' places among the targets (empty: not a whole scan)
        self.targets = header.get("targets")  # the number of targets they were stored with
        self.special = header.get("special")  # the project's special kinds (``special_key``)
        self.unknown = unknown  # rows stored without a blob id: asked again
        self.answers = answers
        self._target_roles: Optional[memoryview] = target_roles
        self._head_ends, self._head_crcs = head_ends, head_crcs
        self.path: Optional[Path] = None  # the file read (removed when a column read late is damaged)
        self.index_blobs: Optional[memoryview] = None  # git's blob id of every module, joined (_INDEX_BLOBS)
        self.mask = b""  # one byte per target, 1 for a module (_MASK; empty: not a whole scan)
        self.blob_width = header.get("blob_width") if type(header.get("blob_width")) is int else 0
        self._later = later
        self._completed: Optional[bool] = None if later is not None else False
        self._raw_paths: Optional[memoryview] = None
        self._paths: Optional[List[str]] = None
        self.roles, self._names = array("H"), list(header["roles"])
        self.blobs: List[str] = []
        self._raw_heads: Optional[bytes] = None
        self.fingerprint = header["fingerprint"]  # TST001's of these answers and heads ("": none)
        found_id = header.get("id")
        self.id = found_id if type(found_id) is str else ""  # (a delta names it; "": none)
        self._head_rows: Dict[int, str] = {}  # a delta's heads
        self._delta: Optional[Tuple[array, array, List[str], List[str]]] = None  # rows, roles, names, blobs
        self.changed: List[int] = []  # the rows a delta put in (they differ from the stored answers)
        self.searched: Optional[dict] = header.get("searched")  # the evidence's searched counts of the fingerprint
        self.same_texts = False  # (set by differing)

    def complete(self) -> bool:
        """Read the columns :meth:`load` left (roles, blob ids, paths, heads), checked; False when
        one is missing or damaged (then nothing stored is used)."""
        if self._completed is None:
            self._completed = self._read_later()
            if not self._completed and self.path is not None:  # damaged: written whole by the next run
                try:
                    os.unlink(self.path)
                except OSError:
                    pass
        return self._completed

    def _read_later(self) -> bool:
        later = self._later
        assert later is not None
        raw_roles, raw_blobs = later.column(_ROLES), later.column(_BLOBS)
        self._raw_paths, self._raw_heads = later.column(_PATHS), later.column(_HEADS)
        if raw_roles is None or raw_blobs is None or self._raw_paths is None or self._raw_heads is None:
            return False
        try:
            self.roles.frombytes(raw_roles)
            self.blobs = str(raw_blobs, "ascii").split("\0") if self.rows else []
        except (ValueError, UnicodeDecodeError):
            return False
        n = self.rows
        if len(self.roles) != n or len(self.blobs) != n or (n and max(self.roles) >= len(self._names)) \
                or (n and self._head_ends[-1] != len(self._raw_heads)):
            return False
        if self._delta is not None:
            rows, roles, names, blobs = self._delta
            number = {r: i for i, r in enumerate(self._names)}
            for name in names:
                if name not in number:  # a role the stored rows lack
                    number[name] = len(self._names)
                    self._names.append(name)
            for i, role, blob in zip(rows, roles, blobs):
                self.roles[i] = number[names[role]]
                self.blobs[i] = blob
        return True

    def apply(self, raw: Optional[bytes]) -> None:
        """Put in the rows of a sound delta on these answers (see ``DELTA_KIND``); anything
        missing, damaged, of another format or made on other answers is not used."""
        found = colfile.unpack(raw, DELTA_MAGIC, 7)
        if found is None:
            return
        header, columns = found
        try:
            n, names = header["rows"], header["roles"]
            if header.get("version") != VERSION or header.get("base") != self.id or header.get("of") != self.rows \
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
                or (n and (max(roles) >= len(names) or rows[0] < 0 or rows[-1] >= self.rows
                           or any(map(ge, rows, rows[1:])))) \
                or answers is None or len(answers) != n or answers.count(None) != counts.count(-1) \
                or not set(map(type, answers)) <= {type(None), tuple}:
            return
        for i, blob, answer, head in zip(rows, blobs, answers, heads):
            self.answers[i] = answer
            self._head_rows[i] = head
            if blob:
                self.unknown.discard(i)
            else:
                self.unknown.add(i)
        self._delta = (rows, roles, list(names), blobs)
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

    def has_head(self, row: int) -> bool:
        """Whether a TST001 message head is stored for ``row`` (known without reading the heads)."""
        found = self._head_rows.get(row)
        if found is not None:
            return found != ""
        ends = self._head_ends
        return ends[row] - (ends[row - 1] + 1 if row else 0) > 0

    def head(self, row: int) -> Optional[str]:
        """The stored TST001 message head of ``row`` ("": none); None when the heads cannot be read."""
        found = self._head_rows.get(row)
        if found is not None:
            return found
        ends, later = self._head_ends, self._later
        start = ends[row - 1] + 1 if row else 0
        piece = later.piece(_HEADS, start, ends[row] - start) if later is not None else None
        if piece is None or zlib.crc32(piece) != self._head_crcs[row]:
            return None
        try:
            return str(piece, "utf-8", "surrogateescape")
        except UnicodeDecodeError:
            return None

    @property
    def heads(self) -> List[str]:
        """The stored TST001 message heads ("" where none: made again), split on first use."""
        found = self.__dict__.get("_heads")
        if found is None:
            found = []
            if self.complete():
                try:
                    found = str(self._raw_heads, "utf-8", "surrogateescape").split("\0") if self.rows else []  # type: ignore[arg-type]
                except UnicodeDecodeError:
                    found = []
            if len(found) != self.rows:  # (not what was written: none reused)
                found = [""] * self.rows
            for i, head in self._head_rows.items():  # a delta's
                found[i] = head
            self.__dict__["_heads"] = found
        return found

    @property
    def paths(self) -> List[str]:
        if self._paths is None:
            raw = self._raw_paths
            self._paths = str(raw, "utf-8", "surrogateescape").split("\0") if self.rows else []  # type: ignore[arg-type]
        return self._paths

    def same_paths(self, paths: Sequence[str]) -> bool:
        """Whether the rows are those of ``paths`` (compared joined, at C speed)."""
        if self._paths is not None:
            return self._paths == list(paths)
        # (bytes: a memoryview compares item by item)
        return len(paths) == self.rows \
            and "\0".join(paths).encode("utf-8", "surrogateescape") == bytes(self._raw_paths)  # type: ignore[arg-type]

    def same_index_blobs(self, blobs: List[Optional[str]]) -> bool:
        """Whether git's blob ids of the modules (``blobs``, in row order) are those stored with
        every row but those stored without one (asked again whatever their id): joined and
        compared at C speed, a delta's rows compared with the ids it holds."""
        width, raw = self.blob_width, self.index_blobs
        if not width or raw is None or len(raw) != width * self.rows or len(blobs) != self.rows:
            return False
        try:
            stored = str(raw, "ascii")
        except UnicodeDecodeError:
            return False
        mine = blobs
        if self._delta is not None or self.unknown:
            mine = list(blobs)
            if self._delta is not None:
                rows, _, _, delta_blobs = self._delta
                for i, blob in zip(rows, delta_blobs):
                    if blob and mine[i] == blob:  # the delta's id: the stored column's stands for it
                        mine[i] = stored[i * width:(i + 1) * width]
                    elif mine[i] != blob:  # another id than the delta's (the base column's, say: a
                        return False  # module edited back): compared one by one, delta applied
            for i in self.unknown:  # asked again whatever their id
                mine[i] = stored[i * width:(i + 1) * width]
        try:
            return "".join(mine) == stored  # type: ignore[arg-type]
        except TypeError:  # an untracked module: compared one by one
            return False

    def same_target_roles(self, roles: List[str]) -> bool:
        """Whether ``roles`` (every target's, a whole scan) are those the answers were stored with:
        a list loaded at C speed and compared (the roles are a few shared strings)."""
        raw = self._target_roles
        if raw is None or self.targets != len(roles):
            return False
        try:
            stored = marshal.loads(raw)
        except (ValueError, EOFError, TypeError):
            self._target_roles = None
            return False
        return type(stored) is list and stored == roles

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
    def load(cls, path: Path) -> Optional["_State"]:
        """The stored state at ``path`` (its ``EAGER`` columns read and checked); None for
        anything missing, damaged or of another format."""
        opened = colfile.open_checked(path, MAGIC, COLUMNS, EAGER)
        if opened is None:
            return None
        header, columns, later = opened
        state = cls._of(header, columns, later)
        if state is not None:
            state.path = path
        return state

    @classmethod
    def from_bytes(cls, raw: Optional[bytes]) -> Optional["_State"]:
        """:meth:`load` of a value held whole (every column checked now)."""
        found = colfile.unpack_checked(raw, MAGIC, COLUMNS)
        if found is None:
            return None
        header, columns = found
        state = cls._of(header, columns[:EAGER], None)
        if state is not None:
            state._completed = None
            state._later = _Held(columns)  # type: ignore[assignment]
        return state

    @classmethod
    def _of(cls, header: dict, columns: List[memoryview], later: Optional[colfile.Later]) -> Optional["_State"]:
        try:
            n, names, targets = header["rows"], header["roles"], header.get("targets")
            if header.get("version") != VERSION or type(n) is not int or not isinstance(names, list) \
                    or not all(type(r) is str for r in names) or type(header.get("fingerprint")) is not str \
                    or not all(isinstance(header.get(k), str) for k in ("listed", "evidence", "special")) \
                    or not (targets is None or type(targets) is int):
                return None
            positions, unknown, ends, crcs = array("i"), array("i"), array("I"), array("I")
            positions.frombytes(columns[_POSITIONS])
            unknown.frombytes(columns[_UNKNOWN])
            mask, nones = bytes(columns[_MASK]), header["none"]
            ends.frombytes(columns[_HEAD_ENDS])
            crcs.frombytes(columns[_HEAD_CRCS])
            answers = _answers(columns[_ANSWERS], n)
        except (ValueError, KeyError, TypeError, EOFError, MemoryError, OverflowError):
            return None
        if not (len(ends) == len(crcs) == n) or (len(positions) not in (0, n)) or type(nones) is not int \
                or (positions and (targets is None or positions[0] < 0 or positions[-1] >= targets
                                   or len(mask) != targets or mask.count(1) != n)) \
                or (unknown and (min(unknown) < 0 or max(unknown) >= n)) \
                or answers is None or len(answers) != n or answers.count(None) != nones \
                or not set(map(type, answers)) <= {type(None), tuple}:
            return None  # (the file's checksums cover every column: the answers are the ones written)
        state = cls(header, n, positions, set(unknown), answers, columns[_TARGET_ROLES], ends, crcs, later)
        state.index_blobs, state.mask = columns[_INDEX_BLOBS], mask
        return state


class _Held:
    """The columns of a value held whole, answered like :class:`colfile.Later`."""

    def __init__(self, columns: List[memoryview]) -> None:
        self._columns = columns

    def column(self, index: int) -> Optional[bytes]:
        return bytes(self._columns[index])

    def piece(self, index: int, start: int, length: int) -> Optional[bytes]:
        return bytes(self._columns[index][start:start + length])


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
