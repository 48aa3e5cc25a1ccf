"""Which hosting platform a repository lives on, from its own evidence (not from CODEOWNERS syntax).

A root ``CODEOWNERS`` is read by GitHub and GitLab alike, so its dialect cannot come from its
location; ``[Section]`` lines only suggest GitLab (GitHub reads them as patterns).  The
repository says more, in this order:

1. the remote URLs in ``.git/config`` (``github.com``, ``gitlab.com`` or a host named
   ``gitlab…``, ``bitbucket.org``/``bitbucket…``), when every recognised remote agrees;
2. the platforms' own files: ``.github/`` (GitHub), ``.gitlab/`` or ``.gitlab-ci.yml``
   (GitLab), ``.bitbucket/`` or ``bitbucket-pipelines.yml`` (Bitbucket), when only one
   platform has any.

``.git/config`` is read only when ``.git`` is a real directory (not a symlink, not a worktree's
``.git`` file pointing elsewhere) and ``config`` a regular file, opened without following a
symlink and capped at 1 MB.  Only host names are reported, never a URL (it may hold a token).
"""

from __future__ import annotations

import os
import re
import stat
from bisect import bisect_left
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from repo_roles.gitremote import url_host

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)
MAX_GIT_CONFIG = 1024 * 1024

# Platform-owned paths: a directory prefix or an exact file name at the root.
_PLATFORM_FILES: Tuple[Tuple[str, str], ...] = (
    (".github/", "github"),
    (".gitlab/", "gitlab"),
    (".gitlab-ci.yml", "gitlab"),
    (".bitbucket/", "bitbucket"),
    ("bitbucket-pipelines.yml", "bitbucket"),
)

_REMOTE_HEADER = re.compile(r'^\s*\[\s*remote\s+"((?:[^"\\]|\\.)*)"\s*\]', re.IGNORECASE)
_SECTION_HEADER = re.compile(r"^\s*\[")
_URL = re.compile(r"^\s*(?:push)?url\s*=\s*(.*?)\s*$", re.IGNORECASE)
# scheme://[user[:password]@]host[:port]/…  or scp-like  [user@]host:path


class PlatformEvidence(NamedTuple):
    platform: str  # github | gitlab | bitbucket
    reason: str  # "repository: remote 'origin' is on github.com"


def read_git_config(git_root: Optional[Path]) -> Optional[bytes]:
    """``<git_root>/.git/config`` when ``.git`` is a real directory; None otherwise."""
    if git_root is None:
        return None
    git_dir = os.path.join(str(git_root), ".git")
    try:
        if not stat.S_ISDIR(os.lstat(git_dir).st_mode):
            return None  # a symlink, or a worktree/submodule ".git" file: not followed
        path = os.path.join(git_dir, "config")
        if not _O_NOFOLLOW and os.path.islink(path):
            return None
        fd = os.open(path, os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK | _O_BINARY)
    except (OSError, ValueError):
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_GIT_CONFIG + 1)
        return data if len(data) <= MAX_GIT_CONFIG else None
    except OSError:
        return None
    finally:
        os.close(fd)


def remote_hosts(config: bytes) -> List[Tuple[str, str]]:
    """``(remote name, host)`` for each ``url``/``pushurl`` of a ``[remote "…"]`` section."""
    found: List[Tuple[str, str]] = []
    remote: Optional[str] = None
    for line in config.decode("utf-8", errors="replace").splitlines():
        header = _REMOTE_HEADER.match(line)
        if header:
            remote = header.group(1)
            continue
        if _SECTION_HEADER.match(line):
            remote = None
            continue
        url = _URL.match(line) if remote is not None else None
        if url is None:
            continue
        value = url.group(1).strip('"')
        host = url_host(value)
        if host is not None:
            found.append((remote or "", host))
    return found


def host_platform(host: str) -> Optional[str]:
    """``github``/``gitlab``/``bitbucket`` for a remote host (self-hosted GitLab and Bitbucket
    servers are recognised by name), else None."""
    if host == "github.com" or host.endswith(".github.com") or host.endswith(".ghe.com"):
        return "github"
    labels = host.split(".")
    if any(label.startswith("gitlab") for label in labels):
        return "gitlab"
    if any(label.startswith("bitbucket") for label in labels):
        return "bitbucket"
    return None


def repository_platform(paths: Sequence[str], git_config: Optional[bytes]) -> Optional[PlatformEvidence]:
    """The platform the repository's own evidence points to, or None when it is silent or split.

    ``paths`` must be sorted, as the inventory's are."""
    if git_config:
        by_platform: Dict[str, Tuple[str, str]] = {}
        for remote, host in remote_hosts(git_config):
            platform = host_platform(host)
            if platform is not None:
                by_platform.setdefault(platform, (remote, host))
        if len(by_platform) == 1:
            ((platform, (remote, host)),) = by_platform.items()
            return PlatformEvidence(platform, f"repository: remote '{remote}' is on {host}")
    seen: Dict[str, List[str]] = {}
    for prefix, platform in _PLATFORM_FILES:
        # ``paths`` is sorted (the inventory's order): one binary search per name
        at = bisect_left(paths, prefix)
        found = paths[at] if at < len(paths) else ""
        if found.startswith(prefix) if prefix.endswith("/") else found == prefix:
            seen.setdefault(platform, []).append(prefix)
    if len(seen) == 1:
        ((platform, names),) = seen.items()
        others = [p for p, plat in _PLATFORM_FILES if plat != platform]
        return PlatformEvidence(
            platform, f"repository: {' and '.join(names)} present, no {', '.join(others)}"
        )
    return None
