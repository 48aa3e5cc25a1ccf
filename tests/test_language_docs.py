"""Documentation items of Go, JavaScript/TypeScript and Java (tree-sitter), and the registry."""

from __future__ import annotations

import shutil
import subprocess
import textwrap
import threading
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from repo_roles.coverage import treesitter
from repo_roles.coverage.go_docs import analyze_go
from repo_roles.coverage.java_docs import analyze_java
from repo_roles.coverage.js_docs import analyze_javascript, analyze_typescript
from repo_roles.coverage.languages import ANALYZERS, EXTENSIONS, analyze, language_of
from repo_roles.coverage.model import DocOptions, FileDocs
from repo_roles.coverage.python_docs import analyze_python

PLATFORM = Path(__file__).resolve().parent.parent / "examples" / "platform"
Analyzer = Callable[..., FileDocs]


def run(analyzer: Analyzer, source: str, path: str, **options: object) -> FileDocs:
    return analyzer(textwrap.dedent(source).encode("utf-8"), path, DocOptions(**options))


def state(docs: FileDocs) -> Dict[str, Tuple[bool, Optional[str]]]:
    """name -> (documented, exempt); the last item wins for repeated names (overloads)."""
    return {item.name: (item.documented, item.exempt) for item in docs.items}


def missing(docs: FileDocs) -> List[Tuple[str, int]]:
    return [(item.name, item.line) for item in docs.missing]


# --- the registry ------------------------------------------------------------------------------


def test_registry_is_explicit_and_complete() -> None:
    assert ANALYZERS["python"] is analyze_python
    assert set(EXTENSIONS.values()) == set(ANALYZERS)  # every language reachable, none orphaned
    assert all(ext.startswith(".") and ext == ext.lower() for ext in EXTENSIONS)


@pytest.mark.parametrize("path, language", [
    pytest.param("svc/a.go", "go", id="go"),
    pytest.param("src/A.java", "java", id="java"),
    pytest.param("src/a.mjs", "javascript", id="mjs"),
    pytest.param("src/a.cjs", "javascript", id="cjs"),
    pytest.param("src/a.jsx", "javascript", id="jsx"),
    pytest.param("src/a.tsx", "typescript", id="tsx"),
    pytest.param("src/a.d.ts", "typescript", id="d.ts-is-typescript-with-no-items"),
    pytest.param("src/a.swift", None, id="no-analyzer"),
    pytest.param("Makefile", None, id="no-suffix"),
])
def test_language_of(path: str, language: Optional[str]) -> None:
    assert language_of(path) == language


def test_analyze_dispatches_and_answers_none_for_unknown_languages() -> None:
    assert analyze(b"func main() {}\n", "a.swift") is None
    docs = analyze(b"package a\n\nfunc F() {}\n", "a.go")
    assert docs is not None and docs.language == "go" and missing(docs) == [("F", 3)]


# --- Go (go.dev/doc/comment, revive `exported`) -------------------------------------------------

GO_CASES = [
    pytest.param("// F does.\nfunc F() {}", "F", (True, None), id="go.dev/doc/comment-func-documented"),
    pytest.param("func F() {}", "F", (False, None), id="go.dev/doc/comment-func-undocumented"),
    pytest.param("// F does.\n\nfunc F() {}", "F", (False, None), id="go.dev/doc/comment-blank-line-detaches"),
    pytest.param("/* F does. */\nfunc F() {}", "F", (True, None), id="go.dev/doc/comment-block-comment"),
    pytest.param("//go:noinline\nfunc F() {}", "F", (False, None), id="go.dev/doc/comment-directive-is-not-doc"),
    pytest.param("// F does.\n//go:noinline\nfunc F() {}", "F", (True, None), id="go.dev/doc/comment-doc-and-directive"),
    pytest.param("var x = 1 // trailing\nfunc F() {}", "F", (False, None), id="go/parser-line-comment-is-not-doc"),
    pytest.param("func f() {}", "f", (False, "private"), id="go-spec-unexported-func"),
    pytest.param("type T int\n\n// M does.\nfunc (t *T) M() {}", "T.M", (True, None), id="revive-method-documented"),
    pytest.param("type T int\n\nfunc (t T) M() {}", "T.M", (False, None), id="revive-method-undocumented"),
    pytest.param("type t int\n\nfunc (x *t) M() {}", "t.M", (False, "private"), id="revive-method-of-unexported-type"),
    pytest.param("type T[K any] struct{}\n\nfunc (t *T[K]) M() {}", "T.M", (False, None), id="generic-receiver"),
    pytest.param("type T int\n\nfunc (T) String() string { return \"\" }", "T.String", (False, "common-method"),
                 id="revive-commonMethods-String"),
    pytest.param("// T is.\ntype T struct{}", "T", (True, None), id="go.dev/doc/comment-type-documented"),
    pytest.param("type T struct{}", "T", (False, None), id="go.dev/doc/comment-type-undocumented"),
    pytest.param("// Kinds.\nconst (\n\tA = 1\n\tB = 2\n)", "B", (True, None), id="revive-group-comment-covers-consts"),
    pytest.param("const (\n\t// A is.\n\tA = 1\n\tB = 2\n)", "B", (False, None), id="revive-const-undocumented"),
    pytest.param("const (\n\t// A is.\n\tA = 1\n\tB = 2\n)", "A", (True, None), id="revive-const-own-comment"),
    pytest.param("// V is.\nvar V, w = 1, 2", "w", (True, "private"), id="go-spec-unexported-var"),
    pytest.param("type (\n\t// A is.\n\tA int\n\tB = string\n)", "B", (False, None), id="grouped-type-alias"),
]


