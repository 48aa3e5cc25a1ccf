"""Issue 13: git's attributes of a whole project remembered under a key of their sources
(``repo_roles.classify.attrcache``; gitattributes(5), https://git-scm.com/docs/gitattributes,
names the files git reads): a warm run with the same paths and attributes files asks git
nothing and classifies the same; a changed attributes file, another path list or a source
outside the work tree is another key or no key; a damaged table is no table."""

from __future__ import annotations

from pathlib import Path

import pytest

import repo_roles.inventory as inventory_module
from repo_roles.classify import attrcache
from repo_roles.classify.signals import ATTRIBUTES
from repo_roles.config import load_config
from repo_roles.inventory import load_inventory
from repo_roles.scan import scan_project
from tests.conftest import git

FILES = {
    ".gitattributes": "gen/** linguist-generated\nvendor/** linguist-vendored\n",
    "gen/api.py": "x = 1\n",
    "vendor/lib.py": "y = 1\n",
    "app/main.py": "z = 1\n",
    "sub/.gitattributes": "*.py repo-role=backend.docs\n",
    "sub/notes.py": "w = 1\n",
}


pytestmark = pytest.mark.usefixtures("cache_for_any_size")  # conftest.cache_for_any_size


def _roles(root: Path, use_cache: bool = True) -> dict:
    context = scan_project(root, load_config(None), use_cache=use_cache)
    return {path: tuple(c) for path, c in context.classifications.items()}


def test_warm_run_asks_git_nothing_and_classifies_the_same(make_repo, monkeypatch) -> None:
    root = make_repo(FILES)
    uncached = _roles(root, use_cache=False)
    assert uncached["gen/api.py"][0] == "generated" and uncached["sub/notes.py"][0] == "backend.docs"
    assert _roles(root) == uncached  # cold: git asked, its answer stored

    def no_git(*args, **kwargs):
        raise AssertionError("git check-attr was run on a warm run")

    monkeypatch.setattr(inventory_module, "_CheckAttr", no_git)
    assert _roles(root) == uncached


def test_a_changed_attributes_file_is_another_key(make_repo) -> None:
    root = make_repo(FILES)
    _roles(root)
    (root / "sub" / ".gitattributes").write_text("*.py -repo-role\n")  # not committed: git reads the work tree
    assert _roles(root) == _roles(root, use_cache=False)
    assert _roles(root)["sub/notes.py"][0] != "backend.docs"


def test_key_covers_paths_files_and_outside_sources(make_repo) -> None:
    root = make_repo(FILES)
    key = attrcache.sources_key(load_inventory(root), ATTRIBUTES)
    assert key is not None and key == attrcache.sources_key(load_inventory(root), ATTRIBUTES)
    (root / "app" / "more.py").write_text("m = 1\n")
    git(root, "add", "app/more.py")
    assert attrcache.sources_key(load_inventory(root), ATTRIBUTES) not in (None, key)  # another path list
    (root / ".gitattributes").write_text("gen/** -linguist-generated\n")
    other = attrcache.sources_key(load_inventory(root), ATTRIBUTES)
    assert other is not None and other != key
    (root / ".git" / "info").mkdir(exist_ok=True)
    (root / ".git" / "info" / "attributes").write_text("* linguist-vendored\n")
    assert attrcache.sources_key(load_inventory(root), ATTRIBUTES) is None  # only git can tell


def test_round_trip_and_damage() -> None:
    answer = {"a.py": {"linguist-generated": "set", "repo-role": "backend.docs"}, "b/c.py": {"linguist-vendored": "unset"}}
    data = attrcache.encode(answer)
    assert attrcache.decode(data) == answer
    for cut in (0, 5, len(data) - 1):
        assert attrcache.decode(data[:cut]) is None
    assert attrcache.decode(data.replace(b'"unset"', b'7')) is None
    assert attrcache.decode(None) is None
