"""OWN012 no-ownership-file: owners are required but there is no CODEOWNERS and no OWNERS file.

What it checks
    ``ownership.require-owner`` names roles, yet no CODEOWNERS file is in force (none at the
    locations the platform reads, or the configured ``ownership.file`` does not exist) and no
    directory OWNERS file is read.  Reported once for the project, instead of one OWN001 per
    file.

Why it matters
    Without an ownership source no pull request requests a review from an owner and every
    role-based check is meaningless.

Fires::

    repo-roles.toml: [ownership] require-owner = ["backend.logic"]; no CODEOWNERS anywhere

Does not fire::

    .github/CODEOWNERS exists (or OWNERS files with ownership.owners-files = true), or
    require-owner = []

How to fix
    Add a CODEOWNERS file where your platform reads it (GitHub: ``.github/``, the root or
    ``docs/``; GitLab: the root, ``docs/`` or ``.gitlab/``; Bitbucket: ``.bitbucket/``), fix
    ``ownership.file``, or set ``require-owner = []``.

Configuration
    ``ownership.require-owner``, ``ownership.file``, ``ownership.dialect``,
    ``ownership.owners-files``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from repo_roles.checks.ownership.own001_unowned_file import has_ownership_source
from repo_roles.checks.registry import rule
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext

RULE_ID = "OWN012"


@rule(RULE_ID, "no-ownership-file", "Owners are required but no CODEOWNERS or OWNERS file exists.", "error",
      scope="repository")
def check(context: "ProjectContext") -> Iterator[Finding]:
    required = context.config.ownership.require_owner
    if not required or has_ownership_source(context):
        return
    discovery = context.ownership.discovery
    notes = "; ".join(discovery.notes) if discovery is not None and discovery.notes else "no CODEOWNERS file found"
    yield Finding(
        RULE_ID,
        f"require-owner lists {', '.join(required)}, but no ownership file is in force ({notes}) "
        "and no OWNERS file is read",
        "",
        severity="error",
        key="no-ownership-file",
    )
