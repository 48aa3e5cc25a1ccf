"""Errors that end a run with exit code 2 and a precise, user-facing message.

Nothing below the CLI prints: lower layers raise these, ``cli.py`` renders them on stderr.
"""

from __future__ import annotations


class RepoRolesError(Exception):
    """Base class: a problem the user can fix (bad input, bad config, bad usage)."""

    exit_code = 2


class ConfigError(RepoRolesError):
    """A configuration file is invalid.

    Rendered as ``file:line:col: key.path: message`` so editors can jump to it.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        key_path: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.key_path = key_path
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        key = f"{self.key_path}: " if self.key_path else ""
        text = f"{where}{key}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class NotARepositoryError(RepoRolesError):
    """The path cannot be scanned (missing, bare repository, not a directory…)."""


class UsageError(RepoRolesError):
    """The command line asks for something impossible (a path outside the repository, …)."""
