"""``repo-roles ls``: one line per file with its role, deciding signal and owners.

The ``jsonl`` form is a stable machine contract: one JSON object per line with at least
``path``, ``role``, ``signal``, ``owners`` (list) and ``owners_line`` (int or null); ``authors``
(the file's authors by Degree of Authorship, strongest first, "Name <email>") and ``last_commit``
(ISO date, null without history) come from git history.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, List, Optional, Sequence, TextIO, Tuple

import click

from repo_roles.commands.common import config_option, no_cache_option, path_argument, untracked_option
from repo_roles.pathfmt import display_path
from repo_roles.commands.memo import Memo, Project, Tee, open_project, write_stored

if TYPE_CHECKING:
    from repo_roles.inventory import FileEntry
    from repo_roles.scan import ScanContext


def records(context: ScanContext, entries: Sequence[FileEntry]) -> Iterator[dict]:
    """The jsonl records of ``entries`` (targets of ``context``), in their order."""
    context.test_index.expect(len(entries))
    for entry in entries:
        decided = context.classifications[entry.path]
        owned = context.ownership.lookup(entry.path)
        yield {
            "path": entry.path,
            "role": decided.role,
            "signal": decided.signal,
            "owners": list(owned.owners),
            "owners_line": owned.line,
            "owners_source": owned.source,
            "kind": entry.kind,
            "tracked": entry.tracked,
            "tests": list(context.test_index.tests_for(entry.path)),
        }


# One encoder for every line: json.dumps builds a new encoder per call when given options.
# Same text as json.dumps(record, ensure_ascii=False).
LINE_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # a line of --format jsonl (commands/ls_rows.py restamps them)
_ENCODE_ASCII = json.JSONEncoder().encode
_BATCH = 4096  # lines per write: a write per line costs more than encoding it


def line_pieces(lines: Iterable[str]) -> Iterator[str]:
    """``lines`` (without their newline) with their newlines, joined a batch at a time."""
    batch: List[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= _BATCH:
            batch.append("")
            yield "\n".join(batch)
            batch = []
    if batch:
        batch.append("")
        yield "\n".join(batch)


def write_lines(out: TextIO, lines: Iterable[str]) -> None:
    """Write ``lines`` (without their newline) in batches."""
    for piece in line_pieces(lines):
        out.write(piece)


def jsonl_lines(rows: Iterable[dict]) -> Iterator[str]:
    """Each record as one line of JSON (the ``--format jsonl`` contract)."""
    encode = LINE_ENCODE
    for row in rows:
        line = encode(row)
        if not line.isascii() and not utf8_carries(line):
            # A name that is not valid UTF-8 arrives with surrogate escapes ("\udcff" for
            # byte 0xFF), which no UTF-8 stream can carry: this line gets \u escapes instead,
            # still valid JSON, and .encode("utf-8", "surrogateescape") restores git's bytes.
            line = _ENCODE_ASCII(row)
        yield line


def utf8_carries(text: str) -> bool:
    """Whether UTF-8 can carry ``text`` (no surrogate escapes): else its line gets escapes."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def with_docs(context: ScanContext, rows: Iterable[dict]) -> Iterator[dict]:
    """Add ``doc_items`` / ``doc_documented`` (counted / documented items; null when the file's
    language is not analysed or it could not be parsed), whatever the file's role."""
    coverage = context.coverage
    for row in rows:
        counts = coverage.counts(row["path"])
        row["doc_items"] = counts[1] if counts else None
        row["doc_documented"] = counts[0] if counts else None
        yield row


def with_history(context: ScanContext, rows: Iterable[dict],
                 summary: Optional[Callable[[str], Tuple[List[str], Optional[str]]]] = None) -> Iterator[dict]:
    """Add ``authors`` and ``last_commit`` (see :mod:`repo_roles.history`), from ``summary``
    (path -> both) when given."""
    if summary is None:
        summary = context.history.summary
    for row in rows:
        row["authors"], row["last_commit"] = summary(row["path"])
        yield row


def run_ls(path: str, config_path: Optional[str], untracked: Optional[bool], fmt: str,
           no_cache: bool = False) -> int:
    project = open_project(path, config_path, untracked, remember=not no_cache)
    memo = Memo("ls", dict(path=path, config=config_path, untracked=untracked, format=fmt), project, not no_cache)
    stored = memo.lookup()
    out = sys.stdout  # click.get_text_stream is deprecated (Click 9); CliRunner swaps sys.stdout too
    if stored is not None:
        with stored:
            write_stored(stored, echo=False)
        return stored.exit_code
    tee = Tee(out) if memo.key is not None else None
    _list(project, untracked, fmt, no_cache, tee or out)
    if tee is not None:
        memo.save(0, tee.text())
    return 0


def _list(project: Project, untracked: Optional[bool], fmt: str, no_cache: bool, out: TextIO) -> None:
    from repo_roles.scan import scan_project

    context = scan_project(project.root, project.config, scope=project.scope, untracked=untracked,
                           use_cache=not no_cache, inventory=project.inventory)
    if fmt == "jsonl":
        from repo_roles.commands.ls_rows import Summary, jsonl_text

        def make(entries: Sequence[FileEntry], summary: Optional[Summary]) -> Iterator[str]:
            return jsonl_lines(with_history(context, with_docs(context, records(context, entries)), summary))

        # the last run's lines for the files whose inputs did not change (see commands/ls_rows.py)
        for piece in jsonl_text(context, fmt, make):
            out.write(piece)
        return
    # The text form shows role, path and owners only: it never pays for the test index or the
    # documentation stage, which only the jsonl contract carries.
    rows = [
        (context.classifications[e.path].role, e.path, context.ownership.lookup(e.path).owners)
        for e in context.targets
    ]
    width = max((len(role) for role, _, _ in rows), default=0)
    write_lines(out, (
        f"{role:<{width}}  {display_path(path)}  {' '.join(owners) or '-'}" for role, path, owners in rows
    ))


def register(group: click.Group) -> None:
    @group.command("ls")
    @path_argument
    @config_option
    @untracked_option
    @no_cache_option
    @click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
    def ls(path: str, config_path: Optional[str], untracked: Optional[bool], no_cache: bool, fmt: str) -> None:
        """List every file with its role, the signal that decided it, and its owners."""
        raise SystemExit(run_ls(path, config_path, untracked, fmt, no_cache))
