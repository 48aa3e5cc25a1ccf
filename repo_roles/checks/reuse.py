"""Findings kept by what they depend on: a rule whose inputs did not change is not run again.

A rule declares its inputs when it registers (``@rule(..., inputs=OWNERSHIP_AND_PATHS)``); the
engine then asks :func:`reused_findings` instead of calling it.  The findings are stored with a
key of every input the rule reads, plus what every rule depends on (the tool's own files, the
loaded configuration, where the project sits in its repository and which files are in scope):

``OWNERSHIP_AND_PATHS``
    The code-owners file as discovered and read (its location, dialect and the evidence for it,
    its bytes) and the project's path list with the kinds of its entries.  A CODEOWNERS line
    matches paths, never content, so an edit of 20 files reuses the findings whole, while an
    added, renamed or deleted file, a changed CODEOWNERS or configuration computes them again
    (OWN003, OWN004, OWN005, OWN006 (the roster is configuration), OWN008, OWN010).

``PATHS_AND_MANIFESTS``
    The project's path list with the kinds of its entries, and every package manifest (a file
    named as one of ``coverage.test_presence.MANIFESTS``, found by name at C speed) with its role
    and git's blob id: a rule that reads the path list, the manifests' roles and their content
    (DOC003).  No key (the rule runs) when a manifest is modified in the work tree, untracked,
    or git did not say which files are modified.

Every entry is one file per project (:func:`~repo_roles.cachedir.project_key`) and rule, written
atomically; a missing, truncated, damaged or other-key entry is a miss, never a wrong answer.
A run that said a note while computing stores nothing (the note must be said again).
"""

from __future__ import annotations

import hashlib
import json
from itertools import chain, compress, repeat
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, FrozenSet, Iterable, List, Optional, Sequence, Set

from repo_roles.cachedir import mark_used
from repo_roles.findings import SEVERITIES, Finding

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext

FORMAT = 1
# The declared inputs a rule may name (a rule without one runs every time).
OWNERSHIP_AND_PATHS = "ownership+paths"
PATHS_AND_MANIFESTS = "paths+manifests"
INPUTS = frozenset({OWNERSHIP_AND_PATHS, PATHS_AND_MANIFESTS})
_NAME_ORDER_MIN_PATHS = 20000  # fewer paths: a look at each costs less than reading their order


def reused_findings(context: "ProjectContext", rule_id: str, inputs: str,
                    compute: Callable[[], Iterable[Finding]]) -> List[Finding]:
    """``compute()``'s findings, or the stored ones when the key of ``inputs`` is unchanged."""
    if not context.use_cache:
        return list(compute())
    key = input_key(context, rule_id, inputs)
    if key is None:
        return list(compute())
    stored = _entry(context, rule_id)
    found = load_findings(stored, key, rule_id)
    if found is not None:
        return found
    notes = len(context.notes)
    found = list(compute())
    if len(context.notes) == notes:
        store_findings(stored, key, found)
    return found


def input_key(context: "ProjectContext", rule_id: str, inputs: str) -> Optional[str]:
    """The hex key of what a rule of declared ``inputs`` reads; None when it cannot be keyed."""
    memo = context.__dict__.setdefault("_reuse_input_digests", {})
    if inputs not in memo:  # the rules of one kind of inputs share one digest per scan
        memo[inputs] = _inputs_digest(context, inputs)
    shared = memo[inputs]
    if shared is None:
        return None
    return hashlib.blake2b(f"{rule_id}\0{shared}".encode(), digest_size=20).hexdigest()


def digest_of(*values: object) -> str:
    """A 40-hex-digit digest of ``values``, each length-prefixed (bytes as they are, anything
    else as its text): the key of a stored findings entry."""
    h = hashlib.blake2b(digest_size=20)
    for value in values:
        data = value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogateescape")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def config_token(context: "ProjectContext") -> str:
    """The loaded configuration with the project root as a token (a key never holds a location);
    made once per scan (every stored entry's key holds it)."""
    token = context.__dict__.get("_config_token")
    if token is None:
        from repo_roles.runcache.key import ROOT_TOKEN

        token = context.__dict__["_config_token"] = repr(context.config).replace(str(context.root), ROOT_TOKEN)
    return token


def _inputs_digest(context: "ProjectContext", inputs: str) -> Optional[str]:
    from repo_roles.runcache.key import code_fingerprint

    inventory = context.inventory
    values: List[object] = ["findings", FORMAT, code_fingerprint(), inputs, "config", config_token(context),
                            "where", inventory.prefix, inventory.scope]
    if inputs == OWNERSHIP_AND_PATHS:
        ownership = context.ownership
        values += ["discovery", repr(ownership.discovery), repr(ownership.oversize),
                   # the bytes the parse read and the OWNERS files, as resolve_ownership hashed them
                   "ownership", ownership.inputs_key,
                   "paths", inventory.paths_digest(),
                   "kinds", kinds_token(context)]
    elif inputs == PATHS_AND_MANIFESTS:
        manifests = _manifests(context)
        if manifests is None:
            return None
        values += ["paths", inventory.paths_digest(),
                   "kinds", kinds_token(context),
                   "manifests", json.dumps(manifests)]
    return digest_of(*values)


def special_kinds(context: "ProjectContext") -> Dict[str, str]:
    """The inventory's symlinks and submodules, asked once per scan by the rules' keys."""
    found = context.__dict__.get("_reuse_special_kinds")
    if found is None:
        found = context.__dict__["_reuse_special_kinds"] = context.inventory.special_kinds()
    return found


