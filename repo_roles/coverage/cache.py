"""Per-file analysis results, cached across runs by content.

An entry is keyed by (settings fingerprint, path, git blob id).  The blob id is git's
(``sha1(b"blob <size>\\0" + data)``): taken from the index for files git reports clean, computed
from the bytes otherwise, so a cached result is only ever reused for the very same content.
The fingerprint covers everything else that changes a result: the tool and cache-format
versions, the Python version (its parser decides what is valid syntax), the ``DocOptions`` and
the analyzer set.  The path is part of the key because results depend on it (module names,
publicity, ``__init__.py``).

An entry is stored in columns by what reads it, so a warm run decodes only what it uses: the
item counts are plain integers (``ls``, the audit tables, DOC002), the counted undocumented
items have their own compact column (DOC001), suppression comments theirs, and the complete
``FileDocs`` is decoded only for a file whose items someone asks for.

Storage (:mod:`repo_roles.coverage.store`) is one SQLite file in WAL mode: concurrent runs read
while one writes, a write is one transaction, and a run that cannot get the lock in time simply
does not write (a cache is best effort).  Values are JSON, never pickle — a ``cache-dir`` inside
a repository is attacker controlled — and every value is validated when it is decoded: a
malformed entry is a miss (the file is analysed again), a corrupt database file is replaced.
"""

from __future__ import annotations

import functools
import hashlib
import json
import operator
import sys
from itertools import compress
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, NamedTuple, Optional, Sequence, Tuple

from repo_roles import __version__
from repo_roles.coverage.model import DocItem, DocOptions, FileDocs

from repo_roles.cachedir import cache_directory, user_cache_root  # noqa: F401 (re-exported)

if TYPE_CHECKING:
    from repo_roles.config import Config

CACHE_FORMAT = 7  # 4: signature end lines (issue 12); 5: issue 17 (new languages, newer Python syntax, Go body errors); 6: Rust mod declarations and pub use paths, Go package-level new(expr); 7: Rust cfg predicates and cfg_if! items
DB_NAME = f"docs-v{CACHE_FORMAT}.sqlite3"

Sups = Tuple[Tuple[int, Tuple[str, ...], bool], ...]  # (line, codes, file_level) per comment
# (name, kind, line, public, end line or None) per counted undocumented item
Missing = Tuple[Tuple[str, str, int, bool, Optional[int]], ...]
# An entry's payload, decoded: (FileDocs or None, suppressions).
Payload = Tuple[Optional[FileDocs], Sups]


class Entry(NamedTuple):
    """One file's stored result, column by column (the JSON columns still encoded)."""

    language: Optional[str]  # None: no analyzer handles the file
    counted: Optional[int]  # counted items; None when not analysed or unreadable as source
    documented: Optional[int]
    missing: Optional[bytes]  # counted undocumented items (see encode_missing); None: none
    suppressions: Optional[str]  # JSON; None: no suppression comment
    defines: Optional[bool]  # a .py file: defines a function or class (TST001's data-only test)
    docs: Optional[str]  # JSON of the whole FileDocs; None when no analyzer handles the file


