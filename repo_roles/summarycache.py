"""The audit summary's per-bucket sums kept between runs, so a run after a change counts only
the files whose figures changed.

:func:`repo_roles.summary.summarize` sorts the targets into *buckets* of the same role, owners
and directory row and sums, per bucket, the files, the analysed files and their documented and
counted items, the modules that need a test and those that have one; every table of the summary
is a sum over the buckets.  This store keeps, per project, the bucket of every target (by row),
each bucket's key and sums, and what the sums were made of: each target's role, the documented
and counted items of each analysed file, whether each module that needs a test has one.

A run on the same path list (the digest of the project's path list and its scope) lays the
three inputs out as columns of the targets, compares them with the stored ones at C speed and
moves only the differing files' contributions: out of their stored bucket, into the bucket of
their new role (a path's owners and directory row follow from the path and the entry's key).
Everything else a sum depends on is in the key: the tool's files, the configuration, where the
project sits, its scope, the table depth and the ownership inputs (:attr:`Ownership.inputs_key`).
Another path list, more than :data:`MAX_CHANGED` of the targets changed, an answer about a path
that is no target, or a missing, damaged or foreign entry: the sums are counted afresh (the same
code as without a cache) and stored.

One file per project through :mod:`repo_roles.coverage.colfile` (checksummed, written atomically,
a damaged file is a miss); marshal for the keys and sums (lists, tuples, strings, ints), raw
``array`` bytes for the columns.
"""

from __future__ import annotations

import marshal
import sys
from array import array
from bisect import bisect_left
from itertools import compress, count, repeat
from operator import lshift, ne, or_
from pathlib import Path
from typing import Callable, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple

from repo_roles import roles as R
from repo_roles.coverage import colfile
from repo_roles.inventory import paths_digest

FORMAT = 3  # 2: the listed figures as two columns (documented, then counted); 3: as unsigned 32-bit
MAGIC = b"repo-roles audit summary buckets\n"
MAX_CHANGED = 1 / 8  # past this share of changed targets (and FEW of them), the sums are counted afresh
FEW = 64

# a bucket's sums: files, analysed files, documented items, counted items, modules that need a
# test, and those that have one (the order of summary._FILES … summary._TESTED)
_FILES, _ANALYSED, _COVERED, _TOTAL, _NEEDING, _TESTED = range(6)
_ROLE_CODE: Dict[str, int] = {role: i for i, role in enumerate(R.ROLES)}

BucketKey = Tuple[str, Tuple[str, ...], str]  # (role, owners, directory row)


def role_codes(roles: Sequence[str]) -> Optional[bytes]:
    """Each role as its index in :data:`repo_roles.roles.ROLES` (one byte), None for a role
    outside it."""
    try:
        return bytes(map(_ROLE_CODE.__getitem__, roles))
    except (KeyError, ValueError):
        return None


def target_role_codes(context) -> Optional[bytes]:
    """:func:`role_codes` of the scan's targets (``target_columns``' roles), made once per scan:
    the history rules' keys, the summary and the audit document share it."""
    found = context.__dict__.get("_target_role_codes", False)
    if found is False:
        from repo_roles.coverage.test_presence import target_columns

        found = context.__dict__["_target_role_codes"] = role_codes(target_columns(context)[1])
    return found


