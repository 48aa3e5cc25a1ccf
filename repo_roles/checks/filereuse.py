"""Findings kept per file: a file-scope rule reports afresh only on the files whose inputs changed.

A file-scope rule that declares ``inputs=FILE_INPUTS`` reads nothing of a file but the file
itself: its path, its content, its role and its owners (and, for the whole project, the
configuration and the ownership files).  It takes the files to report on
(``check(context, paths)``; ``paths=None``: every target).  On a whole-project scan the engine
asks :class:`FileFindings` for its findings: the stored findings of every file whose inputs are
the stored ones, and the rule's findings on the other files (added, edited, re-classified).

The stored entry, one per project (:func:`~repo_roles.cachedir.project_key`), holds:

* its key: the tool's files, the interpreter's version and the documentation analyzers at hand,
  the loaded configuration (the root as a token), where the project
  sits in its repository, and the ownership as resolved (the code-owners file as discovered, the
  digest of every ownership file read: ``Ownership.inputs_key``) -- a change of any of them
  computes every file again;
* every file it knows as ``(path, mode, blob id, role)``, kept as four joined columns (a run
  where they are equal compares four strings; a column that differs is split and compared
  file by file at C speed): git's index record of a clean file stands for its content.  Files whose content no index id describes (modified in the work
  tree as ``git diff-files`` reports them, untracked, symlinks, submodules) and files whose
  documentation is read across files (Rust: ``coverage/rust_crate.py`` reads the crate) are
  never known, so they are computed on every run;
* each rule's findings, as plain tuples.

A file is reused when its ``(path, mode, blob id, role)`` is among the stored ones and it is not
modified now.  The entry is written again only when it was missing or when the files computed
afresh are many (more than 1/8 of the targets): a run after a 20-file change reads the entry and
computes those 20 files, and the next run does the same against the same entry.  An entry is
written atomically in parts, each checksummed (a head with the key and the files, then each
rule's findings in parts of ``_PIECE`` rows, read one at a time); a missing, truncated, damaged or other-key entry is a miss
(every file computed), never a wrong answer.  A run that said a note while computing stores
nothing.
"""

from __future__ import annotations

import marshal
import os
import stat
import sys
import zlib
from array import array
from bisect import bisect_left, bisect_right
from itertools import compress, repeat
from operator import attrgetter, itemgetter, ne
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Callable, Dict, FrozenSet, Iterable, Iterator, List, Optional, Tuple

from repo_roles.cachedir import mark_used
from repo_roles.checks.reuse import config_token, digest_of, entry_path
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext

FILE_INPUTS = "file"  # the declared inputs of a file-scope rule that reads a file and nothing else
FORMAT = 1
_MAGIC = b"repo-roles file findings\n"
# Paths whose documentation analysis reads other files (the Rust crate pass): never reused.
_CROSS_FILE_SUFFIXES = (".rs",)
# The entry is written again when more than this share of the targets was computed afresh.
_REWRITE_SHARE = 8
_PIECE = 32768  # findings made per piece of stored rows
_PATH = itemgetter(0)
_FINDING_PATH = itemgetter(2)
_MODE = attrgetter("mode")
_BLOB = attrgetter("blob")
_ROLE = attrgetter("role")
_ENTRY_PATH = attrgetter("path")

Compute = Callable[[Optional[FrozenSet[str]]], Iterable[Finding]]


