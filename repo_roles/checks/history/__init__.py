"""History rules (HISxxx): declared owners against git history; one module per rule, in id order.

All of them are off by default: they read the whole history (one ``git log``, cached by commit
id) and most need the roster (``[teams]``, ``[history] identities``) to tell who is who.
Enable them with ``extend-select = ["HIS"]``; in CI they need the full history
(``fetch-depth: 0``), else they are skipped with one note.
"""

from __future__ import annotations

from repo_roles.checks.history import (  # noqa: F401
    his001_stale_owner,
    his002_departed_owner,
    his003_ownership_drift,
    his004_knowledge_concentration,
    his005_orphaned_knowledge,
)
