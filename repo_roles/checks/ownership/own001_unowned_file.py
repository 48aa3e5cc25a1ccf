"""OWN001 unowned-file: a file whose role requires an owner has none.

What it checks
    Every scanned file whose role is listed in ``[ownership] require-owner`` must have at least
    one owner.  A file is unowned when no CODEOWNERS line matches it (and no OWNERS file covers
    it), or when the last matching line names no owners: on GitHub "the last matching pattern
    takes the most precedence", and a pattern without owners leaves the files it matches
    without code owners (GitHub docs, "About code owners").  The message says which line made
    the file unowned.

Why it matters
    A pull request touching an unowned file requests no review from anybody: nobody answers for
    the backend code or the UI the file holds.

Fires::

    # .github/CODEOWNERS
    /backend/               @acme/backend
    /backend/migrations/                        <- no owners: un-owns backend/migrations/*

Does not fire::

    /backend/               @acme/backend
    /backend/migrations/    @acme/dba

How to fix
    Give the line owners, add a line that owns the file, or take the role out of
    ``require-owner``.

Configuration
    ``ownership.require-owner`` (roles that need an owner), ``ownership.file``,
    ``ownership.dialect``, ``ownership.owners-files``.  Without any ownership source this rule
    is silent and OWN012 reports once instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, FrozenSet, Iterator, Optional

from repo_roles.checks.ownership._text import describe
from repo_roles.checks.filereuse import FILE_INPUTS, targets_among
from repo_roles.checks.registry import rule
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext

RULE_ID = "OWN001"


def has_ownership_source(context: "ProjectContext") -> bool:
    """A CODEOWNERS file is in force, or OWNERS files are read."""
    ownership = context.ownership
    tree = ownership.owners_tree
    return ownership.parsed is not None or (tree is not None and bool(tree.files))


@rule(RULE_ID, "unowned-file", "A file whose role requires an owner has none.", "error", scope="file",
      inputs=FILE_INPUTS)
def check(context: "ProjectContext", paths: Optional[FrozenSet[str]] = None) -> Iterator[Finding]:
    """On every target, or on the targets among ``paths`` (a file's findings read only its path,
    role and owners)."""
    required = frozenset(context.config.ownership.require_owner)
    if not required or not has_ownership_source(context):
        return
    ownership = context.ownership
    source = ownership.source_file
    rules = {r.line: r for r in ownership.parsed.rules} if ownership.parsed else {}
    for entry in targets_among(context, paths):
        role = context.role_of(entry.path)
        if role not in required:
            continue
        owned = ownership.lookup(entry.path)
        if owned.owners:
            continue
        deciding = rules.get(owned.line) if owned.source == source and owned.line else None
        if deciding is not None:
            why = f"{source}:{deciding.line} ({describe(deciding)}) is its last matching line and names no owners"
        elif source is not None:
            why = f"no line of {source} matches it"
            if ownership.owners_tree is not None:
                why += " and no OWNERS file covers it"
        else:
            why = "no OWNERS file covers it"
        yield Finding(
            RULE_ID,
            f"{entry.path} is {role} and has no owner: {why}",
            entry.path,
            severity="error",
            key=role,
        )
