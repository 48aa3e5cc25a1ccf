"""``repo-roles baseline [PATH] [-o FILE] [--update]``: accept today's findings, fail on new ones.

Writes the current findings of the whole project (the configured rule selection) to a baseline
file (format: :mod:`repo_roles.baseline`), atomically.  An existing file is never silently
replaced: ``--update`` is required, and it must be a valid baseline (a broken or newer-format one
is an error and stays untouched).  ``check --baseline FILE`` then fails only on new findings;
the helpers at the end are its side of that comparison (which entries a run could see, and the
report of entries that no longer occur).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Optional, Sequence

import click

from repo_roles import baseline as B
from repo_roles.atomic import write_atomic
from repo_roles.checks.engine import build_selection, run_checks
from repo_roles.checks.registry import RULES
from repo_roles.checks.selection import RuleSelection
from repo_roles.commands.common import config_option, ignore_option, path_argument, select_option, untracked_option
from repo_roles.commands.rules import split_codes
from repo_roles.errors import UsageError
from repo_roles.fingerprint import Fingerprinter
from repo_roles.pathfmt import display_path
from repo_roles.scan import ScanContext, scan


def run_baseline(
    path: str,
    output: Optional[str],
    update: bool,
    config_path: Optional[str],
    untracked: Optional[bool],
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> int:
    context = scan(path, config_path=config_path, untracked=untracked)
    if context.inventory.scope:
        raise UsageError(f"{path}: a baseline covers a whole project; pass its root {context.root}")
    target = Path(output) if output else context.root / B.DEFAULT_FILENAME
    old = None
    if os.path.lexists(target):
        if not update:
            raise UsageError(f"{target}: already exists; pass --update to rewrite it")
        old = B.read_baseline(target)  # validates: a broken file is an error, left as it is
    selection = build_selection(context.config, select=split_codes(select), ignore=split_codes(ignore))
    counts = B.counts_of(run_checks(context, selection), Fingerprinter(context.inventory))
    # Without --update, a file that appeared meanwhile is still not clobbered (no check-then-write race).
    write_atomic(target, B.dumps(counts), overwrite=update, make_parents=True)
    total = sum(counts.values())
    note = f"{target}: {total} finding{'' if total == 1 else 's'} in {len(counts)} entr{'y' if len(counts) == 1 else 'ies'}"
    if old is not None:
        # Compared without fingerprints: a version 1 file rewritten as version 2 is no change.
        before = {k[:3] for k in old.entries}
        after = {k[:3] for k in counts}
        note += f" ({len(after - before)} added, {len(before - after)} removed)"
        if old.version < B.FORMAT_VERSION:
            note += f"; upgraded from format {old.version} to {B.FORMAT_VERSION}"
    click.echo(note, err=True)
    return 0


def baseline_scope(context: ScanContext, selection: RuleSelection, whole: bool) -> Callable[[B.Identity], bool]:
    """Could this run have produced the entry?  ``whole``: the run covered the whole project."""

    def checked(ident: B.Identity) -> bool:
        rule_id, path, _ = ident
        rule = RULES.get(rule_id)
        if rule is None:
            return whole  # a rule that no longer exists: gone, as a full run can tell
        if rule_id not in selection.enabled:
            return False
        if rule.scope == "repository":
            return context.repository_checks
        return whole or path in context.target_paths  # whole: a deleted file's entries are stale too

    return checked


STALE_SHOWN = 20  # entries listed one per line; the rest are counted


def report_baseline(comparison: B.Comparison, source: str, strict: bool, version: int = B.FORMAT_VERSION) -> None:
    """One stderr line on what the baseline hid and how many entries match nothing, then those."""
    stale = comparison.stale
    moved = f", {comparison.moved} of them in renamed or moved files" if comparison.moved else ""
    click.echo(f"{source}: the baseline hid {comparison.accepted} finding{'' if comparison.accepted == 1 else 's'}"
               f"{moved}; {len(stale)} entr{'y' if len(stale) == 1 else 'ies'} no longer match anything",
               err=True)
    if version < B.FORMAT_VERSION:
        click.echo(f"{source}: format {version} baseline: matched by rule, path and key only; rewrite it with "
                   "`repo-roles baseline --update` so its findings follow renamed files", err=True)
    if not stale:
        return
    click.echo(f"{source}: {len(stale)} baseline entr{'y' if len(stale) == 1 else 'ies'} "
               "no longer occur as often; shrink it with `repo-roles baseline --update`:", err=True)
    for entry in stale[:STALE_SHOWN]:
        rule_id, path, key = entry.identity[:3]
        click.echo(f"  {rule_id} {display_path(path or '.')} {key!r}: accepted {entry.accepted}, "
                   f"found {entry.actual}", err=True)
    if len(stale) > STALE_SHOWN:
        click.echo(f"  … and {len(stale) - STALE_SHOWN} more", err=True)
    if strict:
        click.echo("--strict-baseline: failing until the baseline is updated", err=True)


def register(group: click.Group) -> None:
    @group.command("baseline")
    @path_argument
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str),
                  help=f"Baseline file to write (default: {B.DEFAULT_FILENAME} in the project root).")
    @click.option("--update", is_flag=True, help="Rewrite an existing baseline file.")
    @select_option
    @ignore_option
    @config_option
    @untracked_option
    def baseline(path: str, output: Optional[str], update: bool, select: Sequence[str], ignore: Sequence[str],
                 config_path: Optional[str], untracked: Optional[bool]) -> None:
        """Record the current findings in a baseline file so `check --baseline` fails only on new ones."""
        raise SystemExit(run_baseline(path, output, update, config_path, untracked, select, ignore))
