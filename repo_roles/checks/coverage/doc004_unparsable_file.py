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
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from repo_roles.checks.registry import rule
from repo_roles.findings import Finding

if TYPE_CHECKING:
    from repo_roles.scan import ScanContext

# Not about the file: the optional grammar for its language is missing on this install.
from repo_roles.coverage.model import ABOUT_THE_INSTALL as _NOT_ABOUT_THE_FILE  # noqa: E402


@rule("DOC004", "unparsable-file", "A source file could not be parsed; its documentation is not counted.",
      severity="warning")
def check(context: "ScanContext") -> Iterator[Finding]:
    required = set(context.config.docs.require)
    result = context.coverage
    for entry in context.targets:
        problems = result.problems(entry.path)  # empty, without decoding anything, for most files
        if not problems or context.role_of(entry.path) not in required:
            continue
        for line, code, message in problems:
            if code in _NOT_ABOUT_THE_FILE:
                continue
            where = f"{entry.path}:{line}" if line else entry.path
            yield Finding(
                "DOC004",
                f"{where}: {message} ({code}); its documentation is not counted, the run continues",
                entry.path, line=line or None, severity="warning", key=code,
            )
