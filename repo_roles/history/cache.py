"""The history model kept between runs, keyed by the commit it was built up to.

One JSON file per repository in the cache directory (never pickle: a ``cache-dir`` inside a
repository is attacker controlled), written through :mod:`repo_roles.atomic`.  The fingerprint
covers what changes the model besides new commits (tool version, bot patterns, ignored
revisions, ``.mailmap``); a different fingerprint, or a malformed file, is a miss.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from array import array
from itertools import accumulate
from pathlib import Path
from typing import Optional

from repo_roles.history.model import FileTable, HistoryModel

FORMAT = 4


def cache_file(directory: Path, git_root: Path) -> Path:
    digest = hashlib.sha1(str(git_root).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return Path(directory) / f"history-v{FORMAT}-{digest}.json"


def load(path: Path, fingerprint: str) -> Optional[HistoryModel]:
    try:
        with open(path, "rb") as handle:
            data = json.loads(handle.read())
        if data.get("format") != FORMAT or data.get("fingerprint") != fingerprint:
            return None
        model = HistoryModel()
        model.head = str(data["head"])
        model.newest = int(data["newest"])
        for name, email in data["authors"]:
            model.author_id(str(name), str(email))
        last = [int(t) for t in data["author_last"]]
        if len(last) != len(model.authors):
            return None
        model.author_last = last
        paths = data["paths"]
        sizes = array("q", base64.b64decode(data["sizes"], validate=True))
        flat = array("q", base64.b64decode(data["records"], validate=True))
        if sys.byteorder != "little":
            sizes.byteswap()
            flat.byteswap()
        if not isinstance(paths, list) or len(paths) != len(sizes) or sum(sizes) != len(flat):
            return None
        if not all(isinstance(p, str) for p in paths) or len(set(paths)) != len(paths):
            return None
        # Validated in bulk, at C speed: whole records (a creator, then triples), no value below
        # -1 (only a creator may be -1, unknown), creators in range.  Each record's author indices
        # are checked when the record is first read (FileTable drops a bad one).
        count = len(last)
        if sizes and (min(sizes) < 1 or any(size % 3 != 1 for size in sizes)):
            return None
        ends = list(accumulate(sizes))
        starts = [end - size for end, size in zip(ends, sizes)]
        if flat and (min(flat) < -1 or max(flat[k] for k in starts) >= count):
            return None
        model.files = FileTable(flat, dict(zip(paths, zip(starts, ends))), count)
        return model
    except (OSError, ValueError, TypeError, KeyError, IndexError, OverflowError):
        return None


def save(path: Path, fingerprint: str, model: HistoryModel) -> None:
    from repo_roles.atomic import AtomicWriteError, write_atomic

    paths, sizes, flat = model.files.flat()
    sized = array("q", sizes)
    if sys.byteorder != "little":  # stored little-endian
        sized.byteswap()
        flat.byteswap()
    data = {
        "format": FORMAT, "fingerprint": fingerprint, "head": model.head, "newest": model.newest,
        "authors": model.authors, "author_last": model.author_last, "paths": paths,
        # one creator and (author, commits, last time) triples per file, as 64-bit integers
        "sizes": base64.b64encode(sized.tobytes()).decode("ascii"),
        "records": base64.b64encode(flat.tobytes()).decode("ascii"),
    }
    text = json.dumps(data, separators=(",", ":"))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(str(path), text)
    except (OSError, AtomicWriteError):
        pass  # a cache is best effort
