"""Issue 13: when only test files' contents changed, the evidence index is updated for those
tests (testrefs/evidence.py ``_updated``) instead of built again, with the same answer."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

from repo_roles.scan import scan
from repo_roles.testrefs import evidence as E
from tests.conftest import git, record_calls, write_files

FILES = {
    "pyproject.toml": '[project]\nname = "app"\nversion = "0.1.0"\n',
    "app/__init__.py": "",
    "app/orders.py": "def place():\n    return 1\n",
    "app/payments.py": "def charge():\n    return 2\n",
    "tests/conftest.py": "import pytest\nfrom app.payments import charge\n\n\n@pytest.fixture\ndef paid():\n    return charge()\n",
    "tests/test_orders.py": "from app.orders import place\n\n\ndef test_place():\n    assert place()\n",
    "tests/test_zebra.py": "import app.orders\n\n\ndef test_z():\n    assert app.orders\n",
    "web/package.json": '{"name": "web"}\n',
    "web/src/api.ts": "export function orders() { return []; }\n",
    "web/src/util.ts": "export function slug() { return ''; }\n",
    "web/src/api.test.ts": "import { orders } from './api';\n\ntest('o', () => orders());\n",
    "jvm/src/main/java/com/acme/Cart.java": "package com.acme;\npublic class Cart {}\n",
    "jvm/src/test/java/com/acme/CartCheck.java": "package com.acme;\nclass CartCheck {}\n",
}


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> List[int]:
    """How many times the whole index is built."""
    return record_calls(monkeypatch, E, "build")


def index_json(root: Path) -> dict:
    """The cached run's index, checked against a run without the cache."""
    got = scan(root).test_evidence.to_json()
    assert got == scan(root, use_cache=False).test_evidence.to_json()
    return got


def commit(root: Path) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "change")


@pytest.mark.parametrize("path, content, target", [
    pytest.param("tests/test_orders.py", "from app.orders import place\nfrom app.payments import charge\n\n\n"
                 "def test_place():\n    assert place() and charge()\n", "app/payments.py", id="python import"),
    pytest.param("tests/test_orders.py", "from app.orders import place\n\n\ndef test_place(paid):\n    assert place()\n",
                 "app/payments.py", id="pytest fixture of a conftest"),
    pytest.param("web/src/api.test.ts", "import { orders } from './api';\nimport { slug } from './util';\n\n"
                 "test('o', () => orders() + slug());\n", "web/src/util.ts", id="JS/TS import"),
    pytest.param("jvm/src/test/java/com/acme/CartCheck.java", "package com.acme;\nclass CartCheck { Cart c; }\n",
                 "jvm/src/main/java/com/acme/Cart.java", id="Java same-package name"),
])
def test_a_changed_test_updates_the_index(make_repo, builds: List[int], path: str, content: str, target: str) -> None:
    root = make_repo(FILES)
    before = index_json(root)
    assert len(builds) == 2  # the cached and the uncached run
    assert not any(row[0] == path for row in before["by_module"].get(target, []))
    write_files(root, {path: content})
    commit(root)
    builds.clear()
    after = index_json(root)
    assert len(builds) == 1  # the uncached run only: the cached one updated the stored index
    assert any(row[0] == path for row in after["by_module"][target])


def test_rows_keep_the_order_of_a_full_build(make_repo, builds: List[int]) -> None:
    """app/orders.py has rows of tests/test_orders.py and tests/test_zebra.py; rewriting the first
    keeps it first (rows are in pass and test order)."""
    root = make_repo(FILES)
    index_json(root)
    write_files(root, {"tests/test_orders.py": "import app.orders\n\n\ndef test_place():\n    assert app.orders\n"})
    commit(root)
    builds.clear()
    rows = index_json(root)["by_module"]["app/orders.py"]
    assert len(builds) == 1
    assert [r[0] for r in rows] == ["tests/test_orders.py", "tests/test_zebra.py"]


