"""A finding's content fingerprint: what it is about, not where it is.

``sha256(rule id, key, content)`` in 32 hex digits, where *content* is the normalised text the
finding points at — the lines ``line..end_line`` of its file with runs of whitespace collapsed
(a DOC001 declaration's signature, a CODEOWNERS rule's line) — and the key has its own path
written out of it (a module name such as ``shop.inventory`` becomes ``<path>``).  No line
number and no path goes in, so a finding keeps its fingerprint when unrelated edits shift it
and when its file is renamed or moved; the path is the tie-breaker where one is needed
(baselines: :mod:`repo_roles.baseline`; duplicates in SARIF/GitLab: an occurrence number).

Files are read through :meth:`Inventory.read_bytes` (no symlinks, capped), each once.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from typing import TYPE_CHECKING, Dict, List, Optional

from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.inventory import Inventory

MAX_FILE_BYTES = 4 * 1024 * 1024  # past this a finding's lines are not read (fingerprint of rule + key)
MAX_SPAN_LINES = 50  # a declaration longer than this is fingerprinted by its first lines
PATH_TOKEN = "<path>"
_SPACE = re.compile(r"\s+")


def _path_forms(path: str) -> List[str]:
    """The ways a key may spell its own path, longest first."""
    stem, _ = posixpath.splitext(path)
    forms = {path, stem, stem.replace("/", ".")}
    if posixpath.basename(stem) == "__init__":
        package = posixpath.dirname(stem)
        if package:
            forms.update({package, package.replace("/", ".")})
    return sorted((f for f in forms if f), key=len, reverse=True)


def path_free_key(key: str, path: str) -> str:
    """``key`` with its file's own path (or module name) replaced by ``<path>``."""
    if not path or not key:
        return key
    for form in _path_forms(path):
        if form in key:
            return key.replace(form, PATH_TOKEN)
    return key


def digest(*parts: str) -> str:
    data = "\0".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()[:32]


class Fingerprinter:
    """Fingerprints of findings of one project, reading each file's lines once."""

    def __init__(self, inventory: Optional["Inventory"]) -> None:
        self._inventory = inventory
        self._lines: Dict[str, Optional[List[bytes]]] = {}

    def _file_lines(self, path: str) -> Optional[List[bytes]]:
        if path not in self._lines:
            data = self._inventory.read_bytes(path, MAX_FILE_BYTES) if self._inventory is not None else None
            self._lines[path] = data.split(b"\n") if data is not None else None
        return self._lines[path]

    def content(self, finding: Finding) -> str:
        """The normalised text of the lines the finding points at ("" without a line)."""
        if not finding.path or finding.line is None or finding.line < 1:
            return ""
        lines = self._file_lines(finding.path)
        if lines is None:
            return ""
        end = finding.end_line if finding.end_line is not None and finding.end_line >= finding.line else finding.line
        end = min(end, finding.line + MAX_SPAN_LINES - 1)
        text = b" ".join(lines[finding.line - 1:end]).decode("utf-8", "surrogateescape")
        return _SPACE.sub(" ", text).strip()

    def __call__(self, finding: Finding) -> str:
        key = path_free_key(finding.key or path_free_key(finding.message, finding.path), finding.path)
        return digest(finding.rule_id, key, self.content(finding))
