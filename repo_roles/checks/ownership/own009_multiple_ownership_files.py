"""OWN009 multiple-ownership-files: more than one CODEOWNERS file where a platform looks.

What it checks
    CODEOWNERS files at more than one of the locations a platform reads (``.github/``, the root,
    ``docs/``, ``.gitlab/``, ``.bitbucket/``).  Each platform reads only the first one it finds
    — GitHub ``.github/``, root, ``docs/`` ("GitHub will search for them in that order and use
    the first one it finds"); GitLab root, ``docs/``, ``.gitlab/``; Bitbucket only
    ``.bitbucket/`` — so the others are ignored.  The message says which file each platform
    uses and which file repo-roles checks.

Why it matters
    Edits to an ignored copy change nothing, and two copies drift apart: reviewers trust rules
    that the platform never applies.

Fires::

    .github/CODEOWNERS
    CODEOWNERS                  <- GitHub reads .github/CODEOWNERS only

Does not fire::

    .github/CODEOWNERS

How to fix
    Keep one file at the location your platform reads and delete the others (or set
    ``ownership.file`` when the repository is mirrored to two platforms on purpose).

Configuration
    ``ownership.file``, ``ownership.dialect``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from repo_roles.checks.registry import rule
from repo_roles.findings import Finding
from repo_roles.ownership.discovery import PLATFORM_NAME

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext

RULE_ID = "OWN009"



@rule(RULE_ID, "multiple-ownership-files", "More than one CODEOWNERS file; platforms read only one.", "warning",
      scope="repository")
def check(context: "ProjectContext") -> Iterator[Finding]:
    discovery = context.ownership.discovery
    if discovery is None or len(discovery.candidates) < 2:
        return
    used = [f"{PLATFORM_NAME[w.platform]} uses {w.path}" for w in discovery.winners]
    read = {w.path for w in discovery.winners}
    unread = [c for c in discovery.candidates if c not in read]
    parts = list(used)
    if unread:
        parts.append(f"no platform reads {', '.join(unread)}")
    chosen = discovery.chosen
    if chosen is not None:
        ignored = [c for c in discovery.candidates if c != chosen]
        tail = f"repo-roles checks {chosen} ({PLATFORM_NAME.get(discovery.dialect, discovery.dialect)}) and ignores {', '.join(ignored)}"
    else:
        tail = "repo-roles checks none of them"
    yield Finding(
        RULE_ID,
        f"{len(discovery.candidates)} CODEOWNERS files: {'; '.join(parts)}; {tail}",
        chosen or discovery.candidates[0],
        severity="warning",
        key=",".join(discovery.candidates),
    )
