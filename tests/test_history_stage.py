"""The history stage: cache by commit id, incremental runs, rewritten and odd histories."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest
from _history import ANN, BOB, CAROL, DAN, Script, body, merge_topic, merged_old_branch
from conftest import record_calls

from repo_roles.config import Config
from repo_roles.history import stage
from repo_roles.history.stage import FETCH_HINT, History, load_history
from repo_roles.inventory import load_inventory


def snapshot(history: History) -> Dict[str, List[tuple]]:
    """Everything the model knows, by author label (ids differ between runs)."""
    model = history.model
    assert model is not None
    out = {path: sorted((r.author, r.fa, r.dl, r.ac, r.last) for r in history.doa(path)) for path in model.files}
    out["<authors>"] = sorted((model.label(a), t) for a, t in enumerate(model.author_last))
    return out


def load(root: Path, use_cache: bool = True) -> History:
    return load_history(load_inventory(root), Config(), use_cache)


@pytest.fixture
def logged(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    """The revision ranges git log was asked for."""
    seen: List[str] = []
    real = stage.read_log

    def spy(root, revisions="HEAD", ahead=None):
        seen.append(revisions)
        return real(root, revisions, ahead)

    monkeypatch.setattr(stage, "read_log", spy)
    return seen


def base(root: Path) -> Script:
    s = Script(root)
    s.commit(ANN, 0, {"a.py": "1", "lib/b.py": "1"})
    s.commit(BOB, 1, {"a.py": "2"})
    s.commit(ANN, 2, {"lib/b.py": "2"})
    return s


def test_incremental_run_reads_only_new_commits_and_equals_a_full_pass(tmp_path: Path, logged: List[str]) -> None:
    s = base(tmp_path / "r")
    first = load(s.root)
    cached_head = first.model.head
    assert load(s.root).model.head == cached_head
    assert logged == [cached_head]  # one full pass; the second run found HEAD cached: no git log
    s.commit(CAROL, 3, {"a.py": "3", "new.py": "n"})
    s.commit(BOB, 4, renames={"lib/b.py": "lib/c.py"})
    s.commit(CAROL, 5, {"a.py": None})
    incremental = load(s.root)
    assert logged[-1] == f"{cached_head}..{incremental.model.head}"
    assert snapshot(incremental) == snapshot(load(s.root, use_cache=False))
    assert "a.py" not in incremental.model.files and "lib/c.py" in incremental.model.files


def test_rewritten_history_falls_back_to_a_full_pass(tmp_path: Path, logged: List[str]) -> None:
    s = base(tmp_path / "r")
    load(s.root)
    s.git("reset", "-q", "--hard", "HEAD~2")  # the cached commit is no ancestor any more
    s.commit(CAROL, 3, {"lib/b.py": "rebased"})
    rebased = load(s.root)
    assert logged[-1] == rebased.model.head
    assert snapshot(rebased) == snapshot(load(s.root, use_cache=False))
    assert "Bob <bob@example.com>" not in {label for label, _ in snapshot(rebased)["<authors>"]}


def test_a_real_rebase_equals_a_full_pass(tmp_path: Path) -> None:
    s = base(tmp_path / "r")
    s.git("checkout", "-q", "-b", "topic")
    s.commit(CAROL, 3, {"topic.py": "t"})
    s.git("checkout", "-q", "main")
    s.commit(BOB, 4, {"a.py": "main"})
    s.git("checkout", "-q", "topic")
    load(s.root)
    s.git("rebase", "-q", "main", author=CAROL, day=5)
    assert snapshot(load(s.root)) == snapshot(load(s.root, use_cache=False))


def test_a_changed_mailmap_invalidates_the_cache(tmp_path: Path) -> None:
    s = base(tmp_path / "r")
    load(s.root)
    (s.root / ".mailmap").write_text("Ann <ann@example.com> Bob <bob@example.com>\n")  # work tree only
    assert snapshot(load(s.root)) == snapshot(load(s.root, use_cache=False))
    assert [r.author for r in load(s.root).doa("a.py")] == ["Ann <ann@example.com>"]


def test_a_corrupt_cache_is_a_miss(tmp_path: Path) -> None:
    s = base(tmp_path / "r")
    load(s.root)
    from repo_roles.coverage.cache import cache_directory
    from repo_roles.cachedir import project_key
    from repo_roles.history.cache import cache_file
    from repo_roles.inventory import load_inventory

    path = cache_file(cache_directory(Config(), s.root), project_key(load_inventory(s.root)))
    path.write_text('{"format": 1, "files": [')
    assert snapshot(load(s.root)) == snapshot(load(s.root, use_cache=False))


def cache_parts(root: Path) -> tuple:
    """The cache file of ``root``, its JSON header and its raw records."""
    import json

    from repo_roles.coverage.cache import cache_directory
    from repo_roles.cachedir import project_key
    from repo_roles.history.cache import cache_file
    from repo_roles.inventory import load_inventory

    path = cache_file(cache_directory(Config(), root), project_key(load_inventory(root)))
    raw = path.read_bytes()
    cut = raw.index(b"\n")
    return path, json.loads(raw[:cut]), raw[cut + 1:]


def clone(source: Path, target: Path, *args: str) -> Path:
    import subprocess

    subprocess.run(["git", "clone", "-q", *args, f"file://{source}", str(target)], check=True, capture_output=True)
    return target


def test_shallow_clone_is_skipped_with_the_fetch_depth_note_then_unshallowed(tmp_path: Path) -> None:
    s = base(tmp_path / "r")
    shallow = clone(s.root, tmp_path / "shallow", "--depth", "1")
    history = load(shallow)
    assert not history.available and history.authors("a.py") == []
    assert history.note == f"history skipped: this is a shallow clone; {FETCH_HINT}"
    import subprocess

    subprocess.run(["git", "-C", str(shallow), "fetch", "-q", "--unshallow"], check=True, capture_output=True)
    full = load(shallow)
    assert full.available and snapshot(full) == snapshot(load(s.root, use_cache=False))


def test_partial_clone_is_skipped(tmp_path: Path) -> None:
    s = base(tmp_path / "r")
    s.git("config", "uploadpack.allowFilter", "true")
    partial = clone(s.root, tmp_path / "partial", "--filter=blob:none", "--no-checkout")
    history = load(partial)
    assert not history.available and "partial clone" in (history.note or "")


def test_grafted_history_is_skipped(tmp_path: Path) -> None:
    s = base(tmp_path / "r")
    s.git("replace", "--graft", "HEAD~1")
    assert "grafted or replaced" in (load(s.root).note or "")


def test_repository_without_commits(tmp_path: Path) -> None:
    s = Script(tmp_path / "r")
    (s.root / "a.py").write_text("x")
    s.git("add", "a.py")
    history = load(s.root)
    assert not history.available and "no commits" in (history.note or "")


def test_a_cache_entry_naming_an_unknown_author_is_dropped_not_trusted(tmp_path: Path) -> None:
    from array import array

    s = base(tmp_path / "r")
    load(s.root)
    path, header, raw = cache_parts(s.root)
    records = array("q")
    records.frombytes(raw)
    records[1] = 99  # the first file's first contributor: an author index out of range
    path.write_bytes(path.read_bytes()[:-len(raw)] + records.tobytes())
    damaged = load(s.root)
    first, second = header["paths"][0], header["paths"][1]
    assert damaged.doa(first) == []  # unknown rather than wrong
    assert damaged.doa(second) == load(s.root, use_cache=False).doa(second)


def test_history_config_is_validated_with_positions(tmp_path: Path) -> None:
    from repo_roles.config import load_config
    from repo_roles.errors import ConfigError

    config = tmp_path / "repo-roles.toml"
    config.write_text('[history]\nactive-days = 90\nidentities = { "*@old.example" = "@ann" }\n')
    loaded = load_config(config).history
    assert (loaded.active_days, loaded.identities, loaded.concentration_files) == (90, {"*@old.example": "@ann"}, 20)
    config.write_text('[history]\nidentities = { "ann@x" = "not a handle" }\n')
    with pytest.raises(ConfigError) as info:
        load_config(config)
    assert "history" in str(info.value) and ":2:" in str(info.value)
    config.write_text('[history]\nroles = ["backend.logic"]\norphaned-files = 3.0\n')
    loaded = load_config(config).history
    assert (loaded.roles, loaded.orphaned_files) == (("backend.logic",), 3)
    config.write_text('[history]\norphaned-files = 2\nroles = ["backend.logc"]\n')
    with pytest.raises(ConfigError) as info:
        load_config(config)
    assert "backend.logc" in str(info.value) and ":3:" in str(info.value)


def test_a_cached_commit_id_that_is_no_id_never_reaches_git(tmp_path: Path, logged: List[str]) -> None:
    import json

    s = base(tmp_path / "r")
    load(s.root)
    path, header, raw = cache_parts(s.root)
    header["head"] = "--output=" + str(tmp_path / "x")
    path.write_bytes(json.dumps(header).encode() + b"\n" + raw)
    s.commit(CAROL, 3, {"a.py": "3"})
    history = load(s.root)
    assert logged[-1] == history.model.head  # a full pass, not "--output=...".."HEAD"
    assert not (tmp_path / "x").exists()


def test_a_clone_missing_blobs_is_skipped_not_judged(tmp_path: Path) -> None:
    """Rename detection reads the blobs of added and deleted files; a clone without some of them
    (not marked as a partial clone) makes git log fail with "unable to read"."""
    from _history import body

    s = Script(tmp_path / "r")
    s.commit(ANN, 0, {"a.py": body("a")})
    s.commit(BOB, 1, renames={"a.py": "b.py"}, files={"b.py": body("a") + "edited\n"})
    blob = s.git("rev-parse", "HEAD~1:a.py").strip()
    (s.root / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    history = load(s.root)
    assert not history.available
    assert "unable to read" in (history.note or "") and FETCH_HINT in (history.note or "")


def test_a_merged_branch_of_older_commits_gives_the_full_pass(tmp_path: Path, logged: List[str]) -> None:
    """git's walk (by committer date) interleaves the merged branch with the cached commits:
    extending the cached model would apply them last; the run does a full pass instead."""
    s = merged_old_branch(tmp_path / "r")
    cached_head = load(s.root).model.head
    merge_topic(s, 40)
    merged = load(s.root)
    head = merged.model.head
    # the extension was refused before the range's log was read: one git log, the full pass
    assert logged[-2:] == [cached_head, head]
    full = load(s.root, use_cache=False)
    assert snapshot(merged) == snapshot(full)
    assert merged.last_commit("h.py") == full.last_commit("h.py") == 1577880000 + 12 * 86400
    assert [r.author for r in merged.doa("d.py")] == ["Bob <bob@example.com>"]  # deleted, then Bob's
    assert snapshot(load(s.root)) == snapshot(full)  # the saved model is the full pass's
    assert logged[-1] == head


def test_a_fast_forward_still_extends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = merged_old_branch(tmp_path / "r")
    merge_topic(s, 40)
    cached_head = load(s.root).model.head
    s.commit(BOB, 41, {"h.py": body("g") + "more\n"})
    s.commit(CAROL, 42, {"n.py": "n"})
    ranges = record_calls(monkeypatch, stage, "extend", lambda model, root, revisions, *rest: revisions)
    passes = record_calls(monkeypatch, stage, "full_pass")
    walks = record_calls(monkeypatch, stage, "walk_order")
    advanced = load(s.root)
    # a chain down to the cached head: extended, and git's walk of the whole history not read
    assert ranges == [f"{cached_head}..{advanced.model.head}"] and passes == [] and walks == []
    assert snapshot(advanced) == snapshot(load(s.root, use_cache=False))
    assert len(advanced.model.order) == 2


def test_linear_advances_are_recorded_then_checked_against_the_walk(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Each linear advance adds a segment to the cached order; past MAX_SEGMENTS the next advance
    compares git's walk with all of them (one segment again), and a model so made still extends."""
    monkeypatch.setattr(stage, "MAX_SEGMENTS", 3)
    s = base(tmp_path / "r")
    load(s.root)
    walks = record_calls(monkeypatch, stage, "walk_order")
    passes = record_calls(monkeypatch, stage, "full_pass")
    sizes = []
    for day in range(3, 7):
        s.commit(CAROL if day % 2 else BOB, day, {"a.py": str(day)})
        sizes.append(len(load(s.root).model.order))
    # the third advance compares: the range's ids and git's whole walk, once each
    assert sizes == [2, 3, 1, 2] and len(walks) == 2 and passes == []
    assert snapshot(load(s.root)) == snapshot(load(s.root, use_cache=False))


