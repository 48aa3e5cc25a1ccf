"""Aggregate a scan into the figures the audit report shows (pure data, no rendering)."""

from __future__ import annotations

import bisect
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import compress, islice, repeat, tee
from operator import attrgetter, itemgetter, le, methodcaller
from typing import Callable, Dict, Hashable, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple

from repo_roles import roles as R
from repo_roles.coverage import figures
from repo_roles.scan import ScanContext
from repo_roles.summarycache import Inputs, SummaryStore, Tally, role_codes, target_role_codes, updated



@dataclass
class DirectoryRow:
    directory: str
    files: int
    by_side: Dict[str, int]  # "backend" / "frontend" / "other" -> files

    @property
    def side(self) -> str:
        """The side of the directory by its sided files only: config, generated and vendored
        files do not count ("none" when it has no sided file, "mixed" when neither side has
        80% of them)."""
        backend, frontend = self.by_side.get("backend", 0), self.by_side.get("frontend", 0)
        sided = backend + frontend
        if not sided:
            return "none"
        if backend >= 0.8 * sided:
            return "backend"
        if frontend >= 0.8 * sided:
            return "frontend"
        return "mixed"


@dataclass
class TeamRow:
    owner: str
    files: int
    by_role: Dict[str, int]
    in_roster: bool
    responsible: Tuple[str, ...]


@dataclass
class AuditSummary:
    total_files: int
    by_role: Dict[str, int]
    directories: List[DirectoryRow]
    teams: List[TeamRow]
    unowned_by_role: Dict[str, int]
    ownership_file: str | None
    ownership_dialect: str | None
    ownership_dialect_reason: str | None = None  # the evidence that decided the dialect
    # Documentation coverage: (covered, total) by role (all analysed files), and by owning team
    # and top directory over the files in `docs.require` roles.
    docs_required: Tuple[str, ...] = ()
    docs_by_role: Dict[str, Tuple[int, int]] = field(default_factory=dict)
    docs_by_owner: Dict[str, Tuple[int, int]] = field(default_factory=dict)
    docs_by_directory: Dict[str, Tuple[int, int]] = field(default_factory=dict)
    docs_by_side: Dict[str, Tuple[int, int]] = field(default_factory=dict)  # all analysed files
    # Per language: (files measured, {reason: files left out}); code files of a language no
    # analyzer knows are keyed by suffix (".swift") with reason "no-analyzer".
    docs_by_language: Dict[str, Tuple[int, Dict[str, int]]] = field(default_factory=dict)
    # Test presence: (modules with a test file, modules that need one) of the `tests.require`
    # roles, by side, owning team and top directory.
    tests_required: Tuple[str, ...] = ()
    # Which kinds of evidence found the tests ("name convention", "Python imports", …).
    tests_evidence: Tuple[str, ...] = ()
    tests_by_side: Dict[str, Tuple[int, int]] = field(default_factory=dict)
    tests_by_owner: Dict[str, Tuple[int, int]] = field(default_factory=dict)
    tests_by_directory: Dict[str, Tuple[int, int]] = field(default_factory=dict)


# Roles whose files are code a documentation analyzer could measure (for "left out" figures).
_CODE_ROLES = frozenset({R.BACKEND_LOGIC, R.FRONTEND_UI})
# by role code (summarycache.role_codes): 1 for the code roles, else 0
_CODE_MASK = bytes(role in _CODE_ROLES for role in R.ROLES).ljust(256, b"\0")


def _code_paths(columns: "FileColumns") -> set:
    """The targets of a code role: picked by their role codes, translated to a mask at C speed
    (by the role names when a role is outside the vocabulary)."""
    codes = columns.role_codes
    if codes is None:
        return set(compress(columns.paths, map(_CODE_ROLES.__contains__, columns.roles)))
    return set(compress(columns.paths, codes.translate(_CODE_MASK)))


def _evidence_kinds(context: ScanContext) -> Tuple[str, ...]:
    """The evidence kinds the test figures rest on: the naming conventions and ``[tests]
    mapping`` always, plus each kind of test reference found in this project."""
    kinds = ["name convention"]
    if context.config.tests.mapping:
        kinds.append("[tests] mapping")
    return tuple(kinds + context.test_index.evidence().kinds_used())


