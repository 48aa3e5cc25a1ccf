"""C/C++ headers whose declarations the grammar cannot read without a preprocessor, read the
way Doxygen reads them.

Sources: Doxygen's preprocessing manual (https://www.doxygen.nl/manual/preprocessing.html: with
``MACRO_EXPANSION = NO`` a macro is left as written; ``PREDEFINED``/``MACRO_EXPANSION`` for
export macros); Doxygen 1.9.4 as measured by ``benchmarks/agreement.py doxygen`` on esphome's
core headers (a ``TEMPLATABLE_VALUE(uint32_t, time);`` line in a class is reported as an
undocumented member) and on cJSON (``typedef struct cJSON { … } cJSON;`` is reported as the
compound and as the typedef, at the ``} cJSON;`` line). The fixtures are our own.
"""

from __future__ import annotations

import pytest

from repo_roles.coverage.languages import analyze
from repo_roles.coverage.treesitter import grammar_available, parse

pytestmark = pytest.mark.skipif(not grammar_available("cpp"), reason="cpp grammar not installed")


def _items(source: str, path: str = "include/x.h") -> list:
    docs = analyze(source.encode(), path)
    assert docs.problems == ()
    return [(item.name, item.kind, item.line, item.documented) for item in docs.items if item.exempt is None]


def _rejected(source: str) -> bool:
    return parse(source.encode(), "cpp")[1] is not None


ATTRIBUTE = """\
#define ESPHOME_ALWAYS_INLINE __attribute__((always_inline))
/// A colour.
struct Color {
  /// Black.
  inline Color() ESPHOME_ALWAYS_INLINE : r(0) {}
  inline Color(int red) ESPHOME_ALWAYS_INLINE : r(red) {}
  int r;
};
"""


def test_an_attribute_macro_after_a_declarator_is_read_through() -> None:
    """``inline Color() ESPHOME_ALWAYS_INLINE : r(0) {}``: the macro is text, not syntax."""
    assert _rejected(ATTRIBUTE)
    assert _items(ATTRIBUTE) == [("ESPHOME_ALWAYS_INLINE", "macro", 1, False), ("Color", "struct", 3, True),
                                 ("Color::Color", "method", 6, False)]


INVOCATION = """\
#define TEMPLATABLE_VALUE(type, name) type name##_;
/// Waits.
class DelayAction {
 public:
  /// The delay.
  TEMPLATABLE_VALUE(uint32_t, delay)

  void play();
  TEMPLATABLE_VALUE(uint32_t, count);
};
"""


def test_a_macro_invocation_on_its_own_line_is_a_member_as_doxygen_reports_it() -> None:
    """Doxygen (MACRO_EXPANSION=NO) reports ``TEMPLATABLE_VALUE(…)`` lines as members; the
    comment above one documents it, not the next declaration."""
    assert _rejected(INVOCATION)
    got = _items(INVOCATION)
    assert ("DelayAction::TEMPLATABLE_VALUE", "method", 6, True) in got
    assert ("DelayAction::play", "method", 8, False) in got
    assert ("DelayAction::TEMPLATABLE_VALUE", "method", 9, False) in got


EXPORT = """\
#ifndef CJSON_H
#define CJSON_H
#ifdef __cplusplus
extern "C"
{
#endif
#define CJSON_PUBLIC(type) type
#define CJSON_CDECL __cdecl
/** A JSON node. */
typedef struct cJSON
{
    struct cJSON *next;
} cJSON;
typedef struct cJSON_Hooks
{
      void *(CJSON_CDECL *malloc_fn)(size_t sz);
} cJSON_Hooks;
/** Parses text. */
CJSON_PUBLIC(cJSON *) cJSON_Parse(const char *value);
CJSON_PUBLIC(void) cJSON_Delete(cJSON *item);
#ifdef __cplusplus
}
#endif
#endif
"""


