"""HIS005 orphaned-knowledge: nobody active knows, or lately touched, the code of a directory.

What it checks
    A file's knowledge is orphaned when every one of its authors by Degree of Authorship (Fritz
    et al. 2010; Avelino et al., ICPC 2016; see ``repo-roles explain PATH``) is inactive: no
    commit anywhere in the repository within ``[history] active-days`` (default 365) of the
    newest commit.  The rule looks at the code a team maintains — files whose role is in
    ``[history] roles`` (default ``backend.logic`` and ``frontend.ui``) — and reports a
    directory (the files directly inside it) when every such file of it that has authors is
    orphaned, nobody active committed to any of them within the window either, and there are
    at least ``[history] orphaned-files`` of them (default 5).  One finding per directory,
    naming its files' authors.  Needs no roster.

    Somebody active who changed a file lately is somebody to ask, even before DOA counts them
    as an author: on esphome, ``components/light/`` (32 files, created by a maintainer who has
    left) had 22 commits by a current maintainer within the year.  A directory where somebody
    active knows a file is not reported either.  ``ls --format jsonl`` (``authors``) and
    ``explain PATH`` show the per-file view.

Why it matters
    Nobody around knows that code: a change to it is a change to code nobody understands, and a
    bug in it has nobody to ask.

Fires::

    legacy/export/ — 6 code files; their authors Ann (last commit 2021) and Bo (2022) left

Does not fire::

    legacy/export/ — Ann still commits (anywhere in the repository)
    legacy/export/ — Carl (active) fixed a bug in one of its files last month
    legacy/export/ — 3 orphaned files only (fewer than orphaned-files)
    tests/fixtures/ — every author left, but fixtures are not maintained code (backend.tests)

How to fix
    Have someone take the code over (read, document, test it; they become an author with their
    next changes), or delete it if nothing uses it.

Configuration
    ``[history] active-days``, ``orphaned-files``, ``roles``, ``bots``.  On by default; a
    repository-scope rule, so ``check FILE...`` (pre-commit) does not run it unless the
    ownership file or the configuration is among the files.  Needs the full history
    (``fetch-depth: 0``); on a shallow clone it is skipped with one note.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Iterator, List, Sequence

from repo_roles.checks.history._common import (cached_findings, day, history_or_note, maintained_count, maintained_paths,
                                                names)
from repo_roles.checks.registry import rule
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext

RULE_ID = "HIS005"


@rule(RULE_ID, "orphaned-knowledge", "Nobody active is author of, or lately committed to, a directory's code.",
      "warning",
      scope="repository")
def check(context: "ProjectContext") -> List[Finding]:
    least = context.config.history.orphaned_files
    if maintained_count(context) < least:  # no directory can hold enough files: no history needed
        return []
    return cached_findings(context, RULE_ID, [least, list(context.config.history.roles)], None,
                           lambda: _findings(context, maintained_paths(context), least))


def _findings(context: "ProjectContext", paths: Sequence[str], least: int) -> Iterator[Finding]:
    history = history_or_note(context)
    if history is None:
        return
    active: Dict[int, bool] = {}

    def is_active(author: int) -> bool:
        if author not in active:
            active[author] = history.active(author)
        return active[author]

    since = history.since()
    orphaned: Dict[str, List[int]] = {}  # directory -> files' authors, while every file is orphaned
    counts: Dict[str, int] = {}
    for path in paths:
        authors = history.author_ids(path)
        if not authors:
            continue
        directory = path.rpartition("/")[0]
        found = orphaned.get(directory)
        if directory in counts and found is None:  # a file here has an active author
            continue
        # an active author, or somebody active who touched the file lately: someone to ask
        if any(map(is_active, authors)) or any(when >= since for _, _, when in history.contributors(path)):
            orphaned.pop(directory, None)
            counts[directory] = 0
        else:
            counts[directory] = counts.get(directory, 0) + 1
            orphaned.setdefault(directory, []).extend(authors)
    for directory in sorted(orphaned):
        files = counts[directory]
        if files < least:
            continue
        # the authors of the most files first
        tally: Dict[int, int] = {}
        for author in orphaned[directory]:
            tally[author] = tally.get(author, 0) + 1
        ranked = sorted(tally, key=lambda a: (-tally[a], a))
        where = f"{directory}/" if directory else "the project root"
        yield Finding(
            RULE_ID,
            f"no author of the {files} code files in {where} is active: {names(history, ranked)} "
            f"made no commit since {day(since)}, nor did anybody to these files",
            directory or ".",
            severity="warning",
            key=directory or ".",
        )
