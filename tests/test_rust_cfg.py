"""Rust conditional compilation in documentation coverage: what rustc's ``missing_docs`` lint
sees for the default build (x86_64-unknown-linux-gnu, the crate's default features).

Sources: the Reference, "Conditional compilation"
(https://doc.rust-lang.org/reference/conditional-compilation.html: predicates, ``all()`` true,
``any()`` false, ``cfg`` on items and ``#![cfg]`` on a module); ``rustc --print cfg`` for the
target's set options; cfg-if's docs (https://docs.rs/cfg-if: "the first matching branch is the
item that gets emitted"); the Cargo Book, "Features" (``default``, features enabling features,
``dep:``); the Reference, "Modules" (a file is part of the crate only through a ``mod``
declaration). The fixture crates are our own; on real crates the figures are
``benchmarks/agreement.py rustc … --strip-docs`` (libm, regex-syntax, either, color_quant).
"""

from __future__ import annotations

import pytest

from repo_roles.coverage import rust_crate
from repo_roles.coverage.languages import analyze
from repo_roles.coverage.rust_cfg import MAX_DEPTH, default_features, evaluate
from repo_roles.coverage.treesitter import grammar_available
from repo_roles.scan import scan

needs_rust = pytest.mark.skipif(not grammar_available("rust"), reason="rust grammar not installed")


@pytest.mark.parametrize(("predicate", "features", "expected"), [
    pytest.param("", (), True, id="no-condition"),
    pytest.param("unix", (), True, id="rustc-print-cfg-unix-set"),
    pytest.param("windows", (), False, id="rustc-print-cfg-windows-unset"),
    pytest.param('target_os="linux"', (), True, id="rustc-print-cfg-target-os"),
    pytest.param('target_arch="aarch64"', (), False, id="rustc-print-cfg-other-arch"),
    pytest.param('target_feature="sse2"', (), True, id="rustc-print-cfg-x86_64-baseline-sse2"),
    pytest.param('target_feature="avx2"', (), False, id="rustc-print-cfg-no-avx2"),
    pytest.param("debug_assertions", (), True, id="rustc-print-cfg-debug-assertions-unoptimised"),
    pytest.param("test", (), False, id="reference-test-unset-outside-test-builds"),
    pytest.param("doc", (), False, id="reference-doc-unset"),
    pytest.param("all()", (), True, id="reference-empty-all-is-true"),
    pytest.param("any()", (), False, id="reference-empty-any-is-false"),
    pytest.param("not(test)", (), True, id="reference-not"),
    pytest.param('feature="std"', ("std",), True, id="cargo-enabled-feature"),
    pytest.param('feature="serde"', ("std",), False, id="cargo-unknown-feature-unset"),
    pytest.param('all(feature="std",not(any(windows,target_os="macos")),)', ("std",), True, id="nested-trailing-comma"),
    pytest.param("arch_enabled", (), False, id="build-script-cfg-unset-no-build-script-run"),
    pytest.param("true", (), True, id="reference-true-literal"),
    pytest.param("false", (), False, id="reference-false-literal"),
])
def test_predicates_follow_the_reference(predicate: str, features: tuple, expected: bool) -> None:
    assert evaluate(predicate, frozenset(features)) is expected


@pytest.mark.parametrize("predicate", [
    "not(unix,windows)",  # not() takes exactly one predicate
    "all(unix",  # unbalanced
    "unix?",  # not a predicate
    "not(" * (MAX_DEPTH + 2) + "windows" + ")" * (MAX_DEPTH + 2),  # bounded nesting, no recursion error
])
def test_an_unreadable_predicate_keeps_the_item_counted(predicate: str) -> None:
    assert evaluate(predicate) is True


