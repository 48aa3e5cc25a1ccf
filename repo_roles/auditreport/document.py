"""Build the audit document once: every figure any audit format shows, as plain JSON data.

The document is what ``audit --format json`` prints, what the HTML page embeds and what
``--compare`` reads back; the terminal and Markdown renderings are views of it.  Its shape is
``audit.schema.json`` (validated in the tests); bump :data:`SCHEMA_VERSION` on any change that
is not an added optional key.
"""

from __future__ import annotations

import functools
import heapq
from collections import Counter
from itertools import compress
from itertools import count as numbering
from operator import itemgetter
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from repo_roles import __version__
from repo_roles.auditreport.tree import build_tree
from repo_roles.checks.registry import RULES
from repo_roles.coverage import figures
from repo_roles.coverage.languages import EXTENSIONS
from repo_roles.scan import ScanContext
from repo_roles.summary import AuditSummary, file_columns, owners_column

SCHEMA_ID = "repo-roles-audit"
SCHEMA_VERSION = 1
TOP = 10  # the "worst places" lists
FILES_PER_GROUP = 200  # files listed under one rule or team (the rest are counted)
REPOSITORY_WIDE = "."  # a finding without a path (the ownership file's absence, the roster)


def _ratio_rows(groups: Dict[str, Tuple[int, int]], a: str, b: str) -> List[dict]:
    return [{"name": name, a: x, b: y} for name, (x, y) in groups.items()]


def _top(counter: Mapping[str, int], n: int) -> List[list]:
    """The ``n`` largest counts, most first, ties by key (``nlargest`` picks at C speed, as
    ``Counter.most_common``; the keys tied at the cut are chosen by key too, so the answer never
    depends on counting order)."""
    chosen = counter.items()
    if n < len(counter):
        chosen = heapq.nlargest(n, counter.items(), key=itemgetter(1))
        floor = chosen[-1][1]
        above = [kv for kv in chosen if kv[1] > floor]
        tied = sorted(compress(counter.keys(), map(floor.__eq__, counter.values())))  # at C speed
        chosen = above + [(key, floor) for key in tied[: n - len(above)]]
    return [[key, count] for key, count in sorted(chosen, key=lambda kv: (-kv[1], kv[0]))]


def _counter(groups: Dict[str, Counter], key: str) -> Counter:
    found = groups.get(key)
    if found is None:
        found = groups[key] = Counter()
    return found


def _parent(path: str) -> str:
    head = path.rpartition("/")[0]
    return head + "/" if head else REPOSITORY_WIDE


def _top_directory(path: str, scope_depth: int) -> str:
    parts = path.split("/")[:-1]
    if len(parts) <= scope_depth:
        return REPOSITORY_WIDE
    return "/".join(parts[: scope_depth + 1]) + "/"


