"""Rust public surface across files: which module files rustc's ``missing_docs`` never looks into.

The lint (https://doc.rust-lang.org/rustc/lints/listing/allowed-by-default.html#missing-docs)
asks for documentation on *exported* items: a ``pub`` item is exported only when every module on
its path from the crate root is ``pub`` too (the Reference, "Visibility and privacy"). One file
cannot tell that, so each file's analysis records its ``mod x;`` declarations
(:attr:`FileDocs.modules`: module path, exported, ``#[path]``), and this pass — over those
records only, no file is read again — follows them from each crate root:

* roots: ``lib.rs`` and ``main.rs`` directly in a ``src`` directory (Cargo's defaults), and any
  extra root the caller names (a ``[lib] path`` from ``Cargo.toml``);
* ``mod x;`` in a root or a ``mod.rs`` is ``<dir>/x.rs`` or ``<dir>/x/mod.rs``; in any other file
  ``f.rs`` it is ``<dir>/f/x.rs`` or ``<dir>/f/x/mod.rs``; inside an inline ``mod a { … }`` the
  directory gains ``a/``; ``#[path = "p"]`` on a top-level declaration is ``<dir of the file>/p``
  (the Reference, "Modules": the path attribute);
* a file reached only through some private (or ``pub(crate)``, ``#[doc(hidden)]``,
  ``#[cfg(test)]``) module is *private*: its items are exempt as ``"private-module"``.

Conditional compilation is evaluated here (:mod:`repo_roles.coverage.rust_cfg`: the default
target and, per crate root, the default features of its ``Cargo.toml``): a ``mod`` declaration
or ``pub use`` whose cfg predicate is false is not followed, a file only such declarations name
has all its items exempt as ``"cfg"``, and so has any item whose own predicate is false (in files
no root reaches, with no feature enabled).

A file in a crate root's own directory (``src/``, not ``src/bin/``: Cargo's binaries) that no
``mod`` declaration names at all is not part of any crate (the Reference, "Modules": a module
file is loaded only by a ``mod`` declaration): its items are exempt as ``"not-compiled"``, unless
some ``#[path]`` in the project could not be resolved (it might name the file). Any other file no
root reaches (tests, examples, benches, build scripts) is left as its own analysis says, cfgs
aside. ``pub use`` re-exports are followed (:func:`exposure`); known limits: re-exports
inside inline modules, and ``mod``/``pub use`` made by macros other than ``cfg_if!``.
"""

from __future__ import annotations

import posixpath
from typing import AbstractSet, Dict, FrozenSet, Iterable, List, Mapping, Optional, Set, Tuple

from repo_roles.coverage.model import DocItem, FileDocs
from repo_roles.coverage.rust_cfg import evaluate

PRIVATE_MODULE = "private-module"
CFG_OFF = "cfg"
NOT_COMPILED = "not-compiled"
_NONE: FrozenSet[str] = frozenset()


def is_root(path: str) -> bool:
    """Cargo's default crate roots: ``src/lib.rs`` and ``src/main.rs`` (of any package)."""
    head, _, name = path.rpartition("/")
    return name in ("lib.rs", "main.rs") and (head == "src" or head.endswith("/src"))


def _module_dir(path: str, roots: Set[str]) -> str:
    """The directory a file's ``mod x;`` declarations are resolved in."""
    head, _, name = path.rpartition("/")
    if path in roots or name == "mod.rs":
        return head
    return posixpath.join(head, name[:-3]) if name.endswith(".rs") else head


def _targets(path: str, decl: str, attr: str, roots: Set[str], files: Mapping[str, object]) -> Optional[str]:
    """The file a declaration of ``path`` names, when it is one of ``files``."""
    if attr == "?":
        return None
    if attr:
        found = posixpath.normpath(posixpath.join(path.rpartition("/")[0], attr))
        return found if found in files else None
    base = posixpath.join(_module_dir(path, roots), decl)
    for candidate in (base + ".rs", base + "/mod.rs"):
        if candidate.startswith("./"):
            candidate = candidate[2:]
        if candidate in files:
            return candidate
    return None


