"""Which of its group's slots a project's cache entries go in: projects with the same top-level
directory names (``docs/ src/ tests/``) no longer overwrite each other's snapshots.

:func:`repo_roles.cachedir.key_of_paths` groups a project by its top-level names only, so that
the group travels (every clone, worktree and most branches of one project have the same names).
Many unrelated projects share those names; each keeps single-slot snapshots (the classifier's
tables, the stored findings, the test answers, the history...) under its key, and two of them
run in turn in one cache directory would evict each other on every run.

So a group has up to :data:`SLOTS` slots, each named by a key (slot 0 is the group's own key,
the one every cache used before slots existed) and remembered in ``<root>/project-slots/<group>.json``
with its last use, its file count and a sample of its files: :data:`SAMPLE` paths evenly spaced
over its path list, with their blob ids (``None`` outside git). A run looks the sampled paths up
in its own path list (a binary search each, no pass over the files), and estimates how much of
the slot's project it still is:  ``matches`` of the sample have the same blob, so about
``matches / sampled * files`` files are common to both, and the overlap is their count over the
union's (Jaccard's).  The slot with the highest overlap above :data:`THRESHOLD` is taken (everyday
edits, additions, deletions and branch switches stay far above it), else a free slot, else the
least recently used one.  Its sample is taken again from the current files whenever one of the
sampled files changed, so a slot follows its project through history.

Only time is at stake: every cache entry is still matched by path and blob id (or by a key of
all it depends on), so a slot shared by two projects, a lost or damaged registry (read as empty)
or a choice two concurrent runs make differently costs a slower run, never a wrong answer.  The
registry is changed under an advisory lock (``flock`` on ``<group>.lock``, waited for at most
:data:`LOCK_WAIT` seconds, else the run chooses without writing) and written atomically.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple

from repo_roles.errors import RepoRolesError

if TYPE_CHECKING:
    from repo_roles.inventory import Inventory

FORMAT = 1
SLOTS = 4  # slots per group: projects of one layout used in turn without evicting each other
SAMPLE = 128  # files sampled per slot
FEW_SAMPLE = 32  # of them, looked up by a run on given files (its look-ups cost more)
THRESHOLD = 0.5  # estimated overlap (Jaccard) from which a slot is the same project (measured: README);
# high rather than low: two projects wrongly sharing a slot evict each other on every run, while a
# project wrongly given a new slot pays one slower run (the per-file rows are still found by blob)
LOCK_WAIT = 0.5  # seconds a run waits for another one's registry change
DIRECTORY = "project-slots"
_MAX_BYTES = 1 << 20  # a registry larger than this is damaged

Sample = List[Tuple[str, Optional[str]]]


def slot_key(group: str, index: int) -> str:
    """The key of slot ``index`` of ``group`` (slot 0: the group's key itself)."""
    if index == 0:
        return group
    return "p:" + hashlib.sha1(f"{group}\0slot {index}".encode()).hexdigest()[:16]


def choose(root: Path, group: str, inventory: "Inventory") -> str:
    """The key of ``inventory``'s slot in ``group``, registered under ``root`` (see the module
    docstring); the group's key itself when the registry cannot be read or written.

    A whole project (its full path list at hand) updates the registry; a run on given files
    (:mod:`repo_roles.fewfiles`, whose inventory brings ``_cache_project_group``) only reads it."""
    few = "_cache_project_group" in inventory.__dict__
    directory = root / DIRECTORY
    name = group.replace(":", "-")
    if few:
        slots = _read(directory / (name + ".json"))
        index, _ = _best(slots, inventory, few=True)
        return slot_key(group, index)
    paths = inventory.paths
    lock = _lock(directory, name)
    try:
        slots = _read(directory / (name + ".json"))
        index, matches = _best(slots, inventory, few=False)
        now = int(time.time())
        old = slots.get(index)
        same = old is not None and matches == len(old["sample"]) and old["files"] == len(paths)
        if not same or now - old["used"] >= 60:  # type: ignore[index]
            slots[index] = {"slot": index, "used": now, "files": len(paths),
                            "sample": old["sample"] if same else take_sample(inventory)}  # type: ignore[index]
            if lock is not False:  # another run holds the lock too long: choose, write nothing
                _write(directory / (name + ".json"), slots)
    finally:
        if type(lock) is int:
            os.close(lock)
    return slot_key(group, index)


def take_sample(inventory: "Inventory") -> Sample:
    """:data:`SAMPLE` of the inventory's paths, evenly spaced over its path list, with their
    blob ids (``None`` for an untracked file or outside git)."""
    paths = inventory.paths
    step = max(1, len(paths) // SAMPLE)
    picked = paths[step // 2::step][:SAMPLE]
    blobs = _blobs(inventory, picked)
    return [[path, blob] for path, blob in zip(picked, blobs)]  # type: ignore[misc]


def overlap(slot: Dict[str, object], inventory: "Inventory", few: bool = False) -> Tuple[float, int]:
    """The estimated overlap (Jaccard) of the slot's project and the inventory's, and how many
    of the slot's sampled files the inventory holds unchanged."""
    sample: Sample = slot["sample"]  # type: ignore[assignment]
    if few and len(sample) > FEW_SAMPLE:
        sample = sample[:: -(-len(sample) // FEW_SAMPLE)]
    files, count = int(slot["files"]), len(inventory.paths)  # type: ignore[call-overload]
    if not sample:
        return (1.0 if files == count == 0 else 0.0), 0
    now = _blobs(inventory, [path for path, _ in sample], present=True)
    matches = sum(1 for (_, blob), found in zip(sample, now) if found is not _MISSING and found == blob)
    common = matches / len(sample) * files
    union = files + count - common
    return (common / union if union > 0 else 1.0), matches


def _best(slots: Dict[int, Dict[str, object]], inventory: "Inventory", few: bool) -> Tuple[int, int]:
    """The slot to use and the number of its sampled files found unchanged (0 for a new one)."""
    best, best_score, best_matches = -1, THRESHOLD, 0
    for index in sorted(slots):
        score, matches = overlap(slots[index], inventory, few)
        if score >= best_score and (best < 0 or score > best_score):
            best, best_score, best_matches = index, score, matches
    if best >= 0:
        return best, best_matches
    free = [i for i in range(SLOTS) if i not in slots]
    if free:
        return free[0], 0
    return min(slots, key=lambda i: (slots[i]["used"], i)), 0  # type: ignore[return-value]


_MISSING = object()


def _blobs(inventory: "Inventory", paths: Sequence[str], present: bool = False) -> List[object]:
    """The blob id of each of ``paths`` (sorted), looked up by binary search in the inventory's
    path list (a few-files inventory picks them); ``_MISSING`` (when ``present``) or None for a
    path the inventory lacks."""
    absent = _MISSING if present else None
    if "_few_paths" in inventory.__dict__:  # a stored path table: its own look-ups
        found = {entry.path: entry.blob for entry in inventory.pick(list(paths))}
        return [found.get(path, absent) for path in paths]
    listing = inventory._listing
    all_paths = inventory.paths
    if listing is not None:
        records, blob = listing._records, listing.blob_slice()

        def blob_at(i: int) -> Optional[str]:
            return records[i][blob]
    else:
        entries = inventory.entries

        def blob_at(i: int) -> Optional[str]:
            return entries[i].blob
    out: List[object] = []
    for path in paths:
        i = bisect.bisect_left(all_paths, path)
        out.append(blob_at(i) if i < len(all_paths) and all_paths[i] == path else absent)
    return out


def _read(path: Path) -> Dict[int, Dict[str, object]]:
    """The registry's slots by index; empty when missing or damaged in any way."""
    try:
        from repo_roles.safeio import read_regular

        data = json.loads(read_regular(path, max_size=_MAX_BYTES))  # never through a link
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("slots"), list):
            return {}
        slots: Dict[int, Dict[str, object]] = {}
        for slot in data["slots"]:
            index, used, files, sample = slot["slot"], slot["used"], slot["files"], slot["sample"]
            if not (type(index) is int and 0 <= index < SLOTS and type(used) is int and type(files) is int
                    and files >= 0 and isinstance(sample, list) and len(sample) <= SAMPLE
                    and all(isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
                            and (item[1] is None or isinstance(item[1], str)) for item in sample)):
                return {}
            slots[index] = {"slot": index, "used": used, "files": files, "sample": sample}
        return slots
    except (OSError, ValueError, TypeError, KeyError, RepoRolesError):  # UnsafeReadError: a link, too big
        return {}


def _write(path: Path, slots: Dict[int, Dict[str, object]]) -> None:
    """Replace the registry atomically (best effort: a cache that cannot be written costs time)."""
    from repo_roles.atomic import AtomicWriteError, write_atomic

    data = {"format": FORMAT, "slots": [slots[i] for i in sorted(slots)]}
    try:
        write_atomic(path, json.dumps(data, separators=(",", ":")), make_parents=True)
    except (OSError, AtomicWriteError):
        pass


def _lock(directory: Path, name: str) -> object:
    """An exclusive ``flock`` on the group's lock file, as an open descriptor; None where there
    is no ``flock`` or the file cannot be opened (the registry is then written unlocked, still
    atomically); False when another run holds it longer than :data:`LOCK_WAIT`."""
    try:
        import fcntl
    except ImportError:  # not a POSIX system
        return None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if directory.is_symlink():  # O_NOFOLLOW guards the last part only: no lock file through a link
            return None
        fd = os.open(directory / (name + ".lock"), os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError:
        return None
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except OSError:
            if time.monotonic() >= deadline:
                os.close(fd)
                return False
            time.sleep(0.005)
