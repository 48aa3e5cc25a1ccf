"""First run in a fresh clone with the same cache directory, against a warm run (issue 13).

For each tool (``--old`` and ``--new`` command lines, interleaved in every round) and each round:
a warm run in REPO, then ``git clone`` of REPO into a new directory (never the same path twice,
so a cache keyed by location cannot hit) and the first run there with the same
``REPO_ROLES_CACHE_DIR``; optionally a ``--no-cache`` run.  Each cache directory is primed by
two runs in REPO first.  Prints wall and CPU (user+sys of the child and what it waited for)
per run, medians with their spread, the fresh/warm ratio, and the load average before and after;
checks that the fresh clone's output equals the warm run's.

    python benchmarks/bench_fresh_clone.py /work/repos/onyx-dot-app__onyx --runs 3 \\
        --old "python3 -m repo_roles" --new "/work/venvs/v10/bin/python -m repo_roles"
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple


def run(argv: List[str], cwd: Path, env: Dict[str, str]) -> Tuple[float, float, bytes]:
    """(wall seconds, CPU seconds, stdout) of one run; exit codes other than 0/1 abort."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=str(cwd), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        sys.exit(f"{argv} in {cwd}: exit {done.returncode}\n{done.stderr.decode(errors='replace')}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def comparable(output: bytes) -> object:
    """The output without the audit document's absolute project root (the one field that names
    where the checkout is)."""
    try:
        data = json.loads(output)
    except ValueError:
        return output
    if isinstance(data, dict) and isinstance(data.get("project"), dict):
        data["project"].pop("root", None)
    return data


def show(label: str, runs: List[Tuple[float, float]]) -> Optional[float]:
    if not runs:
        return None
    walls = [w for w, _ in runs]
    cpus = [c for _, c in runs]
    print(f"  {label:<22} wall median {statistics.median(walls):6.2f} s (min {min(walls):.2f}, max {max(walls):.2f})"
          f"   cpu median {statistics.median(cpus):6.2f} s (min {min(cpus):.2f}, max {max(cpus):.2f})")
    return statistics.median(walls)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repo", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--command", default="check --output-format json",
                        help="repo-roles arguments (default: %(default)s)")
    parser.add_argument("--old", default="python3 -m repo_roles", help="baseline command line")
    parser.add_argument("--new", default=f"{sys.executable} -m repo_roles", help="new command line")
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/bench-fresh-clone"))
    parser.add_argument("--no-cache-run", action="store_true", help="also time a --no-cache run per round")
    args = parser.parse_args()
    repo = args.repo.resolve()
    shutil.rmtree(args.scratch, ignore_errors=True)
    args.scratch.mkdir(parents=True)
    tools = {"old": shlex.split(args.old), "new": shlex.split(args.new)}
    command = shlex.split(args.command)
    envs = {}
    for name in tools:
        env = dict(os.environ, REPO_ROLES_CACHE_DIR=str(args.scratch / f"cache-{name}"))
        env.pop("PYTHONPATH", None)
        envs[name] = env
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=repo, capture_output=True).stdout.count(b"\0")
    print(f"{repo} ({listed} files), command: repo-roles {args.command}; load average {os.getloadavg()}")
    for name, argv in tools.items():  # prime: a cold run, then a warm one
        for _ in range(2):
            run(argv + command, repo, envs[name])
    results: Dict[str, Dict[str, List[Tuple[float, float]]]] = {n: {"warm": [], "fresh": [], "no-cache": []} for n in tools}
    for round_ in range(args.runs):
        for name, argv in tools.items():
            wall, cpu, warm_out = run(argv + command, repo, envs[name])
            results[name]["warm"].append((wall, cpu))
            clone = args.scratch / f"clone-{name}-{round_}"
            subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
            wall, cpu, fresh_out = run(argv + command, clone, envs[name])
            results[name]["fresh"].append((wall, cpu))
            if comparable(fresh_out) != comparable(warm_out):
                print(f"  ! {name}: the fresh clone's output differs from the warm run's")
            if args.no_cache_run:
                wall, cpu, _ = run(argv + command + ["--no-cache"], clone, envs[name])
                results[name]["no-cache"].append((wall, cpu))
            shutil.rmtree(clone)
    for name in tools:
        print(f"{name}: {' '.join(tools[name])}")
        warm = show("warm (same clone)", results[name]["warm"])
        fresh = show("first run, fresh clone", results[name]["fresh"])
        show("--no-cache", results[name]["no-cache"])
        if warm and fresh:
            print(f"  fresh / warm = {fresh / warm:.2f}")
    print(f"load average after: {os.getloadavg()}")
    shutil.rmtree(args.scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
