"""CODEOWNERS lines for unowned or stale areas, proposed from history and the roster.

A file needs an owner when no declared owner covers it, or when its owners are stale (see
:func:`repo_roles.history.declared.stale`); its proposed owner is
:func:`repo_roles.history.declared.suggestion`.  Lines are one per directory at the coarsest
level that stays accurate: a directory gets one line when every file below it that needs an
owner has the same proposal and no file below it is well owned by someone else (a line for the
directory would take it away from them); otherwise its children are looked at one by one.
"""

from __future__ import annotations

from typing import Callable, Dict, List, NamedTuple, Optional, Sequence, Set

from repo_roles.history.declared import real_owners, stale, suggestion
from repo_roles.history.stage import History


class Proposal(NamedTuple):
    pattern: str  # CODEOWNERS pattern: "*", "/dir/" or "/file"
    owner: str
    unowned: int  # files below it without an owner
    stale: int  # files below it whose owners are stale
    authors: List[str]  # the strongest active authors behind the proposal


class _Node:
    __slots__ = ("children", "files", "proposals", "keep")

    def __init__(self) -> None:
        self.children: Dict[str, "_Node"] = {}
        self.files: Dict[str, Optional[tuple]] = {}  # name -> (owner, unowned?, path) or None (keep)
        self.proposals: Set[str] = set()
        self.keep = False


def _escape(path: str) -> str:
    return path.replace("\\", "\\\\").replace(" ", "\\ ").replace("#", "\\#")


def propose(history: History, paths: Sequence[str], owners_of: Callable[[str], Sequence[str]]) -> List[Proposal]:
    root = _Node()
    for path in paths:
        owners = real_owners(owners_of(path))
        unowned = not owners
        if not unowned and stale(history, path, owners) is None:
            item: Optional[tuple] = None
        else:
            owner = suggestion(history, path)
            if owner is None:
                continue  # nobody active knows it: no proposal, and no objection to one
            item = (owner, unowned, path)
        node = root
        parts = path.split("/")
        chain = [node]
        for part in parts[:-1]:
            node = node.children.setdefault(part, _Node())
            chain.append(node)
        node.files[parts[-1]] = item
        for ancestor in chain:
            if item is None:
                ancestor.keep = True
            else:
                ancestor.proposals.add(item[0])
    out: List[Proposal] = []
    _emit(history, root, "", out)
    return out


def _collect(node: _Node, into: List[tuple]) -> None:
    into.extend(item for item in node.files.values() if item is not None)
    for child in node.children.values():
        _collect(child, into)


def _proposal(history: History, pattern: str, items: List[tuple]) -> Proposal:
    authors: Dict[str, int] = {}
    for _, _, path in items:
        for author in history.author_ids(path):
            if history.active(author):
                label = history.model.label(author)  # type: ignore[union-attr]
                authors[label] = authors.get(label, 0) + 1
    ranked = sorted(authors, key=lambda a: (-authors[a], a))
    unowned = sum(1 for _, is_unowned, _ in items if is_unowned)
    return Proposal(pattern, items[0][0], unowned, len(items) - unowned, ranked[:3])


def _emit(history: History, node: _Node, prefix: str, out: List[Proposal]) -> None:
    if not node.proposals:
        return
    if len(node.proposals) == 1 and not node.keep:
        items: List[tuple] = []
        _collect(node, items)
        out.append(_proposal(history, f"/{_escape(prefix)}" if prefix else "*", items))
        return
    for name in sorted(node.files):
        item = node.files[name]
        if item is not None:
            out.append(_proposal(history, "/" + _escape(prefix + name), [item]))
    for name in sorted(node.children):
        _emit(history, node.children[name], f"{prefix}{name}/", out)
