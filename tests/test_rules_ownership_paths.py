"""PathIndex (the narrowed search OWN003/OWN005/OWN010 use) agrees with matching every path.

The reference is ``CompiledPattern.matches`` on each path — the semantics pinned by
tests/test_codeowners_matching.py — so the index may only be faster, never different.
"""

from __future__ import annotations

import pytest

from repo_roles.checks.ownership._paths import PathIndex
from repo_roles.ownership.patterns import compile_pattern, compile_regex

PATHS = [
    "README.md",
    "Makefile",
    "api/app.py",
    "api/README.md",
    "api/tests/test_app.py",
    "api/templates/base.j2",
    "api/templates/emails/a.j2",
    "api/templates/emails/deep/b.j2",
    "docs/guide.md",
    "docs/internal/README.md",
    "docs/internal/notes.txt",
    "logs/x/logs/y.log",
    "logs-old/z.log",
    "web/src/tests/a.test.ts",
    "web/src/README.md/file.txt",
    "web/src/app.ts",
    "web/tests/e2e/run.ts",
]

PATTERNS = [
    "*", "**", "*.md", "README.md", "Makefile", "tests/", "**/tests/", "logs/", "logs", "/logs/",
    "/api/", "/api/app.py", "/api/*", "/api/templates/*", "api/templates/*", "/api/templates/**",
    "/api/**/*.j2", "/web/**/tests/", "/*/src/", "/*/tests/*", "docs/internal/", "internal/README.md",
    "/docs/*.md", "/nothing/", "*.rb", "README.md/", "/web/src/*", "x/**/", "/api/templates/e*/",
    "src/*.ts", "emails/*",
]


@pytest.mark.parametrize("dialect", ["github", "gitlab"])
@pytest.mark.parametrize("pattern", PATTERNS)
def test_matches_equals_matching_every_path(pattern: str, dialect: str) -> None:
    cp = compile_pattern(pattern, dialect)
    index = PathIndex(PATHS)
    found = list(index.matches(cp))
    assert len(found) == len(set(found)), "each file once"
    assert set(found) == {p for p in PATHS if cp.matches(p)}


@pytest.mark.parametrize("dialect", ["github", "gitlab"])
@pytest.mark.parametrize("pattern", [p for p in PATTERNS if p.endswith("*") and not p.endswith("**")])
def test_matching_dirs_equals_testing_every_directory(pattern: str, dialect: str) -> None:
    cp = compile_pattern(pattern, dialect)
    assert cp.dirpart_source is not None
    index = PathIndex(PATHS)
    test = compile_regex(cp.dirpart_source).fullmatch
    every = [""] + index.dirs
    expected = {d for d in every if test("/" + d if d else "")}
    assert set(index.matching_dirs(cp.dirpart_source, cp.literals[:-1])) == expected
