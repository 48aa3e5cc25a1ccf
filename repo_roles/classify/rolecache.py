"""Whole classifications remembered by path and git blob id, with what else they depended on.

A file's role is a function of its path, its content (the blob id), the built-in tables and the
config's ``[roles]`` globs (:func:`roles_fingerprint` covers the last two) -- and for some files
of two more things, which the stored key names so a later run can check them:

* the git attributes set on the file (read every run): ``<blob> linguist-vendored=set``;
* for a JS/TS side taken from the nearest package.json or a directory name (the probe says it
  looked there), that package.json and its blob id: ``<blob> pkg:web/package.json@<blob>``,
  or ``pkg:-`` when there was none.  A changed, added or removed package.json is a miss.

Files whose blob id is not trusted (dirty, untracked; the caller gives only trusted ids), and
contextual decisions whose package.json is not trusted, are never stored.

A second table (:data:`POSITIONAL`) holds, in the order of the path list, each row's trusted
blob id ("" when none) and classification, under a key of everything a row's key names besides
its own blob: the roles fingerprint, the path list's digest (a contextual decision's backend
manifest and test folder are read from the path list), the attributes' sources
(``classify.attrcache``) and every ``package.json`` with its blob id.  A warm run on the same
path list (any edit of file contents) compares the blob column with the index's at C speed and
classifies only the rows that differ; it neither reads nor writes the table by path, which a
run on another path list reads as before (its rows of files changed since are misses).
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left
from collections.abc import Mapping as MappingBase
from itertools import compress, repeat
from operator import eq, getitem, is_, ne
from typing import Callable, Dict, FrozenSet, Iterable, List, Mapping, NamedTuple, Optional, Sequence, Tuple

from repo_roles import roles as R
from repo_roles.classify.results import CONFIG_GLOB, SIGNAL_ORDER, Classification
from repo_roles.classify.sniffcache import tables_fingerprint
from repo_roles.config.model import Config
from repo_roles import columns

ROLE_FORMAT = 6  # 6: linguist-documentation takes the package side; scoped header rules
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


_CONTEXT = " pkg:"


def attributes_key(attributes: Optional[Mapping[str, str]]) -> str:
    """The part of a stored key that names the file's git attributes ("" for none)."""
    if not attributes:
        return ""
    # git attribute names and values never hold whitespace
    return "".join(f" {name}={value}" for name, value in sorted(attributes.items()))


def context_key(manifest: Optional[str], blobs: Mapping[str, str]) -> Optional[str]:
    """The part of a stored key that names the package.json a JS/TS side came from
    (``manifest``: its path, None when there is none); None when its blob id is not trusted."""
    if manifest is None:
        return _CONTEXT + "-"
    blob = blobs.get(manifest)
    return None if blob is None else f"{_CONTEXT}{manifest}@{blob}"


class StoredRoles(NamedTuple):
    """A stored table as its columns: row ``i`` is ``paths[i]``, stored key ``keys[i]`` and
    classification ``decided[index[i]]`` (None: a value this version does not accept, a miss)."""

    paths: List[str]
    keys: List[str]
    index: Sequence[int]
    decided: List[Optional[Classification]]
    base: int = 0  # rows of the base table; the rest are its delta (a later row of a path wins)


class Positional(NamedTuple):
    """The positional table of one key: per row of the path list, its blob id and decision."""

    salt: str
    blobs: List[str]  # "" where the decision was not made from trusted inputs
    decided: List[Classification]
    delta: FrozenSet[int] = frozenset()  # the rows its delta replaced


POSITIONAL = "roles@"  # the positional table's kind; its delta: + columns.DELTA


def positional_salt(roles_salt: str, paths_digest: str, attributes: str,
                    manifests: Sequence[Tuple[str, Optional[str]]]) -> str:
    """The positional table's key (see the module doc): ``attributes`` names the attributes'
    sources, ``manifests`` every ``package.json`` of the path list with its trusted blob id."""
    digest = hashlib.sha1(f"roles@-{roles_salt}\0{paths_digest}\0{attributes}\0".encode())
    digest.update(json.dumps(list(manifests)).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:16]


def _encode_rows(text_columns: List[List[str]], decided: Sequence[Classification]) -> bytes:
    distinct = list(dict.fromkeys(decided))
    at = dict(zip(distinct, range(len(distinct))))
    return columns.encode_indexed(text_columns, [list(_stored_form(d)) for d in distinct], map(at.__getitem__, decided))


def encode_positional(blobs: List[str], decided: Sequence[Classification]) -> bytes:
    """The positional table (each distinct decision stored once, found by C-level passes)."""
    return _encode_rows([blobs], decided)


