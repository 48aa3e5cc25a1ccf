"""``repo-roles init [PATH]``: write a starter ``repo-roles.toml`` from what the repository shows.

The project is scanned with the starter configuration itself (``extends = "recommended"``);
the roster lists every owner the CODEOWNERS / OWNERS files name, each responsible for the sides
and roles most of its files belong to, so a first ``repo-roles audit`` reports the real
mismatches rather than "unknown owner" for everyone.  An existing configuration is never
overwritten; ``--stdout`` prints what would be written instead.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import click

from repo_roles import roles as R
from repo_roles._compat import tomllib
from repo_roles.atomic import write_atomic
from repo_roles.config import load_config, schema
from repo_roles.config.discovery import builtin_rules_dir, config_in
from repo_roles.config.model import DEFAULT_REQUIRE_OWNER
from repo_roles.errors import UsageError
from repo_roles.inventory import git_toplevel
from repo_roles.pathfmt import display_path
from repo_roles.scan import ScanContext, scan_project

CONFIG_NAME = "repo-roles.toml"
STARTER_PACK = "recommended"
# A role (or side) is part of a team's responsibility when at least this share of its files has it.
RESPONSIBLE_SHARE = 0.10
TOP_HINTS = 5
_HANDLE = re.compile(schema.HANDLE_PATTERN)


@dataclass
class Starter:
    """What the scan suggests; rendered to TOML by :func:`render`."""

    total_files: int
    by_role: Counter
    teams: Dict[str, Counter]  # handle -> files per role (empty: named, owns no file)
    skipped_owners: List[str]  # owner spellings that are not roster handles ("*", bad names)
    ownership_sources: List[str]  # ".github/CODEOWNERS (github syntax)", "3 OWNERS files"
    unclassified_ext: List[Tuple[str, int]] = field(default_factory=list)
    unclassified_dirs: List[Tuple[str, int]] = field(default_factory=list)
    owner_dirs: Dict[str, Counter] = field(default_factory=dict)  # handle -> files per top directory


PEOPLE = "@people/"  # the prefix of the roster groups `init` makes of individual owners


def is_person(handle: str) -> bool:
    """A person's handle (``@alice``, ``alice@example.com``), not a team (``@org/team``)."""
    return "/" not in handle


