"""The cold run's documentation stage started before classification (repo_roles.coverage.early):
the same result as the stage run when first asked for, cache rows written in batches under the
same keys, and one worker per core."""

from __future__ import annotations

import pickle

import pytest

from repo_roles.coverage import analyze as A
from repo_roles.coverage import early as E
from repo_roles.coverage.store import DocCache
from repo_roles.scan import scan

MODULE = '"""M."""\n\n\ndef f():\n    pass\n'


def _repo(make_repo):
    files = {f"pkg/m{i}.py": MODULE + ("" if i % 2 else '\n\ndef g():\n    """G."""\n') for i in range(14)}
    files["pkg/__init__.py"] = ""
    files["tests/test_m1.py"] = "from pkg import m1\n\n\ndef test_f():\n    m1.f()\n"
    files["pkg/notes.txt"] = "x  # repo-roles: ignore-file[TST001]\n"
    files["web/a.ts"] = "/** A. */\nexport function a(): number { return 1; }\n"
    return make_repo(files)


def _facts(coverage):
    return (dict(coverage.files), coverage.test_facts, coverage.lines, coverage._defines,
            {p: coverage.counts(p) for p in coverage.files})


@pytest.fixture
def small_pool(monkeypatch):
    monkeypatch.setattr(A, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(A, "CHUNK", 3)
    monkeypatch.setattr(A, "WRITE_BATCH", 4)
    monkeypatch.setattr(A, "_cores", lambda: 2)
    monkeypatch.setattr(A, "load_average", lambda: 0.5)  # a core is idle, whatever the test machine's load


def test_cold_run_starts_early_and_gives_the_stage_result(make_repo, small_pool) -> None:
    root = _repo(make_repo)
    reference = scan(root, use_cache=False).coverage  # the stage run when first asked for
    context = scan(root, early_coverage=True)
    assert "_early_coverage" in context.__dict__  # cold: started by scan
    assert _facts(context.coverage) == _facts(reference)
    # every row was written (in batches of 4) under the key the stage itself uses
    warm = scan(root, early_coverage=True)
    assert "_early_coverage" not in warm.__dict__  # rows exist: the stage reads them when asked
    coverage = warm.coverage
    assert coverage._fresh == {} and set(coverage._cached) == set(reference.files)
    assert _facts(coverage)[0] == _facts(reference)[0] and _facts(coverage)[4] == _facts(reference)[4]


def test_rows_are_grouped_by_project_key_so_a_clone_elsewhere_is_warm(make_repo, small_pool, tmp_path) -> None:
    """Issue 13 (keys that travel): the early stage's rows carry the project key, never the
    checkout's location, so a clone at another path finds them and starts no cold stage."""
    import os
    import shutil
    import sqlite3
    from pathlib import Path

    from repo_roles.coverage.cache import DB_NAME

    root = _repo(make_repo)
    scan(root, early_coverage=True).coverage
    clone = tmp_path / "elsewhere"
    shutil.copytree(root, clone)
    context = scan(clone, early_coverage=True)
    assert "_early_coverage" not in context.__dict__
    assert context.coverage._fresh == {}
    cache = Path(os.environ["REPO_ROLES_CACHE_DIR"]) / DB_NAME
    projects = {p for (p,) in sqlite3.connect(str(cache)).execute("SELECT DISTINCT project FROM files")}
    assert projects and not any(str(tmp_path) in p for p in projects), projects


def test_no_cache_run_starts_early_and_writes_nothing(make_repo, small_pool, tmp_path) -> None:
    root = _repo(make_repo)
    reference = scan(root, use_cache=False).coverage
    context = scan(root, use_cache=False, early_coverage=True)
    assert "_early_coverage" in context.__dict__
    assert _facts(context.coverage) == _facts(reference)
    assert "_early_coverage" in scan(root, early_coverage=True).__dict__  # still cold


def test_keys_are_index_blob_ids_of_clean_files(make_repo, small_pool, monkeypatch) -> None:
    """A clean tracked file is stored under git's index blob id (``git ls-files -s``), as the
    stage run when asked stores it; a modified one under the id of its work-tree bytes."""
    monkeypatch.setattr(A, "GIT_STATUS_MIN_FILES", 1)  # ask git diff-files, as a large run does
    root = _repo(make_repo)
    (root / "pkg/m3.py").write_text(MODULE + "\n\ndef h():\n    pass\n")
    context = scan(root, early_coverage=True)
    coverage = context.coverage
    keys = coverage.line_keys
    entries = {e.path: e.blob for e in context.inventory.entries}
    assert keys["pkg/m0.py"] == entries["pkg/m0.py"]
    assert "pkg/m3.py" not in keys  # modified: its key is the hash of what was read
    store = DocCache(A.C.cache_directory(context.config, root), coverage._source._store.salt, str(root))
    stored = {bytes(row[0]).decode(): row[1] for row in store.read(list(coverage.files))}
    assert stored["pkg/m0.py"] == entries["pkg/m0.py"]
    assert stored["pkg/m3.py"] == A.C.blob_id((root / "pkg/m3.py").read_bytes())


def test_small_or_single_core_runs_do_not_start_early(make_repo, monkeypatch) -> None:
    root = _repo(make_repo)
    assert "_early_coverage" not in scan(root, early_coverage=True).__dict__  # under PARALLEL_MIN_FILES
    monkeypatch.setattr(A, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(A, "_cores", lambda: 1)
    assert "_early_coverage" not in scan(root, early_coverage=True).__dict__


def test_cancel_stops_the_pool(make_repo, small_pool) -> None:
    root = _repo(make_repo)
    context = scan(root, early_coverage=True)
    early = context.__dict__.pop("_early_coverage")
    early.cancel()
    early._collector.join(timeout=30)
    assert not early._collector.is_alive()
    early._pool.shutdown(wait=True)  # joined here, not by a weakref callback at interpreter exit


@pytest.mark.parametrize("cores, load, workers", [
    pytest.param(2, 0.0, 2, id="idle-two-cores"),
    pytest.param(2, 11.0, 2, id="overloaded-still-one-per-core"),
    pytest.param(8, 3.2, 8, id="eight-cores"),
    pytest.param(1, 0.0, 1, id="one-core"),
])
def test_pool_size_is_one_worker_per_core(cores, load, workers) -> None:
    """Measured under load average 7-25: fewer workers than cores lost wall time (see pool_size)."""
    assert E.pool_size(cores, load) == workers


@pytest.fixture
def idle(monkeypatch):
    monkeypatch.setattr(A, "_cores", lambda: 2)
    monkeypatch.setattr(A, "load_average", lambda: 0.2)


def test_few_large_sources_start_early_on_an_idle_machine(make_repo, idle, monkeypatch) -> None:
    """Under EARLY_MIN_FILES files, the bytes an analyzer would parse decide (snuba: 1,731 files,
    7.9 MB of Python); the result is the stage's own, and the tasks are cut small enough to
    spread over the workers."""
    root = _repo(make_repo)
    reference = scan(root, use_cache=False).coverage
    sources = sum(p.stat().st_size for p in [*root.glob("*/*.py"), root / "web/a.ts"])
    monkeypatch.setattr(E, "EARLY_MIN_BYTES", sources + 1)  # pkg/notes.txt is read by no analyzer
    assert "_early_coverage" not in scan(root, early_coverage=True).__dict__
    monkeypatch.setattr(E, "EARLY_MIN_BYTES", sources)
    context = scan(root, early_coverage=True)
    assert "_early_coverage" in context.__dict__
    assert _facts(context.coverage) == _facts(reference)


def test_few_large_sources_stay_in_one_process_on_a_busy_machine(make_repo, idle, monkeypatch) -> None:
    """No core idle (load average >= cores): the bytes do not start the stage early (no pool
    is started), and the stage asked later gives the same result."""
    root = _repo(make_repo)
    reference = scan(root, use_cache=False).coverage
    monkeypatch.setattr(A, "load_average", lambda: 2.0)
    monkeypatch.setattr(E, "EARLY_MIN_BYTES", 1)

    def no_pool(*args, **kwargs):
        raise AssertionError("a pool was started on a busy machine")

    monkeypatch.setattr(E, "ProcessPoolExecutor", no_pool)  # the early stage's pool
    context = scan(root, early_coverage=True)
    assert "_early_coverage" not in context.__dict__
    assert _facts(context.coverage) == _facts(reference)


def test_many_files_start_early_whatever_the_load(make_repo, small_pool, monkeypatch) -> None:
    root = _repo(make_repo)
    monkeypatch.setattr(A, "load_average", lambda: 14.0)
    assert "_early_coverage" in scan(root, early_coverage=True).__dict__


@pytest.mark.parametrize("load, busy", [
    pytest.param(0.0, False, id="idle"),
    pytest.param(1.99, False, id="part-of-a-core-idle"),
    pytest.param(2.0, True, id="every-core-busy"),
    pytest.param(14.0, True, id="overloaded"),
])
def test_busy_means_no_idle_core(monkeypatch, load, busy) -> None:
    monkeypatch.setattr(A, "load_average", lambda: load)
    assert A.busy(2) is busy


@pytest.mark.parametrize("files, workers, size", [
    pytest.param(20000, 2, 256, id="many-files-full-tasks"),
    pytest.param(1731, 2, 72, id="snuba-sized-smaller-tasks"),
    pytest.param(100, 2, 16, id="floor"),
])
def test_chunk_size(files, workers, size) -> None:
    assert E.chunk_size(files, workers) == size


def test_run_many_gives_what_run_gives_file_by_file(tmp_path, monkeypatch) -> None:
    """The workers analyse a task step by step over groups of files (``_Reader.run_many``):
    the outputs are ``run``'s, file by file -- a too-large file, a syntax error, a test file
    (test-evidence facts), a file not analysed, one gone since listing and a symlink
    included, whatever the group size."""
    from repo_roles.coverage import analyze as A
    from repo_roles.coverage.model import DocOptions

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text('"""Doc."""\n\ndef f():\n    return 1\n')
    (tmp_path / "pkg" / "test_mod.py").write_text("from pkg.mod import f\n\ndef test_f():\n    assert f()\n")
    (tmp_path / "pkg" / "bad.py").write_text("def (:\n")
    (tmp_path / "pkg" / "big.py").write_text("x = 1\n" * 400)
    (tmp_path / "web.ts").write_text("/** Doc. */\nexport function g(): number { return 1; }\n")
    (tmp_path / "notes.txt").write_text("repo-roles: ignore[DOC001]\n")
    (tmp_path / "link.py").symlink_to(tmp_path / "pkg" / "mod.py")
    todo = [(p, None) for p in ("pkg/mod.py", "pkg/test_mod.py", "pkg/bad.py", "pkg/big.py", "web.ts",
                                "notes.txt", "gone.py", "link.py")]
    for caching in (True, False):
        reader = A._Reader(tmp_path, DocOptions(max_file_size=1000), caching)
        one_by_one = [reader.run(path, blob) for path, blob in todo]
        assert one_by_one[3][0].docs is not None and one_by_one[3][0].docs.problems  # too large
        assert one_by_one[1][4] is not None and one_by_one[6][1] is None  # test facts; gone
        for group in (1, 100, 1 << 20):
            monkeypatch.setattr(A, "GROUP_BYTES", group)
            assert repr(reader.run_many(todo)) == repr(one_by_one)
        # what a worker sends back (plain tuples, pickled) is read back as the same outputs: the
        # reprs name the types (FileDocs, DocItem, Entry)
        monkeypatch.setattr(A, "_worker", reader)
        wired = [A.from_wire(pickle.loads(pickle.dumps(w))) for w in A._work(todo)]
        assert "DocItem(" in repr(wired) and "Entry(" in repr(wired) if caching else "DocItem(" in repr(wired)
        assert repr(wired) == repr(one_by_one)
