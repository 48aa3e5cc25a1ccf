"""The audit document and its formats: text summary, JSON (validated against the shipped JSON
Schema, https://json-schema.org/draft/2020-12), Markdown (GitHub's 65,536-character comment
limit), self-contained HTML, and ``--compare`` pinned on two commits of the shop example.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path
from typing import Callable

import pytest

from conftest import git
from repo_roles.auditreport import document, render_markdown, tree as tree_module
from repo_roles.commands import audit as audit_command

jsonschema = pytest.importorskip("jsonschema")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCHEMA = json.loads((Path(document.__file__).parent / "audit.schema.json").read_text(encoding="utf-8"))
MakeRepo = Callable[..., Path]


def validate(doc: dict) -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    root = tmp_path / "shop"
    shutil.copytree(EXAMPLES / "shop", root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the shop example")
    return root


def audit_json(run_cli, root: Path, *extra: str) -> dict:
    result = run_cli("audit", "--format", "json", str(root), *extra)
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["properties"]["version"]["const"] == document.SCHEMA_VERSION


def test_json_validates_and_agrees_with_the_text_summary(shop: Path, run_cli) -> None:
    doc = audit_json(run_cli, shop, "--findings")
    validate(doc)
    assert doc["files"] == 55 and doc["ownership"]["unowned"] == 3  # examples/shop/PROBLEMS.md #9
    assert len(doc["items"]) == doc["findings"]["total"] == sum(r["count"] for r in doc["findings"]["by_rule"])
    assert doc["tree"]["files"] == doc["files"]  # every file is in the tree once
    own001 = next(r for r in doc["findings"]["by_rule"] if r["rule"] == "OWN001")
    assert (own001["name"], own001["count"]) == ("unowned-file", 3)
    text = run_cli("audit", str(shop)).stdout
    assert re.search(r"^  OWN001  unowned-file +error +3 +3$", text, re.M)
    assert "\nFindings\n" not in text  # a summary: no finding is listed without --findings
    top_file, count = doc["findings"]["top_files"][0]
    assert re.search(rf"^  {re.escape(top_file)} +{count}$", text.split("Files with the most findings")[1], re.M)


def test_summary_counts_by_team_and_directory(shop: Path, run_cli) -> None:
    doc = audit_json(run_cli, shop)
    findings = doc["findings"]
    assert sum(n for _, n in findings["by_directory"]) == findings["total"]
    assert len(findings["top_files"]) <= 10 and len(findings["top_directories"]) <= 10
    unowned = next(t for t in findings["by_team"] if t["owner"] == "(unowned)")
    assert {p for p, _ in unowned["files"]} >= {"backend/shop/migrations/0001_initial.py"}


@pytest.mark.parametrize("order", [["b", "a", "c", "d"], ["d", "c", "a", "b"]], ids=["b-first", "a-first"])
def test_top_lists_break_ties_at_the_cut_by_key_whatever_the_counting_order(order) -> None:
    from collections import Counter

    counts = {"a": 2, "b": 2, "c": 3, "d": 1}
    counter = Counter({key: counts[key] for key in order})
    assert document._top(counter, 2) == [["c", 3], ["a", 2]]
    assert document._top(counter, 3) == [["c", 3], ["a", 2], ["b", 2]]
    assert document._top(counter, 9) == [["c", 3], ["a", 2], ["b", 2], ["d", 1]]


def test_roster_columns_only_with_a_roster(make_repo: MakeRepo, run_cli) -> None:
    root = make_repo({".github/CODEOWNERS": "* @org/team\n", "app.py": "x = 1\n"})
    out = run_cli("audit", str(root)).stdout
    assert "NOT IN ROSTER" not in out and "responsible for" not in out
    (root / "repo-roles.toml").write_text('[teams."@org/other"]\nresponsible = ["backend"]\n', encoding="utf-8")
    out = run_cli("audit", str(root)).stdout
    assert "responsible for" in out and re.search(r"^  @org/team .*NOT IN ROSTER$", out, re.M)


def test_note_names_what_documentation_coverage_did_not_measure(make_repo: MakeRepo, run_cli) -> None:
    """Scala, Swift and Lua have no documentation analyzer (coverage/languages.py): say so, with counts,
    by language name as GitHub Linguist's languages.yml spells it (rules/languages.toml)."""
    root = make_repo({"src/a.scala": "object A\n", "src/b.scala": "object B\n", "src/c.swift": "func c() {}\n",
                      "src/d.lua": "x = 1\n", "src/e.SCALA": "object E\n",
                      "src/ok.py": '"""Doc."""\n'})
    doc = audit_json(run_cli, root)
    measured = doc["docs"]["not_measured"]
    assert measured["files"] == 5 and measured["by_extension"][0] == [".scala", 2]
    assert measured["by_language"] == [["Scala", 3], ["Lua", 1], ["Swift", 1]]
    out = run_cli("audit", str(root)).stdout
    assert "note: 5 backend.logic files not measured (no documentation analyzer for their language): " \
           "Scala 3, Lua 1, Swift 1" in out
    assert "Documentation measured by language (files)" in out