def blob_id(data: bytes) -> str:
    """Git's object id of ``data`` as a blob (what ``git hash-object`` prints)."""
    digest = hashlib.sha1(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


def fingerprint(options: DocOptions, analyzers: str) -> str:
    """A short hash of every setting that changes an analysis result."""
    settings = [CACHE_FORMAT, __version__, list(sys.version_info[:2]), list(options), analyzers]
    return hashlib.sha1(json.dumps(settings, sort_keys=True, default=list).encode()).hexdigest()[:16]


# --- values ----------------------------------------------------------------------------------
# ASCII JSON throughout: a name that is not valid UTF-8 (surrogate escapes) survives as \udcxx.
_dumps = json.JSONEncoder(separators=(",", ":")).encode


def counts(docs: Optional[FileDocs]) -> Tuple[Optional[int], Optional[int]]:
    """``(counted, documented)`` items; ``(None, None)`` without items to count (no docs, problems)."""
    if docs is None or docs.problems:
        return None, None
    counted = documented = 0
    for item in docs.items:
        if item.exempt is None:
            counted += 1
            documented += item.documented
    return counted, documented


def missing_of(docs: Optional[FileDocs]) -> Missing:
    """The counted undocumented items of a readable file, as DOC001 reports them."""
    if docs is None or docs.problems:
        return ()
    return tuple((i.name, i.kind, i.line, i.public, i.end_line)
                 for i in docs.items if i.exempt is None and not i.documented)


def encode(docs: Optional[FileDocs], suppressions: Iterable[Tuple[int, Tuple[str, ...], bool]],
           defines: Optional[bool] = None) -> Entry:
    """The stored columns of one file (every worker of a cold run encodes each file it reads:
    the item columns are cut by one C-level ``zip``, not a Python pass per column)."""
    sups = [[line, list(codes), file_level] for line, codes, file_level in suppressions]
    doc_part = None
    counted = documented = None
    missing: Missing = ()
    if docs is not None:
        items = docs.items
        # DocItem's fields in order: name, kind, line, public, documented, exempt, end_line
        names, kinds, lines, public, flags, exempts, ends = zip(*items) if items else _NO_COLUMNS
        if not docs.problems:
            counted = exempts.count(None)
            documented = sum(compress(flags, map(_IS_NONE, exempts)))
            if counted != documented:
                missing = missing_of(docs)
        # tuples are JSON arrays: the text decode_docs reads (problems, modules, uses: tuples)
        doc_part = _dumps((
            docs.language, names, kinds, lines, public, flags, exempts,
            docs.problems, ends, docs.modules, docs.uses, docs.cfgs,
        ))
    return Entry(
        docs.language if docs is not None else None,
        counted,
        documented,
        encode_missing(missing),
        _dumps(sups) if sups else None,
        defines,
        doc_part,
    )


_NO_COLUMNS: Tuple[tuple, ...] = ((),) * 7
_IS_NONE = functools.partial(operator.is_, None)


_NEW_ITEM = functools.partial(tuple.__new__, DocItem)


def _only(values: object, *types: type) -> bool:
    return isinstance(values, list) and set(map(type, values)) <= set(types)



def decode_docs(path: str, text: Optional[str]) -> Tuple[bool, Optional[FileDocs]]:
    """``(valid, FileDocs or None)`` of a ``docs`` column."""
    if text is None:
        return True, None
    try:
        language, names, kinds, lines, public, documented, exempts, problems, ends, modules, uses, cfgs = json.loads(text)
        size = len(names)
        if not (
            type(language) is str
            and _only(names, str) and _only(kinds, str) and _only(lines, int)
            and _only(public, bool) and _only(documented, bool)
            and _only(exempts, str, type(None)) and _only(problems, list) and _only(ends, int, type(None))
            and len(kinds) == len(lines) == len(public) == len(documented) == len(exempts) == len(ends) == size
        ):
            return False, None
        for problem in problems:
            if len(problem) != 3 or type(problem[0]) is not int or not _only(problem[1:], str):
                return False, None
        if not _only(modules, list) or any(len(m) != 4 or type(m[0]) is not str or type(m[1]) is not bool
                                           or not _only(m[2:], str) for m in modules):
            return False, None
        if not _only(uses, list) or any(len(u) != 2 or not _only(u, str) for u in uses):
            return False, None
        if not _only(cfgs, str) or len(cfgs) not in (0, size):
            return False, None
        # tuple.__new__ straight from zip: no Python-level call per item
        items = tuple(map(_NEW_ITEM, zip(names, kinds, lines, public, documented, exempts, ends)))
        return True, FileDocs(path, language, items, tuple(tuple(p) for p in problems),  # type: ignore[misc]
                              tuple(tuple(m) for m in modules), tuple(tuple(u) for u in uses), tuple(cfgs))
    except (ValueError, TypeError):  # bad JSON, wrong shape (unpacking), wrong types
        return False, None


# The ``missing`` column is NUL-separated ``name, kind, line, 0|1, end line or ""`` fields: split and int() in
# C, without a JSON parse and a type check per item — DOC001 reads 200,000 of them on 100k files.
# A name never holds NUL (a source file with NUL bytes is binary and has no items); names taken
# from paths may hold surrogate escapes, which "surrogatepass" carries both ways.


def encode_missing(missing: Missing) -> Optional[bytes]:
    if not missing:
        return None
    text = "\0".join(f"{name}\0{kind}\0{line}\0{1 if public else 0}\0{'' if end is None else end}"
                     for name, kind, line, public, end in missing)
    return text.encode("utf-8", "surrogatepass")


def decode_missing(raw: Optional[bytes]) -> Optional[Missing]:
    """The items of a ``missing`` column; None when it is malformed."""
    if raw is None:
        return ()
    try:
        fields = raw.decode("utf-8", "surrogatepass").split("\0")
        flags = fields[3::5]
        if len(fields) % 5 or not set(flags) <= _FLAGS:
            return None
        ends = [int(end) if end else None for end in fields[4::5]]
        return tuple(zip(fields[0::5], fields[1::5], map(int, fields[2::5]), map("1".__eq__, flags), ends))
    except (ValueError, TypeError, AttributeError):  # not bytes, not UTF-8, a line that is no number
        return None


_FLAGS = frozenset({"0", "1"})


def decode_suppressions(text: Optional[str]) -> Optional[Sups]:
    """The comments of a ``suppressions`` column; None when it is malformed."""
    if text is None:
        return ()
    try:
        out = []
        for line, codes, file_level in json.loads(text):
            if type(line) is not int or not _only(codes, str) or type(file_level) is not bool:
                return None
            out.append((line, tuple(codes), file_level))
        return tuple(out)
    except (ValueError, TypeError):
        return None


def valid_entry(row: Sequence[object]) -> bool:
    """The scalar columns have their types (the JSON ones are checked when decoded)."""
    language, counted, documented, missing, sups, defines, docs = row
    return (
        (language is None or type(language) is str)
        and (type(counted) is int and type(documented) is int or counted is documented is None)
        and (missing is None or type(missing) is bytes)
        and (defines is None or type(defines) in (bool, int))
        and all(v is None or type(v) is str for v in (sups, docs))
    )


def decode(path: str, entry: object) -> Optional[Payload]:
    """The whole payload of an entry; None for anything that is not exactly what :func:`encode` writes."""
    if not isinstance(entry, tuple) or len(entry) != len(Entry._fields) or not valid_entry(entry):
        return None
    row = Entry(*entry)
    ok, docs = decode_docs(path, row.docs)
    sups = decode_suppressions(row.suppressions)
    if not ok or sups is None or (row.docs is not None and row.language != docs.language):  # type: ignore[union-attr]
        return None
    if decode_missing(row.missing) is None or (row.counted, row.documented) != counts(docs):
        return None
    return docs, sups

