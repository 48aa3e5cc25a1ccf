"""HIS005 orphaned-knowledge: every author of the file is inactive.

What it checks
    Every scanned file with authors by Degree of Authorship (Fritz et al. 2010; Avelino et al.,
    ICPC 2016): none of them committed anywhere in the repository within ``[history]
    active-days`` (default 365) of the newest commit.  Needs no roster.

Why it matters
    Nobody around knows the file: a change to it is a change to code nobody understands, and a
    bug in it has nobody to ask.

Fires::

    legacy/export.py — authors: Ann (last commit 2021), Bo (last commit 2022)

Does not fire::

    legacy/export.py — Ann still commits (anywhere in the repository)

How to fix
    Have someone take the file over (read, document, test it; they become an author with their
    next changes), or delete it if nothing uses it.

Configuration
    ``[history] active-days``, ``bots``.  Off by default (``extend-select = ["HIS005"]``);
    needs the full history (``fetch-depth: 0``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from repo_roles.checks.history._common import day, history_or_note, names
from repo_roles.checks.registry import rule
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext

RULE_ID = "HIS005"


@rule(RULE_ID, "orphaned-knowledge", "Every author of the file is inactive.", "warning", enabled_by_default=False)
def check(context: "ProjectContext") -> Iterator[Finding]:
    history = history_or_note(context) if context.targets else None
    if history is None:
        return
    for entry in context.targets:
        authors = history.author_ids(entry.path)
        if not authors or any(history.active(a) for a in authors):
            continue
        yield Finding(
            RULE_ID,
            f"every author of this file ({names(history, authors)}) is inactive: no commit since "
            f"{day(history.since())}",
            entry.path,
            severity="warning",
        )
