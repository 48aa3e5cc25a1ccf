"""The built-in test exemptions of ``rules/tests.toml``: files that need no test, by convention.

Each entry has an ``id``, a ``why`` and a ``source`` (the convention's documentation), and
matches by ``glob`` and/or a named ``detect`` check (see the file's header).  A malformed
table is a :class:`~repo_roles.errors.ConfigError` naming the entry.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Callable, NamedTuple, Optional, Tuple

from repo_roles._compat import tomllib
from repo_roles.errors import ConfigError
from repo_roles.globs import GlobSet

if TYPE_CHECKING:
    from repo_roles.testrefs.evidence import EvidenceIndex

TESTS_FILE = "tests.toml"
DETECTORS = ("alembic", "numbered-migration", "packaging-setup", "not-importable", "no-code")


class Exemption(NamedTuple):
    id: str
    globs: Tuple[str, ...]
    detect: Optional[str]
    why: str
    source: str


@functools.lru_cache(maxsize=None)
def load(path: Optional[str] = None) -> Tuple[Exemption, ...]:
    """The entries of ``rules/tests.toml`` (or ``path``), validated."""
    if path is None:
        from repo_roles.config import builtin_rules_dir

        path = str(Path(builtin_rules_dir()) / TESTS_FILE)
    with open(path, "rb") as handle:
        doc = tomllib.load(handle)
    out = []
    for i, entry in enumerate(doc.get("exempt", [])):
        where = f"rules/{TESTS_FILE}: exempt[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise ConfigError(f"{where}: an entry needs an id", file=path)
        globs = entry.get("glob", [])
        detect = entry.get("detect")
        if not isinstance(globs, list) or not all(isinstance(g, str) for g in globs):
            raise ConfigError(f"{where}: glob must be a list of strings", file=path)
        if detect is not None and detect not in DETECTORS:
            raise ConfigError(f"{where}: unknown detect {detect!r}", file=path, hint=", ".join(DETECTORS))
        if not globs and detect is None:
            raise ConfigError(f"{where}: needs a glob or a detect", file=path)
        for key in ("why", "source"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise ConfigError(f"{where}: needs a {key}", file=path)
        out.append(Exemption(entry["id"], tuple(globs), detect, entry["why"], entry["source"]))
    return tuple(out)


class Exempter:
    """Which built-in exemption covers a path (``reason``), given the evidence index's facts."""

    def __init__(self, evidence: Callable[[], "EvidenceIndex"],
                 defines: Optional[Callable[[str], Optional[bool]]] = None) -> None:
        """``evidence``/``defines`` must not hold what holds this exempter (no reference cycle)."""
        entries = load()
        # rules/tests.toml is the tool's own data: its globs are trusted (see GlobSet)
        self._entries = [(e, GlobSet(e.globs, last_wins=True, trusted=True) if e.globs else None) for e in entries]
        # The entries without a detector, as one compiled glob set: one match per path.
        plain = [e for e in entries if e.detect is None]
        self._plain = GlobSet(tuple(g for e in plain for g in e.globs), last_wins=False, trusted=True)
        self._by_glob = {g: e for e in reversed(plain) for g in e.globs}
        self._evidence = evidence
        self._defines = defines

    def reason(self, path: str) -> Optional[Exemption]:
        hit = self._plain.first(path)
        plain = self._by_glob.get(hit) if hit is not None else None
        for entry, globs in self._entries:
            if entry.detect is None:
                if entry is plain:
                    return entry
                continue
            # the detector first (a set look-up or a name test), the glob only when it says yes
            if self._detected(entry.detect, path) and (globs is None or globs.first(path) is not None):
                return entry
        return None

    def _detected(self, detect: str, path: str) -> bool:
        if detect == "not-importable":
            stem = path.rpartition("/")[2][:-3]
            return path.endswith(".py") and not stem.isidentifier()
        if detect == "no-code":
            defines = self._defines(path) if self._defines is not None else None
            return defines is False
        evidence = self._evidence()
        if detect == "alembic":
            return evidence.in_alembic_versions(path) is not None
        if detect == "numbered-migration":
            return path in evidence.migrations
        if detect == "packaging-setup":
            return evidence.is_manifest(path)
        return False


def exemptions_text() -> str:
    """The default exemptions as a documentation section (``repo-roles rule TST001``)."""
    lines = ["", "Exempt by default (rules/tests.toml):", ""]
    for e in load():
        how = ", ".join(e.globs)
        if e.detect:
            how = f"{how} + {e.detect}" if how else e.detect
        lines.append(f"* {e.id} ({how}): {e.why}. See {e.source}")
    return "\n".join(lines) + "\n"
