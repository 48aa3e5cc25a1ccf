"""The findings of the last whole-project run, kept so that a run does work proportional to what
changed: a file-scope rule reports afresh only on the files whose inputs changed, and no
finding that is reused is sorted again.

A file-scope rule that declares ``inputs=FILE_INPUTS`` reads nothing of a file but the file
itself: its path, its content, its role and its owners (and, for the whole project, the
configuration and the ownership files).  It takes the files to report on
(``check(context, paths)``; ``paths=None``: every target).

The stored entry, one per project (:func:`~repo_roles.cachedir.project_key`), holds:

* its key: the tool's files, the interpreter's version and the documentation analyzers at hand,
  the loaded configuration (the root as a token), where the project sits in its repository,
  the ownership as resolved (the code-owners file as discovered, the digest of every ownership
  file read: ``Ownership.inputs_key``) and the rules on with their severities (the findings are
  stored as the selection accepted them) -- a change of any of them computes every file again;
* every file it knows as ``(path, mode, blob id, role)``, kept as four joined columns (a run
  where they are equal compares four strings; a column that differs is split and compared
  file by file at C speed): git's index record of a clean file stands for its content.  Files
  whose content no index id describes (modified in the work tree as ``git diff-files`` reports
  them, untracked, symlinks, submodules) and files whose documentation is read across files
  (Rust: ``coverage/rust_crate.py`` reads the crate) are never known, so they are computed on
  every run (they are listed in the head, their columns kept as the index states them, so that
  an unchanged index still compares as three strings; the path column is a part of its own,
  skipped when the head's digest of it is this run's);
* each rule's accepted findings (before inline suppressions; SUP001's are never stored), by
  path, as columns (:func:`_encode`: rebuilt into findings at C speed);
* the order of the run's sorted findings, as indices into the rules' lists joined.

The engine (``checks/engine.py``) rebuilds the sorted list from the order at C speed, cuts the
findings of the files computed afresh and of the other rules whose findings differ from the
stored ones, and merges what it computed into it (``findings.FindingTable.merged``).

The entry is written again only when it was missing, when it is of another path list (a file
added or removed), or when the files that differ from it are many (more than 1/8 of the
targets).  Meanwhile a delta beside it (``.delta``: those files'
``(path, mode, blob id, role)`` rows and findings, of that entry's identity) is written when
they change, so a run computes only the files changed since the last run, not every file
changed since the entry was written.  Every part is checksummed (a head with the key and the
files, then each rule's findings in parts of ``_PIECE`` rows, read one at a time, each in two
halves: the columns a report counts, then the others, decoded only when asked); a missing,
truncated, damaged or other-key entry or delta is a miss (every file computed), never a wrong
answer.  A run that said a note while computing stores nothing.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import stat
import sys
import zlib
from array import array
from bisect import bisect_left, bisect_right
from itertools import chain, compress, count, groupby, repeat
from operator import attrgetter, itemgetter, ne
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Callable, Dict, FrozenSet, Iterable, Iterator, List, Optional, Tuple

from repo_roles.cachedir import mark_used
from repo_roles.checks.reuse import config_token, digest_of, entry_path, special_kinds, untracked_of
from repo_roles.coverage.test_presence import target_columns
from repo_roles.findings import Finding
from repo_roles.summarycache import target_role_codes
from repo_roles.index_listing import sorted_positions

if TYPE_CHECKING:
    from repo_roles.checks.selection import RuleSelection
    from repo_roles.context import ProjectContext

FILE_INPUTS = "file"  # the declared inputs of a file-scope rule that reads a file and nothing else
FORMAT = 5  # 4: the path column in a part of its own after the head, which holds its digest;
# 5: the other columns in a part of their own too, the head holding the listing's digest, the
# role codes and the entry's random identity
_MAGIC = b"repo-roles file findings\n"
# Paths whose documentation analysis reads other files (the Rust crate pass): never reused.
_CROSS_FILE_SUFFIXES = (".rs",)
# The entry is written again when more than this share of the targets was computed afresh.
_REWRITE_SHARE = 8
_PIECE = 32768  # findings made per piece of stored rows
_PATH = itemgetter(0)
_SECOND = itemgetter(1)
_BISECT_KEY = sys.version_info >= (3, 10)
_MODE = attrgetter("mode")
_BLOB = attrgetter("blob")
_ENTRY_PATH = attrgetter("path")

Compute = Callable[[Optional[FrozenSet[str]]], Iterable[Finding]]


class FileFindings:
    """The stored findings of one run: reads the stored entry once, writes it at most once.

    The entry keeps every rule's accepted findings (before inline suppressions; SUP001 is never
    stored), each rule's list by path, and the order of the whole run's sorted list as indices
    into those lists joined, so that a run rebuilds the sorted list at C speed and merges what
    changed into it instead of sorting every finding (``FindingTable.merged``)."""

    def __init__(self, context: "ProjectContext", key: str, entry: Path) -> None:
        self._context = context
        self._key = key
        self._entry = entry
        # (paths, modes, blob ids, roles) of the targets, in target order
        self._current_columns: Optional[Tuple[List[str], List[int], List[Optional[str]], List[str]]] = None
        self._listing = b""  # git's listing digest of this run (b"": not told), stored with the entry
        self._codes: Optional[bytes] = None  # the targets' role codes, stored with the entry
        self.stored = StoredFindings({})  # every rule's stored findings, by path, as columns
        self.order: Optional[array] = None  # the sorted list as indices into the stored lists joined
        self.todo: FrozenSet[str] = context.target_paths  # the targets computed afresh
        self.gone: FrozenSet[str] = frozenset()  # stored paths whose findings are not reused
        self._volatile: FrozenSet[str] = frozenset()
        self._fresh = len(context.targets)  # files computed afresh by the largest rule
        self._base: Optional[str] = None  # the stored entry's identity (a delta is of one entry)
        self._delta_rows: FrozenSet[tuple] = frozenset()  # the delta's rows that still hold
        self._delta_found: Dict[str, List[Finding]] = {}  # their findings, per rule
        self._loaded = False
        self._usable = False
        self._relisted = False  # the entry is of another path list: written again (see must_save)
        self.noted = False  # a rule said a note while computing: the note must be said again
        self.light = False  # the caller counts the findings and prints few: parts kept light
        # rule id -> this run's fingerprint of the rule's inputs (Rule.fingerprint), stored with its findings
        self.fingerprints: Dict[str, bytes] = {}

    @classmethod
    def open(cls, context: "ProjectContext", selection: "RuleSelection") -> Optional["FileFindings"]:
        """The run's stored findings; None when this scan cannot reuse any (``--no-cache``, a
        sub-path or given files, no git answer about the work tree)."""
        inventory = context.inventory
        if not context.use_cache or getattr(context, "context_from_index", False) \
                or inventory.git_root is None or inventory.scope \
                or len(context.targets) != len(inventory.paths):
            return None
        found = cls(context, _key(context, selection), _entry_path(context))
        found._file_rules = frozenset(r for r, rule in selection.enabled.items() if rule.inputs == FILE_INPUTS)
        return found

    def file_findings(self, rule_id: str, compute: Compute) -> Optional[List[Finding]]:
        """A file rule's findings on the targets computed afresh (its stored ones are
        ``stored[rule_id]`` less the ``gone`` paths); None when it has none stored (then the
        caller computes every target)."""
        if not self.load() or rule_id not in self.stored:
            self._fresh = len(self._context.targets)
            return None
        notes = len(self._context.notes)
        # asked even about no file: the rule reads the stages it reads without a cache
        found = list(compute(self.todo))
        self.noted = self.noted or len(self._context.notes) != notes
        found.extend(self._delta_found.get(rule_id, ()))
        return found

    def discard(self) -> None:
        """Remove the entry and its delta (found damaged: the next run writes it again); best
        effort."""
        self._usable = False
        for path in (self._entry, _delta_path(self._entry)):
            try:
                os.unlink(path)
            except OSError:
                pass

    def must_save(self) -> bool:
        """Store the run when the entry was missing, is far behind, or is of another path list
        (a file added or removed: else every later run would match the two lists path by path
        and merge every other rule's findings again, until 1/8 of the files changed)."""
        return self._usable and not self.noted \
            and (self._relisted or self._fresh * _REWRITE_SHARE > len(self._context.targets))

    def save(self, lists: Dict[str, List[Finding]], ordered: List[Finding]) -> None:
        """Store each rule's accepted findings (``lists``, by path) and the order of ``ordered``
        (every one of them, sorted) as indices into ``lists`` joined (best effort)."""
        assert self._current is not None
        volatile = self._volatile
        paths, modes, blobs, roles = self._current
        if volatile:  # content no index id describes: computed again by the next run; their findings not stored
            lists = {rule_id: [f for f in found if f.path not in volatile] if rule_id in self._file_rules else found
                     for rule_id, found in lists.items()}
            file_rules = self._file_rules
            ordered = [f for f in ordered if f.path not in volatile or f.rule_id not in file_rules]
        position = dict(zip(map(id, chain.from_iterable(lists.values())), count()))
        try:  # the same objects (a first run): by identity
            order = array("l", map(position.__getitem__, map(id, ordered)))
        except KeyError:  # rows made afresh from stored columns: by value (equal findings read the same)
            del position
            by_value = dict(zip(chain.from_iterable(lists.values()), count()))
            try:
                order = array("l", map(by_value.__getitem__, ordered))
            except KeyError:  # not every finding is in a list: nothing stored
                return
        # the other rules run on every change: their findings are compared with a digest, not read
        digests = {rule_id: (findings_digest(found), self.fingerprints.get(rule_id))
                   for rule_id, found in lists.items() if rule_id not in self._file_rules}
        _write(self._entry, self._key, _columns(paths, modes, blobs, roles), lists, order, digests,
               _paths_key(self._context, paths), sorted(volatile), self._cross, self._listing, self._codes)

    def save_delta(self, lists: Dict[str, List[Finding]]) -> None:
        """Store, beside an entry not written again, the findings of the files that differ from
        it (``lists``: each file rule's findings on them) with their ``(path, mode, blob id,
        role)``, when they are not the delta read: the next run computes only the files changed
        since, however many changed since the entry was written (best effort)."""
        if not self._usable or self.noted or self._base is None:
            return
        rows = frozenset(self._rows_of(self._base_todo - self._volatile))
        if rows == self._delta_rows:
            return
        paths = frozenset(map(_PATH, rows))
        lists = {rule_id: [f for f in found if f.path in paths] for rule_id, found in lists.items()}
        _write_delta(_delta_path(self._entry), self._key, self._base, sorted(rows), lists)

    def _rows_of(self, paths: FrozenSet[str]) -> Iterator[tuple]:
        """``(path, mode, blob id, role)`` of the targets among ``paths``: a few found by
        bisection over the target paths (sorted), else picked at C speed."""
        column, roles = target_columns(self._context)
        at = sorted_positions(column, paths)
        if at is not None:
            targets = self._context.targets  # in the order of their paths (target_columns)
            return iter([(column[index], targets[index].mode, targets[index].blob, roles[index]) for index in at])
        current = self._current
        assert current is not None
        return compress(zip(*current), map(paths.__contains__, column))

    _file_rules: FrozenSet[str] = frozenset()  # the rules on that declare FILE_INPUTS

    @property
    def _current(self) -> Optional[Tuple[List[str], List[int], List[Optional[str]], List[str]]]:
        """``(paths, modes, blob ids, roles)`` of the targets, in target order (None before
        :meth:`load` found the entry usable): the modes and blob ids made on first use (a run
        on the entry's listing compares none of them)."""
        found = self._current_columns
        if found is None and self._usable:
            paths, roles = target_columns(self._context)
            targets = self._context.targets
            found = self._current_columns = (paths, list(map(_MODE, targets)), list(map(_BLOB, targets)), roles)
        return found

    # -- the stored entry against this run's files ---------------------------------------------
    def load(self) -> bool:
        """Read the entry on first use; False when nothing can be reused in this run."""
        if self._loaded:
            return self._usable
        self._loaded = True
        context = self._context
        paths, roles = target_columns(context)
        self._listing = _listing_key(context)
        self._codes = target_role_codes(context)
        handle = _open_entry(self._entry)
        head = _read_head(handle, self._key, _paths_key(context, paths), self._listing, self._codes) \
            if handle is not None else None
        # the same path list as the entry's (its paths not read): the paths read across files are its
        found = _volatile(context, head[0][5] if head is not None and head[0][0] is None else None)
        if found is None:  # no answer about the work tree: nothing is reused, nothing stored
            if handle is not None:
                handle.close()
            return False
        self._usable = True
        self._volatile, self._cross = found
        if head is None:
            if handle is not None:
                handle.close()
            return True
        mark_used(self._entry)
        known, counts, base = head
        self._compare(known)
        self._identity = known[7]
        del known, head
        stored = _read_rules(handle, counts, self.light)  # light: the handle stays open with what it answers
        if stored is None or not self.light:
            handle.close()
        if stored is None:
            self.todo = context.target_paths
            self.gone = frozenset()
            return True
        self.stored, self.order = stored
        self.stored.identity = self._identity
        self._base = f"{base}:{len(self.order)}"
        self._base_todo = self.todo
        self._fresh = len(self.todo)
        if self.todo:
            self._take_delta()
        return True

    _base_todo: FrozenSet[str] = frozenset()
    _identity = b""  # the read entry's random identity (stored with it)
    _cross: List[str] = []  # the targets whose findings read other files (Rust), stored with the entry

    def _take_delta(self) -> None:
        """The files of the stored delta whose inputs are this run's: not computed again."""
        delta = _read_delta(_delta_path(self._entry), self._key, self._base, self._file_rules.intersection(self.stored.rules()))
        if delta is None:
            return
        rows, found = delta
        holding = frozenset(rows).intersection(self._rows_of(self.todo - self._volatile))
        served = frozenset(map(_PATH, holding))
        self._delta_rows = holding if len(holding) == len(rows) else frozenset()
        self._delta_found = {rule_id: [f for f in found_of if f.path in served] for rule_id, found_of in found.items()}
        self.todo = self.todo - served

    def _compare(self, known: list) -> None:
        """Which targets are computed afresh, and which stored paths' findings are cut.  The
        stored columns are a few joined strings: equal columns compare as one string each, and
        only a column that differs is split and compared file by file (at C speed).  The path
        column is None when its digest is this run's path list's (not read, not joined)."""
        context = self._context
        volatile = self._volatile
        paths = target_columns(context)[0]
        stored_volatile = known[4]  # stored with their index ids, yet not known: never reused
        if known[1] is None:  # the entry's path list and git listing (_read_head): modes and ids as stored
            changed: set = set(stored_volatile)
            stored_codes, codes = known[6], self._codes
            if stored_codes != codes:  # roles by their codes, compared at C speed
                changed.update(compress(paths, map(ne, stored_codes, codes)) if len(stored_codes) == len(codes)
                               else paths)
            self.todo = self.gone = context.target_paths.intersection(changed.union(volatile))
            return
        current = self._current
        assert current is not None
        mine = _columns(*current, join_paths=known[0] is not None)
        if known[0] is None or known[0] == mine[0]:  # the same files
            changed = set(stored_volatile)
            for index, (stored, now) in enumerate(zip(known[1:4], mine[1:]), 1):
                if stored != now:
                    changed.update(compress(paths, map(ne, _split(index, stored, len(paths)), current[index])))
            # the stored paths are the targets: what is computed afresh is what is cut, and
            # both are found from the few changed and volatile paths, not from every target
            self.todo = self.gone = context.target_paths.intersection(changed.union(volatile))
            return
        # files added or removed
        self._relisted = True
        stored_paths = _split(0, known[0], -1)
        size = len(stored_paths)
        same = set(zip(*current)).intersection(zip(stored_paths, *(_split(i, known[i], size) for i in (1, 2, 3))))
        reusable = frozenset(map(_PATH, same)) - volatile - frozenset(stored_volatile)
        self.todo = context.target_paths - reusable
        self.gone = frozenset(stored_paths) - reusable


def _columns(paths: List[str], modes: List[int], blobs: List[Optional[str]], roles: List[str],
             join_paths: bool = True) -> list:
    """The files' columns as stored: paths, blob ids and roles joined by NUL (which no git path
    holds), modes as 64-bit integers: four objects, not four per file (``join_paths`` False:
    None for the paths)."""
    return ["\0".join(paths) if join_paths else None, array("q", modes).tobytes(), "\0".join(b or "" for b in blobs) if None in blobs
            else "\0".join(blobs), "\0".join(roles)]  # type: ignore[arg-type]


def _split(index: int, column: object, count: int) -> list:
    """A stored column back as a list (``count`` entries; -1: the path column, any length)."""
    if index == 1:
        numbers = array("q")
        numbers.frombytes(column)  # type: ignore[arg-type]
        return numbers.tolist()
    if count == 0 or (count < 0 and not column):
        return []
    return column.split("\0")  # type: ignore[union-attr]


def _paths_key(context: "ProjectContext", paths: List[str]) -> str:
    """The digest of the targets' path list: the inventory's own (once per run, shared with the
    other caches) when they are its list."""
    from repo_roles.inventory import paths_digest

    inventory = context.inventory
    return inventory.paths_digest() if paths is inventory.paths else paths_digest(paths)


def _listing_key(context: "ProjectContext") -> bytes:
    """git's listing digest (``Inventory.known_listing_digest``: every index record's mode,
    object id and path) when git's listing gives it, as the run's key hashed it; else b"" (never
    made of the entries one by one here).  An entry written under this digest, on the same path
    list, holds this run's modes and blob ids: they are not compared."""
    try:
        return context.inventory.known_listing_digest() or b""
    except (OSError, ValueError):
        return b""


def _volatile(context: "ProjectContext",
              cross: Optional[List[str]] = None) -> Optional[Tuple[FrozenSet[str], List[str]]]:
    """``(the targets whose content their index record does not describe, and those analysed
    across files; those analysed across files)``; None when git did not say which files are
    modified.  ``cross``: the latter as the stored entry of this very path list has them (no
    pass over the paths)."""
    from repo_roles.inventory import shared_worktree_diff

    inventory = context.inventory
    modified = shared_worktree_diff(inventory).result()  # the coverage stage's, when it asked
    if modified is None:
        return None
    out = set(modified)
    out.update(special_kinds(context))
    out.update(untracked_of(context))
    if cross is None:
        paths = inventory.paths
        cross = list(compress(paths, map(str.endswith, paths, repeat(_CROSS_FILE_SUFFIXES))))
    out.update(cross)
    return frozenset(out), cross


def gone_ranges(paths: List[str], gone: FrozenSet[str]) -> List[Tuple[int, int]]:
    """The index ranges of a rule's findings (``paths``: their path column, sorted) holding the
    findings of the ``gone`` paths: one bisection per gone path."""
    if not gone or not paths:
        return []
    out: List[Tuple[int, int]] = []
    for path in sorted(gone):
        low = bisect_left(paths, path)
        if low < len(paths) and paths[low] == path:
            out.append((low, bisect_right(paths, path, low)))
    return out


# -- the stored findings as columns -----------------------------------------------------------
_NONE = -(1 << 63)  # None in an integer column


def _encode(found: List[Finding]) -> tuple:
    """One rule's findings (by path) as columns: a value all rows share is stored once, paths
    once per run of equal paths, texts joined by NUL when none holds one, integers as arrays."""
    columns = list(zip(*found)) if found else [()] * len(Finding._fields)
    out: list = [len(found)]
    for index, column in enumerate(columns):
        if index == 2:  # the path: (distinct paths in order, how many rows each)
            paths = [key for key, _ in groupby(column)]
            out.append(("runs", _text(paths), array("q", map(len, map(list, map(_SECOND, groupby(column))))).tobytes()))
        elif column and column.count(column[0]) == len(column):
            out.append(("same", column[0]))
        elif len(set(column)) * 2 <= len(column):  # each distinct value once, and an index per row
            numbers: Dict[object, int] = {}
            codes = array("q", [numbers.setdefault(v, len(numbers)) for v in column])
            values = list(numbers)
            texts = all(type(v) is str for v in values)
            out.append(("dict", _text(values) if texts else values, texts, codes.tobytes()))
        elif index in (3, 4, 7, 8):  # line, column, end line, end column
            out.append(("ints", array("q", [_NONE if v is None else v for v in column]).tobytes()))
        else:
            out.append(("text", _text(list(column))))
    return tuple(out)


def _text(values: List[str]) -> object:
    joined = "\0".join(values)
    return joined if values and joined.count("\0") == len(values) - 1 else values


def _untext(value: object) -> List[str]:
    if isinstance(value, list):
        return value
    return value.split("\0")  # type: ignore[union-attr]


def _decode(value: object) -> List[Finding]:
    """:func:`_encode`'s columns back as findings, at C speed; raises ValueError when they do not
    add up (the checksum vouches for the bytes, this for the shape)."""
    _check(value)
    size = value[0]  # type: ignore[index]
    columns = [_column(value, index) for index in range(len(Finding._fields))]
    return list(map(tuple.__new__, repeat(Finding), zip(*columns))) if size else []


def _check(value: object, light: bool = False) -> None:
    """Raises ValueError unless ``value`` has :func:`_encode`'s shape with columns of its size:
    checked without decoding a column (counts, lengths and bounds at C speed).  ``light``: a
    part :func:`_light` made, whose other columns are None."""
    if not (isinstance(value, tuple) and len(value) == len(Finding._fields) + 1 and type(value[0]) is int):
        raise ValueError("malformed")
    size = value[0]
    for index, column in enumerate(value[1:]):
        if column is None and light and index not in _LIGHT:
            continue
        if not (isinstance(column, tuple) and column and type(column[0]) is str):
            raise ValueError("malformed")
        try:
            ok = _column_ok(column[0], column[1:], size)
        except (IndexError, TypeError) as exc:  # a column shorter than its kind or of other types
            raise ValueError("malformed") from exc
        if not ok:
            raise ValueError("malformed")


def _column_ok(kind: str, data: tuple, size: int) -> bool:
    """Whether one encoded column (its kind and data) holds ``size`` values."""
    if kind == "same":
        ok = len(data) == 1
    elif kind == "runs":
        runs = array("q")
        runs.frombytes(data[1])
        ok = _count_of(data[0]) == len(runs) and sum(runs) == size and (not runs or min(runs) > 0)
    elif kind == "ints":
        ok = type(data[0]) is bytes and len(data[0]) == 8 * size
    elif kind == "text":
        ok = _count_of(data[0]) == size
    elif kind == "dict":
        values = data[0]
        width = _count_of(values) if data[1] else (len(values) if isinstance(values, list) else -1)
        codes = array("q")
        codes.frombytes(data[2])
        ok = width >= 0 and len(codes) == size and (not codes or (min(codes) >= 0 and max(codes) < width))
    else:
        ok = False
    return ok


def _count_of(texts: object) -> int:
    """How many texts :func:`_text` joined (-1: not such a value)."""
    if isinstance(texts, list):
        return len(texts) if all(type(t) is str for t in texts) else -1
    if type(texts) is not str:
        return -1
    return texts.count("\0") + 1  # "" is one empty text: an empty column is always []


def _column(value: tuple, index: int) -> list:
    """One column of a part :func:`_check` passed, as a list of its size."""
    size = value[0]
    kind, *data = value[1 + index]
    if kind == "same":
        return [data[0]] * size
    if kind == "runs":
        runs = array("q")
        runs.frombytes(data[1])
        return list(chain.from_iterable(map(repeat, _untext(data[0]), runs)))
    if kind == "ints":
        numbers = array("q")
        numbers.frombytes(data[0])
        values: list = numbers.tolist()
        return list(map({_NONE: None}.get, values, values)) if _NONE in values else values
    if kind == "text":
        return _untext(data[0]) if size else []
    codes = array("q")  # "dict": shared values, one object per distinct value, not per row
    codes.frombytes(data[2])
    values = _untext(data[0]) if data[1] else data[0]
    return list(map(values.__getitem__, codes))


_LIGHT = frozenset((0, 2, 5))  # rule id, path, severity: what a report counts (few distinct values)


class StoredFindings:
    """The stored findings of every rule as their parts' columns, decoded only when asked: a
    run that counts findings decodes their rule ids, paths and severities, and makes a
    ``Finding`` only of a row looked at (``findings.FindingSource``).

    Read from an entry (``handle``), a part keeps in memory only those three columns (and
    the columns all its rows share); the others -- messages, keys, lines -- are read again
    from the entry when asked (the same open file: an entry is replaced by a rename, never
    written in place), checked against the CRC-32 read the first time."""

    def __init__(self, parts: Dict[str, List[tuple]], handle: Optional[BinaryIO] = None,
                 places: Optional[List[Tuple[int, Tuple[int, int]]]] = None,
                 digests: Optional[Dict[str, bytes]] = None, fingerprints: Optional[Dict[str, bytes]] = None) -> None:
        """``parts``: each rule's checked parts (kept light by :func:`_light` when ``handle``,
        the entry they were read from at ``places``, is given); ``digests`` and
        ``fingerprints``: those stored with them, per rule (this instance's own dicts)."""
        self.digests = digests or {}  # rule id -> the digest of its stored findings (findings_digest)
        self.fingerprints = fingerprints or {}  # rule id -> the fingerprint of the inputs they were made of
        self.sizes = {rule_id: sum(part[0] for part in found) for rule_id, found in parts.items()}
        self._counts = {rule_id: len(found) for rule_id, found in parts.items()}
        self._starts: List[int] = []  # the first row of each part, all rules joined
        self._flat: List[tuple] = []
        at = 0
        for found in parts.values():
            for part in found:
                self._starts.append(at)
                self._flat.append(part)
                at += part[0]
        self._size = at
        self._handle = handle
        self._places = places or []  # (offset, the CRC-32s of its two halves) of each part in the entry
        self._decoded: Dict[Tuple[int, int], list] = {}  # (part, column) -> values
        # row -> its position in the stored order (as stored with it; None: not known)
        self.positions: Optional[array] = None
        self._whole: Dict[int, tuple] = {}  # parts read again for their rows
        # the entry's random identity (b"": none): its rows are always the same (FindingSource)
        self.identity = b""

    def __len__(self) -> int:
        return self._size

    def rules(self) -> List[str]:
        return list(self.sizes)

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self.sizes

    def _part(self, number: int) -> tuple:
        """A part with every column (read again from the entry when kept light)."""
        part = self._flat[number]
        if self._handle is None or all(column is not None for column in part):
            return part
        offset, crcs = self._places[number]
        try:
            self._handle.seek(offset)
            light, again = _read_part(self._handle, with_crc=True)
            heavy, again_heavy = _read_part(self._handle, with_crc=True)  # its CRC-32 checked now
            if (again, again_heavy) != crcs:  # an entry is never rewritten in place
                raise ValueError("the stored findings changed while they were read")
            whole = _joined(light, heavy)
            _check(whole)
        except (OSError, ValueError) as exc:
            raise DamagedEntry(str(exc)) from exc
        return whole

    def _part_column(self, number: int, index: int, keep: bool = True) -> list:
        found = self._decoded.get((number, index))
        if found is None:
            part = self._flat[number]
            if part[1 + index] is None:
                part = self._whole.get(number) or self._part(number)
            found = _column(part, index)
            if keep:
                self._decoded[(number, index)] = found
                if index in _LIGHT and self._handle is not None:  # the list stands for the encoded column
                    light = self._flat[number]
                    self._flat[number] = light[:1 + index] + (None,) + light[2 + index:]
        return found

    def column(self, index: int) -> list:
        """Field ``index`` of every stored finding, the rules joined in stored order."""
        # messages and keys are many distinct texts: not kept once the whole column is made
        keep = index in _LIGHT
        return list(chain.from_iterable(self._part_column(n, index, keep) for n in range(len(self._flat))))

    def _numbers(self, rule_id: str) -> range:
        first = 0
        for other, parts in self._counts.items():
            if other == rule_id:
                return range(first, first + parts)
            first += parts
        raise KeyError(rule_id)

    def rule_column(self, rule_id: str, index: int) -> list:
        """Field ``index`` of one rule's stored findings."""
        return list(chain.from_iterable(self._part_column(n, index) for n in self._numbers(rule_id)))

    def rule_findings(self, rule_id: str) -> List[Finding]:
        """One rule's stored findings (by path)."""
        return list(chain.from_iterable(_decode(self._part(n)) for n in self._numbers(rule_id)))

    def rule_equals(self, rule_id: str, found: List[Finding]) -> bool:
        """Whether ``found`` (by path) are the rule's stored findings: by the digest stored with
        them when there is one (nothing read of the parts), else compared column by column,
        part by part, no stored finding made (TST001 gives ~27k at 100k files, on every run)."""
        if self.sizes.get(rule_id) != len(found):
            return False
        stored = self.digests.get(rule_id)
        if stored is not None:
            return findings_digest(found) == stored
        at = 0
        for number in self._numbers(rule_id):
            part = self._part(number)
            chunk = found[at:at + part[0]]
            for index in range(len(Finding._fields)):
                if _column(part, index) != list(map(itemgetter(index), chunk)):
                    return False
            at += part[0]
        return True

    def row(self, position: int) -> Finding:
        """The stored finding numbered ``position`` (the rules joined): its part is read whole
        and its columns decoded once, kept until :meth:`forget` (the rows looked at while the
        engine merges and applies suppressions sit in a few parts)."""
        number = bisect_right(self._starts, position) - 1
        offset = position - self._starts[number]
        if number not in self._whole:
            self._whole[number] = self._part(number)
        return Finding._make(self._part_column(number, index)[offset] for index in range(len(Finding._fields)))

    def value(self, position: int, index: int) -> object:
        """Field ``index`` of the stored finding numbered ``position`` (its part's column
        decoded once, kept until :meth:`forget`)."""
        number = bisect_right(self._starts, position) - 1
        if number not in self._whole and (number, index) not in self._decoded and self._flat[number][1 + index] is None:
            self._whole[number] = self._part(number)
        return self._part_column(number, index)[position - self._starts[number]]

    def forget(self) -> None:
        """Drop the parts read whole and the columns decoded for :meth:`row`, all but the light
        ones: a row asked later is read again."""
        self._whole = {}
        self._decoded = {key: found for key, found in self._decoded.items() if key[1] in _LIGHT}

    def offsets(self) -> Dict[str, int]:
        """Each rule's first row among the rules joined."""
        out: Dict[str, int] = {}
        at = 0
        for rule_id, size in self.sizes.items():
            out[rule_id] = at
            at += size
        return out


def findings_digest(found: List[Finding]) -> Optional[bytes]:
    """A digest of the findings' values in order, column by column at C speed (a column of
    texts joined, with their lengths; a column of one value once; any other as marshal's
    version 2 writes it, with no references nor interning flag, so equal values digest alike
    however their objects are shared); None when a value is not one marshal writes."""
    digest = hashlib.sha1(len(found).to_bytes(8, "little"))
    for index in range(len(Finding._fields)):
        column = list(map(itemgetter(index), found))
        if not column or column.count(column[0]) == len(column):
            data = marshal.dumps(("same", column[0] if column else None), 2)
        else:
            try:
                joined = "\0".join(column)
            except TypeError:  # not texts only
                joined = None
            if joined is not None:
                digest.update(b"text" + array("q", map(len, column)).tobytes())
                data = joined.encode("utf-8", "surrogatepass")
            else:
                try:
                    data = marshal.dumps(column, 2)
                except ValueError:
                    return None
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.digest()


def _light(part: tuple) -> tuple:
    """A part with only the columns a report counts and those all rows share."""
    return tuple(column if index == 0 or index - 1 in _LIGHT or column[0] == "same" else None
                 for index, column in enumerate(part))


def _heavy(part: tuple, light: tuple) -> tuple:
    """The columns of a part that its :func:`_light` half, ``light``, leaves out (None in their place)."""
    return tuple(None if kept is not None else column for kept, column in zip(light, part))


def _joined(light: object, heavy: object) -> tuple:
    """A part from its :func:`_light` and :func:`_heavy` halves (ValueError when they do not fit)."""
    if not (isinstance(light, tuple) and isinstance(heavy, tuple) and len(light) == len(heavy)):
        raise ValueError("malformed")
    return tuple(column if column is not None else other for column, other in zip(light, heavy))


def _key(context: "ProjectContext", selection: "RuleSelection") -> str:
    from repo_roles.coverage.analyze import analyzer_lookup
    from repo_roles.runcache.key import code_fingerprint

    inventory = context.inventory
    ownership = context.ownership
    # the interpreter and the analyzers at hand decide what a file's documentation row says,
    # as they key the documentation cache (coverage/cache.py)
    return digest_of("file findings", FORMAT, code_fingerprint(), sys.version_info[:2], analyzer_lookup()[1],
                     config_token(context), inventory.prefix, inventory.scope,
                     repr(ownership.discovery), repr(ownership.oversize), ownership.inputs_key,
                     # the findings are stored as accepted: the rules on and their severities
                     sorted(selection.severities.items()), sorted(selection.path_ignores))


def _entry_path(context: "ProjectContext") -> Path:
    return entry_path(context, "files.bin")


def _part(value: object) -> bytes:
    payload = marshal.dumps(value)
    return len(payload).to_bytes(8, "little") + zlib.crc32(payload).to_bytes(4, "little") + payload


def _write(path: Path, key: str, known: list, lists: Dict[str, List[Finding]], order: array,
           digests: Optional[Dict[str, Tuple[Optional[bytes], Optional[bytes]]]] = None,
           paths_key: str = "", volatile: List[str] = (), cross: List[str] = (),  # type: ignore[assignment]
           listing: bytes = b"", codes: Optional[bytes] = None) -> None:
    """The entry: a head part (format, key, ``paths_key``, the digest of the path list
    (:func:`_paths_key`), ``listing``, git's listing digest the known files' modes and ids were
    read from (:func:`_listing_key`), ``codes``, their role codes, the ``volatile``
    paths -- those whose content no index id described: their ids are stored as they are, so an
    unchanged index compares equal, and the next run computes them again --, the ``cross`` paths
    (read across files, :func:`_volatile`: a run on the same path list takes them from here), a
    random identity of this entry (the rows of an entry of one identity are always the same), each rule's number of
    parts, and when ``digests`` has them the digest of its findings, :func:`findings_digest`,
    and the fingerprint of its inputs they were made of, ``Rule.fingerprint``), then the paths
    joined (a part a run on the same path list skips), then the known files' other columns,
    modes, blob ids and roles (a part a run on the same path list and listing, with role codes
    on both sides, skips), then each rule's findings in parts of ``_PIECE`` rows as columns (:func:`_encode`), each
    part in two halves: the columns a report counts (:func:`_light`) and the others (a light
    read checks their CRC-32 and decodes them only when asked), then the order and its inverse (where each row stands in it); every part is its length, its CRC-32 and its marshal bytes, so a reader
    holds one part's bytes at a time."""
    from repo_roles.atomic import AtomicWriteError, write_atomic

    def pieces() -> Iterator[bytes]:
        numbers = {rule_id: -(-len(found) // _PIECE) for rule_id, found in lists.items()}
        counts = [(rule_id, number, *(digests or {}).get(rule_id, (None, None))) for rule_id, number in numbers.items()]
        yield _MAGIC + _part((FORMAT, key, [paths_key, listing, codes, list(volatile), list(cross), os.urandom(16)],
                              counts))
        yield _part(known[0])
        yield _part(known[1:])
        for rule_id, found in lists.items():
            # as many parts as announced, the last ones possibly empty
            for start in range(0, numbers[rule_id] * _PIECE, _PIECE):
                encoded = _encode(found[start:start + _PIECE])
                light = _light(encoded)
                yield _part(light)  # what a report counts: the rest is read when asked
                yield _part(_heavy(encoded, light))
        yield _part(order.tobytes())
        # where each row stands in the order (its inverse), so a run cuts a few rows out of the
        # order without a pass over it
        yield _part(array("l", sorted(range(len(order)), key=order.__getitem__)).tobytes())

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(str(path), pieces())
    except (OSError, AtomicWriteError):
        pass


def _open_entry(path: Path) -> Optional[BinaryIO]:
    """The entry opened for reading: never through a symbolic link, a regular file only (it is
    read part by part, one part's bytes at a time, so it is not a ``coverage.colfile`` value,
    which is read whole)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            return None
        return os.fdopen(fd, "rb")
    except OSError:
        os.close(fd)
        return None


def _payload(handle: BinaryIO) -> Tuple[bytes, int]:
    """The next part's bytes, checked against its CRC-32, and that CRC-32; raises ValueError
    when it is truncated or damaged."""
    head = handle.read(12)
    if len(head) != 12:
        raise ValueError("truncated")
    size = int.from_bytes(head[:8], "little")
    if size > os.fstat(handle.fileno()).st_size - handle.tell():
        raise ValueError("truncated")  # never ask read() for more than the file holds
    payload = handle.read(size)
    crc = int.from_bytes(head[8:], "little")
    if len(payload) != size or zlib.crc32(payload) != crc:
        raise ValueError("damaged")
    return payload, crc


def _read_part(handle: BinaryIO, with_crc: bool = False) -> Any:
    """One part's value (with its CRC-32: ``(value, crc)``); raises ValueError when it is
    truncated or damaged."""
    payload, crc = _payload(handle)
    try:
        value = marshal.loads(payload)
    except (EOFError, TypeError) as exc:
        raise ValueError("undecodable") from exc
    return (value, crc) if with_crc else value


def _read_head(handle: BinaryIO, key: str, paths_key: Optional[str] = None, listing: bytes = b"",
               codes: Optional[bytes] = None) -> Optional[Tuple[list, list, int]]:
    """``(the known files' columns [paths, modes, blob ids, roles, volatile paths, cross paths,
    role codes, identity], [(rule id, parts)], the head's CRC-32)`` when the entry is of this key
    and format, else None.  The paths are None when the entry's path list has the digest
    ``paths_key`` (its part is skipped, not read); the modes, blob ids and roles too when,
    besides, the entry was written from git's listing of digest ``listing`` and both sides
    have role codes (``codes``: the roles are compared by them)."""
    try:
        if handle.read(len(_MAGIC)) != _MAGIC:
            return None
        found, crc = _read_part(handle, with_crc=True)
        if not (isinstance(found, tuple) and len(found) == 4 and found[0] == FORMAT and found[1] == key
                and isinstance(found[2], list) and len(found[2]) == 6 and isinstance(found[3], list)):
            return None
        stored_key, stored_listing, stored_codes, volatile, cross, identity = found[2]
        if not (type(stored_key) is str and type(stored_listing) is bytes
                and (stored_codes is None or type(stored_codes) is bytes)
                and type(volatile) is list and type(cross) is list and type(identity) is bytes
                and all(type(path) is str for path in volatile) and all(type(path) is str for path in cross)):
            return None
        paths = modes = blobs = roles = None
        if paths_key is not None and stored_key == paths_key:
            _skip_part(handle)
        else:
            paths = _read_part(handle)
            if type(paths) is not str:
                return None
        if paths is None and listing and stored_listing == listing and codes is not None and stored_codes is not None:
            _skip_part(handle)  # the modes and ids as this run's; the roles compared by their codes
        else:
            columns = _read_part(handle)
            if not (isinstance(columns, list) and len(columns) == 3):
                return None
            modes, blobs, roles = columns
            if not (type(modes) is bytes and len(modes) % 8 == 0 and type(blobs) is str and type(roles) is str):
                return None
    except (OSError, ValueError):
        return None
    return [paths, modes, blobs, roles, volatile, cross, stored_codes, identity], found[3], crc


def _skip_part(handle: BinaryIO) -> int:
    """Go past the next part without reading it; its CRC-32 as its head states it (checked when
    it is read).  Raises ValueError when the file is shorter."""
    head = handle.read(12)
    size = int.from_bytes(head[:8], "little")
    if len(head) != 12 or size > os.fstat(handle.fileno()).st_size - handle.tell():
        raise ValueError("truncated")
    handle.seek(size, os.SEEK_CUR)
    return int.from_bytes(head[8:], "little")


class DamagedEntry(ValueError):
    """A part of the stored entry read after it was opened failed its check (a light read goes
    past the halves a report does not count, checking them only when they are read): the engine
    computes every finding afresh (``engine.run_checks``) and the entry is removed."""


def _read_rules(handle: BinaryIO, counts: list, light: bool = True) -> Optional[Tuple["StoredFindings", array]]:
    """Each stored rule's parts, read one at a time and checked (not decoded), and the order;
    None when a part is truncated, damaged or malformed, or the order does not fit them.
    ``light``: the parts keep the columns a report counts, and the handle stays open for the
    rest (:class:`StoredFindings`); else they are kept whole (every finding will be made)."""
    parts: Dict[str, List[tuple]] = {}
    places: List[Tuple[int, Tuple[int, int]]] = []
    digests: Dict[str, bytes] = {}
    fingerprints: Dict[str, bytes] = {}
    try:
        for rule_id, number, *marks in counts:
            if marks and type(marks[0]) is bytes:
                digests[rule_id] = marks[0]
            if len(marks) > 1 and type(marks[1]) is bytes:
                fingerprints[rule_id] = marks[1]
            found: List[tuple] = []
            for _ in range(number):
                offset = handle.tell()
                part, crc = _read_part(handle, with_crc=True)
                if light:  # the other half read, checked against its CRC-32 and decoded when asked
                    _check(part, light=True)
                    places.append((offset, (crc, _skip_part(handle))))
                else:
                    part = _joined(part, _read_part(handle))
                    _check(part)
                found.append(part)
            parts[rule_id] = found
        raw = _read_part(handle)
        if type(raw) is not bytes or len(raw) % array("l").itemsize:
            return None
        order = array("l")
        order.frombytes(raw)
        raw_positions = _read_part(handle)
        positions = array("l")
        if type(raw_positions) is bytes and len(raw_positions) == len(raw):
            positions.frombytes(raw_positions)  # each one checked where it is used (engine._stored_order)
    except (OSError, ValueError, TypeError):
        return None
    stored = StoredFindings(parts, handle if light else None, places if light else None, digests, fingerprints)
    total = len(stored)
    if len(order) != total or (total and (not _non_negative(order, raw) or max(order) >= total)):
        return None
    stored.positions = positions if len(positions) == total else None
    return stored, order


def _non_negative(numbers: array, raw: bytes) -> bool:
    """Whether no number of ``numbers`` (read from ``raw``) is negative: of 8-byte little-endian
    numbers, the top byte of each is 0 (one C-level count, no number made), else by ``min``."""
    if numbers.itemsize == 8 and sys.byteorder == "little":
        return raw[7::8].count(0) == len(numbers)
    return min(numbers) >= 0


_DELTA_MAGIC = b"repo-roles file findings delta\n"


def _delta_path(entry: Path) -> Path:
    return entry.with_suffix(".delta")


def _write_delta(path: Path, key: str, base: str, rows: List[tuple], lists: Dict[str, List[Finding]]) -> None:
    """The delta: a head part (format, key, the entry's identity, the rows, the rule ids), then
    each rule's findings on those rows' files as columns."""
    from repo_roles.atomic import AtomicWriteError, write_atomic

    def pieces() -> Iterator[bytes]:
        yield _DELTA_MAGIC + _part((FORMAT, key, base, [list(row) for row in rows], list(lists)))
        for found in lists.values():
            yield _part(_encode(sorted(found, key=_ENTRY_PATH)))

    try:
        write_atomic(str(path), pieces())
    except (OSError, AtomicWriteError):
        pass


def _read_delta(path: Path, key: str, base: Optional[str],
                rules: FrozenSet[str]) -> Optional[Tuple[List[tuple], Dict[str, List[Finding]]]]:
    """The delta's rows and each rule's findings on them, when it is of this key, of the entry
    read (``base``) and of its rules; else None (damaged, truncated, of another entry)."""
    handle = _open_entry(path)
    if handle is None:
        return None
    with handle:
        try:
            if handle.read(len(_DELTA_MAGIC)) != _DELTA_MAGIC:
                return None
            head = _read_part(handle)
            if not (isinstance(head, tuple) and len(head) == 5 and head[:3] == (FORMAT, key, base)
                    and isinstance(head[3], list) and isinstance(head[4], list) and frozenset(head[4]) == rules):
                return None
            rows = [tuple(row) for row in head[3]]
            if not all(len(row) == 4 for row in rows):
                return None
            found = {rule_id: _decode(_read_part(handle)) for rule_id in head[4]}
        except (OSError, ValueError, TypeError):
            return None
    mark_used(path)
    return rows, found


def targets_among(context: "ProjectContext", paths: Optional[FrozenSet[str]]) -> list:
    """The target entries whose path is in ``paths``, in target order (every target: None)."""
    targets = context.targets
    if paths is None:
        return targets
    if _BISECT_KEY and len(paths) * 256 < len(targets):  # a few: by bisection over the targets (sorted by path)
        found = []
        for path in sorted(paths):
            index = bisect_left(targets, path, key=_ENTRY_PATH)
            if index == len(targets) or targets[index].path != path:
                break  # not found so: not sorted, or not a target; the look below decides
            found.append(targets[index])
        else:
            return found
    return list(compress(targets, map(paths.__contains__, map(_ENTRY_PATH, targets))))
