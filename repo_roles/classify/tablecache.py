"""``rules/classify.toml`` as a former run read it: its tables and the regex of each glob.

Loading the tables parses 20 KB of TOML and translates a few hundred globs through pathspec
(importing it): ~25 ms that every ``check`` on a few files paid for the same bytes.  The parsed
document and the translations are kept in one checksummed JSON file under the user cache root,
keyed by :func:`repo_roles.codestamp.stamp` of the file's bytes, the code that reads it
(``classify/tables.py``, ``globs.py``, the configuration model's defaults) and the installed
pathspec; :func:`load` gives them back
(None: a miss, the caller parses), and ``parse_tables`` validates the document as always.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Tuple

FORMAT = b"repo-roles classify tables 1"
SUFFIX = ".tables"
KEEP = 4

Translations = Dict[str, Tuple[str, bool]]


def key(raw: bytes) -> str:
    """The digest the tables read from ``raw`` (the TOML file's bytes) are kept under, with the
    other tables of ``rules/`` (their globs' translations are kept too)."""
    from repo_roles import globs
    from repo_roles.classify import tables
    from repo_roles.codestamp import stamp

    others = sorted(p for p in tables.rules_dir().glob("*.toml") if p.name != tables.TABLES_FILE)
    from repo_roles.config import model

    code = [Path(tables.__file__), Path(globs.__file__), Path(model.__file__)]
    h = hashlib.sha1(stamp(FORMAT, [*code, *others]))
    h.update(raw)
    return h.hexdigest()


def _file(digest: str) -> Path:
    from repo_roles.cachedir import user_cache_root

    return user_cache_root() / "classify-tables" / f"{digest}{SUFFIX}"


def load(digest: str) -> Optional[Tuple[Dict[str, Any], Translations]]:
    """(the TOML document, glob -> (regex source, include)) kept under ``digest``, or None."""
    from repo_roles.codestamp import load_value

    found = load_value(_file(digest))
    if found is None or not isinstance(found[0].get("document"), dict):
        return None
    return found[0]["document"], found[1]


def _rules_documents() -> Iterator[Any]:
    """The other tables of ``rules/`` (exemptions, packs), parsed; an unreadable one is left out."""
    from repo_roles._compat import tomllib
    from repo_roles.classify import tables

    for path in sorted(tables.rules_dir().glob("*.toml")):
        if path.name == tables.TABLES_FILE:
            continue
        try:
            yield tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue


def store(digest: str, document: Dict[str, Any]) -> None:
    """Keep ``document`` (parsed, and validated by ``parse_tables``) with the translation of
    every string in it, in the other tables of ``rules/`` and in the default configuration
    (``[tests] exempt``, for a project without one) that translates as a glob (only if JSON
    gives the document back exactly)."""
    from repo_roles.codestamp import store_value
    from repo_roles.globs import translations_of

    from repo_roles.config.model import Config

    store_value(_file(digest), {"document": document}, "document",
                translations_of([document, *_rules_documents(), Config()]), KEEP)
