"""OWN002 invalid-ownership-line: a line of a CODEOWNERS or OWNERS file the host cannot use.

What it checks
    Every problem the CODEOWNERS parser reports (a malformed owner, a pattern syntax the
    platform does not support such as ``!`` or ``[ ]`` on GitHub, an unparsable GitLab section
    heading, a GitLab entry without owners, an encoding error) and every problem of the
    directory OWNERS files (invalid YAML, unknown keys, invalid owners, broken references),
    at its line and column, saying what was expected.  Lines that are used as written but
    deserve a second look (a legacy GitHub handle such as ``@tobias-``, ``[`` matched
    literally in a GitHub pattern) are OWN014's, a warning.

Why it matters
    GitHub: "If any line in your CODEOWNERS file contains invalid syntax, that line will be
    skipped" — the files it was meant to own silently fall back to another line or to nobody.
    GitLab ignores malformed owners and auto-approves entries without owners.

Fires::

    /api/   @acme/backend  backend-team        <- 'backend-team' is not an owner; line skipped

Does not fire::

    /api/   @acme/backend  dev@acme.example

How to fix
    Write owners as ``@user``, ``@org/team`` or an e-mail address (GitLab also ``@@role``),
    drop unsupported pattern syntax, fix the OWNERS file the message names.

Configuration
    ``ownership.file``, ``ownership.dialect`` (which syntax applies), ``ownership.owners-files``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from repo_roles.checks.ownership._text import parse_issue_findings
from repo_roles.checks.registry import rule
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext

RULE_ID = "OWN002"


@rule(
    RULE_ID,
    "invalid-ownership-line",
    "A line of a CODEOWNERS or OWNERS file cannot be used as written.",
    "error",
    scope="repository",
)
def check(context: "ProjectContext") -> Iterator[Finding]:
    parsed = context.ownership.parsed
    if parsed is not None:  # warnings (a line used as written, with a doubt) are OWN014's
        yield from parse_issue_findings(RULE_ID, parsed, "error")
    tree = context.ownership.owners_tree
    if tree is not None:
        for problem in tree.issues:
            yield Finding(
                RULE_ID,
                f"{problem.message} [{problem.code}]",
                problem.path,
                problem.line,
                problem.column,
                severity="error",
                key=f"{problem.code}: {problem.message}",
            )
