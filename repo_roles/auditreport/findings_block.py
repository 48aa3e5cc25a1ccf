"""The audit's findings block (counts by rule, severity, owning team and directory; the worst
files and directories), counted per stretch of the sorted findings and kept by content.

The engine returns the findings sorted by path, so the findings of one path sit together and a
*segment* -- the findings from one boundary path up to the next -- holds every finding of its
paths.  Each segment is counted on its own into a *part* (by rule and severity; per rule and per
owning team the number of files and their :data:`FILES_PER_GROUP` worst; by top directory and
by parent directory; the :data:`TOP` worst files), and the block is the sum of the parts: the
paths of two segments never meet, so the worst files of the whole are among the worst of the
parts (ties broken by path in both), and every other figure is a sum.

A whole-project audit with the cache keeps its parts in one file per project (through
:mod:`repo_roles.coverage.colfile`: checksummed, written atomically, a damaged file is a miss)
with the boundary paths and a digest of each segment's content -- its rule ids, severities and
paths, in order.  The next run finds the same boundaries in its own findings by binary search
and counts only the segments whose digest changed: after an edit of 20 modules, the few
segments holding their findings.  Everything else a part depends on is in the entry's key: the
tool's files, the configuration, where the project sits and its scope, and the ownership
inputs (:attr:`Ownership.inputs_key`: a path's owners follow from the path and those).  Without
a key (no ownership key, no cache) or when the findings are not sorted by path, the whole list
is one segment counted afresh: the same code, the same answer.
"""

from __future__ import annotations

import bisect
import hashlib
import heapq
import marshal
from collections import Counter
from itertools import compress, islice
from itertools import count as numbering
from operator import itemgetter, lt
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

from repo_roles.checks.registry import RULES
from repo_roles.coverage import colfile
from repo_roles.coverage import figures
from repo_roles.findings import PATH, RULE_ID, SEVERITY, FindingTable, column_of
from repo_roles.scan import ScanContext
from repo_roles.summary import owners_column
from repo_roles.summarycache import report_entry

FORMAT = 3  # 2: the summed block stored too; 3: each segment's row key too
MAGIC = b"repo-roles audit findings parts\n"
TOP = 10  # the "worst places" lists
FILES_PER_GROUP = 200  # files listed under one rule or team (the rest are counted)
REPOSITORY_WIDE = "."  # a finding without a path (the ownership file's absence, the roster)
SEGMENT = 4096  # findings per segment when boundaries are chosen
_NO_KEY = bytes(16)  # a segment without a row key (FindingTable.row_key)
_REKEY_SHARE = 4  # past 1/4 of the segments with new row keys and the same content, the keys are stored
MAX_SEGMENTS = 1024  # past this many (after many splits), boundaries are chosen afresh

# A part, as stored (marshal: lists, dicts, strings and ints only):
_SEVERITIES, _RULE_FILES, _TEAMS, _BY_TOP, _BY_DIR, _TOP_FILES = range(6)


def top(counter: Mapping[str, int], n: int) -> List[list]:
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


def _parent(path: str) -> str:
    head = path.rpartition("/")[0]
    return head + "/" if head else REPOSITORY_WIDE


def _top_directory(path: str, scope_depth: int) -> str:
    parts = path.split("/")[:-1]
    if len(parts) <= scope_depth:
        return REPOSITORY_WIDE
    return "/".join(parts[: scope_depth + 1]) + "/"


def _or_nobody(owners: Tuple[str, ...]) -> Tuple[str, ...]:
    return owners or (figures.NO_OWNER,)


