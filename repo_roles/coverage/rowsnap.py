"""The last whole run's documentation rows, one value per project, aligned with its path list.

A warm run after a 20-file change must not decode the stored rows of 99,980 unchanged files:
this snapshot keeps, for every target of the last whole-project run, its path, the blob id its
row was made from, the small columns of :class:`~repo_roles.coverage.cache.Entry` (language,
item counts, defines-code, suppressions, the counted undocumented items) and its line count,
each as one column (``array`` buffers, one joined text), read in one C-level step.  A run
compares the blob ids of its files with the snapshot's at C speed (``map(eq, …)``); only the
files whose id differs are looked up in the SQLite rows by path and blob, or analysed.

A row of the snapshot is a copy of the row stored under the same (path, blob id, settings) in
``files`` (the analysis is a function of those), so it is reused exactly as such a row would be.
The value starts with a header (format, byte order, the length and CRC-32 of each column): a
truncated or foreign value is a miss, and the run reads the rows as before.  A warm run after a
change reads every column but the joined undocumented items (most of the file), which are read
and checked only when a question needs them (a whole DOC001 run, a snapshot written again); a
damaged column is a miss found then: the rows it would answer are read from the store or
analysed again (:meth:`Rows.light` gives an item column that does not decode), and the file is
removed.  The blob ids are one fixed-width column, compared with this run's ids joined, block by
block: no list of 100,000 ids is made.
"""

from __future__ import annotations

import json
import os
import sys
from array import array
from collections import Counter
from itertools import accumulate, compress, islice, repeat
from operator import and_, ge, gt, is_, lt, ne, not_
from pathlib import Path
from typing import Callable, Collection, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from repo_roles.coverage import colfile
from repo_roles.inventory import paths_digest

MAGIC = b"repo-roles docs rows 2\0"
_FLAGS = frozenset({"0", "1"})

# The light columns of one row, as the store returns them (``store.Light``):
# (language, counted, documented, missing bytes, suppressions text, defines)
Light = Tuple[object, ...]


_BAD = b"\0"  # an item column that does not decode (cache.decode_missing): the row is read again
_NO_ID = "\1"  # a row without a blob id this run, in the joined ids (never a stored id's character)
_BLOCK_IDS = 256  # blob ids compared as one text


