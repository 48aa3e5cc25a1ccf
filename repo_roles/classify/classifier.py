"""The :class:`Classifier`: compiles the tables and the config once, then classifies paths."""

from __future__ import annotations

from contextlib import contextmanager
from operator import attrgetter
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence

from repo_roles.classify.jsside import JsSide
from repo_roles.classify.probe import Probe
from repo_roles.classify.results import NOT_REACHED, Classification, SignalTrace
from repo_roles.classify.rolecache import RoleMemo, attributes_key, context_key
from repo_roles.classify.signals import ATTRIBUTES, Signals
from repo_roles.classify.sniffcache import SniffMemo
from repo_roles.classify.tables import Tables, load_tables
from repo_roles.config.model import Config


_PATH = attrgetter("path")


class _Attributes:
    """The git attributes the signals read, fetched once on first use.

    A separate object (not a bound method of the classifier) so the classifier and its signals
    hold no reference cycle: the whole scan is freed by reference counting when it ends,
    instead of waiting for (and paying for) a cyclic garbage collection over 100,000 entries.
    """

    def __init__(self, inventory: Any, targets: Optional[List[str]]) -> None:
        self._inventory = inventory
        self._targets = targets
        self._found: Optional[Dict[str, Dict[str, str]]] = None

    def __call__(self) -> Dict[str, Dict[str, str]]:
        if self._found is None:
            if self._targets is None:
                self._found = dict(self._inventory.attributes(list(ATTRIBUTES)) or {})
            else:
                self._found = dict(self._inventory.attributes(list(ATTRIBUTES), self._targets) or {})
        return self._found


class _Paths:
    """The inventory's paths and the kinds that are not "file", gathered on first use."""

    def __init__(self, inventory: Any) -> None:
        self._inventory = inventory
        self._special: Optional[Dict[str, str]] = None

    def kind(self, path: str) -> str:
        """The entry's kind; "file" for regular files and for paths outside the inventory."""
        if self._special is None:
            # Symlinks and submodules are rare: keep those, not a dict of 100,000 paths.
            special = getattr(self._inventory, "special_kinds", None)
            if special is not None:
                self._special = special()
            else:  # a stand-in inventory (tests): its entries as given
                self._special = {e.path: e.kind for e in self._inventory.entries if e.kind != "file"}
        return self._special.get(path, "file")

    def __call__(self) -> Iterable[str]:
        """Every path, in inventory order."""
        paths = getattr(self._inventory, "paths", None)
        return paths if paths is not None else map(_PATH, self._inventory.entries)


# Up to FEW_FRESH files decided afresh, and at most 1/FRESH_SHARE of the run: their heads are
# read, the facts table is not.
FEW_FRESH = 64
FRESH_SHARE = 16
# From this many paths classified afresh, the path signals that allow it answer them all at once.
BULK_MIN = 256


