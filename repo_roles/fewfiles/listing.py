"""git's two listings of a run on given files, read without cutting them into records.

One run asks git, in parallel, for the names (``ls-files -z``: the key of the stored path
table, :mod:`.table`) and the records (``ls-files -s -z``: mode, object id, stage, path).  The
records are never split per file: every record is one header width (``<mode> <id> 0<TAB>``)
plus its name, so record ``j`` starts at ``j`` headers plus the names before it (the table's
offset) and a given file's record is read, and checked, where it is; a symlink or submodule
is told by its record (listing them all searches the mode column with ``bytes.find``), and
the records of the files test evidence reads are hashed as runs of consecutive rows, each one
span of git's bytes (the evidence key of ``testrefs.facts.few_key``, the same value as from
the whole listing).  Anything unusual -- a merge conflict (no table is stored for
a listing naming a path twice), an index rewritten while git listed it, a listing that is not
UTF-8 or does not add up, an untracked listing -- returns None: the caller lists the project
the usual way.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import re
import subprocess
import tempfile
from functools import partial
from itertools import compress, filterfalse, islice, repeat
from operator import add, mul, ne, sub
from pathlib import Path
from typing import Collection, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from repo_roles.fewfiles.table import Keep, MappedPaths, Meta, Tables, table_key
from repo_roles.index_listing import FileEntry, IndexListing
from repo_roles.inventory import Inventory, attributes_by_path, git_env

_HEADER = re.compile(rb"[0-7]{6} (?:[0-9a-f]{40}|[0-9a-f]{64}) 0\t")
_KINDS = {b"120000": ("symlink", 0o120000), b"160000": ("submodule", 0o160000)}
_MODES = {b"100644": 0o100644, b"100755": 0o100755}


def _listings(root: Path) -> Optional[Tuple[bytes, bytes]]:
    """(names, records) of git's index, both asked at once, each written by git to a temporary
    file and mapped read-only (never copied: 34 MB on 200k files); None when git fails."""
    outs = [tempfile.TemporaryFile(), tempfile.TemporaryFile()]
    try:
        procs = [subprocess.Popen(["git", "ls-files", *args, "-z"], cwd=str(root), stdin=subprocess.DEVNULL,
                                  stdout=out, stderr=subprocess.DEVNULL, env=git_env())
                 for args, out in (((), outs[0]), (("-s",), outs[1]))]
        codes = [p.wait() for p in procs]
        if any(codes):
            return None
        found = []
        for out in outs:
            size = os.fstat(out.fileno()).st_size
            found.append(mmap.mmap(out.fileno(), size, access=mmap.ACCESS_READ) if size else b"")
        return found[0], found[1]  # type: ignore[return-value]  (a mapping outlives its file)
    except OSError:
        return None
    finally:
        for out in outs:
            out.close()


def _index_file(git_root: Path, cwd: Optional[Path] = None) -> Optional[str]:
    """git's index file of ``git_root`` (``GIT_INDEX_FILE``, ``.git/index`` or a linked
    worktree's), or None when it cannot be told.  ``cwd``: where the git commands of the run
    start, against which git reads a relative ``GIT_INDEX_FILE`` or ``GIT_DIR`` (``git commit``
    gives its hooks ``GIT_INDEX_FILE=.git/index``)."""
    configured = os.environ.get("GIT_INDEX_FILE")
    if configured:
        if os.path.isabs(configured):
            return configured
        return os.path.join(str(cwd), configured) if cwd is not None else None
    git_dir = os.environ.get("GIT_DIR")  # set by git for its hooks
    if git_dir:
        if not os.path.isabs(git_dir):
            if cwd is None:
                return None
            git_dir = os.path.join(str(cwd), git_dir)
        return os.path.join(git_dir, "index")
    dot_git = os.path.join(str(git_root), ".git")
    if os.path.isdir(dot_git):
        return os.path.join(dot_git, "index")
    try:
        with open(dot_git, "rb") as handle:
            line = handle.read(4096).decode("utf-8", "surrogateescape").strip()
    except OSError:
        return None
    if not line.startswith("gitdir: "):
        return None
    git_dir = line[len("gitdir: "):]
    if not os.path.isabs(git_dir):
        git_dir = os.path.join(str(git_root), git_dir)
    return os.path.join(git_dir, "index")


def _identity(path: str) -> Optional[Tuple[int, int, int, int, int]]:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _cut(records: bytes, kept: MappedPaths) -> IndexListing:
    """The whole listing, narrowed to the table's paths (what the usual path would give)."""
    listing = IndexListing.parse(str(records, "utf-8", "surrogateescape"))
    assert isinstance(listing, IndexListing)  # no conflict: a table lists each name once
    if len(listing) == len(kept):
        return listing
    keep = frozenset(kept)
    return listing.keep(list(map(keep.__contains__, listing.paths)))


