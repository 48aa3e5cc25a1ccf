"""A run on given files over the stored path table (``repo_roles.fewfiles``): the same inventory
answers as git's whole listing, after ``git add`` rewrote the index, a new file, an exclusion,
a symlink; no table for a merge conflict or a listing that is not UTF-8; a damaged table is
never read (it is made again)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Callable, List, Optional

import pytest

from repo_roles.fewfiles.indexfile import IndexFileInventory
from tests.conftest import git

MakeRepo = Callable[..., Path]

TREE = {
    ".gitattributes": "web/gen/** linguist-generated\n",
    "pyproject.toml": "[project]\nname = 'shop'\n",
    "repo-roles.toml": "exclude = ['vendor/']\n",
    ".github/CODEOWNERS": "* @team\n",
    "src/shop/__init__.py": "",
    "src/shop/billing.py": "def charge(x):\n    return x\n",
    "src/shop/orders.py": "def order():\n    return 1\n",
    "src/shop/OWNERS": "alice\n",
    "src/shop/caf\u00e9.py": "def cafe():\n    return 2\n",
    "tests/test_billing.py": "from shop.billing import charge\n",
    "tests/test_orders.py": "from shop.orders import order\n",
    "vendor/lib/billing.py": "def charge():\n    pass\n",
    "vendor/lib/test_billing.py": "import billing\n",
    "web/gen/api.py": "def api():\n    pass\n",
    "web/src/api.ts": "export const api = 1;\n",
    "web/src/api.test.ts": "import { api } from './api';\n",
    "web/src/__tests__/api.ts": "import { api } from '../api';\n",
    "src/shop/orders_test.py": "from shop.orders import order\n",
}
FILES = ["src/shop/billing.py", "src/shop/caf\u00e9.py", "tests/test_orders.py"]


def _scan(repo: Path, files: List[str], use_cache: bool = True):
    from repo_roles.scan import scan

    old = os.getcwd()
    os.chdir(repo)
    try:
        return scan(Path("."), files=files, use_cache=use_cache)
    finally:
        os.chdir(old)


def _few(repo: Path, files: List[str] = FILES):
    """The context over the path table (stored by a first run when missing) and the usual one."""
    from repo_roles.fewfiles.listing import FewInventory

    context = _scan(repo, files)
    if not isinstance(context.inventory, FewInventory):
        context = _scan(repo, files)
    return context, _scan(repo, files, use_cache=False)


def _same_block_digests(inventory, usual, every: List[int]) -> None:
    """The digest by block is the same with and without the stored per-block digests, and it
    moves with the records it covers (as ``IndexListing.records_digest_at`` does)."""
    from repo_roles.fewfiles.indexfile import _Digests

    first = inventory.records_digest_at(every, {1})
    assert first.startswith("blocks:") and inventory.records_digest_at(every, {1}) == first  # from the memo
    digests = inventory.__dict__["_digests"]
    inventory.__dict__["_digests"] = _Digests(digests.directory / "elsewhere", digests.version, digests.differing)
    try:
        assert inventory.records_digest_at(every, {1}) == first  # computed afresh
        assert inventory.records_digest_at(every, {2}) != first
        assert inventory.records_digest_at(every[::2]) != inventory.records_digest_at(every[1::2])
    finally:
        inventory.__dict__["_digests"] = digests
    half = set(usual.paths[::2])
    assert inventory.records_digest(half) == inventory.records_digest_at(
        [i for i, p in enumerate(usual.paths) if p in half])


def _same_answers(few, plain, files: List[str]) -> None:
    from repo_roles.fewfiles.listing import FewInventory

    inventory, usual = few.inventory, plain.inventory
    assert isinstance(inventory, FewInventory) and not isinstance(usual, FewInventory)
    assert list(inventory.paths) == list(usual.paths) and len(inventory.paths) == len(usual.paths)
    assert inventory.paths_digest() == usual.paths_digest()
    assert few.targets == plain.targets and inventory.pick(set(files)) == usual.pick(set(files))
    assert dict(inventory.special_kinds()) == usual.special_kinds()
    for path in [*usual.paths, "nope.py", "src", "vendor/lib/billing.py"]:
        assert (path in inventory.paths) == (path in usual.paths), path
        assert inventory.special_kinds().get(path, "file") == usual.special_kinds().get(path, "file"), path
    every = list(range(len(usual.paths)))
    if isinstance(inventory, IndexFileInventory):  # by block of the index file: its own value
        _same_block_digests(inventory, usual, every)
    else:
        assert inventory.records_digest_at(every, {1}) == usual.records_digest_at(every, {1})
        assert inventory.records_digest(set(usual.paths[::2])) == usual.records_digest(set(usual.paths[::2]))
    for name in ("billing", "test_billing", "caf\u00e9", "orders", "b", "zzz"):
        assert inventory.paths.with_base_prefixes((name,)) == [
            p for p in usual.paths if p.rpartition("/")[2].startswith(name)], name
    from repo_roles.coverage.test_names import PathNames

    for name in ("billing", "orders", "caf\u00e9", "api"):  # a module name's test candidates: the same
        mapped, listed = PathNames(inventory.paths), PathNames(list(usual.paths))
        mapped.name(name)
        listed.name(name)
        assert (mapped.py, mapped.py_dirs, mapped.js, mapped.js_dirs) == (listed.py, listed.py_dirs, listed.js,
                                                                      listed.js_dirs), name
    assert inventory.paths.ending_with("OWNERS") == [p for p in usual.paths if p.endswith("OWNERS")]
    assert inventory.paths.below(("src/", "tests/test_o")) == [p for p in usual.paths if p.startswith("src/")] + [
        p for p in usual.paths if p.startswith("tests/test_o")]
    assert inventory.entries == usual.entries  # the whole listing, cut when something asks


def test_path_table_answers_as_the_whole_listing(make_repo: MakeRepo) -> None:
    repo = make_repo(TREE)
    os.symlink("src/shop/orders.py", repo / "aaa-link.py")  # the first record: a symlink
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "link")
    few, plain = _few(repo)
    _same_answers(few, plain, FILES)
    assert "vendor/lib/billing.py" not in few.inventory.paths  # excluded: rows of the whole listing
    # pre-commit's case: `git add` of an edited target rewrote git's index (the table still serves)
    (repo / "src/shop/billing.py").write_text("def charge(x):\n    return 2 * x\n")
    git(repo, "add", "src/shop/billing.py")
    few, plain = _few(repo)
    _same_answers(few, plain, FILES)
    assert few.targets[0].blob == git(repo, "rev-parse", ":src/shop/billing.py").strip()
    # a new test file: a new listing, a new table; its module finds it
    (repo / "tests/test_cafe.py").write_text("def test():\n    pass\n")
    git(repo, "add", "tests/test_cafe.py")
    few, plain = _few(repo)
    _same_answers(few, plain, FILES)
    assert few.test_index.tests_for("src/shop/billing.py") == plain.test_index.tests_for("src/shop/billing.py")


def test_a_test_renamed_is_seen_by_its_module(make_repo: MakeRepo, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """The table follows the names: a test renamed away leaves its module without tests."""
    repo = make_repo(TREE)
    monkeypatch.chdir(repo)
    first = run_cli("check", "--output-format", "json", "--select", "TST001", "src/shop/billing.py")
    assert first.exit_code == 0, first.stdout
    git(repo, "mv", "tests/test_billing.py", "tests/check_billing.py")
    for _ in range(2):  # the table is stored by the first run, served by the second
        cached = run_cli("check", "--output-format", "json", "--select", "TST001", "src/shop/billing.py")
        uncached = run_cli("check", "--no-cache", "--output-format", "json", "--select", "TST001", "src/shop/billing.py")
        assert cached.exit_code == 1 and cached.stdout == uncached.stdout


def _table_file(repo: Path, copy: bool = False) -> Optional[Path]:
    """The path table made from git's listing (``copy``: the one over the index file's copy)."""
    found = sorted((Path(os.environ["REPO_ROLES_CACHE_DIR"]) / "path-tables").glob("*.paths"))
    found = [p for p in found if p.with_suffix(".index").exists() == copy]
    return found[-1] if found else None


@pytest.mark.parametrize("copy", [False, True], ids=["listing", "index-copy"])
@pytest.mark.parametrize("damage", ["truncated", "flipped", "foreign"])
def test_a_damaged_table_is_made_again(make_repo: MakeRepo, damage: str, copy: bool) -> None:
    from repo_roles.fewfiles.table import _decode

    repo = make_repo(TREE)
    few, plain = _few(repo)
    table = _table_file(repo, copy)
    assert table is not None
    data = table.read_bytes()
    table.write_bytes({"truncated": data[:-3], "flipped": data[:60] + bytes([data[60] ^ 1]) + data[61:],
                       "foreign": b"not a table"}[damage])
    assert _decode(table.read_bytes()) is None  # a damaged table is never read as one
    if not copy:  # without the index file's copy: git's listing is read, and its table
        for stored in table.parent.glob("*.index"):
            stored.unlink()
    few = _scan(repo, FILES)
    _same_answers(few, plain, FILES)
    assert table.read_bytes() == data  # made again from git's listing, the same table


def test_no_table_for_a_merge_conflict_or_a_name_that_is_not_utf8(make_repo: MakeRepo) -> None:
    """git lists each stage of a conflicted path: such a listing is never served from a table."""
    from repo_roles.fewfiles.listing import FewInventory

    repo = make_repo({"a.py": "x = 1\n", "b.py": "def b():\n    pass\n"})
    git(repo, "checkout", "-qb", "other")
    (repo / "a.py").write_text("x = 2\n")
    git(repo, "commit", "-qam", "other")
    git(repo, "checkout", "-q", "main")
    (repo / "a.py").write_text("x = 3\n")
    git(repo, "commit", "-qam", "main")
    merge = subprocess.run(["git", "-C", str(repo), "merge", "-q", "other"], capture_output=True)
    assert merge.returncode != 0 and " 2\t" in git(repo, "ls-files", "-s")  # a conflict in the index
    for _ in range(2):
        assert not isinstance(_scan(repo, ["b.py"]).inventory, FewInventory)
    odd = make_repo({"b.py": "def b():\n    pass\n"}, name="odd")
    (odd / os.fsdecode(b"caf\xe9.py")).write_text("x = 1\n")
    git(odd, "add", "-A")
    for _ in range(2):
        assert not isinstance(_scan(odd, ["b.py"]).inventory, FewInventory)


# -- git's index file read where it sits (fewfiles.indexfile) ------------------------------------
def _served_from_index(repo: Path, files: List[str] = FILES) -> bool:
    """Whether a run on ``files`` reads git's index file without asking git for a listing."""
    from repo_roles.fewfiles import listing

    asked = []
    original = listing._listings

    def counted(root: Path):
        asked.append(root)
        return original(root)

    listing._listings = counted
    try:
        served = isinstance(_scan(repo, files).inventory, IndexFileInventory)
    finally:
        listing._listings = original
    return served and not asked