def _directory_of(path: str, depth: int) -> str:
    parts = path.split("/")[:-1]
    if not parts:
        return "."
    return "/".join(parts[:depth]) + "/"


def _add(groups: Dict[str, List[int]], key: str, covered: int, total: int) -> None:
    found = groups.get(key)
    if found is None:
        groups[key] = [covered, total]
    else:
        found[0] += covered
        found[1] += total


def _pair(sums: List[int]) -> Tuple[int, int]:
    return sums[0], sums[1]


def _by_side(groups: Dict[str, List[int]]) -> Dict[str, Tuple[int, int]]:
    return {side: _pair(groups[side]) for side in ("backend", "frontend", "other") if side in groups}


# Per (role, owners, directory row): files, analysed files, documented items, counted items,
# modules that need a test, and those that have one.
_FILES, _ANALYSED, _COVERED, _TOTAL, _NEEDING, _TESTED = range(6)


def documented_counts(context: ScanContext) -> Iterator[Tuple[str, int, int]]:
    """``(path, documented, counted)`` of every analysed target, from the stored counts (no item
    is decoded); read as it streams (a dict of them held ~20 MB on 200,000 files)."""
    return context.coverage.documented_counts()


def _canonical(values: Iterable[Hashable]) -> List[Hashable]:
    """``list(values)`` with equal values as one object (the first one met), kept at C speed:
    a column of 100,000 directory names or bucket keys holds a few thousand objects."""
    first: Dict[Hashable, Hashable] = {}
    one, two = tee(values)
    return list(map(first.setdefault, one, two))


class FileColumns:
    """The targets as columns, one list per fact, in target order (built at C speed, once per
    scan: the summary, the audit document and its tree read them instead of asking per file).
    ``parents`` (the parent directory, "" at the root) is built on first use: only the tree and
    a summary deeper than the top directories read it."""

    __slots__ = ("paths", "roles", "_owners", "_parents", "_codes")

    def __init__(self, paths: List[str], roles: List[str],
                 owners: Callable[[List[str]], List[Tuple[str, ...]]],
                 codes: Optional[Callable[[], Optional[bytes]]] = None) -> None:
        """``codes``: gives :attr:`role_codes` when first asked (made of ``roles`` without it)."""
        self.paths = paths
        self.roles = roles
        self._owners: object = owners  # the function, until first asked
        self._parents: Optional[List[str]] = None
        self._codes: object = codes or (lambda: role_codes(roles))  # the function, until first asked

    @property
    def role_codes(self) -> Optional[bytes]:
        """Each role as one byte (:func:`repo_roles.summarycache.role_codes`), made once."""
        if callable(self._codes):
            self._codes = self._codes()
        return self._codes  # type: ignore[return-value]

    @property
    def owners(self) -> List[Tuple[str, ...]]:
        """Each target's owners (asked on first use: a summary taken from stored buckets and
        an audit without a tree need none)."""
        if callable(self._owners):
            self._owners = self._owners(self.paths)
        return self._owners  # type: ignore[return-value]

    @property
    def parents(self) -> List[str]:
        if self._parents is None:
            self._parents = _canonical(map(_HEAD, map(methodcaller("rpartition", "/"), self.paths)))
        return self._parents

    def __iter__(self) -> Iterator[list]:
        """``paths, roles, owners, parents = columns``."""
        return iter((self.paths, self.roles, self.owners, self.parents))


def file_columns(context: ScanContext) -> FileColumns:
    """The :class:`FileColumns` of a scan's targets."""
    found = context.__dict__.get("_file_columns")
    if found is None:
        from repo_roles.coverage.test_presence import target_columns

        paths, roles = target_columns(context)
        found = context.__dict__["_file_columns"] = FileColumns(
            paths, roles, lambda paths: owners_column(context, paths), lambda: target_role_codes(context))
    return found


def _top_rows(paths: Sequence[str]) -> Optional[List[str]]:
    """Each path's top directory row ("src/", "." at the root), by binary search over the sorted
    paths: one step per top directory and root file, the rows repeated at C speed.  None when
    ``paths`` are not sorted."""
    if not all(map(le, paths, islice(paths, 1, None))):
        return None
    rows: List[str] = []
    at, end = 0, len(paths)
    while at < end:
        top, slash, _ = paths[at].partition("/")
        if slash:
            stop = bisect.bisect_left(paths, top + "0", at + 1)  # "0" follows "/" in code-point order
            rows.extend(repeat(top + "/", stop - at))
            at = stop
        else:
            rows.append(".")
            at += 1
    return rows


