"""``GlobTable`` on a few texts (``repo_roles.globs``): each glob compiled alone, and only when
the text holds every literal piece of it, gives the answer of the one regex of all the table's
globs (gitignore semantics: https://git-scm.com/docs/gitignore#_pattern_format); past
``FEW_TEXTS`` texts of a kind the table compiles that regex."""

from __future__ import annotations

from typing import List

import pytest

from repo_roles import globs as G
from repo_roles.classify.tables import load_tables

PATHS: List[str] = [
    "src/app.py", "web/static/js/jquery.min.js", "web/static/js/MicrosoftAjax.debug.js",
    "vendor/Dependencies/lib/x.c", "Dependencies/x.c", "third_party/CodeMirror/lib/codemirror.js",
    "docs/_build/html/index.html", "a/b/.sqlx/query-123.json", "a/.sqlx/other.json", "node_modules/x/index.js",
    "LICENSE.txt", "licence.md", "Readme.rst", "man/page.1", "examples/demo/x.py", "x/Samples/y.cs",
    "src/foo.generated.cs", "proto/x_pb2.py", "tests/test_x.py", "pkg/x_test.go", "web/src/x.spec.ts",
    "__snapshots__/a.snap", "deep/" * 30 + "file.py", "weird name/[x].py", "caf\u00e9/r\u00e9sum\u00e9.md",
    "x/build/", "x/dist/y.js", "a.min.css", "Pods/Foo/x.m", "target/debug/x", ".github/workflows/ci.yml",
]
SYNTHETIC = ["[Mm]icrosoft*.js", "*.min.*", "foo?bar", "/root-only/", "**/deep/**/file.py", "x/*/y.*",
             "[]a]z", "sp ace", "*.snap", "**/[Cc]ode[Mm]irror/lib/", "[abc"]


def _tables() -> List[G.GlobTable]:
    tables = load_tables()
    found = [tables.vendored.globs, tables.generated.globs, tables.docs.globs, tables.test_globs,
             tables.frontend_ui.globs, tables.frontend_assets.globs, tables.template.globs,
             tables.language.globs, tables.data.globs]
    valid = [g for g in SYNTHETIC if _valid(g)]
    return found + [G.GlobTable(valid)]


def _valid(glob: str) -> bool:
    try:
        G.glob_regex(glob)
        return True
    except G.GlobError:
        return False


@pytest.mark.parametrize("index", range(10))
def test_glob_by_glob_answers_as_the_whole_regex(index: int, monkeypatch: pytest.MonkeyPatch) -> None:
    table = _tables()[index]
    lazy = G.GlobTable(table.globs)
    monkeypatch.setattr(G, "FEW_TEXTS", 0)
    whole = G.GlobTable(table.globs)
    for path in PATHS + [p + "/" for p in PATHS if not p.endswith("/")]:
        monkeypatch.setattr(G, "FEW_TEXTS", 10**9)
        answer = lazy.first(path)
        monkeypatch.setattr(G, "FEW_TEXTS", 0)
        assert answer == whole.first(path), (table.globs, path)
    assert not any(kind in lazy.__dict__ for kind in ("_names", "_dir_paths", "_paths"))  # none compiled whole


def test_a_few_texts_compile_only_the_globs_they_can_match() -> None:
    table = G.GlobTable(["*.min.*", "[Mm]icrosoft*.js", "**/.sqlx/query-*.json", "**/docs/_build/"])
    assert table.first("src/app.py") is None
    assert table._single == {}  # no text held a glob's literals: nothing compiled
    assert table.first("web/MicrosoftAjax.js") == "[Mm]icrosoft*.js"
    assert table.first("a/.sqlx/query-1.json") == "**/.sqlx/query-*.json"
    assert table.first("docs/_build/x.html") == "**/docs/_build/"
    assert set(table._single) <= {1, 2, 3}


