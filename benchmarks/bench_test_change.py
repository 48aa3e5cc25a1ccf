"""Benchmark: a run after a 20-file change, this tree against a baseline, interleaved (issue 13).

    python benchmarks/bench_test_change.py --repo COPY [--rounds 3] [--variants modules,tests]
                                           [--old-python PY --old-path SRC]

``COPY`` is a git repository this script may change (``cp -a`` of a ``generate_repo.py`` tree;
never the original): each round appends a comment line to 20 tracked ``.py`` files, evenly
spaced in ``git ls-files`` (``modules``: 20 files that are not tests; ``tests``: 15 modules and 5
``test_*.py`` files), so every run is the first one after a change (no stored run replays it).
After each change the baseline and this tree run in turn (the order alternates by round), each
with its own analysis cache (``REPO_ROLES_CACHE_DIR`` = ``<COPY>.cache-old`` / ``.cache-new``):

* ``stages``: one process runs the audit's pipeline stage by stage, as ``audit`` does, and prints
  the CPU seconds of each: ``key`` (the project opened and the stored-run key worked out and
  looked up: git's index listed when its file changed), scan (on the inventory the key read),
  coverage, test evidence, modules_needing_tests, ``four`` (those four together), TST001, all rules;
* ``audit``: then, after another change, ``repo-roles audit COPY`` end to end: wall time and CPU
  (user + sys of the process and its children).

Printed: one JSON line per run, then the median [min-max] of each figure per variant and tree,
with the load average seen. Run it once untimed first (``--rounds 1``) to warm both caches.

This script prints its figures: it is a command-line tool, not library code.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

HERE = Path(__file__).resolve()


def stage_run(repo: str) -> None:
    """The audit's pipeline, stage by stage, in this process: CPU seconds as one JSON line."""
    import gc

    gc.disable()  # as the commands run (commands/common.py no_cyclic_gc)
    clock = time.process_time
    start = clock()
    from repo_roles.checks.engine import build_selection
    from repo_roles.commands.memo import Memo, open_project
    from repo_roles.scan import scan_project

    out: Dict[str, float] = {"imports": clock() - start}
    mark = clock()

    def lap(name: str) -> None:
        nonlocal mark
        now = clock()
        out[name] = round(now - mark, 3)
        mark = now

    project = open_project(repo, None, None)  # as run_audit: the key first, then the scan
    options = dict(path=repo, config=None, untracked=None, depth=2, format="text", findings=False, compare=None)
    Memo("audit", options, project, True).lookup()  # a miss: every round changes files
    lap("key")
    four = clock()
    context = scan_project(project.root, project.config, scope=project.scope, inventory=project.inventory,
                           early_coverage=True)
    lap("scan")
    _ = context.coverage
    lap("coverage")
    _ = context.test_index.evidence()
    lap("test evidence")
    _ = context.modules_needing_tests
    lap("modules_needing_tests")
    out["four"] = round(clock() - four, 3)
    selection = build_selection(context.config)
    rules = 0.0
    for rule_id, rule in sorted(selection.enabled.items()):
        if rule.scope == "repository" and not context.repository_checks:
            continue
        before = clock()
        list(rule.check(context))
        spent = clock() - before
        rules += spent
        if rule_id == "TST001":
            out["TST001"] = round(spent, 3)
    out["rules"] = round(rules, 3)
    print(json.dumps(out))


def change_set(repo: Path, variant: str) -> List[str]:
    listed = subprocess.run(["git", "-C", str(repo), "ls-files", "*.py"], capture_output=True, text=True,
                            check=True).stdout.split("\n")
    tests = [p for p in listed if p.rpartition("/")[2].startswith("test_")]
    is_test = set(tests)  # once: a set per path made the choice quadratic (minutes at 200k files)
    modules = [p for p in listed if p and p not in is_test and not p.endswith(("__init__.py", "conftest.py"))]

    def spaced(paths: List[str], n: int) -> List[str]:
        step = max(len(paths) // n, 1)
        return paths[::step][:n]

    return spaced(modules, 20) if variant == "modules" else spaced(modules, 15) + spaced(tests, 5)


def run(python: str, path: str, cache: str, args: List[str]) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["REPO_ROLES_CACHE_DIR"] = cache
    if path:
        env["PYTHONPATH"] = path
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([python, *args], cwd="/tmp", env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return {"wall": round(wall, 3), "cpu": round(cpu, 3), "rc": done.returncode, "stdout": done.stdout}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--variants", default="modules,tests")
    parser.add_argument("--old-python", default="")
    parser.add_argument("--old-path", default="")
    parser.add_argument("--stage-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage_run:
        stage_run(args.repo)
        return 0
    repo = Path(args.repo).resolve()
    trees = [("new", sys.executable, str(HERE.parents[1]))]
    if args.old_python:
        trees.insert(0, ("old", args.old_python, args.old_path))
    records = []
    counter = 0
    for variant in args.variants.split(","):
        files = change_set(repo, variant)
        for r in range(args.rounds):
            order = trees if r % 2 == 0 else trees[::-1]
            for what in ("stages", "audit"):
                counter += 1
                for path in files:
                    with open(repo / path, "a", encoding="utf-8") as handle:
                        handle.write(f"# bench change {counter}\n")
                for name, python, src in order:
                    cache = f"{repo}.cache-{name}"
                    if what == "stages":
                        done = run(python, src, cache, [str(HERE), "--stage-run", "--repo", str(repo)])
                        figures = json.loads(done["stdout"].strip().splitlines()[-1])
                    else:
                        done = run(python, src, cache, ["-m", "repo_roles", "audit", str(repo)])
                        figures = {}
                    record = {"variant": variant, "round": r, "tree": name, "what": what, "wall": done["wall"],
                              "cpu": done["cpu"], "load": os.getloadavg()[0], **figures}
                    records.append(record)
                    print(json.dumps(record), flush=True)
    print()
    for variant in args.variants.split(","):
        for what in ("stages", "audit"):
            for name, _, _ in trees:
                rows = [r for r in records if r["variant"] == variant and r["what"] == what and r["tree"] == name]
                keys = [k for k in rows[0] if isinstance(rows[0][k], float) and k != "load"] if rows else []
                shown = ", ".join(f"{k} {statistics.median(r[k] for r in rows):.2f} "
                                  f"[{min(r[k] for r in rows):.2f}-{max(r[k] for r in rows):.2f}]" for k in keys)
                loads = [r["load"] for r in rows]
                print(f"{variant:8} {what:7} {name}: {shown} (load {min(loads):.1f}-{max(loads):.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
