"""TST001 module-without-tests: a module in a role that requires tests has no test exercising it.

What it checks: every file whose role is listed in ``[tests] require`` (default
``backend.logic``) needs a test, and a module is tested when any evidence says so:

* a test imports it — Python ``import``/``from … import`` (absolute or relative, resolved
  against the package roots the repository has: ``__init__.py`` chains, ``src/`` layouts,
  namespace packages, ``pyproject.toml``/``setup.cfg`` roots), a ``mock.patch("pkg.mod.x")``
  or ``monkeypatch.setattr("pkg.mod.x", …)`` target, or a ``conftest.py`` fixture the test uses
  that imports it; JS/TS ``import``/``require``/``import()`` resolved like a bundler (relative
  paths, ``index``, ``tsconfig.json`` ``paths``/``baseUrl``, workspace package names); a Go
  test that refers to a name the file defines (same package, or an external ``_test`` package
  importing it); a Java/Kotlin test that imports or names the class;
* the ecosystem's naming convention — pytest's ``test_*.py`` / ``*_test.py`` next to the
  module or in the project's ``tests/`` tree (unless that test's imports show it tests another
  module of the same name), Go's own ``x_test.go``, Jest's ``*.test.ts``/``__tests__/``,
  Maven's ``FooTest.java``, RSpec's ``*_spec.rb``;
* a ``[tests] mapping`` template.

``repo_roles/coverage/test_presence.py`` and ``repo_roles/testrefs/`` document each rule;
``repo-roles explain PATH`` shows every piece of evidence (test file, line, import).
Project boundaries (a ``tests/`` directory never serves another project) are real manifests
only: a ``setup.py`` calling ``setup()``, a ``pyproject.toml`` with ``[project]``,
``[tool.poetry]`` or ``[build-system]``, ``package.json``, ``go.mod``…

Why it matters: an untested module is where a regression lands unnoticed, and the team that
owns it should see it.

Fires: ``app/billing/invoice.py`` defines functions and no test imports, patches or names it.

Does not fire: a test imports it; it is exempt (below, or ``[tests] exempt``); generated or
vendored code; type declarations (``.pyi``, ``.d.ts``); Go ``doc.go``; a language without a
convention; a Python module without any function or class (data only).

How to fix: add a test that exercises the module, or a ``[tests] mapping`` for your layout.

Configuration: ``[tests] require``, ``[tests] exempt``, ``[tests] mapping``.

Example message::

    no test found for app/billing/invoice.py (no test imports app.billing.invoice;
    tests/billing/test_invoices.py imports app.billing only; no test_invoice.py /
    invoice_test.py under tests/ and next to it (12 Python test files searched))
"""

from __future__ import annotations

from itertools import repeat
from typing import TYPE_CHECKING, Iterator, Optional

from repo_roles.checks.registry import rule
from repo_roles.coverage.test_presence import joined_texts, untested_digest, untested_parts
from repo_roles.findings import Finding
from repo_roles.testrefs.exemptions import exemptions_text

__doc__ = (__doc__ or "") + exemptions_text()

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext


def _fingerprint(context: "ProjectContext") -> Optional[bytes]:
    """What the findings are made of (the untested modules, what was searched for each, the
    test files searched per language), hashed at C speed: a run after a change where it is the
    same keeps the stored findings instead of making ~27k again (100k files); when this run's
    answers and message heads are those stored with the modules' test answers, their stored
    digest (``test_presence.untested_digest``): nothing is picked or joined."""
    return bytes.fromhex(untested_digest(context))


@rule("TST001", "module-without-tests", "A module in a role that requires tests has no test file.",
      severity="warning", fingerprint=_fingerprint)
def check(context: "ProjectContext") -> Iterator[Finding]:
    """One finding per module without tests, in the answers' order, built at C speed."""
    untested, parts = untested_parts(context)
    if not untested:
        return iter(())
    texts = joined_texts(parts)
    messages = map("no test found for {} ({})".format, untested, texts)
    rows = zip(repeat("TST001"), messages, untested, repeat(None), repeat(None), repeat("warning"), untested,
               repeat(None), repeat(None))
    return map(tuple.__new__, repeat(Finding), rows)  # Finding(...) without a Python call each
