"""Shapes seen on real repositories (issue 11), each pinned to the convention it follows.

Paths are made up for these tests; the conventions are GitHub Linguist's (lib/linguist/vendor.yml,
generated.rb, documentation.yml and the path assertions of test/test_file_blob.rb,
test/test_blob.rb and test/test_generated.rb), the test runners' documentation and Django's.
"""

from __future__ import annotations

from typing import Dict, Optional

import pytest

from repo_roles import roles as R
from tests.test_classify_signals import FakeInventory, classify
from repo_roles.classify import Classifier
from repo_roles.config.model import Config

ANGULAR = '{"dependencies": {"@angular/core": "19.0.0"}}\n'
REACT = '{"dependencies": {"react": "19.0.0"}}\n'
DOCUSAURUS = '{"dependencies": {"@docusaurus/core": "3.0.0", "react": "19.0.0"}}\n'


def role_of(path: str, files: Optional[Dict[str, str]] = None) -> str:
    return classify(path, files).role


# --- 1. Linguist: vendored, generated, documentation ---------------------------------------------

@pytest.mark.parametrize("path, role", [
    # vendor.yml "Vendored dependencies", "C deps", "Dependencies"
    pytest.param("extern/lib/a.c", R.VENDORED, id="vendor.yml-extern"),
    pytest.param("src/external/zlib/inflate.c", R.VENDORED, id="vendor.yml-externals"),
    pytest.param("deps/http_parser/http_parser.c", R.VENDORED, id="vendor.yml-deps-at-root"),
    pytest.param("src/deps/thing.py", R.BACKEND_LOGIC, id="vendor.yml-deps-only-at-root"),
    pytest.param("lib/3rd-party/x.js", R.VENDORED, id="vendor.yml-3rd-party"),
    pytest.param("env/lib/python3.12/site.py", R.VENDORED, id="vendor.yml-django-env"),
    pytest.param("configure", R.VENDORED, id="vendor.yml-autoconf-configure"),
    pytest.param("m4/libtool.m4", R.VENDORED, id="vendor.yml-autoconf-libtool-m4"),
    # vendor.yml "Commonly Bundled JavaScript frameworks", stylesheets
    pytest.param("public/js/jquery-3.7.1.js", R.VENDORED, id="vendor.yml-jquery"),
    pytest.param("static/css/bootstrap.css", R.VENDORED, id="vendor.yml-bootstrap-css"),
    pytest.param("Scripts/modernizr-2.8.3.js", R.VENDORED, id="vendor.yml-modernizr"),
    pytest.param("static/MochiKit.js", R.VENDORED, id="vendor.yml-mochikit"),
    pytest.param("themes/x/tiny_mce/plugins/a.js", R.VENDORED, id="vendor.yml-tinymce"),
    pytest.param("static/ace-builds/src/ace.js", R.VENDORED, id="vendor.yml-ace-builds"),
    pytest.param("static/CodeMirror/mode/python.js", R.VENDORED, id="vendor.yml-codemirror"),
    pytest.param("public/css/font-awesome.css", R.VENDORED, id="vendor.yml-font-awesome"),
    pytest.param("static/fontello-embedded.css", R.VENDORED, id="vendor.yml-fontello"),
    pytest.param("static/app.min.js", R.VENDORED, id="vendor.yml-minified"),
    # vendor.yml Gradle/Maven wrappers, Xcode frameworks, Sphinx build output
    pytest.param("gradlew", R.VENDORED, id="vendor.yml-gradlew"),
    pytest.param("gradle/wrapper/gradle-wrapper.properties", R.VENDORED, id="vendor.yml-gradle-wrapper"),
    pytest.param("mvnw.cmd", R.VENDORED, id="vendor.yml-mvnw"),
    pytest.param("Frameworks/Realm.framework/Headers/Realm.h", R.VENDORED, id="vendor.yml-framework"),
    pytest.param("docs/_build/html/index.html", R.VENDORED, id="vendor.yml-sphinx-build"),
    # generated.rb path rules
    pytest.param(".pnp.cjs", R.GENERATED, id="generated.rb-yarn-plugnplay"),
    pytest.param("htmlcov/index.html", R.GENERATED, id="generated.rb-htmlcov"),
    pytest.param("ext/kernel/main.zep.c", R.GENERATED, id="generated.rb-zephir"),
    pytest.param("Form1.Designer.vb", R.GENERATED, id="generated.rb-net-designer-vb"),
    pytest.param("crates/x/Cargo.toml.orig", R.GENERATED, id="generated.rb-cargo-orig"),
    pytest.param("Manifest.toml", R.GENERATED, id="generated.rb-julia-manifest"),
    pytest.param(".sqlx/query-0123abcd.json", R.GENERATED, id="generated.rb-sqlx-query"),
    pytest.param("lib/src/api.pbjson.dart", R.GENERATED, id="generated.rb-dart-protobuf"),
    pytest.param("spec/vcr_cassettes/login.yml", R.GENERATED, id="generated.rb-vcr-cassette-folder"),
    pytest.param("Gopkg.lock", R.GENERATED, id="generated.rb-go-lock"),
    pytest.param("deno.lock", R.GENERATED, id="generated.rb-deno-lock"),
    # documentation.yml
    pytest.param("examples/basic/main.py", R.BACKEND_DOCS, id="documentation.yml-examples-at-root"),
    pytest.param("man/tool.1", R.BACKEND_DOCS, id="documentation.yml-man-at-root"),
    pytest.param("CITATION.cff", R.BACKEND_DOCS, id="documentation.yml-citation"),
    pytest.param("CHANGES.txt", R.BACKEND_DOCS, id="documentation.yml-changes"),
    pytest.param("INSTALL", R.BACKEND_DOCS, id="documentation.yml-install"),
])
def test_linguist_conventions(path: str, role: str) -> None:
    assert role_of(path) == role


