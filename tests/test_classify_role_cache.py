"""Whole classifications are remembered by path and git blob id (``classify.rolecache``), but
only for decisions made from the path, the file's own content and the configuration: a file
with a git attribute (https://git-scm.com/docs/gitattributes), a JS/TS file whose side came from
the nearest package.json (https://docs.npmjs.com/cli/v10/configuring-npm/package-json#dependencies)
or a directory name, and a file modified in the work tree (its index blob id, ``git ls-files
--stage``, https://git-scm.com/docs/git-ls-files, no longer describes it) are classified afresh.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import pytest

import repo_roles.scan as scan_module
from repo_roles import columns
from repo_roles.classify import rolecache
from repo_roles.config import load_config
from repo_roles.scan import scan_project

REPO_ROOT = Path(__file__).resolve().parent.parent

CONFIG = '[roles]\n"backend.docs" = ["notes/**"]\n'
FILES = {
    "repo-roles.toml": CONFIG,
    "app/models.py": "x = 1\n",
    "app/tests/test_models.py": "def test_x():\n    pass\n",
    "docs/index.md": "# Docs\n",
    "notes/todo.txt": "later\n",
    "src/components/button.ts": "'use client'\nexport function Button() { return null }\n",
    "web/package.json": '{"dependencies": {"react": "18.0.0"}}\n',
    "web/lib/util.ts": "export const u = 1;\n",
    "assets/logo.min.js": "var a=1;\n",
    ".gitattributes": "assets/*.js linguist-vendored\n",
    "app/tests/data/sample.png": "PNG",
    "bin/tool": "#!/usr/bin/env python3\nprint(1)\n",
    "web/README.md": "# Web\n",
    "svc/main.go": "package svc\n",
    "svc/fixtures/hook.json": "{}\n",
}
PATH_DECIDED = ["app/models.py", "app/tests/test_models.py", "docs/index.md", "notes/todo.txt",
                "src/components/button.ts"]


pytestmark = pytest.mark.usefixtures("cache_for_any_size")  # conftest.cache_for_any_size


def _scan(root: Path, use_cache: bool = True) -> Tuple[Dict[str, tuple], List[str]]:
    """``(path -> classification, paths classified live)``."""
    context = scan_project(root, load_config(root / "repo-roles.toml"), use_cache=use_cache)
    memo = context.classifier.roles
    roles = {path: tuple(c) for path, c in context.classifications.items()}
    return roles, (memo.live if memo is not None else list(roles))


def test_warm_run_classifies_no_clean_path_decided_file(make_repo: Callable[..., Path]) -> None:
    root = make_repo(FILES)
    cold, live = _scan(root)
    assert set(PATH_DECIDED) <= set(live)
    assert cold == _scan(root, use_cache=False)[0]
    warm, live = _scan(root)
    assert warm == cold
    assert not set(PATH_DECIDED) & set(live)


@pytest.mark.parametrize("path", [
    pytest.param("assets/logo.min.js", id="gitattributes-linguist-vendored"),
    pytest.param("web/lib/util.ts", id="js-side-from-nearest-package-json-dependencies"),
    pytest.param("src/components/button.ts", id="js-side-from-use-client-directive"),
    pytest.param("app/models.py", id="language-extension"),
    pytest.param("app/tests/data/sample.png", id="test-data-side-from-the-test-folder-code"),
    pytest.param("bin/tool", id="identify-shebang"),
    pytest.param("web/README.md", id="frontend-docs-from-the-package"),
    pytest.param("svc/fixtures/hook.json", id="fixtures-without-tests-beside"),
])
def test_unchanged_decisions_are_not_made_again(make_repo: Callable[..., Path], path: str) -> None:
    root = make_repo(FILES)
    cold, _ = _scan(root)
    warm, live = _scan(root)
    assert warm == cold
    assert path not in live


def _commit(root: Path, files: Dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(root), "commit", "-q", "-m", "change"], check=True)


@pytest.mark.parametrize("change, path, role", [
    # https://git-scm.com/docs/gitattributes: the attribute is gone, the file is ours again
    # (then Linguist's vendor.yml "Minified JavaScript and CSS" path rule decides)
    pytest.param({".gitattributes": "# nothing\n"}, "assets/logo.min.js", "vendored", id="attribute-removed"),
    pytest.param({".gitattributes": "assets/*.js linguist-generated\n"}, "assets/logo.min.js", "generated",
                 id="attribute-changed"),
    # the nearest package.json decides the side (npm docs, package.json "dependencies")
    pytest.param({"web/package.json": '{"dependencies": {"express": "4.0.0"}}\n'}, "web/lib/util.ts",
                 "backend.logic", id="package-json-changed"),
    pytest.param({"web/lib/package.json": '{"dependencies": {"express": "4.0.0"}}\n'}, "web/lib/util.ts",
                 "backend.logic", id="nearer-package-json-added"),
    # a README takes its package's side: the package stops being a UI one
    pytest.param({"web/package.json": '{"dependencies": {"express": "4.0.0"}}\n'}, "web/README.md",
                 "backend.docs", id="frontend-docs-package-changed"),
    # `go help test`: a test next to fixtures/ makes them test data
    pytest.param({"svc/svc_test.go": "package svc\n"}, "svc/fixtures/hook.json", "backend.tests",
                 id="tests-added-beside-fixtures"),
    # a backend manifest next to the package.json: the package is not a UI-only one any more
    pytest.param({"web/pyproject.toml": "[project]\n"}, "web/README.md", "backend.docs",
                 id="backend-manifest-added-beside"),
])
def test_what_a_stored_decision_depended_on_is_checked(make_repo: Callable[..., Path], change: Dict[str, str],
                                                        path: str, role: str) -> None:
    root = make_repo(FILES)
    _scan(root)
    _commit(root, change)  # committed: the index blob ids are trusted, only the key can miss
    warm, live = _scan(root)
    assert path in live
    assert warm[path][0] == role
    assert warm == _scan(root, use_cache=False)[0]
    again, live = _scan(root)
    assert again == warm and path not in live


def test_package_json_change_is_seen(make_repo: Callable[..., Path]) -> None:
    root = make_repo(FILES)
    assert _scan(root)[0]["web/lib/util.ts"][0] == "frontend.ui"
    (root / "web/package.json").write_text('{"dependencies": {"express": "4.0.0"}}\n')
    assert _scan(root)[0]["web/lib/util.ts"][0] == "backend.logic"


def test_dirty_file_is_classified_live(make_repo: Callable[..., Path]) -> None:
    root = make_repo(FILES)
    _scan(root)
    (root / "src/components/button.ts").write_text("import fs from 'fs'\nexport const d = fs;\n")
    warm, live = _scan(root)
    assert live.count("src/components/button.ts") == 1
    assert warm["src/components/button.ts"][0] == "backend.logic"
    assert "app/models.py" not in live


def test_config_change_invalidates(make_repo: Callable[..., Path]) -> None:
    root = make_repo(FILES)
    _scan(root)
    (root / "repo-roles.toml").write_text('[roles]\n"backend.docs" = ["app/models.py"]\n')
    warm, live = _scan(root)
    assert set(PATH_DECIDED) <= set(live)
    assert warm["app/models.py"][:2] == ("backend.docs", "config-glob")
    assert warm["notes/todo.txt"][1] != "config-glob"
    assert warm == _scan(root, use_cache=False)[0]


def test_working_directory_does_not_invalidate_and_sources_follow_it(make_repo: Callable[..., Path],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A config-glob decision names its config line relative to the working directory (as
    compilers name files); the cache keeps the decision, not that text."""
    root = make_repo(FILES)
    monkeypatch.chdir(root)
    cold, _ = _scan(root)
    assert cold["notes/todo.txt"][1:] == ("config-glob", "[roles] glob 'notes/**'", "repo-roles.toml:2")
    monkeypatch.chdir(root.parent)
    warm, live = _scan(root)
    assert not set(PATH_DECIDED) & set(live)  # nothing path-decided was classified again
    assert warm["notes/todo.txt"][3] == f"{root.name}/repo-roles.toml:2"
    assert warm == _scan(root, use_cache=False)[0]


