"""The facts of every file test evidence reads, once per run, cached by blob id.

Where each file's facts come from, cheapest first:

1. the coverage stage, when this run has computed it: its workers extract the facts of the
   files they read anyway (``extract.kind_of``), so no file is read twice in one run;
2. the per-file facts stored by an earlier run for the same content (blob id: git's, from the
   index for files git reports clean, else computed from the bytes);
3. the file itself, through ``Inventory.read_bytes`` (never a symlink, at most ``MAX_SIZE``).

The stored facts are one value per project in the analysis cache's ``snapshot`` table (JSON,
validated on load; anything malformed is a miss).
"""

from __future__ import annotations

import hashlib
import json
import sys
from array import array
from itertools import compress, repeat
from operator import attrgetter, is_, itemgetter
from typing import TYPE_CHECKING, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

from repo_roles.coverage import cache as C
from repo_roles.inventory import paths_digest
from repo_roles.testrefs.extract import FACTS_VERSION, MAX_SIZE, Facts, extract, kind_of

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext

FACTS_KIND = "test-facts"
SALT = f"facts-v{FACTS_VERSION}-{C.CACHE_FORMAT}"
_LANGUAGE_KIND = {"py": "py-test", "go": "go-test", "java": "java-test", "kt": "java-test"}


KINDS_KIND = "test-kinds"


def wanted(paths: Iterable[str], extra_tests: Iterable[str] = ()) -> Dict[str, str]:
    """path -> facts kind of every file evidence reads (``extra_tests``: tests by ``[tests] mapping``)."""
    out: Dict[str, str] = {}
    for path in paths:
        kind = kind_of(path)
        if kind is not None:
            out[path] = kind
    for path in extra_tests:
        if out.get(path) in (None, "py-numbered", "go"):
            ext = path.rpartition(".")[2]
            out[path] = _LANGUAGE_KIND.get(ext, "js-test")
    return out




def wanted_cached(store, paths: List[str], listed: str, extra_tests: List[str]) -> Tuple[Dict[str, str], str]:
    """:func:`wanted` and a digest of it, remembered under the digest ``listed`` of the path
    list (and the mapped tests): which files evidence reads depends on their names only, so a
    run whose paths did not change (most runs: edits change blobs, not names) decides no name."""
    key = digest([SALT, listed, *extra_tests])
    raw = store.read_snapshot(KINDS_KIND, key) if store is not None else None
    if raw is not None:
        try:
            value = json.loads(raw.decode("utf-8", "surrogatepass"))
        except (ValueError, UnicodeDecodeError):
            value = None
        # two NUL-joined columns (paths, kinds): split at C speed, no JSON object per file
        if isinstance(value, dict) and all(isinstance(value.get(k), str) for k in ("digest", "paths", "kinds")):
            names, kinds_column = value["paths"].split("\0"), value["kinds"].split("\0")
            if len(names) == len(kinds_column):
                return (dict(zip(names, kinds_column)) if value["paths"] else {}), value["digest"]
    kinds = wanted(paths, extra_tests)
    kinds_digest = digest(sorted(map(":".join, kinds.items())))
    if store is not None:
        text = json.dumps({"digest": kinds_digest, "paths": "\0".join(kinds), "kinds": "\0".join(kinds.values())},
                          separators=(",", ":"))
        store.put_snapshot(KINDS_KIND, key, text.encode("utf-8", "surrogatepass"))
    return kinds, kinds_digest


def modified_files(context: "ProjectContext") -> Optional[frozenset]:
    """Files whose work-tree content may differ from git's index id (None: trust no index id).

    When the context reads the project from git's index (``check FILES``, ``--staged``,
    ``--diff-base``: see ``ScanContext.context_from_index``) these are the targets: every other
    file is as the index has it, and no ``git diff-files`` stats the whole work tree."""
    if getattr(context, "context_from_index", False):
        return context.target_paths
    from repo_roles.coverage.analyze import worktree_diff

    inventory = context.inventory
    return worktree_diff(inventory, len(inventory.paths)).result()


def quick_key(context: "ProjectContext", kinds: Dict[str, str], kinds_digest: str, listed: str) -> Optional[str]:
    """The evidence index key from git's index records at C speed (no per-file Python work):
    the records of the files evidence reads that git reports unchanged, and the content blob
    ids of the others (read here; a check passes a few).  None when there is no plain listing."""
    modified = modified_files(context)
    if modified is None:
        return None
    changed, blobs = _differing(context, [p for p in modified if p in kinds])
    records = context.inventory.records_digest(kinds.keys() - set(changed) if changed else kinds)
    if records is None:
        return None
    return digest([SALT, "records", kinds_digest, listed, records, *blob_parts(blobs)])


