"""The value type every check produces and every formatter consumes."""

from __future__ import annotations

import hashlib
from array import array
from bisect import bisect_left, bisect_right
from itertools import compress, repeat
from operator import itemgetter
from collections.abc import Sequence as _Sequence
from typing import Dict, Iterable, Iterator, List, NamedTuple, Optional, Protocol, Sequence

SEVERITIES = ("error", "warning", "info")


class Finding(NamedTuple):
    """One problem at one place.

    ``path`` is POSIX and relative to the project root (``""`` for repository-wide findings).
    ``key`` identifies the finding without line numbers (a pattern, an item name, an owner…), so
    baselines and GitLab fingerprints survive unrelated edits that shift lines.
    """

    rule_id: str
    message: str
    path: str
    line: Optional[int] = None
    column: Optional[int] = None
    severity: str = "error"
    key: str = ""
    end_line: Optional[int] = None
    end_column: Optional[int] = None

    def identity(self) -> tuple:
        """What a baseline entry and a fingerprint know a finding by: no line numbers; the
        message stands in for a missing key."""
        return (self.rule_id, self.path, self.key or self.message)

    def sort_key(self) -> tuple:
        return (self.path, self.line or 0, self.column or 0, self.rule_id, self.message)


RULE_ID, MESSAGE, PATH, LINE, COLUMN, SEVERITY, KEY, END_LINE, END_COLUMN = range(len(Finding._fields))


def _merge_key(found: Finding) -> tuple:
    """:meth:`Finding.sort_key` but the message: the key ``FindingTable.merged`` sorts by."""
    return (found.path, found.line or 0, found.column or 0, found.rule_id)


class Probe(NamedTuple):
    """The fields of a finding that an inline suppression reads (``checks/suppression.py``)."""

    rule_id: str
    path: str
    line: Optional[int]
    end_line: Optional[int]


class FindingSource(Protocol):
    """Findings kept as columns (the stored findings of the last run, ``checks/filereuse.py``):
    row ``j`` of the joined columns is one finding."""

    def __len__(self) -> int: ...

    def column(self, index: int) -> list: ...

    # (optional) ``identity``: bytes naming the source's rows, which never change under it (b"": none)

    def row(self, position: int) -> Finding: ...

    def value(self, position: int, index: int) -> object: ...


class _NoSource:
    def __len__(self) -> int:
        return 0

    def column(self, index: int) -> list:
        return []

    def row(self, position: int) -> Finding:
        raise IndexError(position)

    def value(self, position: int, index: int) -> object:
        raise IndexError(position)


