"""Whole runs remembered by content: a command whose inputs are all unchanged answers from disk.

The floor of a warm run is reading git's index and asking git which files changed in the work
tree.  When nothing that a command's answer depends on has changed since a run with the same
settings, that answer -- its standard output, standard error and exit code -- is replayed
instead of analysing 100,000 unchanged files again.

What the answer depends on is hashed into one key (:func:`repo_roles.runcache.key.run_key`):

* the tool (version and a fingerprint of its installed files) and the command's options;
* the configuration as loaded (``extends`` resolved; the project root replaced by a token);
* git's index listing: every path with its mode and object id -- content, not location, so a
  fresh clone, a second worktree or another branch with the same files finds the run;
* the content of every file the work tree changed (``git diff-files``) and of every untracked
  file that takes part;
* what git reads besides the index: ``HEAD`` (history), the git settings that matter (remotes by
  host only, attributes, mailmap, partial-clone and ignore-revs settings), the attributes
  files, ``shallow``, grafts and replace refs; ``GIT_*`` and ``REPO_ROLES_*`` environment
  variables; the working directory relative to the project.

A stored answer that names the project root, the working directory or the path the user
typed is replayed only where those are the same (:mod:`repo_roles.runcache.store`).  Entries
are checksummed, written atomically and evicted least-recently-used: a corrupt, truncated or
concurrently written entry is a miss, never a wrong answer.  ``--no-cache`` neither reads nor
writes them.
"""

from __future__ import annotations

from repo_roles.runcache.key import run_key
from repo_roles.runcache.store import RunEntry, RunStore

__all__ = ["RunEntry", "RunStore", "run_key"]