def _drop_positional() -> None:
    """Forget the positional table: the next run reads the table by path."""
    database = next(Path(os.environ["REPO_ROLES_CACHE_DIR"]).glob("docs-v*.sqlite3"))
    with sqlite3.connect(str(database)) as db:
        db.execute("DELETE FROM snapshot WHERE kind = ?", (rolecache.POSITIONAL,))


def test_corrupt_row_is_ignored(make_repo: Callable[..., Path]) -> None:
    root = make_repo(FILES)
    cold, _ = _scan(root)
    _drop_positional()
    database = next(Path(os.environ["REPO_ROLES_CACHE_DIR"]).glob("docs-v*.sqlite3"))
    with sqlite3.connect(str(database)) as db:
        (data,) = db.execute("SELECT data FROM snapshot WHERE kind = 'roles'").fetchone()
        (paths, blobs), values, index = columns.decode(data, 2)
        rows = [list(values[i]) for i in index]
        damage = {"app/models.py": (0, "nonsense"), "docs/index.md": (2, 7), "notes/todo.txt": (1, "bogus")}
        for path, (column, value) in damage.items():
            rows[paths.index(path)][column] = value
        db.execute("UPDATE snapshot SET data = ? WHERE kind = 'roles'", (columns.encode([paths, blobs], rows),))
    warm, live = _scan(root)
    assert warm == cold
    assert {"app/models.py", "docs/index.md", "notes/todo.txt"} <= set(live)
    _drop_positional()
    again, live = _scan(root)
    assert again == cold
    assert not set(PATH_DECIDED) & set(live)  # the rows were written again


