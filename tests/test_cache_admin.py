"""``repo-roles cache info|clear`` and the size cap with least-recently-used eviction (issue 13).

Conventions followed: ruff's ``ruff clean`` (https://docs.astral.sh/ruff/configuration/#full-command-line-interface)
and pre-commit's ``clean``/``gc`` (https://pre-commit.com/#pre-commit-gc): one command clears
the tool's caches; exit 0, a usage error exits 2.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

import pytest

from repo_roles.cacheadmin import evict as E
from repo_roles.cacheadmin.survey import cache_name, survey
from repo_roles.coverage import cache as C
from repo_roles.coverage import store as S
from repo_roles.errors import UsageError

FILES = {"app/a.py": '"""A."""\n\n\ndef f():\n    pass\n', "lib/b.py": "x = 1\n"}


def cache_root() -> Path:
    return Path(os.environ["REPO_ROLES_CACHE_DIR"])


def info(run_cli) -> dict:
    result = run_cli("cache", "info", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("name, expected", [
    ("docs-v6.sqlite3", "docs"), ("docs-v6.sqlite3-wal", "docs"), ("docs-v6.sqlite3-shm", "docs"),
    ("history-v5-0123456789abcdef.json", "history"), (".history-v5-0123456789abcdef.json.k2j3.tmp", "history"),
    ("declared-rows.json", "declared-rows"), ("results-v1.bin", "results"),
])
def test_cache_names_come_from_the_files(name: str, expected: str) -> None:
    assert cache_name(name) == expected


def test_info_lists_every_cache_with_size_entries_and_last_use(make_repo, run_cli) -> None:
    root = make_repo(FILES)
    assert run_cli("audit", str(root)).exit_code in (0, 1)
    later = cache_root() / "later-cache"  # a cache added by a later release, in a directory of its own
    later.mkdir()
    (later / "one.json").write_text("{}")
    data = info(run_cli)
    assert data["root"] == str(cache_root()) and data["root_from"] == "$REPO_ROLES_CACHE_DIR"
    assert data["max_size"] == E.DEFAULT_MAX_SIZE
    by_name = {c["name"]: c for c in data["caches"]}
    assert {"docs", "history", "runs", "later-cache"} <= set(by_name)
    assert by_name["docs"]["entries"] >= 2 and by_name["docs"]["size"] > 0 and by_name["docs"]["last_used"]
    assert by_name["later-cache"]["entries"] == 1
    assert by_name["runs"]["entries"] == 1  # the audit's stored run (repo_roles.runcache)
    text = run_cli("cache", "info")
    assert text.exit_code == 0 and f"cache root: {cache_root()}" in text.stdout and "docs" in text.stdout


def test_clear_one_cache_then_all(make_repo, run_cli) -> None:
    root = make_repo(FILES)
    assert run_cli("audit", str(root)).exit_code in (0, 1)
    assert run_cli("cache", "clear", "history").exit_code == 0
    names = {c["name"] for c in info(run_cli)["caches"]}
    assert "history" not in names and "docs" in names
    assert run_cli("cache", "clear").exit_code == 0
    assert info(run_cli)["caches"] == []
    assert run_cli("audit", str(root)).exit_code in (0, 1)  # and the next run builds them again


def test_clear_an_unknown_cache_is_a_usage_error_that_removes_nothing(make_repo, run_cli) -> None:
    root = make_repo(FILES)
    assert run_cli("audit", str(root)).exit_code in (0, 1)
    before = [(c["name"], c["entries"]) for c in info(run_cli)["caches"]]
    assert before
    result = run_cli("cache", "clear", "docs", "nosuch")
    assert result.exit_code == 2 and "no cache named nosuch" in result.stderr
    assert [(c["name"], c["entries"]) for c in info(run_cli)["caches"]] == before


def test_clear_never_follows_a_link(make_repo, run_cli, tmp_path: Path) -> None:
    outside = tmp_path / "precious"
    outside.mkdir()
    (outside / "keep.txt").write_text("mine")
    cache_root().mkdir(parents=True, exist_ok=True)
    (cache_root() / "linked").symlink_to(outside)
    (cache_root() / "other").mkdir()
    (cache_root() / "other" / "link").symlink_to(outside)
    assert run_cli("cache", "clear").exit_code == 0
    assert (outside / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize("value, expected", [
    (None, E.DEFAULT_MAX_SIZE), ("", E.DEFAULT_MAX_SIZE), ("1048576", 1 << 20), ("500M", 500 << 20),
    ("2G", 2 << 30), ("1.5GiB", 3 << 29), ("10kb", 10 << 10), ("0", None), ("none", None),
])
def test_max_size_setting(value, expected) -> None:
    assert E.max_size({} if value is None else {E.ENV: value}) == expected


def test_a_malformed_max_size_is_said_and_changes_no_outcome(make_repo, run_cli, monkeypatch) -> None:
    with pytest.raises(UsageError, match="not a size"):
        E.max_size({E.ENV: "lots"})
    monkeypatch.setenv(E.ENV, "lots")
    root = make_repo(FILES)
    result = run_cli("ls", str(root))
    assert result.exit_code == 0 and "REPO_ROLES_CACHE_MAX_SIZE" in result.stderr


def _age_group(project: str, seconds_ago: int) -> None:
    db = sqlite3.connect(str(cache_root() / C.DB_NAME))
    db.execute("UPDATE used SET last_used = ? WHERE project = ?", (int(time.time()) - seconds_ago, project))
    db.commit()
    db.close()


def test_least_recently_used_entries_go_first(make_repo, run_cli) -> None:
    """Two projects in one cache plus a history file and a file of a later cache: over the cap,
    the oldest go (a whole group of the analysis database, files by modification time), the
    recently used stay."""
    old = make_repo({"old/a.py": "x = 1\n" * 2000}, name="old")
    new = make_repo({"new/a.py": "y = 2\n" * 2000}, name="new")
    for root in (old, new):
        assert run_cli("audit", str(root)).exit_code in (0, 1)
    from repo_roles.cachedir import key_of_paths

    _age_group(key_of_paths(["old/a.py"]), 10 * 86400)
    stale = cache_root() / "later-cache" / "stale.bin"
    stale.parent.mkdir()
    stale.write_bytes(b"\0" * 200_000)
    os.utime(stale, (time.time() - 20 * 86400,) * 2)
    total = E.total_size(cache_root())
    removed = E.evict(cache_root(), int((total - 250_000) / E.KEEP))  # the stale file is not enough
    assert [u.path for u in removed][:1] == [stale]  # the least recently used first
    assert not stale.exists()
    db = sqlite3.connect(str(cache_root() / C.DB_NAME))
    left = {p for (p,) in db.execute("SELECT DISTINCT project FROM files")}
    db.close()
    assert left == {key_of_paths(["new/a.py"])}
    assert E.total_size(cache_root()) < total
    E.evict(cache_root(), 1)  # what the last runs used stays, even over the cap
    from repo_roles.cacheadmin.survey import units

    left = units(cache_root())
    assert left and all(time.time() - u.last_used < E.RECENT for u in left)
    assert any(u.group is not None and u.group.project == key_of_paths(["new/a.py"]) for u in left)


def test_under_the_cap_nothing_is_opened_or_removed(make_repo, run_cli, monkeypatch) -> None:
    root = make_repo(FILES)
    assert run_cli("audit", str(root)).exit_code in (0, 1)
    before = {c.name: c.entries for c in survey(cache_root())}
    real = S.groups
    monkeypatch.setattr(S, "groups", lambda cache: pytest.fail("the database was opened"))
    assert E.after_run(cache_root()) == []
    monkeypatch.setattr(S, "groups", real)
    assert {c.name: c.entries for c in survey(cache_root())} == before


def test_every_command_keeps_the_cap(make_repo, run_cli, monkeypatch) -> None:
    root = make_repo(FILES)
    assert run_cli("audit", str(root)).exit_code in (0, 1)
    stale = cache_root() / "old-cache.bin"
    stale.write_bytes(b"\0" * 100_000)
    os.utime(stale, (time.time() - 86400,) * 2)
    monkeypatch.setenv(E.ENV, "100K")
    assert run_cli("ls", str(root)).exit_code == 0
    assert not stale.exists()
    assert (cache_root() / C.DB_NAME).exists()  # used by this very run: kept


def test_action_restores_and_saves_the_cache_unless_turned_off() -> None:
    """actions/cache: a saved cache is immutable, so each run saves under a new key and restores
    the newest partial match through ``restore-keys``
    (https://github.com/actions/cache/blob/main/tips-and-workarounds.md#update-a-cache)."""
    import yaml

    action = yaml.safe_load((Path(__file__).resolve().parents[1] / "action.yml").read_text("utf-8"))
    assert action["inputs"]["cache"]["default"] == "true"
    steps = action["runs"]["steps"]
    names = [s.get("uses", s.get("id", "")) for s in steps]
    restore = steps[names.index("actions/cache/restore@v4")]
    save = steps[names.index("actions/cache/save@v4")]
    assert names.index("actions/cache/restore@v4") < names.index("check") < names.index("actions/cache/save@v4")
    assert restore["with"]["path"] == save["with"]["path"] == "${{ runner.temp }}/repo-roles-cache"
    assert restore["with"]["key"] == save["with"]["key"] and save["with"]["key"].endswith("-${{ github.sha }}")
    assert "repo-roles.toml" in save["with"]["key"] and "steps.cache-key.outputs.prefix" in save["with"]["key"]
    partial = restore["with"]["restore-keys"].splitlines()
    assert [save["with"]["key"].startswith(k) for k in partial] == [True, True] and len(partial[0]) > len(partial[1])
    assert "inputs.cache == 'true'" in restore["if"] and "cache-key" in save["if"]
    key_step = steps[names.index("cache-key")]
    assert "REPO_ROLES_CACHE_DIR=$RUNNER_TEMP/repo-roles-cache" in key_step["run"]


def test_a_file_gone_since_listed_is_left_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite removes its -wal/-shm files when its last connection closes, maybe between the
    listing of the root and the look at each file: such a file is left out, not an error."""
    from repo_roles.cacheadmin import survey as SV

    root = tmp_path / "root"
    root.mkdir()
    (root / "declared-rows.json").write_text("{}")
    real = SV.top_level
    monkeypatch.setattr(SV, "top_level", lambda at: {**real(at), "docs": [root / "docs-v7.sqlite3-shm"]})
    found = {c.name: c.entries for c in survey(root)}
    assert found == {"declared-rows": 1, "docs": 0}
