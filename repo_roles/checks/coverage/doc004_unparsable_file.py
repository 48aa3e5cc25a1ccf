"""DOC004 unparsable-file: a source file whose documentation could not be read.

Applies to target files whose role is listed in ``[docs] require``.  The file is left out of
the coverage figures (it is unknown, not undocumented) and the run continues.  Causes: a syntax
error, syntax newer than both the running interpreter's parser and tree-sitter's Python grammar
(``newer-syntax``: run repo-roles on a newer Python), nesting beyond the parser's limits, a file
over ``[docs.python] max-file-size``, bytes that do not decode in the file's encoding, or NUL bytes
(not source text).  Python valid in any supported version is read with tree-sitter's grammar
when ``ast`` cannot, so it does not fire here; C/C++ the grammar cannot read without a
preprocessor (macros at declaration level) does, as a ``syntax-error``.
A language whose grammar is not installed is not reported here.

Test files are reported too, whatever ``[docs] require`` says, when test evidence cannot read
them (a syntax error in ``test_x.py``): what they import is not known, so the modules they
would exercise may be reported by TST001.  Each file is reported once.
"""

from __future__ import annotations

import re
from itertools import compress
from operator import attrgetter
from typing import TYPE_CHECKING, Iterator, Optional

from repo_roles.checks.registry import rule
from repo_roles.findings import Finding
from repo_roles.testrefs.extract import kind_of

_FEW = 1000
_PATH = attrgetter("path")
_ROLE = attrgetter("role")
_TEST_KINDS = frozenset({"py-test", "py-conftest", "js-test", "go-test", "java-test"})

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext

# Not about the file: the optional grammar for its language is missing on this install.
from repo_roles.coverage.model import ABOUT_THE_INSTALL as _NOT_ABOUT_THE_FILE  # noqa: E402


@rule("DOC004", "unparsable-file", "A source file could not be parsed; its documentation is not counted.",
      severity="warning")
def check(context: "ProjectContext") -> Iterator[Finding]:
    required = frozenset(context.config.docs.require)
    result = context.coverage
    reported = set()
    targets = context.targets
    few = result.paths_with_problems()
    # only these may have problems: the few targets among them, not a look at every target
    paths = sorted(context.target_paths.intersection(few)) if few is not None else list(map(_PATH, targets))
    # the targets of a required role, picked at C speed; then their problems (none for most)
    roles = map(_ROLE, map(context.classifications.__getitem__, paths))
    for path in compress(paths, map(required.__contains__, roles)):
        problems = result.problems(path)  # empty, without decoding anything, for most files
        if not problems:
            continue
        reported.add(path)
        for line, code, message in problems:
            if code in _NOT_ABOUT_THE_FILE:
                continue
            where = f"{path}:{line}" if line else path
            yield Finding(
                "DOC004",
                f"{where}: {message} ({code}); its documentation is not counted, the run continues",
                path, line=line or None, severity="warning", key=code,
            )
    yield from _unreadable_tests(context, reported)


def _unreadable_tests(context: "ProjectContext", reported: set) -> Iterator[Finding]:
    """Target test files whose evidence could not be read (not already reported above)."""
    targets = context.targets
    if len(targets) <= _FEW:  # a pre-commit run: the evidence index only if a test is among them
        if not any(e.kind == "file" and kind_of(e.path) in _TEST_KINDS for e in targets):
            return
    evidence = context.test_evidence
    in_scope = context.target_paths
    unparsable = evidence.unparsable
    # a few targets: look each up (the index may be read in shards); else walk the failures
    for path in sorted(in_scope if len(in_scope) <= _FEW else unparsable):
        error = unparsable.get(path)
        if error is None or path not in in_scope or path in reported:
            continue
        line = _line_of(error)
        where = f"{path}:{line}" if line else path
        yield Finding(
            "DOC004",
            f"{where}: test file {error}; its test evidence is skipped, the run continues",
            path, line=line, severity="warning", key="test-evidence",
        )


def _line_of(error: str) -> Optional[int]:
    match = re.search(r"\(line (\d+)\)", error)
    return int(match.group(1)) or None if match else None
