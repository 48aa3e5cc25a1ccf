"""Projects with the same top-level directory names share one cache directory without evicting
each other's snapshots (issue 13: "keep the cache bounded", "the worst case is a slower run").

Both projects below are laid out ``app/ docs/ tests/`` (so :func:`key_of_paths` groups them
together) with different contents; each takes its own slot of the group, found again by a sample
of its files, so a changed run of either one recomputes only what changed.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from repo_roles import cachedir, projectslots
from repo_roles.config import load_config
from repo_roles.inventory import load_inventory
from repo_roles.scan import scan_project
from tests.conftest import git, record_calls, write_files


def project(name: str, count: int = 30) -> Dict[str, str]:
    files = {f"app/{name}_{i}.py": f'"""{name} module {i}."""\n\n\ndef f{i}():\n    return {i}\n' for i in range(count)}
    files.update({f"tests/test_{name}_{i}.py": f"from app.{name}_{i} import f{i}\n\n\ndef test_{i}():\n    assert f{i}()\n"
                  for i in range(0, count, 3)})
    files[f"docs/{name}.md"] = f"# {name}\n"
    return files


pytestmark = pytest.mark.usefixtures("cache_for_any_size")  # conftest.cache_for_any_size


def _scan(root: Path) -> Tuple[Dict[str, tuple], List[str]]:
    """``(path -> classification, paths classified afresh)``, the classifications checked
    against a run without any cache."""
    context = scan_project(root, load_config(None), use_cache=True)
    roles = {path: tuple(c) for path, c in context.classifications.items()}
    fresh = scan_project(root, load_config(None), use_cache=False)
    assert roles == {path: tuple(c) for path, c in fresh.classifications.items()}
    memo = context.classifier.roles
    return roles, (memo.live if memo is not None else sorted(roles))


def _edit(root: Path, path: str) -> None:
    with open(root / path, "a") as handle:
        handle.write("# changed\n")
    git(root, "commit", "-qam", f"edit {path}")


def _alternate(make_repo) -> Tuple[List[str], List[str]]:
    """A and B cold, then a one-file change of each, in turn: what each changed run classified."""
    a, b = make_repo(project("alpha")), make_repo(project("beta"))
    assert cachedir.key_of_paths(load_inventory(a).paths) == cachedir.key_of_paths(load_inventory(b).paths)
    _scan(a)
    _scan(b)
    _edit(a, "app/alpha_4.py")
    _, live_a = _scan(a)
    _edit(b, "app/beta_7.py")
    _, live_b = _scan(b)
    return live_a, live_b


def test_two_projects_of_one_layout_keep_their_own_snapshots(make_repo) -> None:
    live_a, live_b = _alternate(make_repo)
    assert live_a == ["app/alpha_4.py"]
    assert live_b == ["app/beta_7.py"]
    slots = list((Path(os.environ["REPO_ROLES_CACHE_DIR"]) / projectslots.DIRECTORY).glob("*.json"))
    assert len(slots) == 1 and len(json.loads(slots[0].read_text())["slots"]) == 2


def test_with_one_slot_a_group_thrashes_as_before(make_repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same sequence with one slot per group (what ``key_of_paths`` alone gave): each changed
    run classifies every file again, since the other project's run replaced its tables."""
    monkeypatch.setattr(projectslots, "SLOTS", 1)
    live_a, live_b = _alternate(make_repo)
    assert len(live_a) > 30 and len(live_b) > 30


def test_an_edit_a_new_file_and_a_branch_switch_keep_the_slot(make_repo) -> None:
    root = make_repo(project("alpha"))
    other = make_repo(project("beta"))
    first = cachedir.project_key(load_inventory(root))
    second = cachedir.project_key(load_inventory(other))
    assert first != second and first == cachedir.key_of_paths(load_inventory(root).paths)  # slot 0: the group
    git(root, "checkout", "-qb", "topic")
    _edit(root, "app/alpha_1.py")
    write_files(root, {"app/alpha_new.py": "x = 1\n", "tests/test_alpha_new.py": "def test():\n    pass\n"})
    git(root, "add", "-A")
    git(root, "commit", "-qm", "new files")
    (root / "app/alpha_2.py").unlink()
    git(root, "commit", "-qam", "deleted")
    assert cachedir.project_key(load_inventory(root)) == first
    git(root, "checkout", "-q", "main")
    assert cachedir.project_key(load_inventory(root)) == first
    assert cachedir.project_key(load_inventory(other)) == second


