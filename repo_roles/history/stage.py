"""The history stage of a scan: build (or extend) the model once, answer per project path.

``ProjectContext.history`` calls :func:`load_history` on first use, so commands and rules that
never ask about history never run git log.
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, FrozenSet, List, Optional, Set, Tuple

from repo_roles import __version__
from repo_roles.history import cache as history_cache
from repo_roles.history.identity import Identities
from repo_roles.history.model import AuthorDOA, HistoryModel, contributions
from repo_roles.history.reader import (HistoryReadError, HistoryState, LogAhead, has_merges, history_state,
                                       is_ancestor, read_log, walk_order)

if TYPE_CHECKING:
    from repo_roles.config import Config
    from repo_roles.inventory import Inventory

FETCH_HINT = "history needs the full history: fetch-depth: 0"
IGNORE_REVS_NAME = ".git-blame-ignore-revs"
MAX_LIST_SIZE = 4 * 1024 * 1024  # .mailmap and ignore-revs files larger than this are not read


class History:
    """What history says about the project's files (paths relative to the project root)."""

    def __init__(self, model: Optional[HistoryModel], state: Optional[HistoryState], prefix: str,
                 identities: Identities, active_days: int, note: Optional[str]) -> None:
        self.model = model
        self.state = state
        self.prefix = prefix
        self.identities = identities
        self.active_days = active_days
        self.note = note  # why history is unavailable; None when it is
        self._authors: Dict[str, List[int]] = {}
        self.fingerprint: Optional[str] = None  # the model's settings (see fingerprint()); None: uncached

    @property
    def available(self) -> bool:
        return self.model is not None

    def _key(self, path: str) -> str:
        return self.prefix + path

    def author_ids(self, path: str) -> List[int]:
        if self.model is None:
            return []
        found = self._authors.get(path)
        if found is None:
            found = self._authors[path] = self.model.author_ids(self._key(path))
        return found

    def authors(self, path: str) -> List[str]:
        """The file's authors ("Name <email>"), strongest first."""
        model = self.model
        return [model.label(a) for a in self.author_ids(path)] if model is not None else []

    def summary(self, path: str) -> Tuple[List[str], Optional[str]]:
        """``(authors, last commit as ISO date)`` of a file, reading its record once (``ls``)."""
        model = self.model
        if model is None:
            return [], None
        record = model.files.get(self._key(path))
        if record is None or len(record) < 4:
            return [], None
        if len(record) == 4:  # one contributor, always the file's author (see model.author_ids)
            return [model.label(record[1])], iso(record[3])
        return self.authors(path), iso(max(record[3::3]))

    def doa(self, path: str) -> List[AuthorDOA]:
        return self.model.doa_of(self._key(path)) if self.model is not None else []

    def last_commit(self, path: str) -> Optional[int]:
        return self.model.last_commit(self._key(path)) if self.model is not None else None

    def last_commit_iso(self, path: str) -> Optional[str]:
        when = self.last_commit(path)
        return iso(when) if when is not None else None

    def contributors(self, path: str) -> List[Tuple[int, int, int]]:
        """(author id, commits, last time) per contributor to the file (empty when unknown)."""
        if self.model is None:
            return []
        record = self.model.files.get(self._key(path))
        return list(contributions(record)) if record is not None else []

    def active(self, author: int) -> bool:
        return self.model is not None and self.model.active(author, self.active_days)

    def since(self) -> int:
        """The start of the active window (seconds since the epoch)."""
        return (self.model.newest if self.model is not None else 0) - self.active_days * 86400

    def handle(self, author: int) -> Optional[str]:
        if self.model is None:
            return None
        name, email = self.model.authors[author]
        return self.identities.handle_of(name, email)

    def handles_of(self, authors: List[int]) -> Set[str]:
        return {h for h in (self.handle(a) for a in authors) if h is not None}

    def people_last(self) -> Dict[str, int]:
        """Handle -> newest commit anywhere, over every author that maps to a handle; and each
        author's case-folded e-mail -> newest commit (an e-mail CODEOWNERS owner needs no roster)."""
        found = getattr(self, "_people_last", None)
        if found is None:
            found = {}
            if self.model is not None:
                authors = self.model.authors
                for author, when in enumerate(self.model.author_last):
                    for key in (self.handle(author), authors[author][1].casefold()):
                        if key is not None and when > found.get(key, -1):
                            found[key] = when
            self._people_last = found
        return found

    def active_people(self) -> FrozenSet[str]:
        since = self.since()
        return frozenset(h for h, t in self.people_last().items() if t >= since)


