"""The project's path list, served from git's names-only listing and stored offsets.

``git ls-files -z`` writes every path followed by a NUL, sorted by bytes.  A table stores, by
the digest of those bytes and the include/exclude settings, where each kept path starts
(``array('I')``), the digest of the kept path list (``Inventory.paths_digest``) and the
project's cache key (``cachedir.project_key``).  :class:`MappedPaths` is a read-only sequence
of the kept paths over the listing of this run: ``in``, ``index``, ranges and file-name prefixes by binary search,
``ending_with`` by ``bytes.find``; iterating it splits the listing once.

Only listings that are valid UTF-8 are served this way (their byte order is the code-point
order every ``bisect`` over paths assumes); others take the whole listing.  A table file is
checksummed and written atomically: a damaged, truncated or foreign one is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from array import array
from bisect import bisect_left, bisect_right
from itertools import accumulate, compress, islice, repeat
from operator import add, eq, itemgetter, not_ as operator_not
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

MAGIC = b"repo-roles path table 3\n"
SUFFIX = ".paths"
MAX_ENTRIES = 32  # tables kept per cache directory (projects x recent path lists)
_SUM = 20  # sha1 of the body
Keep = Callable[[List[str]], Optional[Sequence[bool]]]  # the include/exclude mask of the paths (None: all)
Meta = Callable[[Sequence[str]], Dict[str, object]]  # the values stored with the kept paths


def table_key(names_digest: str, include: Sequence[str], exclude: Sequence[str]) -> str:
    """The name of the table of a listing (its digest) under the include/exclude settings."""
    h = hashlib.sha1(MAGIC)
    h.update(names_digest.encode("ascii"))
    h.update(json.dumps([list(include), list(exclude)]).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


class MappedPaths(Sequence[str]):
    """The kept paths of a names-only listing (``blob``: every path + NUL, sorted), by offset."""

    def __init__(self, blob: bytes, starts: "array[int]", lengths: "array[int]", by_base: "array[int]",
                 rows: Optional["array[int]"] = None, names_only: bool = True) -> None:
        self._blob = blob  # git's names listing, or (``names_only`` false) bytes with the names among others
        self._names_only = names_only
        self._starts = starts
        self._lengths = lengths  # each kept path's length in bytes
        self._by_base = by_base  # the paths' indexes in the order of their file names (then paths)
        self._rows = rows  # each kept path's place in the whole listing (None: all are kept)
        self._list: Optional[List[str]] = None
        self._set: Optional[frozenset] = None
        self._asked = 0

    # -- the sequence ---------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._starts)

    def _at(self, i: int) -> str:
        start = self._starts[i]
        return self._blob[start:start + self._lengths[i]].decode("utf-8")

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self._at(j) for j in range(*i.indices(len(self._starts)))]
        if i < 0:
            i += len(self._starts)
        if not 0 <= i < len(self._starts):
            raise IndexError(i)
        return self._at(i)

    def tolist(self) -> List[str]:
        """Every kept path as a list (one split of the listing, at C speed; kept)."""
        if self._list is None and not self._names_only:  # names among other bytes
            ends = map(add, self._starts, self._lengths)
            self._list = str(b"\0".join(map(self._blob.__getitem__, map(slice, self._starts, ends))),
                             "utf-8").split("\0") if len(self._starts) else []
        if self._list is None:
            everything = str(self._blob, "utf-8").split("\0")
            everything.pop()  # after the last NUL
            if len(everything) == len(self._starts):
                self._list = everything
            else:  # some paths are excluded: keep those at the stored offsets
                lengths = [0, *accumulate(len(p.encode("utf-8")) + 1 for p in everything)]
                keep = frozenset(self._starts)
                self._list = list(compress(everything, map(keep.__contains__, lengths)))
        return self._list

    def __iter__(self) -> Iterator[str]:
        return iter(self.tolist())

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, str):
            return False
        if self._set is None:
            self._asked += 1
            if self._asked > 256:  # many questions: one set
                self._set = frozenset(self.tolist())
            else:
                return self.position(path) is not None
        return path in self._set

    def index(self, path: str, start: int = 0, stop: Optional[int] = None) -> int:  # type: ignore[override]
        found = self.position(path)
        if found is None or found < start or (stop is not None and found >= stop):
            raise ValueError(f"{path!r} is not in the list")
        return found

    def start(self, i: int) -> int:
        """Where path ``i`` starts in the names listing."""
        return self._starts[i]

    @property
    def blob(self) -> bytes:
        """git's names listing the paths are read from."""
        return self._blob

    @property
    def starts(self) -> "array[int]":
        """Where each path starts in :attr:`blob`."""
        return self._starts

    @property
    def lengths(self) -> "array[int]":
        """Each path's length in bytes."""
        return self._lengths

    @property
    def by_base(self) -> "array[int]":
        """The paths' indexes in the order of their file names (then paths)."""
        return self._by_base

    @property
    def rows(self) -> Optional["array[int]"]:
        """Each path's place in the whole listing; None when no path is excluded."""
        return self._rows

    def row(self, i: int) -> int:
        """The place of path ``i`` in the whole listing (excluded paths counted)."""
        return i if self._rows is None else self._rows[i]

    # -- questions at C speed -------------------------------------------------------------
    def position(self, path: str) -> Optional[int]:
        """The index of ``path``, or None (a binary search)."""
        try:
            wanted = path.encode("utf-8")
        except UnicodeEncodeError:
            return None
        at = bisect_left(self, path)
        return at if at < len(self._starts) and self._at(at).encode("utf-8") == wanted else None

    def below(self, prefixes: Sequence[str]) -> List[str]:
        """The paths starting with one of ``prefixes``, in order of the prefixes."""
        found: List[str] = []
        for prefix in prefixes:
            at = bisect_left(self, prefix)
            while at < len(self._starts):
                path = self._at(at)
                if not path.startswith(prefix):
                    break
                found.append(path)
                at += 1
        return found

    def _ending_at(self, at: int) -> Optional[int]:
        """The index of the kept path whose name ends at byte ``at`` of the blob, or None."""
        i = bisect_right(self._starts, at) - 1
        return i if i >= 0 and self._starts[i] + self._lengths[i] == at else None

    def _base(self, i: int) -> str:
        return self._at(i).rpartition("/")[2]

    def with_base_prefixes(self, prefixes: Sequence[str]) -> List[str]:
        """The paths whose file name starts with one of ``prefixes``, in order: binary searches
        in the table's file-name order (``test_x.py``, ``x_test.py``, ``x.test.ts`` of a name)."""
        order, found = self._by_base, set()
        for prefix in prefixes:
            low, high = 0, len(order)
            while low < high:  # the first file name not below the prefix
                middle = (low + high) // 2
                if self._base(order[middle]) < prefix:
                    low = middle + 1
                else:
                    high = middle
            while low < len(order) and self._base(order[low]).startswith(prefix):
                found.add(order[low])
                low += 1
        return [self._at(i) for i in sorted(found)]

    def ending_with(self, suffix: str) -> List[str]:
        """The kept paths ending with ``suffix`` (non-empty), in order: ``bytes.find`` of the
        suffix and its NUL, each hit placed among the names by binary search (a hit elsewhere
        in the blob, e.g. inside an index record's object id, ends no name)."""
        needle = suffix.encode("utf-8") + b"\0"
        blob, found, at = self._blob, [], self._blob.find(needle)
        while at >= 0:
            i = self._ending_at(at + len(needle) - 1)
            if i is not None:
                found.append(self._at(i))
            at = blob.find(needle, at + 1)
        return found