def untracked_of(context: "ProjectContext") -> FrozenSet[str]:
    """The inventory's untracked paths, asked once per scan (the rules' keys and the stored file
    findings both ask; the inventory passes over its entries for them each time)."""
    found = context.__dict__.get("_reuse_untracked")
    if found is None:
        found = context.__dict__["_reuse_untracked"] = frozenset(context.inventory.untracked_paths())
    return found


def kinds_token(context: "ProjectContext") -> str:
    found = context.__dict__.get("_reuse_kinds_token")
    if found is None:
        found = context.__dict__["_reuse_kinds_token"] = json.dumps(sorted(special_kinds(context).items()))
    return found


def _manifests(context: "ProjectContext") -> Optional[List[List[object]]]:
    """``[path, role, kind, blob id]`` of every file named as a package manifest, picked from the path
    list at C speed; None when one's content is not its blob's (modified, untracked) or git did
    not say which files are modified."""
    from repo_roles.inventory import shared_worktree_diff

    inventory = context.inventory
    found = _manifest_paths(context)
    if not found:
        return []
    modified = shared_worktree_diff(inventory).result()
    if modified is None or not found.isdisjoint(modified) or not found.isdisjoint(untracked_of(context)):
        return None
    out: List[List[object]] = []
    for entry in inventory.pick(found):
        if entry.blob is None:
            return None
        out.append([entry.path, context.role_of(entry.path), entry.kind, entry.blob])
    return out


_MANIFESTS_MAGIC = b"repo-roles manifest paths\n"
_MANIFESTS_FORMAT = 1


def _manifest_paths(context: "ProjectContext") -> Set[str]:
    """The paths named as a package manifest.  On 20k+ paths with a cache they are remembered
    under the path list's digest (one small checksummed ``colfile`` per project, ``manifests``:
    they follow from the path list alone), found when missing by binary search in the file-name
    order a run stored, or by a pass over the paths; fewer paths: a pass."""
    paths = context.inventory.paths
    if len(paths) < _NAME_ORDER_MIN_PATHS or not context.use_cache:
        return _named_manifests(paths, None)
    from repo_roles.coverage import colfile
    from repo_roles.runcache.key import code_fingerprint

    key = digest_of("manifest paths", _MANIFESTS_FORMAT, code_fingerprint(), context.inventory.paths_digest())
    entry = entry_path(context, "manifests.bin")
    stored = colfile.unpack(colfile.read(entry), _MANIFESTS_MAGIC, 0)
    if stored is not None and stored[0].get("key") == key:
        found = stored[0].get("paths")
        if isinstance(found, list) and all(type(path) is str for path in found):
            return set(found)
    named = _named_manifests(paths, _stored_name_order(context))
    colfile.write(entry, colfile.pack(_MANIFESTS_MAGIC, {"key": key, "paths": sorted(named)}, []))
    return named


def _named_manifests(paths: Sequence[str], order: Optional[Sequence[int]]) -> Set[str]:
    """The ``paths`` named as a package manifest: by binary search in their file-name ``order``,
    else at C speed over them."""
    from repo_roles.coverage.test_presence import MANIFESTS

    if order is not None:
        from repo_roles.coverage.name_order import named as named_in

        return set(chain.from_iterable(named_in(paths, order, name) for name in MANIFESTS))
    named = tuple("/" + name for name in MANIFESTS)
    found = set(compress(paths, map(str.endswith, paths, repeat(named))))
    found.update(compress(paths, map(MANIFESTS.__contains__, paths)))
    return found


def _stored_name_order(context: "ProjectContext") -> Optional[Sequence[int]]:
    """The rows of the path list in file-name order when a run stored them
    (``coverage/name_order.py``: test evidence does on a large project), else None (working
    them out costs more than a look at every path)."""
    from repo_roles.coverage import name_order

    return name_order.stored_of_project(context) if context.use_cache else None


def entry_path(context: "ProjectContext", name: str) -> Path:
    """``<cache>/findings/<name>-<hash of the project key>.<suffix of name or json>``."""
    from repo_roles.cachedir import cache_directory, project_key

    project = hashlib.sha1(project_key(context.inventory).encode()).hexdigest()[:16]
    stem, dot, suffix = name.partition(".")
    return cache_directory(context.config, context.inventory.project_root) / "findings" / \
        f"{stem}-{project}.{suffix if dot else 'json'}"


def _entry(context: "ProjectContext", rule_id: str) -> Path:
    return entry_path(context, rule_id.lower())


def store_findings(path: Path, key: str, findings: List[Finding]) -> None:
    """Write ``findings`` under ``key`` atomically (best effort: a failure only costs time)."""
    from repo_roles.atomic import AtomicWriteError, write_atomic

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(str(path), json.dumps({"key": key, "findings": [list(f) for f in findings]}))
    except (OSError, AtomicWriteError):
        pass


def load_findings(path: Path, key: str, rule_id: str) -> Optional[List[Finding]]:
    """The stored findings, or None when missing, for another key, or malformed in any way."""
    try:
        with open(path, "rb") as handle:
            data = json.loads(handle.read())
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        out = []
        for row in data["findings"]:
            finding = Finding(*row)
            if not (finding.rule_id == rule_id and isinstance(finding.message, str) and isinstance(finding.path, str)
                    and all(v is None or type(v) is int
                            for v in (finding.line, finding.column, finding.end_line, finding.end_column))
                    and finding.severity in SEVERITIES and isinstance(finding.key, str)):
                return None
            out.append(finding)
    except (OSError, ValueError, TypeError, KeyError):
        return None
    mark_used(path)
    return out
