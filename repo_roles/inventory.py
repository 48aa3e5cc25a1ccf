"""The file list of a project root: git's index in one call, or a filesystem walk outside git.

Paths are POSIX strings relative to the project root.  Git output is read as bytes and decoded
as UTF-8 with ``surrogateescape`` -- the same decoding ``os.scandir`` uses on POSIX -- so any
name round-trips (``path.encode("utf-8", "surrogateescape")`` gives git's bytes back) and an odd
name never crashes a scan.  The git path is the hot one (100k files): no per-entry ``Path``
objects or ``stat`` calls there, entries are plain NamedTuples.
"""

from __future__ import annotations

import os
import posixpath
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

import git
import pathspec

from repo_roles.errors import NotARepositoryError, UsageError

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # absent on Windows: an lstat check stands in
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # never hang opening a FIFO that sits in the tree
_O_BINARY = getattr(os, "O_BINARY", 0)

_GIT_KINDS = {"120000": ("symlink", 0o120000), "160000": ("submodule", 0o160000)}
_FILE_MODES = {"100644": 0o100644, "100755": 0o100755}


class FileEntry(NamedTuple):
    path: str  # POSIX, relative to the project root, any characters (spaces, unicode, "\n")
    kind: str  # "file" | "symlink" | "submodule"
    mode: int  # git mode: 0o100644, 0o100755, 0o120000, 0o160000 (0 when unknown)
    blob: Optional[str]  # git object id from the index; None for untracked / non-git
    tracked: bool


@dataclass
class Inventory:
    project_root: Path  # absolute (resolved)
    git_root: Optional[Path]  # absolute work-tree top level; None when not a git repository
    prefix: str  # project_root relative to git_root: "" or "examples/web/"
    scope: str  # sub-path the user asked for, relative to project_root ("" = all)
    entries: List[FileEntry]  # every file of the project (context for rules), sorted by path
    # attribute name -> {path: value}; filled by attributes(), one git call per new batch of names
    _attr_cache: Dict[str, Dict[str, str]] = field(default_factory=dict, init=False, repr=False, compare=False)
    # directory -> "its resolved location stays inside project_root"; realpath is costly per file
    _dir_inside: Dict[str, bool] = field(default_factory=dict, init=False, repr=False, compare=False)
    _real_root: str = field(default="", init=False, repr=False, compare=False)

    def in_scope(self) -> List[FileEntry]:
        """The entries under ``scope`` (a file or a directory); all of them when scope is ``""``."""
        if not self.scope:
            return list(self.entries)
        return [e for e in self.entries if _under(e.path, self.scope)]

    def abspath(self, path: str) -> Path:
        return self.project_root / path

    def read_head(self, path: str, limit: int = 4096) -> Optional[bytes]:
        """The first ``limit`` bytes of a regular work-tree file; None for anything else."""
        fd = self._open_regular(path)
        if fd is None:
            return None
        try:
            return os.read(fd, limit) if limit > 0 else b""
        finally:
            os.close(fd)

    def read_bytes(self, path: str, max_size: int) -> Optional[bytes]:
        """The whole content of a regular work-tree file, or None when larger than ``max_size``."""
        fd = self._open_regular(path)
        if fd is None:
            return None
        try:
            if os.fstat(fd).st_size > max_size:
                return None
            chunks = []
            while True:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
            data = b"".join(chunks)
            return data if len(data) <= max_size else None  # grew while we read
        finally:
            os.close(fd)

    def attributes(
        self, names: Sequence[str], paths: Optional[Sequence[str]] = None
    ) -> Dict[str, Dict[str, str]]:
        """``{path: {attr: value}}`` for every entry (or each of ``paths``) with one of ``names`` set.

        With ``paths`` (a pre-commit run on a few files) git is asked about those paths only and
        nothing is cached, so a 5-file check does not pay for 100,000 attribute look-ups.

        Values are git's: ``"set"``, ``"unset"`` or the string; unspecified attributes (and paths
        with none set) are left out.  In git this is one ``git check-attr --stdin -z`` per batch of
        names not asked before.  Outside git, ``.gitattributes`` files are read minimally (see
        ``_walk_attributes``).
        """
        wanted = list(dict.fromkeys(names))
        if paths is not None:
            if self.git_root is not None:
                subset = _git_check_attr(self.project_root, list(paths), wanted)
            else:
                wanted_paths = set(paths)
                subset = [row for row in _walk_attributes(self, wanted) if row[0] in wanted_paths]
            picked: Dict[str, Dict[str, str]] = {}
            for path, attr, value in subset:
                picked.setdefault(path, {})[attr] = value
            return picked
        missing = [n for n in wanted if n not in self._attr_cache]
        if missing:
            for name in missing:
                self._attr_cache[name] = {}
            if self.git_root is not None:
                found = _git_check_attr(self.project_root, [e.path for e in self.entries], missing)
            else:
                found = _walk_attributes(self, missing)
            for path, attr, value in found:
                self._attr_cache[attr][path] = value
        out: Dict[str, Dict[str, str]] = {}
        for name in wanted:
            for path, value in self._attr_cache[name].items():
                out.setdefault(path, {})[name] = value
        return out

    def _open_regular(self, path: str) -> Optional[int]:
        """An fd on ``path`` if it is a regular file reached without leaving the project root.

        O_NOFOLLOW refuses a symlink as the last component; a symlinked *parent* is caught by
        resolving the directory (cached) and checking it stays inside ``project_root``.
        """
        full = os.path.join(str(self.project_root), path)
        if not self._inside(os.path.dirname(full)):
            return None
        try:
            if not _O_NOFOLLOW and os.path.islink(full):
                return None
            fd = os.open(full, os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK | _O_BINARY)
        except (OSError, ValueError):  # missing, a symlink (ELOOP), unreadable, NUL in name
            return None
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                return fd
        except OSError:
            pass
        os.close(fd)  # a directory (a submodule), a device…
        return None

    def _inside(self, directory: str) -> bool:
        known = self._dir_inside.get(directory)
        if known is None:
            if not self._real_root:
                self._real_root = os.path.realpath(str(self.project_root))
            known = _contains(self._real_root, os.path.realpath(directory))
            self._dir_inside[directory] = known
        return known


