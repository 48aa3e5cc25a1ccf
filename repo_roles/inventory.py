"""The file list of a project root: git's index in one call, or a filesystem walk outside git.

Paths are POSIX strings relative to the project root.  Git output is read as bytes and decoded
as UTF-8 with ``surrogateescape`` -- the same decoding ``os.scandir`` uses on POSIX -- so any
name round-trips (``path.encode("utf-8", "surrogateescape")`` gives git's bytes back) and an odd
name never crashes a scan.  The git path is the hot one (100k files): git's listing is cut at
C speed (``index_listing``) and its entries -- plain NamedTuples, no ``Path`` or ``stat`` per
file -- are built only when something iterates them; ``paths`` serves the stages that need only
names.  The walk outside git lives in ``inventory_walk``, loaded only there.
"""

from __future__ import annotations

import dataclasses
import hashlib
import mmap
import os
import re
import posixpath
import subprocess
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from itertools import compress, repeat
from operator import add, attrgetter, itemgetter, not_
from pathlib import Path
from typing import Callable, Collection, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union


from repo_roles import safeio
from repo_roles.errors import NotARepositoryError, UsageError
from repo_roles.index_listing import FileEntry, IndexListing, release, sorted_positions

__all__ = ["FileEntry", "Inventory", "git_toplevel", "load_inventory"]


_PATH = attrgetter("path")  # read at C speed by map()
_KIND = attrgetter("kind")
_TRACKED = attrgetter("tracked")
_Mapped = object  # git's output mapped read-only (an ``mmap.mmap``: a buffer with ``close``)


def attributes_by_path(rows: Iterable[Tuple[str, str, str]]) -> Dict[str, Dict[str, str]]:
    """``(path, attribute, value)`` rows (``git check-attr``'s) as ``path -> {attribute: value}``."""
    picked: Dict[str, Dict[str, str]] = {}
    for path, attr, value in rows:
        picked.setdefault(path, {})[attr] = value
    return picked


