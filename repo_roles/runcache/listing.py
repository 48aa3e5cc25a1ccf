"""git's index listing remembered by the identity of git's index file.

A stored run is keyed by the digest of ``git ls-files -s -z`` (content: the same in every
clone).  Listing 100,000 paths costs git and this process about a microsecond per file, so the
digest -- and the project's directories, where the key looks for ``.gitattributes`` files -- is
remembered under a *stamp* of the index file: its device, inode, size, modification and change
times, its header and the checksum git writes at its end (gitformat-index(5): a hash of
everything before it).  git replaces its index by renaming a new file into place, so any
rewrite gives a new inode or new times, and a new listing gives a new checksum.  When git wrote
no checksum (``index.skipHash``: twenty zero bytes) the whole file is hashed instead.

An index rewritten with the same paths (``git checkout -- FILE`` restores a file and records its
new stat data; ``git add`` records a new blob id) misses its stamp and is listed again, but the
directories of its path list are taken from the entry remembered under the path list's digest
(``Inventory.paths_digest``, which the scan computes anyway), not worked out path by path.
An index rewritten with the same *listing* (a refresh of its stat data: ``git status`` after a
``touch``, ``git checkout -- FILE`` of an edited file) gives the same listing digest: what
depends on the path list alone -- its digest, the directories, the paths ending in each of
:data:`ENDINGS` -- is remembered under that digest (``<digest>.paths``) and told to the
inventory, so neither the key nor the scan cuts the listing or passes over its paths for them.

The stamp's entry also holds the entries git does not compare with their files (skip-worktree,
assume-unchanged: ``inventory.WorktreeDiff``, which counts them as changed), a function of the
index file too: ``git ls-files -v`` runs only when the stamp misses.

An unchanged stamp answers the listing's digest without asking git; anything else (no entry,
a damaged one, an index changed while git listed it) asks git, and an entry is written only
when the stamp was the same before and after git listed it (both listings: :meth:`Listings.settle`).  On a run that misses its stored
answer :meth:`Listings.confirm` compares the remembered digest with git's listing, which the
analysis reads anyway: a stale entry is replaced and that run's answer is not stored.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Collection, Dict, List, Optional, Tuple

if TYPE_CHECKING:
    from repo_roles.inventory import Inventory

MAGIC = b"repo-roles listing 2\n"  # 2: a stamp's entry holds the flagged entries
MAX_ENTRIES = 64  # index stamps kept per cache directory (worktrees x projects x recent states)
SUFFIX = ".listing"
DIRS_SUFFIX = ".dirs"  # the directories of a path list, by its digest
PATHS_SUFFIX = ".paths"  # what depends on a listing's path list alone, by the listing's digest
ENDINGS = ("OWNERS", "package.json")  # Inventory.ending_with: ownership discovery, package.json files
_CHECKSUM = 20  # blake2b digest size of an entry's checksum
_TAIL = 32  # the index checksum: SHA-1 (20 bytes) or SHA-256 (32) -- the last 32 bytes cover both
_CHUNK = 1 << 20


def index_stamp(index_path: str, prefix: str) -> Optional[str]:
    """The identity of git's index file at ``index_path`` as listed from the project directory
    ``prefix`` (ls-files lists only below it); None when it cannot be read."""
    try:
        fd = os.open(index_path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)  # the file read below, whatever replaces the name meanwhile
        if st.st_size < 12 + _TAIL:
            return None
        head = os.pread(fd, 12, 0)
        tail = os.pread(fd, _TAIL, st.st_size - _TAIL)
        h = hashlib.blake2b(digest_size=20)
        h.update(MAGIC)
        h.update(f"{prefix}\0{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}\0".encode(
            "utf-8", "surrogateescape"))
        h.update(head + tail)
        if tail[-20:] == bytes(20):  # index.skipHash: git wrote no checksum, hash the content
            offset = 0
            while offset < st.st_size:
                chunk = os.pread(fd, min(_CHUNK, st.st_size - offset), offset)
                if not chunk:
                    return None
                h.update(chunk)
                offset += len(chunk)
        return h.hexdigest()
    except OSError:
        return None
    finally:
        os.close(fd)


def encode(digest: bytes, directories: List[str]) -> bytes:
    payload = digest + "\0".join(directories).encode("utf-8", "surrogateescape")
    return MAGIC + hashlib.blake2b(payload, digest_size=_CHECKSUM).digest() + len(digest).to_bytes(1, "little") + payload


def decode(data: bytes) -> Optional[Tuple[bytes, List[str]]]:
    """(listing digest, directories) of an intact entry, else None."""
    start = len(MAGIC) + _CHECKSUM + 1
    if not data.startswith(MAGIC) or len(data) < start:
        return None
    payload = data[start:]
    size = data[start - 1]
    if hashlib.blake2b(payload, digest_size=_CHECKSUM).digest() != data[len(MAGIC):start - 1] or len(payload) < size:
        return None
    return payload[:size], payload[size:].decode("utf-8", "surrogateescape").split("\0")


def _part(items: List[str], at: int) -> Optional[List[str]]:
    """The list at ``items[at]``: its length, then its items; None when it does not fit."""
    if at >= len(items) or not (items[at].isascii() and items[at].isdigit()) or at + 1 + int(items[at]) > len(items):
        return None
    return items[at + 1:at + 1 + int(items[at])]


def _list(inventory: "Inventory") -> None:
    """git's listing of a deferred inventory, read in a thread (a failure is left to whoever
    asks next, in the main thread: the listing stays pending)."""
    try:
        inventory.listing_digest()  # git's bytes hashed as they come (no cut of the text)
    except Exception:  # noqa: BLE001 -- reported by the main thread's own attempt
        pass


class Listings:
    """The remembered listings under one cache directory, for one run's key."""

    def __init__(self, cache_directory: Path) -> None:
        self.directory = Path(cache_directory) / "index-stamps"
        self.remembered: Optional[bytes] = None  # the digest this run's key took from an entry
        self._stamp: Optional[str] = None
        self._prefetched: Optional[str] = None  # the stamp prefetch() took (None: unreadable or listed)
        self._known: Optional[Tuple[bytes, List[str]]] = None  # the entry prefetch() read
        self._thread: Optional[threading.Thread] = None
        self._flagged: Optional[List[str]] = None  # the flagged entries the stamp's entry holds
        self._unsaved: Optional[Tuple[str, bytes, List[str]]] = None  # (stamp, digest, directories)
        self._stamped_at = float("inf")  # time.monotonic() when prefetch() took the stamp
        # how the listing prefetch() started gives the flagged entries (Inventory.flags_with_listing)
        self.flags_source: Optional[Callable[[], Optional[Tuple[float, frozenset]]]] = None

    def _path(self, stamp: str) -> Path:
        return self.directory / f"{stamp}{SUFFIX}"

    def prefetch(self, inventory: "Inventory", index_path: str) -> None:
        """Take the index file's stamp now and, when no intact entry is remembered under it,
        have git list the index in a thread while the key hashes the rest (the listing is
        waited for by :meth:`digest`, or by whatever first asks for the paths)."""
        if inventory.listed:
            return
        self._stamped_at = time.monotonic()  # see settle()
        stamp = self._prefetched = index_stamp(index_path, inventory.prefix)
        if stamp is not None:
            try:
                with open(self._path(stamp), "rb") as handle:
                    self._known = decode(handle.read())
            except OSError:
                self._known = None
            if self._known is not None and "/" in self._known[1]:  # directories, "/", flagged entries
                items = self._known[1]
                at = items.index("/")
                self._known, self._flagged = (self._known[0], items[:at]), items[at + 1:]
                return
            self._known = None
        # git lists the entries it does not compare with the index (WorktreeDiff.flags_from)
        self.flags_source = inventory.flags_with_listing()
        self._thread = threading.Thread(target=_list, args=(inventory,), daemon=True)
        self._thread.start()

    def digest(self, inventory: "Inventory", index_path: str) -> Tuple[bytes, List[str]]:
        """The digest of ``inventory``'s listing and its directories (``Inventory.directories``),
        from the entry of the index file's stamp, else from git's listing (then remembered).
        Called after :meth:`prefetch`: the stamp and entry it read (the stamp taken before git listed)."""
        if self._thread is not None:
            self._thread.join()
        stamp, known = self._prefetched, self._known
        if known is not None:
            self.remembered, self._stamp = known[0], stamp
            return known
        digest = inventory.listing_digest()
        directories = self._by_listing(inventory, digest)
        if stamp is not None:
            self._unsaved = (stamp, digest, directories)  # see settle()
        return digest, directories

    def flagged(self) -> Optional[List[str]]:
        """The entries git does not compare (``inventory.WorktreeDiff``) that the entry of the
        index file's stamp holds; None when :meth:`prefetch` found no entry."""
        return self._flagged

    def settle(self, inventory: "Inventory", index_path: str, flagged: Optional[Collection[str]],
               flags_started: Optional[float]) -> None:
        """Remember what :meth:`digest` listed, with the ``flagged`` entries git listed since
        (``WorktreeDiff.flagged``; ``flags_started``: when that git started), under the stamp
        taken before both -- if the index file is still that one (it did not change while git
        listed it).  Flagged entries listed by a git started before the stamp was taken are not
        remembered: the index may have been rewritten in between."""
        unsaved, self._unsaved = self._unsaved, None
        if unsaved is None or flagged is None or flags_started is None or flags_started < self._stamped_at:
            return
        stamp, digest, directories = unsaved
        if index_stamp(index_path, inventory.prefix) == stamp:
            self._write(self._path(stamp), encode(digest, [*directories, "/", *sorted(flagged)]))

    def _by_listing(self, inventory: "Inventory", digest: bytes) -> List[str]:
        """The directories of the listing of ``digest``, and what else depends on its path list
        alone (its digest, the paths ending with each of :data:`ENDINGS`), from the entry remembered under ``digest`` (the paths are part
        of what it hashes): the inventory then knows them, and nobody cuts the listing for the
        key.  Else from :meth:`_directories`, and remembered under ``digest``."""
        known = self._tell(inventory, digest)
        if known is not None:
            return known
        directories = self._directories(inventory)
        items = ["paths", str(len(directories)), *directories]
        for suffix in ENDINGS:
            found = inventory.ending_with(suffix)
            items += [suffix, str(len(found)), *found]
        self._write(self._facts_path(digest), encode(inventory.paths_digest().encode("ascii"), items))
        return directories

    def _facts_path(self, digest: bytes) -> Path:
        return self.directory / f"{digest.hex()}{PATHS_SUFFIX}"

    def _facts(self, digest: bytes) -> Optional[Tuple[List[str], Dict[str, object]]]:
        """(directories, facts for ``Inventory.know``) of the entry of the listing ``digest``;
        None when there is none or it is damaged."""
        try:
            with open(self._facts_path(digest), "rb") as handle:
                found = decode(handle.read())
        except OSError:
            return None
        if found is None or len(found[0]) != 40 or found[1][:1] != ["paths"]:
            return None
        items, facts = found[1], {"paths_digest": found[0].decode("ascii", "replace")}  # type: Tuple[List[str], Dict[str, object]]
        directories = _part(items, 1)
        at = 2 + len(directories or ())
        for suffix in ENDINGS:
            if directories is None or at >= len(items) or items[at] != suffix:
                return None
            part = _part(items, at + 1)
            if part is None:
                return None
            facts["ending:" + suffix] = part
            at += 2 + len(part)
        if directories is None or at != len(items):
            return None
        return directories, facts

    def _tell(self, inventory: "Inventory", digest: bytes) -> Optional[List[str]]:
        """Tell ``inventory`` the facts remembered under the listing ``digest``; their
        directories, or None when there are none or the inventory took none."""
        known = self._facts(digest)
        if known is not None and inventory.know(digest, known[1]):
            return known[0]
        return None

    def _directories(self, inventory: "Inventory") -> List[str]:
        """``inventory.directories()``, from the entry of its path list's digest if there is
        one (checked like a stamp's: a damaged entry is worked out again and rewritten)."""
        path = self.directory / f"{inventory.paths_digest()}{DIRS_SUFFIX}"
        try:
            with open(path, "rb") as handle:
                known = decode(handle.read())
        except OSError:
            known = None
        if known is not None and known[0] == b"dirs":
            return known[1]
        directories = inventory.directories()
        self._write(path, encode(b"dirs", directories))
        return directories

    def list_ahead(self, inventory: "Inventory") -> None:
        """Have git list the index in a thread now, for :meth:`confirm` (a command that missed
        its stored run loads the analysis meanwhile: git's ~0.05 s at 100k files and the hash of
        its bytes overlap the imports); nothing when the key did not take the digest from an
        entry or the listing was read."""
        if self.remembered is None or inventory.listed or self._thread is not None:
            return
        self._thread = threading.Thread(target=_list, args=(inventory,), daemon=True)
        self._thread.start()

    def confirm(self, inventory: "Inventory") -> bool:
        """Whether the digest taken from an entry is git's listing's (asked now: a run that
        analyses reads the listing anyway; it is then told what the entry of that listing knows
        of its path list); a stale entry is removed.  The listing :meth:`list_ahead` started is
        waited for (a failure of git's there is raised here, by this thread's own attempt)."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self.remembered is None:
            return True
        if inventory.listing_digest() == self.remembered:
            self._tell(inventory, self.remembered)
            return True
        if self._stamp is not None:
            try:
                os.unlink(self._path(self._stamp))
            except OSError:
                pass
        return False

    def _write(self, path: Path, data: bytes) -> None:
        from repo_roles.atomic import AtomicWriteError, write_atomic

        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_atomic(path, data)
        except (AtomicWriteError, OSError):
            return
        self._evict(path.suffix)

    def _evict(self, suffix: str) -> None:
        from repo_roles.cachedir import keep_newest

        keep_newest(self.directory, suffix, MAX_ENTRIES)
