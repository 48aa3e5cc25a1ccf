"""The history model kept between runs, keyed by the commit it was built up to.

One file per repository in the cache directory, a line of JSON and an integer array (never pickle: a ``cache-dir`` inside a
repository is attacker controlled), written through :mod:`repo_roles.atomic`.  The fingerprint
covers what changes the model besides new commits (tool version, bot patterns, ignored
revisions, ``.mailmap``); a different fingerprint, or a malformed file, is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from array import array
from itertools import accumulate
from operator import sub
from pathlib import Path
from typing import Optional

from repo_roles.cachedir import mark_used
from repo_roles.history.model import FileTable, HistoryModel

FORMAT = 6  # 6: the order the commits were applied in ("order": [[length, sha1], ...])
_COMMIT_ID = re.compile(r"\A[0-9a-f]{40}(?:[0-9a-f]{24})?\Z")
_ORDER = re.compile(r"\A[0-9a-f]{40}\Z")


def cache_file(directory: Path, project: str) -> Path:
    """The file of a project (``project``: :func:`repo_roles.cachedir.project_key`, made from its
    content, so a fresh clone or another worktree finds it; never the repository's location)."""
    digest = hashlib.sha1(project.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return Path(directory) / f"history-v{FORMAT}-{digest}.json"


def latest_other(directory: Path, mine: Path) -> Optional[Path]:
    """The most recently used history file of this format but another project key: where a
    project whose key changed (a new top-level directory) starts from.  Its model is used only
    when its head is our head or one of its ancestors (commit ids name whole histories)."""
    best: Optional[Path] = None
    newest = -1.0
    try:
        with os.scandir(directory) as found:
            for entry in found:
                if (entry.name.startswith(f"history-v{FORMAT}-") and entry.name.endswith(".json")
                        and entry.name != mine.name and entry.is_file(follow_symlinks=False)):
                    when = entry.stat(follow_symlinks=False).st_mtime
                    if when > newest:
                        best, newest = Path(entry.path), when
    except OSError:
        return None
    return best


def load(path: Path, fingerprint: str) -> Optional[HistoryModel]:
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
        cut = raw.find(b"\n")
        if cut < 0:
            return None
        data = json.loads(raw[:cut])
        if data.get("format") != FORMAT or data.get("fingerprint") != fingerprint:
            return None
        model = HistoryModel()
        model.head = str(data["head"])
        if not _COMMIT_ID.match(model.head):  # it reaches git's command line: an id, never an option
            return None
        model.newest = int(data["newest"])
        model.order = [(int(size), str(digest)) for size, digest in data["order"]]
        if not model.order or any(size < 0 or not _ORDER.match(digest) for size, digest in model.order):
            return None
        for name, email in data["authors"]:
            model.author_id(str(name), str(email))
        last = [int(t) for t in data["author_last"]]
        if len(last) != len(model.authors):
            return None
        model.author_last = last
        paths = data["paths"]
        sizes = array("q", data["sizes"])  # refuses anything but integers
        flat = array("q")
        flat.frombytes(raw[cut + 1:])  # refuses a length that is no multiple of 8
        if sys.byteorder != "little":
            flat.byteswap()
        if not isinstance(paths, list) or len(paths) != len(sizes) or sum(sizes) != len(flat):
            return None
        if (paths and set(map(type, paths)) != {str}) or len(set(paths)) != len(paths):
            return None
        if sizes and min(sizes) < 1:
            return None
        # Each record is validated when it is first read (FileTable drops a malformed one).
        ends = list(accumulate(sizes))
        model.files = FileTable(flat, dict(zip(paths, zip(map(sub, ends, sizes), ends))), len(last))
        mark_used(path)
        return model
    except (OSError, ValueError, TypeError, KeyError, IndexError, OverflowError):
        return None


def save(path: Path, fingerprint: str, model: HistoryModel) -> None:
    from repo_roles.atomic import AtomicWriteError, write_atomic

    paths, sizes, flat = model.files.flat()
    if sys.byteorder != "little":  # stored little-endian
        flat.byteswap()
    header = {
        "format": FORMAT, "fingerprint": fingerprint, "head": model.head, "newest": model.newest,
        "order": model.order,
        "authors": model.authors, "author_last": model.author_last, "paths": paths, "sizes": sizes,
    }
    # One line of JSON, then every record (a creator and (author, commits, last time) triples
    # per file, in path order) as 64-bit little-endian integers.
    data = json.dumps(header, separators=(",", ":")).encode("ascii") + b"\n" + flat.tobytes()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(str(path), data)
    except (OSError, AtomicWriteError):
        pass  # a cache is best effort
