"""Read, validate and merge configuration files into a ``Config``.

Every file of an ``extends`` chain is validated on its own, so an error names the file that
holds it, with line, column and key path.  Parents are merged first; a child overrides them key
by key (tables merge recursively, arrays and scalars are replaced).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from repo_roles import safeio
from repo_roles.config.discovery import PYPROJECT, builtin_rules_dir
from repo_roles.config.model import (
    Config,
    DocsConfig,
    HistoryConfig,
    LintConfig,
    OwnershipConfig,
    PythonDocsConfig,
    Team,
    TestsConfig,
    attr_name,
)
from repo_roles.errors import ConfigError
from repo_roles.linear import compile_untrusted

if TYPE_CHECKING:  # the parser, the key positions and the schema load when a file is read, not
    # when a remembered configuration is built (repo_roles.config.remembered)
    from repo_roles._compat import tomllib
    from repo_roles.config.positions import KeyPath, Positions

TOOL_TABLE: KeyPath = ("tool", "repo-roles")
Sources = Dict[Tuple[str, ...], Tuple[str, int]]

_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class _Document:
    """One configuration file, parsed and validated."""

    path: Path
    display: str
    data: Dict[str, Any]  # the repo-roles table (the whole file, or [tool.repo-roles])
    prefix: KeyPath  # where that table sits in the file
    positions: Positions

    def error(self, key_path: KeyPath, message: str, hint: Optional[str] = None) -> ConfigError:
        full = self.prefix + tuple(key_path)
        line, column = self.positions.of(full)
        return ConfigError(
            message, file=self.display, line=line, column=column, key_path=format_key_path(full), hint=hint
        )


def load_config(path: Optional[Path], *, remember: bool = False) -> Config:
    """The configuration in ``path`` with its ``extends`` chain merged; None -> built-in defaults.
    ``remember``: take it from, or keep it in, the cache of validated configurations
    (:mod:`repo_roles.config.remembered`: the same value, without the parse and the checks)."""
    if path is None:
        return Config()
    path = Path(path)
    found = _remembered(path) if remember else None
    if found is not None:
        digest, loaded, text = found
        if loaded is not None:
            data, extends, sources = loaded
            return _to_config(data, path=path, extends=extends, sources=sources)
    # the text the digest was made of (read once: a file saved meanwhile is never kept under
    # another text's digest)
    root = _read(path, text=found[2] if found is not None else None)
    data, sources = _resolve(root, chain=())
    extends = _extends_of(root.data)
    config = _to_config(data, path=path, extends=extends, sources=sources)
    if found is not None and _only_packs(root.data):
        from repo_roles.config import remembered

        remembered.store(_cache_root(), found[0], data, extends, sources, config)
    return config


def _cache_root() -> Path:
    from repo_roles.cachedir import user_cache_root

    return user_cache_root()


def _remembered(path: Path):
    """(digest, remembered value or None, the text read) of the configuration file ``path``;
    None when its text cannot be read (``_read`` says why)."""
    from repo_roles.config import remembered

    display = display_name(path)
    try:
        text = _read_text(path, display)
    except ConfigError:
        return None
    digest = remembered.key(path, display, text)
    return digest, remembered.load(_cache_root(), digest), text


def _only_packs(data: Dict[str, Any]) -> bool:
    """Whether every ``extends`` of this file names a built-in pack (whose text, and whatever
    it extends in ``rules/``, is part of the remembered digest)."""
    return not any(_is_path_ref(ref) for ref in _extends_of(data))


def _is_path_ref(ref: str) -> bool:
    """Whether an ``extends`` entry names a file (path-like) rather than a built-in pack."""
    return "/" in ref or "\\" in ref or ref.endswith(".toml")


def format_key_path(key_path: KeyPath) -> str:
    """``("roles", "frontend.ui")`` -> ``roles."frontend.ui"``; indices as ``[2]``."""
    out = ""
    for part in key_path:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        text = part if _BARE_KEY.match(part) else '"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"'
        out += f".{text}" if out else text
    return out


def display_name(path: Path) -> str:
    """How a file is named in messages: relative to the working directory when inside it."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except (ValueError, OSError):  # outside the working directory, or it was deleted
        return absolute.as_posix()


