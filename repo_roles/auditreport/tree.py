"""The repository as a tree of directories with their figures: what the HTML treemap draws.

One pass sorts the files into their parent directories; each directory's figures are then added
into its ancestors once (a few thousand directories on 100,000 files), never per file per level.
Files appear as leaves only while the whole tree stays under :data:`NODE_BUDGET` nodes; past it
the leaves go (a directory shows its files as figures), and past that the deepest directory
levels are folded into their parents: the page stays small and quick on any repository.

A node: ``name``, ``path`` ("src/app/", a file's own path), ``kind`` ("dir" | "file"), ``files``,
``bytes`` (file sizes from ``lstat``, never read), ``lines`` (text lines, from the documentation
stage's reads and its cache by blob id: :func:`repo_roles.coverage.analyze.line_counts`; binary
and over-size files count 0), ``roles`` {role: files}, ``owners`` (the
three owning teams with the most files, ``[[owner, files]]``), ``unowned`` files, ``docs``
[documented, counted items], ``tests`` [modules with a test, modules needing one],
``findings``, ``children`` (directories: sub-directories first, then files; omitted when
folded), ``folded`` (true when the node's own sub-directories or files are not listed).
"""

from __future__ import annotations

import os
from collections import Counter
from itertools import compress, repeat
from operator import attrgetter
from typing import Dict, List, Mapping, Sequence, Tuple

from repo_roles.coverage.analyze import line_counts
from repo_roles.scan import ScanContext
from repo_roles.summary import documented_counts, file_columns

NODE_BUDGET = 20000
MAX_DEPTH = 64  # deeper directories fold into their ancestor at this depth (no deep recursion)
OWNERS_SHOWN = 3


class _Acc:
    __slots__ = ("files", "bytes", "lines", "roles", "owners", "unowned", "covered", "counted",
                 "tested", "needing", "findings")

    def __init__(self) -> None:
        self.files = self.bytes = self.lines = self.unowned = 0
        self.covered = self.counted = self.tested = self.needing = self.findings = 0
        self.roles: Counter = Counter()
        self.owners: Counter = Counter()

    def add(self, other: "_Acc") -> None:
        self.files += other.files
        self.bytes += other.bytes
        self.lines += other.lines
        self.unowned += other.unowned
        self.covered += other.covered
        self.counted += other.counted
        self.tested += other.tested
        self.needing += other.needing
        self.findings += other.findings
        self.roles.update(other.roles)
        self.owners.update(other.owners)


def _size(root: str, path: str) -> int:
    """The size of a regular file as ``lstat`` says (never read, never followed)."""
    try:
        return os.lstat(root + path).st_size
    except OSError:
        return 0


def _sizes(root: str, paths: Sequence[str], special: Mapping[str, str]) -> List[int]:
    """:func:`_size` of every path (one ``lstat`` each, called by a C-level ``map``; one by one
    only when some path cannot be ``lstat``-ed); 0 for a symlink or a submodule (``special``:
    path -> kind of the entries that are not regular files)."""
    try:
        sizes = list(map(_ST_SIZE, map(os.lstat, map(root.__add__, paths))))
    except OSError:
        sizes = [_size(root, path) for path in paths]
    if special:
        for at in compress(range(len(paths)), map(special.__contains__, paths)):
            sizes[at] = 0
    return sizes


_ST_SIZE = attrgetter("st_size")


def _node(name: str, path: str, kind: str, acc: _Acc) -> dict:
    return {
        "name": name,
        "path": path,
        "kind": kind,
        "files": acc.files,
        "bytes": acc.bytes,
        "lines": acc.lines,
        # most first, ties by name: the same order whatever order the files were counted in
        "roles": dict(sorted(acc.roles.items(), key=lambda kv: (-kv[1], kv[0]))),
        "owners": [[o, n] for o, n in sorted(acc.owners.items(), key=lambda kv: (-kv[1], kv[0]))[:OWNERS_SHOWN]],
        "unowned": acc.unowned,
        "docs": [acc.covered, acc.counted],
        "tests": [acc.tested, acc.needing],
        "findings": acc.findings,
    }