def encode_positional_delta(rows: Mapping[int, Tuple[str, Classification]]) -> bytes:
    """The rows of a positional table that changed since its base: position -> (blob, decision)."""
    return _encode_rows([[str(i) for i in rows], [blob for blob, _ in rows.values()]], [d for _, d in rows.values()])


def _decided(values: List[object], config: Config) -> Optional[List[Classification]]:
    decided = [_classification(value, config) for value in values]
    return None if None in decided else decided  # type: ignore[return-value]


def decode_positional(data: Optional[bytes], salt: str, rows: int, config: Config,
                      delta: Optional[bytes] = None) -> Optional[Positional]:
    """The positional table of ``rows`` rows with its ``delta`` applied; None when missing,
    malformed, of another length, or naming a decision this version does not accept (a damaged
    entry is a miss; a damaged delta, no delta: its rows are then the base's, each checked by
    its blob id like any)."""
    table = columns.decode(data, 1)
    if table is None:
        return None
    (blobs,), values, index = table
    decided = _decided(values, config)
    if len(blobs) != rows or decided is None:
        return None
    found = Positional(salt, blobs, list(map(decided.__getitem__, index)))
    changed = columns.decode(delta, 2)
    if changed is None:
        return found
    (positions, delta_blobs), delta_values, delta_index = changed
    delta_decided = _decided(delta_values, config)
    if delta_decided is None or not all(p.isdigit() and int(p) < rows for p in positions):
        return found
    for position, blob, at in zip(map(int, positions), delta_blobs, delta_index):
        found.blobs[position], found.decided[position] = blob, delta_decided[at]
    return found._replace(delta=frozenset(map(int, positions)))


class ColumnBlobs(columns.ByGet, MappingBase):
    """``path -> trusted blob id`` over a whole scan's path list and its blob column (None where
    the id is not trusted), without a 100,000-key dict: a path is found by bisection (git lists
    paths in order), and a real dict is built only when many paths are asked one by one or a
    path is not where bisection looks (another order: then every answer comes from the dict).
    The same answers as ``{p: b for p, b in zip(paths, column) if b}``."""

    _FEW = 4096  # bisections before the dict is cheaper

    def __init__(self, paths: Sequence[str], column: List[Optional[str]]) -> None:
        self.paths, self.column = paths, column
        self._dict: Optional[Dict[str, str]] = None
        self._asked = 0

    def _whole(self) -> Dict[str, str]:
        if self._dict is None:
            self._dict = {path: blob for path, blob in zip(self.paths, self.column) if blob}
        return self._dict

    def get(self, path: str, default: Optional[str] = None) -> Optional[str]:  # type: ignore[override]
        if self._dict is None and self._asked < self._FEW:
            self._asked += 1
            paths = self.paths
            at = bisect_left(paths, path)
            if at < len(paths) and paths[at] == path:
                blob = self.column[at]
                return default if blob is None else blob
        found = self._whole().get(path)
        return default if found is None else found

    def __iter__(self):  # type: ignore[no-untyped-def]
        return compress(self.paths, self.column)

    def __len__(self) -> int:
        return len(self.column) - self.column.count(None)

    def values(self) -> List[str]:  # type: ignore[override]
        return list(filter(None, self.column))


_NO_TABLE = StoredRoles([], [], (), [])
_NO_KEY = "\0"  # the stored key of a path with no row: equal to no blob id


