"""Who owns each file: the code-owners file first, directory OWNERS files where it is silent.

The platform's CODEOWNERS is what a pull request enforces, so a matching line there decides —
even a line with no owners, which makes the file explicitly unowned.  OWNERS files (Kubernetes,
Chromium) answer only for files no CODEOWNERS line matches.
"""

from __future__ import annotations

import operator
import os
from dataclasses import dataclass, field
from pathlib import Path
from itertools import compress
from typing import TYPE_CHECKING, Callable, Dict, List, NamedTuple, Optional, Protocol, Sequence, Tuple

from repo_roles.ownership.codeowners import ParsedCodeowners, parse_codeowners
from repo_roles.ownership.discovery import (
    DiscoveryResult,
    dialect_from_location,
    discover_ownership_file,
    platform_of_candidates,
)
from repo_roles.ownership.matcher import CompiledCodeowners, OwnerMatch
from repo_roles.ownership import stored as S

if TYPE_CHECKING:
    from repo_roles.ownership.owners_files import OwnersTree
    from repo_roles.config import Config
    from repo_roles.inventory import Inventory

# Far above GitHub's 3 MB limit, so a huge file is still parsed (and reported), but bounded.
MAX_OWNERSHIP_FILE = 64 * 1024 * 1024


class FileOwnership(NamedTuple):
    owners: Tuple[str, ...]
    line: Optional[int]  # line of the deciding CODEOWNERS / OWNERS rule
    source: Optional[str]  # the file that decided: ".github/CODEOWNERS", "services/x/OWNERS", or None


NOBODY = FileOwnership((), None, None)


@dataclass
class Ownership:
    discovery: Optional[DiscoveryResult]
    parsed: Optional[ParsedCodeowners]
    compiled: Optional[CompiledCodeowners]
    owners_tree: Optional[OwnersTree]
    files: Dict[str, FileOwnership] = field(default_factory=dict)
    oversize: bool = False  # the chosen file is at or over GitHub's 3 MB limit
    # a digest of what the answers depend on: the files read (code-owners, OWNERS) and the settings
    inputs_key: Optional[str] = None

    @property
    def source_file(self) -> Optional[str]:
        return self.discovery.chosen if self.discovery else None

    @property
    def dialect(self) -> Optional[str]:
        return self.parsed.dialect if self.parsed else None

    @property
    def dialect_reason(self) -> Optional[str]:
        """Which evidence decided the dialect (configuration, location, repository, syntax)."""
        return self.discovery.dialect_reason if self.parsed and self.discovery else None

    def lookup(self, path: str) -> FileOwnership:
        found = self.files.get(path)
        if found is None:
            found = self.files[path] = self._resolve(path)
        return found

    def owners_of(self, path: str) -> Tuple[str, ...]:
        return self.lookup(path).owners

    def _resolve(self, path: str, match: Optional[OwnerMatch] = None) -> FileOwnership:
        if self.compiled is not None:
            match = match or self.compiled.match(path)
            if match.rule is not None:
                return FileOwnership(tuple(match.owners), match.rule.line, self.source_file)
        if self.owners_tree is not None:
            directory = self.owners_tree.owners_for(path)
            if directory.owners:
                return FileOwnership(tuple(directory.owners), directory.line, directory.path)
        return NOBODY

    def explain(self, path: str) -> List[str]:
        """Lines for ``explain``: the deciding rule, then the earlier lines it overrode."""
        owned = self.lookup(path)
        owners = " ".join(owned.owners) or "(nobody)"
        where = f"{owned.source}:{owned.line}" if owned.source and owned.line else (owned.source or "no rule matches")
        lines = [f"dialect:  {self.dialect}  [{self.dialect_reason}]"] if self.dialect else []
        lines.append(f"owners:   {owners}  [{where}]")
        if self.compiled is not None:
            # The deciding line of each section (GitHub and Bitbucket have one implicit section;
            # GitLab applies every section that matches, each decided by its own last match).
            deciding = {m.rule.line for m in self.compiled.match_sections(path).values() if m.rule is not None}
            for rule in reversed(self.compiled.all_matches(path)):
                label = "wins" if rule.line in deciding else "overridden"
                who = " ".join(rule.owners) or "(no owners: unowned)"
                section = f" [{rule.section}]" if rule.section is not None else ""
                negated = "!" if rule.negated else ""
                lines.append(f"  {label:<10} {self.source_file}:{rule.line}{section}  {negated}{rule.pattern}  {who}")
        return lines


