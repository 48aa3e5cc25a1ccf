"""Benchmark: a warm ``repo-roles audit`` after a small change (issue 13: cost proportional to
what changed), this tree against a baseline, interleaved.

    python benchmarks/bench_changed.py --repo SRC --copy DIR [--files 20] [--runs 3] [--commit]
                                       [--old-python PY --old-path SRC] [--cache DIR] [--old-cache DIR]
                                       [--compare] [--command "ls --format jsonl"]

``SRC`` (e.g. a ``generate_repo.py`` repository) is never changed: it is copied once to ``DIR``
(``cp -a``, kept between invocations; delete it yourself).  Both versions get their own cache
directory (``--cache``/``--old-cache``, kept too: the first invocation warms them with one
audit each).  Each round appends one line to ``--files`` tracked ``.py`` files of the copy
(``git ls-files '*.py'``, from the 1001st on) -- left dirty, or committed with ``--commit``
(the blob ids in git's index change: the classifier's and ownership tables learn the new rows)
-- and then runs ``audit DIR`` with each version, in alternating order, each a fresh process.
The stored-run cache misses after every change, so the pipeline runs on the per-file caches.

It prints, per version, the median wall time with its spread (min-max), the CPU time (user and
system of the process and its children: ``os.wait4``), the peak RSS (``ru_maxrss``: the largest
process of the tree), and the 1-minute load average before each round.  ``--command`` times
another command after the change instead of ``audit`` (its words, then ``DIR``), e.g.
``--command "ls --format jsonl"``; the warm-up stays an ``audit``.  ``--modules`` changes modules
only (the files from the 1001st of a generated repository are tests, whose change moves the
test evidence as well).  ``--function`` appends an undocumented function instead of a
comment line (the files' findings change too).  ``--compare`` checks at
the end that this tree's ``audit --format json --findings`` equals a ``--no-cache`` run's.
A command-line tool: it prints its figures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parents[1]


def _run(python: str, path: Optional[str], cache: Path, args: List[str], out: Optional[Path] = None
         ) -> Tuple[float, float, float, int, int]:
    """``(wall, user, sys, max RSS in MB, exit code)`` of ``python -m repo_roles ARGS``."""
    env = dict(os.environ, REPO_ROLES_CACHE_DIR=str(cache))
    if path:
        env["PYTHONPATH"] = path
    else:
        env.pop("PYTHONPATH", None)
    sink = open(out, "wb") if out is not None else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        process = subprocess.Popen([python, "-m", "repo_roles", *args], cwd="/tmp", env=env,
                                   stdout=sink, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    finally:
        if out is not None:
            sink.close()
    process.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime, usage.ru_stime, usage.ru_maxrss // 1024, process.returncode


def _change(copy: Path, files: List[str], round_no: int, commit: bool, function: bool = False) -> None:
    for number, name in enumerate(files):
        with open(copy / name, "a") as handle:
            if function:  # an undocumented public function: the file's findings change too
                handle.write(f"\n\ndef bench_change_{round_no}_{number}_{time.time_ns()}():\n    return 1\n")
            else:
                handle.write(f"# bench change {round_no} {time.time()}\n")
    if commit:
        subprocess.run(["git", "commit", "-q", "--no-verify", "-m", f"bench change {round_no}", "--", *files],
                       cwd=copy, check=True)


def _is_test(path: str) -> bool:
    name = path.rpartition("/")[2]
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py" or "/tests/" in f"/{path}"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", required=True)
    parser.add_argument("--copy", required=True)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--commit", action="store_true")
    parser.add_argument("--old-python")
    parser.add_argument("--old-path")
    parser.add_argument("--cache", default="/tmp/bench-changed-cache-new")
    parser.add_argument("--old-cache", default="/tmp/bench-changed-cache-old")
    parser.add_argument("--compare", action="store_true")
    parser.add_argument("--command", default="audit", help='the command timed after each change (default "audit")')
    parser.add_argument("--function", action="store_true",
                        help="append an undocumented function to each file instead of a comment line")
    parser.add_argument("--modules", action="store_true",
                        help="change modules only (no test file, conftest.py or file under a tests/ directory)")
    options = parser.parse_args(argv)
    copy = Path(options.copy)
    if not copy.exists():
        subprocess.run(["cp", "-a", options.repo, str(copy)], check=True)
    # A copy's index holds the source's stat data: refreshed, or git reports every file modified.
    subprocess.run(["git", "update-index", "-q", "--refresh"], cwd=copy, stdout=subprocess.DEVNULL)
    listed = subprocess.run(["git", "ls-files", "*.py"], cwd=copy, capture_output=True, text=True, check=True)
    candidates = listed.stdout.splitlines()[1000:]
    if options.modules:  # the generator's first files past 1000 are tests: their evidence changes too
        candidates = [p for p in candidates if not _is_test(p)]
    files = candidates[:options.files]
    versions: Dict[str, Tuple[str, Optional[str], Path]] = {"new": (sys.executable, str(HERE), Path(options.cache))}
    if options.old_python:
        versions["old"] = (options.old_python, options.old_path, Path(options.old_cache))
    for name, (python, path, cache) in versions.items():
        if not (cache / "runs").exists():
            print(f"warming the {name} cache (a cold audit)...", flush=True)
            _run(python, path, cache, ["audit", str(copy)])
    figures: Dict[str, List[Tuple[float, float, float, int, int]]] = {name: [] for name in versions}
    for round_no in range(options.runs):
        _change(copy, files, round_no, options.commit, options.function)
        load = os.getloadavg()[0]
        order = list(versions) if round_no % 2 == 0 else list(reversed(versions))
        for name in order:
            python, path, cache = versions[name]
            figures[name].append(_run(python, path, cache, [*options.command.split(), str(copy)]))
        print(f"round {round_no + 1}: load {load:.2f}  " + "  ".join(
            f"{name} {figures[name][-1][0]:.2f}s wall {figures[name][-1][1] + figures[name][-1][2]:.2f}s cpu "
            f"{figures[name][-1][3]} MB" for name in versions), flush=True)
    print(f"\n{options.command} after a {options.files}-file change ({'committed' if options.commit else 'dirty'}), "
          f"{options.runs} runs, {copy}")
    for name, rows in figures.items():
        walls = [r[0] for r in rows]
        users = [r[1] for r in rows]
        syss = [r[2] for r in rows]
        rss = [r[3] for r in rows]
        print(f"  {name}: wall {statistics.median(walls):.2f} s ({min(walls):.2f}-{max(walls):.2f}), "
              f"user {statistics.median(users):.2f} s, sys {statistics.median(syss):.2f} s, "
              f"cpu {statistics.median([u + s for u, s in zip(users, syss)]):.2f} s, "
              f"peak RSS {statistics.median(rss)} MB ({min(rss)}-{max(rss)}), exit {rows[-1][4]}")
    if options.compare:
        scratch = Path(options.cache) / "compare"
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True)
        python, path, cache = versions["new"]
        args = ["audit", "--format", "json", "--findings", str(copy)]
        _run(python, path, cache, args, scratch / "cached.json")
        _run(python, path, scratch / "empty", [*args[:-1], "--no-cache", str(copy)], scratch / "uncached.json")
        same = (scratch / "cached.json").read_bytes() == (scratch / "uncached.json").read_bytes()
        print(f"  cached audit --format json --findings {'==' if same else '!='} --no-cache")
        return 0 if same else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
