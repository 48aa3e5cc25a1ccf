"""Valid Kotlin that tree-sitter-kotlin 1.1.0 (the newest grammar wheel on PyPI) rejects, and
what the Kotlin analyser does about it.

Sources: the Kotlin grammar (https://kotlinlang.org/docs/reference/grammar.html:
``classMemberDeclarations: (classMemberDeclaration semis?)*`` — no separator is needed before
``}``; ``classDeclaration`` allows newlines before ``primaryConstructor``); tree-sitter-kotlin
issue 75 ("newline causes erroneous class parsing"). Each fixture is checked against the bare
grammar first, so the day a grammar release reads them these tests say so.
"""

from __future__ import annotations

import pytest

from repo_roles.coverage.languages import analyze
from repo_roles.coverage.treesitter import grammar_available, parser_for

pytestmark = pytest.mark.skipif(not grammar_available("kotlin"), reason="kotlin grammar not installed")


def _grammar_rejects(source: str) -> bool:
    return parser_for("kotlin").parse(source.encode()).root_node.has_error


def _items(source: str) -> list:
    docs = analyze(source.encode(), "src/main/kotlin/A.kt")
    assert docs.problems == ()
    return [(item.name, item.line, item.documented, item.exempt) for item in docs.items]


@pytest.mark.parametrize(("source", "expected"), [
    pytest.param("class A { val x = 1 }\n", [("A", 1, False, None), ("A.x", 1, False, None)], id="property"),
    pytest.param("object O { fun f() = 1 }\n", [("O", 1, False, None), ("O.f", 1, False, None)], id="object-function"),
    pytest.param("interface I { fun f() }\n", [("I", 1, False, None), ("I.f", 1, False, None)], id="interface"),
    pytest.param("class A { class B }\n", [("A", 1, False, None), ("A.B", 1, False, None)], id="nested-class"),
    pytest.param("class A { class B { val x = 1 } }\n",
                 [("A", 1, False, None), ("A.B", 1, False, None), ("A.B.x", 1, False, None)], id="nested-one-line"),
    pytest.param("class A { private val x = 1; val y = 2 }\n",
                 [("A", 1, False, None), ("A.x", 1, False, "private"), ("A.y", 1, False, None)], id="two-members"),
    pytest.param('class A { fun f() { val s = "${ x }" } }\n', [("A", 1, False, None), ("A.f", 1, False, None)],
                 id="string-template-left-alone"),
])
def test_one_line_type_bodies_are_read(source: str, expected: list) -> None:
    """Kotlin grammar: ``semis`` after the last member is optional; the grammar wants one."""
    assert _grammar_rejects(source)
    assert _items(source) == expected


def test_items_after_a_one_line_body_keep_their_lines_and_docs() -> None:
    source = "/** A. */\nclass A { val x = 1 }\n\n/** B. */\nclass B {\n    /** y. */\n    val y = 2\n}\n"
    assert _grammar_rejects(source)
    assert _items(source) == [("A", 2, True, None), ("A.x", 2, False, None), ("B", 5, True, None),
                              ("B.y", 7, True, None)]


def test_a_primary_constructor_on_the_next_line_is_read() -> None:
    """tree-sitter-kotlin issue 75: ``class B`` / ``internal constructor(…)`` over two lines, in
    a class body (kotlinpoet's builders are written so)."""
    source = ("class Outer {\n  /** Builder. */\n  public class Builder\n  internal constructor(val name: String) :\n"
              "    Base() {\n    /** Size. */\n    public val size: Int = 0\n    public fun build(): Int = size\n  }\n}\n")
    assert _grammar_rejects(source)
    assert _items(source) == [("Outer", 1, False, None), ("Outer.Builder", 3, True, None),
                              ("Outer.Builder.size", 7, True, None), ("Outer.Builder.build", 8, False, None)]


def test_a_body_with_no_blank_before_its_brace_is_left_out_with_the_reason() -> None:
    """``{val x = 1}`` has no byte to turn into ``;`` without moving columns: the file is left
    out (never guessed at), and the problem says why."""
    source = "class A {val x = 1}\n"
    assert _grammar_rejects(source)
    docs = analyze(source.encode(), "A.kt")
    assert docs.items == ()
    assert docs.problems[0][1] == "syntax-error" and "one-line type body" in docs.problems[0][2]


def test_a_real_syntax_error_is_still_one() -> None:
    """The retry is used only when it parses clean: a missing brace stays a syntax error."""
    docs = analyze(b"class A { val x = 1 \n", "A.kt")
    assert docs.items == () and docs.problems[0][1] == "syntax-error"
