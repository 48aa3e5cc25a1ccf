"""DOC003 package-without-readme: a package or service directory has no README.

Which directories are packages:

* ``[docs] package-dirs`` globs (gitignore syntax, as ``include``/``exclude``), when set: every
  outermost directory they match (directories inside a matched one are part of that package);
* otherwise every directory holding a package manifest — ``pyproject.toml`` (with
  ``[project]``, ``[tool.poetry]`` or ``[build-system]``), ``setup.py`` (calling ``setup()``
  from setuptools/distutils; an application module named ``setup.py`` is not one),
  ``package.json``, ``go.mod``, ``pom.xml``, ``build.gradle(.kts)``, ``Cargo.toml``,
  ``Gemfile`` — the project root included: a single-package repository without a README is the
  first thing a newcomer trips over.  Manifests in vendored or generated code, and inside test
  directories (fixtures), do not make a package.

A README is a file directly in the directory named ``README``, ``README.md``, ``README.rst`` or
``README.txt``, in any letter case (GitHub renders those on the directory page).

The finding is reported on the manifest file when there is one (so annotations land on a file),
else on the directory; its key is the directory.  Repository scope: runs on whole-project scans.
"""

from __future__ import annotations

from itertools import compress, repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Dict, Iterator, List, Set


from repo_roles import roles as R
from repo_roles.globs import GlobSet
from repo_roles.checks.registry import rule
from repo_roles.checks.reuse import PATHS_AND_MANIFESTS
from repo_roles.coverage.test_presence import MANIFESTS, TEST_DIRS
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext

_DIRECTORY = itemgetter(0)
_BASE = itemgetter(2)
README_NAMES = frozenset({"readme", "readme.md", "readme.rst", "readme.txt"})
_NOT_A_PACKAGE = frozenset({R.VENDORED, R.GENERATED})
# Manifests below these are test fixtures, not packages (Go ignores testdata/ by design).
_FIXTURE_DIRS = TEST_DIRS | {"spec", "testdata", "fixtures"}
# Manifests whose content decides: a setup.py must call setup() from setuptools/distutils, a
# pyproject.toml must have [project], [tool.poetry] or [build-system] (PEP 621, PEP 518).
_CHECKED = frozenset({"setup.py", "pyproject.toml"})


def _show(directory: str) -> str:
    return f"{directory}/" if directory else "the project root"


def package_dirs(context: "ProjectContext") -> Dict[str, str]:
    """Package directory -> the file to report on (its manifest, or the directory itself)."""
    paths = context.inventory.paths
    globs = context.config.docs.package_dirs
    found: Dict[str, str] = {}
    if globs:
        matches = GlobSet(globs, last_wins=True).first
        dirs: Set[str] = set()
        for path in paths:
            parts = path.split("/")[:-1]
            dirs.update("/".join(parts[: i + 1]) for i in range(len(parts)))
        for directory in sorted(dirs):  # parents sort before their children
            if matches(directory + "/") is not None and not any(
                directory.startswith(p + "/") for p in found
            ):
                found[directory] = directory
        return found
    evidence = None
    # only the manifests need a look: picked from the path list at C speed
    for path in compress(paths, map(MANIFESTS.__contains__, map(_BASE, map(str.rpartition, paths, repeat("/"))))):
        directory, _, base = path.rpartition("/")
        if directory in found:
            continue
        if _FIXTURE_DIRS.intersection(directory.split("/")) or context.role_of(path) in _NOT_A_PACKAGE:
            continue
        if base in _CHECKED:  # only a real packaging script or project table makes a package
            evidence = evidence or context.test_evidence
            if not evidence.is_manifest(path):
                continue
        found[directory] = path
    return found


@rule("DOC003", "package-without-readme", "A package or service directory has no README.",
      severity="warning", scope="repository", inputs=PATHS_AND_MANIFESTS)
def check(context: "ProjectContext") -> Iterator[Finding]:
    parts = list(map(str.rpartition, context.inventory.paths, repeat("/")))  # (directory, "/", base)
    readmes: Set[str] = set(map(_DIRECTORY, compress(parts, map(README_NAMES.__contains__,
                                                                   map(str.lower, map(_BASE, parts))))))
    del parts
    packages = package_dirs(context)
    missing: List[str] = sorted(d for d in packages if d not in readmes)
    for directory in missing:
        yield Finding(
            "DOC003",
            f"package directory {_show(directory)} has no README "
            "(README.md, README.rst, README.txt or README)",
            packages[directory],
            severity="warning",
            key=directory or ".",
        )
