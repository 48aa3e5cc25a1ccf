"""interrogate's own configuration, read as it is (``[docs.python] counting = "interrogate"``).

A project that runs interrogate keeps its options where interrogate reads them; repo-roles reads
the same table so the figures agree without rewriting it.  Sources (interrogate 1.7,
``src/interrogate/config.py`` and ``cli.py``):

* where: ``find_project_config`` takes the project root's ``pyproject.toml`` (its
  ``[tool.interrogate]`` table), and ``setup.cfg`` (``[tool:interrogate]``) only when there is no
  ``pyproject.toml``.  ``.interrogate.toml`` (what ``interrogate -c .interrogate.toml`` reads,
  also a ``[tool.interrogate]`` table) is used when ``pyproject.toml`` has no such table.
* names: ``parse_pyproject_toml`` turns ``ignore-init-method`` into the click parameter
  ``ignore_init_method``; keys are the CLI's long option names: ``ignore-setters`` (not
  ``ignore-property-setters``), ``whitelist-regex`` (repo-roles ``include-regex``), ``style``
  (``docstring-style``), ``fail-under``, ``exclude``, ``ext``.
* quirks: ``if whitelist_regex: ignore_module = True`` (cli.py); a single ``ignore-regex``
  string is a one-item list; ``setup.cfg`` values are strings (``"true"``/``"false"``, lists as
  ``[a, b]`` or ``a, b``); ``exclude`` entries are paths and a file is left out when
  ``fnmatch(file, exclude + "*")`` (``_filter_files``), with ``.tox``, ``.venv``, ``venv``,
  ``.git`` and ``.hg`` always excluded; ``ext = ["pyi"]`` adds ``.pyi`` stubs.
* reporting-only keys (``verbose``, ``quiet``, ``color``, ``omit-covered-files``,
  ``generate-badge``, ``badge-format``, ``badge-style``, ``output``) change no figure and are
  accepted.  Any other key is an error: interrogate would ignore it silently, which hides typos.

Explicit repo-roles settings win: a ``[docs.python]`` flag that is set, non-empty regex lists,
a ``docstring-style`` other than the default, a non-zero ``[docs] fail-under``.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any, Callable, Dict, List, NamedTuple, Optional, Tuple

from repo_roles._compat import tomllib
from repo_roles.errors import ConfigError
from repo_roles.linear import compile_untrusted

if TYPE_CHECKING:
    from repo_roles.config.model import Config

MAX_CONFIG_SIZE = 4 * 1024 * 1024
PYPROJECT, DOT_INTERROGATE, SETUP_CFG = "pyproject.toml", ".interrogate.toml", "setup.cfg"

# interrogate key (click parameter, "-" form) -> PythonDocsConfig field
_FLAGS: Dict[str, str] = {
    "ignore-init-method": "ignore_init_method",
    "ignore-init-module": "ignore_init_module",
    "ignore-magic": "ignore_magic",
    "ignore-module": "ignore_module",
    "ignore-nested-classes": "ignore_nested_classes",
    "ignore-nested-functions": "ignore_nested_functions",
    "ignore-overloaded-functions": "ignore_overloaded_functions",
    "ignore-private": "ignore_private",
    "ignore-property-decorators": "ignore_property_decorators",
    "ignore-semiprivate": "ignore_semiprivate",
    "ignore-setters": "ignore_property_setters",
}
_LISTS = ("ignore-regex", "whitelist-regex", "exclude", "ext")
_REPORTING = frozenset({
    "verbose", "quiet", "color", "omit-covered-files", "generate-badge", "badge-format", "badge-style", "output",
})
_STYLES = ("sphinx", "google")
_EXTENSIONS = {"pyi": ".pyi"}
COMMON_EXCLUDE = (".tox", ".venv", "venv", ".git", ".hg")  # InterrogateCoverage.COMMON_EXCLUDE


class InterrogateSettings(NamedTuple):
    """The figures-relevant part of interrogate's configuration, in repo-roles' field names."""

    source: str  # "pyproject.toml [tool.interrogate]"
    flags: Dict[str, bool]
    ignore_regex: Tuple[str, ...]
    include_regex: Tuple[str, ...]
    docstring_style: Optional[str]
    fail_under: Optional[float]
    exclude: Tuple[str, ...]
    extensions: Tuple[str, ...]


def find_interrogate_config(read: Callable[[str], Optional[bytes]]) -> Optional[InterrogateSettings]:
    """interrogate's settings from the project root (``read`` returns a root file's bytes or None)."""
    pyproject = read(PYPROJECT)
    table = _toml_table(pyproject, PYPROJECT) if pyproject is not None else None
    if table is not None:
        return _settings(table, f"{PYPROJECT} [tool.interrogate]", PYPROJECT, _text(pyproject))
    dot = read(DOT_INTERROGATE)
    table = _toml_table(dot, DOT_INTERROGATE) if dot is not None else None
    if table is not None:
        return _settings(table, f"{DOT_INTERROGATE} [tool.interrogate]", DOT_INTERROGATE, _text(dot))
    if pyproject is not None:
        return None  # interrogate reads setup.cfg only when there is no pyproject.toml
    cfg = read(SETUP_CFG)
    if cfg is None:
        return None
    section = _cfg_section(cfg)
    return _settings(section, f"{SETUP_CFG} [tool:interrogate]", SETUP_CFG, None) if section is not None else None


def apply_interrogate_config(config: "Config", read: Callable[[str], Optional[bytes]]) -> "Config":
    """``config`` with interrogate's table filled in when the counting mode asks for it."""
    python = config.docs.python
    if python.counting not in ("interrogate", "interrogate-config"):
        return config
    found = find_interrogate_config(read)
    if found is None:
        if python.counting == "interrogate-config":
            raise ConfigError(
                "no interrogate configuration found",
                key_path="docs.python.counting",
                hint=f"interrogate-config reads [tool.interrogate] from {PYPROJECT} or {DOT_INTERROGATE}, "
                f"or [tool:interrogate] from {SETUP_CFG}",
            )
        return config
    changes: Dict[str, Any] = {}
    for name, value in found.flags.items():
        if getattr(python, name) is None:
            changes[name] = value
    if found.include_regex and python.ignore_module is None:
        changes["ignore_module"] = True  # cli.py: "if whitelist_regex: ignore_module = True", whatever the table says
    if found.ignore_regex and not python.ignore_regex:
        changes["ignore_regex"] = found.ignore_regex
    if found.include_regex and not python.include_regex:
        changes["include_regex"] = found.include_regex
    if found.docstring_style and python.docstring_style == "sphinx":
        changes["docstring_style"] = found.docstring_style
    changes["exclude"] = tuple(python.exclude) + found.exclude + COMMON_EXCLUDE
    changes["extensions"] = tuple(sorted(set(python.extensions) | set(found.extensions)))
    changes["interrogate_source"] = found.source
    changes["counting"] = "interrogate"
    docs_changes: Dict[str, Any] = {"python": dataclasses.replace(python, **changes)}
    if found.fail_under is not None and not config.docs.fail_under:
        docs_changes["fail_under"] = found.fail_under
    return dataclasses.replace(config, docs=dataclasses.replace(config.docs, **docs_changes))


