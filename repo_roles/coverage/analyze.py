"""The coverage stage: documentation items and inline suppressions of every target file.

Each target regular file is read once (never through a symlink), its ``repo-roles: ignore``
comments are collected, and files of an analysed language go to that language's analyzer.
Results are cached by content (:mod:`repo_roles.coverage.cache`), so a warm run re-reads and
re-parses only what changed.  A cold run over many files parses in a process pool; a pre-commit
run over a few files stays in this process (no pool start-up).
"""

from __future__ import annotations

import functools
import gc
import os
import posixpath
import re
import warnings
from bisect import bisect_left
from itertools import compress
from operator import attrgetter, itemgetter, not_
from pathlib import Path
from typing import (TYPE_CHECKING, Any, Callable, Dict, FrozenSet, Iterable, Iterator, List, Mapping, Optional,
                    Sequence, Set, Tuple)

from repo_roles._compat import tomllib
from repo_roles.cachedir import project_key
from repo_roles.columns import ByGet
from repo_roles.coverage import cache as C
from repo_roles.coverage import rowsnap
from repo_roles.coverage.model import DocItem, DocOptions, FileDocs
from repo_roles.coverage.result import CoverageResult, FileAnalysis, Suppression
from repo_roles.coverage.store import DocCache, raw_path
from repo_roles.coverage.test_presence import module_defines_code
from repo_roles.inventory import FileEntry, Inventory, WorktreeDiff, shared_worktree_diff
from repo_roles.testrefs.extract import extract, kind_of

TestFacts = Tuple[str, str, dict]  # (blob, kind, facts) of a file test evidence reads

if TYPE_CHECKING:
    from repo_roles.config.model import PythonDocsConfig
    from repo_roles.context import ProjectContext

Analyzer = Callable[[bytes, str, DocOptions], FileDocs]

PARALLEL_MIN_FILES = 2000  # below this, a pool's start-up costs more than it saves
GIT_STATUS_MIN_FILES = 2000  # below this, hashing the files is cheaper than asking git
CHUNK = 256  # files per worker task: few round trips, still balanced across cores
GROUP_BYTES = 8 << 20  # file contents _Reader.run_many holds at once (read, then analysed)
WRITE_BATCH = 4096  # cache rows per transaction while the analysis runs
SNAPSHOT_MIN_FILES = 2000  # from this many targets on, the last whole run's rows are read as one value
SNAPSHOT_REWRITE_MIN = 256  # rows the snapshot may lack before a run writes it again
from repo_roles.coverage.model import ABOUT_THE_INSTALL as UNCACHEABLE  # noqa: E402

_ENTRY_PATH = attrgetter("path")
_ENTRY_BLOB = itemgetter(3)  # a FileEntry's blob (a NamedTuple: its item is quicker than its attribute)


# --- suppression comments --------------------------------------------------------------------

# A comment leader, anything on the same line, then the marker: `# repo-roles: ignore[DOC001]`.
_SUPPRESSION = re.compile(
    rb"(?:#|//|/\*|<!--|--|;)[^\n]*?repo-roles:[ \t]*ignore(-file)?(?:\[([^\]\n]*)\])?"
)
_MARKER = b"repo-roles:"


def suppressions_in(data: bytes) -> Tuple[Suppression, ...]:
    """Every suppression comment of a text file (cheap when there is none: one substring test)."""
    if _MARKER not in data or b"\0" in data:
        return ()
    out = []
    for match in _SUPPRESSION.finditer(data):
        line = data.count(b"\n", 0, match.start()) + 1
        raw = (match.group(2) or b"").decode("ascii", "replace")
        codes = tuple(code for code in re.split(r"[\s,]+", raw) if code)
        out.append(Suppression(line, codes, match.group(1) is not None))
    return tuple(out)


# --- the analyzer registry ---------------------------------------------------------------------


def analyzer_lookup() -> Tuple[Callable[[str], Optional[Analyzer]], str]:
    """``(path -> analyzer or None, fingerprint of the analyzer set)`` for the cache key."""
    try:
        from repo_roles.coverage import languages
    except ImportError:  # the multi-language registry is not there: Python only
        from repo_roles.coverage.python_docs import analyze_python

        return (lambda path: analyze_python if path.endswith(".py") else None), "python-only"
    described = _describe([getattr(languages, name, None) for name in ("ANALYZERS", "EXTENSIONS", "LANGUAGES")])
    if hasattr(languages, "analyzer_for"):
        return languages.analyzer_for, described
    table, language_of = languages.ANALYZERS, languages.language_of

    def lookup(path: str) -> Optional[Analyzer]:
        language = language_of(path)
        return table.get(language) if language else None

    return lookup, described


