"""Classification signals, one table-driven group per signal, paired "is X" / "is not X" cases."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Dict, List, Mapping, NamedTuple, Optional, Union

import pytest
from conftest import record_calls

from repo_roles import roles as R
from repo_roles.classify import SIGNAL_ORDER, Classification, Classifier
from repo_roles.classify.sniff import js_directives, js_imports
from repo_roles.config.model import Config
from repo_roles.errors import ConfigError

Content = Union[str, bytes]


class FakeEntry(NamedTuple):
    path: str
    kind: str = "file"


class FakeInventory:
    """The slice of ``Inventory`` the classifier reads, backed by dicts (no git)."""

    def __init__(self, files: Mapping[str, Content], attrs: Optional[Dict[str, Dict[str, str]]] = None,
                 kinds: Optional[Dict[str, str]] = None) -> None:
        self.files = {p: c.encode() if isinstance(c, str) else c for p, c in files.items()}
        self.entries = [FakeEntry(p, (kinds or {}).get(p, "file")) for p in sorted(files)]
        self.attrs = attrs or {}
        self.reads: List[str] = []
        self.attribute_calls = 0

    def read_head(self, path: str, limit: int = 4096) -> Optional[bytes]:
        self.reads.append(path)
        data = self.files.get(path)
        return None if data is None else data[:limit]

    def read_bytes(self, path: str, max_size: int) -> Optional[bytes]:
        return self.read_head(path, max_size)

    def attributes(self, names: List[str]) -> Dict[str, Dict[str, str]]:
        self.attribute_calls += 1
        return {p: {k: v for k, v in a.items() if k in names} for p, a in self.attrs.items()}


def classify(path: str, files: Optional[Mapping[str, Content]] = None, **kwargs: object) -> Classification:
    config = kwargs.pop("config", Config())
    inventory = FakeInventory({path: "", **(files or {})}, **kwargs)  # type: ignore[arg-type]
    return Classifier(config, inventory).classify(path)  # type: ignore[arg-type]


def check(path: str, role: str, signal: str, files: Optional[Mapping[str, Content]] = None, **kwargs: object) -> None:
    result = classify(path, files, **kwargs)
    assert (result.role, result.signal) == (role, signal), result


# --- order and API ---------------------------------------------------------------------------

def test_signal_order_is_the_documented_one() -> None:
    assert SIGNAL_ORDER == (
        "config-glob", "gitattributes", "vendored-path", "generated", "test-convention", "docs",
        "frontend-extension", "template", "translation", "js-side", "language", "data-file",
        "interpreter", "fallback",
    )


def test_explain_lists_every_signal_and_marks_the_rest_not_reached() -> None:
    inventory = FakeInventory({"src/app.py": "x = 1\n"})
    traces = Classifier(Config(), inventory).explain("src/app.py")  # type: ignore[arg-type]
    assert [t.signal for t in traces] == list(SIGNAL_ORDER)
    decided = [t for t in traces if t.matched]
    assert [(t.signal, t.role, t.detail) for t in decided] == [("language", R.BACKEND_LOGIC, "extension .py")]
    assert all(t.detail == "not reached" for t in traces[SIGNAL_ORDER.index("language") + 1:])


def test_classify_all_covers_every_entry_and_asks_attributes_once() -> None:
    inventory = FakeInventory({"a.py": "", "b.css": "", "docs/x.md": "", "vendor/y.go": ""})
    result = Classifier(Config(), inventory).classify_all()  # type: ignore[arg-type]
    assert set(result) == {"a.py", "b.css", "docs/x.md", "vendor/y.go"}
    assert inventory.attribute_calls == 1


# --- 1 config-glob ---------------------------------------------------------------------------

ROLES_CONFIG = Config(
    roles={R.FRONTEND_UI: ("web/src/**/*.ts", "!web/src/server/"), R.CONFIG: ("deploy/",)},
    sources={("roles", R.FRONTEND_UI): ("repo-roles.toml", 12)},
)


@pytest.mark.parametrize("path, role, signal", [
    pytest.param("web/src/a/x.ts", R.FRONTEND_UI, "config-glob", id="is-config-glob-gitignore-doublestar"),
    pytest.param("web/src/server/x.ts", R.FRONTEND_UI, "js-side", id="is-not-config-glob-gitignore-negation-last-wins"),
    pytest.param("deploy/app.py", R.CONFIG, "config-glob", id="is-config-glob-directory-pattern"),
    pytest.param("src/deploy.py", R.BACKEND_LOGIC, "language", id="is-not-config-glob-dir-pattern-vs-file"),
])
def test_config_glob(path: str, role: str, signal: str) -> None:
    check(path, role, signal, config=ROLES_CONFIG)


def test_config_glob_source_is_the_config_line() -> None:
    assert classify("web/src/a.ts", config=ROLES_CONFIG).source == "repo-roles.toml:12"


def test_config_glob_rejects_unknown_role() -> None:
    with pytest.raises(ConfigError, match="unknown role 'frontend.manual'"):
        Classifier(Config(roles={"frontend.manual": ("x",)}), FakeInventory({}))  # type: ignore[arg-type]


# --- 2 gitattributes (Linguist overrides: docs/overrides.md of github-linguist/linguist) -------

@pytest.mark.parametrize("path, attrs, role, signal", [
    pytest.param("src/x.py", {"repo-role": "frontend.ui"}, R.FRONTEND_UI, "gitattributes", id="is-repo-role-attribute"),
    pytest.param("src/x.py", {"repo-role": "nonsense"}, R.BACKEND_LOGIC, "language", id="is-not-repo-role-unknown-value"),
    pytest.param("lib/x.js", {"linguist-vendored": "set"}, R.VENDORED, "gitattributes", id="is-linguist-vendored"),
    pytest.param("vendor/x.go", {"linguist-vendored": "false"}, R.BACKEND_LOGIC, "language", id="is-not-vendored-linguist-vendored-false"),
    pytest.param("vendor/x.go", {"linguist-vendored": "unset"}, R.BACKEND_LOGIC, "language", id="is-not-vendored-linguist-minus-vendored"),
    pytest.param("api.go", {"linguist-generated": "true"}, R.GENERATED, "gitattributes", id="is-linguist-generated"),
    pytest.param("yarn.lock", {"linguist-generated": "false"}, R.UNCLASSIFIED, "fallback", id="is-not-generated-linguist-generated-false"),
    pytest.param("guide/x.py", {"linguist-documentation": "set"}, R.BACKEND_DOCS, "gitattributes", id="is-linguist-documentation"),
    pytest.param("docs/conf.py", {"linguist-documentation": "false"}, R.BACKEND_LOGIC, "language", id="is-not-docs-linguist-documentation-false"),
])
def test_gitattributes(path: str, attrs: Dict[str, str], role: str, signal: str) -> None:
    check(path, role, signal, attrs={path: attrs})


# --- 3 vendored-path (Linguist vendor.yml) -------------------------------------------------------

@pytest.mark.parametrize("path, role, signal", [
    pytest.param("vendor/github.com/x/y.go", R.VENDORED, "vendored-path", id="is-vendored-linguist-vendor"),
    pytest.param("web/node_modules/react/index.js", R.VENDORED, "vendored-path", id="is-vendored-linguist-node-modules-nested"),
    pytest.param("Godeps/_workspace/a.go", R.VENDORED, "vendored-path", id="is-vendored-linguist-godeps-case-insensitive"),
    pytest.param("src/vendors.py", R.BACKEND_LOGIC, "language", id="is-not-vendored-linguist-name-is-not-a-dir"),
])
def test_vendored_path(path: str, role: str, signal: str) -> None:
    check(path, role, signal)


# --- 4 generated (Go: https://go.dev/s/generatedcode; Linguist generated.rb) ---------------------

@pytest.mark.parametrize("path, content, role, signal", [
    pytest.param("web/package-lock.json", "{}", R.GENERATED, "generated", id="is-generated-npm-lockfile"),
    pytest.param("Cargo.lock", "", R.GENERATED, "generated", id="is-generated-cargo-lockfile"),
    pytest.param("static/app.min.js", "", R.VENDORED, "vendored-path", id="is-vendored-linguist-vendor-yml-minified"),
    pytest.param("api/v1/x_pb2.py", "", R.GENERATED, "generated", id="is-generated-protobuf-python"),
    pytest.param("dist/index.js", "", R.GENERATED, "generated", id="is-generated-dist-dir"),
    pytest.param("build/webpack.config.js", "", R.CONFIG, "data-file", id="is-not-generated-build-dir-vue-cli"),
    pytest.param("x.go", "// Code generated by stringer. DO NOT EDIT.\n\npackage x\n", R.GENERATED, "generated", id="is-generated-go-convention"),
    pytest.param("x.go", "// Code generated by stringer. Edit freely.\npackage x\n", R.BACKEND_LOGIC, "language", id="is-not-generated-go-convention-without-do-not-edit"),
    pytest.param("x.py", "# @generated by tool\nx = 1\n", R.GENERATED, "generated", id="is-generated-at-generated-marker"),
    pytest.param("x.py", 'MARK = "@generated"\n', R.BACKEND_LOGIC, "language", id="is-not-generated-marker-in-code"),
    pytest.param("x.py", "x = 1\n" * 800 + "# @generated\n", R.BACKEND_LOGIC, "language", id="is-not-generated-header-after-4kb"),
    pytest.param("src/x.ts", "/* This file is auto-generated */\nimport fs from 'fs'\n", R.GENERATED, "generated", id="is-generated-auto-generated-js"),
    pytest.param("tests/test_x.py", "# @generated\n", R.BACKEND_TESTS, "test-convention", id="is-not-sniffed-path-decided-pytest"),
])
def test_generated(path: str, content: str, role: str, signal: str) -> None:
    check(path, role, signal, {path: content})


def test_generated_header_is_not_read_for_path_decided_files() -> None:
    inventory = FakeInventory({"README.md": "@generated", "a.css": "", "tests/test_a.py": "", "a.py": ""})
    Classifier(Config(), inventory).classify_all()  # type: ignore[arg-type]
    # a.css is read for Linguist's minified_files? check (average line length), nothing else
    assert sorted(inventory.reads) == ["a.css", "a.py"]


def test_symlinks_are_classified_by_path_only() -> None:
    inventory = FakeInventory({"x.go": "// Code generated by x. DO NOT EDIT.\n"}, kinds={"x.go": "symlink"})
    result = Classifier(Config(), inventory).classify("x.go")  # type: ignore[arg-type]
    assert (result.role, inventory.reads) == (R.BACKEND_LOGIC, [])


def test_submodule_path_is_a_directory() -> None:
    inventory = FakeInventory({"third_party/zlib": ""}, kinds={"third_party/zlib": "submodule"})
    assert Classifier(Config(), inventory).classify("third_party/zlib").role == R.VENDORED  # type: ignore[arg-type]


# --- 5 test-convention -----------------------------------------------------------------------------

REACT_PKG = {"web/package.json": '{"dependencies": {"react": "^18"}}'}


@pytest.mark.parametrize("path, role, files", [
    pytest.param("pkg/test_api.py", R.BACKEND_TESTS, {}, id="is-test-pytest-docs-test-prefix"),
    pytest.param("pkg/api_test.py", R.BACKEND_TESTS, {}, id="is-test-pytest-docs-test-suffix"),
    pytest.param("pkg/testing_api.py", R.BACKEND_LOGIC, {}, id="is-not-test-pytest-docs-prefix-is-test-underscore"),
    pytest.param("conftest.py", R.BACKEND_TESTS, {}, id="is-test-pytest-docs-conftest"),
    pytest.param("tests/fixtures/data.json", R.BACKEND_TESTS, {}, id="is-test-pytest-fixture-under-tests"),
    pytest.param("server/handler_test.go", R.BACKEND_TESTS, {}, id="is-test-go-test-suffix"),
    pytest.param("server/testdata/input.txt", R.BACKEND_TESTS, {}, id="is-test-go-test-testdata"),
    pytest.param("web/src/Button.test.tsx", R.FRONTEND_TESTS, {}, id="is-test-jest-docs-tsx-frontend"),
    pytest.param("web/src/util.test.ts", R.FRONTEND_TESTS, REACT_PKG, id="is-test-jest-docs-ts-side-from-package-json"),
    pytest.param("api/routes.test.ts", R.BACKEND_TESTS, {}, id="is-test-jest-docs-ts-side-from-directory"),
    pytest.param("web/src/__snapshots__/Button.test.tsx.snap", R.FRONTEND_TESTS, {}, id="is-test-jest-docs-snapshot"),
    pytest.param("openapi.spec.yaml", R.CONFIG, {}, id="is-not-test-jest-spec-only-for-js"),
    pytest.param("src/test/java/com/x/FooTest.java", R.BACKEND_TESTS, {}, id="is-test-maven-surefire-layout"),
    pytest.param("src/main/java/com/x/FooIT.java", R.BACKEND_TESTS, {}, id="is-test-maven-failsafe-it"),
    pytest.param("src/main/java/com/x/Edit.java", R.BACKEND_LOGIC, {}, id="is-not-test-maven-surefire-case-sensitive-it"),
    pytest.param("spec/models/user_spec.rb", R.BACKEND_TESTS, {}, id="is-test-rspec-pattern"),
    pytest.param("cypress/e2e/login.cy.ts", R.FRONTEND_TESTS, {}, id="is-test-cypress-frontend"),
    # Issue 17: the test conventions of the newly analysed languages.
    pytest.param("src/widget_test.cc", R.BACKEND_TESTS, {}, id="is-test-googletest-https://google.github.io/googletest/primer.html"),
    pytest.param("src/widget_unittest.cpp", R.BACKEND_TESTS, {}, id="is-test-googletest-unittest"),
    pytest.param("unittests/Support/widget.cpp", R.BACKEND_TESTS, {}, id="is-test-llvm-unittests-dir"),
    pytest.param("src/test_widget.cpp", R.BACKEND_TESTS, {}, id="is-test-catch2-test_-prefix"),
    pytest.param("tests/integration.rs", R.BACKEND_TESTS, {}, id="is-test-cargo-tests-dir-https://doc.rust-lang.org/cargo/guide/tests.html"),
    pytest.param("src/Acme.Test/ClientFacts.cs", R.BACKEND_TESTS, {}, id="is-test-xunit-test-project"),
    pytest.param("src/test/kotlin/acme/Client.kt", R.BACKEND_TESTS, {}, id="is-test-gradle-src-test-kotlin"),
    pytest.param("lib/acme/client_test.rb", R.BACKEND_TESTS, {}, id="is-test-minitest-_test"),
    pytest.param("tests/Unit/ClientTest.php", R.BACKEND_TESTS, {}, id="is-test-phpunit"),
    pytest.param("src/widget.cc", R.BACKEND_LOGIC, {}, id="is-not-test-cpp-source"),
])
def test_test_convention(path: str, role: str, files: Dict[str, str]) -> None:
    result = classify(path, files)
    is_test = role.endswith(".tests")
    assert (result.role, result.signal == "test-convention") == (role, is_test), result


# --- 6 docs / 7 frontend-extension / 8 template ----------------------------------------------------

@pytest.mark.parametrize("path, role, signal", [
    pytest.param("README", R.BACKEND_DOCS, "docs", id="is-docs-linguist-readme"),
    pytest.param("web/README.md", R.BACKEND_DOCS, "docs", id="is-docs-linguist-readme-in-frontend-dir"),
    pytest.param("LICENSE-MIT", R.BACKEND_DOCS, "docs", id="is-docs-linguist-license"),
    pytest.param("docs/img/arch.png", R.BACKEND_DOCS, "docs", id="is-docs-linguist-docs-dir-wins-over-image"),
    pytest.param("requirements.txt", R.CONFIG, "data-file", id="is-not-docs-named-config-beats-txt"),
    pytest.param("public/robots.txt", R.FRONTEND_ASSETS, "frontend-extension", id="is-not-docs-robots-txt"),
    pytest.param("src/history.py", R.BACKEND_LOGIC, "language", id="is-not-docs-linguist-name-with-code-extension"),
    pytest.param("src/App.vue", R.FRONTEND_UI, "frontend-extension", id="is-frontend-ui-linguist-vue"),
    pytest.param("src/logo.svg", R.FRONTEND_ASSETS, "frontend-extension", id="is-frontend-assets-image"),
    pytest.param("fonts/x.woff2", R.FRONTEND_ASSETS, "frontend-extension", id="is-frontend-assets-font"),
    pytest.param("app/views/index.html.erb", R.FRONTEND_UI, "template", id="is-template-erb"),
    pytest.param("resources/views/a.blade.php", R.FRONTEND_UI, "template", id="is-template-blade-not-php"),
    pytest.param("app/templates/email.subject", R.FRONTEND_UI, "template", id="is-template-templates-dir"),
    pytest.param("charts/api/templates/deployment.yaml", R.CONFIG, "data-file", id="is-not-template-helm-yaml"),
])
def test_docs_frontend_template(path: str, role: str, signal: str) -> None:
    check(path, role, signal)


# --- 9 js-side ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, files, role, signal", [
    pytest.param("lib/a.ts", {"lib/a.ts": "'use client'\nexport const a = 1\n"}, R.FRONTEND_UI, "js-side", id="is-frontend-react-docs-use-client"),
    pytest.param("lib/a.ts", {"lib/a.ts": "// c\n'use strict';\n\"use server\";\n"}, R.BACKEND_LOGIC, "js-side", id="is-backend-react-docs-use-server-in-prologue"),
    pytest.param("lib/a.ts", {"lib/a.ts": "import x from 'y'\n'use client'\n"}, R.UNCLASSIFIED, "fallback", id="is-not-directive-react-docs-after-import"),
    pytest.param("pages/api/users.ts", {}, R.BACKEND_LOGIC, "js-side", id="is-backend-nextjs-docs-api-route"),
    pytest.param("app/users/route.ts", {}, R.BACKEND_LOGIC, "js-side", id="is-backend-nextjs-docs-route-handler"),
    pytest.param("src/routes/+page.server.ts", {}, R.BACKEND_LOGIC, "js-side", id="is-backend-sveltekit-docs-page-server"),
    pytest.param("src/routes/+page.ts", {}, R.FRONTEND_UI, "js-side", id="is-frontend-sveltekit-docs-page"),
    pytest.param("lib/a.js", {"lib/a.js": "const fs = require('node:fs')\n"}, R.BACKEND_LOGIC, "js-side", id="is-backend-node-docs-builtin"),
    pytest.param("lib/a.ts", {"lib/a.ts": "import React from 'react'\nimport fs from 'fs'\n"}, R.BACKEND_LOGIC, "js-side", id="is-backend-node-builtin-beats-react"),
    pytest.param("lib/a.ts", {"lib/a.ts": "import { Component } from '@angular/core'\n"}, R.FRONTEND_UI, "js-side", id="is-frontend-angular-scope"),
    pytest.param("lib/a.ts", {"lib/a.ts": "import express from 'express'\n"}, R.BACKEND_LOGIC, "js-side", id="is-backend-express"),
    pytest.param("web/src/x/a.ts", REACT_PKG, R.FRONTEND_UI, "js-side", id="is-frontend-nearest-package-json"),
    pytest.param("pkg/a.ts", {"pkg/package.json": '{"dependencies": {"react": "1", "@prisma/client": "1"}}'}, R.UNCLASSIFIED, "fallback", id="is-not-decided-package-json-both-sides"),
    pytest.param("frontend/src/api/client.ts", {}, R.FRONTEND_UI, "js-side", id="is-frontend-outermost-directory"),
    pytest.param("services/billing/index.ts", {}, R.BACKEND_LOGIC, "js-side", id="is-backend-directory"),
    pytest.param("lib/format.ts", {}, R.UNCLASSIFIED, "fallback", id="is-not-decided-no-evidence-unclassified"),
    pytest.param("vite.config.ts", {}, R.CONFIG, "data-file", id="is-not-js-side-tool-config"),
])
def test_js_side(path: str, files: Dict[str, str], role: str, signal: str) -> None:
    check(path, role, signal, files)


def test_package_json_is_read_once_per_manifest() -> None:
    files = {f"web/src/m{i}.ts": "" for i in range(5)}
    inventory = FakeInventory({**files, **REACT_PKG})
    result = Classifier(Config(), inventory).classify_all()  # type: ignore[arg-type]
    assert {result[p].role for p in files} == {R.FRONTEND_UI}
    assert inventory.reads.count("web/package.json") == 1


def test_js_undecidable_explains_the_steps_tried() -> None:
    result = classify("lib/format.ts")
    assert "no directive, framework path, imports, package.json, directory name" in result.detail


@pytest.mark.parametrize("text, expected", [
    pytest.param("#!/usr/bin/env node\n/* x */ 'use client';\nimport a from 'b'", ["use client"], id="directive-after-hashbang-and-comment"),
    pytest.param("const a = 'use client'\n", [], id="not-directive-expression"),
])
def test_js_directives(text: str, expected: List[str]) -> None:
    assert js_directives(text) == expected


def test_js_imports_forms() -> None:
    text = "import a from 'a'\nimport 'b'\nexport { c } from \"c\"\nconst d = require('d')\nawait import('e')\nimport type { F } from 'f'\n"
    assert js_imports(text) == ["a", "b", "c", "d", "e", "f"]


# --- 10 language / 11 data-file / 12 fallback ----------------------------------------------------------

@pytest.mark.parametrize("path, role, signal", [
    pytest.param("cmd/main.go", R.BACKEND_LOGIC, "language", id="is-language-go"),
    pytest.param("src/lib.rs", R.BACKEND_LOGIC, "language", id="is-language-rust"),
    pytest.param("build.gradle.kts", R.CONFIG, "data-file", id="is-not-language-named-build-script"),
    pytest.param("Dockerfile", R.CONFIG, "data-file", id="is-data-dockerfile"),
    pytest.param("deploy/Dockerfile.prod", R.CONFIG, "data-file", id="is-data-dockerfile-variant"),
    pytest.param(".github/CODEOWNERS", R.CONFIG, "data-file", id="is-data-codeowners-github-docs"),
    pytest.param("pyproject.toml", R.CONFIG, "data-file", id="is-data-toml"),
    pytest.param("assets/blob.bin", R.UNCLASSIFIED, "fallback", id="is-not-anything-unknown-extension"),
])
def test_language_data_fallback(path: str, role: str, signal: str) -> None:
    check(path, role, signal)


# --- end to end: a real git repository through repo_roles.inventory ------------------------------------

@pytest.fixture
def classify_repo(make_repo: Callable[..., Path]) -> Callable[[Dict[str, Content]], Dict[str, Classification]]:
    inventory_module = pytest.importorskip("repo_roles.inventory")

    def _run(files: Dict[str, Content]) -> Dict[str, Classification]:
        root = make_repo(files)
        return Classifier(Config(), inventory_module.load_inventory(root)).classify_all()

    return _run


def test_e2e_gitattributes_linguist_vendored_false(classify_repo: Callable[..., Dict[str, Classification]]) -> None:
    result = classify_repo({".gitattributes": "vendor/** -linguist-vendored\nlib/** linguist-generated\n",
                            "vendor/x.go": "package x\n", "lib/y.py": "y = 1\n"})
    assert (result["vendor/x.go"].role, result["lib/y.py"].role) == (R.BACKEND_LOGIC, R.GENERATED)


def test_e2e_linguist_documentation_attribute_takes_the_package_side(
        classify_repo: Callable[..., Dict[str, Classification]]) -> None:
    """Linguist docs/overrides.md: linguist-documentation marks docs; whose docs is the package's side."""
    result = classify_repo({".gitattributes": "*/guide/** linguist-documentation\n",
                            "web/package.json": '{"dependencies": {"react": "18"}}',
                            "web/guide/intro.ts": "export {}\n", "api/guide/intro.py": "x = 1\n"})
    assert result["web/guide/intro.ts"].role == R.FRONTEND_DOCS
    assert result["api/guide/intro.py"].role == R.BACKEND_DOCS


