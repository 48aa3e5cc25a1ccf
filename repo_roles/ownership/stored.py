"""Who owns each file, remembered whole per project, under a key of everything the answer reads.

A file's owners are a function of its path and of the ownership inputs alone: the chosen
code-owners file (its location, dialect and bytes), the OWNERS files and aliases file (their
paths and bytes) and the ``[ownership]`` settings.  :func:`inputs_key` hashes those; a run whose
key matches the stored table's reuses the answer of every path the table holds and matches only
the paths it does not (a 20-file edit matches none; an added file matches one).

The table is one value in :mod:`repo_roles.columns` layout: the paths, and per path an index
into the distinct answers (a few hundred per project).  JSON, never pickle; every distinct
answer is validated when read, and a malformed table is no table (every path is matched).
"""

from __future__ import annotations

import hashlib
import json
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Tuple

from repo_roles import __version__, columns

KIND = "owners"  # the snapshot kind in the analysis database
OWNERS_FORMAT = 1
# An answer as stored: (owners, line of the deciding rule or None, the file that decided or None).
Answer = Tuple[Tuple[str, ...], Optional[int], Optional[str]]


class Reads:
    """A file reader that remembers what it gave back: the bytes the answer depends on."""

    def __init__(self, read: Callable[[str, int], Optional[bytes]]) -> None:
        self._read = read
        self.seen: List[Tuple[str, Optional[bytes]]] = []

    def __call__(self, path: str, limit: int) -> Optional[bytes]:
        """``read(path, limit)``, remembered."""
        data = self._read(path, limit)
        self.seen.append((path, data))
        return data


def inputs_key(settings: object, reads: Iterable[Tuple[str, Optional[bytes]]]) -> str:
    """A short hash of the settings (JSON-able) and of every ``(path, bytes)`` read."""
    digest = hashlib.sha1(f"owners-{OWNERS_FORMAT}-{__version__}\0".encode())
    digest.update(json.dumps(settings, sort_keys=True).encode("utf-8", "surrogateescape"))
    for path, data in reads:
        digest.update(b"\0%s\0" % path.encode("utf-8", "surrogateescape"))
        digest.update(b"-" if data is None else b"%d\0%s" % (len(data), data))
    return digest.hexdigest()[:16]


def encode(files: Mapping[str, Answer]) -> bytes:
    """The table of ``{path: answer}``; each distinct answer is written once."""
    text: Dict[Answer, str] = {}
    for answer in set(files.values()):
        owners, line, source = answer
        text[answer] = json.dumps([list(owners), line, source], separators=(",", ":"))
    # Each row's value is its answer's JSON text (a str: columns stores it once, by itself).
    return columns.encode([list(files)], list(map(text.__getitem__, files.values())))


def decode(data: Optional[bytes], make: Callable[[Tuple[str, ...], Optional[int], Optional[str]], Answer]
           ) -> Dict[str, Answer]:
    """``{path: make(owners, line, source)}`` of a stored table; {} when it is missing or
    malformed.  One object per distinct answer, shared by its paths."""
    table = columns.decode(data, 1)
    if table is None:
        return {}
    (paths,), values, index = table
    answers: List[Answer] = []
    for value in values:
        answer = _answer(value, make)
        if answer is None:
            return {}
        answers.append(answer)
    return dict(zip(paths, map(answers.__getitem__, index)))


def _answer(value: object, make: Callable[[Tuple[str, ...], Optional[int], Optional[str]], Answer]
            ) -> Optional[Answer]:
    try:
        parsed = json.loads(value) if type(value) is str else None
    except ValueError:
        return None
    if not (isinstance(parsed, list) and len(parsed) == 3):
        return None
    owners, line, source = parsed
    if not (isinstance(owners, list) and all(type(o) is str for o in owners)
            and (line is None or type(line) is int) and (source is None or type(source) is str)):
        return None
    return make(tuple(owners), line, source)
