"""What a value derived from the tool's own files depends on, for the caches that remember one
(``config/remembered.py``, ``classify/tablecache.py``): the tool's version, the Python version,
the installed pathspec (which translates globs; by its file's stat, without importing it) and
the bytes of the named files (the code that reads and checks, and the data read); and the one
way those caches keep a value (checksummed JSON with the translations of its globs)."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, Optional, Tuple

_pathspec: Optional[str] = None


def pathspec_stamp() -> str:
    """Where the installed pathspec is, with its size and modification time (an upgrade
    changes it); found without importing it (~20 ms)."""
    global _pathspec
    if _pathspec is None:
        import importlib.util

        spec = importlib.util.find_spec("pathspec")
        origin = spec.origin if spec is not None and spec.origin else ""
        try:
            st = os.stat(origin) if origin else None
        except OSError:
            st = None
        _pathspec = f"{origin}\0{st.st_size if st else -1}\0{st.st_mtime_ns if st else -1}"
    return _pathspec


def stamp(tag: bytes, files: Iterable[Path]) -> bytes:
    """The digest of ``tag``, the tool and Python versions, :func:`pathspec_stamp` and the
    name, size and bytes of every file of ``files`` (a missing one counts as missing)."""
    from repo_roles import __version__

    h = hashlib.sha1(tag + b"\0" + __version__.encode() + b"\0" + sys.version.encode() + b"\0")
    h.update(pathspec_stamp().encode("utf-8", "surrogateescape"))
    for file in files:
        try:
            data = file.read_bytes()
        except OSError:
            data = b"\0missing"
        h.update(f"\0{file.name}\0{len(data)}\0".encode("utf-8", "surrogateescape"))
        h.update(data)
    return h.digest()


MAX_VALUE = 1 << 22  # the largest file read back (checksum and JSON): larger ones are never written


def load_value(path: Path) -> Optional[Tuple[Dict[str, Any], Dict[str, Tuple[str, bool]]]]:
    """(the value, glob -> (regex source, include)) of an intact file :func:`store_value`
    wrote, or None (missing, damaged, truncated: a miss)."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_VALUE + 1)
    except OSError:
        return None
    body = raw[20:]
    if not 20 <= len(raw) <= MAX_VALUE or hashlib.sha1(body).digest() != raw[:20]:
        return None
    try:
        value = json.loads(body)
        known = {str(glob): (str(source), bool(include)) for glob, source, include in value.pop("globs")}
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return (value, known) if isinstance(value, dict) else None


def store_value(path: Path, value: Dict[str, Any], exact: str, known: Dict[str, Tuple[str, bool]],
                keep: int) -> None:
    """Write ``value`` with the glob translations ``known`` as one checksummed JSON file,
    atomically, keeping the ``keep`` newest of its kind; nothing when JSON does not give back
    ``value[exact]`` exactly (TOML dates, say) or the file cannot be written."""
    from repo_roles.atomic import AtomicWriteError, write_atomic
    from repo_roles.cachedir import keep_newest

    rows = [[glob, source, include] for glob, (source, include) in known.items()]
    try:
        body = json.dumps({**value, "globs": rows}, ensure_ascii=False, allow_nan=False).encode(
            "utf-8", "surrogatepass")
        if json.loads(body)[exact] != value[exact] or len(body) + 20 > MAX_VALUE:
            return  # not given back exactly, or too large to be read back: never a file rewritten each run
    except (TypeError, ValueError):
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, hashlib.sha1(body).digest() + body)
    except (AtomicWriteError, OSError):
        return
    keep_newest(path.parent, path.suffix, keep)
