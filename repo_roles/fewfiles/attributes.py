"""git's attributes of a few given files, remembered by what they depend on: no ``check-attr``.

``git check-attr`` reads the whole index before it answers (a 5-file check on 200,000 files
pays for it).  What it answers for one path depends on (gitattributes(5)) the ``.gitattributes``
file of the path's directory and of every directory above it up to the top level -- the work
tree's file, or, when the work tree has none, the index's (git's "checkin" direction) -- on
``$GIT_DIR/info/attributes``, the global and system files, ``core.ignorecase``, and the attribute
names asked.  When no file outside the work tree may apply (``outside_attributes_may_apply``),
every in-tree file is read safely (a regular file, no link) and ``core.ignorecase`` is known,
the answer of each path is kept under the digest of those sources and the path: a later run
whose sources are the same takes it without asking git.  Any doubt: git is asked (and its
answer stored when the key is known).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from repo_roles import safeio

FORMAT = 1
MAX_FILE = 4 * 1024 * 1024  # a larger attributes file: no key (git is asked)
MAX_ROWS = 4096  # paths remembered per project
Answer = List[Tuple[str, str, str]]  # (path, attribute, value) of every attribute set
UNKNOWN = "?"  # what ``index_blob`` gives when it cannot tell whether the index has the file


def _settings(git_root: Path) -> Optional[str]:
    """``core.ignorecase`` as git reads it ("" when unset) when neither ``core.attributesFile``
    nor ``attr.tree`` is set, from one ``git config`` call; None otherwise or when git fails."""
    try:
        done = subprocess.run(["git", "config", "-z", "--get-regexp",
                               r"^(core\.attributesfile|attr\.tree|core\.ignorecase)$"], cwd=str(git_root),
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except OSError:
        return None
    if done.returncode == 1:  # none is set
        return ""
    if done.returncode != 0:
        return None
    ignorecase = ""
    for record in done.stdout.decode("utf-8", "replace").split("\0"):
        key, _, value = record.partition("\n")
        if key in ("core.attributesfile", "attr.tree"):
            return None
        if key == "core.ignorecase":
            ignorecase = value  # the last one wins, as with ``git config --get``
    return ignorecase


def _directories(path: str) -> List[str]:
    """The directories whose ``.gitattributes`` apply to ``path``: "" (the top level) first."""
    parts = path.split("/")[:-1]
    return [""] + ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]


class Sources:
    """The digests of the attributes files of the directories asked about (read once each)."""

    def __init__(self, git_root: Path, index_blob: Callable[[str], Optional[str]], salt: str) -> None:
        self._root = str(git_root)
        self._index_blob = index_blob
        self._salt = salt
        self._files: Dict[str, Optional[bytes]] = {}

    def _file(self, directory: str) -> Optional[bytes]:
        """What git reads as ``directory``'s attributes, as a digest; None when unsure."""
        if directory in self._files:
            return self._files[directory]
        rel = (directory + "/" if directory else "") + ".gitattributes"
        full = os.path.join(self._root, rel)
        found: Optional[bytes]
        try:
            st = os.lstat(full)
        except FileNotFoundError:  # none in the work tree: git reads the index's, if any
            blob = self._index_blob(rel)
            found = None if blob == UNKNOWN else b"index\0" + (blob or "-").encode("ascii")
        except OSError:
            found = None
        else:
            found = None
            if st.st_size <= MAX_FILE and (st.st_mode & 0o170000) == 0o100000:  # a link: git is asked
                try:
                    data = safeio.read_fd(safeio.open_regular(full, root=self._root), MAX_FILE)
                except (OSError, safeio.UnsafeReadError):
                    data = None
                if data is not None:
                    found = b"file\0" + hashlib.sha1(data).digest()
        self._files[directory] = found
        return found

    def key(self, path: str) -> Optional[str]:
        """The digest of everything git's answer for ``path`` depends on, or None."""
        digest = hashlib.sha1(self._salt.encode("utf-8") + b"\0" + path.encode("utf-8", "surrogateescape"))
        for directory in _directories(path):
            found = self._file(directory)
            if found is None:
                return None
            digest.update(b"\0" + directory.encode("utf-8", "surrogateescape") + b"\0" + found)
        return digest.hexdigest()


class Remembered:
    """Answers by key, one JSON file per project (least recently stored dropped past ``MAX_ROWS``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: Dict[str, List[List[str]]] = {}
        try:
            with open(path, "rb") as handle:
                value = json.loads(handle.read())
        except (OSError, ValueError):
            return
        if isinstance(value, dict) and value.get("format") == FORMAT and isinstance(value.get("rows"), dict):
            self.rows = {k: v for k, v in value["rows"].items() if isinstance(k, str) and _valid(v)}

    def save(self) -> None:
        from repo_roles.atomic import AtomicWriteError, write_atomic

        rows = dict(list(self.rows.items())[-MAX_ROWS:])
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, json.dumps({"format": FORMAT, "rows": rows}, separators=(",", ":")))
        except (AtomicWriteError, OSError):
            pass


def _valid(value: object) -> bool:
    return isinstance(value, list) and all(
        isinstance(row, list) and len(row) == 2 and all(isinstance(x, str) for x in row) for row in value)


def few_attributes(git_root: Path, cache_file: Path, paths: Sequence[str], names: Sequence[str],
                   index_blob: Callable[[str], Optional[str]], ask_git: Callable[[List[str]], Answer]) -> Answer:
    """``(path, attribute, value)`` of the attributes ``names`` set on ``paths`` (project paths at
    git's top level), from the answers remembered under the same sources, else ``ask_git``."""
    from repo_roles import __version__
    from repo_roles.inventory import outside_attributes_files_may_apply

    ignorecase = None if outside_attributes_files_may_apply(git_root) else _settings(git_root)
    if ignorecase is None:  # a file outside the work tree may apply, or git cannot tell
        return ask_git(list(paths))
    sources = Sources(git_root, index_blob, f"{FORMAT}\0{__version__}\0{list(names)}\0{ignorecase}")
    keys = {path: sources.key(path) for path in paths}
    remembered = Remembered(cache_file)
    missing = [path for path, key in keys.items() if key is None or key not in remembered.rows]
    by_path: Dict[str, List[Tuple[str, str, str]]] = {path: [] for path in keys}
    for path, key in keys.items():
        if path not in missing:
            by_path[path] = [(path, name, value) for name, value in remembered.rows[key]]  # type: ignore[index]
    if missing:
        answer = ask_git(missing)
        for row in answer:
            by_path.setdefault(row[0], []).append(row)
        learned = [path for path in missing if keys[path] is not None]
        if learned:
            for path in learned:
                remembered.rows.pop(keys[path], None)  # type: ignore[arg-type]
                remembered.rows[keys[path]] = [[name, value] for _, name, value in by_path[path]]  # type: ignore[index]
            remembered.save()
    return [row for rows in by_path.values() for row in rows]
