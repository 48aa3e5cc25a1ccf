"""Where each hosting platform looks for its CODEOWNERS file, and which one it would read.

Sources (pinned by tests/test_ownership_discovery.py):

* GitHub docs, "About code owners" / CODEOWNERS file location: ``.github/``, the root, then
  ``docs/``; "GitHub will search for them in that order and use the first one it finds".
  Same page: a CODEOWNERS file of 3 MB or more is not loaded.
* GitLab: root, ``docs/``, ``.gitlab/`` — ``FILE_PATHS`` in ``ee/lib/gitlab/code_owners.rb``,
  confirmed in gitlab-org/gitlab#219916 ("Only the first file will be used ... Order is root,
  docs, .gitlab").
* Bitbucket Cloud and Data Center docs: only ``.bitbucket/CODEOWNERS`` is read.

The dialect is decided by, in order: ``[ownership] dialect`` in the configuration; the chosen
file's platform directory; the repository's own evidence (remote URLs, ``.github/`` vs
``.gitlab/``/``.gitlab-ci.yml``: ``ownership/platform.py``, handed in as ``repository``); and
last the syntax. ``DiscoveryResult.dialect_reason`` says which one did (``explain``, ``audit``).

Nothing here reads whole files: a caller-supplied ``head`` gives the first bytes when the
dialect has to be guessed from syntax (GitLab ``[Section]`` headers).
"""

from __future__ import annotations

import re
from typing import Callable, Collection, Dict, NamedTuple, Optional, Tuple

from repo_roles.ownership.patterns import DIALECTS

GITHUB_SIZE_LIMIT = 3 * 1024 * 1024  # GitHub ignores a CODEOWNERS of 3 MB or more