class Inputs:
    """What the sums are made of, as columns of the targets (row ``i`` is target ``i``): the
    role, the documented and counted items as one number (``counted << 32 | documented``; -1:
    not analysed), the test answer (0: needs no test, 1: needs one and has none, 2: has one).

    The coverage stage and test presence answer in their own order (files analysed since the
    coverage snapshot come last), as lists: those lists are kept as they come too, with a
    digest of their paths, so a run whose lists name the same paths in the same order compares
    them as they are and places only the differing rows (:meth:`place`, a binary search over
    the sorted targets).  Otherwise the target columns are built at C speed (:meth:`build`: a
    dict from the target paths updated with the answers); ``usable`` is then False when an
    answer names a path that is no target (or twice), a count does not fit, or a role is
    outside the vocabulary (the sums are counted afresh)."""

    def __init__(self, paths: List[str], paths_key: str, roles: List[str], codes: Optional[bytes],
                 analysed: List[str], documented: List[int], counted: List[int], needing: Mapping[str, object]) -> None:
        self.paths = paths
        self.roles = roles
        self.codes = codes  # role_codes(roles)
        self.needing_paths = list(needing)
        self.header = [paths_key, len(paths), paths_digest(analysed), paths_digest(self.needing_paths)]
        self.analysed = analysed
        # as the stages listed them: the documented counts, then the counted ones, each column
        # made at C speed (a target row's figure, ``counted << 32 | documented``, is made only
        # for the rows placed; so neither may be negative, documented past 32 bits would reach
        # the counted bits and counted past 31 the sign): unsigned 32-bit items, whose making
        # refuses a negative count or one past 32 bits (~7x quicker than 64-bit items and a
        # min/max over them), and no counted item with its top bit set
        try:
            self.listed_figures = array(_LISTED, documented)
            self.listed_figures.extend(counted)
        except (OverflowError, TypeError):
            self.listed_figures = array(_LISTED)
        m = len(analysed)
        self.usable = self.codes is not None and len(documented) == len(counted) == m \
            and len(self.listed_figures) == 2 * m and _below_sign(self.listed_figures[m:])
        self.listed_tested = bytes(map(bool, needing.values())).translate(_TEST_CODES)  # 0/1 -> 1/2
        # by target row: build() or place()
        self.figures = array("q")
        self.tested = b""

    def build(self) -> None:
        """The target columns from the listed answers, at C speed."""
        paths, n = self.paths, len(self.paths)
        base: Dict[str, int] = dict.fromkeys(paths, -1)
        by_path = base.copy()
        by_path.update(zip(self.analysed, self._figures_listed()))
        self.figures = array("q", by_path.values())
        usable = len(by_path) == n and self.figures.count(-1) == n - len(self.analysed)
        by_path = base
        by_path.update(zip(self.needing_paths, self.listed_tested))
        self.tested = bytes(map(_TEST_BYTE.__getitem__, by_path.values()))
        self.usable = self.usable and usable and len(by_path) == n

    def _figures_listed(self) -> array:
        """Each listed file's figure, ``counted << 32 | documented``, in the listed order."""
        m, listed = len(self.analysed), self.listed_figures
        return array("q", map(or_, map(lshift, listed[m:], repeat(_SHIFT)), listed[:m]))

    def place(self, figures: array, tested: bytes, listed_figures: array, listed_tested: bytes) -> Optional[set]:
        """The target columns as the stored ones (``figures``, ``tested``) with the rows whose
        listed answers differ from the stored lists (of the same paths) replaced: the rows
        replaced, or None when one is no target."""
        self.figures, new_tested = array("q", figures), bytearray(tested)
        rows = set()
        m, listed = len(self.analysed), self.listed_figures
        if listed_figures != listed:
            for j in compress(count(), map(ne, listed_figures, listed)):
                k = j % m if m else j  # a documented or a counted count of the listed file k
                i = self.row_of(self.analysed[k])
                if i is None:
                    return None
                self.figures[i] = listed[m + k] << _SHIFT | listed[k]
                rows.add(i)
        if listed_tested != self.listed_tested:
            for j in compress(count(), map(ne, listed_tested, self.listed_tested)):
                i = self.row_of(self.needing_paths[j])
                if i is None:
                    return None
                new_tested[i] = self.listed_tested[j]
                rows.add(i)
        self.tested = bytes(new_tested)
        return rows

    def row_of(self, path: str) -> Optional[int]:
        paths = self.paths
        i = bisect_left(paths, path)
        return i if i < len(paths) and paths[i] == path else None


_SHIFT = 32
_HALF = 1 << _SHIFT
_LISTED = "I"  # the listed figures' items: unsigned, 32 bits on every platform CPython runs on
_TOP_BYTE = 3 if sys.byteorder == "little" else 0
_LOW_BYTES = bytes(range(0x80))


