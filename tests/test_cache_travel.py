"""Cache keys that travel (issue 13): a fresh ``git clone``, a second ``git worktree`` or another
branch with the same blobs reuses what the first checkout stored, since no entry is keyed by an
absolute path; dirty files are still analysed by their content.

git's own words for what is shared: a clone and a worktree check out the same blob ids
(https://git-scm.com/docs/git-clone, https://git-scm.com/docs/git-worktree).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from repo_roles.cachedir import key_of_paths
from repo_roles.coverage import cache as C
from repo_roles.history import stage as history_stage
from tests.conftest import git
from tests.test_cache import calls  # noqa: F401 (fixture)

FILES = {
    "app/a.py": '"""A."""\n\n\ndef f():\n    pass\n',
    "app/b.py": '"""B."""\n\n\ndef g():\n    """G."""\n',
    "tests/test_a.py": "from app.a import f\n\n\ndef test_f():\n    f()\n",
    "README.md": "# demo\n",
}


def outputs(run_cli, root: Path, *extra: str) -> tuple:
    ls = run_cli("ls", "--format", "jsonl", str(root), *extra)
    check = run_cli("check", "--output-format", "json", str(root), *extra)
    assert ls.exit_code == 0 and check.exit_code in (0, 1), ls.stderr + check.stderr
    return ls.stdout, check.stdout


def test_project_key_is_made_of_content_not_location() -> None:
    """Same top-level directories: same key, whatever the files below or the checkout's path."""
    assert key_of_paths(["README.md", "app/a.py", "app/b/c.py", "app0.py", "tests/t.py"]) == \
        key_of_paths(["app/z.py", "tests/u.py"])
    assert key_of_paths(["app/a.py"]) != key_of_paths(["lib/a.py"])
    assert key_of_paths(["app/a.py", "app0/b.py"]) != key_of_paths(["app/a.py"])  # "0" follows "/"
    assert key_of_paths(["a.py", "b.py"]) != key_of_paths(["c.py"])  # no directory: its files


def test_no_absolute_path_in_any_cache_key(make_repo, run_cli, tmp_path: Path) -> None:
    root = make_repo(FILES)
    git(root, "commit", "-q", "--allow-empty", "-m", "second")
    assert run_cli("audit", "--format", "json", str(root)).exit_code in (0, 1)
    cache = Path(__import__("os").environ["REPO_ROLES_CACHE_DIR"])
    db = sqlite3.connect(str(cache / C.DB_NAME))
    projects = {p for table in ("files", "items", "snapshot", "used") for (p,) in db.execute(f"SELECT project FROM {table}")}
    db.close()
    assert projects == {key_of_paths(list(FILES))}
    for path in cache.rglob("*"):
        if path.is_file():
            assert str(root).encode() not in path.read_bytes(), path


@pytest.mark.parametrize("how", ["clone", "worktree"])
def test_a_fresh_checkout_reuses_the_cache(make_repo, run_cli, calls, tmp_path: Path, monkeypatch, how: str) -> None:  # noqa: F811
    root = make_repo(FILES)
    expected = outputs(run_cli, root)
    other = tmp_path / "elsewhere" / "copy"
    if how == "clone":
        git(tmp_path, "clone", "-q", str(root), str(other))
    else:
        git(root, "worktree", "add", "-q", "-b", "second", str(other))
    calls.clear()
    history_runs = Counter()
    real_extend = history_stage.extend
    monkeypatch.setattr(history_stage, "extend", lambda *a, **k: history_runs.update(["log"]) or real_extend(*a, **k))
    assert outputs(run_cli, other) == expected
    assert run_cli("audit", "--format", "json", str(other)).exit_code in (0, 1)
    assert calls == Counter()  # not one file analysed again
    assert history_runs == Counter()  # the history model of the same head was reused


def test_dirty_files_in_a_fresh_clone_are_analysed_by_content(make_repo, run_cli, calls, tmp_path) -> None:  # noqa: F811
    root = make_repo(FILES)
    before = outputs(run_cli, root)
    assert "app/a.py" in {f["filename"] for f in json.loads(before[1]) if f.get("code") == "DOC001"}
    other = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(root), str(other))
    (other / "app" / "a.py").write_text('"""A."""\n\n\ndef f():\n    """Now documented."""\n')
    calls.clear()
    cached = outputs(run_cli, other)
    assert calls == Counter({"app/a.py": 1})
    assert cached == outputs(run_cli, other, "--no-cache")
    assert "app/a.py" not in {f["filename"] for f in json.loads(cached[1]) if f.get("code") == "DOC001"}


def test_a_new_top_level_directory_starts_from_the_previous_rows(make_repo, run_cli, calls) -> None:  # noqa: F811
    """The project key changes with the top-level directories; the new key starts from a copy."""
    root = make_repo(FILES)
    outputs(run_cli, root)
    (root / "docs").mkdir()
    (root / "docs" / "x.md").write_text("# x\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "docs")
    calls.clear()
    cached = outputs(run_cli, root)
    assert calls == Counter()
    assert cached == outputs(run_cli, root, "--no-cache")


def test_a_new_project_copies_nothing_of_an_unrelated_one(make_repo, run_cli) -> None:
    first = make_repo(FILES)
    outputs(run_cli, first)
    other = make_repo({"lib/x.py": "x = 1\n", "lib/y.py": "y = 2\n"})
    outputs(run_cli, other)
    db = sqlite3.connect(str(Path(__import__("os").environ["REPO_ROLES_CACHE_DIR"]) / C.DB_NAME))
    rows = db.execute("SELECT path FROM files WHERE project = ?", (key_of_paths(["lib/x.py"]),)).fetchall()
    db.close()
    assert sorted(p for (p,) in rows) == [b"lib/x.py", b"lib/y.py"]
