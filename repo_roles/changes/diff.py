"""One ``git diff -U0 -M --raw -p -z`` call, parsed into the lines each file's change adds.

The raw part (NUL-separated, paths verbatim: no quoting to undo) names each file pair and its
status; the patch part follows in the same order, one ``diff --git`` section per pair, and only
its ``@@ -a,b +c,d @@`` hunk headers are read (``-U0``: no context lines, so the hunks are
exactly the changed lines).  ``+c,d`` with ``d > 0`` adds or modifies lines ``c..c+d-1`` of the
new file; ``d == 0`` deletes old lines after new line ``c`` (git's convention), which we keep as
a *deletion point* so that removing a docstring counts as a change to its declaration.

Which diff: ``git diff --merge-base REF`` (what a pull request against REF changes, plus the
dirty work tree), ``git diff --cached`` (what is staged: the pre-commit hook), or ``FROM...TO``
(pre-commit's ``--from-ref``/``--to-ref`` and pre-push).  Paths are relative to the project
root (``--relative``), so a project in a sub-folder sees its own paths.
"""

from __future__ import annotations

import re
import subprocess
from typing import Dict, FrozenSet, List, NamedTuple, Optional, Sequence, Tuple


from repo_roles.errors import NotARepositoryError, UsageError
from repo_roles.inventory import git_error

# git's default context (``diff.context``, -U3): what ``diff_context`` widens added lines by.
DEFAULT_CONTEXT = 3
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


class FileChange(NamedTuple):
    """One file as the change leaves it."""

    path: str  # the new path, relative to the project root
    status: str  # git's letter: A added, M modified, R renamed, C copied, T type changed
    old_path: Optional[str]  # the path before a rename or copy, else None
    added: FrozenSet[int]  # new-file lines the change adds or modifies
    deleted_after: FrozenSet[int]  # new-file lines after which old lines were removed (0: at the top)


class ChangeSet(NamedTuple):
    """Every file the change leaves in place (deleted files are not here: nothing to report)."""

    files: Dict[str, FileChange]
    deleted: Tuple[str, ...]  # paths the change removed
    source: str  # how the change was taken, for messages: "--diff-base main", "staged"

    def paths(self) -> List[str]:
        return list(self.files)


class PendingDiff:
    """A ``git diff`` started in the background: git compares the work tree (an ``lstat`` per
    tracked file, the bulk of its time on 100k files) while this process reads the index and
    the configuration; :meth:`result` waits for it and parses its output, once."""

    def __init__(self, root: str, args: Sequence[str], what: str, source: str) -> None:
        self._what, self._source, self._root = what, source, root
        self._result: Optional[ChangeSet] = None
        command = ["git", "-c", "core.quotePath=false", "diff", "-U0", "-M", "--raw", "-p", "-z", "--no-color",
                   "--no-ext-diff", "--no-textconv", "--relative", *args, "--"]
        try:
            self._process = subprocess.Popen(command, cwd=root, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                             stderr=subprocess.PIPE)
        except OSError as exc:  # no git executable
            raise UsageError(f"{what}: cannot run git: {exc.strerror}") from None

    def result(self) -> ChangeSet:
        if self._result is None:
            out, err = self._process.communicate()
            if self._process.returncode != 0:
                text = err.decode("utf-8", "replace").strip()
                message = (text.splitlines() or [f"exit code {self._process.returncode}"])[0]
                if "not a git repository" in message:
                    raise NotARepositoryError(f"{self._what}: {self._root} is not inside a git repository")
                raise UsageError(f"{self._what}: git diff failed: {message}")
            self._result = parse(out.decode("utf-8", "surrogateescape"), self._source)
        return self._result


def _revision(root: str, ref: str) -> None:
    """Fail with "no such revision: REF" before git says something about merge bases."""
    if not ref or ref.startswith("-"):
        raise UsageError(f"no such revision: {ref}")
    import git  # GitPython: imported by the diff commands only

    try:
        git.Git(root).execute(["git", "rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}"])
    except git.GitCommandError as exc:
        if "not a git repository" in git_error(exc):
            raise NotARepositoryError(f"--diff-base {ref}: {root} is not inside a git repository") from None
        raise UsageError(f"no such revision: {ref}") from None


def start_changes(root: str, *, base: Optional[str] = None,
                  refs: Optional[Tuple[str, str]] = None) -> PendingDiff:
    """The change of one kind, started: since the merge base of ``base``, between ``refs``, or
    else what is staged.  A bad revision fails here, before git runs."""
    if base is not None:
        _revision(root, base)
        return PendingDiff(root, ["--merge-base", base], f"--diff-base {base}", f"--diff-base {base}")
    if refs is not None:
        for ref in refs:
            _revision(root, ref)
        span = f"{refs[0]}...{refs[1]}"
        return PendingDiff(root, [span], span, span)
    return PendingDiff(root, ["--cached"], "--staged", "staged")


def read_changes(root: str, *, base: Optional[str] = None, staged: bool = False,
                 refs: Optional[Tuple[str, str]] = None) -> ChangeSet:
    """:func:`start_changes` waited for (``staged`` is the default kind, named for callers)."""
    return start_changes(root, base=base, refs=refs).result()


def _raw_entries(raw: str) -> List[Tuple[str, str, Optional[str]]]:
    """``(status letter, new path, old path or None)`` of each raw record, in order."""
    fields = raw.split("\0")
    out: List[Tuple[str, str, Optional[str]]] = []
    i = 0
    while i < len(fields) and fields[i].startswith(":"):
        status = fields[i].split()[-1][:1]
        if status in ("R", "C"):
            out.append((status, fields[i + 2], fields[i + 1]))
            i += 3
        else:
            out.append((status, fields[i + 1], None))
            i += 2
    return out


def _lines(section: str) -> Tuple[FrozenSet[int], FrozenSet[int]]:
    added: List[int] = []
    deleted_after: List[int] = []
    for match in _HUNK.finditer(section):
        start = int(match.group(1))
        count = 1 if match.group(2) is None else int(match.group(2))
        if count:
            added.extend(range(start, start + count))
        else:
            deleted_after.append(start)
    return frozenset(added), frozenset(deleted_after)


def parse(text: str, source: str = "") -> ChangeSet:
    """Parse ``git diff --raw -p -z`` output (see the module docstring)."""
    split = text.find("\0\0")  # the raw part ends with an empty field, then the patch begins
    if split < 0:
        raw, patch = text, ""
    else:
        raw, patch = text[: split + 1], text[split + 2:]
    entries = _raw_entries(raw)
    sections = re.split(r"(?:^|\n)diff --git ", patch)[1:] if patch else []
    files: Dict[str, FileChange] = {}
    deleted: List[str] = []
    at = 0  # the next patch section; a pair has one, except as noted below
    for status, path, old in entries:
        if status == "U":  # unmerged: git prints no section; no line information, the whole file counts
            files[path] = FileChange(path, "A", None, frozenset(), frozenset())
            continue
        if status == "T":  # a type change is patched as a deletion and a creation: two sections
            at += 2
            files[path] = FileChange(path, "A", None, frozenset(), frozenset())
            continue
        section = sections[at] if at < len(sections) else ""
        at += 1
        if status == "D":
            deleted.append(path)
            continue
        added, deleted_after = _lines(section)
        files[path] = FileChange(path, status, old, added, deleted_after)
    return ChangeSet(files, tuple(deleted), source)
