"""What the coverage stage returns: per-file analyses, decoded from the cache only when read.

A warm run over 100,000 files must not build 100,000 item lists to draw a table of counts.
:class:`CoverageResult` keeps each cached file as the few small columns the store returned and
answers the common questions from them — item counts (``ls``, the audit tables, DOC002), the
counted undocumented items (DOC001), suppression comments — decoding only the column a question
needs, for the file asked about.  The whole item list of a cached file is fetched and decoded
when someone reads ``files[path].docs``.  A column that turns out malformed is a cache miss
found late: the file is analysed again (and stored again), and the answer comes from that.
"""

from __future__ import annotations

from collections import Counter
from functools import partial
from itertools import compress, filterfalse, repeat
from operator import le
from typing import (TYPE_CHECKING, Callable, Dict, FrozenSet, Iterable, Iterator, List, Mapping, NamedTuple, Optional, Protocol,
                    Sequence, Tuple)

from repo_roles.coverage import cache as C
from repo_roles.coverage.model import FileDocs, Problem

if TYPE_CHECKING:
    from repo_roles.coverage.rowsnap import Rows

_PENDING = object()  # FileAnalysis.docs not read from the store yet


class Suppression(NamedTuple):
    """A ``repo-roles: ignore[...]`` comment; ``codes`` empty means every rule."""

    line: int
    codes: Tuple[str, ...]
    file_level: bool


class FileAnalysis:
    """One file's analysis: ``path``, ``language`` (None when no analyzer handles the file),
    ``docs`` (its :class:`FileDocs`, or None) and ``suppressions``.

    ``docs`` may be given as a loader, called once on first access: most readers of a cached
    file only want its suppressions.
    """

    __slots__ = ("path", "language", "suppressions", "_docs", "_load")

    def __init__(self, path: str, language: Optional[str], docs: Optional[FileDocs],
                 suppressions: Tuple[Suppression, ...] = (),
                 load: Optional[Callable[[], Optional[FileDocs]]] = None) -> None:
        self.path = path
        self.language = language
        self.suppressions = suppressions
        self._docs: object = _PENDING if load is not None else docs
        self._load = load

    @property
    def docs(self) -> Optional[FileDocs]:
        if self._docs is _PENDING:
            assert self._load is not None
            self._docs, self._load = self._load(), None
        return self._docs  # type: ignore[return-value]

    def _fields(self) -> tuple:
        return (self.path, self.language, self.docs, self.suppressions)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FileAnalysis) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return "FileAnalysis(path={!r}, language={!r}, docs={!r}, suppressions={!r})".format(*self._fields())

    def __reduce__(self) -> tuple:  # to and from pool workers, always with docs in hand
        return FileAnalysis, self._fields()


class CachedSource(Protocol):
    """Where the parts of cached files that the stage did not read come from."""

    def docs(self, path: str) -> Tuple[bool, Optional[FileDocs]]: ...  # (valid, docs)

    def repair(self, path: str) -> Tuple[FileAnalysis, Optional[bool]]: ...  # analyse afresh, store, return (+ defines code)


# Positions in a cached row (cache.Entry without its docs column).
_LANGUAGE, _COUNTED, _DOCUMENTED, _MISSING, _SUPPRESSIONS, _DEFINES = range(6)