def _part(context: ScanContext, rule_ids: Sequence[str], severities: Sequence[str], paths: Sequence[str],
          scope_depth: int) -> list:
    """The counts of one segment (columns of its findings), as :func:`findings_block` sums them.

    Counted at C speed (``Counter`` over zipped columns); owners and directories are looked up
    once per distinct path (owners by a C-level pass, :func:`owners_column`) and summed once
    per distinct owner list, never once per finding."""
    by_severity = [[rule_id, severity, count]
                   for (rule_id, severity), count in Counter(zip(rule_ids, severities)).items()]
    rule_files: Dict[str, Dict[str, int]] = {}
    for (rule_id, path), count in Counter(zip(rule_ids, paths)).items():
        files = rule_files.get(rule_id)
        if files is None:
            files = rule_files[rule_id] = {}
        files[path or REPOSITORY_WIDE] = count
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
    for (rule_id, number), count in Counter(zip(rule_ids, map(number_of.__getitem__, paths))).items():
        for owner in owner_lists[number]:
            by_team[owner] += count
            rules = team_rules.get(owner)
            if rules is None:
                rules = team_rules[owner] = Counter()
            rules[rule_id] += count
    team_files: Dict[str, Dict[str, int]] = {}  # a path has one owner list: no sums needed
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
    if "" in by_path:
        by_path[REPOSITORY_WIDE] = by_path.pop("")
    return [
        by_severity,
        {rule_id: [len(files), top(files, FILES_PER_GROUP)] for rule_id, files in rule_files.items()},
        {owner: [count, dict(team_rules[owner]), len(team_files[owner]), top(team_files[owner], FILES_PER_GROUP)]
         for owner, count in by_team.items()},
        dict(by_top),
        dict(by_dir),
        top(by_path, TOP),
    ]