@pytest.mark.parametrize("body, name, expected", GO_CASES)
def test_go_doc_comments(body: str, name: str, expected: Tuple[bool, Optional[str]]) -> None:
    docs = analyze_go(f"package p\n\n{body}\n".encode(), "p/a.go")
    assert docs.problems == ()
    assert state(docs)[name] == expected


def test_go_sort_interface_methods_are_exempt_only_as_a_set() -> None:
    source = "package p\n\ntype S []int\n\nfunc (s S) Len() int { return 0 }\nfunc (s S) Less(i, j int) bool { return false }\nfunc (s S) Swap(i, j int) {}\n\ntype L int\n\nfunc (L) Len() int { return 0 }\n"
    exempt = {i.name: i.exempt for i in analyze_go(source.encode(), "p/a.go").items}
    assert exempt == {"S": None, "S.Len": "sort-interface", "S.Less": "sort-interface",
                      "S.Swap": "sort-interface", "L": None, "L.Len": None}


@pytest.mark.parametrize("path, source, package", [
    pytest.param("p/a.go", "// Package p does.\npackage p\n", ("p", True), id="go.dev/doc/comment-package-comment"),
    pytest.param("p/a.go", "package p\n", None, id="go.dev/doc/comment-one-file-suffices-no-item"),
    pytest.param("p/doc.go", "package p\n", ("p", False), id="doc.go-is-where-it-belongs"),
    pytest.param("p/a.go", "// Package p does.\n\npackage p\n", None, id="go.dev/doc/comment-detached-is-not-package-doc"),
])
def test_go_package_item(path: str, source: str, package: Optional[Tuple[str, bool]]) -> None:
    items = [(i.name, i.documented) for i in analyze_go(source.encode(), path).items if i.kind == "package"]
    assert items == ([package] if package else [])


@pytest.mark.parametrize("path, source", [
    pytest.param("p/a_test.go", "package p\n\nfunc Helper() {}\n", id="go-test-files-skipped"),
    pytest.param("p/a.go", "// Code generated by stringer; DO NOT EDIT.\n\npackage p\n\nfunc F() {}\n",
                 id="go.dev/s/generatedcode"),
])
def test_go_files_without_items(path: str, source: str) -> None:
    assert analyze_go(source.encode(), path) == FileDocs(path, "go")


def test_go_generated_marker_must_be_the_exact_form() -> None:
    source = b"// Code generated by hand, please edit.\npackage p\n\nfunc F() {}\n"
    assert missing(analyze_go(source, "p/a.go")) == [("F", 4)]


# --- JavaScript / TypeScript (TSDoc, TypeDoc requiredToBeDocumented) ----------------------------

