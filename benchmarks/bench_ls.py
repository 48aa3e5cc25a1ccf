"""Benchmark: `repo-roles ls --format jsonl` on a large repository, end to end and by stage.

    python benchmarks/bench_ls.py [REPO] [--runs 5] [--json] [--audit] [--no-e2e]

REPO defaults to /tmp/rr-bench-100k; make it with
``python benchmarks/generate_repo.py /tmp/rr-bench-100k --files 100000 --rules 2000``.

Every figure is the median of ``--runs`` runs, each in a fresh subprocess (tables, glob and
directory caches live per process, so a warm in-process loop would flatter the numbers):

* end to end: ``git ls-files -s -z`` (the floor: git's own listing), ``repo-roles ls --format
  jsonl`` with ownership, and the same command with ownership resolution replaced by "nobody
  owns anything" (patched in the child process only; the product has no switch for it);
  ``--audit`` adds ``repo-roles audit``;
* by stage, through the Python API in one child: imports, config, inventory, include/exclude
  filter, git attributes, classification, ownership, jsonl serialisation (and with ``--audit``
  each enabled rule, the summary and the rendering).

Bars (issues #2 and #3): ls with ownership within 2x of ls without; the whole command in a few
seconds on 100k files. ``--json`` prints the figures as one JSON document instead of the table.
This script prints its figures: it is a command-line tool, not library code.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from typing import Any, Callable, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

DEFAULT_REPO = "/tmp/rr-bench-100k"


class Timing(NamedTuple):
    """Median seconds: wall clock, and CPU (the machine may be shared: CPU is the steadier one)."""

    wall: float
    cpu: float


Stages = Dict[str, Timing]


# -- children: each runs in its own interpreter ------------------------------------------------


def child_ls_without_ownership(repo: str) -> None:
    """`repo-roles ls --format jsonl REPO`, with ownership resolution replaced by "no owners"."""
    import repo_roles.scan as scan_module
    from repo_roles.cli import main
    from repo_roles.ownership.resolve import Ownership

    scan_module.resolve_ownership = lambda inventory, config, targets: Ownership(None, None, None, None)  # type: ignore
    main(["ls", "--format", "jsonl", repo])


def child_stages(repo: str, audit: bool) -> None:
    """Time the pipeline stages of `ls` (and `audit`) through the API; print them as JSON.

    Mirrors ``scan.scan_project`` step by step so each step gets its own clock; the end-to-end
    subprocess runs catch any drift from the real command.
    """
    times: Dict[str, List[float]] = {}
    clock = (time.perf_counter(), time.process_time())

    def lap(name: str) -> None:
        nonlocal clock
        now = (time.perf_counter(), time.process_time())
        times[name] = [now[0] - clock[0], now[1] - clock[1]]
        clock = now

    from pathlib import Path

    import repo_roles.scan as scan_module
    from repo_roles.classify import Classifier
    from repo_roles.classify.signals import ATTRIBUTES
    from repo_roles.commands.ls import records
    from repo_roles.config import load_config
    from repo_roles.inventory import load_inventory
    from repo_roles.ownership.resolve import resolve_ownership

    lap("imports")
    root, scope, config_file = scan_module.locate_project(Path(repo))
    config = load_config(config_file)
    lap("config")
    inventory = load_inventory(root, scope=scope, untracked=config.untracked)
    lap("inventory")
    inventory = scan_module._filter_entries(inventory, config)
    targets = inventory.in_scope()
    lap("include/exclude")
    inventory.attributes(list(ATTRIBUTES))  # what the classifier asks first; cached on inventory
    lap("git check-attr")
    classifier = Classifier(config, inventory)
    classifications = classifier.classify_all()
    lap("classify")
    ownership = resolve_ownership(inventory, config, [e.path for e in targets])
    lap("ownership")
    context = scan_module.ScanContext(config, inventory, classifier, classifications, ownership, targets, True)
    rows = list(records(context))  # includes the test index when `ls` reports tests
    lap("records (test index)")
    rows = _with_docs(context, rows)
    lap("documentation coverage (cached by blob)")
    _write_jsonl(io.StringIO(), rows)
    lap("jsonl serialisation")
    if audit:
        _audit_stages(context, lap)
    print(json.dumps(times))


def _with_docs(context: Any, rows: List[dict]) -> List[dict]:
    try:
        from repo_roles.commands.ls import with_docs
    except ImportError:  # a checkout whose `ls` reports no documentation figures
        return rows
    return list(with_docs(context, rows))


def _write_jsonl(out: io.StringIO, rows: Iterable[dict]) -> None:
    try:
        from repo_roles.commands.ls import jsonl_lines, write_lines
    except ImportError:  # a checkout from before the batched writer: its loop, for comparison
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    write_lines(out, jsonl_lines(rows))


def _audit_stages(context: object, lap: Callable[[str], None]) -> None:
    from repo_roles import __version__
    from repo_roles.checks.engine import build_selection
    from repo_roles.checks.registry import RULES
    from repo_roles.report import ReportInput, render
    from repo_roles.auditreport.document import build
    from repo_roles.auditreport.render_text import render as render_audit
    from repo_roles.summary import summarize

    selection = build_selection(context.config)  # type: ignore[attr-defined]
    lap("audit: rule selection")
    findings = []
    for rule_id, rule in sorted(selection.enabled.items()):
        findings.extend(rule.check(context))  # type: ignore[arg-type]
        lap(f"audit: {rule_id}")  # the first rule to read coverage or the test index pays for it
    summary = summarize(context, depth=1)  # type: ignore[arg-type]
    lap("audit: summarize")
    render_audit(build(context, summary, tree=False))  # type: ignore[arg-type]
    render("concise", ReportInput(findings, RULES, context.root, __version__))  # type: ignore[attr-defined]
    lap("audit: render")


# -- parent ------------------------------------------------------------------------------------


def run_once(argv: Sequence[str], cwd: Optional[str] = None) -> Tuple[float, float]:
    """Wall-clock and CPU (user + system of the child and its children) seconds of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1: findings (audit); 2: an error, the figure is void
        raise SystemExit(f"{' '.join(argv)}: exit code {done.returncode}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median_run(argv: Sequence[str], runs: int, cwd: Optional[str] = None) -> Timing:
    samples = [run_once(argv, cwd) for _ in range(runs)]
    return Timing(statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples))


