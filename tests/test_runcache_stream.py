"""Stored runs at scale: git's listing remembered by the index file's stamp, and answers
replayed in pieces (``repo_roles.runcache.listing``, ``Replay``).

Each CLI test runs the real command on a real repository and compares with ``--no-cache``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, List

import pytest

import repo_roles.inventory as inventory_module
import repo_roles.scan as scan_module
from repo_roles.commands.memo import whole_pieces
from repo_roles.runcache import listing as L
from repo_roles.runcache import store as S

from conftest import git

FILES = {
    ".github/CODEOWNERS": "/app/ @acme/backend\n",
    "app/__init__.py": "",
    "app/billing.py": "def charge(amount):\n    return amount\n",
    "app/deep/er/mod.py": "def f():\n    pass\n",
    "app/caf\u00e9.py": 'def f():\n    """Caf\u00e9 \u2603."""\n',
    "tests/test_billing.py": "from app.billing import charge\n\n\ndef test_charge():\n    charge(1)\n",
}
LS = ("ls", "--format", "jsonl")


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> dict:
    """How often the pipeline ran and git's index was listed."""
    seen = {"scans": 0, "listings": 0}
    scan, entries = scan_module.scan_project, inventory_module._git_entries

    def spy_scan(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen["scans"] += 1
        return scan(*args, **kwargs)

    def spy_entries(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen["listings"] += 1
        return entries(*args, **kwargs)

    monkeypatch.setattr(scan_module, "scan_project", spy_scan)
    monkeypatch.setattr(inventory_module, "_git_entries", spy_entries)
    return seen


@pytest.fixture
def root(make_repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A repository of FILES, the working directory, with its own cache in ``tmp_path/cache``."""
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(tmp_path / "cache"))
    made = make_repo(FILES)
    monkeypatch.chdir(made)
    return made


def _run(run_cli: Callable, *args: str):  # type: ignore[no-untyped-def]
    result = run_cli(*args)
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def _stamps(cache: Path) -> List[Path]:
    return sorted((cache / "index-stamps").glob("*" + L.SUFFIX))


def test_an_unchanged_index_is_not_listed_again(root, run_cli, counts) -> None:
    first = _run(run_cli, *LS)
    assert counts == {"scans": 1, "listings": 1}
    assert _run(run_cli, *LS) == first
    assert counts == {"scans": 1, "listings": 1}, "a replayed run listed git's index again"
    _run(run_cli, "check", "--output-format", "json")  # another command: analyses, lists once
    assert counts == {"scans": 2, "listings": 2}


def test_an_index_rewritten_with_the_same_listing_finds_the_run(root, run_cli, tmp_path, counts) -> None:
    """A new index file (git rewrites it on `git add` of unchanged content, `update-index
    --refresh` after a touch) is listed again, gives the same digest and the stored answer."""
    first = _run(run_cli, *LS)
    index = root / ".git" / "index"
    before = os.stat(index)
    os.utime(root / "app/billing.py")
    git(root, "update-index", "--refresh")
    git(root, "add", "app/billing.py")
    os.utime(index, ns=(before.st_atime_ns, before.st_mtime_ns + 1))
    assert _run(run_cli, *LS) == first
    assert counts == {"scans": 1, "listings": 2}
    assert len(_stamps(tmp_path / "cache")) == 2


def test_a_rewritten_index_with_the_same_paths_takes_their_directories_from_the_cache(
        root, run_cli, tmp_path, monkeypatch, counts) -> None:
    """`git add` of a changed file rewrites the index with the same path list: listed again,
    but its directories come from the entry of the path list's digest (a damaged one is
    worked out again), and the answers stay those of --no-cache."""
    worked_out = []
    directories = inventory_module.Inventory.directories
    monkeypatch.setattr(inventory_module.Inventory, "directories",
                        lambda self: worked_out.append(1) or directories(self))
    _run(run_cli, *LS)
    assert len(worked_out) == 1
    (root / "app/billing.py").write_text('def charge(amount):\n    """Bill."""\n')
    git(root, "add", "app/billing.py")
    second = _run(run_cli, *LS)
    assert counts["listings"] == 2 and len(worked_out) == 1, "the directories were worked out again"
    assert second == _run(run_cli, *LS, "--no-cache")
    (entry,) = (tmp_path / "cache" / "index-stamps").glob("*" + L.DIRS_SUFFIX)
    entry.write_bytes(entry.read_bytes().replace(b"app", b"xyz"))
    (root / "app/billing.py").write_text('def charge(amount):\n    """Bill it."""\n')
    git(root, "add", "app/billing.py")
    worked_out.clear()
    third = _run(run_cli, *LS)
    assert len(worked_out) == 1 and third == _run(run_cli, *LS, "--no-cache")
    (root / "app" / "new.py").write_text("x = 1\n")  # a new path: a new path list
    git(root, "add", "app/new.py")
    worked_out.clear()
    fourth = _run(run_cli, *LS)
    assert len(worked_out) == 1 and fourth == _run(run_cli, *LS, "--no-cache") != third


def test_a_listing_seen_before_is_not_cut_for_the_key(root, run_cli, tmp_path, monkeypatch, counts) -> None:
    """An index rewritten with the same listing (a refresh after a touch) is listed again, but
    its path-list digest and directories come from the entry of the listing's digest: a stored
    answer is found without hashing or cutting the paths.  A damaged entry is worked out again."""
    hashed = []
    digest_of = inventory_module.paths_digest
    monkeypatch.setattr(inventory_module, "paths_digest",  # the path list's, not other lists'
                        lambda paths: (hashed.append(1) if "app/billing.py" in paths else None) or digest_of(paths))
    first = _run(run_cli, *LS)
    assert len(hashed) == 1
    index = root / ".git" / "index"

    def rewrite() -> None:
        before = os.stat(index)
        os.utime(root / "tests/test_billing.py")
        git(root, "status", "--porcelain")  # refreshes the index: a new file, the same listing
        os.utime(index, ns=(before.st_atime_ns, before.st_mtime_ns + 1))

    rewrite()
    hashed.clear()
    assert _run(run_cli, *LS) == first
    assert counts == {"scans": 1, "listings": 2} and hashed == [], "the paths were hashed for the key"
    (entry,) = (tmp_path / "cache" / "index-stamps").glob("*" + L.PATHS_SUFFIX)
    entry.write_bytes(entry.read_bytes()[:-1])
    rewrite()
    assert _run(run_cli, *LS) == first and len(hashed) == 1 and counts["scans"] == 1
    (root / "app/billing.py").write_text('def charge(amount):\n    """Bill."""\n')  # a dirty file: analysed
    rewrite()
    hashed.clear()
    changed = _run(run_cli, *LS)
    assert counts == {"scans": 2, "listings": 4} and hashed == [], "the scan hashed the paths again"
    assert changed == _run(run_cli, *LS, "--no-cache") != first
    # the same index file (its stamp's entry gives the listing's digest): the analysis is told
    # the path list's facts once git's listing is confirmed to be that one
    (root / "app/billing.py").write_text('def charge(amount):\n    """Bill it."""\n')
    hashed.clear()
    again = _run(run_cli, *LS)
    assert counts == {"scans": 4, "listings": 6} and hashed == []
    assert again == _run(run_cli, *LS, "--no-cache")


@pytest.mark.parametrize("large", [False, True], ids=["small-repository paths", "large-repository paths"])
def test_files_git_does_not_compare_are_inputs(root, run_cli, monkeypatch, counts, large, request) -> None:
    """git-update-index(1): git compares no skip-worktree (sparse checkout) or assume-unchanged
    entry with its file; the tool reads the file, so a deleted or edited one is a change (the
    key's and the classification caches'), found by `git ls-files -v`'s tags, which git gives
    with the index listing (`ls-files -s -v`: one git, no separate `ls-files -v`) only when the
    index file's stamp has no entry (it remembers them)."""
    if large:  # the classification caches and the documentation stage trust git's comparison
        request.getfixturevalue("cache_for_any_size")
    asked = []
    popen = inventory_module.subprocess.Popen

    def spy(args, *rest, **kwargs):  # type: ignore[no-untyped-def]
        if list(args[:3]) == ["git", "ls-files", "-v"]:
            asked.append("-v")
        elif list(args[:4]) == ["git", "ls-files", "-s", "-v"]:
            asked.append("-s -v")
        return popen(args, *rest, **kwargs)

    monkeypatch.setattr(inventory_module.subprocess, "Popen", spy)
    first = _run(run_cli, *LS)
    assert asked == ["-s -v"], "the flagged entries were not listed with the index"
    assert _run(run_cli, *LS) == first and asked == ["-s -v"], "the stamp's entry did not hold the flagged entries"
    git(root, "update-index", "--skip-worktree", "app/billing.py")
    (root / "app/billing.py").unlink()
    sparse = _run(run_cli, *LS)
    assert asked[-1:] == ["-s -v"] and "-v" not in asked, "the index listing did not give the flagged entries"
    assert sparse == _run(run_cli, *LS, "--no-cache") != first
    git(root, "update-index", "--no-skip-worktree", "app/billing.py")
    git(root, "checkout", "--", "app/billing.py")
    git(root, "update-index", "--assume-unchanged", "app/billing.py")
    (root / "app/billing.py").write_text('def charge(amount):\n    """Bill."""\n    return amount\n')
    assumed = _run(run_cli, *LS)
    assert assumed == _run(run_cli, *LS, "--no-cache") not in (first, sparse)
    asked.clear()
    assert _run(run_cli, *LS) == assumed and asked == [] and counts["scans"] == 5  # replayed


def test_a_sparse_checkout_with_more_files_outside_its_cone_than_changed_files_is_replayed(
        root, run_cli, monkeypatch, counts) -> None:
    """A sparse checkout (git-sparse-checkout(1)) marks every file outside its cone skip-worktree
    and leaves it out of the work tree, on every run: those files are keyed together by what the
    work tree holds, not counted as changed files, so a sparse checkout with more of them than
    ``MAX_CHANGED_FILES`` still gets a stored run (it got none once they were counted); one of
    them coming back is a new run."""
    from repo_roles.runcache import key as key_module

    monkeypatch.setattr(key_module, "MAX_CHANGED_FILES", 1)
    outside = ["app/billing.py", "app/deep/er/mod.py", "tests/test_billing.py"]
    git(root, "update-index", "--skip-worktree", *outside)
    for path in outside:
        (root / path).unlink()
    first = _run(run_cli, *LS)
    assert _run(run_cli, *LS) == first and counts["scans"] == 1, "the sparse checkout was analysed again"
    assert first == _run(run_cli, *LS, "--no-cache")
    (root / "app/billing.py").write_text("def charge(amount):\n    return amount\n")
    back = _run(run_cli, *LS)
    assert counts["scans"] == 3 and back == _run(run_cli, *LS, "--no-cache") != first


def test_an_index_changed_within_the_same_instant_is_a_new_listing(root, run_cli, counts) -> None:
    """Racy git (gitformat-index(5), racy-git.txt): an index rewritten within one timestamp
    tick still has a new checksum at its end; the stamp holds it."""
    first = _run(run_cli, *LS)
    index = root / ".git" / "index"
    before = os.stat(index)
    (root / "app/billing.py").write_text('def charge(amount):\n    """Bill."""\n')
    git(root, "add", "app/billing.py")
    os.utime(index, ns=(before.st_atime_ns, before.st_mtime_ns))  # same time as the first index
    second = _run(run_cli, *LS)
    assert counts == {"scans": 2, "listings": 2}
    assert second != first and second == _run(run_cli, *LS, "--no-cache")


def test_a_stale_or_damaged_stamp_never_changes_the_answer(root, run_cli, tmp_path, counts) -> None:
    cache = tmp_path / "cache"
    first = _run(run_cli, *LS)
    (stamp,) = _stamps(cache)
    good = stamp.read_bytes()
    digest, directories = L.decode(good)  # type: ignore[misc]
    runs = len(list((cache / "runs").iterdir()))
    # an intact entry naming another listing: the key misses, the run analyses, stores nothing
    stamp.write_bytes(L.encode(b"\x01" * len(digest), directories))
    assert _run(run_cli, *LS) == first
    assert counts["scans"] == 2 and len(list((cache / "runs").iterdir())) == runs
    assert not stamp.exists(), "the stale stamp was kept"
    for damaged in (good[:-1], good[:-1] + bytes([good[-1] ^ 1]), b"", good.replace(b"app", b"xyz")):
        stamp.write_bytes(damaged)  # the same index: the same stamp
        assert _run(run_cli, *LS) == first
    assert counts["scans"] == 2, "the stored run was not found again"


def test_an_untracked_attributes_file_above_every_file_is_an_input(root, run_cli) -> None:
    """gitattributes(5): every directory above a file counts, also one holding no file itself
    (app/deep holds only er/)."""
    before = _run(run_cli, *LS)
    (root / "app" / "deep" / ".gitattributes").write_text("*.py linguist-generated\n")
    after = _run(run_cli, *LS)
    assert after == _run(run_cli, *LS, "--no-cache") and after != before


def test_the_stamp_hashes_the_content_when_git_wrote_no_checksum(tmp_path, monkeypatch) -> None:
    """index.skipHash (git 2.40): the trailing checksum is twenty zero bytes."""
    index = tmp_path / "index"
    index.write_bytes(b"DIRC" + bytes(8) + b"entries-one" + bytes(32))
    fixed = os.stat(index)
    monkeypatch.setattr(L.os, "fstat", lambda fd: fixed)  # the same stat data for both
    one = L.index_stamp(str(index), "")
    index.write_bytes(b"DIRC" + bytes(8) + b"entries-two" + bytes(32))
    assert one is not None and L.index_stamp(str(index), "") != one
    assert L.index_stamp(str(index), "sub/") != L.index_stamp(str(index), "")
    assert L.index_stamp(str(tmp_path / "missing"), "") is None


@pytest.mark.parametrize("text", [
    pytest.param("", id="empty"),
    pytest.param("plain line\n" * 50, id="lines"),
    pytest.param("caf\u00e9 \u2603 \udcff\n" * 40 + "no newline at the end", id="multibyte-and-escaped"),
])
def test_a_stored_answer_is_replayed_in_pieces(tmp_path, monkeypatch, text) -> None:
    monkeypatch.setattr(S, "CHUNK", 7)
    runs = S.RunStore(tmp_path)
    entry = S.RunEntry(1, text, "before\n", {}, "after\n")
    runs.save("k", entry)
    replay = runs.open("k", {})
    assert replay is not None
    with replay:
        assert (replay.exit_code, replay.stderr, replay.stderr_after) == (1, "before\n", "after\n")
        pieces = list(replay.chunks())
    assert "".join(pieces) == text and all(len(p) <= 7 for p in pieces)
    assert runs.load("k", {}) == entry


def test_the_whole_entry_is_checked_before_a_piece_is_handed_out(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(S, "CHUNK", 16)
    runs = S.RunStore(tmp_path)
    runs.save("k", S.RunEntry(0, "x" * 5000 + "tail\n", "", {}))
    path = runs._path("k")
    data = path.read_bytes()
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # damage in the last chunk
    assert runs.open("k", {}) is None


def test_no_piece_cuts_a_character_or_a_style() -> None:
    """click.echo strips ANSI styles when not writing to a terminal, and a UTF-8 character cut
    in two would decode as two escaped bytes: pieces end at neither."""
    import click

    text = "\x1b[1mbold\x1b[0m caf\u00e9 \u2603 \U0001f600\n" * 3 + "x" * 10 + "\x1b[31mred\x1b[0m \udcff"
    data = text.encode("utf-8", "surrogateescape")
    for size in (1, 2, 3, 5, 7):
        chunks = [data[i:i + size] for i in range(0, len(data), size)]
        pieces = [p.decode("utf-8", "surrogateescape") for p in whole_pieces(chunks)]
        assert "".join(pieces) == text
        assert "".join(click.unstyle(p) for p in pieces) == click.unstyle(text)
    naive = [data[i:i + 5].decode("utf-8", "surrogateescape") for i in range(0, len(data), 5)]
    assert "".join(click.unstyle(c) for c in naive) != click.unstyle(text)  # what the re-cut prevents
    assert list(whole_pieces([b"plain", b" text"])) == [b"plain", b" text"]  # passed as they are


@pytest.mark.parametrize("command", [("ls", "--format", "jsonl"), ("check", "--output-format", "json"),
                                     ("audit",)], ids=["ls", "check", "audit"])
def test_a_replay_in_small_pieces_prints_the_same(root, run_cli, monkeypatch, counts, command) -> None:
    first = _run(run_cli, *command)
    monkeypatch.setattr(S, "CHUNK", 3)
    assert _run(run_cli, *command) == first
    assert counts["scans"] == 1


def test_a_report_file_is_written_from_the_pieces(root, run_cli, counts) -> None:
    first = _run(run_cli, "check", "--output-format", "json", "-o", "out/report.json")
    written = (root / "out/report.json").read_text()
    (root / "out/report.json").unlink()
    assert _run(run_cli, "check", "--output-format", "json", "-o", "out/report.json") == first
    assert counts["scans"] == 1 and (root / "out/report.json").read_text() == written


def test_a_rewritten_index_is_listed_while_the_key_hashes_the_rest(root, run_cli, tmp_path, monkeypatch) -> None:
    """A stamp without an entry: git lists the index in a thread started before the key hashes
    the tool's code (``Listings.prefetch``), once; the entry is written with the stamp taken
    before git listed, and the answer is --no-cache's.  A remembered stamp lists nothing."""
    import threading

    from repo_roles.runcache import key as key_module

    events: List[str] = []
    touch: List[bool] = []  # set: the next listing first rewrites the index file's times
    entries, fingerprint, prefetch = inventory_module._git_entries, key_module.code_fingerprint, L.Listings.prefetch

    def spy_entries(*args, **kwargs):  # type: ignore[no-untyped-def]
        events.append("listed in main" if threading.current_thread() is threading.main_thread() else "listed aside")
        if touch:
            touch.clear()
            index = root / ".git/index"
            st = index.stat()
            os.utime(index, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        return entries(*args, **kwargs)

    def spy_prefetch(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        prefetch(self, *args, **kwargs)
        if self._thread is not None:
            events.append("listing started")

    def spy_fingerprint():  # type: ignore[no-untyped-def]
        events.append("fingerprint")
        return fingerprint()

    monkeypatch.setattr(inventory_module, "_git_entries", spy_entries)
    monkeypatch.setattr(key_module, "code_fingerprint", spy_fingerprint)
    monkeypatch.setattr(L.Listings, "prefetch", spy_prefetch)
    _run(run_cli, *LS)
    assert events.index("listing started") < events.index("fingerprint") and events.count("listed aside") == 1
    assert "listed in main" not in events and len(_stamps(tmp_path / "cache")) == 1
    (root / "app/billing.py").write_text('def charge(amount):\n    """Bill."""\n')
    git(root, "add", "app/billing.py")  # a new index file: no entry for its stamp
    events.clear()
    second = _run(run_cli, *LS)
    assert events.index("listing started") < events.index("fingerprint") and events.count("listed aside") == 1
    assert len(_stamps(tmp_path / "cache")) == 2 and second == _run(run_cli, *LS, "--no-cache")
    (root / "app/billing.py").write_text('def charge(amount):\n    """Bill it."""\n')  # index unchanged
    events.clear()
    third = _run(run_cli, *LS)
    assert events[0] == "fingerprint" and events.count("listed in main") == 1  # the scan's own listing
    assert "listed aside" not in events
    events.clear()
    assert _run(run_cli, *LS, "--no-cache") == third
    git(root, "add", "app/billing.py")
    events.clear()
    touch.append(True)  # the index changes while git lists it: its stamp is not remembered
    fourth = _run(run_cli, *LS)
    assert events.count("listed aside") == 1 and not touch and len(_stamps(tmp_path / "cache")) == 2
    assert fourth == _run(run_cli, *LS, "--no-cache")


def test_flagged_entries_listed_before_the_stamp_are_not_remembered(root, tmp_path) -> None:
    """The flagged entries (``git ls-files -v``) are remembered under the index file's stamp only
    when git listed them after the stamp was taken: listed before, they may be an older index's
    (``update-index --skip-worktree`` in between) and would be trusted by later runs."""
    import time

    from repo_roles.inventory import load_inventory

    index = str(root / ".git" / "index")
    for started, remembered in ((None, False), (time.monotonic(), False), (float("inf"), True)):
        listings = L.Listings(tmp_path / f"stamps-{remembered}-{started}")
        inventory = load_inventory(root, deferred=True)
        listings.prefetch(inventory, index)
        listings.digest(inventory, index)
        if started == float("inf"):
            started = time.monotonic()  # after the stamp, as the stored-run key asks
        listings.settle(inventory, index, ["app/billing.py"], started)
        stamp_files = list(listings.directory.glob("*" + L.SUFFIX)) if listings.directory.exists() else []
        assert bool(stamp_files) is remembered, (started, stamp_files)


def test_untracked_files_asked_for_with_the_option_equal_an_uncached_run(root, run_cli, counts) -> None:
    """``--untracked``: git's untracked files join the index listing (no deferred, tagged
    listing then); an untracked file added, then edited, is a new answer each time."""
    (root / "app/fresh.py").write_text("def fresh():\n    return 1\n")
    first = _run(run_cli, *LS, "--untracked")
    assert "app/fresh.py" in first[1] and "app/fresh.py" not in _run(run_cli, *LS)[1]
    assert first == _run(run_cli, *LS, "--untracked", "--no-cache")
    (root / "app/fresh.py").write_text('"""Fresh."""\n\n\ndef fresh():\n    """Now documented."""\n')
    again = _run(run_cli, *LS, "--untracked")
    assert again == _run(run_cli, *LS, "--untracked", "--no-cache") != first


def test_an_audit_that_misses_lists_the_index_while_the_analysis_loads(root, run_cli, tmp_path, monkeypatch) -> None:
    """A remembered stamp and a stored run that misses (a file edited, the index unchanged):
    audit has git list the index in a thread (``Listings.list_ahead``) while it loads the
    analysis, and checks it against the stamp's entry before the scan (``Memo.confirm``); the
    answer is --no-cache's, and a stale entry still stores nothing."""
    import threading

    events: List[str] = []
    entries, scan = inventory_module._git_entries, scan_module.scan_project

    def spy_entries(*args, **kwargs):  # type: ignore[no-untyped-def]
        events.append("listed in main" if threading.current_thread() is threading.main_thread() else "listed aside")
        return entries(*args, **kwargs)

    def spy_scan(*args, **kwargs):  # type: ignore[no-untyped-def]
        events.append("scan")
        return scan(*args, **kwargs)

    monkeypatch.setattr(inventory_module, "_git_entries", spy_entries)
    monkeypatch.setattr(scan_module, "scan_project", spy_scan)
    audit = ("audit", "--format", "json", "--findings")
    cache = tmp_path / "cache"
    _run(run_cli, *audit)
    (root / "app/billing.py").write_text('def charge(amount):\n    """Bill."""\n')  # index unchanged
    events.clear()
    second = _run(run_cli, *audit)
    assert events == ["listed aside", "scan"]
    assert second == _run(run_cli, *audit, "--no-cache")
    (stamp,) = _stamps(cache)
    digest, directories = L.decode(stamp.read_bytes())  # type: ignore[misc]
    runs = len(list((cache / "runs").iterdir()))
    (root / "app/billing.py").write_text('def charge(amount):\n    """Bill it."""\n')
    stamp.write_bytes(L.encode(b"\x01" * len(digest), directories))  # an entry naming another listing
    events.clear()
    third = _run(run_cli, *audit)
    assert events == ["listed aside", "scan"] and third == _run(run_cli, *audit, "--no-cache")
    assert len(list((cache / "runs").iterdir())) == runs and not stamp.exists(), "a stale entry's run was stored"