TS_CASES = [
    pytest.param("/** Adds. */\nexport function add() {}", "add", (True, None), id="TSDoc-function-documented"),
    pytest.param("export function add() {}", "add", (False, None), id="TSDoc-function-undocumented"),
    pytest.param("/* not doc */\nexport function add() {}", "add", (False, None), id="TSDoc-needs-slash-star-star"),
    pytest.param("/** */\nexport function add() {}", "add", (False, None), id="TSDoc-empty-comment"),
    pytest.param("/** Adds. */\n// eslint-disable-next-line\nexport function add() {}", "add", (True, None),
                 id="TSDoc-line-comment-between"),
    pytest.param("function add() {}", "add", (False, "private"), id="not-exported-is-private"),
    pytest.param("function add() {}\nexport { add };", "add", (False, None), id="export-clause-makes-public"),
    pytest.param("function add() {}\nexport default add;", "add", (False, None), id="export-default-identifier"),
    pytest.param("/** Adds. */\nexport const add = () => 1;", "add", (True, None), id="TSDoc-arrow-const"),
    pytest.param("export default function () {}", "default", (False, None), id="export-default-anonymous"),
    pytest.param("export interface I { a: string }", "I", (False, None), id="TypeDoc-interface-counts"),
    pytest.param("/** T. */\nexport type T = string;", "T", (True, None), id="TypeDoc-type-alias-counts"),
    pytest.param("export enum E { A }", "E", (False, None), id="TypeDoc-enum-counts"),
    pytest.param("/** C. */\n@Injectable()\nexport class C {}", "C", (True, None), id="TSDoc-decorator-between"),
    pytest.param("export class C {\n  /** M. */\n  @Get()\n  m() {}\n}", "C.m", (True, None),
                 id="TSDoc-method-decorator-between"),
    pytest.param("export class C {\n  m() {}\n}", "C.m", (False, None), id="TypeDoc-method-undocumented"),
    pytest.param("export class C {\n  private m() {}\n}", "C.m", (False, "private"), id="ts-private-method"),
    pytest.param("export class C {\n  #m() {}\n}", "C.#m", (False, "private"), id="ecmascript-private-name"),
    pytest.param("export class C {\n  protected m() {}\n}", "C.m", (False, "protected"), id="ts-protected-method"),
    pytest.param("export class C extends B {\n  override m() {}\n}", "C.m", (False, "override"),
                 id="TSDoc-inheritDoc-override"),
    pytest.param("export class C {\n  constructor() {}\n}", "C.constructor", (False, "constructor"),
                 id="TypeDoc-constructor-not-required"),
    pytest.param("export class C {\n  get x() { return 1; }\n  set x(v) {}\n}", "C.x", (False, "property-setter"),
                 id="setter-documented-by-getter"),
    pytest.param("export class C {\n  handle = () => 1;\n}", "C.handle", (False, None), id="arrow-property-is-method"),
    pytest.param("class C {\n  m() {}\n}", "C.m", (False, "private"), id="members-of-private-class"),
    pytest.param("/** One. */\nexport function f(a: string): void;\nexport function f(a: any) {}", "f",
                 (True, None), id="TSDoc-overload-signature-documents-implementation"),
    pytest.param("export declare function f(): void;", "f", (False, None), id="lone-signature-is-the-declaration"),
    pytest.param("/** N. */\nexport namespace N {\n  export function f() {}\n}", "N.f", (False, None),
                 id="namespace-member"),
]


@pytest.mark.parametrize("source, name, expected", TS_CASES)
def test_typescript_doc_comments(source: str, name: str, expected: Tuple[bool, Optional[str]]) -> None:
    docs = run(analyze_typescript, source + "\n", "src/a.ts")
    assert docs.problems == ()
    assert state(docs)[name] == expected


@pytest.mark.parametrize("source, expected", [
    pytest.param("/** A. */\nfunction a() {}\nfunction b() {}\nmodule.exports = { a, b };",
                 {"a": (True, None), "b": (False, None)}, id="commonjs-module-exports-object"),
    pytest.param("/** F. */\nexports.f = function () {};\nmodule.exports.g = () => 1;\nfunction h() {}",
                 {"f": (True, None), "g": (False, None), "h": (False, "private")}, id="commonjs-exports-property"),
    pytest.param("/** C. */\nexport class C {\n  #x = 1;\n  /** M. */\n  static async *m() {}\n}",
                 {"C": (True, None), "C.m": (True, None)}, id="javascript-class"),
])
def test_javascript(source: str, expected: Dict[str, Tuple[bool, Optional[str]]]) -> None:
    assert state(run(analyze_javascript, source + "\n", "src/a.js")) == expected