def _describe(value: object) -> str:
    """A stable text for a registry table (functions by qualified name, never by address)."""
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', repr(value))}"
    if isinstance(value, dict):
        return "{" + ",".join(f"{_describe(k)}:{_describe(v)}" for k, v in sorted(value.items(), key=repr)) + "}"
    if isinstance(value, (list, tuple, set, frozenset)):
        parts = [_describe(v) for v in value]
        return "[" + ",".join(sorted(parts) if isinstance(value, (set, frozenset)) else parts) + "]"
    return repr(value)


def doc_options(settings: "PythonDocsConfig") -> DocOptions:
    """The analyzers' options from ``[docs.python]`` (the two mirror each other field by field);
    ``interrogate-config`` counts as ``interrogate`` (it only adds where the options come from)."""
    options = DocOptions(**{name: getattr(settings, name) for name in DocOptions._fields})
    return options._replace(counting="interrogate") if options.counting == "interrogate-config" else options


def option_lookup(lookup: Callable[[str], Optional[Analyzer]],
                  options: DocOptions) -> Callable[[str], Optional[Analyzer]]:
    """``lookup`` with interrogate's ``ext`` (``.pyi`` read as Python) and ``exclude``
    (``_filter_files``: ``fnmatch(file, exclude + "*")``) applied."""
    if not options.extensions and not options.exclude:
        return lookup
    from fnmatch import fnmatchcase

    from repo_roles.coverage.python_docs import analyze_python

    patterns = tuple(entry + "*" for entry in options.exclude)
    extensions = options.extensions

    def wrapped(path: str) -> Optional[Analyzer]:
        if any(fnmatchcase(path, pattern) for pattern in patterns):
            return None
        found = lookup(path)
        if found is None and path.endswith(extensions):
            return analyze_python
        return found

    return wrapped


# --- one file ------------------------------------------------------------------------------


class _Reader:
    """What a worker needs to analyse files by path; built once per process."""

    def __init__(self, root: Path, options: DocOptions, caching: bool) -> None:
        self.inventory = Inventory(Path(root), None, "", "", [])  # only for its safe reads
        self.options = options
        self.caching = caching
        lookup, _ = analyzer_lookup()
        self.lookup = option_lookup(lookup, options)

    def run(self, path: str, blob: Optional[str]) -> Output:
        """``(analysis, blob, stored entry or None when it must not be cached, defines code,
        test-evidence facts, lines)``; the fourth is :func:`module_defines_code` for a readable
        ``.py`` file, the fifth ``(blob, kind, facts)`` for a file test evidence reads
        (:func:`repo_roles.testrefs.extract.kind_of`), each else None; the sixth the file's
        :func:`line_count` (None when it was too large to read)."""
        analyzer = self.lookup(path)
        data = self.inventory.read_bytes(path, self.options.max_file_size)
        docs = analyzer(data, path, self.options) if analyzer is not None and data is not None else None
        return self._finish(path, blob, analyzer, data, docs)

    def run_many(self, todo: Sequence[Tuple[str, Optional[str]]]) -> List[Output]:
        """``[run(path, blob) for path, blob in todo]``, one step at a time over groups of files
        (read them all, analyse them all, then encode them all) rather than every step per file:
        the same outputs for ~30% less CPU on small files (measured on thin-20k's ``.py``
        files: 147 -> 100-115 µs a file; ``.ts`` 274-305 -> 216-241 µs), whose costs are
        mostly the interpreter going from one kind of work to another.  A group holds at most
        :data:`GROUP_BYTES` of file contents (and one file beyond)."""
        out: List[Output] = []
        limit, options, lookup, read = self.options.max_file_size, self.options, self.lookup, self.inventory.read_bytes
        group: List[Tuple[str, Optional[str], Optional[Analyzer], Optional[bytes]]] = []
        held = 0
        for index, (path, blob) in enumerate(todo):
            analyzer = lookup(path)
            data = read(path, limit)
            group.append((path, blob, analyzer, data))
            held += len(data) if data is not None else 0
            if held < GROUP_BYTES and index + 1 < len(todo):
                continue
            with warnings.catch_warnings():  # once for the group, not once a file (python_docs._parse)
                warnings.simplefilter("ignore")  # what a scanned file's parse warns about never prints
                docs = [analyzer(data, path, options) if analyzer is not None and data is not None else None
                        for path, _, analyzer, data in group]
            finish = self._finish
            out.extend(finish(path, blob, analyzer, data, found)
                       for (path, blob, analyzer, data), found in zip(group, docs))
            group, held = [], 0
        return out

    def _finish(self, path: str, blob: Optional[str], analyzer: Optional[Analyzer], data: Optional[bytes],
                docs: Optional[FileDocs]) -> Output:
        """:meth:`run`'s output from the file's bytes (None: too large or not a regular file
        any more) and its analysis."""
        if data is None:
            # Too large (the analyzer reports it from a head one byte over the limit), or not
            # a regular file any more: neither is worth caching.
            limit = self.options.max_file_size
            head = self.inventory.read_head(path, limit + 1) if analyzer is not None else None
            docs = analyzer(head, path, self.options) if head is not None and len(head) > limit else None
            return FileAnalysis(path, docs.language if docs else None, docs, ()), None, None, None, None, None
        sups = suppressions_in(data)
        defines = module_defines_code(data) if path.endswith(".py") else None
        value = None
        if self.caching and (docs is None or not any(p[1] in UNCACHEABLE for p in docs.problems)):
            blob = blob or C.blob_id(data)
            value = C.encode(docs, sups, defines)
        kind = kind_of(path)
        facts = None
        if kind is not None:  # read once: test evidence takes its facts from here
            blob = blob or C.blob_id(data)
            facts = (blob, kind, extract(kind, data, _parse_verdict(path, docs)))
        if self.caching:
            blob = blob or C.blob_id(data)
        return FileAnalysis(path, docs.language if docs else None, docs, sups), blob, value, defines, facts, \
            line_count(data)


