"""The project's path list, served from git's names-only listing and stored offsets.

``git ls-files -z`` writes every path followed by a NUL, sorted by bytes.  A table stores, by
the digest of those bytes and the include/exclude settings, where each kept path starts
(``array('I')``), the digest of the kept path list (``Inventory.paths_digest``) and the
project's cache key (``cachedir.project_key``).  :class:`MappedPaths` is a read-only sequence
of the kept paths over the listing of this run: ``in``, ``index`` and ranges by binary search,
``containing``/``ending_with`` by ``bytes.find``; iterating it splits the listing once.

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
from bisect import bisect_left
from itertools import accumulate, compress
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple, Union

MAGIC = b"repo-roles path table 2\n"
SUFFIX = ".paths"
MAX_ENTRIES = 32  # tables kept per cache directory (projects x recent path lists)
_SUM = 20  # sha1 of the body


def table_key(names_digest: str, include: Sequence[str], exclude: Sequence[str]) -> str:
    """The name of the table of a listing (its digest) under the include/exclude settings."""
    h = hashlib.sha1(MAGIC)
    h.update(names_digest.encode("ascii"))
    h.update(json.dumps([list(include), list(exclude)]).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


class MappedPaths(Sequence[str]):
    """The kept paths of a names-only listing (``blob``: every path + NUL, sorted), by offset."""

    def __init__(self, blob: bytes, starts: "array[int]", lengths: "array[int]",
                 rows: Optional["array[int]"] = None) -> None:
        self._blob = blob
        self._starts = starts
        self._lengths = lengths  # each kept path's length in bytes
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
        if self._list is None:
            everything = self._blob.decode("utf-8").split("\0")
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

    def _start_of(self, at: int) -> int:
        """The start of the path holding byte ``at`` of the listing."""
        return self._blob.rfind(b"\0", 0, at) + 1

    def _kept(self, start: int) -> bool:
        i = bisect_left(self._starts, start)
        return i < len(self._starts) and self._starts[i] == start

    def containing(self, name: str) -> List[str]:
        """The kept paths that contain ``name``, in order (``bytes.find`` over the listing)."""
        if not name:
            return self.tolist()
        needle = name.encode("utf-8")
        blob, found, at = self._blob, [], self._blob.find(name.encode("utf-8"))
        while at >= 0:
            start = self._start_of(at)
            end = blob.index(b"\0", at)
            if self._kept(start):
                found.append(blob[start:end].decode("utf-8"))
            at = blob.find(needle, end)
        return found

    def ending_with(self, suffix: str) -> List[str]:
        """The kept paths ending with ``suffix`` (non-empty), in order."""
        needle = suffix.encode("utf-8") + b"\0"
        blob, found, at = self._blob, [], self._blob.find(needle)
        while at >= 0:
            start = self._start_of(at)
            if self._kept(start):
                found.append(blob[start:at + len(needle) - 1].decode("utf-8"))
            at = blob.find(needle, at + len(needle))
        return found


def _encode(starts: "array[int]", lengths: "array[int]", rows: Optional["array[int]"],
            meta: Dict[str, object]) -> bytes:
    columns = [array("I", starts), array("I", lengths), array("I", rows if rows is not None else ())]
    if sys.byteorder != "little":
        for column in columns:
            column.byteswap()
    raw_meta = json.dumps(meta, separators=(",", ":")).encode("utf-8")
    body = b"".join([len(columns[0]).to_bytes(8, "little"), len(columns[2]).to_bytes(8, "little"),
                     len(raw_meta).to_bytes(8, "little"), raw_meta, *(column.tobytes() for column in columns)])
    return MAGIC + hashlib.sha1(body).digest() + body


def _decode(data: bytes) -> Optional[Tuple["array[int]", "array[int]", Optional["array[int]"], Dict[str, object]]]:
    """(starts, lengths, rows or None, meta) of an intact table, else None."""
    head = len(MAGIC) + _SUM
    if not data.startswith(MAGIC) or len(data) < head + 24:
        return None
    body = data[head:]
    if hashlib.sha1(body).digest() != data[len(MAGIC):head]:
        return None
    count, kept_rows, size = (int.from_bytes(body[at:at + 8], "little") for at in (0, 8, 16))
    if len(body) != 24 + size + 4 * (2 * count + kept_rows) or kept_rows not in (0, count):
        return None
    try:
        meta = json.loads(body[24:24 + size])
    except ValueError:
        return None
    columns = [array("I"), array("I"), array("I")]
    if columns[0].itemsize != 4 or not isinstance(meta, dict):
        return None
    at = 24 + size
    for column, items in zip(columns, (count, count, kept_rows)):
        column.frombytes(body[at:at + 4 * items])
        at += 4 * items
    if sys.byteorder != "little":
        for column in columns:
            column.byteswap()
    return columns[0], columns[1], (columns[2] if kept_rows else None), meta


class Tables:
    """The path tables under one cache directory."""

    def __init__(self, cache_directory: Union[str, Path]) -> None:
        self.directory = Path(cache_directory) / "path-tables"

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}{SUFFIX}"

    def load(self, key: str, blob: bytes) -> Optional[Tuple[MappedPaths, Dict[str, object]]]:
        """The table ``key`` over ``blob`` (the listing it was made from), or None."""
        try:
            with open(self._path(key), "rb") as handle:
                found = _decode(handle.read())
        except OSError:
            return None
        if found is None:
            return None
        starts, lengths, rows, meta = found
        if starts and (starts[-1] + lengths[-1] >= len(blob) or blob[starts[-1] + lengths[-1]] != 0
                       or (starts[0] and blob[starts[0] - 1] != 0)):
            return None
        try:
            os.utime(self._path(key))  # recently used: kept by the eviction below
        except OSError:
            pass
        return MappedPaths(blob, starts, lengths, rows), meta

    def save(self, key: str, blob: bytes, kept: Sequence[str], everything: Sequence[str],
             meta: Dict[str, object]) -> None:
        """Store where the ``kept`` paths (a subsequence of ``everything``, the listing ``blob``
        as paths) start in ``blob``; nothing when they do not make up ``blob``."""
        from repo_roles.atomic import AtomicWriteError, write_atomic

        encoded = [p.encode("utf-8") for p in everything]
        if b"\0".join(encoded) + b"\0" != blob:
            return
        lengths_all = list(map(len, encoded))
        starts_all = [0, *accumulate(n + 1 for n in lengths_all)][:-1]
        rows = None
        if len(kept) == len(everything):
            starts, lengths = array("I", starts_all), array("I", lengths_all)
        else:
            mask = list(map(set(kept).__contains__, everything))
            starts, lengths = array("I", compress(starts_all, mask)), array("I", compress(lengths_all, mask))
            rows = array("I", compress(range(len(everything)), mask))
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_atomic(self._path(key), _encode(starts, lengths, rows, {**meta, "listed": len(everything)}))
        except (AtomicWriteError, OSError, OverflowError):
            return
        self._evict()

    def _evict(self) -> None:
        found = []
        try:
            with os.scandir(self.directory) as listing:
                for item in listing:
                    if item.name.endswith(SUFFIX) and item.is_file(follow_symlinks=False):
                        found.append((item.stat(follow_symlinks=False).st_mtime_ns, item.path))
        except OSError:
            return
        for _, path in sorted(found, reverse=True)[MAX_ENTRIES:]:
            try:
                os.unlink(path)
            except OSError:
                pass
