"""Loading, validation errors, extends and discovery of configuration files (real files in tmp_path)."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path
from typing import Dict, Optional

import pytest

from repo_roles import roles as R
from repo_roles.config import CONFIG_FILENAMES, Config, Team, builtin_rules_dir, discover_config, load_config
from repo_roles.config.model import LintConfig, OwnershipConfig
from repo_roles.errors import ConfigError

FULL = """\
extends = []
include = ["**"]
exclude = ["build/", "*.min.js"]
untracked = true

[roles]
"frontend.ui" = ["web/src/**/*.ts"]
"backend.docs" = [
    "docs/api/**",
    "README.md",
]

[teams."@acme/backend"]
description = "API and workers"
responsible = ["backend"]
members = ["@alice", "bob@example.com"]

[teams."@acme/web"]
responsible = ["frontend.ui", "frontend.assets"]

[ownership]
file = ".github/CODEOWNERS"
dialect = "gitlab"
owners-files = false
require-owner = ["backend.logic"]

[lint]
select = ["OWN"]
extend-select = ["DOC001"]
ignore = ["OWN003"]
per-path-ignores = { "legacy/**" = ["OWN001"] }
severity = { "OWN003" = "warning" }
"""


@pytest.fixture(autouse=True)
def _cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages name files relative to the working directory; make that tmp_path."""
    monkeypatch.chdir(tmp_path)


def write(root: Path, files: Dict[str, str]) -> None:
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")


def load_error(root: Path, text: str, name: str = "repo-roles.toml") -> ConfigError:
    write(root, {name: text})
    with pytest.raises(ConfigError) as info:
        load_config(root / name)
    return info.value


# -- valid files ---------------------------------------------------------------------------
def test_full_example_loads_into_the_model(tmp_path: Path) -> None:
    write(tmp_path, {"repo-roles.toml": FULL})
    config = load_config(tmp_path / "repo-roles.toml")

    assert config.path == tmp_path / "repo-roles.toml"
    assert config.include == ("**",)
    assert config.exclude == ("build/", "*.min.js")
    assert config.untracked is True
    assert config.roles == {"frontend.ui": ("web/src/**/*.ts",), "backend.docs": ("docs/api/**", "README.md")}
    assert config.teams["@acme/backend"] == Team(
        handle="@acme/backend",
        description="API and workers",
        responsible=("backend",),
        members=("@alice", "bob@example.com"),
    )
    assert config.teams["@acme/backend"].roles == {R.BACKEND_LOGIC, R.BACKEND_TESTS, R.BACKEND_DOCS}
    assert config.teams["@acme/web"].roles == {R.FRONTEND_UI, R.FRONTEND_ASSETS}
    assert config.ownership == OwnershipConfig(
        file=".github/CODEOWNERS", dialect="gitlab", owners_files=False, require_owner=("backend.logic",)
    )
    assert config.lint == LintConfig(
        select=("OWN",),
        extend_select=("DOC001",),
        ignore=("OWN003",),
        per_path_ignores={"legacy/**": ("OWN001",)},
        severity={"OWN003": "warning"},
    )


def test_sources_name_the_line_of_each_setting(tmp_path: Path) -> None:
    write(tmp_path, {"repo-roles.toml": FULL})
    config = load_config(tmp_path / "repo-roles.toml")

    assert config.source_of("roles", "backend.docs") == "repo-roles.toml:8"
    assert config.source_of("teams", "@acme/web") == "repo-roles.toml:18"
    assert config.source_of("teams", "@acme/web", "responsible") == "repo-roles.toml:19"
    assert config.source_of("ownership", "dialect") == "repo-roles.toml:23"
    assert config.source_of("lint", "per-path-ignores", "legacy/**") == "repo-roles.toml:31"
    assert config.source_of("untracked") == "repo-roles.toml:4"


def test_no_file_gives_the_builtin_defaults() -> None:
    config = load_config(None)
    assert config == Config()
    assert config.ownership.dialect == "auto"
    assert config.ownership.require_owner == (
        R.BACKEND_LOGIC,
        R.BACKEND_TESTS,
        R.BACKEND_DOCS,
        R.FRONTEND_UI,
        R.FRONTEND_ASSETS,
        R.FRONTEND_TESTS,
        R.FRONTEND_DOCS,
    )


def test_an_empty_file_gives_the_defaults_with_its_path(tmp_path: Path) -> None:
    write(tmp_path, {".repo-roles.toml": "# nothing yet\n"})
    config = load_config(tmp_path / ".repo-roles.toml")
    assert config.path == tmp_path / ".repo-roles.toml"
    assert (config.include, config.teams, config.ownership, config.lint) == (
        (),
        {},
        OwnershipConfig(),
        LintConfig(),
    )


