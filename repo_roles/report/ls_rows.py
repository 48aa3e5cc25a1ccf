"""The last whole-project ``ls --format jsonl`` run's lines, reused for every file whose inputs did not change.

A line of ``ls --format jsonl`` is made of a file's path, kind and tracked state, its role and
deciding signal, its owners, the tests found for it, its documentation counts and its history
figures.  After a 20-file change, 99,980 of 100,000 lines are the ones the run before printed:
this module keeps those lines (one :mod:`~repo_roles.coverage.colfile` per project and settings)
and says which rows must be made again.

The stored lines are reused only when what every line depends on is the stored one -- the
tool's code, the configuration, where the project sits in its repository, the path list (its
digest), the entries that are not regular files, the ownership inputs
(``Ownership.inputs_key``: the ownership files read and the settings) and the history (its
settings and HEAD) -- and the evidence index is the stored one or its
:class:`~repo_roles.testrefs.evidence.EvidenceChange` since it names what changed.  Then a row
is made again when:

* its content may differ: its index blob id is not the stored one, it has none (untracked), or
  the work tree changes it now or did when the lines were stored (``git diff-files``);
* its role or signal is not the stored one (classification depends on context files too);
* the tests found for it may have changed (the evidence change's modules, the names and Go
  directories of its tests, as :class:`~repo_roles.coverage.test_reuse.Invalid` tells).

A Rust source or ``Cargo.toml`` among the rows made again makes every row again: a Rust file's
documentation counts depend on its crate (``coverage/rust_crate.py``).  Anything else -- no
stored lines, a damaged or truncated file, another key -- makes every row, as a run without this
module does; the lines are then stored for the next run.
"""

from __future__ import annotations

import hashlib
import json
from itertools import compress
from operator import attrgetter, itemgetter, ne
from typing import TYPE_CHECKING, Callable, Iterable, List, Optional, Sequence, Set

from repo_roles.coverage import colfile

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext
    from repo_roles.inventory import FileEntry

KIND = "ls-rows"
FORMAT = 1  # bump when what a line depends on changes
MAGIC = b"repo-roles ls rows 1\0"
COLUMNS = 4  # lines, blob ids, roles, signals
# A run that makes at most this many rows again, under the stored key, does not rewrite the
# lines (a write of 100,000 lines costs more than making 256 again next time).
REWRITE_MIN = 256

MakeLines = Callable[[Sequence["FileEntry"]], Iterable[str]]


def _digest(*values: object) -> str:
    h = hashlib.blake2b(digest_size=20)
    for value in values:
        data = str(value).encode("utf-8", "surrogateescape")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def _settings(context: "ProjectContext", fmt: str) -> str:
    """What every line depends on besides the files: the code, the configuration (the project
    root as a token: a key never holds a location), where the project is, the format."""
    from repo_roles.runcache.key import ROOT_TOKEN, code_fingerprint

    inventory = context.inventory
    config = repr(context.config).replace(str(context.root), ROOT_TOKEN)
    return _digest(KIND, FORMAT, code_fingerprint().hex(), config, inventory.prefix, inventory.scope, fmt)


def _history_token(context: "ProjectContext") -> Optional[str]:
    """The history the lines' ``authors``/``last_commit`` come from: its settings and HEAD; a
    fixed token when there is none to read (every row has none); None when it cannot be keyed."""
    history = context.history
    if history.model is None:
        return "none:" + (history.note or "")
    state = history.state
    if history.fingerprint is None or state is None or state.head is None:
        return None
    return f"{history.fingerprint}:{state.head}"


class _Stored:
    """The stored lines and the columns their rows are compared with."""

    def __init__(self, header: dict, lines: List[str], blobs: List[str], roles: List[str], signals: List[str]) -> None:
        self.header, self.lines, self.blobs, self.roles, self.signals = header, lines, blobs, roles, signals

    @classmethod
    def load(cls, raw: Optional[bytes]) -> Optional["_Stored"]:
        """The stored value; None for anything missing, damaged or of another format."""
        found = colfile.unpack(raw, MAGIC, COLUMNS)
        if found is None:
            return None
        header, columns = found
        try:
            n = header["rows"]
            if type(n) is not int or n <= 0 or not all(isinstance(header.get(k), str) for k in _HEADER_KEYS):
                return None
            lines = str(columns[0], "utf-8").split("\n")
            blobs = str(columns[1], "ascii").split("\0")
            roles = str(columns[2], "utf-8").split("\0")
            signals = str(columns[3], "utf-8").split("\0")
        except (KeyError, TypeError, UnicodeDecodeError):
            return None
        if not (len(lines) == len(blobs) == len(roles) == len(signals) == n):
            return None
        return cls(header, lines, blobs, roles, signals)


_HEADER_KEYS = ("listed", "kinds", "owners", "history", "evidence")