class FewInventory(Inventory):
    """An inventory whose paths are a stored table over git's names listing and whose records
    are looked up in git's records listing; the whole listing is cut only if something asks
    for every entry (then exactly as :func:`~repo_roles.inventory.load_inventory` would)."""

    def __init__(self, project_root: Path, git_root: Path, prefix: str, paths: MappedPaths, records: bytes,
                 meta: Dict[str, object]) -> None:
        super().__init__(project_root, git_root, prefix, "", [])
        self.__dict__["_entries"] = None
        self.__dict__["_pending"] = partial(_cut, records, paths)  # no bound method: no reference cycle
        self.__dict__["_few_paths"] = paths
        self.__dict__["_records"] = records
        self.__dict__["_tab"] = records.find(b"\t")
        self.__dict__["_path_facts"] = (paths, {"paths_digest": meta["paths_digest"]})
        self.__dict__["_cache_project_group"] = meta["project_key"]  # its slot: cachedir.project_key
        self.__dict__["_cache_directory"] = meta.get("cache_directory")
        self.__dict__["_hidden_attributes"] = meta.get("hidden_attributes") is not False

    @property  # type: ignore[override]
    def paths(self) -> List[str]:
        return self.__dict__["_few_paths"]

    def _record_span(self, path: str) -> Optional[Tuple[int, int]]:
        """Where ``path``'s record is in git's records listing: (start, end after its NUL).
        Record ``j`` starts after ``j`` headers of one width and the names before it."""
        table: MappedPaths = self.__dict__["_few_paths"]
        records, tab = self.__dict__["_records"], self.__dict__["_tab"]
        i = table.position(path)
        if i is None:
            return None
        start = table.row(i) * (tab + 1) + table.start(i)
        name = path.encode("utf-8")
        end = start + tab + 1 + table.lengths[i]
        if records[start + tab + 1:end + 1] != name + b"\0" or _HEADER.fullmatch(records, start, start + tab + 1) is None:
            return None
        return start, end + 1

    def _record(self, path: str) -> Optional[Tuple[str, int, str]]:
        """(kind, mode, object id) of ``path``'s record, or None when it is not listed."""
        span = self._record_span(path)
        if span is None:
            return None
        start, records = span[0], self.__dict__["_records"]
        mode = records[start:start + 6]
        blob = records[start + 7:start + self.__dict__["_tab"] - 2].decode("ascii")
        kind = _KINDS.get(mode)
        return (kind[0], kind[1], blob) if kind is not None else ("file", _MODES.get(mode) or int(mode, 8), blob)

    # More paths than this: the whole listing, cut once, beats a binary search per path. An
    # inventory that reads git's index file where it sits never lists: its records are the ones
    # whose names were compared, and a listing would be a later, possibly different, index.
    PICK_MANY = 64

    def pick(self, paths: Collection[str]) -> List[FileEntry]:
        if len(paths) > self.PICK_MANY:
            return super().pick(paths)
        found = []
        for path in sorted(set(paths)):
            record = self._record(path)
            if record is not None:
                found.append(FileEntry(path, record[0], record[1], record[2], True))
        return found

    def special_kinds(self) -> Mapping[str, str]:
        return _SpecialKinds(self)

    def attributes(self, names: Sequence[str], paths: Optional[Sequence[str]] = None) -> Dict[str, Dict[str, str]]:
        """:meth:`Inventory.attributes`; for a few ``paths`` of a project at git's top level, the
        answers remembered under the same sources (:mod:`repo_roles.fewfiles.attributes`)."""
        directory = self.__dict__.get("_cache_directory")
        if paths is None or self.prefix or directory is None or self.git_root is None:
            return super().attributes(names, paths)
        from repo_roles.cachedir import project_key
        from repo_roles.fewfiles.attributes import UNKNOWN, few_attributes
        from repo_roles.inventory import _git_check_attr

        wanted = list(dict.fromkeys(names))

        hidden = self.__dict__.get("_hidden_attributes", True)

        def index_blob(path: str) -> Optional[str]:
            found = self.pick([path])
            if not found and hidden:  # an attributes file the settings leave out may be in the index
                return UNKNOWN
            return found[0].blob if found else None

        rows = few_attributes(self.git_root, Path(directory) / f"few-attributes-{project_key(self).replace(':', '-')}.json", list(paths),
                              wanted, index_blob, lambda asked: _git_check_attr(self.project_root, asked, wanted))
        return attributes_by_path(rows)

    def _kind_of(self, path: str) -> Optional[str]:
        """"symlink"/"submodule" for such an entry, None for a regular file or no entry."""
        record = self._record(path)
        return record[0] if record is not None and record[0] != "file" else None

    def _scan_kinds(self) -> Dict[str, str]:
        """Every special entry: the mode column searched with ``bytes.find`` (a record starts
        the listing or follows a NUL), each hit checked against the table."""
        records, tab = self.__dict__["_records"], self.__dict__["_tab"]
        table: MappedPaths = self.__dict__["_few_paths"]
        found = {}
        for mode, (kind, _) in _KINDS.items():
            needle = b"\0" + mode + b" "
            first = records[:len(mode) + 1] == mode + b" "
            start = 0 if first else records.find(needle) + 1
            while start >= 0 and (start > 0 or first):
                end = records.find(b"\0", start)
                path = records[start + tab + 1:end].decode("utf-8")
                if path in table:
                    found[path] = kind
                at = records.find(needle, end)
                start = at + 1 if at >= 0 else -1
        return dict(sorted(found.items()))

    def records_digest(self, keep: Collection[str]) -> str:
        """``IndexListing.records_digest``: the same value, from the records where they are."""
        paths = self.__dict__["_few_paths"].tolist()
        return self.records_digest_at(list(compress(range(len(paths)), map(keep.__contains__, paths))))

    def records_digest_at(self, positions: Sequence[int], drop: Collection[int] = ()) -> str:
        """``IndexListing.records_digest_at`` of the table's paths at ``positions`` but ``drop``
        (the evidence key of a 5-file check), at C speed: records of consecutive rows are one
        span of git's listing (their NUL-joined text is the listing's bytes), record ``j``
        starts at ``j`` headers plus its name's offset, and the spans are hashed as one text."""
        table: MappedPaths = self.__dict__["_few_paths"]
        records, header = self.__dict__["_records"], self.__dict__["_tab"] + 1
        chosen = list(filterfalse(drop.__contains__, positions)) if drop else list(positions)
        if not chosen:
            return hashlib.sha1(b"").hexdigest()
        rows = list(map(table.rows.__getitem__, chosen)) if table.rows is not None else chosen
        # where a run of consecutive rows breaks: its first and last items
        breaks = list(compress(range(1, len(rows)), map(ne, map(sub, islice(rows, 1, None), rows), repeat(1))))
        firsts, lasts = [0, *breaks], [*map(sub, breaks, repeat(1)), len(rows) - 1]
        first_rows, last_rows = map(rows.__getitem__, firsts), map(rows.__getitem__, lasts)
        last_items = list(map(chosen.__getitem__, lasts))
        begin = map(add, map(mul, first_rows, repeat(header)), map(table.starts.__getitem__,
                                                                       map(chosen.__getitem__, firsts)))
        end = map(add, map(mul, map(add, last_rows, repeat(1)), repeat(header)),
                  map(add, map(table.starts.__getitem__, last_items), map(table.lengths.__getitem__, last_items)))
        return hashlib.sha1(b"\0".join(map(records.__getitem__, map(slice, begin, end)))).hexdigest()