def line_count(data: bytes) -> int:
    """Lines of a text file as an editor shows them (``wc -l`` plus an unterminated last line);
    0 for a binary file (NUL bytes)."""
    if not data or b"\0" in data:
        return 0
    return data.count(b"\n") + (data[-1:] != b"\n")


def _parse_verdict(path: str, docs: Optional[FileDocs]) -> Optional[str]:
    """What the documentation analysis learnt about a Python file's syntax, for test evidence:
    None (it parses), a message (it does not), or "unknown" (not analysed as Python here)."""
    if docs is None or not path.endswith(".py") or docs.language != "python":
        return "unknown"
    for line, code, _ in docs.problems:
        if code == "syntax-error":
            return f"cannot be parsed (line {line or 0})"
        if code not in UNCACHEABLE:
            return "unknown"  # too large, binary, undecodable…: let the extractor decide
    return None


_worker: Optional[_Reader] = None


def _init_worker(root: str, options: DocOptions, caching: bool) -> None:
    """A worker's start: its reader, and the cyclic collector set aside as in the main process
    (``commands.common.no_cyclic_gc``).  A parse tree holds no reference cycle (counting frees
    it), but the collector walks its nodes while the parser makes them: with it on, a worker
    spent ~10% more CPU on snuba's 1,731 files (2.16-2.26 s against 1.84-1.94 s, 3 runs each).
    ``gc.freeze()`` sets the heap inherited from the parent aside for good; :func:`_work` looks
    for cycles once per task, so whatever a task leaves in one is freed before the next."""
    global _worker
    gc.disable()
    gc.freeze()
    _worker = _Reader(Path(root), options, caching)


def _work(chunk: Sequence[Tuple[str, Optional[str]]]) -> list:
    """A worker's task: the outputs of ``chunk``, as :func:`to_wire` sends them."""
    assert _worker is not None
    try:
        return list(map(to_wire, _worker.run_many(chunk)))
    finally:
        gc.collect(1)  # the young generations only: what this task made and kept is in them


# An output goes back from a worker with its named tuples (the file's FileDocs and DocItems,
# the cache Entry) as plain tuples: pickle sends a named tuple through a Python call on each
# side (``__getnewargs__``, the class's ``__new__``); plain ones are read at C speed and
# :func:`from_wire` gives them their types back with ``tuple.__new__`` (thin-20k, 20,000 files:
# pickling 0.15 -> 0.065 s of the workers' CPU, unpickling and rebuilding ~15% less).
_NEW_DOCS = functools.partial(tuple.__new__, FileDocs)
_NEW_ITEM = functools.partial(tuple.__new__, DocItem)
_NEW_ENTRY = functools.partial(tuple.__new__, C.Entry)
_ITEMS = frozenset({DocItem})


