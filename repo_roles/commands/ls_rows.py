"""The last whole-project ``ls --format jsonl`` run's lines, reused for every file whose inputs did not change.

A line of ``ls --format jsonl`` is made of a file's path, kind and tracked state, its role and
deciding signal, its owners, the tests found for it, its documentation counts and its history
figures.  After a 20-file change, 99,980 of 100,000 lines are the ones the run before printed:
this module keeps those lines (one :mod:`~repo_roles.coverage.colfile` per project and settings)
and says which rows must be made again.

The stored lines are reused only when what every line depends on is the stored one -- the
tool's code, the configuration, where the project sits in its repository, the path list (its
digest), the entries that are not regular files and the ownership inputs
(``Ownership.inputs_key``: the ownership files read and the settings) -- and the evidence index
is the stored one or its :class:`~repo_roles.testrefs.evidence.EvidenceChange` since it names
what changed.  Then a row is made again when:

* its content may differ: its index blob id is not the stored one, it has none (untracked), or
  the work tree changes it now or did when the lines were stored (``git diff-files``);
* its documentation counts depend on the install (a grammar that did not load: such a row is
  stored as made from no blob, so it is made in every run, as the documentation cache never
  stores its analysis); the interpreter's version is part of the key;
* its role or signal is not the stored one (classification depends on context files too);
* the tests found for it may have changed (the evidence change's modules, the names and Go
  directories of its tests, as :class:`~repo_roles.coverage.test_reuse.Invalid` tells).

A line's history figures (``authors``, ``last_commit``, its last fields) depend on its path
and the history (its settings and HEAD, ``history_key``) only: a line made again under the
stored history takes them from its stored line (no history model is loaded); under another
(a commit, a branch switch) every other line gets this history's figures in place of its
stored ones (made again instead: a line that may have been written escaped whole -- ASCII
holding a backslash-u escape -- or whose new figures UTF-8 cannot carry).

A Rust source or ``Cargo.toml`` among the rows made again makes every Rust row again: a Rust
file's documentation counts depend on its crate (``coverage/rust_crate.py``), no other file's.  Anything else -- no
stored lines, a damaged or truncated file, another key -- makes every row, as a run without this
module does; the lines are then stored for the next run.  The rows made since (up to
``REWRITE_MIN``) are kept as a delta on top of the stored lines, with the keys they were made
under: a run after another 20-file change writes a few rows, not every line.  A delta names
the value it was made on (a random id): one written on another is not taken.
"""

from __future__ import annotations

import json
import os
import sys
from array import array
from itertools import accumulate, compress
from operator import attrgetter, itemgetter, methodcaller, ne
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple, Union

from repo_roles.checks.reuse import config_token, digest_of, kinds_token
from repo_roles.commands.ls import LINE_ENCODE, line_pieces, utf8_carries
from repo_roles.coverage import colfile

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext
    from repo_roles.inventory import FileEntry

KIND = "ls-rows"
DELTA = "ls-rows-delta"  # the rows made since, on top of the stored lines (a few: not all rewritten)
FORMAT = 2  # bump when what a line depends on changes, or the layout
MAGIC = b"repo-roles ls rows 2\0"
DELTA_MAGIC = b"repo-roles ls rows delta 1\0"
COLUMNS = 4  # lines (and, in the stored value, their starts), blob ids, roles, signals
# While at most this many rows were made since the stored lines, a run writes them as a delta
# (their rows, lines and columns, on top of the stored lines), not every line again.
REWRITE_MIN = 256

Summary = Callable[[str], Tuple[List[str], Optional[str]]]  # path -> (authors, last commit)
# (entries, where their history figures come from: None = the history model) -> their lines
MakeLines = Callable[[Sequence["FileEntry"], Optional[Summary]], Iterable[str]]


