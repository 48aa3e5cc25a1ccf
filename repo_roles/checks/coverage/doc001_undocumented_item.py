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

from typing import TYPE_CHECKING, Dict, Iterator, Tuple

from repo_roles.checks.registry import rule
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext


@rule("DOC001", "undocumented-public-item", "A public function, class, method or module has no documentation.",
      severity="warning")
def check(context: "ProjectContext") -> Iterator[Finding]:
    required = set(context.config.docs.require)
    role_of = context.role_of
    # "public function 'x'": the words before the name, once per (public, kind), not per item.
    heads: Dict[Tuple[bool, str], str] = {}
    for path, language, missing in context.coverage.undocumented_files(lambda p: role_of(p) in required):
        tail = "' has no docstring" if language == "python" else "' has no doc comment"
        for name, kind, line, public, end in missing:
            head = heads.get((public, kind))
            if head is None:
                head = heads[public, kind] = f"{'public' if public else 'private'} {kind.replace('_', ' ')} '"
            yield Finding("DOC001", head + name + tail, path, line, None, "warning", name, end)