def git_toplevel(path: Path) -> Optional[Path]:
    """The work-tree top level containing ``path``; None when it is not inside a git work tree."""
    path = Path(path)
    if not path.exists():
        raise NotARepositoryError(f"{path}: no such file or directory")
    if not path.is_dir():
        raise NotARepositoryError(f"{path}: is not a directory")
    try:
        repo = git.Repo(path, search_parent_directories=True)
    except git.InvalidGitRepositoryError:
        return None
    except git.NoSuchPathError as exc:  # removed between the check and now
        raise NotARepositoryError(f"{path}: no such file or directory") from exc
    try:
        if repo.bare or repo.working_tree_dir is None:
            raise NotARepositoryError(f"{path}: is a bare git repository; it has no work tree to scan")
        return Path(repo.working_tree_dir).resolve()
    finally:
        repo.close()


def load_inventory(project_root: Path, *, scope: str = "", untracked: bool = False) -> Inventory:
    """List every file of ``project_root`` (from git's index, else a walk) and check ``scope``."""
    top = git_toplevel(Path(project_root))
    root = Path(project_root).resolve()
    if top is None:
        entries, prefix = _walk(str(root)), ""
    else:
        rel = root.relative_to(top).as_posix()
        prefix = "" if rel == "." else rel + "/"
        entries = _git_entries(root, untracked)
    scope = _check_scope(root, entries, scope)
    return Inventory(project_root=root, git_root=top, prefix=prefix, scope=scope, entries=entries)


# -- git ------------------------------------------------------------------------------------


