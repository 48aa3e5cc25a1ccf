"""The git attributes of a whole project, remembered under a key of everything git reads for them.

``git check-attr`` over 100,000 paths costs git ~0.25 s and writes ~40 MB, on every run.  Its
answer is a function of the paths and of the attributes files (gitattributes(5)): the work
tree's ``.gitattributes`` files (:meth:`Inventory.attributes_files`), and the files outside it
(``$GIT_DIR/info/attributes``, the global and system files, ``attr.tree``), plus
``core.ignorecase``, which makes patterns match without regard to case.  :func:`sources_key`
hashes the paths, the work tree's files by content and those settings -- and gives no key at
all when a file outside the work tree may apply (or anything is unsure): git is asked then, as
before.  A run with the key of the stored answer asks git nothing.

Only the set attributes are stored (a few rows per project): one value in
:mod:`repo_roles.columns` layout, path and ``[attribute, value]`` per row, validated when read;
a malformed table is no table.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence

from repo_roles import __version__, columns, safeio

if TYPE_CHECKING:
    from repo_roles.inventory import Inventory

KIND = "attributes"  # the snapshot kind in the analysis database
ATTR_FORMAT = 1
MAX_ATTRIBUTES_FILE = 4 * 1024 * 1024  # larger: no key (git is asked)
Answer = Dict[str, Dict[str, str]]  # path -> {attribute: value}, as Inventory.attributes gives


def sources_key(inventory: "Inventory", names: Sequence[str]) -> Optional[str]:
    """A short hash of what git's answer for ``names`` on every path depends on; None when a
    source outside the work tree may apply, or one cannot be read: then only git can tell."""
    from repo_roles.inventory import outside_attributes_may_apply

    root = inventory.git_root
    if root is None or os.environ.get("GIT_ATTR_SOURCE") or outside_attributes_may_apply(root):
        return None
    ignorecase = _setting(str(root), "core.ignorecase")
    if ignorecase is None:
        return None
    digest = hashlib.sha1(f"attributes-{ATTR_FORMAT}-{__version__}\0{list(names)}\0{ignorecase}\0".encode())
    digest.update(os.path.relpath(str(inventory.project_root), str(root)).encode("utf-8", "surrogateescape"))
    for path in inventory.attributes_files():
        try:
            data = safeio.read_fd(safeio.open_regular(path, root=root), MAX_ATTRIBUTES_FILE)
        except (OSError, safeio.UnsafeReadError):
            return None
        if data is None:
            return None
        rel = os.path.relpath(path, str(root)).encode("utf-8", "surrogateescape")
        digest.update(b"\0%s\0%d\0%s" % (rel, len(data), data))
    digest.update(b"\0paths\0%s" % inventory.paths_digest().encode())
    return digest.hexdigest()[:16]


def _setting(root: str, name: str) -> Optional[str]:
    """``git config --get NAME`` ("" when unset); None when git fails otherwise."""
    try:
        done = subprocess.run(["git", "config", "--get", name], cwd=root, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except OSError:
        return None
    if done.returncode not in (0, 1):  # 1: not set
        return None
    return done.stdout.decode("utf-8", "replace").strip()


def encode(answer: Answer) -> bytes:
    """The table of every set attribute: one row per (path, attribute)."""
    paths: List[str] = []
    values: List[object] = []
    for path, found in answer.items():
        for name, value in sorted(found.items()):
            paths.append(path)
            values.append((name, value))
    return columns.encode([paths], values)


def decode(data: Optional[bytes]) -> Optional[Answer]:
    """A stored table back as ``{path: {attribute: value}}``; None when missing or malformed."""
    table = columns.decode(data, 1)
    if table is None:
        return None
    (paths,), values, index = table
    if not all(isinstance(v, list) and len(v) == 2 and all(type(s) is str for s in v) for v in values):
        return None
    found: Answer = {}
    for path, at in zip(paths, index):
        name, value = values[at]  # type: ignore[misc]
        found.setdefault(path, {})[name] = value
    return found