# --- reading ---------------------------------------------------------------------------------


def _text(data: Optional[bytes]) -> Optional[str]:
    return data.decode("utf-8", errors="replace") if data is not None else None


def _toml_table(data: bytes, name: str) -> Optional[Dict[str, Any]]:
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read interrogate's configuration: {exc}", file=name) from None
    tool = document.get("tool")
    table = tool.get("interrogate") if isinstance(tool, dict) else None
    return table if isinstance(table, dict) else None


def _cfg_section(data: bytes) -> Optional[Dict[str, Any]]:
    import configparser  # only for a setup.cfg that interrogate reads (~2 ms on every run else)

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(data.decode("utf-8", errors="replace"), source=SETUP_CFG)
    except configparser.Error as exc:
        raise ConfigError(f"cannot read interrogate's configuration: {exc}", file=SETUP_CFG) from None
    if not parser.has_section("tool:interrogate"):
        return None
    out: Dict[str, Any] = {}
    for key, raw in parser.items("tool:interrogate"):
        name = key.replace("--", "").replace("_", "-")
        if name in _LISTS:
            out[key] = _cfg_list(raw)
        elif raw.lower() in ("true", "false"):  # parse_setup_cfg: only these two become bools
            out[key] = raw.lower() == "true"
        else:
            out[key] = raw
    return out


