"""What every history rule needs: the history, or one note saying why there is none."""

from __future__ import annotations

import hashlib
import json
from itertools import compress, repeat
from operator import and_, attrgetter, eq, not_
from typing import TYPE_CHECKING, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from repo_roles import __version__
from repo_roles import roles as R
from repo_roles.checks.reuse import digest_of, kinds_token, load_findings, special_kinds, store_findings
from repo_roles.coverage.test_presence import target_columns
from repo_roles.findings import Finding
from repo_roles.history.declared import real_owners
from repo_roles.history.identity import Identities, normalize
from repo_roles.history.stage import day  # noqa: F401 (re-exported for the HIS rules)
from repo_roles.inventory import paths_digest
from repo_roles.summarycache import role_codes, target_role_codes

_PATH = attrgetter("path")
_KIND = attrgetter("kind")
_ROLE = attrgetter("role")

if TYPE_CHECKING:
    from repo_roles.history.stage import History
    from repo_roles.context import ProjectContext

FINDINGS_CACHE_FORMAT = 1


def history_or_note(context: "ProjectContext") -> "Optional[History]":
    """The scan's history; None (and the note, said once per run) when it cannot be read fully."""
    history = context.history
    if not history.available:
        context.note(history.note or "history unavailable")
        return None
    return history


def owned_targets(context: "ProjectContext") -> Iterator[Tuple[str, List[str]]]:
    """(path, declared owners) of every target with an owner that is a person or a team."""
    lookup = context.ownership.lookup
    for entry in context.targets:
        owners = real_owners(lookup(entry.path).owners)
        if owners:
            yield entry.path, owners


def maintained_paths(context: "ProjectContext") -> List[str]:
    """The project's files in scope whose role is in ``[history] roles`` (default: backend.logic,
    frontend.ui): the code a team maintains.  Repository-scope rules look at all of them, not
    only at the files a ``check FILE...`` run names."""
    found = context.__dict__.get("_maintained_paths")  # HIS004 and HIS005 both ask: once per scan
    if found is None:
        wanted = frozenset(context.config.history.roles)
        inventory = context.inventory
        if inventory.scope:
            entries = inventory.in_scope()
            paths = list(map(_PATH, entries))
            files = map(eq, map(_KIND, entries), repeat("file"))
        else:  # every entry: its path list as it is, and its few symlinks and submodules
            paths = inventory.paths
            files = map(not_, map(special_kinds(context).__contains__, paths))
        target_paths, target_roles = target_columns(context)
        # the targets' roles when they are the entries (a whole scan), else looked up at C speed
        roles = iter(target_roles) if target_paths is paths or target_paths == paths \
            else map(_ROLE, map(context.classifications.__getitem__, paths))
        found = context.__dict__["_maintained_paths"] = list(compress(paths, map(
            and_, files, map(wanted.__contains__, roles))))
    return found


def _whole_codes(context: "ProjectContext") -> Optional[bytes]:
    """The targets' role codes (``summarycache.target_role_codes``) when the targets are every
    entry of the project (a whole scan), so that :func:`maintained_paths` follows from the path
    list, its symlinks and submodules and these codes; else None."""
    inventory = context.inventory
    if inventory.scope or target_columns(context)[0] is not inventory.paths:
        return None
    return target_role_codes(context)


def _wanted_codes(context: "ProjectContext") -> bytes:
    """The role codes of ``[history] roles`` (a role outside the vocabulary has no file)."""
    return role_codes(sorted({role for role in context.config.history.roles if role in R.ROLES})) or b""


def maintained_count(context: "ProjectContext") -> int:
    """``len(maintained_paths(context))``: on a whole scan counted in the role codes at C speed
    (one count per wanted role, less the wanted symlinks and submodules), no path list made."""
    codes = _whole_codes(context)
    if codes is None or "_maintained_paths" in context.__dict__:
        return len(maintained_paths(context))
    found = sum(codes.count(bytes((code,))) for code in _wanted_codes(context))
    wanted_roles = frozenset(context.config.history.roles)
    found -= sum(context.role_of(path) in wanted_roles for path in special_kinds(context))
    return found


