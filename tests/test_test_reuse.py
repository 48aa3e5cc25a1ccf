"""Issue 13: a run after a change asks only the modules the change can affect again
(coverage/test_reuse.py); every answer equals a run without the cache."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Dict, List

import pytest

from repo_roles.coverage import analyze, test_presence
from repo_roles.coverage.test_presence import joined_texts
from repo_roles.coverage.test_reuse import names_of
from repo_roles.scan import scan
from repo_roles.testrefs import evidence
from tests.conftest import git, write_files

FILES = {
    "repo-roles.toml": '[tests]\nrequire = ["backend.logic"]\n',
    "backend/pyproject.toml": '[project]\nname = "app"\nversion = "0.1.0"\n',
    "backend/src/app/__init__.py": "",
    "backend/src/app/orders.py": "def place():\n    return 1\n",
    "backend/src/app/payments.py": "def charge():\n    return 2\n",
    "backend/src/app/refunds.py": "def refund():\n    return 3\n",
    "backend/src/app/data.py": "RATES = {}\n",
    "backend/tests/test_orders.py": "from app.orders import place\n\n\ndef test_place():\n    assert place()\n",
    "services/gw/go.mod": "module example.com/gw\n\ngo 1.21\n",
    "services/gw/handler.go": "package main\n\nfunc Handle() {}\n",
    "services/gw/util.go": "package main\n\nfunc Util() {}\n",
    "services/gw/handler_test.go": 'package main\n\nimport "testing"\n\nfunc TestHandle(t *testing.T) { Handle() }\n',
}


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    """The modules whose answer a run computes (the others are reused); git is asked which
    files the work tree changed, as on a large repository (else no answer is reused)."""
    monkeypatch.setattr(analyze, "GIT_STATUS_MIN_FILES", 0)
    monkeypatch.setattr(evidence, "SHARDED_MIN_PATHS", 0)  # the evidence index read in shards, as on one
    seen: List[str] = []
    real = test_presence._answer

    def spy(context, index, known, path, *tests):
        seen.append(path)
        return real(context, index, known, path, *tests)

    monkeypatch.setattr(test_presence, "_answer", spy)
    return seen


def answers(root: Path, asked: List[str]) -> Dict[str, tuple]:
    """The cached run's answers (``asked`` then holds what it computed), checked against
    ``--no-cache`` and against the TST001 messages of an uncached run."""
    asked.clear()
    cached = scan(root)
    got = cached.modules_needing_tests
    computed = list(asked)
    uncached = scan(root, use_cache=False)
    assert got == uncached.modules_needing_tests
    untested = [path for path, tests in got.items() if not tests]
    # TST001's messages in one call, asked first (reused heads picked, the others filled,
    # searched counts joined): the same texts as one by one
    in_one_call = [list(joined_texts(index.missing_parts(untested)))
                   for index in (cached.test_index, uncached.test_index)]
    for path in untested:
        assert cached.test_index.missing_text(path) == uncached.test_index.missing_text(path)
    assert in_one_call == [list(map(uncached.test_index.missing_text, untested))] * 2
    asked[:] = computed
    return got


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def test_nothing_changed_asks_nothing(make_repo, asked: List[str]) -> None:
    root = make_repo(FILES)
    first = answers(root, asked)
    assert len(asked) == 7  # __init__, orders, payments, refunds, data, handler.go, util.go
    assert first["backend/src/app/payments.py"] == () and "backend/src/app/data.py" not in first
    assert answers(root, asked) == first
    assert asked == []


def test_a_dirty_module_is_asked_every_time(make_repo, asked: List[str]) -> None:
    root = make_repo(FILES)
    answers(root, asked)
    write_files(root, {"backend/src/app/refunds.py": "REFUNDS = 1\n"})  # data only now, not committed
    assert "backend/src/app/refunds.py" not in answers(root, asked)
    assert asked == ["backend/src/app/refunds.py"]
    answers(root, asked)
    assert asked == ["backend/src/app/refunds.py"]


@pytest.mark.parametrize("damage", ["truncated", "zeroed tail", "empty"])
def test_a_damaged_answers_file_is_asked_again(make_repo, asked: List[str], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    """The stored answers are one file (coverage/colfile.py): damaged, every module is asked
    again and the answers are those of a run without it; then it is written whole again."""
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(tmp_path / "cache"))
    root = make_repo(FILES)
    first = answers(root, asked)
    (stored,) = (tmp_path / "cache").glob("tests-needed-v*.bin")
    raw = stored.read_bytes()
    stored.write_bytes({"truncated": raw[:len(raw) // 2], "zeroed tail": raw[:-8] + b"\0" * 8, "empty": b""}[damage])
    assert answers(root, asked) == first
    if damage == "zeroed tail":  # (s12-b) the message heads, read only for a message: their CRC-32 fails then,
        assert asked == [] and not stored.exists()  # the file is removed and the messages made again
        assert answers(root, asked) == first
    assert len(asked) == 7
    assert stored.read_bytes() == raw
    assert answers(root, asked) == first and asked == []


def _answers_stored(make_repo, asked: List[str], tmp_path: Path,  # type: ignore[no-untyped-def]
                    monkeypatch: pytest.MonkeyPatch):
    """A repository of FILES whose answers were asked once: (root, first answers, stored file)."""
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(tmp_path / "cache"))
    root = make_repo(FILES)
    first = answers(root, asked)
    (stored,) = (tmp_path / "cache").glob("tests-needed-v*.bin")
    return root, first, stored


def _replace_answers_column(stored: Path, replace: Callable[[bytes], bytes]) -> None:
    """Store ``replace(answers column)`` in place of the answers column, with a sound checksum."""
    from repo_roles.coverage import colfile
    from repo_roles.coverage import test_reuse as TR

    header, columns = colfile.unpack_checked(stored.read_bytes(), TR.MAGIC, TR.COLUMNS)
    header = {k: v for k, v in header.items() if k not in ("crc", "crcs", "lengths", "order")}
    parts = [bytes(c) for c in columns]
    parts[TR._ANSWERS] = replace(parts[TR._ANSWERS])
    stored.write_bytes(b"".join(colfile.pack_checked(TR.MAGIC, header, parts)))
    assert TR._State.load(stored) is None


def test_answers_that_disagree_with_their_counts_are_asked_again(make_repo, asked: List[str], tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The answers column (the answers as written, read at C speed) is checked against the
    count of answers needing no test stored with it (s12-b: in the header; it was a column of
    counts): a stored value whose parts disagree, even with a sound checksum, is a miss."""
    import marshal

    root, first, stored = _answers_stored(make_repo, asked, tmp_path, monkeypatch)

    def none_made_empty(column: bytes) -> bytes:
        written = marshal.loads(column)
        assert None in written and () in written  # data-only modules need none; refunds.py has none
        return marshal.dumps([() if a is None else a for a in written])  # the counts still say None

    _replace_answers_column(stored, none_made_empty)
    assert answers(root, asked) == first
    assert len(asked) == 7  # every module asked again


