"""The declarative schema: the committed JSON Schema matches it, and both agree with the validator."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, Dict, Type

import jsonschema
import pytest

from repo_roles._compat import tomllib
from repo_roles.config import schema
from repo_roles.config.model import Config, LintConfig, OwnershipConfig, Team

COMMITTED = Path(schema.__file__).with_name("repo-roles.schema.json")
REGENERATE = "python -m repo_roles.config.schema > repo_roles/config/repo-roles.schema.json"

VALID = {
    "empty": "",
    "full": """\
        extends = ["recommended", "../shared/base.toml"]
        include = ["**"]
        exclude = ["build/"]
        untracked = false
        [roles]
        "frontend.ui" = ["web/src/**/*.ts"]
        [teams."@acme/backend"]
        description = "API and workers"
        responsible = ["backend", "frontend.ui"]
        members = ["@alice", "bob@example.com"]
        [teams."@gitlab-org/nested/group"]
        responsible = ["config"]
        [ownership]
        file = ".github/CODEOWNERS"
        dialect = "bitbucket"
        owners-files = true
        require-owner = ["backend.logic"]
        [lint]
        select = ["OWN"]
        extend-select = []
        ignore = ["DOC001"]
        per-path-ignores = { "legacy/**" = ["OWN001"] }
        severity = { "OWN003" = "info" }
        """,
    "extends-string": 'extends = "recommended"\n',
}

INVALID = {
    "unknown-key": "colour = true\n",
    "bad-role": '[roles]\n"backend.logik" = ["x"]\n',
    "bad-dialect": '[ownership]\ndialect = "svn"\n',
    "bad-handle": '[teams.backend]\nresponsible = ["backend"]\n',
    "bad-severity": '[lint.severity]\nOWN001 = "fatal"\n',
    "wrong-type": "untracked = 1\n",
    "unknown-team-key": '[teams."@a"]\nowner = "x"\n',
}


def _toml(text: str) -> Dict[str, Any]:
    import textwrap

    return tomllib.loads(textwrap.dedent(text))


def test_committed_json_schema_is_up_to_date() -> None:
    committed = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""
    assert committed == schema.render_json_schema(), (
        f"{COMMITTED.name} is stale; regenerate it with: {REGENERATE}"
    )


def test_json_schema_is_a_valid_draft_2020_12_schema() -> None:
    document = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(document)


@pytest.mark.parametrize("name", [pytest.param(name, id=name) for name in VALID])
def test_valid_examples_pass_both_validators(name: str) -> None:
    data = _toml(VALID[name])
    assert list(schema.validate(data)) == []
    jsonschema.Draft202012Validator(schema.json_schema()).validate(data)


@pytest.mark.parametrize("name", [pytest.param(name, id=name) for name in INVALID])
def test_invalid_examples_fail_both_validators(name: str) -> None:
    data = _toml(INVALID[name])
    assert list(schema.validate(data)), "the loader's validator accepted it"
    assert not jsonschema.Draft202012Validator(schema.json_schema()).is_valid(data), (
        "the JSON Schema accepted it"
    )


def test_builtin_pack_is_a_valid_config() -> None:
    from repo_roles.config import builtin_rules_dir

    data = tomllib.loads((builtin_rules_dir() / "recommended.toml").read_text(encoding="utf-8"))
    assert list(schema.validate(data)) == []
    jsonschema.Draft202012Validator(schema.json_schema()).validate(data)


@pytest.mark.parametrize(
    ("table", "model"),
    [
        pytest.param(schema.SCHEMA, Config, id="top-level"),
        pytest.param(schema.OWNERSHIP, OwnershipConfig, id="ownership"),
        pytest.param(schema.LINT, LintConfig, id="lint"),
        pytest.param(schema.TEAM, Team, id="team"),
    ],
)
def test_every_schema_key_fills_a_model_attribute(table: schema.Table, model: Type[Any]) -> None:
    """The loader maps kebab-case keys to snake_case attributes; a key without one would be lost."""
    attributes = {f.name for f in dataclasses.fields(model)}
    assert {schema.attr_name(key) for key in table.fields} <= attributes


@pytest.mark.parametrize(
    ("handle", "ok"),
    [
        pytest.param("@alice", True, id="user"),
        pytest.param("@acme/backend", True, id="github-team"),
        pytest.param("@group/sub/team", True, id="gitlab-nested-group"),
        pytest.param("dev.ops+x@example.co.uk", True, id="email"),
        pytest.param("alice", False, id="bare-name"),
        pytest.param("@", False, id="lone-at"),
        pytest.param("@acme/", False, id="empty-team"),
        pytest.param("bob@localhost", False, id="email-without-domain-dot"),
    ],
)
def test_handle_pattern_is_the_same_in_python_and_json_schema(handle: str, ok: bool) -> None:
    ours = not list(schema.Handle().check(handle, ()))
    theirs = jsonschema.Draft202012Validator(schema.Handle().json_schema()).is_valid(handle)
    assert (ours, theirs) == (ok, ok)