class RoleMemo:
    """Stored classifications of the paths whose blob id is trusted, and the ones learned now."""

    def __init__(self, blobs: Mapping[str, str], stored: Optional[StoredRoles],
                 positional: Optional[Positional] = None, positional_salt: Optional[str] = None,
                 column: Optional[Sequence[Optional[str]]] = None) -> None:
        """``blobs``: path -> trusted blob id; ``stored``: the table of the last run (columns);
        ``positional``: the positional table of this run's key (then ``stored`` is not read);
        ``positional_salt``: that key (None: no positional table for this run); ``column``: the
        trusted ids aligned with the path list (None where ``blobs`` has none), when known."""
        self._blobs = blobs
        self._column = column
        self._table = stored if stored is not None else _NO_TABLE
        self._positional = positional
        self._by_position = positional is not None  # the table by path was not read
        self.positional_salt = positional_salt if positional is None else positional.salt
        self._changed_rows: Optional[List[int]] = None  # rows the positional table did not answer
        self._rows: Optional[Dict[str, int]] = None
        self._fresh: Dict[str, Tuple[str, Classification]] = {}
        self._hits = 0
        self.live: List[str] = []  # the paths classified afresh this run (warm and clean: few)

    @property
    def blobs(self) -> Mapping[str, str]:
        """The trusted blob ids, path -> blob."""
        return self._blobs

    def _trusted(self, paths: Sequence[str]) -> Sequence[Optional[str]]:
        """The trusted blob ids of ``paths`` (the whole path list, in order): the column when
        it is theirs, else asked of the mapping (None where there is none)."""
        column = self._column
        return column if column is not None and len(column) == len(paths) else list(map(self._blobs.get, paths))

    def _row(self, path: str) -> Optional[int]:
        if self._rows is None:
            self._rows = dict(zip(self._table.paths, range(len(self._table.paths))))
        return self._rows.get(path)

    def plain_hits(self, paths: Sequence[str], qualified: Iterable[str]) -> Tuple[Dict[str, Optional[Classification]], List[str]]:
        """``({path: stored classification or None}, the paths that are None)`` for ``paths`` in
        order, in C-level passes: a stored row is taken as it is when its key is the path's
        trusted blob id alone (a decision from the path and the content).  The other paths --
        changed, new, untrusted, decided with attributes or context, and ``qualified`` (the
        paths with git attributes now) -- are left to :meth:`get`, one by one.  With the
        positional table, whose key names the attributes and contexts, a row is taken when its
        blob id is the path's."""
        if self._positional is not None:
            return self._positional_hits(paths)
        table = self._table
        self._row("")  # the row of each stored path, by one dict(zip(...))
        rows = self._rows
        assert rows is not None
        missing = len(table.keys)
        keys = table.keys + [_NO_KEY]
        index = list(table.index) + [len(table.decided)]
        decided = table.decided + [None]
        at = list(map(rows.get, paths, repeat(missing)))
        same = map(eq, map(keys.__getitem__, at), self._trusted(paths))
        picked = map(getitem, zip(repeat(missing), at), same)  # its row when the key is the blob, else none
        found = dict(zip(paths, map(decided.__getitem__, map(index.__getitem__, picked))))
        for path in qualified:
            if path in found:
                found[path] = None
        left = list(compress(found, map(is_, found.values(), repeat(None))))
        self._hits += len(found) - len(left)
        return found, left

    def _positional_hits(self, paths: Sequence[str]) -> Tuple[Dict[str, Optional[Classification]], List[str]]:
        at = self._positional
        assert at is not None and len(paths) == len(at.blobs)
        found: Dict[str, Optional[Classification]] = dict(zip(paths, at.decided))
        rows = list(compress(range(len(paths)), map(ne, at.blobs, self._trusted(paths))))
        differ = [paths[i] for i in rows]
        for path in differ:
            found[path] = None
        self._changed_rows = rows
        self._hits += len(paths) - len(differ)
        return found, differ

    def positional_snapshot(self, paths: Sequence[str], found: Mapping[str, Classification]
                            ) -> List[Tuple[str, bytes]]:
        """``(kind suffix, table)`` of the positional table of this run's answers ``found``
        (one per path, in order): nothing when there is no key or every row was answered; the
        delta of the rows changed since the base while it stays under 1/8 of it; else the
        whole table and an empty delta."""
        if self.positional_salt is None or self._changed_rows == [] or len(found) != len(paths):
            return []
        untrusted = set(self.live).difference(self._fresh)  # decided afresh, not storable
        at = self._positional
        if at is not None and self._changed_rows is not None:
            rows = sorted(at.delta.union(self._changed_rows))
            if columns.delta_fits(len(rows), len(paths)):
                blobs = self._blobs
                return [(columns.DELTA, encode_positional_delta(
                    {i: ("" if paths[i] in untrusted else blobs.get(paths[i], ""), found[paths[i]]) for i in rows}))]
        blob_column = ["" if blob is None else blob for blob in self._trusted(paths)]
        if untrusted:
            blob_column = ["" if path in untrusted else blob for path, blob in zip(paths, blob_column)]
        return [("", encode_positional(blob_column, list(map(found.__getitem__, paths)))),
                (columns.DELTA, encode_positional_delta({}))]

    def context_hits(self, paths: Iterable[str], skip: Mapping[str, object],
                     context: Callable[[str], Optional[str]]) -> Tuple[Dict[str, Classification], List[str]]:
        """``({path: stored classification}, the other paths)`` for the ``paths`` that
        :meth:`plain_hits` left: a row stored under the trusted blob id and the context the file
        has now (:func:`context_key`, worked out once per directory by ``context``) is taken in
        one tight pass; the rest -- ``skip`` (files with git attributes), changed, new, or
        decided under another context -- are left to :meth:`get`, one by one.  The same answers
        as :meth:`get` with no attributes."""
        table = self._table
        rows = self._rows
        if rows is None or not table.keys:
            return {}, list(paths)
        keys, index, decided, blobs = table.keys, table.index, table.decided, self._blobs
        found: Dict[str, Classification] = {}
        rest: List[str] = []
        for path in paths:
            row = rows.get(path)
            blob = blobs.get(path)
            if row is None or blob is None or path in skip:
                rest.append(path)
                continue
            stored = keys[row]
            # a contextual row: "<blob> pkg:..." (no attributes: those paths are in skip)
            hit = None
            if stored.startswith(blob) and stored.startswith(_CONTEXT, len(blob)):
                now = context(path)
                if now is not None and stored == blob + now:
                    hit = decided[index[row]]
            if hit is None:
                rest.append(path)
            else:
                found[path] = hit
        self._hits += len(found)
        return found, rest

    def get(self, path: str, attributes: str = "",
            context: Optional[Callable[[str], Optional[str]]] = None) -> Optional[Classification]:
        """The stored classification of ``path``'s current content, if any.

        ``attributes``: :func:`attributes_key` of the file's attributes now; ``context`` gives
        :func:`context_key` now, asked only when the stored decision depended on it.
        """
        row = self._row(path)
        if row is None:
            return None
        blob = self._blobs.get(path)
        if blob is None:
            return None
        key, stored = blob + attributes, self._table.keys[row]
        if stored != key and not (context is not None and stored.startswith(key + _CONTEXT)
                                  and stored == key + (context(path) or "\0")):
            return None
        found = self._table.decided[self._table.index[row]]
        if found is not None:
            self._hits += 1
        return found

    def record(self, path: str, decided: Classification, attributes: str = "",
               context: Optional[str] = "") -> None:
        """A classification made from the path, the content, the fingerprint, ``attributes``
        (:func:`attributes_key`) and ``context`` (:func:`context_key`; None: not trusted)."""
        blob = self._blobs.get(path)
        if blob is not None and context is not None:
            self._fresh[path] = (blob + attributes + context, decided)

    def release(self) -> None:
        """Forget the stored table and the blob ids (classification is done): ``live`` stays."""
        self._table, self._rows, self._blobs, self._fresh, self._column = _NO_TABLE, None, {}, {}, None
        self._positional = None

    def snapshot(self) -> List[Tuple[str, bytes]]:
        """``(kind suffix, table)`` to write: nothing when the stored tables are still good
        (nothing learned, and rows of deleted or changed files under a quarter of them); the
        delta (``columns.DELTA``) when a few rows were learned; else the whole table and an
        empty delta.  Nothing when the positional table answered (the table was not read)."""
        if self._by_position:
            return []
        table = self._table
        self._row("")  # each path's row (its last: a delta row wins over the base's)
        rows = self._rows
        assert rows is not None
        pruned = len(rows) - self._hits <= self._hits // 4
        if pruned and not self._fresh:
            return []
        blobs = self._blobs

        def valid(at: Iterable[Tuple[str, int]]) -> Dict[str, Tuple[str, Classification]]:
            found = {}
            for path, i in at:
                key, decided = table.keys[i], table.decided[table.index[i]]
                if decided is not None and key.partition(" ")[0] == blobs.get(path):
                    found[path] = (key, decided)
            return found

        if pruned:
            delta = valid((path, i) for path, i in rows.items() if i >= table.base)
            delta.update(self._fresh)
            if columns.delta_fits(len(delta), table.base):
                return [(columns.DELTA, _encode(delta))]
        whole = valid(rows.items())
        whole.update(self._fresh)
        return [("", _encode(whole)), (columns.DELTA, _encode({}))]


