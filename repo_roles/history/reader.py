"""One ``git log`` process over the history, read as a stream.

The command is ``git log --no-merges -M --name-status -z`` with a header per commit (id, the
author's mailmapped name and e-mail, author time): tree diffs only, so no blob is ever read —
no ``--numstat``.  Inexact rename detection does read the blobs of added and deleted files,
so a partial clone (``--filter=blob:none`` or a size limit) is not read at all
(:func:`history_state` says so; the caller skips history with a note), and
``GIT_NO_LAZY_FETCH=1`` (git >= 2.44) guards every command against fetching.  Merge commits are skipped
(``--no-merges``); bots and ignored revisions are skipped by :mod:`repo_roles.history.stage`.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Iterator, List, NamedTuple, Optional, Tuple

from repo_roles._compat import at_thread_exit
from repo_roles.errors import NotARepositoryError

# A record starts with \x01 (never in a path from -z output, nor in git's mailmapped names in
# practice); the header fields are separated by NUL, then come the -z name-status tokens.
_FORMAT = "--format=%x01%H%x00%aN%x00%aE%x00%at"
_CHUNK = 1 << 20
_HEX = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


class HistoryReadError(NotARepositoryError):
    """git log failed; ``detail`` is git's first line of error output."""

    def __init__(self, git_root: Path, detail: str) -> None:
        super().__init__(f"{git_root}: git log failed: {detail}")
        self.detail = detail


class Change(NamedTuple):
    status: str  # A, M, D, T, R (rename: ``old`` is set), C (copy: ``old`` is the source)
    path: str
    old: Optional[str] = None


class Commit(NamedTuple):
    id: str
    name: str
    email: str
    time: int  # author time, seconds since the epoch
    changes: List[Change]


def _env() -> dict:
    env = dict(os.environ)
    env["GIT_NO_LAZY_FETCH"] = "1"  # a partial clone must never fetch (git >= 2.44)
    env["GIT_TERMINAL_PROMPT"] = "0"
    return env


def log_command(revisions: str) -> List[str]:
    """The ``git log`` command line (oldest commit first)."""
    return [
        "git", "-c", "log.showSignature=false", "-c", "diff.renames=true", "log", "--reverse",
        "--no-merges", "--no-color", "-M", "--name-status", "-z",
        _FORMAT, revisions, "--",
    ]


def _start_log(git_root: Path, revisions: str):
    """The running ``git log`` of ``revisions`` (GitPython's process wrapper)."""
    import git  # GitPython: only the commands that read history pay for its import

    return git.Git(str(git_root)).execute(log_command(revisions), as_process=True, env=_env())


PREFETCH_BYTES = 64 << 20  # the most of a log read ahead into memory; the rest is streamed as read


