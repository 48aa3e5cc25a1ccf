"""Run the pipeline once: config → inventory → classify → ownership (coverage, tests and history on first use).

Commands call :func:`scan` and read the :class:`ScanContext` it returns; rules receive the same
context.  Every expensive step (git's index, attributes, the ownership file) is read once here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from bisect import bisect_left
from itertools import compress
from operator import and_, attrgetter, not_
from pathlib import Path
import weakref
from typing import TYPE_CHECKING, Callable, NamedTuple, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union


from repo_roles.classify import Classification, Classifier
from repo_roles.globs import GlobSet
from repo_roles.classify.signals import ATTRIBUTES
from repo_roles.config import Config, load_config
from repo_roles.config.interrogate import MAX_CONFIG_SIZE, apply_interrogate_config
from repo_roles.findings import Finding
from repo_roles.inventory import FileEntry, Inventory, load_inventory
from repo_roles.project import locate_project, outside_message  # noqa: F401  (re-exported)
from repo_roles.ownership.resolve import Ownership, resolve_ownership

if TYPE_CHECKING:
    from repo_roles.classify.rolecache import RoleMemo
    from repo_roles.classify.sniffcache import SniffMemo
    from repo_roles.coverage.store import DocCache
    from repo_roles.coverage.analyze import CoverageResult
    from repo_roles.coverage.test_presence import TestIndex
    from repo_roles.history.stage import History
    from repo_roles.testrefs.evidence import EvidenceIndex


def _alive(ref: "weakref.ref") -> "ScanContext":
    found = ref()
    assert found is not None, "the scan context is gone"
    return found


class LazyClassifications(Mapping[str, Classification]):
    """Path -> Classification, computed on first access and kept.

    A pre-commit run on five files classifies five files (plus whatever a rule asks about),
    not the 100,000 of the repository.
    """

    def __init__(self, classifier: Classifier, paths: Sequence[str]) -> None:
        self._classifier = classifier
        self._paths = paths
        self._known: Dict[str, Classification] = {}

    def __getitem__(self, path: str) -> Classification:
        found = self._known.get(path)
        if found is None:
            found = self._known[path] = self._classifier.classify(path)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


@dataclass
class ScanContext:
    """Everything the pipeline learned about one project; read by rules and commands.

    ``targets`` are the files reported on (the scanned scope, or the files pre-commit passed);
    the rest of ``inventory.entries`` is context.  ``repository_checks`` says whether rules that
    look at the whole project (the ownership file, the roster) run.
    """

    config: Config
    inventory: Inventory
    classifier: Classifier
    classifications: Mapping[str, Classification]
    ownership: Ownership
    targets: List[FileEntry]
    repository_checks: bool
    findings: List[Finding] = field(default_factory=list)
    use_cache: bool = True  # False (`--no-cache`): analyse every file afresh, store nothing
    notes: List[str] = field(default_factory=list)  # said once on stderr (e.g. history skipped)
    # A command's progress observer (``stage(name)``, ``step(name, done, total)``), or None:
    # stages call it, never print (see ``commands/audit.py``).
    progress: Optional[object] = None
    # True when only given files are reported on (``check FILES``, ``--staged``, ``--diff-base``):
    # files other than the targets are read as git's index has them, so no stage stats the whole
    # work tree (pre-commit stashes unstaged changes before a hook runs: the index is the tree).
    context_from_index: bool = False

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    @property
    def root(self) -> Path:
        return self.inventory.project_root

    @property
    def target_paths(self) -> frozenset:
        cached = self.__dict__.get("_target_paths")
        if cached is None:
            targets = self.targets
            # a scan's targets are entries of its inventory: as many as its paths, they are its paths
            paths = self.inventory.paths if not self.context_from_index else ()
            cached = self.__dict__["_target_paths"] = frozenset(
                paths if len(targets) == len(paths) else map(_PATH, targets))  # at C speed
        return cached

    def role_of(self, path: str) -> str:
        return self.classifications[path].role

    # The stages below are computed on first use: `ls --format text` never pays for them.
    @property
    def coverage(self) -> "CoverageResult":
        """Per-file documentation analysis (cached by blob id) of the targets."""
        found = self.__dict__.get("_coverage")
        if found is None:
            early = self.__dict__.pop("_early_coverage", None)  # a cold run's stage, started by scan
            if early is not None:
                found = self.__dict__["_coverage"] = early.result()
                return found
            from repo_roles.coverage.analyze import analyze_context

            found = self.__dict__["_coverage"] = analyze_context(self)
        return found

    @property
    def test_index(self) -> "TestIndex":
        """Which test files exercise which backend module (by each ecosystem's convention)."""
        found = self.__dict__.get("_test_index")
        if found is None:
            from repo_roles.coverage.test_presence import TestIndex

            # role_of through the classifications, not this context's bound method: the index
            # is kept on the context, and a cycle would keep the whole scan alive until a
            # cyclic garbage collection instead of freeing it by reference counting.
            classifications = self.classifications
            ref = weakref.ref(self)
            found = self.__dict__["_test_index"] = TestIndex(
                self.inventory.paths, self.config.tests, lambda path: classifications[path].role,
                # through a weak reference: the index is kept on this context (no reference cycle)
                evidence=lambda: _alive(ref)._build_test_evidence(), defines=lambda p: _alive(ref)._defines_code(p),
            )
        return found

    @property
    def history(self) -> "History":
        """Who actually knows each file, from one streaming ``git log`` (cached by commit id)."""
        found = self.__dict__.get("_history")
        if found is None:
            from repo_roles.history.stage import load_history

            found = self.__dict__["_history"] = load_history(self.inventory, self.config, self.use_cache,
                                                             self.__dict__.pop("_history_ahead", None))
        return found

    def stop_history_prefetch(self) -> None:
        """Stop the ``git log`` a cold scan started ahead when the history was never asked for
        (its findings were stored, or the command failed first); nothing otherwise."""
        ahead = self.__dict__.pop("_history_ahead", None)
        if ahead is not None:
            ahead.close()

    @property
    def test_evidence(self) -> "EvidenceIndex":
        """What the test files exercise, by their imports and names (see :mod:`repo_roles.testrefs`)."""
        return self.test_index.evidence()

    def _build_test_evidence(self) -> "EvidenceIndex":
        from repo_roles.testrefs.evidence import build_index

        index = self.__dict__.get("_test_index")
        mapped = index.mapped_tests(self.inventory.paths) if index is not None else []
        return build_index(self, mapped)

    def _defines_code(self, path: str) -> Optional[bool]:
        """Whether a Python module defines a function or class (from the coverage stage when
        this run has it, else read; None when unreadable)."""
        from repo_roles.coverage.analyze import computed_coverage
        from repo_roles.coverage.test_presence import DATA_ONLY_READ_LIMIT, defines_code

        known = computed_coverage(self)
        found = known.defines_code(path) if known is not None else None
        if found is None:
            data = self.inventory.read_bytes(path, DATA_ONLY_READ_LIMIT)
            found = None if data is None else defines_code(data)
        return found


    @property
    def modules_needing_tests(self) -> Mapping[str, Tuple[str, ...]]:
        """Target modules that need a test -> the test files found (see
        :func:`~repo_roles.coverage.test_presence.modules_needing_tests`); shared by TST001 and
        the audit's test figures."""
        found = self.__dict__.get("_modules_needing_tests")
        if found is None:
            from repo_roles.coverage.test_presence import modules_needing_tests

            found = self.__dict__["_modules_needing_tests"] = modules_needing_tests(self)
        return found


def _filter_entries(inventory: Inventory, config: Config, use_cache: bool = False) -> Inventory:
    """Apply the config's include/exclude globs (gitignore-style) once, up front; ``use_cache``:
    the rows they leave out, remembered by the path list's digest and the globs
    (:func:`_remembered_mask`), so a run on a path list seen before makes no pass over it."""
    if not config.include and not config.exclude:
        return inventory
    mask = _remembered_mask(inventory, config) if use_cache else _filter_mask(inventory.paths, config)
    return inventory if mask is None else inventory.keep(mask)


_MASK_MAGIC = b"repo-roles filter mask 1\n"
_MASKS_KEPT = 16  # path lists x configurations remembered per cache directory
_MASK_MAX_ROWS = 1 << 24  # a stored mask is read only up to this many numbers (64 MiB)


def _remembered_mask(inventory: Inventory, config: Config) -> Optional[List[bool]]:
    """:func:`_filter_mask` of the inventory's paths, from the entry stored under a key of the
    path list's digest (known without cutting git's listing when the stored-run key told it),
    the globs and the code that matches them (a damaged or truncated entry is a miss); else
    worked out and stored: the numbers of the rows left out, checksummed."""
    import hashlib
    from array import array

    from repo_roles import codestamp, globs, linear
    from repo_roles.cachedir import cache_directory
    from repo_roles.safeio import UnsafeReadError, read_regular

    # the globs' translation and the matcher they compile to are the code that decides
    code = codestamp.stamp(_MASK_MAGIC, [Path(globs.__file__), Path(linear.__file__), Path(__file__)])
    key = hashlib.sha1(code + _json_bytes([inventory.paths_digest(), config.include, config.exclude])).hexdigest()
    path = cache_directory(config, inventory.project_root) / "filter-masks" / f"{key}.mask"
    try:  # never through a link, never a FIFO, never more than a mask of _MASK_MAX_ROWS rows
        data = read_regular(path, max_size=len(_MASK_MAGIC) + 20 + 4 * _MASK_MAX_ROWS)
    except (OSError, UnsafeReadError):
        data = b""
    body = data[len(_MASK_MAGIC) + 20:]
    if data.startswith(_MASK_MAGIC) and len(body) % 4 == 0 and len(body) >= 4 and \
            hashlib.sha1(body).digest() == data[len(_MASK_MAGIC):len(_MASK_MAGIC) + 20]:
        rows = array("I", body)
        if len(rows) == 1:  # every path kept: the listing is not even cut
            return None
        if rows[0] == len(inventory.paths) and max(rows[1:]) < rows[0]:  # at C speed
            mask = [True] * rows[0]
            for row in rows[1:]:
                mask[row] = False
            return mask
    mask = _filter_mask(inventory.paths, config)
    rows = array("I", [len(inventory.paths)])
    if mask is not None:
        rows.extend(compress(range(len(mask)), map(not_, mask)))
    body = rows.tobytes()
    from repo_roles.atomic import AtomicWriteError, write_atomic
    from repo_roles.cachedir import keep_newest

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, _MASK_MAGIC + hashlib.sha1(body).digest() + body)
    except (AtomicWriteError, OSError):
        return mask
    keep_newest(path.parent, ".mask", _MASKS_KEPT)
    return mask