def test_index_file_serves_after_git_add_and_a_commit(make_repo: MakeRepo) -> None:
    """git's index format (Documentation/gitformat-index.txt): version 2, each entry's name at a
    fixed offset while the names stay; ``git add`` and ``git commit`` rewrite the file (object ids,
    times, the cache tree) and the copy still serves, with the new object id."""
    repo = make_repo(TREE)
    assert not _served_from_index(repo)  # the first run lists the index and keeps a copy
    few, plain = _few(repo)
    assert isinstance(few.inventory, IndexFileInventory)
    _same_answers(few, plain, FILES)
    (repo / "src/shop/billing.py").write_text("def charge(x):\n    return 3 * x\n")
    git(repo, "add", "src/shop/billing.py")
    few, plain = _few(repo)
    assert isinstance(few.inventory, IndexFileInventory)
    _same_answers(few, plain, FILES)
    assert few.targets[0].blob == git(repo, "rev-parse", ":src/shop/billing.py").strip()
    git(repo, "commit", "-qm", "edit")
    few, plain = _few(repo)
    assert isinstance(few.inventory, IndexFileInventory)
    _same_answers(few, plain, FILES)


def _served_repo(make_repo: MakeRepo) -> Path:
    """TREE, with a copy of its index kept by a first run: the next run reads git's index file."""
    repo = make_repo(TREE)
    _few(repo)
    assert _served_from_index(repo)
    return repo

