"""Benchmark: cold and warm ``repo-roles audit`` against ``interrogate`` on the same tree.

    python benchmarks/bench_coverage.py [--repo DIR] [--files N] [--runs 3] [--no-stage] [--no-interrogate]

Without ``--repo`` it uses /tmp/rr-bench-100k when present, else generates a repository of
``--files`` files with ``benchmarks/generate_repo.py`` in a temporary directory.  Each round runs,
interleaved so machine load hits all of them alike:

* cold  — ``repo-roles audit DIR`` with a fresh, empty ``REPO_ROLES_CACHE_DIR``;
* warm  — the same command again with the cache the cold run left;
* warm, bytecode cached — the same again with Python's compiled modules cached
  (``PYTHONPYCACHEPREFIX`` in a temporary directory), as a pip install or pre-commit's venv
  has them.  With ``PYTHONDONTWRITEBYTECODE=1`` in the environment (this machine sets it)
  every other run compiles every module of the package first: ~0.15 s, a constant that
  weighs on a 4 s warm run and not on a 45 s cold one;
* ls warm — ``repo-roles ls --format jsonl DIR`` with that cache (it needs only per-file counts);
* stage — the coverage stage alone (``analyze_context``), cold then warm, in a fresh process
  (``--no-stage`` skips it: its cold half costs as much as a cold audit);
* interrogate — ``interrogate -q DIR`` (every Python file of the tree, its default options).

It prints the median of each, the ratios the goals are about — cold audit / interrogate
(goal <= 1) and cold / warm (goal >= 10) — and the load average (the machine may be shared).
A command-line tool: it prints its figures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

DEFAULT_REPO = Path("/tmp/rr-bench-100k")
HERE = Path(__file__).resolve().parent

STAGE = """
import sys, time
from repo_roles.scan import scan
from repo_roles.coverage.analyze import analyze_context
context = scan(sys.argv[1], run_checks=False)
start = time.perf_counter(); analyze_context(context); cold = time.perf_counter() - start
start = time.perf_counter(); analyze_context(context); warm = time.perf_counter() - start
print(cold, warm)
"""


def timed(command: List[str], env: Dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1: findings (audit) or coverage under fail-under (interrogate)
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    return elapsed


def prepare(args: argparse.Namespace, scratch: Path) -> Path:
    if args.repo:
        return Path(args.repo)
    if DEFAULT_REPO.is_dir():
        return DEFAULT_REPO
    target = scratch / "repo"
    subprocess.run([sys.executable, str(HERE / "generate_repo.py"), str(target), "--files", str(args.files)],
                   check=True)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", help="an existing repository (default: /tmp/rr-bench-100k or a generated one)")
    parser.add_argument("--files", type=int, default=5000, help="files of a generated repository")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-interrogate", action="store_true", help="skip interrogate (it is the slowest)")
    parser.add_argument("--no-stage", action="store_true", help="skip the coverage stage alone (cold and warm)")
    args = parser.parse_args()
    interrogate = shutil.which("interrogate")
    if interrogate is None and not args.no_interrogate:
        raise SystemExit("interrogate is not installed (pip install interrogate), or pass --no-interrogate")
    times: Dict[str, List[float]] = {"audit cold": [], "audit warm": [], "warm+pyc": [], "ls warm": [],
                                     "stage cold": [], "stage warm": [], "interrogate": []}
    loads: List[float] = []
    with tempfile.TemporaryDirectory(prefix="rr-bench-cov-") as tmp:
        scratch = Path(tmp)
        repo = prepare(args, scratch)
        audit = [sys.executable, "-m", "repo_roles", "audit", str(repo)]
        pycache = str(scratch / "pycache")
        ls = [sys.executable, "-m", "repo_roles", "ls", "--format", "jsonl", str(repo)]
        for run in range(args.runs):
            loads.append(os.getloadavg()[0])
            env = {**os.environ, "REPO_ROLES_CACHE_DIR": str(scratch / f"cache-{run}")}
            times["audit cold"].append(timed(audit, env))
            times["audit warm"].append(timed(audit, env))
            pyc_env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
            pyc_env["PYTHONPYCACHEPREFIX"] = pycache
            if run == 0:  # untimed: writes the bytecode cache
                timed(audit, pyc_env)
            times["warm+pyc"].append(timed(audit, pyc_env))
            times["ls warm"].append(timed(ls, env))
            if not args.no_stage:
                stage_env = {**os.environ, "REPO_ROLES_CACHE_DIR": str(scratch / f"stage-{run}")}
                out = subprocess.run([sys.executable, "-c", STAGE, str(repo)], env=stage_env, check=True,
                                     capture_output=True, text=True).stdout.split()
                times["stage cold"].append(float(out[0]))
                times["stage warm"].append(float(out[1]))
            if not args.no_interrogate:
                times["interrogate"].append(timed([interrogate, "-q", str(repo)], dict(os.environ)))
            loads.append(os.getloadavg()[0])
            print(f"run {run + 1}: " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in times.items() if v)
                  + f" (load {loads[-2]:.2f} -> {loads[-1]:.2f})", flush=True)
    median = {k: statistics.median(v) for k, v in times.items() if v}
    print(f"\n{repo} — median of {args.runs} runs on {os.cpu_count()} CPUs, "
          f"1-min load average {min(loads):.2f}..{max(loads):.2f}")
    for name, value in median.items():
        print(f"  {name:<12} {value:8.2f} s")
    if "interrogate" in median:
        print(f"  cold audit / interrogate: {median['audit cold'] / median['interrogate']:.2f}  (goal <= 1)")
    print(f"  cold / warm audit:        {median['audit cold'] / median['audit warm']:.1f}x  (goal >= 10)")
    print(f"  cold / warm, bytecode cached: {median['audit cold'] / median['warm+pyc']:.1f}x")
    if "stage cold" in median:
        print(f"  cold / warm stage:        {median['stage cold'] / median['stage warm']:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
