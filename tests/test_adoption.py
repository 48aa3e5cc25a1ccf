"""Adopting repo-roles on a repository with history (issue 12), in real temporary git repositories.

* Findings on changed lines: ``check --diff-base REF`` / ``--staged`` read one ``git diff -U0 -M``
  and keep findings by reviewdog's filter modes (https://github.com/reviewdog/reviewdog#filter-mode:
  ``added``, ``diff_context``, ``file``, ``nofilter``).
* Baselines keyed by content fingerprints survive ``git mv`` (https://git-scm.com/docs/git-mv)
  and do not absorb a copy's findings; SARIF ``partialFingerprints`` (SARIF 2.1.0 §3.27.17)
  carry the same fingerprint.
* The way out of an overwhelming run, and scanning outside any repository only on purpose.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Dict, List

import pytest

from conftest import git
from repo_roles import baseline as B
from repo_roles.changes.diff import parse
from repo_roles.commands.check import ADOPTION_HINT_AT

SARIF_SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "sarif-schema-2.1.0.json"
CONFIG = '[lint]\nselect = ["DOC001"]\n'
MODULES = ("orders", "billing", "stock")


def module_text(name: str, new: bool = False) -> str:
    """A documented module with ten undocumented functions; ``new`` inserts one more mid-file."""
    parts = ['"""The {} module."""\n'.format(name)]
    for i in range(1, 11):
        if new and i == 6:
            parts.append(f"\n\ndef {name}_new(value):\n    return value * 2\n")
        parts.append(f"\n\ndef {name}_old_{i}(value):\n    return value + {i}\n")
    return "".join(parts)


def history_files() -> Dict[str, str]:
    files = {f"app/{name}.py": module_text(name) for name in MODULES}
    files["repo-roles.toml"] = CONFIG
    return files


def doc001(stdout: str) -> List[str]:
    """``path:line: DOC001 …`` lines of a concise report, as ``(path, item)`` strings."""
    out = []
    for line in stdout.splitlines():
        if ": DOC001 " in line:
            out.append(line.split(":")[0] + " " + line.split("'")[1])
    return sorted(out)


@pytest.fixture
def history(make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(tmp_path / "cache"))
    root = make_repo(history_files())
    monkeypatch.chdir(root)
    return root


def add_new_functions(root: Path) -> None:
    for name in MODULES:
        (root / "app" / f"{name}.py").write_text(module_text(name, new=True))


NEW_THREE = sorted(f"app/{name}.py {name}_new" for name in MODULES)


# --- findings on changed lines -------------------------------------------------------------------


def test_thirty_old_findings_three_new_functions_report_three(history: Path, run_cli: Callable) -> None:
    """The issue's case: 30 findings on untouched lines, 3 new undocumented functions -> 3."""
    assert len(doc001(run_cli("check").stdout)) == 30
    add_new_functions(history)
    git(history, "add", "-A")
    staged = run_cli("check", "--staged")
    assert (staged.exit_code, doc001(staged.stdout)) == (1, NEW_THREE), staged.stderr
    assert "not shown: 30 findings in the changed files on lines this change did not touch" in staged.stderr
    git(history, "checkout", "-q", "-b", "feature")
    git(history, "commit", "-q", "-m", "three new functions")
    since = run_cli("check", "--diff-base", "main")
    assert (since.exit_code, doc001(since.stdout)) == (1, NEW_THREE), since.stderr


# (mode, expected DOC001 items): the new function sits between orders_old_5 and orders_old_6,
# two blank lines apart from each, so git's three lines of context reach both neighbours' `def`.
MODES = [
    pytest.param("added", ["app/orders.py orders_new"], id="added"),
    pytest.param("diff_context", ["app/orders.py orders_new", "app/orders.py orders_old_6"], id="diff_context"),
    pytest.param("file", sorted(["app/orders.py orders_new"] + [f"app/orders.py orders_old_{i}" for i in range(1, 11)]),
                 id="file"),
    pytest.param("nofilter", None, id="nofilter"),
]


