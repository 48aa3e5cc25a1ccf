"""git's index listing (``git ls-files -s -z``) as :class:`FileEntry` values, cut at C speed.

A pre-commit run on 5 files of a 100,000-file repository needs every *path* (include/exclude,
ownership discovery, test conventions) but only 5 *entries*.  So the listing keeps git's raw
records and their paths; the 100,000 NamedTuples are built only when someone asks for them all.

Record layout (git-ls-files(1), ``--stage``): ``<mode> SP <object> SP <stage> TAB <path> NUL``.
git prints the mode as six octal digits and the object id in full -- one length per repository
(40 hex digits with SHA-1, 64 with SHA-256) -- so in the usual index (stage 0 only) every field
sits at a fixed offset and a whole column is one C-level ``map`` over the records.  A merge
conflict (stages 1-3) is read record by record instead.

A listing asked with ``-v`` (``ls-files -s -v``: a run keyed by git's index, which needs the
entries git does not compare as well) keeps git's two-character tag at the start of each record:
every offset is then ``at`` (2) further, and the records' digests (:meth:`records_digest`) are
taken without it, so they equal those of a plain listing.
"""

from __future__ import annotations

import hashlib
import threading
from bisect import bisect_left
from functools import partial
from itertools import compress, repeat
from operator import itemgetter
from typing import Collection, Dict, Iterable, List, NamedTuple, Optional, Sequence, Union


class FileEntry(NamedTuple):
    path: str  # POSIX, relative to the project root, any characters (spaces, unicode, "\n")
    kind: str  # "file" | "symlink" | "submodule"
    mode: int  # git mode: 0o100644, 0o100755, 0o120000, 0o160000 (0 when unknown)
    blob: Optional[str]  # git object id from the index; None for untracked / non-git
    tracked: bool


_GIT_KINDS = {"120000": ("symlink", 0o120000), "160000": ("submodule", 0o160000)}
_FILE_MODES = {"100644": 0o100644, "100755": 0o100755}
_MODE_KIND = {**{m: "file" for m in _FILE_MODES}, **{m: kind for m, (kind, _) in _GIT_KINDS.items()}}
_MODE_INT = {**_FILE_MODES, **{m: value for m, (_, value) in _GIT_KINDS.items()}}
# a regular file's mode by its fourth character (a one-character string: shared, its hash known)
_FILE_MODE_AT_3 = {mode[3]: value for mode, value in _FILE_MODES.items()}

# tuple.__new__ bound to FileEntry builds an entry from a 5-tuple without a Python-level frame
# (FileEntry(...) runs a generated __new__), so ``map`` makes 100,000 of them at C speed.
_new_entry = partial(tuple.__new__, FileEntry)
_MODE = itemgetter(slice(0, 6))
_FEW = 16  # up to this many paths, pick() searches the list for each
_BISECT_SHARE = 64  # pick() bisects for its paths while they are fewer than 1/64 of the list


_CUTTING = threading.Lock()  # one lazily parsed listing is cut by one thread (IndexListing.__getattr__)

