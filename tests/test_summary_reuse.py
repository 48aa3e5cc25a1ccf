"""The audit summary's buckets kept between runs (issue 13): a run after a change moves only the
changed files' figures (role, documented items, test answers), and every format equals
``--no-cache``; a changed path list is counted afresh (a damaged entry:
``test_audit_findings_block.test_damaged_stores_are_a_miss``)."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest

from repo_roles import summary as S
from tests.conftest import git, record_calls, write_files
from tests.test_audit_findings_block import _audits
from tests.test_audit_findings_block import _module


FILES: Dict[str, str] = {
    ".github/CODEOWNERS": "* @acme/core\n/api/ @acme/api\n/web/ @acme/web @acme/core\n",
    ".gitattributes": "# nothing generated yet\n",
    **{f"api/handlers/h{i}.py": _module(f"h{i}", 1 + i % 3) for i in range(4)},
    **{f"web/app/v{i}.py": _module(f"v{i}", 1) for i in range(3)},
    "api/tests/test_other.py": "def test_nothing():\n    assert True\n",
    "tools/t0.py": _module("t0", 1),
    "tools/run.sh": "#!/bin/sh\necho hi\n",
}

def _stored(cache: Path) -> List[Path]:
    return sorted((cache / "report").glob("summary-buckets-*.bin"))


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> List[int]:
    """The number of files each afresh count of the buckets went over."""
    return record_calls(monkeypatch, S, "_count_buckets", lambda columns, *args: len(columns.paths))


@pytest.mark.parametrize("change", [
    pytest.param({"api/handlers/h1.py": _module("h1", 4), "web/app/v0.py": '"""A module."""\n'},
                 id="documented and counted items change"),
    pytest.param({".gitattributes": "api/handlers/h2.py linguist-generated\n"},
                 id="a role changes without a blob change (Linguist's linguist-generated attribute)"),
    pytest.param({"api/tests/test_other.py": "from api.handlers import h0\n\n\ndef test_h0():\n    assert h0\n"},
                 id="a module gains a test by an import (same path list)"),
])
def test_buckets_moved_after_a_change_equal_no_cache(make_repo, run_cli, tmp_path: Path, counted: List[int],
                                                     monkeypatch: pytest.MonkeyPatch, change: Dict[str, str]) -> None:
    root = make_repo(FILES)
    cache = tmp_path / "cache"
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(cache))
    before = _audits(run_cli, root, True)
    assert before == _audits(run_cli, root, False)
    assert len(_stored(cache)) == 2  # depth 1 (text, json) and depth 2 (markdown)
    write_files(root, change)
    git(root, "add", "-A")
    expected = _audits(run_cli, root, False)
    assert expected != before, "the change shows in the report"
    counted.clear()
    assert _audits(run_cli, root, True) == expected
    assert counted == [], "the stored buckets were moved, not counted afresh"


def test_a_new_path_list_is_counted_afresh(make_repo, run_cli, tmp_path: Path, counted: List[int],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo(FILES)
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(tmp_path / "cache"))
    _audits(run_cli, root, True)
    write_files(root, {"web/app/v9.py": _module("v9", 2)})
    git(root, "add", "-A")
    expected = _audits(run_cli, root, False)
    counted.clear()
    assert _audits(run_cli, root, True) == expected
    assert counted, "a path list of another digest is counted afresh"


def test_the_same_files_changed_again_are_placed_without_a_whole_column(make_repo, run_cli, tmp_path: Path,
                                                                        counted: List[int],
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The coverage stage lists the files analysed since its snapshot last: a second edit of the
    same files gives lists of the same paths, compared as they are (no column of every target)."""
    from repo_roles import summarycache

    root = make_repo(FILES)
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(tmp_path / "cache"))
    _audits(run_cli, root, True)
    for undocumented, build_allowed in ((4, True), (2, False), (3, False)):
        write_files(root, {"api/handlers/h1.py": _module("h1", undocumented)})
        expected = _audits(run_cli, root, False)
        if not build_allowed:
            monkeypatch.setattr(summarycache.Inputs, "build",
                                lambda self: pytest.fail("the target columns were built whole"))
        counted.clear()
        assert _audits(run_cli, root, True) == expected
        assert counted == []


def test_not_measured_read_back_until_a_role_moves(make_repo, run_cli, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The "not measured" figures (files of required roles no analyzer reads) are kept under the
    targets' roles: an edit of contents reads them back, a role that moves counts them again."""
    from repo_roles.auditreport import document as D

    root = make_repo({**FILES, "repo-roles.toml": '[docs]\nrequire = ["backend.logic", "config", "unclassified"]\n'})
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(tmp_path / "cache"))
    first = _audits(run_cli, root, True)
    assert first == _audits(run_cli, root, False)
    counts = record_calls(monkeypatch, D, "_count_not_measured")
    write_files(root, {"tools/t0.py": _module("t0", 2)})
    expected = _audits(run_cli, root, False)
    counts.clear()
    assert _audits(run_cli, root, True) == expected
    assert counts == [], "read back"
    write_files(root, {".gitattributes": "tools/run.sh linguist-generated\n"})
    expected = _audits(run_cli, root, False)
    counts.clear()
    assert _audits(run_cli, root, True) == expected
    assert counts, "a role moved: counted again"


