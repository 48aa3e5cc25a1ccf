"""git's index file read where it sits: a run on given files that asks git for no listing.

A run that had to list the index (``listing.py``) keeps, next to its path table, a copy of the
index file's entries as they were (``<key>.index``: the header and every entry, each record's
name at a fixed offset) and a table whose offsets point at those names.  A later run maps
git's index file as it is now and compares it with the copy in blocks of 64 KiB at C speed;
in a block that differs (``git add`` rewrote an entry's object id and times) it compares the
names of the entries there.  When the header, every name and the entries' end are those of the
copy, the path list is the stored one, byte for byte, and a record (mode, object id) is read
where it sits in the index file -- so what a 5-file check reads does not grow with the
repository, also right after ``git add``.

Only what git itself would parse the same way is served: index version 2 (no extended flags,
no prefix-compressed names), SHA-1 object ids, no required extension (a split or sparse index)
and extensions that add up to the file's end; a project at git's top level.  Anything else (a
name added, removed or renamed, a merge conflict, another version, a damaged or foreign copy)
is a miss: the caller lists the index with git and stores a new copy.
"""

from __future__ import annotations

import binascii
import hashlib
import json
import mmap
import os
import sys
from array import array
from bisect import bisect_left, bisect_right
from functools import partial
from itertools import accumulate, chain, repeat
from operator import add, floordiv, sub
from pathlib import Path
from typing import Collection, Dict, List, Optional, Sequence, Tuple

from repo_roles.fewfiles.listing import FewInventory, _cut
from repo_roles.fewfiles.table import MappedPaths, Tables
from repo_roles.index_listing import IndexListing
from repo_roles.inventory import Inventory, _run_git_bytes

COPY_MAGIC = b"repo-roles index copy 1\n"
COPY_SUFFIX = ".index"
COMPARED_SUFFIX = ".compared"  # the blocks where an index file (by its checksum) differs from a copy
MAX_COPIES = 4  # copies kept per cache directory (each is the size of the index's entries)
BLOCK = 1 << 16  # the copy is compared with the index in blocks of this size
REWRITE_BLOCKS = 64  # more blocks differ than this: the copy is written again
_HEADER = 12  # "DIRC", version, entry count
_NAME = 62  # a version-2 entry's name starts after 62 bytes (SHA-1 ids)
_HASH = 20  # git's checksum at the file's end
_KINDS = {0o120000: "symlink", 0o160000: "submodule"}
_MODE_TEXT: Dict[bytes, bytes] = {}


