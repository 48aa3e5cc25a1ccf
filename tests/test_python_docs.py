"""Python documentation items in the default ("repo-roles") counting, and the bad-input bar."""

from __future__ import annotations

import ast
import sys
import textwrap
import warnings
from pathlib import Path
from typing import Dict, Optional, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from repo_roles.coverage import DocItem, DocOptions, FileDocs, analyze_python


def analyze(source: str, path: str = "pkg/mod.py", **options: object) -> FileDocs:
    return analyze_python(textwrap.dedent(source).encode("utf-8"), path, DocOptions(**options))


def by_name(docs: FileDocs) -> Dict[str, DocItem]:
    return {item.name: item for item in docs.items}


def exempt_of(docs: FileDocs) -> Dict[str, Optional[str]]:
    return {item.name: item.exempt for item in docs.items}


# --- items, names, kinds ----------------------------------------------------------------------


def test_items_are_qualified_with_kinds_and_def_lines() -> None:
    docs = analyze('''\
        """Module."""
        import functools

        class Client:
            """Client."""

            @functools.lru_cache()
            def get(self):
                def helper():
                    pass

            class Meta:
                pass

        async def fetch():
            """Fetch."""
        ''')
    assert [(i.name, i.kind, i.line) for i in docs.items] == [
        ("pkg.mod", "module", 1),
        ("Client", "class", 4),
        ("Client.get", "method", 8),  # the `def` line, not the decorator's (as interrogate reports)
        ("Client.get.helper", "nested_function", 9),
        ("Client.Meta", "nested_class", 12),
        ("fetch", "function", 15),
    ]
    assert docs.problems == ()
    assert docs.language == "python"


def test_package_item_is_named_after_its_directory() -> None:
    docs = analyze('"""Package."""\n', path="src/pkg/__init__.py")
    assert docs.items == (DocItem("src.pkg", "package", 1, True, True, None),)


@pytest.mark.parametrize(
    "body, documented",
    [
        pytest.param('"""Doc."""', True, id="pep257-string-literal-first-statement"),
        pytest.param("'doc'", True, id="pep257-any-string-quote"),
        pytest.param('""""""', False, id="interrogate-empty-docstring-is-missing"),
        pytest.param('"""   \n   """', False, id="interrogate-blank-docstring-is-missing"),
        pytest.param('b"""bytes"""', False, id="ast-get_docstring-bytes-are-not-docstrings"),
        pytest.param('f"""{1}"""', False, id="ast-get_docstring-f-string-is-not-a-docstring"),
        pytest.param('x = 1\n    """late"""', False, id="pep257-docstring-must-be-first-statement"),
    ],
)
def test_what_counts_as_a_docstring(body: str, documented: bool) -> None:
    docs = analyze(f"def public():\n    {body}\n")
    assert by_name(docs)["public"].documented is documented


def test_counted_documented_and_missing_helpers() -> None:
    docs = analyze('''\
        """Module."""
        def documented():
            """Yes."""
        def missing():
            pass
        def _private():
            pass
        ''')
    assert [i.name for i in docs.counted] == ["pkg.mod", "documented", "missing"]
    assert [i.name for i in docs.documented] == ["pkg.mod", "documented"]
    assert [i.name for i in docs.missing] == ["missing"]


# --- publicity (pydocstyle) -----------------------------------------------------------------------


def test_pydocstyle_publicity() -> None:
    docs = analyze('''\
        class Public:
            def method(self): pass
            def _helper(self): pass
            def __eq__(self, other): pass
            def __call__(self): pass
            class Nested: pass
            class _NestedPrivate: pass

        class _Private:
            def method(self): pass
            def __eq__(self, other): pass

        def function():
            def inner(): pass
            class InFunction: pass

        def __getattr__(name): pass
        ''')
    public = {item.name: item.public for item in docs.items}
    assert public == {
        "pkg.mod": True,
        "Public": True,
        "Public.method": True,
        "Public._helper": False,
        "Public.__eq__": True,  # pydocstyle D105: magic methods of a public class are public
        "Public.__call__": True,  # pydocstyle's variadic magic methods too
        "Public.Nested": True,  # pydocstyle D106
        "Public._NestedPrivate": False,
        "_Private": False,
        "_Private.method": False,  # pydocstyle: a private parent makes its members private
        "_Private.__eq__": False,
        "function": True,
        "function.inner": False,  # pydocstyle NestedFunction.is_public is always False
        "function.InFunction": False,  # pydocstyle NestedClass: public only inside a public class
        "__getattr__": False,  # pydocstyle Function: a leading underscore, magic or not
    }
    assert exempt_of(docs)["_Private.method"] == "private"
    assert exempt_of(docs)["function.inner"] == "nested-function"