def _below_sign(column: array) -> bool:
    """Whether every item of an unsigned 32-bit ``column`` is below ``1 << 31`` (its top
    bytes, picked at C speed, all below 0x80)."""
    if column.itemsize != 4:  # pragma: no cover - no such platform
        return max(column, default=0) < _HALF >> 1
    return not column.tobytes()[_TOP_BYTE::4].translate(None, _LOW_BYTES)
_TEST_CODES = bytes([1, 2]).ljust(256, b"\0")  # by bool (False 1, True 2), at C speed
_TEST_BYTE = {-1: 0, 1: 1, 2: 2}


class Tally:
    """The buckets of one run: ``keys[b]`` and ``sums[b]`` of bucket ``b``, ``ids[i]`` the bucket
    of target ``i``; a bucket left without files (its files changed role) has zero sums."""

    def __init__(self, keys: List[BucketKey], sums: List[List[int]], ids: array) -> None:
        self.keys = keys
        self.sums = sums
        self.ids = ids

    def buckets(self) -> List[Tuple[BucketKey, List[int]]]:
        """``(key, sums)`` of every bucket that holds a file."""
        return [(key, sums) for key, sums in zip(self.keys, self.sums) if sums[_FILES]]


class Stored(NamedTuple):
    tally: Tally
    codes: bytes
    figures: array  # by target row
    tested: bytes
    listed_figures: Optional[array]  # as the stages listed them; None: not the same lists
    listed_tested: bytes


def report_entry(context, name: str, fmt: int, key_values: Callable[[], Optional[tuple]] = tuple, *,
                 names: Sequence[str] = (), owners: bool = True) -> Optional[Tuple[Path, str]]:
    """Where the audit report's store ``name`` keeps a project's entry, and its key, for a
    whole-project cached scan (with ``owners``, one whose owners can be keyed); else None.

    The key holds the tool's files, the configuration, where the project sits and its scope,
    then what ``key_values`` gives (asked only for a cached scan; None: no entry) and, with
    ``owners``, the ownership inputs (:attr:`Ownership.inputs_key`); the file is one per
    project, scope and ``names``."""
    if not context.use_cache or context.context_from_index:
        return None
    inputs_key = context.ownership.inputs_key if owners else None
    if owners and inputs_key is None:
        return None
    values = key_values()
    if values is None:
        return None
    if owners:
        values += (inputs_key,)
    from repo_roles.cachedir import cache_directory, project_key
    from repo_roles.checks.reuse import config_token, digest_of
    from repo_roles.runcache.key import code_fingerprint

    inventory = context.inventory
    key = digest_of("audit " + name.replace("-", " "), fmt, code_fingerprint(), config_token(context),
                    inventory.prefix, inventory.scope, *values)
    directory = cache_directory(context.config, inventory.project_root) / "report"
    return colfile.file_for(directory, name, fmt, project_key(inventory), inventory.prefix, inventory.scope,
                            *names), key