def _json_bytes(value: object) -> bytes:
    import json

    return json.dumps(value, sort_keys=True).encode("utf-8", "surrogateescape")


def _filter_mask(paths: Sequence[str], config: Config) -> Optional[List[bool]]:
    """Which of ``paths`` the include/exclude globs keep; None when they keep every one."""
    if not config.include and not config.exclude:
        return None
    # One combined regex per list (gitignore semantics, negations included), run over every path
    # by C-level map/compress: no Python-level loop over 100,000 entries.
    found: Optional[List[bool]] = None
    for globs, keep in ((config.include, True), (config.exclude, False)):
        if globs:
            mask = GlobSet(globs, last_wins=True).mask(paths, matched=keep)
            if not all(mask):  # usually nothing is excluded: keep the inventory as it is
                found = list(map(bool, mask)) if found is None else list(map(and_, found, mask))
    return found


def _few_files_inventory(project_root: Path, config: Config) -> Optional[Inventory]:
    """A run on given files: the project's paths from the table of git's names listing
    (:mod:`repo_roles.fewfiles`, made and stored when missing), so no stage reads the whole path
    list; None when git's listings cannot serve one (the usual inventory then)."""
    from repo_roles.cachedir import cache_directory, key_of_paths
    from repo_roles.fewfiles.listing import few_inventory
    from repo_roles.inventory import git_toplevel, paths_digest

    top = git_toplevel(Path(project_root))
    if top is None:
        return None
    root = Path(project_root).resolve()
    rel = root.relative_to(top).as_posix()
    return few_inventory(root, top, "" if rel == "." else rel + "/", cache_directory(config, root),
                         config.include, config.exclude, lambda paths: _filter_mask(paths, config),
                         lambda kept: {"paths_digest": paths_digest(kept), "project_key": key_of_paths(kept)})