class FileFindings:
    """The per-file findings of one run: reads the stored entry once, writes it at most once."""

    def __init__(self, context: "ProjectContext", key: str, entry: Path) -> None:
        self._context = context
        self._key = key
        self._entry = entry
        # (paths, modes, blob ids, roles) of the targets, in target order
        self._current: Optional[Tuple[List[str], List[int], List[Optional[str]], List[str]]] = None
        self._stored_rules: Dict[str, list] = {}
        self._todo: FrozenSet[str] = context.target_paths  # the targets computed afresh
        self._gone: FrozenSet[str] = frozenset()  # stored paths whose findings are not reused
        self._volatile: FrozenSet[str] = frozenset()
        self._computed: Dict[str, List[Finding]] = {}
        self._fresh = len(context.targets)  # files computed afresh by the largest rule
        self._loaded = False
        self._usable = False
        self._noted = False  # a rule said a note while computing: the note must be said again

    @classmethod
    def open(cls, context: "ProjectContext") -> Optional["FileFindings"]:
        """The run's per-file findings; None when this scan cannot reuse any (``--no-cache``, a
        sub-path or given files, no git answer about the work tree)."""
        inventory = context.inventory
        if not context.use_cache or getattr(context, "context_from_index", False) \
                or inventory.git_root is None or inventory.scope \
                or len(context.targets) != len(inventory.paths):
            return None
        return cls(context, _key(context), _entry_path(context))

    def findings(self, rule_id: str, compute: Compute) -> List[Finding]:
        """The rule's findings on every target: stored ones of unchanged files, the rest computed."""
        if not self._load():
            return list(compute(None))
        notes = len(self._context.notes)
        stored = self._stored_rules.pop(rule_id, None)
        if stored is None:  # not stored (a rule selected since): every file
            found = list(compute(None))
            self._fresh = len(self._context.targets)
        else:
            found = stored
            # asked even about no file: the rule reads the stages it reads without a cache
            found.extend(compute(self._todo))
            self._fresh = max(self._fresh, len(self._todo))
        self._noted = self._noted or len(self._context.notes) != notes
        self._computed[rule_id] = found
        return found

    def save(self) -> None:
        """Store the run's findings when the entry was missing or is far behind (best effort)."""
        if not self._usable or not self._computed or self._noted:
            return
        if self._fresh * _REWRITE_SHARE <= len(self._context.targets):
            return
        assert self._current is not None
        volatile = self._volatile
        paths, modes, blobs, roles = self._current
        if volatile:  # no blob id: never the same as a later run's
            blobs = [("" if path in volatile else blob) for path, blob in zip(paths, blobs)]
        _write(self._entry, self._key, _columns(paths, modes, blobs, roles), self._computed, volatile)

    # -- the stored entry against this run's files ---------------------------------------------
    def _load(self) -> bool:
        """Read the entry on first use; False when nothing can be reused in this run."""
        if self._loaded:
            return self._usable
        self._loaded = True
        context = self._context
        volatile = _volatile(context)
        if volatile is None:  # no answer about the work tree: nothing is reused, nothing stored
            return False
        self._usable = True
        self._volatile = volatile
        targets = context.targets
        paths = list(map(_ENTRY_PATH, targets))
        roles = list(map(_ROLE, map(context.classifications.__getitem__, paths)))
        self._current = (paths, list(map(_MODE, targets)), list(map(_BLOB, targets)), roles)
        handle = _open_entry(self._entry)
        if handle is None:
            return True
        with handle:
            head = _read_head(handle, self._key)
            if head is None:
                return True
            mark_used(self._entry)
            known, counts = head
            self._compare(known)
            del known, head
            stored = _read_rules(handle, counts, self._gone)
        if stored is not None:
            self._stored_rules = stored
            self._fresh = len(self._todo)
        return True

    def _compare(self, known: list) -> None:
        """Which targets are computed afresh, and which stored paths' findings are cut.  The
        stored columns are a few joined strings: equal columns compare as one string each, and
        only a column that differs is split and compared file by file (at C speed)."""
        context = self._context
        current = self._current
        assert current is not None
        volatile = self._volatile
        paths = current[0]
        mine = _columns(*current)
        if known[0] == mine[0]:  # the same files
            changed: set = set()
            for index, (stored, now) in enumerate(zip(known[1:], mine[1:]), 1):
                if stored != now:
                    changed.update(compress(paths, map(ne, _split(index, stored, len(paths)), current[index])))
            reusable = context.target_paths - changed - volatile
            stored_paths: Iterable[str] = paths
        else:  # files added or removed
            stored_paths = _split(0, known[0], -1)
            count = len(stored_paths)
            same = set(zip(*current)).intersection(zip(stored_paths, *(_split(i, known[i], count) for i in (1, 2, 3))))
            reusable = frozenset(map(_PATH, same)) - volatile
        self._todo = context.target_paths - reusable
        self._gone = frozenset(stored_paths) - reusable


