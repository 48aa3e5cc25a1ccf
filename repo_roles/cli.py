"""The command line: wires options to the pipeline, prints results, maps errors to exit codes.

Exit codes follow ruff: 0 clean, 1 findings, 2 usage / configuration / internal error.
Each command lives in ``repo_roles/commands/<name>.py`` as a function returning its exit code.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from repo_roles import __version__
from repo_roles.errors import RepoRolesError

EXIT_CLEAN, EXIT_ERROR = 0, 2  # 1 (findings) is the commands' own return value


class _Group(click.Group):
    """A group that loads commands lazily and never shows a traceback for a user error.

    Usage errors exit 2 (click's default too).
    """

    def list_commands(self, ctx: click.Context) -> list:
        from repo_roles.commands import COMMANDS

        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> Any:
        from repo_roles.commands import load_command

        return load_command(cmd_name)


    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RepoRolesError as exc:
            click.echo(f"repo-roles: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # `repo-roles ls | head`
            sys.stderr.close()
            ctx.exit(EXIT_CLEAN)
        except Exception as exc:  # an internal error: say so, exit 2, never a bare traceback
            click.echo(
                f"repo-roles: internal error: {type(exc).__name__}: {exc}\n"
                "Please report this with the command you ran.",
                err=True,
            )
            ctx.exit(EXIT_ERROR)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="repo-roles")
def main() -> None:
    """repo-roles: who is responsible for each file, what kind of work it is, and is it documented and tested."""