def _map_identified(path: str) -> Optional[Tuple[mmap.mmap, Tuple[int, int, int, int, int]]]:
    """``path`` mapped read-only (never through a link) with the identity of the descriptor
    mapped (device, inode, size, modification and change times), or None."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if st.st_size <= _HEADER + _HASH:
            return None
        return (mmap.mmap(fd, st.st_size, access=mmap.ACCESS_READ),
                (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)


def map_index(path: str, identity: Tuple[int, int, int, int, int]) -> Optional[mmap.mmap]:
    """git's index file at ``path`` mapped (never through a link), if it is still the file of
    ``identity`` (device, inode, size, modification and change times, compared on the
    descriptor that is mapped: git replaces the file, never edits it)."""
    found = _map_identified(path)
    if found is not None and found[1] != identity:
        found[0].close()
        return None
    return None if found is None else found[0]


def _header(data: bytes) -> Optional[int]:
    """The entry count of a version-2 index, else None."""
    if data[:4] != b"DIRC" or int.from_bytes(data[4:8], "big") != 2:
        return None
    return int.from_bytes(data[8:12], "big")


def _extensions_fit(index: bytes, end: int) -> bool:
    """Whether the index's extensions start at ``end`` and end at its checksum, none of them one
    git requires to understand the entries (a lower-case signature: ``link``, ``sdir``)."""
    size = len(index) - _HASH
    at = end
    while at < size:
        if at + 8 > size or not 0x41 <= index[at] <= 0x5A:
            return False
        at += 8 + int.from_bytes(index[at + 4:at + 8], "big")
    return at == size


def copy_key(count: int, first: bytes, include: Sequence[str], exclude: Sequence[str]) -> str:
    """Which stored copy a project's index is compared with: its entry count, its first name and
    the include/exclude settings (a guess: the comparison decides)."""
    h = hashlib.sha1(COPY_MAGIC)
    h.update(b"%d\0" % count + first + b"\0")
    h.update(json.dumps([list(include), list(exclude)]).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _first_name(index: bytes) -> bytes:
    end = index.find(b"\0", _HEADER + _NAME)
    return index[_HEADER + _NAME:end] if end > 0 else b""


class IndexCopy:
    """The stored copy of an index's entries and the offsets of every name in it."""

    def __init__(self, data: mmap.mmap, end: int, count: int, name_at: "array[int]", version: str,
                 identity: Tuple[int, ...] = ()) -> None:
        self.data = data
        self.identity = identity  # the copy file's (device, inode, size, times) as mapped
        self.version = version  # new at each write of the copy
        self.end = end  # where the entries end (the extensions start)
        self.count = count
        self.name_at = name_at  # every entry's name offset, in index order

    def differing_blocks(self, index: bytes) -> Optional[List[int]]:
        """The blocks of the entries where ``index`` differs from this copy (None: it cannot be
        this path list: another header or size of the entries)."""
        if _header(index) != self.count or len(index) < self.end + _HASH or not _extensions_fit(index, self.end):
            return None
        end, data = self.end, self.data
        starts = range(0, end, BLOCK)
        stops = chain(range(BLOCK, end, BLOCK), (end,))
        spans = list(map(slice, starts, stops))
        return [i for i, same in enumerate(map(bytes.__eq__, map(index.__getitem__, spans),
                                                map(data.__getitem__, spans))) if not same]

    def same_names(self, index: bytes, blocks: Sequence[int]) -> bool:
        """Whether every name that lies (partly) in ``blocks`` is the copy's, with its NUL."""
        name_at, data = self.name_at, self.data
        for block in blocks:
            low, high = block * BLOCK, (block + 1) * BLOCK
            first = max(0, bisect_right(name_at, low) - 1)
            for row in range(first, bisect_left(name_at, high)):
                at = name_at[row]
                stop = data.find(b"\0", at) + 1
                if stop <= 0 or index[at:stop] != data[at:stop]:
                    return False
        return True


def _comparison_stamp(copy: IndexCopy, index: bytes) -> bytes:
    """What a remembered comparison of ``index`` with ``copy`` holds for: the copy's version and
    file identity, the index's size and trailing checksum."""
    if len(copy.identity) != 5 or bytes(index[len(index) - _HASH:]) == bytes(_HASH):
        return b""  # no identity, or written without a checksum (index.skipHash): compared again
    return b"".join([copy.version.encode("ascii", "replace").ljust(40, b"?")[:40],
                     *(value.to_bytes(8, "little", signed=True) for value in copy.identity),
                     len(index).to_bytes(8, "little"), bytes(index[len(index) - _HASH:])])


