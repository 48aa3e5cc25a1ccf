"""OWN006 owner-not-in-roster: an owner that is neither a team of the roster nor a member of one.

What it checks
    Every owner named by the CODEOWNERS file (section default owners included) and by the
    directory OWNERS files (approvers, after OWNERS_ALIASES expansion) must be a team handle of
    ``[teams]`` or listed in some team's ``members``.  Handles compare case-insensitively.
    GitLab role owners (``@@developer``, ``@@maintainers``…) and the Chromium ``*`` are exempt.
    Each unknown owner is reported once, at the first line that names it.  Silent when the
    configuration has no ``[teams]``.

Why it matters
    An owner outside the roster is usually a typo, a renamed or deleted team, or (in OWNERS
    files) an alias that was never defined and is therefore read as a GitHub login.  Nobody
    knows what such an owner answers for, so role checks (OWN007) cannot judge it.

Fires::

    /.github/   @acme/platform @acme/ghosts     <- no [teams."@acme/ghosts"], nobody's member

Does not fire::

    [teams."@acme/platform"]
    members = ["@ken"]
    # /.github/  @acme/platform @ken

How to fix
    Fix the handle, add the team to ``[teams]`` (with its ``responsible``), add the person to a
    team's ``members``, or define the alias in OWNERS_ALIASES.

Configuration
    ``[teams]`` (the roster), ``ownership.owners-files``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Dict, Iterator, List, Optional, Tuple

from repo_roles.checks.ownership._roster import Roster, is_exempt, normalize
from repo_roles.checks.registry import rule
from repo_roles.checks.reuse import OWNERSHIP_AND_PATHS
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.ownership.codeowners import ParsedCodeowners
    from repo_roles.context import ProjectContext

RULE_ID = "OWN006"

# (path, line, column, owner as written, where it was seen)
_Use = Tuple[str, Optional[int], Optional[int], str, str]


@rule(RULE_ID, "owner-not-in-roster", "An owner is neither a team of the roster nor a member of one.", "warning",
      scope="repository", inputs=OWNERSHIP_AND_PATHS)  # the roster is configuration
def check(context: "ProjectContext") -> Iterator[Finding]:
    roster = Roster(context.config.teams)
    if not roster:
        return
    reported: Dict[str, None] = {}
    for path, line, column, owner, where in _uses(context):
        key = normalize(owner)
        if key in reported or is_exempt(owner) or roster.knows(owner):
            continue
        reported[key] = None
        yield Finding(
            RULE_ID,
            f"{owner} ({where}) is not in the roster: no [teams] entry has this handle and no team lists it "
            "among its members",
            path,
            line,
            column,
            severity="warning",
            key=owner,
        )


def _uses(context: "ProjectContext") -> Iterator[_Use]:
    """Every owner mention, CODEOWNERS first, then OWNERS files in path order."""
    parsed = context.ownership.parsed
    if parsed is not None:
        yield from sorted(_codeowners_uses(parsed), key=lambda use: (use[1] or 0, use[2] or 0))
    tree = context.ownership.owners_tree
    if tree is None:
        return
    from repo_roles.ownership.owners_files import ALIASES_NAME  # loaded when OWNERS files exist

    texts: Dict[str, List[str]] = {}

    def lines_of(path: str) -> List[str]:
        if path not in texts:
            data = context.inventory.read_bytes(path, 1024 * 1024) or b""
            texts[path] = data.decode("utf-8", errors="replace").split("\n")
        return texts[path]

    for path in sorted(tree.files):
        parsed_owners = tree.files[path]
        what = "an approver" if parsed_owners.style == "k8s" else "an owner"
        for grant in parsed_owners.grants:
            for owner in grant.owners:
                if is_exempt(owner):
                    continue
                found_in, where = path, f"{what} in {path}"
                line = _locate(owner, lines_of(path), grant.line)
                if line is not None and parsed_owners.style == "k8s":
                    where += "; no OWNERS_ALIASES alias has this name, so prow reads it as a GitHub login"
                if line is None:  # expanded from an alias: the login is written in OWNERS_ALIASES
                    line = _locate(owner, lines_of(ALIASES_NAME), None)
                    found_in, where = ALIASES_NAME, f"an alias member used by {path}"
                    if line is None:
                        found_in, line, where = path, grant.line, f"{what} in {path}"
                text = lines_of(found_in)
                column = _column(owner, text[line - 1]) if line is not None and line <= len(text) else None
                yield found_in, line, column, owner, where


def _codeowners_uses(parsed: "ParsedCodeowners") -> Iterator[_Use]:
    for section in parsed.sections:
        for owner in section.default_owners:
            yield parsed.path, section.line, None, owner, f"default owner of section [{section.name}]"
    for owner_rule in parsed.rules:
        tokens = owner_rule.raw.split()
        for owner in owner_rule.owners:
            if owner in tokens:
                yield parsed.path, owner_rule.line, _column(owner, owner_rule.raw), owner, f"owner of {owner_rule.pattern}"


def _token_regex(owner: str) -> "re.Pattern[str]":
    name = re.escape(owner.lstrip("@") if owner.startswith("@") and "@" not in owner[1:] else owner)
    return re.compile(rf"(?<![\w.@/-])@?{name}(?![\w.@/-])", re.IGNORECASE)


def _locate(owner: str, lines: List[str], start: Optional[int]) -> Optional[int]:
    """1-based line naming ``owner`` (first at or after ``start``, else anywhere), outside comments."""
    regex = _token_regex(owner)
    order = list(range((start or 1) - 1, len(lines))) + list(range(0, (start or 1) - 1))
    for k in order:
        text = lines[k].split("#", 1)[0]
        if regex.search(text):
            return k + 1
    return None


def _column(owner: str, text: str) -> Optional[int]:
    match = _token_regex(owner).search(text)
    return match.start() + 1 if match else None
