"""OWN011 ownership-file-too-large: GitHub ignores a CODEOWNERS file of 3 MB or more.

What it checks
    The size of the CODEOWNERS file in force, for the GitHub dialect only.  GitHub docs,
    "About code owners", section "CODEOWNERS file size": the file must be under 3 MB; a larger
    file is not loaded, so no code owner is shown or requested for review.

Why it matters
    Past the limit no file of the repository has code owners on GitHub, while every local tool
    (repo-roles included) still reads the file and reports owners that GitHub ignores.

Fires::

    .github/CODEOWNERS   3,200,000 bytes

Does not fire::

    .github/CODEOWNERS   40,000 bytes  (or any size with the gitlab / bitbucket dialect)

How to fix
    Shrink the file: wildcard patterns (``*.js``), directory patterns instead of one line per
    file, teams instead of long lists of users.

Configuration
    ``ownership.file``, ``ownership.dialect``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Iterator

from repo_roles.checks.registry import rule
from repo_roles.findings import Finding
from repo_roles.ownership.discovery import GITHUB_SIZE_LIMIT

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext

RULE_ID = "OWN011"


@rule(RULE_ID, "ownership-file-too-large", "GitHub does not load a CODEOWNERS file of 3 MB or more.", "error",
      scope="repository")
def check(context: "ProjectContext") -> Iterator[Finding]:
    ownership = context.ownership
    path = ownership.source_file
    if not ownership.oversize or ownership.dialect != "github" or path is None:
        return
    try:
        size = f"{os.lstat(context.inventory.abspath(path)).st_size:,} bytes"
    except OSError:
        size = "3 MB or more"
    yield Finding(
        RULE_ID,
        f"{path} is {size}; GitHub does not load a CODEOWNERS file of {GITHUB_SIZE_LIMIT:,} bytes (3 MB) or more, "
        "so no file has code owners on GitHub",
        path,
        severity="error",
        key=path,
    )