def build_tree(context: ScanContext, per_path: Mapping[str, int]) -> dict:
    """The tree of the scanned scope (its root is the scope's directory, ``""`` for the project);
    ``per_path``: findings per file path."""
    root_dir = str(context.root) + os.sep
    scope = context.inventory.scope
    paths, roles, owners, parents = file_columns(context)
    lines = list(map(line_counts(context.coverage, context.inventory, context.config.docs.python.max_file_size).get,
                     paths, repeat(0)))
    needing = context.modules_needing_tests
    sizes = _sizes(root_dir, paths, context.inventory.special_kinds())
    every_dir = set(parents)
    for directory in set(parents):
        while directory:
            directory = directory.rpartition("/")[0]
            if directory in every_dir:
                break
            every_dir.add(directory)
    with_files = len(every_dir) + len(paths) <= NODE_BUDGET
    # Each directory's own files, by C-level counts over the columns and a few plain loops over
    # the numbers that are sums (bytes, lines, items); nothing is asked per file.
    dirs: Dict[str, _Acc] = {parent: _Acc() for parent in set(parents)}
    for parent, count in Counter(parents).items():
        dirs[parent].files = count
    for (parent, role), count in Counter(zip(parents, roles)).items():
        dirs[parent].roles[role] = count
    for (parent, who), count in Counter(zip(parents, owners)).items():
        acc = dirs[parent]
        if who:
            for owner in who:
                acc.owners[owner] += count
        else:
            acc.unowned += count
    sums: Dict[str, List[int]] = {parent: [0, 0] for parent in dirs}  # bytes, lines
    for parent, size, count in zip(parents, sizes, lines):
        total = sums[parent]
        total[0] += size
        total[1] += count
    for parent, (size, count) in sums.items():
        acc = dirs[parent]
        acc.bytes, acc.lines = size, count
    parent_of = dict(zip(paths, parents))
    docs: Dict[str, Tuple[int, int]] = {}  # kept only for the leaves (at most NODE_BUDGET files)
    for path, covered, counted in documented_counts(context):
        if with_files:
            docs[path] = (covered, counted)
        parent = parent_of.get(path)
        if parent is not None:
            acc = dirs[parent]
            acc.covered += covered
            acc.counted += counted
    for column, counted in (("needing", needing), ("tested", compress(needing, needing.values()))):
        for parent, count in Counter(map(parent_of.get, counted)).items():
            if parent is not None:
                setattr(dirs[parent], column, count)
    for path, count in per_path.items():
        parent = parent_of.get(path)
        if parent is not None:
            dirs[parent].findings += count
    del parent_of
    files: Dict[str, List[tuple]] = {}  # directory -> [(name, path, acc)], only with_files
    if with_files:  # at most NODE_BUDGET files: one leaf each
        for path, role, who, parent, size, count in zip(paths, roles, owners, parents, sizes, lines):
            leaf = _Acc()
            leaf.files, leaf.bytes, leaf.lines, leaf.findings = 1, size, count, per_path.get(path, 0)
            leaf.roles[role] = 1
            leaf.owners.update(who)
            leaf.unowned = 0 if who else 1
            doc = docs.get(path)
            if doc is not None:
                leaf.covered, leaf.counted = doc
            tests = needing.get(path)
            if tests is not None:
                leaf.needing, leaf.tested = 1, (1 if tests else 0)
            files.setdefault(parent, []).append((path.rpartition("/")[2], path, leaf))
    # Every ancestor exists; then, deepest first, each directory's total goes into its parent's
    # (one addition per directory, not one per ancestor).
    totals = dirs
    for directory in every_dir:
        if directory not in totals:
            totals[directory] = _Acc()
    for directory in sorted(totals, key=lambda d: -d.count("/") - 1 if d else 0):
        if directory:
            totals[directory.rpartition("/")[0]].add(totals[directory])
    top = scope.rstrip("/") if scope else ""
    if top and top not in totals:  # the scope is one file: its parent holds it
        top = top.rpartition("/")[0]
    max_depth = _depth_limit(totals, top)
    children: Dict[str, List[str]] = {}
    for directory in totals:
        if directory:
            children.setdefault(directory.rpartition("/")[0], []).append(directory)

    def make(directory: str, depth: int) -> dict:
        name = directory.rpartition("/")[2] if directory else "."
        node = _node(name or ".", directory + "/" if directory else "", "dir", totals[directory])
        subdirs = sorted(children.get(directory, ()))
        if depth >= max_depth and subdirs:
            node["folded"] = True
            return node
        kids = [make(sub, depth + 1) for sub in subdirs]
        if with_files:
            kids += [_node(n, p, "file", a) for n, p, a in sorted(files.get(directory, ()))]
        elif files.get(directory):
            node["folded"] = True
        if kids:
            node["children"] = kids
        return node

    return make(top, 0)


def _depth_limit(totals: Dict[str, _Acc], top: str) -> int:
    """The deepest directory level to list so that the directories alone fit the budget."""
    base = len(top.split("/")) if top else 0
    per_level: Counter = Counter(len(d.split("/")) - base for d in totals
                                  if d and (not top or d.startswith(top + "/")))
    shown, limit = 1, 0
    for level in sorted(per_level):
        if shown + per_level[level] > NODE_BUDGET:
            break
        shown += per_level[level]
        limit = level
    return min(max(limit, 1), MAX_DEPTH) if per_level else 1