class LogAhead:
    """A full pass's ``git log`` started before anyone reads it (a cold ``audit``: the history is
    asked for after classification, ownership and the documentation stage).  A thread asks for
    the history's state (:func:`history_state`, two git calls) and, when it is complete, starts
    ``git log`` of its head and reads the output into memory (up to :data:`PREFETCH_BYTES`; the
    read waits with the GIL released), so git runs meanwhile on an idle core instead of while
    the history stage waits for it.  :func:`read_log` takes the output when asked for the same
    root and head; nothing else changes (same command, same errors)."""

    def __init__(self, git_root: Path) -> None:
        self.git_root = Path(git_root)
        self.state: Optional[HistoryState] = None
        self._process = None
        self._chunks: List[bytes] = []
        self._error: Optional[BaseException] = None
        self._taken = False
        self._stopped = False  # close() was called: no git starts, a running one is killed
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="repo-roles-git-log", daemon=True)
        self._thread.start()
        # A run that ends without asking for the history (an error, Ctrl-C, its findings
        # stored) stops git at exit rather than letting the thread read on.
        at_thread_exit(self.close)

    def _run(self) -> None:
        try:
            state = self.state = history_state(self.git_root)
            if not state.complete or state.head is None:
                return
            with self._lock:
                if self._stopped:
                    return
                self._process = _start_log(self.git_root, state.head)
            stdout = self._process.proc.stdout
            held = 0
            while held < PREFETCH_BYTES and not self._stopped:
                chunk = stdout.read(_CHUNK)
                if not chunk:
                    break
                self._chunks.append(chunk)
                held += len(chunk)
        except BaseException as error:  # noqa: BLE001 - read_log starts git again and reports it
            self._error = error

    def finish(self) -> Optional[HistoryState]:
        """Wait for the thread; the state it read (None when it failed)."""
        self._thread.join()
        return self.state if self._error is None else None

    def take(self, git_root: Path, revisions: str) -> Optional[Tuple[object, List[bytes]]]:
        """``(process, output read so far)`` of the log of ``revisions`` at ``git_root``, once;
        None when this is not that log (another root or revisions, or it could not start)."""
        self.finish()
        with self._lock:
            if (self._taken or self._stopped or self._process is None or self._error is not None
                    or self.state is None or revisions != self.state.head or Path(git_root) != self.git_root):
                return None
            self._taken = True
        chunks, self._chunks = self._chunks, []
        return self._process, chunks

    def close(self) -> None:
        """Stop a log nobody took (the run ended, or asked for another one): git is killed
        first (the thread's read then ends), then the thread and git are waited for; a git not
        started yet is never started.  Idempotent."""
        with self._lock:
            self._stopped = True
            process = self._process if not self._taken else None
        if process is not None:
            try:
                process.proc.kill()
            except OSError:  # (already gone)
                pass
        self._thread.join()
        self._process = None
        self._chunks = []  # (the object lives on in the exit hook: what it read is not held)
        if process is not None:
            process.proc.stdout.close()
            process.proc.wait()


def read_log(git_root: Path, revisions: str = "HEAD", ahead: Optional[LogAhead] = None) -> Iterator[Commit]:
    """Every non-merge commit reachable from ``revisions``, oldest first, streamed; ``ahead``: a
    log started earlier, taken when it is this one."""
    taken = ahead.take(git_root, revisions) if ahead is not None else None
    if taken is not None:
        process, read = taken
    else:
        process, read = _start_log(git_root, revisions), []
    stdout = process.proc.stdout  # type: ignore[union-attr]
    try:
        pending = b""
        read.reverse()
        while True:
            chunk = read.pop() if read else stdout.read(_CHUNK)
            if not chunk:
                break
            records = (pending + chunk).split(b"\x01")
            pending = records.pop()
            for record in records:
                if record:
                    yield _parse(record)
        if pending:
            yield _parse(pending)
    finally:
        stdout.close()
        code = process.proc.wait()  # type: ignore[union-attr]
    if code != 0:
        stderr = process.proc.stderr.read().decode("utf-8", "replace") if process.proc.stderr else ""  # type: ignore[union-attr]
        raise HistoryReadError(git_root, (stderr.strip().splitlines() or [f"exit code {code}"])[0])


def _parse(record: bytes) -> Commit:
    tokens = record.decode("utf-8", "surrogateescape").split("\0")
    commit_id, name, email, when = tokens[0], tokens[1], tokens[2], tokens[3]
    rest = tokens[4:]
    changes: List[Change] = []
    k = 0
    n = len(rest)
    while k < n:
        status = rest[k].lstrip("\n")
        if not status:
            k += 1
            continue
        kind = status[0]
        if kind in "RC":
            if k + 2 >= n:
                break
            changes.append(Change(kind, rest[k + 2], rest[k + 1]))
            k += 3
        else:
            if k + 1 >= n:
                break
            changes.append(Change(kind, rest[k + 1]))
            k += 2
    return Commit(commit_id, name, email, int(when or 0), changes)


class HistoryState(NamedTuple):
    """What kind of history a repository has: only a ``complete`` one gives verdicts."""

    head: Optional[str]  # None: no commit yet
    shallow: bool
    partial: bool
    grafted: bool
    ignore_revs_file: Optional[str] = None  # blame.ignoreRevsFile, as configured

    @property
    def complete(self) -> bool:
        return self.problem is None

    @property
    def problem(self) -> Optional[str]:
        if self.head is None:
            return "the repository has no commits"
        if self.shallow:
            return "this is a shallow clone"
        if self.partial:
            return "this is a partial clone (blobs may be missing; nothing is fetched)"
        if self.grafted:
            return "the history is grafted or replaced (git replace / info/grafts)"
        return None


