"""The HTML audit report in a real browser: headless Chromium (Debian's ``chromium`` package)
driven by Playwright (https://playwright.dev/python/docs/api/class-browsertype#browser-type-launch,
``executable_path``: Playwright's own browser download cannot work offline).

The page of the shop example is opened from ``file://``; any console error, page error or
network request fails the test.  It switches every colouring, hovers a tile and reads the
tooltip, drills into a directory and back up, sorts a table, expands a rule's files, and saves
a screenshot under the pytest temporary directory.  ``.ci/run`` installs Chromium so this runs
in CI; elsewhere it skips, saying why.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import git

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CHROMIUM = os.environ.get("REPO_ROLES_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
if not os.path.exists(CHROMIUM):
    if os.environ.get("REPO_ROLES_REQUIRE_BROWSER") == "1":  # .ci/run: the browser test must run
        raise RuntimeError(f"Chromium not found at {CHROMIUM}, but REPO_ROLES_REQUIRE_BROWSER=1")
    pytest.skip(f"Chromium not found at {CHROMIUM} (Debian: apt-get install chromium; or set REPO_ROLES_CHROMIUM)",
                allow_module_level=True)


@pytest.fixture
def report(tmp_path: Path, run_cli) -> Path:
    """The shop example's report, compared with its first commit (one unowned migration fewer)."""
    root = tmp_path / "shop"
    shutil.copytree(EXAMPLES / "shop", root)
    migration = root / "backend/shop/migrations/0002_add_order_status.py"
    kept = migration.read_bytes()
    migration.unlink()
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the shop example without one migration")
    before = tmp_path / "before.json"
    assert run_cli("audit", "--format", "json", "-o", str(before), str(root)).exit_code == 1
    migration.write_bytes(kept)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the shop example")
    out = tmp_path / "report.html"
    result = run_cli("audit", "--format", "html", "-o", str(out), "--compare", str(before), str(root))
    assert result.exit_code == 1, result.stderr  # the example has planted problems
    return out


def _lines(root: Path, directory: str) -> int:
    """Text lines of the tracked files under ``directory`` (binary files count none)."""
    total = 0
    for name in git(root, "ls-files", "-z", directory).split("\0"):
        data = (root / name).read_bytes() if name else b""
        if data and b"\0" not in data:
            total += data.count(b"\n") + (not data.endswith(b"\n"))
    return total


def test_report_in_chromium(report: Path, tmp_path: Path) -> None:
    problems = []
    url = report.as_uri()
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("request", lambda r: problems.append(f"request: {r.url}") if r.url != url else None)
            page.goto(url)
            page.wait_for_selector("body[data-ready='1']")
            assert page.locator("#title").inner_text().startswith("repo-roles audit of ")
            unowned = page.locator("#compare-counts tbody tr", has_text="unowned files").inner_text().split("\t")
            assert [c.strip() for c in unowned] == ["unowned files", "2", "3", "▲ +1"]

            # Every colouring: the legend follows, and the tiles change colour.
            fills = {}
            for key, legend_text in (("role", "backend.logic"), ("team", "@shop/backend"),
                                     ("docs", "nothing counted"), ("tests", "no module needs a test")):
                page.check(f"#color-{key}")
                assert legend_text in page.locator("#legend").inner_text()
                fills[key] = page.eval_on_selector_all("#treemap .tile > rect", "rs => rs.map(r => r.getAttribute('fill'))")
            assert len({tuple(v) for v in fills.values()}) == 4, fills

            # Size by bytes, by lines (the tiles' areas change), then back by files.
            areas = "rs => rs.map(r => Math.round(r.getAttribute('width') * r.getAttribute('height')))"
            by_files = page.eval_on_selector_all("#treemap .tile > rect", areas)
            page.select_option("#size-by", "bytes")
            page.select_option("#size-by", "lines")
            by_lines = page.eval_on_selector_all("#treemap .tile > rect", areas)
            assert by_lines != by_files
            page.select_option("#size-by", "files")

            # Tooltip of the backend/ directory: path, role, owners, figures (lines as `wc -l`
            # counts them, plus an unterminated last line).
            page.check("#color-role")
            tile = page.locator("#treemap g.tile.dir[data-path='backend/'] > rect").first
            tile.hover(position={"x": 5, "y": 5})
            tip = page.locator("#tooltip").inner_text()
            assert tip.splitlines()[0] == "backend/"
            assert "role: backend.logic" in tip and "owners: @shop/backend" in tip and "files: 30" in tip
            assert f"lines: {_lines(report.parent / 'shop', 'backend'):,}" in tip

            # Drill down into backend/, then back up with the breadcrumb.
            tile.click(position={"x": 5, "y": 5})
            paths = page.eval_on_selector_all("#treemap g.tile", "gs => gs.map(g => g.getAttribute('data-path'))")
            assert paths and all(p.startswith("backend/") for p in paths), paths
            assert page.locator("#trail strong").inner_text() == "backend"
            page.screenshot(path=str(tmp_path / "drilled.png"))
            page.click("#trail a[data-depth='0']")
            assert page.locator("#trail strong").inner_text() == "(root)"

            # A sortable table with bars: sorting by percent puts the highest first.
            header = page.locator("#docs-by-owner th", has_text="percent")
            header.click()
            first = page.locator("#docs-by-owner tbody tr").first.locator("td").first.inner_text()
            assert first == "@shop/frontend"  # 83.3% (5/6) beats @shop/backend's 83.1%

            # Findings by rule expand to their files; the rule id links to its docs on the page.
            rule = page.locator("#findings details.group", has_text="OWN001").first
            rule.locator("summary").click()
            # the files are drawn when the group opens: wait for them (Playwright's auto-waiting expect)
            sync_api.expect(rule).to_contain_text("backend/shop/migrations/0001_initial.py")
            rule.locator("a.rule").click()  # the link opens the rule's documentation
            # (it opens on the hash change, after the click returns: waited for, as a person would)
            sync_api.expect(page.locator("#rule-OWN001")).to_have_attribute("open", re.compile(".*"))
            assert page.locator("#rule-OWN001").get_attribute("open") is not None
            assert "unowned" in page.locator("#rule-OWN001 pre").inner_text()

            page.click("#trail a[data-depth='0']") if page.locator("#trail a").count() else None
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        finally:
            browser.close()
    assert (tmp_path / "report.png").stat().st_size > 10_000
    assert problems == []
