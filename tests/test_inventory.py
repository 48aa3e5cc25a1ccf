"""inventory: git's index in one call (or a filesystem walk), scope, safe reads, attributes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Callable, List

import pytest

from conftest import git
from repo_roles.errors import NotARepositoryError, UsageError
from repo_roles.inventory import FileEntry, Inventory, git_toplevel, load_inventory

MakeRepo = Callable[..., Path]


def paths(inv: Inventory) -> List[str]:
    return [e.path for e in inv.entries]


def by_path(inv: Inventory, path: str) -> FileEntry:
    return next(e for e in inv.entries if e.path == path)


# -- what counts as a file of the project -----------------------------------------------------


@pytest.mark.parametrize("commit", [pytest.param(True, id="committed"), pytest.param(False, id="staged-only")])
def test_index_is_the_truth_committed_or_staged(make_repo: MakeRepo, commit: bool) -> None:
    root = make_repo({"src/app.py": "x = 1\n", "run.sh": "#!/bin/sh\n"}, commit=commit)
    inv = load_inventory(root)
    assert paths(inv) == ["run.sh", "src/app.py"]
    entry = by_path(inv, "src/app.py")
    assert (entry.kind, entry.mode, entry.tracked) == ("file", 0o100644, True)
    assert entry.blob == git(root, "hash-object", "src/app.py").strip()
    assert inv.git_root == root.resolve() and inv.prefix == "" and inv.scope == ""


@pytest.mark.parametrize(
    "untracked, expected",
    [
        pytest.param(False, [".gitignore", "app.py"], id="index-only"),
        pytest.param(True, [".gitignore", "app.py", "new.py", "newlink"], id="untracked-adds-non-ignored"),
    ],
)
def test_untracked_and_ignored(make_repo: MakeRepo, untracked: bool, expected: List[str]) -> None:
    root = make_repo({".gitignore": "*.log\nbuild/\n", "app.py": "x = 1\n"})
    (root / "debug.log").write_text("ignored\n")
    (root / "build").mkdir()
    (root / "build" / "out.js").write_text("ignored\n")
    (root / "new.py").write_text("y = 2\n")
    os.symlink("app.py", root / "newlink")
    inv = load_inventory(root, untracked=untracked)
    assert paths(inv) == expected
    if untracked:
        assert by_path(inv, "new.py") == FileEntry("new.py", "file", 0o100644, None, False)
        assert by_path(inv, "newlink") == FileEntry("newlink", "symlink", 0o120000, None, False)


def test_untracked_nested_repository_is_listed_not_descended(make_repo: MakeRepo) -> None:
    root = make_repo({"app.py": "x = 1\n"})
    git(root, "init", "-q", "nested")
    (root / "nested" / "inner.py").write_text("z = 3\n")
    inv = load_inventory(root, untracked=True)
    assert paths(inv) == ["app.py", "nested"]
    assert by_path(inv, "nested").kind == "submodule"


def test_empty_repository_has_no_entries(make_repo: MakeRepo) -> None:
    root = make_repo({})
    inv = load_inventory(root, untracked=True)
    assert inv.entries == [] and inv.git_root == root.resolve()
    assert inv.attributes(["linguist-vendored"]) == {}


def test_detached_head(make_repo: MakeRepo) -> None:
    root = make_repo({"a.py": "x = 1\n"})
    git(root, "checkout", "-q", "--detach", "HEAD")
    assert paths(load_inventory(root)) == ["a.py"]


def test_file_deleted_from_work_tree_is_kept_but_unreadable(make_repo: MakeRepo) -> None:
    root = make_repo({"a.py": "x = 1\n", "b.py": "y = 2\n"})
    (root / "a.py").unlink()
    inv = load_inventory(root)
    assert paths(inv) == ["a.py", "b.py"]
    assert inv.read_head("a.py") is None
    assert inv.read_head("b.py") == b"y = 2\n"


def test_merge_conflict_gives_one_entry_with_our_blob(make_repo: MakeRepo) -> None:
    root = make_repo({"a.txt": "base\n"})
    git(root, "checkout", "-q", "-b", "other")
    (root / "a.txt").write_text("theirs\n")
    git(root, "commit", "-q", "-am", "theirs")
    git(root, "checkout", "-q", "main")
    (root / "a.txt").write_text("ours\n")
    git(root, "commit", "-q", "-am", "ours")
    merge = subprocess.run(["git", "-C", str(root), "merge", "-q", "other"], capture_output=True)
    assert merge.returncode != 0  # the conflict this test needs
    ours = git(root, "rev-parse", ":2:a.txt").strip()
    inv = load_inventory(root)
    assert inv.entries == [FileEntry("a.txt", "file", 0o100644, ours, True)]


# -- where a scan can start -------------------------------------------------------------------


def test_bare_repository_is_refused(tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    with pytest.raises(NotARepositoryError) as info:
        load_inventory(bare)
    assert str(info.value) == f"{bare}: is a bare git repository; it has no work tree to scan"


@pytest.mark.parametrize(
    "name, message",
    [
        pytest.param("missing", "no such file or directory", id="missing-path"),
        pytest.param("a-file", "is not a directory", id="file-not-dir"),
    ],
)
def test_unscannable_path(tmp_path: Path, name: str, message: str) -> None:
    (tmp_path / "a-file").write_text("x\n")
    with pytest.raises(NotARepositoryError) as info:
        git_toplevel(tmp_path / name)
    assert str(info.value) == f"{tmp_path / name}: {message}"


@pytest.mark.parametrize(
    "git_init, expected",
    [pytest.param(True, "repo", id="git-work-tree"), pytest.param(False, None, id="plain-directory")],
)
def test_git_toplevel(make_repo: MakeRepo, git_init: bool, expected: str) -> None:
    root = make_repo({"sub/a.py": "x = 1\n"}, git_init=git_init, name="repo")
    top = git_toplevel(root / "sub")
    assert top == (root.resolve() if expected else None)


def test_project_root_in_a_subfolder_gets_relative_paths_and_prefix(make_repo: MakeRepo) -> None:
    root = make_repo({"examples/web/app.js": "x\n", "examples/web/lib/u.js": "y\n", "top.py": "z\n"})
    inv = load_inventory(root / "examples" / "web")
    assert inv.git_root == root.resolve()
    assert inv.prefix == "examples/web/"
    assert inv.project_root == (root / "examples" / "web").resolve()
    assert paths(inv) == ["app.js", "lib/u.js"]
    assert inv.read_head("lib/u.js") == b"y\n"


def test_plain_directory_walk_honours_nested_gitignores(make_repo: MakeRepo) -> None:
    """Precedence per git-scm.com/docs/gitignore: the deeper file wins, patterns are relative to it."""
    root = make_repo(
        {
            ".gitignore": "*.log\nbuild/\n",
            "app.py": "x\n",
            "x.log": "",
            "build/out.js": "",
            "sub/.gitignore": "!keep.log\nlocal.txt\n",
            "sub/keep.log": "",
            "sub/other.log": "",
            "sub/local.txt": "",
            "other/local.txt": "",
            "vendor/.git/config": "",
            "vendor/lib.py": "",
        },
        git_init=False,
    )
    os.symlink(root / "sub", root / "linkdir")  # a symlinked directory: listed, never followed
    inv = load_inventory(root)
    assert inv.git_root is None and inv.prefix == ""
    assert paths(inv) == [
        ".gitignore",
        "app.py",
        "linkdir",
        "other/local.txt",
        "sub/.gitignore",
        "sub/keep.log",
        "vendor/lib.py",
    ]
    assert by_path(inv, "linkdir").kind == "symlink"
    assert all(not e.tracked and e.blob is None for e in inv.entries)


def test_submodule_is_listed_not_descended(make_repo: MakeRepo) -> None:
    lib = make_repo({"lib.py": "x = 1\n"}, name="lib")
    root = make_repo({"app.py": "y = 2\n"}, name="app")
    git(root, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(lib), "libs/lib")
    git(root, "commit", "-q", "-m", "add submodule")
    inv = load_inventory(root, untracked=True)
    assert paths(inv) == [".gitmodules", "app.py", "libs/lib"]
    sub = by_path(inv, "libs/lib")
    assert (sub.kind, sub.mode, sub.blob) == ("submodule", 0o160000, git(lib, "rev-parse", "HEAD").strip())
    assert inv.read_head("libs/lib") is None


# -- names -----------------------------------------------------------------------------------

ODD_NAMES = ["with space.py", "ünïcødé/名前.md", "new\nline.txt", "tab\there.txt"]
if sys.platform.startswith("linux"):
    ODD_NAMES.append(os.fsdecode(b"latin1-caf\xe9.txt"))  # not UTF-8: decoded with surrogateescape


@pytest.mark.parametrize("git_init", [pytest.param(True, id="git-index"), pytest.param(False, id="walk")])
def test_odd_names_round_trip(make_repo: MakeRepo, git_init: bool) -> None:
    root = make_repo({name: name.encode("utf-8", "surrogateescape") for name in ODD_NAMES}, git_init=git_init)
    inv = load_inventory(root)
    assert paths(inv) == sorted(ODD_NAMES)
    for name in ODD_NAMES:
        assert inv.read_head(name) == name.encode("utf-8", "surrogateescape")
        assert inv.abspath(name).exists()
    assert inv.attributes(["text"]) == {}  # check-attr takes the same names back


# -- safe reads ------------------------------------------------------------------------------


def test_symlink_to_outside_is_listed_and_never_read(make_repo: MakeRepo, tmp_path: Path) -> None:
    secret_dir = tmp_path / "outside"
    secret_dir.mkdir()
    (secret_dir / "secret.txt").write_text("secret\n")
    root = make_repo({"a.txt": "hello\n"})
    os.symlink(secret_dir / "secret.txt", root / "link.txt")
    os.symlink(secret_dir, root / "linkdir")
    git(root, "add", "link.txt", "linkdir")
    inv = load_inventory(root)
    assert by_path(inv, "link.txt") == FileEntry(
        "link.txt", "symlink", 0o120000, by_path(inv, "link.txt").blob, True
    )
    assert by_path(inv, "linkdir").kind == "symlink"
    assert inv.read_head("link.txt") is None
    assert inv.read_head("linkdir/secret.txt") is None  # a symlinked parent leaves the project
    assert inv.read_bytes("linkdir/secret.txt", 1000) is None
    assert inv.read_head("../outside/secret.txt") is None


@pytest.mark.parametrize(
    "path, call, expected",
    [
        pytest.param("a.txt", "head", b"hell", id="head-limited"),
        pytest.param("a.txt", "bytes-fits", b"hello\n", id="bytes-fits"),
        pytest.param("a.txt", "bytes-too-big", None, id="bytes-over-max-size"),
        pytest.param("src", "head", None, id="directory"),
        pytest.param("nope.txt", "head", None, id="missing"),
    ],
)
def test_reads(make_repo: MakeRepo, path: str, call: str, expected: object) -> None:
    inv = load_inventory(make_repo({"a.txt": "hello\n", "src/b.py": ""}))
    if call == "head":
        assert inv.read_head(path, limit=4) == expected
    else:
        assert inv.read_bytes(path, 6 if call == "bytes-fits" else 5) == expected


# -- scope -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "scope, normalised, expected",
    [
        pytest.param("", "", ["README.md", "src/a.py", "src/sub/b.py", "srcx/c.py"], id="whole"),
        pytest.param("src", "src", ["src/a.py", "src/sub/b.py"], id="directory-not-prefix-sibling"),
        pytest.param("./src/", "src", ["src/a.py", "src/sub/b.py"], id="normalised"),
        pytest.param("src/a.py", "src/a.py", ["src/a.py"], id="file"),
        pytest.param("build", "build", [], id="on-disk-but-ignored"),
    ],
)
def test_scope_filters_but_entries_keep_everything(
    make_repo: MakeRepo, scope: str, normalised: str, expected: List[str]
) -> None:
    files = {".gitignore": "build/\n", "README.md": "", "src/a.py": "", "src/sub/b.py": "", "srcx/c.py": ""}
    root = make_repo(files)
    (root / "build").mkdir()
    inv = load_inventory(root, scope=scope)
    assert inv.scope == normalised
    assert [e.path for e in inv.in_scope() if e.path != ".gitignore"] == expected
    assert len(inv.entries) == 5


@pytest.mark.parametrize(
    "scope, message",
    [
        pytest.param("nope", "no such file or directory in the project root", id="missing"),
        pytest.param("../elsewhere", "is outside the project root", id="outside"),
        pytest.param("/etc", "is outside the project root", id="absolute"),
    ],
)
def test_bad_scope_is_a_usage_error(make_repo: MakeRepo, scope: str, message: str) -> None:
    root = make_repo({"a.py": ""})
    with pytest.raises(UsageError) as info:
        load_inventory(root, scope=scope)
    assert str(info.value) == f"{scope}: {message} {root.resolve()}"


# -- attributes ------------------------------------------------------------------------------

GITATTRIBUTES = {
    ".gitattributes": "vendor/** linguist-vendored\n*.min.js linguist-generated=true\n*.md -diff\n",
    "docs/.gitattributes": "guide.md diff linguist-documentation\n",
    "vendor/lib.js": "",
    "web/app.min.js": "",
    "web/app.js": "",
    "docs/guide.md": "",
    "README.md": "",
}


@pytest.mark.parametrize("git_init", [pytest.param(True, id="git-check-attr"), pytest.param(False, id="walk")])
def test_attributes_from_gitattributes(make_repo: MakeRepo, git_init: bool) -> None:
    """Linguist overrides (github-linguist docs/overrides.md) over git-scm.com/docs/gitattributes."""
    inv = load_inventory(make_repo(GITATTRIBUTES, git_init=git_init))
    names = ["linguist-vendored", "linguist-generated", "linguist-documentation", "diff"]
    expected = {
        "vendor/lib.js": {"linguist-vendored": "set"},
        "web/app.min.js": {"linguist-generated": "true"},
        "README.md": {"diff": "unset"},
        "docs/guide.md": {"linguist-documentation": "set", "diff": "set"},  # deeper file wins
    }
    assert inv.attributes(names) == expected
    # cached per attribute: asking again, or for a subset, gives the same answer
    assert inv.attributes(["linguist-generated"]) == {"web/app.min.js": {"linguist-generated": "true"}}
    assert inv.attributes(names) == expected


ATTRIBUTE_PATTERNS = {
    ".gitattributes": (
        "vendor linguist-vendored\n"  # a directory's name: its files get nothing
        "third_party/ linguist-vendored\n"  # trailing slash: "pointless in an attributes file"
        "lib/** linguist-vendored\n"  # everything below lib/
        "*.gen.py linguist-generated\n"
        "keep.gen.py !linguist-generated\n"  # later line: back to unspecified
        "docs/*.md linguist-documentation\n"
        "docs/*.md -linguist-documentation\n"  # later line wins
    ),
    "sub/.gitattributes": "*.py linguist-generated=yes\n",  # deeper file wins
    "vendor/a.js": "",
    "third_party/b.js": "",
    "lib/deep/c.js": "",
    "x.gen.py": "", "keep.gen.py": "", "sub/y.py": "", "sub/z.gen.py": "",
    "docs/guide.md": "", "docs/api/ref.md": "",
}


def test_attributes_outside_git_agree_with_git_check_attr(make_repo: MakeRepo) -> None:
    """The walk's reader gives what ``git check-attr`` gives (https://git-scm.com/docs/gitattributes:
    "patterns that match a directory do not recursively match paths inside that directory")."""
    files = ATTRIBUTE_PATTERNS
    names = ["linguist-vendored", "linguist-generated", "linguist-documentation"]
    with_git = load_inventory(make_repo(files)).attributes(names)
    walked = load_inventory(make_repo(files, git_init=False)).attributes(names)
    assert walked == with_git
    assert with_git == {
        "lib/deep/c.js": {"linguist-vendored": "set"},
        "x.gen.py": {"linguist-generated": "set"},
        "sub/y.py": {"linguist-generated": "yes"},
        "sub/z.gen.py": {"linguist-generated": "yes"},
        "docs/guide.md": {"linguist-documentation": "unset"},
    }


def test_many_attribute_lines_outside_git(make_repo: MakeRepo) -> None:
    """2,000 lines over 2,000 files: each file gets the attribute of the one line naming its directory."""
    lines = "".join(f"dir{i}/*.py linguist-generated\n" for i in range(2000))
    files = {".gitattributes": lines, **{f"dir{i}/m.py": "" for i in range(0, 2000)}}
    inv = load_inventory(make_repo(files, git_init=False))
    found = inv.attributes(["linguist-generated"])
    assert found == {f"dir{i}/m.py": {"linguist-generated": "set"} for i in range(2000)}


def test_prefetched_attributes_are_the_same_answer(make_repo: MakeRepo) -> None:
    """A whole scan starts git check-attr early (prefetch_attributes) and collects it later."""
    root = make_repo({**GITATTRIBUTES, "odd name\twith tab.min.js": "", "ünï/cödé.md": ""})
    names = ["linguist-vendored", "linguist-generated", "linguist-documentation", "diff"]
    direct = load_inventory(root).attributes(names)
    assert direct["odd name\twith tab.min.js"] == {"linguist-generated": "true"}
    assert direct["ünï/cödé.md"] == {"diff": "unset"}
    inv = load_inventory(root)
    inv.prefetch_attributes(names[:2])
    inv.prefetch_attributes(names[:2])  # already on its way: no second git call
    assert len(inv._attr_pending) == 1
    assert inv.attributes(names) == direct  # the prefetched two plus two asked now
    assert not inv._attr_pending


def test_prefetch_outside_git_does_nothing(make_repo: MakeRepo) -> None:
    inv = load_inventory(make_repo(GITATTRIBUTES, git_init=False))
    inv.prefetch_attributes(["linguist-vendored"])
    assert not inv._attr_pending
    assert inv.attributes(["linguist-vendored"]) == {"vendor/lib.js": {"linguist-vendored": "set"}}


def test_attributes_of_a_subfolder_project(make_repo: MakeRepo) -> None:
    root = make_repo({".gitattributes": "*.gen.py linguist-generated\n", "pkg/a.gen.py": "", "pkg/b.py": ""})
    inv = load_inventory(root / "pkg")
    assert inv.attributes(["linguist-generated"]) == {"a.gen.py": {"linguist-generated": "set"}}


def test_special_kinds_read_off_the_mode_column() -> None:
    """git-ls-files --stage modes: 120000 symlink, 160000 submodule (gitlink); the answer is
    the one the built entries give, without building them."""
    from repo_roles.index_listing import IndexListing

    records = [("100644", "a.py"), ("120000", "link"), ("160000", "sub"), ("100755", "x.sh")]
    listing = IndexListing.parse("".join(f"{mode} {'a' * 40} 0\t{path}\0" for mode, path in records))
    assert isinstance(listing, IndexListing)
    assert listing.special_kinds() == {"link": "symlink", "sub": "submodule"}
    assert listing.special_kinds() == {e.path: e.kind for e in listing.entries() if e.kind != "file"}


def test_a_lazy_listing_asked_by_two_threads_at_once_is_cut_once(monkeypatch) -> None:
    """Threads of one run may ask a lazily parsed listing for its paths at once (a project slot
    chosen while a background thread reads the same inventory): the second waits for the first
    one's cut instead of cutting the same text again (it failed with KeyError '_text' before)."""
    import threading
    import time

    from repo_roles import index_listing
    from repo_roles.index_listing import IndexListing

    text = "".join(f"100644 {'b' * 40} 0\tdir/f{i}.py\0" for i in range(50))
    listing = IndexListing.parse(text, lazy_digest=True)
    assert isinstance(listing, IndexListing) and "_text" in listing.__dict__
    inside = threading.Event()
    calls: List[int] = []
    real_release = index_listing.release

    def slow_release(raw: object) -> None:  # the first cut pauses inside, with its text not yet dropped
        calls.append(1)
        if len(calls) == 1:
            inside.set()
            time.sleep(0.3)
        real_release(raw)

    monkeypatch.setattr(index_listing, "release", slow_release)
    seen: List[object] = []
    errors: List[BaseException] = []

    def ask() -> None:
        try:
            seen.append(listing.paths)
        except BaseException as exc:  # noqa: BLE001 - the test reports it
            errors.append(exc)

    first = threading.Thread(target=ask)
    first.start()
    assert inside.wait(5)
    second = threading.Thread(target=ask)
    second.start()
    first.join()
    second.join()
    assert errors == []
    assert len(calls) == 1  # one cut
    assert seen[0] is seen[1] and seen[0] == [f"dir/f{i}.py" for i in range(50)]



