"""``counting="interrogate"`` gives interrogate 1.7's covered/total, file by file and in total.

The real interrogate (its Python API, ``interrogate.coverage.InterrogateCoverage``) runs on the
same trees with the same options; nothing about its numbers is hard-coded here.
"""

from __future__ import annotations

import sys

import ast
import random
import re
import shutil
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from repo_roles.coverage import DocOptions, analyze_python

interrogate_config = pytest.importorskip("interrogate.config")
interrogate_coverage = pytest.importorskip("interrogate.coverage")

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

TRICKY: Dict[str, str] = {
    "pkg/__init__.py": "",
    "pkg/sub/__init__.py": '"""Sub package."""\nfrom .mod import *\n',
    "pkg/comments_only/__init__.py": "# nothing here\n",
    "pkg/mod.py": '''"""Module doc."""
import typing
from typing import overload

class Outer:
    """Outer."""

    class Inner:
        def method(self):
            def deep():
                class InFunc:
                    def m(self): pass
            return deep

    class _Hidden:
        """Hidden."""
        def go(self): "go"

    def __init__(self):
        """Init."""

    def __repr__(self): return ""

    def __private(self): pass

    def _semi(self): ""

    @property
    def value(self):
        """Value."""

    @value.setter
    def value(self, new): pass

    @value.deleter
    def value(self): pass

    @overload
    def get(self, key: int) -> int: ...

    @typing.overload
    def get(self, key: str) -> str: ...

    def get(self, key):
        """Get."""
        handler = lambda x: x
        return handler(key)

    @staticmethod
    def static(): """   """

    @classmethod
    async def acls(cls):
        """Async class method."""
        async def inner_async(): pass
        def sync_in_async(): pass

async def top_async():
    def nested_in_async(): pass
    class ClassInAsync:
        def m(self): pass

def outer_function():
    """Outer function."""
    def nested():
        def nested_twice(): pass
    class Local:
        """Local."""
        def __init__(self): pass
    return nested, Local

if typing.TYPE_CHECKING:
    def only_typing(): pass
else:
    try:
        def in_try(): "doc"
    except ImportError:
        class InExcept: pass
    finally:
        def in_finally(): pass

for _ in range(1):
    with open(__file__) as handle:
        def in_with(): pass

def f_string_doc():
    f"""not a docstring {1}"""

def bytes_doc():
    b"""not a docstring"""

def __magic_function__(): pass

class __Private: pass

class _Semi:
    def __init__(self):
        """Only the init is documented."""
''',
    "pkg/google.py": '''class Documented:
    """Doc."""
    def __init__(self): pass

class InitDocumented:
    def __init__(self):
        """Init doc."""

class Two:
    def __init__(self):
        """First."""
    def __init__(self): pass

def __init__():
    """Module-level __init__ function."""
''',
    "pkg/empty.py": "",
    "scripts/tool.py": "print('hi')\n",
}
if sys.version_info >= (3, 10):  # PEP 634 `match`: interrogate (ast.parse) needs 3.10+ to read it
    TRICKY["pkg/matching.py"] = (
        "def handle(command):\n"
        "    match command:\n"
        "        case 1:\n"
        "            def in_case(): pass\n"
        "        case _:\n"
        "            class InCase:\n"
        '                """Doc."""\n'
    )

NAMES = ["alpha", "beta", "_semi", "__private", "__magic__", "__init__", "get", "value", "_", "__", "x__"]
DECORATORS = ["", "@property", "@value.setter", "@value.deleter", "@overload", "@typing.overload",
              "@staticmethod", "@functools.lru_cache()", "@typing_extensions.overload", "@override"]
DOCSTRINGS = ['"""Doc."""', '""""""', '"""   """', "'doc'", 'b"""bytes"""', 'f"""{1}"""', "# comment", "pass"]
BLOCKS = ["if x:", "try:", "for _ in y:", "while z:", "with w:"]


def _random_body(rng: random.Random, depth: int, indent: str) -> List[str]:
    first = rng.choice(DOCSTRINGS)
    lines = [f"{indent}{first}"] + ([f"{indent}pass"] if first.startswith("#") else [])
    for _ in range(rng.randint(0, 4 if depth < 3 else 0)):
        choice = rng.random()
        if choice < 0.15:
            block = rng.choice(BLOCKS)
            lines.append(f"{indent}{block}")
            lines.extend(_random_def(rng, depth + 1, indent + "    "))
            if block == "try:":
                lines.append(f"{indent}except Exception:")
                lines.extend(_random_def(rng, depth + 1, indent + "    "))
        elif choice < 0.2:
            lines.append(f"{indent}callback = lambda: None")
        else:
            lines.extend(_random_def(rng, depth + 1, indent))
    return lines


def _random_def(rng: random.Random, depth: int, indent: str) -> List[str]:
    decorator = rng.choice(DECORATORS) if rng.random() < 0.4 else ""
    lines = [f"{indent}{decorator}"] if decorator else []
    name = rng.choice(NAMES)
    kind = rng.choice(["def", "async def", "class"])
    lines.append(f"{indent}{kind} {name}{'' if kind == 'class' else '(self)'}:")
    lines.extend(_random_body(rng, depth, indent + "    "))
    return lines


