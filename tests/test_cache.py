"""The analysis cache: location, warm runs that re-parse nothing, invalidation, corruption.

Keys are git blob ids (https://git-scm.com/book/en/v2/Git-Internals-Git-Objects: the id of a
blob is the SHA-1 of ``"blob <size>\\0" + content``, what ``git hash-object`` prints).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
from collections import Counter
from pathlib import Path
from typing import Callable

import pytest

from repo_roles.config import Config
from repo_roles.coverage import analyze as A
from repo_roles.coverage import cache as C
from tests.conftest import git

MODULE = '"""M."""\n\n\ndef f():\n    pass\n'


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """Count analyzer calls per path by wrapping the registry lookup (git is never mocked)."""
    counter: Counter = Counter()
    real = A.analyzer_lookup

    def counting():
        lookup, described = real()

        def wrapped(path: str):
            analyzer = lookup(path)
            if analyzer is None:
                return None

            def run(data, p, options):
                counter[p] += 1
                return analyzer(data, p, options)

            return run

        return wrapped, described

    monkeypatch.setattr(A, "analyzer_lookup", counting)
    return counter


def audit(run_cli: Callable, root: Path, *extra: str) -> str:
    result = run_cli("audit", "--findings", str(root), *extra)
    assert result.exit_code in (0, 1), result.output + result.stderr
    return result.stdout


def test_blob_id_is_gits(make_repo) -> None:
    root = make_repo({"a.py": MODULE})
    assert C.blob_id(MODULE.encode()) == git(root, "hash-object", "a.py").strip()


def test_warm_audit_parses_nothing(make_repo, run_cli, calls) -> None:
    root = make_repo({"app/a.py": MODULE, "app/b.py": MODULE, "README.md": "# x\n"})
    first = audit(run_cli, root)
    assert calls == Counter({"app/a.py": 1, "app/b.py": 1})
    calls.clear()
    assert audit(run_cli, root) == first
    assert calls == Counter()


@pytest.mark.parametrize("commit", [pytest.param(True, id="committed"), pytest.param(False, id="unstaged-edit")])
def test_only_the_changed_file_is_parsed_again(make_repo, run_cli, calls, commit) -> None:
    root = make_repo({"app/a.py": MODULE, "app/b.py": MODULE})
    audit(run_cli, root)
    calls.clear()
    (root / "app/b.py").write_text(MODULE + "\n\ndef g():\n    pass\n")
    if commit:
        git(root, "commit", "-qam", "edit")
    out = audit(run_cli, root)
    assert calls == Counter({"app/b.py": 1})
    assert "public function 'g' has no docstring" in out


def test_large_run_trusts_clean_index_ids_but_not_dirty_files(make_repo, calls, monkeypatch) -> None:
    """Above the threshold, one `git diff-files` tells which work-tree files differ from the index."""
    from repo_roles.scan import scan

    monkeypatch.setattr(A, "GIT_STATUS_MIN_FILES", 0)
    root = make_repo({"app/a.py": MODULE, "app/b.py": MODULE})
    scan(root).coverage
    (root / "app/b.py").write_text('"""M."""\n\n\ndef f():\n    """Now documented."""\n')  # not staged
    calls.clear()
    result = scan(root).coverage
    assert calls == Counter({"app/b.py": 1})
    assert result.counts("app/b.py") == (2, 2)


def test_no_cache_reads_and_writes_nothing(make_repo, run_cli, calls, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(tmp_path / "nocache"))
    root = make_repo({"app/a.py": MODULE})
    audit(run_cli, root, "--no-cache")
    audit(run_cli, root, "--no-cache")
    assert calls == Counter({"app/a.py": 2})
    assert not (tmp_path / "nocache").exists()


def test_settings_change_invalidates(make_repo, run_cli, calls) -> None:
    root = make_repo({"app/a.py": MODULE})
    audit(run_cli, root)
    (root / "repo-roles.toml").write_text('[docs.python]\ncounting = "interrogate"\n')
    audit(run_cli, root)
    assert calls == Counter({"app/a.py": 2})


def test_untracked_outside_git_keyed_by_content(make_repo, run_cli, calls) -> None:
    root = make_repo({"app/a.py": MODULE, "repo-roles.toml": ""}, git_init=False)  # a project by its config
    audit(run_cli, root)
    audit(run_cli, root)
    assert calls == Counter({"app/a.py": 1})


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda db: db.write_bytes(db.read_bytes()[: len(db.read_bytes()) // 3]), id="truncated-file"),
        pytest.param(lambda db: db.write_bytes(b"garbage" * 500), id="not-a-database"),
        pytest.param(lambda db: _set_values(db, "missing", b"f\x00function\x004"), id="missing-field"),
        pytest.param(lambda db: _set_values(db, "missing", b"f\x00function\x00four\x001"), id="line-not-a-number"),
        pytest.param(lambda db: _set_values(db, "missing", b"\xff\x00function\x004\x001"), id="not-utf8"),
        pytest.param(lambda db: _set_values(db, "missing", "f\x00function\x004\x001"), id="text-not-blob"),
        pytest.param(lambda db: _set_values(db, "counted", "many"), id="wrong-scalar-type"),
        pytest.param(lambda db: _set_values(db, "suppressions", "[[1,"), id="undecodable-suppressions"),
    ],
)
def test_corrupt_cache_is_ignored_and_rebuilt(make_repo, run_cli, calls, tmp_path, monkeypatch, damage) -> None:
    cache_dir = tmp_path / "c"
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(cache_dir))
    root = make_repo({"app/a.py": MODULE})
    first = audit(run_cli, root)
    db = cache_dir / C.DB_NAME
    _checkpoint(db)
    damage(db)
    calls.clear()
    # The stored run (repo_roles.runcache) would answer without reading the documentation cache,
    # and the stored per-file findings (checks/filereuse.py) without decoding the damaged row.
    shutil.rmtree(cache_dir / "runs")
    shutil.rmtree(cache_dir / "findings")
    assert audit(run_cli, root) == first  # the damaged entry was not trusted
    assert calls == Counter({"app/a.py": 1})
    calls.clear()
    shutil.rmtree(cache_dir / "runs")
    assert audit(run_cli, root) == first  # ...and was rebuilt
    assert calls == Counter()


def _checkpoint(db: Path) -> None:
    with sqlite3.connect(str(db)) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _set_values(db: Path, column: str, value: object) -> None:
    con = sqlite3.connect(str(db))
    con.execute(f"UPDATE {'items' if column == 'docs' else 'files'} SET {column} = ?", (value,))
    con.commit()
    con.close()


@pytest.mark.parametrize("value", [pytest.param('["python",["f"],', id="undecodable-json"),
                                   pytest.param('["python",[],[],[],[],[],[],[]]', id="items-left-out")])
def test_corrupt_item_list_is_analysed_again_when_read(make_repo, calls, tmp_path, monkeypatch, value) -> None:
    """The whole item list is read only on demand; a damaged one is a miss then, and is rebuilt."""
    from repo_roles.coverage import analyze_python
    from repo_roles.scan import scan

    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(tmp_path / "c"))
    root = make_repo({"app/a.py": MODULE})
    expected = analyze_python(MODULE.encode(), "app/a.py")
    assert scan(root).coverage.files["app/a.py"].docs == expected
    _set_values(tmp_path / "c" / C.DB_NAME, "docs", value)
    calls.clear()
    assert scan(root).coverage.files["app/a.py"].docs == expected
    assert calls == Counter({"app/a.py": 1})
    calls.clear()
    assert scan(root).coverage.files["app/a.py"].docs == expected
    assert calls == Counter()


def test_decode_round_trip_and_rejects() -> None:
    from repo_roles.coverage import analyze_python

    docs = analyze_python(MODULE.encode(), "app/a.py")
    sups = ((3, ("DOC001",), False),)
    assert C.decode("app/a.py", C.encode(docs, sups)) == (docs, sups)
    assert C.decode("app/a.py", C.encode(None, ())) == (None, ())
    assert C.decode("app/a.py", "[1, 2, 3]") is None


@pytest.mark.parametrize(
    "configured, env, expected",
    [
        pytest.param(".cache/rr", {"REPO_ROLES_CACHE_DIR": "/e", "XDG_CACHE_HOME": "/x"}, "/e/by-config/.cache/rr",
                     id="config-cache-dir-inside-the-user-cache-root"),
        pytest.param("../../etc", {"REPO_ROLES_CACHE_DIR": "/e"}, "/e/by-config/etc", id="config-dotdot-dropped"),
        pytest.param("/abs/x", {"XDG_CACHE_HOME": "/x"}, "/x/repo-roles/by-config/abs/x", id="config-absolute-rebased"),
        pytest.param(".", {"REPO_ROLES_CACHE_DIR": "/e"}, "/e", id="config-dot-is-the-root"),
        pytest.param(None, {"REPO_ROLES_CACHE_DIR": "/e", "XDG_CACHE_HOME": "/x"}, "/e", id="env-var"),
        pytest.param(None, {"XDG_CACHE_HOME": "/x"}, "/x/repo-roles", id="xdg-base-directory-spec"),
        pytest.param(None, {"XDG_CACHE_HOME": "relative"}, "HOME/.cache/repo-roles",
                     id="xdg-relative-ignored-per-spec"),
        pytest.param(None, {}, "HOME/.cache/repo-roles", id="home-default"),
    ],
)
def test_cache_directory(monkeypatch, tmp_path, configured, env, expected) -> None:
    """https://specifications.freedesktop.org/basedir-spec/latest/: relative XDG paths are invalid."""
    monkeypatch.delenv("REPO_ROLES_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    got = C.cache_directory(Config(cache_dir=configured), tmp_path / "root")
    expected = expected.replace("ROOT", str(tmp_path / "root")).replace("HOME", str(tmp_path / "home"))
    assert got == Path(expected)


@pytest.mark.skipif(os.name == "nt" or sys.platform == "darwin", reason="needs a filesystem that keeps any bytes")
def test_name_that_is_not_utf8_is_cached(make_repo, run_cli, calls) -> None:
    root = make_repo({"ok.py": MODULE})
    with open(os.path.join(os.fsencode(root), b"caf\xe9.py"), "wb") as handle:
        handle.write(MODULE.encode())
    git(root, "add", "-A")
    git(root, "commit", "-qm", "latin-1 name")
    first = audit(run_cli, root)
    calls.clear()
    assert audit(run_cli, root) == first
    assert calls == Counter()


def test_warm_tst001_knows_data_only_modules_from_the_cache(make_repo, run_cli) -> None:
    """TST001 skips data-only modules (no def/class; a file over 256 KiB counts as code) cold and
    warm alike: warm, the stage's stored answer stands in for reading the file again."""
    root = make_repo({
        "pkg/constants.py": "RATE = 0.2\n",
        "pkg/logic.py": MODULE,
        "pkg/table.py": "ROWS = [\n" + "    (1, 2),\n" * 30_000 + "]\n",  # data, but over the read limit
    })
    cold = audit(run_cli, root)
    assert audit(run_cli, root) == cold
    reported = sorted(line.split(":")[0] for line in cold.split("\nFindings\n", 1)[1].splitlines() if " TST001 " in line)
    assert reported == ["pkg/logic.py", "pkg/table.py"]


def test_computed_coverage_never_starts_the_stage(make_repo) -> None:
    from repo_roles.scan import scan

    context = scan(make_repo({"a.py": MODULE}))
    assert A.computed_coverage(context) is None
    assert A.computed_coverage(context) is None  # still not started
    result = context.coverage
    assert A.computed_coverage(context) is result


@pytest.mark.parametrize("scan_min", [pytest.param(10**9, id="look-up-by-path"),
                                      pytest.param(1, id="scan-project-rows")])
def test_store_reads_only_this_projects_current_rows(tmp_path, scan_min, monkeypatch) -> None:
    """Rows are kept per project root (a cache directory may serve many); a path's other contents
    are not returned, and are deleted once they outnumber a quarter of the current ones."""
    from repo_roles.coverage import store as S

    monkeypatch.setattr(S, "SCAN_MIN_FILES", scan_min)
    entry = C.encode(None, ())
    one, other = S.DocCache(tmp_path, "salt", "/one"), S.DocCache(tmp_path, "salt", "/other")
    one.put_many([("a.py", "v1", entry), ("b.py", "v1", entry), ("b.py", "v0", entry), ("gone.py", "v1", entry)])
    other.put_many([("a.py", "v1", entry), ("c.py", "v1", entry)])
    rows = one.read(["a.py", "b.py", "c.py"])
    assert sorted(one.match(rows, {"a.py": "v1", "b.py": "v1", "c.py": "v1"})) == ["a.py", "b.py"]
    assert sorted(one.match(one.read(["a.py", "b.py"]), {"a.py": "v2", "b.py": "v2"})) == []  # stale: pruned
    assert len(one.read(["a.py", "b.py", "gone.py"])) == 1  # gone.py: not this run's business, kept
    assert sorted(other.match(other.read(["a.py", "c.py"]), {"a.py": "v1", "c.py": "v1"})) == ["a.py", "c.py"]


def test_snapshots_of_an_earlier_release_are_moved_to_a_rowid_table(tmp_path) -> None:
    """An earlier release kept the per-project tables in a WITHOUT ROWID table, where a lookup
    reads the other kinds' large values too: opening the cache moves them, values intact, into
    a rowid table indexed by (project, kind), where a new value of a kind replaces the old."""
    from repo_roles.coverage import store as S

    db = sqlite3.connect(str(tmp_path / C.DB_NAME))
    db.execute("CREATE TABLE snapshot (project TEXT NOT NULL, kind TEXT NOT NULL, salt TEXT NOT NULL, "
               "data BLOB, PRIMARY KEY (project, kind)) WITHOUT ROWID")
    db.executemany("INSERT INTO snapshot VALUES (?, ?, ?, ?)",
                   [("p", "roles", "s1", b"r" * 300_000), ("p", "sniff", "s2", b"small"), ("q", "roles", "s1", b"q")])
    db.commit()
    db.close()
    cache = S.DocCache(tmp_path, "salt", "p")
    assert cache.read_snapshot("roles", "s1") == b"r" * 300_000
    assert cache.read_snapshot("sniff", "s2") == b"small"
    assert cache.read_snapshot("sniff", "other salt") is None
    cache.put_snapshot("sniff", "s3", b"new")
    assert cache.read_snapshot("sniff", "s3") == b"new"
    cache.close()
    db = sqlite3.connect(str(tmp_path / C.DB_NAME))
    (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name = 'snapshot'").fetchone()
    assert "WITHOUT ROWID" not in sql.upper()
    assert db.execute("SELECT count(*) FROM snapshot WHERE project = 'p' AND kind = 'sniff'").fetchone() == (1,)
    assert db.execute("SELECT data FROM snapshot WHERE project = 'q'").fetchone() == (b"q",)
    db.close()
