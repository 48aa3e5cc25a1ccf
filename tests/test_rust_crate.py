"""The Rust crate-level pass: an item is public surface only when every module on its path from
the crate root is public, as rustc's ``missing_docs`` lint decides
(https://doc.rust-lang.org/rustc/lints/listing/allowed-by-default.html#missing-docs: it asks for
docs on *exported* items; the Reference, "Visibility and privacy", says a ``pub`` item inside a
private module is visible only within that module's parent, and "Modules" says where ``mod x;``,
``mod.rs`` and ``#[path]`` look for a file). The fixture crate below is our own."""

from __future__ import annotations

import pytest

from repo_roles.coverage import rust_crate
from repo_roles.coverage.languages import analyze
from repo_roles.coverage.treesitter import grammar_available
from repo_roles.scan import scan

pytestmark = pytest.mark.skipif(not grammar_available("rust"), reason="rust grammar not installed")

CRATE = {
    "Cargo.toml": '[package]\nname = "fixture"\nversion = "0.1.0"\n',
    "src/lib.rs": (
        "//! The crate.\n"
        "pub mod shapes;\n"          # pub chain: lib -> shapes (mod.rs layout) -> circle
        "mod helpers;\n"             # private module file
        "pub(crate) mod internal;\n"  # restricted: not exported
        "mod reexported;\n"          # private, but one name is re-exported below
        "pub use reexported::Shown;\n"
        "#[path = \"elsewhere/odd.rs\"]\n"
        "pub mod odd;\n"
    ),
    "src/shapes/mod.rs": "//! Shapes.\npub mod circle;\nmod secret;\npub fn area() {}\n",
    "src/shapes/circle.rs": "//! Circles.\npub struct Circle;\n",
    "src/shapes/secret.rs": "pub fn hidden() {}\n",
    "src/helpers.rs": "//! Helpers.\npub fn helper() {}\npub mod deeper;\n#[macro_export]\nmacro_rules! m { () => {} }\n",
    "src/helpers/deeper.rs": "pub fn deep() {}\n",
    "src/internal.rs": "pub struct Internal;\n",
    "src/reexported.rs": "pub struct Shown;\npub struct NotShown;\n",
    "src/elsewhere/odd.rs": "pub fn odd() {}\n",
    "tests/it.rs": "pub fn not_in_the_crate() {}\n",
}


def _crate() -> dict:
    docs = {path: analyze(text.encode(), path) for path, text in CRATE.items() if path.endswith(".rs")}
    docs.update(rust_crate.apply(docs))
    return {path: {item.name: item.exempt for item in d.items} for path, d in docs.items()}


def test_pub_items_in_a_private_module_file_are_not_public_surface() -> None:
    """missing_docs: ``mod helpers;`` is private, so ``pub fn helper`` is not exported."""
    got = _crate()
    assert got["src/helpers.rs"]["helper"] == "private-module"
    assert got["src/helpers.rs"]["helpers"] == "private-module"  # its //! module item too
    assert got["src/internal.rs"]["Internal"] == "private-module"  # pub(crate) mod: not exported
    assert got["src/shapes/secret.rs"]["hidden"] == "private-module"  # private mod in a mod.rs


def test_a_pub_module_under_a_private_one_stays_private() -> None:
    """Every module on the path must be pub: helpers (private) -> pub mod deeper."""
    assert _crate()["src/helpers/deeper.rs"]["deep"] == "private-module"


def test_a_pub_module_chain_and_mod_rs_layout_are_public() -> None:
    """lib -> pub mod shapes (shapes/mod.rs) -> pub mod circle (shapes/circle.rs): exported."""
    got = _crate()
    assert got["src/shapes/mod.rs"]["area"] is None
    assert got["src/shapes/circle.rs"]["Circle"] is None
    assert got["src/elsewhere/odd.rs"]["odd"] is None  # #[path] on a pub mod


def test_macro_export_and_pub_use_reexports_stay_public() -> None:
    """``#[macro_export]`` macros live at the crate root; ``pub use`` of a private module's
    item exports that item (and only it)."""
    got = _crate()
    assert got["src/helpers.rs"]["m"] is None
    assert got["src/reexported.rs"] == {"Shown": None, "NotShown": "private-module"}


def test_files_outside_the_module_tree_are_left_alone() -> None:
    assert _crate()["tests/it.rs"]["not_in_the_crate"] is None


@pytest.mark.parametrize("use_cache", [True, False])
def test_the_coverage_stage_runs_the_pass_cold_and_warm(make_repo, use_cache: bool) -> None:
    """The stage applies the pass to fresh and to cached results alike (the warm run reads the
    ``mod`` declarations from the cache, not the files)."""
    root = make_repo(CRATE)
    for _ in range(2 if use_cache else 1):
        coverage = scan(root, use_cache=use_cache).coverage
        assert coverage.counts("src/helpers/deeper.rs") == (0, 0)
        assert coverage.counts("src/shapes/circle.rs") == (1, 2)
        # helper is exempt; the exported macro is still asked for
        assert coverage.undocumented("src/helpers.rs") == ("rust", (("m", "macro", 5, True, None),))
        assert [i.exempt for i in coverage.files["src/shapes/secret.rs"].docs.items] == ["private-module"]


def test_a_cargo_lib_path_is_a_crate_root(make_repo) -> None:
    """Cargo's ``[lib] path`` names the crate root (doc.rust-lang.org/cargo/reference/cargo-targets.html#the-path-field)."""
    root = make_repo({
        "Cargo.toml": '[package]\nname = "x"\nversion = "0.1.0"\n[lib]\npath = "code/root.rs"\n',
        "code/root.rs": "//! Root.\nmod private;\npub mod open;\n",
        "code/private.rs": "pub fn p() {}\n",
        "code/open.rs": "pub fn o() {}\n",
    })
    coverage = scan(root, use_cache=False).coverage
    assert coverage.counts("code/private.rs") == (0, 0)
    assert coverage.counts("code/open.rs") == (0, 1)