def _settings(context: "ProjectContext", fmt: str) -> str:
    """What every line depends on besides the files: the code, the configuration (the project
    root as a token: a key never holds a location), where the project is, the format."""
    from repo_roles.runcache.key import code_fingerprint

    inventory = context.inventory
    config = config_token(context)
    # the interpreter's version too: Python's parser decides which files hold newer syntax
    return digest_of(KIND, FORMAT, code_fingerprint().hex(), config, inventory.prefix, inventory.scope, fmt,
                   sys.version_info[:2])


def _about_the_install(context: "ProjectContext", paths: List[str]) -> List[int]:
    """The rows whose documentation counts depend on what is installed, not on the file (a
    grammar that does not load: ``ABOUT_THE_INSTALL``): stored as made from no blob, so every
    run makes them again, as the documentation cache never stores them.  A few rows: the
    snapshot names the files with a problem (every file's answer is asked when there is none)."""
    from repo_roles.coverage.model import ABOUT_THE_INSTALL

    coverage = context.coverage
    few = coverage.paths_with_problems()
    rows = range(len(paths)) if few is None else compress(range(len(paths)), map(few.__contains__, paths)) \
        if few else ()
    return [i for i in rows if any(problem[1] in ABOUT_THE_INSTALL for problem in coverage.problems(paths[i]))]


def _history_token(context: "ProjectContext", loaded: bool) -> Optional[str]:
    """The history the lines' ``authors``/``last_commit`` come from: its settings and HEAD; a
    fixed token when there is none to read (every row has none); None when it cannot be keyed.
    Unless ``loaded`` (the model was read to make every line), the settings and HEAD are read
    without the model (``history_key``: two git calls): a run that reuses lines needs none."""
    if not loaded:
        from repo_roles.history.stage import scan_history_key

        found = scan_history_key(context)
        if found is not None:
            return found
    history = context.history
    if history.model is None:
        return "none:" + (history.note or "")
    state = history.state
    if history.fingerprint is None or state is None or state.head is None:
        return None
    return f"{history.fingerprint}:{state.head}"


class _Stored:
    """The stored lines (one text, cut at the stored line starts only where a row is read or
    replaced: 100,000 lines are never split) and the columns their rows are compared with."""

    def __init__(self, header: dict, text: str, starts: array, blobs: List[str], roles: List[str],
                 signals: List[str]) -> None:
        self.header, self.text, self.starts = header, text, starts
        self.blobs, self.roles, self.signals = blobs, roles, signals
        self.replaced: Dict[int, str] = {}  # row -> its line made since (a delta's, this run's)
        self.delta: List[int] = []  # the rows a delta replaced (see apply)

    @classmethod
    def load(cls, raw: Optional[bytes]) -> Optional["_Stored"]:
        """The stored value; None for anything missing, damaged or of another format."""
        found = colfile.unpack(raw, MAGIC, COLUMNS + 1)
        if found is None:
            return None
        header, columns = found
        try:
            n = header["rows"]
            if type(n) is not int or n <= 0 or not isinstance(header.get("id"), str) \
                    or not all(isinstance(header.get(k), str) for k in _HEADER_KEYS):
                return None
            text = str(columns[0], "utf-8")
            starts = array("Q")
            starts.frombytes(columns[1])
            blobs, roles, signals = (str(c, "utf-8").split("\0") for c in columns[2:])
        except (KeyError, TypeError, ValueError, UnicodeDecodeError):
            return None
        # each line ends where the next starts, less its newline; the text holds n - 1 newlines
        if not (len(starts) == n + 1 and len(blobs) == len(roles) == len(signals) == n) or starts[0] != 0 \
                or starts[n] != len(text) + 1 or text.count("\n") != n - 1:
            return None
        return cls(header, text, starts, blobs, roles, signals)

    def __len__(self) -> int:
        return len(self.blobs)

    def line(self, i: int) -> str:
        """Row ``i``'s line (as replaced since, else the stored one)."""
        found = self.replaced.get(i)
        if found is None:
            start, end = self.starts[i], self.starts[i + 1] - 1
            if end < start or (start and self.text[start - 1] != "\n") or (end < len(self.text) and self.text[end] != "\n"):
                raise ValueError("stored line starts")  # (not what was written: the checksum held)
            found = self.text[start:end]
        return found

    def lines(self) -> List[str]:
        """Every line (split: a new base is written)."""
        lines = self.text.split("\n")
        for i, line in self.replaced.items():
            lines[i] = line
        return lines

    def pieces(self) -> Iterator[str]:
        """The output: the stored text between the replaced lines, those lines, newlines."""
        text, starts, at = self.text, self.starts, 0
        for i in sorted(self.replaced):
            if starts[i] > at:
                yield text[at:starts[i]]
            yield self.replaced[i] + "\n"
            at = starts[i + 1]
        if at <= len(text):
            yield text[at:] + "\n"

    def apply(self, raw: Optional[bytes]) -> None:
        """Take the rows and keys of a delta written on top of this value (anything missing,
        damaged, of another format or written on another base: none taken)."""
        found = _columns(raw, DELTA_MAGIC, 5)
        if found is None or found[0].get("base") != self.header["id"]:
            return
        header, (rows_text, lines, blobs, roles, signals) = found
        try:
            rows = [int(r) for r in rows_text]
        except ValueError:
            return
        n = len(self)
        if len(set(rows)) != len(rows) or not all(0 <= r < n for r in rows):
            return
        for i, line, blob, role, signal in zip(rows, lines, blobs, roles, signals):
            self.replaced[i], self.blobs[i], self.roles[i], self.signals[i] = line, blob, role, signal
        self.header = dict(self.header, **{k: header[k] for k in _HEADER_KEYS})
        self.delta = rows


