"""OWN004 duplicate-pattern: the same pattern twice in one rule list.

What it checks
    Two CODEOWNERS lines whose patterns mean exactly the same thing — compared by their
    translated form, so ``/docs/`` and ``docs/**`` are the same on GitHub (both anchored, both
    own everything below ``docs/``) while ``/docs/`` and ``docs/`` are not (``docs/`` matches a
    ``docs`` directory at any depth).  On GitLab only lines of the same section compare
    (sections decide separately; sections with the same name in another case are one section).
    The earlier line is reported and names the later line that wins.

Why it matters
    The last matching line wins, so the earlier line never decides an owner: its owners are
    dead text that misleads readers, and when the two lines name different owners one of them
    is almost certainly a mistake.

Fires::

    /docs/api.md    @acme/backend
    /docs/api.md    @acme/docs           <- line 1 is dead

Does not fire::

    /docs/          @acme/docs
    docs/           @acme/writers        <- docs/ also matches src/docs/: not the same pattern

How to fix
    Delete the earlier line, or merge its owners into the later one.

Configuration
    ``ownership.file``, ``ownership.dialect``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Iterator, List, Tuple

from repo_roles.checks.ownership._text import describe
from repo_roles.checks.registry import rule
from repo_roles.checks.reuse import OWNERSHIP_AND_PATHS
from repo_roles.ownership.codeowners import rule_list
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.ownership.matcher import CompiledCodeowners
    from repo_roles.context import ProjectContext

RULE_ID = "OWN004"


def duplicate_groups(compiled: "CompiledCodeowners") -> List[List[int]]:
    """Rule indices with the same meaning in the same rule list, each group in file order."""
    groups: Dict[Tuple[str, bool, str], List[int]] = {}
    for idx, (owner_rule, cp) in enumerate(zip(compiled.rules, compiled.compiled)):
        if cp is None:
            continue
        section = rule_list(owner_rule, compiled.gitlab)
        # Equal regexes match equal paths: the translation already normalised anchoring,
        # "x/**" vs "x/", "**/**" runs and escapes.
        groups.setdefault((section, owner_rule.negated, cp.regex_source), []).append(idx)
    return [members for members in groups.values() if len(members) > 1]


@rule(RULE_ID, "duplicate-pattern", "The same pattern appears twice; the earlier line is dead.", "warning",
      scope="repository", inputs=OWNERSHIP_AND_PATHS)
def check(context: "ProjectContext") -> Iterator[Finding]:
    compiled = context.ownership.compiled
    if compiled is None:
        return
    path = compiled.parsed.path
    for members in duplicate_groups(compiled):
        last = compiled.rules[members[-1]]
        for idx in members[:-1]:
            earlier = compiled.rules[idx]
            same = "" if earlier.pattern == last.pattern else f" ({last.pattern} means the same)"
            where = f" in section [{earlier.section}]" if compiled.gitlab and earlier.section else ""
            yield Finding(
                RULE_ID,
                f"{earlier.pattern} is repeated on line {last.line}{where}{same}: line {last.line} "
                f"({describe(last)}) always wins, so this line ({describe(earlier)}) never decides an owner",
                path,
                earlier.line,
                earlier.column,
                severity="warning",
                key=("!" if earlier.negated else "") + earlier.pattern,
            )
