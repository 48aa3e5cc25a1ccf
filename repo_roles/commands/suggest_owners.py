"""``repo-roles suggest-owners [PATH]``: CODEOWNERS lines for unowned or stale areas, from history.

Printed, never written: review them and paste them at the end of the ownership file (later
lines win on GitHub, GitLab and Bitbucket).
"""

from __future__ import annotations

import sys
from typing import Optional

import click

from repo_roles.commands.common import config_option, path_argument, untracked_option
from repo_roles.scan import scan


def run_suggest(path: str, config_path: Optional[str], untracked: Optional[bool]) -> int:
    from repo_roles.history.suggest import propose

    context = scan(path, config_path=config_path, untracked=untracked)
    history = context.history
    if not history.available:
        click.echo(f"repo-roles: note: {history.note}", err=True)
        return 0
    proposals = propose(history, [e.path for e in context.targets], context.ownership.owners_of)
    source = context.ownership.source_file or ".github/CODEOWNERS"
    lines = [f"# Proposed from git history by repo-roles suggest-owners: review, then append to {source}"]
    if not proposals:
        lines.append("# nothing to propose: every file with an active author has an owner who is active on it")
    for proposal in proposals:
        files = proposal.unowned + proposal.stale
        lines.append(f"# {files} file(s): {proposal.unowned} unowned, {proposal.stale} with stale owners; "
                     f"active authors: {', '.join(proposal.authors) or '-'}")
        lines.append(f"{proposal.pattern} {proposal.owner}")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def register(group: click.Group) -> None:
    @group.command("suggest-owners")
    @path_argument
    @config_option
    @untracked_option
    def suggest_owners(path: str, config_path: Optional[str], untracked: Optional[bool]) -> None:
        """Propose CODEOWNERS lines for unowned or stale areas from git history (printed, never written)."""
        raise SystemExit(run_suggest(path, config_path, untracked))
