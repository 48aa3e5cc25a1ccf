"""Options shared by several commands, so every command spells them the same way."""

from __future__ import annotations

import contextlib
import gc
import os
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence, Tuple

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


def split_codes(values: Sequence[str]) -> Tuple[str, ...]:
    """``("OWN,DOC001", "TST")`` -> ``("OWN", "DOC001", "TST")`` (comma-separated, repeatable)."""
    return tuple(code.strip() for value in values for code in value.split(",") if code.strip())


select_option = codes_option("--select", "Rules to enable instead of the configured set")
ignore_option = codes_option("--ignore", "Rules to disable")


@contextlib.contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector for one command; reference counting still frees.

    A check or an audit of a 100k-file repository builds a few hundred thousand small tuples
    and strings (entries, classifications, findings) that live until it ends and hold no
    reference cycles.  The cyclic collector walks all of them again and again, to find
    next to nothing (measured: ~0.1 s of a 0.6 s check, ~1.5 s of an 8 s warm audit, whatever
    the thresholds, since one young collection then has to traverse them all).  mypy makes the same
    trade for the same reason (``mypy/build.py``: "Run gc less frequently, as otherwise we can
    spend a large fraction of cpu in gc").  The collector is re-enabled afterwards, so an
    in-process caller (tests, an editor plugin) keeps its own state.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            _enable_quietly()


def _enable_quietly() -> None:
    """Turn the cyclic collector back on without it then walking what the command made.

    While it is off, every object made still counts towards the youngest generation; the first
    allocation after a plain ``gc.enable()`` then collects that generation, which holds them
    all (measured: 0.12 s at the end of a warm 100k-file audit).  ``gc.freeze()`` sets them
    aside and resets the count, ``gc.unfreeze()`` puts them in the oldest generation, where a
    full collection finds them in its own time.  A caller that froze objects itself keeps
    them frozen: then the plain ``enable`` is used.
    """
    if gc.get_freeze_count():
        gc.enable()
        return
    gc.freeze()
    gc.enable()
    gc.unfreeze()


# -- path arguments ------------------------------------------------------------------------


def is_real_dir(path: str) -> bool:
    """A directory, and not a symlink to one (a symlink in the repository is an entry itself)."""
    return os.path.isdir(path) and not os.path.islink(path)


def start_dir(path: str) -> str:
    """The directory to locate a project from: ``path`` itself when it is a real directory, else
    the directory holding it."""
    return path if is_real_dir(path) else (os.path.dirname(path) or ".")


def resolved(path: str) -> Path:
    """``path`` made absolute with its directories resolved (a symlinked checkout), but never
    the last component: a symlink in the repository is looked at, not followed."""
    absolute = os.path.abspath(path)
    return Path(os.path.realpath(os.path.dirname(absolute))) / os.path.basename(absolute)