@pytest.mark.parametrize(("mode", "expected"), MODES)
def test_each_filter_mode_on_one_fixture(history: Path, run_cli: Callable, mode: str, expected: List[str]) -> None:
    (history / "app" / "orders.py").write_text(module_text("orders", new=True))
    git(history, "add", "-A")
    result = run_cli("check", "--staged", "--filter-mode", mode)
    found = doc001(result.stdout)
    if expected is None:  # nofilter: the whole project, as without a diff
        assert len(found) == 31 and "app/billing.py billing_old_1" in found
    else:
        assert found == expected
    assert result.exit_code == 1


def test_filter_mode_needs_a_diff(history: Path, run_cli: Callable) -> None:
    result = run_cli("check", "--filter-mode", "added")
    assert result.exit_code == 2 and "--filter-mode needs a diff" in result.stderr


@pytest.mark.parametrize(
    ("after", "reported"),
    [
        pytest.param("def f(a,\n      b, c=1):\n    return a\n", True, id="second-signature-line-changed"),
        pytest.param("def f(a,\n      b):\n    return a + 1\n", False, id="body-only-changed"),
        pytest.param("def f(a,\n      b):\n    return a\n\n\ndef g():\n    return 1\n", False,
                     id="code-added-after-it"),
    ],
)
def test_a_declaration_counts_as_changed_when_its_signature_changed(
        history: Path, run_cli: Callable, after: str, reported: bool) -> None:
    """DOC001's span is the signature: a change on any of its lines is a change to the item."""
    head = '"""Spans."""\n\n\n'
    (history / "app" / "spans.py").write_text(head + "def f(a,\n      b):\n    return a\n")
    git(history, "add", "-A")
    git(history, "commit", "-q", "-m", "spans")
    (history / "app" / "spans.py").write_text(head + after)
    git(history, "add", "-A")
    found = doc001(run_cli("check", "--staged").stdout)
    assert ("app/spans.py f" in found) is reported


def test_removing_a_docstring_counts_as_a_change_to_the_declaration(history: Path, run_cli: Callable) -> None:
    path = history / "app" / "doc.py"
    path.write_text('"""Doc."""\n\n\ndef f():\n    """Does f."""\n    return 1\n')
    git(history, "add", "-A")
    git(history, "commit", "-q", "-m", "doc")
    path.write_text('"""Doc."""\n\n\ndef f():\n    return 1\n')
    git(history, "add", "-A")
    assert doc001(run_cli("check", "--staged").stdout) == ["app/doc.py f"]


OWNED = {
    ".github/CODEOWNERS": "/app/ @org/team-a\n/lib/ @org/team-b\n/ghost1/ @org/team-a\n",
    "app/x.py": '"""X."""\n\n\ndef f():\n    """F."""\n',
    "lib/keep.py": '"""Keep."""\n',
    "tests/test_keep.py": "def test_keep():\n    pass\n",
    "repo-roles.toml": '[lint]\nselect = ["TST001", "OWN003"]\n',
}


@pytest.mark.parametrize(
    ("target", "reported"),
    [pytest.param("lib/x.py", True, id="renamed-to-other-owners"),
     pytest.param("app/y.py", False, id="renamed-among-the-same-owners")],
)
def test_file_findings_of_a_renamed_file(make_repo: Callable[..., Path], run_cli: Callable,
                                         monkeypatch: pytest.MonkeyPatch, target: str, reported: bool) -> None:
    """TST001 speaks of the file as a whole: it counts when the file moved to other owners."""
    root = make_repo(OWNED)
    monkeypatch.chdir(root)
    git(root, "mv", "app/x.py", target)
    result = run_cli("check", "--staged")
    assert (f"{target}: TST001" in result.stdout) is reported, result.stdout + result.stderr


