"""The one declarative description of the configuration file.

``SCHEMA`` describes every key once (kind, description, default); from it come both the
validator used by the loader (``validate``) and the published JSON Schema (``json_schema``).
Regenerate the committed copy with::

    python -m repo_roles.config.schema > repo_roles/config/repo-roles.schema.json
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any, Dict, Iterator, Optional, Sequence, Tuple, Union


from repo_roles import roles as R
from repo_roles.config.model import Config, Team, attr_name  # noqa: F401 (attr_name: part of this module's API)
from repo_roles.findings import SEVERITIES
from repo_roles.linear import compile_untrusted

KeyPath = Tuple[Union[str, int], ...]  # dict keys and array indices, e.g. ("lint", "select", 2)

# GitHub/GitLab users and (nested) teams, or an email address as CODEOWNERS allows.
# Anchored explicitly because JSON Schema's "pattern" is a search, not a full match.
HANDLE_PATTERN = r"^(@[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)*|[^@\s]+@[^@\s]+\.[^@\s]+)$"
_HANDLE_RE = re.compile(HANDLE_PATTERN)


@dataclass(frozen=True)
class Issue:
    """One validation problem, located by its key path inside the repo-roles table."""

    key_path: KeyPath
    message: str
    hint: Optional[str] = None


def describe(value: Any) -> str:
    """How a TOML value reads in an error message: ``integer 3``, ``string 'x'``, ``table``."""
    if isinstance(value, bool):  # before int: bool is an int subclass
        return f"boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"float {value}"
    if isinstance(value, str):
        return f"string {value!r}"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "table"
    return f"{type(value).__name__} {value}"  # dates and times


def did_you_mean(word: str, choices: Sequence[str]) -> Optional[str]:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"did you mean {close[0]!r}?" if close else None


class Kind:
    """A value type: checks a parsed TOML value and renders itself as JSON Schema."""

    expected = "a value"  # how the kind reads in "expected X, found Y"
    plural = "values"  # how it reads in "an array of X"

    def check(self, value: Any, path: KeyPath) -> Iterator[Issue]:
        raise NotImplementedError

    def json_schema(self) -> Dict[str, Any]:
        raise NotImplementedError

    def _mismatch(self, value: Any, path: KeyPath) -> Issue:
        return Issue(path, f"expected {self.expected}, found {describe(value)}")


class Str(Kind):
    def __init__(self, *, nonempty: bool = False) -> None:
        self.nonempty = nonempty
        self.expected = "a non-empty string" if nonempty else "a string"
        self.plural = "non-empty strings" if nonempty else "strings"

    def check(self, value: Any, path: KeyPath) -> Iterator[Issue]:
        if not isinstance(value, str) or (self.nonempty and not value):
            yield self._mismatch(value, path)

    def json_schema(self) -> Dict[str, Any]:
        return {"type": "string", "minLength": 1} if self.nonempty else {"type": "string"}


class Bool(Kind):
    expected = "true or false"

    def check(self, value: Any, path: KeyPath) -> Iterator[Issue]:
        if not isinstance(value, bool):
            yield self._mismatch(value, path)

    def json_schema(self) -> Dict[str, Any]:
        return {"type": "boolean"}


class Number(Kind):
    """An integer or float within ``[low, high]`` (booleans are not numbers here)."""

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high
        self.expected = f"a number from {low:g} to {high:g}"
        self.plural = f"numbers from {low:g} to {high:g}"

    def check(self, value: Any, path: KeyPath) -> Iterator[Issue]:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not self.low <= value <= self.high:
            yield self._mismatch(value, path)

    def json_schema(self) -> Dict[str, Any]:
        return {"type": "number", "minimum": self.low, "maximum": self.high}


class Integer(Number):
    """An integer within ``[low, high]`` (a float such as ``1e6`` is refused, not truncated)."""

    def __init__(self, low: int, high: int) -> None:
        super().__init__(low, high)
        self.expected = f"an integer from {low} to {high}"
        self.plural = f"integers from {low} to {high}"

    def check(self, value: Any, path: KeyPath) -> Iterator[Issue]:
        if isinstance(value, bool) or not isinstance(value, int) or not self.low <= value <= self.high:
            yield self._mismatch(value, path)

    def json_schema(self) -> Dict[str, Any]:
        return {"type": "integer", "minimum": self.low, "maximum": self.high}


class Regex(Kind):
    """A regular expression the linear-time matcher accepts (``repo_roles.linear``)."""

    expected = "a regular expression"
    plural = "regular expressions"

    def check(self, value: Any, path: KeyPath) -> Iterator[Issue]:
        if not isinstance(value, str) or not value:
            yield self._mismatch(value, path)
            return
        try:
            compile_untrusted(value)
        except (re.error, RecursionError, OverflowError) as exc:
            yield Issue(path, f"invalid regular expression {value!r}: {exc}")

    def json_schema(self) -> Dict[str, Any]:
        return {"type": "string", "minLength": 1, "format": "regex"}


class ScopeKey(Kind):
    """A ``[docs] thresholds`` key: a role, a handle, an e-mail, or a path glob (validated)."""

    expected = "a role, an owner or a path glob"
    plural = "roles, owners or path globs"

    def check(self, value: Any, path: KeyPath) -> Iterator[Issue]:
        if not isinstance(value, str) or not value:
            yield self._mismatch(value, path)
        elif not value.startswith("@") and any(ch in value for ch in "*?["):
            yield from Glob().check(value, path)

    def json_schema(self) -> Dict[str, Any]:
        return {"type": "string", "minLength": 1}


class Enum(Kind):
    """A string from a closed set; ``noun`` names the set in messages (``"role"``, ``"dialect"``)."""

    def __init__(self, noun: str, choices: Sequence[str], plural: Optional[str] = None) -> None:
        self.noun = noun
        self.choices = tuple(choices)
        self.expected = f"a {noun}"
        self.plural = plural or f"{noun}s"

    def check(self, value: Any, path: KeyPath) -> Iterator[Issue]:
        if not isinstance(value, str):
            yield self._mismatch(value, path)
        elif value not in self.choices:
            listed = ", ".join(self.choices)
            yield Issue(
                path,
                f"unknown {self.noun} {value!r}; expected one of: {listed}",
                did_you_mean(value, self.choices),
            )

    def json_schema(self) -> Dict[str, Any]:
        return {"type": "string", "enum": list(self.choices)}


class Glob(Kind):
    """A gitignore-style pattern that pathspec compiles and that can match something."""

    expected = "a gitignore-style glob"
    plural = "gitignore-style globs"

    def check(self, value: Any, path: KeyPath) -> Iterator[Issue]:
        if not isinstance(value, str) or not value:
            yield self._mismatch(value, path)
            return
        import pathspec  # on the first glob of a configuration, not on every import

        try:
            patterns = pathspec.GitIgnoreSpec.from_lines([value]).patterns
        except (ValueError, re.error) as exc:  # GitIgnorePatternError is a ValueError
            yield Issue(path, f"invalid glob {value!r}: {exc}")
            return
        # pathspec turns comments, blank lines and unparsable patterns such as "[" into no-ops;
        # in a config that is always a mistake, never an intent.
        if not patterns or all(p.include is None for p in patterns):
            yield Issue(
                path, f"invalid glob {value!r}: it matches nothing (a comment, '/' or an unclosed '[')"
            )

    def json_schema(self) -> Dict[str, Any]:
        return {"type": "string", "minLength": 1}


class Handle(Kind):
    expected = "an owner handle (@user, @org/team or an email)"
    plural = "owner handles (@user, @org/team or an email)"

    def check(self, value: Any, path: KeyPath) -> Iterator[Issue]:
        if not isinstance(value, str):
            yield self._mismatch(value, path)
        elif not _HANDLE_RE.match(value):
            hint = f"did you mean '@{value}'?" if _HANDLE_RE.match(f"@{value}") else None
            yield Issue(path, f"expected {self.expected}, found {describe(value)}", hint)

    def json_schema(self) -> Dict[str, Any]:
        return {"type": "string", "pattern": HANDLE_PATTERN}


class ListOf(Kind):
    def __init__(self, item: Kind) -> None:
        self.item = item
        self.expected = f"an array of {item.plural}"

    def check(self, value: Any, path: KeyPath) -> Iterator[Issue]:
        if not isinstance(value, list):
            yield self._mismatch(value, path)
            return
        for index, item in enumerate(value):
            yield from self.item.check(item, path + (index,))

    def json_schema(self) -> Dict[str, Any]:
        return {"type": "array", "items": self.item.json_schema()}


class OneOrList(Kind):
    """A single item or an array of them (``extends``)."""

    def __init__(self, item: Kind) -> None:
        self.item = item
        self.many = ListOf(item)
        self.expected = f"{item.expected} or {self.many.expected}"

    def check(self, value: Any, path: KeyPath) -> Iterator[Issue]:
        if isinstance(value, list):
            yield from self.many.check(value, path)
        elif isinstance(value, str):
            yield from self.item.check(value, path)
        else:
            yield self._mismatch(value, path)

    def json_schema(self) -> Dict[str, Any]:
        return {"anyOf": [self.item.json_schema(), self.many.json_schema()]}


@dataclass(frozen=True)
class Field:
    """One fixed key of a table: its kind, documentation and default (taken from the model)."""

    kind: Kind
    description: str
    default: Any = None

    def json_schema(self) -> Dict[str, Any]:
        out = {"description": self.description, **self.kind.json_schema()}
        if self.default is not None:
            out["default"] = self.default
        return out


class Table(Kind):
    """A table with a closed set of keys: an unknown key is an error, never ignored."""

    def __init__(self, description: str, fields: Dict[str, Field]) -> None:
        self.description = description
        self.fields = fields
        self.expected = "a table"
        self.plural = "tables"

    def check(self, value: Any, path: KeyPath) -> Iterator[Issue]:
        if not isinstance(value, dict):
            yield self._mismatch(value, path)
            return
        for key, item in value.items():
            spec = self.fields.get(key)
            if spec is None:
                listed = ", ".join(self.fields)
                yield Issue(
                    path + (key,),
                    f"unknown key {key!r}; expected one of: {listed}",
                    did_you_mean(key, list(self.fields)),
                )
            else:
                yield from spec.kind.check(item, path + (key,))

    def json_schema(self) -> Dict[str, Any]:
        return {
            "type": "object",
            "description": self.description,
            "properties": {key: spec.json_schema() for key, spec in self.fields.items()},
            "additionalProperties": False,
        }


class MapOf(Kind):
    """A table whose keys are data (roles, handles, globs, rule ids), each checked by ``key``."""

    def __init__(self, key: Kind, value: Kind) -> None:
        self.key = key
        self.value = value
        self.expected = f"a table of {key.expected} -> {value.expected}"
        self.plural = "tables"

    def check(self, value: Any, path: KeyPath) -> Iterator[Issue]:
        if not isinstance(value, dict):
            yield self._mismatch(value, path)
            return
        for key, item in value.items():
            yield from self.key.check(key, path + (key,))
            yield from self.value.check(item, path + (key,))

    def json_schema(self) -> Dict[str, Any]:
        return {
            "type": "object",
            "propertyNames": self.key.json_schema(),
            "additionalProperties": self.value.json_schema(),
        }


_D = Config()  # defaults come from the model so the two cannot disagree
_T = Team(handle="")
ROLE = Enum("role", R.ROLES)
SIDE_OR_ROLE = Enum("side or role", R.SIDES + R.ROLES, plural="sides or roles")
SEVERITY = Enum("severity", SEVERITIES)
GLOBS = ListOf(Glob())
RULE_IDS = ListOf(Str(nonempty=True))
MAX_PARSED_FILE = 4 << 20  # ~190 bytes of memory per parsed byte (measured): ~0.8 GB per worker

TEAM = Table(
    "A roster entry: what this owner handle answers for and who is in it.",
    {
        "description": Field(Str(), "Free text shown in reports.", _T.description),
        "responsible": Field(
            ListOf(SIDE_OR_ROLE),
            "Sides (backend, frontend) and/or roles this team answers for.",
            list(_T.responsible),
        ),
        "members": Field(ListOf(Handle()), "Member handles (@user or email).", list(_T.members)),
    },
)

OWNERSHIP = Table(
    "Where owners come from and which roles must have one.",
    {
        "file": Field(
            Str(nonempty=True), "Path of the CODEOWNERS file; by default found where each platform looks."
        ),
        "dialect": Field(
            Enum("dialect", ("auto", "github", "gitlab", "bitbucket")),
            "CODEOWNERS dialect.",
            _D.ownership.dialect,
        ),
        "owners-files": Field(Bool(), "Also read directory OWNERS files.", _D.ownership.owners_files),
        "require-owner": Field(
            ListOf(ROLE), "Roles whose files must have an owner.", list(_D.ownership.require_owner)
        ),
    },
)

LINT = Table(
    "Which rules run and how severe their findings are.",
    {
        "select": Field(
            RULE_IDS, "Rule ids or prefixes to enable (replaces the default set).", list(_D.lint.select)
        ),
        "extend-select": Field(
            RULE_IDS, "Rule ids or prefixes to enable on top of the selection.", list(_D.lint.extend_select)
        ),
        "ignore": Field(RULE_IDS, "Rule ids or prefixes to disable.", list(_D.lint.ignore)),
        "per-path-ignores": Field(
            MapOf(Glob(), RULE_IDS), "Glob -> rule ids ignored for matching files.", {}
        ),
        "severity": Field(MapOf(Str(nonempty=True), SEVERITY), "Rule id -> severity override.", {}),
    },
)

_P = _D.docs.python
PYTHON_DOCS = Table(
    "Python documentation counting (parsed with ast, never imported).",
    {
        "counting": Field(
            Enum("counting mode", ("repo-roles", "interrogate", "interrogate-config")),
            'What counts: "repo-roles" (pydocstyle publicity, sensible exemptions) or "interrogate" '
            "(the same covered/total figures as interrogate with the same options, read from "
            "[tool.interrogate] in pyproject.toml / .interrogate.toml or [tool:interrogate] in "
            'setup.cfg when present; explicit [docs.python] keys win); "interrogate-config": the '
            "same, and that configuration must exist.",
            _P.counting,
        ),
        **{
            flag.replace("_", "-"): Field(Bool(), f"interrogate's --{flag.replace('_', '-')}.")
            for flag in (
                "ignore_init_module", "ignore_init_method", "ignore_magic", "ignore_private",
                "ignore_semiprivate", "ignore_nested_functions", "ignore_nested_classes",
                "ignore_property_decorators", "ignore_property_setters",
                "ignore_overloaded_functions", "ignore_overrides", "ignore_module",
            )
        },
        "ignore-regex": Field(ListOf(Regex()), "Regexes of item names not counted.", list(_P.ignore_regex)),
        "include-regex": Field(
            ListOf(Regex()), "Only item names matching these regexes count.", list(_P.include_regex)
        ),
        "ignore-decorators": Field(
            RULE_IDS, "Decorator names whose functions are exempt (ruff's pydocstyle.ignore-decorators).",
            list(_P.ignore_decorators),
        ),
        "docstring-style": Field(
            Enum("docstring style", ("sphinx", "google", "numpy")),
            "google: a class docstring and its __init__ docstring cover each other.",
            _P.docstring_style,
        ),
        "max-file-size": Field(
            # Parsing costs hundreds of bytes of memory per source byte: the cap bounds it.
            Integer(1, MAX_PARSED_FILE), "Files larger than this many bytes are reported, not parsed.",
            _P.max_file_size,
        ),
    },
)

DOCS = Table(
    "Documentation coverage of backend code.",
    {
        "require": Field(
            ListOf(ROLE), "Roles whose public items must be documented.", list(_D.docs.require)
        ),
        "fail-under": Field(
            Number(0, 100), "Minimum documentation coverage (percent) over the required roles.", _D.docs.fail_under
        ),
        "thresholds": Field(
            MapOf(ScopeKey(), Number(0, 100)),
            "Minimum coverage (percent) per scope: a role (backend.logic), an owner handle "
            "(@org/team) or a path glob (services/billing/**).",
            {},
        ),
        "package-dirs": Field(
            GLOBS,
            "Globs of directories that are packages/services and need a README; empty: every "
            "directory holding a package manifest (pyproject.toml, package.json, go.mod, …).",
            list(_D.docs.package_dirs),
        ),
        "python": Field(PYTHON_DOCS, "Python counting options."),
    },
)

TESTS = Table(
    "Test presence for backend code.",
    {
        "require": Field(ListOf(ROLE), "Roles whose modules must have tests.", list(_D.tests.require)),
        "exempt": Field(GLOBS, "Globs of files that need no tests.", list(_D.tests.exempt)),
        "mapping": Field(
            MapOf(Str(nonempty=True), ListOf(Str(nonempty=True))),
            "Source template -> test path templates, e.g. "
            '"src/{dir}/{name}.py" = ["tests/{dir}/test_{name}.py"].',
            {},
        ),
    },
)

_H = _D.history
HISTORY = Table(
    "De-facto owners from git history (the HIS rules, the audit's Declared vs actual, ls, explain).",
    {
        "active-days": Field(
            Number(1, 100000), "A person is active when they committed within this many days of the "
            "newest commit in the history.", _H.active_days,
        ),
        "identities": Field(
            MapOf(Str(nonempty=True), Handle()),
            'Author e-mail or name pattern ("*" matches anything) -> owner handle, e.g. '
            '"*@old-corp.example" = "@alice".',
            {},
        ),
        "bots": Field(
            RULE_IDS, 'Author name or e-mail patterns ("*" matches anything, case-insensitive) whose '
            "commits are never counted.", list(_H.bots),
        ),
        "concentration-files": Field(
            Number(1, 1 << 31), "HIS004 fires when a truck factor of 1 covers more files than this.",
            _H.concentration_files,
        ),
        "roles": Field(
            ListOf(ROLE), "Roles of the code a team maintains: the files HIS004 and HIS005 look at "
            "(tests, fixtures, docs, config, generated and vendored files are left out by default).",
            list(_H.roles),
        ),
        "orphaned-files": Field(
            Number(1, 1 << 31), "HIS005 fires for a directory with at least this many files when no "
            "file of it has an active author.", _H.orphaned_files,
        ),
    },
)

SCHEMA = Table(
    "repo-roles configuration (repo-roles.toml, .repo-roles.toml or [tool.repo-roles] in pyproject.toml).",
    {
        "extends": Field(
            OneOrList(Str(nonempty=True)),
            'Built-in pack name (e.g. "recommended") or path, or a list applied in order.',
            [],
        ),
        "include": Field(
            GLOBS, "Gitignore-style globs of files to scan (empty: everything).", list(_D.include)
        ),
        "exclude": Field(GLOBS, "Gitignore-style globs never scanned.", list(_D.exclude)),
        "untracked": Field(Bool(), "Also scan untracked, non-ignored files.", _D.untracked),
        "roles": Field(
            MapOf(ROLE, GLOBS), "Explicit classification: role -> globs, the first signal tried.", {}
        ),
        "teams": Field(MapOf(Handle(), TEAM), "The roster: owner handle -> team.", {}),
        "ownership": Field(OWNERSHIP, "Ownership sources and requirements."),
        "lint": Field(LINT, "Rule selection and severities."),
        "docs": Field(DOCS, "Documentation coverage."),
        "tests": Field(TESTS, "Test presence."),
        "history": Field(HISTORY, "De-facto owners from git history."),
        "cache-dir": Field(
            Str(nonempty=True),
            "A sub-directory of the user cache directory ($REPO_ROLES_CACHE_DIR, else "
            "$XDG_CACHE_HOME/repo-roles, else ~/.cache/repo-roles) to cache per-file analysis in; "
            "'/', '.' and '..' parts are dropped: a repository cannot place the cache elsewhere.",
        ),
    },
)


def validate(data: Dict[str, Any]) -> Iterator[Issue]:
    """Every problem in a parsed repo-roles table, in document order."""
    return SCHEMA.check(data, ())


def json_schema() -> Dict[str, Any]:
    """The configuration file as a JSON Schema (draft 2020-12)."""
    body = SCHEMA.json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "repo-roles",
        **body,
    }


def render_json_schema() -> str:
    """The exact text of the committed ``repo-roles.schema.json``."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(render_json_schema(), end="")