def median_stages(repo: str, runs: int, audit: bool) -> Stages:
    argv = [sys.executable, __file__, repo, "--child", "stages"] + (["--audit"] if audit else [])
    samples: List[Dict[str, List[float]]] = []
    for _ in range(runs):
        done = subprocess.run(argv, stdout=subprocess.PIPE, check=True, text=True)
        samples.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {
        name: Timing(statistics.median(s[name][0] for s in samples), statistics.median(s[name][1] for s in samples))
        for name in samples[0]
    }


def measure(repo: str, runs: int, audit: bool, e2e: bool) -> Dict[str, Any]:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=repo, stdout=subprocess.PIPE, check=True).stdout.count(b"\0")
    result: Dict[str, Any] = {"repo": repo, "files": files, "runs": runs, "cpus": os.cpu_count()}
    if e2e:
        cli = [sys.executable, "-m", "repo_roles"]
        end_to_end = {
            "git ls-files -s -z": median_run(["git", "ls-files", "-s", "-z"], runs, cwd=repo),
            "ls --format jsonl": median_run(cli + ["ls", "--format", "jsonl", repo], runs),
            "ls --format jsonl, no ownership": median_run(
                [sys.executable, __file__, repo, "--child", "ls-no-ownership"], runs
            ),
        }
        if audit:
            end_to_end["audit"] = median_run(cli + ["audit", repo], runs)
        with_owners, without = end_to_end["ls --format jsonl"], end_to_end["ls --format jsonl, no ownership"]
        git_ls = end_to_end["git ls-files -s -z"]
        result["end_to_end_s"] = {k: v._asdict() for k, v in end_to_end.items()}
        result["ratio_ownership"] = Timing(with_owners.wall / without.wall, with_owners.cpu / without.cpu)._asdict()
        result["ratio_git_ls_files"] = Timing(with_owners.wall / git_ls.wall, with_owners.cpu / git_ls.cpu)._asdict()
    result["stages_s"] = {k: v._asdict() for k, v in median_stages(repo, runs, audit).items()}
    result["load_average"] = os.getloadavg()
    return result


def print_table(result: Dict[str, Any]) -> None:
    print(f"{result['repo']}: {result['files']} files, median of {result['runs']} runs, "
          f"{result['cpus']} CPUs, load average {result['load_average'][0]:.1f} at the end")
    row = "  {:<48} {:>9} {:>9}"
    if "end_to_end_s" in result:
        print("\nend to end (subprocess)")
        print(row.format("", "wall s", "CPU s"))
        for name, t in result["end_to_end_s"].items():
            print(row.format(name, f"{t['wall']:.3f}", f"{t['cpu']:.3f}"))
        ratio, git_ratio = result["ratio_ownership"], result["ratio_git_ls_files"]
        print(row.format("ls with / without ownership (bar: <= 2x)", f"{ratio['wall']:.2f}x", f"{ratio['cpu']:.2f}x"))
        print(row.format("ls / git ls-files -s -z", f"{git_ratio['wall']:.0f}x", f"{git_ratio['cpu']:.0f}x"))
    print("\nstages (one child process, Python API; CPU excludes git subprocesses)")
    print(row.format("", "wall s", "CPU s"))
    stages = result["stages_s"]
    for name, t in stages.items():
        print(row.format(name, f"{t['wall']:.3f}", f"{t['cpu']:.3f}"))
    ls_stages = [t for k, t in stages.items() if not k.startswith("audit")]
    print(row.format("sum of the ls stages", f"{sum(t['wall'] for t in ls_stages):.3f}",
                     f"{sum(t['cpu'] for t in ls_stages):.3f}"))


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", nargs="?", default=DEFAULT_REPO)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--audit", action="store_true", help="also time `repo-roles audit`")
    parser.add_argument("--no-e2e", dest="e2e", action="store_false", help="stage breakdown only")
    parser.add_argument("--child", choices=["stages", "ls-no-ownership"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "stages":
        child_stages(args.repo, args.audit)
        return 0
    if args.child == "ls-no-ownership":
        child_ls_without_ownership(args.repo)
        return 0
    if not os.path.isdir(os.path.join(args.repo, ".git")):
        parser.error(f"{args.repo}: not a git repository; generate one with benchmarks/generate_repo.py")
    result = measure(args.repo, args.runs, args.audit, args.e2e)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