def jsonl_lines(context: "ProjectContext", fmt: str, make: MakeLines) -> Iterable[str]:
    """Every target's line, in the targets' order: ``make(entries)`` gives the lines of
    ``entries`` (the ``ls`` command's own making); the stored lines stand in for those of the
    rows whose inputs did not change (see the module doc)."""
    targets = context.targets
    if not getattr(context, "use_cache", True) or getattr(context, "context_from_index", False) \
            or context.inventory.scope or not targets or len(targets) != len(context.inventory.paths):
        return make(targets)
    from repo_roles.cachedir import project_key
    from repo_roles.coverage import cache as C
    from repo_roles.testrefs import facts as F

    modified = F.modified_files(context)
    header = _header(context)
    if modified is None or header is None:
        return make(targets)
    path = colfile.file_for(C.cache_directory(context.config, context.inventory.project_root), KIND, FORMAT,
                            project_key(context.inventory), _settings(context, fmt))
    from repo_roles.coverage.test_presence import target_columns

    paths, roles = target_columns(context)
    blobs = ["" if not e.blob or e.path in modified else e.blob
             for e in targets] if modified else list(map(attrgetter("blob"), targets))
    if not modified and None in blobs:
        blobs = [b or "" for b in blobs]
    classifications = context.classifications
    signals = [classifications[p].signal for p in paths] if not isinstance(classifications, dict) \
        or list(classifications) != paths else list(map(itemgetter(1), classifications.values()))
    stored = _Stored.load(colfile.read(path))
    redo = _rows_to_redo(context, stored, header, paths, blobs, roles, signals) if stored is not None else None
    if redo is None:
        lines = list(make(targets))
        _save(path, header, lines, blobs, roles, signals)
        return lines
    assert stored is not None
    lines = stored.lines
    if redo:
        for i, line in zip(redo, make([targets[i] for i in redo])):
            lines[i] = line
    if len(redo) > REWRITE_MIN or any(stored.header.get(k) != header[k] for k in _HEADER_KEYS):
        _save(path, header, lines, blobs, roles, signals)
    return lines


def _header(context: "ProjectContext") -> Optional[dict]:
    """The keys every stored line depends on (see the module doc); None when one cannot be made."""
    ownership = context.ownership
    history = _history_token(context)
    evidence = context.test_index.evidence().key
    if ownership.inputs_key is None or history is None or evidence is None:
        return None
    inventory = context.inventory
    return {
        "listed": inventory.paths_digest(),
        "kinds": _digest(json.dumps(sorted(inventory.special_kinds().items()))),
        "owners": _digest(repr(ownership.discovery), ownership.oversize, ownership.inputs_key),
        "history": history,
        "evidence": evidence,
    }


def _rows_to_redo(context: "ProjectContext", stored: _Stored, header: dict, paths: List[str], blobs: List[str],
                  roles: List[str], signals: List[str]) -> Optional[List[int]]:
    """The rows whose lines must be made again (sorted), or None: every row."""
    before = stored.header
    if len(paths) != len(stored.lines) or any(before[k] != header[k] for k in ("listed", "kinds", "owners", "history")):
        return None
    every = range(len(paths))
    redo: Set[int] = set(compress(every, map(ne, blobs, stored.blobs)))
    redo.update(compress(every, map(str.__eq__, stored.blobs, [""] * len(paths))))
    if roles != stored.roles:
        redo.update(compress(every, map(ne, roles, stored.roles)))
    if signals != stored.signals:
        redo.update(compress(every, map(ne, signals, stored.signals)))
    if before["evidence"] != header["evidence"]:
        changed = _evidence_rows(context, before["evidence"], paths)
        if changed is None:
            return None
        redo |= changed
    if any(paths[i].endswith(".rs") or paths[i].rpartition("/")[2] == "Cargo.toml" for i in redo):
        return None  # a Rust file's counts depend on its crate
    return sorted(redo)


def _evidence_rows(context: "ProjectContext", previous: str, paths: List[str]) -> Optional[Set[int]]:
    """The rows whose tests may differ from those found with the evidence index ``previous``
    (None: any row's may), from the index's change since the one stored before it."""
    from repo_roles.coverage.test_reuse import Invalid

    change = context.test_index.evidence().change
    if change is None or change.whole or change.previous != previous:
        return None
    invalid = Invalid()
    for test in change.tests:
        invalid.test(test)
    for module in change.modules:
        invalid.module(module)
    if "" in invalid.subtrees:
        return None
    return invalid.rows(paths, tuple(d + "/" for d in invalid.subtrees))


def _save(path, header: dict, lines: List[str], blobs: List[str], roles: List[str], signals: List[str]) -> None:
    text = "\n".join(lines)
    if text.count("\n") != len(lines) - 1:  # (JSON escapes a newline: never the case)
        return
    try:
        columns = [
            text.encode("utf-8"),
            "\0".join(blobs).encode("ascii"),
            "\0".join(roles).encode("utf-8"),
            "\0".join(signals).encode("utf-8"),
        ]
    except UnicodeEncodeError:  # a text git cannot have given: not stored
        return
    colfile.write(path, colfile.pack(MAGIC, dict(header, rows=len(lines)), columns))