@pytest.mark.parametrize("path, role", [
    # vendor.yml lists these to hide them from language statistics; for owners they are config
    pytest.param(".gitignore", R.CONFIG, id="differs-vendor.yml-gitignore"),
    pytest.param(".vscode/settings.json", R.CONFIG, id="differs-vendor.yml-vscode"),
    pytest.param(".github/workflows/ci.yml", R.CONFIG, id="differs-vendor.yml-github"),
    pytest.param("Jenkinsfile", R.CONFIG, id="differs-vendor.yml-jenkinsfile"),
    pytest.param("debian/rules", R.CONFIG, id="differs-vendor.yml-debian"),
    # vendor.yml testdata/ and tests/fixtures/: the tests' side here
    pytest.param("pkg/server/testdata/a.golden", R.BACKEND_TESTS, id="differs-vendor.yml-testdata"),
    # generated.rb intellij_file?: an IDE setting somebody commits
    pytest.param(".idea/vcs.xml", R.CONFIG, id="differs-generated.rb-idea"),
])
def test_deliberate_differences_from_linguist(path: str, role: str) -> None:
    assert role_of(path, {"go.mod": "module x\n"}) == role


@pytest.mark.parametrize("head, name", [
    # generated.rb generated_protocol_buffer?, generated_jni_header?, compiled_cython_file?,
    # generated_racc?, generated_jflex?, generated_grammarkit?, generated_dart?, generated_jooq?
    ("// Generated by the protocol buffer compiler.  DO NOT EDIT!\n", "generated … do not edit"),
    ("/* DO NOT EDIT THIS FILE - it is machine generated */\n#include <jni.h>\n", "machine generated"),
    ("/* Generated by Cython 3.0.0 */\n", "generated by a known tool"),
    ("#\n# DO NOT MODIFY!!!!\n# This file is automatically generated by Racc 1.4.14\n", "generated by a known tool"),
    ("/* The following code was generated by JFlex 1.7.0 */\n", "generated by a known tool"),
    ("// This is a generated file. Not intended for manual editing.\n", "not intended for manual editing"),
    ("// GENERATED CODE - DO NOT MODIFY BY HAND\n", "generated code, do not modify"),
    ("/*\n * This file is generated by jOOQ.\n */\n", "generated by a known tool"),
])
def test_linguist_generated_headers(head: str, name: str) -> None:
    result = classify("src/gen/Thing.java", {"src/gen/Thing.java": head + "class Thing {}\n"})
    assert (result.role, result.detail) == (R.GENERATED, f"header '{name}' in the first 4 KB")


