"""HIS002 departed-owner: a CODEOWNERS owner with no commit in the repository lately.

What it checks
    Every owner named on a CODEOWNERS line: a person the roster or ``[history] identities``
    knows, or an e-mail owner, with no commit anywhere in the repository within
    ``[history] active-days`` (default 365) of the newest commit; a team of the roster whose
    members all have none.  Reported once per owner and line, on the CODEOWNERS line.  Owners
    history cannot identify (a handle no roster entry or identity names) are left alone.

Why it matters
    Review requests go to somebody who left: pull requests wait, or an admin merges without the
    review the line was meant to guarantee.  Clean-up tools for CODEOWNERS get this request
    more than any other.

Fires::

    /api/  @bob            # [teams."@acme/api"] members = ["@bob"]; Bob's last commit: 2 years ago

Does not fire::

    /api/  @bob            # Bob committed last month (anywhere in the repository)

How to fix
    Replace the owner with whoever took over (``repo-roles suggest-owners`` proposes one), and
    update the roster.

Configuration
    ``[history] active-days``, ``identities``, ``bots``; the roster ``[teams]``.  Off by
    default: it needs the roster to tell which commit author is which owner (``extend-select =
    ["HIS002"]``); needs the full history (``fetch-depth: 0``).  Without a roster it judges
    e-mail owners only, by the commits' author e-mail (after ``.mailmap``).  That is not enough to
    turn it on by default: GitHub matches an e-mail owner to any e-mail of the account, which
    need not be the one its owner commits with, and a wrong "departed" on a CODEOWNERS line
    costs more than a missed one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Set, Tuple

from repo_roles.checks.history._common import day, history_or_note
from repo_roles.checks.registry import rule
from repo_roles.findings import Finding
from repo_roles.history.declared import real_owners
from repo_roles.history.identity import normalize

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext

RULE_ID = "HIS002"


@rule(RULE_ID, "departed-owner", "A CODEOWNERS owner has no commit in the repository lately.", "warning",
      enabled_by_default=False, scope="repository")
def check(context: "ProjectContext") -> Iterator[Finding]:
    parsed = context.ownership.parsed
    if parsed is None or not parsed.rules:
        return
    history = history_or_note(context)
    if history is None:
        return
    identities = history.identities
    active = history.active_people()
    last = history.people_last()
    seen: Set[Tuple[int, str]] = set()
    for owner_rule in parsed.rules:
        for owner in real_owners(owner_rule.owners):
            key = (owner_rule.line, normalize(owner))
            if key in seen:
                continue
            seen.add(key)
            if identities.is_team(owner):
                people = identities.people(owner)
                if not people or people & active:
                    continue
                what = f"no member of {owner} ({', '.join(sorted(people))}) has"
            elif identities.knows(owner) or "@" in owner[1:]:
                handle = normalize(owner)
                if handle in active:
                    continue
                what = f"{owner} has"
                if handle in last:
                    what = f"{owner} (last commit {day(last[handle])}) has"
            else:
                continue
            column = owner_rule.raw.find(owner)
            yield Finding(
                RULE_ID,
                f"{what} no commit in the repository since {day(history.since())}: reviews go to "
                "somebody who has left",
                parsed.path,
                owner_rule.line,
                column + 1 if column >= 0 else None,
                severity="warning",
                key=owner,
            )
