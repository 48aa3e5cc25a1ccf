"""End to end: the ownership rules on git copies of examples/shop and examples/platform.

Each expected finding is a planted problem of the example's PROBLEMS.md (its row number in the
comments) or one of the consequences that file lists; its "Not problems" files must stay clean.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Dict, Optional, Set, Tuple

import pytest
from click.testing import Result

from repo_roles.checks.engine import run_checks
from repo_roles.scan import scan

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

Row = Tuple[str, str, Optional[int]]  # (rule id, path, line)

SHOP: Set[Row] = {
    ("OWN010", ".github/CODEOWNERS", 13),  # 1: /backend/shop/templates/* is non-recursive
    ("OWN007", "backend/shop/pricing.py", None),  # 2: backend.logic owned by @shop/frontend
    ("OWN006", ".github/CODEOWNERS", 28),  # 3: @shop/ghosts
    ("OWN003", ".github/CODEOWNERS", 14),  # 4: /backend/shop/legacy/ matches nothing
    ("OWN004", ".github/CODEOWNERS", 9),  # 5: /docs/api.md twice (line 9 dead; not also OWN005)
    ("OWN005", ".github/CODEOWNERS", 19),  # 6: /web/src/api/ shadowed by /web/
    # 9: /backend/shop/migrations/ without owners un-owns three backend.logic files
    ("OWN001", "backend/shop/migrations/__init__.py", None),
    ("OWN001", "backend/shop/migrations/0001_initial.py", None),
    ("OWN001", "backend/shop/migrations/0002_add_order_status.py", None),
    # consequence of 1: the nested frontend.ui templates stay with @shop/backend
    ("OWN007", "backend/shop/templates/emails/order_confirmation.html.j2", None),
    ("OWN007", "backend/shop/templates/emails/order_confirmation.txt.j2", None),
    ("OWN007", "backend/shop/templates/emails/password_reset.txt.j2", None),
    # consequence of the roster: backend docs owned by nobody on the backend side
    ("OWN007", "PROBLEMS.md", None),  # backend.docs owned by @shop/platform (config, unclassified)
}
# Config and generated files belong to no side: the frontend team owning web/package.json is
# the norm, so OWN007 leaves them alone.
SHOP_CLEAN = (
    "backend/shop/proto/orders_pb2.py",
    "web/src/vendor/some-lib.js",
    "backend/shop/templates/layout.html.j2",
    "web/package.json",
    "web/package-lock.json",
)

PLATFORM: Set[Row] = {
    ("OWN006", "services/billing/OWNERS", 5),  # 1: billing-oncall is no alias and no roster member
    ("OWN006", ".gitlab/CODEOWNERS", 10),  # 3: @platform/audit-team
    ("OWN013", ".gitlab/CODEOWNERS", 20),  # 2: [backend] repeats [Backend] and is merged into it
}
PLATFORM_CLEAN = (
    "apps/dashboard/src/generated/api.ts",
    "services/notify/templates/digest.html",
    "services/notify/templates/invoice-issued.html",
)


def git_copy(name: str, make_repo: Callable[..., Path]) -> Path:
    """The example as a fresh committed repository of its own (its .gitignore applies)."""
    source = EXAMPLES / name
    files: Dict[str, bytes] = {}
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_file() and not {"__pycache__", "node_modules", ".git"} & set(relative.parts):
            files[relative.as_posix()] = path.read_bytes()
    return make_repo(files, name=name)


@pytest.mark.parametrize(
    "name, expected, clean",
    [
        pytest.param("shop", SHOP, SHOP_CLEAN, id="shop-problems-md"),
        pytest.param("platform", PLATFORM, PLATFORM_CLEAN, id="platform-problems-md"),
    ],
)
def test_example_reports_its_planted_ownership_problems(
    make_repo: Callable[..., Path], name: str, expected: Set[Row], clean: Tuple[str, ...]
) -> None:
    context = scan(git_copy(name, make_repo))
    context.findings = run_checks(context)
    found = {(f.rule_id, f.path, f.line) for f in context.findings if f.rule_id.startswith("OWN")}
    assert found == expected
    assert not [f for f in context.findings if f.rule_id.startswith("OWN") and f.path in clean]


def test_audit_lists_the_ownership_findings(make_repo: Callable[..., Path], run_cli: Callable[..., Result]) -> None:
    result = run_cli("audit", "--findings", str(git_copy("shop", make_repo)))
    assert result.exit_code == 1
    assert (
        ".github/CODEOWNERS:13:1: OWN010 /backend/shop/templates/* matches only direct children; 3 files below "
        "backend/shop/templates/ fall back to line 8 (/backend/ @shop/backend)"
    ) in result.stdout
    assert ".github/CODEOWNERS:28:52: OWN006 @shop/ghosts" in result.stdout