@pytest.mark.parametrize("change", ["renamed, same length", "added", "removed", "made a symlink"])
def test_index_file_with_other_names_is_listed_again(make_repo: MakeRepo, change: str) -> None:
    """A name added, removed, or renamed to one of the same length (every offset unchanged) is
    never served from the copy: the names where the blocks differ are compared."""
    repo = _served_repo(make_repo)
    if change == "renamed, same length":
        git(repo, "mv", "tests/test_orders.py", "tests/test_ordxr.py")
    elif change == "added":
        (repo / "tests/test_more.py").write_text("x = 1\n")
        git(repo, "add", "tests/test_more.py")
    elif change == "removed":
        git(repo, "rm", "-q", "--cached", "web/src/api.test.ts")
    else:  # the same name, another mode: served, and the record says so
        (repo / "src/shop/orders.py").unlink()
        os.symlink("billing.py", repo / "src/shop/orders.py")
        git(repo, "add", "src/shop/orders.py")
    files = ["src/shop/billing.py", "src/shop/orders.py"] if change == "made a symlink" else FILES
    assert _served_from_index(repo, files) == (change == "made a symlink")
    few, plain = _few(repo, files)
    assert isinstance(few.inventory, IndexFileInventory)  # a new copy of the new names
    _same_answers(few, plain, files)