def _cfg_list(value: str) -> List[str]:
    """interrogate's ``sanitize_list_values``: ``[a, "b"]`` or ``a, b`` → ``["a", "b"]``."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:]
    if value.endswith("]"):
        value = value[:-1]
    if not value:
        return []
    return [v.strip().strip('"') for v in value.split(",")]


def _settings(table: Dict[str, Any], source: str, file: str, text: Optional[str]) -> InterrogateSettings:
    positions = None
    if text is not None:
        from repo_roles.config.positions import Positions

        positions = Positions(text)

    def error(key: str, message: str, hint: Optional[str] = None) -> ConfigError:
        line = column = None
        if positions is not None:
            line, column = positions.of(("tool", "interrogate", key))
        return ConfigError(message, file=file, line=line, column=column,
                           key_path=f"tool.interrogate.{key}", hint=hint)

    flags: Dict[str, bool] = {}
    lists: Dict[str, Tuple[str, ...]] = {}
    style = fail_under = None
    for key, value in table.items():
        name = key.replace("--", "").replace("_", "-")  # parse_pyproject_toml's normalisation
        if name in _FLAGS:
            if not isinstance(value, bool):
                raise error(key, f"expected true or false, got {value!r}")
            flags[_FLAGS[name]] = value
        elif name in _LISTS:
            items = [value] if isinstance(value, str) else value  # a single regex string is allowed
            if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
                raise error(key, f"expected a list of strings, got {value!r}")
            lists[name] = tuple(items)
        elif name == "style":
            if value not in _STYLES:
                raise error(key, f"expected one of {', '.join(_STYLES)}, got {value!r}")
            style = value
        elif name == "fail-under":
            try:
                fail_under = float(value)
            except (TypeError, ValueError):
                raise error(key, f"expected a number, got {value!r}") from None
        elif name not in _REPORTING:
            hint = None
            if name == "ignore-property-setters":
                hint = "interrogate's name is ignore-setters"
            elif name in ("include-regex", "docstring-style"):
                hint = f"interrogate's name is {'whitelist-regex' if name == 'include-regex' else 'style'}"
            raise error(key, f"unknown interrogate option {key!r} (interrogate would ignore it)", hint)
    for regex_key in ("ignore-regex", "whitelist-regex"):
        for pattern in lists.get(regex_key, ()):
            try:
                compile_untrusted(pattern)  # matched in linear time, like [docs.python] ignore-regex
            except (re.error, RecursionError, OverflowError) as exc:
                raise error(regex_key, f"invalid regex {pattern!r}: {exc}") from None
    extensions = []
    for ext in lists.get("ext", ()):
        suffix = _EXTENSIONS.get(ext.lower().lstrip("."))
        if suffix is None:
            raise error("ext", f"unsupported extension {ext!r}", "interrogate analyses pyi stubs (ipynb is not read)")
        extensions.append(suffix)
    return InterrogateSettings(
        source=source,
        flags=flags,
        ignore_regex=lists.get("ignore-regex", ()),
        include_regex=lists.get("whitelist-regex", ()),
        docstring_style=style,
        fail_under=fail_under,
        exclude=tuple(_exclude_path(p) for p in lists.get("exclude", ())),
        extensions=tuple(extensions),
    )


def _exclude_path(path: str) -> str:
    """An exclude entry as a project-relative POSIX path (click resolves it against the working
    directory, the project root when interrogate runs there)."""
    parts: List[str] = []
    for part in path.replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        if part == ".." and parts:
            parts.pop()
            continue
        parts.append(part)
    return "/".join(parts)
