"""Declared owners against history: the audit's "Declared vs actual", stale areas, suggestions.

Pure data over a :class:`~repo_roles.history.stage.History` and an owner look-up (path ->
declared owners), so the audit, ``suggest-owners`` and the HIS rules agree on every figure.
Owners that are no person or team (GitLab ``@@role`` owners, Chromium's ``*``) are left out.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Callable, Dict, Iterable, List, NamedTuple, Optional, Sequence, Set, Tuple

from repo_roles.history.model import contributions, truck_factor
from repo_roles.history.stage import History

OwnersOf = Callable[[str], Sequence[str]]


def real_owners(owners: Iterable[str]) -> List[str]:
    return [o for o in owners if o != "*" and not o.startswith("@@")]


class TeamRow(NamedTuple):
    owner: str
    files: int
    with_member: float  # share of its files with a member among the authors
    nobody_active: float  # share of its files no active author knows
    last_member_commit: Optional[int]  # newest commit by a member to its files
    truck_factor: int
    top_authors: Tuple[str, ...]  # the authors the greedy algorithm removed


class DirectoryRow(NamedTuple):
    directory: str
    files: int
    truck_factor: int
    top_authors: Tuple[str, ...]


def top_directory(path: str) -> Optional[str]:
    head, sep, _ = path.partition("/")
    return head if sep else None


def owner_rows(history: History, paths: Sequence[str], owners_of: OwnersOf) -> List[TeamRow]:
    """One row per declared owner, in owner order.

    What a file contributes (its authors, their handles, whether any is active, who committed
    when) is worked out once per file and per author, not once per owner of the file.
    """
    by_owner: Dict[str, List[str]] = {}
    for path in paths:
        for owner in real_owners(owners_of(path)):
            by_owner.setdefault(owner, []).append(path)
    handle_of: Dict[int, Optional[str]] = {}
    active_of: Dict[int, bool] = {}

    def handle(author: int) -> Optional[str]:
        if author not in handle_of:
            handle_of[author] = history.handle(author)
        return handle_of[author]

    def active(author: int) -> bool:
        if author not in active_of:
            active_of[author] = history.active(author)
        return active_of[author]

    facts: Dict[str, Tuple[List[int], Set[str], bool, List[Tuple[str, int]]]] = {}

    model = history.model
    files_get = model.files.get if model is not None else None
    prefix = history.prefix

    def facts_of(path: str) -> Tuple[List[int], Set[str], bool, List[Tuple[str, int]]]:
        found = facts.get(path)
        if found is None:
            authors = history.author_ids(path)
            record = files_get(prefix + path) if files_get is not None else None
            if record is not None and len(record) == 4:  # one contributor, the file's only author
                who = handle(record[1])
                found = facts[path] = (authors, set() if who is None else {who}, active(record[1]),
                                       [] if who is None else [(who, record[3])])
                return found
            handles = {h for h in map(handle, authors) if h is not None}
            commits = [(h, when) for h, when in ((handle(a), when) for a, _, when in history.contributors(path))
                       if h is not None]
            found = facts[path] = (authors, handles, any(map(active, authors)), commits)
        return found

    rows = []
    for owner in sorted(by_owner, key=str.casefold):
        files = by_owner[owner]
        people = history.identities.people(owner)
        with_member = nobody = 0
        last: Optional[int] = None
        authored: Dict[str, List[int]] = {}
        for path in files:
            authors, handles, someone_active, commits = facts_of(path)
            authored[path] = authors
            if not people.isdisjoint(handles):
                with_member += 1
            if not someone_active:
                nobody += 1
            for who, when in commits:
                if who in people and (last is None or when > last):
                    last = when
        tf, removed = truck_factor(authored)
        labels = tuple(model.label(a) for a in removed) if model is not None else ()
        rows.append(TeamRow(owner, len(files), with_member / len(files), nobody / len(files), last, tf, labels))
    return rows


def directory_rows(history: History, paths: Sequence[str]) -> List[DirectoryRow]:
    """Truck factor per top directory (files at the root are not a directory)."""
    groups: Dict[str, Dict[str, List[int]]] = {}
    for path in paths:
        top = top_directory(path)
        if top is not None:
            groups.setdefault(top, {})[path] = history.author_ids(path)
    rows = []
    model = history.model
    for directory in sorted(groups):
        tf, removed = truck_factor(groups[directory])
        labels = tuple(model.label(a) for a in removed) if model is not None else ()
        rows.append(DirectoryRow(directory, len(groups[directory]), tf, labels))
    return rows


DECLARED_CACHE_FORMAT = 2  # 2: the head commit and the active window stored with the rows
DECLARED_CACHE_NAME = f"declared-rows-v{DECLARED_CACHE_FORMAT}-"  # + the key's first 16 digits + ".json"
DECLARED_CACHE_KEEP = 8  # files kept: one per project (and per state) used in turn


def declared_file(cache_dir: Path, key: str) -> Path:
    """The file holding the rows stored under ``key``: one per key, the newest few kept, so
    projects used in turn in one cache directory do not overwrite each other's rows."""
    return cache_dir / f"{DECLARED_CACHE_NAME}{key[:16]}.json"


