"""The role vocabulary: every file gets exactly one of these.

A role is ``<side>.<kind>`` for the two sides of a product (backend, frontend) and a bare word
for files that belong to no side.  The vocabulary is closed: config and rule packs may only name
these roles, so a typo is an error rather than a silently new role.
"""

from __future__ import annotations

BACKEND_LOGIC = "backend.logic"
BACKEND_TESTS = "backend.tests"
BACKEND_DOCS = "backend.docs"
FRONTEND_UI = "frontend.ui"
FRONTEND_ASSETS = "frontend.assets"
FRONTEND_TESTS = "frontend.tests"
FRONTEND_DOCS = "frontend.docs"  # README, Storybook MDX, docs/ inside a frontend package
CONFIG = "config"
GENERATED = "generated"
VENDORED = "vendored"
UNCLASSIFIED = "unclassified"

ROLES: tuple[str, ...] = (
    BACKEND_LOGIC,
    BACKEND_TESTS,
    BACKEND_DOCS,
    FRONTEND_UI,
    FRONTEND_ASSETS,
    FRONTEND_TESTS,
    FRONTEND_DOCS,
    CONFIG,
    GENERATED,
    VENDORED,
    UNCLASSIFIED,
)

SIDES: tuple[str, ...] = ("backend", "frontend")


def side_of(role: str) -> str | None:
    """Return ``"backend"``/``"frontend"`` for a sided role, ``None`` for config, generated, …"""
    head, dot, _ = role.partition(".")
    return head if dot else None


def expand_responsibility(item: str) -> frozenset[str]:
    """Expand a side (``"backend"``) or a role (``"backend.docs"``) into the set of roles it covers."""
    if item in SIDES:
        return frozenset(r for r in ROLES if side_of(r) == item)
    if item in ROLES:
        return frozenset({item})
    raise ValueError(f"unknown side or role {item!r}")