def _tree(files: Mapping[str, FileDocs], roots: Set[str], features: Mapping[str, AbstractSet[str]]
          ) -> Tuple[Dict[str, Dict[str, Tuple[str, bool]]], Dict[str, str], Dict[str, str], Set[str]]:
    """``(children: file -> {declared module path: (file, exported)}, parent file, crate root,
    files named only by declarations compiled out)`` of every file reached from a root by
    ``mod`` declarations whose cfg holds."""
    children: Dict[str, Dict[str, Tuple[str, bool]]] = {}
    parent: Dict[str, str] = {}
    crate: Dict[str, str] = {root: root for root in roots}
    off: Set[str] = set()
    stack = sorted(roots)
    while stack:
        path = stack.pop()
        found = children.setdefault(path, {})
        enabled = features.get(crate[path], _NONE)
        for decl, exported, attr, cond in files[path].modules:
            target = _targets(path, decl, attr, roots, files)
            if target is None or target in roots:
                continue
            if not evaluate(cond, enabled):
                off.add(target)
                continue
            found[decl] = (target, exported)
            if target not in crate:
                crate[target], parent[target] = crate[path], path
                stack.append(target)
    return children, parent, crate, off - set(children)


def exposure(files: Mapping[str, FileDocs], extra_roots: Iterable[str] = (),
             features: Mapping[str, AbstractSet[str]] = {}
             ) -> Tuple[Set[str], Dict[str, Set[str]], Dict[str, str], Set[str]]:
    """``(files whose pub items are all exported, file -> the only names exported from it,
    file reached from a root -> that root, files only compiled-out declarations name)``. A file
    is wholly exported through a chain of ``pub mod`` from its crate root, or a glob ``pub use
    path::*`` in an exported file; a named ``pub use path::Name`` exports that one name (a
    module name exports the whole module). ``features``: crate root -> its enabled features."""
    roots = {p for p in files if is_root(p)} | {p for p in extra_roots if p in files}
    children, parent, crate, off = _tree(files, roots, features)
    whole: Set[str] = set()
    names: Dict[str, Set[str]] = {}
    todo: List[Tuple[str, str]] = [(root, "*") for root in sorted(roots)]
    seen: Set[Tuple[str, str]] = set()
    while todo:
        path, name = todo.pop()
        if (path, name) in seen or path not in children:
            continue
        seen.add((path, name))
        if name == "*":
            whole.add(path)
            todo.extend((target, "*") for target, exported in children[path].values() if exported)
        else:
            names.setdefault(path, set()).add(name)
            if name in children[path]:
                todo.append((children[path][name][0], "*"))
        for use, cond in files[path].uses:
            if not evaluate(cond, features.get(crate[path], _NONE)):
                continue
            last = use.rpartition("::")[2]
            if name != "*" and last not in (name, "*"):
                continue
            target = _resolve(path, use.split("::")[:-1], children, parent, crate)
            if target is not None:
                todo.append((target, name if last == "*" else last))
    return whole, names, {path: crate[path] for path in children}, off


def _resolve(path: str, segments: List[str], children: Dict[str, Dict[str, Tuple[str, bool]]],
             parent: Dict[str, str], crate: Dict[str, str]) -> Optional[str]:
    """The file of a ``use`` path's module part, as seen from ``path``; None when it leaves the
    crate (another crate's name) or passes through something that is no module file."""
    current: Optional[str] = path
    if segments and segments[0] == "crate":
        current, segments = crate.get(path), segments[1:]
    elif segments and segments[0] == "self":
        segments = segments[1:]
    elif segments and segments[0] != "super" and segments[0] not in children.get(path, {}):
        return None
    for segment in segments:
        if current is None:
            return None
        if segment == "super":
            current = parent.get(current)
        else:
            found = children.get(current, {}).get(segment)
            current = found[0] if found is not None else None
    return current


