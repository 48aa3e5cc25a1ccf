"""Benchmark: the history stage (one streaming git log, DOA model, cache by commit id).

Generates (seeded, with ``git fast-import``) a repository of ``--commits`` non-merge commits
over ``--files`` files by ``--authors`` authors (a few prolific, many occasional; renames and
deletions included), then reports medians of ``--rounds`` runs of:

* the bare ``git log`` the stage reads (the exact command line), and plain
  ``git log --name-status`` — both written to /dev/null;
* a first run (empty cache): git log parsed into the model, then the cache written;
* a run after 10 new commits (the cache is at the commit before them): the whole history
  work, i.e. the state checks, the cache read, ``git log CACHED..HEAD`` and the cache write;
* a run with HEAD cached (nothing to read but the cache);
* the history work of a default whole-repository ``check`` (the stage and the default-on rules
  HIS004 and HIS005; the scan before them not timed): nothing changed (their findings cache),
  computed with HEAD cached, and after 10 new commits;
* ``git-fame`` and PyPI ``truckfactor`` on the same repository, if installed (not project
  dependencies: ``pip install -e ".[bench]"``), each once under ``--tool-timeout``
  (stopped with the processes it started when it runs longer, and said so), with wall and CPU
  time and the ratio to our first run.

    python benchmarks/bench_history.py [--dest DIR] [--commits 50000] [--files 20000] [--rounds 3]
    python benchmarks/bench_history.py --repo PATH      # an existing repository instead

This script prints its figures: it is a command-line tool, not library code.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, List, Optional, Tuple

from repo_roles.cachedir import project_key
from repo_roles.config import Config
from repo_roles.history.cache import cache_file
from repo_roles.history.model import truck_factor
from repo_roles.history.reader import log_command
from repo_roles.history.stage import load_history
from repo_roles.inventory import load_inventory

EPOCH = 1_500_000_000
FIRST = "first run (empty cache; model + cache write)"


def _author(rng: random.Random, authors: int) -> Tuple[str, str]:
    k = min(int(rng.paretovariate(1.2)) - 1, authors - 1)
    return f"Dev {k}", f"dev{k}@example.com"


def _commit(out: List[bytes], when: int, who: Tuple[str, str], changes: List[bytes], first_from: Optional[str]) -> None:
    name, email = who
    message = b"change\n"
    out.append(b"commit refs/heads/main\n")
    out.append(f"author {name} <{email}> {when} +0000\ncommitter {name} <{email}> {when} +0000\n".encode())
    out.append(b"data %d\n%s" % (len(message), message))
    if first_from:
        out.append(f"from {first_from}\n".encode())
    out.extend(changes)
    out.append(b"\n")


def _modify(path: str, content: str) -> bytes:
    data = content.encode()
    return b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data)


def generate(dest: Path, commits: int, files: int, authors: int, seed: int) -> None:
    """A history of ``commits`` commits; ``files`` files alive at the end (give or take renames)."""
    rng = random.Random(seed)
    dirs = [f"pkg{d:03d}/sub{s}" for d in range(100) for s in range(4)]
    subprocess.run(["git", "init", "-q", "-b", "main", str(dest)], check=True)
    live: List[str] = []
    out: List[bytes] = []
    creating = max(1, commits // 10)  # the first tenth of the commits create the files
    per_create = -(-files // creating)
    serial = 0
    for c in range(commits):
        who = _author(rng, authors)
        changes: List[bytes] = []
        if c < creating:
            for _ in range(per_create):
                if serial >= files:
                    break
                path = f"{rng.choice(dirs)}/mod{serial}.py"
                serial += 1
                live.append(path)
                changes.append(_modify(path, f"created {c}\n"))
        elif c % 250 == 0:  # a rename
            k = rng.randrange(len(live))
            old, new = live[k], f"{rng.choice(dirs)}/moved{c}.py"
            live[k] = new
            changes.append(b'R "%s" "%s"\n' % (old.encode(), new.encode()))
        elif c % 997 == 0:  # a deletion and a replacement
            k = rng.randrange(len(live))
            changes.append(b"D %s\n" % live[k].encode())
            live[k] = f"{rng.choice(dirs)}/new{c}.py"
            changes.append(_modify(live[k], f"new {c}\n"))
        else:
            for path in rng.sample(live, rng.choice((1, 1, 2, 3))):
                changes.append(_modify(path, f"edit {c} {path}\n"))
        _commit(out, EPOCH + c * 600, who, changes, None)
    subprocess.run(["git", "-C", str(dest), "fast-import", "--quiet"], input=b"".join(out), check=True)
    subprocess.run(["git", "-C", str(dest), "reset", "-q", "--hard", "main"], check=True)


def add_commits(dest: Path, count: int, seed: int) -> None:
    """``count`` new commits on top of main (edits of existing files)."""
    rng = random.Random(seed)
    paths = subprocess.run(["git", "-C", str(dest), "ls-files"], capture_output=True, text=True, check=True).stdout.split()
    head = subprocess.run(["git", "-C", str(dest), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    last = int(subprocess.run(["git", "-C", str(dest), "log", "-1", "--format=%at"], capture_output=True, text=True,
                              check=True).stdout)
    out: List[bytes] = []
    for k in range(count):
        changes = [_modify(p, f"late {k} {p}\n") for p in rng.sample(paths, 2)]
        _commit(out, last + 60 * (k + 1), (f"Dev {k % 5}", f"dev{k % 5}@example.com"), changes,
                head if k == 0 else None)
    subprocess.run(["git", "-C", str(dest), "fast-import", "--quiet", "--force"], input=b"".join(out), check=True)
    subprocess.run(["git", "-C", str(dest), "reset", "-q", "--hard", "main"], check=True)


def _cpu() -> float:
    """User + system CPU seconds of this process and its waited-for children (git log)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


