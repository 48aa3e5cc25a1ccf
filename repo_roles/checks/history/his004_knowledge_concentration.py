"""HIS004 knowledge-concentration: one person is the truck factor of a large area of code.

What it checks
    The truck factor (Avelino et al., "A novel approach for estimating truck factors", ICPC
    2016: remove the author of the most files until more than half the files have no author
    left; authors by Degree of Authorship) of the code a team maintains — files whose role is in
    ``[history] roles`` (default ``backend.logic`` and ``frontend.ui``; tests, fixtures, docs,
    config, generated and vendored files are left out) — grouped by top directory, and by
    declared owning team (a roster team, or a team handle such as ``@org/team``).  Fires when it
    is 1 over more than ``[history] concentration-files`` files (default 20).  Needs no roster.

    A person named as the owner of an area is not checked: that one person knows it is what
    the line declares (HIS002 says when that person has left).

Why it matters
    One departure and more than half of the area has nobody who knows it: reviews, incidents and
    changes all wait for one person.

Fires::

    services/ledger/ (80 code files): Ann is the only author of 60 of them  -> truck factor 1

Does not fire::

    services/ledger/ (80 code files): Ann and Bo are each author of half of them  -> truck factor 2
    tests/fixtures/ (300 files, all by Ann): not code a team maintains (role backend.tests)

How to fix
    Spread the knowledge: reviews by others, pairing, documentation; or accept it knowingly by
    ignoring the rule for that path (``per-path-ignores``).

Configuration
    ``[history] concentration-files``, ``roles``, ``bots``.  On by default; a repository-scope
    rule, so ``check FILE...`` (pre-commit) does not run it unless the ownership file or the
    configuration is among the files.  Needs the full history (``fetch-depth: 0``); on a shallow
    clone it is skipped with one note.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterator, List, Sequence

from repo_roles.checks.history._common import (cached_findings, history_or_note, maintained_count, maintained_paths,
                                                team_owners)
from repo_roles.checks.registry import rule
from repo_roles.findings import Finding
from repo_roles.history.declared import directory_rows, owner_rows

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext

RULE_ID = "HIS004"


@rule(RULE_ID, "knowledge-concentration", "A top directory or a team's code has a truck factor of 1.",
      "warning", scope="repository")
def check(context: "ProjectContext") -> List[Finding]:
    limit = context.config.history.concentration_files
    if maintained_count(context) <= limit:  # no area can be larger than the whole: no history needed
        return []
    teams_of = team_owners(context)
    settings = [limit, list(context.config.history.roles), context.ownership.source_file]
    return cached_findings(context, RULE_ID, settings, teams_of,
                           lambda: _findings(context, maintained_paths(context), teams_of, limit))


def _findings(context: "ProjectContext", paths: Sequence[str], teams_of: Callable[[str], Sequence[str]],
              limit: int) -> Iterator[Finding]:
    history = history_or_note(context)
    if history is None:
        return
    for row in directory_rows(history, paths):
        if row.truck_factor == 1 and row.files > limit:
            yield Finding(
                RULE_ID,
                f"{row.directory}/ has a truck factor of 1 over {row.files} code files: without "
                f"{row.top_authors[0]} more than half of them have no author left",
                row.directory,
                severity="warning",
                key=row.directory,
            )
    source = context.ownership.source_file
    if source is None:
        return
    for team in owner_rows(history, paths, teams_of):
        if team.truck_factor == 1 and team.files > limit:
            yield Finding(
                RULE_ID,
                f"the {team.files} code files owned by {team.owner} have a truck factor of 1: without "
                f"{team.top_authors[0]} more than half of them have no author left",
                source,
                severity="warning",
                key=team.owner,
            )
