"""DOC001 undocumented-public-item: a public definition without documentation.

Applies to target files whose role is listed in ``[docs] require`` (default: ``backend.logic``).
One finding per counted item that has no docstring (Python) or doc comment (other languages),
on the line of its definition (spanning its signature: ``end_line``), e.g. ``public function 'apply_coupon' has no docstring``.
Which items count follows ``[docs.python]``: by default pydocstyle's notion of public (PEP 257),
with overloads, overrides, property setters and an ``__init__`` whose class is documented
exempt; ``counting = "interrogate"`` counts what interrogate counts, private names included.

The finding's key is the item's qualified name (``Order.mark``), so a baseline survives edits
that move the definition.  Fix it by documenting the item, or make it private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, FrozenSet, Iterable, Iterator, Optional, Tuple

from repo_roles.checks.filereuse import FILE_INPUTS
from repo_roles.checks.registry import rule
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext


@rule("DOC001", "undocumented-public-item", "A public function, class, method or module has no documentation.",
      severity="warning", inputs=FILE_INPUTS)
def check(context: "ProjectContext", paths: Optional[FrozenSet[str]] = None) -> Iterator[Finding]:
    """On every target, or on the targets among ``paths`` (a file's findings read only its
    documentation row and its role)."""
    required = set(context.config.docs.require)
    role_of = context.role_of
    coverage = context.coverage
    # "public function 'x'": the words before the name, once per (public, kind), not per item.
    heads: Dict[Tuple[bool, str], str] = {}
    files: Iterable[Tuple[str, str, tuple]]
    if paths is None:
        files = coverage.undocumented_files(lambda p: role_of(p) in required)
    else:
        files = _undocumented_among(context, paths, required)
    for path, language, missing in files:
        tail = "' has no docstring" if language == "python" else "' has no doc comment"
        for name, kind, line, public, end in missing:
            head = heads.get((public, kind))
            if head is None:
                head = heads[public, kind] = f"{'public' if public else 'private'} {kind.replace('_', ' ')} '"
            yield Finding("DOC001", head + name + tail, path, line, None, "warning", name, end)


def _undocumented_among(context: "ProjectContext", paths: FrozenSet[str], required: set) -> Iterator[Tuple[str, str, tuple]]:
    """What ``undocumented_files`` gives, for the targets among ``paths`` only."""
    coverage = context.coverage
    for path in sorted(paths):
        if path not in coverage or context.role_of(path) not in required:
            continue
        found = coverage.undocumented(path)
        if found is not None and found[1]:
            yield path, found[0], found[1]
