"""Chromium/Gerrit text ``OWNERS`` files.

Chromium's docs/code_reviews.md ("OWNERS file details") defers to Gerrit's code-owners plugin,
``backend-find-owners.md`` and ``path-expressions.md``; the semantics kept here:

* one email per line, ``*`` (every committer), ``#`` comments (whole line or after an entry);
* ``set noparent`` stops inheritance from parent directories;
* ``per-file <globs>=<owners|*|set noparent|file:path>``: globs are comma separated, matched
  against the path relative to the OWNERS directory and implicitly prefixed with ``{**/,}``
  (find-owners matches in subdirectories too); ``per-file x=set noparent`` leaves matching
  files only their per-file owners (plus nearer directories' owners);
* ``file:path`` imports only the unrestricted owners of another file (not its ``per-file``
  rules nor its ``set noparent``), recursively; ``include path`` imports everything.
  A path starting with ``/`` (Chromium writes ``file://ipc/OWNERS``) is relative to the
  repository root, otherwise to the directory of the file holding the line.

Every referenced file is read and parsed once; reference cycles are reported, not followed.
"""

from __future__ import annotations

import posixpath
import re
from typing import Callable, Dict, List, NamedTuple, Optional, Set, Tuple

from repo_roles.linear import compile_untrusted

from repo_roles.ownership.owners_files import EVERYONE, Grant, OwnersFileIssue, ParsedOwnersFile

_EMAIL_RE = re.compile(r"[^\s@,]+@[^\s@,]+")
_LOGIN_RE = re.compile(r"@?[A-Za-z0-9][A-Za-z0-9_-]*")
_NOPARENT_RE = re.compile(r"set\s+noparent")
_PER_FILE_RE = re.compile(r"per-file\s+(?P<globs>[^=]+?)\s*=\s*(?P<rest>.*)")
_INCLUDE_RE = re.compile(r"include\s+(?P<target>\S+)")
# Bounds of one file's reference closure (``file:`` / ``include``): Chromium's own trees stay
# far below (a handful of levels); past them the rest of the chain is reported, not read.
MAX_INCLUDE_DEPTH = 32
MAX_INCLUDE_FILES = 256


class _PerFile(NamedTuple):
    globs: Tuple[str, ...]
    kind: str  # "owners" | "noparent" | "file"
    values: Tuple[str, ...]  # owners, or the one resolved target of ``file:``
    holder: str  # the file the line is in (an ``include``d file's rules apply to the includer)
    line: int
    column: int


class _Ref(NamedTuple):
    kind: str  # "file" | "include"
    target: str  # resolved, repository-relative
    line: int
    column: int


class _Raw(NamedTuple):
    owners: Tuple[Tuple[str, int], ...]  # (owner, line)
    noparent: bool
    per_file: Tuple[_PerFile, ...]
    refs: Tuple[_Ref, ...]


