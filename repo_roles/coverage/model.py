"""Language-neutral documentation-coverage types: every per-language analyzer returns these.

A documentation item is anything that can carry a docstring/doc comment (module, class,
function…). Whether it *counts* is a separate question answered by ``exempt``: an item counts
when ``exempt is None``, so reports can still show why something was left out.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple, Optional, Tuple

from repo_roles.linear import compile_untrusted

COUNTING_MODES = ("repo-roles", "interrogate")

# Problem codes a file can carry instead of items. A file with any problem counts nothing:
# an unparseable file is not "undocumented", it is unknown.
PROBLEM_CODES = (
    "syntax-error",  # the language's parser rejects the file
    "newer-syntax",  # valid in a newer language version than the running parser knows
    "too-deep",  # nesting beyond the parser's limits (recursion, indentation, parentheses)
    "too-large",  # over DocOptions.max_file_size; not parsed at all
    "encoding",  # bytes that do not decode in the declared/default encoding
    "binary",  # NUL bytes: not source text
    "not-analysed",  # the language's grammar is not installed or too old for the binding
)
NOT_ANALYSED = "not-analysed"
# Problems that depend on what is installed, not on the file: never cached, never a finding.
ABOUT_THE_INSTALL = frozenset({NOT_ANALYSED})


class DocItem(NamedTuple):
    """One documentable definition.

    ``name`` is qualified by its enclosing definitions ("Client.get", "outer.inner"); a module's
    name is its dotted path. ``exempt`` says why the item does not count ("overload", "private",
    "init-covered-by-class"…); ``None`` means it counts.
    """

    name: str
    # Python: module | package | class | function | method | nested_function | nested_class;
    # Go: package | function | method | type | const | var; JS/TS: function | class | interface |
    # type | enum | variable | namespace | method; Java: package | class | interface | enum |
    # record | annotation | method | constructor | field.
    kind: str
    line: int
    public: bool
    documented: bool
    exempt: Optional[str] = None
    # The last line of the declaration's signature (and blank docstring), when it ends after
    # ``line``: a change to any of ``line..end_line`` is a change to the declaration.
    end_line: Optional[int] = None


Problem = Tuple[int, str, str]  # (line, code, message); line 0 when it is about the whole file


class FileDocs(NamedTuple):
    """The documentation items of one file, or the problems that kept us from reading it."""

    path: str
    language: str
    items: Tuple[DocItem, ...] = ()
    problems: Tuple[Problem, ...] = ()
    # Rust: the file's ``mod x;`` declarations, as (module path from the file's own module
    # ("x", or "a/x" inside an inline ``mod a { … }``), exported, ``#[path]`` value or "",
    # cfg predicate or "") — what the crate-level pass (``rust_crate``) needs, so it reads no
    # file again.
    modules: Tuple[Tuple[str, bool, str, str], ...] = ()
    # Rust: the paths a top-level plain ``pub use`` re-exports (``self::math::*``, ``crate::a::B``),
    # each with its cfg predicate or "".
    uses: Tuple[Tuple[str, str], ...] = ()
    # Rust: each item's cfg predicate ("" = always compiled), in the order of ``items``; empty
    # when no item has one. The crate pass evaluates them (``rust_crate``).
    cfgs: Tuple[str, ...] = ()

    @property
    def counted(self) -> Tuple[DocItem, ...]:
        """Items that count towards coverage (not exempt)."""
        return tuple(item for item in self.items if item.exempt is None)

    @property
    def documented(self) -> Tuple[DocItem, ...]:
        """Counted items that have documentation."""
        return tuple(item for item in self.items if item.exempt is None and item.documented)

    @property
    def missing(self) -> Tuple[DocItem, ...]:
        """Counted items without documentation."""
        return tuple(item for item in self.items if item.exempt is None and not item.documented)


class DocOptions(NamedTuple):
    """What to count. Option names mirror interrogate's where it has one.

    ``counting``:
      * ``"repo-roles"`` (default): pydocstyle's publicity rules decide what is public, and only
        public, non-exempt items count (see ``repo_roles.coverage.python_docs``).
      * ``"interrogate"``: covered/total equal interrogate 1.7's on the same file and options.

    Flags typed ``Optional[bool]`` default to ``None`` = "what the counting mode does":

    ============================  =====================================  ==========  ===========
    field                         interrogate / ruff name                repo-roles  interrogate
    ============================  =====================================  ==========  ===========
    ignore_nested_functions       --ignore-nested-functions              True        False
    ignore_property_setters       --ignore-property-setters              True [1]_   False
    ignore_overloaded_functions   --ignore-overloaded-functions          True        False
    ignore_overrides              (none; ``@typing.override``)           True        False
    ignore_decorators             ruff ``lint.pydocstyle.ignore-decorators``  ()     ()
    ============================  =====================================  ==========  ===========

    .. [1] repo-roles mode exempts ``@x.deleter`` too; interrogate only knows setters.

    The other flags (``ignore_init_module``, ``ignore_init_method``, ``ignore_magic``,
    ``ignore_private`` (``__x``), ``ignore_semiprivate`` (``_x``), ``ignore_nested_classes``,
    ``ignore_property_decorators``, ``ignore_module``, ``ignore_regex``, ``include_regex``,
    ``docstring_style``) are interrogate's, with its defaults, in both modes. Regexes are
    ``re.match``-ed against the bare name, like interrogate. ``max_file_size`` is in bytes.
    """

    counting: str = "repo-roles"
    ignore_init_module: bool = False
    ignore_init_method: bool = False
    ignore_magic: bool = False
    ignore_private: bool = False
    ignore_semiprivate: bool = False
    ignore_nested_functions: Optional[bool] = None
    ignore_nested_classes: bool = False
    ignore_property_decorators: bool = False
    ignore_property_setters: Optional[bool] = None
    ignore_overloaded_functions: Optional[bool] = None
    ignore_overrides: Optional[bool] = None
    ignore_module: bool = False
    ignore_regex: Tuple[str, ...] = ()
    include_regex: Tuple[str, ...] = ()
    ignore_decorators: Tuple[str, ...] = ()
    docstring_style: str = "sphinx"  # or "google": a class and its __init__ cover each other
    max_file_size: int = 1_000_000
    extensions: Tuple[str, ...] = ()  # interrogate's ``ext``: ".pyi" stubs analysed as Python
    exclude: Tuple[str, ...] = ()  # interrogate's ``exclude``: fnmatch(path, entry + "*") is left out

    def flag(self, name: str) -> bool:
        """The value of an ``Optional[bool]`` flag, with ``None`` resolved for the counting mode."""
        value = getattr(self, name)
        if value is None:
            return self.counting == "repo-roles"
        return bool(value)


def check_counting(options: DocOptions) -> None:
    """Reject an unknown counting mode (every analyzer does, whatever its language).

    The mode only changes Python counting (interrogate knows no other language); the
    language-neutral options (``ignore_regex``, ``include_regex``, ``ignore_module``,
    ``max_file_size``) apply everywhere.
    """
    if options.counting not in COUNTING_MODES:
        raise ValueError(f"unknown counting mode {options.counting!r}; expected one of {COUNTING_MODES}")


def size_or_binary_problem(data: bytes, max_size: int, language: str) -> Optional[Problem]:
    """A ``too-large`` or ``binary`` (NUL byte) problem, checked before any parsing."""
    if len(data) > max_size:
        return (0, "too-large", f"{len(data)} bytes is over the {max_size}-byte limit; not parsed")
    nul = data.find(b"\0")
    if nul >= 0:
        return (data.count(b"\n", 0, nul) + 1, "binary", f"NUL byte: not {language} source")
    return None


@lru_cache(maxsize=64)
def compiled_patterns(patterns: Tuple[str, ...]) -> Tuple["re.Pattern[str]", ...]:
    """``ignore_regex`` / ``include_regex`` compiled, once per option set."""
    return tuple(compile_untrusted(p) for p in patterns)  # type: ignore[misc]
