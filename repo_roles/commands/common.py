"""Options shared by several commands, so every command spells them the same way."""

from __future__ import annotations

from typing import Any, Callable

import click

F = Callable[..., Any]


def path_argument(f: F) -> F:
    return click.argument("path", required=False, default=".", type=click.Path(path_type=str))(f)


def config_option(f: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=str),
        default=None,
        help="Use this configuration file instead of discovering one (like ruff's --config).",
    )(f)


def untracked_option(f: F) -> F:
    return click.option(
        "--untracked/--no-untracked",
        default=None,
        help="Also scan untracked files that git does not ignore (default: the config's `untracked`).",
    )(f)


def no_cache_option(f: F) -> F:
    return click.option(
        "--no-cache",
        "no_cache",
        is_flag=True,
        default=False,
        help="Analyse every file afresh; neither read nor write the analysis cache.",
    )(f)


def codes_option(name: str, help: str) -> Callable[[F], F]:
    """A repeatable rule-code option (``--select OWN,DOC001 --select TST``), as ruff spells them."""
    return click.option(name, multiple=True, metavar="CODES", help=f"{help} (ids or prefixes, comma-separated; ALL).")


select_option = codes_option("--select", "Rules to enable instead of the configured set")
ignore_option = codes_option("--ignore", "Rules to disable")
