"""The host of a git remote URL (``https://host/…``, ``ssh://user@host:22/…``, scp-like
``git@host:path``), shared by platform detection and the stored-run key; nothing else imported."""

from __future__ import annotations

import re
from typing import Optional

_URL_HOST = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/]*@)?\[?([^/:\]]+)")
_SCP_HOST = re.compile(r"^(?:[^@/:]+@)?([^/:]+):")


def url_host(url: str) -> Optional[str]:
    """The lower-cased host of ``url``, or None for a local path."""
    found = _URL_HOST.match(url) or _SCP_HOST.match(url)
    return found.group(1).lower() if found is not None else None
