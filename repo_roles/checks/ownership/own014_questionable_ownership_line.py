"""OWN014 questionable-ownership-line: a CODEOWNERS line used as written that may not mean it.

What it checks
    The lines the CODEOWNERS parser keeps but warns about:

    * a GitHub handle that today's sign-up rule refuses ("alphanumeric characters or single
      hyphens, and cannot begin or end with a hyphen", at most 39 characters) but older
      accounts keep, such as ``@tobias-`` in esphome/esphome (``suspicious-owner``): the line
      is used, as GitHub uses it;
    * ``[`` in a GitHub or Bitbucket pattern (``literal-brackets``): matched literally, as the
      route folders of Next.js and SvelteKit (``[param]``, ``[[...slug]]``) need.  GitHub's
      docs say only that ``[ ]`` character ranges "do not work"; what GitHub then does with the
      line is not documented (public reports disagree), so the line is flagged.

Why it matters
    A handle nobody can register any more is worth a check that the account still exists; a
    bracket pattern may be read differently by GitHub than by this tool, leaving files with a
    different owner than the one the pull request requests.

Fires::

    esphome/components/bl0940/* @tobias-       <- login ends with a hyphen
    /apps/[param]/page.tsx      @acme/web      <- '[' matched literally; write '\\['

Does not fire::

    /apps/\\[param\\]/page.tsx    @acme/web
    esphome/components/bl0939/* @acme-team

How to fix
    Check that the account exists (or name a team); write ``\\[`` and ``\\]`` to make literal
    brackets explicit, or list the files a character range was meant to match.

Configuration
    ``ownership.file``, ``ownership.dialect``; ``lint.severity`` raises it to an error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from repo_roles.checks.ownership._text import parse_issue_findings
from repo_roles.checks.registry import rule
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext

RULE_ID = "OWN014"


@rule(
    RULE_ID,
    "questionable-ownership-line",
    "A CODEOWNERS line is used as written but may not mean what the host does with it.",
    "warning",
    scope="repository",
)
def check(context: "ProjectContext") -> Iterator[Finding]:
    parsed = context.ownership.parsed
    if parsed is not None:  # errors (lines the host skips) are OWN002's
        yield from parse_issue_findings(RULE_ID, parsed, "warning")