class Copies:
    """The copies under one cache directory (next to the path tables)."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self.directory = tables.directory

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}{COPY_SUFFIX}"

    def load(self, key: str, nonce: str) -> Optional[IndexCopy]:
        """The copy ``key`` written with ``nonce`` (its table's), else None.  The copy holds the
        index's bytes up to the entries' end at their own offsets, then the names' offsets,
        then a trailer: nonce, version (new at each write: the key of the digests memo), end,
        count, magic."""
        found = _map_identified(str(self._path(key)))
        if found is None:
            return None
        data, identity = found
        trailer = 80 + 16 + len(COPY_MAGIC)
        size = len(data)
        if size < trailer or data[size - len(COPY_MAGIC):] != COPY_MAGIC:
            return None
        at = size - trailer
        if data[at:at + 40] != nonce.encode("ascii"):
            return None
        version = data[at + 40:at + 80].decode("ascii", "replace")
        end, count = (int.from_bytes(data[at + 80 + i:at + 88 + i], "little") for i in (0, 8))
        name_at = array("I")
        if name_at.itemsize != 4 or size != end + 4 * count + trailer:
            return None
        name_at.frombytes(data[end:end + 4 * count])
        if sys.byteorder != "little":
            name_at.byteswap()
        return IndexCopy(data, end, count, name_at, version, identity)

    def _compared_path(self, key: str) -> Path:
        return self.directory / f"{key}{COMPARED_SUFFIX}"

    def compared(self, key: str, copy: IndexCopy, index: bytes) -> Optional[List[int]]:
        """The blocks where ``index`` differs from ``copy``, as a former run found them, when
        ``index`` is the file that run compared: same size and the same checksum git wrote at
        its end (git's SHA-1 of every byte before it; an index written without one, all
        zeros, is compared again), and the copy the same file, untouched since (its version,
        device, inode, size and times).  None: compare."""
        stamp = _comparison_stamp(copy, index)
        if not stamp:
            return None
        try:
            with open(self._compared_path(key), "rb") as handle:
                data = handle.read(1 << 20)
        except OSError:
            return None
        body = data[20:]
        head = len(stamp)
        if len(data) < 20 + head or hashlib.sha1(body).digest() != data[:20] or (len(body) - head) % 4:
            return None
        if body[:head] != stamp:
            return None
        blocks = array("I")
        if blocks.itemsize != 4:
            return None
        blocks.frombytes(body[head:])
        if sys.byteorder != "little":
            blocks.byteswap()
        return blocks.tolist()

    def remember_comparison(self, key: str, copy: IndexCopy, index: bytes, blocks: Sequence[int]) -> None:
        """Keep what :meth:`compared` answers for this ``index`` (a failure costs a comparison)."""
        from repo_roles.atomic import AtomicWriteError, write_atomic
        from repo_roles.cachedir import keep_newest

        column = array("I", blocks)
        if sys.byteorder != "little":
            column.byteswap()
        stamp = _comparison_stamp(copy, index)
        if not stamp:
            return
        body = stamp + column.tobytes()
        try:
            write_atomic(self._compared_path(key), hashlib.sha1(body).digest() + body)
        except (AtomicWriteError, OSError, OverflowError):
            return
        keep_newest(self.directory, COMPARED_SUFFIX, MAX_COPIES)

    def store(self, key: str, nonce: str, index: bytes, end: int, count: int, name_at: "array[int]") -> bool:
        from repo_roles.atomic import AtomicWriteError, write_atomic
        from repo_roles.cachedir import keep_newest

        column = array("I", name_at)
        if sys.byteorder != "little":
            column.byteswap()
        version = hashlib.sha1(os.urandom(20)).hexdigest().encode("ascii")
        pieces = [bytes(memoryview(index)[:end]), column.tobytes(), nonce.encode("ascii"), version, end.to_bytes(8, "little"),
                  count.to_bytes(8, "little"), COPY_MAGIC]
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_atomic(self._path(key), pieces)  # type: ignore[arg-type]
        except (AtomicWriteError, OSError, OverflowError):
            return False
        keep_newest(self.directory, COPY_SUFFIX, MAX_COPIES)
        return True


def layout(index: bytes, names: bytes) -> Optional[Tuple[int, "array[int]"]]:
    """(where the entries end, every name's offset) of ``index`` when its entries are, in order,
    the names of git's listing ``names`` (every path + NUL) in version-2 records; else None."""
    names = bytes(names)  # git's listing may be mapped
    everything = names.split(b"\0")
    everything.pop()
    if _header(index) != len(everything):
        return None
    sizes = map(lambda length: (_NAME + length + 8) & ~7, map(len, everything))
    starts = array("I", accumulate(sizes, initial=_HEADER))
    end = starts.pop()
    name_at = array("I", map(add, starts, repeat(_NAME)))
    stops = map(add, name_at, map(add, map(len, everything), repeat(1)))
    if len(index) < end + _HASH or not _extensions_fit(index, end):
        return None
    if b"".join(map(index.__getitem__, map(slice, name_at, stops))) != names:
        return None
    return end, name_at


def _mode_text(raw: bytes) -> bytes:
    found = _MODE_TEXT.get(raw)
    if found is None:
        found = _MODE_TEXT[raw] = b"%06o " % int.from_bytes(raw, "big")
    return found


def _whole_listing(root: str, kept: MappedPaths) -> IndexListing:
    """git's records listing, cut to the table's paths (only if something asks for every entry)."""
    return _cut(_run_git_bytes(Path(root), "ls-files", "-s", "-z"), kept)  # type: ignore[arg-type]


def records_at(index: bytes, starts: Sequence[int], names: Sequence[bytes]) -> bytes:
    """``git ls-files -s -z`` records (``<mode> <id> 0<TAB><name>``, NUL-joined) of the entries
    whose names start at ``starts`` in ``index``, at C speed."""
    modes = map(_mode_text, map(index.__getitem__, map(slice, map(sub, starts, repeat(_NAME - 24)),
                                                       map(sub, starts, repeat(_NAME - 28)))))
    ids = map(binascii.hexlify, map(index.__getitem__, map(slice, map(sub, starts, repeat(_NAME - 40)),
                                                           map(sub, starts, repeat(2)))))
    return b"\0".join(map(b"".join, zip(modes, ids, repeat(b" 0\t"), names)))


def index_inventory(project_root: Path, git_root: Path, index: mmap.mmap, copies: Copies, include: Sequence[str],
                    exclude: Sequence[str]):
    """A :class:`~repo_roles.fewfiles.listing.FewInventory` whose records are read in ``index``
    (git's index file, mapped) when its names are a stored copy's, else None."""
    count = _header(index)
    if count is None:
        return None
    key = copy_key(count, _first_name(index), include, exclude)
    loaded = copies.tables.read(key)
    if loaded is None:
        return None
    starts, lengths, by_base, rows, meta = loaded
    nonce = meta.get("copy")
    if not isinstance(nonce, str) or len(nonce) != 40 or meta.get("listed") != count:
        return None
    copy = copies.load(key, nonce)
    if copy is None:
        return None
    blocks = copies.compared(key, copy, index)
    if blocks is None:
        blocks = copy.differing_blocks(index)
        if blocks is None or not copy.same_names(index, blocks):
            return None
        if len(blocks) > REWRITE_BLOCKS:  # the next run compares fewer blocks by name
            copies.store(key, nonce, index, copy.end, count, copy.name_at)
        else:
            copies.remember_comparison(key, copy, index, blocks)
    if starts and (starts[-1] + lengths[-1] >= copy.end or (rows is not None and rows[-1] >= count)):
        return None
    paths = _IndexPaths(copy.data, starts, lengths, by_base, rows, names_only=False)
    paths.remember_in(copies.directory, nonce)
    return IndexFileInventory(project_root, git_root, paths, index, meta,
                              _Digests(copies.directory, copy.version, frozenset(blocks)))


class _IndexPaths(MappedPaths):
    """The paths of a copy, whose :meth:`ending_with` answers are kept by the copy's names (its
    ``nonce``: one path list): the search of a 26 MB copy (200k files) happens once."""

    SUFFIX = ".ends"
    KEEP = 64

    def remember_in(self, directory: Path, nonce: str) -> None:
        self._memo = (directory, nonce)

    def ending_with(self, suffix: str) -> List[str]:
        directory, nonce = self._memo
        name = directory / f"{hashlib.sha1((nonce + chr(0) + suffix).encode('utf-8', 'surrogatepass')).hexdigest()}{self.SUFFIX}"
        try:
            with open(name, "rb") as handle:
                data = handle.read()
            if hashlib.sha1(data[20:]).digest() == data[:20]:
                found = json.loads(data[20:])
                if isinstance(found, list) and all(isinstance(p, str) for p in found):
                    return found
        except (OSError, ValueError):
            pass
        found = super().ending_with(suffix)
        from repo_roles.atomic import AtomicWriteError, write_atomic
        from repo_roles.cachedir import keep_newest

        body = json.dumps(found).encode("utf-8", "surrogatepass")
        try:
            write_atomic(name, hashlib.sha1(body).digest() + body)
        except (AtomicWriteError, OSError):
            return found
        keep_newest(directory, self.SUFFIX, self.KEEP)
        return found


def store_copy(copies: Copies, index: bytes, names: bytes, table: MappedPaths, meta: Dict[str, object],
               include: Sequence[str], exclude: Sequence[str]) -> None:
    """Keep a copy of ``index`` (git's index file as git listed ``names`` from it) and the table
    of ``table``'s paths at their offsets in it, for the runs to come."""
    found = layout(index, names)
    count = _header(index)
    if found is None or count is None:
        return
    end, name_at = found
    rows = table.rows
    starts = array("I", map(name_at.__getitem__, rows)) if rows is not None else name_at
    key = copy_key(count, _first_name(index), include, exclude)
    # pairs the table with a copy of the same names (any copy of this path list will do)
    nonce = hashlib.sha1(b"%s\0%s" % (key.encode("ascii"), hashlib.sha1(names).hexdigest().encode("ascii"))).hexdigest()
    if copies.store(key, nonce, index, end, count, name_at):
        copies.tables.store(key, starts, table.lengths, table.by_base, rows, {**meta, "copy": nonce})


class IndexFileInventory(FewInventory):
    """A :class:`~repo_roles.fewfiles.listing.FewInventory` whose records are read in git's index
    file (mapped), at the offsets of the stored copy its names were compared with."""

    PICK_MANY = sys.maxsize  # every pick read where it sits: never a later listing of the index

    def __init__(self, project_root: Path, git_root: Path, paths: MappedPaths, index: mmap.mmap,
                 meta: Dict[str, object], digests: "_Digests") -> None:
        Inventory.__init__(self, project_root, git_root, "", "", [])
        self.__dict__["_digests"] = digests
        self.__dict__["_entries"] = None
        self.__dict__["_pending"] = partial(_whole_listing, str(project_root), paths)
        self.__dict__["_few_paths"] = paths
        self.__dict__["_index"] = index
        self.__dict__["_path_facts"] = (paths, {"paths_digest": meta["paths_digest"]})
        self.__dict__["_cache_project_group"] = meta["project_key"]  # its slot: cachedir.project_key
        self.__dict__["_hidden_attributes"] = meta.get("hidden_attributes") is not False

    def _start(self, path: str) -> Optional[int]:
        """Where ``path``'s name starts in the index file, or None when it is not listed."""
        table: MappedPaths = self.__dict__["_few_paths"]
        i = table.position(path)
        return None if i is None else table.start(i)

    def _mode(self, start: int) -> int:
        return int.from_bytes(self.__dict__["_index"][start - _NAME + 24:start - _NAME + 28], "big")

    def _record(self, path: str) -> Optional[Tuple[str, int, str]]:
        start = self._start(path)
        if start is None:
            return None
        mode = self._mode(start)
        return _KINDS.get(mode, "file"), mode, self.__dict__["_index"][start - _NAME + 40:start - 2].hex()

    def _scan_kinds(self) -> Dict[str, str]:
        """Every special entry: the mode column read at C speed, then searched."""
        table: MappedPaths = self.__dict__["_few_paths"]
        index = self.__dict__["_index"]
        starts = table.starts
        modes = b"".join(map(index.__getitem__, map(slice, map(sub, starts, repeat(_NAME - 24)),
                                                    map(sub, starts, repeat(_NAME - 28)))))
        found = {}
        for mode, kind in _KINDS.items():
            needle = mode.to_bytes(4, "big")
            at = modes.find(needle)
            while at >= 0:
                if at % 4 == 0:
                    found[table[at // 4]] = kind
                at = modes.find(needle, at + 1)
        return dict(sorted(found.items()))

    def records_digest_at(self, positions: Sequence[int], drop: Collection[int] = ()) -> str:
        """A digest of the records (``<mode> <id> 0<TAB><name>``) at ``positions`` (ascending)
        but ``drop``, as the sha1 of one sha1 per 64 KiB block of the index holding them
        (another value than ``IndexListing.records_digest_at``, marked ``blocks:``; equal for
        equal records and positions): a block that is the copy's, with no dropped record, takes
        the digest a former run stored for it, so only the blocks ``git add`` rewrote are hashed
        again.  The memo also lists every block the positions touch, so a run that finds it
        looks at no position one by one: a block's positions are found by binary search."""
        table: MappedPaths = self.__dict__["_few_paths"]
        digests: _Digests = self.__dict__["_digests"]
        chosen = array("I", positions)
        starts = table.starts
        memo, touched = digests.load(hashlib.sha1(chosen.tobytes()).hexdigest())
        stored = touched is not None
        if touched is None:  # the blocks holding a chosen record: worked out once per memo
            touched = set(map(floordiv, map(sub, map(starts.__getitem__, chosen), repeat(_NAME)), repeat(BLOCK)))
        fresh = set(digests.differing) | {b - 1 for b in digests.differing}  # a record may reach the next block
        dropped = set(drop) if drop else set()
        for i in dropped:  # a block with a record left out is hashed afresh (the memo has it whole)
            j = bisect_left(chosen, i)
            if j < len(chosen) and chosen[j] == i:
                fresh.add((starts[i] - _NAME) // BLOCK)
        index, names = self.__dict__["_index"], table.blob
        parts, learned = [], {}
        for block in sorted(touched):
            known = memo.get(block) if block not in fresh else None
            if known is None:  # the chosen positions whose records start in this block
                low = bisect_left(chosen, bisect_left(starts, block * BLOCK + _NAME))
                high = bisect_left(chosen, bisect_left(starts, (block + 1) * BLOCK + _NAME), low)
                rows = [chosen[j] for j in range(low, high) if chosen[j] not in dropped] if block in fresh else chosen[low:high]
                at = list(map(starts.__getitem__, rows))
                text = records_at(index, at, map(names.__getitem__, map(slice, at, map(add, at, map(
                    table.lengths.__getitem__, rows)))))
                known = hashlib.sha1(text).digest() + len(rows).to_bytes(4, "little")
                if block not in fresh:
                    learned[block] = known
            parts.append(block.to_bytes(4, "little") + known)
        if learned or not stored:
            digests.store({**memo, **learned}, touched)
        return "blocks:" + hashlib.sha1(b"".join(parts)).hexdigest()


class _Digests:
    """Per block of a copy (its ``version``), the digest of the records a caller asked about
    (by the digest of their positions), stored next to the copies with every block those
    positions touch (a block whose digest is not known: :data:`UNKNOWN`); ``differing`` are
    the blocks where the index is not the copy (never taken from nor stored in the memo)."""

    SUFFIX = ".digests"
    KEEP = 8
    UNKNOWN = b"\xff" * 24  # a touched block without a stored digest (a sha1 + count is never this)

    def __init__(self, directory: Path, version: str, differing: frozenset) -> None:
        self.directory, self.version, self.differing = directory, version, differing
        self._key: Optional[str] = None

    def _path(self) -> Path:
        return self.directory / f"{hashlib.sha1((self.version + ':2:' + (self._key or '')).encode()).hexdigest()}{self.SUFFIX}"

    def load(self, key: str) -> Tuple[Dict[int, bytes], Optional[frozenset]]:
        """(block -> its digest (sha1 + record count), every block touched) for the positions of
        digest ``key``; ({}, None) when nothing intact is stored."""
        self._key = key
        try:
            with open(self._path(), "rb") as handle:
                data = handle.read()
        except OSError:
            return {}, None
        body = data[20:]
        if len(data) < 20 or hashlib.sha1(body).digest() != data[:20] or len(body) % 28:
            return {}, None
        every = {int.from_bytes(body[at:at + 4], "little"): body[at + 4:at + 28] for at in range(0, len(body), 28)}
        return {block: known for block, known in every.items() if known != self.UNKNOWN}, frozenset(every)

    def store(self, memo: Dict[int, bytes], touched: Collection[int]) -> None:
        from repo_roles.atomic import AtomicWriteError, write_atomic
        from repo_roles.cachedir import keep_newest

        body = b"".join(block.to_bytes(4, "little") + memo.get(block, self.UNKNOWN) for block in sorted(touched))
        try:
            write_atomic(self._path(), hashlib.sha1(body).digest() + body)
        except (AtomicWriteError, OSError, OverflowError):
            return
        keep_newest(self.directory, self.SUFFIX, self.KEEP)
