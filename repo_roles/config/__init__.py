"""Configuration: discovery, loading (with ``extends``), validation and the typed model.

Names are imported lazily so ``python -m repo_roles.config.schema`` runs without the package
having imported that module first (runpy warns otherwise), and so importing the model alone
stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from repo_roles.config.discovery import CONFIG_FILENAMES, builtin_rules_dir, discover_config
    from repo_roles.config.loader import load_config
    from repo_roles.config.model import Config, Team

_EXPORTS = {
    "CONFIG_FILENAMES": "repo_roles.config.discovery",
    "builtin_rules_dir": "repo_roles.config.discovery",
    "discover_config": "repo_roles.config.discovery",
    "load_config": "repo_roles.config.loader",
    "Config": "repo_roles.config.model",
    "Team": "repo_roles.config.model",
}

__all__ = ["CONFIG_FILENAMES", "Config", "Team", "builtin_rules_dir", "discover_config", "load_config"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'repo_roles.config' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