def _slug(directory: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", directory).strip("-.")
    return slug if slug and slug[0].isalnum() else "root"


def roster_groups(starter: "Starter") -> Dict[str, Tuple[List[str], Counter]]:
    """The roster entries: teams as they are; individual owners grouped by the top directory
    that holds most of their files (``@people/api`` with ``members = ["@alice", "@bob"]``),
    so a repository whose CODEOWNERS names people gets a few groups, not one team per person."""
    out: Dict[str, Tuple[List[str], Counter]] = {}
    for handle, counts in starter.teams.items():
        if not is_person(handle):
            out[handle] = ([], counts)
    for handle, counts in sorted(starter.teams.items()):
        if not is_person(handle):
            continue
        dirs = starter.owner_dirs.get(handle)
        top = sorted(dirs.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if dirs else "unassigned"
        group = PEOPLE + _slug(top)
        while group in starter.teams:  # never shadow a real team of the same name
            group += "-people"
        members, total = out.setdefault(group, ([], Counter()))
        members.append(handle)
        total.update(counts)
    return out


def responsible_for(counts: Counter) -> List[str]:
    """The sides and roles that hold >= 10% of an owner's files.

    A side qualifies on the share of all its roles together and is written as the side when the
    owner holds two or more of its roles (``backend``), else as the one role (``backend.docs``:
    a docs team owning README files is not answerable for backend code).  Roles outside the
    sides (config, generated, …) qualify on their own share.
    """
    total = sum(counts.values())
    out: List[str] = []
    for role in R.ROLES:
        side = R.side_of(role)
        if side is None:
            if counts[role] and counts[role] >= RESPONSIBLE_SHARE * total:
                out.append(role)
            continue
        held = [r for r in R.ROLES if R.side_of(r) == side and counts[r]]
        if side in out or role not in held or sum(counts[r] for r in held) < RESPONSIBLE_SHARE * total:
            continue
        out.append(side if len(held) >= 2 else role)
    return out


def _is_handle(owner: str) -> bool:
    try:
        owner.encode("utf-8")  # an undecodable byte (surrogate escape) cannot go into TOML
    except UnicodeEncodeError:
        return False
    return _HANDLE.match(owner) is not None


def collect(context: ScanContext) -> Starter:
    """Count roles overall, per owner, and where the unclassified files are."""
    by_role: Counter = Counter()
    teams: Dict[str, Counter] = {}
    skipped: set = set()
    ext: Counter = Counter()
    dirs: Counter = Counter()
    owner_dirs: Dict[str, Counter] = {}
    for entry in context.inventory.entries:
        role = context.classifications[entry.path].role
        by_role[role] += 1
        for owner in context.ownership.owners_of(entry.path):
            if _is_handle(owner):
                teams.setdefault(owner, Counter())[role] += 1
                if is_person(owner):
                    top = entry.path.partition("/")[0] if "/" in entry.path else "root"
                    owner_dirs.setdefault(owner, Counter())[top] += 1
            else:
                skipped.add(owner)
        if role == R.UNCLASSIFIED:
            directory, name = posixpath.split(entry.path)
            ext[posixpath.splitext(name)[1] or "(none)"] += 1
            dirs[directory + "/" if directory else "."] += 1
    ownership = context.ownership
    sources: List[str] = []
    if ownership.parsed is not None:
        sources.append(f"{ownership.source_file} ({ownership.dialect} syntax)")
        for rule in ownership.parsed.rules:  # owners named only on lines that match no file
            for owner in rule.owners:
                if _is_handle(owner):
                    teams.setdefault(owner, Counter())
    if ownership.owners_tree is not None:
        count = len(ownership.owners_tree.files)
        sources.append(f"{count} OWNERS file{'s' if count != 1 else ''}")
    return Starter(
        len(context.inventory.entries), by_role, teams, sorted(skipped), sources, _top(ext), _top(dirs), owner_dirs
    )


def _top(counter: Counter) -> List[Tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_HINTS]


def render(starter: Starter) -> str:
    """The starter configuration as TOML text, with comments that say where each value came from."""
    import tomlkit  # only `init` writes TOML; keep it off every other command's start-up

    doc = tomlkit.document()
    doc.add(tomlkit.comment("repo-roles configuration, written by `repo-roles init`: a starting point to edit."))
    doc.add(tomlkit.comment("Run `repo-roles audit` to see what it says about this repository."))
    counts = ", ".join(f"{role} {starter.by_role[role]}" for role in R.ROLES if starter.by_role[role])
    doc.add(tomlkit.comment(f"Scanned {starter.total_files} files: {counts or 'none'}."))
    doc.add(tomlkit.nl())
    doc.add("extends", STARTER_PACK)
    doc.add(tomlkit.nl())
    for line in _roles_hints(starter):
        doc.add(tomlkit.comment(line))
    doc.add(tomlkit.nl())

    teams = tomlkit.table(is_super_table=True)
    groups = roster_groups(starter)
    for handle, (members, counts_of) in sorted(groups.items(), key=lambda kv: (-sum(kv[1][1].values()), kv[0])):
        team = tomlkit.table()
        owned = sum(counts_of.values())
        if members:
            team.add(tomlkit.comment(f"{len(members)} individual owner{'s' if len(members) != 1 else ''} "
                                     "grouped by the top directory holding most of their files"))
        if owned:
            spread = ", ".join(f"{role} {n}" for role, n in counts_of.most_common())
            team.add(tomlkit.comment(f"owns {owned} file{'s' if owned != 1 else ''}: {spread}"))
        else:
            team.add(tomlkit.comment("named in the ownership file but owns no file"))
        team.add("responsible", _array(responsible_for(counts_of)))
        if members:
            team.add("members", _array(members, multiline=True))
        teams.add(handle, team)
    if starter.teams:
        doc.add(tomlkit.comment("The roster: every team named by the ownership files, and the individual owners"))
        doc.add(tomlkit.comment("grouped as @people/<top directory>, responsible for the sides/roles of >= 10% of"))
        doc.add(tomlkit.comment('their files. Review them; add `description = "…"`, rename or regroup members.'))
        if starter.skipped_owners:
            doc.add(tomlkit.comment("Not listed (not an @handle or email): " + ", ".join(
                display_path(o) for o in starter.skipped_owners)))
        doc.add("teams", teams)

    ownership = tomlkit.table()
    if starter.ownership_sources:
        ownership.add(tomlkit.comment("Owners read from " + " and ".join(starter.ownership_sources) + "."))
        ownership.add("require-owner", _array(list(DEFAULT_REQUIRE_OWNER), multiline=True))
    else:
        ownership.add(tomlkit.comment("No CODEOWNERS or OWNERS file found, so no role requires an owner yet."))
        ownership.add(tomlkit.comment("Once one exists, list the roles that must have one, e.g."))
        ownership.add(tomlkit.comment('require-owner = ["backend.logic", "frontend.ui"]'))
        ownership.add("require-owner", _array([]))
    doc.add("ownership", ownership)
    return tomlkit.dumps(doc)


def _roles_hints(starter: Starter) -> List[str]:
    unclassified = starter.by_role[R.UNCLASSIFIED]
    if not unclassified:
        return ["[roles] every file has a role; add `role = [globs]` here to override a decision."]
    share = 100.0 * unclassified / starter.total_files
    examples = [f"{d}**" for d, _ in starter.unclassified_dirs[:1] if d != "."]
    examples += [f"**/*{e}" for e, _ in starter.unclassified_ext[:1] if e != "(none)"]
    examples = [g for g in examples if display_path(g) == g]  # odd names: no quoting puzzles here
    lines = [
        f"{unclassified} of {starter.total_files} files ({share:.0f}%) are unclassified. "
        "Give them a role with globs, e.g.",
        "[roles]",
        '"ROLE" = [' + ", ".join(f'"{g}"' for g in examples) + "]",
        # display_path: a name may hold a newline or bytes that are not UTF-8; a comment may not.
        "Unclassified files by extension: " + ", ".join(
            f"{display_path(e)} {n}" for e, n in starter.unclassified_ext),
        "Unclassified files by directory: " + ", ".join(
            f"{display_path(d)} {n}" for d, n in starter.unclassified_dirs),
    ]
    return lines


def _array(items: List[str], multiline: bool = False):  # -> tomlkit.items.Array
    import tomlkit

    array = tomlkit.array()
    array.extend(items)
    return array.multiline(multiline and len(items) > 1)


def _project_root(path: Optional[str]) -> Path:
    """PATH itself when given; otherwise the git top level of the working directory (or it)."""
    if path is None:
        here = Path.cwd()
        return git_toplevel(here) or here
    if not os.path.lexists(path):
        raise UsageError(f"{path}: no such file or directory")
    if not os.path.isdir(path):
        raise UsageError(f"{path}: not a directory; init writes {CONFIG_NAME} into a project directory")
    return Path(os.path.realpath(path))


def run_init(path: Optional[str], to_stdout: bool) -> int:
    root = _project_root(path)
    existing = config_in(root)
    if existing is not None and not to_stdout:
        raise UsageError(
            f"{existing}: a configuration already exists; init never overwrites one "
            "(`repo-roles init --stdout` prints the starter configuration instead)"
        )
    starter_config = load_config(builtin_rules_dir() / f"{STARTER_PACK}.toml")
    context = scan_project(root, starter_config)
    starter = collect(context)
    text = render(starter)
    # The generated file must load; a failure here is our bug, reported as an internal error.
    problems = list(schema.validate(tomllib.loads(text)))
    if problems:
        raise RuntimeError(f"init generated an invalid configuration: {problems[0]}")
    if to_stdout:
        click.echo(text, nl=False)
        return 0
    target = root / CONFIG_NAME
    write_atomic(target, text, overwrite=False)
    teams = len(roster_groups(starter))
    click.echo(f"Wrote {target} ({teams} team{'s' if teams != 1 else ''}); next: repo-roles audit")
    return 0


def register(group: click.Group) -> None:
    @group.command("init")
    @click.argument("path", required=False, default=None, type=click.Path(path_type=str))
    @click.option("--stdout", "to_stdout", is_flag=True, help="Print the starter configuration instead of writing it.")
    def init(path: Optional[str], to_stdout: bool) -> None:
        """Write a starter repo-roles.toml: the roster from CODEOWNERS/OWNERS, hints for unclassified files."""
        raise SystemExit(run_init(path, to_stdout))
