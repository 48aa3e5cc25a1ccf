"""``repo-roles audit [PATH]``: the human report — roles, sides, owners, findings."""

from __future__ import annotations

from typing import Optional

import click

from repo_roles.commands.common import config_option, no_cache_option, no_cyclic_gc, path_argument, untracked_option
from repo_roles.report.audit_terminal import render_audit
from repo_roles import __version__
from repo_roles.checks.registry import RULES
from repo_roles.report import ReportInput, render
from repo_roles.scan import scan
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
    click.echo("Findings")
    # The engine returns the findings sorted: the formatter need not sort 264k of them again.
    report = ReportInput(context.findings, RULES, context.root, __version__, presorted=True)
    click.echo(render("concise", report), nl=False)
    return 1 if any(f.severity != "info" for f in context.findings) else 0


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
