"""OWN007 role-mismatch: nobody among a file's owners answers for the file's role.

What it checks
    For every scanned file of a *sided* role (``backend.*``, ``frontend.*``) with owners, the owners known to the roster with a non-empty
    ``responsible`` (a team: its own; a person: that of every team listing them as a member)
    must include at least one who answers for the file's role.  Sides expand to their roles:
    ``responsible = ["backend"]`` covers ``backend.logic``, ``backend.tests`` and
    ``backend.docs``, so a ``backend.docs`` file owned by nobody on the backend side (neither
    ``backend`` nor ``backend.docs``) fires.  Owners outside the roster are ignored here
    (OWN006 reports them); a file whose owners are all outside the roster is not judged.
    Files of no side (config, generated, vendored, unclassified) are not judged either: a
    frontend team owning ``web/package.json`` is the norm, not a mismatch.

Why it matters
    The roster says what each team answers for.  A backend module owned only by the frontend
    team gets reviews from people who do not maintain it — usually a leftover of a move, or a
    broad line such as ``/backend/`` deciding files it was not meant for.

Fires::

    [teams."@acme/frontend"]
    responsible = ["frontend"]
    # /backend/pricing.py  @acme/frontend     <- backend.logic, owned only by a frontend team

Does not fire::

    # /backend/pricing.py  @acme/frontend @acme/backend

How to fix
    Add an owner responsible for the role (or replace the owner), add the role to the owning
    team's ``responsible`` when it really answers for it, or fix the file's role (``[roles]``).

Configuration
    ``[teams]`` (``responsible``, ``members``), ``[roles]`` and the classification settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, FrozenSet, Iterator, Optional, Tuple

from repo_roles.checks.ownership._roster import Roster
from repo_roles.checks.filereuse import FILE_INPUTS, targets_among
from repo_roles.checks.registry import rule
from repo_roles.findings import Finding
from repo_roles.roles import side_of

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext

RULE_ID = "OWN007"

# Per owner list: (roles covered by its rostered owners, "owner (what it answers for)" text);
# None when no owner of the list is in the roster with a responsibility.
_Verdict = Optional[Tuple[frozenset, str]]


@rule(RULE_ID, "role-mismatch", "None of a file's owners answers for the file's role.", "warning", scope="file",
      inputs=FILE_INPUTS)
def check(context: "ProjectContext", paths: Optional[FrozenSet[str]] = None) -> Iterator[Finding]:
    """On every target, or on the targets among ``paths`` (a file's findings read only its path,
    role and owners)."""
    roster = Roster(context.config.teams)
    if not roster:
        return
    ownership = context.ownership
    verdicts: Dict[Tuple[str, ...], _Verdict] = {}
    for entry in targets_among(context, paths):
        owned = ownership.lookup(entry.path)
        if not owned.owners:
            continue  # OWN001's business
        if owned.owners not in verdicts:  # files share a few owner lists: judge each once
            verdicts[owned.owners] = _verdict(roster, owned.owners)
        verdict = verdicts[owned.owners]
        if verdict is None:
            continue
        covered, described = verdict
        role = context.role_of(entry.path)
        if role in covered or side_of(role) is None:
            continue
        where = f" [{owned.source}:{owned.line}]" if owned.source and owned.line else ""
        yield Finding(
            RULE_ID,
            f"{entry.path} is {role}, but its owners answer for other roles: {described}{where}",
            entry.path,
            severity="warning",
            key=f"{role} {' '.join(owned.owners)}",
        )


def _verdict(roster: Roster, owners: Tuple[str, ...]) -> _Verdict:
    covered: frozenset = frozenset()
    parts = []
    for owner in owners:
        roles, described = roster.responsibility(owner)
        if roles:
            covered |= roles
            parts.append(f"{owner} ({described})")
    if not parts:
        return None
    return covered, ", ".join(parts)