def _module_declarations(path: str, items: Tuple[DocItem, ...], files: Mapping[str, FileDocs],
                         reached: Mapping[str, str], features: Mapping[str, AbstractSet[str]]
                         ) -> Tuple[DocItem, ...]:
    """``pub mod x;`` declarations the file analysis left exempt (``"module-file"``: documented,
    if at all, by ``//!`` in x's own file) now that x's file is known: when that file carries no
    documented module item, the declaration is an undocumented item where rustc reports it."""
    decls = {decl.replace("/", "::"): (decl, attr) for decl, exported, attr, cond in files[path].modules
             if exported and evaluate(cond, features.get(reached[path], _NONE))}
    roots = set(reached.values())
    out = list(items)
    for index, item in enumerate(items):
        if item.exempt != "module-file" or item.name not in decls:
            continue
        decl, attr = decls[item.name]
        target = _targets(path, decl, attr, roots, files)
        if target is not None and target in reached and not any(
                other.kind == "module" and other.line == 1 and other.documented for other in files[target].items):
            out[index] = item._replace(exempt=None, documented=False)
    return tuple(out)


def _orphans(files: Mapping[str, FileDocs], reached: Mapping[str, str], off: Set[str]) -> Set[str]:
    """Files in a reached crate root's directory (not ``bin/``) that no root reaches and no
    compiled-out declaration names; none when some ``#[path]`` could not be resolved."""
    if any(attr == "?" for docs in files.values() for _, _, attr, _ in docs.modules):
        return set()
    dirs = {root.rpartition("/")[0] + "/" for root in set(reached.values())}
    return {path for path in files if path not in reached and path not in off
            and any(path.startswith(d) and not path.startswith(d + "bin/") for d in dirs)}


def _top(name: str) -> str:
    return name.split("::", 1)[0].split(".", 1)[0]


def apply(docs_by_path: Dict[str, FileDocs], extra_roots: Iterable[str] = (),
          features: Mapping[str, AbstractSet[str]] = {}) -> Dict[str, FileDocs]:
    """The Rust files of ``docs_by_path`` whose items change, with their new ``FileDocs``:
    counted items compiled out are exempt as ``"cfg"`` (all of a file only compiled-out ``mod``
    declarations name); then, in a file reached from a crate root but not wholly exported, every
    counted item that no ``pub use`` exports (``#[macro_export]`` macros excepted: they live at
    the crate root) is exempt as ``"private-module"``. ``features``: crate root -> the features
    its build enables (:func:`rust_cfg.default_features`)."""
    rust = {path: docs for path, docs in docs_by_path.items() if docs.language == "rust" and not docs.problems}
    whole, names, reached, off = exposure(rust, extra_roots, features)
    orphans = _orphans(rust, reached, off)
    out: Dict[str, FileDocs] = {}
    for path in sorted(rust):
        docs = rust[path]
        if path in off or path in orphans:
            reason = CFG_OFF if path in off else NOT_COMPILED
            items = tuple(item if item.exempt is not None else item._replace(exempt=reason) for item in docs.items)
        else:
            items = docs.items
            if docs.cfgs:
                enabled = features.get(reached.get(path, ""), _NONE)
                items = tuple(item if item.exempt is not None or evaluate(cond, enabled)
                              else item._replace(exempt=CFG_OFF) for item, cond in zip(items, docs.cfgs))
            if path in reached:
                items = _module_declarations(path, items, rust, reached, features)
            if path in reached and path not in whole:
                kept = names.get(path, set())
                items = tuple(item if item.exempt is not None or item.kind == "macro" or _top(item.name) in kept
                              else item._replace(exempt=PRIVATE_MODULE) for item in items)
        if items != docs.items:
            out[path] = docs._replace(items=items)
    return out
