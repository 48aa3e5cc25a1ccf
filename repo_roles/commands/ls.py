"""``repo-roles ls``: one line per file with its role, deciding signal and owners.

The ``jsonl`` form is a stable machine contract: one JSON object per line with at least
``path``, ``role``, ``signal``, ``owners`` (list) and ``owners_line`` (int or null).
"""

from __future__ import annotations

import json
from typing import Iterator, Optional

import click

from repo_roles.commands.common import config_option, path_argument, untracked_option
from repo_roles.pathfmt import display_path
from repo_roles.scan import ScanContext, scan


def records(context: ScanContext) -> Iterator[dict]:
    """The jsonl records, in path order."""
    for entry in context.inventory.in_scope():
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
        }


def run_ls(path: str, config_path: Optional[str], untracked: Optional[bool], fmt: str) -> int:
    context = scan(path, config_path=config_path, untracked=untracked, run_checks=False)
    out = click.get_text_stream("stdout")
    if fmt == "jsonl":
        for record in records(context):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return 0
    rows = list(records(context))
    width = max((len(r["role"]) for r in rows), default=0)
    for r in rows:
        owners = " ".join(r["owners"]) or "-"
        out.write(f"{r['role']:<{width}}  {display_path(r['path'])}  {owners}\n")
    return 0


def register(group: click.Group) -> None:
    @group.command("ls")
    @path_argument
    @config_option
    @untracked_option
    @click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
    def ls(path: str, config_path: Optional[str], untracked: Optional[bool], fmt: str) -> None:
        """List every file with its role, the signal that decided it, and its owners."""
        raise SystemExit(run_ls(path, config_path, untracked, fmt))
