"""Version shims, in one place."""

from __future__ import annotations

import sys
import threading
from typing import Callable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

__all__ = ["at_thread_exit", "tomllib"]


def at_thread_exit(hook: Callable[[], None]) -> None:
    """Run ``hook`` among threading's exit hooks, which run before the interpreter joins the
    remaining threads and pools (the later-registered first); nothing where this interpreter
    has none (``threading._register_atexit``: CPython 3.9+)."""
    register = getattr(threading, "_register_atexit", None)
    if register is not None:
        register(hook)