def test_a_merge_of_newer_commits_still_extends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A branch whose commits are all newer than the cached ones is walked first, as the range."""
    s = Script(tmp_path / "r")
    s.commit(ANN, 0, {"a.py": "1"})
    s.commit(BOB, 1, {"a.py": "2"})
    cached_head = load(s.root).model.head
    s.git("checkout", "-q", "-b", "topic")
    s.commit(CAROL, 3, {"a.py": "3", "t.py": "t"})
    s.git("checkout", "-q", "main")
    s.commit(BOB, 4, {"b.py": "b"})
    s.git("merge", "-q", "--no-edit", "topic", author=DAN, day=5)
    passes = record_calls(monkeypatch, stage, "full_pass")
    walks = record_calls(monkeypatch, stage, "walk_order", lambda root, head: head)
    advanced = load(s.root)
    # the range's ids, then git's walk of the new head: they agree, and the range is applied
    assert passes == [] and walks == [f"{cached_head}..{advanced.model.head}", advanced.model.head]
    assert snapshot(advanced) == snapshot(load(s.root, use_cache=False))


def test_newer_commits_forked_below_a_clock_skew_give_the_full_pass(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Every new commit is dated after every cached one, yet the order changes: the cached history
    has a child dated before its parent (Carol's rename, day 5, after Bob's edit, day 30), and the
    merged branch forks at Bob's edit, which git's walk of the new head then reaches before the
    rename. A test of dates alone would extend; the walk's order says a full pass."""
    s = Script(tmp_path / "r")
    s.commit(ANN, 1, {"g.py": body("g")})
    s.commit(BOB, 30, {"g.py": body("g") + "bob\n"})
    fork = s.git("rev-parse", "HEAD").strip()
    s.commit(CAROL, 5, renames={"g.py": "h.py"})
    s.commit(ANN, 31, {"z.py": "z"})
    load(s.root)
    s.git("checkout", "-q", "-b", "topic", fork)
    s.commit(DAN, 40, {"n.py": "n"})
    s.git("checkout", "-q", "main")
    s.git("merge", "-q", "--no-edit", "topic", author=DAN, day=41)
    passes = record_calls(monkeypatch, stage, "full_pass")
    merged = load(s.root)
    assert len(passes) == 1
    assert snapshot(merged) == snapshot(load(s.root, use_cache=False))
    assert "Bob <bob@example.com>" not in [r.author for r in merged.doa("h.py")]  # the full pass's answer


