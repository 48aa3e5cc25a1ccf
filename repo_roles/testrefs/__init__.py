"""Test evidence: which source files the test files of a repository actually exercise.

* :mod:`~repo_roles.testrefs.extract` — the facts of one file from its bytes (what a test imports
  and names, what a Go file defines, what a manifest or ``tsconfig.json`` declares), as plain
  JSON-able data, cached by blob id;
* :mod:`~repo_roles.testrefs.pyresolve` / :mod:`~repo_roles.testrefs.jsresolve` — import names
  resolved to repository files the way Python's import system and a bundler would;
* :mod:`~repo_roles.testrefs.evidence` — the per-run index: module -> the pieces of evidence
  (test file, line, what it imports) and, for a module without any, the nearest candidate.

The scanned repository's code is never executed: Python is parsed with :mod:`ast`, other
languages with small token-level readers; files are read through ``Inventory.read_bytes``.
"""