class Rows:
    """The snapshot's columns; row ``i`` is the ``i``-th path.  :meth:`blob` is ``""`` for a
    path without a row (never a hit)."""

    __slots__ = ("_paths", "_raw_paths", "_blobs", "_width", "_languages", "_language", "_counted", "_documented",
                 "_defines", "_lines", "_bounds", "_items", "_missing", "_sups", "_block", "_moved", "_where",
                 "_paths_key", "_sums")

    def __init__(self, paths: Union[bytes, Callable[[], Optional[bytes]]], blobs: str, width: int, languages: List[Optional[str]],
                 language: array, counted: array, documented: array, defines: array, lines: array, bounds: array,
                 items: array, missing: Union[bytes, Callable[[], Optional[bytes]]], sups: Dict[int, str]) -> None:
        """``paths``: the path list, NUL-joined, or what reads it (None: damaged), called only when
        it is not this run's (:attr:`_paths_key`: its digest); ``blobs``:
        every row's blob id padded with spaces to ``width``; ``missing``: the joined items, or
        what reads them (None: damaged), called on first use."""
        self._paths: Optional[List[str]] = None
        self._raw_paths: Optional[Union[bytes, Callable[[], Optional[bytes]]]] = paths
        self._paths_key: Optional[str] = None  # the digest of the path list (inventory.paths_digest)
        # what the whole columns add up to, stored with them (None: worked out when asked): the
        # measured rows per language, the unreadable rows, the rows of no language with their
        # no-analyzer group (result.no_analyzer_group of their path) as codes into group names
        self._sums: Optional[Tuple[Dict[int, int], array, array, array, List[str]]] = None
        self._blobs, self._width = blobs, width
        self._languages, self._language = languages, language
        self._counted, self._documented, self._defines, self._lines = counted, documented, defines, lines
        self._bounds, self._items, self._missing, self._sups = bounds, items, missing, sups
        self._block: Optional[Tuple[int, int, list, List[int]]] = None
        self._moved = False  # rows gathered by aligned(): not contiguous in ``missing``
        self._where: Optional[Path] = None  # the file read, removed when a column read later is damaged

    def __len__(self) -> int:
        return len(self._counted)

    def blob(self, i: int) -> str:
        """Row ``i``'s blob id; ``""`` when it has no row."""
        width = self._width
        return self._blobs[i * width:(i + 1) * width].rstrip(" ")

    def blob_list(self) -> List[str]:
        """Every row's blob id (a list of them all: only when the joined compare cannot be made)."""
        width, blobs = self._width, self._blobs
        return [blobs[at:at + width].rstrip(" ") for at in range(0, len(self) * width, width)] if width \
            else [""] * len(self)

    def drop_blobs(self) -> None:
        """Forget the blob ids once compared; the rows stay readable."""
        self._blobs = ""

    def _missing_column(self) -> Optional[bytes]:
        """The joined items, read and checked (CRC-32, the rows' bounds) on first use; None when
        damaged.  Rows gathered by :meth:`aligned` take those of the rows they were gathered from."""
        found = self._missing
        if callable(found):
            raw = found()
            bounds = self._bounds
            if raw is not None and not self._moved and len(bounds) and \
                    (bounds[0] < 0 or bounds[-1] > len(raw) or any(map(gt, bounds, islice(bounds, 1, None)))):
                raw = None
            if raw is None:
                self._discard()
            found = self._missing = raw if raw is not None else _BAD
        return None if found is _BAD else found  # type: ignore[return-value]

    def sound(self) -> bool:
        """Whether every column is sound (the joined items read and checked now)."""
        return self._missing_column() is not None

    def _discard(self) -> None:
        """Remove the file read (best effort): a damaged column is a miss for the next run too."""
        where = self._where
        if where is not None:
            try:
                os.unlink(where)
            except OSError:
                pass

    def _joined_paths(self) -> Optional[bytes]:
        raw = self._raw_paths
        if callable(raw):
            raw = self._raw_paths = raw()
            if raw is None:
                self._discard()
        return raw

    @property
    def paths(self) -> Optional[List[str]]:
        """The rows' path list; None when its column is damaged (the snapshot is then of no use)."""
        if self._paths is None:
            raw = self._joined_paths()
            if raw is None:
                return None
            found = str(raw, "utf-8", "surrogateescape").split("\0") if len(self) else []
            if len(found) != len(self):
                return None
            self._paths, self._raw_paths = found, None
        return self._paths

    def same_paths(self, paths: List[str], digest: Optional[str] = None) -> bool:
        """Whether the rows are those of ``paths``: by ``digest`` (their
        :func:`~repo_roles.inventory.paths_digest`, when the caller has it) against the one stored,
        no path read; else compared joined, at C speed.  If so, the snapshot keeps ``paths`` as
        its own list."""
        if self._paths is not None:
            same = self._paths == paths
        elif digest is not None and self._paths_key is not None:
            same = len(paths) == len(self) and digest == self._paths_key
        else:
            raw = self._joined_paths()
            same = raw is not None and len(paths) == len(self) and \
                "\0".join(paths).encode("utf-8", "surrogateescape") == raw
        if same:
            self._paths, self._raw_paths = paths, None
        return same

    # -- one row -------------------------------------------------------------------------------
    def light(self, i: int) -> Light:
        """Row ``i`` as the store's light columns."""
        counted = self._counted[i]
        defines = self._defines[i]
        a, b = self._bounds[2 * i], self._bounds[2 * i + 1]
        missing = None
        if b > a:
            joined = self._missing_column()
            missing = joined[a:b] if joined is not None else _BAD  # damaged: the caller reads the row again
        return (self._languages[self._language[i]], None if counted < 0 else counted,
                None if counted < 0 else self._documented[i], missing,
                self._sups.get(i), None if defines < 0 else defines)

    def languages(self) -> List[Optional[str]]:
        """Every language a row has (maybe a few more)."""
        return self._languages

    def language(self, i: int) -> Optional[str]:
        return self._languages[self._language[i]]

    def defines(self, i: int) -> Optional[bool]:
        found = self._defines[i]
        return None if found < 0 else bool(found)

    def counts(self, i: int) -> Tuple[int, int]:
        """``(documented, counted)``; counted is -1 for a file without counted items."""
        return self._documented[i], self._counted[i]

    def count_columns(self) -> Tuple[Sequence[int], Sequence[int]]:
        """The documented and counted columns (counted -1: no counted items), row by row."""
        return self._documented, self._counted

    def line_count(self, i: int) -> Optional[int]:
        found = self._lines[i]
        return None if found < 0 else found

    def line_counts(self, paths: Sequence[str]) -> Dict[str, int]:
        """``{path: lines}`` of the rows (aligned with ``paths``) whose count is known."""
        return {p: n for p, n in zip(paths, self._lines) if n >= 0}

    def missing(self, i: int) -> Optional[tuple]:
        """Row ``i``'s counted undocumented items, decoded with those of the next rows in one
        pass (:data:`BLOCK` rows at a time, only the current block kept); None when they do not
        decode (the caller decodes the row alone)."""
        count = self._items[i]
        if not count:
            return ()
        block = self._block
        if block is None or not block[0] <= i < block[1]:
            block = self._block = self._decode_block(i)
        if not block[2]:
            return None
        start = block[3][i - block[0]]
        return tuple(block[2][start:start + count])

    def _decode_block(self, i: int) -> Tuple[int, int, list, List[int]]:
        """``(first row, end row, their items decoded, where each row's start)`` from row ``i``
        (which has items): rows in their stored order are contiguous in the joined column."""
        bounds, items = self._bounds, self._items
        joined = self._missing_column()
        if joined is None:  # damaged: the caller reads each row again
            return i, i + 1, [], [0]
        if self._moved:  # rows gathered from another order: each row alone
            return i, i + 1, _decode_all(joined[bounds[2 * i]:bounds[2 * i + 1]], items[i]), [0]
        end = min(i + BLOCK, len(items))
        counts = items[i:end]
        return i, end, _decode_all(joined[bounds[2 * i]:bounds[2 * end - 1]], sum(counts)), \
            list(accumulate(counts, initial=0))

    # -- whole columns -------------------------------------------------------------------------
    def with_items(self) -> Iterable[int]:
        """Rows with counted undocumented items, in order."""
        return compress(range(len(self)), self._items)

    def measured(self, skip: Collection[int]) -> Dict[str, int]:
        """``{language: rows}`` of the rows whose items were counted, but those in ``skip``."""
        numbers = Counter(self._sums[0]) if self._sums is not None else \
            Counter(compress(self._language, map(ge, self._counted, repeat(0))))
        for i in skip:
            if self._counted[i] >= 0:
                numbers[self._language[i]] -= 1
        return {self._languages[n]: count for n, count in numbers.items() if count and n}

    def unmeasured(self) -> Iterable[int]:
        """Rows whose items were not counted: no analyzer, or the file could not be read."""
        return compress(range(len(self)), map(lt, self._counted, repeat(0)))

    def unreadable(self) -> Iterable[int]:
        """Rows of an analysed language whose items were not counted (the file could not be read)."""
        if self._sums is not None:
            return self._sums[1]
        return compress(range(len(self)), map(and_, map(bool, self._language), map(lt, self._counted, repeat(0))))

    def no_analyzer(self) -> Optional[Tuple[array, array, List[str]]]:
        """``(rows of no language, each one's no-analyzer group as a code, the group names)``
        as stored with the rows; None when they were not (rows gathered by :meth:`aligned`)."""
        return None if self._sums is None else self._sums[2:]  # type: ignore[return-value]

    def suppressed(self) -> Iterable[int]:
        """Rows with suppression comments."""
        return self._sups.keys()

    def mismatches(self, blobs: Sequence[Optional[str]]) -> List[int]:
        """Rows whose stored blob id is not ``blobs[i]`` (aligned: the same path list): the ids
        joined and compared with the stored column :data:`_BLOCK_IDS` rows at a time, row by
        row only in a block that differs."""
        count, width, stored = len(blobs), self._width, self._blobs
        current = blobs
        if None in current:  # no id: never a stored one
            current = list(current)
            for i in compress(range(count), map(is_, current, repeat(None))):
                current[i] = _NO_ID * width
        joined = "".join(current) if width else ""  # type: ignore[arg-type]
        if not width or count != len(self) or len(joined) != len(stored):
            return list(compress(range(count), map(ne, blobs, self.blob_list())))
        out: List[int] = []
        step = _BLOCK_IDS * width
        for at in range(0, len(stored), step):
            if joined[at:at + step] != stored[at:at + step]:
                first = at // width
                out.extend(i for i in range(first, min(first + _BLOCK_IDS, count)) if blobs[i] != self.blob(i))
        return out

    def aligned(self, paths: List[str]) -> Optional["Rows"]:
        """These rows in the order of ``paths`` (a path the snapshot lacks gets an empty row
        without a blob id: never a hit), over the same joined ``missing`` column; None when the
        snapshot's own paths are damaged."""
        mine = self.paths
        if mine is None:
            return None
        where = dict(zip(mine, range(len(mine))))
        take = [where.get(p, -1) for p in paths]
        def gather(code: str, column: Sequence[int], empty: int) -> array:
            return array(code, [column[i] if i >= 0 else empty for i in take])

        bounds = array("q")
        for i in take:
            bounds.extend(self._bounds[2 * i:2 * i + 2] if i >= 0 else (0, 0))
        width = self._width
        blobs = "".join(" " * width if i < 0 else self._blobs[i * width:(i + 1) * width] for i in take)
        moved = Rows(b"", blobs, width, self._languages,
                     gather("H", self._language, 0), gather("i", self._counted, -1), gather("i", self._documented, 0),
                     gather("b", self._defines, -1), gather("i", self._lines, -1), bounds,
                     gather("i", self._items, 0), self._missing_column, {j: self._sups[i] for j, i in enumerate(take)
                                                                          if i >= 0 and i in self._sups})
        moved._paths, moved._raw_paths = paths, None
        moved._moved = True
        return moved


