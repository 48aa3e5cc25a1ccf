"""What a run on given files remembers about git's index file (``repo_roles.fewfiles.indexfile``):
the blocks where an index file differs from the stored copy, by the checksum git writes at the
index's end (gitformat-index: "Hash checksum over the content of the index file before this
checksum"), and the per-block digests of the evidence key with every block the positions touch.
A remembered answer is only taken for the same index file and the same, untouched copy; the
digests are the ones computed afresh."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Dict, List

import pytest

from repo_roles.fewfiles import indexfile
from repo_roles.fewfiles.indexfile import IndexCopy, IndexFileInventory, _Digests
from tests.conftest import git
from tests.test_fewfiles import _scan

MakeRepo = Callable[..., Path]

# ~2,400 entries: git's index file spans several 64 KiB blocks
TREE: Dict[str, str] = {f"pkg/sub{i // 100:02d}/module_{i:04d}.py": f"x = {i}\n" for i in range(2400)}
TREE["pyproject.toml"] = "[project]\nname = 'pkg'\n"
TARGETS = ["pkg/sub00/module_0001.py", "pkg/sub05/module_0500.py", "pkg/sub23/module_2399.py"]


def _context(repo: Path, files: List[str] = TARGETS, use_cache: bool = True):
    return _scan(repo, files, use_cache)


def _served(repo: Path) -> IndexFileInventory:
    """The inventory of a run on the targets (the `counted` fixture counts the comparisons)."""
    context = _context(repo)
    inventory = context.inventory
    assert isinstance(inventory, IndexFileInventory)
    for path in TARGETS:  # the records are git's
        assert inventory.pick({path})[0].blob == git(repo, "rev-parse", f":{path}").strip()
    return inventory


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> List[int]:
    calls: List[int] = []
    original = IndexCopy.differing_blocks

    def differing_blocks(self, index):
        calls.append(1)
        return original(self, index)

    monkeypatch.setattr(IndexCopy, "differing_blocks", differing_blocks)
    return calls


def test_the_comparison_is_remembered_by_the_index_checksum(make_repo: MakeRepo, counted: List[int]) -> None:
    repo = make_repo(TREE)
    _context(repo)  # lists the index, keeps a copy
    _served(repo)
    assert counted == [1]  # compared once ...
    _served(repo)
    assert counted == [1]  # ... then taken from what that run found
    (repo / TARGETS[1]).write_text("x = 'changed'\n")
    git(repo, "add", TARGETS[1])  # a new index file: another checksum
    inventory = _served(repo)
    assert counted == [1, 1] and inventory.__dict__["_digests"].differing  # compared again: a block differs
    _served(repo)
    assert counted == [1, 1]


def test_a_copy_changed_in_place_is_compared_again(make_repo: MakeRepo, counted: List[int]) -> None:
    repo = make_repo(TREE)
    _context(repo)
    _served(repo)
    copy = next((Path(os.environ["REPO_ROLES_CACHE_DIR"]) / "path-tables").glob(f"*{indexfile.COPY_SUFFIX}"))
    data = copy.read_bytes()
    at = data.index(TARGETS[2].encode())
    copy.write_bytes(data[:at] + b"pkg/sub23/module_2398.py" + data[at + len(TARGETS[2]):])  # same size
    context = _context(repo)
    assert len(counted) > 1  # the copy's file changed: the remembered comparison does not hold;
    # its names differ: a miss (git lists the index; a new copy is stored and read)
    assert context.targets == _context(repo, use_cache=False).targets


def test_an_index_without_checksum_is_always_compared(make_repo: MakeRepo) -> None:
    """``index.skipHash`` (git 2.40+) writes zeros in place of the checksum: nothing pins such a
    file's bytes, so no comparison of it is remembered; another size is another file."""
    repo = make_repo(TREE)
    _context(repo)
    _context(repo)
    tables = indexfile.Tables(Path(os.environ["REPO_ROLES_CACHE_DIR"]))
    copies = indexfile.Copies(tables)
    index = (repo / ".git" / "index").read_bytes()
    key = indexfile.copy_key(indexfile._header(index), indexfile._first_name(index), [], [])
    nonce = tables.read(key)[4]["copy"]
    copy = copies.load(key, nonce)
    assert copy is not None and copies.compared(key, copy, index) == []  # remembered by the run above
    copies.remember_comparison(key, copy, index, [3, 1])
    assert copies.compared(key, copy, index) == [3, 1]
    assert copies.compared(key, copy, index + b"\0") is None
    assert copies.compared(key, copy, index[:-1] + bytes([index[-1] ^ 1])) is None
    unsummed = index[:-20] + bytes(20)
    copies.remember_comparison(key, copy, unsummed, [])
    assert copies.compared(key, copy, unsummed) is None
    assert copies.compared(key, copy, index) == [3, 1]  # (nothing was written for it)


def _fresh_digest(inventory: IndexFileInventory, positions: List[int], drop=()) -> str:
    """The digest computed with no memo at all."""
    digests: _Digests = inventory.__dict__["_digests"]
    inventory.__dict__["_digests"] = _Digests(digests.directory / "nowhere", digests.version, digests.differing)
    try:
        return inventory.records_digest_at(positions, drop)
    finally:
        inventory.__dict__["_digests"] = digests


def test_block_digests_from_the_memo_are_the_fresh_ones(make_repo: MakeRepo, counted: List[int]) -> None:
    repo = make_repo(TREE)
    _context(repo)
    inventory = _served(repo)
    paths = inventory.paths
    every = list(range(len(paths)))
    some = every[::7]
    target = paths.index(TARGETS[1])
    first = inventory.records_digest_at(every, {target})
    assert first == _fresh_digest(inventory, every, {target})
    assert inventory.records_digest_at(every, {target}) == first  # from the memo: every block known
    assert inventory.records_digest_at(some) == _fresh_digest(inventory, some)
    assert inventory.records_digest_at(some) == _fresh_digest(inventory, some)
    assert inventory.records_digest_at(every) != first  # the target's record counts again
    # the memo lists every block the positions touch, known or not
    digests: _Digests = inventory.__dict__["_digests"]
    memo, touched = digests.load(__import__("hashlib").sha1(__import__("array").array("I", every).tobytes()).hexdigest())
    blocks = {(paths.start(i) - indexfile._NAME) // indexfile.BLOCK for i in every}
    assert touched == blocks and len(blocks) > 2 and set(memo) <= blocks
    # after git add: the rewritten block is hashed afresh; the others come from the memo
    (repo / TARGETS[2]).write_text("x = 'staged'\n")
    git(repo, "add", TARGETS[2])
    again = _served(repo)
    assert again.__dict__["_digests"].differing
    for positions, drop in ((every, {target}), (every, ()), (some, ())):
        assert again.records_digest_at(positions, drop) == _fresh_digest(again, positions, drop)
        assert again.records_digest_at(positions, drop) == _fresh_digest(again, positions, drop)
    assert again.records_digest_at(every, {target}) != first  # a record it covers changed
    assert again.records_digest_at(every, {paths.index(TARGETS[2])}) == _fresh_digest(
        again, every, {paths.index(TARGETS[2])})