def test_tsx_and_jsx_parse() -> None:
    tsx = "/** Button. */\nexport function Button(p: { label: string }) { return <b>{p.label}</b>; }\n"
    assert state(run(analyze_typescript, tsx, "ui/Button.tsx")) == {"Button": (True, None)}
    jsx = "export const App = () => <div />;\n"
    assert state(run(analyze_javascript, jsx, "ui/App.jsx")) == {"App": (False, None)}


@pytest.mark.parametrize("path", ["types/a.d.ts", "types/a.d.mts", "types/a.d.cts"])
def test_declaration_files_have_no_items(path: str) -> None:
    assert analyze_typescript(b"export declare function f(): void;\n", path) == FileDocs(path, "typescript")


# --- Java (javadoc -protected default; Oracle "How to Write Doc Comments for the Javadoc Tool") --

JAVA_CASES = [
    pytest.param("/** C. */\npublic class C {}", "C", (True, None), id="javadoc-class-documented"),
    pytest.param("public class C {}", "C", (False, None), id="javadoc-class-undocumented"),
    pytest.param("class C {}", "C", (False, "private"), id="javadoc-package-private-not-shown"),
    pytest.param("/** C. */\n@Deprecated\npublic class C {}", "C", (True, None), id="oracle-doc-before-annotations"),
    pytest.param("@Deprecated\n/** C. */\npublic class C {}", "C", (False, None), id="doclint-dangling-after-annotation"),
    pytest.param("public class C {\n  /** M. */\n  public void m() {}\n}", "C.m", (True, None), id="javadoc-method"),
    pytest.param("public class C {\n  public void m() {}\n}", "C.m", (False, None), id="javadoc-method-undocumented"),
    pytest.param("public class C {\n  protected C() {}\n}", "C.C", (False, None), id="javadoc-default-is-protected"),
    pytest.param("public class C {\n  void m() {}\n}", "C.m", (False, "private"), id="javadoc-package-private-member"),
    pytest.param("public class C {\n  @Override\n  public String toString() { return \"\"; }\n}", "C.toString",
                 (False, "override"), id="javadoc-method-comment-inheritance"),
    pytest.param("public class C {\n  public int a, b;\n}", "C.b", (False, None), id="javadoc-each-declarator"),
    pytest.param("class C {\n  public void m() {}\n}", "C.m", (False, "private"), id="members-of-package-private-type"),
    pytest.param("/** I. */\npublic interface I {\n  void m();\n}", "I.m", (False, None), id="jls-interface-members-public"),
    pytest.param("/** I. */\npublic interface I {\n  private void m() {}\n}", "I.m", (False, "private"),
                 id="jls-private-interface-method"),
    pytest.param("/** E. */\npublic enum E {\n  /** A. */ A, B;\n  E() {}\n}", "E.B", (False, None),
                 id="javadoc-enum-constant"),
    pytest.param("/** E. */\npublic enum E {\n  A;\n  E() {}\n}", "E.E", (False, "private"),
                 id="jls-8.9.2-enum-constructor-private"),
    pytest.param("/** R. */\npublic record R(int a) {\n  public R {}\n}", "R.R", (False, None),
                 id="doclint-compact-constructor"),
    pytest.param("/** C. */\npublic class C {\n  private static class P {\n    public void m() {}\n  }\n}",
                 "C.P.m", (False, "private"), id="members-of-private-nested-type"),
]


@pytest.mark.parametrize("source, name, expected", JAVA_CASES)
def test_java_doc_comments(source: str, name: str, expected: Tuple[bool, Optional[str]]) -> None:
    docs = run(analyze_java, "package p;\n\n" + source + "\n", "src/p/C.java")
    assert docs.problems == ()
    assert state(docs)[name] == expected


@pytest.mark.parametrize("path, source, expected", [
    pytest.param("p/package-info.java", "/** Tools. */\npackage com.example.p;\n",
                 [("com.example.p", "package", True)], id="javadoc-package-info"),
    pytest.param("p/package-info.java", "package com.example.p;\n", [("com.example.p", "package", False)],
                 id="javadoc-package-info-undocumented"),
    pytest.param("p/A.java", "/** Not package doc. */\npackage p;\n", [], id="package-doc-only-in-package-info"),
    pytest.param("module-info.java", "module m {}\n", [], id="module-info-no-items"),
])
def test_java_package_items(path: str, source: str, expected: List[Tuple[str, str, bool]]) -> None:
    assert [(i.name, i.kind, i.documented) for i in analyze_java(source.encode(), path).items] == expected


# --- the example project ------------------------------------------------------------------------