@pytest.mark.parametrize(
    "dunder_all, expected",
    [
        pytest.param('__all__ = ["_exported"]', {"visible": False, "_exported": True}, id="pydocstyle-literal-__all__-list"),
        pytest.param('__all__ = ("visible",)', {"visible": True, "_exported": False}, id="pydocstyle-literal-__all__-tuple"),
        pytest.param('__all__ = ["visible"]\n__all__ += ["_exported"]', {"visible": True, "_exported": True},
                     id="pydocstyle-__all__-extended-literally"),
        pytest.param('__all__ = [name for name in dir()]', {"visible": True, "_exported": False},
                     id="pydocstyle-non-literal-__all__-falls-back-to-underscores"),
        pytest.param("", {"visible": True, "_exported": False}, id="pydocstyle-no-__all__"),
        # Python reads identifiers NFKC-normalised (PEP 3131): a fullwidth "ａ" spells __all__ too
        pytest.param('__\uff41ll__ = ["_exported"]', {"visible": False, "_exported": True},
                     id="pep3131-nfkc-normalised-__all__"),
        pytest.param('if True:\n    def later(): pass\nx = "__all__"', {"visible": True, "_exported": False, "later": True},
                     id="pydocstyle-__all__-only-in-a-string"),
    ],
)
def test_dunder_all_decides_module_level_publicity(dunder_all: str, expected: Dict[str, bool]) -> None:
    docs = analyze(f"{dunder_all}\ndef visible(): pass\nclass _exported: pass\n")
    assert {i.name: i.public for i in docs.items if i.kind != "module"} == expected


@pytest.mark.parametrize(
    "path, public",
    [
        pytest.param("pkg/mod.py", True, id="pydocstyle-public-module"),
        pytest.param("pkg/_mod.py", False, id="pydocstyle-private-module"),
        pytest.param("_internal/mod.py", False, id="pydocstyle-module-inside-private-package"),
        pytest.param("pkg/__main__.py", True, id="pydocstyle-dunder-module-is-public"),
    ],
)
def test_module_publicity_follows_its_path(path: str, public: bool) -> None:
    (module,) = analyze("x = 1\n", path=path).items
    assert module.public is public
    assert module.exempt == (None if public else "private")


# --- default exemptions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "source, exempt",
    [
        pytest.param("", "empty-init", id="pydocstyle-D104-empty-package-marker"),
        pytest.param("# just a comment\n\n", "empty-init", id="pydocstyle-D104-comments-only-package"),
        pytest.param("from .mod import thing\n__all__ = ['thing']\n", None, id="pydocstyle-D104-reexporting-package-counts"),
    ],
)
def test_init_module_exemption(source: str, exempt: Optional[str]) -> None:
    (package,) = analyze(source, path="pkg/__init__.py").items
    assert (package.kind, package.documented, package.exempt) == ("package", False, exempt)


def test_empty_regular_module_still_counts() -> None:
    (module,) = analyze("", path="pkg/empty.py").items
    assert module.exempt is None and not module.documented


def test_default_exemptions() -> None:
    docs = analyze('''\
        import typing
        import typing_extensions
        from typing import overload, override

        class Base:
            """Base."""

            def __init__(self): pass

            @property
            def size(self):
                """Size."""

            @size.setter
            def size(self, value): pass

            @size.deleter
            def size(self): pass

            @overload
            def get(self, key: int) -> int: ...
            @typing.overload
            def get(self, key: str) -> str: ...
            @typing_extensions.overload
            def get(self, key: bytes) -> bytes: ...
            def get(self, key): pass

            @override
            def a(self): pass
            @typing.override
            def b(self): pass
            @typing_extensions.override
            def c(self): pass

        class Undocumented:
            def __init__(self): pass
        ''')
    reasons = [(i.name, i.line, i.exempt) for i in docs.items if i.kind == "method"]
    assert reasons == [
        ("Base.__init__", 8, "init-covered-by-class"),  # PEP 257: the class docstring documents __init__
        ("Base.size", 11, None),
        ("Base.size", 15, "property-setter"),
        ("Base.size", 18, "property-setter"),  # deleters too (pydocstyle makes both private)
        ("Base.get", 21, "overload"),
        ("Base.get", 23, "overload"),
        ("Base.get", 25, "overload"),
        ("Base.get", 26, None),  # the implementation counts
        ("Base.a", 29, "override"),
        ("Base.b", 31, "override"),
        ("Base.c", 33, "override"),
        ("Undocumented.__init__", 36, None),
    ]


