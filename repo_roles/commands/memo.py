"""A command's answer replayed from a stored run when nothing it depends on changed.

``audit``, ``ls`` and ``check`` (of a project or a directory, without a diff) first find their
project -- git's index is listed only if its file changed since a stored run (the key's
``listings``) -- and ask :mod:`repo_roles.runcache` for a run with the same key.  A hit prints
what that run printed, in pieces as it is decompressed, and exits as it did; a miss runs the
pipeline on the inventory already opened and stores what it printed.  Nothing below imports the
analysis stages, so a hit never pays for loading them.
"""

from __future__ import annotations

import io
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Iterable, Iterator, List, Mapping, NamedTuple, Optional, Sequence, TextIO

if TYPE_CHECKING:
    from repo_roles.config import Config
    from repo_roles.inventory import Inventory
    from repo_roles.runcache.store import Replay


class Project(NamedTuple):
    root: Path
    scope: str
    config: "Config"
    inventory: "Inventory"


def open_project(path: str, config_path: Optional[str], untracked: Optional[bool], *,
                 remember: bool = False) -> Project:
    """The project of ``path``, its configuration and its file list (what every run reads);
    ``remember``: the configuration may come from the cache of validated ones."""
    from repo_roles.inventory import WorktreeDiff, adopt_worktree_diff, git_toplevel, load_inventory, \
        remembered_toplevels
    from repo_roles.project import locate_project

    with remembered_toplevels():  # one `git rev-parse` for the project lookup and the inventory
        root, scope, config_file = locate_project(Path(path), config_path)
        # A cached run keys on the work tree's changes: git compares it while this process loads
        # the configuration, the inventory and the key's modules (~0.25 s of git at 100k files);
        # the entries git does not compare are known with the index file's stamp, or asked then.
        diff = WorktreeDiff.started_at(root, flags=False) if remember and git_toplevel(root) is not None else None
        try:
            from repo_roles.config import load_config

            config = load_config(config_file, remember=remember)
            inventory = load_inventory(root, scope=scope,
                                       untracked=config.untracked if untracked is None else untracked, deferred=True)
        except BaseException:
            if diff is not None:
                diff.cancel()
            raise
    if diff is not None:
        adopt_worktree_diff(inventory, diff)
    return Project(root, inventory.scope, config, inventory)


class Memo:
    """The stored run of one command invocation (disabled by ``--no-cache``)."""

    def __init__(self, command: str, options: Mapping[str, object], project: Project, use_cache: bool,
                 extra_files: Sequence[str] = ()) -> None:
        self.key: Optional[str] = None
        self._store = None
        self._listings = None
        self._unconfirmed = False  # a miss whose listing is not checked yet (see confirm)
        self._inventory = project.inventory
        self._anchors: Dict[str, str] = {"root": str(project.root), "cwd": os.getcwd()}
        if not use_cache:
            return
        from repo_roles.cachedir import cache_directory
        from repo_roles.runcache import RunStore, run_key
        from repo_roles.runcache.listing import Listings

        directory = cache_directory(project.config, project.root)
        self._listings = Listings(directory)
        self.key = run_key(command, options, config=project.config, inventory=project.inventory,
                           extra_files=extra_files, listings=self._listings)
        if self.key is not None:
            self._store = RunStore(directory)

    def lookup(self, *, list_ahead: bool = False) -> Optional["Replay"]:
        """The stored run (checked whole; its output comes in pieces, see ``Replay.chunks``),
        or None: the command then analyses, and stores its answer only if the listing the key
        took from the index file's stamp is git's listing now (:meth:`confirm`).
        ``list_ahead``: on a miss, git lists the index in a thread and the caller calls
        :meth:`confirm` once it has loaded the analysis (else it is called now)."""
        if self._store is None or self.key is None:
            return None
        found = self._store.open(self.key, self._anchors)
        if found is None and self._listings is not None:
            self._unconfirmed = True
            if list_ahead:
                self._listings.list_ahead(self._inventory)
            else:
                self.confirm()
        return found

    def confirm(self) -> None:
        """After a miss: check the listing the key took from the index file's stamp against
        git's (told to the inventory when it is the same; else nothing is stored).  Before the
        analysis reads the inventory's paths; once (:meth:`save` calls it too)."""
        if not self._unconfirmed:
            return
        self._unconfirmed = False
        assert self._listings is not None
        if not self._listings.confirm(self._inventory):
            self.key = None

    def save(self, exit_code: int, stdout: str, stderr: str = "", stderr_after: str = "") -> None:
        self.confirm()
        if self._store is None or self.key is None:
            return
        from repo_roles.runcache import RunEntry
        from repo_roles.runcache.store import anchors_in

        anchors = anchors_in([stdout, stderr, stderr_after], self._anchors)
        self._store.save(self.key, RunEntry(exit_code, stdout, stderr, anchors, stderr_after))


