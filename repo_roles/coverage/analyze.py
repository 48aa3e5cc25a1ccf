"""The coverage stage: documentation items and inline suppressions of every target file.

Each target regular file is read once (never through a symlink), its ``repo-roles: ignore``
comments are collected, and files of an analysed language go to that language's analyzer.
Results are cached by content (:mod:`repo_roles.coverage.cache`), so a warm run re-reads and
re-parses only what changed.  A cold run over many files parses in a process pool; a pre-commit
run over a few files stays in this process (no pool start-up).
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

from repo_roles.coverage import cache as C
from repo_roles.coverage.model import DocOptions, FileDocs
from repo_roles.inventory import FileEntry, Inventory

if TYPE_CHECKING:
    from repo_roles.config.model import PythonDocsConfig
    from repo_roles.scan import ScanContext

Analyzer = Callable[[bytes, str, DocOptions], FileDocs]

PARALLEL_MIN_FILES = 2000  # below this, a pool's start-up costs more than it saves
GIT_STATUS_MIN_FILES = 2000  # below this, hashing the files is cheaper than asking git
CHUNK = 256  # files per worker task: few round trips, still balanced across cores
UNCACHEABLE = frozenset({"not-analysed"})  # depends on what is installed, not on the content


class Suppression(NamedTuple):
    """A ``repo-roles: ignore[...]`` comment; ``codes`` empty means every rule."""

    line: int
    codes: Tuple[str, ...]
    file_level: bool


class FileAnalysis(NamedTuple):
    path: str
    language: Optional[str]  # None when no analyzer handles the file
    docs: Optional[FileDocs]
    suppressions: Tuple[Suppression, ...]


class CoverageResult:
    """Every target file's analysis, by path."""

    def __init__(self, files: Dict[str, FileAnalysis]) -> None:
        self.files = files

    def docs_of(self, path: str) -> Optional[FileDocs]:
        """The file's documentation items; None when not analysed or not readable as source."""
        found = self.files.get(path)
        if found is None or found.docs is None or found.docs.problems:
            return None
        return found.docs

    def counts(self, path: str) -> Optional[Tuple[int, int]]:
        """``(documented, counted)`` items of one file; None when its language is not analysed."""
        docs = self.docs_of(path)
        if docs is None:
            return None
        counted = documented = 0
        for item in docs.items:
            if item.exempt is None:
                counted += 1
                documented += item.documented
        return documented, counted


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
    """The analyzers' options from ``[docs.python]`` (the two mirror each other field by field)."""
    return DocOptions(**{name: getattr(settings, name) for name in DocOptions._fields})


# --- one file ------------------------------------------------------------------------------


class _Reader:
    """What a worker needs to analyse files by path; built once per process."""

    def __init__(self, root: Path, options: DocOptions, caching: bool) -> None:
        self.inventory = Inventory(Path(root), None, "", "", [])  # only for its safe reads
        self.options = options
        self.caching = caching
        self.lookup, _ = analyzer_lookup()

    def run(self, path: str, blob: Optional[str]) -> Tuple[FileAnalysis, Optional[str], Optional[str]]:
        """``(analysis, blob, encoded value or None when it must not be cached)``."""
        limit = self.options.max_file_size
        analyzer = self.lookup(path)
        data = self.inventory.read_bytes(path, limit)
        if data is None:
            # Too large (the analyzer reports it from a head one byte over the limit), or not
            # a regular file any more: neither is worth caching.
            head = self.inventory.read_head(path, limit + 1) if analyzer is not None else None
            docs = analyzer(head, path, self.options) if head is not None and len(head) > limit else None
            return FileAnalysis(path, docs.language if docs else None, docs, ()), None, None
        docs = analyzer(data, path, self.options) if analyzer is not None else None
        sups = suppressions_in(data)
        value = None
        if self.caching and (docs is None or not any(p[1] in UNCACHEABLE for p in docs.problems)):
            blob = blob or C.blob_id(data)
            value = C.encode(docs, sups)
        return FileAnalysis(path, docs.language if docs else None, docs, sups), blob, value