def declared_key(history: History, paths: Sequence[str], owners_of: OwnersOf,
                 paths_and_owners: Optional[str] = None) -> Optional[str]:
    """What :func:`owner_rows` and :func:`directory_rows` depend on, as one digest: the history
    model (its settings fingerprint and head commit), the roster and identities, the active
    window, and every path with its declared owners.  None when the history is not cached.

    ``paths_and_owners``: a digest already computed that stands for the paths and their owners
    (the path list's digest, the scope and the ownership inputs, from which every path's owners
    follow); then no path is hashed again.  Without it every path is hashed with its owners."""
    model = history.model
    if model is None or history.fingerprint is None or not model.head:
        return None
    from repo_roles import __version__

    digest = hashlib.sha1(json.dumps([DECLARED_CACHE_FORMAT, __version__, history.fingerprint, model.head,
                                      model.newest, history.prefix, history.active_days,
                                      history.identities.key, paths_and_owners]).encode())
    if paths_and_owners is not None:
        return digest.hexdigest()
    for path in paths:
        digest.update(path.encode("utf-8", "surrogatepass"))
        for owner in owners_of(path):
            digest.update(b"\0" + owner.encode("utf-8", "surrogatepass"))
        digest.update(b"\n")
    return digest.hexdigest()


def stored_key(history_key: str, prefix: str, active_days: int, identities_key: str, paths_and_owners: str) -> str:
    """The key of the rows computed without the model: :func:`~repo_roles.history.stage.history_key`
    (the model's settings and HEAD, from which its head and newest commit follow), the prefix,
    the active window, the roster and identities, and a digest standing for every path with its
    owners (see :func:`declared_key`).  A warm audit whose rows are stored under it loads no
    history model."""
    from repo_roles import __version__

    return hashlib.sha1(json.dumps([DECLARED_CACHE_FORMAT, __version__, "stored", history_key, prefix,
                                    active_days, identities_key, paths_and_owners]).encode()).hexdigest()


class DeclaredTables(NamedTuple):
    owners: List[TeamRow]
    directories: List[DirectoryRow]
    head: str  # the history's head commit
    since: int  # the start of its active window (seconds since the epoch)


def load_tables(cache_dir: Path, key: str) -> Optional[DeclaredTables]:
    """The rows stored under ``key``, or None when missing, for another key, or damaged in any way."""
    path = declared_file(cache_dir, key)
    try:
        data = json.loads(path.read_bytes())
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        head, since = data["head"], data["since"]
        if not (isinstance(head, str) and isinstance(since, int)):
            return None
        owners = []
        for o, files, with_member, nobody, last, tf, top in data["owners"]:
            if not (isinstance(o, str) and isinstance(files, int) and isinstance(with_member, float)
                    and isinstance(nobody, float) and (last is None or isinstance(last, int))
                    and isinstance(tf, int) and all(isinstance(t, str) for t in top)):
                return None
            owners.append(TeamRow(o, files, with_member, nobody, last, tf, tuple(top)))
        directories = []
        for d, files, tf, top in data["directories"]:
            if not (isinstance(d, str) and isinstance(files, int) and isinstance(tf, int)
                    and all(isinstance(t, str) for t in top)):
                return None
            directories.append(DirectoryRow(d, files, tf, tuple(top)))
    except (OSError, ValueError, TypeError, KeyError):
        return None
    from repo_roles.cachedir import mark_used

    mark_used(path)
    return DeclaredTables(owners, directories, head, since)


