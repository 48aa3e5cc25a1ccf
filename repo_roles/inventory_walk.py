"""The file list outside git: a filesystem walk honouring ``.gitignore`` files, and a minimal
``.gitattributes`` reader; plus the entry of an untracked file from its ``lstat`` mode.

Loaded only when a project is not in a git repository (or for ``--untracked``), so a check
inside a repository never imports it (nor pathspec for it).
"""

from __future__ import annotations

import bisect
import os
import posixpath
import stat
from operator import attrgetter
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

import pathspec

from repo_roles import safeio
from repo_roles.globs import attribute_regex
from repo_roles.linear import compile_untrusted
from repo_roles.index_listing import FileEntry

if TYPE_CHECKING:
    from repo_roles.inventory import Inventory


def walk(root: str) -> List[FileEntry]:
    """Every file under ``root``, honouring each ``.gitignore`` relative to its own directory.

    Symlinked directories are listed as symlinks, never followed; ``.git`` is always skipped;
    unreadable directories are skipped (there is nothing to list from them).
    """
    out: List[FileEntry] = []
    # (directory relative to root with a trailing "/", the .gitignore specs that apply to it)
    stack: List[Tuple[str, Tuple[Tuple[str, pathspec.GitIgnoreSpec], ...]]] = [("", ())]
    while stack:
        rel_dir, chain = stack.pop()
        abs_dir = os.path.join(root, rel_dir)
        spec = _read_gitignore(os.path.join(abs_dir, ".gitignore"))
        if spec is not None:
            chain = chain + ((rel_dir, spec),)
        try:
            with os.scandir(abs_dir) as it:
                items = list(it)
        except OSError:
            continue
        for item in items:
            if item.name == ".git":
                continue
            rel = rel_dir + item.name
            is_dir = item.is_dir(follow_symlinks=False)
            if _ignored(chain, rel + "/" if is_dir else rel):
                continue
            if is_dir:
                stack.append((rel + "/", chain))
                continue
            try:
                entry = entry_from_stat(rel, item.stat(follow_symlinks=False).st_mode)
            except OSError:
                continue
            if entry is not None:
                out.append(entry)
    out.sort(key=attrgetter("path"))
    return out


def _read_gitignore(path: str) -> Optional[pathspec.GitIgnoreSpec]:
    try:  # never a link, a FIFO or a device; at most MAX_IGNORE bytes
        data = safeio.read_regular(path, max_size=safeio.MAX_IGNORE)
    except (OSError, safeio.UnsafeReadError):  # none here, or not a plain file: no rules from it
        return None
    return pathspec.GitIgnoreSpec.from_lines(data.decode("utf-8", "surrogateescape").splitlines())


def _ignored(chain: Tuple[Tuple[str, pathspec.GitIgnoreSpec], ...], rel: str) -> bool:
    # The deepest .gitignore with a matching pattern decides (git's precedence); a negation there
    # re-includes what a parent ignored.
    for base, spec in reversed(chain):
        verdict = spec.check_file(rel[len(base):]).include
        if verdict is not None:
            return verdict
    return False


def walk_attributes(inv: "Inventory", names: List[str]) -> List[Tuple[str, str, str]]:
    """Minimal ``.gitattributes`` support outside git: ``attr``, ``-attr``, ``!attr``, ``attr=v``.

    Each file's patterns apply relative to its directory, later lines and deeper files win.
    Not supported: macros (``binary``), ``[attr]`` definitions, quoted patterns.  Per file and
    attribute, its lines are one compiled regex (last line first): one C-level match per path
    and attribute, not a pathspec call per line and path.
    """
    wanted = set(names)
    state: Dict[str, Dict[str, str]] = {}
    paths = sorted(e.path for e in inv.entries)
    sources = sorted(
        (p for p in paths if posixpath.basename(p) == ".gitattributes"), key=lambda p: (p.count("/"), p)
    )
    for source in sources:
        base = posixpath.dirname(source)
        base = base + "/" if base else ""
        # attribute -> (regex, value) of each line naming it, in file order
        lines: Dict[str, List[Tuple[str, Optional[str]]]] = {}
        data = inv.read_bytes(source, 1 << 20) or b""
        for line in data.decode("utf-8", "surrogateescape").splitlines():
            words = line.split()
            if not words or words[0].startswith(("#", "[")):
                continue
            regex = attribute_regex(words[0])
            if regex is None:
                continue
            for attr, value in map(_attr_change, words[1:]):
                if attr in wanted:
                    lines.setdefault(attr, []).append((regex, value))
        if not lines:
            continue
        below = paths[bisect.bisect_left(paths, base):bisect.bisect_left(paths, base + "\U0010ffff")]
        for attr, rules in lines.items():
            # One alternation, last line first: the first alternative that matches is the last
            # matching line, which decides (a "!attr" line makes the attribute unspecified).
            match = compile_untrusted("|".join(f"(?P<l{i}>{rx})" for i, (rx, _) in reversed(list(enumerate(rules))))).match
            for path in below:
                found = match(path[len(base):])
                if found is None:
                    continue
                value = rules[int(found.lastgroup[1:])][1]  # type: ignore[index]
                if value is None:
                    state.get(path, {}).pop(attr, None)
                else:
                    state.setdefault(path, {})[attr] = value
    return [(path, attr, value) for path, attrs in state.items() for attr, value in attrs.items()]


def _attr_change(word: str) -> Tuple[str, Optional[str]]:
    if word.startswith("-"):
        return word[1:], "unset"
    if word.startswith("!"):
        return word[1:], None
    name, eq, value = word.partition("=")
    return name, value if eq else "set"


def entry_from_stat(path: str, st_mode: int) -> Optional[FileEntry]:
    """An untracked / walked entry from an ``lstat`` mode; None for FIFOs, sockets, devices."""
    if stat.S_ISLNK(st_mode):
        return FileEntry(path, "symlink", 0o120000, None, False)
    if stat.S_ISREG(st_mode):
        return FileEntry(path, "file", 0o100755 if st_mode & 0o111 else 0o100644, None, False)
    return None