def to_wire(output: Output) -> tuple:
    """``output`` with its docs and entry as plain tuples (``from_wire`` reads it back: any
    other value, a FileDocs left as it is or None, is never a plain tuple)."""
    analysis, blob, entry, defines, facts, count = output
    docs = analysis.docs
    if type(docs) is FileDocs and set(map(type, docs.items)) <= _ITEMS:
        docs = (docs.path, docs.language, tuple(map(tuple, docs.items))) + docs[3:]
    return (analysis.path, analysis.language, docs, analysis.suppressions, blob,
            tuple(entry) if type(entry) is C.Entry else entry, defines, facts, count)


def from_wire(wired: tuple) -> Output:
    """The output :func:`to_wire` sent."""
    path, language, docs, suppressions, blob, entry, defines, facts, count = wired
    if type(docs) is tuple:
        docs = _NEW_DOCS((docs[0], docs[1], tuple(map(_NEW_ITEM, docs[2]))) + docs[3:])
    if type(entry) is tuple:
        entry = _NEW_ENTRY(entry)
    return FileAnalysis(path, language, docs, suppressions), blob, entry, defines, facts, count


# --- the stage -----------------------------------------------------------------------------


def computed_coverage(context: "ProjectContext") -> Optional[CoverageResult]:
    """The coverage stage's result when this run has computed it already; never starts it.

    TST001 uses what the stage knows (data-only modules) when it is there, and reads the few
    files it needs itself otherwise — a run of TST001 alone must not parse the whole project.
    """
    found = vars(context).get("_coverage")  # where ProjectContext.coverage keeps it
    return found if isinstance(found, CoverageResult) else None


def analyze_context(context: "ProjectContext") -> CoverageResult:
    """Analyse ``context.targets`` (regular files only), reusing cached results.

    The store stays open with the result: a cached file's whole item list is read from it only
    when asked for.  Each file read here also gives its line count (``result.lines``, stored by
    blob id for warm runs; :func:`line_counts`).  ``context.progress`` (when set) hears
    ``step("documentation", done, total)`` as files are analysed.
    """
    options = doc_options(context.config.docs.python)
    inventory = context.inventory
    targets = context.targets
    listed = inventory.paths if len(targets) >= SNAPSHOT_MIN_FILES and inventory.listed else None
    if listed is not None and len(targets) == len(listed) and not inventory.special_kinds():
        # a whole scan of regular files: the targets are the inventory's entries, in its order
        files, order = targets, listed
    else:
        files = [e for e in targets if e.kind == "file"]
        order = list(map(_ENTRY_PATH, files))
    progress = getattr(context, "progress", None)
    if not getattr(context, "use_cache", True):
        fresh, defines, facts, lines = _analyze_all(inventory.project_root, files, {}, options, None, progress)
        result = CoverageResult(order, fresh, defines=defines)
        result.test_facts = facts
        result.lines, result.line_store, result.line_keys = lines, None, {}
        rust_crates(result, inventory)
        return result
    diff = worktree_diff(inventory, len(files))
    _, analyzers = analyzer_lookup()
    store = DocCache(C.cache_directory(context.config, inventory.project_root), C.fingerprint(options, analyzers),
                     project_key(inventory))
    if len(files) >= SNAPSHOT_MIN_FILES:
        # only a run over the whole project writes the snapshot (a scope or a diff's files would
        # replace the project's rows with a part of them)
        whole = not inventory.scope and not getattr(context, "context_from_index", False)
        return _analyze_with_snapshot(inventory, files, order, options, store, diff, progress, whole,
                                      inventory.paths_digest() if order is listed else None)
    rows = store.read(order)  # while git compares the work tree
    stored = set(map(itemgetter(0), rows))
    keys = _content_keys(inventory, files, options.max_file_size, diff.result(), stored)
    cached = store.match(rows, keys)
    todo = [e for e in files if e.path not in cached]
    fresh, defines, facts, lines = _analyze_all(inventory.project_root, todo, keys, options, store, progress)
    result = CoverageResult(order, fresh, cached, _Cached(inventory.project_root, options, store, keys), defines)
    result.test_facts = facts
    result.lines, result.line_store, result.line_keys = lines, store, keys
    rust_crates(result, inventory)
    return result