def _named(paths: Sequence[str], name: str) -> List[str]:
    """The paths whose file name is ``name``."""
    suffix = "/" + name
    return [p for p in paths if p == name or p.endswith(suffix)]


def _size(path: Path) -> Optional[int]:
    """The file's size in bytes, never through a symlink; None when it cannot be read."""
    try:
        return os.lstat(path).st_size
    except OSError:
        return None


class Snapshots(Protocol):
    """Where whole per-project tables are kept (a scan hands its ``coverage.store.DocCache``)."""

    def read_snapshot(self, kind: str, salt: str) -> Optional[bytes]: ...

    def put_snapshot(self, kind: str, salt: str, data: bytes) -> None: ...


def resolve_ownership(inventory: "Inventory", config: "Config", targets: Sequence[str],
                      snapshots: Optional[Snapshots] = None, use_cache: bool = False) -> Ownership:
    """Discover and parse the ownership sources once; match ``targets`` in one batch.

    Other paths are matched on demand by :meth:`Ownership.lookup` (rules may ask about them).
    ``snapshots``: the answers of an earlier run with the same inputs (:mod:`.stored`) are
    read from there and only the targets they do not hold are matched; the table is written
    back when the targets changed.  ``use_cache``: the parse (and the candidate index of a
    few-paths run) is remembered by the file's content (``ownership.parsecache``).
    """
    paths = inventory.paths
    read = S.Reads(inventory.read_bytes)  # what the answers depend on, for the stored table's key
    # CODEOWNERS and OWNERS files, found in one C-level suffix filter over every path: discovery
    # then tests its few locations against a handful of paths, not a 100,000-path list.
    # (Inventory.ending_with: once per path list, remembered with git's listing)
    owners_like = inventory.ending_with("OWNERS")
    candidates = set(_named(owners_like, "CODEOWNERS"))
    configured = config.ownership.file
    if configured is not None and configured not in candidates and configured in paths:
        candidates.add(configured)
    evidence = None
    pinned = dialect_from_location(configured) if configured else platform_of_candidates(candidates)
    if config.ownership.dialect == "auto" and candidates and pinned is None:
        # Only needed when no platform directory decides (a root or docs/ CODEOWNERS).
        from repo_roles.ownership.platform import read_git_config, repository_platform

        evidence = repository_platform(paths, read_git_config(inventory.git_root))
    discovery = discover_ownership_file(
        candidates,
        configured_file=config.ownership.file,
        configured_dialect=config.ownership.dialect,
        head=lambda p: inventory.read_head(p, 65536),
        size=lambda p: _size(inventory.abspath(p)),
        repository=tuple(evidence) if evidence is not None else None,
    )
    parsed = compiled = None
    remember: Optional[Callable[[], None]] = None
    if discovery.chosen is not None:
        data = read(discovery.chosen, MAX_OWNERSHIP_FILE)
        if data is not None:
            # discovery settles the dialect (configured, by location, or by syntax)
            if use_cache:
                parsed, compiled, remember = _stored_parse(inventory, config, data, discovery.chosen, discovery.dialect)
            else:
                parsed = parse_codeowners(data, path=discovery.chosen, dialect=discovery.dialect)
                compiled = CompiledCodeowners(parsed)
    tree = None
    if config.ownership.owners_files and _named(owners_like, "OWNERS"):
        from repo_roles.ownership.owners_files import ALIASES_NAME, OwnersTree  # only with OWNERS files

        # Only OWNERS files and the root aliases file matter to the tree: hand it those.
        known = owners_like + [ALIASES_NAME] if ALIASES_NAME in paths else owners_like
        tree = OwnersTree.build(known, lambda p: read(p, 1024 * 1024))
    ownership = Ownership(discovery, parsed, compiled, tree, oversize=discovery.oversized)
    settings = [discovery.chosen, discovery.dialect, config.ownership.owners_files, config.ownership.file,
                config.ownership.dialect, owners_like if tree is not None else None]
    ownership.inputs_key = S.inputs_key(settings, read.seen)
    if snapshots is None:
        _match(ownership, targets)
    else:
        _match_stored(ownership, targets, snapshots, inventory)
    if remember is not None:
        remember()
    return ownership