@pytest.mark.parametrize("path, text, role", [
    pytest.param("web/static/app.js", "var a=1;" * 800 + "\n", R.GENERATED, id="generated.rb-minified_files-js"),
    pytest.param("web/static/site.css", ".a{color:red}" * 600 + "\n", R.GENERATED, id="generated.rb-minified_files-css"),
    pytest.param("web/static/ok.js", "export function f() {\n  return 1;\n}\n" * 20, R.FRONTEND_UI,
                 id="generated.rb-minified_files-short-lines"),
])
def test_linguist_minified_files(path: str, text: str, role: str) -> None:
    """Linguist generated.rb ``minified_files?``: .js/.css with an average line over 110 characters."""
    files = {"web/package.json": REACT, path: text}
    result = classify(path, files)
    assert result.role == role
    if role == R.GENERATED:
        assert result.detail.startswith("minified (average line over 110 characters")


def test_a_hand_written_file_mentioning_generation_is_not_generated() -> None:
    text = "def generate():\n    '''Build the report; the output is generated by this function.'''\n"
    assert classify("src/report.py", {"src/report.py": text}).role == R.BACKEND_LOGIC


# --- 2. sides that follow the code -------------------------------------------------------------------

def test_go_testdata_under_components_is_backend() -> None:
    """`go help test`: testdata/ belongs to the package's tests; components/ says nothing here."""
    files = {"go.mod": "module x\n", "components/x/pkg/server/server_test.go": "package server\n"}
    assert role_of("components/x/pkg/server/testdata/out.golden", files) == R.BACKEND_TESTS


def test_firmware_test_yaml_under_tests_components_is_backend() -> None:
    files = {"pyproject.toml": "[project]\n", "tests/test_core.py": "", "web/package.json": REACT}
    assert role_of("tests/components/uart/test.esp32-idf.yaml", files) == R.BACKEND_TESTS


def test_django_test_image_is_backend_tests() -> None:
    """pytest/Django: a test's sample data belongs with the Python tests, not with UI assets."""
    files = {"pyproject.toml": "[project]\n", "src/documents/tests/test_api.py": "",
             "src-ui/package.json": ANGULAR}
    assert role_of("src/documents/tests/samples/simple.png", files) == R.BACKEND_TESTS


def test_test_data_of_a_frontend_package_is_frontend_tests() -> None:
    files = {"web/package.json": REACT, "web/src/__tests__/App.test.tsx": ""}
    assert role_of("web/src/__tests__/fixtures/user.json", files) == R.FRONTEND_TESTS


def test_test_data_follows_the_test_code_when_the_root_holds_both_manifests() -> None:
    files = {"go.mod": "module x\n", "package.json": REACT, "tests/api_test.go": "package t\n"}
    assert role_of("tests/data/payload.json", files) == R.BACKEND_TESTS


def test_fixtures_next_to_go_tests_are_test_data() -> None:
    files = {"go.mod": "module x\n", "server/forge/gitlab/gitlab_test.go": "package gitlab\n"}
    assert role_of("server/forge/gitlab/fixtures/hook.json", files) == R.BACKEND_TESTS
    assert role_of("server/forge/gitlab/fixtures/hooks.go", files) == R.BACKEND_TESTS