def _analyze_with_snapshot(inventory: Inventory, files: List[FileEntry], order: List[str], options: DocOptions,
                           store: DocCache, diff: WorktreeDiff, progress: object, whole: bool,
                           digest: Optional[str] = None) -> CoverageResult:
    """:func:`analyze_context` of many files: the last whole run's rows (:mod:`rowsnap`) for every
    file whose blob id is the snapshot's, compared at C speed; the store's rows by path and blob
    for the others (a scan of the project's rows when they are many); the rest analysed.  The
    snapshot is written again when it was missing, of another path list, or lacks more than
    :data:`SNAPSHOT_REWRITE_MIN` of this run's rows (and only by a run over the whole project).
    ``digest``: the digest of ``order`` when it is the inventory's path list (once per run, shared)."""
    where_rows = rowsnap.snapshot_file(store.path.parent, store.project, store.salt)
    snapshot = rowsnap.load(where_rows)
    realigned = False
    if snapshot is not None:
        if not snapshot.same_paths(order, digest):
            snapshot, realigned = snapshot.aligned(order), True
    blobs: List[Optional[str]] = list(map(_ENTRY_BLOB, files))
    modified = diff.result()
    where = _Positions(order)
    every = range(len(order))
    if modified is None:
        unknown = list(every)
    else:  # rows without an index id (untracked): a C-level look for one first, most runs have none
        unknown = list(compress(every, map(not_, blobs))) if not all(blobs) else []  # (one truth test a row)
    if modified:
        unknown += [i for i in map(where.get, modified) if i is not None]  # (one look each)
    for i in unknown:
        blobs[i] = None
        if snapshot is not None and snapshot.blob(i):  # a row to compare with: the content's id
            data = inventory.read_bytes(order[i], options.max_file_size)
            blobs[i] = C.blob_id(data) if data is not None else None
    missed = snapshot.mismatches(blobs) if snapshot is not None else list(range(len(order)))
    store.touch()  # the rows behind the snapshot (item lists, other contents) are in use: not evicted first
    keep = set() if snapshot is None else {(raw_path(order[i]), snapshot.blob(i)) for i in missed}
    if snapshot is not None:
        snapshot.drop_blobs()  # every other row's id is this run's
    keys = _Keys(where, blobs)
    cached: Dict[str, tuple] = {}
    if missed:
        wanted = [order[i] for i in missed]
        rows = store.read(wanted)
        stored = set(map(itemgetter(0), rows))
        for i in missed:  # a changed file with a stored row under its path: the content's id
            if blobs[i] is None and raw_path(order[i]) in stored:
                data = inventory.read_bytes(order[i], options.max_file_size)
                blobs[i] = C.blob_id(data) if data is not None else None
        cached = store.match(rows, {order[i]: blobs[i] for i in missed if blobs[i]}, keep)  # type: ignore[misc]
    todo = [files[i] for i in missed if order[i] not in cached]
    fresh, defines, facts, lines, entries = _analyze_all(inventory.project_root, todo, keys, options, store,
                                                         progress, with_entries=True)
    if whole and (snapshot is None or realigned or len(missed) > SNAPSHOT_REWRITE_MIN):
        _write_snapshot(where_rows, store, order, blobs, snapshot, set(missed), cached, entries, lines, digest)
    result = CoverageResult(order, fresh, cached, _Cached(inventory.project_root, options, store, keys), defines,
                            snapshot)
    result._where = where
    result.test_facts = facts
    result.lines, result.line_store, result.line_keys = lines, store, keys
    rust_crates(result, inventory)
    return result