Files = Union[Sequence[str], Callable[[], Sequence[str]]]  # the target paths, or how to get them
_PATH, _BLOB = attrgetter("path"), attrgetter("blob")
SNIFF_CACHE_MIN_FILES = 2000  # below this, reading the heads costs less than opening the cache
_FEW_UNTRUSTED = 256  # more symlinks, submodules and modified files: one membership pass over the paths


class _ContentCaches(NamedTuple):
    sniffs: "SniffMemo"  # content facts by blob id
    store: "DocCache"  # the open cache database both are read from and written to
    roles: "RoleMemo"  # whole classifications by (path, blob id)
    roles_salt: str  # fingerprint of the [roles] globs the role rows depend on
    # git's attributes to store under this key (asked of git this run), else None
    attributes: Optional[Tuple[str, Callable[[], Dict[str, Dict[str, str]]]]] = None

    def save(self, paths: Sequence[str], found: Mapping[str, Classification]) -> None:
        """Write the tables that changed (the store stays open: ownership reads its own);
        ``found``: every path's classification, for the positional role table."""
        from repo_roles import columns
        from repo_roles.classify import rolecache

        for suffix, data in self.roles.positional_snapshot(paths, found):
            self.store.put_snapshot(rolecache.POSITIONAL + suffix, self.roles.positional_salt or "", data)

        if self.attributes is not None:
            from repo_roles.classify import attrcache

            key, answer = self.attributes
            self.store.put_snapshot(attrcache.KIND, key, attrcache.encode(answer()))
        for kind, salt, writes in (("sniff", self.store.salt, self.sniffs.snapshot()),
                                   ("roles", self.roles_salt, self.roles.snapshot())):
            for suffix, data in writes:  # the whole table, or only the rows learned (its delta)
                self.store.put_snapshot(kind + suffix, salt, data)
        if not self.sniffs.loaded:  # still in use, though this run needed none of it
            for kind in ("sniff", "sniff" + columns.DELTA):
                self.store.touch_snapshot(kind)