def _columns(raw: Optional[bytes], magic: bytes, count: int) -> Optional[Tuple[dict, List[List[str]]]]:
    """``(header, columns split)`` of a sound delta of ``count`` columns of ``rows`` items each
    (the lines, the last column but three, split on newlines, the others on NULs)."""
    found = colfile.unpack(raw, magic, count)
    if found is None:
        return None
    header, columns = found
    try:
        n = header["rows"]
        if type(n) is not int or n < 0 or not all(isinstance(header.get(k), str) for k in _HEADER_KEYS):
            return None
        lines_at = count - 4
        split = [str(c, "utf-8").split("\n" if i == lines_at else "\0") for i, c in enumerate(columns)]
    except (KeyError, TypeError, UnicodeDecodeError):
        return None
    if n == 0:
        split = [[] for _ in columns]
    if any(len(c) != n for c in split):
        return None
    return header, split


_HEADER_KEYS = ("listed", "kinds", "owners", "history", "evidence")


def jsonl_text(context: "ProjectContext", fmt: str, make: MakeLines) -> Iterable[str]:
    """Every target's line with its newline, in the targets' order, in pieces to write as they
    are: ``make(entries, summary)`` gives the lines of ``entries`` (the ``ls`` command's own
    making), their history figures from ``summary`` (None: the history model); the stored
    lines stand in for those of the rows whose inputs did not change (see the module doc), and
    give the history figures of those made again (they depend on the path and the history
    only, both the stored ones)."""
    targets = context.targets
    if not getattr(context, "use_cache", True) or getattr(context, "context_from_index", False) \
            or context.inventory.scope or not targets or len(targets) != len(context.inventory.paths):
        return line_pieces(make(targets, None))
    from repo_roles.cachedir import project_key
    from repo_roles.coverage import cache as C
    from repo_roles.testrefs import facts as F

    modified = F.modified_files(context)
    header = _header(context)
    if modified is None or header is None:
        return line_pieces(make(targets, None))
    directory = C.cache_directory(context.config, context.inventory.project_root)
    key = (project_key(context.inventory), _settings(context, fmt))
    path, delta_path = colfile.file_for(directory, KIND, FORMAT, *key), colfile.file_for(directory, DELTA, FORMAT, *key)
    from repo_roles.coverage.test_presence import target_columns

    paths, roles = target_columns(context)
    blobs = ["" if not e.blob or e.path in modified else e.blob
             for e in targets] if modified else list(map(attrgetter("blob"), targets))
    if not modified and None in blobs:
        blobs = [b or "" for b in blobs]
    for i in _about_the_install(context, paths):
        blobs[i] = ""
    classifications = context.classifications
    signals = [classifications[p].signal for p in paths] if not isinstance(classifications, dict) \
        or list(classifications) != paths else list(map(itemgetter(1), classifications.values()))
    stored = _Stored.load(colfile.read(path))
    if stored is not None:
        stored.apply(colfile.read(delta_path))
    redo = _rows_to_redo(context, stored, header, paths, blobs, roles, signals) if stored is not None else None
    moved = stored is not None and redo is not None and stored.header["history"] != header["history"]
    if redo is not None and redo and not moved:
        assert stored is not None
        try:
            before = {paths[i]: json.loads(stored.line(i)) for i in redo}
        except ValueError:  # (a line that is not what was written)
            redo = None
    if redo is None:
        lines = list(make(targets, None))
        text = "\n".join(lines)  # joined once: stored and written
        header["history"] = _history_token(context, True)  # (what the lines were made with)
        if header["history"] is not None:
            _save(path, header, lines, blobs, roles, signals, text)
        return (text, "\n")
    assert stored is not None
    if moved:  # another HEAD: the rows made again and every other line's history figures
        if redo:
            stored.replaced.update(zip(redo, make([targets[i] for i in redo], None)))
        lines = stored.lines()
        again = _restamped(context, paths, lines, set(redo))
        if again:
            lines_again = make([targets[i] for i in again], None)
            for i, line in zip(again, lines_again):
                lines[i] = line
        text = "\n".join(lines)
        header["history"] = _history_token(context, True)
        if header["history"] is not None:
            _save(path, header, lines, blobs, roles, signals, text)
        return (text, "\n")
    if redo:
        made = make([targets[i] for i in redo], lambda p: (before[p]["authors"], before[p]["last_commit"]))
        stored.replaced.update(zip(redo, made))
    changed = sorted(set(stored.delta).union(redo))
    if len(changed) > REWRITE_MIN:
        _save(path, header, stored.lines(), blobs, roles, signals)
    elif redo or any(stored.header[k] != header[k] for k in _HEADER_KEYS):
        # the rows made since the stored lines, on top of them (a write of a few rows, not all)
        pick = itemgetter(*changed) if len(changed) > 1 else (lambda seq: tuple(seq[i] for i in changed))
        _write(delta_path, DELTA_MAGIC, dict(header, base=stored.header["id"]),
               [list(map(str, changed)), [stored.replaced[i] for i in changed], list(pick(blobs)), list(pick(roles)),
                list(pick(signals))])
    return stored.pieces()