def test_fixtures_without_tests_beside_them_are_not_test_data() -> None:
    """Django's app/fixtures/ of initial data, with no tests next to it, stays data."""
    files = {"manage.py": "", "shop/models.py": ""}
    assert role_of("shop/fixtures/initial.json", files) == R.CONFIG


@pytest.mark.parametrize("path", [
    # https://playwright.dev/docs/test-configuration: testDir, a spec importing node builtins
    pytest.param("web/tests/e2e/login.spec.ts", id="playwright-under-tests"),
    pytest.param("src-ui/e2e/documents/list.spec.ts", id="playwright-e2e-dir"),
    pytest.param("src-ui/e2e/documents/requests/api.har", id="playwright-recorded-har"),
    # https://docs.cypress.io, https://webdriver.io/docs/gettingstarted, Selenium, Detox e2e/
    pytest.param("cypress/support/commands.ts", id="cypress"),
    pytest.param("test/wdio/specs/login.js", id="webdriverio"),
    pytest.param("qa/selenium/login.test.ts", id="selenium"),
    pytest.param("app/e2e/starter.test.js", id="detox-e2e"),
])
def test_e2e_suites_are_frontend_tests(path: str) -> None:
    text = "import fs from 'node:fs'\nimport path from 'path'\n"
    files = {path: text, "web/package.json": REACT, "src-ui/package.json": ANGULAR}
    assert role_of(path, files) == R.FRONTEND_TESTS


def test_go_code_in_an_e2e_folder_tests_the_server() -> None:
    files = {"go.mod": "module x\n", "e2e/setup/wait.go": "package setup\n"}
    assert role_of("e2e/setup/wait.go", files) == R.BACKEND_TESTS
    assert role_of("e2e/scenarios/fixtures/simple.yaml", files) == R.BACKEND_TESTS


def test_components_is_ui_evidence_only_inside_a_js_package() -> None:
    files = {"web/package.json": '{"name": "web"}\n', "tools/components/gen.ts": "export const a = 1\n"}
    assert role_of("web/src/components/Button.ts", {**files, "web/src/components/Button.ts": ""}) == R.FRONTEND_UI
    assert role_of("tools/components/gen.ts", files) == R.UNCLASSIFIED


# --- 3. no blind spots -------------------------------------------------------------------------------

@pytest.mark.parametrize("path, head, role", [
    # identify.parse_shebang / tags_from_interpreter (pre-commit's identify)
    pytest.param("bin/api", "#!/usr/bin/env python3\nprint(1)\n", R.BACKEND_LOGIC, id="identify-shebang-env-python"),
    pytest.param("docker/rootfs/usr/local/bin/migrate", "#!/command/with-contenv bash\nset -e\n",
                 R.BACKEND_LOGIC, id="identify-shebang-s6-with-contenv"),
    pytest.param("tools/VERSION", "1.2.3\n", R.CONFIG, id="identify-plain-text"),
    # s6-overlay / systemd service definitions, make fragments, keys
    pytest.param("docker/rootfs/etc/s6-overlay/s6-rc.d/svc-web/run", "#!/command/with-contenv bash\n",
                 R.CONFIG, id="s6-overlay-service-script"),
    pytest.param("docker/rootfs/etc/s6-overlay/s6-rc.d/svc-web/type", "longrun\n", R.CONFIG, id="s6-type"),
    pytest.param("nfpm/agent.service", "[Unit]\n", R.CONFIG, id="systemd-unit"),
    pytest.param("build/Makefile.common.mk", "all:\n", R.CONFIG, id="make-fragment"),
    pytest.param("certs/server.pem", "-----BEGIN CERTIFICATE-----\n", R.CONFIG, id="pem-certificate"),
    pytest.param("esphome/post_build.py.script", "Import('env')\n", R.BACKEND_LOGIC, id="inner-extension"),
    pytest.param("nfpm/server.env.example", "A=1\n", R.CONFIG, id="inner-extension-example"),
    # .txt: documentation only by name or place; requirements are config everywhere
    pytest.param("requirements/default.txt", "django\n", R.CONFIG, id="requirements-folder"),
    pytest.param("dev-requirements.txt", "pytest\n", R.CONFIG, id="requirements-glob"),
    pytest.param("store/migrations/latest-migration.txt", "", R.CONFIG, id="embedded-txt-is-data"),
    pytest.param("docs/notes.txt", "x\n", R.BACKEND_DOCS, id="txt-in-docs"),
    pytest.param("LICENSE.txt", "MIT\n", R.BACKEND_DOCS, id="license-txt"),
])
def test_no_blind_spots(path: str, head: str, role: str) -> None:
    assert role_of(path, {path: head}) == role


