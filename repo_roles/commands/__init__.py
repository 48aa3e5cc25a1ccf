"""One module per CLI command; each exposes ``register(group)`` and a function returning an exit code.

Commands are imported only when invoked (``repo-roles --version`` or a pre-commit ``check``
does not pay for importing every other command), so this explicit table is the one place that
says which command lives in which module.
"""

from __future__ import annotations

import importlib
from typing import Dict, Optional

import click

# command name -> module under repo_roles/commands/
COMMANDS: Dict[str, str] = {
    "audit": "audit",
    "baseline": "baseline",
    "cache": "cache",
    "check": "check",
    "explain": "explain",
    "init": "init",
    "ls": "ls",
    "rule": "rules",
    "rules": "rules",
    "suggest-owners": "suggest_owners",
}


def load_command(name: str) -> Optional[click.Command]:
    """Import the module that defines command ``name`` and return the command (None if unknown)."""
    module_name = COMMANDS.get(name)
    if module_name is None:
        return None
    module = importlib.import_module(f"repo_roles.commands.{module_name}")
    scratch = click.Group()
    module.register(scratch)
    return scratch.commands[name]
