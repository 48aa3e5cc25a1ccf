"""Benchmark: the back half of a real ``audit`` after a small change (issue 13), this tree against
a baseline, interleaved -- what the process spends from the summary to its exit.

    python benchmarks/bench_audit_end.py --repo COPY [--files 20] [--runs 5]
                                         [--old-python PY --old-path SRC] [--cache DIR] [--old-cache DIR]

``COPY`` is a repository you may edit (a ``cp -a`` of a ``generate_repo.py`` repository): each
round appends a comment line to ``--files`` tracked ``.py`` modules (without tests, from the
1001st on), runs ``python -m repo_roles audit COPY`` once per version (each on its own warm
cache: warm it with one changed ``audit`` first), and restores the files with ``git checkout
--``.  Inside each process (``-c``: the command itself, through ``cli.run``) the CPU time
(``time.process_time``) of ``summary.summarize``, ``auditreport.document.build``, the rendering
and stored-run write between the document and the output (``render``), the output's delivery,
and what follows it until ``os._exit`` (``end``: the command's teardown, the cache bound) is
recorded, with the process's total CPU at its exit (git's children not included).  It prints
per version the median with the spread (min-max) and the 1-minute load average of each round.
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
from typing import Dict, List

from bench_audit_report import _modules

HERE = Path(__file__).resolve().parents[1]
PARTS = ("summarize", "document", "render", "deliver", "end", "total")
CHILD = r'''
import json, os, sys, time
T = time.process_time
at = {}
import repo_roles.auditreport.document as D, repo_roles.commands.audit as A, repo_roles.summary as S
def timed(module, name):
    function = getattr(module, name)
    def wrapper(*args, **kwargs):
        start = T(); found = function(*args, **kwargs); at[name] = (start, T()); return found
    setattr(module, name, wrapper)
for module, name in ((S, "summarize"), (D, "build"), (A, "_deliver")):
    timed(module, name)
exit_ = os._exit
def _exit(code):
    end = T()
    sys.stderr.write("\nparts %s\n" % json.dumps({"summarize": at["summarize"][1] - at["summarize"][0],
        "document": at["build"][1] - at["build"][0], "render": at["_deliver"][0] - at["build"][1],
        "deliver": at["_deliver"][1] - at["_deliver"][0], "end": end - at["_deliver"][1], "total": end}))
    sys.stderr.flush(); exit_(code)
os._exit = _exit
import repo_roles.cli as cli
sys.argv = ["repo-roles", "audit", sys.argv[1]]
cli.run()
'''


def _round(repo: Path, python: str, path: str, cache: str) -> Dict[str, float]:
    env = dict(os.environ, REPO_ROLES_CACHE_DIR=cache, REPO_ROLES_CACHE_MAX_SIZE="8G")
    env.pop("PYTHONPATH", None)
    if path:
        env["PYTHONPATH"] = path
    done = subprocess.run([python, "-c", CHILD, str(repo)], env=env, cwd="/tmp", stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    lines = [line for line in done.stderr.splitlines() if line.startswith("parts ")]
    if not lines:
        raise SystemExit(f"no figures (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return json.loads(lines[-1][len("parts "):])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", type=Path, required=True)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--old-python")
    parser.add_argument("--old-path", default="")
    parser.add_argument("--cache", default="/tmp/bench-audit-end-new")
    parser.add_argument("--old-cache", default="/tmp/bench-audit-end-old")
    args = parser.parse_args()
    modules = _modules(Path(args.repo), args.files)
    versions = {"new": (sys.executable, str(HERE), args.cache)}
    if args.old_python:
        versions["old"] = (args.old_python, args.old_path, args.old_cache)
    figures: Dict[str, Dict[str, List[float]]] = {v: {p: [] for p in PARTS} for v in versions}
    for number in range(args.runs):
        print(f"round {number + 1}: load {os.getloadavg()[0]:.2f}", flush=True)
        for version, (python, path, cache) in versions.items():
            for module in modules:
                with open(args.repo / module, "a") as handle:
                    handle.write(f"\n# bench_audit_end {version} {os.getpid()} {number}\n")  # never a stored run
            try:
                found = _round(args.repo, python, path, cache)
            finally:
                subprocess.run(["git", "checkout", "--", *modules], cwd=args.repo, check=True)
            for part in PARTS:
                figures[version][part].append(found[part])
    for version, parts in figures.items():
        print(version + "  " + "  ".join(
            f"{part} {statistics.median(values):.4f} [{min(values):.4f}-{max(values):.4f}]"
            for part, values in parts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
