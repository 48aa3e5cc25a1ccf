"""The repository as a tree of directories with their figures: what the HTML treemap draws.

One pass sorts the files into their parent directories; each directory's figures are then added
into its ancestors once (a few thousand directories on 100,000 files), never per file per level.
Files appear as leaves only while the whole tree stays under :data:`NODE_BUDGET` nodes; past it
the leaves go (a directory shows its files as figures), and past that the deepest directory
levels are folded into their parents: the page stays small and quick on any repository.

A node: ``name``, ``path`` ("src/app/", a file's own path), ``kind`` ("dir" | "file"), ``files``,
``bytes`` (file sizes from ``lstat``, never read), ``roles`` {role: files}, ``owners`` (the
three owning teams with the most files, ``[[owner, files]]``), ``unowned`` files, ``docs``
[documented, counted items], ``tests`` [modules with a test, modules needing one],
``findings``, ``children`` (directories: sub-directories first, then files; omitted when
folded), ``folded`` (true when the node's own sub-directories or files are not listed).
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Dict, List, Optional

from repo_roles.scan import ScanContext

NODE_BUDGET = 20000
OWNERS_SHOWN = 3


class _Acc:
    __slots__ = ("files", "bytes", "roles", "owners", "unowned", "covered", "counted",
                 "tested", "needing", "findings")

    def __init__(self) -> None:
        self.files = self.bytes = self.unowned = 0
        self.covered = self.counted = self.tested = self.needing = self.findings = 0
        self.roles: Counter = Counter()
        self.owners: Counter = Counter()

    def add(self, other: "_Acc") -> None:
        self.files += other.files
        self.bytes += other.bytes
        self.unowned += other.unowned
        self.covered += other.covered
        self.counted += other.counted
        self.tested += other.tested
        self.needing += other.needing
        self.findings += other.findings
        self.roles.update(other.roles)
        self.owners.update(other.owners)


def _size(root: str, path: str) -> int:
    try:
        return os.lstat(os.path.join(root, path)).st_size
    except OSError:
        return 0


def _node(name: str, path: str, kind: str, acc: _Acc) -> dict:
    return {
        "name": name,
        "path": path,
        "kind": kind,
        "files": acc.files,
        "bytes": acc.bytes,
        "roles": dict(acc.roles.most_common()),
        "owners": [[o, n] for o, n in sorted(acc.owners.items(), key=lambda kv: (-kv[1], kv[0]))[:OWNERS_SHOWN]],
        "unowned": acc.unowned,
        "docs": [acc.covered, acc.counted],
        "tests": [acc.tested, acc.needing],
        "findings": acc.findings,
    }


def build_tree(context: ScanContext) -> dict:
    """The tree of the scanned scope (its root is the scope's directory, ``""`` for the project)."""
    root_dir = str(context.root)
    scope = context.inventory.scope
    classifications, owners_of = context.classifications, context.ownership.owners_of
    docs = {path: (c, t) for path, c, t in context.coverage.documented_counts()}
    needing = context.modules_needing_tests
    per_path = Counter(f.path for f in context.findings if f.path)
    dirs: Dict[str, _Acc] = {}
    files: Dict[str, List[tuple]] = {}  # directory -> [(name, path, acc)]
    for entry in context.targets:
        path = entry.path
        acc = _Acc()
        acc.files = 1
        acc.bytes = _size(root_dir, path) if entry.kind == "file" else 0
        acc.roles[classifications[path].role] = 1
        owners = owners_of(path)
        for owner in owners:
            acc.owners[owner] = 1
        acc.unowned = 0 if owners else 1
        doc = docs.get(path)
        if doc is not None:
            acc.covered, acc.counted = doc
        tests = needing.get(path)
        if tests is not None:
            acc.needing = 1
            acc.tested = 1 if tests else 0
        acc.findings = per_path.get(path, 0)
        parent, _, name = path.rpartition("/")
        bucket = dirs.get(parent)
        if bucket is None:
            bucket = dirs[parent] = _Acc()
            files[parent] = []
        bucket.add(acc)
        files[parent].append((name, path, acc))
    # Every ancestor exists, then each directory's own figures are added into its ancestors.
    own = dict(dirs)
    for directory in list(own):
        while directory:
            directory = directory.rpartition("/")[0]
            if directory not in dirs:
                dirs[directory] = _Acc()
    totals = {d: _Acc() for d in dirs}
    for directory, acc in own.items():
        d: Optional[str] = directory
        while d is not None:
            totals[d].add(acc)
            d = d.rpartition("/")[0] if d else None
    top = scope.rstrip("/") if scope else ""
    if top and top not in totals:  # the scope is one file: its parent holds it
        top = top.rpartition("/")[0]
    with_files = len(totals) + len(context.targets) <= NODE_BUDGET
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
    return max(limit, 1) if per_level else 1