def _write_snapshot(where: Path, store: DocCache, order: List[str], blobs: List[Optional[str]], snapshot: Optional[rowsnap.Rows],
                    missed: Set[int], cached: Dict[str, tuple], entries: Dict[str, Tuple[str, C.Entry]],
                    lines: Dict[str, int], digest: Optional[str] = None) -> None:
    """Store this run's rows (before the Rust crate pass: the rows as analysed) as the snapshot
    (not when the snapshot read turns out damaged: it is gone, and the next run writes it from
    the store's rows)."""
    if snapshot is not None and not snapshot.sound():
        return
    rows: List[Optional[tuple]] = []
    counts: List[Optional[int]] = []
    kept: List[str] = []
    wanted = [blobs[i] for i in missed if order[i] in cached]
    stored_lines = store.get_lines([b for b in wanted if b]) if wanted else {}
    for i, path in enumerate(order):
        if i not in missed:
            assert snapshot is not None
            rows.append(snapshot.light(i))
            counts.append(snapshot.line_count(i))
            kept.append(blobs[i])  # type: ignore[arg-type]  # the snapshot's, as it is no mismatch
        elif path in cached:
            rows.append(cached[path])
            counts.append(stored_lines.get(blobs[i]))  # type: ignore[arg-type]
            kept.append(blobs[i] or "")
        elif path in entries:
            blob, entry = entries[path]
            rows.append(tuple(entry[:-1]))
            counts.append(lines.get(path))
            kept.append(blob)
        else:  # not cacheable (too large, unreadable, an analyzer missing from the install)
            rows.append(None)
            counts.append(None)
            kept.append("")
    rowsnap.save(where, order, kept, rows, counts, digest)


class _Positions(ByGet, Mapping[str, int]):
    """``path -> index`` in ``order``: by bisection while the paths asked are found so (a whole
    scan's path list is sorted; a found index is checked), else through a dict of every path,
    built on the first path bisection does not find (not there, or the list is not sorted)."""

    def __init__(self, order: List[str]) -> None:
        self._order = order
        self._all: Optional[Dict[str, int]] = None

    def _whole(self) -> Dict[str, int]:
        if self._all is None:
            self._all = dict(zip(self._order, range(len(self._order))))
        return self._all

    def get(self, path: str, default: Optional[int] = None) -> Optional[int]:  # type: ignore[override]
        if self._all is None:
            order = self._order
            try:
                i = bisect_left(order, path)
            except TypeError:  # not a text: not a path of the list
                return default
            if i < len(order) and order[i] == path:
                return i
        return self._whole().get(path, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._whole())

    def __len__(self) -> int:
        return len(self._whole())


class _Keys(ByGet, Mapping[str, str]):
    """``path -> blob id`` of this run's contents, over the aligned list of ids (no dict of 100k)."""

    def __init__(self, where: Mapping[str, int], blobs: List[Optional[str]]) -> None:
        self._where, self._blobs = where, blobs

    def get(self, path: str, default: Optional[str] = None) -> Optional[str]:  # type: ignore[override]
        i = self._where.get(path)
        found = None if i is None else self._blobs[i]
        return default if found is None else found

    def __iter__(self) -> Iterator[str]:
        return (p for p, i in self._where.items() if self._blobs[i] is not None)

    def __len__(self) -> int:
        return sum(1 for b in self._blobs if b is not None)


def rust_crates(result: CoverageResult, inventory: Inventory) -> None:
    """The crate-level Rust pass (:mod:`repo_roles.coverage.rust_crate`) over the per-file
    results, fresh or cached: no ``.rs`` file is read again (only ``Cargo.toml`` files, for a
    ``[lib] path`` and the default features). Files reached only through private modules get
    their items exempt, and so do items compiled out by ``cfg``."""
    if not result.may_hold("rust"):
        return
    rust: Dict[str, FileAnalysis] = {}
    manifests: List[str] = []
    for path in result.files:
        if path.endswith(".rs"):
            analysis = result.analysis(path)
            if analysis is not None and analysis.language == "rust":
                rust[path] = analysis
        elif path == "Cargo.toml" or path.endswith("/Cargo.toml"):
            manifests.append(path)
    if not rust:
        return
    from repo_roles.coverage import rust_crate  # only with Rust files

    docs = {path: a.docs for path, a in rust.items() if a.docs is not None}
    roots, features = _crate_manifests(inventory, manifests)
    changed = rust_crate.apply(docs, roots, features)  # type: ignore[arg-type]
    for path, new in changed.items():
        result.replace(FileAnalysis(path, "rust", new, rust[path].suppressions))


