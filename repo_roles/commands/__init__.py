"""One module per CLI command; each exposes ``register(group)`` and a function returning an exit code."""

from __future__ import annotations

import importlib

import click

# Explicit list: reading it tells what commands exist.
COMMAND_MODULES: tuple[str, ...] = ("audit", "ls", "explain")


def register_all(group: click.Group) -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"repo_roles.commands.{name}")
        module.register(group)
