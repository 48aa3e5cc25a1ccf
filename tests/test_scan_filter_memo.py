"""The include/exclude rows a whole scan leaves out, remembered by the path list and the globs
(``scan._remembered_mask``): the same targets as matching every path, a damaged entry a miss."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import record_calls

from repo_roles import scan as scan_module
from repo_roles.scan import scan

FILES = {
    "repo-roles.toml": 'extends = "recommended"\nexclude = ["**/node_modules/", "build/"]\n',
    "src/app.py": "def app():\n    return 1\n",
    "web/node_modules/lib/index.js": "module.exports = 1;\n",
    "web/src/main.js": "export const x = 1;\n",
    "build/out.py": "X = 1\n",
    "README.md": "# r\n",
}


@pytest.fixture
def passes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list:
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(tmp_path / "cache"))
    return record_calls(monkeypatch, scan_module, "_filter_mask", lambda paths, config: len(paths))


def _targets(root: Path, **options: object) -> list:
    return [entry.path for entry in scan(root, **options).targets]  # type: ignore[arg-type]


def test_the_rows_left_out_are_remembered_and_a_damaged_entry_is_a_miss(make_repo, passes, tmp_path: Path) -> None:
    root = make_repo(FILES)
    expected = _targets(root, use_cache=False)
    assert expected == ["README.md", "repo-roles.toml", "src/app.py", "web/src/main.js"] and passes == [6]
    assert _targets(root) == expected and passes == [6, 6]
    assert _targets(root) == expected and passes == [6, 6], "the path list was matched again"
    (entry,) = (tmp_path / "cache" / "filter-masks").glob("*.mask")
    good = entry.read_bytes()
    for damaged in (good[:-1], good[:-4], good[:-1] + bytes([good[-1] ^ 1]), b""):
        entry.write_bytes(damaged)
        assert _targets(root) == expected
    assert len(passes) == 6
    (root / "web/node_modules/lib/more.js").write_text("1;\n")  # untracked: the same path list
    assert _targets(root) == expected and len(passes) == 6
    (root / "build/out.py").unlink()
    (root / "lib.py").write_text("Y = 2\n")
    from conftest import git

    git(root, "add", "-A")  # another path list: matched again
    assert _targets(root) == _targets(root, use_cache=False) == ["README.md", "lib.py", "repo-roles.toml", "src/app.py",
                                                                  "web/src/main.js"]
    assert len(passes) == 8


def test_a_path_list_that_keeps_every_path_is_not_matched_again(make_repo, passes) -> None:
    root = make_repo({k: v for k, v in FILES.items() if "node_modules" not in k and not k.startswith("build/")})
    expected = _targets(root, use_cache=False)
    assert _targets(root) == _targets(root) == expected and passes == [4, 4]


@pytest.mark.parametrize("kind", ["symlink", "fifo"])
def test_a_mask_entry_that_is_no_regular_file_is_a_miss_never_read(make_repo, passes, tmp_path: Path, kind: str) -> None:
    """A remembered mask replaced by a link (to /dev/zero: an endless read) or by a FIFO (a read
    that never returns) is not read: the rows are matched again, the targets are the same."""
    import os

    root = make_repo(FILES)
    expected = _targets(root, use_cache=False)
    assert _targets(root) == expected
    (entry,) = (tmp_path / "cache" / "filter-masks").glob("*.mask")
    entry.unlink()
    if kind == "symlink":
        entry.symlink_to("/dev/zero")
    else:
        os.mkfifo(entry)
    before = len(passes)
    assert _targets(root) == expected
    assert len(passes) == before + 1  # matched again
