"""Stored runs: one checksummed file per key in ``<cache root>/runs``, evicted least-recently-used.

An entry holds a command's exit code, standard error (before and after the report), its
standard output compressed, and the *anchors* its text mentions: the absolute project root or
working directory of the run that wrote it.  A stored answer that names ``/home/ci/build/repo``
is not replayed in another clone at ``/tmp/x`` -- the run happens again there -- while an
answer that names no location is shared by every clone of the same content.

Entries are written atomically (:mod:`repo_roles.atomic`): a file is never changed in place,
so an open entry keeps its bytes whatever replaces its name.  A replay (:meth:`RunStore.open`)
reads the entry twice from one open file: the first pass checks the checksum over the whole
compressed output, chunk by chunk, before anything is printed; the second decompresses and
hands out the text in pieces, so a 150 MB report is replayed in a few MB of memory.  A wrong
magic, a bad checksum, a short file or a bad header is a miss, so a run killed mid-write, two
runs writing the same key, or a damaged file never change what a command prints.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import urllib.parse
import zlib
from pathlib import Path
from typing import BinaryIO, Dict, Iterator, List, NamedTuple, Optional

MAGIC = b"repo-roles run 2\n"
CHUNK = 1 << 20  # bytes read, and characters handed out, at a time when replaying
MAX_HEADER = 16 << 20  # a longer header is damage
MAX_ENTRIES = 32  # stored runs kept per cache directory (commands x options x states)
MAX_BYTES = 512 << 20  # and at most this much on disk, whichever comes first
SUFFIX = ".run"
_HTML_SPECIAL = frozenset("&<>\"'")  # what html.escape changes (the module is imported only then)


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
        urllib.parse.quote(location),
        urllib.parse.quote(location, safe="/:"),
    }
    if not _HTML_SPECIAL.isdisjoint(location):  # else html.escape gives the location itself
        import html

        forms.update((html.escape(location), html.escape(location, quote=False)))
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

    def open(self, key: str, anchors: Dict[str, str]) -> Optional["Replay"]:
        """The run stored under ``key``, checked whole, if it is intact and its anchors equal
        ``anchors``: its output is read back in pieces (:meth:`Replay.chunks`)."""
        path = self._path(key)
        try:
            handle = open(path, "rb")
        except OSError:
            return None
        try:
            replay = Replay.check(handle)
        except (OSError, ValueError, KeyError, TypeError):
            replay = None
        if replay is None or any(anchor(anchors.get(name, "")) != value for name, value in replay.anchors.items()):
            handle.close()
            return None
        try:
            os.utime(path)  # least-recently-used: a hit keeps the entry young
        except OSError:
            pass
        return replay

    def load(self, key: str, anchors: Dict[str, str]) -> Optional[RunEntry]:
        """The run stored under ``key`` as one value (its whole output in memory)."""
        replay = self.open(key, anchors)
        if replay is None:
            return None
        with replay:
            stdout = "".join(replay.chunks())
        return RunEntry(replay.exit_code, stdout, replay.stderr, replay.anchors, replay.stderr_after)

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


def _checksum(fields: dict) -> "hashlib._Hash":
    """Of the header's other fields, to be updated with the payload: a flipped bit anywhere is a miss."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.blake2b(canonical + b"\0", digest_size=20)


def encode(entry: RunEntry) -> List[bytes]:
    """The entry as the pieces of its file: the header, then the compressed output."""
    compressor = zlib.compressobj(1)
    payload: List[bytes] = []
    size = 0
    text = entry.stdout
    for start in range(0, len(text), CHUNK):  # no second whole copy of a large report
        data = text[start:start + CHUNK].encode("utf-8", "surrogateescape")
        size += len(data)
        payload.append(compressor.compress(data))
    payload.append(compressor.flush())
    payload = [piece for piece in payload if piece]
    fields = {"exit": entry.exit_code, "anchors": entry.anchors, "size": sum(map(len, payload)), "stdout": size,
              "stderr": entry.stderr, "after": entry.stderr_after}
    h = _checksum(fields)
    for piece in payload:
        h.update(piece)
    header = json.dumps({**fields, "checksum": h.hexdigest()}).encode()
    return [MAGIC + len(header).to_bytes(4, "little") + header, *payload]


class Replay:
    """A stored run whose checksum held, with its file open for :meth:`chunks`."""

    def __init__(self, handle: BinaryIO, start: int, fields: dict) -> None:
        self._handle = handle
        self._start = start  # offset of the compressed output
        self._size = fields["size"]
        self._stdout = fields["stdout"]
        self.exit_code: int = fields["exit"]
        self.anchors: Dict[str, str] = {str(k): str(v) for k, v in fields["anchors"].items()}
        self.stderr: str = fields["stderr"]
        self.stderr_after: str = fields["after"]

    @classmethod
    def check(cls, handle: BinaryIO) -> Optional["Replay"]:
        """The entry of ``handle`` if it is whole and intact (one streaming pass over it)."""
        lead = handle.read(len(MAGIC) + 4)
        if len(lead) < len(MAGIC) + 4 or not lead.startswith(MAGIC):
            return None
        length = int.from_bytes(lead[len(MAGIC):], "little")
        if length > MAX_HEADER:
            return None
        fields = json.loads(handle.read(length))
        if not isinstance(fields, dict):
            return None
        checksum = fields.pop("checksum", None)
        size, stdout = fields.get("size"), fields.get("stdout")
        if (not isinstance(fields.get("exit"), int) or not isinstance(fields.get("anchors"), dict)
                or not isinstance(fields.get("stderr"), str) or not isinstance(fields.get("after"), str)
                or not isinstance(size, int) or not isinstance(stdout, int) or stdout < 0):
            return None
        h = _checksum(fields)
        read = 0
        while True:
            chunk = handle.read(CHUNK)
            if not chunk:
                break
            read += len(chunk)
            h.update(chunk)
        if read != size or checksum != h.hexdigest():
            return None
        return cls(handle, len(lead) + length, fields)

    def raw_chunks(self) -> Iterator[bytes]:
        """The standard output's UTF-8 bytes in pieces of at most :data:`CHUNK`, decompressed
        as they are read (the second pass over the file)."""
        self._handle.seek(self._start)
        decompressor = zlib.decompressobj()
        produced = 0
        pending = b""
        while True:
            if not pending:
                pending = self._handle.read(CHUNK)
                if not pending:
                    break
            data = decompressor.decompress(pending, CHUNK)
            pending = decompressor.unconsumed_tail
            produced += len(data)
            if data:
                yield data
        data = decompressor.flush()
        produced += len(data)
        if data:
            yield data
        if produced != self._stdout:  # only a file changed in place since its check could do this
            raise zlib.error("a stored run changed while it was replayed")

    def chunks(self) -> Iterator[str]:
        """The standard output as text, in pieces of at most :data:`CHUNK` characters."""
        decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        for data in self.raw_chunks():
            text = decoder.decode(data)
            if text:
                yield text
        text = decoder.decode(b"", final=True)
        if text:
            yield text

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> "Replay":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def decode(data: bytes) -> Optional[RunEntry]:
    """The entry in ``data``, or None for anything but an intact entry."""
    import io

    try:
        replay = Replay.check(io.BytesIO(data))  # type: ignore[arg-type]
        if replay is None:
            return None
        return RunEntry(replay.exit_code, "".join(replay.chunks()), replay.stderr, replay.anchors,
                        replay.stderr_after)
    except (ValueError, KeyError, TypeError, zlib.error):
        return None
