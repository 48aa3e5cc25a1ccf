"""Benchmark: a cold ``audit`` (empty cache) beside interrogate on the same repositories, old vs new.

    python benchmarks/bench_cold.py REPO [REPO ...] [--repeat 3] [--new-path DIR] [--baseline-python PY]
                                    [--baseline-path DIR] [--timeout 900] [--no-verify] [--json FILE]

Issue 13 asks for a cold ``audit`` at 0.8x interrogate's wall time and CPU time or less, on the
same Python files.  Each round runs, for every repository, interleaved so the machine's load
hits them alike:

* ``audit REPO`` with an empty ``REPO_ROLES_CACHE_DIR`` (this checkout: ``python -m repo_roles``);
* with ``--baseline-python PY`` the same with ``PY -m repo_roles`` (``--baseline-path DIR`` is put
  on its ``PYTHONPATH``: e.g. a copy of the code before a change), also cold;
* ``interrogate -q REPO`` (every Python file of the tree, its default options);
* with ``--parse-floor``, one interpreter that reads every tracked ``.py`` file and runs
  ``ast.parse`` on it, nothing else: the floor of any analysis built on ``ast`` (interrogate's
  and ours), to read the ratios against.

Each run is one child process measured by ``os.wait4``: wall time and CPU time (user + sys of the
child and every process it waited for: the documentation workers, git).  It prints per run the
figures and the 1-minute load average, then per repository the medians with their spread
(min-max) and the ratios cold audit / interrogate in wall and CPU time (goal <= 0.8).  Commands
run from the system's temporary directory (a repository's ``.python-version`` may break a pyenv
shim inside it).  Unless ``--no-verify``, the new cold output must equal a ``--no-cache`` run and
a warm run (the cache the cold run left) of the same command byte for byte, and the baseline's
must equal the new one's (reported; a difference makes the exit code 1).
A command-line tool: it prints its figures.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

GOAL = 0.8
# every tracked .py file read and parsed, nothing else (warnings off, as the analyzers do)
PARSE_FLOOR = """
import ast, subprocess, sys, warnings
warnings.simplefilter("ignore")
repo = sys.argv[1]
names = subprocess.run(["git", "-C", repo, "ls-files", "-z", "*.py"], capture_output=True, check=True).stdout
for name in names.decode("utf-8", "surrogateescape").split("\\0"):
    if name:
        try:
            with open(repo + "/" + name, "rb") as handle:
                ast.parse(handle.read())
        except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
            pass
"""


def measure(command: Sequence[str], env: Dict[str, str], timeout: float) -> Tuple[float, float, int, str]:
    """``(wall, cpu, exit code, sha256 of stdout)`` of one run (CPU incl. waited-for children)."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(list(command), cwd=tempfile.gettempdir(), env=env, stdout=out,
                                stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        digest = hashlib.sha256(out.read()).hexdigest()
    return wall, usage.ru_utime + usage.ru_stime, proc.returncode, digest


def load() -> float:
    return os.getloadavg()[0]