def _encode(starts: "array[int]", lengths: "array[int]", by_base: "array[int]", rows: Optional["array[int]"],
            meta: Dict[str, object]) -> bytes:
    columns = [array("I", starts), array("I", lengths), array("I", by_base), array("I", rows if rows is not None else ())]
    if sys.byteorder != "little":
        for column in columns:
            column.byteswap()
    raw_meta = json.dumps(meta, separators=(",", ":")).encode("utf-8")
    body = b"".join([len(columns[0]).to_bytes(8, "little"), len(columns[3]).to_bytes(8, "little"),
                     len(raw_meta).to_bytes(8, "little"), raw_meta, *(column.tobytes() for column in columns)])
    return MAGIC + hashlib.sha1(body).digest() + body


def _decode(data: bytes) -> Optional[Tuple["array[int]", "array[int]", "array[int]", Optional["array[int]"],
                                           Dict[str, object]]]:
    """(starts, lengths, file-name order, rows or None, meta) of an intact table, else None."""
    head = len(MAGIC) + _SUM
    if not data.startswith(MAGIC) or len(data) < head + 24:
        return None
    body = memoryview(data)[head:]  # no copy of the columns before they are read
    if hashlib.sha1(body).digest() != data[len(MAGIC):head]:
        return None
    count, kept_rows, size = (int.from_bytes(body[at:at + 8], "little") for at in (0, 8, 16))
    if len(body) != 24 + size + 4 * (3 * count + kept_rows) or kept_rows not in (0, count):
        return None
    try:
        meta = json.loads(bytes(body[24:24 + size]))
    except ValueError:
        return None
    if not isinstance(meta, dict):
        return None
    at = 24 + size
    if sys.byteorder == "little" and _NATIVE_I:  # the columns are read where they are: no copy
        views = []
        for items in (count, count, count, kept_rows):
            views.append(body[at:at + 4 * items].cast("I"))
            at += 4 * items
        return views[0], views[1], views[2], (views[3] if kept_rows else None), meta  # type: ignore[return-value]
    columns = [array("I"), array("I"), array("I"), array("I")]
    if columns[0].itemsize != 4:
        return None
    for column, items in zip(columns, (count, count, count, kept_rows)):
        column.frombytes(body[at:at + 4 * items])
        at += 4 * items
    if sys.byteorder != "little":
        for column in columns:
            column.byteswap()
    return columns[0], columns[1], columns[2], (columns[3] if kept_rows else None), meta