def owners_column(context: ScanContext, paths: Sequence[str]) -> List[Tuple[str, ...]]:
    """The owners of each of ``paths``, in order: the answers ``resolve_ownership`` holds, taken
    at C speed; a path it did not match (not a target) is asked one by one."""
    ownership = context.ownership
    answers = list(map(ownership.files.get, paths))
    if None in answers:
        answers = [a if a is not None else ownership.lookup(p) for p, a in zip(paths, answers)]
    return list(map(_OWNERS, answers))


_OWNERS, _HEAD = attrgetter("owners"), itemgetter(0)


def _tally(context: ScanContext, columns: FileColumns, depth: int, needing_tests: Mapping[str, object],
           analysed_paths: List[str], documented: List[int], counted_items: List[int]) -> Tally:
    """The buckets of the targets: from the stored ones when the cache has them
    (:mod:`repo_roles.summarycache`: only the files whose figures changed are moved), else
    counted afresh (and stored)."""
    store = SummaryStore.of(context, depth)
    if store is None:
        return _count_buckets(columns, depth, needing_tests, analysed_paths, documented, counted_items)
    inputs = Inputs(columns.paths, context.inventory.paths_digest(), columns.roles, columns.role_codes,
                    analysed_paths, documented, counted_items, needing_tests)
    stored = store.load(inputs)
    found = updated(stored, inputs) if stored is not None else None
    if found is not None:
        if found is not stored.tally or stored.listed_figures is None:
            store.save(inputs, found)
        return found
    found = _count_buckets(columns, depth, needing_tests, analysed_paths, documented, counted_items)
    store.save(inputs, found)
    return found


def _count_buckets(columns: FileColumns, depth: int, needing_tests: Mapping[str, object],
                   analysed_paths: List[str], documented: List[int], counted_items: List[int]) -> Tally:
    """Each target's bucket and each bucket's sums, by C-level passes over the columns (only
    the analysed files' item counts are summed one by one)."""
    paths = columns.paths
    rows = _top_rows(paths) if depth == 1 else None
    if rows is None:
        row_of = {parent: _directory_of(parent + "/" if parent else "", depth) for parent in set(columns.parents)}
        rows = list(map(row_of.__getitem__, columns.parents))
    # each file's bucket as a small number (keys numbered as first met), at C speed
    numbers: Dict[Tuple[str, Tuple[str, ...], str], int] = defaultdict()
    numbers.default_factory = numbers.__len__  # type: ignore[attr-defined]
    ids = list(map(numbers.__getitem__, zip(columns.roles, columns.owners, rows)))
    del rows
    id_of = dict(zip(paths, ids))
    sums: List[List[int]] = [[0, 0, 0, 0, 0, 0] for _ in numbers]
    for number, files in Counter(ids).items():
        sums[number][_FILES] = files
    ids_column = array("l", ids)
    del ids
    # (the counts and test answers are of targets; a path that is none is not counted)
    for column, counted in ((_NEEDING, needing_tests), (_TESTED, compress(needing_tests, needing_tests.values()))):
        for number, files in Counter(map(id_of.get, counted)).items():
            if number is not None:
                sums[number][column] = files
    # the analysed files' item counts summed per bucket: (bucket, count) pairs counted at C speed
    analysed = list(map(id_of.get, analysed_paths))
    del id_of
    for number, files in Counter(analysed).items():
        if number is not None:
            sums[number][_ANALYSED] = files
    for column, values in ((_COVERED, documented), (_TOTAL, counted_items)):
        for (number, value), files in Counter(zip(analysed, values)).items():
            if number is not None:
                sums[number][column] += value * files
    return Tally(list(numbers), sums, ids_column)