class IndexListing:
    """The stage-0 records of one ``git ls-files -s -z``: paths now, entries on demand."""

    def __init__(self, records: List[str], tab: int, paths: List[str], regular: bool,
                 digest: Optional[bytes] = None, at: int = 0) -> None:
        self._digest = digest  # of git's raw output, when parse() was given it
        self._records = records
        self._tab = tab  # offset of the TAB in every record
        self.paths = paths
        self._regular = regular  # every mode is 10xxxx: no symlink, no submodule
        self._at = at  # where a record's mode starts: 2 after git's ``-v`` tag, else 0

    @classmethod
    def parse(cls, text: str, digest: Optional[bytes] = None, *, lazy_digest: bool = False,
              raw: Optional[object] = None, tagged: bool = False) -> Union["IndexListing", List[FileEntry]]:
        """The listing of ``text``; the entries themselves when the fixed layout does not hold.
        ``digest``: a hash of git's bytes that ``text`` was decoded from (see :meth:`digest`);
        ``lazy_digest``: that hash is computed only when :meth:`digest` is first asked (a
        ``check FILES`` run never asks: 0.03 s of hashing on 200k files); ``raw``: git's bytes
        that ``text`` was decoded from (bytes or a buffer with ``close``, e.g. an ``mmap``), kept
        until then or until the text is cut (hashed as they are, not encoded back).

        With a digest (or a lazy one) the text is cut only when a record or a path is first
        asked for: a run answered from a stored run (``repo_roles.runcache``) needs the digest
        alone.  A merge conflict (stages 1-3) is found when the text is cut, and those records
        are then read one by one (``parse_records``) into stage-0 records of the same layout.
        ``tagged``: git's ``-v`` tag starts every record (kept: see the module doc).
        """
        at = 2 if tagged else 0
        tab = text.find("\t")
        if (digest is not None or lazy_digest) and tab >= 10 + at:
            listing = cls.__new__(cls)
            listing._digest, listing._tab, listing._text, listing._at = digest, tab, text, at
            if raw is not None and digest is None:
                listing._raw = raw
            return listing
        records = text.split("\0")
        if records and not records[-1]:
            records.pop()  # the NUL ending the last record
        if not records:
            return []
        tab = records[0].find("\t")
        # The stage sits just before the TAB (conflicts list stages 1-3 of a path).  Single
        # characters are shared objects, so a one-character column costs no allocation.
        if tab < 10 + at or set(map(itemgetter(tab - 1), records)) != {"0"}:
            return parse_records(_untagged(records, at))
        paths = list(map(itemgetter(slice(tab + 1, None)), records))
        # 100644/100755 (and legacy 10xxxx) are files; 120000 symlinks, 160000 submodules.
        regular = set(map(itemgetter(1 + at), records)) == {"0"}
        return cls(records, tab, paths, regular, digest, at)

    def __getattr__(self, name: str) -> object:
        """Cut the text of a lazily parsed listing on first use of its records or paths (under a
        lock: threads of one run may ask at once, and only one of them may cut)."""
        if name not in ("_records", "paths", "_regular"):
            raise AttributeError(name)
        with _CUTTING:
            if name in self.__dict__:  # another thread cut it while this one waited
                return self.__dict__[name]
            if self.__dict__.get("_text") is None:
                raise AttributeError(name)
            return self._cut(name)

    def _cut(self, name: str) -> object:
        text = self.__dict__["_text"]
        release(self.__dict__.pop("_raw", None))  # git's bytes: the text hashes the same (see digest)
        records = text.split("\0")
        if records and not records[-1]:
            records.pop()
        tab, at = self._tab, self._at
        if set(map(itemgetter(tab - 1), records)) != {"0"}:
            # A merge conflict: the digest is taken from git's text as it is, and the records
            # are read one by one into stage-0 records of the same layout (one per path).
            if self._digest is None:
                self.digest()
            records = [f"{'H ' if at else ''}{e.mode:06o} {e.blob} 0\t{e.path}"
                       for e in parse_records(_untagged(records, at))]
        del self.__dict__["_text"]
        del text  # freed before the paths are cut: 22 MB less at the peak on 200k files
        self._records = records
        self.paths = list(map(itemgetter(slice(tab + 1, None)), records))
        self._regular = set(map(itemgetter(1 + at), records)) == {"0"}
        return self.__dict__[name]

    def blob_slice(self) -> slice:
        """Where a record ("mode blob stage\tpath") holds its object id."""
        return slice(self._at + 7, self._tab - 2)

    def __len__(self) -> int:
        return len(self._records)

    def entries(self) -> List[FileEntry]:
        """Every entry, in index order."""
        return self._build(self._records, self.paths)

    def _build(self, records: Sequence[str], paths: Sequence[str]) -> List[FileEntry]:
        at = self._at
        if self._regular:  # every mode 10xxxx: git writes 100644 or 100755, told by one character
            if set(map(itemgetter(slice(at, at + 6)), records)) <= _FILE_MODES.keys():  # (checked whole)
                return list(map(_new_entry, zip(
                    paths, repeat("file"), map(_FILE_MODE_AT_3.__getitem__, map(itemgetter(at + 3), records)),
                    map(itemgetter(self.blob_slice()), records), repeat(True))))
        modes = list(map(itemgetter(slice(at, at + 6)) if at else _MODE, records))
        if not set(modes) <= _MODE_INT.keys():  # a mode git does not write today: the slow way
            return parse_records(_untagged(list(records), at))
        return list(
            map(
                _new_entry,
                zip(
                    paths,
                    map(_MODE_KIND.__getitem__, modes),
                    map(_MODE_INT.__getitem__, modes),
                    map(itemgetter(self.blob_slice()), records),  # the object id
                    repeat(True),
                ),
            )
        )

    def keep(self, mask: Sequence[object]) -> "IndexListing":
        """The records whose ``mask`` item is truthy (one per record, in order)."""
        return IndexListing(list(compress(self._records, mask)), self._tab, list(compress(self.paths, mask)),
                            self._regular, at=self._at)

    def pick(self, wanted: Collection[str]) -> List[FileEntry]:
        """The entries whose path is in ``wanted``, in index order; only those are built."""
        paths = self.paths
        found = sorted_positions(paths, wanted)
        if found is None and len(wanted) <= _FEW:
            # A few C-level list searches beat one membership test per record.
            found = []
            for path in set(wanted):
                try:
                    found.append(paths.index(path))
                except ValueError:  # not in the index (untracked, excluded, a typo)
                    pass
            found.sort()
        elif found is None:
            found = list(compress(range(len(paths)), map(wanted.__contains__, paths)))
        records = self._records
        return self._build([records[i] for i in found], [paths[i] for i in found])

    def digest(self) -> bytes:
        """A hash of every record (mode, object id, stage, path, and git's tag when the listing
        was asked with ``-v``: skip-worktree and assume-unchanged count): equal listings, equal
        digests.  A lazy digest hashes git's bytes (the text encoded back: ``surrogateescape``
        round-trips)."""
        if self._digest is not None:
            return self._digest
        raw = self.__dict__.pop("_raw", None)
        if raw is not None:
            self._digest = hashlib.sha256(raw).digest()
            release(raw)
            return self._digest
        text = self.__dict__.get("_text")
        if text is not None:
            self._digest = _text_digest(text)
            return self._digest
        # the records as git wrote them (each ends with a NUL): the same digest as git's bytes
        return _text_digest("\0".join(self._records) + "\0" if self._records else "")
    def records_digest(self, keep: Collection[str]) -> str:
        """sha1 of the records (mode, object id, path) whose path is in ``keep``, in index order:
        one C-level pass, no entry built (the evidence key of a 5-file check on 200k files)."""
        chosen = compress(self._records, map(keep.__contains__, self.paths))
        return _records_sha1(chosen, self._at)

    def records_digest_at(self, positions: Sequence[int], drop: Collection[int] = ()) -> str:
        """:meth:`records_digest` of the records at ``positions`` (increasing) but those in ``drop``:
        the same value for the same records, with no membership test per path."""
        records = self._records
        chosen = map(records.__getitem__, positions if not drop else [i for i in positions if i not in drop])
        return _records_sha1(chosen, self._at)

    def special_kinds(self) -> Dict[str, str]:
        """Path -> kind of the entries that are not regular files (symlinks, submodules)."""
        if self._regular:
            return {}
        # The mode column alone: no entry is built (a pre-commit run asks this on its first file).
        at = self._at
        special = compress(zip(self._records, self.paths), map("0".__ne__, map(itemgetter(1 + at), self._records)))
        return {path: _GIT_KINDS[record[at:at + 6]][0] for record, path in special if record[at:at + 6] in _GIT_KINDS}


