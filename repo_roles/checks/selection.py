"""Which rules are on, and at what severity: one small decision engine, apart from the rules.

Semantics follow ruff: ``select`` replaces the default set, ``extend-select`` adds to it,
``ignore`` removes; entries are rule ids or prefixes (``OWN`` selects OWN001…), ``ALL`` is
everything.  When a rule is both selected and ignored, the more specific (longer) entry wins,
and on a tie ``ignore`` wins — flake8's "longest prefix" decision, which is also what ruff does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

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
    # rule id -> the matchers (GlobSet.first of one glob) of the per-path ignores naming it;
    # a rule no per-path ignore names is absent, so its findings take no per-path look
    path_ignores: Mapping[str, Tuple[Callable[[str], Optional[str]], ...]]

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
        path_ignores: Dict[str, List[Callable[[str], Optional[str]]]] = {}
        for glob, codes in (per_path_ignores or {}).items():
            _validate(codes, rules, f"per-path-ignores.{glob}")
            matches = GlobSet([glob], last_wins=True).first
            for rule_id in enabled:
                if any(_specificity(c, rule_id) >= 0 for c in codes):
                    path_ignores.setdefault(rule_id, []).append(matches)
        return cls(enabled, severities, {k: tuple(v) for k, v in path_ignores.items()})

    def plain_level(self, rule_id: str) -> Optional[str]:
        """The effective severity of an enabled rule that no per-path ignore names: a finding of
        it at that severity is accepted as it is.  None when :meth:`accept` must look."""
        return None if rule_id in self.path_ignores else self.severities.get(rule_id)

    def accept(self, finding: Finding) -> Finding | None:
        """Apply per-path ignores and severity overrides to a raw finding."""
        level = self.severities.get(finding.rule_id)
        if level is None:  # not enabled
            return None
        path = finding.path
        if path:
            for matches in self.path_ignores.get(finding.rule_id, ()):
                if matches(path) is not None:
                    return None
        return finding if level == finding.severity else finding._replace(severity=level)