def summarize(context: ScanContext, *, depth: int = 1) -> AuditSummary:
    """The tables of a scan: roles, directories, owners, documentation coverage and test
    presence.

    The files are first sorted into buckets of the same role, owners and directory row (a few
    thousand on 100,000 files), by C-level passes over :func:`file_columns` (only the analysed
    files' item counts are summed one by one); every table is a sum over the buckets.
    """
    scope_depth = len(context.inventory.scope.split("/")) if context.inventory.scope else 0
    depth += scope_depth
    needing_tests = context.modules_needing_tests
    columns = file_columns(context)
    paths = columns.paths
    analysed_paths, documented, counted_items = context.coverage.documented_columns()
    tally = _tally(context, columns, depth, needing_tests, analysed_paths, documented, counted_items)
    del analysed_paths, documented, counted_items

    # By role over every analysed file; by owner and directory over the `docs.require` roles.
    required = set(context.config.docs.require)
    by_role: Dict[str, int] = {}
    dirs: Dict[str, Dict[str, int]] = {}
    team_roles: Dict[str, Dict[str, int]] = {}
    unowned: Dict[str, int] = {}
    docs_by_role: Dict[str, List[int]] = {}
    docs_by_owner: Dict[str, List[int]] = {}
    docs_by_dir: Dict[str, List[int]] = {}
    docs_by_side: Dict[str, List[int]] = {}
    tests_by_side: Dict[str, List[int]] = {}
    tests_by_owner: Dict[str, List[int]] = {}
    tests_by_dir: Dict[str, List[int]] = {}
    for (role, owners, row), (files, analysed, covered, total, needing, tested) in tally.buckets():
        side = R.side_of(role) or "other"
        by_role[role] = by_role.get(role, 0) + files
        sides = dirs.setdefault(row, {})
        sides[side] = sides.get(side, 0) + files
        if not owners:
            unowned[role] = unowned.get(role, 0) + files
        for owner in owners:
            counts = team_roles.setdefault(owner, {})
            counts[role] = counts.get(role, 0) + files
        if analysed:
            _add(docs_by_role, role, covered, total)
            _add(docs_by_side, side, covered, total)
            if role in required:
                for owner in owners or (figures.NO_OWNER,):
                    _add(docs_by_owner, owner, covered, total)
                _add(docs_by_dir, row, covered, total)
        if needing:
            _add(tests_by_side, side, tested, needing)
            for owner in owners or (figures.NO_OWNER,):
                _add(tests_by_owner, owner, tested, needing)
            _add(tests_by_dir, row, tested, needing)
    roster = context.config.teams
    # A person listed in a team's `members` is in the roster too (handles compare
    # case-insensitively, as OWN006 compares them).
    known = {h.casefold() for h in roster} | {
        (m if "@" in m else "@" + m).casefold() for team in roster.values() for m in team.members}
    teams = [
        TeamRow(
            owner=owner,
            files=sum(counts.values()),
            by_role={role: counts[role] for role in R.ROLES if role in counts},  # not file order
            in_roster=owner.casefold() in known,
            responsible=roster[owner].responsible if owner in roster else (),
        )
        for owner, counts in sorted(team_roles.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    ]
    for handle, team in sorted(roster.items()):
        if handle not in team_roles:
            teams.append(TeamRow(handle, 0, {}, True, team.responsible))
    directories = [
        DirectoryRow(name, sum(counts.values()), {side: counts[side] for side in (*R.SIDES, "other") if side in counts})
        for name, counts in sorted(dirs.items())
    ]
    return AuditSummary(
        total_files=len(paths),
        by_role={role: by_role[role] for role in R.ROLES if by_role.get(role)},
        directories=directories,
        teams=teams,
        unowned_by_role={role: unowned[role] for role in R.ROLES if unowned.get(role)},
        ownership_file=context.ownership.source_file,
        ownership_dialect=context.ownership.dialect,
        ownership_dialect_reason=context.ownership.dialect_reason,
        docs_required=tuple(context.config.docs.require),
        docs_by_role={role: _pair(docs_by_role[role]) for role in R.ROLES if role in docs_by_role},
        docs_by_owner={k: _pair(v) for k, v in sorted(docs_by_owner.items())},
        docs_by_directory={k: _pair(v) for k, v in sorted(docs_by_dir.items())},
        docs_by_side=_by_side(docs_by_side),
        docs_by_language=context.coverage.languages(_code_paths(columns).__contains__),
        tests_required=tuple(context.config.tests.require),
        tests_evidence=_evidence_kinds(context) if needing_tests else (),
        tests_by_side=_by_side(tests_by_side),
        tests_by_owner={k: _pair(v) for k, v in sorted(tests_by_owner.items())},
        tests_by_directory={k: _pair(v) for k, v in sorted(tests_by_dir.items())},
    )
