"""``repo-roles rules`` lists every rule; ``repo-roles rule ID`` prints one rule's documentation.

The ``json`` form is a machine contract: a list of objects with ``id``, ``name``, ``severity``
(the default), ``scope`` (``file`` | ``repository``), ``enabled_by_default`` and ``summary``.
"""

from __future__ import annotations

import difflib
import json
from typing import List

import click

from repo_roles.checks.registry import Rule, iter_rules
from repo_roles.commands.common import split_codes  # noqa: F401  (re-exported)
from repo_roles.errors import UsageError


def rule_records(rules: List[Rule]) -> List[dict]:
    return [
        {
            "id": r.id,
            "name": r.name,
            "severity": r.default_severity,
            "scope": r.scope,
            "enabled_by_default": r.enabled_by_default,
            "summary": r.summary,
        }
        for r in rules
    ]


def rules_text(rules: List[Rule]) -> str:
    if not rules:
        return "No rules are registered.\n"
    header = ("ID", "NAME", "SEVERITY", "SCOPE", "SUMMARY")
    rows = [
        (r.id, r.name, r.default_severity, r.scope, r.summary + ("" if r.enabled_by_default else " (opt-in)"))
        for r in rules
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths)) + "  " + row[4] + "\n"
        for row in [header, *rows]
    )


def find_rule(wanted: str) -> Rule:
    """The rule with id ``wanted`` (any case) or kebab-case name; a did-you-mean error otherwise."""
    rules = iter_rules()
    for r in rules:
        if wanted.upper() == r.id or wanted == r.name:
            return r
    candidates = [r.id for r in rules] + [r.name for r in rules]
    close = difflib.get_close_matches(wanted.upper() if wanted[:1].isalpha() else wanted, candidates, n=1) \
        or difflib.get_close_matches(wanted, candidates, n=1)
    hint = f"; did you mean {close[0]}?" if close else "; `repo-roles rules` lists them"
    raise UsageError(f"unknown rule {wanted!r}{hint}")


def rule_text(r: Rule) -> str:
    opt_in = "" if r.enabled_by_default else ", opt-in (enable with --extend-select)"
    head = f"{r.id} ({r.name})\n\nDefault severity: {r.default_severity}; scope: {r.scope}{opt_in}\n\n"
    return head + r.doc.rstrip("\n") + "\n"


def run_rules(fmt: str) -> int:
    rules = list(iter_rules())
    if fmt == "json":
        click.echo(json.dumps(rule_records(rules), indent=2))
    else:
        click.echo(rules_text(rules), nl=False)
    return 0


def register(group: click.Group) -> None:
    @group.command("rules")
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
    def rules(fmt: str) -> None:
        """List every rule: id, name, default severity, scope and summary."""
        raise SystemExit(run_rules(fmt))

    @group.command("rule")
    @click.argument("rule_id", metavar="ID")
    def rule(rule_id: str) -> None:
        """Print the full documentation of rule ID (its id or its name)."""
        click.echo(rule_text(find_rule(rule_id)), nl=False)
        raise SystemExit(0)
