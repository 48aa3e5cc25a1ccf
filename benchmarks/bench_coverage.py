"""Benchmark: cold and warm ``repo-roles audit`` against ``interrogate`` on the same tree.

    python benchmarks/bench_coverage.py [--repo DIR] [--files N] [--shape thin|default] [--runs 3]
                                        [--no-stage] [--no-interrogate] [--cold-only]
                                        [--baseline-python PY] [--baseline-path SRC] [--interrogate EXE]

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

* baseline cold — with ``--baseline-python`` (and ``--baseline-path``, a source tree put first
  on ``PYTHONPATH``, e.g. ``git archive <commit>`` unpacked), the cold audit of another version
  of repo-roles, in the same round: old and new are compared under the same load.

Every command is timed in wall time and in CPU time: user + system of the process and its
children (``resource.getrusage(RUSAGE_CHILDREN)`` before and after each run; the coverage
stage's workers are children).  On a shared machine CPU time is the more robust figure: wall
time moves with what the other processes do.  It prints the median of each with its spread
(min–max), the ratios the goals are about — cold audit / interrogate in wall and CPU time
(issue 13: <= 0.8) and cold / warm (goal >= 10) — and the 1-minute load average before and
after each round.  ``--cold-only`` times only the cold audits and interrogate (the ratio of
issue 13 on a large repository, without the warm runs' minutes).
A command-line tool: it prints its figures.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_cpu(command: List[str], env: Dict[str, str]) -> Tuple[float, float]:
    """``(wall seconds, CPU seconds)`` of one run: user + system time of the command and every
    process it waited for (a pool's workers included)."""
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    # 1: findings (audit) or coverage under fail-under (interrogate); but an uncaught exception
    # exits 1 too: interrogate on Python 3.11 stops at the first `type X = ...` (PEP 695)
    if done.returncode not in (0, 1) or b"Traceback (most recent call last)" in done.stderr:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    return elapsed, _children_cpu() - cpu


def timed(command: List[str], env: Dict[str, str]) -> float:
    return timed_cpu(command, env)[0]


def spread(values: List[float]) -> str:
    """``median (min–max)``."""
    return f"{statistics.median(values):7.2f} ({min(values):.2f}–{max(values):.2f})"


def prepare(args: argparse.Namespace, scratch: Path) -> Path:
    if args.repo:
        return Path(args.repo)
    if DEFAULT_REPO.is_dir():
        return DEFAULT_REPO
    target = scratch / "repo"
    subprocess.run([sys.executable, str(HERE / "generate_repo.py"), str(target), "--files", str(args.files),
                    "--shape", args.shape], check=True)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", help="an existing repository (default: /tmp/rr-bench-100k or a generated one)")
    parser.add_argument("--files", type=int, default=5000, help="files of a generated repository")
    parser.add_argument("--shape", choices=("default", "thin"), default="default",
                        help="of a generated repository (generate_repo.py --shape)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-interrogate", action="store_true", help="skip interrogate (it is the slowest)")
    parser.add_argument("--no-stage", action="store_true", help="skip the coverage stage alone (cold and warm)")
    parser.add_argument("--cold-only", action="store_true", help="time only the cold audits and interrogate")
    parser.add_argument("--python", default=sys.executable, help="the interpreter of the repo-roles under test")
    parser.add_argument("--path", help="a source tree put first on PYTHONPATH for the repo-roles under test")
    parser.add_argument("--baseline-python", help="also time the cold audit of this interpreter's repo-roles")
    parser.add_argument("--baseline-path", help="a source tree put first on PYTHONPATH for the baseline")
    parser.add_argument("--interrogate", help="the interrogate executable (default: the one on PATH); one "
                                               "running on a Python that parses the repository's syntax")
    args = parser.parse_args()
    interrogate = args.interrogate or shutil.which("interrogate")
    if interrogate is None and not args.no_interrogate:
        raise SystemExit("interrogate is not installed (pip install interrogate), or pass --no-interrogate")
    names = ["audit cold"] + (["baseline cold"] if args.baseline_python else [])
    if not args.cold_only:
        names += ["audit warm", "warm+pyc", "ls warm"] + ([] if args.no_stage else ["stage cold", "stage warm"])
    names += [] if args.no_interrogate else ["interrogate"]
    wall: Dict[str, List[float]] = {name: [] for name in names}
    cpu: Dict[str, List[float]] = {name: [] for name in names}
    loads: List[Tuple[float, float]] = []

    def record(name: str, figures: Tuple[float, float]) -> None:
        wall[name].append(figures[0])
        cpu[name].append(figures[1])

    def with_path(env: Dict[str, str], path: str) -> Dict[str, str]:
        return {**env, "PYTHONPATH": path + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")}

    with tempfile.TemporaryDirectory(prefix="rr-bench-cov-") as tmp:
        scratch = Path(tmp)
        repo = prepare(args, scratch)
        audit = [args.python, "-m", "repo_roles", "audit", str(repo)]
        pycache = str(scratch / "pycache")
        ls = [args.python, "-m", "repo_roles", "ls", "--format", "jsonl", str(repo)]
        for run in range(args.runs):
            before = os.getloadavg()[0]
            env = {**os.environ, "REPO_ROLES_CACHE_DIR": str(scratch / f"cache-{run}")}
            if args.path:
                env = with_path(env, args.path)
            record("audit cold", timed_cpu(audit, env))
            if args.baseline_python:
                base_env = {**os.environ, "REPO_ROLES_CACHE_DIR": str(scratch / f"base-{run}")}
                if args.baseline_path:
                    base_env = with_path(base_env, args.baseline_path)
                record("baseline cold", timed_cpu([args.baseline_python, "-m", "repo_roles", "audit", str(repo)],
                                                  base_env))
            if not args.cold_only:
                record("audit warm", timed_cpu(audit, env))
                pyc_env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
                pyc_env["PYTHONPYCACHEPREFIX"] = pycache
                if run == 0:  # untimed: writes the bytecode cache
                    timed(audit, pyc_env)
                record("warm+pyc", timed_cpu(audit, pyc_env))
                record("ls warm", timed_cpu(ls, env))
                if not args.no_stage:
                    stage_env = {**env, "REPO_ROLES_CACHE_DIR": str(scratch / f"stage-{run}")}
                    out = subprocess.run([args.python, "-c", STAGE, str(repo)], env=stage_env, check=True,
                                         capture_output=True, text=True).stdout.split()
                    record("stage cold", (float(out[0]), float("nan")))
                    record("stage warm", (float(out[1]), float("nan")))
            if not args.no_interrogate:
                record("interrogate", timed_cpu([interrogate, "-q", str(repo)], dict(os.environ)))
            loads.append((before, os.getloadavg()[0]))
            print(f"run {run + 1}: " + ", ".join(f"{k} {wall[k][-1]:.2f}s/{cpu[k][-1]:.2f}s cpu" for k in names)
                  + f" (load {before:.2f} -> {loads[-1][1]:.2f})", flush=True)
            shutil.rmtree(scratch / f"cache-{run}", ignore_errors=True)
            shutil.rmtree(scratch / f"base-{run}", ignore_errors=True)
    every_load = [value for pair in loads for value in pair]
    print(f"\n{repo} — {args.runs} runs on {os.cpu_count()} CPUs, 1-min load average "
          f"{min(every_load):.2f}..{max(every_load):.2f} (median {statistics.median(every_load):.2f})")
    print(f"  {'':<14} {'wall s: median (min–max)':>26}  {'CPU s: median (min–max)':>26}")
    for name in names:
        cpu_text = spread(cpu[name]) if not any(v != v for v in cpu[name]) else "-"
        print(f"  {name:<14} {spread(wall[name]):>26}  {cpu_text:>26}")
    median_wall = {k: statistics.median(v) for k, v in wall.items()}
    median_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    if "interrogate" in median_wall:
        for name in ("audit cold", "baseline cold"):
            if name in median_wall:
                print(f"  {name} / interrogate: wall {median_wall[name] / median_wall['interrogate']:.2f}, "
                      f"CPU {median_cpu[name] / median_cpu['interrogate']:.2f}  (issue 13: <= 0.8 in both)")
    if "baseline cold" in median_wall:
        print(f"  cold audit / baseline: wall {median_wall['audit cold'] / median_wall['baseline cold']:.2f}, "
              f"CPU {median_cpu['audit cold'] / median_cpu['baseline cold']:.2f}")
    if "audit warm" in median_wall:
        print(f"  cold / warm audit:        {median_wall['audit cold'] / median_wall['audit warm']:.1f}x  (goal >= 10)")
        print(f"  cold / warm, bytecode cached: {median_wall['audit cold'] / median_wall['warm+pyc']:.1f}x")
    if "stage cold" in median_wall:
        print(f"  cold / warm stage:        {median_wall['stage cold'] / median_wall['stage warm']:.1f}x")
    print("  (CPU time = user + system of the process and its children; on a shared machine it moves "
          "less with the others' load than wall time)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