def test_compare_pinned_on_two_commits_of_the_shop_example(shop: Path, run_cli, tmp_path: Path) -> None:
    before = tmp_path / "before.json"
    assert run_cli("audit", "--format", "json", "-o", str(before), str(shop)).exit_code == 1
    # Second commit: one more unowned module (OWN001, its docs) and a documented one for the backend.
    (shop / "backend/shop/migrations/0003_more.py").write_text("def up():\n    pass\n", encoding="utf-8")
    (shop / "backend/shop/extra.py").write_text('"""Extra."""\n\n\ndef f():\n    """Doc."""\n', encoding="utf-8")
    git(shop, "add", "-A")
    git(shop, "commit", "-q", "-m", "second")
    doc = audit_json(run_cli, shop, "--compare", str(before))
    validate(doc)
    change = doc["compare"]
    assert change["unowned"] == {"before": 3, "after": 4, "delta": 1}
    assert change["files"] == {"before": 55, "after": 57, "delta": 2}
    own001 = next(r for r in change["findings_by_rule"] if r["name"] == "OWN001")
    assert (own001["before"], own001["after"], own001["delta"]) == (3, 4, 1)
    backend = next(r for r in change["docs_by_owner"] if r["name"] == "@shop/backend")
    assert backend["before"] == 83.1 and backend["after"] == 83.6 and backend["delta"] == 0.5  # 49/59 -> 51/61
    text = run_cli("audit", "--compare", str(before), str(shop)).stdout
    assert re.search(r"^  unowned files +3 +4 +▲ \+1$", text, re.M)
    assert re.search(r"^  @shop/backend +83\.1% +83\.6% +▲ \+0\.5 pp$", text, re.M)
    markdown = run_cli("audit", "--format", "markdown", "--compare", str(before), str(shop)).stdout
    assert "| unowned files | 3 | 4 | ▲ \\+1 |" in markdown  # "+" escaped (CommonMark backslash escapes)
    page = run_cli("audit", "--format", "html", "--compare", str(before), str(shop)).stdout
    assert '"unowned":{"before":3,"after":4,"delta":1}' in page


@pytest.mark.parametrize("content, message", [
    pytest.param("{not json", "not JSON", id="not-json"),
    pytest.param('{"schema": "other"}', "not a repo-roles audit document", id="other-json"),
    pytest.param('{"schema": "repo-roles-audit", "version": 99}', "version 99", id="newer-version"),
])
def test_compare_refuses_what_it_cannot_read(make_repo: MakeRepo, run_cli, tmp_path: Path, content, message) -> None:
    root = make_repo({"a.py": "x = 1\n"})
    previous = tmp_path / "prev.json"
    previous.write_text(content, encoding="utf-8")
    result = run_cli("audit", "--compare", str(previous), str(root))
    assert result.exit_code == 2 and message in result.stderr


def test_markdown_stays_under_githubs_limit(shop: Path, run_cli) -> None:
    """GitHub rejects comment bodies over 65,536 characters; the step summary is cut too."""
    doc = audit_json(run_cli, shop)
    long_name = "@org/" + "x" * 3000  # 50 rows of a table (the per-table cap) then exceed the limit
    doc["teams"] = [{"owner": f"{long_name}{i}", "files": 1, "by_role": {}, "in_roster": None, "responsible": []}
                    for i in range(100)]
    text = render_markdown.render(doc)
    assert len(text) <= render_markdown.LIMIT
    assert "Truncated:" in text.splitlines()[-1]
    small = render_markdown.render(audit_json(run_cli, shop))
    assert "Truncated" not in small and small.startswith("## repo-roles audit: 55 files")


def test_html_is_self_contained_and_escapes_hostile_names(make_repo: MakeRepo, run_cli, tmp_path: Path) -> None:
    root = make_repo({"src/</script><script>alert(1)<!--.py": "x = 1\n", "src/ok.py": "y = 2\n"})
    out = tmp_path / "report.html"
    result = run_cli("audit", "--format", "html", "-o", str(out), str(root))
    assert result.exit_code in (0, 1), result.stderr
    page = out.read_text(encoding="utf-8")
    assert "default-src 'none'" in page  # the Content-Security-Policy forbids every request
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "<link" not in page and "@import" not in page
    assert "<script>alert(1)" not in page and page.count("</script>") == 2
    data = page.split('<script id="audit-data" type="application/json">')[1].split("</script>")[0]
    doc = json.loads(data)
    validate(doc)
    size = int(re.search(r"This page: ([\d,]+) bytes", page).group(1).replace(",", ""))
    assert size == len(page.encode("utf-8"))


