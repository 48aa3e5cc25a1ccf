"""OWN013 duplicate-section: a GitLab section heading that repeats an earlier section.

What it checks
    In a GitLab CODEOWNERS file, a ``[Section]`` heading whose name equals an earlier
    section's, compared case-insensitively.  GitLab accepts it and *merges* the two: "Section
    names are not case-sensitive. Sections with duplicate names are combined." (GitLab docs,
    "Code Owners syntax and error handling" → "Section names"; gitlab-org/gitlab#227636 asks
    for a linter to flag it).

Why it matters
    The later heading's lines join the first section, so within that section the usual "last
    matching line wins" lets them silently override the first block's lines — usually a
    copy-paste slip or a ``[backend]`` meant to be a new section.  The merged section also takes
    the larger approval count and the union of default owners of both headings.

Fires::

    [Backend] @acme/backend
    /api/ @acme/api
    [backend]                      <- merged into [Backend] (line 1)
    /api/templates/ @acme/web

Does not fire::

    [Backend] @acme/backend
    [Frontend] @acme/web

How to fix
    Give the section a distinct name, or move its lines under the first heading so the order
    that decides ownership is visible in one place.

Configuration
    ``ownership.file``, ``ownership.dialect`` (only GitLab has sections).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from repo_roles.checks.registry import rule
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext

RULE_ID = "OWN013"


@rule(RULE_ID, "duplicate-section", "A GitLab section heading repeats an earlier section and is merged into it.",
      "warning", scope="repository")
def check(context: "ProjectContext") -> Iterator[Finding]:
    parsed = context.ownership.parsed
    if parsed is None:
        return
    for line, name, first_line in parsed.merged_sections:
        yield Finding(
            RULE_ID,
            f"section [{name}] repeats the section at line {first_line} (names are case-insensitive); "
            "GitLab merges them, so these lines join and can override that section's",
            parsed.path,
            line,
            1,
            severity="warning",
            key=name.casefold(),
        )