class _SpecialKinds(Mapping[str, str]):
    """Path -> kind of the entries that are not regular files, each looked up in its record;
    listing them all searches the mode column (once)."""

    def __init__(self, inventory: FewInventory) -> None:
        self._inventory = inventory
        self._all: Optional[Dict[str, str]] = None

    def __getitem__(self, path: str) -> str:
        kind = self._inventory._kind_of(path) if isinstance(path, str) else None
        if kind is None:
            raise KeyError(path)
        return kind

    def _every(self) -> Dict[str, str]:
        if self._all is None:
            self._all = self._inventory._scan_kinds()
        return self._all

    def __iter__(self) -> Iterator[str]:
        return iter(self._every())

    def __len__(self) -> int:
        return len(self._every())


def few_inventory(project_root: Path, git_root: Path, prefix: str, cache_directory: Path,
                  include: Sequence[str], exclude: Sequence[str], keep: Keep, meta: Meta) -> Optional[FewInventory]:
    """The project as a :class:`FewInventory` over its path table (made from git's names listing
    and stored when missing: ``keep`` gives the include/exclude mask of the paths, ``meta`` the
    paths' digest and cache key), or None when git's listings cannot serve one."""
    from repo_roles.fewfiles import indexfile

    index_file = _index_file(git_root, Path(project_root))  # git runs in the project root
    before = _identity(index_file) if index_file is not None else None
    if before is None:
        return None
    tables = Tables(cache_directory)
    # At git's top level: git's index file itself, compared with the copy a former run kept.
    index = indexfile.map_index(index_file, before) if not prefix else None
    if index is not None:
        served = indexfile.index_inventory(Path(project_root), git_root, index, indexfile.Copies(tables),
                                           include, exclude)
        if served is not None:
            served.__dict__["_cache_directory"] = str(cache_directory)
            return served
    found = _listings(project_root)
    if found is None or _identity(index_file) != before:  # rewritten while git listed it
        return None
    names, records = found
    tab = records.find(b"\t")
    if not names or tab < 0 or _HEADER.match(records) is None:
        return None
    key = table_key(hashlib.sha1(names).hexdigest(), include, exclude)
    loaded = tables.load(key, names) or tables.build(key, names, keep, meta)
    if loaded is None:
        return None
    paths, values = loaded
    count = values.get("listed")
    # A table is made only for a listing that names each path once: no merge conflict (git
    # lists each stage of a conflicted path), so every record has one header width.
    if (not isinstance(values.get("paths_digest"), str) or not isinstance(values.get("project_key"), str)
            or not isinstance(count, int) or len(records) != count * (tab + 1) + len(names)):
        return None
    if index is not None:  # the index git listed: kept for the runs to come, and read as they will
        indexfile.store_copy(indexfile.Copies(tables), index, names, paths, values, include, exclude)
        # (one kind of evidence key for a path list: ``records_digest_at`` by block)
        served = indexfile.index_inventory(Path(project_root), git_root, index, indexfile.Copies(tables),
                                           include, exclude)
        if served is not None:
            served.__dict__["_cache_directory"] = str(cache_directory)
            return served
    return FewInventory(Path(project_root), git_root, prefix, paths, records,
                        {**values, "cache_directory": str(cache_directory)})
