"""Rust conditional compilation: is a ``cfg`` predicate true for the default build?

The Reference, "Conditional compilation"
(https://doc.rust-lang.org/reference/conditional-compilation.html): a predicate is a name
(``unix``), a key-value pair (``target_os = "linux"``, ``feature = "std"``) or ``all(…)``,
``any(…)``, ``not(…)`` of predicates (``all()`` is true, ``any()`` false; ``true``/``false``
literals since Rust 1.88). What is set is what ``rustc --print cfg`` says for the default build
of the target repo-roles assumes, x86_64-unknown-linux-gnu (:data:`TARGET`), plus
``feature = "…"`` for the crate's default features (:func:`default_features`, Cargo's
``[features] default`` with what it enables). Everything else is unset: ``test``, ``doc``,
``miri``, unknown features, and custom cfgs a build script would emit (no build script is run).

A predicate repo-roles cannot read (another shape, nesting deeper than :data:`MAX_DEPTH`) counts as
true: the item stays counted, as it was before cfgs were evaluated.
"""

from __future__ import annotations

import re
from typing import AbstractSet, Any, FrozenSet, List, Mapping, Optional, Tuple

# ``rustc --print cfg --target x86_64-unknown-linux-gnu`` (rustc 1.95, no -O: debug_assertions on,
# as in Cargo's dev profile).
TARGET: FrozenSet[Tuple[str, Optional[str]]] = frozenset({
    ("debug_assertions", None), ("unix", None), ("panic", "unwind"), ("target_abi", ""),
    ("target_arch", "x86_64"), ("target_endian", "little"), ("target_env", "gnu"), ("target_family", "unix"),
    ("target_feature", "fxsr"), ("target_feature", "sse"), ("target_feature", "sse2"),
    ("target_has_atomic", "8"), ("target_has_atomic", "16"), ("target_has_atomic", "32"),
    ("target_has_atomic", "64"), ("target_has_atomic", "ptr"), ("target_os", "linux"),
    ("target_pointer_width", "64"), ("target_vendor", "unknown"),
})
MAX_DEPTH = 64
_TOKEN = re.compile(r'[A-Za-z_][A-Za-z0-9_]*|"(?:[^"\\]|\\.)*"|[(),=]')


class _Unreadable(Exception):
    pass


def evaluate(predicate: str, features: AbstractSet[str] = frozenset(),
             target: AbstractSet[Tuple[str, Optional[str]]] = TARGET) -> bool:
    """Whether ``predicate`` (whitespace removed, as :mod:`rust_docs` records it; "" = no
    condition) holds with ``features`` enabled on ``target``."""
    if not predicate:
        return True
    tokens = _TOKEN.findall(predicate)
    if "".join(tokens) != predicate:
        return True
    try:
        value, end = _predicate(tokens, 0, features, target, 0)
    except (_Unreadable, IndexError):
        return True
    return value if end == len(tokens) else True


def _predicate(tokens: List[str], at: int, features: AbstractSet[str],
               target: AbstractSet[Tuple[str, Optional[str]]], depth: int) -> Tuple[bool, int]:
    if depth > MAX_DEPTH:
        raise _Unreadable
    name = tokens[at]
    if not (name[0].isalpha() or name[0] == "_"):
        raise _Unreadable
    follow = tokens[at + 1] if at + 1 < len(tokens) else ""
    if name in ("all", "any", "not") and follow == "(":
        values: List[bool] = []
        at += 2
        while tokens[at] != ")":
            value, at = _predicate(tokens, at, features, target, depth + 1)
            values.append(value)
            if tokens[at] == ",":
                at += 1
            elif tokens[at] != ")":
                raise _Unreadable
        if name == "not":
            if len(values) != 1:
                raise _Unreadable
            return not values[0], at + 1
        return (all(values) if name == "all" else any(values)), at + 1
    if follow == "=":
        literal = tokens[at + 2]
        if not literal.startswith('"'):
            raise _Unreadable
        value = literal[1:-1]
        if name == "feature":
            return value in features, at + 3
        return (name, value) in target, at + 3
    if name in ("true", "false"):
        return name == "true", at + 1
    return (name, None) in target, at + 1


def default_features(manifest: Mapping[str, Any]) -> FrozenSet[str]:
    """The features a plain ``cargo build`` enables (the Cargo Book, "Features": ``default``
    and, transitively, what each enabled feature lists). ``dep:x`` entries enable no feature;
    ``x/y`` and ``x?/y`` (a dependency's feature) are not followed; a plain name that is no
    feature table entry (an optional dependency's implicit feature) is enabled as itself."""
    table = manifest.get("features")
    if not isinstance(table, dict):
        return frozenset()
    enabled = set()
    todo = ["default"] if "default" in table else []
    while todo:
        name = todo.pop()
        if name in enabled:
            continue
        enabled.add(name)  # Cargo passes ``feature="default"`` too
        entries = table.get(name)
        if isinstance(entries, list):
            todo.extend(entry for entry in entries
                        if isinstance(entry, str) and not entry.startswith("dep:") and "/" not in entry)
    return frozenset(enabled)
