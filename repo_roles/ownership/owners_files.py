"""Directory ``OWNERS`` files as a second ownership source, inherited up the directory tree.

Two styles exist and each file is recognised by its content (``detect_owners_style``):

* Kubernetes/prow YAML (``owners_k8s``): ``approvers`` own, ``filters`` add owners per regex,
  ``options: {no_parent_owners: true}`` stops inheritance, ``OWNERS_ALIASES`` at the root
  names groups.
* Chromium/Gerrit text (``owners_chromium``): one email per line, ``*``, ``set noparent``,
  ``per-file``, ``file:`` and ``include`` references.

Owner spellings are normalised toward CODEOWNERS handles so both sources compare with it:
a GitHub login becomes ``@login`` (lower-cased, as prow compares logins case-insensitively),
an email stays as written, ``*`` ("every committer may approve") stays ``*``.

``OwnersTree.owners_for(path)`` walks from the file's directory to the root: every OWNERS
file on the way adds its unconditional owners plus the conditional ones whose predicate
matches the path relative to that OWNERS file's directory, until an OWNERS file stops
inheritance. Parsing happens once per file; results are memoised per directory unless a
conditional rule makes the answer depend on the file name.
"""

from __future__ import annotations

import posixpath
import re
from typing import Callable, Collection, Dict, List, NamedTuple, Optional, Tuple

OWNERS_NAME = "OWNERS"
ALIASES_NAME = "OWNERS_ALIASES"
EVERYONE = "*"

# Top-level keys of prow's OWNERS schema; one at the start of a line marks a YAML OWNERS file.
# A text test rather than a YAML parse: Chromium files are often valid YAML scalars (or, with a
# bare ``*``, invalid YAML), so "does it parse" says nothing about the style.
_K8S_KEY_RE = re.compile(
    rb"^[ \t]*\{?[ \t]*[\"']?(?:approvers|reviewers|required_reviewers|labels|emeritus_approvers"
    rb"|security_contacts|options|filters)[\"']?[ \t]*:",
    re.M,
)


class DirectoryOwners(NamedTuple):
    """The effective OWNERS-file owners of one file.

    ``path`` is the nearest OWNERS file that granted owners ("" when none did), ``line`` the
    line of the deciding rule in it (a matching ``per-file``/filter line, else its first owner
    line). ``sources`` lists every OWNERS file that contributed, nearest first.
    """

    path: str
    owners: Tuple[str, ...]
    line: Optional[int]
    sources: Tuple[str, ...] = ()


class OwnersFileIssue(NamedTuple):
    """A problem in an OWNERS (or OWNERS_ALIASES / included) file; 1-based line and column."""

    path: str
    line: int
    column: int
    code: str
    message: str


class Grant(NamedTuple):
    """Owners one OWNERS file grants to the files a predicate selects.

    ``match`` is None for "every file under this directory"; otherwise it is called with the
    file path relative to the OWNERS file's directory. ``noparent`` (Chromium
    ``per-file x=set noparent``) drops the directory-wide and inherited owners of matching files.
    """

    owners: Tuple[str, ...]
    line: Optional[int]
    match: Optional[Callable[[str], bool]] = None
    noparent: bool = False


class ParsedOwnersFile(NamedTuple):
    """One OWNERS file reduced to grants.

    ``noparent`` is ``set noparent`` (Chromium: always stops inheritance) or prow's
    ``no_parent_owners`` (prow stops only once some owners were collected, see ``_evaluate``).
    """

    path: str
    style: str  # "k8s" | "chromium"
    grants: Tuple[Grant, ...]
    noparent: bool

    @property
    def conditional(self) -> bool:
        return any(grant.match is not None for grant in self.grants)


def detect_owners_style(data: bytes) -> str:
    """``k8s`` when a prow OWNERS key starts a line, else ``chromium``."""
    return "k8s" if _K8S_KEY_RE.search(data) else "chromium"


def normalize_login(name: str) -> str:
    """A GitHub login as a CODEOWNERS handle (``Alice`` → ``@alice``); emails unchanged."""
    name = name.strip()
    if "@" in name[1:]:
        return name
    return "@" + name.lstrip("@").lower()