_worker: Optional[_Reader] = None


def _init_worker(root: str, options: DocOptions, caching: bool) -> None:
    global _worker
    _worker = _Reader(Path(root), options, caching)


def _work(chunk: Sequence[Tuple[str, Optional[str]]]) -> list:
    assert _worker is not None
    return [_worker.run(path, blob) for path, blob in chunk]


# --- the stage -----------------------------------------------------------------------------


def analyze_context(context: "ScanContext") -> CoverageResult:
    """Analyse ``context.targets`` (regular files only), reusing cached results."""
    options = doc_options(context.config.docs.python)
    inventory = context.inventory
    files = [e for e in context.targets if e.kind == "file"]
    use_cache = getattr(context, "use_cache", True)
    store = None
    if use_cache:
        _, analyzers = analyzer_lookup()
        directory = C.cache_directory(context.config, inventory.project_root)
        store = C.DocCache(directory, C.fingerprint(options, analyzers))
    try:
        return CoverageResult(_analyze(inventory, files, options, store))
    finally:
        if store is not None:
            store.close()


def _analyze(inventory: Inventory, files: List[FileEntry], options: DocOptions,
             store: Optional[C.DocCache]) -> Dict[str, FileAnalysis]:
    results: Dict[str, FileAnalysis] = {}
    keys = _content_keys(inventory, files, options.max_file_size) if store is not None else {}
    if store is not None:
        for path, (docs, sups) in store.get_many(list(keys.items())).items():
            results[path] = FileAnalysis(path, docs.language if docs else None, docs,
                                         tuple(Suppression(*s) for s in sups) if sups else ())
    todo = [(e.path, keys.get(e.path)) for e in files if e.path not in results]
    fresh: List[Tuple[str, str, str]] = []
    for analysis, blob, value in _run_all(inventory.project_root, todo, options, store is not None):
        results[analysis.path] = analysis
        if value is not None and blob is not None:
            fresh.append((analysis.path, blob, value))
    if store is not None:
        store.put_many(fresh)
    return {e.path: results[e.path] for e in files}  # target order


def _content_keys(inventory: Inventory, files: List[FileEntry], limit: int) -> Dict[str, str]:
    """path -> blob id of the work-tree content, without reading files git reports clean."""
    modified = _worktree_modified(inventory, len(files))
    keys: Dict[str, str] = {}
    for entry in files:
        if entry.blob and modified is not None and entry.path not in modified:
            keys[entry.path] = entry.blob
            continue
        data = inventory.read_bytes(entry.path, limit)
        if data is not None:
            keys[entry.path] = C.blob_id(data)
    return keys


def _worktree_modified(inventory: Inventory, count: int) -> Optional[frozenset]:
    """Tracked paths whose work-tree file may differ from the index; None: trust no index id.

    One ``git diff-files`` (git compares its cached stat data, in C) costs ~0.2 s on 100k files;
    for a few files, hashing them is cheaper, so a small run never starts git.
    """
    if inventory.git_root is None or count < GIT_STATUS_MIN_FILES:
        return None
    import git

    try:
        out = git.Git(str(inventory.project_root)).execute(
            ["git", "diff-files", "--name-only", "--relative", "-z"], stdout_as_string=False
        )
    except git.GitCommandError:
        return None
    return frozenset(out.decode("utf-8", "surrogateescape").split("\0")) - {""}  # type: ignore[union-attr]


def _run_all(root: Path, todo: List[Tuple[str, Optional[str]]],
             options: DocOptions, caching: bool) -> Iterable[Tuple[FileAnalysis, Optional[str], Optional[str]]]:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if len(todo) <= PARALLEL_MIN_FILES or cores < 2:
        reader = _Reader(root, options, caching)
        for path, blob in todo:
            yield reader.run(path, blob)
        return
    chunks = [todo[i:i + CHUNK] for i in range(0, len(todo), CHUNK)]
    with ProcessPoolExecutor(cores, initializer=_init_worker, initargs=(str(root), options, caching)) as pool:
        for done in pool.map(_work, chunks):
            yield from done
