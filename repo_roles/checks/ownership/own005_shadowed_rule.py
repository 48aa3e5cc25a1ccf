"""OWN005 shadowed-rule: a CODEOWNERS line that matches files but never decides their owner.

What it checks
    For every file of the project, the deciding line is the last matching one (GitHub,
    Bitbucket: "the last matching pattern takes the most precedence"); on GitLab the last
    matching one of each section, since "each section enforces its rules separately".  A line
    that matches at least one file but decides none is reported, with the later line(s) that
    decide instead.  A line repeated later with the same meaning is left to OWN004; a line
    that matches nothing is OWN003's; GitLab exclusions (``!pattern``) are not checked here.

Why it matters
    The owners on a shadowed line are never requested for review: usually a broad rule was
    placed after a specific one (``/web/src/api/`` then ``/web/``) by mistake.

Fires::

    /web/src/api/   @acme/backend
    /web/           @acme/frontend        <- decides web/src/api/* too: line 1 never wins

Does not fire::

    /web/           @acme/frontend
    /web/src/api/   @acme/backend         <- the specific line comes last and wins

How to fix
    Move the specific line below the broad one, or delete it.

Configuration
    ``ownership.file``, ``ownership.dialect``.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Iterator

from repo_roles.checks.ownership._text import count_files, describe
from repo_roles.checks.ownership.own004_duplicate_pattern import duplicate_groups
from repo_roles.checks.registry import rule
from repo_roles.checks.reuse import OWNERSHIP_AND_PATHS
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.checks.ownership._usage import RuleUsage
    from repo_roles.context import ProjectContext

RULE_ID = "OWN005"


@rule(RULE_ID, "shadowed-rule", "A CODEOWNERS line matches files but later lines always win.", "warning",
      scope="repository", inputs=OWNERSHIP_AND_PATHS)
def check(context: "ProjectContext") -> Iterator[Finding]:
    from repo_roles.checks.ownership._usage import rule_usage  # repository scope only

    usage = rule_usage(context)
    if usage is None:
        return
    duplicated = {idx for members in duplicate_groups(usage.compiled) for idx in members[:-1]}
    path = usage.compiled.parsed.path
    for idx, owner_rule in enumerate(usage.rules):
        if idx in usage.winning or idx in duplicated or owner_rule.negated or usage.pattern(idx) is None:
            continue
        matched, deciders = usage.summary(idx)
        if not matched:
            continue  # OWN003
        yield Finding(
            RULE_ID,
            f"{owner_rule.pattern} matches {_count(matched)} but never decides an owner: "
            f"{_deciders(usage, deciders)}",
            path,
            owner_rule.line,
            owner_rule.column,
            severity="warning",
            key=owner_rule.pattern,
        )


def _count(matched: int) -> str:
    from repo_roles.checks.ownership._usage import MAX_COUNTED

    return f"at least {count_files(matched)}" if matched >= MAX_COUNTED else count_files(matched)


def _deciders(usage: RuleUsage, deciders: Counter) -> str:
    """Who decides the files instead: the later line(s), most files first."""
    if len(deciders) == 1 and next(iter(deciders)) >= 0:
        decider = usage.rules[next(iter(deciders))]
        verb = "excludes" if decider.negated else "wins for"
        return f"the later line {decider.line} ({describe(decider)}) {verb} all of them"
    parts = []
    for winner, n in deciders.most_common(3):
        if winner < 0:  # cannot happen for a matching line; said rather than hidden
            parts.append(f"{count_files(n)} undecided")
            continue
        decider = usage.rules[winner]
        verb = "excluded by" if decider.negated else "decided by"
        parts.append(f"{count_files(n)} {verb} line {decider.line} ({describe(decider)})")
    if len(deciders) > 3:
        parts.append(f"{len(deciders) - 3} other lines decide the rest")
    return "; ".join(parts)
