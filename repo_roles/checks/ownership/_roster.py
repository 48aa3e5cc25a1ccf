"""The roster (``[teams]`` of the configuration) as owner look-ups for OWN006 and OWN007.

Handles compare case-insensitively: GitHub and GitLab user and team names are, and prow
lower-cases OWNERS logins.  A member written without ``@`` (``alice``) is the login ``@alice``;
e-mail addresses stay addresses.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, List, Mapping, Tuple

from repo_roles.config.model import Team
from repo_roles.ownership.owners_files import EVERYONE  # Chromium OWNERS: every committer may approve


def normalize(handle: str) -> str:
    handle = handle.strip().casefold()
    if "@" not in handle:
        handle = "@" + handle
    return handle


def is_exempt(owner: str) -> bool:
    """Owners that are no person or team of the roster by design: GitLab roles, ``*``."""
    return owner == EVERYONE or owner.startswith("@@")


class Roster:
    def __init__(self, teams: Mapping[str, Team]) -> None:
        self.teams: Dict[str, Team] = {normalize(handle): team for handle, team in teams.items()}
        self.member_of: Dict[str, List[Team]] = {}
        for team in teams.values():
            for member in team.members:
                self.member_of.setdefault(normalize(member), []).append(team)
        self._memo: Dict[str, Tuple[FrozenSet[str], str]] = {}

    def __bool__(self) -> bool:
        return bool(self.teams)

    def knows(self, owner: str) -> bool:
        key = normalize(owner)
        return key in self.teams or key in self.member_of

    def responsibility(self, owner: str) -> Tuple[FrozenSet[str], str]:
        """The roles ``owner`` answers for, and how to say so (``"frontend, vendored"``).

        A team answers for its ``responsible``; a person for those of every team they are a
        member of.  Unknown owners and teams without ``responsible`` answer for nothing.
        """
        found = self._memo.get(owner)
        if found is not None:
            return found
        key = normalize(owner)
        team = self.teams.get(key)
        if team is not None:
            found = (team.roles, ", ".join(team.responsible))
        else:
            teams = [t for t in self.member_of.get(key, ()) if t.responsible]
            roles: FrozenSet[str] = frozenset().union(*(t.roles for t in teams))
            found = (roles, "; ".join(f"{', '.join(t.responsible)} as a member of {t.handle}" for t in teams))
        self._memo[owner] = found
        return found
