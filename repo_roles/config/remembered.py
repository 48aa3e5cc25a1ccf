"""A configuration that was read and validated once, remembered by the text it was read from.

``load_config`` parses the TOML, locates every key (for messages with line and column), checks
every value against the schema (a glob through pathspec) and merges the ``extends`` chain: tens
of milliseconds that a pre-commit hook pays on every run for the same bytes.  A configuration
whose chain holds only built-in packs (or no ``extends``) is remembered here, after it loaded
without error, as its merged tables and the file and line of each key, under a digest of:

* its text and its name as messages show it (relative to the working directory) and whether
  it is a ``pyproject.toml`` (only ``[tool.repo-roles]`` counts there);
* the code that reads and checks it (``repo_roles/config/``, the roles, severities and pattern
  modules it imports, the built-in packs, the Python version) and the installed pathspec;
* where the built-in packs are, as messages name them.

A later run with the same digest builds the ``Config`` from those tables: the same value, with
no parse and no check.  A configuration with an error is never remembered (the next run reports
the same error with its file, line and column); a configuration extending a file of the project
is always read (its parent may change without it).  One small JSON file per digest under the
user cache root (the configuration comes before the project's cache directory and key, which it
may name), checksummed and written atomically; a damaged one is a miss.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

FORMAT = b"repo-roles remembered config 1\n"
SUFFIX = ".config"
KEEP = 16  # remembered configurations per cache root
_CODE = ("_compat.py", "roles.py", "findings.py", "linear.py", "safeio.py", "globs.py")

Sources = Dict[Tuple[str, ...], Tuple[str, int]]
_code: Optional[bytes] = None


def _code_digest() -> bytes:
    """The code a configuration is read and checked with (read once per process, ~60 KB)."""
    global _code
    if _code is None:
        from repo_roles.codestamp import stamp
        from repo_roles.config.discovery import builtin_rules_dir

        package = Path(__file__).resolve().parents[1]
        files = sorted((package / "config").glob("*.py")) + [package / name for name in _CODE]
        _code = stamp(FORMAT, files + sorted(builtin_rules_dir().glob("*.toml")))
    return _code


def key(path: Path, display: str, text: str) -> str:
    """The digest a configuration read from ``text`` (file ``path``, shown as ``display``) is
    remembered under."""
    from repo_roles.config.discovery import builtin_rules_dir
    from repo_roles.config.loader import display_name

    h = hashlib.sha1(_code_digest())
    for part in (display, path.name, display_name(builtin_rules_dir())):
        h.update(part.encode("utf-8", "surrogatepass") + b"\0")
    h.update(text.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _file(root: Path, digest: str) -> Path:
    return root / "config" / f"{digest}{SUFFIX}"


def load(root: Path, digest: str) -> Optional[Tuple[Dict[str, Any], Tuple[str, ...], Sources]]:
    """(merged tables, ``extends`` of the file, sources) remembered under ``digest``, or None;
    the translations of its globs it holds are handed to :func:`repo_roles.globs.know_translations`."""
    from repo_roles.codestamp import load_value

    found = load_value(_file(root, digest))
    if found is None:
        return None
    value, known = found
    try:
        data, extends, rows = value["data"], value["extends"], value["sources"]
        if not isinstance(data, dict) or not all(isinstance(e, str) for e in extends):
            return None
        sources: Sources = {tuple(k): (str(f), int(line)) for k, f, line in rows}
    except (ValueError, TypeError, KeyError):
        return None
    from repo_roles.globs import know_translations

    know_translations(known)
    return data, tuple(extends), sources


def store(root: Path, digest: str, data: Dict[str, Any], extends: Tuple[str, ...], sources: Sources,
          config: object) -> None:
    """Remember a configuration that loaded without error (only if JSON gives back exactly its
    tables: TOML dates, for one, are not JSON), with the translation of every glob in ``config``
    (its settings and the model's defaults)."""
    from repo_roles.codestamp import store_value
    from repo_roles.globs import translations_of

    rows: List[list] = [[list(k), f, line] for k, (f, line) in sources.items()]
    store_value(_file(root, digest), {"data": data, "extends": list(extends), "sources": rows}, "data",
                translations_of(config), KEEP)