def test_translations_follow_their_package() -> None:
    files = {"pyproject.toml": "[project]\n", "src-ui/package.json": ANGULAR, "app/package.json": REACT}
    # Angular i18n (XLIFF), Flutter intl (ARB), i18next JSON in a UI package: the UI's strings
    assert role_of("src-ui/src/locale/messages.de_DE.xlf", files) == R.FRONTEND_ASSETS
    assert role_of("mobile/lib/l10n/app_de.arb", files) == R.FRONTEND_ASSETS
    assert role_of("app/src/locales/de/translation.json", files) == R.FRONTEND_ASSETS
    # Django gettext catalogs: the backend's strings
    assert role_of("src/locale/de/LC_MESSAGES/django.po", files) == R.BACKEND_LOGIC
    # a message catalog inside the Angular package
    assert role_of("src-ui/locale/de.po", files) == R.FRONTEND_ASSETS


def test_js_in_a_backend_only_project_is_backend() -> None:
    files = {"go.mod": "module x\n", "release-config.ts": "export default {}\n"}
    assert role_of("release-config.ts", files) == R.BACKEND_LOGIC


# --- 4. frontend.docs -------------------------------------------------------------------------------

@pytest.mark.parametrize("path, role", [
    pytest.param("web/README.md", R.FRONTEND_DOCS, id="readme-of-a-frontend-package"),
    pytest.param("web/src/Button.stories.mdx", R.FRONTEND_DOCS, id="storybook-mdx"),
    pytest.param("web/docs/theming.md", R.FRONTEND_DOCS, id="docs-folder-of-a-frontend-package"),
    pytest.param("README.md", R.BACKEND_DOCS, id="root-readme-of-a-go-project"),
    pytest.param("site/docs/intro.md", R.BACKEND_DOCS, id="docusaurus-site-manual-stays-backend"),
    pytest.param("site/docs/.gitignore", R.CONFIG, id="a-docs-site-config-name-is-config"),
])
def test_frontend_docs(path: str, role: str) -> None:
    files = {"go.mod": "module x\n", "web/package.json": REACT, "site/docs/package.json": DOCUSAURUS}
    assert role_of(path, files) == role


def test_frontend_docs_is_in_the_frontend_side() -> None:
    assert R.FRONTEND_DOCS in R.expand_responsibility("frontend")
    assert R.side_of(R.FRONTEND_DOCS) == "frontend"


# --- the role cache learns the new context -----------------------------------------------------------

def test_context_key_names_the_backend_manifest_and_the_test_folder() -> None:
    files = {"go.mod": "module x\n", "tests/api_test.go": "", "tests/data/a.json": "{}"}
    classifier = Classifier(Config(), FakeInventory(files))  # type: ignore[arg-type]
    assert classifier.classify("tests/data/a.json").role == R.BACKEND_TESTS
    key = classifier._signals.context_key("tests/data/a.json")
    assert " man:" in key and " tests:tests=backend" in key


