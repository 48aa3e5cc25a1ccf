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
from repo_roles.classify.results import SIGNAL_ORDER, Classification
from repo_roles.classify.sniffcache import tables_fingerprint
from repo_roles.config.model import Config

ROLE_FORMAT = 1
# (path, blob, role, signal, detail, source) as the store gives and takes them
Row = Tuple[str, str, str, str, str, Optional[str]]
_ROLES = frozenset(R.ROLES)
_SIGNALS = frozenset(SIGNAL_ORDER)


def roles_fingerprint(config: Config) -> str:
    """The tables' fingerprint plus the config's ``[roles]`` globs and the files they came from."""
    roles = [(role, list(globs), config.source_of("roles", role)) for role, globs in config.roles.items()]
    digest = hashlib.sha1(f"roles-{ROLE_FORMAT}-{tables_fingerprint()}\0".encode())
    digest.update(json.dumps(roles, sort_keys=True).encode())
    return digest.hexdigest()[:16]


class RoleMemo:
    """Stored classifications of the paths whose blob id is trusted, and the ones learned now."""

    def __init__(self, blobs: Mapping[str, str], stored: Mapping[str, Tuple[str, Classification]]) -> None:
        """``blobs``: path -> trusted blob id; ``stored``: path -> (blob id, classification)."""
        self._blobs = blobs
        self._stored = stored
        self._fresh: List[Row] = []
        self.live: List[str] = []  # the paths classified afresh this run (warm and clean: few)

    def get(self, path: str) -> Optional[Classification]:
        """The stored classification of ``path``'s current content, if any."""
        found = self._stored.get(path)
        if found is None or self._blobs.get(path) != found[0]:
            return None
        return found[1]

    def record(self, path: str, decided: Classification) -> None:
        """A classification that depended on nothing but the path, the content and the fingerprint."""
        blob = self._blobs.get(path)
        if blob is not None:
            self._fresh.append((path, blob, *decided))  # type: ignore[arg-type]

    def fresh(self) -> List[Row]:
        return self._fresh


def decode_rows(rows: List[Row]) -> Dict[str, Tuple[str, Classification]]:
    """Stored rows back as classifications; a row naming an unknown role or signal is skipped."""
    found: Dict[str, Tuple[str, Classification]] = {}
    for path, blob, role, signal, detail, source in rows:
        if role in _ROLES and signal in _SIGNALS:
            found[path] = (blob, Classification(role, signal, detail, source))
    return found
