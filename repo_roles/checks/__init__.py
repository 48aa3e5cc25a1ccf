"""Rule implementations, grouped by family; each family's ``__init__`` imports its rule modules."""

from repo_roles.checks import coverage, history, ownership, registry  # noqa: F401