def _columns(paths: List[str], modes: List[int], blobs: List[Optional[str]], roles: List[str]) -> list:
    """The files' columns as stored: paths, blob ids and roles joined by NUL (which no git path
    holds), modes as 64-bit integers: four objects, not four per file."""
    return ["\0".join(paths), array("q", modes).tobytes(), "\0".join(b or "" for b in blobs) if None in blobs
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


def _volatile(context: "ProjectContext") -> Optional[FrozenSet[str]]:
    """The targets whose content their index record does not describe, and those analysed
    across files; None when git did not say which files are modified."""
    from repo_roles.inventory import shared_worktree_diff

    inventory = context.inventory
    modified = shared_worktree_diff(inventory).result()  # the coverage stage's, when it asked
    if modified is None:
        return None
    out = set(modified)
    out.update(inventory.special_kinds())
    out.update(inventory.untracked_paths())
    paths = inventory.paths
    out.update(compress(paths, map(str.endswith, paths, repeat(_CROSS_FILE_SUFFIXES))))
    return frozenset(out)


def _as_findings(rows: list) -> List[Finding]:
    """``rows`` as findings, at C speed; ``rows`` is emptied piece by piece as it goes, so the
    tuples and the findings are not all held at once."""
    out: List[Finding] = []
    while rows:
        out.extend(map(tuple.__new__, repeat(Finding), rows[:_PIECE]))
        del rows[:_PIECE]
    return out


def _without(rows: list, gone: FrozenSet[str]) -> list:
    """``rows`` (sorted by path) without those of the ``gone`` paths: a slice cut per path."""
    if not gone or not rows:
        return rows
    column = list(map(_FINDING_PATH, rows))
    out: list = []
    start = 0
    for path in sorted(gone):
        low = bisect_left(column, path, start)
        if low == len(column):
            break
        if column[low] != path:
            continue
        out.extend(rows[start:low])
        start = bisect_right(column, path, low)
    out.extend(rows[start:])
    return out


def _key(context: "ProjectContext") -> str:
    from repo_roles.coverage.analyze import analyzer_lookup
    from repo_roles.runcache.key import code_fingerprint

    inventory = context.inventory
    ownership = context.ownership
    # the interpreter and the analyzers at hand decide what a file's documentation row says,
    # as they key the documentation cache (coverage/cache.py)
    return digest_of("file findings", FORMAT, code_fingerprint(), sys.version_info[:2], analyzer_lookup()[1],
                     config_token(context), inventory.prefix, inventory.scope,
                     repr(ownership.discovery), repr(ownership.oversize), ownership.inputs_key)


def _entry_path(context: "ProjectContext") -> Path:
    return entry_path(context, "files.bin")


def _write(path: Path, key: str, known: list, computed: Dict[str, List[Finding]], volatile: FrozenSet[str]) -> None:
    """The entry: a head part (format, key, the known files' columns, each rule's number of
    parts), then each rule's rows sorted by path in parts of ``_PIECE`` rows; every part is its
    length, its CRC-32 and its marshal bytes, so a reader holds one part's bytes at a time."""
    from repo_roles.atomic import AtomicWriteError, write_atomic

    def part(value: object) -> bytes:
        payload = marshal.dumps(value)
        return len(payload).to_bytes(8, "little") + zlib.crc32(payload).to_bytes(4, "little") + payload

    def pieces() -> Iterator[bytes]:
        counts = [(rule_id, -(-len(found) // _PIECE)) for rule_id, found in computed.items()]
        yield _MAGIC + part((FORMAT, key, known, counts))
        for rule_id, found in computed.items():
            # by path: a file's findings are one slice (cut by bisection when it changes)
            rows = sorted(map(tuple, found), key=_FINDING_PATH)
            if volatile:  # never reused: not stored
                rows = [r for r in rows if r[2] not in volatile]
            # as many parts as announced, the last ones possibly empty
            for start in range(0, dict(counts)[rule_id] * _PIECE, _PIECE):
                yield part(rows[start:start + _PIECE])

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


def _read_part(handle: BinaryIO) -> object:
    """One part's value; raises ValueError when it is truncated or damaged."""
    head = handle.read(12)
    if len(head) != 12:
        raise ValueError("truncated")
    size = int.from_bytes(head[:8], "little")
    payload = handle.read(size)
    if len(payload) != size or zlib.crc32(payload) != int.from_bytes(head[8:], "little"):
        raise ValueError("damaged")
    try:
        return marshal.loads(payload)
    except (EOFError, TypeError) as exc:
        raise ValueError("undecodable") from exc


def _read_head(handle: BinaryIO, key: str) -> Optional[Tuple[list, list]]:
    """``(the known files' columns [paths, modes, blob ids, roles], [(rule id, parts)]``) when
    the entry is of this key and format, else None."""
    try:
        if handle.read(len(_MAGIC)) != _MAGIC:
            return None
        found = _read_part(handle)
    except (OSError, ValueError):
        return None
    if not (isinstance(found, tuple) and len(found) == 4 and found[0] == FORMAT and found[1] == key
            and isinstance(found[2], list) and len(found[2]) == 4 and isinstance(found[3], list)):
        return None
    paths, modes, blobs, roles = found[2]
    if not (type(paths) is str and type(modes) is bytes and len(modes) % 8 == 0
            and type(blobs) is str and type(roles) is str):
        return None
    return found[2], found[3]


def _read_rules(handle: BinaryIO, counts: list, gone: FrozenSet[str]) -> Optional[Dict[str, List[Finding]]]:
    """Each stored rule's findings without those of the ``gone`` paths, read part by part (one
    part's bytes and rows at a time); None when a part is truncated or damaged."""
    out: Dict[str, List[Finding]] = {}
    try:
        for rule_id, parts in counts:
            found: List[Finding] = []
            for _ in range(parts):
                rows = _read_part(handle)
                # the checksum vouches for every row: what this module wrote under this key
                if not isinstance(rows, list):
                    return None
                found.extend(_as_findings(_without(rows, gone)))
            out[rule_id] = found
    except (OSError, ValueError, TypeError):
        return None
    return out


def targets_among(context: "ProjectContext", paths: Optional[FrozenSet[str]]) -> list:
    """The target entries whose path is in ``paths``, in target order (every target: None)."""
    targets = context.targets
    if paths is None:
        return targets
    return list(compress(targets, map(paths.__contains__, map(_ENTRY_PATH, targets))))