def test_exemptions_can_be_turned_off() -> None:
    source = '''\
        from typing import overload
        @overload
        def get(key: int) -> int: ...
        def get(key): pass
        def outer():
            """Outer."""
            def inner(): pass
            def _inner(): pass
        '''
    off = analyze(source, ignore_overloaded_functions=False, ignore_nested_functions=False)
    assert exempt_of(off) == {"pkg.mod": None, "get": None, "outer": None, "outer.inner": None,
                              "outer._inner": "nested-function"}


def test_interrogate_style_flags_apply_in_default_mode() -> None:
    docs = analyze('''\
        class Thing:
            """Thing."""
            def __eq__(self, other): pass
            def keep(self): pass
            def skip_me(self):
                pass
        ''', ignore_magic=True, ignore_regex=("skip_",), ignore_module=True)
    assert exempt_of(docs) == {"pkg.mod": "module-ignored", "Thing": None, "Thing.__eq__": "magic",
                               "Thing.keep": None, "Thing.skip_me": "ignore-regex"}


def test_ignored_class_takes_its_members_along() -> None:
    docs = analyze('class Skipped:\n    def method(self): pass\n', ignore_regex=("Skip",))
    assert exempt_of(docs) == {"pkg.mod": None, "Skipped": "ignore-regex", "Skipped.method": "parent-ignored"}


def test_google_style_class_documented_by_its_init() -> None:
    source = 'class A:\n    def __init__(self):\n        """Build an A."""\n'
    assert exempt_of(analyze(source))["A"] is None
    assert exempt_of(analyze(source, docstring_style="google"))["A"] == "documented-in-init"


def test_ruff_ignore_decorators() -> None:
    docs = analyze("import pytest\n@pytest.fixture\ndef thing(): pass\n", ignore_decorators=("pytest.fixture",))
    assert exempt_of(docs)["thing"] == "ignored-decorator"


def test_unknown_counting_mode_is_an_error() -> None:
    with pytest.raises(ValueError, match="counting mode"):
        analyze("x = 1\n", counting="pydocstyle")


# --- never import or execute -----------------------------------------------------------------------


def test_scanned_code_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    source = f"open({str(marker)!r}, 'w').close()\nimport sys\nsys.exit(3)\n"
    docs = analyze_python(source.encode(), "evil.py", DocOptions())
    assert not marker.exists()
    assert [i.name for i in docs.items] == ["evil"]


# --- bad input ---------------------------------------------------------------------------------


def only_problem(data: bytes, **options: object) -> Tuple[int, str, str]:
    docs = analyze_python(data, "bad.py", DocOptions(**options))
    assert docs.items == ()  # a file we can't read counts nothing: not "undocumented"
    assert docs.counted == () and len(docs.problems) == 1
    return docs.problems[0]


def test_syntax_error_has_its_line() -> None:
    line, code, message = only_problem(b'"""Doc."""\n\ndef broken(:\n    pass\n')
    assert (line, code) == (3, "syntax-error") and message


# (source, Python version that reads it, whether tree-sitter's Python grammar reads it: True,
# False, or None when the grammar versions pinned for 3.9 and for >= 3.10 differ)
NEWER = [
    pytest.param(b"type X = int\n", (3, 12), True, id="pep695-type-statement"),
    pytest.param(b"type Pair[T] = tuple[T, T]\n", (3, 12), True, id="pep695-generic-type-alias"),
    pytest.param(b"def first[T](items: list[T]) -> T:\n    return items[0]\n", (3, 12), True,
                 id="pep695-generic-function"),
    pytest.param(b"class Box[T]:\n    pass\n", (3, 12), True, id="pep695-generic-class"),
    pytest.param(b"def f[T = int](x: T) -> T:\n    return x\n", (3, 13), False, id="pep696-type-parameter-default"),
    pytest.param(b'x = f"{d["key"]}"\n', (3, 12), True, id="pep701-f-string-quote-reuse"),
    pytest.param(b"try:\n    pass\nexcept ValueError, TypeError:\n    pass\n", (3, 14), True,
                 id="pep758-unparenthesized-except"),
    pytest.param(b"x = t'{name}'\n", (3, 14), None, id="pep750-template-string"),
]