class SummaryStore:
    """One project's stored buckets, under a key of everything but the columns."""

    def __init__(self, path: Path, key: str) -> None:
        self.path = path
        self.key = key

    @classmethod
    def of(cls, context, depth: int) -> Optional["SummaryStore"]:
        """The store of a whole-project cached scan whose owners can be keyed; else None."""
        entry = report_entry(context, "summary-buckets", FORMAT, lambda: (depth,), names=(str(depth),))
        return cls(*entry) if entry is not None else None

    def load(self, inputs: Inputs) -> Optional["Stored"]:
        """The stored tally and columns when the entry is of this key and path list; else None."""
        found = colfile.unpack(colfile.read(self.path), MAGIC, 7)
        if found is None:
            return None
        header, (tally, ids, codes, figures, tested, listed_figures, listed_tested) = found
        try:
            targets = header.get("targets")
            if header.get("key") != self.key or not isinstance(targets, list) or targets[:2] != inputs.header[:2]:
                return None
            keys, sums = marshal.loads(tally)
            bucket_ids = array("l")
            bucket_ids.frombytes(ids)
            old_figures = array("q")
            old_figures.frombytes(figures)
            old_listed = array(_LISTED)
            old_listed.frombytes(listed_figures)
        except (ValueError, TypeError, EOFError):
            return None
        n = len(inputs.paths)
        if not (isinstance(keys, list) and isinstance(sums, list) and len(keys) == len(sums)
                and len(bucket_ids) == n and len(codes) == n
                and len(old_figures) == n and len(tested) == n
                and all(isinstance(s, list) and len(s) == 6 for s in sums)
                and all(isinstance(k, tuple) and len(k) == 3 for k in keys)):
            return None  # (a target's bucket number is checked where it is read: updated())
        same_lists = targets == inputs.header and len(old_listed) == len(inputs.listed_figures) \
            and len(listed_tested) == len(inputs.listed_tested)
        return Stored(Tally(keys, sums, bucket_ids), bytes(codes), old_figures, bytes(tested),
                      old_listed if same_lists else None, bytes(listed_tested))

    def save(self, inputs: Inputs, tally: Tally) -> None:
        """Write the entry (best effort: a failure only costs time)."""
        if inputs.usable and len(inputs.tested) != len(inputs.paths):
            inputs.build()  # counted afresh: the target columns not made yet
        if not inputs.usable:
            return
        colfile.write(self.path, colfile.pack(MAGIC, {"key": self.key, "targets": inputs.header}, [
            marshal.dumps((tally.keys, tally.sums)), array("l", tally.ids).tobytes(), inputs.codes,
            inputs.figures.tobytes(), inputs.tested, inputs.listed_figures.tobytes(), inputs.listed_tested]))


def updated(stored: Stored, inputs: Inputs) -> Optional[Tally]:
    """The stored tally with the contributions of every target whose role, documented or
    counted items or test answer differ from the stored ones moved (None past
    :data:`MAX_CHANGED`, or when the inputs are not usable).  Sets the inputs' target columns."""
    if not inputs.usable:  # (usable: codes is not None)
        return None
    changed: Optional[set] = None
    if stored.listed_figures is not None:  # the same lists: only their differing rows placed
        changed = inputs.place(stored.figures, stored.tested, stored.listed_figures, stored.listed_tested)
    if changed is None:
        inputs.build()
        if not inputs.usable:
            return None
        changed = set()
        for old, new in ((stored.figures, inputs.figures), (stored.tested, inputs.tested)):
            if old != new:
                changed.update(compress(count(), map(ne, old, new)))
    if stored.codes != inputs.codes:
        changed.update(compress(count(), map(ne, stored.codes, inputs.codes)))
    tally, figures, tested = stored.tally, stored.figures, stored.tested
    if not changed:
        return tally
    if len(changed) > max(MAX_CHANGED * len(inputs.paths), FEW):
        return None
    keys, sums, ids = list(tally.keys), [list(s) for s in tally.sums], array("l", tally.ids)
    number_of = {key: b for b, key in enumerate(keys)}
    stored_buckets = len(keys)
    for i in sorted(changed):
        old_bucket = ids[i]
        if not 0 <= old_bucket < stored_buckets:  # not a stored bucket: counted afresh
            return None
        _, owners, row = keys[old_bucket]
        new_key = (inputs.roles[i], owners, row)
        new_bucket = number_of.get(new_key)
        if new_bucket is None:
            new_bucket = number_of[new_key] = len(keys)
            keys.append(new_key)
            sums.append([0, 0, 0, 0, 0, 0])
        ids[i] = new_bucket
        for sign, bucket, both, test in ((-1, old_bucket, figures[i], tested[i]),
                                         (1, new_bucket, inputs.figures[i], inputs.tested[i])):
            into = sums[bucket]
            into[_FILES] += sign
            if both >= 0:
                into[_ANALYSED] += sign
                into[_COVERED] += sign * (both & (_HALF - 1))
                into[_TOTAL] += sign * (both >> _SHIFT)
            if test:
                into[_NEEDING] += sign
                into[_TESTED] += sign * (test == 2)
    return Tally(keys, sums, ids)
