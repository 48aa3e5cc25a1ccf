"""HIS001 stale-owner: a file's declared owners have not touched it or its directory lately.

What it checks
    For every scanned file with declared owners (CODEOWNERS or OWNERS files): none of the
    owners — a person, or every member of a team of the roster — has a commit to the file or
    to another file of its directory within ``[history] active-days`` (default 365) of the
    newest commit in the history, while somebody else has.  People are matched to commit
    authors (after ``.mailmap``) through ``[teams.X] members`` (handles and e-mails),
    ``[history] identities`` and GitHub no-reply addresses.  Merge commits, bots and the
    revisions of ``.git-blame-ignore-revs`` do not count.

Why it matters
    The owners review every change to the file but no longer work on it; those who do are not
    asked.  Reviews turn into rubber stamps, and questions go to the wrong people.

Fires::

    # CODEOWNERS: /billing/  @acme/payments      ([teams."@acme/payments"] members = ["@ann"])
    # @ann's last commit to billing/ is two years old; @carl committed last month

Does not fire::

    # @ann (or another member of @acme/payments) committed to billing/ within a year

How to fix
    Move the line to the team that does the work (``repo-roles suggest-owners`` proposes one),
    or add the people who do it to the owning team.

Configuration
    ``[history] active-days``, ``identities``, ``bots``; the roster ``[teams]``.  Off by
    default: it needs the roster to tell which commit author is which owner (``extend-select =
    ["HIS001"]``); needs the full history (``fetch-depth: 0``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from repo_roles.checks.history._common import day, history_or_note, names, owned_targets
from repo_roles.checks.registry import rule
from repo_roles.findings import Finding
from repo_roles.history.declared import stale

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext

RULE_ID = "HIS001"


@rule(RULE_ID, "stale-owner", "No declared owner committed to the file or its directory lately; others did.",
      "warning", enabled_by_default=False)
def check(context: "ProjectContext") -> Iterator[Finding]:
    history = history_or_note(context) if context.targets else None
    if history is None:
        return
    for path, owners in owned_targets(context):
        found = stale(history, path, owners)
        if found is None:
            continue
        yield Finding(
            RULE_ID,
            f"no declared owner ({' '.join(owners)}) committed to this file or its directory since "
            f"{day(history.since())}; {names(history, found.others)} did",
            path,
            severity="warning",
            key=" ".join(owners),
        )
