"""Which rules are on, and at what severity: one small decision engine, apart from the rules.

Semantics follow ruff: ``select`` replaces the default set, ``extend-select`` adds to it,
``ignore`` removes; entries are rule ids or prefixes (``OWN`` selects OWN001…), ``ALL`` is
everything.  When a rule is both selected and ignored, the more specific (longer) entry wins,
and on a tie ``ignore`` wins — flake8's "longest prefix" decision, which is also what ruff does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from repo_roles.checks.registry import Rule
from repo_roles.globs import GlobSet
from repo_roles.errors import ConfigError
from repo_roles.findings import Finding

ALL = "ALL"


def _validate(codes: Iterable[str], known: Iterable[str], origin: str) -> None:
    known = list(known)
    for code in codes:
        if code == ALL or any(k.startswith(code) for k in known):
            continue
        import difflib

        close = difflib.get_close_matches(code, known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else "run `repo-roles rules` to list them"
        raise ConfigError(f"unknown rule or prefix {code!r}", key_path=origin, hint=hint)


def _specificity(code: str, rule_id: str) -> int:
    if code == ALL:
        return 0
    return len(code) if rule_id.startswith(code) else -1


@dataclass(frozen=True)
class RuleSelection:
    """The enabled rules and their effective severities."""

    enabled: Mapping[str, Rule]
    severities: Mapping[str, str]
    per_path_ignores: Sequence[tuple]  # (GlobSet.first of one glob, frozenset of codes)

    @classmethod
    def build(
        cls,
        rules: Mapping[str, Rule],
        *,
        select: Sequence[str] = (),
        extend_select: Sequence[str] = (),
        ignore: Sequence[str] = (),
        severity: Mapping[str, str] | None = None,
        per_path_ignores: Mapping[str, Sequence[str]] | None = None,
    ) -> "RuleSelection":
        _validate(select, rules, "select")
        _validate(extend_select, rules, "extend-select")
        _validate(ignore, rules, "ignore")
        severity = dict(severity or {})
        _validate(severity, rules, "severity")
        enabled: dict[str, Rule] = {}
        for rule_id, rule in rules.items():
            if select:
                best_on = max((_specificity(c, rule_id) for c in select), default=-1)
            else:
                best_on = 0 if rule.enabled_by_default else -1
            best_on = max([best_on, *(_specificity(c, rule_id) for c in extend_select)])
            best_off = max((_specificity(c, rule_id) for c in ignore), default=-1)
            if best_on >= 0 and best_on > best_off:
                enabled[rule_id] = rule
        severities = {}
        for rule_id, rule in enabled.items():
            chosen, best = rule.default_severity, -1
            for code, level in severity.items():
                spec = _specificity(code, rule_id)
                if spec > best:
                    chosen, best = level, spec
            severities[rule_id] = chosen
        compiled = []
        for glob, codes in (per_path_ignores or {}).items():
            _validate(codes, rules, f"per-path-ignores.{glob}")
            compiled.append((GlobSet([glob], last_wins=True).first, frozenset(codes)))
        return cls(enabled, severities, compiled)

    def ignored_somewhere(self, rule_id: str) -> bool:
        """Whether a per-path ignore names ``rule_id`` (else only severity can change its findings)."""
        return any(any(c == ALL or rule_id.startswith(c) for c in codes) for _, codes in self.per_path_ignores)

    def accept(self, finding: Finding) -> Finding | None:
        """Apply per-path ignores and severity overrides to a raw finding."""
        if finding.rule_id not in self.enabled:
            return None
        for matches, codes in self.per_path_ignores:
            if finding.path and matches(finding.path) is not None:
                if any(c == ALL or finding.rule_id.startswith(c) for c in codes):
                    return None
        level = self.severities.get(finding.rule_id, finding.severity)
        return finding if level == finding.severity else finding._replace(severity=level)