def spread(values: List[float]) -> str:
    return f"{statistics.median(values):.2f} [{min(values):.2f}-{max(values):.2f}]" if values else "-"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--new-path", default=None,
                        help="PYTHONPATH for this checkout's runs (e.g. a copy of it, so it can change meanwhile)")
    parser.add_argument("--baseline-python", default=None, help="another interpreter running the old code")
    parser.add_argument("--baseline-path", default=None, help="PYTHONPATH for --baseline-python")
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--no-verify", action="store_true")
    parser.add_argument("--parse-floor", action="store_true", help="also time ast.parse of every .py file alone")
    parser.add_argument("--json", default=None, help="write every run as JSON to this file")
    args = parser.parse_args(argv)
    interrogate = shutil.which("interrogate")
    if interrogate is None:
        raise SystemExit("interrogate is not installed (pip install -e '.[bench]')")
    work = Path(tempfile.mkdtemp(prefix="bench-cold-"))
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("REPO_ROLES_")}
    base_env.pop("PYTHONPATH", None)
    new_env = dict(base_env)
    if args.new_path:
        new_env["PYTHONPATH"] = args.new_path
    tools: List[Tuple[str, List[str], Dict[str, str]]] = [
        ("new", [sys.executable, "-m", "repo_roles"], new_env),
    ]
    if args.baseline_python:
        old_env = dict(base_env)
        if args.baseline_path:
            old_env["PYTHONPATH"] = args.baseline_path
        tools.append(("old", [args.baseline_python, "-m", "repo_roles"], old_env))
    runs: Dict[Tuple[str, str], List[Tuple[float, float]]] = {}
    digests: Dict[Tuple[str, str], set] = {}
    failed = False
    print(f"load average at start {load():.2f}; {args.repeat} rounds; repositories: "
          + ", ".join(str(r) for r in args.repos), flush=True)
    try:
        for round_no in range(1, args.repeat + 1):
            for repo in args.repos:
                repo = repo.resolve()
                line = [f"round {round_no} {repo.name}: load {load():.2f}"]
                for name, command, env in tools:
                    cache = work / f"cache-{name}"
                    shutil.rmtree(cache, ignore_errors=True)
                    env = dict(env, REPO_ROLES_CACHE_DIR=str(cache))
                    wall, cpu, code, digest = measure([*command, "audit", str(repo)], env, args.timeout)
                    if code not in (0, 1):
                        failed = True
                    runs.setdefault((repo.name, f"{name} cold audit"), []).append((wall, cpu))
                    digests.setdefault((repo.name, name), set()).add(digest)
                    line.append(f"{name} {wall:.2f}s/{cpu:.2f}cpu")
                    if name == "new" and round_no == 1 and not args.no_verify:
                        for extra, label in ((["--no-cache"], "no-cache"), ([], "warm")):
                            _, _, _, other = measure([*command, "audit", *extra, str(repo)], env, args.timeout)
                            if other != digest:
                                failed = True
                                line.append(f"[{label} output DIFFERS]")
                    shutil.rmtree(cache, ignore_errors=True)
                wall, cpu, code, _ = measure([interrogate, "-q", str(repo)], dict(base_env), args.timeout)
                runs.setdefault((repo.name, "interrogate"), []).append((wall, cpu))
                line.append(f"interrogate {wall:.2f}s/{cpu:.2f}cpu")
                if args.parse_floor:
                    wall, cpu, _, _ = measure([sys.executable, "-c", PARSE_FLOOR, str(repo)], dict(base_env),
                                              args.timeout)
                    runs.setdefault((repo.name, "ast.parse floor"), []).append((wall, cpu))
                    line.append(f"ast.parse floor {wall:.2f}s/{cpu:.2f}cpu")
                print("  ".join(line), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nload average at end {load():.2f}\nmedian [min-max] of {args.repeat} rounds, seconds:")
    summary = {}
    for repo in args.repos:
        name = repo.resolve().name
        ref = runs.get((name, "interrogate"), [])
        ref_wall = statistics.median(w for w, _ in ref) if ref else None
        ref_cpu = statistics.median(c for _, c in ref) if ref else None
        floor = ["ast.parse floor"] if args.parse_floor else []
        for tool in [t[0] + " cold audit" for t in tools] + ["interrogate"] + floor:
            values = runs.get((name, tool), [])
            walls, cpus = [w for w, _ in values], [c for _, c in values]
            text = f"  {name:32} {tool:16} wall {spread(walls):22} cpu {spread(cpus):22}"
            if tool not in ("interrogate", "ast.parse floor") and walls and ref_wall and ref_cpu:
                rw, rc = statistics.median(walls) / ref_wall, statistics.median(cpus) / ref_cpu
                text += f" / interrogate: wall {rw:.2f}, cpu {rc:.2f} (goal <= {GOAL})"
                summary[f"{name} {tool}"] = {"wall_ratio": round(rw, 3), "cpu_ratio": round(rc, 3)}
            if tool == "ast.parse floor" and walls and ref_cpu:
                text += f" / interrogate cpu: {statistics.median(cpus) / ref_cpu:.2f}"
            print(text)
        if len(tools) > 1 and not args.no_verify:
            same = digests.get((name, "new")) == digests.get((name, "old")) and len(digests.get((name, "new"), ())) == 1
            print(f"  {name}: old and new cold outputs {'identical' if same else 'DIFFER'}")
            failed = failed or not same
    if args.json:
        data = {"runs": {f"{k[0]} {k[1]}": v for k, v in runs.items()}, "ratios": summary}
        Path(args.json).write_text(json.dumps(data, indent=1))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