def test_e2e_js_side_from_package_json_and_imports(classify_repo: Callable[..., Dict[str, Classification]]) -> None:
    result = classify_repo({"web/package.json": '{"dependencies": {"react": "18"}}', "web/src/a.ts": "export {}\n",
                            "tools/b.js": "const fs = require('fs')\n"})
    assert (result["web/src/a.ts"].role, result["tools/b.js"].role) == (R.FRONTEND_UI, R.BACKEND_LOGIC)


def test_e2e_generated_header_and_tests(classify_repo: Callable[..., Dict[str, Classification]]) -> None:
    result = classify_repo({"x.go": "// Code generated by protoc. DO NOT EDIT.\npackage x\n",
                            "x_test.go": "package x\n", "README.md": "# x\n"})
    assert [result[p].role for p in ("x.go", "x_test.go", "README.md")] == [R.GENERATED, R.BACKEND_TESTS, R.BACKEND_DOCS]


def test_bulk_classification_answers_as_path_by_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """From ``BULK_MIN`` paths on, ``classify_all`` takes the tables' glob answers from one
    pass over all paths (``Signals.bulk_tables``); every file's role, signal and detail are the
    ones ``classify`` gives that file alone, submodules (matched as directories) included."""
    from repo_roles.classify import classifier as C
    from repo_roles.globs import GlobTable

    shapes = ["src/app{}.py", "vendor/lib{}/x.c", "web/static/js/jquery{}.min.js", "docs/_build/html/p{}.html",
              "a/b/.sqlx/query-{}.json", "tests/test_x{}.py", "pkg/x{}_test.go", "web/src/x{}.spec.ts",
              "proto/x{}_pb2.py", "docs/guide{}.md", "templates/t{}.html", "locale/fr/m{}.po", "Makefile{}",
              "charts/c{}/templates/d.yaml", "e2e/flow{}.spec.ts", "fixtures/f{}.json", "x/README{}.md"]
    files = {shape.format(i): "" for shape in shapes for i in range(16)}
    files["third_party/sub"] = ""
    assert len(files) >= C.BULK_MIN
    kinds = {"third_party/sub": "submodule"}
    calls = record_calls(monkeypatch, GlobTable, "first_split")
    found = Classifier(Config(), FakeInventory(files, kinds=kinds)).classify_all()  # type: ignore[arg-type]
    in_bulk = len(calls)
    alone = {p: Classifier(Config(), FakeInventory(files, kinds=kinds)).classify(p) for p in files}  # type: ignore[arg-type]
    assert found == alone
    assert in_bulk < len(calls) - in_bulk  # the bulk run asked first_split far less often
