"""SUP001 unused-suppression: a ``repo-roles: ignore[...]`` comment that suppressed nothing.

Like ruff's RUF100 (unused ``noqa``): a code is *unused* when every rule it names (an id, or a
prefix such as ``DOC``) ran in this invocation and none of their findings was suppressed by the
comment; it is *unknown* when no rule has that id or prefix.  Codes of rules that did not run —
not selected, or a repository rule on a partial scan — are not judged.  A bare ``ignore`` is
reported when it suppressed nothing and every rule enabled by default ran.

Why: a stale suppression hides the next real problem on that line.  Fix: delete the comment,
or the codes the message lists.  SUP001 findings are not themselves suppressible inline; use
``ignore = ["SUP001"]`` or ``per-path-ignores``.

Example message::

    unused suppression `repo-roles: ignore[TST001, XYZ9]` (unused: TST001; unknown: XYZ9)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, List

from repo_roles.checks.filereuse import targets_among
from repo_roles.checks.registry import RULES, rule
from repo_roles.checks.suppression import BLANKET, UNUSED_SUPPRESSION_RULE, usage_of
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext


@rule(UNUSED_SUPPRESSION_RULE, "unused-suppression", "An inline suppression comment suppressed nothing.",
      severity="warning")
def check(context: "ProjectContext") -> Iterator[Finding]:
    usage = usage_of(context)
    if usage is None:  # the engine did not apply suppressions: nothing to judge
        return
    others = [r for r in RULES.values() if r.id != UNUSED_SUPPRESSION_RULE]
    complete = all(r.id in usage.ran for r in others if r.enabled_by_default)
    coverage = context.coverage
    commented = coverage.paths_with_suppressions()  # a few files: the others have none
    # the targets among them, in target order: found by bisection, no pass over every target
    for entry in targets_among(context, commented):
        for sup in coverage.suppressions(entry.path):  # what suppressions_for gives, without building analyses
            used = usage.used.get((entry.path, sup.line, sup.file_level), set())
            directive = f"repo-roles: ignore{'-file' if sup.file_level else ''}"
            if not sup.codes:
                if BLANKET not in used and complete:
                    yield Finding(UNUSED_SUPPRESSION_RULE, f"unused blanket suppression `{directive}`",
                                  entry.path, sup.line, severity="warning", key=directive)
                continue
            unused: List[str] = []
            unknown: List[str] = []
            for code in dict.fromkeys(sup.codes):
                named = [r.id for r in others if r.id.startswith(code)]
                if code in used or (not named and UNUSED_SUPPRESSION_RULE.startswith(code)):
                    continue
                if not named:
                    unknown.append(code)
                elif all(r in usage.ran for r in named):
                    unused.append(code)
            if not unused and not unknown:
                continue
            parts = [f"unused: {', '.join(unused)}"] if unused else []
            parts += [f"unknown: {', '.join(unknown)}"] if unknown else []
            written = f"{directive}[{', '.join(sup.codes)}]"
            yield Finding(
                UNUSED_SUPPRESSION_RULE,
                f"unused suppression `{written}` ({'; '.join(parts)})",
                entry.path,
                sup.line,
                severity="warning",
                key=f"{written}:{','.join(unused + unknown)}",
            )