def _decode_all(raw: Union[bytes, memoryview], items: int) -> list:
    """Every row's items from the joined ``missing`` column (``cache.decode_missing``'s format,
    rows joined by NUL); ``[]`` when it does not decode as ``items`` items."""
    if not items:
        return []
    try:
        fields = str(raw, "utf-8", "surrogatepass").split("\0")
        flags = fields[3::5]
        if len(fields) != 5 * items or not set(flags) <= _FLAGS:
            return []
        ends = [int(end) if end else None for end in fields[4::5]]
        return list(zip(fields[0::5], map(sys.intern, fields[1::5]), map(int, fields[2::5]), map("1".__eq__, flags),
                        ends))
    except (ValueError, UnicodeDecodeError):
        return []


# --- the value --------------------------------------------------------------------------------

_COLUMNS = 16
_EAGER = 14  # every column but the joined paths and items (the last two) is read when the file is opened
_PATHS, _ITEMS = 14, 15
BLOCK = 2048  # rows whose items are decoded together (a few thousand items: small, and C-level)


def encode(paths: Sequence[str], blobs: Sequence[str], rows: Sequence[Optional[Light]],
           lines: Sequence[Optional[int]]) -> bytes:
    """The snapshot of ``rows`` (None: no row for that path; its blob is then not kept)."""
    return b"".join(pieces(paths, blobs, rows, lines))


