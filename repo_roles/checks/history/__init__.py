"""History rules (HISxxx): declared owners against git history; one module per rule, in id order.

They read the whole history once (one ``git log``, cached by commit id; a later run reads only
``CACHED..HEAD``).  Which are on by default follows what they need:

* HIS001 stale-owner, HIS002 departed-owner, HIS003 ownership-drift are off: they tell whether a
  declared owner committed, so they must map commit authors to CODEOWNERS handles and teams,
  which takes the roster (``[teams.X] members``, ``[history] identities``).  Without it only an
  e-mail owner or a GitHub no-reply address can be matched, and a person committing under
  another e-mail would be called departed.  Enable them with ``extend-select = ["HIS"]``.
* HIS004 knowledge-concentration and HIS005 orphaned-knowledge are on: they need authors and
  dates only.  They look at the code a team maintains (``[history] roles``) and are
  repository-scope: full scans run them, ``check FILE...`` (pre-commit) does not.

In CI they need the full history (``fetch-depth: 0``); on a shallow clone they are skipped with
one note, never a failure.
"""

from __future__ import annotations

from repo_roles.checks.history import (  # noqa: F401
    his001_stale_owner,
    his002_departed_owner,
    his003_ownership_drift,
    his004_knowledge_concentration,
    his005_orphaned_knowledge,
)