def _sniff_store(inventory: Inventory, config: Config, targets: List[FileEntry]) -> Optional[_ContentCaches]:
    """The classifier's caches for a large run: content
    facts by blob id, and the whole classifications of files decided by path and content alone.

    Only clean tracked files take part: a file git reports modified has an index blob id that
    does not describe its content (and without git's answer, no index id is trusted).
    """
    if len(targets) <= SNIFF_CACHE_MIN_FILES:
        return None
    from repo_roles import columns
    from repo_roles.classify import rolecache, sniffcache
    from repo_roles.coverage.analyze import worktree_diff
    from repo_roles.cachedir import cache_directory, project_key
    from repo_roles.coverage.store import DocCache

    diff = worktree_diff(inventory, len(targets))
    store = DocCache(cache_directory(config, inventory.project_root), sniffcache.tables_fingerprint(),
                     project_key(inventory))
    # git's attributes: the answer stored under the same sources, else git matches them while
    # this process reads the tables below
    attributes, attributes_key = _stored_attributes(inventory, store)
    salt = rolecache.roles_fingerprint(config)
    # path -> blob id of the tracked regular files, by C-level passes over the entries; a whole
    # scan's targets are its path list, in order: their blob ids are also kept as that column
    column: Optional[List[Optional[str]]] = list(map(_BLOB, targets))
    aligned = len(targets) == len(inventory.paths)
    untrusted = list(inventory.special_kinds())  # symlinks, submodules
    blobs: Mapping[str, str]
    if aligned:  # the column over the path list is the mapping (no 100,000-key dict)
        assert column is not None
        if not all(column):  # untracked files: no blob id
            column = [blob or None for blob in column]
        column = _untrusted_out(inventory.paths, column, untrusted)
        blobs = rolecache.ColumnBlobs(inventory.paths, column)
    else:
        blobs = {path: blob for path, blob in zip(map(_PATH, targets), column) if blob}  # type: ignore[misc]
        column = None
        for path in untrusted:
            blobs.pop(path, None)  # type: ignore[attr-defined]
    # while git compares the work tree (and matches attributes): the positional role table of
    # this path list, attributes and package.json files, else the table by path
    positional = decided = None
    at_salt = _positional_salt(inventory, salt, attributes_key, blobs) if len(targets) == len(inventory.paths) else None
    if at_salt is not None:
        positional = rolecache.decode_positional(
            store.read_snapshot(rolecache.POSITIONAL, at_salt), at_salt, len(targets), config,
            store.read_snapshot(rolecache.POSITIONAL + columns.DELTA, at_salt))

    def by_path() -> Optional[rolecache.StoredRoles]:
        return rolecache.decode_snapshot(store.read_snapshot("roles", salt), config,
                                         store.read_snapshot("roles" + columns.DELTA, salt))

    if positional is None:
        decided = by_path()
    modified = diff.result()
    if modified is None:
        store.close()
        return None
    if column is not None:  # dirty files: their index blob id does not describe them
        blobs = rolecache.ColumnBlobs(inventory.paths, _untrusted_out(inventory.paths, column, modified))
        column = blobs.column
    else:
        for path in modified:
            blobs.pop(path, None)  # type: ignore[attr-defined]
    if positional is not None and any(path.rpartition("/")[2] == "package.json" for path in modified):
        # a contextual row's key names its package.json's trusted blob id: ask the table by path
        positional, decided = None, by_path()
    # The content facts are read only if a clean file is classified afresh (the role table misses).
    sniffs = sniffcache.SniffMemo(blobs, lambda: tuple(  # type: ignore[arg-type,return-value]
        sniffcache.decode_snapshot(store.read_snapshot(kind, store.salt)) for kind in ("sniff", "sniff" + columns.DELTA)))
    return _ContentCaches(sniffs, store, rolecache.RoleMemo(blobs, decided, positional, at_salt, column), salt,
                          attributes)