def test_default_features_follow_the_cargo_book() -> None:
    """``default`` and what it enables, transitively; ``dep:x`` and ``x/y`` enable no feature of
    this crate; an optional dependency named plainly is its implicit feature."""
    manifest = {"features": {"default": ["std", "dep:log"], "std": ["alloc", "memchr/std", "serde?/std"],
                             "alloc": [], "extra": ["std"]}}
    assert default_features(manifest) == {"default", "std", "alloc"}
    assert default_features({"features": {"default": ["serde"]}}) == {"default", "serde"}
    assert default_features({}) == frozenset()


CRATE = {
    "Cargo.toml": '[package]\nname = "fixture"\nversion = "0.1.0"\n[features]\ndefault = ["std"]\nstd = []\nserde = []\n',
    "src/lib.rs": (
        "//! The crate.\n"
        "cfg_if::cfg_if! {\n"
        "    if #[cfg(windows)] {\n"
        "        mod win;\n"
        "        pub use win::open;\n"
        "    } else if #[cfg(unix)] {\n"
        "        /// Opens it.\n"
        "        pub fn open() {}\n"
        "        pub fn only_unix() {}\n"
        "    } else {\n"
        "        pub fn open() {}\n"
        "    }\n"
        "}\n"
        '#[cfg(feature = "std")]\n'
        "pub fn with_std() {}\n"
        '#[cfg(feature = "serde")]\n'
        "pub mod serde_impl;\n"
        "#[cfg(test)]\n"
        "pub fn in_tests() {}\n"
        "pub struct S {\n"
        "    pub kept: u8,\n"
        "    #[cfg(windows)]\n"
        "    pub windows_only: u8,\n"
        "}\n"
        "pub mod undocumented;\n"
        "pub mod documented;\n"
        "#[cfg_attr(feature = \"serde\", macro_export)]\n"
        "macro_rules! maybe { () => {} }\n"
        "pub mod platform;\n"
    ),
    "src/win.rs": "pub fn open() {}\n",
    "src/serde_impl.rs": "pub fn to_json() {}\n",
    "src/undocumented.rs": "pub fn u() {}\n",
    "src/documented.rs": "//! Documented inside.\npub fn d() {}\n",
    "src/platform.rs": "#![cfg(windows)]\n//! Windows only.\npub fn w() {}\n",
    "src/dead.rs": "pub fn never_declared() {}\n",
    "src/bin/tool.rs": "pub fn in_a_binary() {}\n",
}


def _exempt(features: frozenset = frozenset({"default", "std"})) -> dict:
    docs = {path: analyze(text.encode(), path) for path, text in CRATE.items() if path.endswith(".rs")}
    docs.update(rust_crate.apply(docs, (), {"src/lib.rs": features}))
    return {path: [(item.name, item.line, item.exempt) for item in d.items] for path, d in docs.items()}


@needs_rust
def test_cfg_if_expands_the_first_branch_that_holds() -> None:
    """cfg-if: ``if #[cfg(windows)]`` is false on the default target, ``else if #[cfg(unix)]``
    is taken, the final ``else`` is not; items keep their own lines and doc comments."""
    got = _exempt()["src/lib.rs"]
    assert ("open", 8, None) in got and ("only_unix", 9, None) in got
    assert ("open", 11, "cfg") in got  # the else branch
    assert _exempt()["src/win.rs"] == [("open", 1, "cfg")]  # only declared in the windows branch
    documented = {(i.name, i.line): i.documented for i in analyze(CRATE["src/lib.rs"].encode(), "src/lib.rs").items}
    assert documented[("open", 8)] is True and documented[("only_unix", 9)] is False


@needs_rust
def test_a_windows_target_would_take_the_first_branch() -> None:
    """The recorded conditions are the branch predicates, each excluding the earlier ones."""
    docs = analyze(CRATE["src/lib.rs"].encode(), "src/lib.rs")
    conds = {(item.name, item.line): cond for item, cond in zip(docs.items, docs.cfgs)}
    assert conds[("open", 8)] == "all(unix,not(windows))"
    assert conds[("open", 11)] == "all(not(windows),not(unix))"
    assert ("win", False, "", "windows") in docs.modules  # private mod, under the branch's condition
    assert ("win::open", "windows") in docs.uses


