"""The `check FILE...` fast path gives the answers of the full pipeline, only cheaper.

Each shortcut is checked against the slow, obvious computation it replaces:

* ``IndexListing`` cuts ``git ls-files -s -z`` records at fixed offsets (git-ls-files(1),
  "--stage": ``[<tag> ]<mode> <object> <stage> <file>``; the mode is printed as six octal
  digits, the object name in full) -- against the record-by-record parser;
* ``Inventory`` built from a listing (entries on demand) -- against the eager list;
* ``RuleCandidates`` (only lines that can match are translated) -- against the full index, over
  GitHub and GitLab files (GitHub docs "About code owners": the last matching pattern wins;
  GitLab docs "Code Owners": per section, and an exclusion ``!pattern`` decides its section);
* ``GlobSet.mask`` (a literal substring pre-filter) -- against ``GlobSet.first`` per path
  (git-scm.com/docs/gitignore: "the last matching pattern decides", ``!`` re-includes);
* the scan holds no reference cycle, so it is freed without the cyclic collector (Python docs,
  ``gc``: "reference cycles ... need the cyclic garbage collector"), and ``check`` gives the
  collector's state back as it found it.
"""

from __future__ import annotations

import gc
import json
import subprocess
import weakref
from pathlib import Path
from typing import Callable, Dict, List

import pytest

from conftest import git
from repo_roles.globs import GlobSet
from repo_roles.index_listing import IndexListing, parse_records
from repo_roles.inventory import Inventory, _run_git, load_inventory
from repo_roles.ownership import CompiledCodeowners, parse_codeowners
from repo_roles.ownership.candidates import RuleCandidates
from repo_roles.ownership.patterns import compile_pattern, literal_segments

MakeRepo = Callable[..., Path]

TREE = {
    "README.md": "# x\n",
    "run.sh": "#!/bin/sh\n",
    "src/app.py": "x = 1\n",
    "src/api/handlers/user.py": "x = 1\n",
    "src/api/handlers/README.md": "docs\n",
    "web/src/components/Button.tsx": "export {}\n",
    "docs/guide/intro.md": "intro\n",
    "docs/internal/README.md": "internal\n",
    "services/billing/OWNERS": "alice\n",
    "services/billing/src/main.go": "package main\n",
    "a b/tab\there.txt": "odd\n",
    "unicodé/naïve.txt": "odd\n",
    "line\nbreak.txt": "odd\n",
}


def _listing_repo(make_repo: MakeRepo) -> Path:
    root = make_repo(TREE, commit=False)
    (root / "run.sh").chmod(0o755)
    (root / "link").symlink_to("src/app.py")
    sub = make_repo({"lib.py": "y = 2\n"}, name="sub")
    git(root, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "vendor/sub")
    git(root, "add", "-A")
    return root


# -- the index listing -------------------------------------------------------------------------


def test_listing_entries_equal_the_record_parser(make_repo: MakeRepo) -> None:
    """git-ls-files(1) --stage layout: every field at a fixed offset in a stage-0 index."""
    root = _listing_repo(make_repo)
    text = _run_git(root, "ls-files", "-s", "-z")
    listing = IndexListing.parse(text)
    assert isinstance(listing, IndexListing)
    records = text.split("\0")[:-1]
    assert listing.entries() == parse_records(records)
    assert listing.paths == [e.path for e in parse_records(records)]
    kinds = {e.path: e.kind for e in listing.entries()}
    assert (kinds["run.sh"], kinds["link"], kinds["vendor/sub"]) == ("file", "symlink", "submodule")
    assert listing.special_kinds() == {"link": "symlink", "vendor/sub": "submodule"}


@pytest.mark.parametrize(
    "wanted",
    [
        pytest.param({"src/app.py", "link", "nope.py"}, id="few-paths-searched-one-by-one"),
        pytest.param(set(TREE) | {"link", "vendor/sub", "nope.py"}, id="many-paths-one-membership-pass"),
    ],
)
def test_listing_pick_builds_only_the_wanted_entries_in_order(make_repo: MakeRepo, wanted: set) -> None:
    root = _listing_repo(make_repo)
    listing = IndexListing.parse(_run_git(root, "ls-files", "-s", "-z"))
    assert isinstance(listing, IndexListing)
    assert listing.pick(wanted) == [e for e in listing.entries() if e.path in wanted]


class _IteratedOnly(frozenset):
    """A set of wanted paths that may be iterated but not asked ``in``: a pick that makes a
    membership test per listed path fails."""

    def __contains__(self, item: object) -> bool:
        raise AssertionError("a membership test per listed path")


def _synthetic_listing(paths: List[str]) -> str:
    """``git ls-files -s -z`` text of regular files at ``paths``, in that order."""
    return "".join(f"100644 {i:040x} 0\t{path}\0" for i, path in enumerate(paths))