@pytest.mark.parametrize("how", ["version 4", "intent to add (version 3)", "split index"])
def test_index_file_git_writes_otherwise_is_listed_by_git(make_repo: MakeRepo, how: str) -> None:
    """Prefix-compressed names (version 4), extended flags (version 3) and a split index
    (a required ``link`` extension) are read by git, never here."""
    repo = _served_repo(make_repo)
    if how == "version 4":
        git(repo, "update-index", "--index-version", "4")
    elif how == "split index":
        git(repo, "update-index", "--split-index")
    else:
        (repo / "src/shop/later.py").write_text("x = 1\n")
        git(repo, "add", "-N", "src/shop/later.py")
    for _ in range(2):
        assert not _served_from_index(repo)
        few, plain = _few(repo)
        assert list(few.inventory.paths) == list(plain.inventory.paths) and few.targets == plain.targets


def test_a_damaged_index_copy_is_a_miss(make_repo: MakeRepo) -> None:
    repo = make_repo(TREE)
    _few(repo)
    copy = _table_file(repo, copy=True)
    assert copy is not None
    data = copy.with_suffix(".index").read_bytes()
    at = data.index(b"tests/test_orders.py")
    copy.with_suffix(".index").write_bytes(data[:at] + b"tests/test_ordxr.py" + data[at + 19:])
    assert not _served_from_index(repo)  # the names differ where the blocks differ
    copy.with_suffix(".index").write_bytes(data[:-5])
    assert not _served_from_index(repo)  # truncated: made again from git's listing
    few, plain = _few(repo)
    assert isinstance(few.inventory, IndexFileInventory)
    _same_answers(few, plain, FILES)


@pytest.mark.parametrize("where", ["work tree", "index only", "none"])
def test_few_files_attributes_follow_their_sources(make_repo: MakeRepo, where: str) -> None:
    """gitattributes(5): a path's attributes come from the .gitattributes of its directory and
    those above it; without the work tree's file git reads the index's.  The remembered answer
    equals ``git check-attr`` after each change of those sources."""
    from repo_roles import inventory as inventory_module
    from repo_roles.inventory import _git_check_attr

    repo = make_repo(TREE)
    wanted = ["linguist-generated", "linguist-vendored"]
    paths = ["web/gen/api.py", "src/shop/billing.py", "web/src/api.ts"]

    asked: List[List[str]] = []

    def counted(root, asked_paths, names):
        asked.append(list(asked_paths))
        return _git_check_attr(root, asked_paths, names)

    def same() -> None:
        expected: dict = {}
        for path, attr, value in _git_check_attr(repo, paths, wanted):
            expected.setdefault(path, {})[attr] = value
        assert _few(repo, paths)[0].inventory.attributes(wanted, paths) == expected  # remembered
        del asked[:]
        with pytest.MonkeyPatch.context() as patch:  # a later run: the remembered answer, no git
            patch.setattr(inventory_module, "_git_check_attr", counted)
            inventory = _scan(repo, paths).inventory
            assert inventory.attributes(wanted, paths) == expected
        assert not asked

    same()
    (repo / "web" / ".gitattributes").write_text("src/** linguist-vendored\n")
    same()
    if where == "index only":
        git(repo, "add", "web/.gitattributes")
        (repo / "web" / ".gitattributes").unlink()
    elif where == "none":
        (repo / "web" / ".gitattributes").unlink()
        (repo / ".gitattributes").unlink()
    same()


