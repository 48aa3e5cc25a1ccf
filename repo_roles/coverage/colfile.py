"""A per-project value of columns kept in a file of its own: read in one step, checked whole.

The documentation rows' snapshot (:mod:`~repo_roles.coverage.rowsnap`) and the stored test
answers (:mod:`~repo_roles.coverage.test_reuse`) hold a row per file of the project; a warm run
needs them all.  Read from SQLite as one value, 26 MB cost 60-130 ms (its overflow pages, one by
one); from a file, a few.  Layout: a magic line naming the format, four bytes of header length,
a JSON header (the caller's fields, the native byte order of the ``array`` columns, each
column's length, a CRC-32 of those fields and the columns), then the columns.  A file that is missing, of another
format or byte order, truncated or damaged is a miss; JSON and raw arrays, never pickle.
Written through :mod:`repo_roles.atomic` (a reader sees the old file or the new one); reading a
file marks it used (its modification time, at most once a minute) for least-recently-used
eviction (``cacheadmin``: a ``<name>-v<N>-<key>.bin`` family is one cache).

A value whose last columns a run seldom needs is packed with a CRC-32 per column
(:func:`pack_checked`) and opened with :func:`open_checked`: the header and the first columns are
read and checked, the others are read from the open file and checked only when asked
(:class:`Later`); a file of another size than its header states is a miss, and a column whose
bytes do not match its CRC-32 is answered as missing (None), never as its bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import time
import weakref
import zlib
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

from repo_roles.atomic import AtomicWriteError, write_atomic

MAX_SIZE = 1 << 30  # a larger file is not read (memory stays bounded): a miss


def file_for(directory: Path, name: str, version: int, *key: str) -> Path:
    """``<directory>/<name>-v<version>-<hash of key>.bin``; ``key`` is the project key and the
    settings (never the project's location)."""
    digest = hashlib.sha1("\0".join(key).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return Path(directory) / f"{name}-v{version}-{digest}.bin"


def pack(magic: bytes, header: dict, columns: List[bytes]) -> List[bytes]:
    """The pieces of a value (written one after the other, never joined)."""
    fields = dict(header, order=sys.byteorder, lengths=[len(c) for c in columns])
    crc = _fields_crc(fields)
    for column in columns:
        crc = zlib.crc32(column, crc)
    head = json.dumps(dict(fields, crc=crc), separators=(",", ":")).encode("utf-8", "surrogatepass")
    return [magic + len(head).to_bytes(4, "little") + head, *columns]


def unpack(raw: Optional[bytes], magic: bytes, count: int) -> Optional[Tuple[dict, List[memoryview]]]:
    """``(header, columns)`` of a sound value of ``count`` columns, else None."""
    if not raw or not raw.startswith(magic):
        return None
    try:
        at = len(magic) + 4
        size = int.from_bytes(raw[len(magic):at], "little")
        header = json.loads(raw[at:at + size].decode("utf-8", "surrogatepass"))
        view = memoryview(raw)[at + size:]
        lengths = header["lengths"]
        fields = {k: v for k, v in header.items() if k != "crc"}
        if header["order"] != sys.byteorder or len(lengths) != count or sum(lengths) != len(view) \
                or any(type(n) is not int or n < 0 for n in lengths) \
                or zlib.crc32(view, _fields_crc(fields)) != header["crc"]:
            return None
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None
    columns, start = [], 0
    for length in lengths:
        columns.append(view[start:start + length])
        start += length
    return header, columns


def _fields_crc(fields: dict) -> int:
    """The CRC-32 of the header's fields (the checksum covers them as well as the columns)."""
    return zlib.crc32(json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("utf-8", "surrogatepass"))


def _open_regular(path: Path) -> Optional[Tuple[int, os.stat_result]]:
    """``(descriptor, its stat)`` of a regular file of at most :data:`MAX_SIZE` (never through a
    symbolic link, never blocking on a FIFO); None otherwise.  The caller closes it."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
    except OSError:
        os.close(fd)
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_SIZE:
        os.close(fd)
        return None
    return fd, st


def _mark_used(fd: int, st: os.stat_result) -> None:
    """Mark the file used (its mtime, for least-recently-used eviction) unless it was within a minute."""
    now = time.time()
    if now - st.st_mtime >= 60 and os.utime in os.supports_fd:
        os.utime(fd, (now, now))


def read(path: Path) -> Optional[bytes]:
    """The file's bytes (never through a symbolic link, a regular file, at most :data:`MAX_SIZE`),
    marked used; None when there is none."""
    opened = _open_regular(path)
    if opened is None:
        return None
    fd, st = opened
    try:
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(st.st_size + 1)  # its size, not the cap: read() allocates what it is asked for
            if len(raw) > MAX_SIZE:
                return None
            _mark_used(handle.fileno(), st)
            return raw
    except OSError:
        return None


def write(path: Path, pieces: Iterable[bytes]) -> None:
    """Write atomically; a cache is best effort: a failed write leaves the old file or none."""
    try:
        write_atomic(path, pieces, make_parents=True)
    except (AtomicWriteError, OSError):
        pass


# --- values whose columns are checked one by one --------------------------------------------

MAX_HEADER = 1 << 20  # a larger header is not read: a miss


def _checked_header(raw_head: bytes, size: int, count: int, body: int) -> Optional[dict]:
    """The header of a :func:`pack_checked` value (``size`` bytes read as ``raw_head``) when it is
    sound: this byte order, its own CRC-32, ``count`` columns whose lengths add up to the ``body``
    bytes after it, and a CRC-32 each; else None."""
    try:
        header = json.loads(raw_head.decode("utf-8", "surrogatepass"))
        lengths, crcs = header["lengths"], header["crcs"]  # (a header that is no object: TypeError)
        fields = {k: v for k, v in header.items() if k != "crc"}
        if len(raw_head) != size or header["order"] != sys.byteorder or _fields_crc(fields) != header["crc"] \
                or len(lengths) != count or len(crcs) != count \
                or any(type(n) is not int or n < 0 for n in (*lengths, *crcs)) or sum(lengths) != body:
            return None
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None
    return header


def unpack_checked(raw: Optional[bytes], magic: bytes, count: int) -> Optional[Tuple[dict, List[memoryview]]]:
    """``(header, columns)`` of a sound :func:`pack_checked` value held whole in ``raw``, every
    column checked now; else None (:func:`open_checked` reads one from a file)."""
    if not raw or not raw.startswith(magic):
        return None
    start = len(magic) + 4
    size = int.from_bytes(raw[len(magic):start], "little")
    header = _checked_header(raw[start:start + size], size, count, len(raw) - start - size)
    if header is None:
        return None
    view, columns, at = memoryview(raw), [], start + size
    for length, crc in zip(header["lengths"], header["crcs"]):
        column = view[at:at + length]
        if zlib.crc32(column) != crc:
            return None
        columns.append(column)
        at += length
    return header, columns


def pack_checked(magic: bytes, header: dict, columns: List[bytes]) -> List[bytes]:
    """:func:`pack` with a CRC-32 of each column in the header (and one of the header's fields),
    so that a reader checks only the columns it reads (:func:`open_checked`)."""
    fields = dict(header, order=sys.byteorder, lengths=[len(c) for c in columns],
                  crcs=[zlib.crc32(c) for c in columns])
    head = json.dumps(dict(fields, crc=_fields_crc(fields)), separators=(",", ":")).encode("utf-8", "surrogatepass")
    return [magic + len(head).to_bytes(4, "little") + head, *columns]


class Later:
    """The columns of an opened value that were not read: each read from the open file (an
    entry is replaced by a rename, never written in place) and checked against its CRC-32 on
    first use; None when it does not match (the caller answers without it)."""

    def __init__(self, fd: int, places: Dict[int, Tuple[int, int, int]]) -> None:
        """``places``: column index -> (offset, length, CRC-32)."""
        self._fd = fd
        self._places = places
        self._read: Dict[int, Optional[bytes]] = {}
        self._closer = weakref.finalize(self, os.close, fd)

    def column(self, index: int) -> Optional[bytes]:
        if index in self._read:
            return self._read[index]
        offset, length, crc = self._places[index]
        try:
            found: Optional[bytes] = os.pread(self._fd, length, offset)
        except OSError:
            found = None
        if found is not None and (len(found) != length or zlib.crc32(found) != crc):
            found = None
        self._read[index] = found
        if len(self._read) == len(self._places):
            self._closer()  # every column read: the file is not needed any more
        return found

    def piece(self, index: int, start: int, length: int) -> Optional[bytes]:
        """``length`` bytes of column ``index`` from ``start``, unchecked (the caller checks them
        against a checksum of its own); None when they cannot be read."""
        if index in self._read:
            found = self._read[index]
            return None if found is None else found[start:start + length]
        offset, size, _ = self._places[index]
        if start < 0 or length < 0 or start + length > size or not self._closer.alive:
            return None
        try:
            found = os.pread(self._fd, length, offset + start)
        except OSError:
            return None
        return found if len(found) == length else None


def open_checked(path: Path, magic: bytes, count: int,
                 eager: int) -> Optional[Tuple[dict, List[memoryview], Later]]:
    """``(header, the first eager columns, the others as Later)`` of a value :func:`pack_checked`
    wrote with ``count`` columns; the first ``eager`` ones are read in one step and checked.
    None when there is none, or it is of another format, size or byte order, or damaged in what
    was read.  Never through a symbolic link; marked used like :func:`read`."""
    opened = _open_regular(path)
    if opened is None:
        return None
    fd, st = opened
    keep = False
    try:
        start = len(magic) + 4
        lead = os.pread(fd, start, 0)
        if len(lead) != start or not lead.startswith(magic):
            return None
        size = int.from_bytes(lead[len(magic):], "little")
        if size > MAX_HEADER:
            return None
        raw_head = os.pread(fd, size, start)
        header = _checked_header(raw_head, size, count, st.st_size - start - size) if 0 <= eager <= count else None
        if header is None:
            return None
        lengths, crcs = header["lengths"], header["crcs"]
        at = start + size
        span = sum(lengths[:eager])
        data = os.pread(fd, span, at) if span else b""
        if len(data) != span:
            return None
        view = memoryview(data)
        columns: List[memoryview] = []
        offset = 0
        for length, crc in zip(lengths[:eager], crcs):
            column = view[offset:offset + length]
            if zlib.crc32(column) != crc:
                return None
            columns.append(column)
            offset += length
        places = {}
        offset = at + span
        for index in range(eager, count):
            places[index] = (offset, lengths[index], crcs[index])
            offset += lengths[index]
        _mark_used(fd, st)
        later = Later(fd, places)
        keep = True
        if not places:
            later._closer()  # nothing to read later
        return header, columns, later
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None
    finally:
        if not keep:
            os.close(fd)
