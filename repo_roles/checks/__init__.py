"""Rule implementations. Every rule module is imported here, explicitly, in id order."""

from repo_roles.checks import registry  # noqa: F401