class Tee(io.TextIOBase):
    """A text stream that writes through to ``stream`` and keeps a copy of what was written."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._stream = stream
        self.parts: List[str] = []

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._stream, "encoding", None) or "utf-8"

    @property
    def errors(self) -> Optional[str]:  # type: ignore[override]
        return getattr(self._stream, "errors", None)

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # click probes for a binary stream with write(b"")
            raise TypeError("a text stream")
        self.parts.append(text)
        return self._stream.write(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return bool(getattr(self._stream, "isatty", lambda: False)())

    def fileno(self) -> int:
        return self._stream.fileno()

    def text(self) -> str:
        return "".join(self.parts)


# The start of an ANSI style sequence cut off at a piece's end (click strips r"\033\[[;?0-9]*[a-zA-Z]").
_OPEN_STYLE = re.compile(rb"\x1b(?:\[[;?0-9]*)?\Z")


def whole_pieces(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """``chunks`` (UTF-8) re-cut so that no piece ends inside a character or an ANSI style
    sequence (its start goes to the next piece): each piece decodes, and has its styles
    stripped by ``click.echo``, as it would within the whole text."""
    carry = b""
    for chunk in chunks:
        if carry:
            chunk, carry = carry + chunk, b""
        cut = _safe_end(chunk)
        if cut < len(chunk):
            chunk, carry = chunk[:cut], chunk[cut:]
        if chunk:
            yield chunk
    if carry:
        yield carry


def _safe_end(data: bytes) -> int:
    end = len(data)
    for back in range(1, min(4, end) + 1):  # a UTF-8 lead byte whose character runs past the end
        byte = data[end - back]
        if byte < 0x80:
            break
        if byte >= 0xC0:
            if (2 if byte < 0xE0 else 3 if byte < 0xF0 else 4) > back:
                end -= back
            break
    escape = data.rfind(b"\x1b", 0, end)
    if escape >= 0 and _OPEN_STYLE.match(data, escape, end):
        end = escape
    return end


def write_stored(stored: "Replay", output_file: Optional[str] = None, *, echo: bool = True,
                 make_parents: bool = False) -> None:
    """A stored standard output, written as the run that stored it wrote it: to ``output_file``
    (atomically), else through ``click.echo`` (``echo``: styles stripped when not writing to a
    terminal) or ``sys.stdout.write``.  Piece by piece: an ASCII piece without an escape
    character goes to the binary stream as it is (the same bytes on POSIX, nothing to decode
    or strip), any other is decoded first."""
    import click

    if output_file:
        from repo_roles.atomic import write_atomic

        write_atomic(output_file, stored.chunks(), make_parents=make_parents)
        return
    stream = sys.stdout
    binary = getattr(stream, "buffer", None) if os.name == "posix" else None
    for piece in whole_pieces(stored.raw_chunks()):
        if binary is not None and piece.isascii() and b"\x1b" not in piece:
            if echo:
                click.echo(piece, nl=False)  # click writes bytes to the binary stream
            else:
                stream.flush()
                binary.write(piece)
            continue
        text = piece.decode("utf-8", "surrogateescape")
        if echo:
            click.echo(text, nl=False)
        else:
            stream.write(text)
    if not echo:
        stream.flush()


def write_stderr(text: str) -> None:
    if text:
        sys.stderr.write(text)
        sys.stderr.flush()