def _differing(context: "ProjectContext", maybe: Sequence[str]) -> Tuple[List[str], Dict[str, str]]:
    """Of files whose work tree may differ from git's index (``maybe``), those that do, and the
    blob ids of their content: a file whose content is its index record's is keyed by that
    record, so two runs on different clean files (pre-commit's parallel batches of one hook)
    have one key."""
    if not maybe:
        return [], {}
    blobs, _ = blob_ids(context, maybe)
    recorded = {e.path: e.blob for e in context.inventory.pick(set(maybe))}
    changed = sorted(p for p in maybe if not blobs.get(p) or blobs.get(p) != recorded.get(p))
    return changed, {p: blobs[p] for p in changed if p in blobs}


POSITIONS_KIND = "test-kinds-at"


def _positions_salt(listed: str, mapped: Sequence[str]) -> str:
    return digest([SALT, "positions", listed, *mapped])


def positions_of(paths: Sequence[str], kinds: Dict[str, str]) -> array:
    """Where in ``paths`` the files of ``kinds`` are."""
    return array("I", compress(range(len(paths)), map(kinds.__contains__, paths)))


def remember_positions(store, paths: Sequence[str], listed: str, mapped: Sequence[str], kinds: Dict[str, str],
                       kinds_digest: str) -> None:
    """Store where in the path list (digest ``listed``) the files evidence reads are, with
    ``kinds_digest``: what :func:`few_key` needs, as one checksummed array of positions."""
    at = positions_of(paths, kinds)
    if sys.byteorder != "little":
        at.byteswap()
    body = kinds_digest.encode("ascii") + at.tobytes()
    store.put_snapshot(POSITIONS_KIND, _positions_salt(listed, mapped), hashlib.sha1(body).digest() + body)


def few_key(context: "ProjectContext", store, listed: str, mapped: Sequence[str]) -> Optional[str]:
    """:func:`quick_key` for a run on given files (``context_from_index``) without deciding a
    name or reading the names' table: the positions :func:`remember_positions` stored for this
    path list, the records there (the targets' own left out, their content read), all at C speed.
    None when nothing (valid) is stored: a damaged or truncated value fails its checksum."""
    inventory = context.inventory
    found = stored_positions(store, listed, mapped)
    if found is None:
        return None
    kinds_digest, at = found
    paths = inventory.paths
    if at and at[-1] >= len(paths):
        return None
    targets = context.target_paths
    # the targets evidence reads: ``wanted`` decides each path alone (mapped tests are paths)
    changed, blobs = _differing(context, sorted(wanted(targets, [m for m in mapped if m in targets])))
    records = inventory.records_digest_at(at, {paths.index(p) for p in changed})
    if records is None:
        return None
    return digest([SALT, "records", kinds_digest, listed, records, *blob_parts(blobs)])


def stored_positions(store, listed: str, mapped: Sequence[str]) -> Optional[Tuple[str, array]]:
    """``(kinds digest, positions)`` :func:`remember_positions` stored for the path list
    ``listed`` and ``mapped``; None when nothing valid is stored (checksummed: a damaged or
    truncated value is a miss)."""
    raw = store.read_snapshot(POSITIONS_KIND, _positions_salt(listed, mapped))
    if raw is None or len(raw) < 60 or (len(raw) - 60) % 4 or hashlib.sha1(raw[20:]).digest() != raw[:20]:
        return None
    at = array("I")
    if at.itemsize != 4:
        return None
    at.frombytes(raw[60:])
    if sys.byteorder != "little":
        at.byteswap()
    return raw[20:60].decode("ascii"), at


class WholeState(NamedTuple):
    """What :func:`whole_state` found: the ``key``; ``column``, the index blob ids joined by NUL
    at the stored positions ``at`` (ASCII bytes, hashed into the key); ``special``, path -> kind
    of those files that are no regular file (a symlink, a submodule: their ids are no content);
    ``worktree``, path -> content blob id ("" when unreadable) of the files whose work tree
    differs from git's index (``git diff-files``, untracked)."""

    key: str
    column: bytes
    column_digest: str  # sha1 of ``column`` (hex)
    at: array
    special: Dict[str, str]
    worktree: Dict[str, str]


