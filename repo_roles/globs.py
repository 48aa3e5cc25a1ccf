"""Gitignore-style globs compiled into ONE regex per list, so a path costs one match per table."""

from __future__ import annotations

import posixpath
import re
from itertools import compress, repeat
from operator import contains, itemgetter, not_
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from repo_roles.linear import LinearPattern, compile_untrusted

def _to_regex(glob: str) -> Tuple[Optional[str], Optional[bool]]:
    """pathspec's translation of one gitignore-style glob (pathspec imported on first use: a
    command that compiles no glob does not pay for it)."""
    global _to_regex
    try:  # pathspec >= 1.0 names the git semantics explicitly and deprecates GitWildMatchPattern
        from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern as _Pattern
    except ImportError:  # pragma: no cover - pathspec 0.12
        from pathspec.patterns.gitwildmatch import GitWildMatchPattern as _Pattern
    _to_regex = _Pattern.pattern_to_regex  # type: ignore[assignment]
    return _to_regex(glob)

# pathspec marks "matched a directory" with a named group; the same name twice in one
# alternation is a re.error, and we only need the fact of the match.
_ANY_PARENT = "^(?:.+/)?"
_UNSEEN = object()
_SECOND = itemgetter(1)
_WILD = re.compile(r"[*?\[\\]")
_NAMED_GROUP = re.compile(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>")
_PIECES = re.compile(r"[*?/]+")
_CLASS = re.compile(r"\[[^\]]*\]?")  # a [...] class (or an unclosed "[...": the rest of the glob)
FEW_TEXTS = 64  # texts of one kind matched glob by glob before a table compiles its regex


class GlobError(ValueError):
    """A glob that git's wildmatch grammar rejects."""

    def __init__(self, glob: str, reason: str) -> None:
        self.glob = glob
        super().__init__(f"invalid glob {glob!r}: {reason}")


def glob_regex(glob: str) -> Tuple[str, bool]:
    """Return ``(regex source, include)`` for one glob; ``include`` is False for ``!negations``."""
    known = _KNOWN.get(glob)
    if known is not None:
        return known
    try:
        source, include = _to_regex(glob)
    except (ValueError, TypeError) as exc:
        raise GlobError(glob, str(exc)) from exc
    if source is None or include is None:
        raise GlobError(glob, "matches nothing (empty or a comment)")
    found = _KNOWN[glob] = (_NAMED_GROUP.sub("(?:", source), bool(include))
    return found


# glob -> glob_regex's answer: translated this run, or given by :func:`know_translations`
_KNOWN: Dict[str, Tuple[str, bool]] = {}


def know_translations(known: Dict[str, Tuple[str, bool]]) -> None:
    """Answers of :func:`glob_regex` that a former run worked out with the same pathspec
    (``classify.tablecache``: the tool's own tables), so pathspec need not be imported."""
    _KNOWN.update(known)


def translations_of(value: object) -> Dict[str, Tuple[str, bool]]:
    """:func:`glob_regex`'s answer for every string in ``value`` (a parsed TOML document: its
    strings and table keys, e.g. per-path-ignores; or a dataclass model) that translates as a
    glob; what a run that
    knows them (:func:`know_translations`) need not ask pathspec (a string that is no glob is
    never asked)."""
    strings = set()
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            strings.add(item)
        elif isinstance(item, dict):
            pending.extend(item.values())
            pending.extend(item.keys())
        elif isinstance(item, (list, tuple, frozenset)):
            pending.extend(item)
        elif hasattr(item, "__dataclass_fields__"):  # a model (the loaded Config, its defaults)
            pending.extend(vars(item).values())
    found = {}
    for text in sorted(strings):
        try:
            found[text] = glob_regex(text)
        except (GlobError, RecursionError):
            continue
    return found


# pathspec's endings, as glob_regex leaves them: the path itself or a directory of it; a
# trailing-slash pattern's directories only.
_ANY_OR_DIRECTORY = "(?:(?:/)|$)"
_DIRECTORY = "(?:/)"


def attribute_regex(pattern: str) -> Optional[str]:
    """A ``.gitattributes`` pattern as a regex over a file's path; None when it can match no file.

    gitattributes patterns are gitignore's (:func:`glob_regex`), except
    (https://git-scm.com/docs/gitattributes) "patterns that match a directory do not
    recursively match paths inside that directory (so using the trailing-slash ``path/`` syntax
    is pointless in an attributes file; use ``path/**`` instead)", and negative patterns are
    forbidden.
    """
    try:
        source, include = glob_regex(pattern)
    except GlobError:
        return None
    if not include or source.endswith(_DIRECTORY):
        return None
    if source.endswith(_ANY_OR_DIRECTORY):
        source = source[: -len(_ANY_OR_DIRECTORY)] + "$"
    return source


class GlobSet:
    """Ordered globs in one regex; :meth:`first` answers which glob matched.

    A file matches a pattern when the pattern matches the file or one of its parent
    directories, exactly as in ``.gitignore`` (``re.match`` on the path, not ``fullmatch``).
    """

    def __init__(self, globs: Sequence[str], *, last_wins: bool = False, trusted: bool = False) -> None:
        """``trusted``: the globs are the tool's own tables (``rules/``), never the scanned
        repository's, so Python's ``re`` (C-level, no per-call wrapper) may run them; anything a
        repository wrote goes through :func:`~repo_roles.linear.compile_untrusted`."""
        self.globs: Tuple[str, ...] = tuple(globs)
        self._include: List[bool] = []
        parts: List[str] = []
        order = range(len(self.globs))
        # gitignore semantics ("the last matching pattern decides", so a later "!x" re-includes)
        # in one regex: list alternatives in reverse, and the first alternative that matches IS
        # the last matching pattern.
        for index in reversed(order) if last_wins else order:
            source, include = glob_regex(self.globs[index])
            self._include.append(include)
            parts.append(f"(?P<g{index}>{source})")
        compile_ = re.compile if trusted else compile_untrusted
        self._regex: Optional[LinearPattern] = compile_("|".join(parts)) if parts else None  # type: ignore[assignment]
        literals = [_required_literal(glob) for glob in self.globs]
        self._literals: Optional[Tuple[str, ...]] = (
            tuple(dict.fromkeys(literals)) if literals and None not in literals else None  # type: ignore[arg-type]
        )
        self._included = {f"g{i}": inc for i, inc in zip(reversed(order) if last_wins else order, self._include)}

    def first(self, path: str) -> Optional[str]:
        """The deciding glob for ``path`` or ``None`` (also ``None`` when a negation decides)."""
        if self._regex is None:
            return None
        match = self._regex.match(path)
        if match is None or match.lastgroup is None:
            return None
        if not self._included[match.lastgroup]:
            return None
        return self.globs[int(match.lastgroup[1:])]

    def mask(self, paths: Sequence[str], *, matched: bool = True) -> List[bool]:
        """Per path, whether :meth:`first` finds a glob (``matched``) or finds none (not
        ``matched``): a selector for ``itertools.compress`` over 100,000 paths.

        Without negations "a glob decides" is "the regex matches".  Every path a glob matches
        contains the glob's longest literal run (``node_modules`` of ``**/node_modules/``), so a
        C-level substring test leaves the regex -- whose ``(?:.+/)?`` prefix backtracks over
        each path -- only the few paths that hold one.
        """
        if self._regex is None:
            return [not matched] * len(paths)
        if not all(self._include):  # a later "!x" may re-include: ask first() per path
            return [(self.first(p) is not None) is matched for p in paths]
        match = self._regex.match
        if self._literals is None:
            hits = list(map(bool, map(match, paths)))
            return hits if matched else list(map(not_, hits))
        out = [not matched] * len(paths)
        positions = range(len(paths))
        candidates: set = set()
        for literal in self._literals:
            candidates.update(compress(positions, map(contains, paths, repeat(literal))))
        for i in candidates:
            if match(paths[i]) is not None:
                out[i] = matched
        return out

    def __bool__(self) -> bool:
        return self._regex is not None


class GlobTable:
    """Globs that all mean the same thing (one table): which one matched, as fast as possible.

    Same answers as :class:`GlobSet` for "does any glob match", but a glob without a slash is
    matched against the file name and against each directory name (cached per directory), and
    the common shapes ``name``, ``*suffix`` and ``prefix*`` are string operations: one regex
    alternation of ``[^/]*`` patterns rescans the name once per alternative.
    """

    def __init__(self, globs: Sequence[str]) -> None:
        """``globs``: the tool's own tables (``rules/``), never a scanned repository's: Python's
        ``re`` runs them.  Every glob is translated (validated) now; each of the three regexes is
        compiled on its first use, so a run that classifies nothing afresh compiles none."""
        self.globs: Tuple[str, ...] = tuple(globs)
        # validate every glob, whatever its fast path (the translation is kept for _compile)
        self._sources: List[Tuple[str, bool]] = [glob_regex(glob) for glob in self.globs]
        self._exact: Dict[str, str] = {}
        self._suffixes: Tuple[str, ...] = ()
        self._prefixes: Tuple[str, ...] = ()
        by_regex: List[int] = []
        by_path: List[int] = []
        for index, glob in enumerate(self.globs):
            if not _is_name_glob(glob):
                by_path.append(index)
            elif glob.endswith("/") or _WILD.search(glob[1:-1] if len(glob) > 1 else ""):
                by_regex.append(index)
            elif not _WILD.search(glob):
                self._exact.setdefault(glob, glob)
            elif glob.startswith("*") and not _WILD.search(glob[1:]):
                self._suffixes += (glob[1:],)
            elif glob.endswith("*") and not _WILD.search(glob[:-1]):
                self._prefixes += (glob[:-1],)
            else:
                by_regex.append(index)
        # Path globs naming a directory (``**/docs/_build/``) depend on the directory only: one
        # match per directory, cached. The others (``**/.sqlx/query-*.json``) run on the path,
        # after a substring test for the literal every match must contain.
        dir_globs = [i for i in by_path if self.globs[i].endswith("/")]
        file_globs = [i for i in by_path if not self.globs[i].endswith("/")]
        for index in by_regex + by_path:
            if not self._sources[index][1]:
                raise GlobError(self.globs[index], "negations are not allowed in rule tables")
        # attribute -> (glob indexes, name only): compiled by __getattr__ on first use
        self._lazy = {"_names": (by_regex, True), "_dir_paths": (dir_globs, False), "_paths": (file_globs, False)}
        # before that (the first FEW_TEXTS texts of a kind: a run on a few files), each glob is
        # compiled alone, and only once a text holds the literal every match of it contains
        self._asked = {"_names": 0, "_dir_paths": 0, "_paths": 0}
        self._single: Dict[int, "re.Pattern[str]"] = {}
        self._pieces = {i: _literal_pieces(self.globs[i]) for i in by_regex + by_path}
        literals = [_required_literal(self.globs[i]) for i in file_globs]
        self._path_literals: Optional["re.Pattern[str]"] = (
            re.compile("|".join(map(re.escape, dict.fromkeys(literals))))  # type: ignore[arg-type]
            if literals and None not in literals else None
        )
        self._dir_path_hits: Dict[str, Optional[str]] = {}
        self._dirs: Dict[str, Optional[str]] = {"": None}
        # path component -> :meth:`_name`'s answer: file names (``x``) and directory names (``x/``)
        self._base_cache: Dict[str, object] = {}
        self._any_dir_paths = bool(dir_globs)
        self._any_paths = bool(file_globs)

    def __getattr__(self, name: str) -> Optional["re.Pattern[str]"]:
        """``_names``, ``_dir_paths``, ``_paths``: the regex of those globs, compiled now."""
        lazy = self.__dict__.get("_lazy")
        if lazy is None or name not in lazy:
            raise AttributeError(name)
        found = self.__dict__[name] = self._compile(*lazy[name])
        return found

    def _source(self, index: int, name_only: bool) -> str:
        source = self._sources[index][0]
        if name_only and source.startswith(_ANY_PARENT):
            # Matched against one path component: the "any parent" prefix can only backtrack.
            source = "^" + source[len(_ANY_PARENT):]
        return source

    def _compile(self, indexes: Sequence[int], name_only: bool = False) -> Optional["re.Pattern[str]"]:
        parts = [f"(?P<g{index}>{self._source(index, name_only)})" for index in indexes]
        return re.compile("|".join(parts)) if parts else None

    def _regex(self, regex: Optional["re.Pattern[str]"], text: str) -> Optional[str]:
        match = regex.match(text) if regex is not None else None
        return self.globs[int(match.lastgroup[1:])] if match and match.lastgroup else None

    def _match(self, kind: str, text: str) -> Optional[str]:
        """The glob of ``kind`` matching ``text``, as the regex of all of them answers (the first
        alternative that matches is the first glob, in order, that matches alone)."""
        compiled = self.__dict__.get(kind, _UNSEEN)
        if compiled is not _UNSEEN:
            return self._regex(compiled, text)  # type: ignore[arg-type]
        self._asked[kind] += 1
        if self._asked[kind] > FEW_TEXTS:
            return self._regex(getattr(self, kind), text)
        indexes, name_only = self._lazy[kind]
        for index in indexes:
            if not all(map(text.__contains__, self._pieces[index])):
                continue  # every match of the glob contains each of its literal pieces
            single = self._single.get(index)
            if single is None:
                single = self._single[index] = re.compile(self._source(index, name_only))
            if single.match(text):
                return self.globs[index]
        return None

    def prefill(self, names: Sequence[str], bare: Optional[Sequence[str]] = None) -> None:
        """:meth:`_name` for many path components at once (file names ``x``, directory names
        ``x/``): C-level screens -- the exact names, ``str.endswith``/``startswith`` over the
        suffixes and prefixes, the table's one name regex -- over all of them, and the exact
        answer worked out only for the few a screen lets through.  A component no screen lets
        through matches no glob: :meth:`_name` would answer None for it.  ``names`` are
        distinct; ``bare``, when given, is each name without its trailing ``/``."""
        if not self.globs:  # first_split answers None at once: nothing to remember
            return
        cache = self._base_cache
        todo = names
        if cache:  # a table shared by an earlier scan of this process: its answers stand
            todo = [name for name in names if name not in cache]
            bare = None
        if not todo:
            return
        if bare is None:
            bare = [name[:-1] if name.endswith("/") else name for name in todo]
        hits: set = set()
        if self._exact:
            hits.update(compress(todo, map(self._exact.__contains__, bare)))
        if self._suffixes:
            hits.update(compress(todo, map(str.endswith, bare, repeat(self._suffixes))))
        if self._prefixes:
            hits.update(compress(todo, map(str.startswith, bare, repeat(self._prefixes))))
        regex = self._names if self._lazy["_names"][0] else None
        if regex is not None:
            hits.update(compress(todo, map(regex.match, todo)))
        answers = dict.fromkeys(todo)
        for name in hits:
            answers[name] = self._name(name)
        cache.update(answers)  # published whole: a thread reading the table never sees a name's None early

    def bulk_first(self, paths: Sequence[str], directories: Sequence[str], bases: Sequence[str]) -> Dict[str, str]:
        """:meth:`first_split` of many files at once (``paths[i]`` split into ``directories[i]``
        and a non-empty ``bases[i]``): the paths some glob matches, with the glob
        :meth:`first_split` names.  Each kind of answer is worked out once per distinct
        directory or name and spread over the paths in C-level passes, lowest precedence first
        (a directory name, a path glob, a directory path glob, the file name), each later
        answer replacing an earlier one -- the order in which :meth:`first_split` asks them,
        reversed."""
        if not self.globs:
            return {}
        distinct = set(directories)
        distinct.discard("")
        answers = {directory: self._directory(directory) for directory in distinct}
        found = dict(filter(_SECOND, zip(paths, map(answers.get, directories))))
        if self._any_paths:
            literals = self._path_literals
            for path in (filter(literals.search, paths) if literals is not None
                         else self._candidates("_paths", paths)):
                hit = self._match("_paths", path)
                if hit is not None:
                    found[path] = hit
        if self._any_dir_paths:
            known = self._dir_path_hits
            todo = [directory for directory in distinct if directory not in known]
            texts = [directory + "/" for directory in todo]
            maybe = self._candidates("_dir_paths", texts)
            for directory, text in zip(todo, texts):
                known[directory] = self._match("_dir_paths", text) if text in maybe else None
            found.update(filter(_SECOND, zip(paths, map(known.get, directories))))
        cache = self._base_cache
        for base in set(bases).difference(cache):
            cache[base] = self._name(base)
        found.update(filter(_SECOND, zip(paths, map(cache.get, bases))))
        return found  # type: ignore[return-value]

    def _candidates(self, kind: str, texts: Sequence[str]) -> "set[str]":
        """The ``texts`` some glob of ``kind`` may match: those holding every literal piece of
        one of its globs (every match of a glob holds them), found by C-level substring passes
        per glob, so the regex -- whose ``(?:.+/)?`` prefixes backtrack over each ``/`` of a
        text -- runs on those only.  A glob without pieces lets every text through."""
        found: "set[str]" = set()
        for index in self._lazy[kind][0]:
            pieces = self._pieces[index]
            if not pieces:
                return set(texts)
            held: Sequence[str] = texts
            for piece in pieces:
                held = list(compress(held, map(contains, held, repeat(piece))))
                if not held:
                    break
            found.update(held)
        return found

    def _cached_name(self, name: str) -> Optional[str]:
        hit = self._base_cache.get(name, _UNSEEN)
        if hit is _UNSEEN:
            hit = self._base_cache[name] = self._name(name)
        return hit  # type: ignore[return-value]

    def _name(self, name: str) -> Optional[str]:
        """The glob matching one path component (``name/`` for a directory)."""
        bare = name[:-1] if name.endswith("/") else name
        if bare in self._exact:
            return self._exact[bare]
        if self._suffixes and bare.endswith(self._suffixes):
            return "*" + next(x for x in self._suffixes if bare.endswith(x))
        if self._prefixes and bare.startswith(self._prefixes):
            return next(x for x in self._prefixes if bare.startswith(x)) + "*"
        return self._match("_names", name)

    def _directory(self, directory: str) -> Optional[str]:
        if directory not in self._dirs:
            # Parents first, without recursion: a path may be thousands of directories deep.
            pending = []
            current = directory
            while current and current not in self._dirs:
                pending.append(current)
                current = current.rpartition("/")[0]
            for d in reversed(pending):
                parent, _, name = d.rpartition("/")
                self._dirs[d] = (self._dirs[parent] if parent else None) or self._cached_name(name + "/")
        return self._dirs[directory]

    def first(self, path: str) -> Optional[str]:
        """A glob that matches ``path`` (a trailing ``/`` marks a directory), or ``None``."""
        if path.endswith("/"):
            return self.first_split(path, path[:-1], "")
        directory, base = posixpath.split(path)
        return self.first_split(path, directory, base)

    def first_split(self, path: str, directory: str, base: str) -> Optional[str]:
        """:meth:`first` for a path already split (``base`` is ``""`` for a directory)."""
        if not self.globs:
            return None
        if base:
            # Names repeat across a repository (index.ts, __init__.py): remember each answer.
            hit = self._cached_name(base)
            if hit is not None:
                return hit  # type: ignore[return-value]
        if directory and self._any_dir_paths:
            hit = self._dir_path_hits.get(directory, _UNSEEN)
            if hit is _UNSEEN:
                hit = self._dir_path_hits[directory] = self._match("_dir_paths", directory + "/")
            if hit is not None:
                return hit  # type: ignore[return-value]
        if self._any_paths:
            literals = self._path_literals
            if literals is None or literals.search(path) is not None:
                hit = self._match("_paths", path)
                if hit is not None:
                    return hit  # type: ignore[return-value]
        if not directory:
            return None
        found = self._dirs.get(directory, _UNSEEN)
        return self._directory(directory) if found is _UNSEEN else found  # type: ignore[return-value]

    def __bool__(self) -> bool:
        return bool(self.globs)


def _required_literal(glob: str) -> Optional[str]:
    """A run of characters that every path ``glob`` matches contains; None when unsure.

    The longest piece between ``/`` and wildcards: the regex matches it verbatim, in the path
    or in the parent directory the glob matches.  Negations, escapes and ``[...]`` classes are
    not analysed, and a short piece is not worth a pass over every path.
    """
    if "[" in glob:
        return None
    longest = max(_literal_pieces(glob), key=len, default="")
    return longest if len(longest) >= 3 else None


def _literal_pieces(glob: str) -> Tuple[str, ...]:
    """Runs of characters every text ``glob``'s regex matches contains, verbatim: the pieces
    between ``/``, wildcards and ``[...]`` classes (none for a negation or an escape)."""
    if glob.startswith("!") or "\\" in glob or any(odd in glob for odd in ("[]", "[!]", "[^]")):
        return ()  # an escape, or a class whose first member is "]": not analysed
    pieces = (piece.strip() for piece in _PIECES.split(_CLASS.sub("*", glob)))  # git drops trailing spaces
    return tuple(piece for piece in pieces if piece)


def _is_name_glob(glob: str) -> bool:
    """``*.min.js`` or ``*.Tests/``: no slash inside, so it may match any path component."""
    body = glob[:-1] if glob.endswith("/") else glob
    return "/" not in body and "**" not in body and not glob.startswith(("!", "#", "\\"))
