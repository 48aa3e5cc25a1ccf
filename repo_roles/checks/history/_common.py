"""What every history rule needs: the history, or one note saying why there is none."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Iterator, List, Optional, Tuple

from repo_roles.history.declared import real_owners
from repo_roles.history.stage import day  # noqa: F401 (re-exported for the HIS rules)

if TYPE_CHECKING:
    from repo_roles.history.stage import History
    from repo_roles.context import ProjectContext


def history_or_note(context: "ProjectContext") -> "Optional[History]":
    """The scan's history; None (and the note, said once per run) when it cannot be read fully."""
    history = context.history
    if not history.available:
        context.note(history.note or "history unavailable")
        return None
    return history


def owned_targets(context: "ProjectContext") -> Iterator[Tuple[str, List[str]]]:
    """(path, declared owners) of every target with an owner that is a person or a team."""
    lookup = context.ownership.lookup
    for entry in context.targets:
        owners = real_owners(lookup(entry.path).owners)
        if owners:
            yield entry.path, owners


def maintained_paths(context: "ProjectContext") -> List[str]:
    """The project's files in scope whose role is in ``[history] roles`` (default: backend.logic,
    frontend.ui): the code a team maintains.  Repository-scope rules look at all of them, not
    only at the files a ``check FILE...`` run names."""
    wanted = frozenset(context.config.history.roles)
    role_of = context.role_of
    return [e.path for e in context.inventory.in_scope() if e.kind == "file" and role_of(e.path) in wanted]


def is_team(history: "History", owner: str) -> bool:
    """A roster team, or a team handle as GitHub and GitLab write it (``@org/team``,
    ``@group/subgroup``): an owner that stands for several people."""
    return history.identities.is_team(owner) or (owner.startswith("@") and "/" in owner)


def names(history: "History", authors: Iterable[int], limit: int = 3) -> str:
    model = history.model
    assert model is not None
    labels = [model.label(a) for a in authors]
    shown = ", ".join(labels[:limit])
    return shown + (f" and {len(labels) - limit} more" if len(labels) > limit else "")