def _match_stored(ownership: Ownership, targets: Sequence[str], snapshots: Snapshots,
                  inventory: "Inventory") -> None:
    """:func:`_match` with the answers stored under the same inputs key: by position when the
    path list is the one stored (any edit of contents), else from the table by path, where
    only the targets the table lacks are matched; the tables are written back when files were
    added or many deleted."""
    from repo_roles.inventory import paths_digest

    listed = inventory.paths_digest() if targets == inventory.paths else paths_digest(targets)
    at_salt = S.positional_salt(ownership.inputs_key, listed)
    in_order = S.decode_at(snapshots.read_snapshot(S.KIND_AT, at_salt), len(targets), FileOwnership)  # type: ignore[arg-type]
    if in_order is not None:
        ownership.files = dict(zip(targets, in_order))  # type: ignore[arg-type]
        return
    stored = S.decode(snapshots.read_snapshot(S.KIND, ownership.inputs_key), FileOwnership)  # type: ignore[arg-type]
    new = list(compress(targets, map(operator.not_, map(stored.__contains__, targets))))
    # keyed by the targets' own path strings, not the table's copies (10 MB per 100k paths)
    ownership.files = dict(zip(targets, map(stored.get, targets)))  # type: ignore[arg-type]
    if new or len(stored) != len(targets):
        _match(ownership, new)
    if new or len(stored) > len(targets) + len(targets) // 4:  # files added, or many deleted
        snapshots.put_snapshot(S.KIND, ownership.inputs_key, S.encode(ownership.files))  # type: ignore[arg-type]
    snapshots.put_snapshot(S.KIND_AT, at_salt, S.encode_at(ownership.files.values()))  # type: ignore[arg-type]


def _match(ownership: Ownership, targets: Sequence[str]) -> None:
    """Resolve ``targets`` in one batch into ``ownership.files``."""
    compiled = ownership.compiled
    matches = compiled.match_all(targets) if compiled is not None else {}
    for path in targets:
        ownership.files[path] = ownership._resolve(path, matches.get(path))


def _stored_parse(inventory: "Inventory", config: "Config", data: bytes, path: str,
                  dialect: str) -> Tuple[ParsedCodeowners, CompiledCodeowners, Optional[Callable[[], None]]]:
    """The parse of the code-owners file from the cache, else parsed now; with what stores it
    (and the candidate index, once the targets were matched) when the cache had not."""
    from repo_roles.cachedir import cache_directory, project_key
    from repo_roles.ownership import parsecache

    key = parsecache.content_key(data, path, dialect)
    file = parsecache.stored_file(cache_directory(config, inventory.project_root), project_key(inventory))
    found = parsecache.load(file, key)
    if found is not None:
        parsed, required = found
        compiled = CompiledCodeowners(parsed, required)
    else:
        parsed, required = parse_codeowners(data, path=path, dialect=dialect), None
        compiled = CompiledCodeowners(parsed)

    def remember() -> None:
        segments = compiled.candidate_segments()
        if found is None or (required is None and segments is not None):
            parsecache.save(file, key, parsed, segments)

    return parsed, compiled, remember
