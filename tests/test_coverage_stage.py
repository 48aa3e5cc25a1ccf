"""The coverage stage: what is analysed, suppression comments, the process pool, and its outputs
(``ls --format jsonl`` fields, the audit's documentation tables)."""

from __future__ import annotations

import json
import os

import pytest

from repo_roles.coverage import analyze as A
from repo_roles.checks.engine import run_checks
from repo_roles.scan import scan

MODULE = '"""M."""\n\n\ndef f():\n    pass\n'


@pytest.mark.parametrize(
    "source, expected",
    [
        pytest.param(b"x = 1  # repo-roles: ignore[DOC001]\n", [(1, ("DOC001",), False)], id="hash-line"),
        pytest.param(b"a\n// repo-roles: ignore[DOC001, TST001]\n", [(2, ("DOC001", "TST001"), False)],
                     id="slashes-two-codes"),
        pytest.param(b"/* repo-roles: ignore-file[DOC002] */\n", [(1, ("DOC002",), True)], id="c-block-file-level"),
        pytest.param(b"<!-- repo-roles: ignore -->\n", [(1, (), False)], id="html-all-codes"),
        pytest.param(b"# noqa  # repo-roles: ignore[DOC001]\n", [(1, ("DOC001",), False)], id="after-other-comment"),
        pytest.param(b"x = 'repo-roles: ignore[DOC001]'\n", [], id="no-op-not-in-a-comment"),
        pytest.param(b"# repo-roles: ignore[DOC001]\x00\n", [], id="no-op-binary"),
        pytest.param(b"# nothing here\n", [], id="no-op-no-marker"),
    ],
)
def test_suppressions(source, expected) -> None:
    assert [tuple(s) for s in A.suppressions_in(source)] == expected


