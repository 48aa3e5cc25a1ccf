"""What every formatter shares: the input value, the protocol, and small rendering helpers.

A formatter turns a :class:`ReportInput` into the complete text of one ``--output-format``
(trailing newline included, ``""`` when the format has nothing to say); the CLI writes it as is.
Formatters never compute findings, never filter them and never print.

Conventions every format follows (so the formats agree with each other):

* Findings are rendered in :meth:`Finding.sort_key` order (a stable sort: equal keys keep the
  engine's order), so output is deterministic whoever calls us.
* ``Finding.path == ""`` means repository-wide.  Text formats show it as ``.`` (the project root:
  a real path, unlike the project name, and still parseable as ``path: ID message``); data formats
  (json, json-lines) keep ``""``; formats that require a location say what they do.
* ``end_column`` is exclusive, as in ruff's ``end_location`` and SARIF's ``endColumn``.
* Fingerprints hash rule id, key and the content a finding is about (never line numbers nor the
  path), so they survive edits that shift lines and renames; see :func:`fingerprints`.
"""

from __future__ import annotations

import os
import re

from collections import Counter
from pathlib import Path
from typing import Callable, Dict, List, Mapping, NamedTuple, Optional, Protocol, Sequence, Tuple

from repo_roles import safeio
from repo_roles.checks.registry import Rule
from repo_roles.findings import SEVERITIES, Finding
from repo_roles.fingerprint import Fingerprinter, digest
from repo_roles.pathfmt import display_path

TOOL_NAME = "repo-roles"
# The project has no homepage yet; its PyPI page is the one address its name already implies.
INFORMATION_URI = "https://pypi.org/project/repo-roles/"
REPOSITORY_WIDE = "."

# Large files are not worth reading to the end just to show one line of context.
_MAX_SOURCE_BYTES = 8 * 1024 * 1024


class ReportInput(NamedTuple):
    """Everything a formatter may look at."""

    findings: Sequence[Finding]  # already filtered (and usually sorted) by the engine
    rules: Mapping[str, Rule]  # rule id -> Rule, for names, summaries and docs
    root: Path  # project root: source lines for `full`, the SARIF %SRCROOT%
    tool_version: str
    statistics: bool = False  # concise/full: show per-rule counts instead (ruff --statistics)
    # The project root relative to the git root ("" or "examples/shop/"): github, gitlab and
    # sarif locations must be relative to the repository, not to a project in a sub-folder.
    path_prefix: str = ""
    # The caller vouches that ``findings`` are in sort_key order already (the engine returns
    # them so): 264k findings are not sorted a second time.
    presorted: bool = False
    # The content fingerprint of a finding (:class:`repo_roles.fingerprint.Fingerprinter`, which
    # reads the lines it points at); None: rule, key and path-free message only.
    fingerprint: Optional[Callable[[Finding], str]] = None
    # Who owns a path (CODEOWNERS/OWNERS); given, ``--statistics`` also counts by owning team.
    owners_of: Optional[Callable[[str], Sequence[str]]] = None


class Formatter(Protocol):
    """One ``--output-format``: ``name`` is the option value, ``render`` returns the whole text."""

    name: str

    def render(self, report: ReportInput) -> str: ...


def ordered(findings: Sequence[Finding]) -> List[Finding]:
    """The findings in the order every format shows them."""
    return sorted(findings, key=Finding.sort_key)


def report_order(report: ReportInput) -> Sequence[Finding]:
    """``report.findings`` in the order every format shows them (sorted unless ``presorted``)."""
    return report.findings if report.presorted else ordered(report.findings)


def rule_name(report: ReportInput, rule_id: str) -> str:
    """The rule's kebab-case name, or ``""`` for an id the registry does not know."""
    rule = report.rules.get(rule_id)
    return rule.name if rule is not None else ""


def rule_summary(report: ReportInput, rule_id: str) -> str:
    rule = report.rules.get(rule_id)
    return rule.summary if rule is not None else ""


_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


