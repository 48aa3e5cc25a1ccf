"""One file under classification: its name parts, and its head read at most once, lazily."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict, Optional, Set

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
                 "negated", "notes", "contextual", "_read_head", "_head", "_text", "_test", "_memo")

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
        if self._head is not None and self._head is not _UNREAD:  # an unreadable file proves nothing
            memo.record(self.path, name, value)  # type: ignore[union-attr]
        return value