@pytest.mark.parametrize("path, role", [
    pytest.param(".github/PULL_REQUEST_TEMPLATE.md", R.CONFIG, id="github-template-configures-github"),
    pytest.param(".github/ISSUE_TEMPLATE/bug.md", R.CONFIG, id="github-issue-form"),
    # GitHub docs, "Creating a default community health file": named files stay documentation
    pytest.param(".github/CONTRIBUTING.md", R.BACKEND_DOCS, id="github-community-health-file"),
])
def test_github_folder_prose(path: str, role: str) -> None:
    assert role_of(path) == role


# Linguist generated.rb content checks scoped to an extension (rules/classify.toml, scoped
# [[generated.headers]]): each case names the method; "not" cases are the same shape that the
# method rejects.
_VCR = ("---\nhttp_interactions:\n- request:\n    method: get\n    uri: https://example.com/\n"
        "recorded_with: VCR 6.2.0\n")
_VCR_SHORT = "interactions:\n- uri: x\nrecorded_with: VCR 6.2.0\n"


@pytest.mark.parametrize("path, text, name", [
    pytest.param("docs/reference/index.html",
                 "<!DOCTYPE html>\n<!-- Generated by pkgdown: do not edit by hand --><html>\n", "pkgdown",
                 id="generated_html-pkgdown-under-docs"),
    pytest.param("man/ls.html", "<!DOCTYPE html>\n<html>\n<!-- This is an automatically generated file.  Do not edit.\n",
                 "mandoc", id="generated_html-mandoc"),
    pytest.param("docs/html/index.html", '<html>\n<head>\n<!-- Generated by Doxygen 1.9.8 -->\n', "Doxygen",
                 id="generated_html-doxygen"),
    pytest.param("doc/manual.html", '<html><head>\n<meta name="generator" content="makeinfo 7.0">\n',
                 "<meta name=generator> of a documentation generator", id="generated_html-meta-makeinfo"),
    pytest.param("doc/notes.htm", "<html><head>\n<meta content='Org Mode' name=\"Generator\" />\n",
                 "<meta content=... name=generator> of a documentation generator", id="generated_html-meta-org-mode-reversed"),
    pytest.param("spec/fixtures/vcr/get_user.yml", _VCR, "VCR cassette", id="vcr_cassette"),
    pytest.param("spec/fixtures/vcr/big.yml", _VCR.replace("recorded_with: VCR 6.2.0\n", "    x: y\n" * 600),
                 "VCR cassette layout", id="vcr_cassette-long-known-by-its-head"),
    pytest.param("spec/fixtures/vcr/short.yml", _VCR_SHORT, "VCR cassette", id="vcr_cassette-recorded_with"),
    pytest.param("Assets/Player.cs.meta", "fileFormatVersion: 2\nguid: 0123456789abcdef\n", "Unity3D meta",
                 id="generated_unity3d_meta"),
    pytest.param("man/foo.Rd", "% Generated by roxygen2: do not edit by hand\n% Please edit documentation in R/foo.R\n",
                 "roxygen2", id="generated_roxygen2"),
    pytest.param("objects/obj_player/obj_player.yy", '{\n    "id": "a",\n    "modelName": "GMObject",\n}\n',
                 "GameMaker Studio modelName", id="generated_gamemakerstudio-modelName"),
    pytest.param("game.yyp", '1.4.1804|{\n  "a": 1\n}\n}\n', "GameMaker Studio 1.x version|{",
                 id="generated_gamemakerstudio-1x"),
    pytest.param("figs/plot.eps", "%!PS-Adobe-3.0 EPSF-3.0\n%%Creator: MATLAB, The MathWorks, Inc.\n",
                 "PostScript %%Creator of a tool", id="generated_postscript-matlab"),
    pytest.param("board/top.ps", "%!PS-Adobe-3.0\n%%Title: EAGLE Drawing top.brd\n%%Creator: EAGLE\n",
                 "PostScript EAGLE drawing", id="generated_postscript-eagle"),
    pytest.param("fonts/a.pfa", "%!PS-AdobeFont-1.0: A 001\n%%Creator: Jane\ncurrentfile eexec\n"
                 "d9d66f633b846ab284bcf8b0411b772de5ce32\n", "PostScript font hex stream",
                 id="generated_postscript-type1-eexec"),
    pytest.param("lib/Acme.Core.xml", '<?xml version="1.0"?>\n<doc>\n    <assembly>\n        <name>Acme</name>\n',
                 ".NET XML documentation file", id="generated_net_docfile"),
    pytest.param("src/modules/types.mod", "GFORTRAN module version '15' created from types.f90\nx\n",
                 "KiCAD / GFortran module", id="generated_module-gfortran"),
    pytest.param("grammar/Expr.g", "// $ANTLR 3.4\n// generated by Xtest\n", "ANTLR (Xtest)", id="generated_antlr"),
    pytest.param("build/app.dsp", '# Microsoft Developer Studio Project File - Name="app"\n'
                 "# Microsoft Developer Studio Generated Build File, Format Version 6.00\n",
                 "Visual Studio 6 build file", id="generated_visualstudio6"),
    pytest.param("sorbet/rbi/gems/rake.rbi", "# typed: true\n\n# DO NOT EDIT MANUALLY\n"
                 "# This is an autogenerated file for types exported from the `rake` gem.\n"
                 "# Please instead update this file by running `bin/tapioca gem rake`.\n",
                 "Sorbet RBI by Tapioca", id="generated_sorbet_rbi"),
    pytest.param("pkg/api/generated.proto", "// This file was autogenerated by go-to-protobuf. Do not edit it manually!\n",
                 "auto-generated", id="generated_protocol_buffer_from_go"),
    pytest.param("src/logo.c", "/* GIMP RGB C-Source image dump (logo.c) */\n", "GIMP C-Source image dump",
                 id="generated_gimp-c-source"),
    pytest.param("web/static/app.js", "var a = 1;\n//# sourceMappingURL=app.js.map\n", "source map reference",
                 id="has_source_map"),
])
def test_linguist_generated_content_checks(path: str, text: str, name: str) -> None:
    result = classify(path, {"web/package.json": REACT, path: text})
    assert (result.role, result.detail) == (R.GENERATED, f"header '{name}' in the first 4 KB")


