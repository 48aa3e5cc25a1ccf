"""The "Declared vs actual" rows are cached by content: same rows from the cache, a changed owner,
head commit or roster is a miss, a damaged cache file is a miss (only slower)."""

from __future__ import annotations

from pathlib import Path

from _history import ANN, BOB, Script

from repo_roles.config import Config
from repo_roles.config.model import Team
from repo_roles.history import declared as declared_mod
from repo_roles.history.declared import declared_tables, directory_rows, owner_rows
from repo_roles.history.stage import load_history
from repo_roles.inventory import load_inventory

PATHS = ["a.py", "lib/b.py", "lib/c.py"]


def repo(root: Path) -> Script:
    s = Script(root)
    s.commit(ANN, 0, {"a.py": "1", "lib/b.py": "1", "lib/c.py": "1"})
    s.commit(BOB, 1, {"a.py": "2", "lib/c.py": "2"})
    return s


def owners(table):
    return lambda path: table.get(path, ())


def tables(root: Path, cache: Path, table, config: Config = Config()):
    history = load_history(load_inventory(root), config)
    expected = (owner_rows(history, PATHS, owners(table)), directory_rows(history, PATHS))
    return history, expected, declared_tables(history, PATHS, owners(table), cache)


def test_a_warm_run_reads_the_same_rows_and_computes_nothing(tmp_path: Path, monkeypatch) -> None:
    s = repo(tmp_path / "r")
    table = {"a.py": ("@ann",), "lib/b.py": ("@bob", "@ann"), "lib/c.py": ("@org/team",)}
    _, expected, cold = tables(s.root, tmp_path / "cache", table)
    history = load_history(load_inventory(s.root), Config())
    key = declared_mod.declared_key(history, PATHS, owners(table))
    assert cold == expected and declared_mod.declared_file(tmp_path / "cache", str(key)).is_file()

    def boom(*args, **kwargs):
        raise AssertionError("computed although cached")

    monkeypatch.setattr(declared_mod, "owner_rows", boom)
    monkeypatch.setattr(declared_mod, "directory_rows", boom)
    assert declared_tables(history, PATHS, owners(table), tmp_path / "cache") == expected


def test_a_changed_owner_a_new_commit_or_a_new_roster_is_a_miss(tmp_path: Path) -> None:
    s = repo(tmp_path / "r")
    cache = tmp_path / "cache"
    table = {"a.py": ("@ann",), "lib/b.py": ("@bob",)}
    tables(s.root, cache, table)
    _, expected, got = tables(s.root, cache, {**table, "lib/b.py": ("@ann",)})
    assert got == expected
    s.commit(BOB, 2, {"lib/b.py": "3"})
    _, expected, got = tables(s.root, cache, table)
    assert got == expected
    plain, _, _ = tables(s.root, cache, {"a.py": ("@org/team",)})
    roster = Config(teams={"@org/team": Team("@org/team", members=("@bob",))})
    history, expected, got = tables(s.root, cache, {"a.py": ("@org/team",)}, roster)
    assert got == expected
    team = owners({"a.py": ("@org/team",)})
    assert declared_mod.declared_key(history, PATHS, team) != declared_mod.declared_key(plain, PATHS, team)


def test_a_damaged_cache_file_is_a_miss(tmp_path: Path) -> None:
    s = repo(tmp_path / "r")
    cache = tmp_path / "cache"
    table = {"a.py": ("@ann",)}
    history, expected, _ = tables(s.root, cache, table)
    key = declared_mod.declared_key(history, PATHS, owners(table))
    stored = declared_mod.declared_file(cache, str(key))
    for damage in ['{"key": "' + str(key) + '", "owners": [[1, 2]]', '{"key": "' + str(key) + '", "owners": 3}',
                   '{"key": "' + str(key) + '", "owners": [["@ann", 1, "x", 0.0, null, 1, []]], "directories": []}',
                   "[]", "\0\1"]:
        stored.write_text(damage)
        assert declared_tables(history, PATHS, owners(table), cache) == expected


def test_a_warm_audit_reads_the_rows_without_loading_the_history_model(tmp_path: Path, monkeypatch, run_cli) -> None:
    """The rows are stored under a key read without the model (the history's settings and HEAD,
    the path list and the ownership inputs): an audit after an edit of a file's content loads
    no model and prints what a ``--no-cache`` run prints; a new commit is a miss."""
    import json
    import os
    import shutil

    from repo_roles.history import stage

    s = repo(tmp_path / "r")
    s.commit(ANN, 2, {".github/CODEOWNERS": "* @ann\nlib/ @bob\n"})
    cache = Path(os.environ["REPO_ROLES_CACHE_DIR"])
    cold = run_cli("audit", str(s.root), "--format", "json")
    assert cold.exit_code in (0, 1), cold.stderr
    assert json.loads(cold.stdout)["declared"]["owners"]  # rows to reuse
    (s.root / "a.py").write_text("changed = 1\n")  # the run key changes, the rows' key does not
    shutil.rmtree(cache / "runs", ignore_errors=True)
    loaded = []
    real = stage.load_history
    monkeypatch.setattr(stage, "load_history", lambda *a, **k: loaded.append(1) or real(*a, **k))
    warm = run_cli("audit", str(s.root), "--format", "json")
    assert loaded == []
    fresh = run_cli("audit", str(s.root), "--format", "json", "--no-cache")
    assert warm.stdout == fresh.stdout
    s.commit(BOB, 3, {"lib/b.py": "2"})  # a new head: the rows are computed from the model again
    after = run_cli("audit", str(s.root), "--format", "json")
    assert loaded and json.loads(after.stdout)["declared"]["head"] == s.git("rev-parse", "HEAD").strip()
    assert after.stdout == run_cli("audit", str(s.root), "--format", "json", "--no-cache").stdout
