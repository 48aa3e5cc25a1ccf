"""Who owns each file, remembered whole per project, under a key of everything the answer reads.

A file's owners are a function of its path and of the ownership inputs alone: the chosen
code-owners file (its location, dialect and bytes), the OWNERS files and aliases file (their
paths and bytes) and the ``[ownership]`` settings.  :func:`inputs_key` hashes those; a run whose
key matches the stored table's reuses the answer of every path the table holds and matches only
the paths it does not (a 20-file edit matches none; an added file matches one).

The table is one value in :mod:`repo_roles.columns` layout: the paths, and per path an index
into the distinct answers (a few hundred per project).  JSON, never pickle; every distinct
answer is validated when read, and a malformed table is no table (every path is matched).

A second table (``KIND_AT``) holds the answers alone, in the order of the path list, under the
inputs key and the path list's digest (:func:`positional_salt`): a run on the same path list
(any edit of file contents) takes every answer by position, with no path column to read and
no lookup per path.
"""

from __future__ import annotations

import hashlib
import json
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Tuple

from repo_roles import __version__, columns

KIND = "owners"  # the snapshot kind in the analysis database
KIND_AT = "owners@"  # the answers in path-list order (no paths)
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


def positional_salt(inputs: str, paths_digest: str) -> str:
    """The key of the positional table: the inputs key and the path list's digest."""
    return hashlib.sha1(f"{inputs}\0{paths_digest}".encode()).hexdigest()[:16]


def _texts(answers: Iterable[Answer]) -> List[str]:
    """Each answer's JSON text (a str: columns stores each distinct one once, by itself)."""
    answers = list(answers)
    text: Dict[Answer, str] = {}
    for answer in set(answers):
        owners, line, source = answer
        text[answer] = json.dumps([list(owners), line, source], separators=(",", ":"))
    return list(map(text.__getitem__, answers))


def encode(files: Mapping[str, Answer]) -> bytes:
    """The table of ``{path: answer}``; each distinct answer is written once."""
    return columns.encode([list(files)], _texts(files.values()))


def encode_at(answers: Iterable[Answer]) -> bytes:
    """The positional table: the answers of the path list, in its order."""
    return columns.encode([], _texts(answers))


Make = Callable[[Tuple[str, ...], Optional[int], Optional[str]], Answer]


def _rows(data: Optional[bytes], width: int, make: Make) -> Optional[Tuple[List[List[str]], List[Answer]]]:
    """``(text columns, each row's answer)`` of a stored table; None when missing or malformed."""
    table = columns.decode(data, width)
    if table is None:
        return None
    cells, values, index = table
    answers: List[Answer] = []
    for value in values:
        answer = _answer(value, make)
        if answer is None:
            return None
        answers.append(answer)
    return cells, list(map(answers.__getitem__, index))


def decode(data: Optional[bytes], make: Make) -> Dict[str, Answer]:
    """``{path: make(owners, line, source)}`` of a stored table; {} when it is missing or
    malformed.  One object per distinct answer, shared by its paths."""
    found = _rows(data, 1, make)
    return {} if found is None else dict(zip(found[0][0], found[1]))


def decode_at(data: Optional[bytes], rows: int, make: Make) -> Optional[List[Answer]]:
    """The answers of a positional table of ``rows`` paths; None when missing, malformed or of
    another length."""
    found = _rows(data, 0, make)
    return None if found is None or len(found[1]) != rows else found[1]


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
