"""The history model kept between runs, keyed by the commit it was built up to.

One JSON file per repository in the cache directory (never pickle: a ``cache-dir`` inside a
repository is attacker controlled), written through :mod:`repo_roles.atomic`.  The fingerprint
covers what changes the model besides new commits (tool version, bot patterns, ignored
revisions, ``.mailmap``); a different fingerprint, or a malformed file, is a miss.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Optional

from repo_roles.history.model import HistoryModel

FORMAT = 1


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
        count = len(last)
        files = {}
        for path_name, (creator, flat) in data["files"].items():
            counts = {}
            for k in range(0, len(flat), 3):
                author = flat[k]
                if not 0 <= author < count:
                    return None
                counts[author] = [int(flat[k + 1]), int(flat[k + 2])]
            if not -1 <= creator < count:
                return None
            files[path_name] = [creator, counts]
        model.files = files
        return model
    except (OSError, ValueError, TypeError, KeyError, IndexError):
        return None


def save(path: Path, fingerprint: str, model: HistoryModel) -> None:
    from repo_roles.atomic import AtomicWriteError, write_atomic

    files = {}
    for name, (creator, counts) in model.files.items():
        flat = []
        for author, (n, t) in counts.items():
            flat += (author, n, t)
        files[name] = [creator, flat]
    data = {
        "format": FORMAT, "fingerprint": fingerprint, "head": model.head, "newest": model.newest,
        "authors": model.authors, "author_last": model.author_last, "files": files,
    }
    text = json.dumps(data, separators=(",", ":"))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(str(path), text)
    except (OSError, AtomicWriteError):
        pass  # a cache is best effort
