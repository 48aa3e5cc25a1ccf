"""Python read with tree-sitter's grammar when ``ast`` cannot (issue 17): the same figures.

The fallback rebuilds the ``ast`` skeleton that ``python_docs`` counts from; these tests force it
on every Python file of this repository (package, tests, examples, benchmarks) and compare item
by item with ``ast``, in both counting modes (repo-roles = pydocstyle publicity, interrogate 1.7's
figures), so the two readings cannot drift apart.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import List

import pytest

from repo_roles.coverage import python_docs
from repo_roles.coverage.model import DocOptions
from repo_roles.coverage.python_docs import analyze_python
from repo_roles.coverage.python_treesitter import module_from_treesitter
from repo_roles.coverage.treesitter import grammar_available

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not grammar_available("python"), reason="tree-sitter-python not installed")

OPTIONS = [
    pytest.param(DocOptions(), id="repo-roles"),
    pytest.param(DocOptions(counting="interrogate"), id="interrogate"),
    pytest.param(DocOptions(counting="interrogate", ignore_nested_functions=True, ignore_property_setters=True,
                            ignore_overloaded_functions=True, docstring_style="google", ignore_magic=True),
                 id="interrogate-flags"),
]


def own_python_files() -> List[Path]:
    return sorted(p for d in ("repo_roles", "tests", "examples", "benchmarks") for p in (ROOT / d).rglob("*.py"))


def test_the_corpus_is_the_repository() -> None:
    files = own_python_files()
    assert len(files) > 100 and any(p.name == "python_docs.py" for p in files)


@pytest.mark.parametrize("options", OPTIONS)
def test_same_items_as_ast_on_every_file_of_this_repository(options: DocOptions,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    files = own_python_files()
    with_ast = {p: analyze_python(p.read_bytes(), str(p.relative_to(ROOT)), options) for p in files}
    monkeypatch.setattr(python_docs, "_parse", lambda text: (module_from_treesitter(text), None))
    differences = []
    compared = 0
    for path in files:
        expected = with_ast[path]
        if expected.problems:
            continue
        got = analyze_python(path.read_bytes(), str(path.relative_to(ROOT)), options)
        compared += 1
        if got != expected:
            differences.append(path)
    assert compared > 100 and differences == []


@pytest.mark.parametrize("source, expected", [
    pytest.param('"""M."""\ntype Alias = int\n\nclass Box[T]:\n    """A box."""\n\n    def get[U](self, x: U) -> U:\n'
                 '        return x\n\n\ndef first[T](xs: list[T]) -> T:\n    "First."\n    return xs[0]\n',
                 [("m", True), ("Box", True), ("Box.get", False), ("first", True)], id="pep695"),
    pytest.param('__all__ = ["pub"]\n\ntype T = int\n\ndef pub():\n    pass\n\ndef other():\n    pass\n',
                 [("m", False), ("pub", False)], id="literal-__all__-still-decides-publicity"),
    pytest.param('type T = int\n\n@overload\ndef f(x: int) -> int: ...\ndef f(x):\n    """Doc."""\n',
                 [("m", False), ("f", True)], id="overload-decorator-read-from-the-grammar"),
])
def test_pep695_files_are_counted_on_any_interpreter(source: str, expected: list) -> None:
    """PEP 695 syntax under Python < 3.12 is read, not reported unparsable (DOC004)."""
    docs = analyze_python(source.encode(), "m.py", DocOptions())
    assert docs.problems == ()
    assert [(i.name, i.documented) for i in docs.counted] == expected


@pytest.mark.parametrize("source", [
    pytest.param('print "hello"\n', id="python2-print-statement"),
    pytest.param('exec "x = 1"\n', id="python2-exec-statement"),
    pytest.param("def broken(:\n    pass\n", id="invalid-everywhere"),
])
def test_invalid_in_every_version_stays_a_problem(source: str) -> None:
    docs = analyze_python(source.encode(), "bad.py", DocOptions())
    assert docs.items == () and docs.problems[0][1] == "syntax-error"


def test_skeleton_keeps_definition_lines_and_async() -> None:
    module = module_from_treesitter("@dec\nasync def f():\n    'd'\n")
    assert module is not None
    [definition] = module.body
    assert isinstance(definition, ast.AsyncFunctionDef) and definition.lineno == 2
    assert isinstance(definition.decorator_list[0], ast.Name) and definition.decorator_list[0].id == "dec"