def test_figure_columns_of_unequal_lengths_are_not_usable() -> None:
    """The documented and counted columns must each name every analysed file: two columns whose
    lengths only add up (3 + 1 for 2 files) would pair the wrong numbers, so the sums are
    counted afresh instead."""
    from repo_roles import summarycache as SC

    roles = ["backend.logic", "backend.logic"]

    def inputs(documented: List[int], counted: List[int]) -> "SC.Inputs":
        return SC.Inputs(["a.py", "b.py"], "key", roles, SC.role_codes(roles), ["a.py", "b.py"],
                         documented, counted, {})

    assert inputs([1, 2], [3, 4]).usable
    assert not inputs([1, 2, 3], [4]).usable


@pytest.mark.parametrize(("documented", "counted", "usable"), [
    pytest.param([0, (1 << 32) - 1], [0, (1 << 31) - 1], True, id="largest"),
    pytest.param([-1, 2], [3, 4], False, id="negative-documented"),
    pytest.param([1, 2], [3, -4], False, id="negative-counted"),
    pytest.param([1 << 32, 2], [3, 4], False, id="documented-past-32-bits"),
    pytest.param([1, 2], [3, 1 << 31], False, id="counted-at-the-sign"),
])
def test_figures_that_do_not_fit_a_target_figure_are_not_usable(documented: List[int], counted: List[int],
                                                                 usable: bool) -> None:
    """A target's figure is ``counted << 32 | documented`` in a signed 64-bit column: a count
    that is negative, a documented count past 32 bits or a counted one past 31 would read back
    as another number, so the sums are counted afresh instead."""
    from repo_roles import summarycache as SC

    roles = ["backend.logic", "backend.logic"]
    found = SC.Inputs(["a.py", "b.py"], "key", roles, SC.role_codes(roles), ["a.py", "b.py"],
                      documented, counted, {})
    assert found.usable is usable


def test_a_stored_bucket_number_out_of_range_is_counted_afresh() -> None:
    """A stored target's bucket number is checked when the target moves (not by a pass over
    every number at load): one that names no stored bucket, negative or past the last, makes
    the stored buckets unusable, so the sums are counted afresh."""
    from array import array

    from repo_roles import summarycache as SC

    roles = ["backend.logic", "backend.logic"]
    key = ("backend.logic", (), ".")
    sums = [[2, 2, 2, 4, 0, 0]]

    def moved(bucket: int):
        inputs = SC.Inputs(["a.py", "b.py"], "key", roles, SC.role_codes(roles), ["a.py", "b.py"],
                           [1, 2], [2, 2], {})
        stored = SC.Stored(SC.Tally([key], sums, array("l", [0, bucket])), inputs.codes,
                           array("q", [2 << 32 | 1, 2 << 32 | 1]), b"\0\0", None, b"")
        return SC.updated(stored, inputs)  # b.py now documents 2 items, not 1

    assert moved(0).sums == [[2, 2, 3, 4, 0, 0]]
    assert moved(1) is None
    assert moved(-1) is None


def test_a_codeowners_change_moving_files_between_owners_equals_no_cache(make_repo, run_cli, tmp_path: Path,
                                                                           counted: List[int],
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A file's owners are in the stored buckets' key (the ownership inputs), not compared
    column by column: files that move to another team are counted afresh, at every depth."""
    root = make_repo(FILES)
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(tmp_path / "cache"))
    before = _audits(run_cli, root, True)
    write_files(root, {".github/CODEOWNERS": FILES[".github/CODEOWNERS"] + "/api/handlers/h1.py @acme/web\n"})
    git(root, "add", "-A")
    expected = _audits(run_cli, root, False)
    assert expected["markdown, depth 2"] != before["markdown, depth 2"], "a file moved to another team"
    counted.clear()
    assert _audits(run_cli, root, True) == expected
    assert len(counted) == 2, "depth 1 and depth 2 counted afresh"


def test_the_code_paths_are_the_targets_of_a_code_role() -> None:
    """The code files the languages table counts as left out are picked by role code; every
    role of the vocabulary (and one outside it) gives the same set as by role name."""
    from repo_roles import roles as R

    paths = [f"f{i}" for i in range(len(R.ROLES))]
    expected = {p for p, role in zip(paths, R.ROLES) if role in (R.BACKEND_LOGIC, R.FRONTEND_UI)}
    assert len(expected) == 2
    assert S._code_paths(S.FileColumns(paths, list(R.ROLES), list)) == expected
    assert S._code_paths(S.FileColumns(paths + ["odd"], [*R.ROLES, "not-a-role"], list)) == expected