def whole_state(context: "ProjectContext", listed: str, mapped: Sequence[str],
                found: Optional[Tuple[str, array]]) -> Optional[WholeState]:
    """The evidence index key of a whole run without deciding a name or reading the names'
    table: the files evidence reads at the positions :func:`remember_positions` stored for this
    path list, their index blob ids picked at C speed, which of them are no regular file (git's
    special entries, a few), and the content blob ids of the few whose work tree may differ (``git diff-files``, untracked).  Equal keys mean equal
    inputs of the index (the path list, which files are read as what, their contents).  None
    without positions (``found``: :func:`stored_positions`) or when no work-tree difference
    is known.  With the key, the columns it was made from (:class:`WholeState`), so that a run
    can tell which files changed since the one that stored them (``evidence._updated_sharded``)."""
    modified = modified_files(context)
    if found is None or modified is None:
        return None
    kinds_digest, at = found
    entries = context.inventory.entries
    if (at and at[-1] >= len(entries)) or len(entries) != len(context.inventory.paths):
        return None
    picked = itemgetter(*at)(entries) if len(at) > 1 else tuple(entries[i] for i in at)
    blobs = list(map(_BLOB, picked))
    maybe = set(wanted(modified, [m for m in mapped if m in modified]))
    try:
        joined = "\0".join(blobs)  # (at C speed: a str() call per id costs four times the join)
    except TypeError:  # untracked files: no index id
        maybe.update(compress(map(_PATH, picked), map(is_, blobs, repeat(None))))
        joined = "\0".join(map(str, blobs))
    changed, fresh = _differing(context, sorted(maybe))
    column = joined.encode("ascii", "replace")
    column_digest = hashlib.sha1(column).hexdigest()
    # the kind of an entry that is no regular file (its mode: a symlink's id is its target's):
    # git's few special entries, those evidence reads (a regular file's mode changes no fact)
    special = context.inventory.special_kinds()
    if special:
        read = wanted(special, [m for m in mapped if m in special])
        special = {p: special[p] for p in sorted(read)}
    key = digest([SALT, "at", kinds_digest, listed, column_digest, "special", *map("=".join, special.items()),
                  "changed", *changed, *blob_parts(fresh)])
    return WholeState(key, column, column_digest, at, special, {p: fresh.get(p, "") for p in changed})


def open_store(context: "ProjectContext"):
    if not getattr(context, "use_cache", True):
        return None
    from repo_roles.cachedir import project_key
    from repo_roles.coverage.store import DocCache

    inventory = context.inventory
    return DocCache(C.cache_directory(context.config, inventory.project_root), SALT, project_key(inventory))


_PATH, _BLOB = attrgetter("path"), attrgetter("blob")


def blob_ids(context: "ProjectContext", paths: Iterable[str]) -> Tuple[Dict[str, str], Dict[str, bytes]]:
    """``(path -> blob id of the work-tree content, path -> bytes read)`` of the regular files
    among ``paths``: git's id where the index is known to match the work tree, else the file is
    read here (and its bytes kept, so that it is not read again); unreadable files are left out.

    When the context reads the project from git's index (``check FILES``, ``--staged``,
    ``--diff-base``: see ``ScanContext.context_from_index``) only the targets are taken from the
    work tree; every other file is as the index has it, and no ``git diff-files`` stats the
    whole work tree."""
    from repo_roles.coverage.analyze import computed_coverage

    inventory = context.inventory
    entries = inventory.pick(paths if isinstance(paths, (set, frozenset, dict)) else set(paths))
    special = inventory.special_kinds()  # symlinks, submodules
    modified = modified_files(context)
    # the files the coverage stage read in this run: their blob ids are known already
    known = getattr(computed_coverage(context), "test_facts", None) or {}
    # git's id of every picked regular file at C speed, then the few it does not describe
    blobs: Dict[str, str] = dict(zip(map(_PATH, entries), map(_BLOB, entries)))
    for path in special.keys() & blobs.keys():
        del blobs[path]
    read: Dict[str, bytes] = {}
    if modified is None:
        redo = list(blobs)
    else:
        redo = list(blobs.keys() & modified) if all(blobs.values()) else \
            [p for p, b in blobs.items() if not b or p in modified]
    for path in redo:
        if path in known:
            blobs[path] = known[path][0]
            continue
        data = inventory.read_bytes(path, MAX_SIZE)
        if data is not None:
            blobs[path] = C.blob_id(data)
            read[path] = data
        else:  # unreadable: left out
            del blobs[path]
    return blobs, read