PLATFORM_MISSING = {
    # examples/platform/PROBLEMS.md #4 and its "expected consequences"
    "services/billing/internal/invoice/tax.go": [("ApplyTax", 13)],
    "services/billing/internal/invoice/invoice.go": [("Invoice.GrossCents", 52)],
    "services/billing/internal/invoice/doc.go": [],
    "services/billing/internal/invoice/invoice_test.go": [],
    "services/billing/cmd/billing/main.go": [],
    "libs/audit/src/main/java/com/example/audit/AuditLog.java": [("AuditLog.find", 62)],
    # javac -Xdoclint:all (JDK 17) reports this explicit compact constructor: "no comment".
    "libs/audit/src/main/java/com/example/audit/AuditEvent.java": [("AuditEvent.AuditEvent", 17)],
    "services/notify/src/queue.ts": [("Queue", 4), ("InMemoryQueue", 9), ("InMemoryQueue.push", 15),
                                     ("InMemoryQueue.size", 22)],
    "services/notify/src/mailer.ts": [("Message", 4), ("Mailer", 10), ("SmtpMailer.send", 33)],
    "services/notify/src/server.ts": [("NotifyRequest", 4)],
    "services/notify/src/index.ts": [],  # an entry point: nothing exported
}


@pytest.mark.parametrize("path", sorted(PLATFORM_MISSING))
def test_platform_example_missing_items(path: str) -> None:
    docs = analyze((PLATFORM / path).read_bytes(), path)
    assert docs is not None and docs.problems == ()
    assert missing(docs) == PLATFORM_MISSING[path]


def test_platform_example_counts() -> None:
    counted = {path: len(analyze((PLATFORM / path).read_bytes(), path).counted) for path in PLATFORM_MISSING}
    assert counted["services/billing/internal/invoice/invoice.go"] == 10
    assert counted["services/billing/internal/invoice/doc.go"] == 1  # the package item lives in doc.go
    assert counted["libs/audit/src/main/java/com/example/audit/AuditLog.java"] == 7
    assert counted["services/notify/src/mailer.ts"] == 5


# --- bad input ------------------------------------------------------------------------------------

LANGUAGES = [
    pytest.param(analyze_go, "p/a.go", b"package p\n\nfunc F( {\n}\n", id="go"),
    pytest.param(analyze_typescript, "src/a.ts", b"export function f( {\n", id="typescript"),
    pytest.param(analyze_javascript, "src/a.js", b"export class {\n  m( {}\n", id="javascript"),
    pytest.param(analyze_java, "src/A.java", b"public class A {\n  void m( {}\n", id="java"),
]


@pytest.mark.parametrize("analyzer, path, broken", LANGUAGES)
def test_syntax_error_counts_nothing_and_names_a_line(analyzer: Analyzer, path: str, broken: bytes) -> None:
    docs = analyzer(broken, path)
    assert docs.items == ()
    [(line, code, message)] = docs.problems
    assert code == "syntax-error" and 1 <= line <= broken.count(b"\n") + 1 and message


@pytest.mark.parametrize("analyzer, path, broken", LANGUAGES)
def test_unreadable_bytes_are_problems(analyzer: Analyzer, path: str, broken: bytes) -> None:
    assert analyzer(b"x\n\xff\xfe\n", path).problems == ((2, "encoding", "not valid UTF-8: invalid start byte at byte 2"),)
    assert analyzer(b"a\nb\0c", path).problems[0][:2] == (2, "binary")
    big = analyzer(b"// x\n" * 100, path, DocOptions(max_file_size=99))
    assert big.items == () and big.problems[0][:2] == (0, "too-large")


@pytest.mark.parametrize("analyzer, path, source", [
    pytest.param(analyze_go, "p/a.go", b"package p\n\nvar X = " + b"(" * 50_000 + b"1" + b")" * 50_000 + b"\n", id="go"),
    pytest.param(analyze_typescript, "src/a.ts", b"export const x = " + b"[" * 50_000 + b"]" * 50_000 + b";\n",
                 id="typescript"),
    pytest.param(analyze_java, "src/A.java", b"public class A {" + b" public class B {" * 3_000 + b"}" * 3_001 + b"\n",
                 id="java-nested-types"),
])
def test_deep_nesting_is_walked_without_recursion(analyzer: Analyzer, path: str, source: str) -> None:
    docs = analyzer(source, path, DocOptions(max_file_size=10_000_000))
    assert docs.problems == () and len(docs.items) >= 1


