"""Benchmark: the audit's summary and document after a small change (issue 13), stage by stage,
this tree against a baseline, interleaved.

    python benchmarks/bench_audit_report.py --repo COPY [--files 20] [--runs 3]
                                            [--old-python PY --old-path SRC] [--cache DIR] [--old-cache DIR]
                                            [--change comment|function]

``COPY`` is a repository you may edit (a ``cp -a`` of a ``generate_repo.py`` repository): each
round appends to ``--files`` tracked ``.py`` modules (a comment line, or with ``--change function`` an
undocumented function: one more finding in each) (``git ls-files '*.py'`` without
tests, from the 1001st on), runs one process per version, and restores the files with ``git
checkout --``.  Each process runs the pipeline on its warm cache (``--cache``/``--old-cache``:
give each version its own, warmed by one ``audit`` each), then measures the CPU time of the
parts of an audit built from the scan -- ``summarize``, the document without the tree
(``build(tree=False)``: findings block, declared rows, not-measured files), the tree of
``--format json``/``html`` (``build_tree``), the sum of the first two (``report``: what the issue's target bounds) -- and the peak RSS (``VmHWM``) after the checks
and after the document.  It prints per version and part the median CPU seconds with the
spread (min-max), and the 1-minute load average before each round.
A command-line tool: it prints its figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

HERE = Path(__file__).resolve().parents[1]
PARTS = ("summarize", "document", "report", "tree", "rss_checks_mb", "rss_document_mb")


def _peak_mb() -> Optional[int]:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return None


def child(repo: str) -> None:
    """One version's figures, as one JSON line on stdout."""
    import gc
    import inspect
    import time
    from collections import Counter
    from operator import itemgetter

    gc.disable()  # as the audit command runs (no cyclic collection)
    from repo_roles.auditreport.document import build
    from repo_roles.auditreport.tree import build_tree
    from repo_roles.checks.engine import run_checks
    from repo_roles.scan import scan
    from repo_roles.summary import summarize

    context = scan(repo)
    # as audit asks (a table of columns, counted without making findings), where the engine can
    table = {"table": True} if "table" in inspect.signature(run_checks).parameters else {}
    context.findings = run_checks(context, **table)
    figures: Dict[str, Optional[float]] = {"rss_checks_mb": _peak_mb()}
    cpu = time.process_time
    start = cpu()
    summary = summarize(context)
    figures["summarize"] = cpu() - start
    start = cpu()
    build(context, summary, tree=False)
    figures["document"] = cpu() - start
    figures["report"] = figures["summarize"] + figures["document"]
    findings = context.findings
    per_path = Counter(findings.column(2) if hasattr(findings, "column") else map(itemgetter(2), findings))
    start = cpu()
    build_tree(context, per_path)
    figures["tree"] = cpu() - start
    figures["rss_document_mb"] = _peak_mb()
    print(json.dumps(figures))


def _modules(repo: Path, count: int, start: int = 1000) -> List[str]:
    """``count`` tracked modules (no test file), from the ``start``-th in git's order."""
    listed = subprocess.run(["git", "ls-files", "*.py"], cwd=repo, capture_output=True, text=True, check=True)
    modules = [p for p in listed.stdout.split("\n")
               if p and "/tests/" not in p and not p.rpartition("/")[2].startswith("test_")]
    return modules[start:start + count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", required=True)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--old-python", default=None)
    parser.add_argument("--old-path", default=None, help="a checkout of the baseline (put first on PYTHONPATH)")
    parser.add_argument("--cache", default="/tmp/bench-audit-report-cache")
    parser.add_argument("--old-cache", default="/tmp/bench-audit-report-cache-old")
    parser.add_argument("--change", choices=("comment", "function"), default="comment",
                        help="what each round appends to the modules: a comment line (the findings keep their "
                             "rules and paths), or an undocumented function (one more finding in each)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.repo)
        return
    repo = Path(args.repo).resolve()
    versions = [("new", sys.executable, None, args.cache)]
    if args.old_python or args.old_path:
        versions.append(("old", args.old_python or sys.executable, args.old_path, args.old_cache))
    rows: Dict[str, List[dict]] = {name: [] for name, _, _, _ in versions}
    modules = _modules(repo, args.files)
    for round_ in range(args.runs):
        print(f"round {round_ + 1}: load average {os.getloadavg()[0]:.2f}", flush=True)
        for path in modules:
            with open(repo / path, "a", encoding="utf-8") as handle:
                if args.change == "comment":
                    handle.write(f"\n# bench_audit_report {round_}\n")
                else:
                    handle.write(f"\n\ndef bench_audit_report_{round_}(x):\n    return x\n")
        try:
            for name, python, source, cache in (versions if round_ % 2 == 0 else versions[::-1]):
                env = dict(os.environ, REPO_ROLES_CACHE_DIR=cache, REPO_ROLES_CACHE_MAX_SIZE="8G")
                if source:
                    env["PYTHONPATH"] = source
                out = subprocess.run([python, str(Path(__file__).resolve()), "--child", "--repo", str(repo)],
                                     env=env, cwd="/tmp", capture_output=True, text=True)
                if out.returncode != 0:
                    sys.exit(f"{name}: {out.stderr[-2000:]}")
                rows[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
        finally:
            subprocess.run(["git", "checkout", "--", *modules], cwd=repo, check=True)
    for name, found in rows.items():
        parts = []
        for part in PARTS:
            values = [row[part] for row in found if row.get(part) is not None]
            if values:
                digits, unit = (0, "") if part.startswith("rss") else (3, " s")
                parts.append(f"{part} {statistics.median(values):.{digits}f}{unit} "
                             f"({min(values):.{digits}f}-{max(values):.{digits}f})")
        print(f"{name}: " + ", ".join(parts))


if __name__ == "__main__":
    main()