def _crate_manifests(inventory: Inventory, manifests: List[str]) -> Tuple[List[str], Dict[str, FrozenSet[str]]]:
    """``([lib] path of each readable Cargo.toml, crate root -> default features)``, paths
    relative to the project root; the roots are the ``[lib] path`` and ``src/lib.rs``/``src/main.rs``."""
    from repo_roles.coverage import rust_cfg

    extra: List[str] = []
    features: Dict[str, FrozenSet[str]] = {}
    for manifest in manifests:
        data = inventory.read_bytes(manifest, 1_000_000)
        try:
            table = tomllib.loads(data.decode("utf-8")) if data else None
        except (ValueError, UnicodeDecodeError):
            continue
        if not isinstance(table, dict):
            continue
        here = manifest.rpartition("/")[0]
        roots = [posixpath.join(here, "src", name) for name in ("lib.rs", "main.rs")]
        lib = table.get("lib")
        if isinstance(lib, dict) and isinstance(lib.get("path"), str):
            extra.append(posixpath.normpath(posixpath.join(here, lib["path"])))
            roots.append(extra[-1])
        enabled = rust_cfg.default_features(table)
        for root in roots:
            features[root] = enabled
    return extra, features


def line_counts(result: CoverageResult, inventory: Inventory, limit: int) -> Dict[str, int]:
    """``{path: lines}`` of the analysed files: counted by this run's reads, or stored by blob id
    by an earlier run; a file with neither (a cache written before line counts were kept) is
    read once here, up to ``limit`` bytes, and its count stored.  Files over ``limit`` are left
    out (never read whole)."""
    rows = result._rows
    if rows is not None:  # the snapshot's counts, but for the files answered from elsewhere
        found = rows.line_counts(result._order)
        for path in result._overridden():
            found.pop(path, None)
        found.update(getattr(result, "lines", {}) or {})
    else:
        found = dict(getattr(result, "lines", {}) or {})
    store, keys = getattr(result, "line_store", None), getattr(result, "line_keys", {}) or {}
    wanted = {path: keys.get(path) for path in result._order if path not in found}
    by_blob = store.get_lines([b for b in wanted.values() if b]) if store is not None else {}
    new_rows: List[Tuple[str, int]] = []
    for path, blob in wanted.items():
        count = by_blob.get(blob) if blob else None
        if count is None:
            data = inventory.read_bytes(path, limit)
            if data is None:
                continue
            count = line_count(data)
            if blob:
                new_rows.append((blob, count))
        found[path] = count
    if store is not None and new_rows:
        store.put_lines(new_rows)
    return found


def _analyze_all(root: Path, files: List[FileEntry], keys: Mapping[str, str], options: DocOptions,
                 store: Optional[DocCache], progress: object = None, with_entries: bool = False,
                 ) -> Tuple[Any, ...]:
    """Analyse ``files`` (in a process pool when there are many) and store what may be cached;
    also whether each readable ``.py`` file defines code (TST001 need not read it again), the
    test-evidence facts of the files it reads (the evidence index need not either) and their
    line counts; ``with_entries``: and ``path -> (blob, stored entry)`` of what was stored."""
    todo = [(e.path, keys.get(e.path)) for e in files]
    step = getattr(progress, "step", None)
    total = len(todo)
    found = _Found()
    batch = _Rows(store)
    entries: Dict[str, Tuple[str, C.Entry]] = {}
    for done, output in enumerate(_run_all(root, todo, options, store is not None), 1):
        found.add(output)
        batch.add(output)
        if with_entries and output[1] is not None and output[2] is not None:
            entries[output[0].path] = (output[1], output[2])
        if step is not None and (done % CHUNK == 0 or done == total):
            step("documentation", done, total)
    batch.flush()
    if with_entries:
        return found.results, found.defines_code, found.test_facts, found.lines, entries
    return found.results, found.defines_code, found.test_facts, found.lines


Output = Tuple[FileAnalysis, Optional[str], Optional[C.Entry], Optional[bool], Optional[TestFacts], Optional[int]]


class _Found:
    """What a run's analyses add up to: per-file analyses, defines-code flags, test facts, lines."""

    def __init__(self) -> None:
        self.results: Dict[str, FileAnalysis] = {}
        self.defines_code: Dict[str, bool] = {}
        self.test_facts: Dict[str, TestFacts] = {}
        self.lines: Dict[str, int] = {}

    def add(self, output: Output) -> None:
        analysis, _, _, defines, facts, count = output
        self.results[analysis.path] = analysis
        if defines is not None:
            self.defines_code[analysis.path] = defines
        if facts is not None:
            self.test_facts[analysis.path] = facts
        if count is not None:
            self.lines[analysis.path] = count


