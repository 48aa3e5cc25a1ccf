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


def open_project(path: str, config_path: Optional[str], untracked: Optional[bool]) -> Project:
    """The project of ``path``, its configuration and its file list (what every run reads)."""
    from repo_roles.config import load_config
    from repo_roles.inventory import load_inventory
    from repo_roles.project import locate_project

    root, scope, config_file = locate_project(Path(path), config_path)
    config = load_config(config_file)
    inventory = load_inventory(root, scope=scope, untracked=config.untracked if untracked is None else untracked,
                               deferred=True)
    return Project(root, inventory.scope, config, inventory)


class Memo:
    """The stored run of one command invocation (disabled by ``--no-cache``)."""

    def __init__(self, command: str, options: Mapping[str, object], project: Project, use_cache: bool,
                 extra_files: Sequence[str] = ()) -> None:
        self.key: Optional[str] = None
        self._store = None
        self._listings = None
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

    def lookup(self) -> Optional["Replay"]:
        """The stored run (checked whole; its output comes in pieces, see ``Replay.chunks``),
        or None: the command then analyses, and stores its answer only if the listing the key
        took from the index file's stamp is git's listing now."""
        if self._store is None or self.key is None:
            return None
        found = self._store.open(self.key, self._anchors)
        if found is None and self._listings is not None and not self._listings.confirm(self._inventory):
            self.key = None
        return found

    def save(self, exit_code: int, stdout: str, stderr: str = "", stderr_after: str = "") -> None:
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
_OPEN_STYLE = re.compile("\x1b(?:\\[[;?0-9]*)?\\Z")


def whole_lines(chunks: Iterable[str]) -> Iterator[str]:
    """``chunks`` with no ANSI style sequence cut in two (a piece ending inside one gives its
    start to the next), so ``click.echo``, which strips styles when not writing to a terminal,
    prints what it would print of the whole text; pieces without one pass as they are."""
    carry = ""
    for chunk in chunks:
        if carry:
            chunk, carry = carry + chunk, ""
        escape = chunk.rfind("\x1b")
        if escape >= 0 and _OPEN_STYLE.match(chunk, escape):
            chunk, carry = chunk[:escape], chunk[escape:]
        if chunk:
            yield chunk
    if carry:
        yield carry


def write_stderr(text: str) -> None:
    if text:
        sys.stderr.write(text)
        sys.stderr.flush()
