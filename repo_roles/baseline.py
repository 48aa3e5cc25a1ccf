"""Baseline files: the findings a team has accepted for now, so ``check`` fails only on new ones.

The file (``repo-roles-baseline.json`` by default) is committed and reviewed like code.  It is
valid JSON written with one entry per line, sorted, so a diff shows exactly which accepted
findings came or went::

    {
      "repo-roles-baseline": 1,
      "findings": [
        {"rule": "OWN003", "path": ".github/CODEOWNERS", "key": "@shop/ghosts", "count": 1},
        {"rule": "TST001", "path": "backend/shop/inventory.py", "key": "shop.inventory", "count": 1}
      ]
    }

An entry identifies findings without line numbers, so it survives edits that shift lines: the
rule id, the path (project-relative; ``""`` for repository-wide findings), the finding's key (its
message when the rule gives no key, as :func:`repo_roles.report.base.fingerprints` does) and how
many such findings are accepted.  When a group grows past its count we cannot tell which
occurrence is new, so the excess — the last ones in report order — are reported.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Callable, Dict, Iterable, List, NamedTuple, Sequence, Tuple

from repo_roles import safeio
from repo_roles.errors import ConfigError, UsageError
from repo_roles.findings import Finding

FORMAT_KEY = "repo-roles-baseline"
FORMAT_VERSION = 1
DEFAULT_FILENAME = "repo-roles-baseline.json"

Identity = Tuple[str, str, str]  # (rule id, path, key)
_ENTRY_KEYS = ("rule", "path", "key", "count")


def identity(finding: Finding) -> Identity:
    return finding.identity()


def counts_of(findings: Iterable[Finding]) -> Dict[Identity, int]:
    return dict(Counter(identity(f) for f in findings))


def dumps(counts: Dict[Identity, int]) -> str:
    """The file's text: sorted, one entry per line, keys in a fixed order, UTF-8 kept readable."""
    lines = []
    for (rule, path, key), count in sorted(counts.items()):
        entry = {"rule": rule, "path": path, "key": key, "count": count}
        # Readable UTF-8, except that an undecodable file name (lone surrogates) is written as
        # \udcxx escapes: still valid JSON, and it reads back to the same path.
        ascii_only = any(0xD800 <= ord(c) <= 0xDFFF for c in rule + path + key)
        lines.append("    " + json.dumps(entry, ensure_ascii=ascii_only))
    body = ",\n".join(lines)
    findings = f"[\n{body}\n  ]" if lines else "[]"
    return f'{{\n  "{FORMAT_KEY}": {FORMAT_VERSION},\n  "findings": {findings}\n}}\n'


def loads(text: str, source: str) -> Dict[Identity, int]:
    """Parse and validate a baseline; any problem is a :class:`ConfigError` naming ``source``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"not valid JSON: {exc.msg}", file=source, line=exc.lineno, column=exc.colno) from None
    if not isinstance(data, dict) or FORMAT_KEY not in data:
        raise ConfigError(f"not a repo-roles baseline (no {FORMAT_KEY!r} key)", file=source,
                          hint="create one with `repo-roles baseline`")
    version = data[FORMAT_KEY]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ConfigError(f"format version must be a positive integer, got {version!r}",
                          file=source, key_path=FORMAT_KEY)
    if version > FORMAT_VERSION:
        raise ConfigError(
            f"format version {version} is newer than this repo-roles reads ({FORMAT_VERSION})",
            file=source, key_path=FORMAT_KEY, hint="upgrade repo-roles",
        )
    unknown = sorted(set(data) - {FORMAT_KEY, "findings"})
    if unknown:
        raise ConfigError(f"unknown key {unknown[0]!r}", file=source)
    entries = data.get("findings")
    if not isinstance(entries, list):
        raise ConfigError("must be a list", file=source, key_path="findings")
    counts: Dict[Identity, int] = {}
    for index, entry in enumerate(entries):
        where = f"findings[{index}]"
        if not isinstance(entry, dict) or sorted(entry) != sorted(_ENTRY_KEYS):
            raise ConfigError(f"expected an object with exactly the keys {', '.join(_ENTRY_KEYS)}",
                              file=source, key_path=where)
        rule, path, key, count = (entry[k] for k in _ENTRY_KEYS)
        if not (isinstance(rule, str) and rule and isinstance(path, str) and isinstance(key, str)):
            raise ConfigError("rule must be a non-empty string, path and key strings", file=source, key_path=where)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ConfigError(f"count must be a positive integer, got {count!r}", file=source, key_path=where)
        ident = (rule, path, key)
        if ident in counts:
            raise ConfigError("duplicate entry (merge the counts)", file=source, key_path=where)
        counts[ident] = count
    return counts


def read_baseline(path: Path) -> Dict[Identity, int]:
    try:
        # The GitHub Action passes a path from the repository: a link to /dev/zero or a FIFO
        # is refused, and nothing past the cap is read.
        raw = safeio.read_regular(path, max_size=safeio.MAX_BASELINE)
    except safeio.UnsafeReadError as exc:
        raise UsageError(f"{path}: cannot read the baseline: it {exc.reason}") from None
    except FileNotFoundError:
        raise UsageError(f"{path}: no such baseline file (create it with `repo-roles baseline`)") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the baseline: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text", file=str(path)) from None
    return loads(text, str(path))


class Stale(NamedTuple):
    """A baseline entry that occurs less often than accepted (``actual`` may be 0)."""

    identity: Identity
    accepted: int
    actual: int


class Comparison(NamedTuple):
    new: List[Finding]  # to report: beyond what the baseline accepts
    accepted: int  # findings the baseline absorbed
    stale: List[Stale]  # entries that shrank or vanished, among those this run could see


def compare(
    findings: Sequence[Finding], baseline: Dict[Identity, int], checked: Callable[[Identity], bool]
) -> Comparison:
    """Split ``findings`` (in report order) against ``baseline``.

    ``checked(identity)`` says whether this run could have produced that entry (its rule ran on
    its path); entries it could not see are never called stale (a pre-commit run on 5 files).
    """
    remaining = dict(baseline)
    seen: Counter = Counter()
    new: List[Finding] = []
    accepted = 0
    for finding in findings:
        ident = identity(finding)
        seen[ident] += 1
        if remaining.get(ident, 0) > 0:
            remaining[ident] -= 1
            accepted += 1
        else:
            new.append(finding)
    stale = [
        Stale(ident, count, seen[ident])
        for ident, count in sorted(baseline.items())
        if seen[ident] < count and checked(ident)
    ]
    return Comparison(new, accepted, stale)
