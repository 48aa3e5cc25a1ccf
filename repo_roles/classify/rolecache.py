"""Whole classifications remembered by path and git blob id, for files decided by themselves.

A file's role is a function of its path, its content (the blob id), the built-in tables and the
config's ``[roles]`` globs; :func:`roles_fingerprint` covers the last two.  Decisions that also
looked elsewhere are never stored: a git attribute set on the file (attributes are read every
run), a JS/TS side taken from a package.json or a directory name (the probe says so), and files
whose blob id is not trusted (dirty, untracked; the caller gives only trusted ids).
"""

from __future__ import annotations

import hashlib
import json
from typing import Dict, List, Mapping, Optional, Tuple

from repo_roles import roles as R
from repo_roles.classify.results import CONFIG_GLOB, SIGNAL_ORDER, Classification
from repo_roles.classify.sniffcache import tables_fingerprint
from repo_roles.config.model import Config
from repo_roles import columns

ROLE_FORMAT = 3
_ROLES = frozenset(R.ROLES)
_SIGNALS = frozenset(SIGNAL_ORDER)


def roles_fingerprint(config: Config) -> str:
    """The tables' fingerprint plus the config's ``[roles]`` globs.

    Not where the globs were written: a ``config-glob`` decision is stored without its source
    (``"repo-roles.toml:6"``, named relative to the working directory) and gets the current one
    when read back, so running from another directory, or moving the line, keeps the cache.
    """
    roles = [(role, list(globs)) for role, globs in config.roles.items()]
    digest = hashlib.sha1(f"roles-{ROLE_FORMAT}-{tables_fingerprint()}\0".encode())
    digest.update(json.dumps(roles, sort_keys=True).encode())
    return digest.hexdigest()[:16]


class RoleMemo:
    """Stored classifications of the paths whose blob id is trusted, and the ones learned now."""

    def __init__(self, blobs: Mapping[str, str], stored: Mapping[str, Tuple[str, Classification]]) -> None:
        """``blobs``: path -> trusted blob id; ``stored``: path -> (blob id, classification)."""
        self._blobs = blobs
        self._stored = stored
        self._fresh: Dict[str, Tuple[str, Classification]] = {}
        self._hits = 0
        self.live: List[str] = []  # the paths classified afresh this run (warm and clean: few)

    def get(self, path: str) -> Optional[Classification]:
        """The stored classification of ``path``'s current content, if any."""
        found = self._stored.get(path)
        if found is None or self._blobs.get(path) != found[0]:
            return None
        self._hits += 1
        return found[1]

    def record(self, path: str, decided: Classification) -> None:
        """A classification that depended on nothing but the path, the content and the fingerprint."""
        blob = self._blobs.get(path)
        if blob is not None:
            if decided.signal == CONFIG_GLOB:
                decided = decided._replace(source=None)  # filled in from the config when read
            self._fresh[path] = (blob, decided)

    def snapshot(self) -> Optional[bytes]:
        """The table to store, or None when the stored one is still good (nothing learned, and
        rows of deleted or changed files are under a quarter of it)."""
        if not self._fresh and len(self._stored) - self._hits <= self._hits // 4:
            return None
        blobs = self._blobs
        rows = {path: _stored_form(row) for path, row in self._stored.items() if blobs.get(path) == row[0]}
        rows.update(self._fresh)
        return columns.encode([list(rows), [blob for blob, _ in rows.values()]],
                              [list(decided) for _, decided in rows.values()])


def _stored_form(row: Tuple[str, Classification]) -> Tuple[str, Classification]:
    blob, decided = row
    return (blob, decided._replace(source=None)) if decided.signal == CONFIG_GLOB else row


def decode_snapshot(data: Optional[bytes], config: Config) -> Dict[str, Tuple[str, Classification]]:
    """A stored table back as ``{path: (blob id, classification)}``; a row naming an unknown
    role or signal, or a malformed table, is left out (those files are classified again).
    ``config-glob`` decisions get their source from ``config``, as the classifier gives it."""
    table = columns.decode(data, 2)
    if table is None:
        return {}
    (paths, blobs), values, index = table
    decided: List[Optional[Classification]] = [_classification(value, config) for value in values]
    if None in decided:
        return {path: (blob, decided[i]) for path, blob, i in zip(paths, blobs, index)  # type: ignore[misc]
                if decided[i] is not None}
    return dict(zip(paths, zip(blobs, map(decided.__getitem__, index))))  # type: ignore[arg-type]


def _classification(value: object, config: Config) -> Optional[Classification]:
    if not (isinstance(value, list) and len(value) == 4):
        return None
    role, signal, detail, source = value
    if not (type(role) is str and type(signal) is str and role in _ROLES and signal in _SIGNALS
            and type(detail) is str and (source is None or type(source) is str)):
        return None
    if signal == CONFIG_GLOB:
        if role not in config.roles:
            return None  # cannot be: the fingerprint covers [roles]; never trusted anyway
        source = config.source_of("roles", role)
    return Classification(role, signal, detail, source)