def _tables(kind: str) -> Dict[str, bytes]:
    database = next(Path(os.environ["REPO_ROLES_CACHE_DIR"]).glob("docs-v*.sqlite3"))
    with sqlite3.connect(str(database)) as db:
        return dict(db.execute("SELECT kind, data FROM snapshot WHERE kind IN (?, ?)", (kind, kind + "+")))


def test_a_few_learned_rows_are_written_as_a_delta(make_repo: Callable[..., Path]) -> None:
    """Issue 13 (write back only what changed): a committed edit of one file of many writes the
    delta, not the whole table; base and delta together serve the next run; a delta grown past
    1/8 of the base is folded into a new base."""
    files = {**FILES, **{f"app/mod{i}.py": f"v = {i}\n" for i in range(24)}}
    root = make_repo(files)
    _scan(root)
    base = _tables("roles")["roles"]
    _commit(root, {"app/mod0.py": "v = 'changed'\n"})
    _drop_positional()
    _, live = _scan(root)
    assert live == ["app/mod0.py"]
    tables = _tables("roles")
    assert tables["roles"] == base  # the base is not written again
    (paths, _), _, _ = columns.decode(tables["roles+"], 2)
    assert paths == ["app/mod0.py"]
    _drop_positional()
    warm, live = _scan(root)
    assert live == [] and warm == _scan(root, use_cache=False)[0]
    _commit(root, {f"app/mod{i}.py": f"v = 'again {i}'\n" for i in range(1, 12)})
    _drop_positional()
    warm, live = _scan(root)
    assert len(live) == 11 and warm == _scan(root, use_cache=False)[0]
    tables = _tables("roles")
    assert tables["roles"] != base and columns.decode(tables["roles+"], 2)[0] == [[], []]  # folded


