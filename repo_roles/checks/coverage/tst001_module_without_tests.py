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

from repo_roles import roles as R
from repo_roles.checks.registry import rule
from repo_roles.coverage.analyze import computed_coverage
from repo_roles.coverage.test_presence import DATA_ONLY_READ_LIMIT, defines_code
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.scan import ScanContext


@rule("TST001", "module-without-tests", "A module in a role that requires tests has no test file.",
      severity="warning")
def check(context: "ScanContext") -> Iterator[Finding]:
    required: set = set()
    for item in context.config.tests.require:
        required |= R.expand_responsibility(item)
    if not required:
        return
    index = context.test_index
    index.expect(len(context.targets))  # a few files: the index reads only the names asked about
    known = computed_coverage(context)
    for entry in context.targets:
        path = entry.path
        if entry.kind != "file" or context.role_of(path) not in required:
            continue
        if index.tests_for(path) or index.exempt_reason(path) is not None:
            continue
        # Data-only modules need no test: the coverage stage knows (when this run has it), else
        # read only the few files that would be reported.
        if path.endswith(".py"):
            defines = known.defines_code(path) if known is not None else None
            if defines is None:
                defines = defines_code(context.inventory.read_bytes(path, DATA_ONLY_READ_LIMIT))
            if not defines:
                continue
        yield Finding(
            "TST001",
            f"no test found for {path} (looked for {index.looked_for(path)})",
            path,
            severity="warning",
            key=path,
        )