def declared_tables(history: History, paths: Sequence[str], owners_of: OwnersOf,
                    cache_dir: Optional[Path], paths_and_owners: Optional[str] = None,
                    key: Optional[str] = None) -> Tuple[List[TeamRow], List[DirectoryRow]]:
    """:func:`owner_rows` and :func:`directory_rows`, read from ``cache_dir`` when nothing they
    depend on changed (see :func:`declared_key`, and its ``paths_and_owners``); a missing or
    damaged cache only costs time.  ``key``: store them under this key instead (the
    :func:`stored_key` the caller looked up before loading the model)."""
    if key is None and cache_dir is not None:
        key = declared_key(history, paths, owners_of, paths_and_owners)
    model = history.model
    if key is not None and cache_dir is not None:
        found = load_tables(cache_dir, key)
        if found is not None and model is not None and found.head == model.head:
            return found.owners, found.directories
    owners = owner_rows(history, paths, owners_of)
    directories = directory_rows(history, paths)
    if key is not None and cache_dir is not None and model is not None and model.head:
        from repo_roles.atomic import AtomicWriteError, write_atomic

        data = {"key": key, "head": model.head, "since": history.since(),
                "owners": [list(r) for r in owners], "directories": [list(d) for d in directories]}
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            write_atomic(str(declared_file(cache_dir, key)), json.dumps(data, separators=(",", ":")))
        except (OSError, AtomicWriteError):
            pass  # a cache is best effort
        from repo_roles.cachedir import keep_newest

        keep_newest(cache_dir, ".json", DECLARED_CACHE_KEEP, prefix=DECLARED_CACHE_NAME)
    return owners, directories


def directory_activity(history: History) -> Dict[str, Dict[int, int]]:
    """Directory (project-relative, "" for the root) -> author id -> newest commit to a file
    directly in it; computed once per history."""
    found = getattr(history, "_directory_activity", None)
    if found is not None:
        return found
    found = {}
    model = history.model
    prefix = history.prefix
    if model is not None:
        for key, record in model.files.items():
            if prefix and not key.startswith(prefix):
                continue
            directory = key[len(prefix):].rpartition("/")[0]
            seen = found.setdefault(directory, {})
            for author, _, when in contributions(record):
                if when > seen.get(author, -1):
                    seen[author] = when
    history._directory_activity = found  # type: ignore[attr-defined]
    return found


class Staleness(NamedTuple):
    people: frozenset  # the declared owners as handles (team members expanded)
    others: Tuple[int, ...]  # authors outside them active on the file or its directory


def stale(history: History, path: str, owners: Sequence[str]) -> Optional[Staleness]:
    """None unless no declared owner committed to ``path`` or its directory within the active
    window while somebody else did."""
    people: Set[str] = set()
    for owner in real_owners(owners):
        people |= history.identities.people(owner)
    if not people:
        return None
    since = history.since()
    # the file's own commits are among its directory's
    activity = directory_activity(history).get(path.rpartition("/")[0], {})
    others = []
    for author, when in activity.items():
        if when < since:
            continue
        if history.handle(author) in people:
            return None
        others.append(author)
    if not others:
        return None
    return Staleness(frozenset(people), tuple(sorted(others)))


def suggestion(history: History, path: str) -> Optional[str]:
    """Who should own ``path`` by history: the roster team with most of its active authors, else
    the strongest active author's handle (or e-mail).  None when no active author knows it."""
    active = [a for a in history.author_ids(path) if history.active(a)]
    if not active:
        return None
    votes: Dict[str, int] = {}
    for author in active:
        handle = history.handle(author)
        for team in history.identities.member_of.get(handle or "", ()):
            votes[team] = votes.get(team, 0) + 1
    if votes:
        best = min(votes, key=lambda team: (-votes[team], team))
        return history.identities.teams[best].handle
    handle = history.handle(active[0])
    if handle is not None:
        return handle
    model = history.model
    assert model is not None
    return model.authors[active[0]][1]