_NATIVE_I = array("I").itemsize == 4 and memoryview(array("I", [1])).format == "I"


class Tables:
    """The path tables under one cache directory."""

    def __init__(self, cache_directory: Union[str, Path]) -> None:
        self.directory = Path(cache_directory) / "path-tables"

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}{SUFFIX}"

    def read(self, key: str) -> Optional[Tuple["array[int]", "array[int]", "array[int]", Optional["array[int]"],
                                                Dict[str, object]]]:
        """The columns and values of the intact table ``key`` (marked used), or None."""
        try:
            with open(self._path(key), "rb") as handle:
                found = _decode(handle.read())
        except OSError:
            return None
        if found is None:
            return None
        try:  # recently used: kept by the eviction below (never through a link)
            os.utime(self._path(key), follow_symlinks=os.utime not in os.supports_follow_symlinks)
        except (OSError, NotImplementedError):
            pass
        return found

    def load(self, key: str, blob: bytes) -> Optional[Tuple[MappedPaths, Dict[str, object]]]:
        """The table ``key`` over ``blob`` (the listing it was made from), or None."""
        found = self.read(key)
        if found is None:
            return None
        starts, lengths, by_base, rows, meta = found
        if starts and (starts[-1] + lengths[-1] >= len(blob) or blob[starts[-1] + lengths[-1]] != 0
                       or (starts[0] and blob[starts[0] - 1] != 0)):
            return None
        return MappedPaths(blob, starts, lengths, by_base, rows), meta

    def store(self, key: str, starts: "array[int]", lengths: "array[int]", by_base: "array[int]",
              rows: Optional["array[int]"], meta: Dict[str, object]) -> None:
        """Write the table ``key`` atomically (a failure only costs the next run a listing)."""
        from repo_roles.atomic import AtomicWriteError, write_atomic

        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_atomic(self._path(key), _encode(starts, lengths, by_base, rows, meta))
        except (AtomicWriteError, OSError, OverflowError):
            pass  # served this run all the same
        else:
            self._evict()

    def build(self, key: str, blob: bytes, keep: Keep, meta: Meta) -> Optional[Tuple[MappedPaths, Dict[str, object]]]:
        """Make and store the table of ``blob`` (git's names listing, UTF-8): ``keep(paths)`` is
        the include/exclude mask (None: every path), ``meta(kept paths)`` the values stored
        with it.  None when the listing names a path twice (a merge conflict lists each stage)."""
        try:  # only UTF-8 names are served (their byte order is the code-point order)
            everything = str(blob, "utf-8").split("\0")
        except UnicodeDecodeError:
            return None
        everything.pop()  # after the last NUL
        if any(map(eq, everything, islice(everything, 1, None))):  # sorted: a repeat is adjacent
            return None
        ascii_only = len(blob) == len(everything) + sum(map(len, everything))  # as many bytes as characters
        lengths_all = array("I", map(len, everything) if ascii_only else map(len, map(str.encode, everything)))
        starts_all = array("I", [0, *accumulate(map(add, lengths_all, repeat(1)))][:-1])
        mask = keep(everything)
        rows = None
        if mask is None:
            starts, lengths, kept = starts_all, lengths_all, everything
        else:
            starts, lengths = array("I", compress(starts_all, mask)), array("I", compress(lengths_all, mask))
            rows, kept = array("I", compress(range(len(everything)), mask)), list(compress(everything, mask))
        values = {**meta(kept), "listed": len(everything),
                  # an attributes file left out by the settings: git reads it all the same
                  "hidden_attributes": mask is not None and any(
                      p == ".gitattributes" or p.endswith("/.gitattributes")
                      for p in compress(everything, map(operator_not, mask)))}
        bases = list(map(itemgetter(2), map(str.rpartition, kept, repeat("/"))))
        by_base = array("I", sorted(range(len(kept)), key=bases.__getitem__))  # stable: then by path
        self.store(key, starts, lengths, by_base, rows, values)
        paths = MappedPaths(blob, starts, lengths, by_base, rows)
        paths._list = kept  # split already
        return paths, values

    def _evict(self) -> None:
        from repo_roles.cachedir import keep_newest

        keep_newest(self.directory, SUFFIX, MAX_ENTRIES)