@needs_rust
def test_cfg_on_items_follows_default_features() -> None:
    """``#[cfg(feature = "std")]`` is compiled with the default features, ``serde`` is not (nor
    the module file it gates); ``#[cfg(test)]`` never is; a field's own ``#[cfg]`` counts too."""
    got = {name: exempt for name, _, exempt in _exempt()["src/lib.rs"]}
    assert got["with_std"] is None
    assert got["serde_impl"] is not None and _exempt()["src/serde_impl.rs"] == [("to_json", 1, "cfg")]
    assert got["in_tests"] == "cfg"
    assert got["S.kept"] is None and got["S.windows_only"] == "cfg"
    assert got["maybe"] == "cfg"  # exported only with serde


@needs_rust
def test_enabling_a_feature_compiles_its_items() -> None:
    """The no-op pair of the above: with ``serde`` enabled the gated module and macro count."""
    got = _exempt(frozenset({"default", "std", "serde"}))
    assert {name: exempt for name, _, exempt in got["src/lib.rs"]}["maybe"] is None
    assert got["src/serde_impl.rs"] == [("to_json", 1, None)]
    without = _exempt(frozenset())
    assert {name: exempt for name, _, exempt in without["src/lib.rs"]}["with_std"] == "cfg"


@needs_rust
def test_inner_cfg_makes_the_whole_file_conditional() -> None:
    """``#![cfg(windows)]`` at the top of a file: none of its items are compiled on Linux."""
    docs = analyze(CRATE["src/platform.rs"].encode(), "src/platform.rs")
    assert set(docs.cfgs) == {"windows"}
    assert [exempt for _, _, exempt in _exempt()["src/platform.rs"]] == ["cfg", "cfg"]


@needs_rust
def test_a_file_no_mod_declaration_names_is_not_compiled() -> None:
    """The Reference, "Modules": a file joins the crate only by a ``mod`` declaration; Cargo
    builds ``src/bin/*.rs`` as binaries of their own, so those are left alone."""
    got = _exempt()
    assert got["src/dead.rs"] == [("never_declared", 1, "not-compiled")]
    assert got["src/bin/tool.rs"] == [("in_a_binary", 1, None)]


@needs_rust
def test_an_undocumented_pub_mod_declaration_is_an_item_once_its_file_is_known() -> None:
    """rustc reports ``pub mod undocumented;`` itself when neither ``///`` on it nor ``//!`` in
    its file documents it; with ``//!`` inside, the file's module item counts (once)."""
    got = {name: (line, exempt) for name, line, exempt in _exempt()["src/lib.rs"]}
    assert got["undocumented"] == (25, None)
    assert got["documented"] == (26, "module-file")
    assert ("documented", 1, None) in _exempt()["src/documented.rs"]


@needs_rust
def test_the_stage_reads_default_features_from_cargo_toml(make_repo) -> None:
    """Cold and warm (cached ``cfg`` predicates), through the coverage stage."""
    root = make_repo(CRATE)
    for _ in range(2):
        coverage = scan(root).coverage
        assert coverage.counts("src/serde_impl.rs") == (0, 0)
        missing = {name for name, *_ in coverage.undocumented("src/lib.rs")[1]}
        assert {"only_unix", "with_std", "undocumented"} <= missing
        assert not {"in_tests", "maybe", "S.windows_only"} & missing


@needs_rust
def test_cfg_predicates_survive_the_cache_round_trip() -> None:
    from repo_roles.coverage.cache import decode_docs, encode

    docs = analyze(CRATE["src/lib.rs"].encode(), "src/lib.rs")
    assert decode_docs("src/lib.rs", encode(docs, ()).docs) == (True, docs)