def _git(git_root: Path, *args: str) -> Tuple[int, str]:
    """git's exit code and output (one trailing newline cut, as GitPython's ``execute`` does):
    a plain subprocess, so a run that only asks for the history's state (the HIS rules' cache
    key) does not import GitPython."""
    import subprocess

    try:
        done = subprocess.run(["git", *args], cwd=str(git_root), env=_env(), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
    except OSError:
        return 1, ""
    if done.returncode:
        return done.returncode, ""
    out = done.stdout.decode("utf-8", "surrogateescape")
    return 0, out[:-1] if out.endswith("\n") else out


_SETTINGS = r"^(extensions\.partialclone|remote\..*\.promisor|blame\.ignorerevsfile)$"


def history_state(git_root: Path) -> HistoryState:
    """Shallow, partial, grafted or empty: two git calls and a look at the refs, no history read.

    ``settings`` keeps what ``git config`` said (``blame.ignoreRevsFile`` is read there too).
    """
    code, out = _git(git_root, "rev-parse", "--is-shallow-repository", "--git-common-dir", "--verify", "-q", "HEAD")
    lines = out.splitlines()
    head = lines[2].strip() if code == 0 and len(lines) >= 3 and _HEX.match(lines[2].strip()) else None
    shallow = bool(lines) and lines[0].strip() == "true"
    common = Path(lines[1].strip()) if len(lines) >= 2 else Path(git_root) / ".git"
    if not common.is_absolute():
        common = Path(git_root) / common
    _, found = _git(git_root, "config", "--get-regexp", _SETTINGS)
    settings = {}
    for line in found.splitlines():
        key, _, value = line.partition(" ")
        settings[key.lower()] = value  # the last value wins, as for git
    partial = any(value.strip().lower() not in ("false", "") or key == "extensions.partialclone"
                  for key, value in settings.items() if key != "blame.ignorerevsfile")
    grafted = (common / "info" / "grafts").exists()
    if not os.environ.get("GIT_NO_REPLACE_OBJECTS"):
        grafted = grafted or _has_replace_refs(git_root, common)
    return HistoryState(head, shallow, partial, grafted, settings.get("blame.ignorerevsfile"))


def _has_replace_refs(git_root: Path, common: Path) -> bool:
    """Whether ``refs/replace/`` holds a ref (loose or packed; asks git for other ref stores)."""
    if (common / "reftable").exists():
        _, replaced = _git(git_root, "for-each-ref", "--count=1", "--format=%(refname)", "refs/replace/")
        return bool(replaced.strip())
    for _, _, names in os.walk(common / "refs" / "replace"):
        if names:
            return True
    try:
        with open(common / "packed-refs", "rb") as handle:
            return any(b" refs/replace/" in line for line in handle)
    except OSError:
        return False


def walk_order(git_root: Path, head: str) -> Iterator[bytes]:
    """The output of ``git rev-list --reverse --no-merges head``, in chunks: every commit id the
    full pass of :func:`read_log` applies, one a line, in the order it applies them (the same
    revision walk).  Nothing is yielded after a failure; the caller compares bytes."""
    import subprocess

    try:
        process = subprocess.Popen(["git", "rev-list", "--reverse", "--no-merges", head, "--"],
                                   cwd=str(git_root), env=_env(), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except OSError:
        return
    assert process.stdout is not None
    try:
        while True:
            chunk = process.stdout.read(_CHUNK)
            if not chunk:
                break
            yield chunk
    finally:
        if process.poll() is None:
            process.kill()  # the caller stopped early: the rest is not wanted
        process.stdout.close()
        code = process.wait()
    if code != 0:
        yield b"\0"  # never part of a list of ids: the comparison fails


def has_merges(git_root: Path, revisions: str) -> bool:
    """Whether ``revisions`` holds a merge commit (True when git cannot say)."""
    code, out = _git(git_root, "rev-list", "--merges", "-n", "1", revisions, "--")
    return code != 0 or bool(out.strip())


def is_ancestor(git_root: Path, older: str, newer: str) -> bool:
    code, _ = _git(git_root, "merge-base", "--is-ancestor", older, newer)
    return code == 0
