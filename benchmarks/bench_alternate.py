"""Two projects of one layout used in turn with one cache directory (issue 13: project slots).

    python benchmarks/bench_alternate.py REPO_A REPO_B --runs 3 \
        --impl new="python -m repo_roles" --impl old="env PYTHONPATH=/tmp/base python3 -m repo_roles"

Each round changes 20 Python modules of A (a line appended, a new tag each time), runs ``audit A``,
restores them, then does the same with B; every implementation has its own cache directory
(``--cache-root``/<name>-cache), shared by its runs of A and B, and the implementations take turns
inside each round, so load changes hit them alike.  Before the measured rounds, each
implementation runs two unmeasured rounds (caches built, then one changed run of each).
Prints wall and CPU (user+sys of the child) per run, then median and range per implementation and
project, with the load average.  The repositories are edited and restored with
``git checkout --``: give copies, never the read-only benchmark repositories themselves.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Tuple

from bench_audit_report import _modules


def changed_audit(command: List[str], repo: Path, mods: List[str], cache: Path, tag: str) -> Tuple[float, float, int]:
    """Append a line to the modules ``mods``, run the audit, restore them: (wall, cpu, exit code)."""
    for name in mods:
        with open(repo / name, "a") as handle:
            handle.write(f"\n# edit {tag}\n")
    try:
        env = dict(os.environ, REPO_ROLES_CACHE_DIR=str(cache), REPO_ROLES_CACHE_MAX_SIZE="8G")
        start, before = time.perf_counter(), os.times()
        done = subprocess.run([*command, "audit", str(repo)], env=env, cwd="/tmp",
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        after = os.times()
        wall = time.perf_counter() - start
        cpu = (after.children_user + after.children_system) - (before.children_user + before.children_system)
        if done.returncode not in (0, 1):
            sys.stderr.write(done.stderr.decode(errors="replace")[-2000:])
        return wall, cpu, done.returncode
    finally:
        subprocess.run(["git", "checkout", "--", *mods], cwd=repo, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repos", nargs=2, type=Path)
    parser.add_argument("--impl", action="append", required=True, help="NAME=COMMAND (run as COMMAND audit REPO)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cache-root", type=Path, default=Path("/tmp/bench-alternate"))
    args = parser.parse_args()
    impls = [(spec.split("=", 1)[0], shlex.split(spec.split("=", 1)[1])) for spec in args.impl]
    results: Dict[Tuple[str, str], List[Tuple[float, float]]] = {}
    tag = f"{os.getpid()}-{time.time_ns()}"
    for repo in args.repos:  # a copy's index names the original's inodes: git would report every file changed
        subprocess.run(["git", "update-index", "-q", "--refresh"], cwd=repo, stdout=subprocess.DEVNULL)
    # the same 20 modules of each repository in every run (the 1001st to 1020th, as bench_audit_report)
    mods = {repo: _modules(repo, 20) or _modules(repo, 20, start=0) for repo in args.repos}
    for round_ in range(-2, args.runs):
        for repo in args.repos:
            for name, command in impls:
                wall, cpu, code = changed_audit(command, repo, mods[repo], args.cache_root / f"{name}-cache",
                                                f"{tag}-{round_}")
                label = "warm-up" if round_ < 0 else f"round {round_ + 1}"
                print(f"{label:8} {name:6} {repo.name:20} exit {code} wall {wall:6.2f} s cpu {cpu:6.2f} s "
                      f"load {os.getloadavg()[0]:.2f}", flush=True)
                if round_ >= 0:
                    results.setdefault((name, repo.name), []).append((wall, cpu))
    print()
    for (name, repo), runs in results.items():
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        print(f"{name:6} {repo:20} wall median {statistics.median(walls):6.2f} s ({min(walls):.2f}-{max(walls):.2f}), "
              f"cpu median {statistics.median(cpus):6.2f} s ({min(cpus):.2f}-{max(cpus):.2f}), n={len(runs)}")
    print("load average", " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