@dataclass
class Inventory:
    project_root: Path  # absolute (resolved)
    git_root: Optional[Path]  # absolute work-tree top level; None when not a git repository
    prefix: str  # project_root relative to git_root: "" or "examples/web/"
    scope: str  # sub-path the user asked for, relative to project_root ("" = all)
    entries: List[FileEntry]  # every file of the project (context for rules), sorted by path
    # attribute name -> {path: value}; filled by attributes(), one git call per new batch of names
    _attr_cache: Dict[str, Dict[str, str]] = field(default_factory=dict, init=False, repr=False, compare=False)
    # the git calls started by prefetch_attributes(), collected by attributes()
    _attr_pending: List["_CheckAttr"] = field(default_factory=list, init=False, repr=False, compare=False)
    # directory -> "its resolved location stays inside project_root"; realpath is costly per file
    _dir_inside: Dict[str, bool] = field(default_factory=dict, init=False, repr=False, compare=False)
    _real_root: str = field(default="", init=False, repr=False, compare=False)
    # (the entries list it was built from, its length, the paths): see ``paths``
    _paths: Optional[Tuple[List[FileEntry], int, List[str]]] = field(
        default=None, init=False, repr=False, compare=False
    )
    # git's records not yet cut into entries (see ``index_listing``); ``entries`` builds them
    _listing: Optional[IndexListing] = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def from_listing(
        cls, project_root: Path, git_root: Optional[Path], prefix: str, scope: str, listing: IndexListing
    ) -> "Inventory":
        """An inventory whose entries are built from ``listing`` on first use."""
        inventory = cls(project_root, git_root, prefix, scope, [])
        inventory.__dict__["_entries"] = None
        inventory._listing = listing
        return inventory

    @classmethod
    def deferred(
        cls, project_root: Path, git_root: Path, prefix: str, scope: str,
        load: Callable[[], Union[IndexListing, List[FileEntry]]],
    ) -> "Inventory":
        """An inventory whose listing ``load`` gives on first use of its paths or entries (a
        stored run keyed by git's index file never asks ``git ls-files``)."""
        inventory = cls(project_root, git_root, prefix, scope, [])
        inventory.__dict__["_entries"] = None
        inventory.__dict__["_pending"] = load
        return inventory

    def flags_with_listing(self) -> Optional[Callable[[], Optional[Tuple[float, frozenset]]]]:
        """Have git's listing, not read yet, also give the entries git does not compare (one
        ``ls-files -s -v`` instead of ``-s`` and a separate ``-v``: :class:`WorktreeDiff`); how
        to get them, with the time that git started (None: the listing did not give them).
        None when the listing was read already or is not git's plain index listing."""
        load = self.__dict__.get("_pending")
        if (not isinstance(load, partial) or load.func is not _git_entries or load.keywords != {"tagged": True}
                or load.args[1:] != (False,)):
            return None
        found: List[Tuple[float, frozenset]] = []
        self.__dict__["_pending"] = partial(_git_entries, *load.args, flags=found, tagged=True)

        def flags() -> Optional[Tuple[float, frozenset]]:
            try:
                self._listing  # read now if nobody did
            except Exception:  # noqa: BLE001 -- git failed: whoever asks for the paths hears it
                return None
            return found[0] if found else None

        return flags

    @property
    def listed(self) -> bool:
        """Whether git's listing has been read (a deferred inventory reads it on first use)."""
        return self.__dict__.get("_pending") is None

    @property
    def paths(self) -> List[str]:
        """Every entry's path, in entry order: built once and shared by every stage that needs
        only paths (include/exclude, ownership, test index…).  Do not modify the list."""
        if self._listing is not None:
            return self._listing.paths
        cached = self._paths
        entries = self.entries
        if cached is None or cached[0] is not entries or cached[1] != len(entries):
            cached = self._paths = (entries, len(entries), list(map(_PATH, entries)))
        return cached[2]

    def records_digest(self, keep: Collection[str]) -> Optional[str]:
        """A digest of git's index records of the paths in ``keep`` (see
        ``IndexListing.records_digest``); None when the inventory is not git's plain listing."""
        listing = self._listing
        return listing.records_digest(keep) if listing is not None else None

    def records_digest_at(self, positions: Sequence[int], drop: Collection[int] = ()) -> Optional[str]:
        """``records_digest`` of the entries at ``positions`` of ``paths`` but ``drop``; None when
        the inventory is not git's plain listing."""
        listing = self._listing
        return listing.records_digest_at(positions, drop) if listing is not None else None

    def keep(self, mask: Sequence[object]) -> "Inventory":
        """A copy holding the entries whose ``mask`` item (one per entry, in order) is truthy."""
        if self._listing is not None:
            narrowed = Inventory.from_listing(
                self.project_root, self.git_root, self.prefix, self.scope, self._listing.keep(mask)
            )
        else:
            entries = list(compress(self.entries, mask))
            narrowed = dataclasses.replace(self, entries=entries)
            narrowed._paths = (entries, len(entries), list(compress(self.paths, mask)))
        return narrowed

    def pick(self, paths: Collection[str]) -> List[FileEntry]:
        """The entries whose path is in ``paths``, in entry order (a 5-file check builds 5)."""
        if self._listing is not None:
            return self._listing.pick(paths)
        entries, listed = self.entries, self.paths
        found = sorted_positions(listed, paths)  # a few of many (a 20-file change's): by bisection, if sorted
        if found is not None:
            return list(map(entries.__getitem__, found))
        return list(compress(entries, map(paths.__contains__, listed)))

    def special_kinds(self) -> Dict[str, str]:
        """Path -> kind of every entry that is not a regular file (symlinks, submodules)."""
        if self._listing is not None:
            return self._listing.special_kinds()
        entries = self.entries
        known = self.__dict__.get("_special")
        if known is None or known[0] is not entries or known[1] != len(entries):
            # the kind column at C speed, once per entries list (a whole run asks five times)
            known = self.__dict__["_special"] = (entries, len(entries), {
                e.path: e.kind for e in compress(entries, map("file".__ne__, map(_KIND, entries)))})
        return dict(known[2])

    def paths_digest(self) -> str:
        """:func:`paths_digest` of ``paths``, computed once per path list (the keys of the
        evidence index, the stored test answers, the findings reuse and git's attributes share it);
        known without cutting the listing when :meth:`know` was told it."""
        known = self._facts()
        found = known.get("paths_digest")
        if found is None:
            found = known["paths_digest"] = paths_digest(self.paths)
        return found  # type: ignore[return-value]

    def ending_with(self, suffix: str) -> List[str]:
        """The paths that end with ``suffix``, in order: one C-level pass per path list and
        suffix (ownership discovery, package.json files), or known (:meth:`know`).  Do not
        modify the list."""
        known = self._facts()
        found = known.get("ending:" + suffix)
        if found is None:
            paths = self.paths
            finder = getattr(paths, "ending_with", None)  # a stored path table (check FILES) finds them in C
            found = known["ending:" + suffix] = (finder(suffix) if finder is not None else
                                                 list(compress(paths, map(str.endswith, paths, repeat(suffix)))))
        return found  # type: ignore[return-value]

    def _facts(self) -> Dict[str, object]:
        """What is known of this path list (its digest, the paths with a given ending): kept
        with git's listing, then with the path list the entries were built from."""
        if self.__dict__.get("_pending") is None:
            listing = self.__dict__.get("_listing")
            if listing is not None:
                found = listing.__dict__.get("facts")
                if found is None:
                    found = listing.__dict__["facts"] = {}
                return found
        paths = self.paths  # a deferred listing is read now (a path table's is not: check FILES)
        if self.__dict__.get("_pending") is None and self.__dict__.get("_listing") is not None:
            return self._facts()
        kept = self.__dict__.get("_path_facts")
        if kept is None or kept[0] is not paths:
            kept = self.__dict__["_path_facts"] = (paths, {})
        return kept[1]

    def know(self, listing_digest: bytes, facts: Mapping[str, object]) -> bool:
        """Take ``facts`` (``paths_digest``, ``ending:<suffix>`` lists) as those of git's listing
        whose :meth:`listing_digest` is ``listing_digest`` (remembered with that listing: the
        paths are part of what it hashes), so that nothing cuts the listing or passes over its
        paths for them; False when that is not this listing."""
        listing = self._listing
        if listing is None or listing.digest() != listing_digest:
            return False
        self._facts().update(facts)
        return True

    def listing_digest(self) -> bytes:
        """A hash of the file list as git's index states it: every path with its kind, mode,
        object id and whether it is tracked (untracked files have no id: hash their content);
        git's listing's own digest when it was read (see ``IndexListing.digest``: with git's
        tags in a keyed run).  Two checkouts of the same commit give the same digest, wherever
        they are."""
        found = self.known_listing_digest()
        if found is not None:
            return found
        text = "\0".join(f"{e.path}\t{e.kind}\t{e.mode:o}\t{e.blob or '-'}\t{int(e.tracked)}" for e in self.entries)
        return hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=20).digest()

    def known_listing_digest(self) -> Optional[bytes]:
        """:meth:`listing_digest` when git's listing gives it (its own digest, kept once its
        entries are built if it was hashed before); None when it would be made of the entries
        one by one."""
        if self._listing is not None:
            return self._listing.digest()
        kept = self.__dict__.get("_listing_digest")
        if kept is not None and kept[0] is self.__dict__.get("_entries") and kept[1] == len(kept[0]):
            return kept[2]
        return None

    def untracked_paths(self) -> List[str]:
        """The entries git does not track (listed only with ``untracked``)."""
        if self.__dict__.get("_pending") is not None or self._listing is not None:  # git's index only
            return []
        entries = self.entries
        if self.__dict__.get("_indexed") is entries:  # built from git's index listing: all tracked
            return []
        return list(compress(self.paths, map(not_, map(_TRACKED, entries))))  # at C speed

    def in_scope(self) -> List[FileEntry]:
        """The entries under ``scope`` (a file or a directory); all of them when scope is ``""``."""
        if not self.scope:
            return list(self.entries)
        return [e for e in self.entries if _under(e.path, self.scope)]

    def abspath(self, path: str) -> Path:
        return self.project_root / path

    def read_head(self, path: str, limit: int = 4096) -> Optional[bytes]:
        """The first ``limit`` bytes of a regular work-tree file; None for anything else."""
        opened = self._open_regular(path)
        if opened is None:
            return None
        fd = opened[0]
        try:
            return os.read(fd, limit) if limit > 0 else b""
        finally:
            os.close(fd)

    def read_bytes(self, path: str, max_size: int) -> Optional[bytes]:
        """The whole content of a regular work-tree file, or None when larger than ``max_size``
        (one ``fstat``, the one that found it regular; one read of its size: ``safeio.read_fd``)."""
        opened = self._open_regular(path)
        if opened is None:
            return None
        return safeio.read_fd(opened[0], max_size, opened[1])

    def attributes(
        self, names: Sequence[str], paths: Optional[Sequence[str]] = None
    ) -> Dict[str, Dict[str, str]]:
        """``{path: {attr: value}}`` for every entry (or each of ``paths``) with one of ``names`` set.

        With ``paths`` (a pre-commit run on a few files) git is asked about those paths only and
        nothing is cached, so a 5-file check does not pay for 100,000 attribute look-ups.

        Values are git's: ``"set"``, ``"unset"`` or the string; unspecified attributes (and paths
        with none set) are left out.  In git this is one ``git check-attr --stdin -z`` per batch of
        names not asked before.  Outside git, ``.gitattributes`` files are read minimally (see
        ``inventory_walk.walk_attributes``).
        """
        wanted = list(dict.fromkeys(names))
        if paths is not None:
            if self.git_root is not None:
                subset = _git_check_attr(self.project_root, list(paths), wanted)
            else:
                from repo_roles.inventory_walk import walk_attributes

                wanted_paths = set(paths)
                subset = [row for row in walk_attributes(self, wanted) if row[0] in wanted_paths]
            return attributes_by_path(subset)
        pending_calls, self._attr_pending = self._attr_pending, []
        for pending in pending_calls:
            for path, attr, value in pending.result():
                self._attr_cache[attr][path] = value
        missing = [n for n in wanted if n not in self._attr_cache]
        if missing:
            for name in missing:
                self._attr_cache[name] = {}
            if self.git_root is not None:
                found = _git_check_attr(self.project_root, self.paths, missing) if self.attributes_may_apply() else []
            else:
                from repo_roles.inventory_walk import walk_attributes

                found = walk_attributes(self, missing)
            for path, attr, value in found:
                self._attr_cache[attr][path] = value
        out: Dict[str, Dict[str, str]] = {}
        for name in wanted:
            for path, value in self._attr_cache[name].items():
                out.setdefault(path, {})[name] = value
        return out

    def prefetch_attributes(self, names: Sequence[str]) -> None:
        """Start asking git for ``names`` on every entry; :meth:`attributes` collects the answer.

        A whole-project scan calls this first, so git matches 100k paths against the
        ``.gitattributes`` files while this process reads its caches.  Outside git: nothing.
        """
        missing = [n for n in dict.fromkeys(names) if n not in self._attr_cache]
        if not missing or self.git_root is None:
            return
        if not self.attributes_may_apply():
            for name in missing:
                self._attr_cache[name] = {}
            return
        pending = _CheckAttr(self.project_root, self.paths, missing)
        for name in missing:
            self._attr_cache[name] = {}
        self._attr_pending.append(pending)

    def seed_attributes(self, names: Sequence[str], answer: Dict[str, Dict[str, str]]) -> None:
        """Take ``answer`` (``{path: {attr: value}}``, as :meth:`attributes` gives it for every
        entry) as git's for ``names`` not asked yet: a stored answer under the same sources
        (``classify.attrcache``), so no ``check-attr`` runs."""
        for name in dict.fromkeys(names):
            if name not in self._attr_cache:
                self._attr_cache[name] = {path: found[name] for path, found in answer.items() if name in found}

    def attributes_may_apply(self) -> bool:
        """Whether any attributes file git reads could set an attribute on a project file.

        gitattributes(5) names them all: ``.gitattributes`` files in the work tree (tracked or
        not, in a file's directory or any above it up to the top level), ``$GIT_DIR/info/attributes``,
        the global file (``core.attributesFile``, by default ``$XDG_CONFIG_HOME/git/attributes``)
        and the system one (``$(prefix)/etc/gitattributes`` unless ``GIT_ATTR_NOSYSTEM``);
        git >= 2.40 also reads ``attr.tree`` / ``GIT_ATTR_SOURCE``.  When none exists, a
        whole-project scan skips ``git check-attr`` (100k paths: ~0.25 s of git and 40 MB of
        "unspecified" to parse).  Anything unsure counts as "may apply".
        """
        found = self.__dict__.get("_attributes_may_apply")
        if found is None:
            found = self.__dict__["_attributes_may_apply"] = self.git_root is not None and (
                bool(self.attributes_files()) or outside_attributes_may_apply(self.git_root))
        return found

    def attributes_files(self, directories: Optional[Sequence[str]] = None) -> List[str]:
        """The work tree's ``.gitattributes`` files git reads for this project's files, tracked or
        not (gitattributes(5): the file's directory and every one above it up to the top level),
        as absolute paths: one ``lstat`` per directory, remembered.  The stored-run key hashes
        them (``runcache``); :meth:`attributes_may_apply` asks whether there is any.
        ``directories``: :meth:`directories` when the caller remembers them (the listing is then
        not read)."""
        found = self.__dict__.get("_attributes_files")
        if found is None:
            found = self.__dict__["_attributes_files"] = [] if self.git_root is None else _attributes_files(
                self.git_root, self.project_root, self.directories() if directories is None else directories)
        return found

    def index_blobs(self, ids: Collection[str], max_size: int) -> Dict[str, bytes]:
        """The contents of git objects ``ids`` (blob ids from the index) of at most ``max_size``
        bytes, by id: two ``git cat-file`` calls for them all (sizes first, so that no larger
        object is read).  A run that reads the project as git's index has it
        (``check FILES``) reads here a file whose work tree differs from the index."""
        wanted = sorted({i for i in ids if i})
        if self.git_root is None or not wanted:
            return {}
        request = "".join(i + "\n" for i in wanted).encode("ascii")
        sizes = subprocess.run(["git", "cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"],
                               cwd=str(self.git_root), input=request, capture_output=True, env=git_env())
        small = []
        for line in sizes.stdout.decode("ascii", "replace").splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] == "blob" and parts[2].isdigit() and int(parts[2]) <= max_size:
                small.append(parts[0])
        if sizes.returncode != 0 or not small:
            return {}
        out = subprocess.run(["git", "cat-file", "--batch"], cwd=str(self.git_root),
                             input="".join(i + "\n" for i in small).encode("ascii"), capture_output=True,
                             env=git_env()).stdout
        found: Dict[str, bytes] = {}
        at = 0
        while at < len(out):
            end = out.find(b"\n", at)
            if end < 0:
                break
            header = out[at:end].split()
            if len(header) != 3 or not header[2].isdigit():
                break
            size = int(header[2])
            found[header[0].decode("ascii")] = bytes(out[end + 1:end + 1 + size])
            at = end + 1 + size + 1
        return found
    def directories(self) -> List[str]:
        """Every directory of the project holding a file, and every one above it, relative to
        the project root (``""``: the root), sorted: one C-level pass over the paths."""
        parents = set(map(itemgetter(0), map(str.rpartition, self.paths, repeat("/"))))
        found = set()
        for directory in parents:  # one per directory, not per file
            while directory not in found:
                found.add(directory)
                directory = directory.rpartition("/")[0]
        found.add("")
        return sorted(found)

    def _open_regular(self, path: str) -> Optional[Tuple[int, int]]:
        """``(fd, size)`` of ``path`` if it is a regular file reached without leaving the project root.

        O_NOFOLLOW refuses a symlink as the last component; a symlinked *parent* is caught by
        resolving the directory (cached) and checking it stays inside ``project_root``.
        """
        full = os.path.join(str(self.project_root), path)
        if not self._inside(os.path.dirname(full)):
            return None
        try:  # O_NOFOLLOW | O_NONBLOCK, then fstat: a regular file or nothing
            return safeio.open_regular_sized(full)
        except (OSError, safeio.UnsafeReadError):  # missing, a link, a FIFO, a submodule…
            return None

    def _inside(self, directory: str) -> bool:
        known = self._dir_inside.get(directory)
        if known is None:
            if not self._real_root:
                self._real_root = os.path.realpath(str(self.project_root))
            known = _contains(self._real_root, os.path.realpath(directory))
            self._dir_inside[directory] = known
        return known