CPU: dict = {}  # label -> CPU seconds of each run, filled by show()


def timed(func: Callable[[], object], rounds: int) -> List[Tuple[float, float]]:
    """(wall, CPU) seconds of each of ``rounds`` calls."""
    out = []
    for _ in range(rounds):
        start, cpu = time.perf_counter(), _cpu()
        func()
        out.append((time.perf_counter() - start, _cpu() - cpu))
    return out


def show(label: str, runs: List[Tuple[float, float]]) -> float:
    walls = [w for w, _ in runs]
    cpus = [c for _, c in runs]
    median = statistics.median(walls)
    CPU[label] = cpus
    print(f"{label:<52} median {median:7.3f} s  (min {min(walls):.3f}, max {max(walls):.3f}, {len(runs)} runs; "
          f"CPU median {statistics.median(cpus):.3f} s)")
    return median


def git_to_null(repo: Path, args: List[str]) -> None:
    with open(os.devnull, "wb") as null:
        subprocess.run(args, cwd=str(repo), stdout=null, check=True)


_INVENTORIES: dict = {}


def load(repo: Path, cache: Path):
    """The history stage alone (the inventory, which every command reads anyway, is built once)."""
    os.environ["REPO_ROLES_CACHE_DIR"] = str(cache)
    inventory = _INVENTORIES.get(repo)
    if inventory is None or inventory.git_root is None:
        inventory = _INVENTORIES[repo] = load_inventory(repo)
    return load_history(inventory, Config(), True)


def default_rules(repo: Path, cache: Path, prepare: Callable[[], object] = lambda: None) -> Tuple[float, float]:
    """(wall, CPU) of the history work of a default ``check`` of the whole repository: the history
    stage (its cache) and the default-on rules HIS004 and HIS005.  The scan before them (inventory,
    roles, owners: paid by every check anyway) is not timed."""
    from repo_roles.checks.registry import RULES, iter_rules
    from repo_roles.scan import scan

    os.environ["REPO_ROLES_CACHE_DIR"] = str(cache)
    iter_rules()
    context = scan(repo)
    prepare()
    start, cpu = time.perf_counter(), _cpu()
    found = [f for rule in ("HIS004", "HIS005") for f in RULES[rule].check(context)]
    elapsed = time.perf_counter() - start, _cpu() - cpu
    RULE_FINDINGS[repo] = len(found)
    return elapsed


RULE_FINDINGS: dict = {}


def drop_findings(cache: Path) -> None:
    """Forget the HIS rules' cached findings (see ``checks.history._common.cached_findings``)."""
    for stored in cache.glob("his00*-*.json"):
        stored.unlink()


