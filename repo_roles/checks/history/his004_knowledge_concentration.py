"""HIS004 knowledge-concentration: one person is the truck factor of a large area.

What it checks
    The truck factor (Avelino et al., "A novel approach for estimating truck factors", ICPC
    2016: remove the author of the most files until more than half the files have no author
    left; authors by Degree of Authorship) of each top directory, and of the files of each
    declared owner (team or person).  Fires when it is 1 over more than ``[history]
    concentration-files`` files (default 20).

Why it matters
    One departure and more than half of the area has nobody who knows it: reviews, incidents and
    changes all wait for one person.

Fires::

    services/ledger/ (80 files): Ann is the only author of 60 of them  -> truck factor 1

Does not fire::

    services/ledger/ (80 files): Ann and Bo are each author of half of them  -> truck factor 2

How to fix
    Spread the knowledge: reviews by others, pairing, documentation; or accept it knowingly by
    ignoring the rule for that path.

Configuration
    ``[history] concentration-files``, ``bots``.  Off by default
    (``extend-select = ["HIS004"]``); needs the full history (``fetch-depth: 0``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from repo_roles.checks.history._common import history_or_note
from repo_roles.checks.registry import rule
from repo_roles.findings import Finding
from repo_roles.history.declared import directory_rows, owner_rows

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext

RULE_ID = "HIS004"


@rule(RULE_ID, "knowledge-concentration", "A top directory or an owner's files have a truck factor of 1.",
      "warning", enabled_by_default=False, scope="repository")
def check(context: "ProjectContext") -> Iterator[Finding]:
    history = history_or_note(context)
    if history is None:
        return
    limit = context.config.history.concentration_files
    paths = [e.path for e in context.targets]
    for row in directory_rows(history, paths):
        if row.truck_factor == 1 and row.files > limit:
            yield Finding(
                RULE_ID,
                f"{row.directory}/ has a truck factor of 1 over {row.files} files: without "
                f"{row.top_authors[0]} more than half of them have no author left",
                row.directory,
                severity="warning",
                key=row.directory,
            )
    source = context.ownership.source_file
    if source is None:
        return
    for team in owner_rows(history, paths, context.ownership.owners_of):
        if team.truck_factor == 1 and team.files > limit:
            yield Finding(
                RULE_ID,
                f"the {team.files} files owned by {team.owner} have a truck factor of 1: without "
                f"{team.top_authors[0]} more than half of them have no author left",
                source,
                severity="warning",
                key=team.owner,
            )
