"""Baseline files: the findings a team has accepted for now, so ``check`` fails only on new ones.

The file (``repo-roles-baseline.json`` by default) is committed and reviewed like code.  It is
valid JSON written with one entry per line, sorted, so a diff shows exactly which accepted
findings came or went::

    {
      "repo-roles-baseline": 2,
      "findings": [
        {"rule": "DOC001", "path": "shop/cart.py", "key": "Cart.add", "fingerprint": "9f…", "count": 1},
        {"rule": "OWN003", "path": ".github/CODEOWNERS", "key": "@shop/ghosts", "fingerprint": "1c…", "count": 1}
      ]
    }

An entry carries the finding's ``fingerprint`` (:mod:`repo_roles.fingerprint`: the rule, the
key and the normalised content the finding is about, no line numbers, no path), and the path
is the tie-breaker.  Findings (in report order) are matched in two passes:

1. at the same path, by rule and key: the fingerprint without the content, so a declaration
   reformatted in place stays accepted, and no file has to be read;
2. across paths, by fingerprint, against entries whose path no longer exists: the file was
   renamed or moved, and its accepted findings go with it.  Each vanished path goes to one
   current file: the one git reports it was renamed to, else the one sharing most
   fingerprints with it (ties: the most similar path).  A copy does not double them: the
   original still matches its entries in pass 1, so the copy's findings are new.

``count`` accepts that many findings of the entry; when a group grows past its count, the
excess — the last ones in report order — are reported.  Version 1 files (no fingerprint) are
still read, and matched by rule, path and key only (pass 1); ``repo-roles baseline --update``
rewrites them as version 2.
"""

from __future__ import annotations

import json
from difflib import SequenceMatcher
from collections import Counter, defaultdict
from pathlib import Path
from typing import Callable, Container, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

from repo_roles import safeio
from repo_roles.errors import ConfigError, UsageError
from repo_roles.findings import Finding

FORMAT_KEY = "repo-roles-baseline"
FORMAT_VERSION = 2
DEFAULT_FILENAME = "repo-roles-baseline.json"

Identity = Tuple[str, str, str]  # (rule id, path, key)
# (rule id, path, key, fingerprint; "" in a version 1 file)
EntryKey = Tuple[str, str, str, str]
_V1_KEYS = ("rule", "path", "key", "count")
_ENTRY_KEYS = ("rule", "path", "key", "fingerprint", "count")


class Baseline(NamedTuple):
    entries: Dict[EntryKey, int]
    version: int


def identity(finding: Finding) -> Identity:
    return finding.identity()


def counts_of(findings: Iterable[Finding], fingerprint: Callable[[Finding], str]) -> Dict[EntryKey, int]:
    return dict(Counter((*identity(f), fingerprint(f)) for f in findings))


def dumps(counts: Dict[EntryKey, int]) -> str:
    """The file's text: sorted, one entry per line, keys in a fixed order, UTF-8 kept readable."""
    lines = []
    for (rule, path, key, fingerprint), count in sorted(counts.items()):
        entry = {"rule": rule, "path": path, "key": key, "fingerprint": fingerprint, "count": count}
        # Readable UTF-8, except that an undecodable file name (lone surrogates) is written as
        # \udcxx escapes: still valid JSON, and it reads back to the same path.
        ascii_only = any(0xD800 <= ord(c) <= 0xDFFF for c in rule + path + key)
        lines.append("    " + json.dumps(entry, ensure_ascii=ascii_only))
    body = ",\n".join(lines)
    findings = f"[\n{body}\n  ]" if lines else "[]"
    return f'{{\n  "{FORMAT_KEY}": {FORMAT_VERSION},\n  "findings": {findings}\n}}\n'


def loads(text: str, source: str) -> Baseline:
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
    wanted = _V1_KEYS if version == 1 else _ENTRY_KEYS
    counts: Dict[EntryKey, int] = {}
    for index, entry in enumerate(entries):
        where = f"findings[{index}]"
        if not isinstance(entry, dict) or sorted(entry) != sorted(wanted):
            raise ConfigError(f"expected an object with exactly the keys {', '.join(wanted)}",
                              file=source, key_path=where)
        rule, path, key, count = (entry[k] for k in _V1_KEYS)
        fingerprint = entry.get("fingerprint", "")
        if not (isinstance(rule, str) and rule and isinstance(path, str) and isinstance(key, str)):
            raise ConfigError("rule must be a non-empty string, path and key strings", file=source, key_path=where)
        if not isinstance(fingerprint, str) or (version > 1 and not fingerprint):
            raise ConfigError("fingerprint must be a non-empty string", file=source, key_path=where)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ConfigError(f"count must be a positive integer, got {count!r}", file=source, key_path=where)
        ident = (rule, path, key, fingerprint)
        if ident in counts:
            raise ConfigError("duplicate entry (merge the counts)", file=source, key_path=where)
        counts[ident] = count
    return Baseline(counts, version)