def _encode(rows: Mapping[str, Tuple[str, Classification]]) -> bytes:
    return columns.encode([list(rows), [key for key, _ in rows.values()]],
                          [_stored_form(decided) for _, decided in rows.values()])  # type: ignore[arg-type]


def _stored_form(decided: Classification) -> Classification:
    """A config-glob decision without its source, which is filled in from the config when read."""
    return decided._replace(source=None) if decided.signal == CONFIG_GLOB else decided


def decode_snapshot(data: Optional[bytes], config: Config, delta: Optional[bytes] = None) -> Optional[StoredRoles]:
    """A stored table and its delta back as columns, the delta's rows after the base's (None
    when neither is readable); a row naming an unknown role or signal is a miss (that file is
    classified again).  ``config-glob`` decisions get their source from ``config``, as the
    classifier gives it."""
    base_table, delta_table = columns.decode(data, 2), columns.decode(delta, 2)
    first = base_table if base_table is not None else delta_table
    if first is None:
        return None
    (paths, keys), values, index = first
    decided = [_classification(value, config) for value in values]
    base = len(paths) if base_table is not None else 0
    if base_table is not None and delta_table is not None:
        (more_paths, more_keys), more_values, more_index = delta_table
        paths, keys = paths + more_paths, keys + more_keys
        index = list(index) + [i + len(decided) for i in more_index]
        decided += [_classification(value, config) for value in more_values]
    return StoredRoles(paths, keys, index, decided, base)


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