def test_stage_reads_regular_files_only(make_repo, tmp_path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text("def leaked():\n    pass\n")
    root = make_repo({
        "app/a.py": MODULE,
        "notes.txt": "see # repo-roles: ignore-file[TST001]\n",
        "big.py": '"""B."""\n' + "x = 1\n" * 200_000,
    })
    os.symlink(str(outside), str(root / "app/link.py"))
    context = scan(root, untracked=True)
    files = context.coverage.files
    assert files["app/a.py"].language == "python" and context.coverage.counts("app/a.py") == (1, 2)
    assert "app/link.py" not in files  # a symlink is never followed
    assert files["notes.txt"] == A.FileAnalysis("notes.txt", None, None, (A.Suppression(1, ("TST001",), True),))
    assert [p[1] for p in files["big.py"].docs.problems] == ["too-large"]
    assert context.coverage.counts("big.py") is None


def test_process_pool_gives_the_same_results(make_repo, monkeypatch) -> None:
    files = {f"pkg/m{i}.py": MODULE + ("" if i % 2 else '\n\ndef g():\n    """G."""\n') for i in range(12)}
    root = make_repo(files)
    serial = scan(root, use_cache=False).coverage.files
    monkeypatch.setattr(A, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(A, "CHUNK", 5)
    pooled = scan(root, use_cache=False).coverage.files
    assert pooled == serial and len(pooled) == 12


def test_ls_jsonl_doc_fields(make_repo, run_cli) -> None:
    root = make_repo({"app/a.py": MODULE, "tests/test_a.py": "def test_f():\n    pass\n", "README.md": "# r\n",
                      "app/broken.py": "def (:\n"})
    result = run_cli("ls", str(root), "--format", "jsonl")
    rows = {r["path"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert (rows["app/a.py"]["doc_items"], rows["app/a.py"]["doc_documented"]) == (2, 1)
    assert (rows["tests/test_a.py"]["doc_items"], rows["tests/test_a.py"]["doc_documented"]) == (2, 0)  # any role
    assert rows["README.md"]["doc_items"] is None and rows["README.md"]["doc_documented"] is None
    assert rows["app/broken.py"]["doc_items"] is None


def test_audit_documentation_and_test_tables(make_repo, run_cli) -> None:
    root = make_repo({
        "app/a.py": MODULE,
        "lib/b.py": '"""B."""\n',
        ".github/CODEOWNERS": "/app/ @acme/app\n",
    })
    out = run_cli("audit", str(root)).stdout
    # the history section ("Declared vs actual") follows the documentation and test tables
    section = out[out.index("Documentation coverage (documented / counted items)"):out.index("Declared vs actual")]
    assert section.splitlines() == [
        "Documentation coverage (documented / counted items)",
        "  role           covered  total  percent",
        "  -------------  -------  -----  -------",
        "  backend.logic        2      3    66.7%",
        "",
        "Documentation measured by language (files)",
        "  language  measured  left out  why",
        "  --------  --------  --------  ---",
        "  python           2         0  -",
        "",
        "Documentation coverage by side (documented / counted items)",
        "  side     covered  total  percent",
        "  -------  -------  -----  -------",
        "  backend        2      3    66.7%",
        "",
        "Documentation coverage by owning team (required roles: backend.logic)",
        "  owner      covered  total  percent",
        "  ---------  -------  -----  -------",
        "  (unowned)        1      1   100.0%",
        "  @acme/app        1      2    50.0%",
        "",
        "Documentation coverage by top directory (required roles: backend.logic)",
        "  directory  covered  total  percent",
        "  ---------  -------  -----  -------",
        "  app/             1      2    50.0%",
        "  lib/             1      1   100.0%",
        "",
        # lib/b.py defines no function or class: data only, it needs no test
        "Test presence (modules with a test file / modules that need one; required roles: backend.logic)",
        "  evidence used: name convention",
        "  side     with tests  modules  percent",
        "  -------  ----------  -------  -------",
        "  backend           0        1     0.0%",
        "",
        "  owner      with tests  modules  percent",
        "  ---------  ----------  -------  -------",
        "  @acme/app           0        1     0.0%",
        "",
        "  directory  with tests  modules  percent",
        "  ---------  ----------  -------  -------",
        "  app/                0        1     0.0%",
        "",
    ]


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> "Counter[str]":
    """How many times each file is read whole (``Inventory.read_bytes``) from now on."""
    from collections import Counter

    from repo_roles.inventory import Inventory

    counts: Counter = Counter()
    real = Inventory.read_bytes

    def counting(self, path, max_size):  # type: ignore[no-untyped-def]
        counts[path] += 1
        return real(self, path, max_size)

    monkeypatch.setattr(Inventory, "read_bytes", counting)
    return counts


@pytest.mark.parametrize("use_cache", [pytest.param(True, id="cold-cache"), pytest.param(False, id="no-cache")])
def test_tst001_does_not_read_again_what_the_stage_read(make_repo, reads, use_cache: bool) -> None:
    """Whether a module without tests defines code is known from the stage's own read."""
    from repo_roles.scan import scan

    root = make_repo({"app/b.py": "def f():\n    pass\n", "app/data.py": "X = 1\n"})
    context = scan(root, use_cache=use_cache)
    context.findings = run_checks(context)
    assert [f.path for f in context.findings if f.rule_id == "TST001"] == ["app/b.py"]  # data.py: data only
    assert reads["app/b.py"] == 1 and reads["app/data.py"] == 1


def test_cold_small_run_reads_each_file_once(make_repo, reads) -> None:
    """A file with no stored row cannot be a cache hit, so it is read once: by the analysis."""
    from repo_roles.scan import scan

    root = make_repo({"app/a.py": '"""A."""\n', "app/b.py": "def f():\n    pass\n"})
    context = scan(root)
    reads.clear()
    assert context.coverage.counts("app/b.py") == (0, 2)  # module and function, undocumented
    assert reads["app/a.py"] == 1 and reads["app/b.py"] == 1


def test_audit_says_per_language_what_it_measured_and_left_out(make_repo, run_cli) -> None:
    """Issue 17: C/C++ files are measured, a file that cannot be parsed and a language without an
    analyzer are listed as left out with the reason, instead of silently missing."""
    root = make_repo({
        "include/a.h": "/** A. */\nint a(void);\nint b(void);\n",
        "src/a.c": "int a(void) { return 0; }\n",
        "src/lib.rs": "//! Crate.\n\n/// F.\npub fn f() {}\n",
        "src/broken.rs": "pub fn f( {}\n",
        "src/App.swift": "func x() {}\n",
        "README.md": "# r\n",
    })
    context = scan(root)
    assert context.coverage.languages(lambda path: not path.endswith(".md")) == {
        ".swift": (0, {"no-analyzer": 1}), "c": (2, {}), "rust": (1, {"syntax-error": 1})}
    out = run_cli("audit", str(root)).stdout
    section = out[out.index("Documentation measured by language"):]
    assert section.splitlines()[3:6] == [
        "  .swift           0         1  no-analyzer 1",
        "  c                2         0  -",
        "  rust             1         1  syntax-error 1",
    ]


def test_files_without_an_extension_are_one_group_of_left_out_files(make_repo) -> None:
    """Scripts without an extension are counted together as "(no extension)", never one row per name."""
    from repo_roles.scan import scan

    root = make_repo({"bin/api": "#!/bin/sh\nexec api\n", "bin/worker": "#!/bin/sh\nexec worker\n",
                      "app.py": '"""App."""\n'})
    languages = scan(root).coverage.languages(lambda path: True)
    assert languages["(no extension)"] == (0, {"no-analyzer": 2})
    assert "api" not in languages and "worker" not in languages