def test_utf8_bom_is_accepted() -> None:
    assert missing(analyze_go(b"\xef\xbb\xbfpackage p\n\nfunc F() {}\n", "p/a.go")) == [("F", 3)]


@pytest.mark.parametrize("analyzer, path, broken", LANGUAGES)
def test_unknown_counting_mode_is_an_error(analyzer: Analyzer, path: str, broken: bytes) -> None:
    with pytest.raises(ValueError, match="unknown counting mode"):
        analyzer(b"", path, DocOptions(counting="nope"))


def test_name_options_apply_to_every_language() -> None:
    source = "package p\n\nfunc GetX() {}\nfunc Other() {}\n"
    assert state(run(analyze_go, source, "p/a.go", ignore_regex=("Get",))) == {
        "GetX": (False, "ignore-regex"), "Other": (False, None)}
    assert state(run(analyze_go, source, "p/a.go", include_regex=("Get",))) == {
        "GetX": (False, None), "Other": (False, "not-included")}


def test_missing_grammar_is_a_problem_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without ``repo-roles[languages]`` the language is reported as not analysed."""
    monkeypatch.setitem(treesitter.GRAMMARS, "go", ("tree_sitter_go_not_installed", "language"))
    monkeypatch.setattr(treesitter, "_languages", {})
    monkeypatch.setattr(treesitter, "_failures", {})
    monkeypatch.setattr(treesitter, "_local", threading.local())
    docs = analyze_go(b"package p\n\nfunc F() {}\n", "p/a.go")
    [(line, code, message)] = docs.problems
    assert (line, code) == (0, "not-analysed") and "install repo-roles[languages]" in message
    assert not treesitter.grammar_available("go")


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=300), which=st.sampled_from(["p/a.go", "s/a.ts", "s/a.tsx", "s/a.js", "s/A.java"]))
def test_arbitrary_bytes_never_raise(data: bytes, which: str) -> None:
    docs = analyze(data, which)
    assert docs is not None and (docs.items == () or docs.problems == ())


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("javadoc") is None, reason="needs a JDK's javadoc")
def test_java_parity_with_javadoc_doclint(tmp_path: Path) -> None:
    """Our missing Java items are the lines ``javadoc -Xdoclint:all`` reports as "no comment"."""
    sources = sorted((PLATFORM / "libs/audit/src/main/java").rglob("*.java"))
    result = subprocess.run(["javadoc", "-Xdoclint:all", "-quiet", "-d", str(tmp_path / "out"), *map(str, sources)],
                            capture_output=True, text=True)
    reported = sorted((Path(line.split(":")[0]).name, int(line.split(":")[1]))
                      for line in result.stderr.splitlines() if line.endswith("warning: no comment"))
    ours = sorted((path.name, item.line) for path in sources
                  for item in analyze_java(path.read_bytes(), path.name).missing)
    assert reported and ours == reported


@pytest.mark.parametrize("source, expected", [
    pytest.param("package p\n\n// F returns a new pointer.\nfunc F() *int64 { return new(int64(0)) }\n\nfunc G() {}\n",
                 [("F", True), ("G", False)], id="go1.26-new-expr-in-a-body-https://go.dev/doc/go1.26#language"),
    pytest.param("package p\n\n// X is.\nvar X = new(int64(0))\n\n// F does.\nfunc F() {}\n\nvar (\n\tY = new(int64(1))\n\tZ = 2\n)\n",
                 [("X", True), ("F", True), ("Y", False), ("Z", False)],
                 id="go1.26-new-expr-at-package-level-keeps-the-following-declarations"),
    pytest.param("package p\n\nvar X = new(int64(0)\n", None, id="a-real-error-beside-new-stays-unreadable"),
    pytest.param("package p\n\nfunc F() {\n\tif x {\n\n// G.\nfunc G() {}\n", None, id="unclosed-body-is-a-real-error"),
])
def test_go_errors_confined_to_function_bodies(source: str, expected: Optional[List[Tuple[str, bool]]]) -> None:
    """Syntax newer than the grammar inside a body leaves declarations and doc comments intact."""
    docs = analyze_go(source.encode(), "p/a.go")
    if expected is None:
        assert docs.items == () and docs.problems[0][1] == "syntax-error"
    else:
        assert docs.problems == () and [(i.name, i.documented) for i in docs.counted] == expected