def test_a_fifth_project_takes_the_least_recently_used_slot(make_repo, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter(range(1_000_000, 2_000_000, 100))
    monkeypatch.setattr(projectslots.time, "time", lambda: next(clock))
    roots = [make_repo(project(name, 6)) for name in ("p0", "p1", "p2", "p3", "p4")]
    keys = [cachedir.project_key(load_inventory(r)) for r in roots[:4]]
    assert len(set(keys)) == 4
    cachedir.project_key(load_inventory(roots[0]))  # p0 used again: p1 is now the oldest
    assert cachedir.project_key(load_inventory(roots[4])) == keys[1]
    assert cachedir.project_key(load_inventory(roots[0])) == keys[0]


@pytest.mark.parametrize("damage", [b"", b"{\"format\": 1, \"slots\": [", b"\0\1garbage",
                                    b"{\"format\": 1, \"slots\": [{\"slot\": 9, \"used\": 1, \"files\": 1, \"sample\": []}]}",
                                    b"{\"format\": 1, \"slots\": [{\"slot\": 1, \"used\": 1, \"files\": 1, \"sample\": [[1, 2]]}]}"])
def test_a_damaged_registry_is_read_as_empty(make_repo, damage: bytes) -> None:
    """Truncated, garbage or ill-typed: no slot is trusted, the run still equals --no-cache and
    the registry is written again."""
    a, b = make_repo(project("alpha")), make_repo(project("beta"))
    _scan(a)
    _scan(b)
    (registry,) = (Path(os.environ["REPO_ROLES_CACHE_DIR"]) / projectslots.DIRECTORY).glob("*.json")
    registry.write_bytes(damage)
    _scan(b)  # takes slot 0 (the registry was lost): a slower run, the same answer
    _scan(a)
    assert len(json.loads(registry.read_text())["slots"]) == 2


def test_a_registry_behind_a_symlink_is_not_read(make_repo, tmp_path: Path) -> None:
    a = make_repo(project("alpha"))
    group = cachedir.key_of_paths(load_inventory(a).paths)
    directory = Path(os.environ["REPO_ROLES_CACHE_DIR"]) / projectslots.DIRECTORY
    directory.mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere.json"  # a registry the project would match, were it read
    inventory = load_inventory(a)
    elsewhere.write_text(json.dumps({"format": 1, "slots": [{"slot": 2, "used": 1, "files": len(inventory.paths),
                                                             "sample": projectslots.take_sample(inventory)}]}))
    (directory / (group.replace(":", "-") + ".json")).symlink_to(elsewhere)
    assert cachedir.project_key(load_inventory(a)) == group  # the link was not followed
    assert json.loads(elsewhere.read_text())["slots"][0]["slot"] == 2  # nor written through


def test_concurrent_runs_of_two_projects_take_two_slots(make_repo) -> None:
    """Runs at once (threads here; the lock is an flock, so processes too): each project gets a
    slot of its own, and the registry holds both."""
    roots = [make_repo(project(name, 6)) for name in ("p0", "p1", "p2")]
    inventories = [load_inventory(r) for r in roots] * 3
    keys: List[str] = [""] * len(inventories)

    def run(i: int) -> None:
        keys[i] = projectslots.choose(cachedir.user_cache_root(), cachedir.key_of_paths(inventories[i].paths),
                                      inventories[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(inventories))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 3 and keys[:3] == keys[3:6] == keys[6:]


def test_a_few_files_run_reads_the_slot_a_whole_run_chose(make_repo, run_cli, monkeypatch) -> None:
    """``check FILES`` (a stored path table instead of the whole listing) finds the slot of its
    project by the same sample, and writes no registry."""
    a, b = make_repo(project("alpha")), make_repo(project("beta"))
    for root in (a, b):
        assert run_cli("check", str(root)).exit_code in (0, 1)
    from repo_roles.scan import _few_files_inventory

    registry = next((Path(os.environ["REPO_ROLES_CACHE_DIR"]) / projectslots.DIRECTORY).glob("*.json"))
    before = registry.read_bytes()
    for root in (a, b):
        few = _few_files_inventory(root, load_config(None))
        if few is None:  # a table is made on the first run on given files
            assert run_cli("check", str(root / "app/alpha_1.py" if root == a else root / "app/beta_1.py")).exit_code in (0, 1)
            few = _few_files_inventory(root, load_config(None))
        assert few is not None and "_cache_project_group" in few.__dict__
        writes = record_calls(monkeypatch, projectslots, "_write")
        chosen = cachedir.project_key(few)
        assert writes == [], "the few-files run wrote the registry"
        assert chosen == cachedir.project_key(load_inventory(root))
    assert registry.read_bytes() == before
