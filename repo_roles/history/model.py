"""Per-file authorship from history, the Degree of Authorship, and truck factors.

Degree of Authorship (DOA) — Fritz, Ou, Murphy, Murphy-Hill, "A degree-of-knowledge model to
capture source code familiarity" (ICSE 2010), in the form used by Avelino, Passos, Hora,
Valente, "A novel approach for estimating truck factors" (ICPC 2016)::

    DOA(a, f) = 3.293 + 1.098 * FA + 0.164 * DL - 0.321 * ln(1 + AC)

FA is 1 when ``a`` created ``f`` (renames followed), DL the number of ``a``'s commits to ``f``,
AC the number of other authors' commits to it.  An author is one of the file's *authors* when
the DOA normalised by the file's highest DOA is at least 0.75 and the absolute DOA at least
3.293 (Avelino et al., section III-B).

Truck factor: Avelino et al.'s greedy algorithm (Algorithm 1): repeatedly remove the author
of the most files until more than half the files have no author left; the number removed is
the truck factor.
"""

from __future__ import annotations

import math
from array import array
from typing import Dict, Iterable, Iterator, List, Mapping, NamedTuple, Optional, Sequence, Set, Tuple

DOA_BASE = 3.293
DOA_FA = 1.098
DOA_DL = 0.164
DOA_AC = 0.321
NORMALISED_THRESHOLD = 0.75
ABSOLUTE_THRESHOLD = 3.293

# A file's record, flat so that the cache stores and loads it as it is (no rebuilding of
# 20,000 small dicts): [creator author index (-1: unknown), author, commits, last time,
# author, commits, last time, ...], one triple per contributor.
FileRecord = list


class FileTable:
    """Path -> :data:`FileRecord`, as a dict, with the records read from the cache kept in one
    flat integer array until something touches them: a run after 10 new commits turns ~20 of
    20,000 records into lists instead of all of them."""

    def __init__(self, flat: Optional[array] = None, where: Optional[Dict[str, Tuple[int, int]]] = None,
                 authors: int = 0) -> None:
        self._flat = flat if flat is not None else array("q")
        self._authors = authors  # records from the array name author indices below this
        self._where: Dict[str, Tuple[int, int]] = where if where is not None else {}  # path -> slice
        self._own: Dict[str, FileRecord] = {}

    def get(self, path: str, default: Optional[FileRecord] = None) -> Optional[FileRecord]:
        found = self._own.get(path)
        if found is not None:
            return found
        span = self._where.pop(path, None)
        if span is None:
            return default
        found = self._flat[span[0]:span[1]].tolist()
        if not self._valid(found):
            return default  # a damaged cache entry: the file is unknown rather than wrong
        self._own[path] = found
        return found

    def _valid(self, record: FileRecord) -> bool:
        """A whole record: a creator (-1: unknown) and triples with known authors, no negatives."""
        if len(record) % 3 != 1 or not -1 <= record[0] < self._authors:
            return False
        return len(record) == 1 or (min(record[1:]) >= 0 and max(record[1::3]) < self._authors)

    def pop(self, path: str, default: Optional[FileRecord] = None) -> Optional[FileRecord]:
        found = self.get(path)
        if found is None:
            return default
        del self._own[path]
        return found

    def __setitem__(self, path: str, record: FileRecord) -> None:
        self._where.pop(path, None)
        self._own[path] = record

    def __contains__(self, path: object) -> bool:
        return path in self._own or path in self._where

    def __len__(self) -> int:
        return len(self._own) + len(self._where)

    def __iter__(self) -> Iterator[str]:
        yield from list(self._where)
        yield from list(self._own)

    def items(self) -> Iterator[Tuple[str, FileRecord]]:
        """Every (path, record); records still in the array are read as copies, not kept."""
        flat = self._flat
        for path, (start, end) in list(self._where.items()):
            record = flat[start:end].tolist()
            if self._valid(record):
                yield path, record
        yield from list(self._own.items())

    def flat(self) -> Tuple[List[str], List[int], array]:
        """(paths, record sizes, all records in one array): the cache's form."""
        paths = list(self._where)
        sizes = [end - start for start, end in self._where.values()]
        out = array("q")
        flat = self._flat
        for start, end in self._where.values():
            out += flat[start:end]
        for path, record in self._own.items():
            paths.append(path)
            sizes.append(len(record))
            out.extend(record)
        return paths, sizes, out


def contributions(record: FileRecord) -> Iterator[Tuple[int, int, int]]:
    """(author index, commits, last time) per contributor of a file record."""
    for k in range(1, len(record), 3):
        yield record[k], record[k + 1], record[k + 2]


def doa(fa: int, dl: int, ac: int) -> float:
    """Degree of Authorship (Fritz et al. 2010; Avelino et al., ICPC 2016)."""
    return DOA_BASE + DOA_FA * fa + DOA_DL * dl - DOA_AC * math.log(1 + ac)


class AuthorDOA(NamedTuple):
    author: str  # "Name <email>" after .mailmap
    fa: int
    dl: int
    ac: int
    doa: float
    normalised: float
    last: int  # this author's last commit to the file (seconds since the epoch)
    is_author: bool