# C0/C1 controls would break lines or drive the terminal (ESC); lone surrogates (undecodable
# file names) cannot be encoded on output; U+2028/9 are line breaks to some viewers.
_C0, _C0_BUT_NEWLINE = "\x00-\x1f", "\x00-\x09\x0b-\x1f"
_ESCAPE_CLASS = _C0 + "\x7f-\x9f\ud800-\udfff\u2028\u2029"
_NEEDS_ESCAPE = re.compile(f"[{_ESCAPE_CLASS}]")
# The same class without "\n": for a check of many lines joined by newlines.
_NEEDS_ESCAPE_BUT_NEWLINE = re.compile(f"[{_ESCAPE_CLASS.replace(_C0, _C0_BUT_NEWLINE)}]")



def _escape(char: str) -> str:
    if char in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[char]
    if ord(char) <= 0xFF:
        return f"\\x{ord(char):02x}"
    return f"\\u{ord(char):04x}"


def one_line(text: str, keep: str = "") -> str:
    """``text`` with control characters shown as escapes, so one finding stays one line.

    Characters in ``keep`` pass through (for formats with their own encoding of newlines).
    One compiled search decides the common case (nothing to escape) at C speed: reports
    of 100,000+ findings spent most of their time here when it was a per-character loop.
    """
    if _NEEDS_ESCAPE.search(text) is None:
        return text
    return _NEEDS_ESCAPE.sub(lambda m: m.group() if m.group() in keep else _escape(m.group()), text)


def _at(where: str, finding: Finding) -> str:
    """``where`` (a path as shown) with the finding's ``:line:col``, missing parts left out."""
    if finding.line is None:
        return where
    return f"{where}:{finding.line}" if finding.column is None else f"{where}:{finding.line}:{finding.column}"


def raw_location(finding: Finding) -> str:
    """``path:line:col`` with the missing parts left out (``path:line``, ``path``), unescaped."""
    return _at(finding.path or REPOSITORY_WIDE, finding)


def text_location(finding: Finding) -> str:
    """:func:`raw_location` for one-line text output: the path quoted as ``ls`` and ``explain``
    show it (git's quoting, :func:`~repo_roles.pathfmt.display_path`)."""
    return _at(display_path(finding.path) if finding.path else REPOSITORY_WIDE, finding)


def text_line(finding: Finding) -> str:
    """The ruff-style one-line form: ``path:line:col: ID message``."""
    return f"{text_location(finding)}: {finding.rule_id} {one_line(finding.message)}"


def text_lines(findings: Sequence[Finding]) -> List[str]:
    """:func:`text_line` of each finding, in order.

    Lines are built as they are and checked all at once: joined by newlines, with one regex
    search for the other characters to escape (the same class) and a count of the newlines.
    Only when something needs escaping does each line take the per-part path.
    """
    out: List[str] = []
    shown: Dict[str, str] = {REPOSITORY_WIDE: REPOSITORY_WIDE}  # path -> as displayed, once per file
    for finding in findings:
        path = finding.path or REPOSITORY_WIDE
        where = shown.get(path)
        if where is None:
            where = shown[path] = display_path(path)
        out.append(f"{_at(where, finding)}: {finding.rule_id} {finding.message}")
    text = "\n".join(out)
    if text.count("\n") == max(len(out) - 1, 0) and _NEEDS_ESCAPE_BUT_NEWLINE.search(text) is None:
        return out
    search = _NEEDS_ESCAPE.search
    return [line if search(line) is None else text_line(finding) for line, finding in zip(out, findings)]


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def severity_counts(findings: Sequence[Finding]) -> Dict[str, int]:
    """Count per severity, in SEVERITIES order, leaving out severities with no finding."""
    counts = Counter(f.severity for f in findings)
    known = {s: counts[s] for s in SEVERITIES if counts[s]}
    known.update({s: n for s, n in sorted(counts.items()) if s not in SEVERITIES})
    return known


def summary_line(findings: Sequence[Finding]) -> str:
    """``Found 3 problems (2 errors, 1 warning).`` or ruff's ``All checks passed!``."""
    if not findings:
        return "All checks passed!"
    parts = ", ".join(
        f"{n} {s}" if s == "info" else plural(n, s) for s, n in severity_counts(findings).items()
    )
    return f"Found {plural(len(findings), 'problem')} ({parts})."