def run_tool(label: str, args: List[str], cwd: Path, timeout: float, ours: float) -> None:
    """One run of a reference tool, its wall and CPU time (with its git children) and the ratio to
    ``ours`` (our first run, wall); a tool still running after ``timeout`` is stopped, with the
    whole process group it started, and reported as not finished (no ratio then)."""
    if shutil.which(args[0]) is None:
        print(f"{label:<52} not installed (pip install -e '.[bench]')")
        return
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(args, cwd=str(cwd), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        print(f"{label:<52} did not finish within {timeout:.0f} s (stopped; no figure, no ratio)")
        return
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    tail = (out.strip().splitlines() or [err.strip()[-200:]])[-1][:100]
    print(f"{label:<52} {elapsed:7.3f} s, CPU {cpu:.3f} s (1 run, exit {process.returncode}): "
          f"{elapsed / ours:.1f}x our first run; last line: {tail}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dest", type=Path, help="where to generate (default: a temporary directory)")
    parser.add_argument("--repo", type=Path, help="benchmark an existing repository (read only) instead")
    parser.add_argument("--commits", type=int, default=50_000)
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--authors", type=int, default=150)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tool-timeout", type=float, default=600.0)
    parser.add_argument("--no-tools", action="store_true", help="skip git-fame and truckfactor")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-history-"))
    try:
        if args.repo:
            repo = args.repo.resolve()
        else:
            repo = (args.dest or work / "repo").resolve()
            start = time.perf_counter()
            generate(repo, args.commits, args.files, args.authors, args.seed)
            print(f"generated {args.commits} commits over {args.files} files in {time.perf_counter() - start:.1f} s")
        count = subprocess.run(["git", "-C", str(repo), "rev-list", "--count", "HEAD"], capture_output=True,
                               text=True, check=True).stdout.strip()
        files = len(load_inventory(repo).paths)
        print(f"repository {repo}: {count} commits, {files} files; load average {os.getloadavg()}")
        exact = log_command("HEAD")
        bare = show("bare git log (the stage's exact command) > /dev/null",
                    timed(lambda: git_to_null(repo, exact), args.rounds))
        show("git log --name-status > /dev/null", timed(lambda: git_to_null(repo, ["git", "log", "--name-status"]),
                                                        args.rounds))
        caches: List[Path] = []

        def first() -> None:
            cache = Path(tempfile.mkdtemp(dir=work))
            caches.append(cache)
            load(repo, cache)

        first_run = show(FIRST, timed(first, args.rounds))
        print(f"{'  first run / bare git log':<52} {first_run / bare:.2f}x")
        warm = caches[-1]
        show("run with HEAD cached", timed(lambda: load(repo, warm), args.rounds))
        default_rules(repo, warm)  # the findings cache filled
        show("HIS004 + HIS005, nothing changed (findings cache)",
             [default_rules(repo, warm) for _ in range(args.rounds)])
        show("HIS004 + HIS005 computed, HEAD cached (stage + rules)",
             [default_rules(repo, warm, lambda: drop_findings(warm)) for _ in range(args.rounds)])
        print(f"  {RULE_FINDINGS[repo]} HIS004/HIS005 findings")
        history = load(repo, warm)
        model = history.model
        assert model is not None
        print(f"  {len(model.files)} files, {len(model.authors)} authors in the model")
        tracked = list(load_inventory(repo).paths)
        authored = {path: history.author_ids(path) for path in tracked}
        per_author: dict = {}
        for authors in authored.values():
            for author in authors:
                per_author[author] = per_author.get(author, 0) + 1
        tf, removed = truck_factor(authored)
        print(f"  truck factor over the {len(tracked)} tracked files: {tf} "
              f"({', '.join(model.label(a) for a in removed)})")
        print("  authors of the most files (by DOA):")
        for author in sorted(per_author, key=lambda a: -per_author[a])[:10]:
            print(f"    {per_author[author]:6d}  {model.label(author)}")
        if not args.repo:
            stored = cache_file(warm, project_key(load_inventory(repo)))  # the key the stage uses
            saved = work / "at-base.json"
            shutil.copyfile(stored, saved)
            add_commits(repo, 10, args.seed + 1)
            _INVENTORIES.clear()

            def after_ten() -> None:
                shutil.copyfile(saved, stored)
                load(repo, warm)

            show("run after 10 new commits (all history work)", timed(after_ten, args.rounds))
            show("HIS004 + HIS005 after 10 new commits (stage + rules)",
                 [default_rules(repo, warm, lambda: (shutil.copyfile(saved, stored), drop_findings(warm)))
                  for _ in range(args.rounds)])
            with_new = load(repo, Path(tempfile.mkdtemp(dir=work)))
            shutil.copyfile(saved, stored)
            incremental = load(repo, warm)
            assert incremental.model is not None and with_new.model is not None
            same = all(incremental.doa(p) == with_new.doa(p) for p in list(with_new.model.files)[:2000])
            print(f"  incremental == full pass on 2000 files: {same}")
        if not args.no_tools:
            tools_cwd = Path(tempfile.mkdtemp(dir=work))
            print(f"reference tools, each once, under --tool-timeout {args.tool_timeout:.0f} s; ratios against our "
                  f"first run ({first_run:.3f} s wall, CPU median {statistics.median(CPU[FIRST]):.3f} s):")
            run_tool("git-fame (default: blame of every file)", ["git-fame", "--format", "tsv", str(repo)],
                     tools_cwd, args.tool_timeout, first_run)
            run_tool("truckfactor (PyPI)", ["truckfactor", str(repo)], tools_cwd, args.tool_timeout, first_run)
        print(f"load average {os.getloadavg()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