def random_tree(seed: int, count: int = 50) -> Dict[str, str]:
    rng = random.Random(seed)
    files: Dict[str, str] = {}
    for index in range(count):
        directory = rng.choice(["", "pkg/", "pkg/sub/", "_private/"])
        name = "__init__.py" if rng.random() < 0.15 else f"m{index}.py"
        lines = [rng.choice(['"""Module."""', "", "# comment", "import typing"])]
        for _ in range(rng.randint(0, 5)):
            lines.extend(_random_def(rng, 0, ""))
        files[f"{directory}{name}"] = "\n".join(lines) + "\n"
    return files


def write_tree(root: Path, files: Dict[str, str]) -> None:
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


OPTION_SETS = [
    pytest.param({}, id="interrogate-defaults"),
    pytest.param({"ignore_init_module": True}, id="interrogate-ignore-init-module"),
    pytest.param({"ignore_magic": True, "ignore_private": True}, id="interrogate-ignore-magic-private"),
    pytest.param({"ignore_nested_functions": True}, id="interrogate-ignore-nested-functions"),
    pytest.param({"ignore_module": True}, id="interrogate-ignore-module"),
    pytest.param({"ignore_nested_classes": True}, id="interrogate-ignore-nested-classes"),
    pytest.param({"ignore_semiprivate": True, "ignore_init_method": True}, id="interrogate-ignore-semiprivate-init"),
    pytest.param({"ignore_property_decorators": True}, id="interrogate-ignore-property-decorators"),
    pytest.param({"ignore_property_setters": True, "ignore_overloaded_functions": True},
                 id="interrogate-ignore-setters-overloads"),
    pytest.param({"ignore_regex": ("^get$", "^_"), "ignore_module": True}, id="interrogate-ignore-regex"),
    pytest.param({"include_regex": ("^[a-z]",)}, id="interrogate-include-regex"),
    pytest.param({"docstring_style": "google"}, id="interrogate-docstring-style-google"),
    pytest.param({"ignore_nested_functions": True, "ignore_nested_classes": True, "docstring_style": "google",
                  "ignore_module": True}, id="interrogate-nested-google-module"),
]


def interrogate_counts(root: Path, settings: dict) -> Dict[str, Tuple[int, int]]:
    """``{relative path: (covered, total)}`` from the real interrogate."""
    config_kwargs = dict(settings)
    for key in ("ignore_regex", "include_regex"):
        if key in config_kwargs:
            config_kwargs[key] = [re.compile(p) for p in config_kwargs[key]]
    config = interrogate_config.InterrogateConfig(**config_kwargs)
    results = interrogate_coverage.InterrogateCoverage(paths=[str(root)], conf=config).get_coverage()
    return {
        Path(result.filename).relative_to(root).as_posix(): (result.covered, result.total)
        for result in results.file_results
    }


def our_counts(root: Path, settings: dict) -> Dict[str, Tuple[int, int]]:
    options = DocOptions(counting="interrogate", **settings)
    counts: Dict[str, Tuple[int, int]] = {}
    for file in sorted(root.rglob("*.py")):
        rel = file.relative_to(root).as_posix()
        docs = analyze_python(file.read_bytes(), rel, options)
        assert docs.problems == ()
        if docs.counted:  # interrogate leaves out files it counts nothing in
            counts[rel] = (len(docs.documented), len(docs.counted))
    return counts


def assert_parity(root: Path, settings: dict) -> None:
    theirs = interrogate_counts(root, settings)
    ours = our_counts(root, settings)
    assert ours == theirs
    assert sum(c for c, _ in ours.values()) == sum(c for c, _ in theirs.values())
    assert sum(t for _, t in ours.values()) == sum(t for _, t in theirs.values())


@pytest.mark.parametrize("settings", OPTION_SETS)
def test_tricky_tree_matches_interrogate(tmp_path: Path, settings: dict) -> None:
    write_tree(tmp_path, TRICKY)
    assert_parity(tmp_path, settings)


@pytest.mark.parametrize("seed", [pytest.param(seed, id=f"interrogate-random-seed-{seed}") for seed in (1, 2)])
@pytest.mark.parametrize("settings", OPTION_SETS)
def test_random_tree_matches_interrogate(tmp_path: Path, settings: dict, seed: int) -> None:
    files = random_tree(seed)
    for rel, text in files.items():
        ast.parse(text)  # the generator only writes valid Python
    write_tree(tmp_path, files)
    assert_parity(tmp_path, settings)


def test_random_tree_is_not_trivial() -> None:
    """Guard the generator: it must produce the shapes the parity tests are about."""
    text = "\n".join(random_tree(1).values())
    for needle in ("async def", "class", ".setter", "overload", "__magic__", "__private", "lambda", "try:"):
        assert needle in text


@pytest.mark.parametrize("settings", OPTION_SETS[:5])
def test_examples_match_interrogate(tmp_path: Path, settings: dict) -> None:
    sources = sorted(EXAMPLES.rglob("*.py")) if EXAMPLES.is_dir() else []
    copied = 0
    for source in sources:
        try:  # interrogate aborts on files it can't parse (or BOMs); parity is for readable files
            ast.parse(source.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, ValueError, RecursionError, MemoryError):
            continue
        target = tmp_path / source.relative_to(EXAMPLES)
        if any(part in (".tox", ".venv", "venv", ".git", ".hg") for part in target.parts):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        copied += 1
    if not copied:
        pytest.skip("no parseable Python files under examples/ yet")
    assert_parity(tmp_path, settings)