def test_a_test_made_unparsable_is_listed(make_repo, builds: List[int]) -> None:
    root = make_repo(FILES)
    index_json(root)
    write_files(root, {"tests/test_orders.py": "def broken(:\n"})
    commit(root)
    builds.clear()
    after = index_json(root)
    assert len(builds) == 1
    assert "tests/test_orders.py" in after["unparsable"] and "tests/test_orders.py" not in after["parsed"]


@pytest.mark.parametrize("path, content", [
    pytest.param("tests/conftest.py", "import pytest\n", id="a conftest"),
    pytest.param("app/0001_initial.py", "x = 1\n", id="a file added"),
    pytest.param("web/package.json", '{"name": "web2"}\n', id="a manifest"),
])
def test_other_changes_build_the_index_again(make_repo, builds: List[int], path: str, content: str) -> None:
    root = make_repo(FILES)
    index_json(root)
    write_files(root, {path: content})
    commit(root)
    builds.clear()
    index_json(root)
    assert len(builds) == 2


def test_a_whole_run_reads_shards_and_a_changed_test_writes_none(make_repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """A whole run (git asked which files changed, as on a large repository) reads the stored
    index in shards; after a test's edit the index keeps the shards written before and holds the
    changed entries in its meta value (the overlay): no shard is written, and the sharded answers
    (rows, parsed tests, each changed test's targets) are those of a run without the cache.  A
    damaged shard is a miss: the whole index answers."""
    from repo_roles.coverage import analyze
    from repo_roles.coverage.store import DocCache

    monkeypatch.setattr(analyze, "GIT_STATUS_MIN_FILES", 0)
    monkeypatch.setattr(E, "SHARDED_MIN_PATHS", 0)
    root = make_repo(FILES)
    index_json(root)
    assert isinstance(scan(root).test_evidence, E.ShardedEvidence)
    puts = record_calls(monkeypatch, DocCache, "put_snapshot", lambda store, kind, salt, data: kind)
    write_files(root, {"tests/test_orders.py": "from app.payments import charge\n\n\ndef test_place():\n"
                       "    assert charge()\n"})  # its import moves from orders to payments
    got = index_json(root)
    assert E.META_KIND in puts and not any(kind.startswith("test-evidence-shard") for kind in puts)
    cached, uncached = scan(root).test_evidence, scan(root, use_cache=False).test_evidence
    assert isinstance(cached, E.ShardedEvidence) and cached.to_json() == got == uncached.to_json()
    for test in ("tests/test_orders.py", "tests/test_zebra.py"):
        assert cached.targets_of(test) == uncached.targets_of(test)
    assert "app/orders.py" in cached.targets_of("tests/test_zebra.py")
    assert "tests/test_orders.py" in cached.parsed
    # the shards written before, damaged: the whole index answers
    import os
    import sqlite3

    (database,) = Path(os.environ["REPO_ROLES_CACHE_DIR"]).rglob("docs-*.sqlite3")
    with sqlite3.connect(database) as db:
        assert db.execute("UPDATE snapshot SET data = ? WHERE kind LIKE 'test-evidence-shard-%'", (b"{",)).rowcount
    assert scan(root).test_evidence.to_json() == uncached.to_json()


def test_a_meta_value_without_its_change_is_read_without_a_traceback(make_repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stored meta value that is sound JSON but lacks the change since the previous index (a
    damaged or foreign cache) is read as "no change known": the answers are those of a run
    without the cache, never a KeyError."""
    import json
    import os
    import sqlite3

    from repo_roles.coverage import analyze

    monkeypatch.setattr(analyze, "GIT_STATUS_MIN_FILES", 0)
    monkeypatch.setattr(E, "SHARDED_MIN_PATHS", 0)
    root = make_repo(FILES)
    index_json(root)
    (database,) = Path(os.environ["REPO_ROLES_CACHE_DIR"]).rglob("docs-*.sqlite3")
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT rowid, data FROM snapshot WHERE kind = ?", (E.META_KIND,)).fetchall()
        assert rows
        for rowid, data in rows:
            meta = json.loads(bytes(data))
            assert meta.pop("change", None) is not None
            db.execute("UPDATE snapshot SET data = ? WHERE rowid = ?", (json.dumps(meta).encode(), rowid))
    cached = scan(root).test_evidence
    assert isinstance(cached, E.ShardedEvidence)
    assert cached.to_json() == scan(root, use_cache=False).test_evidence.to_json()


# --- s12-a: a whole run updates the index stored last in its shards ---------------------------


@pytest.fixture
def whole_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs take a large repository's paths: git asked which files changed, the index keyed by
    the stored positions and read in shards."""
    from repo_roles.coverage import analyze

    monkeypatch.setattr(analyze, "GIT_STATUS_MIN_FILES", 0)
    monkeypatch.setattr(E, "SHARDED_MIN_PATHS", 0)


def _evidence_puts(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    from repo_roles.coverage.store import DocCache

    return record_calls(monkeypatch, DocCache, "put_snapshot", lambda store, kind, salt, data: kind)


def _database(root: Path) -> Path:
    import os

    (database,) = Path(os.environ["REPO_ROLES_CACHE_DIR"]).rglob("docs-*.sqlite3")
    return database


def _damage(root: Path, pattern: str, data: bytes) -> None:
    import sqlite3

    with sqlite3.connect(_database(root)) as db:
        assert db.execute("UPDATE snapshot SET data = ? WHERE kind LIKE ?", (data, pattern)).rowcount


def test_a_whole_run_updates_a_changed_test_in_its_shards(make_repo, whole_runs, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a test's edit, a whole run updates the index the last run stored in its shards: the
    whole stored index is neither read nor built, no shard is written, only the meta value and
    the head; the answers and the change since the last index are those of the whole path."""
    root = make_repo(FILES)
    index_json(root)
    first = scan(root).test_evidence
    reads = record_calls(monkeypatch, E, "_read_stored")
    builds = record_calls(monkeypatch, E, "build")
    puts = _evidence_puts(monkeypatch)
    checked = record_calls(monkeypatch, E, "_read_checked", lambda store, kind, salt, ident: kind)
    write_files(root, {"tests/test_orders.py": "from app.payments import charge\n\n\ndef test_place():\n"
                       "    assert charge()\n"})  # its import moves from orders to payments (unstaged)
    cached = scan(root).test_evidence
    assert isinstance(cached, E.ShardedEvidence) and not reads and not builds
    assert checked == [E.CONTEXT_KIND]  # git's index as the head's: its columns not read
    assert sorted(k for k in puts if k.startswith("test-evidence")) == [E.HEAD_KIND, E.META_KIND]
    assert cached.change == E.EvidenceChange(first.key, ("app/orders.py", "app/payments.py"),
                                             ("tests/test_orders.py", "tests/test_zebra.py"), whole=False)
    uncached = scan(root, use_cache=False).test_evidence
    assert cached.to_json() == uncached.to_json()
    assert cached.kinds_used() == uncached.kinds_used()
    for test in ("tests/test_orders.py", "tests/test_zebra.py"):
        assert cached.targets_of(test) == uncached.targets_of(test)
    # the edit staged: the index's id changes, the work tree's no longer differs -- the same rows
    git(root, "add", "tests/test_orders.py")
    again = scan(root).test_evidence
    assert not reads and again.key != cached.key and E.COLUMN_KIND in checked
    assert again.change == E.EvidenceChange(cached.key, (), (), whole=False)
    assert again.to_json() == uncached.to_json()
    # a module edited: the key holds, the shards answer
    write_files(root, {"app/payments.py": "def charge():\n    return 3\n"})
    assert scan(root).test_evidence.key == again.key and not reads
    # a test made unparsable, then a Java test edited: listed, counted, its rows made again
    write_files(root, {"tests/test_zebra.py": "def broken(:\n",
                       "jvm/src/test/java/com/acme/CartCheck.java": "package com.acme;\nclass CartCheck { Cart c; }\n"})
    got = index_json(root)
    assert not reads and "tests/test_zebra.py" in got["unparsable"]
    assert scan(root).test_evidence.exercises("jvm/src/test/java/com/acme/CartCheck.java", "jvm/src/main/java/com/acme/Cart.java")


@pytest.mark.parametrize("damaged", [
    pytest.param(("test-evidence-shard-%", b"{"), id="a shard"),
    pytest.param((E.COLUMN_KIND, b"\x00\x01"), id="the columns, truncated"),
    pytest.param((E.CONTEXT_KIND, b"\x00\x00\x00\x00" + b"0" * 16 + b"{}"), id="the context facts"),
    pytest.param((E.HEAD_KIND, b"[]"), id="the head"),
])
def test_a_damaged_stored_part_takes_the_whole_path(make_repo, whole_runs, monkeypatch: pytest.MonkeyPatch,
                                                     damaged) -> None:
    """A shard, the stored columns, the context facts or the head damaged between runs: the
    update in shards gives way to the whole path, with a run without the cache's answers."""
    root = make_repo(FILES)
    index_json(root)
    _damage(root, *damaged)
    reads = record_calls(monkeypatch, E, "_read_stored")
    write_files(root, {"tests/test_orders.py": "from app.payments import charge\n\n\ndef test_place():\n"
                       "    assert charge()\n"})
    git(root, "add", "tests/test_orders.py")  # (git's index changes: the stored columns are read)
    index_json(root)
    assert reads  # the whole stored index was read
    for test in ("tests/test_orders.py", "tests/test_zebra.py"):
        assert scan(root).test_evidence.targets_of(test) == scan(root, use_cache=False).test_evidence.targets_of(test)


@pytest.mark.parametrize("files", [
    pytest.param({"tests/test_orders.py": "import app.payments\n", "tests/test_zebra.py": "import app.payments\n"},
                 id="more tests than UPDATE_MAX"),
    pytest.param({"tests/conftest.py": "import pytest\n"}, id="a conftest"),
])
def test_other_changes_take_the_whole_path(make_repo, whole_runs, monkeypatch: pytest.MonkeyPatch, files) -> None:
    root = make_repo(FILES)
    index_json(root)
    monkeypatch.setattr(E, "UPDATE_MAX", 1)
    updates = record_calls(monkeypatch, E, "_shards_updated")
    write_files(root, files)
    index_json(root)
    assert not updates


def test_a_large_overlay_writes_the_shards_it_touches_only(make_repo, whole_runs, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past ``OVERLAY_MAX`` changed entries, the shards holding them are written under the new
    key (the meta value names them) and the others kept: the next runs read both."""
    root = make_repo(FILES)
    index_json(root)
    count = scan(root).test_evidence._sharded.count
    monkeypatch.setattr(E, "OVERLAY_MAX", 0)
    puts = _evidence_puts(monkeypatch)
    write_files(root, {"tests/test_orders.py": "from app.payments import charge\n\n\ndef test_place():\n"
                       "    assert charge()\n"})
    index_json(root)
    written = [k for k in puts if k.startswith("test-evidence-shard")]
    assert 0 < len(written) < count
    monkeypatch.setattr(E, "OVERLAY_MAX", 2048)
    write_files(root, {"tests/test_zebra.py": "import app.payments\n\n\ndef test_z():\n    assert app.payments\n"})
    assert scan(root).test_evidence.targets_of("tests/test_orders.py") == {"app/payments.py"}
    index_json(root)


def test_a_test_made_a_symlink_is_no_longer_read(make_repo, whole_runs, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test replaced by a symlink to another test (staged): its kind is no regular file's, so
    it is left out as a full build leaves it out -- by the update in shards too (the stored
    whole index is neither read nor built again)."""
    import os

    root = make_repo(FILES)
    index_json(root)
    (root / "tests/test_orders.py").unlink()
    os.symlink("test_zebra.py", root / "tests/test_orders.py")
    git(root, "add", "tests/test_orders.py")
    reads, builds = record_calls(monkeypatch, E, "_read_stored"), record_calls(monkeypatch, E, "build")
    assert isinstance(scan(root).test_evidence, E.ShardedEvidence) and not reads and not builds
    got = index_json(root)
    assert "tests/test_orders.py" not in got["parsed"]