@pytest.mark.parametrize("data, needs, grammar", NEWER)
def test_newer_syntax_is_not_a_syntax_error(data: bytes, needs: Tuple[int, int], grammar: Optional[bool]) -> None:
    """Syntax newer than this interpreter is read with tree-sitter's grammar when it knows it
    (issue 17: figures must not depend on the CI image's Python); otherwise ``newer-syntax``."""
    docs = analyze_python(data, "new.py", DocOptions())
    if sys.version_info >= needs or grammar or (grammar is None and not docs.problems):
        assert docs.problems == () and docs.items  # read by ast or by the grammar: items as usual
        return
    line, code, message = only_problem(data)
    assert code == "newer-syntax"
    assert f"{needs[0]}.{needs[1]}" in message or "3.12" in message
    assert line >= 1


def test_utf8_bom_is_read() -> None:
    data = b'\xef\xbb\xbf"""Documented."""\ndef f():\n    """Yes."""\n'
    # interrogate opens files as plain UTF-8, keeps the BOM, and ast.parse rejects it:
    with pytest.raises(SyntaxError):
        ast.parse(data.decode("utf-8"))
    docs = analyze_python(data, "bom.py", DocOptions())
    assert docs.problems == ()
    assert [(i.name, i.documented) for i in docs.items] == [("bom", True), ("f", True)]


def test_pep263_latin1_cookie_decodes() -> None:
    data = '# -*- coding: latin-1 -*-\n"""Café."""\ndef café():\n    """Doc."""\n'.encode("latin-1")
    docs = analyze_python(data, "latin.py", DocOptions())
    assert docs.problems == ()
    assert [(i.name, i.documented) for i in docs.items] == [("latin", True), ("café", True)]


@pytest.mark.parametrize(
    "data, line",
    [
        pytest.param(b'"""Doc."""\nx = "\xff\xfe"\n', 2, id="pep3120-invalid-utf8-without-cookie"),
        pytest.param(b"# coding: no-such-codec\nx = 1\n", 1, id="pep263-unknown-encoding"),
        pytest.param(b"\xef\xbb\xbf# coding: latin-1\nx = 1\n", 1, id="pep263-cookie-contradicts-bom"),
        pytest.param(b"# coding: rot13\nx = 1\n", 1, id="pep263-cookie-names-a-str-to-str-codec"),
        pytest.param(b"# coding: hex\nx = 1\n", 1, id="pep263-cookie-names-a-bytes-codec"),
        pytest.param(b"# coding: zlib\nx = 1\n", 1, id="pep263-cookie-names-a-compression-codec"),
        pytest.param(b"# coding: utf-16\nx = 1\n", 2, id="pep263-cookie-names-a-non-ascii-compatible-codec"),
    ],
)
def test_undecodable_bytes_are_an_encoding_problem(data: bytes, line: int) -> None:
    assert only_problem(data)[:2] == (line, "encoding")


def test_nul_bytes_are_binary() -> None:
    assert only_problem(b"x = 1\ny = 2\x00\n")[:2] == (2, "binary")


def test_too_large_is_not_parsed() -> None:
    data = b"def broken(:\n" + b"#" * 200  # a syntax error, but we must not even look
    line, code, message = only_problem(data, max_file_size=100)
    assert (line, code) == (0, "too-large")
    assert "100" in message


DEEP = [
    pytest.param("".join("    " * i + f"def f{i}():\n" for i in range(200)) + "    " * 200 + "pass\n",
                 id="cpython-limit-200-nested-functions"),
    pytest.param("x = " + "(" * 10_000 + "1" + ")" * 10_000 + "\n", id="cpython-limit-10k-parentheses"),
    pytest.param("x = " + "+".join(["1"] * 100_000) + "\n", id="cpython-recursionerror-100k-operands"),
    pytest.param("x = " + "-" * 100_000 + "1\n", id="cpython-memoryerror-100k-unary"),
]