def sorted_positions(paths: Sequence[str], wanted: Collection[str]) -> Optional[List[int]]:
    """The positions of ``wanted`` in ``paths``, increasing, found by bisection (a few paths of a
    long list: ~18 comparisons each instead of a membership test per path); None when one of
    them is not where bisection looks -- absent, or the list is not in Python's order (git sorts
    bytes: a path with an undecodable byte may sort elsewhere) -- and the caller looks the slow way;
    None too when they are not a few of many (1/64 of the list or more: one pass is cheaper)."""
    if len(wanted) * _BISECT_SHARE >= len(paths):
        return None
    found = []
    end = len(paths)
    for path in wanted:
        at = bisect_left(paths, path)
        if at == end or paths[at] != path:
            return None
        found.append(at)
    return sorted(set(found))  # a path asked twice is one entry


def _untagged(records: List[str], at: int) -> List[str]:
    """``records`` without git's ``-v`` tag (``at``: its width)."""
    return list(map(itemgetter(slice(at, None)), records)) if at else records


def _records_sha1(chosen: Iterable[str], at: int) -> str:
    """sha1 of ``chosen`` records NUL-joined, without git's ``-v`` tag: a plain listing's value."""
    if at:
        chosen = map(itemgetter(slice(at, None)), chosen)
    return hashlib.sha1("\0".join(chosen).encode("utf-8", "surrogateescape")).hexdigest()


def release(raw: object) -> None:
    """Close git's mapped output (``inventory``), if that is what ``raw`` is."""
    close = getattr(raw, "close", None)
    if close is not None:
        close()


def _text_digest(text: str) -> bytes:
    """SHA-256 of git's bytes, from the text they were decoded from (SHA-256 rather than
    blake2b: twice as fast where the CPU has SHA instructions, 0.007 s against 0.014 s on the
    11 MB listing of 100k files)."""
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).digest()


def parse_records(records: List[str]) -> List[FileEntry]:
    """Record by record: merge conflicts, unknown modes."""
    entries: List[FileEntry] = []
    last = None
    for record in records:
        meta, _, path = record.partition("\t")
        mode, blob, stage = meta.split(" ")
        if path == last:
            # A merge conflict lists stages 1-3 of one path (sorted by stage): keep one entry,
            # preferring "ours" (stage 2) over the merge base.
            if stage == "2":
                entries[-1] = entries[-1]._replace(blob=blob)
            continue
        last = path
        kind_mode = _GIT_KINDS.get(mode)
        if kind_mode is None:
            entries.append(FileEntry(path, "file", _FILE_MODES.get(mode) or int(mode, 8), blob, True))
        else:
            entries.append(FileEntry(path, kind_mode[0], kind_mode[1], blob, True))
    return entries