@functools.lru_cache(maxsize=8192)  # many files share their last commit
def iso(when: int) -> str:
    return datetime.fromtimestamp(when, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def day(when: int) -> str:
    """The UTC date of a commit time (``2026-12-06``): the one date format of history output."""
    return iso(when)[:10]


def _git_root_inventory(inventory: "Inventory") -> "Inventory":
    """An inventory rooted at the git top level, for its guarded reads (no symlinks, size cap)."""
    if not inventory.prefix:
        return inventory
    from repo_roles.inventory import Inventory

    top = inventory.git_root
    assert top is not None
    return Inventory(project_root=top, git_root=top, prefix="", scope="", entries=[])


def ignored_revisions(inventory: "Inventory", configured: Optional[str]) -> FrozenSet[str]:
    """Commit ids listed in ``blame.ignoreRevsFile`` and ``.git-blame-ignore-revs`` (GitHub's name).

    Format as git's ``--ignore-revs-file``: one full commit id per line, ``#`` comments.
    """
    reader = _git_root_inventory(inventory)
    names = [IGNORE_REVS_NAME]
    if configured and not Path(configured).is_absolute() and ".." not in Path(configured).parts:
        names.insert(0, Path(configured).as_posix())
    revs: Set[str] = set()
    for name in dict.fromkeys(names):
        data = reader.read_bytes(name, MAX_LIST_SIZE)
        if not data:
            continue
        for line in data.decode("utf-8", "replace").splitlines():
            token = line.split("#", 1)[0].strip().lower()
            if token:
                revs.add(token)
    return frozenset(revs)


def fingerprint(inventory: "Inventory", config: "Config", ignored: FrozenSet[str]) -> str:
    mailmap = _git_root_inventory(inventory).read_bytes(".mailmap", MAX_LIST_SIZE) or b""
    settings = [history_cache.FORMAT, __version__, sorted(config.history.bots), sorted(ignored),
                hashlib.sha1(mailmap).hexdigest()]
    return hashlib.sha1(json.dumps(settings).encode()).hexdigest()[:16]


def extend(model: HistoryModel, git_root: Path, revisions: str, identities: Identities,
           ignored: FrozenSet[str], read: Optional[Callable[[bytes], object]] = None,
           ahead: Optional[LogAhead] = None) -> HistoryModel:
    """Apply every commit of ``revisions`` (oldest first), skipping bots and ignored revisions;
    ``read`` gets ``b"<id>\\n"`` of every commit read, skipped or not, in that order; ``ahead``:
    the log started early (:func:`prefetch_history`), taken if it is this one."""
    bots: Dict[tuple, bool] = {}
    author_id = model.author_id
    apply = model.apply
    for commit in read_log(git_root, revisions, ahead):
        if read is not None:
            read(commit.id.encode("ascii") + b"\n")
        if commit.id in ignored:
            continue
        key = (commit.name, commit.email)
        bot = bots.get(key)
        if bot is None:
            bot = bots[key] = identities.is_bot(commit.name, commit.email)
        if bot:
            continue
        apply(author_id(commit.name, commit.email), commit.time, commit.changes)
    return model


MAX_SEGMENTS = 64  # linear advances recorded before the next one compares the whole walk


def full_pass(git_root: Path, head: str, identities: Identities, ignored: FrozenSet[str],
              ahead: Optional[LogAhead] = None) -> HistoryModel:
    """The model of every commit reachable from ``head``, read in one ``git log`` (``ahead``'s
    when it was started for ``head``)."""
    order = hashlib.sha1()
    size = [0]

    def read(line: bytes) -> None:
        order.update(line)
        size[0] += len(line)

    model = extend(HistoryModel(), git_root, head, identities, ignored, read, ahead)
    model.order = [(size[0], order.hexdigest())]
    return model


def continues(model: HistoryModel, git_root: Path, head: str, added: bytes) -> bool:
    """Whether the full pass of ``head`` applies the model's commits in the model's order and
    then ``added`` (``b"<id>\\n"`` each, oldest first): then the extended model is the full
    pass's.  git's default walk pops commits by committer date, so a merged branch of
    older-dated commits interleaves with the cached ones and the model's order is not the
    full pass's (HistoryModel.apply depends on the order).  Compared with git's own order
    (one ``git rev-list``, no file read): exact whatever the dates, ties or git version.
    On success the model's order becomes ``head``'s, in one segment."""
    whole = hashlib.sha1()
    segments = list(model.order)
    known = sum(size for size, _ in segments)
    part, left = hashlib.sha1(), segments[0][0] if segments else 0
    tail = bytearray()
    seen = 0
    for chunk in walk_order(git_root, head):
        whole.update(chunk)
        seen += len(chunk)
        view = memoryview(chunk)
        while segments and view:
            take = view[:left]
            part.update(take)
            left -= len(take)
            view = view[len(take):]
            if left == 0:
                if part.hexdigest() != segments.pop(0)[1]:
                    return False  # the cached commits are walked in another order
                part, left = hashlib.sha1(), segments[0][0] if segments else 0
        tail += view
        if len(tail) > len(added):
            return False  # more commits, or others (the walk stops here: bounded memory)
    if segments or seen != known + len(added) or bytes(tail) != added:
        return False
    model.order = [(seen, whole.hexdigest())]
    return True


def _advance(model: Optional[HistoryModel], top: Path, head: str, identities: Identities,
             ignored: FrozenSet[str], ahead: Optional[LogAhead] = None) -> HistoryModel:
    """The model at ``head``: the cached one extended by the commits since its head when that
    provably gives the full pass's model, else a full pass.  A range without a merge is a chain
    down to the cached head (which is an ancestor): git's walk of ``head`` goes down it, then
    walks on from the cached head alone, as the cached walk did — the order is known without
    reading it.  Otherwise :func:`continues` compares git's walk with the cached order and the
    range's ids (``rev-list`` too), and only an accepted range's log is read."""
    if model is None or not model.head or not model.order or not is_ancestor(top, model.head, head):
        return full_pass(top, head, identities, ignored, ahead)  # no cache, or a rewritten history
    revisions = f"{model.head}..{head}"
    if len(model.order) < MAX_SEGMENTS and not has_merges(top, revisions):
        added = bytearray()
        model = extend(model, top, revisions, identities, ignored, added.extend)
        model.order.append((len(added), hashlib.sha1(added).hexdigest()))
        return model
    # The range's ids as its `git log` would apply them (the same walk, no file read), compared
    # with git's walk of ``head`` before the range is read: a refused extension reads no log.
    expected = b"".join(walk_order(top, revisions))
    if not continues(model, top, head, expected):
        return full_pass(top, head, identities, ignored)  # a merge of older-dated commits
    read = bytearray()
    model = extend(model, top, revisions, identities, ignored, read.extend)
    if read != expected:  # git log applied another order than rev-list listed: trust neither
        return full_pass(top, head, identities, ignored)
    return model


def history_key(inventory: "Inventory", config: "Config") -> Optional[str]:
    """What :func:`load_history` builds its model from — the settings :func:`fingerprint` and the
    HEAD commit — read without loading the model (two git calls); None when the history is not
    complete (``load_history`` then says why).  Results computed from the model (the HIS rules'
    findings) can be cached under it: a run where nothing changed never loads the model."""
    top = inventory.git_root
    if top is None:
        return None
    state = history_state(top)
    if not state.complete or state.head is None:
        return None
    ignored = ignored_revisions(inventory, state.ignore_revs_file)
    return f"{fingerprint(inventory, config, ignored)}:{state.head}"


def scan_history_key(context) -> Optional[str]:
    """:func:`history_key` of a scan's ``context`` (its inventory and configuration), once per
    scan (two git calls): the history rules, the audit document and ``ls``'s stored lines ask."""
    found = context.__dict__.get("_history_key", False)
    if found is False:
        found = context.__dict__["_history_key"] = history_key(context.inventory, context.config)
    return found


def prefetch_history(inventory: "Inventory", config: "Config", use_cache: bool = True) -> Optional[LogAhead]:
    """Start the full pass's ``git log`` now (:class:`~repo_roles.history.reader.LogAhead`) for a
    command that will ask for the history (``audit``: its document shows it) when no history
    file is cached: the pass :func:`load_history` would then make is read while the scan runs.
    None when there is a cached model (it may be extended instead) or no git repository.
    Measured on snuba (7,300 commits), the cold audit waited ~0.4 s for git log."""
    top = inventory.git_root
    if top is None:
        return None
    if use_cache:
        from repo_roles.cachedir import cache_directory, project_key

        directory = cache_directory(config, inventory.project_root)
        stored = history_cache.cache_file(directory, project_key(inventory))
        if stored.exists() or history_cache.latest_other(directory, stored) is not None:
            return None
    return LogAhead(top)


def load_history(inventory: "Inventory", config: "Config", use_cache: bool = True,
                 ahead: Optional[LogAhead] = None) -> History:
    """The history of the project's repository, from the cache, the cached model extended, or a
    full pass; ``ahead``: the full pass's log started early (:func:`prefetch_history`)."""
    try:
        return _load_history(inventory, config, use_cache, ahead)
    finally:
        if ahead is not None:
            ahead.close()  # a log nobody took is stopped


def _load_history(inventory: "Inventory", config: "Config", use_cache: bool,
                  ahead: Optional[LogAhead]) -> History:
    settings = config.history
    identities = Identities(config.teams, settings.identities, settings.bots)

    def unavailable(note: str, state: Optional[HistoryState] = None) -> History:
        return History(None, state, inventory.prefix, identities, settings.active_days, note)

    top = inventory.git_root
    if top is None:
        return unavailable("history needs a git repository")
    state = ahead.finish() if ahead is not None and ahead.git_root == top else None
    if state is None:
        state = history_state(top)
    if not state.complete:
        return unavailable(f"history skipped: {state.problem}; {FETCH_HINT}", state)
    head = state.head
    assert head is not None
    ignored = ignored_revisions(inventory, state.ignore_revs_file)
    model: Optional[HistoryModel] = None
    stored = None
    if use_cache:
        from repo_roles.cachedir import cache_directory, project_key

        directory = cache_directory(config, inventory.project_root)
        stored = history_cache.cache_file(directory, project_key(inventory))
        key = fingerprint(inventory, config, ignored)
        model = history_cache.load(stored, key)
        if model is None:
            other = history_cache.latest_other(directory, stored)
            model = history_cache.load(other, key) if other is not None else None
    if model is not None and model.head == head:
        found = History(model, state, inventory.prefix, identities, settings.active_days, None)
        found.fingerprint = key
        return found
    try:
        model = _advance(model, top, head, identities, ignored, ahead)
    except HistoryReadError as exc:
        # Rename detection reads the blobs of added and deleted files: a clone that lacks some
        # (a partial clone not marked as one, a damaged object store) makes git log fail with
        # "unable to read <blob>".  No verdict then, rather than one from half a history.
        return unavailable(f"history skipped: git log failed ({exc.detail}); {FETCH_HINT}", state)
    model.head = head
    found = History(model, state, inventory.prefix, identities, settings.active_days, None)
    if stored is not None:
        history_cache.save(stored, key, model)
        found.fingerprint = key
    return found