def test_pyproject_reads_only_the_tool_table(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": """\
        [project]
        name = "demo"

        [tool.other]
        whatever = 1

        [tool.repo-roles]
        exclude = ["dist/"]

        [tool.repo-roles.ownership]
        dialect = "github"
        """
        },
    )
    config = load_config(tmp_path / "pyproject.toml")
    assert config.exclude == ("dist/",)
    assert config.ownership.dialect == "github"
    assert config.source_of("ownership", "dialect") == "pyproject.toml:11"


def test_pyproject_error_names_the_full_key_path(tmp_path: Path) -> None:
    err = load_error(
        tmp_path, '[project]\nname = "x"\n\n[tool.repo-roles.lint]\nselekt = []\n', name="pyproject.toml"
    )
    assert str(err).startswith("pyproject.toml:5:1: tool.repo-roles.lint.selekt: unknown key 'selekt'")
    assert err.hint == "did you mean 'select'?"


# -- validation errors ---------------------------------------------------------------------
def test_unknown_key_has_file_line_column_and_did_you_mean(tmp_path: Path) -> None:
    err = load_error(tmp_path, 'include = ["**"]\n\n[ownership]\ndialect = "github"\n  owner-files = true\n')
    assert (err.file, err.line, err.column, err.key_path) == (
        "repo-roles.toml",
        5,
        3,
        "ownership.owner-files",
    )
    assert str(err) == (
        "repo-roles.toml:5:3: ownership.owner-files: unknown key 'owner-files'; "
        "expected one of: file, dialect, owners-files, require-owner (did you mean 'owners-files'?)"
    )


@pytest.mark.parametrize(
    ("text", "where", "key_path", "message", "hint"),
    [
        pytest.param(
            'untracked = "yes"\n',
            (1, 1),
            "untracked",
            "expected true or false, found string 'yes'",
            None,
            id="wrong-type-bool",
        ),
        pytest.param(
            'exclude = "build/"\n',
            (1, 1),
            "exclude",
            "expected an array of gitignore-style globs, found string 'build/'",
            None,
            id="wrong-type-list",
        ),
        pytest.param(
            "[lint]\nselect = [\n  'OWN',\n  3,\n]\n",
            (4, 3),
            "lint.select[1]",
            "expected a non-empty string, found integer 3",
            None,
            id="wrong-item-type-multiline-array",
        ),
        pytest.param(
            '[roles]\n"frontend.iu" = ["web/**"]\n',
            (2, 1),
            'roles."frontend.iu"',
            "unknown role 'frontend.iu'",
            "did you mean 'frontend.ui'?",
            id="bad-role-name",
        ),
        pytest.param(
            'ownership = { require-owner = ["backend.logik"] }\n',
            (1, 32),
            "ownership.require-owner[0]",
            "unknown role 'backend.logik'",
            "did you mean 'backend.logic'?",
            id="bad-role-in-inline-table",
        ),
        pytest.param(
            '[ownership]\ndialect = "githb"\n',
            (2, 1),
            "ownership.dialect",
            "unknown dialect 'githb'; expected one of: auto, github, gitlab, bitbucket",
            "did you mean 'github'?",
            id="bad-enum-dialect",
        ),
        pytest.param(
            '[lint.severity]\nOWN003 = "warn"\n',
            (2, 1),
            "lint.severity.OWN003",
            "unknown severity 'warn'; expected one of: error, warning, info",
            "did you mean 'warning'?",
            id="bad-enum-severity",
        ),
        pytest.param(
            '[teams."@acme/web"]\nresponsible = ["fronted"]\n',
            (2, 16),
            'teams."@acme/web".responsible[0]',
            "unknown side or role 'fronted'",
            "did you mean 'frontend'?",
            id="bad-side-or-role",
        ),
        pytest.param(
            '[teams.acme]\nresponsible = ["backend"]\n',
            (1, 8),
            "teams.acme",
            "expected an owner handle (@user, @org/team or an email), found string 'acme'",
            "did you mean '@acme'?",
            id="bad-handle-key",
        ),
        pytest.param(
            '[teams."@acme/web"]\nmembers = ["@alice", "bob at example.com"]\n',
            (2, 22),
            'teams."@acme/web".members[1]',
            "expected an owner handle",
            None,
            id="bad-member-handle",
        ),
        pytest.param(
            'include = ["src/\\\\"]\n',
            (1, 12),
            "include[0]",
            "invalid glob 'src/\\\\'",
            None,
            id="bad-glob-trailing-backslash",
        ),
        pytest.param(
            '[lint.per-path-ignores]\n"legacy/[z-a]" = ["OWN001"]\n',
            (2, 1),
            'lint.per-path-ignores."legacy/[z-a]"',
            "invalid glob 'legacy/[z-a]'",
            None,
            id="bad-glob-range",
        ),
        pytest.param(
            'exclude = ["#build"]\n',
            (1, 12),
            "exclude[0]",
            "invalid glob '#build': it matches nothing",
            None,
            id="glob-that-is-a-comment",
        ),
        pytest.param(
            "extends = 3\n",
            (1, 1),
            "extends",
            "expected a non-empty string or an array of non-empty strings, found integer 3",
            None,
            id="bad-extends-type",
        ),
        pytest.param(
            "lint = []\n", (1, 1), "lint", "expected a table, found array", None, id="table-expected"
        ),
    ],
)
def test_invalid_values_are_located_and_explained(
    tmp_path: Path, text: str, where: tuple, key_path: str, message: str, hint: Optional[str]
) -> None:
    err = load_error(tmp_path, text)
    assert (err.file, (err.line, err.column), err.key_path) == ("repo-roles.toml", where, key_path)
    assert err.message.startswith(message)
    assert err.hint == hint


@pytest.mark.parametrize(
    ("text", "where"),
    [
        pytest.param("a = \n", (1, 5), id="missing-value"),
        pytest.param('include = ["x"]\n[lint\n', (2, 6), id="unclosed-header"),
        pytest.param("untracked = true\nuntracked = false\n", (2, 18), id="duplicate-key"),
    ],
)
def test_toml_syntax_errors_carry_tomllib_position(tmp_path: Path, text: str, where: tuple) -> None:
    err = load_error(tmp_path, text)
    assert (err.file, (err.line, err.column)) == ("repo-roles.toml", where)
    assert err.message.startswith("invalid TOML: ")
    assert "(at line" not in err.message  # the position is not repeated in the message


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_config(tmp_path / "repo-roles.toml")


# -- extends -------------------------------------------------------------------------------
def test_extends_recommended_uses_the_builtin_pack(tmp_path: Path) -> None:
    write(tmp_path, {"repo-roles.toml": 'extends = "recommended"\n[ownership]\ndialect = "github"\n'})
    config = load_config(tmp_path / "repo-roles.toml")
    pack = load_config(builtin_rules_dir() / "recommended.toml")

    assert pack.exclude and "node_modules/" in pack.exclude
    assert config.exclude == pack.exclude
    assert config.extends == ("recommended",)
    assert config.ownership.dialect == "github"
    assert config.source_of("exclude").endswith(
        "recommended.toml:" + str(_line_of(builtin_rules_dir() / "recommended.toml", "exclude"))
    )


def _line_of(path: Path, prefix: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.startswith(prefix))


def test_extends_relative_path_and_list_merge_in_order(tmp_path: Path) -> None:
    """Tables merge by key, arrays are replaced.

    As tsconfig does for include/exclude (typescriptlang.org/tsconfig/extends).
    """
    write(
        tmp_path,
        {
            "shared/base.toml": """\
            exclude = ["a/"]
            [roles]
            "frontend.ui" = ["web/**"]
            "backend.docs" = ["docs/**"]
            [teams."@acme/web"]
            description = "base"
            responsible = ["frontend"]
            [lint]
            ignore = ["OWN001"]
            """,
            "shared/more.toml": 'extends = "base.toml"\nexclude = ["b/"]\n[lint]\nselect = ["OWN"]\n',
            "proj/repo-roles.toml": """\
            extends = ["../shared/base.toml", "../shared/more.toml"]
            [roles]
            "frontend.ui" = ["app/**"]
            [teams."@acme/web"]
            members = ["@carol"]
            """,
        },
    )
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)  # extends stays inside the work tree
    config = load_config(tmp_path / "proj" / "repo-roles.toml")

    assert config.exclude == ("b/",)
    assert config.roles == {"frontend.ui": ("app/**",), "backend.docs": ("docs/**",)}
    assert config.teams["@acme/web"] == Team("@acme/web", "base", ("frontend",), ("@carol",))
    assert config.lint.ignore == ("OWN001",) and config.lint.select == ("OWN",)
    assert config.source_of("roles", "frontend.ui") == "proj/repo-roles.toml:3"
    assert config.source_of("roles", "backend.docs") == "shared/base.toml:4"
    assert config.source_of("exclude") == "shared/more.toml:2"


def test_extends_cycle_is_an_error(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "repo-roles.toml": 'extends = "a.toml"\n',
            "a.toml": 'untracked = true\nextends = ["b.toml"]\n',
            "b.toml": 'extends = "a.toml"\n',
        },
    )
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "repo-roles.toml")
    err = info.value
    assert (err.file, err.line, err.column, err.key_path) == ("b.toml", 1, 1, "extends")
    assert err.message == "extends cycle: repo-roles.toml -> a.toml -> b.toml -> a.toml"


def test_error_in_a_parent_names_the_parent_file(tmp_path: Path) -> None:
    write(
        tmp_path, {"repo-roles.toml": 'extends = "base/x.toml"\n', "base/x.toml": "\n[lint]\nignroe = []\n"}
    )
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "repo-roles.toml")
    assert str(info.value).startswith("base/x.toml:3:1: lint.ignroe: unknown key")


@pytest.mark.parametrize(
    ("extends", "message", "hint"),
    [
        pytest.param(
            '"recomended"',
            "unknown built-in pack 'recomended'",
            "did you mean 'recommended'?",
            id="unknown-pack",
        ),
        pytest.param('"./nope.toml"', "extends './nope.toml': file not found", None, id="missing-file"),
    ],
)
def test_extends_target_must_exist(tmp_path: Path, extends: str, message: str, hint: Optional[str]) -> None:
    err = load_error(tmp_path, f"untracked = false\nextends = {extends}\n")
    assert (err.line, err.column, err.key_path) == (2, 1, "extends")
    assert err.message.startswith(message)
    assert err.hint == hint


# -- discovery -----------------------------------------------------------------------------
def test_config_filenames_are_in_precedence_order() -> None:
    assert CONFIG_FILENAMES == ("repo-roles.toml", ".repo-roles.toml", "pyproject.toml")


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {"repo-roles.toml": "", ".repo-roles.toml": "", "pyproject.toml": "[tool.repo-roles]\n"},
            "repo-roles.toml",
            id="plain-name-first",
        ),
        pytest.param(
            {".repo-roles.toml": "", "pyproject.toml": "[tool.repo-roles]\n"},
            ".repo-roles.toml",
            id="dotfile-before-pyproject",
        ),
        pytest.param(
            {"pyproject.toml": '[project]\nname = "x"\n[tool.repo-roles.lint]\n'},
            "pyproject.toml",
            id="pyproject-with-subtable",
        ),
        pytest.param(
            {"pyproject.toml": '[tool."repo-roles"]\n'}, "pyproject.toml", id="pyproject-quoted-table"
        ),
        pytest.param(
            {"pyproject.toml": '[project]\nname = "x"\n[tool.ruff]\n'},
            None,
            id="pyproject-without-table-is-skipped",
        ),
    ],
)
def test_discovery_within_one_directory(
    tmp_path: Path, files: Dict[str, str], expected: Optional[str]
) -> None:
    write(tmp_path / "repo", files)
    found = discover_config(tmp_path / "repo", stop_at=tmp_path / "repo")
    assert found == (None if expected is None else (tmp_path / "repo" / expected).resolve())


def test_discovery_closest_wins_and_files_start_at_their_directory(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "repo/repo-roles.toml": "",
            "repo/pkg/pyproject.toml": "[tool.repo-roles]\n",
            "repo/pkg/src/mod.py": "",
            "repo/other/mod.py": "",
        },
    )
    repo = tmp_path / "repo"
    assert (
        discover_config(repo / "pkg" / "src" / "mod.py", repo) == (repo / "pkg" / "pyproject.toml").resolve()
    )
    assert discover_config(repo / "other", repo) == (repo / "repo-roles.toml").resolve()


def test_discovery_stops_at_stop_at(tmp_path: Path) -> None:
    write(tmp_path, {"repo-roles.toml": "", "repo/sub/keep.txt": ""})
    assert discover_config(tmp_path / "repo" / "sub", stop_at=tmp_path / "repo") is None
    assert (
        discover_config(tmp_path / "repo" / "sub", stop_at=None) == (tmp_path / "repo-roles.toml").resolve()
    )


def test_discovered_pyproject_loads(make_repo) -> None:
    repo = make_repo({"pyproject.toml": "[tool.repo-roles]\nuntracked = true\n", "src/app.py": "x = 1\n"})
    found = discover_config(repo / "src", repo)
    assert found is not None and load_config(found).untracked is True


def test_extends_rejects_data_tables_that_are_not_packs(tmp_path: Path) -> None:
    """rules/classify.toml holds classifier tables, not configuration: it is not a pack name."""
    cfg = tmp_path / "repo-roles.toml"
    cfg.write_text('extends = "classify"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    assert "unknown built-in pack 'classify'" in str(err.value)
    assert "recommended" in str(err.value)
