"""One file under classification: its name parts, and its head read at most once, lazily."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Callable, Dict, Iterable, Optional, Sequence, Set, Tuple

from repo_roles.classify import sniff

if TYPE_CHECKING:
    from repo_roles.classify.sniffcache import SniffMemo

ReadHead = Callable[[str, int], Optional[bytes]]
_UNREAD = object()


def extension_of(name: str) -> str:
    """Lowercase text after the last dot; ``""`` for ``Makefile`` and for dotfiles (``.gitignore``)."""
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


class Probe:
    """The facts every signal looks at for one path.

    Submodules are directories: their whole path is matched as a directory (``vendor/lib/``),
    and they have no name or extension to look up. Only regular files are ever read.
    """

    __slots__ = ("path", "kind", "directory", "base", "lower", "ext", "match_path", "attrs",
                 "negated", "notes", "contextual", "content_seen", "_read_head", "_head", "_text", "_test", "_memo")

    def __init__(self, path: str, kind: str, read_head: ReadHead, attrs: Dict[str, str],
                 memo: Optional["SniffMemo"] = None) -> None:
        self.path = path
        self.kind = kind
        if kind == "submodule":
            self.directory, self.base, self.match_path = path, "", path + "/"
        else:
            self.directory, _, self.base = path.rpartition("/")  # posixpath.split, minus overhead
            self.match_path = path
        self.lower = self.base.lower()
        self.ext = extension_of(self.base)
        self.attrs = attrs
        self.negated: Set[str] = set()  # linguist-* attributes explicitly set to false/unset
        self.notes: Dict[str, str] = {}  # why a signal did not match, for explain()
        self.contextual = False  # the decision looked beyond path and content (a package.json…)
        self.content_seen = False  # a fact of its content came from another reader (GivenHeads)
        self._read_head = read_head
        self._head: object = _UNREAD
        self._text: object = _UNREAD
        self._test: object = _UNREAD
        self._memo = memo  # what earlier runs learned from file contents (see sniffcache)

    @property
    def readable(self) -> bool:
        """Symlinks and submodules are classified by path only; never sniffed."""
        return self.kind == "file"

    def head(self) -> Optional[bytes]:
        """The first 4 KB as bytes, read on first use and only for regular files."""
        if self._head is _UNREAD:
            self._head = self._read_head(self.path, sniff.HEAD_LIMIT) if self.readable else None
        return self._head  # type: ignore[return-value]

    def text(self) -> Optional[str]:
        """:meth:`head`, decoded on first use."""
        if self._text is _UNREAD:
            head = self.head()
            self._text = sniff.decode(head[: sniff.HEAD_LIMIT]) if head is not None else None
        return self._text  # type: ignore[return-value]

    def memo_test(self, compute: Callable[["Probe"], object]) -> object:
        """The test-convention path match, ``compute(self)`` once (the generated signal asks it too)."""
        if self._test is _UNREAD:
            self._test = compute(self)
        return self._test

    def fact(self, name: str, compute: Callable[["Probe"], object]) -> object:
        """A fact of the content, ``compute(self)`` unless an earlier run stored it for this blob."""
        memo = self._memo
        facts = memo.known(self.path) if memo is not None and self.readable else None
        if facts is None:
            return compute(self)
        if name in facts:
            return facts[name]
        value = compute(self)
        if self.content_seen or self._head is not None and self._head is not _UNREAD:
            # an unreadable file proves nothing; one another process read and gave does
            memo.record(self.path, name, value)  # type: ignore[union-attr]
        return value


class Later(Exception):
    """Raised by a signal for a file whose content fact another process is still reading
    (:meth:`GivenHeads.wait_for`): :meth:`Classifier.classify_all` comes back to the file,
    resuming with :attr:`probe` at the signal numbered :attr:`start`."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path
        self.probe: Optional["Probe"] = None
        self.start = 0


class GivenHeads:
    """Header facts (:meth:`sniff.HeaderSniff.name`) of files another process reads for this
    run: the documentation workers of a cold run read every file whole, so the classifier need
    not read the same heads (``coverage.early`` hands them over with :meth:`arrived` as their
    tasks come back, in path order).  ``expected``: the files they read, in that order; while
    :attr:`deferring`, a file of those not given yet is put off (:class:`Later`) rather than
    read here, and :meth:`wait` waits for it."""

    NOT_YET = _UNREAD

    def __init__(self, expected: Sequence[str]) -> None:
        self.found: Dict[str, Optional[str]] = {}  # path -> header fact
        self.expected = {path: index for index, path in enumerate(expected)}
        self.deferring = False
        self._through = 0  # the files of expected whose tasks came back (or never will)
        self._open = True
        self._arrival = threading.Condition()

    def wait_for(self, path: str) -> None:
        """Raise :class:`Later` when ``path``'s fact is still to come and the caller may wait."""
        if self.deferring and path in self.expected:
            raise Later(path)

    def arrived(self, count: int, facts: Iterable[Tuple[str, Optional[str]]]) -> None:
        """The next ``count`` files of ``expected`` are done; ``facts``: those they gave."""
        with self._arrival:
            self.found.update(facts)
            self._through += count
            self._arrival.notify_all()

    def close(self) -> None:
        """No more facts will come (the stage ended, or failed): nobody waits any longer."""
        with self._arrival:
            self._open = False
            self._arrival.notify_all()

    def wait(self, path: str) -> None:
        """Return once ``path``'s task came back (its fact is in :attr:`found`, unless the file
        was not read there), or once no more facts will come."""
        index = self.expected.get(path)
        if index is None:
            return
        with self._arrival:
            while self._open and index >= self._through:
                self._arrival.wait(1.0)
