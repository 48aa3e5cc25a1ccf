"""Aggregate a scan into the figures the audit report shows (pure data, no rendering)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Dict, List, Tuple

from repo_roles import roles as R
from repo_roles.coverage import figures
from repo_roles.scan import ScanContext

UNOWNED = "(unowned)"


@dataclass
class DirectoryRow:
    directory: str
    files: int
    by_side: Dict[str, int]  # "backend" / "frontend" / "other" -> files

    @property
    def side(self) -> str:
        """The side most of the directory's sided files belong to ("mixed" when neither has 80%)."""
        backend, frontend = self.by_side.get("backend", 0), self.by_side.get("frontend", 0)
        sided = backend + frontend
        if not sided:
            return "other"
        if backend >= 0.8 * sided:
            return "backend"
        if frontend >= 0.8 * sided:
            return "frontend"
        return "mixed"


@dataclass
class TeamRow:
    owner: str
    files: int
    by_role: Dict[str, int]
    in_roster: bool
    responsible: Tuple[str, ...]


@dataclass
class AuditSummary:
    total_files: int
    by_role: Dict[str, int]
    directories: List[DirectoryRow]
    teams: List[TeamRow]
    unowned_by_role: Dict[str, int]
    ownership_file: str | None
    ownership_dialect: str | None
    findings_by_rule: Dict[str, int] = field(default_factory=dict)
    # Documentation coverage: (covered, total) by role (all analysed files), and by owning team
    # and top directory over the files in `docs.require` roles.
    docs_required: Tuple[str, ...] = ()
    docs_by_role: Dict[str, Tuple[int, int]] = field(default_factory=dict)
    docs_by_owner: Dict[str, Tuple[int, int]] = field(default_factory=dict)
    docs_by_directory: Dict[str, Tuple[int, int]] = field(default_factory=dict)


def _directory_of(path: str, depth: int) -> str:
    parts = path.split("/")[:-1]
    if not parts:
        return "."
    return "/".join(parts[:depth]) + "/"


def summarize(context: ScanContext, *, depth: int = 1) -> AuditSummary:
    entries = context.inventory.in_scope()
    by_role: Counter = Counter()
    dirs: Dict[str, Counter] = defaultdict(Counter)
    team_roles: Dict[str, Counter] = defaultdict(Counter)
    unowned: Counter = Counter()
    scope_depth = len(context.inventory.scope.split("/")) if context.inventory.scope else 0
    for entry in entries:
        role = context.classifications[entry.path].role
        by_role[role] += 1
        dirs[_directory_of(entry.path, depth + scope_depth)][R.side_of(role) or "other"] += 1
        owners = context.ownership.owners_of(entry.path)
        if not owners:
            unowned[role] += 1
        for owner in owners:
            team_roles[owner][role] += 1
    roster = context.config.teams
    teams = [
        TeamRow(
            owner=owner,
            files=sum(counts.values()),
            by_role=dict(counts),
            in_roster=owner in roster,
            responsible=roster[owner].responsible if owner in roster else (),
        )
        for owner, counts in sorted(team_roles.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    ]
    for handle, team in sorted(roster.items()):
        if handle not in team_roles:
            teams.append(TeamRow(handle, 0, {}, True, team.responsible))
    directories = [
        DirectoryRow(name, sum(counts.values()), dict(counts)) for name, counts in sorted(dirs.items())
    ]
    findings_by_rule = Counter(f.rule_id for f in context.findings)
    doc_files = figures.by_file(context)
    required = set(context.config.docs.require)
    doc_required = {p: c for p, c in doc_files.items() if context.role_of(p) in required}
    return AuditSummary(
        total_files=len(entries),
        by_role={role: by_role[role] for role in R.ROLES if by_role[role]},
        directories=directories,
        teams=teams,
        unowned_by_role={role: unowned[role] for role in R.ROLES if unowned[role]},
        ownership_file=context.ownership.source_file,
        ownership_dialect=context.ownership.dialect,
        findings_by_rule=dict(sorted(findings_by_rule.items())),
        docs_required=tuple(context.config.docs.require),
        docs_by_role={k: tuple(v) for k, v in figures.by_role(context, doc_files).items()},
        docs_by_owner={k: tuple(v) for k, v in figures.by_owner(context, doc_required).items()},
        docs_by_directory={
            k: tuple(v) for k, v in figures.by_directory(doc_required, depth + scope_depth).items()
        },
    )
