"""Authors (mailmapped name and e-mail) as roster handles, and roster owners as people.

An author becomes a handle through, in order: the ``[history] identities`` table (patterns of
e-mails or names -> handle), an e-mail listed in some team's ``members``, and GitHub's
no-reply address (``12345+login@users.noreply.github.com`` -> ``@login``).  Handles compare
case-insensitively, as on GitHub and GitLab.  Patterns here use ``*`` as the only wildcard
(``"*[bot]"`` is literal brackets), matched case-insensitively against the whole name or e-mail.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from repo_roles.config.model import Team

_NOREPLY = re.compile(r"^(?:\d+\+)?([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)@users\.noreply\.github\.com$")


def normalize(handle: str) -> str:
    """``Alice`` -> ``@alice``; e-mails stay e-mails (case-folded)."""
    handle = handle.strip().casefold()
    return handle if "@" in handle else "@" + handle


def star_regex(patterns: Sequence[str]) -> "Optional[re.Pattern[str]]":
    """One regex for ``patterns`` where ``*`` matches anything and the rest is literal."""
    if not patterns:
        return None
    parts = ["(?:%s)" % ".*".join(re.escape(p) for p in pattern.split("*")) for pattern in patterns]
    return re.compile(r"\A(?:%s)\Z" % "|".join(parts), re.IGNORECASE | re.DOTALL)


class Identities:
    def __init__(self, teams: Mapping[str, Team], identities: Mapping[str, str], bots: Sequence[str]) -> None:
        self._patterns: List[Tuple["re.Pattern[str]", str]] = [
            (star_regex([pattern]), normalize(handle)) for pattern, handle in identities.items()  # type: ignore[misc]
        ]
        self._bots = star_regex(list(bots))
        self.teams: Dict[str, Team] = {normalize(h): t for h, t in teams.items()}
        self.team_members: Dict[str, FrozenSet[str]] = {
            key: frozenset(normalize(m) for m in team.members) for key, team in self.teams.items()
        }
        self.member_of: Dict[str, List[str]] = {}
        for key, members in sorted(self.team_members.items()):
            for member in members:
                self.member_of.setdefault(member, []).append(key)
        self._memo: Dict[Tuple[str, str], Optional[str]] = {}
        # what the handles and teams derive from, for caches of figures built on them
        self.key = hashlib.sha1(json.dumps([
            sorted([key, team.handle, sorted(members)] for key, members, team in
                   ((k, self.team_members[k], t) for k, t in self.teams.items())),
            sorted(identities.items()), list(bots)]).encode()).hexdigest()

    def is_bot(self, name: str, email: str) -> bool:
        bots = self._bots
        return bots is not None and (bots.match(name) is not None or bots.match(email) is not None)

    def handle_of(self, name: str, email: str) -> Optional[str]:
        key = (name, email)
        if key in self._memo:
            return self._memo[key]
        found: Optional[str] = None
        for regex, handle in self._patterns:
            if regex.match(email) or regex.match(name):
                found = handle
                break
        if found is None:
            folded = email.casefold()
            if folded in self.member_of:
                found = folded
            else:
                match = _NOREPLY.match(folded)
                if match:
                    found = "@" + match.group(1)
        self._memo[key] = found
        return found

    def people(self, owner: str) -> FrozenSet[str]:
        """The handles behind a CODEOWNERS owner: a team's members, or the person itself."""
        key = normalize(owner)
        members = self.team_members.get(key)
        return members if members is not None else frozenset((key,))

    def is_team(self, owner: str) -> bool:
        return normalize(owner) in self.team_members

    def knows(self, handle: str) -> bool:
        """Whether the roster or the identities table names ``handle`` (so history can judge it)."""
        key = normalize(handle)
        return key in self.member_of or key in self.teams or any(h == key for _, h in self._patterns)
