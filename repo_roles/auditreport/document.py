"""Build the audit document once: every figure any audit format shows, as plain JSON data.

The document is what ``audit --format json`` prints, what the HTML page embeds and what
``--compare`` reads back; the terminal and Markdown renderings are views of it.  Its shape is
``audit.schema.json`` (validated in the tests); bump :data:`SCHEMA_VERSION` on any change that
is not an added optional key.
"""

from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path
from itertools import compress, filterfalse
from operator import itemgetter, methodcaller
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from repo_roles import __version__
from repo_roles.auditreport.findings_block import findings_block
from repo_roles.auditreport.findings_block import top as _top
from repo_roles.coverage import colfile
from repo_roles.coverage.languages import EXTENSIONS
from repo_roles.findings import PATH, column_of
from repo_roles.scan import ScanContext
from repo_roles.summary import AuditSummary, FileColumns, file_columns
from repo_roles.summarycache import report_entry

SCHEMA_ID = "repo-roles-audit"
SCHEMA_VERSION = 1


def _ratio_rows(groups: Dict[str, Tuple[int, int]], a: str, b: str) -> List[dict]:
    return [{"name": name, a: x, b: y} for name, (x, y) in groups.items()]


def not_measured(context: ScanContext) -> dict:
    """Files of the ``docs.require`` roles that no documentation analyzer reads, by language
    (``Scala 1,200``, names from ``rules/languages.toml``; an extension not in it stands for
    itself) and by extension: the coverage figures say nothing about them.

    A whole cached scan keeps the answer under a key of everything it is made of (the tool's
    files, the configuration, where the project sits and its scope, the path list's digest,
    every target's role, the symlinks and submodules): a run after an edit of file contents
    that moves no role reads it back."""
    columns = file_columns(context)
    special = context.inventory.special_kinds()  # symlinks and submodules: no file to measure
    store = _NotMeasured.of(context, columns, special)
    found = store.load() if store is not None else None
    if found is None:
        found = _count_not_measured(context, columns, special)
        if store is not None:
            store.save(found)
    return found


def _count_not_measured(context: ScanContext, columns: FileColumns, special: Dict[str, str]) -> dict:
    required = set(context.config.docs.require)
    paths = compress(columns.paths, map(required.__contains__, columns.roles))
    if special:
        paths = filterfalse(special.__contains__, paths)
    file_names = list(map(itemgetter(2), map(_SLASH, paths)))
    # (separator, suffix) of each name at C speed; a name whose only dot leads it (".bashrc")
    # has no extension: counted by suffix, then moved to "(none)"
    by_suffix = Counter(map(itemgetter(1, 2), map(_DOT, file_names)))
    hidden = Counter(name[1:] for name in compress(file_names, map(_LEADING_DOT, file_names)) if "." not in name[1:])
    by_ext: Counter = Counter()
    for (dot, suffix), count in by_suffix.items():
        if dot:
            count -= hidden.get(suffix, 0)
            if count:
                by_ext["." + suffix] += count
        else:
            by_ext["(none)"] += count
    if hidden:
        by_ext["(none)"] += sum(hidden.values())
    for ext in [ext for ext in by_ext if ext in EXTENSIONS]:
        del by_ext[ext]
    names = language_names()
    by_language: Counter = Counter()
    for ext, count in by_ext.items():
        by_language[names.get(ext.lower(), ext)] += count
    return {"files": sum(by_ext.values()), "by_language": _top(by_language, len(by_language)),
            "by_extension": _top(by_ext, len(by_ext))}


class _NotMeasured:
    """The stored :func:`not_measured` answer of one project (a checksummed ``colfile`` whose
    JSON header holds the key and the answer; a damaged or foreign file is a miss)."""

    MAGIC = b"repo-roles audit not measured\n"
    FORMAT = 1

    def __init__(self, path: Path, key: str) -> None:
        self.path = path
        self.key = key

    @classmethod
    def of(cls, context: ScanContext, columns: FileColumns, special: Dict[str, str]) -> Optional["_NotMeasured"]:
        def key_values() -> Optional[tuple]:
            codes = columns.role_codes
            if codes is None:
                return None
            return (context.inventory.paths_digest(), len(columns.paths), codes,
                    "\0".join(f"{path}\1{kind}" for path, kind in sorted(special.items())))

        entry = report_entry(context, "not-measured", cls.FORMAT, key_values, owners=False)
        return cls(*entry) if entry is not None else None

    def load(self) -> Optional[dict]:
        found = colfile.unpack(colfile.read(self.path), self.MAGIC, 0)
        if found is None or found[0].get("key") != self.key:
            return None
        value = found[0].get("value")
        if not (isinstance(value, dict) and type(value.get("files")) is int
                and all(isinstance(value.get(k), list) and all(_is_count(row) for row in value[k])
                        for k in ("by_language", "by_extension"))):
            return None
        return value

    def save(self, value: dict) -> None:
        colfile.write(self.path, colfile.pack(self.MAGIC, {"key": self.key, "value": value}, []))


def _is_count(row: object) -> bool:
    return isinstance(row, list) and len(row) == 2 and isinstance(row[0], str) and type(row[1]) is int


_SLASH, _DOT, _LEADING_DOT = methodcaller("rpartition", "/"), methodcaller("rpartition", "."), methodcaller("startswith", ".")


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
    from repo_roles.history.stage import scan_history_key

    base = scan_history_key(context)
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
    findings, rules = findings_block(context, scope_depth)
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
        "tree": _tree(context) if tree else None,
        "compare": None,
    }
    return doc


def _tree(context: ScanContext) -> dict:
    """The directory tree (imported only for the formats that show it: json, html)."""
    from repo_roles.auditreport.tree import build_tree

    return build_tree(context, Counter(column_of(context.findings, PATH)))


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