def _sum(parts: Sequence[list], total: int) -> Tuple[dict, Dict[str, dict]]:
    """The findings block and the rules' descriptions from the parts, in segment order."""
    severities: Dict[str, Counter] = {}
    by_rule: Counter = Counter()
    rule_totals: Counter = Counter()
    rule_best: Dict[str, List[List[list]]] = {}  # each part's worst files, most first
    by_team: Counter = Counter()
    team_rules: Dict[str, Counter] = {}
    team_totals: Counter = Counter()
    team_best: Dict[str, List[List[list]]] = {}
    by_top: Counter = Counter()
    by_dir: Counter = Counter()
    best_files: List[List[list]] = []
    for part in parts:
        for rule_id, severity, count in part[_SEVERITIES]:
            by_rule[rule_id] += count
            counts = severities.get(rule_id)
            if counts is None:
                counts = severities[rule_id] = Counter()
            counts[severity] += count
        for rule_id, (files, best) in part[_RULE_FILES].items():
            rule_totals[rule_id] += files
            rule_best.setdefault(rule_id, []).append(best)
        for owner, (count, rules, files, best) in part[_TEAMS].items():
            by_team[owner] += count
            team_totals[owner] += files
            team_rules.setdefault(owner, Counter()).update(rules)
            team_best.setdefault(owner, []).append(best)
        by_top.update(part[_BY_TOP])
        by_dir.update(part[_BY_DIR])
        best_files.append(part[_TOP_FILES])
    rules: Dict[str, dict] = {}
    rule_rows = []
    for rule_id, count in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
        rule = RULES.get(rule_id)
        rules[rule_id] = {
            "name": rule.name if rule else rule_id,
            "summary": rule.summary if rule else "",
            "doc": rule.doc if rule else "",
        }
        rule_rows.append({
            "rule": rule_id,
            "name": rules[rule_id]["name"],
            "severity": severities[rule_id].most_common(1)[0][0],
            "count": count,
            "files_total": rule_totals[rule_id],
            "files": _first(rule_best[rule_id], FILES_PER_GROUP),
        })
    team_rows = [
        {
            "owner": owner,
            "count": count,
            "rules": dict(sorted(team_rules[owner].items())),
            "files_total": team_totals[owner],
            "files": _first(team_best[owner], FILES_PER_GROUP),
        }
        for owner, count in sorted(by_team.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    severity_total: Counter = Counter()
    for counts in severities.values():
        severity_total.update(counts)
    block = {
        "total": total,
        "by_severity": {s: severity_total.get(s, 0) for s in ("error", "warning", "info")},
        "by_rule": rule_rows,
        "by_team": team_rows,
        "by_directory": top(by_top, len(by_top)),
        "top_files": _first(best_files, TOP),
        "top_directories": top(by_dir, TOP),
    }
    return block, rules


def _first(tops: List[List[list]], n: int) -> List[list]:
    """The ``n`` first of the parts' :func:`top` lists (each most first, ties by key; no key in
    two parts) in that order: :func:`top` of their union, merged without a look at the rest."""
    if len(tops) == 1:
        return tops[0][:n]
    return [list(pair) for pair in islice(heapq.merge(*tops, key=_most_first), n)]


def _most_first(pair: list) -> tuple:
    return -pair[1], pair[0]



class _Columns:
    """The columns a segment is counted and digested from: a table's stretch picked when asked
    (:meth:`FindingTable.column_range`: a run that counts a few segments afresh picks no other
    row), a list's columns made once."""

    def __init__(self, findings: Sequence, paths: List[str]) -> None:
        self._findings = findings
        self._paths = paths
        self._whole: Dict[int, list] = {}

    def slices(self, lo: int, hi: int) -> Tuple[list, list, list]:
        """``(rule ids, severities, paths)`` of the findings ``lo:hi``."""
        findings = self._findings
        if isinstance(findings, FindingTable):
            return findings.column_range(RULE_ID, lo, hi), findings.column_range(SEVERITY, lo, hi), self._paths[lo:hi]
        if not self._whole:
            self._whole = {RULE_ID: column_of(findings, RULE_ID), SEVERITY: column_of(findings, SEVERITY)}
        return self._whole[RULE_ID][lo:hi], self._whole[SEVERITY][lo:hi], self._paths[lo:hi]

    def digest(self, lo: int, hi: int) -> bytes:
        """:func:`_digest` of the findings ``lo:hi``."""
        rule_ids, severities, paths = self.slices(lo, hi)
        return _digest(rule_ids, severities, paths, 0, hi - lo)

    def row_key(self, lo: int, hi: int) -> bytes:
        """:meth:`FindingTable.row_key` of the findings ``lo:hi`` (:data:`_NO_KEY`: none)."""
        findings = self._findings
        found = findings.row_key(lo, hi) if isinstance(findings, FindingTable) else None
        return found or _NO_KEY


def findings_block(context: ScanContext, scope_depth: int, *, store: bool = True) -> Tuple[dict, Dict[str, dict]]:
    """The findings block of the audit document and the description of each rule in it
    (``store``: False counts every segment afresh and stores nothing).

    A segment whose findings are the same rows of the same stored findings as when its part
    was stored (its *row key*, :meth:`FindingTable.row_key`) is not digested: its content is
    the stored one; any other segment is digested as its content."""
    findings = context.findings
    paths = column_of(findings, PATH)
    whole = len(paths)
    # a table is the engine's sorted findings, sorted by construction (FindingTable): not checked
    store = _Store.of(context) if store and (isinstance(findings, FindingTable) or _sorted(paths)) else None
    stored = store.load() if store is not None else None
    columns = _Columns(findings, paths)
    bounds: List[str] = stored.bounds if stored is not None else []
    starts = [0, *(bisect.bisect_left(paths, b) for b in bounds), whole]
    parts: List[list] = []
    digests: List[bytes] = []
    keys: List[bytes] = []
    new_bounds: List[str] = []
    fresh = 0
    for at in range(len(starts) - 1):
        lo, hi = starts[at], starts[at + 1]
        key = columns.row_key(lo, hi) if store is not None else _NO_KEY
        if stored is not None and key != _NO_KEY and stored.keys[at] == key:
            parts.append(at)  # the same rows as stored: the same content (the stored part, read below if needed)
            digests.append(stored.digests[at])
            keys.append(key)
        else:
            digest = columns.digest(lo, hi) if store is not None else b""
            if stored is not None and stored.digests[at] == digest:
                parts.append(at)
                digests.append(digest)
                keys.append(key)
            else:
                fresh += 1
                # a segment counted afresh is cut at SEGMENT findings (paths kept whole)
                cuts = [lo]
                while store is not None and hi - cuts[-1] > 2 * SEGMENT:
                    cut = bisect.bisect_left(paths, paths[cuts[-1] + SEGMENT], cuts[-1], hi)
                    if cut <= cuts[-1]:  # one path holds SEGMENT findings: cut after them
                        cut = bisect.bisect_right(paths, paths[cuts[-1]], cuts[-1], hi)
                    if cut >= hi:
                        break
                    cuts.append(cut)
                for piece, (a, b) in enumerate(zip(cuts, cuts[1:] + [hi])):
                    picked = columns.slices(a, b)  # once for the part and its digest
                    parts.append(_part(context, *picked, scope_depth))
                    if (a, b) == (lo, hi):  # not cut: the segment's own digest and key
                        digests.append(digest)
                        keys.append(key)
                    else:
                        digests.append(_digest(*picked, 0, b - a) if store is not None else b"")
                        keys.append(columns.row_key(a, b) if store is not None else _NO_KEY)
                    if piece:
                        new_bounds.append(paths[a])
        if at < len(bounds):
            new_bounds.append(bounds[at])
    del paths, columns
    if stored is not None and not fresh:  # every segment as stored: the stored sum
        summed = stored.summed()
        if summed is not None:
            # the same content in other rows (the stored findings were written again): their keys
            # stored when many are new, so the next run digests none of them (a few segments
            # digested again cost less than writing the entry)
            renamed = sum(key != _NO_KEY and key != old for key, old in zip(keys, stored.keys))
            if renamed * _REKEY_SHARE > len(keys):
                store.save(new_bounds, digests, keys, stored.raw_parts(), summed)
            return summed
    if stored is not None and len(parts) > fresh:
        stored_parts = stored.parts()
        if stored_parts is None:  # not sound: counted afresh, and the next run chooses afresh
            store.save([], [], [], [], None)
            return findings_block(context, scope_depth, store=False)
        parts = [stored_parts[p] if isinstance(p, int) else p for p in parts]
    block = _sum(parts, whole)
    if store is not None:  # none stored, a segment fresh, or a stored sum not sound
        if len(parts) > MAX_SEGMENTS:  # choose the boundaries afresh next time
            store.save([], [], [], [], None)
        else:
            store.save(new_bounds, digests, keys, parts, block)
    return block


def _sorted(paths: List[str]) -> bool:
    """Whether ``paths`` are in order: compared with their sort, which finds one ascending run
    with string comparisons specialised for a list of strings (~2x quicker than comparing the
    neighbours through ``operator.le``; the same answer)."""
    return paths == sorted(paths)


def _digest(rule_ids: Sequence[str], severities: Sequence[str], paths: Sequence[str], lo: int, hi: int) -> bytes:
    """What a segment's part depends on: its findings' rule ids, severities and paths, in order
    (no path holds a NUL; rule ids and severities hold no separator)."""
    h = hashlib.sha256()  # (SHA-NI makes it ~4x quicker than blake2b on these ~14 MB)
    h.update(str(hi - lo).encode())
    for column in (rule_ids, severities, paths):
        h.update(b"\1")
        h.update("\0".join(column[lo:hi]).encode("utf-8", "surrogatepass"))
    return h.digest()[:16]


class _Store:
    """One project's parts, boundaries and digests in one checksummed file under its key."""

    def __init__(self, path: Path, key: str) -> None:
        self.path = path
        self.key = key

    @classmethod
    def of(cls, context: ScanContext) -> Optional["_Store"]:
        """The store of a whole-project cached scan whose owners can be keyed; else None (one
        file per project and scope: an audit of a sub-directory keeps its own)."""
        entry = report_entry(context, "findings-parts", FORMAT)
        return cls(*entry) if entry is not None else None

    def load(self) -> Optional["_Stored"]:
        """The stored boundaries and digests (the parts and their sum read on demand), or None
        (missing, of another key, damaged)."""
        found = colfile.unpack(colfile.read(self.path), MAGIC, 4)
        if found is None:
            return None
        header, (digests, keys, parts, summed) = found
        try:
            if header.get("key") != self.key:
                return None
            bounds = header["bounds"]
            width = 16
            if not (isinstance(bounds, list) and all(type(b) is str for b in bounds)
                    and all(map(lt, bounds, islice(bounds, 1, None)))
                    and len(digests) == width * (len(bounds) + 1) and len(keys) == len(digests)):
                return None
            raw, raw_keys = bytes(digests), bytes(keys)
            return _Stored(bounds, [raw[i:i + width] for i in range(0, len(raw), width)],
                           [raw_keys[i:i + width] for i in range(0, len(raw_keys), width)], parts, summed)
        except (ValueError, TypeError, KeyError):
            return None

    def save(self, bounds: List[str], digests: List[bytes], keys: List[bytes], parts: Union[List[list], bytes],
             summed: Optional[Tuple[dict, Dict[str, dict]]]) -> None:
        """Write the entry (best effort: a failure only costs time); ``parts`` as a list, or as
        the bytes a stored entry holds them in (:meth:`_Stored.raw_parts`)."""
        colfile.write(self.path, colfile.pack(MAGIC, {"key": self.key, "bounds": bounds}, [
            b"".join(digests), b"".join(keys), parts if isinstance(parts, bytes) else marshal.dumps(parts),
            marshal.dumps(summed) if summed is not None else b""]))


class _Stored:
    """One read entry: boundaries and digests decoded, the parts and the block they sum to kept
    as bytes until asked (a run whose every segment is as stored reads only the sum)."""

    def __init__(self, bounds: List[str], digests: List[bytes], keys: List[bytes], parts: memoryview,
                 summed: memoryview) -> None:
        self.bounds = bounds
        self.digests = digests
        self.keys = keys  # each segment's row key when stored (FindingTable.row_key; _NO_KEY: none)
        self._parts = parts
        self._summed = summed

    def raw_parts(self) -> bytes:
        """The parts as stored (marshal bytes, not decoded), to be stored again as they are."""
        return bytes(self._parts)

    def parts(self) -> Optional[List[list]]:
        """Each segment's part, or None when they are not sound (checked by the file's
        checksum; the shape is checked here)."""
        try:
            loaded = marshal.loads(self._parts)
        except (ValueError, TypeError, EOFError):
            return None
        if not (isinstance(loaded, list) and len(loaded) == len(self.bounds) + 1
                and all(_sound(p) for p in loaded)):
            return None
        return loaded

    def summed(self) -> Optional[Tuple[dict, Dict[str, dict]]]:
        """The block and rule descriptions the parts summed to, or None."""
        try:
            loaded = marshal.loads(self._summed)
        except (ValueError, TypeError, EOFError):
            return None
        if not (isinstance(loaded, tuple) and len(loaded) == 2 and isinstance(loaded[0], dict)
                and isinstance(loaded[1], dict)):
            return None
        return loaded


def _sound(part: object) -> bool:
    """The shape of a part (its numbers and names are covered by the file's checksum)."""
    return (isinstance(part, list) and len(part) == 6 and isinstance(part[_SEVERITIES], list)
            and all(isinstance(part[i], dict) for i in (_RULE_FILES, _TEAMS, _BY_TOP, _BY_DIR))
            and isinstance(part[_TOP_FILES], list))