@pytest.mark.parametrize("path, text", [
    # generated_html? lists only documentation generators: a Jekyll or Hugo page is a page
    pytest.param("site/index.html", '<html><head>\n<meta name="generator" content="Jekyll v4.3.2">\n',
                 id="generated_html-jekyll-is-not"),
    pytest.param("site/about.html", '<html><head>\n<meta name="generator" content="Hugo 0.120">\n',
                 id="generated_html-hugo-is-not"),
    pytest.param("web/index.html", "<html>\n<!-- Generated by Doxygen -->\n", id="generated_html-doxygen-needs-version"),
    pytest.param(".github/workflows/ci.yml", "name: ci\non: push\n", id="vcr_cassette-plain-yaml-is-not"),
    pytest.param("Assets/notes.meta", "author: me\nfileFormatVersion: 2\n", id="generated_unity3d_meta-first-line-only"),
    pytest.param("figs/hand.eps", "%!PS-Adobe-3.0 EPSF-3.0\n%%Creator: Jane Doe\n", id="generated_postscript-human-creator"),
    pytest.param("lib/settings.xml", '<?xml version="1.0"?>\n<settings>\n  <assembly>x</assembly>\n',
                 id="generated_net_docfile-needs-doc"),
    pytest.param("objects/o.yy", '{\n  "id": "a",\n  "name": "o"\n}\n', id="generated_gamemakerstudio-plain-json"),
    pytest.param("web/static/ok.js", "export const a = 1;\n// the build adds a //# sourceMappingURL= line\n",
                 id="has_source_map-not-at-line-start"),
])
def test_linguist_generated_content_checks_do_not_fire(path: str, text: str) -> None:
    result = classify(path, {"web/package.json": REACT, path: text})
    assert result.role != R.GENERATED, result
