"""OWN008 ownership-file-unowned: the CODEOWNERS file itself has no owner.

What it checks
    The CODEOWNERS file in force is matched against its own lines; the rule fires when no line
    matches it or the deciding line names no owners.  Only the CODEOWNERS file counts here: a
    directory OWNERS file does not protect it on the hosting platform.

Why it matters
    Whoever edits CODEOWNERS decides who reviews everything else.  When branch protection
    requires code-owner approval (GitHub docs, "About code owners"), an unowned CODEOWNERS can
    still be changed without any owner's approval — and that one change can switch every other
    ownership rule off.

Fires::

    # .github/CODEOWNERS
    /src/       @acme/backend

Does not fire::

    /src/       @acme/backend
    /.github/   @acme/platform

How to fix
    Add a line owning it, e.g. ``/.github/CODEOWNERS @acme/platform``, after the broad lines.

Configuration
    ``ownership.file``, ``ownership.dialect``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from repo_roles.checks.ownership._text import describe
from repo_roles.checks.registry import rule
from repo_roles.checks.reuse import OWNERSHIP_AND_PATHS
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext

RULE_ID = "OWN008"


@rule(RULE_ID, "ownership-file-unowned", "The CODEOWNERS file itself has no owner.", "warning", scope="repository",
      inputs=OWNERSHIP_AND_PATHS)
def check(context: "ProjectContext") -> Iterator[Finding]:
    compiled = context.ownership.compiled
    path = context.ownership.source_file
    if compiled is None or path is None:
        return
    match = compiled.match(path)
    if match.owners:
        return
    if match.rule is not None:
        why = f"its last matching line {match.rule.line} ({describe(match.rule)}) names no owners"
        line = match.rule.line
    else:
        why = "no line matches it"
        line = None
    yield Finding(
        RULE_ID,
        f"{path} has no owner ({why}): anyone with write access can change who reviews what; "
        f"add a line such as /{path} @org/admins",
        path,
        line,
        severity="warning",
        key=path,
    )