_HISTORY_KEY = ', "authors": '


def _restamped(context: "ProjectContext", paths: List[str], lines: List[str], skip: Set[int]) -> List[int]:
    """Give every line of ``lines`` but the rows ``skip`` the history figures of this run's
    history (a line ends with them: ``, "authors": [...], "last_commit": ...}``; the other
    fields depend on the path and the files, not on the history).  ``ls.jsonl_lines`` writes a
    line with its characters as they are, or -- a record that UTF-8 cannot carry (a name with
    surrogate escapes) -- with every one escaped: a line that is not ASCII is of the first kind,
    and so is one of ASCII without a ``\\u`` escape; either is restamped when its new figures can be
    carried too.  The rows of the others (an ASCII line with such an escape, figures with surrogates)
    are returned, to be made again."""
    encode = LINE_ENCODE  # as ``ls`` encodes a line
    summary = context.history.summary
    again: List[int] = []
    for i, (path, line) in enumerate(zip(paths, lines)):
        if i in skip:
            continue
        cut = line.rfind(_HISTORY_KEY)
        authors, last = summary(path)
        tail = f'{_HISTORY_KEY}{encode(authors)}, "last_commit": {encode(last)}}}'
        if cut < 0 or (line.isascii() and "\\u" in line) or not (tail.isascii() or utf8_carries(tail)):
            again.append(i)
        else:
            lines[i] = line[:cut] + tail
    return again