def collect(context: "ProjectContext", kinds: Dict[str, str], blobs: Dict[str, str],
            read: Dict[str, bytes]) -> Dict[str, Facts]:
    """path -> facts of the files in ``blobs`` (from :func:`blob_ids`, with the bytes it read)."""
    from repo_roles.coverage.analyze import computed_coverage

    out: Dict[str, Facts] = {}
    coverage = computed_coverage(context)
    fresh = getattr(coverage, "test_facts", None) or {}
    for path, (blob, kind, facts) in fresh.items():
        if kinds.get(path) == kind and blobs.get(path) == blob:
            out[path] = facts
    store = open_store(context)
    stored = _load(store)
    todo = []
    for path, blob in blobs.items():
        if path in out:
            continue
        hit = stored.get(path)
        if hit is not None and hit[0] == blob and hit[1] == kinds[path]:
            out[path] = hit[2]
            continue
        todo.append(path)
    extracted = read_facts(context, kinds, blobs, read, todo)
    out.update(extracted)
    dirty = bool(extracted)
    if store is not None:
        if dirty or len(stored) != len(out) or any(stored.get(p, ("",))[0] != blobs[p] for p in out):
            _save(store, {p: (blobs[p], kinds[p], f) for p, f in out.items()})
        store.close()
    return out


def read_facts(context: "ProjectContext", kinds: Dict[str, str], blobs: Dict[str, str],
               read: Dict[str, bytes], paths: Iterable[str]) -> Dict[str, Facts]:
    """The facts of ``paths`` extracted afresh from the bytes ``read`` holds or the work tree's.
    A file the work tree changed since git's index said ``blobs[path]`` is taken from the index
    when the run reads the project as git's index has it (check FILES: pre-commit stashes what is
    not staged; the targets excepted), else its new blob id replaces the index's in ``blobs``."""
    inventory = context.inventory
    from_index = bool(getattr(context, "context_from_index", False))
    out: Dict[str, Facts] = {}
    as_staged: Dict[str, str] = {}  # path -> index blob id, for files the work tree changed
    for path in paths:
        data = read.get(path)
        if data is None:
            data = inventory.read_bytes(path, MAX_SIZE)
            if data is None:
                continue
            if C.blob_id(data) != blobs[path]:  # changed since git's index said otherwise
                if from_index and path not in context.target_paths:
                    as_staged[path] = blobs[path]
                    continue
                blobs[path] = C.blob_id(data)
        out[path] = extract(kinds[path], data)
    if as_staged:
        staged = inventory.index_blobs(as_staged.values(), MAX_SIZE)
        for path, blob in as_staged.items():
            if blob in staged:
                out[path] = extract(kinds[path], staged[blob])
    return out


def _load(store) -> Dict[str, Tuple[str, str, Facts]]:
    if store is None:
        return {}
    raw = store.read_snapshot(FACTS_KIND, SALT)
    if raw is None:
        return {}
    try:
        value = json.loads(raw.decode("utf-8", "surrogatepass"))
    except (ValueError, UnicodeDecodeError):
        return {}
    if not isinstance(value, dict):
        return {}
    out = {}
    for path, row in value.items():
        if isinstance(row, list) and len(row) == 3 and isinstance(row[0], str) and isinstance(row[1], str) \
                and isinstance(row[2], dict):
            out[path] = (row[0], row[1], row[2])
    return out


def _save(store, rows: Dict[str, Tuple[str, str, Facts]]) -> None:
    text = json.dumps({p: list(v) for p, v in rows.items()}, separators=(",", ":"))
    store.put_snapshot(FACTS_KIND, SALT, text.encode("utf-8", "surrogatepass"))


def digest(parts: Iterable[str]) -> str:
    """sha1 of every part followed by a NUL (:func:`repo_roles.inventory.paths_digest`)."""
    return paths_digest(parts if isinstance(parts, list) else list(parts))


def blob_parts(blobs: Dict[str, str]) -> List[str]:
    """``path=blob`` per entry in path order, built at C speed."""
    return list(map("=".join, sorted(blobs.items())))


def index_key(listed: str, blobs: Dict[str, str], kinds_digest: str) -> str:
    """A key for the whole evidence index when :func:`quick_key` has none (no git listing): every
    path (``listed``: ``Inventory.paths_digest``), every read file's blob, the settings."""
    return digest([SALT, kinds_digest, listed, *blob_parts(blobs)])
