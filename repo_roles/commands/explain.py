"""``repo-roles explain PATH...``: why a file has its role and its owners, signal by signal."""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional, Sequence

import click

from repo_roles.commands.common import config_option, is_real_dir, resolved, start_dir, untracked_option
from repo_roles.config import discover_config
from repo_roles.errors import NotARepositoryError, RepoRolesError, UsageError
from repo_roles.inventory import git_toplevel
from repo_roles.pathfmt import display_path
from repo_roles.scan import ScanContext, scan


def _project_relative(context: ScanContext, raw: str) -> str:
    try:
        return resolved(raw).relative_to(context.root).as_posix()
    except ValueError:
        raise RepoRolesError(f"{raw}: outside the project root {context.root}") from None


def _start_of(first: str, config_path: Optional[str]) -> str:
    """Where to locate the project: the first path's directory (a symlink itself is not followed).

    Outside git and without a configuration the project is the working directory, as for
    ``ls``; a file elsewhere is refused rather than its whole directory walked (``/etc/passwd``).
    """
    start = start_dir(first)
    if config_path or not os.path.isdir(start):
        return start  # scan() reports the missing directory or uses the given configuration
    here = Path(os.path.realpath(start))
    if git_toplevel(here) is not None or discover_config(here, None) is not None:
        return start
    cwd = Path(os.path.realpath(os.getcwd()))
    if here != cwd and cwd not in here.parents:
        raise UsageError(f"{first}: outside the project: not in a git repository, a configured "
                         f"project or the working directory")
    return "."


def explain_lines(context: ScanContext, rel: str) -> List[str]:
    entry = next(iter(context.inventory.pick({rel})), None)  # builds one entry, not a dict of all
    lines = [display_path(rel)]
    if entry is None:
        lines.append("  note:     not in the inventory (untracked, ignored or excluded); classified by path only")
    elif entry.kind != "file":
        target = ""
        if entry.kind == "symlink":
            try:  # reading the link itself is not following it
                target = " -> " + display_path(os.readlink(context.inventory.abspath(rel)))
            except OSError:
                target = ""
        lines.append(f"  kind:     {entry.kind}{target} (never followed or read; classified by path)")
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
    lines.extend(history_lines(context, rel))
    lines.extend("  " + line for line in context.test_index.explain(rel))
    return lines


def history_lines(context: ScanContext, rel: str) -> List[str]:
    """The DOA inputs per contributor (Fritz et al. 2010, Avelino et al. ICPC 2016)."""
    history = context.history
    if not history.available:
        return [f"  history:  {history.note}"]
    rows = history.doa(rel)
    if not rows:
        return ["  history:  no commit touches this file (untracked, or only bots and ignored revisions)"]
    from repo_roles.history.stage import iso

    lines = ["  history:  DOA = 3.293 + 1.098*FA + 0.164*DL - 0.321*ln(1+AC); an author has "
             "normalised DOA >= 0.75 and DOA >= 3.293 (* = author)"]
    for row in rows:
        mark = "*" if row.is_author else " "
        lines.append(f"  doa:      {mark} {row.author}  FA={row.fa} DL={row.dl} AC={row.ac}  DOA={row.doa:.3f}  "
                     f"normalised={row.normalised:.2f}  last commit {iso(row.last)}")
    return lines


def run_explain(paths: Sequence[str], config_path: Optional[str], untracked: Optional[bool]) -> int:
    # The first path that exists locates the project; the missing ones are reported below.
    anchor = next((p for p in paths if os.path.lexists(p)), None)
    if anchor is None:
        raise NotARepositoryError(f"{paths[0]}: no such file or directory")
    context = scan(_start_of(anchor, config_path), config_path=config_path, untracked=untracked)
    code = 0
    blocks: List[str] = []
    for raw in paths:
        if not os.path.lexists(raw):
            click.echo(f"repo-roles: error: {raw}: no such file or directory", err=True)
            code = 2
            continue
        if is_real_dir(raw):
            click.echo(f"repo-roles: error: {raw}: is a directory; explain takes files", err=True)
            code = 2
            continue
        try:
            rel = _project_relative(context, raw)
        except RepoRolesError as exc:
            click.echo(f"repo-roles: error: {exc}", err=True)
            code = 2
            continue
        blocks.append("\n".join(explain_lines(context, rel)))
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