def test_a_cached_order_that_does_not_match_the_walk_means_a_full_pass(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    s = base(tmp_path / "r")
    load(s.root)
    path, header, raw = cache_parts(s.root)
    header["order"] = [[header["order"][0][0], "0" * 40]]  # well formed, not the walk's
    path.write_bytes(json.dumps(header).encode() + b"\n" + raw)
    s.git("checkout", "-q", "-b", "topic")
    s.commit(CAROL, 3, {"t.py": "t"})
    s.git("checkout", "-q", "main")
    s.git("merge", "-q", "--no-ff", "--no-edit", "topic", author=DAN, day=4)
    passes = record_calls(monkeypatch, stage, "full_pass")
    ranges = record_calls(monkeypatch, stage, "read_log", lambda root, revisions="HEAD", ahead=None: revisions)
    merged = load(s.root)
    assert len(passes) == 1 and ranges == [merged.model.head]  # the walk said no: the range is never read
    assert snapshot(merged) == snapshot(load(s.root, use_cache=False))


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    """The revisions a git log process was started for (in any thread)."""
    from repo_roles.history import reader

    seen: List[str] = []
    real = reader._start_log

    def spy(root, revisions):
        seen.append(revisions)
        return real(root, revisions)

    monkeypatch.setattr(reader, "_start_log", spy)
    return seen


def test_a_log_started_ahead_is_the_full_pass_and_read_once(tmp_path: Path, started: List[str]) -> None:
    """Issue 13 (cold audit): the full pass's git log starts before the scan asks for the
    history (``prefetch_history``), and the history stage reads that log instead of starting
    another: the same model, one git log."""
    s = base(tmp_path / "r")
    reference = snapshot(load(s.root, use_cache=False))
    started.clear()
    inventory = load_inventory(s.root)
    ahead = stage.prefetch_history(inventory, Config(), use_cache=True)
    assert ahead is not None
    history = load_history(inventory, Config(), True, ahead)
    assert snapshot(history) == reference
    assert started == [history.model.head]  # the log read ahead, no second one


def test_no_log_is_started_ahead_when_a_history_file_is_cached(tmp_path: Path, started: List[str]) -> None:
    s = base(tmp_path / "r")
    load(s.root)  # caches the model
    assert stage.prefetch_history(load_inventory(s.root), Config(), use_cache=True) is None
    ahead = stage.prefetch_history(load_inventory(s.root), Config(), use_cache=False)  # --no-cache
    assert ahead is not None
    ahead.close()


def test_a_log_started_ahead_that_is_not_needed_is_stopped(tmp_path: Path, started: List[str]) -> None:
    """Another run cached the model meanwhile: the stage takes it, and the log read ahead is
    stopped (and waited for) rather than left running."""
    s = base(tmp_path / "r")
    inventory = load_inventory(s.root)
    ahead = stage.prefetch_history(inventory, Config(), use_cache=True)
    assert ahead is not None
    head = ahead.finish().head
    process = ahead._process
    load(s.root)  # the other run: its own full pass, cached
    assert started == [head, head]
    history = load_history(inventory, Config(), True, ahead)
    assert history.model.head == head and started == [head, head]
    assert ahead._process is None and process.proc.returncode is not None  # stopped and waited for


def test_an_audit_scan_starts_the_log_ahead(make_repo) -> None:
    from repo_roles.scan import scan

    root = make_repo({"a.py": "x = 1\n"})
    context = scan(root, early_coverage=True)
    assert "_history_ahead" in context.__dict__
    assert context.history.available
    assert "_history_ahead" not in context.__dict__  # handed to the stage once


def test_closing_a_log_started_ahead_kills_git_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review of s11-c: ``close`` stops a log nobody took without waiting for git to write it
    (it joined the reading thread first: up to 64 MiB of a slow log); a log closed before git
    started never starts it."""
    import threading

    from repo_roles.history import reader

    s = base(tmp_path / "r")
    release = threading.Event()
    real_state = reader.history_state

    def slow_state(root):  # the thread is held before it starts git
        release.wait(5)
        return real_state(root)

    monkeypatch.setattr(reader, "history_state", slow_state)
    started: List[str] = []
    real_start = reader._start_log
    monkeypatch.setattr(reader, "_start_log", lambda root, rev: started.append(rev) or real_start(root, rev))
    ahead = reader.LogAhead(s.root)
    closing = threading.Thread(target=ahead.close)
    closing.start()
    closing.join(0.2)
    release.set()
    closing.join(5)
    assert not closing.is_alive() and not ahead._thread.is_alive()
    assert started == []  # closed before git started: never started
    assert ahead.take(s.root, "HEAD") is None

    monkeypatch.setattr(reader, "history_state", real_state)
    order: List[str] = []
    ahead = reader.LogAhead(s.root)
    while ahead._process is None and ahead._thread.is_alive():
        pass
    process = ahead._process
    assert process is not None  # (git started: the state is complete)
    real_kill, real_join = process.proc.kill, ahead._thread.join
    monkeypatch.setattr(process.proc, "kill", lambda: order.append("kill") or real_kill())
    monkeypatch.setattr(ahead._thread, "join", lambda *a: order.append("join") or real_join(*a))
    ahead.close()
    assert order[:2] == ["kill", "join"]  # git killed first, then the reading thread waited for
    assert not ahead._thread.is_alive() and ahead._process is None and process.proc.returncode is not None


def test_a_scan_that_fails_after_starting_the_log_stops_it(make_repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review of s11-c: an error (or Ctrl-C) in the scan after the log was started ahead stops
    it: no thread reading on, no git left running."""
    from repo_roles import scan as scan_module
    from repo_roles.history import reader

    root = make_repo({"a.py": "x = 1\n"})
    made: List[reader.LogAhead] = []
    real = reader.LogAhead.__init__

    def spy(self, git_root):
        real(self, git_root)
        made.append(self)

    monkeypatch.setattr(reader.LogAhead, "__init__", spy)
    closed = record_calls(monkeypatch, reader.LogAhead, "close", lambda self: self)

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(scan_module, "resolve_ownership", boom)
    with pytest.raises(KeyboardInterrupt):
        scan_module.scan(root, early_coverage=True)
    assert len(made) == 1 and closed == made and not made[0]._thread.is_alive()


def test_an_audit_that_ends_without_the_history_stops_the_log(make_repo, run_cli,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Review of s11-c: an audit that ends before the history stage takes the log started
    ahead (here its checks fail; or its history findings were stored) stops it at the end of
    the command, so no thread reads on and the quick exit stays open."""
    from repo_roles.checks import engine
    from repo_roles.history import reader

    root = make_repo({"a.py": "x = 1\n"})
    closed = record_calls(monkeypatch, reader.LogAhead, "close", lambda self: self)

    def boom(*args, **kwargs):
        raise RuntimeError("checks failed")

    monkeypatch.setattr(engine, "run_checks", boom)
    result = run_cli("audit", str(root))
    assert result.exit_code == 2
    assert len(closed) == 1 and not closed[0]._thread.is_alive()
