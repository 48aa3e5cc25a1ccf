"""TST001 module-without-tests: a module in a role that requires tests has no test file.

A file is checked when its role is listed in ``[tests] require`` (default ``backend.logic``).
Test files are found by the ecosystem's own naming convention — pytest's ``test_*.py`` /
``*_test.py`` next to the module or in the project's ``tests/`` directory, Go's ``_test.go`` in
the package directory, Jest's ``*.test.ts``/``*.spec.ts`` and ``__tests__/``, Maven's
``src/test/java/…/FooTest.java``, RSpec's ``spec/…_spec.rb`` — after the ``[tests] mapping``
templates; ``repo_roles/coverage/test_presence.py`` documents each rule in full.

Not reported: files matching a ``[tests] exempt`` glob (``__init__.py``, migrations, settings…),
generated and vendored code, type declarations (``.pyi``, ``.d.ts``), Go ``doc.go``, files of a
language without a convention, and Python modules that define no function or class (data only).

Why: an untested module is where a regression lands unnoticed, and the team that owns it should
see it.  Fix: add a test following the convention, or a ``[tests] mapping`` for your layout.

Example message::

    no test found for backend/shop/inventory.py (looked for test_inventory.py /
    inventory_test.py under backend/tests/ and next to it)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from repo_roles.checks.registry import rule
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.scan import ScanContext


@rule("TST001", "module-without-tests", "A module in a role that requires tests has no test file.",
      severity="warning")
def check(context: "ScanContext") -> Iterator[Finding]:
    index = context.test_index
    for path, tests in context.modules_needing_tests.items():
        if not tests:
            yield Finding(
                "TST001",
                f"no test found for {path} ({index.missing_text(path)})",
                path,
                severity="warning",
                key=path,
            )
