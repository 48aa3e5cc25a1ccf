"""The two example projects end to end: roles, owners and the audit of each.

``examples/shop`` — Python + React, GitHub CODEOWNERS (docs.github.com, "About code owners":
the last matching pattern wins; a pattern without owners leaves files unowned; ``dir/*`` is
not recursive).  ``examples/platform`` — a GitLab CODEOWNERS with sections (docs.gitlab.com,
"Code Owners": section names are case-insensitive and duplicates combine; within a section the
last match wins; every matching section applies), Kubernetes OWNERS files (go.k8s.io/owners),
and ``.gitattributes`` overrides (``linguist-generated``, GitHub Linguist's overrides; our own
``repo-role=``).  Each example's PROBLEMS.md lists its planted problems.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Callable, Dict, List

import pytest

from conftest import git

MAIN = Path(__file__).resolve().parents[1]
EXAMPLES = MAIN / "examples"

# path -> (role, deciding signal)
SHOP_ROLES = {
    "backend/shop/pricing.py": ("backend.logic", "language"),
    "backend/shop/proto/orders_pb2.py": ("generated", "generated"),
    "backend/shop/templates/layout.html.j2": ("frontend.ui", "config-glob"),  # [roles] in repo-roles.toml
    "backend/shop/templates/emails/password_reset.txt.j2": ("frontend.ui", "config-glob"),
    "backend/tests/api/test_routes.py": ("backend.tests", "test-convention"),
    "backend/tests/conftest.py": ("backend.tests", "test-convention"),
    "backend/pyproject.toml": ("config", "data-file"),
    "docs/api.md": ("backend.docs", "docs"),
    "README.md": ("backend.docs", "docs"),
    "web/src/components/Button.test.tsx": ("frontend.tests", "test-convention"),
    "web/src/components/Button.tsx": ("frontend.ui", "frontend-extension"),
    "web/src/styles/global.css": ("frontend.ui", "frontend-extension"),
    "web/src/api/client.ts": ("frontend.ui", "js-side"),
    "web/package-lock.json": ("generated", "generated"),
    "web/package.json": ("config", "data-file"),
    "web/src/vendor/some-lib.js": ("vendored", "vendored-path"),
    "web/public/logo.svg": ("frontend.assets", "frontend-extension"),
    ".github/workflows/ci.yml": ("config", "data-file"),
}

# path -> (owners, line of .github/CODEOWNERS)
SHOP_OWNERS = {
    "backend/shop/pricing.py": (["@shop/frontend"], 11),  # PROBLEMS.md #2
    "backend/shop/models.py": (["@shop/backend"], 8),
    "backend/shop/templates/layout.html.j2": (["@shop/frontend"], 13),
    # PROBLEMS.md #1: `templates/*` is not recursive, nested files fall back to /backend/
    "backend/shop/templates/emails/order_confirmation.html.j2": (["@shop/backend"], 8),
    "backend/shop/migrations/0001_initial.py": ([], 16),  # PROBLEMS.md #9: explicitly unowned
    "docs/api.md": (["@shop/docs", "@shop/backend"], 25),  # PROBLEMS.md #5: line 25 wins over 9
    "docs/architecture.md": (["@shop/docs"], 23),
    "web/src/api/client.ts": (["@shop/frontend"], 20),  # PROBLEMS.md #6: line 19 is shadowed
    ".github/workflows/ci.yml": (["@shop/platform", "@shop/ghosts"], 28),
    "backend/pyproject.toml": (["@shop/platform"], 29),
    ".gitignore": (["@shop/platform"], 5),
}

PLATFORM_ROLES = {
    "apps/dashboard/src/generated/api.ts": ("generated", "gitattributes"),  # linguist-generated
    "services/notify/templates/digest.html": ("frontend.ui", "gitattributes"),  # repo-role=
    "apps/dashboard/src/App.vue": ("frontend.ui", "frontend-extension"),
    "apps/dashboard/src/main.ts": ("frontend.ui", "js-side"),
    "apps/dashboard/src/components/StatusBadge.spec.ts": ("frontend.tests", "test-convention"),
    "apps/dashboard/src/assets/logo.svg": ("frontend.assets", "frontend-extension"),
    "services/notify/src/index.ts": ("backend.logic", "js-side"),
    "services/notify/src/mailer.test.ts": ("backend.tests", "test-convention"),
    "services/billing/internal/invoice/tax.go": ("backend.logic", "language"),
    "services/billing/internal/invoice/invoice_test.go": ("backend.tests", "test-convention"),
    "services/billing/go.sum": ("generated", "generated"),
    "services/billing/go.mod": ("config", "data-file"),
    "libs/audit/src/main/java/com/example/audit/AuditLog.java": ("backend.logic", "language"),
    "libs/audit/src/test/java/com/example/audit/AuditLogTest.java": ("backend.tests", "test-convention"),
    "docs/runbook.md": ("backend.docs", "docs"),
    "services/billing/OWNERS": ("config", "data-file"),
}

# GitLab: the unsectioned `*` (leads) plus the winner of each matching section.
PLATFORM_OWNERS = {
    "services/billing/internal/invoice/tax.go": ["@platform/leads", "@platform/backend"],
    "services/billing/README.md": ["@platform/leads", "@platform/backend", "@platform/docs"],
    "libs/audit/pom.xml": ["@platform/leads", "@platform/audit-team"],
    "apps/dashboard/src/generated/api.ts": ["@platform/leads", "@platform/backend"],  # [Frontend] line 18
    "apps/dashboard/src/App.vue": ["@platform/leads", "@platform/frontend"],
    # PROBLEMS.md #2: [backend] joins [Backend], so line 21 wins over /services/notify/ there.
    "services/notify/templates/digest.html": ["@platform/leads", "@platform/frontend"],
    "docs/runbook.md": ["@platform/leads", "@platform/docs"],
    "OWNERS": ["@platform/leads"],
}


def records(stdout: str) -> Dict[str, dict]:
    return {r["path"]: r for r in map(json.loads, stdout.splitlines())}


def committed_copy(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(EXAMPLES / name, root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", f"the {name} example")
    return root


def tracked_files(name: str) -> List[str]:
    listed = git(MAIN, "ls-files", "-z", "--", f"examples/{name}/").split("\0")
    return sorted(p[len(f"examples/{name}/"):] for p in listed if p)


def check_audit(stdout: str, code: int) -> List[str]:
    """The exit code is 1 exactly when error or warning findings are listed (ruff's contract)."""
    findings = stdout.split("\nFindings\n", 1)[1].rstrip("\n").splitlines()
    summary = findings[-1]
    violations = re.search(r"\d+ (errors?|warnings?)\b", summary) is not None
    assert code == (1 if violations else 0), stdout
    return findings[:-1]


# -- (a) the folders as committed in this repository -------------------------------------------------


@pytest.mark.parametrize("name", ["shop", "platform"])
def test_example_folder_inside_this_repository(run_cli, name: str) -> None:
    """The example has its own repo-roles.toml, so it is the project: paths are relative to it."""
    result = run_cli("ls", "--format", "jsonl", str(EXAMPLES / name))
    assert result.exit_code == 0, result.stderr
    found = records(result.stdout)
    excluded = {p for p in tracked_files(name) if p.startswith(("web/dist/",))}
    assert sorted(found) == [p for p in tracked_files(name) if p not in excluded]
    assert not any(p.startswith("examples/") for p in found)
    table = SHOP_ROLES if name == "shop" else PLATFORM_ROLES
    assert {p: (found[p]["role"], found[p]["signal"]) for p in table} == table


# -- (b) shop as its own repository --------------------------------------------------------------------


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return committed_copy(tmp_path_factory.mktemp("examples"), "shop")


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return committed_copy(tmp_path_factory.mktemp("examples"), "platform")


def test_shop_roles_and_owners(shop: Path, run_cli) -> None:
    found = records(run_cli("ls", "--format", "jsonl", str(shop)).stdout)
    assert len(found) == len(tracked_files("shop"))
    assert {p: (found[p]["role"], found[p]["signal"]) for p in SHOP_ROLES} == SHOP_ROLES
    assert {p: (found[p]["owners"], found[p]["owners_line"]) for p in SHOP_OWNERS} == SHOP_OWNERS
    assert {r["owners_source"] for r in found.values()} == {".github/CODEOWNERS"}


def test_shop_audit(shop: Path, run_cli) -> None:
    result = run_cli("audit", "--findings", str(shop))
    assert "Traceback" not in result.stderr
    out = result.stdout
    assert "Owners (from .github/CODEOWNERS, github syntax)" in out
    assert re.search(r"^  @shop/ghosts +2 .*NOT IN ROSTER$", out, re.M)  # PROBLEMS.md #3
    assert "  unowned files: 3 (backend.logic 3)" in out  # PROBLEMS.md #9
    assert re.search(r"^  backend.logic +14 ", out, re.M) and re.search(r"^  vendored +1 ", out, re.M)
    listed = check_audit(out, result.exit_code)
    assert listed, "the shop example has planted problems"
    # Planted problems whose rule exists, by location (messages may be reworded).
    assert any(line.startswith("backend/shop/pricing.py:32: DOC001 ") for line in listed)  # #8
    assert any(line.startswith("backend/shop/inventory.py: TST001 ") for line in listed)  # #7
    # "Not problems": generated and vendored files are never reported.
    assert not any(line.startswith(("backend/shop/proto/orders_pb2.py", "web/src/vendor/")) for line in listed)


def test_shop_explain_pricing(shop: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(shop)
    out = run_cli("explain", "backend/shop/pricing.py", "backend/shop/templates/layout.html.j2").stdout
    assert "  owners:   @shop/frontend  [.github/CODEOWNERS:11]" in out
    assert re.search(r"overridden \.github/CODEOWNERS:8 +/backend/ +@shop/backend", out)
    assert "config-glob: [roles] glob 'backend/shop/templates/**'  [repo-roles.toml:7]" in out


# -- (c) platform as its own repository -------------------------------------------------------------


def test_platform_roles_and_owners(platform: Path, run_cli) -> None:
    found = records(run_cli("ls", "--format", "jsonl", str(platform)).stdout)
    assert len(found) == len(tracked_files("platform"))
    assert {p: (found[p]["role"], found[p]["signal"]) for p in PLATFORM_ROLES} == PLATFORM_ROLES
    assert {p: found[p]["owners"] for p in PLATFORM_OWNERS} == PLATFORM_OWNERS
    assert {r["owners_source"] for r in found.values()} == {".gitlab/CODEOWNERS"}


def test_platform_audit(platform: Path, run_cli) -> None:
    result = run_cli("audit", "--findings", str(platform))
    out = result.stdout
    assert "Owners (from .gitlab/CODEOWNERS, gitlab syntax)" in out
    assert re.search(r"^  @platform/audit-team +4 .*NOT IN ROSTER$", out, re.M)  # PROBLEMS.md #3
    assert "  unowned files: 0" in out
    listed = check_audit(out, result.exit_code)
    assert any(line.startswith("services/billing/internal/invoice/tax.go:13: DOC001 ") for line in listed)  # #4
    assert not any(line.startswith("apps/dashboard/src/generated/") for line in listed)


def test_platform_owners_files_decide_where_codeowners_is_silent(platform: Path, run_cli, tmp_path: Path) -> None:
    """Without the CODEOWNERS file, services/billing/OWNERS (plus the root OWNERS it inherits,
    ``no_parent_owners: false``) decides; aliases from OWNERS_ALIASES are expanded to logins."""
    root = tmp_path / "platform-owners-only"
    shutil.copytree(platform, root)
    git(root, "rm", "-q", ".gitlab/CODEOWNERS")
    config = (root / "repo-roles.toml").read_text()
    (root / "repo-roles.toml").write_text(re.sub(r'(?m)^(file|dialect) = .*\n', "", config))
    found = records(run_cli("ls", "--format", "jsonl", str(root)).stdout)
    tax = found["services/billing/internal/invoice/tax.go"]
    assert tax["owners_source"] == "services/billing/OWNERS"
    # billing-maintainers -> akowalski, mchen; billing-oncall is no alias (PROBLEMS.md #1);
    # platform-leads (root OWNERS) -> akowalski, sgarcia.
    assert set(tax["owners"]) == {"@akowalski", "@mchen", "@billing-oncall", "@sgarcia"}
    assert found["README.md"]["owners_source"] == "OWNERS"
    assert set(found["README.md"]["owners"]) == {"@akowalski", "@sgarcia"}


def test_platform_explain_marks_each_gitlab_section_winner(platform: Path, run_cli,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(platform)
    out = run_cli("explain", "apps/dashboard/src/generated/api.ts").stdout
    assert re.search(r"wins +\.gitlab/CODEOWNERS:18 \[Frontend\]", out)
    assert re.search(r"overridden +\.gitlab/CODEOWNERS:17 \[Frontend\]", out)
    assert re.search(r"wins +\.gitlab/CODEOWNERS:5 ", out)