def test_the_same_path_list_is_answered_by_position(make_repo: Callable[..., Path]) -> None:
    """Issue 13 (work proportional to the change): an edit of contents keeps the path list, the
    positional table answers every other row (the table by path is neither read nor written),
    a dirty package.json or a damaged positional table sends the run to the table by path, and
    the answers stay those of --no-cache."""
    root = make_repo(FILES)
    _scan(root)
    by_path, positional = _tables("roles"), _tables(rolecache.POSITIONAL)
    _commit(root, {"app/models.py": "class Model:\n    pass\n"})
    warm, live = _scan(root)
    assert live == ["app/models.py"] and warm == _scan(root, use_cache=False)[0]
    assert _tables("roles") == by_path
    now = _tables(rolecache.POSITIONAL)  # the base as it was, the changed row in its delta
    assert now[rolecache.POSITIONAL] == positional[rolecache.POSITIONAL]
    (rows, blobs), _, _ = columns.decode(now[rolecache.POSITIONAL + "+"], 2)
    assert len(rows) == 1 and len(blobs[0]) == 40
    warm, live = _scan(root)
    assert live == [] and warm == _scan(root, use_cache=False)[0]
    (root / "web/package.json").write_text('{"dependencies": {"express": "4.0.0"}}\n')  # dirty
    warm, live = _scan(root)
    assert "web/lib/util.ts" in live and warm["web/lib/util.ts"][0] == "backend.logic"
    assert warm == _scan(root, use_cache=False)[0]
    subprocess.run(["git", "-C", str(root), "checkout", "--", "web/package.json"], check=True)
    database = next(Path(os.environ["REPO_ROLES_CACHE_DIR"]).glob("docs-v*.sqlite3"))
    with sqlite3.connect(str(database)) as db:
        db.execute("UPDATE snapshot SET data = substr(data, 1, length(data) - 1) WHERE kind = ?",
                   (rolecache.POSITIONAL,))
    warm, live = _scan(root)
    assert warm == _scan(root, use_cache=False)[0] and "web/lib/util.ts" not in live
    again, live = _scan(root)
    assert again == warm and live == []


@pytest.mark.parametrize("example", [pytest.param("shop", id="examples-shop"),
                                     pytest.param("platform", id="examples-platform")])
def test_same_roles_with_and_without_cache(example: str) -> None:
    root = REPO_ROOT / "examples" / example
    fresh = {p: tuple(c) for p, c in scan_project(root, load_config(root / "repo-roles.toml"), use_cache=False).classifications.items()}
    for _ in range(2):  # cold, then warm
        assert _scan(root)[0] == fresh


@pytest.mark.parametrize("untrusted", [
    pytest.param(["b/x.py"], id="one-modified"),
    pytest.param(["a.py", "z/\udcff.py", "gone.py"], id="first-unsorted-and-absent"),
    pytest.param([f"m{i:03}.py" for i in range(300)], id="many"),
])
def test_trusted_blob_column_matches_the_mapping(untrusted: List[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The blob column the positional table is compared with equals the path -> trusted id
    mapping looked up row by row (None where a path is modified, a link, or untracked), whether
    the untrusted rows are found by bisection, by a scan (a path out of order) or by the mapping."""
    paths = ["a.py", "b/x.py", "z/\udcff.py", "b/y.py", *[f"m{i:03}.py" for i in range(300)]]  # not all in order
    column = [f"{i:040x}" for i in range(len(paths))]
    column[3] = None  # untracked
    blobs = {p: b for p, b in zip(paths, column) if b}
    for path in untrusted:
        blobs.pop(path, None)
    got = scan_module._untrusted_out(paths, list(column), untrusted)
    assert got == list(map(blobs.get, paths))
    # the column as a mapping answers as the dict does, by bisection or (out of order) the dict
    mapping = rolecache.ColumnBlobs(paths, got)
    asked = [*paths, "absent.py", "b/"]
    assert list(map(mapping.get, asked)) == list(map(blobs.get, asked))
    assert [p in mapping for p in asked] == [p in blobs for p in asked]
    assert dict(mapping) == blobs and len(mapping) == len(blobs) and sorted(mapping.values()) == sorted(blobs.values())
    with pytest.raises(KeyError):
        mapping["absent.py"]