def _findings(context: ScanContext, scope_depth: int) -> Tuple[dict, Dict[str, dict], Counter]:
    """Counts by rule, owning team and top directory; the ten worst files and directories.

    Counted at C speed (``Counter`` over zipped columns: 264k findings on the 100k-file
    benchmark are ~100k distinct (rule, path) pairs on ~50k paths); owners and directories are
    then looked up once per distinct path (owners by a C-level pass, :func:`owners_column`)
    and summed once per distinct owner list, never once per finding.
    """
    findings = context.findings
    rule_ids = list(map(itemgetter(0), findings))
    paths = list(map(itemgetter(2), findings))
    severities: Dict[str, Counter] = {}
    by_rule: Counter = Counter()
    for (rule_id, severity), count in Counter(zip(rule_ids, map(itemgetter(5), findings))).items():
        by_rule[rule_id] += count
        _counter(severities, rule_id)[severity] += count
    rule_files: Dict[str, Dict[str, int]] = {}
    for (rule_id, path), count in Counter(zip(rule_ids, paths)).items():
        files = rule_files.get(rule_id)
        if files is None:
            files = rule_files[rule_id] = {}
        files[path] = count
    for files in rule_files.values():
        if "" in files:
            files[REPOSITORY_WIDE] = files.pop("")
    by_path: Counter = Counter(paths)
    # Each distinct path's owners (the repository-wide findings have none), then the files and
    # rules of each distinct owner list: an owner's counts are the sums of its lists.
    distinct = [p for p in by_path if p]
    owners_memo: Dict[str, Tuple[str, ...]] = dict(zip(distinct, map(_or_nobody, owners_column(context, distinct))))
    owners_memo[""] = (figures.NO_OWNER,)
    # each distinct owner list as a small number: the pairs below hash an int, not a tuple of names
    numbers: Dict[Tuple[str, ...], int] = {}
    number_of = dict(zip(owners_memo, map(numbers.setdefault, owners_memo.values(), numbering())))
    owner_lists = {number: owners for owners, number in numbers.items()}
    list_files: Dict[Tuple[str, ...], Dict[str, int]] = {}
    by_top: Counter = Counter()
    by_dir: Counter = Counter()
    tops: Dict[str, Tuple[str, str]] = {}  # parent directory -> (top directory, parent row)
    for path, count in by_path.items():
        if path:
            parent = path.rpartition("/")[0]
            rows = tops.get(parent)
            if rows is None:
                rows = tops[parent] = (_top_directory(path, scope_depth), _parent(path))
            by_top[rows[0]] += count
            by_dir[rows[1]] += count
        else:
            by_top[REPOSITORY_WIDE] += count
            by_dir[REPOSITORY_WIDE] += count
        owners = owners_memo[path]
        files = list_files.get(owners)
        if files is None:
            files = list_files[owners] = {}
        files[path or REPOSITORY_WIDE] = count
    by_team: Counter = Counter()
    team_rules: Dict[str, Counter] = {}
    team_files: Dict[str, Dict[str, int]] = {}  # a path has one owner list: no sums needed
    for (rule_id, number), count in Counter(zip(rule_ids, map(number_of.__getitem__, paths))).items():
        for owner in owner_lists[number]:
            by_team[owner] += count
            _counter(team_rules, owner)[rule_id] += count
    del rule_ids, paths
    merged = set()  # the owners whose files are their own dict (a copy), not one list's
    for owners, files in list_files.items():
        for owner in owners:
            found = team_files.get(owner)
            if found is None:
                team_files[owner] = files  # shared with the list until another list adds to it
            else:
                if owner not in merged:
                    merged.add(owner)
                    found = team_files[owner] = dict(found)
                found.update(files)
    rules: Dict[str, dict] = {}
    rule_rows = []
    for rule_id, count in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
        rule = RULES.get(rule_id)
        rules[rule_id] = {
            "name": rule.name if rule else rule_id,
            "summary": rule.summary if rule else "",
            "doc": rule.doc if rule else "",
        }
        files = rule_files[rule_id]
        rule_rows.append({
            "rule": rule_id,
            "name": rules[rule_id]["name"],
            "severity": severities[rule_id].most_common(1)[0][0],
            "count": count,
            "files_total": len(files),
            "files": _top(files, FILES_PER_GROUP),
        })
    team_rows = [
        {
            "owner": owner,
            "count": count,
            "rules": dict(sorted(team_rules[owner].items())),
            "files_total": len(team_files[owner]),
            "files": _top(team_files[owner], FILES_PER_GROUP),
        }
        for owner, count in sorted(by_team.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    severity_total: Counter = Counter()
    for counts in severities.values():
        severity_total.update(counts)
    block = {
        "total": len(findings),
        "by_severity": {s: severity_total.get(s, 0) for s in ("error", "warning", "info")},
        "by_rule": rule_rows,
        "by_team": team_rows,
        "by_directory": _top(by_top, len(by_top)),
        "top_files": _top(_renamed(by_path, "", REPOSITORY_WIDE), TOP),
        "top_directories": _top(by_dir, TOP),
    }
    return block, rules, by_path


def _or_nobody(owners: Tuple[str, ...]) -> Tuple[str, ...]:
    return owners or (figures.NO_OWNER,)


def _renamed(counter: Counter, old: str, new: str) -> Counter:
    """``counter`` with the key ``old`` named ``new`` (a copy only when it has it)."""
    if old not in counter:
        return counter
    counter = Counter(counter)
    counter[new] += counter.pop(old)
    return counter


def not_measured(context: ScanContext) -> dict:
    """Files of the ``docs.require`` roles that no documentation analyzer reads, by language
    (``Scala 1,200``, names from ``rules/languages.toml``; an extension not in it stands for
    itself) and by extension: the coverage figures say nothing about them."""
    required = set(context.config.docs.require)
    columns = file_columns(context)
    special = context.inventory.special_kinds()  # symlinks and submodules: no file to measure
    by_ext: Counter = Counter()
    for path in compress(columns.paths, map(required.__contains__, columns.roles)):
        if path in special:
            continue
        name = path.rpartition("/")[2]
        dot = name.rfind(".")
        ext = name[dot:] if dot > 0 else "(none)"
        if ext not in EXTENSIONS:
            by_ext[ext] += 1
    names = language_names()
    by_language: Counter = Counter()
    for ext, count in by_ext.items():
        by_language[names.get(ext.lower(), ext)] += count
    return {"files": sum(by_ext.values()), "by_language": _top(by_language, len(by_language)),
            "by_extension": _top(by_ext, len(by_ext))}


@functools.lru_cache(maxsize=None)
def language_names() -> Dict[str, str]:
    """Extension (".scala") -> language name ("Scala"), the data table ``rules/languages.toml``."""
    from repo_roles._compat import tomllib
    from repo_roles.classify.tables import rules_dir

    with open(rules_dir() / "languages.toml", "rb") as handle:
        table = tomllib.load(handle)["extensions"]
    return {str(ext).lower(): str(name) for ext, name in table.items()}


def declared(context: ScanContext) -> dict:
    """"Declared vs actual": declared owners against who knows their files by git history
    (Degree of Authorship; truck factor by Avelino et al.), from :mod:`repo_roles.history.declared`.

    The rows are stored under a key read without the history model (:func:`_stored_key`): a
    warm audit loads no model (on 200,000 files it held ~85 MB and cost ~0.1 s)."""
    from repo_roles.cachedir import cache_directory
    from repo_roles.history.declared import declared_tables, load_tables
    from repo_roles.history.stage import day as history_day

    def day(when: Optional[int]) -> Optional[str]:
        return history_day(when) if when is not None else None

    def rows(head: Optional[str], since: Optional[int], owners, directories) -> dict:
        return {
            "available": True,
            "note": None,
            "head": head,
            "active_since": day(since),
            "owners": [
                {"owner": r.owner, "files": r.files, "with_member": round(100 * r.with_member, 1),
                 "nobody_active": round(100 * r.nobody_active, 1), "last_member_commit": day(r.last_member_commit),
                 "truck_factor": r.truck_factor, "top_authors": list(r.top_authors)}
                for r in owners
            ],
            "directories": [
                {"directory": d.directory + "/", "files": d.files, "truck_factor": d.truck_factor,
                 "top_authors": list(d.top_authors)}
                for d in directories
            ],
        }

    cache = cache_directory(context.config, context.inventory.project_root) if context.use_cache else None
    key = _stored_key(context) if cache is not None else None
    if key is not None:
        found = load_tables(cache, key)  # type: ignore[arg-type]
        if found is not None:
            return rows(found.head, found.since, found.owners, found.directories)
    history = context.history
    if not history.available or history.model is None:
        return {"available": False, "note": history.note, "head": None, "active_since": None,
                "owners": [], "directories": []}
    owners, directories = declared_tables(history, file_columns(context).paths, context.ownership.owners_of,
                                          cache, paths_and_owners(context), key)
    return rows(history.model.head, history.since(), owners, directories)


def _stored_key(context: ScanContext) -> Optional[str]:
    """The key of the declared rows read without the history model: the history's settings and
    HEAD (:func:`~repo_roles.history.stage.history_key`, asked once per scan and shared with
    the history rules), the active window, the roster and identities, and
    :func:`paths_and_owners`.  None when one of them is missing (no complete history, picked
    targets)."""
    standing = paths_and_owners(context)
    if standing is None:
        return None
    from repo_roles.history.declared import stored_key
    from repo_roles.history.identity import Identities
    from repo_roles.history.stage import history_key

    if "_history_key" not in context.__dict__:  # the history rules keep it under this name too
        context.__dict__["_history_key"] = history_key(context.inventory, context.config)
    base = context.__dict__["_history_key"]
    if base is None:
        return None
    settings = context.config.history
    identities = Identities(context.config.teams, settings.identities, settings.bots)
    return stored_key(base, context.inventory.prefix, settings.active_days, identities.key, standing)


def paths_and_owners(context: ScanContext) -> Optional[str]:
    """A digest standing for every target path with its owners, from digests the scan computed
    already: the path list's (:meth:`Inventory.paths_digest`, after the configuration's
    include/exclude), the scope, and the ownership inputs (:attr:`Ownership.inputs_key`: a
    file's owners follow from its path and those).  None when the targets were picked
    (``check FILES``) or the ownership has no such key: then the paths are hashed one by one."""
    key = context.ownership.inputs_key
    if key is None or context.context_from_index:
        return None
    inventory = context.inventory
    return "\0".join((inventory.paths_digest(), inventory.scope, key))


def build(context: ScanContext, summary: AuditSummary, *, items: bool = False, tree: bool = True) -> dict:
    """The audit document of one scan.  ``items``: list every finding (``--findings``);
    ``tree``: include the directory tree (the HTML treemap; JSON keeps it too)."""
    scope = context.inventory.scope
    scope_depth = len(scope.split("/")) if scope else 0
    findings, rules, per_path = _findings(context, scope_depth)
    roster = bool(context.config.teams)
    doc: dict = {
        "schema": SCHEMA_ID,
        "version": SCHEMA_VERSION,
        "tool": {"name": "repo-roles", "version": __version__},
        "project": {
            "root": str(context.root),
            "scope": scope,
            "config": context.config.path.name if context.config.path else None,
        },
        "files": summary.total_files,
        "roles": dict(summary.by_role),
        "directories": [
            {"directory": d.directory, "files": d.files, "backend": d.by_side.get("backend", 0),
             "frontend": d.by_side.get("frontend", 0), "other": d.by_side.get("other", 0), "side": d.side}
            for d in summary.directories
        ],
        "ownership": {
            "file": summary.ownership_file,
            "dialect": summary.ownership_dialect,
            "dialect_reason": summary.ownership_dialect_reason,
            "roster": roster,
            "unowned": sum(summary.unowned_by_role.values()),
            "unowned_by_role": dict(summary.unowned_by_role),
        },
        "teams": [
            {"owner": t.owner, "files": t.files, "by_role": dict(t.by_role),
             "in_roster": t.in_roster if roster else None, "responsible": list(t.responsible)}
            for t in summary.teams
        ],
        "docs": {
            "required": list(summary.docs_required),
            "by_role": _ratio_rows(summary.docs_by_role, "covered", "total"),
            "by_side": _ratio_rows(summary.docs_by_side, "covered", "total"),
            "by_owner": _ratio_rows(summary.docs_by_owner, "covered", "total"),
            "by_directory": _ratio_rows(summary.docs_by_directory, "covered", "total"),
            "not_measured": not_measured(context),
            "by_language": [
                {"language": language, "measured": measured, "left_out": dict(sorted(left.items()))}
                for language, (measured, left) in summary.docs_by_language.items()
            ],
        },
        "tests": {
            "required": list(summary.tests_required),
            "evidence": list(summary.tests_evidence),
            "by_side": _ratio_rows(summary.tests_by_side, "tested", "modules"),
            "by_owner": _ratio_rows(summary.tests_by_owner, "tested", "modules"),
            "by_directory": _ratio_rows(summary.tests_by_directory, "tested", "modules"),
        },
        "declared": declared(context),
        "findings": findings,
        "rules": rules,
        "items": [_item(f) for f in context.findings] if items else None,
        "tree": build_tree(context, per_path) if tree else None,
        "compare": None,
    }
    return doc


def _item(f) -> dict:
    return {"rule": f.rule_id, "severity": f.severity, "path": f.path, "line": f.line,
            "column": f.column, "message": f.message}


def percent(part: int, whole: int) -> Optional[float]:
    """``part`` of ``whole`` in percent, ``None`` when there is nothing to count."""
    return 100.0 * part / whole if whole else None


def pairs(rows: Iterable[dict], a: str, b: str) -> Dict[str, Tuple[int, int]]:
    """``[{"name", a, b}]`` rows back into ``{name: (a, b)}``."""
    return {row["name"]: (row[a], row[b]) for row in rows}


def names(rows: Sequence[dict], key: str) -> List[str]:
    return [row[key] for row in rows]