def _get_entries(self: Inventory) -> List[FileEntry]:
    entries = self.__dict__["_entries"]
    if entries is None:
        listing = self._listing  # a deferred listing may come as the entries themselves
        entries = self.__dict__["_entries"]
        if entries is None:
            assert listing is not None
            entries = self.__dict__["_entries"] = self.__dict__["_indexed"] = listing.entries()
            self._paths = (entries, len(entries), listing.paths)  # the same paths: keep, not rebuild
            known = listing.__dict__.get("facts")
            if known is not None:  # what is known of them too (see know)
                self.__dict__["_path_facts"] = (listing.paths, known)
            # the listing's answer (no pass over the entries when git's modes are all regular)
            self.__dict__["_special"] = (entries, len(entries), listing.special_kinds())
            if listing.__dict__.get("_digest") is not None:  # hashed already: kept for listing_digest
                self.__dict__["_listing_digest"] = (entries, len(entries), listing.__dict__["_digest"])
            self._listing = None
    return entries


def _set_entries(self: Inventory, entries: List[FileEntry]) -> None:
    self.__dict__["_entries"] = entries
    self.__dict__["_listing"] = None


_LOADING = threading.Lock()


def _get_listing(self: Inventory) -> Optional[IndexListing]:
    if self.__dict__.get("_pending") is not None:
        with _LOADING:
            load = self.__dict__.get("_pending")
            if load is not None:  # git is asked once, whoever asks first
                found = load()
                if isinstance(found, IndexListing):
                    self.__dict__["_listing"] = found
                else:  # a merge conflict or an unusual record: the entries themselves
                    self.__dict__["_listing"] = None
                    self.__dict__["_entries"] = found
                self.__dict__["_pending"] = None
    return self.__dict__.get("_listing")