class HistoryModel:
    """Every file's creator and per-author commit counts, built commit by commit, oldest first."""

    def __init__(self) -> None:
        self.head: Optional[str] = None
        self.authors: List[Tuple[str, str]] = []  # (name, email) after .mailmap
        self.index: Dict[Tuple[str, str], int] = {}
        self.author_last: List[int] = []  # newest commit of each author anywhere
        self.files = FileTable()
        self.newest = 0  # newest commit time seen (the reference for "active")
        # The order the commits were applied in: the bytes "id\n" per non-merge commit reachable
        # from ``head``, oldest applied first (git's walk; see history.stage.continues), as
        # consecutive segments (length, sha1): a full pass makes one, a linear advance adds one.
        self.order: List[Tuple[int, str]] = []
        self._labels: List[str] = []  # "Name <email>" per author, made on first use

    # -- building ----------------------------------------------------------------------------
    def author_id(self, name: str, email: str) -> int:
        key = (name, email)
        found = self.index.get(key)
        if found is None:
            found = self.index[key] = len(self.authors)
            self.authors.append(key)
            self.author_last.append(0)
        return found

    def apply(self, author: int, when: int, changes: Iterable[Tuple[str, str, Optional[str]]]) -> None:
        """One commit by ``author`` at ``when``: (status, path, old path) per changed file."""
        files = self.files
        if when > self.author_last[author]:
            self.author_last[author] = when
        if when > self.newest:
            self.newest = when
        for status, path, old in changes:
            if status == "D":
                files.pop(path, None)
                continue
            if status == "R":
                record = files.pop(old, None) if old is not None else None
                if record is None:
                    record = [author]
                files[path] = record
            elif status == "A" or status == "C":
                files[path] = [author, author, 1, when]
                continue
            else:
                record = files.get(path)
                if record is None:  # history before the first commit we read (should not happen)
                    record = files[path] = [-1]
            for k in range(1, len(record), 3):
                if record[k] == author:
                    record[k + 1] += 1
                    if when > record[k + 2]:
                        record[k + 2] = when
                    break
            else:
                record += (author, 1, when)

    # -- reading -----------------------------------------------------------------------------
    def label(self, author: int) -> str:
        labels = self._labels
        while len(labels) < len(self.authors):
            name, email = self.authors[len(labels)]
            labels.append(f"{name} <{email}>")
        return labels[author]

    def _scored(self, path: str) -> List[tuple]:
        """(author id, FA, DL, AC, DOA, normalised, last, is author) per contributor, strongest first."""
        record = self.files.get(path)
        if record is None or len(record) < 4:
            return []
        creator = record[0]
        total = sum(record[2::3])
        rows = []
        for author, dl, last in contributions(record):
            fa = 1 if author == creator else 0
            rows.append((author, fa, dl, total - dl, doa(fa, dl, total - dl), last))
        best = max(r[4] for r in rows)
        out = []
        for author, fa, dl, ac, value, last in rows:
            normalised = value / best if best > 0 else 0.0
            out.append((author, fa, dl, ac, value, normalised, last,
                        normalised >= NORMALISED_THRESHOLD and value >= ABSOLUTE_THRESHOLD))
        out.sort(key=lambda r: (-r[4], self.authors[r[0]]))
        return out

    def doa_of(self, path: str) -> List[AuthorDOA]:
        """Every contributor to ``path`` with its DOA inputs, strongest first."""
        return [AuthorDOA(self.label(row[0]), *row[1:]) for row in self._scored(path)]

    def author_ids(self, path: str) -> List[int]:
        """The file's authors (author indices), strongest first."""
        record = self.files.get(path)
        if record is not None and len(record) == 4:
            # One contributor: DOA = 3.293 + 1.098 FA + 0.164 DL >= 3.293, normalised 1.
            return [record[1]]
        return [row[0] for row in self._scored(path) if row[7]]

    def last_commit(self, path: str) -> Optional[int]:
        record = self.files.get(path)
        if record is None or len(record) < 4:
            return None
        return max(record[3::3])

    def active(self, author: int, days: int) -> bool:
        """Whether ``author`` committed within ``days`` of the newest commit in the history."""
        return self.author_last[author] >= self.newest - days * 86400


def truck_factor(file_authors: Mapping[str, Sequence[int]]) -> Tuple[int, List[int]]:
    """Avelino et al.'s greedy truck factor over ``file_authors`` (path -> author ids).

    Returns the truck factor and the authors removed, in order.  Files without authors count
    as uncovered from the start; an empty set of files has truck factor 0.
    """
    total = len(file_authors)
    if total == 0:
        return 0, []
    covered: Dict[int, Set[str]] = {}
    remaining: Dict[str, int] = {}
    for path, authors in file_authors.items():
        if authors:
            remaining[path] = len(set(authors))
        for author in set(authors):
            covered.setdefault(author, set()).add(path)
    orphans = total - len(remaining)
    removed: List[int] = []
    # Stop once more than half the files have no author left.
    while orphans * 2 <= total and covered:
        top = min(covered, key=lambda a: (-len(covered[a]), a))
        removed.append(top)
        for path in covered.pop(top):
            remaining[path] -= 1
            if remaining[path] == 0:
                orphans += 1
    return len(removed), removed
