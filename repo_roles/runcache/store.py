"""Stored runs: one checksummed file per key in ``<cache root>/runs``, evicted least-recently-used.

An entry holds a command's exit code, standard output and standard error (compressed), and the
*anchors* its text mentions: the absolute project root or working directory of the run that
wrote it.  A stored answer that names ``/home/ci/build/repo`` is not replayed in another clone
at ``/tmp/x`` -- the run happens again there -- while an answer that names no location is
shared by every clone of the same content.

Entries are written atomically (:mod:`repo_roles.atomic`) and read whole; a wrong magic, a bad
checksum, a short file or a decompression error is a miss, so a run killed mid-write, two runs
writing the same key, or a damaged file never change what a command prints.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import urllib.parse
import zlib
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional

MAGIC = b"repo-roles run 1\n"
MAX_ENTRIES = 32  # stored runs kept per cache directory (commands x options x states)
MAX_BYTES = 512 << 20  # and at most this much on disk, whichever comes first
SUFFIX = ".run"


class RunEntry(NamedTuple):
    exit_code: int
    stdout: str
    stderr: str  # written before the standard output
    anchors: Dict[str, str]  # name -> a hash of the absolute location the text mentions
    stderr_after: str = ""  # written after it (a closing hint)


def spellings(location: str) -> List[str]:
    """The ways an output format may write an absolute path: as it is, JSON-escaped (ASCII or
    not), XML/HTML-escaped, and percent-encoded as in a ``file://`` URI (SARIF)."""
    forms = {
        location,
        json.dumps(location)[1:-1],
        json.dumps(location, ensure_ascii=False)[1:-1],
        html.escape(location),
        html.escape(location, quote=False),
        urllib.parse.quote(location),
        urllib.parse.quote(location, safe="/:"),
    }
    return sorted(form for form in forms if form)


def anchors_in(texts: List[str], candidates: Dict[str, str]) -> Dict[str, str]:
    """The candidate locations (absolute paths) that occur, in any spelling, in any of ``texts``:
    name -> a hash of the location (an entry stores no path, and is replayed only where the
    location hashes alike)."""
    return {name: anchor(value) for name, value in candidates.items()
            if value and any(form in text for form in spellings(value) for text in texts)}


def anchor(location: str) -> str:
    return hashlib.blake2b(location.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


class RunStore:
    """The stored runs under one cache directory."""

    def __init__(self, cache_directory: Path) -> None:
        self.directory = Path(cache_directory) / "runs"

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}{SUFFIX}"

    def load(self, key: str, anchors: Dict[str, str]) -> Optional[RunEntry]:
        """The run stored under ``key`` if it is intact and its anchors equal ``anchors``."""
        path = self._path(key)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        entry = decode(data)
        if entry is None or any(anchor(anchors.get(name, "")) != value for name, value in entry.anchors.items()):
            return None
        try:
            os.utime(path)  # least-recently-used: a hit keeps the entry young
        except OSError:
            pass
        return entry

    def save(self, key: str, entry: RunEntry) -> None:
        """Store ``entry`` (atomically; a cache that cannot be written is no error), then evict."""
        from repo_roles.atomic import AtomicWriteError, write_atomic

        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_atomic(self._path(key), encode(entry))
        except (AtomicWriteError, OSError):
            return
        self.evict()

    def evict(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        """Remove the least recently used entries beyond ``max_entries`` / ``max_bytes``."""
        found = []
        try:
            with os.scandir(self.directory) as listing:
                for item in listing:
                    if item.name.endswith(SUFFIX) and item.is_file(follow_symlinks=False):
                        st = item.stat(follow_symlinks=False)
                        found.append((st.st_mtime_ns, st.st_size, item.path))
        except OSError:
            return
        found.sort(reverse=True)
        total = 0
        for index, (_, size, path) in enumerate(found):
            total += size
            if index >= max_entries or total > max_bytes:
                try:
                    os.unlink(path)
                except OSError:
                    pass


def _checksum(fields: dict, payload: bytes) -> str:
    """Of the header's other fields and the payload: a flipped bit anywhere is a miss."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.blake2b(canonical + b"\0" + payload, digest_size=20).hexdigest()


def encode(entry: RunEntry) -> bytes:
    out = entry.stdout.encode("utf-8", "surrogateescape")
    before = entry.stderr.encode("utf-8", "surrogateescape")
    payload = zlib.compress(out + before + entry.stderr_after.encode("utf-8", "surrogateescape"), 1)
    fields = {"exit": entry.exit_code, "anchors": entry.anchors, "size": len(payload), "stdout": len(out),
              "before": len(before)}
    header = json.dumps({**fields, "checksum": _checksum(fields, payload)}).encode()
    return MAGIC + len(header).to_bytes(4, "little") + header + payload


def decode(data: bytes) -> Optional[RunEntry]:
    """The entry in ``data``, or None for anything but an intact entry."""
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 4:
        return None
    start = len(MAGIC) + 4
    size = int.from_bytes(data[len(MAGIC):start], "little")
    try:
        fields = json.loads(data[start:start + size])
        payload = data[start + size:]
        if not isinstance(fields, dict):
            return None
        checksum = fields.pop("checksum", None)
        if fields.get("size") != len(payload) or checksum != _checksum(fields, payload):
            return None
        text = zlib.decompress(payload)
        exit_code, anchors, cut, before = fields["exit"], fields["anchors"], fields["stdout"], fields["before"]
        if (not isinstance(exit_code, int) or not isinstance(anchors, dict)
                or not 0 <= cut <= cut + before <= len(text)):
            return None
        parts = [part.decode("utf-8", "surrogateescape")
                 for part in (text[:cut], text[cut:cut + before], text[cut + before:])]
        return RunEntry(exit_code, parts[0], parts[1], {str(k): str(v) for k, v in anchors.items()}, parts[2])
    except (ValueError, KeyError, TypeError, zlib.error):
        return None