def _untrusted_out(paths: List[str], column: List[Optional[str]], untrusted: Sequence[str]) -> List[Optional[str]]:
    """``column`` (the blob ids aligned with ``paths``) with None at the ``untrusted`` paths'
    rows, found by bisection (git lists paths in order; a row found elsewhere is looked for by
    a scan), or, for many of them, by one C-level membership pass."""
    if len(untrusted) > _FEW_UNTRUSTED:
        column = list(column)
        for at in compress(range(len(paths)), map(frozenset(untrusted).__contains__, paths)):
            column[at] = None
        return column
    for path in untrusted:
        at = bisect_left(paths, path)
        if at >= len(paths) or paths[at] != path:
            try:
                at = paths.index(path)
            except ValueError:  # not a path of the list
                continue
        column[at] = None
    return column


def _positional_salt(inventory: Inventory, salt: str, attributes_key: Optional[str],
                     blobs: Mapping[str, str]) -> Optional[str]:
    """The key of the positional role table (``rolecache.positional_salt``) of a whole scan;
    None when the attributes' sources have no key."""
    from repo_roles.classify import rolecache

    if attributes_key is None:
        return None
    manifests = [(path, blobs.get(path)) for path in inventory.ending_with("package.json")
                 if path.rpartition("/")[2] == "package.json"]
    return rolecache.positional_salt(salt, inventory.paths_digest(), attributes_key, manifests)


def _stored_attributes(inventory: Inventory, store: "DocCache"
                       ) -> Tuple[Optional[Tuple[str, Callable[[], Dict[str, Dict[str, str]]]]], Optional[str]]:
    """Seed the inventory with git's attributes stored under the same sources
    (``classify.attrcache``); else start git on them and give the key and how to get git's
    answer, to be stored.  Second: the key of the sources ("-" when no attributes file
    applies, None when they have no key)."""
    if not inventory.attributes_may_apply():
        return None, "-"  # no attributes file: no check-attr runs anyway
    from repo_roles.classify import attrcache

    key = attrcache.sources_key(inventory, ATTRIBUTES)
    stored = attrcache.decode(store.read_snapshot(attrcache.KIND, key)) if key is not None else None
    if stored is not None:
        inventory.seed_attributes(ATTRIBUTES, stored)
        return None, key
    inventory.prefetch_attributes(ATTRIBUTES)
    return (None if key is None else (key, lambda: inventory.attributes(ATTRIBUTES))), key


def scan(
    path: Path,
    *,
    config_path: Optional[str] = None,
    untracked: Optional[bool] = None,
    files: Optional[Files] = None,
    repository_checks: Optional[bool] = None,
    use_cache: bool = True,
    progress: Optional[object] = None,
    early_coverage: bool = False,
) -> ScanContext:
    """Scan ``path`` and return the context (no rule runs here: commands hand the context to
    :func:`repo_roles.checks.engine.run_checks`).

    ``files`` (project-relative paths) narrows the targets to those files, as a pre-commit call
    does (a callable is asked for them once the inventory is read: ``check --diff-base`` lets
    git compare the work tree meanwhile); otherwise the targets are every file in the scanned scope.  Repository-wide rules run
    by default on a scan of the whole project and not on a sub-path or a file list.
    """
    project_root, scope, config_file = locate_project(path, config_path)
    return scan_project(
        project_root, load_config(config_file, remember=use_cache), scope=scope, untracked=untracked,
        files=files, repository_checks=repository_checks,
        use_cache=use_cache, progress=progress, early_coverage=early_coverage,
    )