def pieces(paths: Sequence[str], blobs: Sequence[str], rows: Sequence[Optional[Light]],
           lines: Sequence[Optional[int]], paths_key: Optional[str] = None) -> List[bytes]:
    """:func:`encode` as the pieces to write one after the other (never joined into one value);
    ``paths_key``: the path list's :func:`~repo_roles.inventory.paths_digest` when known."""
    languages: List[Optional[str]] = [None]
    number: Dict[Optional[str], int] = {None: 0}
    language, counted, documented, defines = array("H"), array("i"), array("i"), array("b")
    bounds, items = array("q"), array("i")
    missing: List[bytes] = []
    sups: Dict[str, str] = {}
    kept: List[str] = []
    at = 0
    for i, row in enumerate(rows):
        if row is None:
            kept.append("")
            row = (None, None, None, None, None, None)
        else:
            kept.append(blobs[i])
        lang, count, docd, miss, sup, defs = row
        found = number.get(lang)  # type: ignore[arg-type]
        if found is None:
            found = number[lang] = len(languages)  # type: ignore[index]
            languages.append(lang)  # type: ignore[arg-type]
        language.append(found)
        counted.append(-1 if count is None else count)  # type: ignore[arg-type]
        documented.append(0 if docd is None else docd)  # type: ignore[arg-type]
        defines.append(-1 if defs is None else int(defs))  # type: ignore[call-overload]
        if miss:
            if missing:
                at += 1  # the NUL joining it to the row before
            missing.append(miss)  # type: ignore[arg-type]
            bounds.append(at)
            at += len(miss)  # type: ignore[arg-type]
            bounds.append(at)
            items.append((miss.count(b"\0") + 1) // 5)  # type: ignore[union-attr]
        else:
            bounds.append(at)
            bounds.append(at)
            items.append(0)
        if sup is not None:
            sups[str(i)] = sup  # type: ignore[assignment]
    width = max(map(len, kept), default=0)
    from repo_roles.coverage.result import no_analyzer_group

    count = len(paths)
    unreadable = array("i", compress(range(count), map(and_, map(bool, language), map(lt, counted, repeat(0)))))
    no_language = array("i", compress(range(count), map(and_, map(not_, language), map(lt, counted, repeat(0)))))
    group_names: Dict[str, int] = {}
    numbered = [group_names.setdefault(no_analyzer_group(paths[i]), len(group_names)) for i in no_language]
    codes = array("I", numbered)  # 32-bit: as many groups as rows (a 16-bit code made a snapshot of 65,536+ a miss)
    columns = [
        "".join(blob.ljust(width) for blob in kept).encode("ascii"),
        json.dumps(languages).encode("ascii"),
        language.tobytes(), counted.tobytes(), documented.tobytes(), defines.tobytes(),
        array("i", [-1 if n is None else n for n in lines]).tobytes(),
        bounds.tobytes(), items.tobytes(), json.dumps(sups).encode("ascii"),
        unreadable.tobytes(), no_language.tobytes(), codes.tobytes(),
        json.dumps(list(group_names), ensure_ascii=False).encode("utf-8", "surrogateescape"),
        # last: read only when asked (``_EAGER``): the paths when the list's digest is not this run's
        "\0".join(paths).encode("utf-8", "surrogateescape"),
        b"\0".join(missing),
    ]
    measured = sorted((n, rows) for n, rows in Counter(compress(language, map(ge, counted, repeat(0)))).items() if n)
    return colfile.pack_checked(MAGIC, {"rows": len(paths), "width": width, "measured": measured,
                                        "paths": paths_key if paths_key is not None else paths_digest(paths)}, columns)


# --- the file -----------------------------------------------------------------------------------

FORMAT = 3


def snapshot_file(directory: Path, project: str, salt: str) -> Path:
    """The file of a project's rows under one settings fingerprint (``project``:
    :func:`repo_roles.cachedir.project_key`, never the project's location)."""
    return colfile.file_for(directory, "docs-rows", FORMAT, project, salt)


def load(path: Path) -> Optional[Rows]:
    """The snapshot stored at ``path``; None when there is none or it is not a sound one (the
    joined items are read and checked when first needed)."""
    found = colfile.open_checked(path, MAGIC, _COLUMNS, _EAGER)
    if found is None:
        return None
    header, columns, later = found
    rows = _rows(header, columns, lambda: later.column(_PATHS), lambda: later.column(_ITEMS), header["lengths"][_ITEMS])
    if rows is not None:
        rows._where = path
    return rows


def save(path: Path, paths: Sequence[str], blobs: Sequence[str], rows: Sequence[Optional[Light]],
         lines: Sequence[Optional[int]], paths_key: Optional[str] = None) -> None:
    colfile.write(path, pieces(paths, blobs, rows, lines, paths_key))


def decode(raw: Optional[bytes]) -> Optional[Rows]:
    """The snapshot in ``raw`` (the bytes :func:`encode` made), every column checked now; None
    when it is missing, damaged, truncated or of another format."""
    found = colfile.unpack_checked(raw, MAGIC, _COLUMNS)
    if found is None:
        return None
    header, columns = found
    paths, missing = bytes(columns[_PATHS]), bytes(columns[_ITEMS])
    return _rows(header, columns[:_EAGER], lambda: paths, lambda: missing, len(missing))


def _rows(header: dict, parts: List[memoryview], paths: Callable[[], Optional[bytes]],
          missing: Callable[[], Optional[bytes]], size: int) -> Optional[Rows]:
    """The rows of a checked header and its first :data:`_EAGER` columns; ``paths`` reads the
    joined paths when the path list's digest is not the one asked about, ``missing`` the joined
    items (``size`` bytes) when first needed, and the rows' bounds are checked then (they never
    decrease: :func:`pieces` writes them in row order; one pass)."""
    n, width, key = header.get("rows"), header.get("width"), header.get("paths")
    if type(n) is not int or type(width) is not int or n < 0 or width < 0 or type(key) is not str:
        return None
    try:
        blobs = str(parts[0], "ascii")
        languages = json.loads(str(parts[1], "ascii"))
        language, counted, documented, defines = array("H"), array("i"), array("i"), array("b")
        lines, bounds, items = array("i"), array("q"), array("i")
        for column, part in ((language, 2), (counted, 3), (documented, 4), (defines, 5), (lines, 6),
                             (bounds, 7), (items, 8)):
            column.frombytes(parts[part])
        sups = {int(k): v for k, v in json.loads(str(parts[9], "ascii")).items()}
        unreadable, no_language, codes = array("i"), array("i"), array("I")
        for column, part in ((unreadable, 10), (no_language, 11), (codes, 12)):
            column.frombytes(parts[part])
        names = json.loads(str(parts[13], "utf-8", "surrogateescape"))
        measured = {int(k): int(v) for k, v in header.get("measured", ())}
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        return None
    if not (len(language) == len(counted) == len(documented) == len(defines)
            == len(lines) == len(items) == n and len(bounds) == 2 * n and len(blobs) == n * width) \
            or not isinstance(languages, list) or languages[:1] != [None] \
            or not all(x is None or type(x) is str for x in languages[1:]) \
            or (n and max(language) >= len(languages)) or not all(type(v) is str for v in sups.values()) \
            or any(k < 0 or k >= n for k in sups) \
            or (n and (bounds[0] < 0 or bounds[-1] > size)) \
            or len(codes) != len(no_language) or not isinstance(names, list) \
            or not all(type(x) is str for x in names) or (len(codes) and max(codes) >= len(names)) \
            or any(k <= 0 or k >= len(languages) or v < 0 for k, v in measured.items()) \
            or any(i < 0 or i >= n for i in (min(unreadable, default=0), max(unreadable, default=0),
                                             min(no_language, default=0), max(no_language, default=0))):
        return None
    rows = Rows(paths, blobs, width, languages, language, counted, documented, defines, lines, bounds, items,
                missing, sups)
    rows._paths_key = key
    rows._sums = (measured, unreadable, no_language, codes, names)
    return rows