# Search order of each platform; the first existing path wins.
PLATFORM_LOCATIONS: Dict[str, Tuple[str, ...]] = {
    "github": (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"),
    "gitlab": ("CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"),
    "bitbucket": (".bitbucket/CODEOWNERS",),
}

# Every location any platform reads, in a stable order for reports.
ALL_LOCATIONS: Tuple[str, ...] = (
    ".github/CODEOWNERS",
    "CODEOWNERS",
    "docs/CODEOWNERS",
    ".gitlab/CODEOWNERS",
    ".bitbucket/CODEOWNERS",
)

# A directory only one platform reads says which platform the file is written for.
_LOCATION_DIALECT: Tuple[Tuple[str, str], ...] = (
    (".github/", "github"),
    (".gitlab/", "gitlab"),
    (".bitbucket/", "bitbucket"),
)

PLATFORM_NAME = {"github": "GitHub", "gitlab": "GitLab", "bitbucket": "Bitbucket"}

# A GitLab section header: ``[Name]``, ``^[Optional]``, ``[Name][2]``, optionally followed by
# default owners. Requiring whitespace or the end after ``]`` keeps a bracket *pattern* such as
# ``[abc]*.py @x`` from looking like a section.
_SECTION_RE = re.compile(rb"^[ \t]*\^?\[[^\]\r\n]+\](?:\[\d+\])?(?:[ \t]+[^\r\n]*)?[ \t]*\r?$", re.M)


class OwnershipFileCandidate(NamedTuple):
    """A CODEOWNERS file that ``platform`` would read (the first one found in its order)."""

    path: str
    platform: str


class DiscoveryResult(NamedTuple):
    """Which CODEOWNERS file is in force, in which dialect, and what else was seen.

    ``chosen`` is None when no file applies. ``candidates`` lists every CODEOWNERS file at a
    location some platform reads (more than one is worth a finding). ``winners`` says, for each
    platform that would find one, which file it reads. ``oversized`` is True when the chosen
    file is GitHub's and at least ``GITHUB_SIZE_LIMIT`` bytes (GitHub does not load it).
    """

    chosen: Optional[str]
    dialect: str
    candidates: Tuple[str, ...]
    notes: Tuple[str, ...]
    winners: Tuple[OwnershipFileCandidate, ...] = ()
    oversized: bool = False
    # What decided ``dialect``: "configured: …", "location: …", "repository: …" or "syntax: …".
    dialect_reason: str = ""


def dialect_from_location(path: str) -> Optional[str]:
    """``github``/``gitlab``/``bitbucket`` when ``path`` sits in a platform's own directory."""
    for prefix, dialect in _LOCATION_DIALECT:
        if path.startswith(prefix):
            return dialect
    return None


def dialect_from_syntax(data: bytes, path: str = "") -> str:
    """``gitlab`` when the text has a GitLab section header line, else ``github``."""
    return "gitlab" if _SECTION_RE.search(data) else "github"


def platform_winners(paths: Collection[str]) -> Tuple[OwnershipFileCandidate, ...]:
    """For each platform, the file it would read among ``paths`` (platforms with none omitted)."""
    found = []
    for platform in DIALECTS:
        for location in PLATFORM_LOCATIONS[platform]:
            if location in paths:
                found.append(OwnershipFileCandidate(location, platform))
                break
    return tuple(found)


def discover_ownership_file(
    paths: Collection[str],
    *,
    configured_file: Optional[str] = None,
    configured_dialect: str = "auto",
    head: Optional[Callable[[str], Optional[bytes]]] = None,
    syntax_dialect: Optional[Callable[[bytes, str], str]] = None,
    size: Optional[Callable[[str], Optional[int]]] = None,
    repository: Optional[Tuple[str, str]] = None,
) -> DiscoveryResult:
    """Decide which CODEOWNERS file applies to the inventory ``paths`` (project-relative).

    ``configured_file`` (from the config) overrides the search; ``configured_dialect`` is
    ``auto`` or one of ``DIALECTS``. With ``auto`` the platform comes from a platform-only
    directory (``.github/``, ``.gitlab/``, ``.bitbucket/``) holding a candidate, else from the
    chosen file's syntax (``head`` bytes; ``syntax_dialect`` replaces the local section check).
    ``size`` (bytes of a path) lets the GitHub 3 MB limit be checked. ``repository`` is the
    ``(platform, reason)`` the repository's own evidence gives (remote URLs, ``.github/``,
    ``.gitlab-ci.yml``; see ``ownership/platform.py``): with ``auto`` it decides before syntax,
    which comes last.
    """
    if configured_dialect != "auto" and configured_dialect not in DIALECTS:
        raise ValueError(f"unknown CODEOWNERS dialect {configured_dialect!r}")
    lookup = paths  # only a handful of membership tests: no need to copy 100k paths into a set
    candidates = tuple(location for location in ALL_LOCATIONS if location in lookup)
    winners = platform_winners(lookup)
    notes = []

    reason = f'configured: [ownership] dialect = "{configured_dialect}"'
    if configured_file is not None:
        chosen: Optional[str] = configured_file if configured_file in lookup else None
        if chosen is None:
            notes.append(f"the configured CODEOWNERS file {configured_file} does not exist")
        platform = configured_dialect
        if platform == "auto":
            platform = dialect_from_location(configured_file) or ""
            reason = _location_reason(configured_file, platform)
            if not platform and repository is not None:
                platform, reason = repository
            if not platform:
                platform, reason = _syntax(chosen, head, syntax_dialect)
    else:
        pinned = platform_of_candidates(candidates)
        if configured_dialect != "auto":
            platform = configured_dialect
        elif pinned is not None:
            platform = pinned
            location = next(loc for loc in candidates if dialect_from_location(loc) == pinned)
            reason = _location_reason(location, pinned)
        elif repository is not None:
            platform, reason = repository
        else:
            platform = "github"
        chosen = next((loc for loc in PLATFORM_LOCATIONS[platform] if loc in lookup), None)
        if configured_dialect == "auto" and pinned is None and repository is None:
            # Only root or docs/ and a silent repository: GitHub and GitLab both read them, the
            # syntax tells them apart (last resort).
            platform, reason = _syntax(chosen, head, syntax_dialect)
        notes.extend(_ignored_notes(platform, chosen, candidates))
        if chosen is None and candidates:
            names = ", ".join(candidates)
            notes.append(f"{PLATFORM_NAME[platform]} reads none of {names}")
        elif not candidates:
            notes.append("no CODEOWNERS file found")

    oversized = False
    if chosen is not None and platform == "github" and size is not None:
        length = size(chosen)
        oversized = length is not None and length >= GITHUB_SIZE_LIMIT
        if oversized:
            notes.append(f"GitHub does not load {chosen}: it is 3 MB or larger")
    return DiscoveryResult(chosen, platform, candidates, tuple(notes), winners, oversized, reason)


def _location_reason(path: str, platform: str) -> str:
    if not platform:
        return ""
    return f"location: {path} is in {path.split('/', 1)[0]}/, which only {PLATFORM_NAME[platform]} reads"


def platform_of_candidates(candidates: Collection[str]) -> Optional[str]:
    """The platform whose own directory holds a candidate (the first in ALL_LOCATIONS order,
    so GitHub when several do); None when every candidate is at a shared location."""
    for location in candidates:
        dialect = dialect_from_location(location)
        if dialect is not None:
            return dialect
    return None


def _syntax(
    path: Optional[str],
    head: Optional[Callable[[str], Optional[bytes]]],
    syntax_dialect: Optional[Callable[[bytes, str], str]],
) -> Tuple[str, str]:
    """The dialect the file's text suggests, and the reason to show."""
    silent = "syntax: no platform evidence in the repository, no GitLab section heading (GitHub by default)"
    if path is None or head is None:
        return "github", silent
    data = head(path)
    if data is None:
        return "github", silent
    dialect = (syntax_dialect or dialect_from_syntax)(data, path)
    if dialect == "gitlab":
        return dialect, f"syntax: no platform evidence in the repository; {path} has a GitLab [Section] heading"
    return dialect, silent


def _ignored_notes(platform: str, chosen: Optional[str], candidates: Tuple[str, ...]) -> Tuple[str, ...]:
    """One note per candidate the chosen platform passes over, saying why."""
    name = PLATFORM_NAME[platform]
    notes = []
    for other in candidates:
        if other == chosen:
            continue
        if other in PLATFORM_LOCATIONS[platform]:
            notes.append(f"{name} uses {chosen}; {other} is ignored")
        else:
            notes.append(f"{name} does not read {other}")
    return tuple(notes)
