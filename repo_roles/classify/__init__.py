"""Role classification: exactly one role per file, and the signal that decided it.

Signals are tried in this order; the first that matches decides (``SIGNAL_ORDER``):

 1. ``config-glob``        ``[roles]`` globs of the config (gitignore semantics, roles in config order)
 2. ``gitattributes``      ``repo-role=<role>``, then ``linguist-vendored`` / ``-generated`` /
                           ``-documentation``. Unset or ``=false`` means "explicitly not": it
                           switches off signal 3, 4 or 6 for that file (Linguist semantics).
 3. ``vendored-path``      GitHub Linguist's vendor.yml conventions (vendor/, third_party/,
                           extern/, node_modules/, jQuery/Bootstrap/TinyMCE …, gradlew …), with the
                           deliberate differences listed in ``rules/classify.toml``
 4. ``generated``          Linguist's generated.rb path rules (lockfiles, .pnp.*, htmlcov/, *.zep.c,
                           *.designer.vb, Cargo.toml.orig …) and dist/; then a header in the first
                           4 KB ("Code generated … DO NOT EDIT.", "@generated", "auto-generated",
                           protoc/Cython/Racc/JFlex/GrammarKit/jOOQ/Dart markers), read only for
                           source files that no later path rule would decide
 5. ``test-convention``    pytest, go test, Jest/Vitest, Maven Surefire, RSpec, xUnit; end-to-end
                           suites (Cypress, Playwright, WebdriverIO, Selenium, Detox) are
                           frontend.tests for JS/TS and UI-package data; test data (testdata/,
                           golden/, fixtures/ next to tests …) takes the side of its package
                           (nearest manifest), then of the test code around it (``context``)
 6. ``docs``               Linguist's documentation.yml, docs/ trees, prose extensions; inside a
                           frontend package (README, Storybook MDX, docs/) frontend.docs, else
                           backend.docs. .txt only by name or place
 7. ``frontend-extension`` styles, components, markup → frontend.ui; images, fonts, media, UI
                           translations (.xlf, .arb) → frontend.assets
 8. ``template``           template languages, templates/ dirs (not for code or data files there)
 9. ``translation``        gettext catalogs and i18n/locales JSON: frontend.assets in a frontend
                           package; a .po elsewhere follows its package (backend.logic)
10. ``js-side``            .js/.ts/.mjs/.cjs/.mts/.cts: directive, framework path, imports,
                           nearest package.json, directory names (see ``jsside``; components/
                           only inside a JS package), a backend-only project around it. A file
                           with no evidence at all is NOT guessed: it falls to ``fallback``
                           (unclassified) with the steps tried, so a ``[roles]`` glob can settle it
11. ``language``           other programming languages → backend.logic
12. ``data-file``          configuration and build metadata → config (service definitions,
                           s6/runit/systemd, *.mk, keys and certificates, requirements*.txt)
13. ``interpreter``        identify (pre-commit's file identification): file-name tags, an inner
                           extension (x.py.script), an extension-less file's shebang
14. ``fallback``           unclassified

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
