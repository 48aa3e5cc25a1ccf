"""Benchmark: the HTML audit report against the text audit, and the page's load time in Chromium.

    python benchmarks/bench_report_html.py --repo DIR [--runs 5] [--loads 5] [--chromium /usr/bin/chromium]

One warm-up ``repo-roles audit DIR`` fills the analysis cache (``REPO_ROLES_CACHE_DIR`` in a
temporary directory unless set); then, interleaved so machine load hits both alike, ``--runs``
rounds of the text audit (``audit DIR > /dev/null``) and of ``audit --format html -o FILE DIR``.
It prints the medians, min-max, the ratio html / text (goal <= 1.3), the page's size, and the time
Chromium takes to open the page from ``file://`` until the renderer has drawn it (``body
[data-ready]``; goal < 2 s), median of ``--loads`` fresh pages; with ``--screenshot PNG`` it saves
one.  Prints the load average before and after.  A command-line tool: it prints its figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import List


def timed(argv: List[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    return time.perf_counter() - start


def spread(values: List[float]) -> str:
    return f"median {statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f}, n={len(values)})"


def load_times(page: Path, chromium: str, loads: int, screenshot: str = "") -> List[float]:
    from playwright.sync_api import sync_playwright

    out: List[float] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            for i in range(loads):
                tab = browser.new_page(viewport={"width": 1280, "height": 900})
                errors: List[str] = []
                tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                tab.on("pageerror", lambda e: errors.append(str(e)))
                start = time.perf_counter()
                tab.goto(page.as_uri())
                tab.wait_for_selector("body[data-ready='1']", timeout=60_000)
                out.append(time.perf_counter() - start)
                if errors:
                    print("page errors:", errors[:3], file=sys.stderr)
                if screenshot and i == 0:
                    tab.screenshot(path=screenshot)
                tab.close()
        finally:
            browser.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--screenshot", default="")
    args = parser.parse_args()
    env = dict(os.environ)
    env.setdefault("REPO_ROLES_CACHE_DIR", tempfile.mkdtemp(prefix="rr-bench-html-"))
    cli = [sys.executable, "-m", "repo_roles", "audit"]
    print("load average before:", os.getloadavg())
    warm = timed(cli + [args.repo], env)
    print(f"warm-up (fills the cache): {warm:.2f} s")
    page = Path(tempfile.mkdtemp(prefix="rr-bench-html-")) / "report.html"
    text: List[float] = []
    html: List[float] = []
    for _ in range(args.runs):
        text.append(timed(cli + [args.repo], env))
        html.append(timed(cli + ["--format", "html", "-o", str(page), args.repo], env))
    print("text audit:  ", spread(text))
    print("html report: ", spread(html))
    print(f"ratio html / text (medians): {statistics.median(html) / statistics.median(text):.2f} (goal <= 1.3)")
    print(f"page size: {page.stat().st_size:,} bytes")
    if os.path.exists(args.chromium):
        loads = load_times(page, args.chromium, args.loads, args.screenshot)
        print("Chromium load (goto file:// until drawn):", spread(loads), "(goal < 2 s)")
    else:
        print(f"Chromium not found at {args.chromium}: load time not measured")
    print("load average after:", os.getloadavg())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
