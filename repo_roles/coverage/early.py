"""The documentation stage of a cold run, started before classification.

A cold run (no cached row for this project and settings, or ``--no-cache``) analyses every
target file.  Started when the stage is first asked for, after classification and ownership,
the process pool would wait for that serial work and the main process would then wait for the
pool.  Here the pool starts as soon as the targets are known, before any other subprocess
(no worker inherits a descriptor of git's), and works while this process classifies:

* one worker per core (:func:`pool_size` says why the load average does not shrink it); the
  main process is one more.  A run of fewer files started for their bytes
  (:data:`EARLY_MIN_BYTES`) needs an idle core (:func:`~repo_roles.coverage.analyze.busy`);
* a collector thread takes the workers' results in order and writes cache rows in batches
  (:class:`~repo_roles.coverage.analyze._Rows`) while they run, under the keys the in-process
  stage would use (the index blob id of a file git reports clean);
* when the stage is asked for, this process takes the tasks no worker has started, one at a
  time from the end while the workers go on from the front, so no core waits for another.

The result is the :class:`~repo_roles.coverage.result.CoverageResult` that
:func:`~repo_roles.coverage.analyze.analyze_context` builds: same files, same order, same keys.
A warm or partly warm run never comes here (one ``LIMIT 1`` query decides).
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence

from repo_roles._compat import at_thread_exit
from repo_roles.cachedir import project_key
from repo_roles.coverage import analyze as A
from repo_roles.coverage import cache as C
from repo_roles.coverage.model import DocOptions
from repo_roles.coverage.result import CoverageResult
from repo_roles.coverage.store import DocCache
from repo_roles.inventory import FileEntry, Inventory

if TYPE_CHECKING:
    from concurrent.futures import Future
    from repo_roles.config import Config


def _futures(name: str):
    """``concurrent.futures.<name>``, imported on first use: a warm run starts no pool, and the
    package brings multiprocessing, socket, pickle and logging with it.  Kept as this module's
    attribute (tests replace ``ProcessPoolExecutor``)."""
    found = globals().get(name)
    if found is None:
        import concurrent.futures

        found = globals()[name] = getattr(concurrent.futures, name)
    return found


def __getattr__(name: str):  # PEP 562: ``early.ProcessPoolExecutor`` and the like, on first use
    if name in ("ProcessPoolExecutor", "CancelledError", "Future"):
        return _futures(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


EARLY_MIN_FILES = 2000  # from this many files on, the stage starts early whatever their sizes
# Fewer files start it too when the sources an analyzer reads add up to this many bytes: parsing
# costs ~0.25 us per byte of Python (snuba: 1,731 files, 7.9 MB of Python, ~2 s in one process),
# far more than a pool's start-up; but not when no core is idle (``analyze.busy``): measured on
# snuba at load 7-9 on 2 cores, 3 rounds, the pool took 3.35-3.71 s of CPU against 2.92-3.26 s
# in one process, and 7.7-8.9 s of wall time against 6.6-7.3 s.
EARLY_MIN_BYTES = 1 << 20


def pool_size(cores: int, load: float) -> int:
    """Workers for a machine with ``cores`` cores and a 1-minute load average of ``load``: one
    per core, whatever the load.  Measured (bench_coverage.py, load average 7-25 from other
    jobs): one worker when the load left no core idle made the cold audit 1.31x (onyx) and
    1.34x (thin 100k) slower in wall time than the previous release's two, for 0.82-0.93 of its
    CPU time: a busy machine shares its cores by process, so fewer processes get less of them.
    Busy cores show up instead as tasks the workers have not started when the stage is asked
    for, which the main process then analyses itself (:meth:`EarlyCoverage.result`)."""
    del load  # kept in the signature: the figures above are the reason it is not used
    return max(1, cores)


def start(inventory: Inventory, config: "Config", targets: Sequence[FileEntry], use_cache: bool,
          progress: object = None) -> Optional["EarlyCoverage"]:
    """Start the documentation stage of a cold run over ``targets`` now; None when this run is
    not one (a few files, one core, or a cache that holds rows for this project already)."""
    files = [e for e in targets if e.kind == "file"]
    cores = A._cores()
    if not files or cores < 2:
        return None
    options = A.doc_options(config.docs.python)
    if len(files) <= min(EARLY_MIN_FILES, A.PARALLEL_MIN_FILES) and (
            A.busy(cores) or not _much_to_parse(inventory, files, options)):
        return None
    store: Optional[DocCache] = None
    if use_cache:
        _, analyzers = A.analyzer_lookup()
        # grouped by the project's key, as the stage's own rows are: never its location
        store = DocCache(C.cache_directory(config, inventory.project_root), C.fingerprint(options, analyzers),
                         project_key(inventory), threads=True)
        if not store.empty():  # warm or partly warm: the stage reads the cache when asked
            store.close()
            return None
    return EarlyCoverage(inventory, files, options, store, pool_size(cores, A.load_average()), progress)


def _much_to_parse(inventory: Inventory, files: List[FileEntry], options: DocOptions) -> bool:
    """Whether the files an analyzer reads hold :data:`EARLY_MIN_BYTES` or more (their sizes by
    ``lstat``, each counted up to the size an analyzer reads: an estimate, nothing is read)."""
    lookup = A.option_lookup(A.analyzer_lookup()[0], options)
    root = str(inventory.project_root)
    cap = options.max_file_size + 1
    total = 0
    for entry in files:
        if lookup(entry.path) is None:
            continue
        try:
            total += min(os.lstat(os.path.join(root, entry.path)).st_size, cap)
        except (OSError, ValueError):  # gone, or a name the system refuses
            continue
        if total >= EARLY_MIN_BYTES:
            return True
    return False


def chunk_size(files: int, workers: int) -> int:
    """Files per task: :data:`~repo_roles.coverage.analyze.CHUNK`, smaller for a run of a few
    thousand files so that the tasks (of uneven sizes) still spread over the workers and the
    main process, which takes the last ones (:meth:`EarlyCoverage.result`)."""
    return min(A.CHUNK, max(16, files // (8 * (workers + 1))))


class EarlyCoverage:
    """A running cold documentation stage; :meth:`result` finishes it (once)."""

    def __init__(self, inventory: Inventory, files: List[FileEntry], options: DocOptions,
                 store: Optional[DocCache], workers: int, progress: object) -> None:
        self._inventory = inventory
        self._files = files
        self._options = options
        self._store = store
        self.workers = workers
        root = str(inventory.project_root)
        todo = [(e.path, None) for e in files]  # blob ids: the collector's keys (see _key)
        size = chunk_size(len(todo), workers)
        self._chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
        self._outputs: List[Optional[list]] = [None] * len(self._chunks)
        self._pool = _futures("ProcessPoolExecutor")(workers, initializer=A._init_worker,
                                                     initargs=(root, options, store is not None))
        # Submitting forks the workers (all at once with "fork"), before the scan starts git again.
        self._futures: List[Future] = [self._pool.submit(A._work, chunk) for chunk in self._chunks]
        self._keys: Dict[str, str] = {}
        self._diff = A.worktree_diff(inventory, len(files)) if store is not None else None
        self._rows = A._Rows(store)
        self._step = getattr(progress, "step", None)
        self._error: Optional[BaseException] = None
        self.stolen = 0
        self._collector = threading.Thread(target=self._collect, name="repo-roles-docs", daemon=True)
        self._collector.start()
        # A run that ends before asking for the stage (an error, Ctrl-C) must not wait at exit
        # for the workers to analyse every file: concurrent.futures joins its pools in
        # threading's exit hooks, which run the later-registered first.
        at_thread_exit(self.cancel)

    # -- the collector thread -----------------------------------------------------------------
    def _collect(self) -> None:
        CancelledError = _futures("CancelledError")
        try:
            if self._diff is not None:
                # The keys analyze_context would give: the index blob id of a clean tracked file
                # (no stored row can exist: the cache is empty for this project).
                self._keys = A._content_keys(self._inventory, self._files, self._options.max_file_size,
                                             self._diff.result(), set())
            total = len(self._files)
            done = 0
            for index, future in enumerate(self._futures):
                try:
                    output = future.result()
                except CancelledError:  # taken back by result(): analysed in the main process
                    continue
                self._outputs[index] = output = [self._key(A.from_wire(o)) for o in output]
                for one in output:
                    self._rows.add(one)
                done += len(output)
                if self._step is not None:
                    self._step("documentation", done, total)
        except BaseException as error:  # noqa: BLE001 - handed to the main thread by result()
            self._error = error

    def _key(self, output: A.Output) -> A.Output:
        """A worker's output under the run's key for the file (what analyze_context passes in)."""
        if not self._keys:
            return output
        analysis, blob, entry, defines, facts, count = output
        key = self._keys.get(analysis.path)
        if key is None or key == blob:
            return output
        if facts is not None:
            facts = (key, facts[1], facts[2])
        return analysis, key, entry, defines, facts, count

    # -- the main thread ------------------------------------------------------------------------
    def result(self) -> CoverageResult:
        """Finish the stage: analyse here what no worker has started, wait for the rest."""
        # One task at a time from the end, while the workers go on from the front: cancelling
        # them all at once would leave the workers idle and this process alone with the rest.
        reader: Optional[A._Reader] = None
        mine: Dict[int, list] = {}
        index = len(self._futures) - 1
        # Workers take tasks in order: once one cannot be cancelled, every earlier one is taken.
        while index >= 0 and self._futures[index].cancel():
            if reader is None:
                reader = A._Reader(self._inventory.project_root, self._options, self._store is not None)
            mine[index] = reader.run_many(self._chunks[index])
            index -= 1
        self.stolen = len(mine)  # chunks the main process analysed (benchmarks print it)
        self._collector.join()
        self._pool.shutdown(wait=True)
        if self._error is not None:
            raise self._error
        for index, output in mine.items():
            self._outputs[index] = output = [self._key(o) for o in output]
            for one in output:
                self._rows.add(one)
        self._rows.flush()
        found = A._Found()
        for output in self._outputs:
            for one in output or ():
                found.add(one)
        order = [e.path for e in self._files]
        store = self._store
        if store is None:
            result = CoverageResult(order, found.results, defines=found.defines_code)
            result.line_store, result.line_keys = None, {}
        else:
            source = A._Cached(self._inventory.project_root, self._options, store, self._keys)
            result = CoverageResult(order, found.results, {}, source, found.defines_code)
            result.line_store, result.line_keys = store, self._keys
        result.test_facts = found.test_facts
        result.lines = found.lines
        A.rust_crates(result, self._inventory)
        return result

    def cancel(self) -> None:
        """Stop without a result (the run ended before asking for the stage); harmless after
        :meth:`result`."""
        self._pool.shutdown(wait=False, cancel_futures=True)