def test_past_a_few_texts_the_table_compiles_its_regex(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(G, "FEW_TEXTS", 3)
    table = G.GlobTable(["*.min.*", "x*y.js"])
    for name in ("a.py", "b.py", "c.py", "d.py"):
        assert table.first(name) is None
    assert "_names" in table.__dict__
    assert table.first("a.min.js") == "*.min.*" and table.first("xzy.js") == "x*y.js"


def test_literal_pieces() -> None:
    assert G._literal_pieces("[Mm]icrosoft[Aa]jax*.js") == ("icrosoft", "jax", ".js")
    assert G._literal_pieces("**/.sqlx/query-*.json") == (".sqlx", "query-", ".json")
    assert G._literal_pieces("foo ") == ("foo",)  # git ignores trailing spaces
    for odd in ("[]a]z", "!x", "a\\*b", "[!]]x"):
        assert G._literal_pieces(odd) == ()


@pytest.mark.parametrize("index", range(10))
def test_prefilled_names_answer_as_name_by_name(index: int) -> None:
    """``GlobTable.prefill`` screens many path components at once; each answer it stores is
    the one ``_name`` gives for that component alone, and ``first`` answers as before."""
    globs = _tables()[index].globs
    names = sorted({part for path in PATHS for part in path.rstrip("/").split("/")})
    components = names + [name + "/" for name in names]
    filled, alone = G.GlobTable(globs), G.GlobTable(globs)
    filled.prefill(components)
    if not globs:  # first_split answers None without looking: nothing is remembered
        assert not filled._base_cache
        return
    assert set(components) <= set(filled._base_cache)
    assert [filled._base_cache[c] for c in components] == [alone._name(c) for c in components]
    for path in PATHS:
        assert filled.first(path) == G.GlobTable(globs).first(path), path


def test_prefill_finds_each_shape_of_name_glob() -> None:
    table = G.GlobTable(["Makefile.am", "*.min.js", "jquery-*", "[Mm]icrosoft*.js", "*.Tests/"])
    names = ["Makefile.am", "a.min.js", "jquery-3.js", "MicrosoftAjax.js", "Foo.Tests/", "Foo.Tests", "app.py"]
    table.prefill(names)
    assert [table._base_cache[n] for n in names] == [
        "Makefile.am", "*.min.js", "jquery-*", "[Mm]icrosoft*.js", "*.Tests/", None, None]


@pytest.mark.parametrize("index", range(10))
def test_bulk_first_answers_as_first_split_path_by_path(index: int) -> None:
    """``GlobTable.bulk_first``: the hits of many files at once, each with the glob
    ``first_split`` names for that file alone (a file name, a directory path, a path glob or a
    directory name deciding)."""
    globs = _tables()[index].globs
    files = [p for p in PATHS if not p.endswith("/")] + ["docs/_build/x/y.html", "a/node_modules/b/c.js"]
    split = [p.rpartition("/") for p in files]
    found = G.GlobTable(globs).bulk_first(files, [s[0] for s in split], [s[2] for s in split])
    alone = {p: G.GlobTable(globs).first_split(p, s[0], s[2]) for p, s in zip(files, split)}
    assert found == {p: hit for p, hit in alone.items() if hit is not None}


def test_bulk_first_keeps_first_split_precedence() -> None:
    table = G.GlobTable(["vendor/", "*.min.js", "**/lib/x.js", "**/deep/lib/"])
    files = ["vendor/a.min.js", "vendor/lib/x.js", "a/deep/lib/z.py", "vendor/plain.py", "src/ok.py"]
    split = [p.rpartition("/") for p in files]
    assert table.bulk_first(files, [s[0] for s in split], [s[2] for s in split]) == {
        "vendor/a.min.js": "*.min.js", "vendor/lib/x.js": "**/lib/x.js", "a/deep/lib/z.py": "**/deep/lib/",
        "vendor/plain.py": "vendor/"}