# -- reading one file ----------------------------------------------------------------------
def _read(path: Path, text: Optional[str] = None) -> _Document:
    """One configuration file parsed and checked; ``text``: its text, already read."""
    from repo_roles._compat import tomllib
    from repo_roles.config import schema
    from repo_roles.config.positions import Positions

    display = display_name(path)
    if text is None:
        text = _read_text(path, display)
    deep = _DEEP_KEY.search(text)
    if deep is not None:
        # tomllib's memory grows as the square of a dotted key's length (40 KB took 1.6 GB).
        line = text.count("\n", 0, deep.start()) + 1
        column = deep.start() - (text.rfind("\n", 0, deep.start()) + 1) + 1
        raise ConfigError(f"a dotted key with more than {MAX_DEPTH} parts", file=display, line=line, column=column)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(exc, display, text) from None
    except RecursionError:  # arrays or inline tables nested thousands deep
        raise ConfigError("invalid TOML: nested too deeply", file=display) from None
    if _depth(document) > MAX_DEPTH:
        # Checked before positions are tracked: their memory grows as the square of the depth.
        raise ConfigError(f"tables or arrays nested more than {MAX_DEPTH} levels deep", file=display)

    positions = Positions(text)
    prefix: KeyPath = ()
    data: Any = document
    if path.name == PYPROJECT:
        prefix = TOOL_TABLE
        tool = document.get("tool")
        data = tool.get("repo-roles", {}) if isinstance(tool, dict) else {}  # no table: nothing set
    doc = _Document(path=path, display=display, data=data, prefix=prefix, positions=positions)
    if not isinstance(data, dict):
        raise doc.error((), f"expected a table, found {schema.describe(data)}")
    for issue in schema.validate(data):
        raise doc.error(issue.key_path, issue.message, issue.hint)  # the first problem is enough
    return doc


MAX_DEPTH = 32  # the deepest key path the schema knows is 4 levels
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')"""
_DEEP_KEY = compile_untrusted(rf"{_KEY_PART}(?:[ \t]*\.[ \t]*{_KEY_PART}){{{MAX_DEPTH},}}")