def scan_project(
    project_root: Path,
    config: Config,
    *,
    scope: str = "",
    untracked: Optional[bool] = None,
    files: Optional[Files] = None,
    repository_checks: Optional[bool] = None,
    use_cache: bool = True,
    progress: Optional[object] = None,
    inventory: Optional[Inventory] = None,
    early_coverage: bool = False,
) -> ScanContext:
    """:func:`scan` with the project root and configuration already chosen.

    ``init`` scans the directory it is about to configure, with the starter configuration,
    before any configuration file exists there.  ``progress`` (an observer with ``stage(name)``)
    hears "inventory", "classification" and "ownership" as each starts, and stays on the
    context for the stages run later (documentation reports ``step(name, done, total)``).
    ``inventory``, when given, is the project's file list as :func:`load_inventory` returned it
    for ``scope`` and ``untracked`` (a command that looked up a stored run has read it already).
    ``early_coverage`` (a whole scan: ``audit``) starts the documentation stage's workers and the
    history's ``git log`` before classification (see :meth:`ScanContext.stop_history_prefetch`).
    """
    stage = getattr(progress, "stage", None) or (lambda name: None)
    stage("inventory")
    if use_cache:  # the classification tables as a former run read them: no TOML parse, no pathspec
        from repo_roles.classify.tables import remember_tables

        remember_tables()
    untracked = config.untracked if untracked is None else untracked
    if inventory is None and files is not None and use_cache and not scope and not untracked:
        inventory = _few_files_inventory(project_root, config)  # given files: the path table, filtered
        if inventory is None:
            inventory = _filter_entries(load_inventory(project_root, untracked=untracked), config)
    else:
        if inventory is None:  # else the command read it already (see repo_roles.runcache)
            inventory = load_inventory(project_root, scope=scope, untracked=untracked)
        inventory = _filter_entries(inventory, config, use_cache)
    # interrogate's own table ([tool.interrogate]) when [docs.python] counting asks for it
    config = apply_interrogate_config(config, lambda name: inventory.read_bytes(name, MAX_CONFIG_SIZE))
    if files is not None:
        wanted = set(files() if callable(files) else files)
        targets = inventory.pick(wanted)
    else:
        targets = inventory.in_scope()
    whole = files is None and not scope
    early = ahead = None
    if whole and early_coverage:  # before any other subprocess: the pool's workers fork now
        from repo_roles.coverage import early as early_stage

        early = early_stage.start(inventory, config, targets, use_cache, progress)
        from repo_roles.history.stage import prefetch_history

        ahead = prefetch_history(inventory, config, use_cache)  # the audit shows the history: git log runs meanwhile
    try:
        # a whole scan's targets are the inventory's entries: their paths are its path list
        target_paths = inventory.paths if whole else [e.path for e in targets]
        stage("classification")
        caches = _sniff_store(inventory, config, targets) if whole and use_cache else None
        if whole:  # git matches the attributes while the caches are read (unless they hold its answer)
            inventory.prefetch_attributes(ATTRIBUTES)
        classifier = Classifier(config, inventory, targets=None if whole else target_paths,
                                sniffs=caches.sniffs if caches is not None else None,
                                roles=caches.roles if caches is not None else None)
        if whole:
            classifications: Mapping[str, Classification] = classifier.classify_all()
            if caches is not None:
                caches.save(inventory.paths, classifications)
                # The stored tables served their purpose (a later question reads the file again):
                # not kept for the rest of the run (~35 MB per 100,000 files).
                classifier.sniffs = None
                caches.roles.release()
        else:
            classifications = LazyClassifications(classifier, inventory.paths)
        stage("ownership")
        ownership = resolve_ownership(inventory, config, target_paths, caches.store if caches is not None else None,
                                       use_cache=use_cache)
        if caches is not None:
            caches.store.close()
        context = ScanContext(
            config,
            inventory,
            classifier,
            classifications,
            ownership,
            targets,
            whole if repository_checks is None else repository_checks,
            use_cache=use_cache,
            progress=progress,
            context_from_index=files is not None,
        )
        if early is not None:
            context.__dict__["_early_coverage"] = early
        if ahead is not None:
            context.__dict__["_history_ahead"] = ahead
        return context
    except BaseException:
        if ahead is not None:  # the run ends here: git log is not left reading on
            ahead.close()
        raise