def test_new_file_and_repository_findings(make_repo: Callable[..., Path], run_cli: Callable,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A new file's file-level findings count; CODEOWNERS findings follow its changed lines."""
    root = make_repo(OWNED)
    monkeypatch.chdir(root)
    (root / "app" / "z.py").write_text('"""Z."""\n\n\ndef g():\n    """G."""\n')
    (root / ".github" / "CODEOWNERS").write_text(OWNED[".github/CODEOWNERS"] + "/ghost2/ @org/team-a\n")
    git(root, "add", "-A")
    result = run_cli("check", "--staged")
    assert "app/z.py: TST001" in result.stdout
    assert "/ghost2/ matches no file" in result.stdout
    assert "/ghost1/" not in result.stdout  # an old finding on an untouched line
    assert "app/x.py" not in result.stdout


# --- baselines that survive refactors ----------------------------------------------------------


def _stderr_line(stderr: str, needle: str) -> str:
    return next(line for line in stderr.splitlines() if needle in line)


def test_git_mv_plus_small_edit_keeps_baselined_findings_hidden(history: Path, run_cli: Callable) -> None:
    assert run_cli("baseline").exit_code == 0
    git(history, "add", "-A")
    git(history, "commit", "-q", "-m", "baseline")
    git(history, "mv", "app/orders.py", "app/sales.py")
    text = module_text("orders").replace("value + 3\n", "value + 33\n")  # a small edit
    text = text.replace("\n\ndef orders_old_7", "\n\ndef orders_added(value):\n    return value\n\n\ndef orders_old_7")
    (history / "app" / "sales.py").write_text(text)
    git(history, "add", "-A")
    for args in ((), ("--staged",)):
        result = run_cli("check", "--baseline", B.DEFAULT_FILENAME, "--strict-baseline", *args)
        assert doc001(result.stdout) == ["app/sales.py orders_added"], result.stdout + result.stderr
        assert result.exit_code == 1
        summary = _stderr_line(result.stderr, "the baseline hid")
        assert "10 of them in renamed or moved files" in summary and "0 entries no longer match" in summary


def test_a_copied_file_does_not_double_the_baseline(history: Path, run_cli: Callable) -> None:
    assert run_cli("baseline").exit_code == 0
    (history / "app" / "orders_copy.py").write_text(module_text("orders"))
    git(history, "add", "-A")
    result = run_cli("check", "--baseline", B.DEFAULT_FILENAME)
    assert doc001(result.stdout) == sorted(f"app/orders_copy.py orders_old_{i}" for i in range(1, 11))
    assert "the baseline hid 30 findings; 0 entries" in result.stderr


def test_stale_entries_are_counted_and_strict_baseline_fails(history: Path, run_cli: Callable) -> None:
    assert run_cli("baseline").exit_code == 0
    (history / "app" / "stock.py").write_text('"""Stock, all documented now."""\n')
    lenient = run_cli("check", "--baseline", B.DEFAULT_FILENAME)
    assert lenient.exit_code == 0
    assert "the baseline hid 20 findings; 10 entries no longer match anything" in lenient.stderr
    assert run_cli("check", "--baseline", B.DEFAULT_FILENAME, "--strict-baseline").exit_code == 1


def test_format_1_baselines_are_still_read(history: Path, run_cli: Callable) -> None:
    """Written by repo-roles 0.1 (no fingerprints): matched by rule, path and key, with a hint."""
    entries = [{"rule": "DOC001", "path": f"app/{name}.py", "key": f"{name}_old_{i}", "count": 1}
               for name in MODULES for i in range(1, 11)]
    (history / "old.json").write_text(json.dumps({"repo-roles-baseline": 1, "findings": entries}))
    result = run_cli("check", "--baseline", "old.json")
    assert result.exit_code == 0 and "the baseline hid 30 findings" in result.stderr
    assert "format 1 baseline" in result.stderr and "baseline --update" in result.stderr
    upgraded = run_cli("baseline", "-o", "old.json", "--update")
    assert upgraded.exit_code == 0 and "(0 added, 0 removed); upgraded from format 1 to 2" in upgraded.stderr


def _sarif_prints(run_cli: Callable) -> Dict[str, str]:
    result = run_cli("check", "--output-format", "sarif")
    log = json.loads(result.stdout)
    if SARIF_SCHEMA.is_file():
        import jsonschema

        schema = json.loads(SARIF_SCHEMA.read_text("utf-8"))
        jsonschema.validators.validator_for(schema)(schema).validate(log)
    return {r["message"]["text"].split("'")[1]: r["partialFingerprints"]["repoRoles/v2"]
            for r in log["runs"][0]["results"]}


def test_sarif_partial_fingerprints_are_stable_across_a_rename(history: Path, run_cli: Callable) -> None:
    """SARIF 2.1.0 §3.27.17 partialFingerprints, validated against ../shared's schema when present."""
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"SARIF schema not found at {SARIF_SCHEMA} (the shared folder is absent)")
    before = _sarif_prints(run_cli)
    git(history, "mv", "app/billing.py", "app/invoices.py")
    after = _sarif_prints(run_cli)
    assert before == after and len(after) == 30
    baseline = run_cli("baseline", "-o", "b.json")
    assert baseline.exit_code == 0
    prints = {e["fingerprint"] for e in json.loads((history / "b.json").read_text("utf-8"))["findings"]}
    assert prints == set(after.values())  # the baseline and code scanning agree
    gitlab = json.loads(run_cli("check", "--output-format", "gitlab").stdout)
    assert {issue["fingerprint"] for issue in gitlab} == prints  # and GitLab's Code Quality widget


