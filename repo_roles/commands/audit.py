"""``repo-roles audit [PATH]``: the human report — roles, sides, owners, findings."""

from __future__ import annotations

from typing import Optional

import click

from repo_roles.commands.common import config_option, no_cache_option, no_cyclic_gc, path_argument, untracked_option
from repo_roles.report.audit_terminal import render_audit
from repo_roles import __version__
from repo_roles.checks.registry import RULES
from repo_roles.report import ReportInput, render
from repo_roles.scan import ScanContext, scan
from repo_roles.summary import summarize


@no_cyclic_gc()
def run_audit(path: str, config_path: Optional[str], untracked: Optional[bool], depth: int,
              no_cache: bool = False) -> int:
    context = scan(path, config_path=config_path, untracked=untracked, use_cache=not no_cache)
    summary = summarize(context, depth=depth)
    config_note = f", config {context.config.path.name}" if context.config.path else ", no config file"
    title = f"repo-roles audit of {context.root}{'/' + context.inventory.scope if context.inventory.scope else ''}" \
            f"{config_note}"
    click.echo(render_audit(summary, title=title))
    click.echo(declared_vs_actual(context))
    click.echo("Findings")
    # The engine returns the findings sorted: the formatter need not sort 264k of them again.
    report = ReportInput(context.findings, RULES, context.root, __version__, presorted=True)
    click.echo(render("concise", report), nl=False)
    return 1 if any(f.severity != "info" for f in context.findings) else 0


def declared_vs_actual(context: ScanContext) -> str:
    """The "Declared vs actual" section: declared owners against who knows the files by history."""
    from repo_roles.history.declared import directory_rows, owner_rows
    from repo_roles.report.audit_history import render_declared

    history = context.history
    paths = [e.path for e in context.targets]
    if not history.available:
        return render_declared(history, [], [])
    return render_declared(history, owner_rows(history, paths, context.ownership.owners_of),
                           directory_rows(history, paths))


def register(group: click.Group) -> None:
    @group.command("audit")
    @path_argument
    @config_option
    @untracked_option
    @no_cache_option
    @click.option("--depth", default=1, show_default=True, type=click.IntRange(1, 10),
                  help="Directory depth of the 'Directories by side' table.")
    def audit(path: str, config_path: Optional[str], untracked: Optional[bool], no_cache: bool, depth: int) -> None:
        """Summarise a repository: files per role, which directories are which side, who owns what, findings."""
        raise SystemExit(run_audit(path, config_path, untracked, depth, no_cache))