@pytest.mark.parametrize("eager", [False, True], ids=["listing", "built-entries"])
def test_pick_of_a_few_of_many_paths_bisects_and_keeps_the_answer(eager: bool) -> None:
    """20 wanted paths among 2,000: found by bisection in the sorted path list, no membership test
    per listed path; the same entries, in index order, as a full pass gives."""
    paths = sorted(f"pkg{i // 100}/mod{i}.py" for i in range(2000))
    listing = IndexListing.parse(_synthetic_listing(paths))
    assert isinstance(listing, IndexListing)
    wanted = _IteratedOnly(paths[7::100])  # 20 paths
    expected = [e for e in listing.entries() if e.path in set(wanted)]
    if eager:
        inventory = Inventory(Path("/nonexistent"), None, "", "", listing.entries())
        assert inventory.pick(wanted) == expected
    else:
        assert listing.pick(wanted) == expected


def test_pick_falls_back_when_bisection_cannot_find_a_path() -> None:
    """git sorts bytes: a path with an undecodable byte (surrogate-escaped, "zz/\\x80.py") sorts
    before "zz/\u00e9.py" in git's order (0x80 < 0xc3) but after it in Python's (U+DC80 > U+00E9), so
    the listing is not in Python's order and bisection misses it; an absent path is missed too.
    Both fall back to the full look, which finds what is there."""
    odd = b"zz/\x80.py".decode("utf-8", "surrogateescape")
    paths = [f"a{i:04d}.py" for i in range(2000)] + [odd, "zz/\u00e9.py"]
    assert paths != sorted(paths)  # (not Python's order: the case this test is about)
    assert sorted(p.encode("utf-8", "surrogateescape") for p in paths) == [p.encode("utf-8", "surrogateescape") for p in paths]
    listing = IndexListing.parse(_synthetic_listing(paths))
    assert isinstance(listing, IndexListing)
    for wanted in ({odd, "a0001.py"}, {"absent.py", "a0002.py", "zz/\u00e9.py"}, set(paths[:20]) | {odd}):
        assert listing.pick(wanted) == [e for e in listing.entries() if e.path in wanted]
        inventory = Inventory(Path("/nonexistent"), None, "", "", listing.entries())
        assert inventory.pick(wanted) == [e for e in listing.entries() if e.path in wanted]


@pytest.mark.parametrize("tag", ["", "H "], ids=["plain", "tagged-v"])
def test_regular_file_modes_are_told_by_one_character_and_checked_whole(tag: str) -> None:
    """A listing of regular files only (100644, 100755) builds each entry's mode from one character
    of it; a mode git no longer writes (the legacy 100664) is still read as it is."""
    blob = "a" * 40
    text = "".join(f"{tag}{mode} {blob} 0\t{path}\0" for mode, path in (
        ("100644", "a.py"), ("100755", "run.sh"), ("100644", "z.py")))
    listing = IndexListing.parse(text, tagged=bool(tag))
    assert isinstance(listing, IndexListing)
    assert [(e.path, e.kind, e.mode, e.blob) for e in listing.entries()] == [
        ("a.py", "file", 0o100644, blob), ("run.sh", "file", 0o100755, blob), ("z.py", "file", 0o100644, blob)]
    legacy = IndexListing.parse(text.replace("100755", "100664"), tagged=bool(tag))
    assert isinstance(legacy, IndexListing)
    assert [e.mode for e in legacy.entries()] == [0o100644, 0o100664, 0o100644]


def test_merge_conflict_falls_back_to_the_record_parser(make_repo: MakeRepo) -> None:
    """Stages 1-3 of a conflicted path (git-ls-files(1)): not a fixed-offset listing."""
    root = make_repo({"a.txt": "base\n", "b.txt": "b\n"})
    git(root, "checkout", "-q", "-b", "other")
    (root / "a.txt").write_text("theirs\n")
    git(root, "commit", "-q", "-am", "theirs")
    git(root, "checkout", "-q", "main")
    (root / "a.txt").write_text("ours\n")
    git(root, "commit", "-q", "-am", "ours")
    assert git_fails(root, "merge", "-q", "other")
    parsed = IndexListing.parse(_run_git(root, "ls-files", "-s", "-z"))
    assert isinstance(parsed, list)  # entries, parsed record by record
    assert [e.path for e in parsed] == ["a.txt", "b.txt"]
    assert parsed[0].blob == git(root, "rev-parse", ":2:a.txt").strip()


def git_fails(root: Path, *args: str) -> bool:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True).returncode != 0


# -- the inventory built on demand ---------------------------------------------------------------


