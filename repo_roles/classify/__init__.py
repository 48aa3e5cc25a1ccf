"""Role classification: exactly one role per file, and the signal that decided it.

Signals are tried in this order; the first that matches decides (``SIGNAL_ORDER``):

 1. ``config-glob``        ``[roles]`` globs of the config (gitignore semantics, roles in config order)
 2. ``gitattributes``      ``repo-role=<role>``, then ``linguist-vendored`` / ``-generated`` /
                           ``-documentation``. Unset or ``=false`` means "explicitly not": it
                           switches off signal 3, 4 or 6 for that file (Linguist semantics).
 3. ``vendored-path``      vendor/, third_party/, node_modules/ … anywhere in the path
 4. ``generated``          lockfiles, dist/, *.min.js, *_pb2.py …; then a header in the first
                           4 KB ("Code generated … DO NOT EDIT.", "@generated", "auto-generated"),
                           read only for source files that no later path rule would decide
 5. ``test-convention``    pytest, go test, Jest/Vitest, Maven Surefire, RSpec, xUnit, Cypress,
                           Playwright. A test takes the side of what it tests (``.tsx`` →
                           frontend.tests, ``.py`` → backend.tests, ``.ts`` by the JS logic of 9);
                           with no evidence, backend.tests
 6. ``docs``               docs/ trees, prose extensions, README/CHANGELOG/LICENSE … always
                           backend.docs: the vocabulary has no frontend.docs, so a README next to
                           a React package.json is backend.docs too
 7. ``frontend-extension`` styles, components, markup → frontend.ui; images, fonts, media →
                           frontend.assets
 8. ``template``           template languages, templates/ dirs (not for code or data files there)
 9. ``js-side``            .js/.ts/.mjs/.cjs/.mts/.cts: directive, framework path, imports,
                           nearest package.json, directory names (see ``jsside``). A file with no
                           evidence at all is NOT guessed: it falls to ``fallback`` (unclassified)
                           with the steps tried, so a ``[roles]`` glob can settle it
10. ``language``           other programming languages → backend.logic
11. ``data-file``          configuration and build metadata → config
12. ``fallback``           unclassified

Within one table: directory, exact file name, glob, extension. A file named exactly in a table
(``requirements.txt``, ``webpack.config.js``) is never taken by another table's extension rule.
Symlinks and submodules are classified by path only; nothing is read for them. All names,
extensions, globs and packages live in ``rules/classify.toml``.
"""

from __future__ import annotations

from repo_roles.classify.classifier import Classifier
from repo_roles.classify.results import SIGNAL_ORDER, Classification, SignalTrace
from repo_roles.classify.tables import Tables, load_tables, rules_dir

__all__ = ["SIGNAL_ORDER", "Classification", "Classifier", "SignalTrace", "Tables", "load_tables", "rules_dir"]
