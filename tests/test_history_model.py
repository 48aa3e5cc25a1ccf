"""Degree of Authorship and truck factors, pinned on real scripted repositories.

DOA: Fritz et al., "A degree-of-knowledge model to capture source code familiarity" (ICSE
2010), with the weights and author thresholds of Avelino et al., "A novel approach for
estimating truck factors" (ICPC 2016): DOA = 3.293 + 1.098 FA + 0.164 DL - 0.321 ln(1 + AC);
an author has normalised DOA >= 0.75 and DOA >= 3.293.  Truck factor: Avelino et al.'s greedy
Algorithm 1 (remove the top author until more than half the files have no author left).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from _history import ANN, BOB, BOT, CAROL, Script, body

from repo_roles.config import Config
from repo_roles.config.model import HistoryConfig
from repo_roles.history.model import truck_factor
from repo_roles.history.stage import load_history
from repo_roles.inventory import load_inventory


def paper_doa(fa: int, dl: int, ac: int) -> float:
    return 3.293 + 1.098 * fa + 0.164 * dl - 0.321 * math.log(1 + ac)


def history_of(root: Path, config: Config = Config(), use_cache: bool = False):
    return load_history(load_inventory(root), config, use_cache)


def test_doa_values_and_author_sets_avelino_icpc2016(tmp_path: Path) -> None:
    s = Script(tmp_path / "r")
    s.commit(ANN, 0, {"f.py": "1", "g.py": "1"})
    s.commit(BOB, 1, {"f.py": "2", "g.py": "2"})
    s.commit(BOB, 2, {"f.py": "3", "g.py": "3"})
    s.commit(ANN, 3, {"f.py": "4"})
    for day in range(4, 7):
        s.commit(BOB, day, {"g.py": str(day)})
    history = history_of(s.root)
    f = {row.author: row for row in history.doa("f.py")}
    ann, bob = f["Ann <ann@example.com>"], f["Bob <bob@example.com>"]
    assert (ann.fa, ann.dl, ann.ac) == (1, 2, 2) and (bob.fa, bob.dl, bob.ac) == (0, 2, 2)
    assert ann.doa == pytest.approx(paper_doa(1, 2, 2)) == pytest.approx(4.36635, abs=1e-4)
    assert bob.doa == pytest.approx(3.26835, abs=1e-4)  # below 3.293 and normalised 0.7485 < 0.75
    assert history.authors("f.py") == ["Ann <ann@example.com>"]
    g = {row.author: row for row in history.doa("g.py")}
    assert (g["Ann <ann@example.com>"].dl, g["Ann <ann@example.com>"].ac) == (1, 5)
    assert g["Bob <bob@example.com>"].normalised == pytest.approx(paper_doa(0, 5, 1) / paper_doa(1, 1, 5))
    assert history.authors("g.py") == ["Ann <ann@example.com>", "Bob <bob@example.com>"]  # strongest first
    assert history.last_commit_iso("g.py") == "2020-01-07T12:00:00Z"


def test_renames_are_followed_so_the_creator_keeps_fa(tmp_path: Path) -> None:
    s = Script(tmp_path / "r")
    s.commit(ANN, 0, {"old/a.py": body("a"), "keep.py": "k"})
    s.commit(BOB, 1, renames={"old/a.py": "new/a.py"})  # exact rename
    s.commit(BOB, 2, renames={"new/a.py": "new/b.py"})
    # a rename with an edit: found by git's similarity detection (-M, 50% by default)
    s.commit(CAROL, 3, renames={"new/b.py": "src/c.py"}, files={"src/c.py": body("a") + "one more\n"})
    rows = {row.author: row for row in history_of(s.root).doa("src/c.py")}
    assert rows["Ann <ann@example.com>"].fa == 1
    assert rows["Ann <ann@example.com>"].dl == 1 and rows["Bob <bob@example.com>"].dl == 2
    assert rows["Carol <carol@example.com>"].fa == 0
    assert history_of(s.root).doa("old/a.py") == []


def test_mailmap_merges_identities_git_check_mailmap(tmp_path: Path) -> None:
    """git-check-mailmap(1): "Proper Name <proper@email> <commit@email>" rewrites the author."""
    s = Script(tmp_path / "r")
    s.commit(("ann", "ann@old.example"), 0, {"f.py": "1"})
    s.commit(ANN, 1, {"f.py": "2"})
    s.commit(ANN, 2, {".mailmap": "Ann <ann@example.com> <ann@old.example>\n"})
    rows = history_of(s.root).doa("f.py")
    assert [(r.author, r.fa, r.dl, r.ac) for r in rows] == [("Ann <ann@example.com>", 1, 2, 0)]


def test_bots_and_blame_ignore_revs_are_skipped(tmp_path: Path) -> None:
    """GitHub honours .git-blame-ignore-revs ("Ignore commits in the blame view"); git's
    blame.ignoreRevsFile names the same kind of list."""
    s = Script(tmp_path / "r")
    s.commit(ANN, 0, {"f.py": "1", "g.py": "1"})
    s.commit(BOT, 1, {"f.py": "bump"})
    s.commit(("renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com"), 2, {"f.py": "bump2"})
    sweep = s.commit(CAROL, 3, {"f.py": "formatted", "g.py": "formatted"}, message="black")
    s.commit(ANN, 4, {".git-blame-ignore-revs": f"# formatting sweep\n{sweep}\n"})
    history = history_of(s.root)
    assert [r.author for r in history.doa("f.py")] == ["Ann <ann@example.com>"]
    assert [(r.dl, r.ac) for r in history.doa("g.py")] == [(1, 0)]
    # Patterns are configurable: with no bot patterns, the bots count again.
    loose = history_of(s.root, Config(history=HistoryConfig(bots=())))
    assert len(loose.doa("f.py")) == 3


def test_blame_ignore_revs_file_from_git_config(tmp_path: Path) -> None:
    s = Script(tmp_path / "r")
    s.commit(ANN, 0, {"f.py": "1"})
    sweep = s.commit(CAROL, 1, {"f.py": "2"})
    s.commit(ANN, 2, {"revs.txt": sweep + "\n"})
    s.git("config", "blame.ignoreRevsFile", "revs.txt")
    assert [r.author for r in history_of(s.root).doa("f.py")] == ["Ann <ann@example.com>"]


def test_ignore_revs_file_through_a_symlink_is_not_read(tmp_path: Path) -> None:
    s = Script(tmp_path / "r")
    s.commit(ANN, 0, {"f.py": "1"})
    sweep = s.commit(CAROL, 1, {"f.py": "2"})
    outside = tmp_path / "outside"
    outside.write_text(sweep + "\n")
    (s.root / ".git-blame-ignore-revs").symlink_to(outside)
    assert len(history_of(s.root).doa("f.py")) == 2


def test_merges_are_skipped(tmp_path: Path) -> None:
    s = Script(tmp_path / "r")
    s.commit(ANN, 0, {"f.py": "1", "g.py": "1"})
    s.git("checkout", "-q", "-b", "side")
    s.commit(BOB, 1, {"g.py": "2"})
    s.git("checkout", "-q", "main")
    s.commit(ANN, 2, {"f.py": "2"})
    s.git("merge", "-q", "--no-edit", "side", author=CAROL, day=3)
    history = history_of(s.root)
    assert "Carol <carol@example.com>" not in {r.author for p in ("f.py", "g.py") for r in history.doa(p)}
    assert [(r.author, r.dl) for r in history.doa("g.py")] == [("Ann <ann@example.com>", 1), ("Bob <bob@example.com>", 1)]


@pytest.mark.parametrize("files, expected", [
    pytest.param({"f1": [1], "f2": [1], "f3": [1], "f4": [2]}, (1, [1]), id="one-author-of-three-of-four"),
    # Removing 1 leaves f1, f2 orphaned: exactly half, not more than half -> remove 2 as well.
    pytest.param({"f1": [1], "f2": [1], "f3": [2], "f4": [1, 2]}, (2, [1, 2]), id="half-is-not-more-than-half"),
    pytest.param({"f1": [], "f2": [], "f3": [1]}, (0, []), id="already-mostly-orphaned"),
    # 2 and 3 author three files each (tie: lowest id first); after 2 and 3 exactly half are
    # orphaned (f3, f4), so 1 goes too.
    pytest.param({"f1": [1, 2, 3], "f2": [1, 2, 3], "f3": [3], "f4": [2]}, (3, [2, 3, 1]), id="ties-and-shared-files"),
    pytest.param({"f1": [1], "f2": [1, 2], "f3": [2], "f4": [3], "f5": [3]}, (2, [1, 2]), id="five-files"),
    pytest.param({}, (0, []), id="no-files"),
])
def test_truck_factor_greedy_algorithm_avelino_icpc2016(files, expected) -> None:
    assert truck_factor(files) == expected


def test_truck_factor_of_a_scripted_repository(tmp_path: Path) -> None:
    s = Script(tmp_path / "r")
    s.commit(ANN, 0, {f"a/{k}.py": "1" for k in range(3)})
    s.commit(BOB, 1, {"a/b.py": "1"})
    history = history_of(s.root)
    from repo_roles.history.declared import directory_rows

    [row] = directory_rows(history, ["a/0.py", "a/1.py", "a/2.py", "a/b.py"])
    assert (row.directory, row.files, row.truck_factor, row.top_authors) == ("a", 4, 1, ("Ann <ann@example.com>",))