class OwnersTree:
    """Every OWNERS file of a project, parsed once, queried per file path."""

    def __init__(self, files: Dict[str, ParsedOwnersFile], issues: Tuple[OwnersFileIssue, ...]) -> None:
        self.files = files
        self.issues = issues
        self._by_dir = {posixpath.dirname(path): parsed for path, parsed in files.items()}
        self._chains: Dict[str, Tuple[ParsedOwnersFile, ...]] = {}
        self._dir_results: Dict[str, DirectoryOwners] = {}

    @classmethod
    def build(cls, paths: Collection[str], read: Callable[[str], Optional[bytes]]) -> "OwnersTree":
        """Find the ``OWNERS`` files among ``paths`` and parse each once; never raises on content."""
        # Imported here because both parsers import the value types above from this module.
        from repo_roles.ownership.owners_chromium import ChromiumParser
        from repo_roles.ownership.owners_k8s import parse_aliases, parse_k8s

        issues: List[OwnersFileIssue] = []
        aliases: Dict[str, Tuple[str, ...]] = {}
        if ALIASES_NAME in paths:
            data = read(ALIASES_NAME)
            if data is not None:
                aliases, alias_issues = parse_aliases(data, ALIASES_NAME)
                issues.extend(alias_issues)
        chromium = ChromiumParser(read)
        files: Dict[str, ParsedOwnersFile] = {}
        for path in sorted(p for p in paths if posixpath.basename(p) == OWNERS_NAME):
            data = read(path)
            if data is None:
                issues.append(OwnersFileIssue(path, 1, 1, "unreadable", "the OWNERS file cannot be read"))
                continue
            if detect_owners_style(data) == "k8s":
                parsed, file_issues = parse_k8s(data, path, aliases)
                issues.extend(file_issues)
            else:
                parsed = chromium.parse(path, data)
            files[path] = parsed
        issues.extend(chromium.issues)
        unique = tuple(dict.fromkeys(issues))  # an included file's problem is reported once
        return cls(files, tuple(sorted(unique, key=lambda i: (i.path, i.line, i.column, i.code))))

    def owners_for(self, path: str) -> DirectoryOwners:
        """Effective OWNERS-file owners of the file at ``path`` (project-relative, POSIX)."""
        directory = posixpath.dirname(path)
        cached = self._dir_results.get(directory)
        if cached is not None:
            return cached
        chain = self._chain(directory)
        result = _evaluate(path, chain)
        if not any(parsed.conditional for parsed in chain):
            self._dir_results[directory] = result  # same answer for every file of the directory
        return result

    def _chain(self, directory: str) -> Tuple[ParsedOwnersFile, ...]:
        """OWNERS files from ``directory`` up to the root, nearest first (memoised per directory)."""
        cached = self._chains.get(directory)
        if cached is not None:
            return cached
        parent = posixpath.dirname(directory) if directory else None
        above = self._chain(parent) if parent is not None else ()
        own = self._by_dir.get(directory)
        chain = (own,) + above if own is not None else above
        self._chains[directory] = chain
        return chain


def _evaluate(path: str, chain: Tuple[ParsedOwnersFile, ...]) -> DirectoryOwners:
    owners: Dict[str, None] = {}  # insertion-ordered set: nearest owners first
    sources: List[str] = []
    nearest: Optional[Tuple[str, Optional[int]]] = None
    for parsed in chain:
        base = posixpath.dirname(parsed.path)
        relative = path[len(base) + 1 :] if base else path
        general = [g for g in parsed.grants if g.match is None]
        matched = [g for g in parsed.grants if g.match is not None and g.match(relative)]
        file_noparent = any(g.noparent for g in matched)
        granted = matched if file_noparent else general + matched
        added = [owner for grant in granted for owner in grant.owners]
        if added:
            owners.update(dict.fromkeys(added))
            sources.append(parsed.path)
            if nearest is None:
                deciding = next((g for g in matched if g.owners), None) or next(g for g in granted if g.owners)
                nearest = (parsed.path, deciding.line)
        if file_noparent:
            break
        # prow (repoowners.entriesForFile) only honours no_parent_owners once owners were found.
        if parsed.noparent and (parsed.style == "chromium" or owners):
            break
    if nearest is None:
        return DirectoryOwners("", (), None, ())
    return DirectoryOwners(nearest[0], tuple(owners), nearest[1], tuple(sources))