def read_baseline(path: Path) -> Baseline:
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

    identity: EntryKey
    accepted: int
    actual: int


class Comparison(NamedTuple):
    new: List[Finding]  # to report: beyond what the baseline accepts
    accepted: int  # findings the baseline absorbed
    stale: List[Stale]  # entries that shrank or vanished, among those this run could see
    moved: int = 0  # of ``accepted``, findings matched to an entry of a renamed or moved file


def _moves(findings: Sequence[Finding], prints: Dict[int, str], by_print: Dict[str, List[EntryKey]],
           renamed_from: Dict[str, str]) -> Dict[str, str]:
    """Current path -> the vanished path whose entries it takes (one to one); ``prints`` holds
    the fingerprints of the findings still unmatched, by index."""
    common: Counter = Counter()  # (current path, vanished path) -> fingerprints shared
    for index, print_ in prints.items():
        for entry in by_print.get(print_, ()):
            common[(findings[index].path, entry[1])] += 1

    def rank(pair: Tuple[str, str]) -> tuple:
        new, old = pair
        return (renamed_from.get(new) == old, common[pair], SequenceMatcher(None, new, old).ratio(), new, old)

    taken: Dict[str, str] = {}
    gone_taken = set()
    for new, old in sorted(common, key=rank, reverse=True):
        if new not in taken and old not in gone_taken:
            taken[new] = old
            gone_taken.add(old)
    return taken


def compare(
    findings: Sequence[Finding],
    baseline: Baseline,
    checked: Callable[[Identity], bool],
    fingerprint: Callable[[Finding], str],
    existing: Container[str] = frozenset(),
    renamed_from: Optional[Dict[str, str]] = None,
) -> Comparison:
    """Split ``findings`` (in report order) against ``baseline`` (the passes in the module doc).

    ``checked(identity)`` says whether this run could have produced that entry (its rule ran on
    its path); entries it could not see are never called stale (a pre-commit run on 5 files).
    ``existing`` holds the project's current paths: an entry whose path is not among them may
    be taken by a finding with its fingerprint elsewhere (pass 2); ``renamed_from`` maps a new
    path to its old one when a diff says so.
    """
    remaining = dict(baseline.entries)
    by_print: Dict[str, List[EntryKey]] = defaultdict(list)  # fingerprint -> entries of paths gone
    by_identity: Dict[Identity, List[EntryKey]] = defaultdict(list)
    for entry in remaining:
        rule, path, key, print_ = entry
        by_identity[(rule, path, key)].append(entry)
        if print_ and path and path not in existing:
            by_print[print_].append(entry)
    matched = [False] * len(findings)
    seen: Counter = Counter()

    def take(candidates: List[EntryKey]) -> Optional[EntryKey]:
        for entry in candidates:
            if remaining[entry] > 0:
                remaining[entry] -= 1
                return entry
        return None

    # Pass 1, at the same path: what the fingerprint hashes, but for the content, which may have
    # changed in place (a reformatted signature is the same finding); no file is read for it.
    for index, finding in enumerate(findings):
        entry = take(by_identity.get(identity(finding), []))
        if entry is not None:
            matched[index] = True
            seen[entry] += 1
    # Pass 2, across paths: the fingerprints of what is left, against the entries of vanished paths.
    moved = 0
    if by_print:
        prints = {i: fingerprint(f) for i, f in enumerate(findings) if not matched[i]}
        moved_to = _moves(findings, prints, by_print, renamed_from or {})
        for index, print_ in prints.items():
            gone = moved_to.get(findings[index].path)
            entry = take([e for e in by_print.get(print_, []) if e[1] == gone]) if gone else None
            if entry is not None:
                matched[index] = True
                seen[entry] += 1
                moved += 1
    new = [f for f, done in zip(findings, matched) if not done]
    stale = [
        Stale(entry, count, seen[entry])
        for entry, count in sorted(baseline.entries.items())
        if seen[entry] < count and checked(entry[:3])  # type: ignore[arg-type]
    ]
    return Comparison(new, len(findings) - len(new), stale, moved)
