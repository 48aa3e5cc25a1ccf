"""DOC002 coverage-below-threshold: documentation coverage under the configured minimum.

``[docs] fail-under = 80`` applies to all files whose role is in ``[docs] require``, together
(like interrogate's ``--fail-under``: coverage is documented items / counted items, in percent).
``[docs] thresholds`` adds minimums for narrower scopes; each key is, in this order:

* a role (``"backend.logic" = 70``): the files of that role;
* an owner as written in CODEOWNERS (``"@acme/billing" = 90``, ``"@alice"``, ``"bob@example.com"``):
  the required-role files that owner owns (co-owned files count for each owner);
* otherwise a gitignore-style path glob (``"services/billing/**" = 85``): the required-role
  files it matches.

One finding per failing scope, stating measured and required percentages; project-wide, role and
owner findings have no path, a glob's finding names the directory the glob starts with.  A scope
with no counted item does not fail.  A repository rule: it runs on scans of the whole project.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator


from repo_roles import roles as R
from repo_roles.globs import GlobSet
from repo_roles.checks.registry import rule
from repo_roles.coverage import figures as F
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext

_GLOB_CHARS = re.compile(r"[*?\[]")
_EMAIL = re.compile(r"^[^@\s/]+@[^@\s/]+\.[^@\s/]+$")


def glob_directory(glob: str) -> str:
    """Where a glob is rooted: ``services/billing/**`` -> ``services/billing``; ``*.py`` -> ``""``."""
    parts = glob.strip("/").split("/")
    literal = []
    for part in parts[:-1]:
        if _GLOB_CHARS.search(part):
            break
        literal.append(part)
    else:
        if parts[-1] and not _GLOB_CHARS.search(parts[-1]):  # a literal path names itself
            literal.append(parts[-1])
    return "/".join(literal)


def _below(scope: str, cov: F.Coverage, required: float, path: str) -> Iterator[Finding]:
    percent = cov.percent
    if percent is None or percent >= required:
        return
    yield Finding(
        "DOC002",
        f"documentation coverage of {scope} is {percent:.1f}% ({cov.covered}/{cov.total} items), "
        f"below the required {required:g}%",
        path, key=scope,
    )


@rule("DOC002", "coverage-below-threshold", "Documentation coverage is below `fail-under` or a `thresholds` entry.",
      scope="repository")
def check(context: "ProjectContext") -> Iterator[Finding]:
    docs = context.config.docs
    if not docs.fail_under and not docs.thresholds:
        return
    all_files = F.by_file(context)
    required_files = F.required_files(context, all_files)
    if docs.fail_under:
        names = ", ".join(docs.require)
        yield from _below(f"the project ({names})", F.total(required_files), docs.fail_under, "")
    for key, minimum in docs.thresholds.items():
        if key in R.ROLES:
            picked = {p: c for p, c in all_files.items() if context.role_of(p) == key}
            yield from _below(key, F.total(picked), minimum, "")
        elif key.startswith("@") or _EMAIL.match(key):
            picked = {p: c for p, c in required_files.items() if key in context.ownership.owners_of(p)}
            yield from _below(key, F.total(picked), minimum, "")
        else:
            matches = GlobSet([key], last_wins=True).first
            picked = {p: c for p, c in required_files.items() if matches(p) is not None}
            yield from _below(key, F.total(picked), minimum, glob_directory(key))