def _run_git(cwd: Path, *args: str, istream: Optional[object] = None) -> str:
    """Run one git command in ``cwd``; its stdout decoded losslessly."""
    try:
        out = git.Git(str(cwd)).execute(
            ["git", *args], istream=istream, stdout_as_string=False, strip_newline_in_stdout=False
        )
    except git.GitCommandError as exc:
        # GitPython wraps stderr as "\n  stderr: '<text>'"; keep git's first line of <text>.
        detail = str(exc.stderr or exc).strip()
        if detail.startswith("stderr: '"):
            detail = detail[len("stderr: '"):].rstrip("'")
        detail = (detail.strip().splitlines() or ["exit code %s" % exc.status])[0]
        raise NotARepositoryError(f"{cwd}: git {args[0]} failed: {detail}") from exc
    return out.decode("utf-8", "surrogateescape")  # type: ignore[union-attr]


def _git_entries(root: Path, untracked: bool) -> List[FileEntry]:
    # The index is the truth: staged-but-uncommitted files count, and a file deleted from the work
    # tree but still in the index is kept (it is part of the project until the deletion is staged).
    # Run in project_root, ls-files lists only files below it, with paths relative to it.
    text = _run_git(root, "ls-files", "-s", "-z")
    entries: List[FileEntry] = []
    last = None
    for record in text.split("\0"):
        if not record:
            continue
        meta, _, path = record.partition("\t")
        mode, blob, stage = meta.split(" ")
        if path == last:
            # A merge conflict lists stages 1-3 of one path (sorted by stage): keep one entry,
            # preferring "ours" (stage 2) over the merge base.
            if stage == "2":
                entries[-1] = entries[-1]._replace(blob=blob)
            continue
        last = path
        kind_mode = _GIT_KINDS.get(mode)
        if kind_mode is None:
            entries.append(FileEntry(path, "file", _FILE_MODES.get(mode) or int(mode, 8), blob, True))
        else:
            entries.append(FileEntry(path, kind_mode[0], kind_mode[1], blob, True))
    if untracked:
        extra = _git_untracked(root)
        if extra:
            entries.extend(extra)
            entries.sort(key=_path_key)
    return entries


def _git_untracked(root: Path) -> List[FileEntry]:
    text = _run_git(root, "ls-files", "-o", "--exclude-standard", "-z")
    base = str(root)
    out = []
    for path in text.split("\0"):
        if not path:
            continue
        if path.endswith("/"):
            # git names an untracked nested repository as "dir/" and never descends into it:
            # list it like a submodule.
            out.append(FileEntry(path.rstrip("/"), "submodule", 0, None, False))
            continue
        try:
            st = os.lstat(os.path.join(base, path))
        except OSError:  # gone since git listed it
            continue
        entry = _entry_from_stat(path, st.st_mode)
        if entry is not None:
            out.append(entry)
    return out


def _git_check_attr(root: Path, paths: List[str], names: List[str]) -> Iterable[Tuple[str, str, str]]:
    bad = [n for n in names if not n or n.startswith("-") or n.strip() != n]
    if bad:  # git would read them as options or reject them: a caller's bug, not user input
        raise ValueError(f"invalid git attribute names: {bad!r}")
    if not paths:
        return []
    data = b"".join(p.encode("utf-8", "surrogateescape") + b"\0" for p in paths)
    # GitPython hands istream to Popen as stdin, so it must be a real file, not BytesIO; a file
    # also avoids a pipe deadlock on large inputs.
    with tempfile.TemporaryFile() as stdin:
        stdin.write(data)
        stdin.seek(0)
        text = _run_git(root, "check-attr", "--stdin", "-z", *names, istream=stdin)
    fields = text.split("\0")  # path NUL attr NUL value NUL ...
    return [
        (fields[i], fields[i + 1], fields[i + 2])
        for i in range(0, len(fields) - 2, 3)
        if fields[i + 2] != "unspecified"
    ]


# -- outside git ----------------------------------------------------------------------------


def _walk(root: str) -> List[FileEntry]:
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
                entry = _entry_from_stat(rel, item.stat(follow_symlinks=False).st_mode)
            except OSError:
                continue
            if entry is not None:
                out.append(entry)
    out.sort(key=_path_key)
    return out


