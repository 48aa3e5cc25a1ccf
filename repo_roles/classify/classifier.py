"""The :class:`Classifier`: compiles the tables and the config once, then classifies paths."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from repo_roles.classify.jsside import JsSide
from repo_roles.classify.probe import Probe
from repo_roles.classify.results import NOT_REACHED, Classification, SignalTrace
from repo_roles.classify.signals import ATTRIBUTES, Signals
from repo_roles.classify.tables import Tables, load_tables
from repo_roles.config.model import Config


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
    ) -> None:
        """``targets``: the only paths whose attributes are fetched (a pre-commit run on a few
        files); ``None`` fetches them for the whole inventory in one call."""
        self.config = config
        self._targets = list(targets) if targets is not None else None
        self.inventory = inventory
        self.tables = tables if tables is not None else load_tables()
        self._kinds: Dict[str, str] = {entry.path: entry.kind for entry in inventory.entries}
        self._attrs: Optional[Dict[str, Dict[str, str]]] = None
        js = JsSide(self.tables.js, self._kinds, inventory.read_bytes, self.tables.source)
        self._signals = Signals(config, self.tables, js, self._attributes)
        self._order = self._signals.in_order()

    def _attributes(self) -> Dict[str, Dict[str, str]]:
        if self._attrs is None:
            if self._targets is None:
                self._attrs = dict(self.inventory.attributes(list(ATTRIBUTES)) or {})
            else:
                self._attrs = dict(self.inventory.attributes(list(ATTRIBUTES), self._targets) or {})
        return self._attrs

    def _probe(self, path: str) -> Probe:
        # A path outside the inventory (a what-if from `explain`) is treated as a regular file.
        return Probe(path, self._kinds.get(path, "file"), self.inventory.read_head, {})

    def classify(self, path: str) -> Classification:
        probe = self._probe(path)
        for signal, run in self._order:
            hit = run(probe)
            if hit is not None:
                return Classification(hit.role, signal, hit.detail, hit.source)
        raise AssertionError("the fallback signal always matches")  # pragma: no cover

    def classify_all(self) -> Dict[str, Classification]:
        """Every inventory entry, keyed by path (in inventory order)."""
        classify = self.classify
        return {path: classify(path) for path in self._kinds}

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