def fingerprints(findings: Sequence[Finding], fingerprint: Optional[Callable[[Finding], str]] = None) -> List[str]:
    """A stable fingerprint per finding (:mod:`repo_roles.fingerprint`, 32 hex digits): the one a
    baseline entry carries, so code scanning and a baseline agree on what a finding is.

    Line numbers and the path stay out, so a finding keeps its fingerprint when unrelated edits
    shift it and when its file is renamed.  Findings that would still collide (the same
    fingerprint in report order) get an occurrence number hashed in from the second one on,
    because GitLab shows only one issue per fingerprint (ruff does the same).
    """
    fingerprint = fingerprint or Fingerprinter(None)
    seen: Counter[str] = Counter()
    result = []
    for finding in findings:
        value = fingerprint(finding)
        occurrence = seen[value]
        seen[value] += 1
        result.append(digest(value, str(occurrence)) if occurrence else value)
    return result


def rule_counts(findings: Sequence[Finding]) -> List[Tuple[str, int]]:
    """``(rule_id, count)`` pairs, most frequent first, ties by id."""
    counts = Counter(f.rule_id for f in findings)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


UNOWNED = "(unowned)"


def _count_rows(counts: Counter) -> List[str]:
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    width = max(len(str(n)) for _, n in rows)
    return [f"{n:>{width}}  {one_line(name)}" for name, n in rows]


def _top_directory(path: str) -> str:
    if not path:
        return REPOSITORY_WIDE + " (repository-wide)"
    head, sep, _ = path.partition("/")
    return head + "/" if sep else REPOSITORY_WIDE + " (files at the root)"


def render_statistics(report: ReportInput) -> str:
    """Per-rule counts like ``ruff check --statistics``: count, id, name, summary; most first.

    With ``owners_of``, two more tables follow: by owning team (a finding of a file with two
    owners counts for both; ``(unowned)`` for none) and by top directory.
    """
    rows = [
        (str(count), rule_id, rule_name(report, rule_id), one_line(rule_summary(report, rule_id)))
        for rule_id, count in rule_counts(report.findings)
    ]
    if not rows:
        return ""
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [
        f"{count:>{widths[0]}}  {rule_id:<{widths[1]}}  {name:<{widths[2]}}  {summary}".rstrip()
        for count, rule_id, name, summary in rows
    ]
    if report.owners_of is not None:
        teams: Counter = Counter()
        owners: Dict[str, Sequence[str]] = {}
        for finding in report.findings:
            found = owners.get(finding.path)
            if found is None:
                found = owners[finding.path] = (report.owners_of(finding.path) if finding.path else ()) or (UNOWNED,)
            teams.update(found)
        directories = Counter(_top_directory(f.path) for f in report.findings)
        lines += ["", "By owning team:", *_count_rows(teams), "", "By top directory:", *_count_rows(directories)]
    return "\n".join(lines) + "\n"


class SourceLines:
    """Lines of the files findings point at, each file read once per report.

    Resolves symlinks and refuses anything that lands outside ``root`` (a finding's path comes
    from the repository, and a symlink to /etc must not leak into a CI log); a missing,
    unreadable or too short file just means no snippet, and only the lines within the first
    ``_MAX_SOURCE_BYTES`` are read.
    """

    def __init__(self, root: Path) -> None:
        self._root = root
        self._base: Optional[Path] = None
        self._files: Dict[str, Optional[List[bytes]]] = {}

    def line(self, path: str, line: int) -> Optional[str]:
        """Line ``line`` (1-based) of ``root/path`` decoded leniently, or None when unavailable."""
        if not path or line < 1:
            return None
        if path not in self._files:
            self._files[path] = self._read(path)
        lines = self._files[path]
        if lines is None or line > len(lines):
            return None
        return lines[line - 1].decode("utf-8", "replace").rstrip("\r\n")

    def _read(self, path: str) -> Optional[List[bytes]]:
        try:
            if self._base is None:
                self._base = self._root.resolve()
            # Never a link, a FIFO or a device, never outside the root; at most the cap read.
            fd = safeio.open_regular(self._base / path, root=self._base)
            with os.fdopen(fd, "rb") as handle:
                data = handle.read(_MAX_SOURCE_BYTES)
        except (OSError, ValueError, RuntimeError, safeio.UnsafeReadError):
            return None
        lines = [line + b"\n" for line in data.split(b"\n")]
        tail = lines.pop()[:-1]  # after the last newline: a last line without one, or nothing
        if tail and len(data) < _MAX_SOURCE_BYTES:  # a line cut by the cap is not a line
            lines.append(tail)
        return lines
