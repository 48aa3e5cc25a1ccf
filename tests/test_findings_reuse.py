"""Findings of a rule that declares its inputs are reused while those inputs stay the same
(issue 13: "keep what a run computes (... findings) keyed by content"; ``checks/reuse.py``)."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import List

import pytest

from repo_roles.checks import engine
from repo_roles.checks.registry import RULES, iter_rules
from repo_roles.checks.reuse import OWNERSHIP_AND_PATHS
from repo_roles.findings import Finding
from repo_roles.scan import scan
from tests.conftest import git, write_files

CODEOWNERS = """\
/web/src/api/ @acme/backend
/web/ @acme/frontend
/legacy/ @acme/old
/web/src/* @acme/frontend
"""

FILES = {
    ".github/CODEOWNERS": CODEOWNERS,
    "web/src/api/orders.ts": "export const a = 1;\n",
    "web/src/app.ts": "export const b = 1;\n",
    "backend/app.py": "x = 1\n",
}


def _run(root: Path, *, use_cache: bool = True) -> List[Finding]:
    return [f for f in engine.run_checks(scan(root, use_cache=use_cache)) if f.rule_id.startswith("OWN")]


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict:
    """Count the calls of each rule that declares repository inputs."""
    calls: dict = {}
    for rule_id, rule in list(RULES.items()):
        if rule.inputs != OWNERSHIP_AND_PATHS:
            continue

        def check(context, _rule=rule):
            calls[_rule.id] = calls.get(_rule.id, 0) + 1
            return _rule.check(context)

        monkeypatch.setitem(RULES, rule_id, dataclasses.replace(rule, check=check))
    return calls


def test_the_costly_ownership_rules_declare_their_inputs() -> None:
    declared = {rule.id for rule in iter_rules() if rule.inputs == OWNERSHIP_AND_PATHS}
    assert {"OWN003", "OWN004", "OWN005", "OWN006", "OWN008", "OWN010"} <= declared


def test_content_edit_reuses_findings_whole(make_repo, counted) -> None:
    root = make_repo(FILES)
    first = _run(root)
    assert {f.rule_id for f in first} >= {"OWN003", "OWN005"}  # /legacy/ matches nothing; api/ shadowed
    assert counted == {"OWN003": 1, "OWN004": 1, "OWN005": 1, "OWN006": 1, "OWN008": 1, "OWN010": 1}
    write_files(root, {"web/src/app.ts": "export const b = 2;\n", "backend/app.py": "x = 2\n"})  # no path changes
    assert _run(root) == first
    assert counted == {"OWN003": 1, "OWN004": 1, "OWN005": 1, "OWN006": 1, "OWN008": 1, "OWN010": 1}  # not run again
    assert _run(root, use_cache=False) == first
    assert counted == {"OWN003": 2, "OWN004": 2, "OWN005": 2, "OWN006": 2, "OWN008": 2, "OWN010": 2}  # --no-cache always computes


def test_a_new_path_computes_them_again(make_repo, counted) -> None:
    root = make_repo(FILES)
    assert any(f.rule_id == "OWN003" and "/legacy/" in f.message for f in _run(root))
    write_files(root, {"legacy/old.py": "y = 1\n"})
    git(root, "add", "legacy/old.py")
    found = _run(root)
    assert counted["OWN003"] == 2
    assert not any(f.rule_id == "OWN003" and "/legacy/" in f.message for f in found)
    assert found == _run(root, use_cache=False)


def test_a_codeowners_edit_in_the_work_tree_computes_them_again(make_repo, counted) -> None:
    root = make_repo(FILES)
    _run(root)
    write_files(root, {".github/CODEOWNERS": CODEOWNERS.replace("/legacy/ @acme/old\n", "")})  # unstaged
    found = _run(root)
    assert counted["OWN003"] == 2
    assert not any("/legacy/" in f.message for f in found)
    assert found == _run(root, use_cache=False)


def test_a_config_change_computes_them_again(make_repo, counted) -> None:
    root = make_repo(FILES)
    _run(root)
    write_files(root, {"repo-roles.toml": 'exclude = ["legacy/"]\n'})
    assert _run(root) == _run(root, use_cache=False)
    assert counted["OWN005"] == 3


@pytest.mark.parametrize("damage", [b"", b"{", b'{"key": 1}', None], ids=["empty", "truncated", "other-key", "rows"])
def test_a_damaged_entry_is_a_miss(make_repo, counted, damage) -> None:
    root = make_repo(FILES)
    first = _run(root)
    entries = sorted(Path(os.environ["REPO_ROLES_CACHE_DIR"]).rglob("findings/own005-*.json"))
    assert len(entries) == 1
    if damage is None:  # a well-formed entry whose rows are not findings of this rule
        data = json.loads(entries[0].read_text())
        data["findings"] = [["OWN999", "x", "", None, None, "warning", "", None, None]]
        entries[0].write_text(json.dumps(data))
    else:
        entries[0].write_bytes(damage)
    assert _run(root) == first
    assert counted["OWN005"] == 2


def test_doc003_is_reused_until_a_manifest_changes(make_repo, monkeypatch) -> None:
    """DOC003 declares the path list and each package manifest's role, kind and blob id
    (``PATHS_AND_MANIFESTS``): a content edit elsewhere reuses its findings; a manifest edited
    in the work tree (no blob id describes it) or committed computes them again."""
    from repo_roles.checks.reuse import PATHS_AND_MANIFESTS

    rule = RULES["DOC003"]
    assert rule.inputs == PATHS_AND_MANIFESTS
    calls: List[int] = []

    def check(context):
        calls.append(1)
        return rule.check(context)

    monkeypatch.setitem(RULES, "DOC003", dataclasses.replace(rule, check=check))
    root = make_repo({**FILES, "web/package.json": '{"name": "web"}\n'})

    def doc003() -> List[Finding]:
        return [f for f in engine.run_checks(scan(root)) if f.rule_id == "DOC003"]

    first = doc003()
    assert first and len(calls) == 1
    write_files(root, {"backend/app.py": "x = 3\n"})
    assert doc003() == first and len(calls) == 1  # reused
    write_files(root, {"web/package.json": '{"name": "web", "private": true}\n'})
    assert doc003() == first and len(calls) == 2  # a modified manifest: computed
    git(root, "commit", "-qam", "manifest")
    assert doc003() == first and len(calls) == 3  # another blob id: computed again
    assert doc003() == first and len(calls) == 3


def test_manifests_found_by_the_stored_file_name_order_are_those_a_scan_finds(make_repo, monkeypatch) -> None:
    """DOC003's key names every package manifest: on a large project by binary search in the
    path list's file-name order when a run stored it (``coverage/name_order.py``), else by a
    look at every path; both find the same files."""
    from repo_roles.checks import reuse
    from repo_roles.coverage import name_order

    root = make_repo({"pyproject.toml": "[project]\nname = 'a'\n", "pkg/setup.py": "setup()\n",
                      "web/package.json": "{}\n", "web/src/package.json.bak": "{}\n", "go.mod.txt": "x\n",
                      "svc/go.mod": "module x\n", "svc/main.go": "package main\n", "a/b/Cargo.toml": "[package]\n"})
    context = scan(root)
    scanned = reuse._manifests(context)
    assert sorted(row[0] for row in scanned) == ["a/b/Cargo.toml", "pkg/setup.py", "pyproject.toml",
                                                 "svc/go.mod", "web/package.json"]
    monkeypatch.setattr(reuse, "_NAME_ORDER_MIN_PATHS", 0)
    assert reuse._stored_name_order(context) is None  # none stored yet: every path looked at
    assert reuse._manifests(context) == scanned
    name_order.of_project(context)  # stored, as test evidence stores it on a large project
    order = reuse._stored_name_order(context)
    assert order is not None
    paths = context.inventory.paths
    assert reuse._named_manifests(paths, order) == reuse._named_manifests(paths, None) == {row[0] for row in scanned}


def test_manifest_paths_remembered_under_the_path_list(make_repo, monkeypatch) -> None:
    """On a large project DOC003's manifest paths are remembered under the path list's digest:
    read back on the same list (not looked for), looked for again on another list or when the
    stored file is damaged."""
    from repo_roles.checks import reuse
    from tests.conftest import record_calls

    monkeypatch.setattr(reuse, "_NAME_ORDER_MIN_PATHS", 0)
    root = make_repo({"pyproject.toml": "[project]\nname = 'a'\n", "svc/go.mod": "module x\n", "a.py": "x = 1\n"})
    looked = record_calls(monkeypatch, reuse, "_named_manifests")
    assert reuse._manifest_paths(scan(root)) == {"pyproject.toml", "svc/go.mod"}
    assert len(looked) == 1
    assert reuse._manifest_paths(scan(root)) == {"pyproject.toml", "svc/go.mod"}
    assert len(looked) == 1, "the same path list: read back"
    stored = sorted(Path(os.environ["REPO_ROLES_CACHE_DIR"]).rglob("findings/manifests-*.bin"))
    assert len(stored) == 1
    stored[0].write_bytes(stored[0].read_bytes()[:-3] + b"xyz")  # damaged: a miss
    assert reuse._manifest_paths(scan(root)) == {"pyproject.toml", "svc/go.mod"}
    assert len(looked) == 2
    write_files(root, {"web/package.json": "{}\n"})
    git(root, "add", "web/package.json")
    assert reuse._manifest_paths(scan(root)) == {"pyproject.toml", "svc/go.mod", "web/package.json"}
    assert len(looked) == 3