def _read_gitignore(path: str) -> Optional[pathspec.GitIgnoreSpec]:
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as fh:
            return pathspec.GitIgnoreSpec.from_lines(fh.read().splitlines())
    except OSError:  # none here (or a directory named .gitignore)
        return None


def _ignored(chain: Tuple[Tuple[str, pathspec.GitIgnoreSpec], ...], rel: str) -> bool:
    # The deepest .gitignore with a matching pattern decides (git's precedence); a negation there
    # re-includes what a parent ignored.
    for base, spec in reversed(chain):
        verdict = spec.check_file(rel[len(base):]).include
        if verdict is not None:
            return verdict
    return False


def _walk_attributes(inv: Inventory, names: List[str]) -> List[Tuple[str, str, str]]:
    """Minimal ``.gitattributes`` support outside git: ``attr``, ``-attr``, ``!attr``, ``attr=v``.

    Each file's patterns apply relative to its directory, later lines and deeper files win.
    Not supported: macros (``binary``), ``[attr]`` definitions, quoted patterns.
    """
    wanted = set(names)
    state: Dict[str, Dict[str, str]] = {}
    sources = sorted(
        (e.path for e in inv.entries if e.kind == "file" and posixpath.basename(e.path) == ".gitattributes"),
        key=lambda p: (p.count("/"), p),
    )
    for source in sources:
        base = posixpath.dirname(source)
        base = base + "/" if base else ""
        data = inv.read_bytes(source, 1 << 20) or b""
        below = [e.path for e in inv.entries if e.path.startswith(base)]
        for line in data.decode("utf-8", "surrogateescape").splitlines():
            words = line.split()
            if not words or words[0].startswith(("#", "[", "!")):  # negative patterns: forbidden
                continue
            changes = [_attr_change(w) for w in words[1:]]
            changes = [c for c in changes if c[0] in wanted]
            if not changes:
                continue
            spec = pathspec.GitIgnoreSpec.from_lines([words[0]])
            for path in below:
                if spec.match_file(path[len(base):]):
                    attrs = state.setdefault(path, {})
                    for attr, value in changes:
                        if value is None:
                            attrs.pop(attr, None)
                        else:
                            attrs[attr] = value
    return [(path, attr, value) for path, attrs in state.items() for attr, value in attrs.items()]


def _attr_change(word: str) -> Tuple[str, Optional[str]]:
    if word.startswith("-"):
        return word[1:], "unset"
    if word.startswith("!"):
        return word[1:], None
    name, eq, value = word.partition("=")
    return name, value if eq else "set"


# -- shared ---------------------------------------------------------------------------------


def _entry_from_stat(path: str, st_mode: int) -> Optional[FileEntry]:
    """An untracked / walked entry from an ``lstat`` mode; None for FIFOs, sockets, devices."""
    if stat.S_ISLNK(st_mode):
        return FileEntry(path, "symlink", 0o120000, None, False)
    if stat.S_ISREG(st_mode):
        return FileEntry(path, "file", 0o100755 if st_mode & 0o111 else 0o100644, None, False)
    return None


def _check_scope(root: Path, entries: List[FileEntry], scope: str) -> str:
    """Normalise ``scope`` to a POSIX sub-path and make sure it names something in the project."""
    raw = scope
    scope = scope.replace(os.sep, "/") if scope else ""
    scope = posixpath.normpath(scope) if scope else ""
    if scope in ("", "."):
        return ""
    if posixpath.isabs(scope) or scope == ".." or scope.startswith("../"):
        raise UsageError(f"{raw}: is outside the project root {root}")
    if any(_under(e.path, scope) for e in entries):
        return scope
    full = os.path.join(str(root), scope)
    if os.path.lexists(full) and _contains(os.path.realpath(str(root)), os.path.realpath(full)):
        return scope
    raise UsageError(f"{raw}: no such file or directory in the project root {root}")


def _under(path: str, scope: str) -> bool:
    return path == scope or path.startswith(scope + "/")


def _path_key(entry: FileEntry) -> str:
    return entry.path


def _contains(real_root: str, real: str) -> bool:
    """Whether resolved path ``real`` is ``real_root`` or below it."""
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)
