"""What a file's head told the classifier, remembered by git blob id across runs.

The content facts (a generated-code header; a JS/TS directive and import verdict; the
identify tags of a shebang line) depend only
on the bytes and on the classification tables, so a warm run of an unchanged file needs no read.
This module holds them in memory as compact JSON per blob; the caller loads and stores the rows
(``repo_roles.coverage.store``) and gives only blob ids it trusts: a file that is dirty in the
work tree has an index blob id that does not describe its content, and must not be passed.
"""

from __future__ import annotations

import hashlib
import json
from typing import Callable, Dict, List, Mapping, Optional, Tuple, Union

from repo_roles import __version__
from repo_roles.classify import sniff
from repo_roles.classify.results import Hit
from repo_roles.classify.tables import TABLES_FILE, rules_dir
from repo_roles import columns

SNIFF_FORMAT = 5  # 4: minified .js/.css are a HEADER fact; 5: header rules scoped by extension
HEADER, DIRECTIVE, IMPORTS, SHEBANG = "g", "d", "i", "s"  # the facts, as stored
_dumps = json.JSONEncoder(separators=(",", ":"), sort_keys=True).encode


def tables_fingerprint() -> str:
    """A short hash of what changes a fact: the built-in tables, tool version, format, head size."""
    digest = hashlib.sha1(f"sniff-{SNIFF_FORMAT}-{__version__}-{sniff.HEAD_LIMIT}\0".encode())
    digest.update((rules_dir() / TABLES_FILE).read_bytes())
    return digest.hexdigest()[:16]


def _decode(text: object) -> Dict[str, object]:
    """The facts of one stored verdict; anything malformed is no facts (the file is read again)."""
    try:
        data = json.loads(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    facts: Dict[str, object] = {}
    for key, value in data.items():
        if key == HEADER and (value is None or type(value) is str):
            facts[key] = value
        elif key in (DIRECTIVE, IMPORTS) and (
            value is None or isinstance(value, list) and len(value) == 2 and all(type(v) is str for v in value)
        ):
            facts[key] = tuple(value) if value is not None else None
        elif key == SHEBANG and (value is None or isinstance(value, list) and all(type(v) is str for v in value)):
            facts[key] = tuple(value) if value is not None else None
        else:
            return {}
    return facts


class SniffMemo:
    """Facts per path, for the paths whose blob id describes their content."""

    def __init__(self, blobs: Mapping[str, str],
                 stored: Union[Mapping[str, str], Callable[[], Tuple[Dict[str, str], Dict[str, str]]]]) -> None:
        """``blobs``: path -> trusted blob id; ``stored``: blob id -> verdict text from the cache,
        or how to read it, as ``(base table, delta)`` (asked when a trusted file first needs its
        facts: a warm run whose changed files are all dirty reads none)."""
        self._blobs = blobs
        self._load = stored if callable(stored) else None
        self._stored: Dict[str, str] = {} if callable(stored) else dict(stored)
        self._base, self._delta = len(self._stored), {}  # type: Tuple[int, Dict[str, str]]
        self._facts: Dict[str, Dict[str, object]] = {}
        self._changed: Dict[str, Dict[str, object]] = {}

    @property
    def loaded(self) -> bool:
        """Whether the stored table was read (a file needed its facts)."""
        return self._load is None

    def known(self, path: str) -> Optional[Dict[str, object]]:
        """The facts stored for ``path``'s content (decoded on first ask); None: do not cache it."""
        blob = self._blobs.get(path)
        if blob is None:
            return None
        facts = self._facts.get(blob)
        if facts is None:
            if self._load is not None:
                base, self._delta = self._load()
                self._base, self._load = len(base), None
                base.update(self._delta)
                self._stored = base
            facts = self._facts[blob] = _decode(self._stored.get(blob))
        return facts

    def record(self, path: str, name: str, value: object) -> None:
        """A fact learned from ``path``'s head (``known(path)`` was not None): stored at the end."""
        blob = self._blobs[path]
        facts = self._facts[blob]
        facts[name] = value
        self._changed[blob] = facts

    def snapshot(self) -> List[Tuple[str, bytes]]:
        """``(kind suffix, table)`` to write: nothing when the stored tables are still good
        (nothing learned, and blobs no longer in the project under a quarter of them); the
        delta (``columns.DELTA``) when a few verdicts were learned; else the whole table and
        an empty delta."""
        if self._load is not None:  # never read: nothing learned, nothing to prune
            return []
        current = set(self._blobs.values())
        kept = sum(map(current.__contains__, self._stored))
        pruned = len(self._stored) - kept <= kept // 4
        if pruned and not self._changed:
            return []
        if pruned:
            delta = {blob: text for blob, text in self._delta.items() if blob in current}
            delta.update((blob, _dumps(facts)) for blob, facts in self._changed.items())
            if columns.delta_fits(len(delta), self._base):
                return [(columns.DELTA, columns.encode([list(delta)], list(delta.values())))]
        verdicts = {blob: text for blob, text in self._stored.items() if blob in current}
        verdicts.update((blob, _dumps(facts)) for blob, facts in self._changed.items())
        return [("", columns.encode([list(verdicts)], list(verdicts.values()))), (columns.DELTA, columns.encode([[]], []))]


def decode_snapshot(data: Optional[bytes]) -> Dict[str, str]:
    """A stored table back as ``{blob id: verdict text}`` ({} when malformed); each verdict is
    validated when a file asks for it."""
    table = columns.decode(data, 1)
    if table is None:
        return {}
    (blobs,), values, index = table
    return dict(zip(blobs, map(values.__getitem__, index)))  # type: ignore[arg-type]


def hit_of(value: object, source: str) -> Optional[Hit]:
    """A stored ``(role, detail)`` back as the hit the tables' signal gives."""
    return Hit(value[0], value[1], source) if value is not None else None  # type: ignore[index]