class Classifier:
    """One role and the deciding signal for every file of an inventory.

    ``inventory`` needs ``entries`` (``.path``, ``.kind``), ``read_head(path, limit)``,
    ``read_bytes(path, max_size)`` and ``attributes(names)``; git attributes are asked for once,
    for all files, the first time a file is classified.
    """

    def __init__(
        self,
        config: Config,
        inventory: Any,
        *,
        tables: Optional[Tables] = None,
        targets: Optional[Sequence[str]] = None,
        sniffs: Optional[SniffMemo] = None,
        roles: Optional[RoleMemo] = None,
    ) -> None:
        """``targets``: the only paths whose attributes are fetched (a pre-commit run on a few
        files); ``None`` fetches them for the whole inventory in one call.  ``sniffs``: content
        facts remembered by blob id (see ``sniffcache``), so unchanged files are not read.
        ``roles``: whole classifications remembered by path and blob id (see ``rolecache``)."""
        self.config = config
        self.inventory = inventory
        self.tables = tables if tables is not None else load_tables()
        # Nothing here walks the inventory: a pre-commit run on 5 files of 100,000 indexes
        # paths only when a signal needs them (kinds on the first classification).
        self._paths = _Paths(inventory)
        js = JsSide(self.tables.js, self._paths, inventory.read_bytes, self.tables.source)
        attributes = self._attributes = _Attributes(inventory, list(targets) if targets is not None else None)
        self._signals = Signals(config, self.tables, js, attributes)
        self._order = self._signals.in_order()
        self.sniffs = sniffs
        self.roles = roles
        self._context_keys: Dict[str, Optional[str]] = {}  # directory -> its context key

    def _probe(self, path: str) -> Probe:
        # A path outside the inventory (a what-if from `explain`) is treated as a regular file.
        return Probe(path, self._paths.kind(path), self.inventory.read_head, {}, self.sniffs)

    def classify(self, path: str) -> Classification:
        return self._decide(self._probe(path))

    def _decide(self, probe: Probe) -> Classification:
        for signal, run in self._order:
            hit = run(probe)
            if hit is not None:
                return Classification(hit.role, signal, hit.detail, hit.source)
        raise AssertionError("the fallback signal always matches")  # pragma: no cover

    def classify_all(self) -> Dict[str, Classification]:
        """Every inventory entry, keyed by path (in inventory order)."""
        classify = self.classify
        memo = self.roles
        if memo is None:
            paths = self._paths()
            paths = paths if isinstance(paths, list) else list(paths)
            with self._bulk(paths):
                return {path: classify(path) for path in paths}
        # A stored decision names the attributes it saw, and the package.json a contextual JS/TS
        # side came from: a change to either is a miss (see ``rolecache``).
        attributes = self._attributes()
        known, probe_of, decide = memo.get, self._probe, self._decide
        context = self._context_key
        # The rows stored under the blob id alone are taken in C-level passes; the rest (changed
        # files, attributes, contextual decisions) are looked at one by one.
        paths = self._paths()
        found, left = memo.plain_hits(paths if isinstance(paths, list) else list(paths), attributes)
        # rows decided under a package context that is still the directory's: one tight pass
        taken, left = memo.context_hits(left, attributes, context)
        found.update(taken)
        if (len(left) <= FEW_FRESH and len(left) * FRESH_SHARE <= len(found) and self.sniffs is not None
                and not self.sniffs.loaded):
            # a few files of many decided afresh (a committed edit: clean, new blob ids): reading
            # their heads costs less than reading the project's table of content facts
            self.sniffs = None
        with self._bulk(left):
            for path in left:
                attrs = attributes.get(path)
                qualifier = attributes_key(attrs) if attrs else ""
                decided = known(path, qualifier, context)
                if decided is None:
                    probe = probe_of(path)
                    decided = decide(probe)
                    memo.live.append(path)
                    memo.record(path, decided, qualifier, context(path) if probe.contextual else "")
                found[path] = decided
        return found  # type: ignore[return-value]

    @contextmanager
    def _bulk(self, paths: List[str]) -> Iterator[None]:
        """Signals answered for many paths at once while they are classified (see
        ``Signals.bulk_config_globs``): worth it from :data:`BULK_MIN` paths on."""
        if len(paths) < BULK_MIN:
            yield
            return
        self._signals.bulk_config_globs(paths, self._paths.kind)
        self._signals.bulk_tables(paths, self._paths.kind)
        try:
            yield
        finally:
            self._signals.end_bulk()

    def _context_key(self, path: str) -> Optional[str]:
        """:func:`rolecache.context_key` of ``path``: its nearest package.json and blob id, and
        the other context the signals looked at (backend manifest, test folder's code) -- all
        of it the directory's, so it is worked out once per directory."""
        directory = path.rpartition("/")[0]
        known = self._context_keys
        if directory in known:
            return known[directory]
        manifest = self._signals.js.manifest_path(directory)
        key = context_key(manifest, self.roles.blobs if self.roles is not None else {})
        found = known[directory] = None if key is None else key + self._signals.context_key(path)
        return found

    def explain(self, path: str) -> List[SignalTrace]:
        """Every signal in order: the misses (with why, when known), the decider, then the rest
        marked ``not reached`` since the first match wins."""
        probe = self._probe(path)
        traces: List[SignalTrace] = []
        decided = False
        for signal, run in self._order:
            if decided:
                traces.append(SignalTrace(signal, False, None, NOT_REACHED, None))
                continue
            hit = run(probe)
            if hit is None:
                traces.append(SignalTrace(signal, False, None, probe.notes.get(signal, "no match"), None))
            else:
                traces.append(SignalTrace(signal, True, hit.role, hit.detail, hit.source))
                decided = True
        return traces
