"""Benchmark: a run with nothing changed, answered from a stored run, as the repository grows.

    python benchmarks/bench_stored_runs.py REPO [REPO ...] [--repeat 5] [--cache-dir DIR]
        [--baseline-python PY] [--baseline-pythonpath DIR] [--commands audit,ls,check] [--json FILE]

For every repository (never modified: a replay writes only to the cache) and every command --
``audit REPO``, ``ls --format jsonl REPO``, ``check --output-format json REPO`` -- it first runs
the command once to store its answer (untimed; its output is the reference), then ``--repeat``
rounds, each running every command once with this interpreter's repo-roles and, with
``--baseline-python``, once with another installation (e.g. the code before a change:
``--baseline-python python3 --baseline-pythonpath /tmp/base``), interleaved so that the
machine's load hits them alike.  Each side has its own cache directory under ``--cache-dir``
(kept between invocations, so a second invocation measures at once).

Each run is one child process measured by ``os.wait4`` (``bench_curve.measure``): wall time,
CPU (user + sys of the process and of every child it waited for: git's own CPU counts) and peak
RSS.  Every replayed output must equal the stored run's reference byte for byte (else the exit
code is 1).  It prints medians with their spread (min-max) per repository, side and command,
the per-file slope over the repositories (least squares; files = git's listing), and the
1-minute load average at the start, the end and every round.  With a baseline, the two sides'
stored outputs must be equal too.  Run it with ``REPO_ROLES_CACHE_MAX_SIZE`` above the caches'
size (e.g. ``8G``) when the repositories' per-file caches together exceed the default cap of
1 GiB: else every run ends by evicting, and the stored runs evict one another.
A command-line tool: it prints its figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_curve import Run, load, measure, slope, spread  # noqa: E402

COMMANDS = {
    "audit": ["audit"],
    "ls": ["ls", "--format", "jsonl"],
    "check": ["check", "--output-format", "json"],
}


def file_count(repo: Path) -> int:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=str(repo), capture_output=True, check=True).stdout
    return out.count(b"\0")


class Side:
    """One installation of repo-roles: how to run it, and its own cache directory."""

    def __init__(self, name: str, python: str, pythonpath: Optional[str], cache: Path) -> None:
        self.name, self.python, self.pythonpath, self.cache = name, python, pythonpath, cache

    def env(self) -> Dict[str, str]:
        env = {**os.environ, "REPO_ROLES_CACHE_DIR": str(self.cache)}
        env.pop("PYTHONPATH", None)
        if self.pythonpath:
            env["PYTHONPATH"] = self.pythonpath
        return env

    def command(self, command: str, repo: Path) -> List[str]:
        return [self.python, "-m", "repo_roles", *COMMANDS[command], str(repo)]


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "bench-stored-runs")
    parser.add_argument("--baseline-python")
    parser.add_argument("--baseline-pythonpath")
    parser.add_argument("--commands", default="audit,ls,check")
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--json", dest="json_path")
    args = parser.parse_args(argv)
    commands = [c for c in args.commands.split(",") if c]
    unknown = set(commands) - COMMANDS.keys()
    if unknown:
        parser.error(f"unknown commands: {', '.join(sorted(unknown))}")
    sides = [Side("new", sys.executable, None, args.cache_dir / "new")]
    if args.baseline_python:
        sides.append(Side("old", args.baseline_python, args.baseline_pythonpath, args.cache_dir / "old"))
    work = Path(tempfile.mkdtemp(prefix="bench-stored-runs-"))
    print(f"load average at start: {load()}", flush=True)
    runs: Dict[Tuple[str, str, str], List[Run]] = {}
    reference: Dict[Tuple[str, str, str], str] = {}
    sizes: Dict[str, int] = {}
    failures: List[str] = []
    cwd = Path(tempfile.gettempdir())
    for repo in args.repos:
        repo = repo.resolve()
        sizes[str(repo)] = file_count(repo)
        for side in sides:
            side.cache.mkdir(parents=True, exist_ok=True)
            for command in commands:  # store the answer (or find it stored by an earlier invocation)
                first = measure(side.command(command, repo), cwd=cwd, env=side.env(), timeout=args.timeout,
                                out_path=work / "out.txt")
                reference[(str(repo), side.name, command)] = first.digest
                print(f"stored {repo.name} {side.name} {command}: {first.wall:.2f} s", flush=True)
        for command in commands if len(sides) > 1 else ():
            if reference[(str(repo), "new", command)] != reference[(str(repo), "old", command)]:
                failures.append(f"{repo.name} {command}: the new output differs from the baseline's")
            else:
                print(f"{repo.name} {command}: the new output equals the baseline's", flush=True)
        for round_ in range(args.repeat):
            for command in commands:
                for side in sides:
                    key = (str(repo), side.name, command)
                    run = measure(side.command(command, repo), cwd=cwd, env=side.env(), timeout=args.timeout,
                                  out_path=work / "out.txt")
                    runs.setdefault(key, []).append(run)
                    if run.digest != reference[key]:
                        failures.append(f"{repo.name} {side.name} {command} round {round_ + 1}: output differs")
            print(f"round {round_ + 1} {repo.name}: load {load()}", flush=True)
    print(f"load average at end: {load()}")
    summary: Dict[str, Any] = {"files": sizes, "runs": {}, "slopes": {}, "failures": failures}
    for (repo, side, command), found in sorted(runs.items()):
        stats = {what: spread([getattr(r, what) for r in found]) for what in ("wall", "cpu", "rss_mb")}
        summary["runs"][f"{Path(repo).name} {side} {command}"] = stats
        print(f"{Path(repo).name:>16} ({sizes[repo]:>7} files) {side} {command:<5}  "
              + "  ".join(f"{what} {s['median']:.3f} [{s['min']:.3f}-{s['max']:.3f}]" for what, s in stats.items()))
    for side in sides:
        for command in commands:
            for what in ("wall", "cpu"):
                points = [(sizes[repo], getattr(r, what)) for (repo, s, c), found in runs.items()
                          if s == side.name and c == command for r in found]
                fitted = slope(points)
                if fitted is not None:
                    summary["slopes"][f"{side.name} {command} {what}"] = {"us_per_file": fitted[0],
                                                                           "intercept_s": fitted[1]}
                    print(f"slope {side.name} {command} {what}: {fitted[0]:.2f} us per file "
                          f"(intercept {fitted[1]:.3f} s)")
    for failure in failures:
        print("FAILED:", failure)
    if args.json_path:
        text = json.dumps(summary, indent=2, sort_keys=True)
        if args.json_path == "-":
            print(text)
        else:
            Path(args.json_path).write_text(text + "\n")
    for leftover in work.iterdir():
        leftover.unlink()
    work.rmdir()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
