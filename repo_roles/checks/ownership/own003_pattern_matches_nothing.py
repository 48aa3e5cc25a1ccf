"""OWN003 pattern-matches-nothing: a CODEOWNERS line whose pattern matches no file.

What it checks
    Each CODEOWNERS line (GitLab exclusions included) is matched against every file of the
    project (after ``include``/``exclude``); a line that matches none is reported.  Patterns are
    read with the platform's semantics: case sensitive, ``docs/*`` only direct children, an
    unanchored name at any depth (GitHub docs, "About code owners"; GitLab "Code Owners syntax").

Why it matters
    A pattern that matches nothing is usually a renamed or deleted directory, or a typo; the
    owners it names believe they review code they never see.

Fires::

    /backend/shop/legacy/   @acme/backend      <- backend/shop/legacy/ does not exist

Does not fire::

    /backend/shop/          @acme/backend      <- backend/shop/models.py exists

How to fix
    Correct the path (mind the case) or delete the line.

Configuration
    ``ownership.file``, ``ownership.dialect``; ``include``/``exclude`` decide which files count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from repo_roles.checks.ownership._text import describe
from repo_roles.checks.registry import rule
from repo_roles.checks.reuse import OWNERSHIP_AND_PATHS
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext

RULE_ID = "OWN003"


@rule(RULE_ID, "pattern-matches-nothing", "A CODEOWNERS pattern matches no file.", "warning", scope="repository",
      inputs=OWNERSHIP_AND_PATHS)
def check(context: "ProjectContext") -> Iterator[Finding]:
    from repo_roles.checks.ownership._usage import rule_usage  # repository scope only

    usage = rule_usage(context)
    if usage is None:
        return
    path = usage.compiled.parsed.path
    for idx, owner_rule in enumerate(usage.rules):
        if idx in usage.winning or usage.pattern(idx) is None:
            continue
        if usage.matches_any(idx):
            continue
        kind = "exclusion" if owner_rule.negated else "pattern"
        yield Finding(
            RULE_ID,
            f"the {kind} {owner_rule.pattern} matches no file ({describe(owner_rule)}): fix the path or delete the line",
            path,
            owner_rule.line,
            owner_rule.column,
            severity="warning",
            key=("!" if owner_rule.negated else "") + owner_rule.pattern,
        )
