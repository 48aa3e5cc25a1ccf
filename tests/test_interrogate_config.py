"""Issue 16, item 5: interrogate's own configuration read as it is.

interrogate 1.7 (``src/interrogate/config.py``: ``find_project_config``, ``parse_pyproject_toml``,
``parse_setup_cfg``; ``cli.py``: the option names and ``if whitelist_regex: ignore_module = True``;
``coverage.py``: ``_filter_files`` with ``fnmatch(f, exc + "*")``, ``COMMON_EXCLUDE``,
``VALID_EXT``).  The oracle is the real interrogate CLI run on the same tree with ``-c`` the same
file: every option set of interrogate's ``tests/functional/test_cli.py`` (short, long and mixed
flags) has a row here, on a sample written for this suite (its shapes: a package ``__init__``, an
empty module, a ``.pyi`` stub, properties with setters, overloads, nested functions and classes,
private and magic names).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, Tuple

import pytest

from repo_roles.config.interrogate import find_interrogate_config
from repo_roles.coverage import figures as F
from repo_roles.errors import ConfigError
from repo_roles.scan import scan

interrogate_cli = pytest.importorskip("interrogate.cli")

SAMPLE: Dict[str, str] = {
    "shop/__init__.py": '"""The shop."""\n',
    "shop/empty.py": "",
    "shop/cart.py": '''"""Shopping cart."""
import typing
from typing import overload


class Cart:
    """A cart."""

    def __init__(self):
        self._items = []

    def __len__(self):
        return len(self._items)

    @property
    def total(self):
        """Sum of prices."""
        return 0

    @total.setter
    def total(self, value):
        pass

    @overload
    def get(self, key: int) -> int: ...

    @typing.overload
    def get(self, key: str) -> str: ...

    def get(self, key):
        """Look an item up."""
        def helper():
            pass
        return helper

    def _semi(self):
        pass

    def __secret(self):
        """Hidden."""

    class Line:
        def price(self):
            pass


def checkout(cart):
    def inner():
        """Inner."""
    return inner


def get():
    pass
''',
    "shop/cart.pyi": '''class Cart:
    """A cart."""
    def __len__(self) -> int: ...
    def get(self, key: str) -> str:
        """Look an item up."""
    def _semi(self) -> None: ...
def checkout(cart: Cart) -> None: ...
''',
    "shop/generated_models.py": "def model():\n    pass\n",
    "shop/sub/__init__.py": "",
    "shop/sub/util.py": '"""Utils."""\n\n\ndef method_foo():\n    pass\n\n\ndef documented():\n    """Yes."""\n',
}

# interrogate tests/functional/test_cli.py option sets, as [tool.interrogate] tables
OPTION_TABLES = [
    pytest.param("", id="no-flags"),
    pytest.param("ignore-init-module = true", id="ignore-init-module -I"),
    pytest.param("ignore-module = true", id="ignore-module -M"),
    pytest.param("ignore-semiprivate = true", id="ignore-semiprivate -s"),
    pytest.param("ignore-private = true", id="ignore-private -p"),
    pytest.param("ignore-property-decorators = true", id="ignore-property-decorators -P"),
    pytest.param("ignore-setters = true", id="ignore-setters -S"),
    pytest.param("ignore-magic = true", id="ignore-magic -m"),
    pytest.param("ignore-init-method = true", id="ignore-init-method -i"),
    pytest.param("ignore-nested-functions = true", id="ignore-nested-functions -n"),
    pytest.param("ignore-nested-classes = true", id="ignore-nested-classes -C"),
    pytest.param("ignore-overloaded-functions = true", id="ignore-overloaded-functions -O"),
    pytest.param('ignore-regex = ["^get$"]', id="ignore-regex -r"),
    pytest.param('ignore-regex = "^get$"', id="ignore-regex-single-string (config.py read_config_file)"),
    pytest.param('whitelist-regex = ["^get$"]', id="whitelist-regex -w switches ignore-module on"),
    pytest.param('exclude = ["shop/cart.py"]', id="exclude-file -e"),
    pytest.param('exclude = ["shop/generated"]', id="exclude-is-an-fnmatch-prefix"),
    pytest.param('exclude = ["does.not.exist"]', id="exclude-missing -e"),
    pytest.param("fail-under = 40", id="fail-under -f"),
    pytest.param('ext = ["pyi"]', id="ext-pyi --ext"),
    pytest.param('style = "google"', id="style-google --style"),
    pytest.param('ignore-init-method = true\nignore-init-module = true\nignore-regex = ["^method_foo$"]', id="multiple -i -I -r"),
    pytest.param("ignore-semiprivate = true\nignore-private = true\nignore-module = true", id="multiple -s -p -M"),
    pytest.param("ignore-magic = true\nfail-under = 45", id="multiple -m -f"),
]


def interrogate_result(root: Path, config_file: str, monkeypatch: pytest.MonkeyPatch) -> Tuple[float, int]:
    """(actual percent, exit code) of the real interrogate with ``-c config_file``."""
    from click.testing import CliRunner

    monkeypatch.chdir(root)  # click resolves exclude paths against the working directory
    result = CliRunner().invoke(interrogate_cli.main, ["-c", config_file, str(root)])
    found = re.search(r"actual: ([0-9.]+)%", result.output)
    assert found, result.output
    return float(found.group(1)), result.exit_code


def our_result(root: Path) -> Tuple[float, int]:
    """(percent over every analysed Python file, what interrogate's fail-under would exit with)."""
    context = scan(root)
    total = F.total({p: c for p, c in F.by_file(context).items() if p.endswith((".py", ".pyi"))})
    assert total.percent is not None
    threshold = context.config.docs.fail_under or 80.0  # interrogate's default fail-under
    return round(total.percent, 1), int(total.percent < threshold)


@pytest.mark.parametrize("table", OPTION_TABLES)
def test_pyproject_table_gives_interrogates_figures(make_repo, monkeypatch, table: str) -> None:
    root = make_repo({
        **SAMPLE,
        "pyproject.toml": "[project]\nname = 'shop'\n\n[tool.interrogate]\n" + table + "\n",
        "repo-roles.toml": '[docs.python]\ncounting = "interrogate"\n',
    })
    assert our_result(root) == interrogate_result(root, str(root / "pyproject.toml"), monkeypatch)


def test_whitelist_regex_really_switches_ignore_module_on(make_repo, monkeypatch) -> None:
    """cli.py: ``if whitelist_regex: ignore_module = True`` even against ``ignore-module = false``."""
    root = make_repo({**SAMPLE, "pyproject.toml": '[tool.interrogate]\nwhitelist-regex = ["^get$"]\nignore-module = false\n',
                      "repo-roles.toml": '[docs.python]\ncounting = "interrogate"\n'})
    context = scan(root)
    assert context.config.docs.python.ignore_module is True
    assert our_result(root) == interrogate_result(root, str(root / "pyproject.toml"), monkeypatch)


def test_setup_cfg_section_when_there_is_no_pyproject(make_repo, monkeypatch) -> None:
    """config.py parse_setup_cfg: string values, lists as ``[a, "b"]``, "true"/"false" booleans."""
    # (not ``ext``: parse_setup_cfg leaves it a string and interrogate's click then refuses it)
    cfg = '[tool:interrogate]\nignore-init-method = true\nignore-regex = [^get$, "^method_foo$"]\nfail-under = 45\n'
    root = make_repo({**SAMPLE, "setup.cfg": cfg, "repo-roles.toml": '[docs.python]\ncounting = "interrogate-config"\n'})
    context = scan(root)
    python = context.config.docs.python
    assert (python.ignore_init_method, python.ignore_regex) == (True, ("^get$", "^method_foo$"))
    assert python.interrogate_source == "setup.cfg [tool:interrogate]" and context.config.docs.fail_under == 45.0
    assert our_result(root) == interrogate_result(root, str(root / "setup.cfg"), monkeypatch)


def test_dot_interrogate_toml_and_the_discovery_order() -> None:
    files = {".interrogate.toml": b"[tool.interrogate]\nignore-magic = true\n", "setup.cfg": b"[tool:interrogate]\nignore-private = true\n"}
    found = find_interrogate_config(files.get)
    assert found is not None and found.source == ".interrogate.toml [tool.interrogate]" and found.flags == {"ignore_magic": True}
    # find_project_config: a pyproject.toml (even without the table) hides setup.cfg
    with_pyproject = {"pyproject.toml": b"[project]\nname = 'x'\n", "setup.cfg": files["setup.cfg"]}
    assert find_interrogate_config(with_pyproject.get) is None
    assert find_interrogate_config({"setup.cfg": files["setup.cfg"]}.get).flags == {"ignore_private": True}


def test_explicit_repo_roles_settings_win(make_repo) -> None:
    root = make_repo({**SAMPLE, "pyproject.toml": '[tool.interrogate]\nignore-magic = true\nstyle = "google"\nfail-under = 40\n',
                      "repo-roles.toml": '[docs]\nfail-under = 90\n[docs.python]\ncounting = "interrogate"\nignore-magic = false\n'})
    config = scan(root).config
    assert (config.docs.python.ignore_magic, config.docs.python.docstring_style, config.docs.fail_under) == (False, "google", 90.0)


def test_repo_roles_counting_ignores_the_table(make_repo) -> None:
    root = make_repo({**SAMPLE, "pyproject.toml": "[tool.interrogate]\nignore-magic = true\n"})
    assert scan(root).config.docs.python.ignore_magic is None


@pytest.mark.parametrize(
    "table, key, hint",
    [
        pytest.param("ignore-property-setters = true", "tool.interrogate.ignore-property-setters", "ignore-setters", id="repo-roles-name-is-not-interrogates"),
        pytest.param('style = "numpy"', "tool.interrogate.style", None, id="interrogate-styles-are-sphinx-and-google"),
        pytest.param('ext = ["ipynb"]', "tool.interrogate.ext", "pyi", id="notebooks-are-not-read"),
        pytest.param('ignore-regex = ["("]', "tool.interrogate.ignore-regex", None, id="bad-regex"),
    ],
)
def test_bad_interrogate_table_is_a_config_error_with_its_position(make_repo, table: str, key: str, hint) -> None:
    root = make_repo({**SAMPLE, "pyproject.toml": "[project]\nname = 'x'\n\n[tool.interrogate]\n" + table + "\n",
                      "repo-roles.toml": '[docs.python]\ncounting = "interrogate"\n'})
    with pytest.raises(ConfigError) as caught:
        scan(root)
    error = caught.value
    assert (error.file, error.line, error.key_path) == ("pyproject.toml", 5, key)
    assert hint is None or hint in (error.hint or "")


def test_interrogate_config_mode_needs_a_configuration(make_repo, run_cli, monkeypatch) -> None:
    root = make_repo({**SAMPLE, "repo-roles.toml": '[docs.python]\ncounting = "interrogate-config"\n'})
    monkeypatch.chdir(root)
    result = run_cli("check")
    assert result.exit_code == 2 and "no interrogate configuration found" in result.stderr