class CoverageResult:
    """Every target file's analysis: ``fresh`` ones (analysed in this run), ``cached`` rows and
    the ``rows`` of the last whole run's snapshot (:mod:`~repo_roles.coverage.rowsnap`, aligned
    with ``order``; a path in ``fresh`` or ``cached`` is answered from there, never from it)."""

    def __init__(self, order: Sequence[str], fresh: Dict[str, FileAnalysis],
                 cached: Optional[Dict[str, tuple]] = None, source: Optional[CachedSource] = None,
                 defines: Optional[Dict[str, bool]] = None, rows: Optional["Rows"] = None) -> None:
        """``defines``: whether each freshly analysed ``.py`` file defines code."""
        self._order = order
        self._fresh = fresh
        self._defines = defines or {}
        self._cached = cached or {}
        self._source = source
        self._rows = rows
        self._where: Optional[Mapping[str, int]] = None
        self._asked: Dict[str, FrozenSet[str]] = {}  # the few paths a question must look at (snapshot)
        self.files: Mapping[str, FileAnalysis] = _Files(self)

    def __contains__(self, path: str) -> bool:
        return path in self._cached or path in self._fresh or (self._rows is not None and path in self._position())

    def _position(self) -> Mapping[str, int]:
        """``path -> index`` in ``order`` (built on the first question about one path)."""
        if self._where is None:
            self._where = dict(zip(self._order, range(len(self._order))))
        return self._where

    def _snapshot_row(self, path: str) -> Optional[int]:
        """The snapshot's row of a file answered from it; None for any other."""
        if self._rows is None or path in self._fresh or path in self._cached:
            return None
        return self._position().get(path)

    def _few(self, question: str) -> FrozenSet[str]:
        """The paths whose answer to ``question`` ("problems", "suppressions") may not be empty
        when the snapshot answers the others: its rows that have one, and the changed files."""
        found = self._asked.get(question)
        if found is None:
            rows, order = self._rows, self._order
            assert rows is not None
            mine = rows.unreadable() if question == "problems" else rows.suppressed()
            found = self._asked[question] = frozenset(map(order.__getitem__, mine)).union(self._overridden())
        return found

    def _row(self, path: str) -> Optional[tuple]:
        """The light columns of a file that is not fresh: a cached row, else the snapshot's."""
        row = self._cached.get(path)
        if row is not None or self._rows is None or path in self._fresh:
            return row
        i = self._position().get(path)
        return None if i is None else self._rows.light(i)

    def may_hold(self, language: str) -> bool:
        """False when no file of this result is of ``language`` (True may be a guess)."""
        if self._rows is None or any(row[_LANGUAGE] == language for row in self._cached.values()):
            return True
        return language in self._rows.languages() or any(a.language == language for a in self._fresh.values())

    def _overridden(self) -> Dict[str, int]:
        """``path -> index`` of the files answered from ``fresh`` or ``cached`` (a few)."""
        where = self._position()
        return {p: where[p] for p in (*self._fresh, *self._cached) if p in where}

    def replace(self, analysis: FileAnalysis) -> None:
        """Put a post-step's analysis (the Rust crate pass) in place of the file's row."""
        self._cached.pop(analysis.path, None)
        self._fresh[analysis.path] = analysis
        self._asked.clear()

    # -- per file ----------------------------------------------------------------------------
    def analysis(self, path: str) -> Optional[FileAnalysis]:
        """The file's analysis; a cached file's is built on each call and not kept (the result
        holds rows, not objects, and its objects do not point back at it: no reference cycle)."""
        found = self._fresh.get(path)
        if found is not None:
            return found
        row = self._row(path)
        if row is None:
            return None
        sups = () if row[_SUPPRESSIONS] is None else self._suppressions(path, row)
        if sups is None:  # the row was malformed and has been replaced
            return self._fresh[path]
        language = row[_LANGUAGE]
        return FileAnalysis(path, language, None, sups, None if language is None else partial(self._load_docs, path))

    def counts(self, path: str) -> Optional[Tuple[int, int]]:
        """``(documented, counted)`` items of one file; None when its language is not analysed."""
        i = self._snapshot_row(path)
        if i is not None:
            documented, counted = self._rows.counts(i)  # type: ignore[union-attr]
            return None if counted < 0 else (documented, counted)
        row = self._row(path)
        if row is not None:
            return None if row[_COUNTED] is None else (row[_DOCUMENTED], row[_COUNTED])
        found = self._fresh.get(path)
        counted, documented = C.counts(found.docs if found is not None else None)
        return None if counted is None else (documented, counted)  # type: ignore[return-value]

    def undocumented(self, path: str) -> Optional[Tuple[str, C.Missing]]:
        """``(language, counted undocumented items as (name, kind, line, public, end line))`` of a readable
        file; None when its language is not analysed or it could not be parsed."""
        row = self._row(path)
        if row is None:
            found = self._fresh.get(path)
            docs = found.docs if found is not None else None
            return None if docs is None or docs.problems else (docs.language, C.missing_of(docs))
        if row[_COUNTED] is None:
            return None
        missing = C.decode_missing(row[_MISSING])
        if missing is None:
            self._repair(path)
            return self.undocumented(path)
        return row[_LANGUAGE], missing

    def undocumented_files(self, wanted: Callable[[str], bool] = bool) -> Iterator[Tuple[str, str, C.Missing]]:
        """``(path, language, items)`` of every ``wanted`` target with counted undocumented items,
        in target order; ``wanted`` is asked before anything is decoded, and a cached file
        without such items is skipped on its row alone."""
        if self._rows is not None:
            yield from self._undocumented_rows(wanted)
            return
        cached = self._cached
        for path in self._order:
            row = cached.get(path)
            if row is not None and (row[_MISSING] is None or row[_COUNTED] is None):
                continue
            if not wanted(path):
                continue
            found = self.undocumented(path)
            if found is not None and found[1]:
                yield path, found[0], found[1]

    def _undocumented_rows(self, wanted: Callable[[str], bool]) -> Iterator[Tuple[str, str, C.Missing]]:
        """:meth:`undocumented_files` over the snapshot: its rows with items, decoded in one pass,
        and the files answered from elsewhere, in target order."""
        rows, order = self._rows, self._order
        assert rows is not None
        overridden = self._overridden()
        candidates: List[int] = list(rows.with_items())
        if overridden:
            candidates = sorted(set(candidates).union(overridden.values()))
        for i in candidates:
            path = order[i]
            if not wanted(path):
                continue
            if path in overridden:
                found = self.undocumented(path)
                if found is not None and found[1]:
                    yield path, found[0], found[1]
                continue
            missing = rows.missing(i)
            if missing is None:  # the joined column did not decode: the row alone, repaired if need be
                found = self.undocumented(path)
                if found is not None and found[1]:
                    yield path, found[0], found[1]
            elif missing:
                yield path, rows.language(i), missing  # type: ignore[misc]

    def paths_with_problems(self) -> Optional[FrozenSet[str]]:
        """The paths whose :meth:`problems` may not be empty when the snapshot answers the
        others (a few: DOC004 asks only about them); None when any path may have some."""
        return None if self._rows is None else self._few("problems")

    def problems(self, path: str) -> Tuple[Problem, ...]:
        """Why a file of an analysed language could not be read (empty for most files)."""
        if self._rows is not None and path not in self._few("problems"):
            return ()
        row = self._row(path)
        if row is not None and (row[_LANGUAGE] is None or row[_COUNTED] is not None):
            return ()  # not analysed, or readable: no problem, nothing to decode
        found = self.analysis(path)
        docs = found.docs if found is not None else None
        return docs.problems if docs is not None else ()

    def defines_code(self, path: str) -> Optional[bool]:
        """For a ``.py`` file read by this stage (or cached): whether it defines a function or
        class (see :func:`~repo_roles.coverage.test_presence.module_defines_code`); None when
        not known."""
        i = self._snapshot_row(path)
        if i is not None:
            return self._rows.defines(i)  # type: ignore[union-attr]
        row = self._row(path)
        if row is None:
            return self._defines.get(path)
        return None if row[_DEFINES] is None else bool(row[_DEFINES])

    def suppressions(self, path: str) -> Tuple[Suppression, ...]:
        if self._rows is not None and path not in self._few("suppressions"):
            return ()
        row = self._row(path)
        if row is not None and row[_SUPPRESSIONS] is None and path not in self._fresh:
            return ()
        found = self.analysis(path)
        return found.suppressions if found is not None else ()

    def paths_with_suppressions(self) -> FrozenSet[str]:
        """The targets that have suppression comments (a few): every other file's findings
        stand without a look at them."""
        cached = self._cached
        found = {path for path, row in cached.items() if row[_SUPPRESSIONS] is not None}
        found.update(path for path, analysis in self._fresh.items() if analysis.suppressions)
        if self._rows is not None:
            order, fresh = self._order, self._fresh
            found.update(p for p in map(order.__getitem__, self._rows.suppressed())
                         if p not in fresh and p not in cached)
        return frozenset(found)

    def documented_counts(self) -> Iterator[Tuple[str, int, int]]:
        """``(path, documented, counted)`` of every target with counted items, in target order."""
        rows = self._rows
        overridden = self._overridden() if rows is not None else {}
        for i, path in enumerate(self._order):
            if rows is not None and path not in overridden:
                documented, counted = rows.counts(i)
                if counted >= 0:
                    yield path, documented, counted
                continue
            counts = self._answered_counts(path)
            if counts is not None:
                yield path, counts[0], counts[1]

    def _answered_counts(self, path: str) -> Optional[Tuple[int, int]]:
        """``(documented, counted)`` of a path the snapshot's rows do not answer: its cached row
        (None when that counts nothing), else its fresh analysis; None when neither has it."""
        row = self._cached.get(path)
        if row is not None:
            return None if row[_COUNTED] is None else (row[_DOCUMENTED], row[_COUNTED])
        return self.counts(path) if path in self._fresh else None

    def documented_columns(self) -> Tuple[List[str], List[int], List[int]]:
        """The rows of :meth:`documented_counts` as three columns (paths, documented, counted):
        the snapshot's rows taken at C speed, then the few answered from ``fresh`` or
        ``cached``; in target order only when there is no snapshot (the sums need none)."""
        rows = self._rows
        if rows is None:
            found = list(self.documented_counts())
            return [r[0] for r in found], [r[1] for r in found], [r[2] for r in found]
        documented, counted = rows.count_columns()
        keep = list(map(le, repeat(0), counted))  # the rows with counted items
        overridden = self._overridden()
        for i in overridden.values():
            keep[i] = False
        paths = list(compress(self._order, keep))
        documented_out, counted_out = list(compress(documented, keep)), list(compress(counted, keep))
        for path in overridden:
            found_counts = self._answered_counts(path)
            if found_counts is not None:
                paths.append(path)
                documented_out.append(found_counts[0])
                counted_out.append(found_counts[1])
        return paths, documented_out, counted_out

    def languages(self, code: Callable[[str], bool] = bool) -> Dict[str, Tuple[int, Dict[str, int]]]:
        """What the stage measured and what it left out, per language: ``language -> (files
        measured, {reason: files left out})``.  A file of an analysed language that could not be
        read is left out with its problem code (``syntax-error``, ``not-analysed``…); a ``code``
        file no analyzer knows is left out under its suffix (``".swift"``, or ``"(no extension)"``) as
        ``no-analyzer``.
        Read from the stored columns: only unreadable files (a few) are decoded."""
        out: Dict[str, Tuple[int, Dict[str, int]]] = {}
        cached, fresh, rows, order = self._cached, self._fresh, self._rows, self._order
        visit: Iterable[int] = range(len(order))
        overridden: Dict[str, int] = {}
        if rows is not None:  # measured rows counted per language at C speed; the others one by one
            overridden = self._overridden()
            for language, count in rows.measured(set(overridden.values())).items():
                out[language] = (count, {})
            # rows of no language matter only as ``code`` files: picked at C speed, and left out
            # under their suffix in one pass (thousands of them), not one by one
            looked_at = set(rows.unreadable())
            answered = set(overridden.values())
            stored = rows.no_analyzer()
            if stored is not None:  # their groups stored with them: counted by code, at C speed
                no_language, codes, names = stored
                numbers = Counter(compress(codes, map(code, map(order.__getitem__, no_language))))
                groups = Counter({names[n]: files for n, files in numbers.items()})
                for i in answered:  # answered from elsewhere: not counted from the snapshot's row
                    if i not in looked_at and rows.language(i) is None and rows.counts(i)[1] < 0 and code(order[i]):
                        groups[no_analyzer_group(order[i])] -= 1
            else:
                no_language = list(filterfalse(looked_at.__contains__, rows.unmeasured()))
                groups = Counter(map(no_analyzer_group, map(order.__getitem__, filterfalse(
                    answered.__contains__, compress(no_language, map(code, map(order.__getitem__, no_language)))))))
            for group, files in groups.items():
                if files > 0:
                    out[group] = (0, {"no-analyzer": files})
            visit = sorted(looked_at.union(answered))
        for i in visit:
            path = order[i]
            row = cached.get(path)
            if rows is not None and path not in overridden:
                language, measured = rows.language(i), rows.counts(i)[1] >= 0
            elif row is not None:
                language, measured = row[_LANGUAGE], row[_COUNTED] is not None
            elif path in fresh:
                language = fresh[path].language
                measured = language is not None and self.counts(path) is not None
            else:
                continue
            if language is None:
                if not code(path):
                    continue
                language = no_analyzer_group(path)
                reason: Optional[str] = "no-analyzer"
            elif measured:
                reason = None
            else:
                problems = self.problems(path)
                reason = problems[0][1] if problems else "unreadable"
            count, left_out = out.get(language, (0, {}))
            if reason is None:
                count += 1
            else:
                left_out[reason] = left_out.get(reason, 0) + 1
            out[language] = (count, left_out)
        return dict(sorted(out.items()))

    # -- cached rows -------------------------------------------------------------------------
    def _suppressions(self, path: str, row: tuple) -> Optional[Tuple[Suppression, ...]]:
        sups = C.decode_suppressions(row[_SUPPRESSIONS])
        if sups is None:
            self._repair(path)
            return None
        return tuple(Suppression(*s) for s in sups)

    def _load_docs(self, path: str) -> Optional[FileDocs]:
        assert self._source is not None
        valid, docs = self._source.docs(path)
        row = self._row(path)
        # The item list must agree with the columns the run has already used.
        if not valid or docs is None or row is None or docs.language != row[_LANGUAGE] \
                or C.counts(docs) != (row[_COUNTED], row[_DOCUMENTED]):
            return self._repair(path).docs
        return docs

    def _repair(self, path: str) -> FileAnalysis:
        assert self._source is not None
        self._cached.pop(path, None)
        fresh, defines = self._source.repair(path)
        self._fresh[path] = fresh
        if defines is not None:  # answered from here now, no longer from the row
            self._defines[path] = defines
        else:
            self._defines.pop(path, None)
        self._asked.clear()
        return fresh


class _Files(Mapping[str, FileAnalysis]):
    """``path -> FileAnalysis`` of every analysed target, in target order, built on access."""

    def __init__(self, result: CoverageResult) -> None:
        self._result = result

    def __getitem__(self, path: str) -> FileAnalysis:
        found = self._result.analysis(path)
        if found is None:
            raise KeyError(path)
        return found

    def get(self, path: str,  # type: ignore[override]
            default: Optional[FileAnalysis] = None) -> Optional[FileAnalysis]:
        found = self._result.analysis(path)
        return default if found is None else found

    def __contains__(self, path: object) -> bool:
        return path in self._result

    def __iter__(self) -> Iterator[str]:
        return iter(self._result._order)

    def __len__(self) -> int:
        return len(self._result._order)


def no_analyzer_group(path: str) -> str:
    """The group a code file no analyzer knows is left out under: its suffix (``".swift"``);
    files without an extension (scripts) are one group, as the audit's note has them."""
    base = path.rpartition("/")[2]
    return "." + base.rpartition(".")[2] if "." in base.lstrip(".") else "(no extension)"