class FindingTable(_Sequence):
    """The sorted findings of a run as columns and an order, not as ``Finding`` objects.

    ``order`` numbers the rows of ``source``'s columns joined with ``added`` (findings computed
    in this run, after the source's rows) in the run's sorted order.  A column of the sorted
    list (:meth:`column`: rule ids, paths, severities for the counts of a report) is picked from
    the source's column at C speed; a ``Finding`` is made only when one is looked at (``[i]``),
    and the whole list only when the table is iterated (a report that prints every finding).
    It reads as the sorted ``List[Finding]`` it stands for (``len``, indexing, iteration,
    ``==``), so a consumer that needs objects gets them."""

    def __init__(self, source: Optional[FindingSource], order: Sequence[int], added: List[Finding] = (),  # type: ignore[assignment]
                 paths: Optional[List[str]] = None) -> None:
        """``order``: the row numbers in sorted order (an ``array`` of machine integers: 8 bytes
        a finding, not a Python int each)."""
        self._source: FindingSource = source if source is not None else _NoSource()
        self._base = len(self._source)
        self._order = order
        self._added = list(added)
        self._columns: Dict[int, list] = {}
        self._joined: Dict[int, list] = {}  # the source's column and the added rows', not in order
        if paths is not None:
            self._columns[PATH] = paths
        self._list: Optional[List[Finding]] = None

    def __len__(self) -> int:
        return len(self._order)

    def column(self, index: int) -> list:
        """One field of every finding, in the sorted order."""
        found = self._columns.get(index)
        if found is None:
            found = self._columns[index] = list(map(self._joined_column(index).__getitem__, self._order))
        return found

    def _joined_column(self, index: int) -> list:
        """Field ``index`` of the joined rows (the source's, then the added ones), by row number."""
        joined = self._joined.get(index)
        if joined is None:
            joined = self._source.column(index)
            if self._added:
                joined = joined + list(map(itemgetter(index), self._added))
            self._joined[index] = joined
        return joined

    def column_range(self, index: int, lo: int, hi: int) -> list:
        """``column(index)[lo:hi]``, the other rows' values not picked (a report that counts a
        few stretches of the findings afresh)."""
        found = self._columns.get(index)
        if found is not None:
            return found[lo:hi]
        return list(map(self._joined_column(index).__getitem__, self._order[lo:hi]))

    def row_key(self, lo: int, hi: int) -> Optional[bytes]:
        """A key of the findings ``lo:hi`` that stands for their content without reading it:
        the source's ``identity`` and their row numbers, when they are all the source's rows
        (a source of one identity always holds the same rows); else None (an added row, or a
        source without identity)."""
        identity = getattr(self._source, "identity", b"")
        if not identity:
            return None
        rows = self._order[lo:hi]
        if not isinstance(rows, array):
            rows = array("l", rows)
        if len(rows) and max(rows) >= self._base:
            return None
        digest = hashlib.sha256(identity)
        digest.update(rows.typecode.encode())
        digest.update(rows.tobytes())
        return digest.digest()[:16]

    def _sort_key(self, position: int) -> tuple:
        """:meth:`Finding.sort_key` of the finding numbered ``position`` but its message, only
        those fields decoded: :meth:`merged` sorts by it stably, each side already in order (the
        message is read again from the stored entry, not kept: it would cost a part's read)."""
        if position >= self._base:
            return _merge_key(self._added[position - self._base])
        value = self._source.value
        return (value(position, PATH), value(position, LINE) or 0, value(position, COLUMN) or 0,
                value(position, RULE_ID))

    def _row(self, position: int) -> Finding:
        """The finding numbered ``position`` in the joined rows."""
        return self._source.row(position) if position < self._base else self._added[position - self._base]

    def probe(self, index: int) -> Probe:
        """The fields a suppression reads of the finding at ``index`` (only those decoded)."""
        position = self._order[index]
        if position >= self._base:
            finding = self._added[position - self._base]
            return Probe(finding.rule_id, finding.path, finding.line, finding.end_line)
        value = self._source.value
        return Probe(value(position, RULE_ID), value(position, PATH), value(position, LINE),  # type: ignore[arg-type]
                     value(position, END_LINE))

    def __getitem__(self, index):  # type: ignore[override]
        if self._list is not None or isinstance(index, slice):
            return self._findings()[index]
        return self._row(self._order[index])

    def __iter__(self) -> Iterator[Finding]:
        return iter(self._findings())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FindingTable):
            other = other._findings()
        return self._findings() == other

    __hash__ = None  # type: ignore[assignment]

    def _findings(self) -> List[Finding]:
        if self._list is None and not self._base:  # every row computed in this run: those objects
            self._list = list(map(self._added.__getitem__, self._order))
        if self._list is None:
            columns = [self.column(index) for index in range(len(Finding._fields))]
            self._list = list(map(tuple.__new__, repeat(Finding), zip(*columns)))
        return self._list

    def kept(self, keep: Iterable[bool]) -> "FindingTable":
        """The findings whose ``keep`` is true, in order."""
        keep = list(keep)
        paths = self._columns.get(PATH)
        return FindingTable(self._source, array("l", compress(self._order, keep)), self._added,
                            paths=list(compress(paths, keep)) if paths is not None else None)

    def merged(self, added: List[Finding]) -> "FindingTable":
        """This table and ``added`` (sorted by :meth:`Finding.sort_key`) as one sorted table.

        The work grows with ``added``: the order is copied in slices between the paths of
        ``added`` (found by bisection over the path column), and only the findings of a path
        both sides hold are sorted again, by their sort keys (only those fields decoded; a
        stable sort with this table's first, as a sort of the whole would order them: one
        rule's findings on a path come from one side)."""
        if not added:
            return self
        paths = self.column(PATH)
        order = self._order
        offset = self._base + len(self._added)
        out = array("l")
        out_paths: List[str] = []
        start = index = 0
        total = len(added)
        while index < total:
            path = added[index].path
            end = index + 1
            while end < total and added[end].path == path:
                end += 1
            low = bisect_left(paths, path, start)
            high = bisect_right(paths, path, low)
            out.extend(order[start:low])
            out_paths.extend(paths[start:low])
            if low == high:
                out.extend(range(offset + index, offset + end))
            else:
                # one rule's findings on a path come from one side, each side sorted: a stable
                # sort without the message orders them as a sort of the whole would
                keys = [(self._sort_key(at), at) for at in order[low:high]]
                keys.extend(zip(map(_merge_key, added[index:end]), range(offset + index, offset + end)))
                keys.sort(key=itemgetter(0))
                out.extend(map(itemgetter(1), keys))
            out_paths.extend(repeat(path, high - low + end - index))
            start = high
            index = end
        out.extend(order[start:])
        out_paths.extend(paths[start:])
        return FindingTable(self._source, out, self._added + list(added), paths=out_paths)


def column_of(findings: Sequence[Finding], index: int) -> list:
    """One field of every finding: a :class:`FindingTable`'s column, or picked at C speed."""
    if isinstance(findings, FindingTable):
        return findings.column(index)
    return list(map(itemgetter(index), findings))