# --- a way out ----------------------------------------------------------------------------------


def test_an_overwhelming_run_ends_with_how_to_adopt_gradually(make_repo: Callable[..., Path], run_cli: Callable,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    count = ADOPTION_HINT_AT + 1
    body = '"""Many."""\n' + "".join(f"\n\ndef f{i}():\n    return {i}\n" for i in range(count))
    root = make_repo({"app/many.py": body, "repo-roles.toml": CONFIG})
    monkeypatch.chdir(root)
    result = run_cli("check")
    assert result.exit_code == 1
    last = result.stderr.splitlines()[-1]
    assert last.startswith(f"repo-roles: {count} findings. To adopt gradually")
    assert "repo-roles baseline" in last and "--diff-base" in last
    assert result.stderr.count("To adopt gradually") == 1
    assert run_cli("baseline").exit_code == 0
    assert "To adopt gradually" not in run_cli("check", "--baseline", B.DEFAULT_FILENAME).stderr


def test_statistics_by_rule_team_and_top_directory(make_repo: Callable[..., Path], run_cli: Callable,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    files = {
        ".github/CODEOWNERS": "/app/ @org/team-a\n/lib/ @org/team-a @org/team-b\n",
        "app/a.py": '"""A."""\n\n\ndef f():\n    pass\n\n\ndef g():\n    pass\n',
        "lib/b.py": '"""B."""\n\n\ndef h():\n    pass\n',
        "top.py": '"""Top."""\n\n\ndef k():\n    pass\n',
        "repo-roles.toml": CONFIG,
    }
    root = make_repo(files)
    monkeypatch.chdir(root)
    result = run_cli("check", "--statistics")
    by_rule, by_team, by_directory = result.stdout.split("\n\n")
    assert by_rule.split()[:2] == ["4", "DOC001"]
    assert by_team.splitlines() == ["By owning team:", "3  @org/team-a", "1  (unowned)", "1  @org/team-b"]
    assert by_directory.splitlines() == ["By top directory:", "2  app/", "1  . (files at the root)", "1  lib/"]


# --- outside any repository ---------------------------------------------------------------------


@pytest.mark.parametrize("command", [("ls",), ("check",), ("audit",), ("check", "--diff-base", "main")])
def test_outside_git_without_config_stops_naming_both_ways(make_repo: Callable[..., Path], run_cli: Callable,
                                                           monkeypatch: pytest.MonkeyPatch, command: tuple) -> None:
    root = make_repo({"app.py": "x = 1\n"}, git_init=False)
    monkeypatch.chdir(root)
    result = run_cli(*command)
    assert result.exit_code == 2 and result.stdout == ""
    assert "not inside a git repository" in result.stderr
    assert "repo-roles.toml" in result.stderr and "--config" in result.stderr


def test_outside_git_with_config_is_a_project_but_has_no_diff(make_repo: Callable[..., Path], run_cli: Callable,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo({"app.py": "x = 1\n", "repo-roles.toml": ""}, git_init=False)
    monkeypatch.chdir(root)
    assert run_cli("ls").exit_code == 0
    result = run_cli("check", "--diff-base", "main")
    assert result.exit_code == 2 and "not inside a git repository" in result.stderr
    assert "merge-base" not in result.stderr  # never git's own `unknown option 'merge-base'`


@pytest.mark.parametrize("ref", ["no-such-ref", "--output=x", "HEAD~99"])
def test_a_bad_ref_is_no_such_revision(history: Path, run_cli: Callable, ref: str) -> None:
    result = run_cli("check", f"--diff-base={ref}")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"repo-roles: error: no such revision: {ref}"


# --- the diff reader ----------------------------------------------------------------------------


def test_diff_reader_renames_odd_names_deletions_and_type_changes(make_repo: Callable[..., Path]) -> None:
    """``git diff --raw -p -z``: paths verbatim from the raw part, hunks from ``@@`` headers."""
    from repo_roles.changes.diff import read_changes

    lines = "".join(f"line {i}\n" for i in range(1, 11))
    root = make_repo({"m.py": lines, "x y.py": "a\nb\nc\n", "gone.txt": "q\n", "link": "z\n"})
    git(root, "mv", "m.py", 'n"ew.py')
    (root / 'n"ew.py').write_text(lines.replace("line 3\n", "line 3\nX\n").replace("line 7\n", ""))
    (root / "x y.py").write_text("a\nc\n")
    git(root, "rm", "-q", "gone.txt")
    (root / "link").unlink()
    (root / "link").symlink_to("x y.py")
    git(root, "add", "-A")
    changes = read_changes(str(root), staged=True)
    moved = changes.files['n"ew.py']
    assert (moved.status, moved.old_path, sorted(moved.added), sorted(moved.deleted_after)) == ("R", "m.py", [4], [7])
    assert sorted(changes.files["x y.py"].deleted_after) == [1] and not changes.files["x y.py"].added
    assert changes.files["link"].status == "A"  # a type change is a new file
    assert changes.deleted == ("gone.txt",)


def test_diff_parse_of_nothing() -> None:
    assert parse("", "staged").files == {}


def test_pre_commit_ref_range_is_the_change(history: Path, run_cli: Callable, monkeypatch: pytest.MonkeyPatch) -> None:
    """``pre-commit run --from-ref A --to-ref B`` (and pre-push) export PRE_COMMIT_FROM_REF/TO_REF
    (https://pre-commit.com/#pre-commit-during-push): ``--staged`` then checks ``A...B``."""
    git(history, "checkout", "-q", "-b", "feature")
    add_new_functions(history)
    git(history, "commit", "-q", "-am", "three new functions")
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", "main")
    monkeypatch.setenv("PRE_COMMIT_TO_REF", "feature")
    result = run_cli("check", "--staged")  # nothing is staged: the range decides
    assert (result.exit_code, doc001(result.stdout)) == (1, NEW_THREE), result.stderr


def test_a_roster_edit_reports_the_codeowners_lines_it_makes_wrong(make_repo: Callable[..., Path], run_cli: Callable,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Repository-scope findings run when the configuration changed; OWN006 then flags an
    untouched CODEOWNERS line (its file is not in the change, so the line filter does not apply)."""
    roster = ('[lint]\nselect = ["OWN006"]\n\n[teams."@org/team-a"]\nresponsible = ["backend"]\n\n'
              '[teams."@org/team-b"]\nresponsible = ["frontend"]\n')
    root = make_repo({".github/CODEOWNERS": "/app/ @org/team-a\n/web/ @org/team-b\n", "app/x.py": "x = 1\n",
                      "web/y.ts": "export const y = 1;\n", "repo-roles.toml": roster})
    monkeypatch.chdir(root)
    assert run_cli("check", "--staged").stdout == "All checks passed!\n"
    (root / "repo-roles.toml").write_text(roster.split('\n[teams."@org/team-b"]')[0])
    git(root, "add", "-A")
    result = run_cli("check", "--staged")
    assert result.exit_code == 1 and ".github/CODEOWNERS:2:" in result.stdout and "OWN006" in result.stdout