def maintained_digest(context: "ProjectContext") -> str:
    """A digest standing for :func:`maintained_paths`, once per scan (HIS004 and HIS005 both key
    on it): on a whole scan, made of what they follow from -- the path list's digest, its
    symlinks and submodules, the wanted roles and every target's role code -- without making
    them; else their ``paths_digest``."""
    found = context.__dict__.get("_maintained_digest")
    if found is None:
        codes = _whole_codes(context)
        if codes is not None:
            found = digest_of("maintained", context.inventory.paths_digest(), kinds_token(context),
                              _wanted_codes(context), codes)
        else:
            found = paths_digest(maintained_paths(context))
        context.__dict__["_maintained_digest"] = found
    return found


def identities_of(context: "ProjectContext") -> Identities:
    settings = context.config.history
    return Identities(context.config.teams, settings.identities, settings.bots)


def team_owners(context: "ProjectContext") -> Callable[[str], Tuple[str, ...]]:
    """path -> its declared owners that are teams: a roster team, or a team handle as GitHub and
    GitLab write it (``@org/team``, ``@group/subgroup``), an owner that stands for several people."""
    teams = identities_of(context).team_members
    owners_of = context.ownership.owners_of
    memo: Dict[Tuple[str, ...], Tuple[str, ...]] = {}

    def of(path: str) -> Tuple[str, ...]:
        owners = tuple(owners_of(path))
        found = memo.get(owners)
        if found is None:
            found = memo[owners] = tuple(o for o in real_owners(owners)
                                         if (o.startswith("@") and "/" in o) or normalize(o) in teams)
        return found

    return of


def cached_findings(context: "ProjectContext", rule_id: str, settings: list,
                    owners_of: Optional[Callable[[str], Sequence[str]]],
                    compute: Callable[[], Iterable[Finding]]) -> List[Finding]:
    """``compute()``'s findings, kept in the cache directory under a key of everything they depend
    on: the history (:func:`~repo_roles.history.stage.history_key`: settings and HEAD), the
    active window, the roster and identities, the rule's ``settings`` and every path of
    :func:`maintained_paths`, the paths the rules look at (with its owners, for ``owners_of``).
    A warm run with nothing changed loads no history model; after new commits the key changes
    and the model is extended (``CACHED..HEAD``) as usual."""
    if not context.use_cache:
        return list(compute())
    from repo_roles.history.stage import scan_history_key

    base = scan_history_key(context)
    if base is None:  # no complete history: compute() says the note
        return list(compute())
    history = context.config.history
    digest = hashlib.sha1(json.dumps([FINDINGS_CACHE_FORMAT, __version__, rule_id, base, context.inventory.prefix,
                                      history.active_days, identities_of(context).key, settings]).encode())
    digest.update(maintained_digest(context).encode())
    ownership = context.ownership
    if owners_of is None:
        pass
    elif ownership.inputs_key is not None:
        # a path's owners are those of the ownership files as resolved (their bytes and the
        # settings: Ownership.inputs_key) and the identities above: no look at each path
        digest.update(json.dumps(["owners", repr(ownership.discovery), ownership.oversize,
                                  ownership.inputs_key]).encode())
    else:
        for path in maintained_paths(context):
            digest.update(path.encode("utf-8", "surrogatepass"))
            for owner in owners_of(path):
                digest.update(b"\0" + owner.encode("utf-8", "surrogatepass"))
            digest.update(b"\n")
    key = digest.hexdigest()
    from repo_roles.cachedir import cache_directory

    top = context.inventory.git_root
    where = hashlib.sha1(str(top).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    stored = cache_directory(context.config, context.inventory.project_root) / f"{rule_id.lower()}-{where}.json"
    found = load_findings(stored, key, rule_id)
    if found is not None:
        return found
    notes = len(context.notes)
    found = list(compute())
    if len(context.notes) == notes:  # a note (history unreadable after all) is never cached
        store_findings(stored, key, found)
    return found


def names(history: "History", authors: Iterable[int], limit: int = 3) -> str:
    model = history.model
    assert model is not None
    labels = [model.label(a) for a in authors]
    shown = ", ".join(labels[:limit])
    return shown + (f" and {len(labels) - limit} more" if len(labels) > limit else "")