def test_lazy_inventory_equals_the_eager_one(make_repo: MakeRepo) -> None:
    root = _listing_repo(make_repo)
    lazy = load_inventory(root)
    assert lazy.paths == sorted(lazy.paths, key=lambda p: p.encode("utf-8", "surrogateescape"))
    eager = Inventory(lazy.project_root, lazy.git_root, lazy.prefix, lazy.scope, parse_records(
        _run_git(root, "ls-files", "-s", "-z").split("\0")[:-1]))
    assert lazy.pick({"link", "src/app.py"}) == eager.pick({"link", "src/app.py"})
    assert lazy.special_kinds() == eager.special_kinds()
    assert lazy == eager  # builds the entries
    assert lazy.paths == eager.paths == [e.path for e in eager.entries]


@pytest.mark.parametrize("lazy", [pytest.param(True, id="from-listing"), pytest.param(False, id="from-entries")])
def test_keep_narrows_entries_and_paths_together(make_repo: MakeRepo, lazy: bool) -> None:
    root = _listing_repo(make_repo)
    inventory = load_inventory(root)
    if not lazy:
        inventory = Inventory(inventory.project_root, inventory.git_root, "", "", list(inventory.entries))
    mask = [p.startswith("src/") for p in inventory.paths]
    narrowed = inventory.keep(mask)
    assert narrowed.paths == ["src/api/handlers/README.md", "src/api/handlers/user.py", "src/app.py"]
    assert [e.path for e in narrowed.entries] == narrowed.paths
    assert len(inventory.paths) == len(TREE) + 3  # untouched: + link, vendor/sub, .gitmodules


# -- ownership of a few paths ----------------------------------------------------------------------

GITHUB = b"""\
*                       @all
*.md                    @docs
/src/                   @backend
/src/api/**/*.py        @api
src/api/handlers/       @handlers
docs/*                  @docs-top
**/internal/**          @internal
/web/src/components/    @web
Button.tsx              @button
/services/billing/      @billing
/services/billing/src/*.go
\\#odd                  @escaped
"""

GITLAB = b"""\
* @all
*.md @docs
!docs/internal/README.md

[Backend][2] @backend-lead
/src/
!/src/api/handlers/README.md
src/api/**/*.py @api

^[Docs]
internal/README.md @internal
/docs/[gi]uide/ @guides

[Web] @web
/web/
"""


@pytest.mark.parametrize(
    "data, dialect",
    [
        pytest.param(GITHUB, "github", id="github-last-match-wins"),
        pytest.param(GITLAB, "gitlab", id="gitlab-sections-and-exclusions"),
    ],
)
def test_candidates_agree_with_the_full_index(make_repo: MakeRepo, data: bytes, dialect: str) -> None:
    """GitHub docs, About code owners; GitLab docs, Code Owners (sections, exclusions)."""
    root = _listing_repo(make_repo)
    paths = load_inventory(root).paths + ["x/internal/deep/file.py", "#odd", "src"]
    parsed = parse_codeowners(data, dialect=dialect)
    full = CompiledCodeowners(parsed)
    full.sections  # noqa: B018 - build the full index first
    few = RuleCandidates(parsed.rules, dialect, full.section_names)
    assert {p: few.winners(p) for p in paths} == {p: full.winners(p) for p in paths}
    # and through the public API, on a fresh matcher (the few-paths route) against match_all
    fresh = CompiledCodeowners(parsed)
    assert {p: fresh.match(p) for p in paths} == CompiledCodeowners(parsed).match_all(paths)


@pytest.mark.parametrize(
    "pattern, dialect, segments, owned",
    [
        pytest.param("/src/api/**/*.py", "github", ("src", "api"), "src/api/v1/x.py", id="anchored-literals"),
        pytest.param("*.md", "github", (), "docs/a.md", id="wildcard-only"),
        pytest.param("docs/[gi]uide/", "gitlab", ("docs",), "docs/guide/a.md", id="gitlab-class-is-not-literal"),
        # GitHub: "character ranges using [ ] are not supported" -- a bracket is a character
        pytest.param("docs/[gi]uide/", "github", ("docs", "[gi]uide"), "docs/[gi]uide/a.md",
                     id="github-bracket-is-literal"),
        pytest.param("a\\*b/c\\ d", "github", ("a*b", "c d"), "a*b/c d", id="escapes-are-read-as-translated"),
        pytest.param("**/logs", "github", ("logs",), "var/logs/x.log", id="floating-name"),
    ],
)
def test_literal_segments(pattern: str, dialect: str, segments: tuple, owned: str) -> None:
    """The screen reads segments as the translation does (GitHub "About code owners", GitLab
    "Code Owners syntax"): every literal is a whole segment of each path the pattern owns."""
    assert literal_segments(pattern, dialect) == segments
    assert compile_pattern(pattern, dialect).matches(owned)
    assert set(literal_segments(pattern, dialect)) <= set(owned.split("/"))