@pytest.mark.parametrize("source", DEEP)
def test_deep_code_is_a_problem_not_a_crash(source: str) -> None:
    docs = analyze_python(source.encode(), "deep.py", DocOptions())
    if docs.problems or sys.version_info >= (3, 10):
        assert only_problem(source.encode())[1] == "too-deep"
    else:
        # CPython 3.9's parser reads 100,000 operands that 3.11's rejects (RecursionError):
        # then the file is simply analysed, which is the other acceptable outcome.
        assert [item.kind for item in docs.items] == ["module"]
    # and the interpreter is fine afterwards
    assert analyze('"""Still works."""\n').items[0].documented


def test_deepest_valid_nesting_is_walked_without_recursion() -> None:
    depth = 99  # CPython's indentation limit is 100 levels
    source = "".join("    " * i + f"def f{i}():\n" for i in range(depth)) + "    " * depth + "pass\n"
    docs = analyze_python(source.encode(), "deep.py", DocOptions(ignore_nested_functions=False))
    assert len(docs.items) == depth + 1
    assert docs.items[-1].name == ".".join(f"f{i}" for i in range(depth))


def test_parser_warnings_are_silenced() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        docs = analyze_python(b'"""Has \\d in it."""\nx = "\\d"\n', "w.py", DocOptions())
    assert caught == [] and docs.items[0].documented


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=512))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    docs = analyze_python(data, "fuzz.py", DocOptions())
    assert isinstance(docs, FileDocs)
    assert not (docs.items and docs.problems)  # either items or problems, never both


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["utf-8", "latin-1", "cp1252", "utf-16", "utf-32", "base64", "bz2", "uu", "quopri",
                        "unicode_escape", "raw_unicode_escape", "idna", "punycode", "undefined", "mbcs"]),
       st.binary(max_size=64))
def test_any_coding_cookie_never_raises(codec: str, tail: bytes) -> None:
    """PEP 263: a cookie may name any registered codec, including ones that are not text codecs."""
    docs = analyze_python(f"# -*- coding: {codec} -*-\n".encode() + tail, "cookie.py", DocOptions())
    assert isinstance(docs, FileDocs)
    assert not (docs.items and docs.problems)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("def class():\n    _x'\"#\\[]=*@")), max_size=200))
def test_python_like_text_never_raises(text: str) -> None:
    docs = analyze_python(text.encode("utf-8"), "fuzz.py", DocOptions(counting="interrogate"))
    assert {code for _, code, _ in docs.problems} <= {"syntax-error", "newer-syntax", "too-deep", "encoding"}


@pytest.mark.parametrize("data", [
    pytest.param(b"x = 1\n", id="plain-ascii"),
    pytest.param(b"# -*- coding: latin-1 -*-\nx = '\xe9'\n", id="pep263-cookie-line-1"),
    pytest.param(b"#!/usr/bin/env python\n# vim: set fileencoding=latin-1 :\nx = '\xe9'\n", id="pep263-cookie-line-2"),
    pytest.param(b"x = 1\ny = 2\n# coding: latin-1\n", id="pep263-cookie-line-3-ignored"),
    pytest.param(b"\xef\xbb\xbfx = 1\n", id="utf8-bom"),
    pytest.param(b"x = '\xff'\n", id="invalid-utf8-line-1"),
    pytest.param(b"x = 1\ny = 2\nz = '\xff'\n", id="invalid-utf8-line-3"),
    pytest.param(b"s = '\xc3\xa9'\n", id="utf8-line-1"),
    pytest.param(b"x = 1" + b" " * 5000 + b"# coding: latin-1\n", id="long-first-line-with-cookie"),
])
def test_decode_fast_path_agrees_with_tokenize_detect_encoding(data):
    """PEP 263 / tokenize.detect_encoding: the fast UTF-8 path gives the interpreter's answer."""
    import codecs
    import io
    import tokenize

    from repo_roles.coverage.python_docs import _decode

    text, problem = _decode(data)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        expected = codecs.decode(data, encoding)
    except (SyntaxError, UnicodeDecodeError):
        assert problem is not None and problem[1] == "encoding"
        return
    assert problem is None and text == expected


@pytest.mark.parametrize("path", ["a/b/c.py", "c.py", "a/__init__.py", "a/.py", "a/b.tar.py", "a/b.", "x/./y/z.py"])
def test_module_parts_match_pathlib(path):
    from pathlib import PurePosixPath

    from repo_roles.coverage.languages import suffix_of
    from repo_roles.coverage.python_docs import _module_parts

    pure = PurePosixPath(path)
    assert _module_parts(path) == (pure.parts[:-1], pure.stem)
    assert suffix_of(path) == pure.suffix