class ChromiumParser:
    """Parses Chromium OWNERS files, resolving references through ``read`` (memoised)."""

    def __init__(self, read: Callable[[str], Optional[bytes]]) -> None:
        self._read = read
        self._raw: Dict[str, Optional[_Raw]] = {}
        self._closures: Dict[str, Tuple[Tuple[str, ...], Optional[int]]] = {}
        self.issues: List[OwnersFileIssue] = []

    def parse(self, path: str, data: Optional[bytes] = None) -> ParsedOwnersFile:
        """The grants of the directory OWNERS file at ``path`` (``data`` saves a second read)."""
        if data is not None and path not in self._raw:
            self._raw[path] = self._parse_raw(path, data)
        owners, owner_line = self._unrestricted(path)
        noparent, per_file_rules = self._with_includes(path)
        base = posixpath.dirname(path)
        grants = [Grant(owners, owner_line)] if owners else []
        for rule in per_file_rules:
            try:
                matcher = _globs_matcher(rule.globs, base)
            except re.error as exc:
                self._issue(rule.holder, rule.line, rule.column, "invalid-glob", f"invalid per-file glob: {exc}")
                continue
            if rule.kind == "noparent":
                grants.append(Grant((), rule.line, matcher, noparent=True))
            elif rule.kind == "file":
                if self._get_raw(rule.values[0]) is None:
                    self._issue(rule.holder, rule.line, rule.column, "include-not-found",
                                f"referenced OWNERS file {rule.values[0]} does not exist")
                    continue
                grants.append(Grant(self._unrestricted(rule.values[0])[0], rule.line, matcher))
            else:
                grants.append(Grant(rule.values, rule.line, matcher))
        return ParsedOwnersFile(path, "chromium", tuple(grants), noparent)

    # -- reference closures -----------------------------------------------------------------

    def _unrestricted(self, start: str) -> Tuple[Tuple[str, ...], Optional[int]]:
        """Owners of ``start`` and of everything it references, and the line granting them."""
        cached = self._closures.get(start)
        if cached is not None:
            return cached
        owners: Dict[str, None] = {}
        first_line: List[Optional[int]] = [None]

        def visit(path: str, stack: List[str], seen: Set[str]) -> None:
            raw = self._get_raw(path)
            if raw is None:
                return
            for owner, line in raw.owners:
                owners.setdefault(owner, None)
                if path == start and first_line[0] is None:
                    first_line[0] = line
            stack.append(path)
            for ref in raw.refs:
                if self._follow(path, ref, stack, seen):
                    before = len(owners)
                    visit(ref.target, stack, seen)
                    if path == start and first_line[0] is None and len(owners) > before:
                        first_line[0] = ref.line
            stack.pop()

        visit(start, [], {start})
        result = (tuple(owners), first_line[0])
        self._closures[start] = result
        return result

    def _with_includes(self, start: str) -> Tuple[bool, Tuple[_PerFile, ...]]:
        """``set noparent`` and ``per-file`` rules of ``start`` and of what it ``include``s."""
        noparent = False
        rules: List[_PerFile] = []
        stack: List[str] = []
        seen = {start}

        def visit(path: str) -> None:
            nonlocal noparent
            raw = self._get_raw(path)
            if raw is None:
                return
            noparent = noparent or raw.noparent
            rules.extend(raw.per_file)
            stack.append(path)
            for ref in raw.refs:
                if ref.kind == "include" and self._follow(path, ref, stack, seen):
                    visit(ref.target)
            stack.pop()

        visit(start)
        return noparent, tuple(rules)

    def _follow(self, path: str, ref: _Ref, stack: List[str], seen: Set[str]) -> bool:
        """Whether to descend into ``ref``; reports cycles and missing files."""
        if ref.target in stack:
            self.issues.append(OwnersFileIssue(path, ref.line, ref.column, "include-cycle",
                                               f"{ref.target} is already being included (reference cycle)"))
            return False
        if ref.target in seen:
            return False
        if len(stack) >= MAX_INCLUDE_DEPTH or len(seen) >= MAX_INCLUDE_FILES:
            # A hostile tree links thousands of files: bounded, and said so (no RecursionError).
            limit = f"{MAX_INCLUDE_DEPTH} levels deep" if len(stack) >= MAX_INCLUDE_DEPTH else f"{MAX_INCLUDE_FILES} files"
            self.issues.append(OwnersFileIssue(path, ref.line, ref.column, "include-limit",
                                               f"{ref.target} not followed: references go more than {limit}"))
            return False
        seen.add(ref.target)
        if self._get_raw(ref.target) is None:
            self.issues.append(OwnersFileIssue(path, ref.line, ref.column, "include-not-found",
                                               f"referenced OWNERS file {ref.target} does not exist"))
            return False
        return True

    def _get_raw(self, path: str) -> Optional[_Raw]:
        if path not in self._raw:
            data = self._read(path)
            self._raw[path] = self._parse_raw(path, data) if data is not None else None
        return self._raw[path]

    # -- line syntax -------------------------------------------------------------------------

    def _parse_raw(self, path: str, data: bytes) -> _Raw:
        owners: List[Tuple[str, int]] = []
        per_file: List[_PerFile] = []
        refs: List[_Ref] = []
        noparent = False
        text = data.decode("utf-8", "replace").lstrip("\ufeff")
        for number, line in enumerate(text.split("\n"), 1):
            content = line.split("#", 1)[0]
            entry = content.strip()
            if not entry:
                continue
            column = len(content) - len(content.lstrip()) + 1
            include = _INCLUDE_RE.fullmatch(entry)
            if _NOPARENT_RE.fullmatch(entry):
                noparent = True
            elif entry.startswith("per-file"):
                rule = self._per_file(path, entry, number, column)
                if rule is not None:
                    per_file.append(rule)
            elif entry == EVERYONE or _EMAIL_RE.fullmatch(entry):
                owners.append((entry, number))
            elif entry.startswith("file:"):
                target = self._resolve(path, entry[len("file:"):].strip(), number, column)
                if target is not None:
                    refs.append(_Ref("file", target, number, column))
            elif include:
                target = self._resolve(path, include.group("target"), number, column)
                if target is not None:
                    refs.append(_Ref("include", target, number, column))
            elif _LOGIN_RE.fullmatch(entry):
                self._issue(path, number, column, "invalid-owner",
                            f"{entry!r} is not an email address (Chromium OWNERS files list emails)")
            else:
                self._issue(path, number, column, "unknown-directive", f"unrecognised OWNERS line {entry!r}")
        return _Raw(tuple(owners), noparent, tuple(per_file), tuple(refs))

    def _per_file(self, path: str, entry: str, number: int, column: int) -> Optional[_PerFile]:
        match = _PER_FILE_RE.fullmatch(entry)
        if match is None:
            self._issue(path, number, column, "invalid-per-file", "expected 'per-file <globs>=<owners>'")
            return None
        globs = tuple(g.strip() for g in _split_globs(match.group("globs")) if g.strip())
        rest = match.group("rest").strip()
        if not globs or not rest:
            self._issue(path, number, column, "invalid-per-file", "expected 'per-file <globs>=<owners>'")
            return None
        if _NOPARENT_RE.fullmatch(rest):
            return _PerFile(globs, "noparent", (), path, number, column)
        if rest.startswith("file:"):
            target = self._resolve(path, rest[len("file:"):].strip(), number, column)
            return _PerFile(globs, "file", (target,), path, number, column) if target is not None else None
        owners = []
        for token in (t.strip() for t in rest.split(",")):
            if token == EVERYONE or _EMAIL_RE.fullmatch(token):
                owners.append(token)
            else:
                self._issue(path, number, column, "invalid-owner", f"{token!r} is not an email address or '*'")
        return _PerFile(globs, "owners", tuple(owners), path, number, column) if owners else None

    def _resolve(self, path: str, reference: str, number: int, column: int) -> Optional[str]:
        """A ``file:``/``include`` reference as a repository-relative path, or None (reported)."""
        if not reference:
            self._issue(path, number, column, "invalid-reference", "missing path after 'file:'")
            return None
        if ":" in reference:  # ``project:path`` / ``project:branch:path`` name another repository
            self._issue(path, number, column, "external-reference",
                        f"{reference!r} refers to another Gerrit project; it is not followed")
            return None
        if reference.startswith("/"):
            joined = reference.lstrip("/")
        else:
            joined = posixpath.join(posixpath.dirname(path), reference)
        target = posixpath.normpath(joined)
        if target == ".." or target.startswith("../") or target == ".":
            self._issue(path, number, column, "invalid-reference", f"{reference!r} points outside the repository")
            return None
        return target

    def _issue(self, path: str, line: int, column: int, code: str, message: str) -> None:
        self.issues.append(OwnersFileIssue(path, line, column, code, message))