@pytest.mark.parametrize("column", [
    pytest.param(b"\xdb\x00\x00\x00\x10", id="a list header claiming 2**28 items"),
    pytest.param("ints", id="answers of a foreign type"),
    pytest.param(b"\xe9\x00\x00\x00\x00", id="not a list"),
])
def test_a_crafted_answers_column_with_a_sound_checksum_is_a_miss(make_repo, asked: List[str], tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch, column) -> None:
    """marshal reserves as many items as a list's header claims before reading any: the column's
    header is checked against the row count first, and the items' types after (a miss, never a
    MemoryError or a foreign answer)."""
    import marshal

    root, first, stored = _answers_stored(make_repo, asked, tmp_path, monkeypatch)
    def crafted(written: bytes) -> bytes:
        if column == "ints":
            return marshal.dumps([None if a is None else 1 for a in marshal.loads(written)])
        return column

    _replace_answers_column(stored, crafted)
    assert answers(root, asked) == first


ALL = sorted(p for p in FILES if p.endswith((".py", ".go")) and "tests/" not in p and not p.endswith("_test.go"))


@pytest.mark.parametrize("changes, expected_asked, path, answer", [
    pytest.param({"backend/src/app/data.py": "RATES = {}\n\n\ndef rate():\n    return RATES\n"},
                 ["backend/src/app/data.py"], "backend/src/app/data.py", (), id="an edited module"),
    # payments (its evidence changed) and orders (named like the test, whose targets changed)
    pytest.param({"backend/tests/test_orders.py": "from app.payments import charge\n" + FILES["backend/tests/test_orders.py"]},
                 ["backend/src/app/orders.py", "backend/src/app/payments.py"], "backend/src/app/payments.py",
                 ("backend/tests/test_orders.py",), id="a test starts importing a module"),
    pytest.param({"backend/src/app/test_refunds.py": "def test_it():\n    assert True\n"},
                 ["backend/src/app/refunds.py"], "backend/src/app/refunds.py",
                 ("backend/src/app/test_refunds.py",), id="a test added beside its namesake"),
    pytest.param({"services/gw/handler_test.go": FILES["services/gw/handler_test.go"].replace("Handle() }", "Handle(); Util() }")},
                 ["services/gw/handler.go", "services/gw/util.go"], "services/gw/util.go",
                 ("services/gw/handler_test.go",), id="a Go test: the files of its package"),
    pytest.param({"backend/src/pyproject.toml": '[project]\nname = "inner"\n'}, ALL, "backend/src/app/payments.py", (),
                 id="a manifest added: every module"),
])
def test_a_committed_change_asks_what_it_can_affect(make_repo, asked: List[str], changes: Dict[str, str],
                                                    expected_asked: List[str], path: str, answer: tuple) -> None:
    root = make_repo(FILES)
    answers(root, asked)
    write_files(root, changes)
    commit(root, "a change")
    assert answers(root, asked)[path] == answer
    assert sorted(asked) == expected_asked


