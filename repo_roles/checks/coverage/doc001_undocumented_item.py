"""DOC001 undocumented-public-item: a public definition without documentation.

Applies to target files whose role is listed in ``[docs] require`` (default: ``backend.logic``).
One finding per counted item that has no docstring (Python) or doc comment (other languages),
on the line of its definition, e.g. ``public function 'apply_coupon' has no docstring``.
Which items count follows ``[docs.python]``: by default pydocstyle's notion of public (PEP 257),
with overloads, overrides, property setters and an ``__init__`` whose class is documented
exempt; ``counting = "interrogate"`` counts what interrogate counts, private names included.

The finding's key is the item's qualified name (``Order.mark``), so a baseline survives edits
that move the definition.  Fix it by documenting the item, or make it private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from repo_roles.checks.registry import rule
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.scan import ScanContext


@rule("DOC001", "undocumented-public-item", "A public function, class, method or module has no documentation.",
      severity="warning")
def check(context: "ScanContext") -> Iterator[Finding]:
    required = set(context.config.docs.require)
    result = context.coverage
    for entry in context.targets:
        docs = result.docs_of(entry.path)
        if docs is None or context.role_of(entry.path) not in required:
            continue
        what = "docstring" if docs.language == "python" else "doc comment"
        for item in docs.missing:
            visibility = "public" if item.public else "private"
            kind = item.kind.replace("_", " ")
            yield Finding("DOC001", f"{visibility} {kind} '{item.name}' has no {what}", entry.path,
                          line=item.line, severity="warning", key=item.name)