# -- per-file globs -----------------------------------------------------------------------------


def _split_globs(text: str) -> List[str]:
    """Split on commas that are not inside ``{a,b}`` alternatives."""
    parts, depth, current = [], 0, []
    for char in text:
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        depth += char == "{"
        depth -= char == "}" and depth > 0
        current.append(char)
    parts.append("".join(current))
    return parts


def _glob_regex(glob: str) -> str:
    """Gerrit glob → regex: ``*`` stays in one directory, ``**`` crosses them, ``?``, ``[..]``, ``{a,b}``."""
    out, i = [], 0
    while i < len(glob):
        char = glob[i]
        if glob.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            negated = glob.startswith("[!", i)
            # A "]" right after "[" or "[!" is a literal member, so the search starts past it.
            end = glob.find("]", i + (3 if negated else 2))
            if end == -1:
                out.append(re.escape(char))
            else:
                body = glob[i + (2 if negated else 1) : end].replace("\\", "\\\\").replace("[", "\\[")
                out.append(("[^" if negated else "[") + body + "]")
                i = end + 1
                continue
        elif char == "{" and "}" in glob[i:]:
            end = glob.index("}", i)
            alternatives = _split_globs(glob[i + 1 : end])
            out.append("(?:" + "|".join(_glob_regex(a) for a in alternatives) + ")")
            i = end + 1
            continue
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def _globs_matcher(globs: Tuple[str, ...], base: str) -> Callable[[str], bool]:
    """A predicate over paths relative to ``base`` (the OWNERS directory); ``re.error`` when a
    glob is malformed (``[z-a]``)."""
    alternatives = []
    for glob in globs:
        if glob.startswith("/"):  # absolute: only meaningful below this OWNERS directory
            absolute = glob.lstrip("/")
            prefix = base + "/" if base else ""
            if absolute.startswith(prefix):
                alternatives.append(_glob_regex(absolute[len(prefix):]))
        else:
            alternatives.append("(?:.*/)?" + _glob_regex(glob))  # find-owners' implicit {**/,}
    if not alternatives:
        return lambda relative: False
    pattern = compile_untrusted("(?:" + "|".join(alternatives) + ")", re.S)  # re.error: caller reports
    return lambda relative: pattern.fullmatch(relative) is not None
