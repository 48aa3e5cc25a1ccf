"""HIS003 ownership-drift: none of a file's authors belongs to its declared owners.

What it checks
    For every scanned file with declared owners and with authors by Degree of Authorship
    (Fritz et al. 2010, as used by Avelino et al., ICPC 2016: normalised DOA >= 0.75 and DOA >=
    3.293; see ``repo-roles explain PATH``): none of the authors is one of the owners — a person
    owner, or a member of an owning team of the roster.  Files nobody is author of are left to
    HIS005.

Why it matters
    The people who know the file are not the ones asked to review it: either the line is out of
    date, or the owning team depends on outsiders' knowledge.

Fires::

    /search/  @acme/search     # members: @sue; the file's authors by DOA: Max, Ola

Does not fire::

    /search/  @acme/search     # Sue is among the file's authors

How to fix
    Hand the area over in CODEOWNERS (``repo-roles suggest-owners``), or let the owning team
    take over the knowledge (pairing, reviews) and add the authors to the team.

Configuration
    The roster ``[teams]``, ``[history] identities``, ``bots``.  Off by default: it needs the
    roster to tell which commit author is which owner (``extend-select = ["HIS003"]``); needs
    the full history (``fetch-depth: 0``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Set

from repo_roles.checks.history._common import history_or_note, names, owned_targets
from repo_roles.checks.registry import rule
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext

RULE_ID = "HIS003"


@rule(RULE_ID, "ownership-drift", "None of the file's authors by history belongs to its declared owners.",
      "warning", enabled_by_default=False)
def check(context: "ProjectContext") -> Iterator[Finding]:
    history = history_or_note(context) if context.targets else None
    if history is None:
        return
    identities = history.identities
    for path, owners in owned_targets(context):
        # Only owners history can judge: a roster team with members, or a person it can identify.
        judged = [o for o in owners if (identities.is_team(o) and identities.people(o)) or identities.knows(o)]
        if not judged:
            continue
        authors = history.author_ids(path)
        if not authors:
            continue
        people: Set[str] = set()
        for owner in judged:
            people |= identities.people(owner)
        if people & history.handles_of(authors):
            continue
        yield Finding(
            RULE_ID,
            f"the file's authors by history ({names(history, authors)}) include no one of its owners "
            f"({' '.join(owners)})",
            path,
            severity="warning",
            key=" ".join(owners),
        )
