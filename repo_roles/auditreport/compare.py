"""Change since a previous audit: ``audit --compare FILE`` with an earlier ``audit --format json``.

The delta is data in the document (``compare``), so every format shows the same figures:
unowned files, findings in total and by rule, documentation coverage and test presence by
owning team.  Counts have signed deltas (``+3``, ``-12``); percentages a delta in percentage
points, ``None`` when either side had nothing to count.
"""

from __future__ import annotations

import json
from typing import Dict, List, Optional

from repo_roles.auditreport.document import SCHEMA_ID, SCHEMA_VERSION, pairs, percent
from repo_roles.errors import UsageError

MAX_PREVIOUS_BYTES = 512 * 1024 * 1024


def load_previous(text: str, source: str) -> dict:
    """Parse a previous audit document; a clear usage error when it is not one we can read."""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        col = getattr(exc, "colno", None)
        where = f"{source}:{line}:{col}" if line else source
        raise UsageError(f"--compare {where}: not JSON ({getattr(exc, 'msg', exc)})") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA_ID:
        raise UsageError(f"--compare {source}: not a repo-roles audit document "
                         "(write one with `repo-roles audit --format json -o FILE`)")
    if doc.get("version") != SCHEMA_VERSION:
        raise UsageError(f"--compare {source}: audit document version {doc.get('version')!r}; "
                         f"this repo-roles reads version {SCHEMA_VERSION}")
    for key in ("ownership", "findings", "docs", "tests"):
        if not isinstance(doc.get(key), dict):
            raise UsageError(f"--compare {source}: the document has no {key!r} object")
    return doc


def _count(before: int, after: int) -> dict:
    return {"before": before, "after": after, "delta": after - before}


def _rounded(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(value, 1)


def _ratios(before: Dict[str, tuple], after: Dict[str, tuple]) -> List[dict]:
    rows = []
    for name in sorted(set(before) | set(after)):
        b = _rounded(percent(*before[name])) if name in before else None
        a = _rounded(percent(*after[name])) if name in after else None
        # The delta of the shown (rounded) figures, so 83.1% -> 83.6% reads "+0.5 pp".
        delta: Optional[float] = round(a - b, 1) if a is not None and b is not None else None
        rows.append({"name": name, "before": b, "after": a, "delta": delta})
    return rows


def delta(previous: dict, current: dict) -> dict:
    """What changed from ``previous`` to ``current`` (both audit documents)."""
    before_rules = {r["rule"]: r["count"] for r in previous["findings"].get("by_rule", [])}
    after_rules = {r["rule"]: r["count"] for r in current["findings"]["by_rule"]}
    by_rule = [dict(name=rule, **_count(before_rules.get(rule, 0), after_rules.get(rule, 0)))
               for rule in sorted(set(before_rules) | set(after_rules))]
    by_rule.sort(key=lambda row: (-abs(row["delta"]), row["name"]))
    return {
        "previous": {"tool_version": previous.get("tool", {}).get("version"),
                     "root": previous.get("project", {}).get("root")},
        "files": _count(int(previous.get("files", 0)), current["files"]),
        "unowned": _count(int(previous["ownership"].get("unowned", 0)), current["ownership"]["unowned"]),
        "findings": _count(int(previous["findings"].get("total", 0)), current["findings"]["total"]),
        "findings_by_rule": by_rule,
        "docs_by_owner": _ratios(pairs(previous["docs"].get("by_owner", []), "covered", "total"),
                                 pairs(current["docs"]["by_owner"], "covered", "total")),
        "tests_by_owner": _ratios(pairs(previous["tests"].get("by_owner", []), "tested", "modules"),
                                  pairs(current["tests"]["by_owner"], "tested", "modules")),
    }


def arrow(change: Optional[float]) -> str:
    """``▲`` up, ``▼`` down, ``=`` unchanged, ``·`` unknown (the renderers' shared glyphs)."""
    if change is None:
        return "·"
    if change == 0:
        return "="
    return "▲" if change > 0 else "▼"


def signed(change: Optional[float], unit: str = "") -> str:
    """``+3``, ``-1.5 pp``, ``0``; ``n/a`` when unknown."""
    if change is None:
        return "n/a"
    text = f"{change:+,.1f}" if isinstance(change, float) else f"{change:+,d}"
    if change == 0:
        text = "0"
    return text + (f" {unit}" if unit else "")