def test_the_index_git_commit_names_for_its_hooks(make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    """githooks(5)/git-commit: a hook of a plain ``git commit`` runs at the top level with
    ``GIT_INDEX_FILE=.git/index`` (relative); ``git commit -a`` names a temporary index
    (``.git/index.lock``, absolute).  Both are read where they are, as git reads them."""
    repo = make_repo(TREE)
    monkeypatch.setenv("GIT_INDEX_FILE", ".git/index")
    _few(repo)
    assert _served_from_index(repo)
    other = repo / ".git" / "other-index"
    other.write_bytes((repo / ".git" / "index").read_bytes())
    monkeypatch.setenv("GIT_INDEX_FILE", str(other))
    (repo / "src/shop/billing.py").write_text("def charge(x):\n    return 4 * x\n")
    git(repo, "add", "src/shop/billing.py")  # into the other index only
    assert _served_from_index(repo)
    few, plain = _few(repo)
    _same_answers(few, plain, FILES)
    assert few.targets[0].blob == git(repo, "rev-parse", ":src/shop/billing.py").strip()
    monkeypatch.delenv("GIT_INDEX_FILE")
    assert _scan(repo, FILES).targets[0].blob != few.targets[0].blob  # .git/index has the commit's


def test_an_attributes_file_the_settings_leave_out_still_counts(make_repo: MakeRepo) -> None:
    """``exclude`` narrows what is reported on, not what git reads: an excluded .gitattributes,
    gone from the work tree but in the index, still sets attributes (git reads the index's)."""
    from repo_roles.inventory import _git_check_attr

    tree = {**TREE, "repo-roles.toml": "exclude = ['vendor/', 'web/.gitattributes']\n",
            "web/.gitattributes": "src/** linguist-vendored\n"}
    repo = make_repo(tree)
    (repo / "web" / ".gitattributes").unlink()  # in the index only
    wanted, paths = ["linguist-vendored"], ["web/src/api.ts", "src/shop/billing.py"]
    for _ in range(2):
        inventory = _few(repo, paths)[0].inventory
        assert "web/.gitattributes" not in inventory.paths
        expected = {p: {a: v} for p, a, v in _git_check_attr(repo, paths, wanted)}
        assert expected == {"web/src/api.ts": {"linguist-vendored": "set"}}
        assert inventory.attributes(wanted, paths) == expected
    git(repo, "rm", "-q", "--cached", "web/.gitattributes")  # now in neither: nothing set
    for _ in range(2):
        assert _few(repo, paths)[0].inventory.attributes(wanted, paths) == {}


def test_the_test_answers_of_a_few_files_never_list_every_kind(make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    """TST001's question on a few given files (what pre-commit runs) reads those files' kinds, not
    every entry's: asking a few files' inventory whether it has any symlink at all searches the
    whole mode column (it made `check` on 5 files grow with the repository, 0.22 -> 0.29 s at 200k)."""
    from repo_roles.fewfiles import listing

    repo = make_repo(TREE)
    context, plain = _few(repo)
    assert isinstance(context.inventory, listing.FewInventory)
    monkeypatch.setattr(listing._SpecialKinds, "_every", lambda self: pytest.fail("every entry's kind was listed"))
    assert context.modules_needing_tests == plain.modules_needing_tests
    assert "src/shop/billing.py" in context.modules_needing_tests
