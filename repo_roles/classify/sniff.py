"""Reading the first bytes of a file: generated headers, JS directives and imports, package.json.

Pure functions over bytes/text so they are testable without files. Callers read at most
``HEAD_LIMIT`` bytes (``inventory.read_head``); nothing here touches the filesystem.
"""

from __future__ import annotations

import io
import json
import re
from typing import FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

from identify import identify

from repo_roles.classify.literals import LiteralScreen, RuleNeedles, folded, rule_needles, screen_for
from repo_roles.classify.tables import Header

HEAD_LIMIT = 4096
PACKAGE_JSON_LIMIT = 1 << 20  # a package.json bigger than 1 MB is not a manifest we can trust
_DEPENDENCY_KEYS = ("dependencies", "peerDependencies", "devDependencies", "optionalDependencies")

# Comments, whitespace and a hashbang may precede a directive; nothing else may (ECMAScript
# "directive prologue": string-literal expression statements at the top of a module).
_SKIP = re.compile(r"(?:\s+|//[^\n]*|/\*.*?\*/|\A#![^\n]*)", re.DOTALL)
_DIRECTIVE = re.compile(r"""(['"])([^'"\\\n]*)\1[ \t]*;?""")

# import x from 'm' | import 'm' | export {x} from 'm' | require('m') | import('m')
_IMPORT = re.compile(
    r"""(?:^|[^\w$.])(?:import\s*(?:type\s+)?(?:[\w$*{}\s,]+?\s*from\s*)?|export\s*[\w$*{}\s,]+?\s*from\s*"""
    r"""|require\s*\(\s*|import\s*\(\s*)(['"])([^'"\n]+)\1"""
)


def decode(head: bytes) -> str:
    """Text of a file head; a cut multi-byte character at the 4 KB edge must not fail."""
    return head.decode("utf-8", errors="replace").lstrip("\ufeff")


class HeaderRules:
    """The generated-code header rules of the tables with their literal screen, built once."""

    def __init__(self, headers: Sequence[Header]) -> None:
        self.headers = tuple(headers)

    @property
    def screen(self) -> LiteralScreen:
        """A MULTILINE search restarts at every line; a head with none of the rules' literals
        (most of them) is rejected by one substring test instead (see ``literals``).  Read from
        the rules on first use: a run that reads no file head parses none of them."""
        found = self.__dict__.get("_screen")
        if found is None:
            found = self.__dict__["_screen"] = screen_for(tuple(h.regex for h in self.headers))
        return found

    @property
    def needles(self) -> Tuple[RuleNeedles, ...]:
        """Each rule's own literal runs (:func:`literals.rule_needles`), read on first use."""
        found = self.__dict__.get("_needles")
        if found is None:
            found = self.__dict__["_needles"] = tuple(rule_needles(h.regex) for h in self.headers)  # type: ignore[arg-type]
        return found


def generated_header(text: str, rules: HeaderRules) -> Optional[Header]:
    """The first header rule found in ``text`` (a file head), if any."""
    if not rules.screen.may_match(text):
        return None
    # A head the shared screen lets in (it says "generated" somewhere) is searched only with
    # the rules whose own literal runs are all in it (each MULTILINE search ~20-200 µs).
    lowered = folded(text)
    for header, needles in zip(rules.headers, rules.needles):
        if needles.may_match(text, lowered) and header.regex.search(text):
            return header
    return None


# Linguist's generated.rb ``minified_files?``: a .js or .css file whose average line length is
# over 110 characters is minified (Linguist reads the whole file; we read its first 4 KB).
MINIFIABLE = frozenset({"js", "mjs", "cjs", "css"})
MINIFIED = "minified (average line over 110 characters, Linguist's minified_files?)"


def minified(head: bytes) -> bool:
    """Whether a file head reads as minified code (see :data:`MINIFIED`)."""
    lines = head[:HEAD_LIMIT].split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    return bool(lines) and sum(map(len, lines)) > 110 * len(lines)


def header_possible(head: bytes, rules: HeaderRules) -> bool:
    """False when no header rule can match ``decode(head)``; decoding 4 KB costs more than this."""
    return rules.screen.may_match_bytes(head[:HEAD_LIMIT])


def head_tags(head: bytes) -> Tuple[str, ...]:
    """identify's tags of an extension-less file's head: its shebang interpreter's tags
    (``#!/usr/bin/env python3`` -> python; ``#!/command/with-contenv bash`` -> bash, the first
    word identify knows), else ``text`` or ``binary`` (identify.is_text)."""
    if head.startswith(b"#!"):
        for word in identify.parse_shebang(io.BytesIO(head[:HEAD_LIMIT])):
            tags = identify.tags_from_interpreter(word)
            if tags:
                return tuple(sorted(tags))
    return ("text",) if identify.is_text(io.BytesIO(head[:HEAD_LIMIT])) else ("binary",)


def name_tags(name: str) -> FrozenSet[str]:
    """identify's tags of a file name (its extension or a name it knows: Makefile, LICENSE)."""
    return frozenset(identify.tags_from_filename(name))


def js_directives(text: str) -> List[str]:
    """The directive prologue: ``'use client'`` counts only before the first statement."""
    out: List[str] = []
    pos = 0
    while pos < len(text):
        skip = _SKIP.match(text, pos)
        if skip and skip.end() > pos:
            pos = skip.end()
            continue
        directive = _DIRECTIVE.match(text, pos)
        if directive is None:
            break
        out.append(directive.group(2))
        pos = directive.end()
    return out


def js_imports(text: str) -> List[str]:
    """Module specifiers imported or required by ``text``, in order of appearance."""
    return [m.group(2) for m in _IMPORT.finditer(text)]


def package_of(specifier: str) -> str:
    """``@scope/pkg/sub`` → ``@scope/pkg``; ``fs/promises`` → ``fs``; ``node:fs`` → ``node:fs``."""
    parts = specifier.split("/")
    if specifier.startswith("@") and len(parts) > 1:
        return "/".join(parts[:2])
    return parts[0]


def package_matches(specifier: str, names: FrozenSet[str]) -> Optional[str]:
    """The table entry naming ``specifier``: exact, then its package, then ``@scope/*``."""
    if specifier in names:
        return specifier
    package = package_of(specifier)
    if package in names:
        return package
    if package.startswith("@"):
        scope = package.split("/")[0] + "/*"
        if scope in names:
            return scope
    return None


def package_json_dependencies(data: Optional[bytes]) -> Set[str]:
    """Every dependency name a package.json declares; an unreadable manifest declares none."""
    if not data:
        return set()
    try:
        manifest = json.loads(data.decode("utf-8", errors="replace"))
    except ValueError:
        return set()
    if not isinstance(manifest, dict):
        return set()
    names: Set[str] = set()
    for key in _DEPENDENCY_KEYS:
        section = manifest.get(key)
        if isinstance(section, dict):
            names.update(str(name) for name in section)
    return names


def first_in(items: Iterable[str], names: FrozenSet[str]) -> Optional[str]:
    """The first item that the ``names`` table recognises, as the table spells it."""
    for item in items:
        hit = package_matches(item, names)
        if hit is not None:
            return hit
    return None
