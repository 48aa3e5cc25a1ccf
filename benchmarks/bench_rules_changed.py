"""Benchmark: the CPU time of the rules (``checks.engine.run_checks``) after a small change
(issue 13), this tree against a baseline, interleaved.

    python benchmarks/bench_rules_changed.py --copy DIR [--files 20] [--tests 0] [--runs 5] [--with-stages]
                                             [--old-python PY --old-path SRC] [--cache DIR] [--old-cache DIR]

``DIR`` is a copy of a ``generate_repo.py`` repository that this script edits (one line appended
to ``--files`` tracked ``.py`` files, left dirty, taken back with ``git checkout --`` after
each round): ``--tests`` of them are test files (``--files 20 --tests 5``: 15 modules and 5
tests), the others modules.  Each round runs, with each version in alternating order and each in a fresh
process with its own warm cache: a scan, the stages the rules read (documentation, test
evidence, the modules' test answers; with ``--with-stages`` ``run_checks`` computes them, as a
real ``audit`` does), then ``run_checks`` alone, timed by ``time.process_time``
(the process's user + system CPU), and the process's peak RSS; the cyclic garbage collector is
paused, as the commands pause it.  It prints the median with its
spread (min-max) per version and the 1-minute load average before each round.  The first round
of each version warms its cache and is not counted.  A command-line tool: it prints its figures.
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

WORKER = r"""
import gc, inspect, json, resource, sys, time
gc.disable()  # as the commands run (commands/common.py no_cyclic_gc)
from repo_roles.scan import scan
from repo_roles.checks.engine import run_checks
# as audit asks (a table of columns), where the engine can answer one
table = {"table": True} if "table" in inspect.signature(run_checks).parameters else {}
context = scan(sys.argv[1])
if sys.argv[2:] != ["--with-stages"]:  # else run_checks computes them first, as in a real audit
    context.coverage; context.test_index.evidence(); context.modules_needing_tests
start = time.process_time()
findings = run_checks(context, **table)
cpu = time.process_time() - start
print(json.dumps({"cpu": cpu, "findings": len(findings),
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""


def _round(python: str, path: Optional[str], cache: Path, repo: Path, with_stages: bool = False) -> Dict[str, float]:
    env = dict(os.environ, REPO_ROLES_CACHE_DIR=str(cache), REPO_ROLES_CACHE_MAX_SIZE="8G")
    if path:
        env["PYTHONPATH"] = path
    else:
        env.pop("PYTHONPATH", None)
    out = subprocess.run([python, "-c", WORKER, str(repo), *(["--with-stages"] if with_stages else [])],
                         cwd="/tmp", env=env, check=True,
                         stdout=subprocess.PIPE).stdout
    return json.loads(out.decode().strip().splitlines()[-1])


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, stdout=subprocess.PIPE).stdout.decode()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copy", type=Path, required=True)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--tests", type=int, default=0, help="how many of the files are tests")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--old-python", default=None)
    parser.add_argument("--old-path", default=None)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/bench-rules-cache-new"))
    parser.add_argument("--old-cache", type=Path, default=Path("/tmp/bench-rules-cache-old"))
    parser.add_argument("--with-stages", action="store_true",
                        help="time run_checks with the stages it reads first (documentation, test evidence, "
                             "the modules' test answers), as a real audit runs them")
    args = parser.parse_args(argv)
    versions = {"this tree": (sys.executable, None, args.cache)}
    if args.old_python or args.old_path:
        versions["baseline"] = (args.old_python or sys.executable, args.old_path, args.old_cache)
    listed = _git(args.copy, "ls-files", "*.py").splitlines()
    tests = [p for p in listed if "/tests/" in p or "/test_" in p]
    listed = [p for p in listed if "/tests/" not in p and "/test_" not in p]
    modules = listed[1000:1000 + args.files - args.tests] + tests[500:500 + args.tests]
    figures: Dict[str, List[Dict[str, float]]] = {name: [] for name in versions}
    loads = []
    for number in range(args.runs + 1):
        for name in (list(versions) if number % 2 else list(reversed(versions))):
            for module in modules:
                with open(args.copy / module, "a", encoding="utf-8") as handle:
                    handle.write(f"\n# bench round {number}\n")
            try:
                loads.append(os.getloadavg()[0])
                python, path, cache = versions[name]
                found = _round(python, path, cache, args.copy, args.with_stages)
            finally:
                _git(args.copy, "checkout", "--", *modules)
            if number:  # the first round warms the caches
                figures[name].append(found)
    for name, rows in figures.items():
        cpu = [r["cpu"] for r in rows]
        rss = [r["rss"] for r in rows]
        print(f"{name}: run_checks CPU median {statistics.median(cpu):.3f} s [{min(cpu):.3f}-{max(cpu):.3f}], "
              f"peak RSS median {statistics.median(rss):.0f} MB, {rows[-1]['findings']} findings, {len(rows)} runs")
    print(f"changed: {args.files - args.tests} modules, {args.tests} tests; stages "
          f"{'timed inside run_checks' if args.with_stages else 'computed before'}; "
          f"load average (1 min) before the rounds: {min(loads):.2f}-{max(loads):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
