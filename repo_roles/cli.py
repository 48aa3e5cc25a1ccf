"""The command line: wires options to the pipeline, prints results, maps errors to exit codes.

Exit codes follow ruff: 0 clean, 1 findings, 2 usage / configuration / internal error, and
POSIX's 130 (128 + SIGINT) when interrupted.  A closed output (``| head``) and a missing
``git`` are plain statements, exit 2, never "internal error".
Each command lives in ``repo_roles/commands/<name>.py`` as a function returning its exit code.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import Any, Optional

import click

from repo_roles import __version__
from repo_roles.errors import RepoRolesError

EXIT_CLEAN, EXIT_ERROR, EXIT_INTERRUPTED = 0, 2, 130  # 1 (findings) is the commands' own return value
NO_GIT = "git is not installed or not on PATH; repo-roles reads repositories with git"
# GitPython refuses to import without git; quiet, so that the first git call says it instead.
os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")


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
            return self._invoke(ctx)
        finally:
            if ctx.invoked_subcommand != "cache" and not isinstance(sys.exc_info()[1], KeyboardInterrupt):
                _bound_cache()

    def _invoke(self, ctx: click.Context) -> Any:
        if sys.stdout is None:  # started with stdout closed (`>&-`)
            sys.stderr and sys.stderr.write("repo-roles: error: standard output is closed\n")
            ctx.exit(EXIT_ERROR)
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # a closed pipe surfaces here, not at interpreter exit
            return result
        except RepoRolesError as exc:
            click.echo(f"repo-roles: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("repo-roles: interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:  # `repo-roles ls | head`: the reader left before the end
            _silence_stdout()
            click.echo("repo-roles: error: output closed before everything was written (broken pipe)", err=True)
            ctx.exit(EXIT_ERROR)
        except MemoryError:
            click.echo("repo-roles: error: out of memory", err=True)
            ctx.exit(EXIT_ERROR)
        except Exception as exc:  # an internal error: say so, exit 2, never a bare traceback
            if _git_missing(exc):
                click.echo(f"repo-roles: error: {NO_GIT}", err=True)
                ctx.exit(EXIT_ERROR)
            click.echo(
                f"repo-roles: internal error: {type(exc).__name__}: {exc}\n"
                "Please report this with the command you ran.",
                err=True,
            )
            ctx.exit(EXIT_ERROR)


def _bound_cache() -> None:
    """Keep the cache root under its size cap once a command is done (``cacheadmin.evict``: a
    directory listing when under the cap); never changes the command's outcome."""
    try:
        from repo_roles.cacheadmin.evict import after_run
        from repo_roles.cachedir import user_cache_root

        after_run(user_cache_root())
    except RepoRolesError as exc:  # a malformed REPO_ROLES_CACHE_MAX_SIZE
        click.echo(f"repo-roles: warning: {exc}; the cache is not bounded", err=True)
    except Exception:  # best effort: a cache that cannot be trimmed is trimmed next time
        pass


def _git_missing(exc: BaseException) -> bool:
    """GitPython's "git not found", or a ``git`` subprocess that could not start."""
    if type(exc).__name__ == "GitCommandNotFound":
        return True
    return isinstance(exc, FileNotFoundError) and os.path.basename(str(exc.filename or "")) == "git"


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real file descriptor (a test runner)
        pass


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="repo-roles")
def main() -> None:
    """repo-roles: who is responsible for each file, what kind of work it is, and is it documented and tested."""


def run(args: Optional[list] = None) -> None:
    """The console script and ``python -m repo_roles``: :func:`main`, then a quick exit.

    Once the output is flushed, the process ends with ``os._exit`` instead of tearing the
    interpreter down: freeing a large scan object by object is pure cost (issue 13: 0.25 s for
    the 300 MB of a warm 100k-file audit).  ``atexit`` handlers still run first; a flush that
    fails, or a thread still running, takes the ordinary exit instead.  Tests drive :func:`main`
    through click's ``CliRunner`` and never come here.
    """
    try:
        main.main(args=args)
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"): say it, exit 1, as Python does
        sys.stderr.write(f"{code}\n")
        code = 1
    run_exit_functions = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_functions is None or threading.active_count() > 1 or not _flushed():
        sys.exit(code)
    run_exit_functions()
    if _flushed():
        os._exit(code)
    sys.exit(code)


def _flushed() -> bool:
    """Flush stdout and stderr; False when either cannot be (a closed pipe, no stream)."""
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return False
    return True