def test_tree_folds_below_a_depth_when_over_budget(make_repo: MakeRepo, run_cli, monkeypatch) -> None:
    files = {f"a/b{i}/c{j}/f.py": "x = 1\n" for i in range(4) for j in range(3)}
    root = make_repo(files)
    full = audit_json(run_cli, root)["tree"]
    assert full["files"] == 12 and full["children"][0]["children"][0]["children"][0]["children"][0]["kind"] == "file"
    monkeypatch.setattr(tree_module, "NODE_BUDGET", 8)  # root, a/, 4 x a/bN/: 6 fit; the 12 a/bN/cM/ do not
    doc = audit_json(run_cli, root, "--no-cache")  # not the stored run of the same code and files
    validate(doc)
    folded = doc["tree"]["children"][0]["children"]
    assert [n["path"] for n in folded] == [f"a/b{i}/" for i in range(4)]
    assert all(n.get("folded") and "children" not in n and n["files"] == 3 for n in folded)


def test_tree_counts_lines_per_node_cold_warm_and_without_cache(make_repo: MakeRepo, run_cli, tmp_path: Path,
                                                               monkeypatch) -> None:
    """``lines`` per node as ``wc -l`` counts them plus an unterminated last line; a binary file
    (NUL bytes, as git's buffer_is_binary decides) has none.  A warm run takes the counts from
    the cache by blob id; a cache written before line counts were kept (its table emptied here)
    is filled by reading the files once."""
    import sqlite3

    root = make_repo({"src/a.py": "x = 1\ny = 2\nz = 3\n", "src/b.py": "x = 1\ny = 2",
                      "docs/notes.md": "# Notes\n\ntext\n", "assets/logo.bin": "PNG\0\0data\n\n"})
    cache = tmp_path / "cache"
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(cache))

    def lines_by_path() -> dict:
        doc = audit_json(run_cli, root)
        validate(doc)
        out = {}

        def walk(node: dict) -> None:
            out[node["path"]] = node["lines"]
            for child in node.get("children", ()):
                walk(child)

        walk(doc["tree"])
        return out

    expected = {"": 8, "src/": 5, "src/a.py": 3, "src/b.py": 2, "docs/": 3, "docs/notes.md": 3,
                "assets/": 0, "assets/logo.bin": 0}
    cold = lines_by_path()
    assert {k: cold[k] for k in expected} == expected
    assert lines_by_path() == cold  # warm
    for database in cache.rglob("docs-v*.sqlite3"):
        with sqlite3.connect(str(database)) as db:
            db.execute("DELETE FROM lines")
    assert lines_by_path() == cold  # an old cache: read once
    doc = audit_json(run_cli, root, "--no-cache")
    assert doc["tree"]["lines"] == 8


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_hears_the_pipeline_stages_and_documentation_files(make_repo: MakeRepo) -> None:
    """The observer passed to scan hears each stage as it starts and the documentation stage's
    files as they are analysed; nothing below the command prints."""
    from repo_roles.scan import scan

    heard = []

    class Observer:
        def stage(self, name: str) -> None:
            heard.append(name)

        def step(self, name: str, done: int, total: int) -> None:
            heard.append((name, done, total))

    root = make_repo({f"src/m{i}.py": f"x = {i}\n" for i in range(3)})
    context = scan(root, use_cache=False, progress=Observer())
    assert heard == ["inventory", "classification", "ownership"]
    context.coverage
    assert heard[3:] == [("documentation", 3, 3)]

    stream = _Tty()
    progress = audit_command.Progress(stream)
    progress.set("checks")
    progress.step("documentation", 1280, 100000)
    assert progress.current == "documentation 1,280/100,000 files"
    progress.step("documentation", 100000, 100000)
    assert progress.current == "checks"  # the outer stage again
    progress.close()


def test_progress_only_on_a_terminal_after_the_threshold(monkeypatch) -> None:
    monkeypatch.setattr(audit_command, "PROGRESS_AFTER", 0.0)
    stream = _Tty()
    progress = audit_command.Progress(stream)
    progress.set("documentation and test figures")
    for _ in range(200):  # the ticker draws within its first 0.25 s tick; wait for it, not a fixed time
        if progress.shown:
            break
        progress._done.wait(0.05)
    progress.close()
    assert "repo-roles: documentation and test figures …" in stream.getvalue()
    assert stream.getvalue().endswith("\r\x1b[K")  # the line is cleared before the report
    piped = io.StringIO()
    audit_command.Progress(piped).close()
    assert piped.getvalue() == ""


def test_schema_role_vocabulary_is_the_tool_s() -> None:
    """The audit schema's role enum and the HTML page's colours follow repo_roles.roles.ROLES."""
    from repo_roles import roles as R

    schema = json.loads((Path(R.__file__).parent / "auditreport" / "audit.schema.json").read_text())
    assert schema["$defs"]["role"]["enum"] == list(R.ROLES)
    script = (Path(R.__file__).parent / "auditreport" / "static" / "report.js").read_text()
    assert all(f'"{role}":' in script for role in R.ROLES)