def test_few_questions_translate_only_candidate_lines() -> None:
    lines = b"".join(b"/team%d/ @t%d\n" % (i, i) for i in range(200))
    compiled = CompiledCodeowners(parse_codeowners(lines))
    assert compiled.match("team7/x.py").owners == ("@t7",)
    assert compiled._few is not None and len(compiled._few._compiled) == 1
    assert compiled._sections is None  # the full index was never built


# -- include / exclude masks -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "globs",
    [
        pytest.param(["**/node_modules/"], id="literal-prefilter"),
        pytest.param(["*.md", "docs/**"], id="several-literals"),
        pytest.param(["*"], id="no-literal"),
        pytest.param(["docs/", "!docs/internal/"], id="negation-re-includes"),
        pytest.param(["[a-z]*.txt"], id="class-no-prefilter"),
    ],
)
@pytest.mark.parametrize("matched", [pytest.param(True, id="include"), pytest.param(False, id="exclude")])
def test_mask_equals_first_per_path(globs: List[str], matched: bool) -> None:
    """git-scm.com/docs/gitignore: a pattern matches the path or a parent directory."""
    paths = [*TREE, "node_modules/x.js", "a/node_modules/b/c.js", "a/node_modulesx/y.js", "docs/internal/z.md"]
    spec = GlobSet(globs, last_wins=True)
    assert spec.mask(paths, matched=matched) == [(spec.first(p) is not None) is matched for p in paths]


# -- memory and the collector ----------------------------------------------------------------------


def test_a_scan_is_freed_by_reference_counting(make_repo: MakeRepo) -> None:
    from repo_roles.scan import scan

    root = make_repo({"src/app.py": "def f():\n    pass\n", "tests/test_app.py": "x = 1\n",
                      ".github/CODEOWNERS": "* @a\n"})
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        context = scan(root, files=["src/app.py"])
        context.role_of("src/app.py")
        context.test_index  # noqa: B018 - the lazily built stage that once held a cycle
        refs = [weakref.ref(context), weakref.ref(context.inventory), weakref.ref(context.classifier)]
        del context
        assert [ref() is None for ref in refs] == [True, True, True]
    finally:
        if was_enabled:
            gc.enable()


@pytest.mark.parametrize("enabled", [pytest.param(True, id="enabled-stays"), pytest.param(False, id="disabled-stays")])
def test_check_restores_the_collector(make_repo: MakeRepo, run_cli: Callable, enabled: bool,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo({"src/app.py": "x = 1\n"})
    monkeypatch.chdir(root)
    seen: Dict[str, bool] = {}
    import repo_roles.checks.engine as engine_module  # check imports run_checks when it runs

    original = engine_module.run_checks

    def spy(context: object, selection: object) -> list:
        seen["during"] = gc.isenabled()
        return original(context, selection)  # type: ignore[arg-type]

    monkeypatch.setattr(engine_module, "run_checks", spy)
    (gc.enable if enabled else gc.disable)()
    try:
        result = run_cli("check", "--exit-zero", "src/app.py")
        assert result.exit_code == 0, result.output
        assert (seen["during"], gc.isenabled()) == (False, enabled)
    finally:
        gc.enable()


# -- end to end: a few files of a repository -------------------------------------------------------


@pytest.mark.parametrize(
    "config, expected",
    [
        pytest.param("", ["legacy/old.py", "src/app.py"], id="no-exclude-both-reported"),
        pytest.param('exclude = ["**/legacy/"]\n', ["src/app.py"], id="excluded-file-not-reported"),
    ],
)
def test_check_files_reports_unowned_targets(make_repo: MakeRepo, run_cli: Callable,
                                             monkeypatch: pytest.MonkeyPatch, config: str,
                                             expected: List[str]) -> None:
    """OWN001 on the files pre-commit passes; include/exclude apply to them (the fast mask)."""
    root = make_repo({
        "repo-roles.toml": config,
        ".github/CODEOWNERS": "/docs/ @docs\n",
        "src/app.py": "x = 1\n",
        "legacy/old.py": "y = 2\n",
        "docs/guide.md": "# guide\n",
    })
    monkeypatch.chdir(root)
    result = run_cli("check", "--select", "OWN001", "--output-format", "json", "--exit-zero",
                     "src/app.py", "legacy/old.py", "docs/guide.md")
    assert result.exit_code == 0, result.output
    reported = [Path(f["filename"]).resolve().relative_to(root.resolve()).as_posix() for f in json.loads(result.output)]
    assert sorted(reported) == expected