def test_a_tagged_listing_reads_as_the_plain_one_and_names_the_entries_git_does_not_compare(
        make_repo: MakeRepo) -> None:
    """git-ls-files(1) ``-v``: a two-character tag (``H`` cached, ``S`` skip-worktree, lower case
    assume-unchanged) starts each ``-s`` record.  A listing kept with its tags gives the plain
    listing's entries, paths, kinds and record digests, and the paths tagged other than ``H``
    are those of a separate ``ls-files -v``."""
    from repo_roles.index_listing import IndexListing
    from repo_roles.inventory import _flagged_records, flagged_paths

    root = make_repo({"a.py": "x = 1\n", "b c.py": "y\n", "tab\there.py": "z\n", "d/e.py": "w\n", "f.md": "v\n"})
    os.symlink("a.py", root / "link")
    git(root, "add", "link")

    def listed(*args: str) -> str:
        out = subprocess.run(["git", "ls-files", *args, "-z"], cwd=root, capture_output=True, check=True).stdout
        return out.decode("utf-8", "surrogateescape")

    assert _flagged_records(listed("-s", "-v")) == frozenset()
    git(root, "update-index", "--skip-worktree", "tab\there.py")
    git(root, "update-index", "--assume-unchanged", "d/e.py")
    text = listed("-s", "-v")
    assert _flagged_records(text) == flagged_paths(listed("-v").encode()) == {"tab\there.py", "d/e.py"}
    plain = IndexListing.parse(listed("-s"))
    for tagged in (IndexListing.parse(text, tagged=True), IndexListing.parse(text, lazy_digest=True, tagged=True)):
        assert isinstance(plain, IndexListing) and isinstance(tagged, IndexListing)
        assert tagged.entries() == plain.entries() and tagged.paths == plain.paths
        assert tagged.special_kinds() == plain.special_kinds() == {"link": "symlink"}
        assert tagged.records_digest({"b c.py", "link"}) == plain.records_digest({"b c.py", "link"})
        assert tagged.records_digest_at([0, 3], drop=[3]) == plain.records_digest_at([0, 3], drop=[3])
        assert tagged.keep([0, 1, 1, 0, 1, 1]).entries() == plain.keep([0, 1, 1, 0, 1, 1]).entries()
        assert tagged.pick({"d/e.py"}) == plain.pick({"d/e.py"})
