"""OWN010 non-recursive-pattern: ``dir/*`` leaves the files in its subdirectories to other lines.

What it checks
    A pattern whose last segment is ``*`` (``/backend/templates/*``) matches only the direct
    children of the directories it names (GitHub docs, "About code owners": the example
    ``docs/*`` matches ``docs/getting-started.md`` but not the nested
    ``docs/build-app/troubleshooting.md``).  The rule fires when files nested deeper below such a
    directory exist and are decided by an *earlier*, broader line (or by no line at all) — the
    classic sign that ``dir/`` was meant.  One finding per line, with the count and an example.
    It does not fire when there are no nested files, or when later, more specific lines decide
    them (then the ``*`` was deliberate).  On GitLab only lines of the same section count.

Why it matters
    The author meant "this team owns the templates"; the nested templates silently keep the
    owner of the broad line above.

Fires::

    /backend/                   @acme/backend
    /backend/templates/*        @acme/frontend    <- backend/templates/emails/x.j2 stays @acme/backend

Does not fire::

    /backend/templates/*        @acme/frontend
    /backend/templates/emails/  @acme/mail        <- nested files have their own, later line

How to fix
    Write ``/backend/templates/`` (or ``/backend/templates/**``) to own the whole tree, or add
    lines for the subdirectories after it when direct children only was the intent.

Configuration
    ``ownership.file``, ``ownership.dialect``.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Iterator, List, Optional, Set

from repo_roles.checks.ownership._text import count_files, describe
from repo_roles.checks.registry import rule
from repo_roles.checks.reuse import OWNERSHIP_AND_PATHS
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.checks.ownership._usage import RuleUsage
    from repo_roles.context import ProjectContext

RULE_ID = "OWN010"


@rule(RULE_ID, "non-recursive-pattern", "dir/* leaves nested files to an earlier, broader line.", "warning",
      scope="repository", inputs=OWNERSHIP_AND_PATHS)
def check(context: "ProjectContext") -> Iterator[Finding]:
    from repo_roles.checks.ownership._usage import rule_usage  # repository scope only

    usage = rule_usage(context)
    if usage is None:
        return
    path = usage.compiled.parsed.path
    for idx, owner_rule in enumerate(usage.rules):
        cp = usage.pattern(idx)
        if cp is None or owner_rule.negated or cp.descendants or cp.dirpart_source is None:
            continue  # only "…/*": the one shape that owns no descendants
        finding = _check_rule(usage, idx, path)
        if finding is not None:
            yield finding


def _check_rule(usage: RuleUsage, idx: int, path: str) -> Optional[Finding]:
    owner_rule = usage.rules[idx]
    cp = usage.pattern(idx)
    assert cp is not None and cp.dirpart_source is not None
    if cp.segments == ("**", "*"):
        return None  # a bare "*": every file at any depth is a direct child of some directory
    # The line owns exactly the direct children of these directories (its last segment is "*").
    owning = set(usage.index.matching_dirs(cp.dirpart_source, cp.literals[:-1]))
    fallbacks: Counter = Counter()
    dirs: List[str] = []
    example = None
    for folder in _topmost(owning):
        hits = 0
        for file in usage.index.under(folder):
            parent = file.rpartition("/")[0]
            if parent in owning:
                continue  # a direct child of a matched directory: this line owns it
            winner = usage.winner(file, idx)
            if winner >= idx:
                continue  # a later line decides it: nesting was planned
            fallbacks[winner] += 1
            hits += 1
            example = example or file
        if hits:
            dirs.append(folder)
    if not fallbacks:
        return None
    total = sum(fallbacks.values())
    where = f"{dirs[0]}/" if dirs[0] else "the root"
    if len(dirs) > 1:
        where += f" (and {len(dirs) - 1} more matching directories)"
    base = owner_rule.pattern[:-1]
    return Finding(
        RULE_ID,
        f"{owner_rule.pattern} matches only direct children; {count_files(total)} below {where} "
        f"{_fallback_text(usage, fallbacks)}, e.g. {example}; write {base} or {base}** to own the whole tree",
        path,
        owner_rule.line,
        owner_rule.column,
        severity="warning",
        key=owner_rule.pattern,
    )


def _topmost(dirs: Set[str]) -> List[str]:
    """The directories none of whose ancestors is in ``dirs`` (their subtrees hold the rest)."""
    out = []
    for folder in sorted(dirs):
        parent, inside = folder, False
        while parent and not inside:
            parent = parent.rpartition("/")[0]
            inside = parent in dirs
        if not inside:
            out.append(folder)
    return out


def _fallback_text(usage: RuleUsage, fallbacks: Counter) -> str:
    parts = []
    for winner, n in fallbacks.most_common(3):
        if winner < 0:
            parts.append("are matched by no line" if len(fallbacks) == 1 else f"{n} matched by no line")
        else:
            decider = usage.rules[winner]
            text = f"line {decider.line} ({describe(decider)})"
            parts.append(f"fall back to {text}" if len(fallbacks) == 1 else f"{n} to {text}")
    if len(fallbacks) == 1:
        return parts[0]
    if len(fallbacks) > 3:
        parts.append(f"{len(fallbacks) - 3} other lines")
    return "fall back to earlier lines: " + ", ".join(parts)
