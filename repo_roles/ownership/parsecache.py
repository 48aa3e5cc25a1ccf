"""The parsed code-owners file and its candidate index, remembered by content.

A pre-commit run on five files of a repository whose CODEOWNERS has 2,000 lines used to parse
every line (0.035 s) and index the literal segments of every pattern (0.013 s, see
``candidates``) to match five paths.  Both depend only on the file's bytes, its path, the dialect
discovery settled and this code, so they are kept under a key of exactly those: one JSON file per
project (``ownership-<project key>.json`` in the cache directory, the latest file only), written
atomically.  A value that is missing, written under another key, or malformed in any way is a
miss: the file is parsed again, so the answer is always the parser's.
"""

from __future__ import annotations

import hashlib
import json
from itertools import chain
from pathlib import Path
from typing import Any, List, Optional, Sequence, Tuple

from repo_roles.ownership.codeowners import OwnerRule, ParsedCodeowners, ParseIssue, Section

FORMAT = 1
MAX_STORED = 64 * 1024 * 1024  # never read more than this back
# The code a stored value comes from: the parser, the pattern translation, the candidate index.
_SOURCES = ("codeowners.py", "patterns.py", "candidates.py")
_code: Optional[bytes] = None
Required = List[Tuple[str, ...]]  # per rule, its literal segments (``patterns.literal_segments``)


def _code_digest() -> bytes:
    global _code
    if _code is None:
        h = hashlib.sha1()
        for name in _SOURCES:
            h.update((Path(__file__).parent / name).read_bytes())
        _code = h.digest()
    return _code


def content_key(data: bytes, path: str, dialect: str) -> str:
    """The key of the parse of ``data`` (the file at ``path``) in ``dialect``."""
    h = hashlib.sha1(f"ownership-v{FORMAT}\0{dialect}\0".encode())
    h.update(_code_digest())
    h.update(path.encode("utf-8", "surrogatepass") + b"\0")
    h.update(data)
    return h.hexdigest()


def stored_file(directory: Path, project: str) -> Path:
    return directory / f"ownership-{project.replace(':', '-')}.json"


def load(file: Path, key: str) -> Optional[Tuple[ParsedCodeowners, Optional[Required]]]:
    """The parse stored under ``key`` (with its candidate index when stored), or None."""
    try:
        with open(file, "rb") as handle:
            raw = handle.read(MAX_STORED + 1)
        if len(raw) > MAX_STORED:
            return None
        value = json.loads(raw.decode("utf-8", "surrogatepass"))
        if not isinstance(value, dict) or value.get("key") != key:
            return None
        return _decode(value)
    except (OSError, ValueError, TypeError, KeyError, UnicodeDecodeError):
        return None


def save(file: Path, key: str, parsed: ParsedCodeowners, required: Optional[Required]) -> None:
    """Store ``parsed`` (and ``required``) under ``key``; best effort, never an error."""
    from repo_roles.atomic import AtomicWriteError, write_atomic

    value = {"key": key, "path": parsed.path, "dialect": parsed.dialect,
             "rules": [list(r) for r in parsed.rules], "sections": [list(s) for s in parsed.sections],
             "issues": [list(i) for i in parsed.issues], "merged": [list(m) for m in parsed.merged_sections],
             "required": [list(r) for r in required] if required is not None else None}
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(str(file), json.dumps(value, separators=(",", ":"), ensure_ascii=False))
    except (OSError, AtomicWriteError, ValueError):
        pass


def _rows(value: Any, types: Sequence[Any]) -> List[tuple]:
    """``value`` as tuples when it is a list of lists of exactly these column types (``tuple``: a
    list of strings; ``None``: a string or null), checked column by column at C speed."""
    if type(value) is not list or not all(type(r) is list and len(r) == len(types) for r in value):
        raise TypeError("malformed rows")
    columns = list(zip(*value)) if value else [() for _ in types]
    for k, (column, kind) in enumerate(zip(columns, types)):
        if kind is tuple:
            if not set(map(type, column)) <= {list} or not set(map(type, chain.from_iterable(column))) <= {str}:
                raise TypeError("not lists of strings")
            columns[k] = tuple(map(tuple, column))
        elif not set(map(type, column)) <= ({str, type(None)} if kind is None else {kind}):
            raise TypeError("wrong type")  # type() is exact: a bool is no int here
    return list(zip(*columns)) if value else []


def _strs(value: Any) -> Tuple[str, ...]:
    if type(value) is not list or not set(map(type, value)) <= {str}:
        raise TypeError("not a list of strings")
    return tuple(value)


def _decode(value: dict) -> Tuple[ParsedCodeowners, Optional[Required]]:
    path, dialect = value["path"], value["dialect"]
    if not isinstance(path, str) or not isinstance(dialect, str):
        raise TypeError("malformed header")
    rules = tuple(map(OwnerRule._make, _rows(value["rules"], (int, int, str, tuple, None, bool, str))))
    sections = tuple(map(Section._make, _rows(value["sections"], (str, int, bool, int, tuple))))
    issues = tuple(map(ParseIssue._make, _rows(value["issues"], (int, int, str, str, str))))
    merged = tuple(_rows(value["merged"], (int, str, int)))
    required: Optional[Required] = None
    if value["required"] is not None:
        if type(value["required"]) is not list:
            raise TypeError("not a list")
        required = list(map(_strs, value["required"]))
        if len(required) != len(rules):
            raise TypeError("one candidate entry per rule")
    return ParsedCodeowners(path, dialect, rules, sections, issues, merged), required  # type: ignore[arg-type]