@pytest.mark.parametrize("path, expected", [
    pytest.param("a/test_x.py", {"test_x", "x"}, id="pytest test_*.py"),
    pytest.param("a/x_test.go", {"x_test", "x"}, id="go _test.go"),
    pytest.param("a/x.test.ts", {"x.test", "x"}, id="jest x.test.ts"),
    pytest.param("a/XTest.java", {"XTest", "X"}, id="surefire XTest.java"),
    pytest.param("a/x_spec.rb", {"x_spec", "x"}, id="rspec x_spec.rb"),
    pytest.param("crate/tests/it.rs", {"it", ""}, id="cargo integration test"),
    pytest.param("a/plain.py", {"plain"}, id="a module: its own name"),
])
def test_names_of(path: str, expected: set) -> None:
    assert expected <= names_of(path)
    assert "" not in names_of("a/plain.py")


def test_a_namesake_test_of_another_module_is_told_apart_without_the_reverse_map(
        make_repo, asked: List[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A few modules asked again (4+ names: looked up in the file-name order): a name-matched
    test that imports another module of that file name is not the module's test, found from
    the namesakes' evidence rows, not from the reverse map of every row (``targets_of``); the
    answers are those of a run without the cache, which builds that map."""
    from repo_roles.testrefs.evidence import EvidenceIndex
    from tests.conftest import record_calls

    names = ("ledger", "invoice", "rates", "fees")
    files = dict(FILES)
    files.update({f"backend/src/app/{name}.py": f"def {name}():\n    return 1\n" for name in names})
    files.update({"backend/src/other/__init__.py": "", "backend/src/other/ledger.py": "def book():\n    return 1\n",
                  "backend/tests/test_ledger.py": "from other.ledger import book\n\n\ndef test_book():\n    assert book()\n",
                  "backend/tests/test_fees.py": "from app.fees import fees\n\n\ndef test_fees():\n    assert fees()\n"})
    root = make_repo(files)
    first = answers(root, asked)
    assert first["backend/src/app/ledger.py"] == ()  # its namesake test imports the other ledger
    assert first["backend/src/other/ledger.py"] == ("backend/tests/test_ledger.py",)
    assert first["backend/src/app/fees.py"] == ("backend/tests/test_fees.py",)
    # a file of each name added (the path list changes): the modules of those names are asked again
    write_files(root, {f"backend/notes/{name}.txt": "notes\n" for name in names})
    git(root, "add", "-A")
    reverse = record_calls(monkeypatch, EvidenceIndex, "targets_of")
    exercised = record_calls(monkeypatch, EvidenceIndex, "exercises", lambda index, test, module: (test, module))
    asked.clear()
    cached = scan(root)
    got = cached.modules_needing_tests
    assert sorted(asked) == sorted([f"backend/src/app/{name}.py" for name in names] + ["backend/src/other/ledger.py"])
    assert reverse == [] and ("backend/tests/test_ledger.py", "backend/src/other/ledger.py") in exercised
    assert got == scan(root, use_cache=False).modules_needing_tests
    assert got["backend/src/app/ledger.py"] == () and got["backend/src/app/fees.py"] == ("backend/tests/test_fees.py",)


def test_an_edited_module_keeps_the_tests_found_for_it(make_repo, asked: List[str]) -> None:
    """The path list, the evidence index and the settings unchanged, the tests found for a module
    do not depend on its own content: an edited module with tests keeps them without a look-up;
    one without tests is asked again (a data-only module needs none), and a Rust file that was
    its own test is read again."""
    files = dict(FILES)
    files.update({"crate/Cargo.toml": '[package]\nname = "c"\nversion = "0.1.0"\n',
                  "crate/src/lib.rs": "pub fn f() {}\n#[cfg(test)]\nmod tests {}\n",
                  "repo-roles.toml": '[tests]\nrequire = ["backend.logic"]\n[roles]\n"backend.logic" = ["crate/src/*.rs"]\n'})
    root = make_repo(files)
    first = answers(root, asked)
    assert first["backend/src/app/orders.py"] == ("backend/tests/test_orders.py",)
    assert first["crate/src/lib.rs"] == ("crate/src/lib.rs",)
    write_files(root, {"backend/src/app/orders.py": "ORDERS = 1\n",  # data only now: its test still counts
                       "backend/src/app/payments.py": "PAYMENTS = 2\n",  # data only: needs no test now
                       "crate/src/lib.rs": "pub fn f() {}\n"})  # no unit tests any more
    got = answers(root, asked)
    assert sorted(asked) == ["backend/src/app/payments.py", "crate/src/lib.rs"]
    assert got["backend/src/app/orders.py"] == ("backend/tests/test_orders.py",)
    assert "backend/src/app/payments.py" not in got and got["crate/src/lib.rs"] == ()


def test_many_edited_modules_are_stored_again(make_repo, asked: List[str], tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Modules whose blob ids moved (a commit) are stored with their new ids, as a delta on the
    stored answers (s12-b: below ``REWRITE_MIN`` rows asked again too; the next run compares the
    modules' ids joined, at C speed, and asks none)."""
    from repo_roles.coverage import test_reuse

    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(tmp_path / "cache"))
    root = make_repo(FILES)
    answers(root, asked)
    (stored,) = (tmp_path / "cache").glob("tests-needed-v*.bin")
    whole = stored.read_bytes()
    for value in (20, 200):
        if value == 200:
            monkeypatch.setattr(test_reuse, "REWRITE_MIN", 1)
        write_files(root, {"backend/src/app/payments.py": f"def charge():\n    return {value}\n",
                           "backend/src/app/refunds.py": f"def refund():\n    return {value + 10}\n"})
        commit(root, "two modules edited")  # new blob ids, nothing in the work tree
        answers(root, asked)
        assert sorted(asked) == ["backend/src/app/payments.py", "backend/src/app/refunds.py"]
        assert stored.read_bytes() == whole  # a delta on the stored answers (save's, past REWRITE_MIN)
        answers(root, asked)
        assert asked == []


def test_a_whole_scan_patches_the_stored_answers_in_place(make_repo, asked: List[str], tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """s12-b: after an edit (a module in the work tree, then a test's import committed), the
    stored answers are this scan's modules: the rows asked again are put in place
    (``Memo.patch``), the modules are neither picked nor split by path (``Memo.rows``/``split``
    are not called), and the answer is a mapping over the patched columns that reads as the
    dict a run without the cache gives."""
    from repo_roles.coverage import test_reuse as TR
    from tests.conftest import record_calls

    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(tmp_path / "cache"))
    root = make_repo(FILES)
    first = answers(root, asked)
    split, rows = record_calls(monkeypatch, TR.Memo, "split"), record_calls(monkeypatch, TR.Memo, "rows")
    write_files(root, {"backend/src/app/refunds.py": "def refund():\n    return 4\n"})
    got = answers(root, asked)
    assert asked == ["backend/src/app/refunds.py"] and got == first
    write_files(root, {"backend/tests/test_orders.py": "from app.payments import charge\n" + FILES["backend/tests/test_orders.py"]})
    commit(root, "the test imports payments too")
    got = answers(root, asked)
    assert sorted(asked) == ["backend/src/app/orders.py", "backend/src/app/payments.py", "backend/src/app/refunds.py"]
    assert split == [] and rows == []
    assert isinstance(got, test_presence.Answers)
    expected = scan(root, use_cache=False).modules_needing_tests
    assert dict(got) == expected and list(got) == list(expected) and list(got.values()) == list(expected.values())
    assert list(got.items()) == list(expected.items()) and len(got) == len(expected)
    assert got["backend/src/app/payments.py"] == ("backend/tests/test_orders.py",)
    assert "backend/src/app/data.py" not in got and got.get("backend/src/app/data.py") is None


def test_a_changed_answer_of_a_dirty_module_is_stored(make_repo, asked: List[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """s12-b: a module edited in the work tree is asked every run; when its answer differs from
    the stored one (made data only) the answers are stored again (a delta), so the next run's
    answers are the stored ones and TST001's stored fingerprint is taken, not made again."""
    from tests.conftest import record_calls

    root = make_repo(FILES)
    answers(root, asked)
    write_files(root, {"backend/src/app/refunds.py": "REFUNDS = 1\n"})  # data only now, not committed
    made = record_calls(monkeypatch, test_presence, "_digest")
    answers(root, asked)
    assert asked == ["backend/src/app/refunds.py"] and made  # another fingerprint: made
    made.clear()
    assert test_presence.untested_digest(scan(root)) == test_presence.untested_digest(scan(root, use_cache=False))
    assert len(made) == 1  # (the uncached run's)


def test_a_module_edited_back_to_its_stored_content_is_asked_again(make_repo, asked: List[str]) -> None:
    """Review of s12-b: a module made data only and committed (its answer stored as a delta),
    then edited back to the content the base answers hold: the joined blob ids equal the base
    column's, yet the delta's answer is not this content's -- the module is asked again."""
    root = make_repo(FILES)
    answers(root, asked)
    write_files(root, {"backend/src/app/refunds.py": "REFUNDS = 1\n"})
    commit(root, "refunds data only")
    assert "backend/src/app/refunds.py" not in answers(root, asked)
    write_files(root, {"backend/src/app/refunds.py": FILES["backend/src/app/refunds.py"]})
    commit(root, "refunds back")
    assert answers(root, asked)["backend/src/app/refunds.py"] == ()
    assert asked == ["backend/src/app/refunds.py"]


def test_many_rows_asked_again_store_every_changed_answer(make_repo, asked: List[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Review of s12-b: past ``REWRITE_MIN`` rows asked, the answers are stored again compared
    with the stored ones -- not with this run's patched in their place, which left out a row
    whose answer alone changed (a data-only module a test now imports), stale in every later run."""
    from repo_roles.coverage import test_reuse as TR

    monkeypatch.setattr(TR, "REWRITE_MIN", 1)
    root = make_repo(FILES)
    assert "backend/src/app/data.py" not in answers(root, asked)
    write_files(root, {"backend/tests/test_orders.py": "from app.data import RATES\nfrom app.refunds import refund\n"
                       + FILES["backend/tests/test_orders.py"]})
    commit(root, "the test imports data and refunds")
    assert answers(root, asked)["backend/src/app/data.py"] == ("backend/tests/test_orders.py",)
    assert len(asked) > 1
    assert answers(root, asked)["backend/src/app/data.py"] == ("backend/tests/test_orders.py",)


@pytest.mark.parametrize("column", ["_ROLES", "_BLOBS", "_PATHS", "_HEADS"])
def test_a_damaged_late_column_with_many_rows_asked_stores_nothing_stale(
        make_repo, asked: List[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, column: str) -> None:
    """Review of s12-b: a column read late (roles, blob ids, paths, heads) damaged while more
    than ``REWRITE_MIN`` rows are asked: the answers are stored whole again, not as a delta on
    the unread rows (which kept TST001's stored fingerprint, or failed on the paths)."""
    import json

    from repo_roles.coverage import test_reuse as TR

    monkeypatch.setattr(TR, "REWRITE_MIN", 1)
    root, first, stored = _answers_stored(make_repo, asked, tmp_path, monkeypatch)
    raw = bytearray(stored.read_bytes())
    start = raw.index(b"\0") + 1  # past the magic
    size = int.from_bytes(raw[start:start + 4], "little")
    header = json.loads(bytes(raw[start + 4:start + 4 + size]))
    at = start + 4 + size + sum(header["lengths"][:getattr(TR, column)])
    raw[at] ^= 0xFF
    stored.write_bytes(bytes(raw))
    write_files(root, {"backend/src/app/refunds.py": "REFUNDS = 1\n", "backend/src/app/orders.py": "ORDERS = 1\n",
                       "backend/src/app/payments.py": "def charge():\n    return 5\n"})
    asked.clear()
    cached, uncached = scan(root), scan(root, use_cache=False)  # (the digest of the run that read the damage)
    assert test_presence.untested_digest(cached) == test_presence.untested_digest(uncached)
    assert dict(cached.modules_needing_tests) == uncached.modules_needing_tests and len(asked) > 1
    assert "backend/src/app/refunds.py" not in uncached.modules_needing_tests
