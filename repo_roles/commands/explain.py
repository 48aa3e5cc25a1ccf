"""``repo-roles explain PATH...``: why a file has its role and its owners, signal by signal."""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional, Sequence

import click

from repo_roles.commands.common import config_option, untracked_option
from repo_roles.errors import RepoRolesError
from repo_roles.pathfmt import display_path
from repo_roles.scan import ScanContext, scan


def _project_relative(context: ScanContext, raw: str) -> str:
    absolute = Path(os.path.abspath(raw))
    parent = Path(os.path.realpath(absolute.parent))  # resolve directories, never the file itself
    try:
        return (parent / absolute.name).relative_to(context.root).as_posix()
    except ValueError:
        raise RepoRolesError(f"{raw}: outside the project root {context.root}") from None


def explain_lines(context: ScanContext, rel: str) -> List[str]:
    known = {e.path: e for e in context.inventory.entries}
    entry = known.get(rel)
    lines = [display_path(rel)]
    if entry is None:
        lines.append("  note:     not in the inventory (untracked, ignored or excluded); classified by path only")
    elif entry.kind != "file":
        lines.append(f"  kind:     {entry.kind} (never followed or read)")
    decided = context.classifications.get(rel) or context.classifier.classify(rel)
    lines.append(f"  role:     {decided.role}")
    source = f"  [{decided.source}]" if decided.source else ""
    lines.append(f"  decided:  {decided.signal}: {decided.detail}{source}")
    lines.append("  signals considered, in order:")
    for trace in context.classifier.explain(rel):
        if trace.matched:
            mark = "->"
        elif trace.detail == "not reached":
            mark = "  "
        else:
            mark = " x"
        where = f"  [{trace.source}]" if trace.source else ""
        role = f" => {trace.role}" if trace.matched and trace.role else ""
        lines.append(f"    {mark} {trace.signal:<20} {trace.detail}{role}{where}")
    lines.extend("  " + line for line in context.ownership.explain(rel))
    return lines


def run_explain(paths: Sequence[str], config_path: Optional[str], untracked: Optional[bool]) -> int:
    first = paths[0]
    start = first if os.path.isdir(first) else (os.path.dirname(first) or ".")
    context = scan(start, config_path=config_path, untracked=untracked, run_checks=False)
    code = 0
    blocks: List[str] = []
    for raw in paths:
        if not os.path.lexists(raw):
            click.echo(f"repo-roles: error: {raw}: no such file or directory", err=True)
            code = 2
            continue
        if os.path.isdir(raw) and not os.path.islink(raw):
            click.echo(f"repo-roles: error: {raw}: is a directory; explain takes files", err=True)
            code = 2
            continue
        blocks.append("\n".join(explain_lines(context, _project_relative(context, raw))))
    if blocks:
        click.echo("\n\n".join(blocks))
    return code


def register(group: click.Group) -> None:
    @group.command("explain")
    @click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
    @config_option
    @untracked_option
    def explain(paths: Sequence[str], config_path: Optional[str], untracked: Optional[bool]) -> None:
        """Show every signal considered for each file, which one decided its role, and its owners."""
        raise SystemExit(run_explain(paths, config_path, untracked))