class _Rows:
    """Cache rows of fresh analyses, written in batches of :data:`WRITE_BATCH` (one transaction
    each) as they come, so a cold run's writes overlap the analysis instead of following it."""

    def __init__(self, store: Optional[DocCache]) -> None:
        self.store = store
        self.rows: List[Tuple[str, str, C.Entry]] = []
        self.lines: List[Tuple[str, int]] = []

    def add(self, output: Output) -> None:
        if self.store is None:
            return
        analysis, blob, entry, _, _, count = output
        if blob is None:
            return
        if count is not None:
            self.lines.append((blob, count))
        if entry is not None:
            self.rows.append((analysis.path, blob, entry))
            if len(self.rows) >= WRITE_BATCH:
                self.flush()

    def flush(self) -> None:
        if self.store is not None and (self.rows or self.lines):
            self.store.put_many(self.rows)
            self.store.put_lines(self.lines)
        self.rows, self.lines = [], []


class _Cached:
    """The rest of a cached file, read when a :class:`CoverageResult` question needs it."""

    def __init__(self, root: Path, options: DocOptions, store: DocCache, keys: Dict[str, str]) -> None:
        self._root, self._options, self._store, self._keys = root, options, store, keys

    def docs(self, path: str) -> Tuple[bool, Optional[FileDocs]]:
        found, text = self._store.get_docs(path, self._keys[path])
        return C.decode_docs(path, text) if found else (False, None)

    def repair(self, path: str) -> Tuple[FileAnalysis, Optional[bool]]:
        """A malformed cached column: analyse the file again, and store the result; also whether
        a ``.py`` file defines code (None: not known)."""
        analysis, blob, entry, defines, _, _ = _Reader(self._root, self._options, True).run(path, self._keys.get(path))
        if entry is not None and blob is not None:
            self._store.put_many([(path, blob, entry)])
        return analysis, defines


def _content_keys(inventory: Inventory, files: List[FileEntry], limit: int,
                  modified: Optional[frozenset], stored: Set[bytes]) -> Dict[str, str]:
    """path -> blob id of the work-tree content, without reading files git reports clean.

    A file with no stored row cannot be a cache hit: it is not read here, since the analysis
    reads it anyway and computes its blob id from the same bytes.
    """
    keys: Dict[str, str] = {}
    for entry in files:
        if entry.blob and modified is not None and entry.path not in modified:
            keys[entry.path] = entry.blob
            continue
        if raw_path(entry.path) not in stored:
            continue
        data = inventory.read_bytes(entry.path, limit)
        if data is not None:
            keys[entry.path] = C.blob_id(data)
    return keys


def worktree_diff(inventory: Inventory, count: int) -> WorktreeDiff:
    """The one ``git diff-files`` of this inventory, shared by every stage that trusts blob ids
    (the classification caches in ``scan`` and the documentation stage): one call per run."""
    return shared_worktree_diff(inventory, count >= GIT_STATUS_MIN_FILES)


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def load_average() -> float:
    """The 1-minute load average; 0 where the platform has none."""
    try:
        return os.getloadavg()[0]
    except (OSError, AttributeError):  # not available on this platform
        return 0.0


def busy(cores: int) -> bool:
    """Whether no core is idle (1-minute load average >= ``cores``).  A cold run of a few large
    files then analyses in one process (``early.EARLY_MIN_BYTES``); a run of many files keeps its
    pool: measured at load 12-15 on 2 cores, 3 rounds interleaved (``benchmarks/bench_cold.py``),
    one process took 5% less CPU time but 24-40% more wall time (thin-20k: 7.77 s against 8.21 s
    of CPU, 28.9 s against 23.3 s of wall time; esphome: 5.85 s against 6.09 s, 25.0 s against
    17.9 s, medians), and issue 13 asks for both."""
    return load_average() >= cores


def _run_all(root: Path, todo: List[Tuple[str, Optional[str]]],
             options: DocOptions, caching: bool) -> Iterable[Output]:
    cores = _cores()
    if len(todo) <= PARALLEL_MIN_FILES or cores < 2:
        reader = _Reader(root, options, caching)
        for start in range(0, len(todo), CHUNK):
            yield from reader.run_many(todo[start:start + CHUNK])
        return
    from concurrent.futures import ProcessPoolExecutor  # a cold run's: a warm one never starts a pool

    chunks = [todo[i:i + CHUNK] for i in range(0, len(todo), CHUNK)]
    with ProcessPoolExecutor(cores, initializer=_init_worker, initargs=(str(root), options, caching)) as pool:
        for done in pool.map(_work, chunks):
            yield from map(from_wire, done)
