"""The typed configuration every layer reads. Built only by ``config.loader`` from validated data.

File format (``repo-roles.toml``, ``.repo-roles.toml`` or ``[tool.repo-roles]`` in pyproject.toml)::

    extends = "recommended"          # a built-in pack from rules/, or a path; or a list of them
    include = ["**"]                 # gitignore-style globs of files to scan
    exclude = ["build/"]             # gitignore-style globs never scanned
    untracked = false                # also scan untracked, non-ignored files

    [roles]                          # explicit classification, the first signal tried
    "frontend.ui" = ["web/src/**/*.ts"]

    [teams."@acme/backend"]          # the roster: owner handle -> responsibility and members
    description = "API and workers"
    responsible = ["backend"]        # sides and/or roles
    members = ["@alice", "bob@example.com"]

    [ownership]
    file = ".github/CODEOWNERS"      # default: discovered where each platform looks
    dialect = "auto"                 # auto | github | gitlab | bitbucket
    owners-files = true              # also read directory OWNERS files
    require-owner = ["backend.logic", ...]

    [docs]                           # documentation coverage of backend code
    require = ["backend.logic"] ; fail-under = 80
    thresholds = { "@acme/backend" = 90, "services/billing/**" = 70 }
    [docs.python]
    counting = "repo-roles"          # or "interrogate", plus interrogate's ignore-* flags

    [tests]                          # test presence for backend code
    require = ["backend.logic"] ; exempt = ["**/migrations/**"]
    mapping = { "src/{dir}/{name}.py" = ["tests/{dir}/test_{name}.py"] }

    [history]                        # de-facto owners from git history (HIS rules, audit, ls)
    active-days = 365 ; identities = { "*@old-corp.example" = "@alice" }
    bots = ["dependabot*", "*[bot]"] ; concentration-files = 20
    roles = ["backend.logic", "frontend.ui"] ; orphaned-files = 5

    cache-dir = "my-project"         # a sub-directory of the user cache directory

    [lint]
    select = [] ; extend-select = [] ; ignore = []
    per-path-ignores = { "legacy/**" = ["OWN001"] }
    severity = { "OWN003" = "warning" }
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Optional, Tuple

from repo_roles import roles as R

DEFAULT_REQUIRE_OWNER: Tuple[str, ...] = (
    R.BACKEND_LOGIC,
    R.BACKEND_TESTS,
    R.BACKEND_DOCS,
    R.FRONTEND_UI,
    R.FRONTEND_ASSETS,
    R.FRONTEND_TESTS,
    R.FRONTEND_DOCS,
)

KeyPath = Tuple[str, ...]


def attr_name(key: str) -> str:
    """The model attribute a kebab-case TOML key fills: ``owners-files`` -> ``owners_files``."""
    return key.replace("-", "_")


@dataclass(frozen=True)
class Team:
    """A roster entry: an owner handle (``@org/team``, ``@user`` or an email) and what it answers for."""

    handle: str
    description: str = ""
    responsible: Tuple[str, ...] = ()  # sides and/or roles, as written
    members: Tuple[str, ...] = ()

    @property
    def roles(self) -> frozenset:
        """The roles this team answers for (sides expanded)."""
        out: set = set()
        for item in self.responsible:
            out |= R.expand_responsibility(item)
        return frozenset(out)


@dataclass(frozen=True)
class OwnershipConfig:
    file: Optional[str] = None
    dialect: str = "auto"
    owners_files: bool = True
    require_owner: Tuple[str, ...] = DEFAULT_REQUIRE_OWNER


@dataclass(frozen=True)
class LintConfig:
    select: Tuple[str, ...] = ()
    extend_select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()
    per_path_ignores: Dict[str, Tuple[str, ...]] = field(default_factory=dict)
    severity: Dict[str, str] = field(default_factory=dict)


DEFAULT_TEST_EXEMPT: Tuple[str, ...] = (
    "**/__main__.py",
    "**/settings.py",
    "**/settings/**",
    "**/wsgi.py",
    "**/asgi.py",
    "**/cmd/*/main.go",
    "**/*.d.ts",
)


@dataclass(frozen=True)
class PythonDocsConfig:
    """Mirrors :class:`repo_roles.coverage.model.DocOptions` (None: the counting mode decides)."""

    counting: str = "repo-roles"
    ignore_init_module: Optional[bool] = None
    ignore_init_method: Optional[bool] = None
    ignore_magic: Optional[bool] = None
    ignore_private: Optional[bool] = None
    ignore_semiprivate: Optional[bool] = None
    ignore_nested_functions: Optional[bool] = None
    ignore_nested_classes: Optional[bool] = None
    ignore_property_decorators: Optional[bool] = None
    ignore_property_setters: Optional[bool] = None
    ignore_overloaded_functions: Optional[bool] = None
    ignore_overrides: Optional[bool] = None
    ignore_module: Optional[bool] = None
    ignore_regex: Tuple[str, ...] = ()
    include_regex: Tuple[str, ...] = ()
    ignore_decorators: Tuple[str, ...] = ()
    docstring_style: str = "sphinx"
    max_file_size: int = 1_000_000
    # Filled from interrogate's own configuration (config/interrogate.py), not from repo-roles.toml:
    extensions: Tuple[str, ...] = ()  # more Python-like suffixes to analyse (".pyi")
    exclude: Tuple[str, ...] = ()  # interrogate's exclude paths (a file counts not when fnmatch(path, x + "*"))
    interrogate_source: Optional[str] = None  # "pyproject.toml [tool.interrogate]"


@dataclass(frozen=True)
class DocsConfig:
    require: Tuple[str, ...] = (R.BACKEND_LOGIC,)
    fail_under: float = 0.0
    thresholds: Dict[str, float] = field(default_factory=dict)  # role / @handle / glob -> percent
    package_dirs: Tuple[str, ...] = ()
    python: PythonDocsConfig = field(default_factory=PythonDocsConfig)


@dataclass(frozen=True)
class TestsConfig:
    require: Tuple[str, ...] = (R.BACKEND_LOGIC,)
    exempt: Tuple[str, ...] = DEFAULT_TEST_EXEMPT
    mapping: Dict[str, Tuple[str, ...]] = field(default_factory=dict)  # source template -> test templates


DEFAULT_HISTORY_ROLES: Tuple[str, ...] = (R.BACKEND_LOGIC, R.FRONTEND_UI)

DEFAULT_BOTS: Tuple[str, ...] = (
    "dependabot*",
    "renovate*",
    "github-actions*",
    "pre-commit-ci*",
    "*[bot]",
    "*[bot]@users.noreply.github.com",
)


@dataclass(frozen=True)
class HistoryConfig:
    active_days: int = 365
    identities: Dict[str, str] = field(default_factory=dict)  # e-mail or name pattern -> handle
    bots: Tuple[str, ...] = DEFAULT_BOTS  # name or e-mail patterns ("*" wildcard) never counted
    concentration_files: int = 20  # HIS004: a truck factor of 1 over more files than this
    # HIS004/HIS005 look at the code a team maintains: not tests, fixtures, docs, config,
    # generated or vendored files (a single-author fixture folder is no knowledge risk)
    roles: Tuple[str, ...] = DEFAULT_HISTORY_ROLES
    orphaned_files: int = 5  # HIS005: a directory with at least this many files, none with an active author


@dataclass(frozen=True)
class Config:
    """A fully resolved configuration (``extends`` already merged)."""

    path: Optional[Path] = None  # the file it was read from; None for built-in defaults
    extends: Tuple[str, ...] = ()
    include: Tuple[str, ...] = ()
    exclude: Tuple[str, ...] = ()
    untracked: bool = False
    roles: Dict[str, Tuple[str, ...]] = field(default_factory=dict)  # role -> globs
    teams: Dict[str, Team] = field(default_factory=dict)  # handle -> team
    ownership: OwnershipConfig = field(default_factory=OwnershipConfig)
    lint: LintConfig = field(default_factory=LintConfig)
    docs: DocsConfig = field(default_factory=DocsConfig)
    tests: TestsConfig = field(default_factory=TestsConfig)
    history: HistoryConfig = field(default_factory=HistoryConfig)
    cache_dir: Optional[str] = None
    # Where each key path was set: ("roles", "frontend.ui") -> ("repo-roles.toml", 12).
    sources: Dict[KeyPath, Tuple[str, int]] = field(default_factory=dict)

    def source_of(self, *key_path: str) -> Optional[str]:
        """``"file:line"`` of the setting at ``key_path`` (or its nearest configured parent)."""
        path: KeyPath = tuple(key_path)
        while path:
            if path in self.sources:
                file, line = self.sources[path]
                return f"{file}:{line}"
            path = path[:-1]
        return None