def _read_text(path: Path, display: str) -> str:
    """A configuration file's text (without a BOM), or a ConfigError saying why it cannot be read."""
    try:
        # utf-8-sig: editors on Windows add a BOM that TOML itself does not allow
        text = safeio.read_text(path, max_size=safeio.MAX_CONFIG, encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError("configuration file not found", file=display) from None
    except safeio.UnsafeReadError as exc:
        raise ConfigError(f"cannot read configuration file: it {exc.reason}", file=display) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read configuration file: {exc}", file=display) from None
    return text


def _depth(document: Any) -> int:
    """How deeply tables and arrays nest (iterative: a 20,000-level dotted key is fine)."""
    deepest = 0
    stack = [(document, 1)]
    while stack:
        value, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def _syntax_error(exc: tomllib.TOMLDecodeError, display: str, text: str) -> ConfigError:
    message = str(exc.args[0]) if exc.args else str(exc)
    line: Optional[int] = getattr(exc, "lineno", None)  # Python >= 3.14 exposes them
    column: Optional[int] = getattr(exc, "colno", None)
    found = _TOML_POSITION.search(message)
    if found:
        message = message[: found.start()]
        line, column = int(found.group(1)), int(found.group(2))
    elif message.endswith("(at end of document)"):
        message = message[: -len("(at end of document)")].rstrip()
        line = text.count("\n") + 1
        column = len(text) - (text.rfind("\n") + 1) + 1
    return ConfigError(f"invalid TOML: {message}", file=display, line=line, column=column)


# -- extends -------------------------------------------------------------------------------
def _extends_of(data: Dict[str, Any]) -> Tuple[str, ...]:
    value = data.get("extends", ())
    return (value,) if isinstance(value, str) else tuple(value)


def _resolve(doc: _Document, chain: Tuple[Path, ...]) -> Tuple[Dict[str, Any], Sources]:
    """``doc`` merged over its parents, and where each merged key path was set."""
    here = chain + (doc.path.resolve(),)
    merged: Dict[str, Any] = {}
    sources: Sources = {}
    refs = _extends_of(doc.data)
    for index, ref in enumerate(refs):
        key: KeyPath = ("extends", index) if isinstance(doc.data["extends"], list) else ("extends",)
        parent_path = _locate_parent(doc, ref, key)
        if parent_path.resolve() in here:
            cycle = " -> ".join(display_name(p) for p in here + (parent_path.resolve(),))
            raise doc.error(key, f"extends cycle: {cycle}")
        parent_data, parent_sources = _resolve(_read(parent_path), here)
        merged = _merge(merged, parent_data)
        sources.update(parent_sources)
    own = {k: v for k, v in doc.data.items() if k != "extends"}  # each file resolves its own
    sources.update(_sources_of(doc, own))
    return _merge(merged, own), sources


def _locate_parent(doc: _Document, ref: str, key: KeyPath) -> Path:
    """A pack name (``"recommended"``) is a built-in pack; anything path-like is a file."""
    if _is_path_ref(ref):
        if len(ref) > _MAX_EXTENDS_PATH:
            raise doc.error(key, f"extends: path longer than {_MAX_EXTENDS_PATH} characters")
        here = Path(os.path.realpath(doc.path.parent))
        target = Path(ref) if Path(ref).is_absolute() else here / ref
        root = _trust_root(here)
        reason = safeio.inside_root(target, root)
        if reason is None and os.path.islink(target):
            reason = "is a symbolic link"
        if reason is not None:
            # Named by the reference as written: nothing of an outside file is read or echoed.
            raise doc.error(
                key, f"extends {ref!r}: {reason} ({root}); an extended file must be inside it, not through a link"
            )
        try:
            is_file = target.is_file()
        except (OSError, ValueError):
            is_file = False
        if not is_file and not os.path.islink(target):
            raise doc.error(key, f"extends {ref!r}: file not found ({display_name(target)})")
        return target
    packs = builtin_packs()
    if ref not in packs:
        from repo_roles.config import schema

        raise doc.error(
            key,
            f"unknown built-in pack {ref!r}; expected one of: {', '.join(packs)} (or a path to a .toml file)",
            schema.did_you_mean(ref, packs),
        )
    return builtin_rules_dir() / f"{ref}.toml"


_MAX_EXTENDS_PATH = 1024


def _trust_root(directory: Path) -> Path:
    """Where ``extends`` may point: the git work tree holding the configuration file's
    ``directory`` (a shared base in a monorepo), else that directory.  Never via a link."""
    from repo_roles.inventory import git_toplevel

    return git_toplevel(directory) or directory


# rules/ also holds data tables read by the classifier; they are not configuration packs.
DATA_TABLES = frozenset({"classify"})


def builtin_packs() -> List[str]:
    """Names usable in ``extends``: every ``rules/*.toml`` that is a configuration pack."""
    return sorted(p.stem for p in builtin_rules_dir().glob("*.toml") if p.stem not in DATA_TABLES)


def _merge(base: Dict[str, Any], over: Dict[str, Any]) -> Dict[str, Any]:
    """``over`` on top of ``base``: tables merge key by key, everything else is replaced."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _sources_of(doc: _Document, data: Dict[str, Any], base: Tuple[str, ...] = ()) -> Sources:
    """Every table key path in ``data`` -> (file, line), keyed as written in TOML."""
    out: Sources = {}
    for key, value in data.items():
        path = base + (key,)
        out[path] = (doc.display, doc.positions.of(doc.prefix + path)[0])
        if isinstance(value, dict):
            out.update(_sources_of(doc, value, path))
    return out


# -- building the model --------------------------------------------------------------------
def _to_config(data: Dict[str, Any], *, path: Path, extends: Tuple[str, ...], sources: Sources) -> Config:
    # Only keys that were set are passed, so every default lives in the model alone.
    scalars = {key: value for key, value in data.items() if key not in _STRUCTURED}
    return Config(
        path=path,
        extends=extends,
        roles=_frozen(data.get("roles", {})),
        teams={
            handle: Team(handle=handle, **_fields(team)) for handle, team in data.get("teams", {}).items()
        },
        ownership=OwnershipConfig(**_fields(data.get("ownership", {}))),
        lint=LintConfig(**_fields(data.get("lint", {}))),
        docs=_docs(data.get("docs", {})),
        tests=TestsConfig(**_fields(data.get("tests", {}))),
        history=_history(data.get("history", {})),
        sources=sources,
        **_fields(scalars),
    )


def _docs(table: Dict[str, Any]) -> DocsConfig:
    rest = {key: value for key, value in table.items() if key != "python"}
    return DocsConfig(python=PythonDocsConfig(**_fields(table.get("python", {}))), **_fields(rest))


def _history(table: Dict[str, Any]) -> HistoryConfig:
    fields = _fields(table)
    # whole numbers (a TOML float is truncated)
    for key in ("active_days", "concentration_files", "orphaned_files"):
        if key in fields:
            fields[key] = int(fields[key])
    return HistoryConfig(**fields)


_STRUCTURED = frozenset({"extends", "roles", "teams", "ownership", "lint", "docs", "tests", "history"})


def _fields(table: Dict[str, Any]) -> Dict[str, Any]:
    """A validated fixed-key table as dataclass keyword arguments (arrays become tuples)."""
    return {attr_name(key): _frozen(value) for key, value in table.items()}


def _frozen(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, dict):
        return {key: _frozen(item) for key, item in value.items()}
    return value