def test_export_macros_and_extern_c_guards_as_doxygen_with_macro_expansion_reads_them() -> None:
    """``CJSON_PUBLIC(cJSON *) f(…)`` declares ``f`` (the macro wraps the return type); the
    ``extern "C" {`` … ``}`` split over ``#ifdef __cplusplus`` blocks is no declaration;
    a pointer to a function is a variable (Doxygen: not a function)."""
    assert _rejected(EXPORT)
    assert _items(EXPORT) == [
        ("CJSON_PUBLIC", "macro", 7, False), ("CJSON_CDECL", "macro", 8, False), ("cJSON", "struct", 10, True), ("cJSON", "typedef", 13, True),
        ("cJSON_Hooks", "struct", 14, False), ("cJSON_Hooks", "typedef", 17, False),
        ("cJSON_Parse", "function", 19, True), ("cJSON_Delete", "function", 20, False),
    ]


def test_a_macro_named_in_a_comment_leaves_the_comment_alone() -> None:
    source = "/// Uses API_EXPORT.\nAPI_EXPORT int f(void);\n"
    assert _rejected(source)
    assert _items(source) == [("f", "function", 2, True)]


@pytest.mark.parametrize("source", [
    pytest.param("int f(int;\nint g(void);\n", id="a-real-syntax-error"),
    # a lower-case macro #defined in another header: nothing marks it as a macro here
    pytest.param("template<typename T> class L {\n public:\n  constexpr14 operator T() { return v_; }\n  T v_;\n};\n",
                 id="undeclared-lower-case-macro"),
])
def test_what_no_macro_explains_stays_left_out(source: str) -> None:
    docs = analyze(source.encode(), "include/x.h")
    assert docs.items == () and docs.problems[0][1] == "syntax-error"


INCREMENTAL = """\
#define API(x) x
#define EXPORT
/// A function.
EXPORT int f(int a);
class Box {
 public:
  TEMPLATABLE_VALUE(int,
                    delay)
  EXPORT API(int) g(int b,
                    int c);
};
EXPORT int h(void);
"""


@pytest.mark.parametrize("name, keep", [(b"EXPORT", False), (b"API", True), (b"API", False),
                                        (b"TEMPLATABLE_VALUE", False)])
def test_a_blanking_parsed_incrementally_is_the_parse_from_scratch(name: bytes, keep: bool) -> None:
    """The macro rounds re-parse each candidate from the tree of the text it edits
    (``treesitter.reparse``): the same tree, node positions included, and the same problem as
    parsing the rewritten text from scratch -- also when a rewrite moves a multi-line
    invocation one column left (a declaration first on its line)."""
    from repo_roles.coverage.cpp_docs import _SKIPPED, _rewrite_uses
    from repo_roles.coverage.treesitter import parse_tree, reparse

    data = INCREMENTAL.encode()
    skipped = [(m.start(), m.end()) for m in _SKIPPED.finditer(data)]
    tree, _, _ = parse_tree(data, "cpp", ("function_definition",))
    spans: list = []
    candidate = _rewrite_uses(data, name, skipped, keep, spans)
    assert candidate != data and len(candidate) == len(data) and spans
    _, fresh_root, fresh_problem = parse_tree(candidate, "cpp", ("function_definition",))
    new_tree, root, problem = reparse(tree, data, candidate, spans, "cpp", ("function_definition",))
    assert problem == fresh_problem
    assert (root is None) == (fresh_root is None)
    whole = new_tree.root_node
    fresh = parse_tree(candidate, "cpp")[0].root_node
    assert str(whole) == str(fresh)
    stack = [(whole, fresh)]
    while stack:  # positions too (str() shows the node types only)
        a, b = stack.pop()
        assert (a.type, a.start_point, a.end_point, a.start_byte, a.end_byte) == \
            (b.type, b.start_point, b.end_point, b.start_byte, b.end_byte)
        stack.extend(zip(a.children, b.children))