def _header(context: "ProjectContext") -> Optional[dict]:
    """The keys every stored line depends on (see the module doc); None when one cannot be made."""
    ownership = context.ownership
    history = _history_token(context, False)
    evidence = context.test_index.evidence().key
    if ownership.inputs_key is None or history is None or evidence is None:
        return None
    inventory = context.inventory
    return {
        "listed": inventory.paths_digest(),
        "kinds": digest_of(kinds_token(context)),
        "owners": digest_of(repr(ownership.discovery), ownership.oversize, ownership.inputs_key),
        "history": history,
        "evidence": evidence,
    }


def _rows_to_redo(context: "ProjectContext", stored: _Stored, header: dict, paths: List[str], blobs: List[str],
                  roles: List[str], signals: List[str]) -> Optional[List[int]]:
    """The rows whose lines must be made again (sorted), or None: every row."""
    before = stored.header
    if len(paths) != len(stored) or any(before[k] != header[k] for k in ("listed", "kinds", "owners")):
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
        # a Rust file's counts depend on its crate (``mod`` declarations, ``#[path]``, features
        # anywhere in the project): every Rust row is made again, no other
        redo.update(compress(every, map(methodcaller("endswith", ".rs"), paths)))
    return sorted(redo)


def _evidence_rows(context: "ProjectContext", previous: str, paths: List[str]) -> Optional[Set[int]]:
    """The rows whose tests may differ from those found with the evidence index ``previous``
    (None: any row's may), from the index's change since the one stored before it."""
    from repo_roles.coverage.test_reuse import Invalid

    change = context.test_index.evidence().change
    if change is None or change.whole or change.previous != previous:
        return None
    invalid = Invalid()
    invalid.change(change)
    if "" in invalid.subtrees:
        return None
    return invalid.rows(paths, tuple(d + "/" for d in invalid.subtrees))


def _save(path: Path, header: dict, lines: List[str], blobs: List[str], roles: List[str], signals: List[str],
          text: Optional[str] = None) -> None:
    """Store every row (a new base: a delta written on the one before is not taken with it):
    the lines as one text (``text`` when the caller joined them) and the start of each (and
    the text's end plus one)."""
    starts = array("Q", accumulate(map((1).__add__, map(len, lines)), initial=0))
    header = dict(header, id=os.urandom(8).hex(), rows=len(lines))
    joined = "\n".join(lines) if text is None else text
    _pack(path, MAGIC, header, [joined, starts.tobytes(), *("\0".join(c) for c in (blobs, roles, signals))],
          ["\n", None, "\0", "\0", "\0"])


def _write(path: Path, magic: bytes, header: dict, columns: List[List[str]]) -> None:
    """Write a delta's ``columns`` (the lines joined by newlines, the others by NULs; the last
    four are lines, blob ids, roles and signals) atomically."""
    separators = ["\0"] * len(columns)
    separators[-4] = "\n"
    _pack(path, magic, dict(header, rows=len(columns[0])), [sep.join(c) for sep, c in zip(separators, columns)],
          separators)


def _pack(path: Path, magic: bytes, header: dict, columns: List[Union[str, bytes]],
          separators: List[Optional[str]]) -> None:
    """Write ``columns`` atomically, unless a text column's values (joined by its separator)
    hold that separator (JSON escapes a newline: never the case), or one cannot be UTF-8."""
    rows = header["rows"]
    for column, separator in zip(columns, separators):
        if separator is not None and isinstance(column, str) and column.count(separator) != max(rows - 1, 0):
            return  # a separator inside a value: not stored
    try:
        data = [c.encode("utf-8") if isinstance(c, str) else c for c in columns]
    except UnicodeEncodeError:  # a text git cannot have given: not stored
        return
    colfile.write(path, colfile.pack(magic, header, data))