def _set_listing(self: Inventory, listing: Optional[IndexListing]) -> None:
    self.__dict__["_listing"] = listing


# ``entries`` stays a dataclass field (constructor argument, ``replace``, equality, repr) whose
# value is read through this property, so an inventory made from git's listing builds its
# 100,000 entries only when something iterates them; ``_listing`` reads a deferred listing
# (``Inventory.deferred``) on first use.
Inventory.entries = property(_get_entries, _set_entries)  # type: ignore[assignment]
Inventory._listing = property(_get_listing, _set_listing)  # type: ignore[assignment]


class WorktreeDiff:
    """Tracked paths whose work-tree file may differ from the index (None: trust no index id).

    One ``git diff-files`` (git compares its cached stat data, in C) costs ~0.2 s on 100k files;
    it is started first and read last, so git works while this process reads the caches.  For a
    few files, hashing them is cheaper, so a small run never starts git (``ask_git`` False).
    One per inventory (``coverage.analyze.worktree_diff``, ``runcache``): one call per run.

    git compares no file whose index entry is marked skip-worktree (a sparse checkout) or
    assume-unchanged (git-update-index(1)): such a file may be absent or edited while the index
    says otherwise, so those paths count as changed too.  They are the entries ``git ls-files -v``
    tags other than ``H`` (an unmerged one, ``M``, counts as changed as well); that listing runs
    next to ``diff-files`` unless the caller knows them (:meth:`know_flagged`: the stored-run
    key remembers them with git's index file, ``runcache.listing``).
    """

    def __init__(self, inventory: "Inventory", ask_git: bool = True) -> None:
        self._start(inventory.project_root if inventory.git_root is not None and ask_git else None)

    @classmethod
    def started_at(cls, project_root: Path, flags: bool = True) -> "WorktreeDiff":
        """git's comparison of the work tree below ``project_root`` (a git work tree), started
        before its inventory exists: a command that keys a stored run starts it before it loads
        its configuration and the modules of the key, and hands it on (:func:`adopt_worktree_diff`).
        ``flags`` False: the flagged entries are told (:meth:`know_flagged`) or asked later
        (:meth:`ask_flagged`)."""
        diff = cls.__new__(cls)
        diff._start(Path(project_root), flags)
        return diff

    def _start(self, project_root: Optional[Path], flags: bool = True) -> None:
        """Start git in ``project_root`` (None: git is not asked)."""
        self._process: Optional[subprocess.Popen] = None
        self._flags: Optional[subprocess.Popen] = None  # git ls-files -v, while it runs
        self._flagged: Optional[frozenset] = None  # its answer, or what the caller knows
        self.flags_started: Optional[float] = None  # time.monotonic() when git ls-files -v started
        self._root = project_root
        self._lock = threading.Lock()  # the early documentation stage asks from its collector thread
        self._read = False
        self._modified: Optional[frozenset] = None
        # how the listing gives the flagged entries (Inventory.flags_with_listing), when it does
        self._source: Optional[Callable[[], Optional[Tuple[float, frozenset]]]] = None
        if project_root is None:
            return
        try:
            self._process = subprocess.Popen(
                ["git", "diff-files", "--name-only", "--relative", "-z"], cwd=str(project_root),
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            )
        except OSError:  # no git executable
            self._process = None
        if flags:
            self.ask_flagged()

    def ask_flagged(self) -> None:
        """Start ``git ls-files -v`` for the flagged entries (unless known or asked already)."""
        if (self._process is None or self._flags is not None or self._flagged is not None or self._read
                or self._source is not None):
            return
        try:
            self.flags_started = time.monotonic()
            self._flags = subprocess.Popen(
                ["git", "ls-files", "-v", "-z"], cwd=str(self._root), stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError:
            self._flags = None

    def flags_from(self, source: Callable[[], Optional[Tuple[float, frozenset]]]) -> None:
        """The flagged entries come with git's index listing (``source``:
        :meth:`Inventory.flags_with_listing`), which lists them since its git started: no
        ``ls-files -v`` runs unless that listing does not give them."""
        if self._flags is None and self._flagged is None and not self._read:
            self._source = source

    def know_flagged(self, flagged: Collection[str]) -> None:
        """The flagged entries, as remembered with git's index file (no ``ls-files -v`` runs)."""
        if self._flags is None and not self._read:
            self._flagged = frozenset(flagged)

    def flagged(self) -> Optional[frozenset]:
        """The paths git does not compare (see the class doc), once :meth:`result` was read;
        None when git was not asked or failed."""
        return self._flagged if self._read else None

    def cancel(self) -> None:
        """Stop git (the command failed before asking)."""
        process = self._process
        if process is not None and not self._read:
            for started in (process, self._flags):
                if started is not None:
                    started.kill()
                    started.communicate()
            self._read = True

    @property
    def asked(self) -> bool:
        """Whether git was asked (else :meth:`result` is None)."""
        return self._process is not None

    def result(self) -> Optional[frozenset]:
        if self._process is None:
            return None
        with self._lock:
            if not self._read:  # git answers once; later callers share the answer
                source, self._source = self._source, None
                listed = source() if source is not None else None
                if listed is not None:
                    self.flags_started, self._flagged = listed
                if self._flags is None and self._flagged is None:
                    self.ask_flagged()  # nobody told them: asked now
                out, _ = self._process.communicate()
                if self._flags is not None:
                    listed, _ = self._flags.communicate()
                    self._flagged = flagged_paths(listed) if self._flags.returncode == 0 else None
                if self._process.returncode == 0 and self._flagged is not None:
                    self._modified = frozenset(out.decode("utf-8", "surrogateescape").split("\0")).union(
                        self._flagged) - {""}
                self._read = True
        return self._modified


def flagged_paths(listed: bytes) -> frozenset:
    """The paths of ``git ls-files -v -z`` whose tag is not ``H`` (skip-worktree ``S``,
    assume-unchanged in lower case, unmerged ``M``): none in the usual index, found by two
    C-level counts without cutting the listing."""
    if listed.startswith(b"H ") + listed.count(b"\0H ") == listed.count(b"\0"):  # every record tagged H
        return frozenset()
    return frozenset(record[2:].decode("utf-8", "surrogateescape")
                     for record in listed.split(b"\0") if record and not record.startswith(b"H "))


def _flagged_records(text: str) -> frozenset:
    """The paths of ``git ls-files -s -v -z`` records whose tag is not ``H`` (as
    :func:`flagged_paths`), by two C-level counts when every record is tagged ``H``."""
    if text.startswith("H ") + text.count("\0H ") == text.count("\0"):
        return frozenset()
    return frozenset(record.partition("\t")[2] for record in text.split("\0") if record and not record.startswith("H "))


def adopt_worktree_diff(inventory: "Inventory", diff: WorktreeDiff) -> None:
    """Make ``diff`` (:meth:`WorktreeDiff.started_at` the root of the freshly loaded git
    ``inventory``) the inventory's one."""
    inventory.__dict__["_worktree_diff"] = diff


def shared_worktree_diff(inventory: "Inventory", ask: bool = True) -> WorktreeDiff:
    """The inventory's one ``git diff-files``, started now if nobody asked git yet and ``ask``
    (``ask`` False: a small run that hashes its few files, :class:`WorktreeDiff`)."""
    found = inventory.__dict__.get("_worktree_diff")
    if found is None or (ask and not found.asked):
        found = inventory.__dict__["_worktree_diff"] = WorktreeDiff(inventory, ask)
    return found


_DIGEST_CHUNK = 16384  # paths per joined piece: small pieces stay in the CPU cache, no 12 MB copies


def paths_digest(paths: Sequence[str]) -> str:
    """One digest of a whole path list, each path followed by a NUL (C speed: a join and a
    hash per chunk; on 200k paths 0.015 s against 0.036 s for one join of them all)."""
    h = hashlib.sha1()
    for at in range(0, len(paths), _DIGEST_CHUNK):
        h.update("\0".join(paths[at:at + _DIGEST_CHUNK]).encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


_TOPLEVELS: Optional[Dict[str, Optional[Path]]] = None  # a command's answers: remembered_toplevels()


class remembered_toplevels:  # noqa: N801  (used as a context manager, like contextlib's)
    """Within a ``with`` block, each directory's top level is asked of git once: ``check FILES``
    asks it of the cwd, the project lookup, the scan and the path table (four ``rev-parse``)."""

    def __enter__(self) -> None:
        global _TOPLEVELS
        self._outer = _TOPLEVELS
        if _TOPLEVELS is None:
            _TOPLEVELS = {}

    def __exit__(self, *exc: object) -> None:
        global _TOPLEVELS
        _TOPLEVELS = self._outer


def git_toplevel(path: Path) -> Optional[Path]:
    """:func:`ask_toplevel`, remembered per directory inside :class:`remembered_toplevels`."""
    if _TOPLEVELS is None:
        return ask_toplevel(path)
    key = os.path.realpath(str(path))
    if key not in _TOPLEVELS:
        _TOPLEVELS[key] = ask_toplevel(path)
    return _TOPLEVELS[key]


def ask_toplevel(path: Path) -> Optional[Path]:
    """The work-tree top level containing ``path``; None when it is not inside a git work tree.

    One ``git rev-parse`` (a few milliseconds; GitPython is not imported for it, see issue 13:
    its import alone cost every command ~0.09 s).
    """
    path = Path(path)
    if not path.exists():
        raise NotARepositoryError(f"{path}: no such file or directory")
    if not path.is_dir():
        raise NotARepositoryError(f"{path}: is not a directory")
    try:
        proc = subprocess.run(
            ["git", "rev-parse", "--is-bare-repository", "--show-toplevel"], cwd=str(path),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=git_env(),
        )
    except FileNotFoundError:
        if not _dot_git_above(path):
            return None  # no repository here and no git: a walked folder needs no git
        raise
    lines = proc.stdout.decode("utf-8", "surrogateescape").split("\n")
    if lines[0] == "true":
        raise NotARepositoryError(f"{path}: is a bare git repository; it has no work tree to scan")
    if proc.returncode == 0 and len(lines) >= 2 and lines[1]:
        return Path(lines[1]).resolve()
    err = proc.stderr.decode("utf-8", "replace")
    if not lines[0] and "not a git repository" in err:
        return None
    raise NotARepositoryError(f"{path}: git rev-parse failed: {_first_line(err, proc.returncode)}")


def _dot_git_above(path: Path) -> bool:
    """Whether ``path`` or a parent holds a ``.git`` entry (asked only when git is missing)."""
    return any(os.path.lexists(os.path.join(str(p), ".git")) for p in (path.resolve(), *path.resolve().parents))


def git_env() -> Dict[str, str]:
    """The environment git runs in: git's own messages in English, as GitPython sets them."""
    return {**os.environ, "LANGUAGE": "C", "LC_ALL": "C"}


def load_inventory(project_root: Path, *, scope: str = "", untracked: bool = False,
                   deferred: bool = False) -> Inventory:
    """List every file of ``project_root`` (from git's index, else a walk) and check ``scope``.
    ``deferred``: git's index is listed only when the inventory's paths or entries are first
    asked for (a stored run keyed by the index file needs neither; see ``runcache``)."""
    top = git_toplevel(Path(project_root))
    root = Path(project_root).resolve()
    if top is None:
        from repo_roles.inventory_walk import walk  # outside git only

        entries, prefix = walk(str(root)), ""
    else:
        rel = root.relative_to(top).as_posix()
        prefix = "" if rel == "." else rel + "/"
        if deferred and not untracked:
            # with git's tags: the entries git does not compare come with it when asked (flags_with_listing)
            inventory = Inventory.deferred(root, top, prefix, "", partial(_git_entries, root, False, tagged=True))
            inventory.scope = _check_scope(root, lambda: inventory.paths, scope)
            return inventory
        listing = _git_entries(root, untracked)
        if isinstance(listing, IndexListing):
            scope = _check_scope(root, lambda: listing.paths, scope)  # type: ignore[union-attr]
            return Inventory.from_listing(root, top, prefix, scope, listing)
        entries = listing
    scope = _check_scope(root, [e.path for e in entries] if scope else [], scope)
    return Inventory(project_root=root, git_root=top, prefix=prefix, scope=scope, entries=entries)


# -- git ------------------------------------------------------------------------------------


def _run_git(cwd: Path, *args: str, istream: Optional[object] = None) -> str:
    """Run one git command in ``cwd``; its stdout decoded losslessly."""
    return _run_git_bytes(cwd, *args, istream=istream).decode("utf-8", "surrogateescape")


def _run_git_bytes(cwd: Path, *args: str, istream: Optional[object] = None,
                   large: bool = False) -> Union[bytes, "_Mapped"]:
    """Run one git command in ``cwd``; its stdout.

    ``large`` (the index listing: 22 MB for 200k files): git writes to an unlinked temporary
    file, mapped read-only here (a buffer, not bytes: close it when done), instead of a pipe
    drained 64 KB at a time next to a stderr pipe (measured on 200k files: 0.03 s of this
    process's CPU and half the page faults, against 0.06 s).
    """
    if large:
        import mmap
        import tempfile  # only for the large listing (a replayed run never lists)

        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            code = subprocess.run(["git", *args], cwd=str(cwd), stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                  env=git_env()).returncode
            if code != 0:
                err.seek(0)
                raise NotARepositoryError(
                    f"{cwd}: git {args[0]} failed: {_first_line(err.read().decode('utf-8', 'replace'), code)}")
            if os.fstat(out.fileno()).st_size == 0:
                return b""
            return mmap.mmap(out.fileno(), 0, access=mmap.ACCESS_READ)  # outlives the file object
    proc = subprocess.run(
        ["git", *args], cwd=str(cwd), stdin=istream if istream is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=git_env(),
    )
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace")
        raise NotARepositoryError(f"{cwd}: git {args[0]} failed: {_first_line(err, proc.returncode)}")
    return proc.stdout


def git_error(exc: "object") -> str:
    """git's first line of error output from a failed GitPython call (or its exit code)."""
    # GitPython wraps stderr as "\n  stderr: '<text>'"; keep git's first line of <text>.
    detail = str(getattr(exc, "stderr", None) or exc).strip()
    if detail.startswith("stderr: '"):
        detail = detail[len("stderr: '"):].rstrip("'")
    return _first_line(detail, getattr(exc, "status", None))


def _first_line(stderr: str, code: object) -> str:
    return (stderr.strip().splitlines() or [f"exit code {code}"])[0]


def _git_entries(root: Path, untracked: bool, flags: Optional[List[Tuple[float, frozenset]]] = None,
                 tagged: bool = False) -> Union[IndexListing, List[FileEntry]]:
    """git's index listing of ``root``; ``tagged``: with git's ``-v`` tags (``ls-files -s -v``,
    kept in the records: ``index_listing``), so that ``flags`` may receive the entries git does
    not compare (:class:`WorktreeDiff`) with the time git started."""
    # The index is the truth: staged-but-uncommitted files count, and a file deleted from the work
    # tree but still in the index is kept (it is part of the project until the deletion is staged).
    # Run in project_root, ls-files lists only files below it, with paths relative to it.
    started = time.monotonic()
    raw = _run_git_bytes(root, "ls-files", "-s", *(("-v",) if tagged else ()), "-z", large=True)
    text = str(raw, "utf-8", "surrogateescape")
    if flags is not None and tagged:
        flags.append((started, _flagged_records(text)))
    # the mapped output stays open for the digest until the listing is cut (see IndexListing)
    listing = IndexListing.parse(text, lazy_digest=True, raw=raw, tagged=tagged)
    if not isinstance(listing, IndexListing) or "_raw" not in listing.__dict__:
        release(raw)
    if untracked:
        extra = _git_untracked(root)
        if extra:
            entries = listing.entries() if isinstance(listing, IndexListing) else listing
            entries.extend(extra)
            entries.sort(key=_PATH)
            return entries
    return listing


def _git_untracked(root: Path) -> List[FileEntry]:
    from repo_roles.inventory_walk import entry_from_stat

    text = _run_git(root, "ls-files", "-o", "--exclude-standard", "-z")
    base = str(root)
    out = []
    for path in text.split("\0"):
        if not path:
            continue
        if path.endswith("/"):
            # git names an untracked nested repository as "dir/" and never descends into it:
            # list it like a submodule.
            out.append(FileEntry(path.rstrip("/"), "submodule", 0, None, False))
            continue
        try:
            st = os.lstat(os.path.join(base, path))
        except OSError:  # gone since git listed it
            continue
        entry = entry_from_stat(path, st.st_mode)
        if entry is not None:
            out.append(entry)
    return out


def _attributes_files(git_root: Path, project_root: Path, inside: Sequence[str]) -> List[str]:
    """``inside``: the project's directories (``Inventory.directories``), one ``faccessat`` each
    at C speed (a missing file is the rule: no exception raised per directory)."""
    top, base = str(git_root), str(project_root)
    names = [os.path.join(base, ".gitattributes")]
    above = project_root
    while str(above) != top and above != above.parent:  # the project's parents up to the top level
        above = above.parent
        names.append(os.path.join(str(above), ".gitattributes"))
    names.extend(map(add, repeat(base + "/"), map(add, filter(None, inside), repeat("/.gitattributes"))))
    return list(compress(names, map(_EXISTS, names)))


# Whether a name exists, a link included (never followed)
_EXISTS = (partial(os.access, mode=os.F_OK, follow_symlinks=False) if os.access in os.supports_follow_symlinks
           else os.path.lexists)


def outside_attributes_may_apply(git_root: Path) -> bool:
    """Whether an attributes file outside the work tree applies (the work tree's own files are
    :meth:`Inventory.attributes_files`)."""
    if outside_attributes_files_may_apply(git_root):
        return True
    try:  # a configured global file, or attributes read from a tree
        configured = _run_git(git_root, "config", "--get-regexp", r"^(core\.attributesfile|attr\.tree)$")
    except NotARepositoryError:  # exit 1: none of them is set
        return False
    return bool(configured.strip())


def outside_attributes_files_may_apply(git_root: Path) -> bool:
    """:func:`outside_attributes_may_apply` but for the settings (``core.attributesFile``,
    ``attr.tree``): the files git reads when they are not set, and ``GIT_ATTR_SOURCE``."""
    if os.environ.get("GIT_ATTR_SOURCE"):
        return True
    top = str(git_root)
    dot_git = os.path.join(top, ".git")
    if not os.path.isdir(dot_git) or os.path.lexists(os.path.join(dot_git, "commondir")):
        return True  # a linked worktree or submodule: its info/ lives elsewhere; ask git
    if os.path.lexists(os.path.join(dot_git, "info", "attributes")):
        return True
    home = os.environ.get("HOME", "")
    xdg = os.environ.get("XDG_CONFIG_HOME") or (os.path.join(home, ".config") if home else "")
    if xdg and os.path.lexists(os.path.join(xdg, "git", "attributes")):
        return True
    if not os.environ.get("GIT_ATTR_NOSYSTEM"):
        import shutil  # only here: a run answered from a stored run never gets this far

        git_exe = shutil.which("git")
        prefixes = {"/", "/usr", "/usr/local"}
        if git_exe:
            prefixes.add(os.path.dirname(os.path.dirname(os.path.realpath(git_exe))))
        if any(os.path.lexists(os.path.join(p, "etc", "gitattributes")) for p in prefixes):
            return True
    return False


class _CheckAttr:
    """One ``git check-attr --stdin -z`` over many paths, running while this process goes on.

    On 100k paths git takes ~0.25 s and writes ~40 MB (a line per path and attribute, mostly
    "unspecified").  Its input and output are temporary files, not pipes: git never blocks on a
    full pipe, so a scan can start it before reading its caches and collect the answer when the
    classifier first needs it.
    """

    def __init__(self, root: Path, paths: List[str], names: List[str]) -> None:
        bad = [n for n in names if not n or n.startswith("-") or n.strip() != n]
        if bad:  # git would read them as options or reject them: a caller's bug, not user input
            raise ValueError(f"invalid git attribute names: {bad!r}")
        self._root = root
        self._process: Optional[subprocess.Popen] = None
        self._answer: Optional[List[Tuple[str, str, str]]] = None if paths else []
        if not paths:
            return
        import tempfile  # only when git is asked (a warm whole scan reads the stored answer)

        self._stdout = tempfile.TemporaryFile()
        self._stderr = tempfile.TemporaryFile()
        with tempfile.TemporaryFile() as stdin:
            stdin.write("\0".join(paths).encode("utf-8", "surrogateescape") + b"\0")
            stdin.seek(0)
            try:
                self._process = subprocess.Popen(
                    ["git", "check-attr", "--stdin", "-z", *names], cwd=str(root),
                    stdin=stdin, stdout=self._stdout, stderr=self._stderr,
                )
            except OSError as exc:  # git vanished since the index was read
                self._close()
                raise NotARepositoryError(f"{root}: git check-attr failed: {exc}") from exc

    def result(self) -> List[Tuple[str, str, str]]:
        """``(path, attribute, value)`` of every attribute not "unspecified"."""
        if self._answer is not None:
            return self._answer
        assert self._process is not None
        try:
            code = self._process.wait()
            self._stderr.seek(0)
            err = self._stderr.read().decode("utf-8", "replace").strip()
            if code != 0:
                raise NotARepositoryError(f"{self._root}: git check-attr failed: {_first_line(err, code)}")
            size = os.fstat(self._stdout.fileno()).st_size
            if not size:
                found: List[Tuple[str, str, str]] = []
            else:  # mapped, not read: the ~40 MB of output is never copied into this process
                with mmap.mmap(self._stdout.fileno(), size, access=mmap.ACCESS_READ) as out:
                    found = _set_attributes(out)
        finally:
            self._close()
        self._answer = found
        return found

    def _close(self) -> None:
        self._stdout.close()
        self._stderr.close()


# One ``check-attr -z`` record is ``path NUL attribute NUL value NUL`` (no field holds a NUL).
# A match skips the "unspecified" records (most of them) and stops on the next other one, all in
# C; anchored at a record start (``match``, never a search), so the whole output is read once.
_NEXT_SET = re.compile(rb"(?:[^\0]*\0[^\0]*\0unspecified\0)*([^\0]*)\0([^\0]*)\0(?!unspecified\0)([^\0]*)\0")
_ONLY_UNSPECIFIED = re.compile(rb"(?:[^\0]*\0[^\0]*\0unspecified\0)*")


def _set_attributes(out: "bytes | mmap.mmap") -> List[Tuple[str, str, str]]:
    """``(path, attribute, value)`` of every record of ``check-attr -z`` output not "unspecified"."""
    found = []
    at, match = 0, _NEXT_SET.match
    while True:
        record = match(out, at)
        if record is None:
            break
        path, name, value = record.groups()
        found.append((path.decode("utf-8", "surrogateescape"), name.decode("utf-8", "surrogateescape"),
                      value.decode("utf-8", "surrogateescape")))
        at = record.end()
    if _ONLY_UNSPECIFIED.fullmatch(out, at) is None:  # not the layout git documents
        raise NotARepositoryError("git check-attr wrote output this version cannot read")
    return found


def _git_check_attr(root: Path, paths: List[str], names: List[str]) -> List[Tuple[str, str, str]]:
    return _CheckAttr(root, paths, names).result()


# -- shared ---------------------------------------------------------------------------------


def _check_scope(root: Path, paths: Union[Sequence[str], Callable[[], Sequence[str]]], scope: str) -> str:
    """Normalise ``scope`` to a POSIX sub-path and make sure it names something in the project
    (``paths``, or how to get them: asked for only when there is a scope)."""
    raw = scope
    scope = scope.replace(os.sep, "/") if scope else ""
    scope = posixpath.normpath(scope) if scope else ""
    if scope in ("", "."):
        return ""
    if posixpath.isabs(scope) or scope == ".." or scope.startswith("../"):
        raise UsageError(f"{raw}: is outside the project root {root}")
    full = os.path.join(str(root), scope)  # on disk first: the paths may not be listed yet
    if os.path.lexists(full) and _contains(os.path.realpath(str(root)), os.path.realpath(full)):
        return scope
    if any(_under(path, scope) for path in (paths() if callable(paths) else paths)):
        return scope
    raise UsageError(f"{raw}: no such file or directory in the project root {root}")


def _under(path: str, scope: str) -> bool:
    return path == scope or path.startswith(scope + "/")




def _contains(real_root: str, real: str) -> bool:
    """Whether resolved path ``real`` is ``real_root`` or below it."""
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)
