"""Benchmark: classifying every file of a repository afresh (a cold run's classification), old vs new.

    python benchmarks/bench_classify.py REPO [REPO ...] [--repeat 5] [--new-path DIR]
                                        [--baseline-python PY] [--baseline-path DIR]

Issue 13 asks the cold run to classify each file in C-speed passes (goal: <= 15 us of CPU per
file).  Each round runs, per repository and interleaved, one child process per code under test
that lists the repository (git's index, the configuration's excludes, as a scan does), fetches
the git attributes, then times ``Classifier.classify_all`` with no role or content cache -- what
a first ``audit`` or an ``--no-cache`` run does -- by the thread's CPU clock (the listing and
git are not counted) and by the wall clock.  It prints each run's figures with the 1-minute
load average, then per repository the medians [min-max] in us per file, and checks that both
codes decided the same role, signal, detail and source for every file (a difference makes the
exit code 1).
A command-line tool: it prints its figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

# One cold classification of the repository in argv[1]: prints files, thread CPU, wall, digest.
CHILD = """
import gc, hashlib, sys, time
gc.disable()
from pathlib import Path
from repo_roles.classify import Classifier
from repo_roles.classify.signals import ATTRIBUTES
from repo_roles.config import load_config
from repo_roles.inventory import load_inventory
from repo_roles.scan import _filter_entries
root = Path(sys.argv[1]).resolve()
name = root / "repo-roles.toml"
config = load_config(name if name.is_file() else None)
inventory = _filter_entries(load_inventory(root, untracked=config.untracked), config)
inventory.attributes(list(ATTRIBUTES))
classifier = Classifier(config, inventory)
cpu, wall = time.thread_time(), time.perf_counter()
found = classifier.classify_all()
cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
digest = hashlib.sha256()
for path, c in found.items():
    digest.update(repr((path, c.role, c.signal, c.detail, c.source)).encode("utf-8", "surrogateescape"))
print(len(found), cpu, wall, digest.hexdigest())
"""


def run(python: str, env: Dict[str, str], repo: Path) -> Tuple[int, float, float, str]:
    out = subprocess.run([python, "-c", CHILD, str(repo)], env=env, cwd=tempfile.gettempdir(),
                         capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]), float(out[1]), float(out[2]), out[3]


def spread(values: List[float]) -> str:
    return f"{statistics.median(values):.1f} [{min(values):.1f}-{max(values):.1f}]"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--new-path", default=None, help="PYTHONPATH for this checkout's runs (e.g. a copy of it)")
    parser.add_argument("--baseline-python", default=None, help="another interpreter running the old code")
    parser.add_argument("--baseline-path", default=None, help="PYTHONPATH for the old code")
    parser.add_argument("--json", default=None, help="write every run as JSON to this file")
    args = parser.parse_args(argv)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("REPO_ROLES_")}
    base_env.pop("PYTHONPATH", None)
    base_env["REPO_ROLES_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench-classify-")  # nothing cached is read
    tools: List[Tuple[str, str, Dict[str, str]]] = [
        ("new", sys.executable, dict(base_env, **({"PYTHONPATH": args.new_path} if args.new_path else {})))]
    if args.baseline_python or args.baseline_path:
        tools.append(("old", args.baseline_python or sys.executable,
                      dict(base_env, **({"PYTHONPATH": args.baseline_path} if args.baseline_path else {}))))
    runs: Dict[Tuple[str, str], List[Tuple[int, float, float, str]]] = {}
    for round_no in range(1, args.repeat + 1):
        for repo in args.repos:
            repo = repo.resolve()
            line = [f"round {round_no} {repo.name}: load {os.getloadavg()[0]:.2f}"]
            for label, python, env in (tools if round_no % 2 else tools[::-1]):
                files, cpu, wall, digest = run(python, env, repo)
                runs.setdefault((repo.name, label), []).append((files, cpu, wall, digest))
                line.append(f"{label} {1e6 * cpu / files:.1f} us/file CPU ({cpu:.3f} s), wall {wall:.3f} s")
            print("  ".join(line), flush=True)
    failed = False
    print(f"load average at end {os.getloadavg()[0]:.2f}; medians [min-max] of {args.repeat} rounds:")
    for repo in args.repos:
        name = repo.resolve().name
        for label, _, _ in tools:
            done = runs[(name, label)]
            files = done[0][0]
            print(f"  {name:28s} {label}: {files} files, CPU {spread([1e6 * r[1] / files for r in done])} us/file, "
                  f"wall {spread([1e6 * r[2] / files for r in done])} us/file")
        digests = {r[3] for label, _, _ in tools for r in runs[(name, label)]}
        same = len(digests) == 1
        failed = failed or not same
        print(f"  {name}: " + ("every run decided the same for every file" if same else "DIFFERS between runs or codes"))
    if args.json:
        Path(args.json).write_text(json.dumps({f"{k[0]} {k[1]}": v for k, v in runs.items()}, indent=1))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
