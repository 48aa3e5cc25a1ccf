"""Benchmark: `repo-roles check FILE...` on 5 files, as pre-commit runs it, by repository size.

    python benchmarks/bench_check.py [--sizes 1000,10000,100000] [--runs 7] [--files 5]
                                     [--profile] [--json]
    python benchmarks/bench_check.py --repos R1,R2,... [--old-python PY --old-path SRC] [--runs 5] [--verify]
                                     [--new-path SNAPSHOT]
    python benchmarks/bench_check.py --diff-of REPO [--diff-copy DIR] [--diff-files 20] [--runs 7]
    python benchmarks/bench_check.py --pre-commit COPY [--old-python PY --old-path SRC] [--new-path SNAPSHOT]
                                     [--rewrite-index] [--runs 5]

For each size N the repository is ``/tmp/rr-bench-<N>`` (``/tmp/rr-bench-100k`` style names for
exact thousands), generated with ``benchmarks/generate_repo.py`` when missing.  The 5 files are
fixed per repository: evenly spaced ``.py`` files of ``git ls-files`` (so the same files every
run).  Figures, each the median of ``--runs`` runs in a fresh subprocess with the cwd at the
repository top level (what pre-commit does; tables and caches live per process):

* ``check 5 files``: ``repo-roles check --exit-zero F1..F5``, end to end (interpreter start
  included) — the bar is 0.5 s on 100k files;
* ``bytecode cached``: the same with compiled modules cached (``PYTHONPYCACHEPREFIX`` in a
  temporary directory, one warm-up run), as an installed package runs: pip byte-compiles on
  install.  With ``PYTHONDONTWRITEBYTECODE=1`` in the environment every run compiles every
  imported module from source (~80 ms here), which the first column then includes;
* ``git ls-files``: the floor, git's own listing of the index;
* ``python -c pass`` / ``import repo_roles.cli``: the interpreter and import cost inside it.

``--repos`` prints the curve of issue 13 instead: ``check`` on ``--files`` files of each given
repository (its size is its index's entry count), wall median with min-max and CPU (user + sys of
the process and its git children), the load average, and the least-squares slope per
repository file (``--rewrite-index``: after an edit and ``git add`` of one of the files before
every run, pre-commit's case; on copies only); with ``--old-python`` (and ``--old-path``, e.g. ``git archive`` of the baseline
commit unpacked in a temporary directory) the baseline runs interleaved with this tree, each
with its own analysis cache and bytecode cache.

``--pre-commit COPY`` runs the hook as pre-commit does (``pre-commit run --files F1..F5``, a
``repo: local`` hook; pre-commit splits the files into parallel batches), this tree against the
baseline and a no-op hook (pre-commit's own cost), interleaved, each with its own caches; the
hook files are committed in COPY.

``--diff-of REPO`` measures ``check --diff-base`` instead (issue 12): REPO is copied once to
``--diff-copy`` (``cp -a``; REPO itself is never changed), ``--diff-files`` evenly spaced
``.py`` files get one new undocumented function each (uncommitted, as in a pull request's
working tree), and ``check --exit-zero --diff-base HEAD`` (one ``git diff``, findings on the
changed lines) is timed against ``check --exit-zero F1..F20`` on the same files, runs
interleaved, bytecode cached; medians, min-max and the ratio are printed with the load average,
and the CPU time (user + sys of the process and its git children), which a loaded machine
distorts less than the wall time.

Then, for the largest size, one in-process run with the pipeline stages (config, inventory,
include/exclude, classifier, ownership, test index) and every rule wrapped in timers: where the
time goes, without a profiler's overhead.  ``--profile`` adds a cProfile of the same run (top 30
functions by cumulative time).  This script prints its figures: it is a
command-line tool, not library code.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Sequence

HERE = Path(__file__).resolve().parent
def repo_path(size: int) -> Path:
    name = f"{size // 1000}k" if size % 1000 == 0 else str(size)
    return Path(f"/tmp/rr-bench-{name}")


def ensure_repo(size: int) -> Path:
    path = repo_path(size)
    if not (path / ".git").is_dir():
        rules = max(20, size // 50)
        print(f"generating {path} ({size} files, {rules} CODEOWNERS rules)…", file=sys.stderr)
        subprocess.run([sys.executable, str(HERE / "generate_repo.py"), str(path), "--files", str(size),
                        "--rules", str(rules), "--force"], check=True)
    return path


def pick_files(repo: Path, count: int) -> List[str]:
    out = subprocess.run(["git", "-C", str(repo), "ls-files", "-z", "*.py"], check=True, capture_output=True)
    python = sorted(p for p in out.stdout.decode("utf-8", "surrogateescape").split("\0") if p)
    if len(python) < count:
        raise SystemExit(f"{repo}: only {len(python)} Python files in the index; regenerate it")
    step = max(1, len(python) // (count + 1))
    return [python[step * (i + 1)] for i in range(count)]


def median_wall(argv: Sequence[str], cwd: Path, runs: int, env: Dict[str, str] | None = None) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(list(argv), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
                       env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bytecode_env(cache: str) -> Dict[str, str]:
    """The environment with compiled modules cached outside the source tree."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache
    return env


def measure(size: int, runs: int, count: int) -> Dict[str, object]:
    repo = ensure_repo(size)
    files = pick_files(repo, count)
    exe = [sys.executable, "-m", "repo_roles"]
    argv = [*exe, "check", "--exit-zero", *files]
    with tempfile.TemporaryDirectory(prefix="rr-pycache-") as cache:
        cached_env = bytecode_env(cache)
        median_wall(argv, repo, 1, cached_env)  # warm-up: writes the bytecode cache
        cached = median_wall(argv, repo, runs, cached_env)
    return {
        "size": size,
        "files": files,
        "check": median_wall(argv, repo, runs),
        "check_cached": cached,
        "git_ls_files": median_wall(["git", "ls-files", "-s", "-z"], repo, runs),
        "python": median_wall([sys.executable, "-c", "pass"], repo, runs),
        "import": median_wall([sys.executable, "-c", "import repo_roles.cli"], repo, runs),
    }


ADDED = "\n\ndef bench_added_{}(value):\n    return value\n"


def measure_diff(source: Path, copy: Path, runs: int, count: int) -> Dict[str, object]:
    """``check --diff-base HEAD`` on a ``count``-file change vs ``check`` on those files."""
    if not (copy / ".git").is_dir():
        print(f"copying {source} to {copy}…", file=sys.stderr)
        subprocess.run(["cp", "-a", str(source), str(copy)], check=True)
    files = pick_files(copy, count)
    subprocess.run(["git", "-C", str(copy), "checkout", "-q", "--", *files], check=True)
    for i, name in enumerate(files):
        with open(copy / name, "a", encoding="utf-8") as handle:
            handle.write(ADDED.format(i))
    exe = [sys.executable, "-m", "repo_roles", "check", "--exit-zero"]
    diff_argv, files_argv = [*exe, "--diff-base", "HEAD"], [*exe, *files]
    found = subprocess.run(diff_argv, cwd=copy, capture_output=True, text=True, check=False).stdout
    times: Dict[str, List[float]] = {"diff": [], "files": []}
    cpu: Dict[str, List[float]] = {"diff": [], "files": []}
    with tempfile.TemporaryDirectory(prefix="rr-pycache-") as cache:
        env = bytecode_env(cache)
        median_wall(diff_argv, copy, 1, env)  # warm-up: bytecode and the analysis cache
        median_wall(files_argv, copy, 1, env)
        for _ in range(runs):  # interleaved: both see the same machine load
            for key, argv in (("diff", diff_argv), ("files", files_argv)):
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                times[key].append(median_wall(argv, copy, 1, env))
                after = resource.getrusage(resource.RUSAGE_CHILDREN)  # git included: a waited-for grandchild
                cpu[key].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return {
        **{f"{k}_cpu_median": statistics.median(v) for k, v in cpu.items()},
        "repo": str(copy), "changed_files": count, "runs": runs,
        "diff_findings": sum(1 for line in found.splitlines() if ": DOC001 " in line),
        **{f"{k}_median": statistics.median(v) for k, v in times.items()},
        **{f"{k}_range": [min(v), max(v)] for k, v in times.items()},
        "ratio": statistics.median(times["diff"]) / statistics.median(times["files"]),
        "load_average": list(os.getloadavg()),
    }


def _cpu_children() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _json_output(exe: Sequence[str], args: Sequence[str], cwd: Path, env: Dict[str, str]) -> str:
    """The findings of ``exe check --exit-zero --output-format json ARGS`` (compared between variants)."""
    return subprocess.run([*exe, "check", "--exit-zero", "--output-format", "json", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False).stdout


class _Staged:
    """``--rewrite-index``: before each run one of the files gets a new line and ``git add``
    (pre-commit's case: git's index was just rewritten); the file and its index entry are put
    back afterwards.  The repository must be a copy of one's own."""

    def __init__(self, repo: Path, path: str) -> None:
        self.repo, self.path = repo, path
        self.original = (repo / path).read_bytes()
        self.count = 0

    def __call__(self) -> None:
        self.count += 1
        (self.repo / self.path).write_bytes(self.original + f"# staged {self.count}\n".encode())
        subprocess.run(["git", "add", "--", self.path], cwd=self.repo, check=True)

    def restore(self) -> None:
        (self.repo / self.path).write_bytes(self.original)
        subprocess.run(["git", "add", "--", self.path], cwd=self.repo, check=True)


def curve(repos: Sequence[Path], runs: int, count: int, old: Sequence[str], old_path: str,
          verify: bool = False, new_path: str = "", rewrite: bool = False) -> List[Dict[str, object]]:
    """``check`` on ``count`` files of each repository: this tree against ``old`` (an interpreter
    whose ``PYTHONPATH`` is ``old_path``, e.g. a ``git archive`` of the baseline commit), runs
    interleaved, bytecode cached, each with its own analysis cache (one warm-up run each).  The
    JSON findings of every variant (and, with ``verify``, of this tree with ``--no-cache``) are
    compared: ``same_output``.  ``rewrite``: git's index is rewritten before every run
    (:class:`_Staged`), as when pre-commit runs the hook after ``git add``."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="rr-curve-") as tmp:
        variants = {"new": ([sys.executable, "-m", "repo_roles"], {}),
                    **({"old": (list(old) + ["-m", "repo_roles"], {"PYTHONPATH": old_path})} if old else {})}
        envs = {}
        for name, (_, extra) in variants.items():
            env = bytecode_env(os.path.join(tmp, f"pyc-{name}"))
            env.update(extra, REPO_ROLES_CACHE_DIR=os.path.join(tmp, f"cache-{name}"))
            if name == "new":
                env.pop("PYTHONPATH", None)
                if new_path:  # a snapshot of this tree (e.g. ``git archive HEAD``): edits meanwhile do not count
                    env["PYTHONPATH"] = new_path
            envs[name] = env
        for repo in repos:
            listed = subprocess.run(["git", "-C", str(repo), "ls-files", "-z"], check=True, capture_output=True)
            size = listed.stdout.count(b"\0")
            files = pick_files(repo, count)
            wall: Dict[str, List[float]] = {k: [] for k in variants}
            cpu: Dict[str, List[float]] = {k: [] for k in variants}
            outputs = {}
            for name, (exe, _) in variants.items():  # warm-up: bytecode and the analysis cache
                median_wall([*exe, "check", "--exit-zero", *files], repo, 1, envs[name])
                outputs[name] = _json_output(exe, files, repo, envs[name])
            if verify:  # the answer of a run with no cache at all
                outputs["no-cache"] = _json_output(variants["new"][0], ["--no-cache", *files], repo, envs["new"])
            staged = _Staged(repo, files[0]) if rewrite else None
            try:
                for _ in range(runs):
                    for name, (exe, _) in variants.items():
                        if staged is not None:
                            staged()
                        before = _cpu_children()
                        wall[name].append(median_wall([*exe, "check", "--exit-zero", *files], repo, 1, envs[name]))
                        cpu[name].append(_cpu_children() - before)
            finally:
                if staged is not None:
                    staged.restore()
            row: Dict[str, object] = {"repo": str(repo), "size": size, "files": files, "index_rewritten": rewrite,
                                      "load_average": list(os.getloadavg()),
                                      "same_output": len(set(outputs.values())) == 1, "compared": sorted(outputs)}
            for name in variants:
                row[name] = {"median": statistics.median(wall[name]), "min": min(wall[name]),
                             "max": max(wall[name]), "cpu_median": statistics.median(cpu[name])}
            rows.append(row)
    return rows


def slope(rows: Sequence[Dict[str, object]], name: str, field: str = "median") -> float:
    """Least-squares seconds per repository file of ``name``'s medians over the sizes."""
    xs = [float(r["size"]) for r in rows]  # type: ignore[arg-type]
    ys = [float(r[name][field]) for r in rows]  # type: ignore[index]
    mx, my = statistics.mean(xs), statistics.mean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else 0.0


def print_curve(rows: Sequence[Dict[str, object]], runs: int, count: int) -> None:
    names = [n for n in ("new", "old") if n in rows[0]]
    rewritten = " after `git add` of one of them (index rewritten)" if rows and rows[0].get("index_rewritten") else ""
    print(f"check on {count} files{rewritten}, median of {runs} interleaved runs "
          "(wall s, min-max; CPU user+sys s incl. git)")
    print(f"{'files in repo':>13}  " + "  ".join(f"{n + ' wall':>22}  {n + ' CPU':>8}" for n in names) + "  load avg")
    for r in rows:
        cells = []
        for n in names:
            v = r[n]  # type: ignore[index]
            cells.append(f"{v['median']:7.3f} ({v['min']:.3f}-{v['max']:.3f})  {v['cpu_median']:8.3f}")
        load = " ".join(f"{x:.2f}" for x in r["load_average"])  # type: ignore[union-attr]
        same = ("same output: " + "/".join(r["compared"])) if r["same_output"] else "OUTPUTS DIFFER"  # type: ignore
        print(f"{r['size']:>13}  " + "  ".join(cells) + f"  {load}  {same}")
    if len(rows) > 1:
        for n in names:
            print(f"slope {n}: {slope(rows, n) * 1e6:.3f} us wall, {slope(rows, n, 'cpu_median') * 1e6:.3f} us CPU "
                  "per repository file")


def _in_repo(size: int, count: int, call: Callable[[List[str]], object]) -> None:
    repo = ensure_repo(size)
    files = pick_files(repo, count)
    old = os.getcwd()
    os.chdir(repo)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            call(files)
    finally:
        os.chdir(old)


def stages(size: int, count: int) -> Dict[str, float]:
    """Wall time per pipeline stage and per rule, in-process, by wrapping the stage functions."""
    import dataclasses

    import repo_roles.scan as S
    from repo_roles.checks.registry import RULES, iter_rules
    from repo_roles.commands.check import run_check
    from repo_roles.coverage.test_presence import TestIndex

    times: Dict[str, float] = {}

    def timed(label: str, fn: Callable, consume: bool = False) -> Callable:
        def wrapper(*args: object, **kwargs: object) -> object:
            start = time.perf_counter()
            try:
                result = fn(*args, **kwargs)
                return list(result) if consume else result  # rules are generators: time the work
            finally:
                times[label] = times.get(label, 0.0) + time.perf_counter() - start
        return wrapper

    from repo_roles.inventory import Inventory

    patches = [(S, "locate_project"), (S, "load_config"), (S, "load_inventory"), (S, "_filter_entries"),
               (S, "Classifier"), (S, "resolve_ownership"), (TestIndex, "__init__"), (Inventory, "attributes")]
    saved = [(obj, name, getattr(obj, name)) for obj, name in patches]
    rules = {r.id: r for r in iter_rules()}
    try:
        for obj, name, original in saved:
            setattr(obj, name, timed(f"{getattr(obj, '__name__', obj)}.{name}", original))
        for rule_id, r in rules.items():
            RULES[rule_id] = dataclasses.replace(r, check=timed(f"rule {rule_id}", r.check, consume=True))
        start = time.perf_counter()
        _in_repo(size, count, lambda files: run_check(files, exit_zero=True))
        times["total (in-process, imports excluded)"] = time.perf_counter() - start
    finally:
        for obj, name, original in saved:
            setattr(obj, name, original)
        RULES.update(rules)
    return times


def profile(size: int, count: int) -> str:
    from repo_roles.commands.check import run_check

    profiler = cProfile.Profile()
    _in_repo(size, count, lambda files: profiler.runcall(run_check, files, exit_zero=True))
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(30)
    return text.getvalue()

PRE_COMMIT_HOOK = """repos:
- repo: local
  hooks:
  - id: repo-roles
    name: {name}
    entry: {entry}
    language: system
    types: [python]
"""


def pre_commit_curve(repo: Path, runs: int, count: int, old: Sequence[str], old_path: str, new_path: str,
                     rewrite: bool = False) -> Dict[str, object]:
    """``pre-commit run --files F1..F5`` (pre-commit's own runner, a ``repo: local`` hook; it
    splits the files into parallel batches) on ``repo`` (a copy: the hook configurations are
    committed there): this tree, the baseline (``old``) and a no-op hook (pre-commit's own cost),
    interleaved, each with its own caches; ``rewrite``: one of the files edited and ``git add``-ed
    before every run."""
    import shlex
    import shutil

    exe = shutil.which("pre-commit")
    if exe is None:
        raise SystemExit("pre-commit is not installed (pip install pre-commit)")
    tmp = tempfile.mkdtemp(prefix="rr-pre-commit-")
    entries = {"noop": "/bin/true"}  # a string in YAML (a bare ``true`` is a boolean: pre-commit refuses it)
    for name, (python, path) in {"new": (sys.executable, new_path), "old": (old[0] if old else "", old_path)}.items():
        if name == "old" and not old:
            continue
        env = [f"PYTHONPYCACHEPREFIX={tmp}/pyc-{name}", f"REPO_ROLES_CACHE_DIR={tmp}/cache-{name}"]
        if path:
            env.append(f"PYTHONPATH={path}")
        entries[name] = " ".join(["env -u PYTHONDONTWRITEBYTECODE -u PYTHONPATH", *env, shlex.quote(python),
                                  "-m repo_roles check --exit-zero"])
    for name, entry in entries.items():
        (repo / f".rr-bench-pre-commit-{name}.yaml").write_text(PRE_COMMIT_HOOK.format(name=name, entry=entry))
    subprocess.run(["git", "add", *(f".rr-bench-pre-commit-{n}.yaml" for n in entries)], cwd=repo, check=True)
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-qm",
                    "bench_check: pre-commit hooks", "--allow-empty"], cwd=repo, check=True)
    files = pick_files(repo, count)
    argv = {n: [exe, "run", "--config", f".rr-bench-pre-commit-{n}.yaml", "--files", *files] for n in entries}
    wall: Dict[str, List[float]] = {n: [] for n in entries}
    cpu: Dict[str, List[float]] = {n: [] for n in entries}
    for name in entries:  # warm-up: caches and bytecode; a hook pre-commit cannot run is no figure
        done = subprocess.run(argv[name], cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if done.returncode != 0:
            raise SystemExit(f"pre-commit failed for {name}:\n{done.stdout[-2000:]}")
    staged = _Staged(repo, files[0]) if rewrite else None
    try:
        for _ in range(runs):
            for name in entries:
                if staged is not None:
                    staged()
                before = _cpu_children()
                wall[name].append(median_wall(argv[name], repo, 1))
                cpu[name].append(_cpu_children() - before)
    finally:
        if staged is not None:
            staged.restore()
        shutil.rmtree(tmp, ignore_errors=True)
    return {"repo": str(repo), "files": files, "index_rewritten": rewrite, "load_average": list(os.getloadavg()),
            **{n: {"median": statistics.median(wall[n]), "min": min(wall[n]), "max": max(wall[n]),
                   "cpu_median": statistics.median(cpu[n])} for n in entries}}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--files", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--diff-of", type=Path, help="measure check --diff-base on a copy of this repository")
    parser.add_argument("--diff-copy", type=Path, default=Path("/tmp/rr-bench-diff"))
    parser.add_argument("--diff-files", type=int, default=20)
    parser.add_argument("--repos", help="comma-separated repositories: print the size curve of check on them")
    parser.add_argument("--old-python", help="with --repos: the interpreter of the baseline to compare with")
    parser.add_argument("--old-path", default="", help="with --old-python: its PYTHONPATH (the baseline's source)")
    parser.add_argument("--verify", action="store_true", help="with --repos: compare with a --no-cache run too")
    parser.add_argument("--new-path", default="", help="with --repos: PYTHONPATH of this tree's variant (a snapshot)")
    parser.add_argument("--pre-commit", type=Path, help="a repository COPY: time `pre-commit run --files` with a "
                        "local hook of this tree, of --old-python and a no-op hook (commits the hook files there)")
    parser.add_argument("--rewrite-index", action="store_true",
                        help="with --repos: edit and `git add` the first file before every run (pre-commit's case; "
                        "the repositories must be copies: the file is put back at the end)")
    args = parser.parse_args(argv)
    if args.pre_commit:
        found = pre_commit_curve(args.pre_commit, args.runs, args.files,
                                 [args.old_python] if args.old_python else [], args.old_path, args.new_path,
                                 args.rewrite_index)
        if args.json:
            print(json.dumps(found, indent=2))
        else:
            print(f"pre-commit run --files ({args.files} files){' after git add of one' if args.rewrite_index else ''}"
                  f", median of {args.runs} interleaved runs (wall s, min-max; CPU user+sys s incl. children)")
            for name in ("noop", "new", "old"):
                if name in found:
                    v = found[name]  # type: ignore[index]
                    print(f"  {name:5} {v['median']:7.3f} ({v['min']:.3f}-{v['max']:.3f})  CPU {v['cpu_median']:.3f}")
            print(f"  load average {' '.join(f'{x:.2f}' for x in found['load_average'])}")  # type: ignore[union-attr]
        return 0
    if args.repos:
        rows = curve([Path(p) for p in args.repos.split(",") if p], args.runs, args.files,
                     [args.old_python] if args.old_python else [], args.old_path, args.verify, args.new_path,
                     args.rewrite_index)
        if args.json:
            print(json.dumps(rows, indent=2))
        else:
            print_curve(rows, args.runs, args.files)
        return 0
    if args.diff_of:
        result = measure_diff(args.diff_of, args.diff_copy, args.runs, args.diff_files)
        if args.json:
            print(json.dumps(result, indent=2))
        else:
            print(f"{result['changed_files']} changed files, median of {args.runs} interleaved runs (wall s):")
            for key, label in (("diff", "check --diff-base HEAD"), ("files", f"check {args.diff_files} files")):
                low, high = result[f"{key}_range"]  # type: ignore[misc]
                print(f"  {label:<26} {result[f'{key}_median']:.3f}  (min {low:.3f}, max {high:.3f}); "
                      f"CPU user+sys {result[f'{key}_cpu_median']:.3f}")
            print(f"  ratio {result['ratio']:.2f}; findings on the changed lines: {result['diff_findings']}; "
                  f"load average {' '.join(f'{x:.2f}' for x in result['load_average'])}")  # type: ignore[union-attr]
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s]
    results = [measure(size, args.runs, args.files) for size in sizes]
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"median of {args.runs} runs, wall seconds (fresh process each run, cwd = repository top level)")
        print(f"{'files in repo':>13}  {'check 5 files':>13}  {'bytecode cached':>15}  {'git ls-files':>12}  "
              f"{'python':>7}  {'import':>7}")
        for r in results:
            print(f"{r['size']:>13}  {r['check']:>13.3f}  {r['check_cached']:>15.3f}  {r['git_ls_files']:>12.3f}  "
                  f"{r['python']:>7.3f}  {r['import']:>7.3f}")
        print(f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r}; "
              f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    largest = max(sizes)
    print(f"\nstages of one in-process run on {args.files} files of {repo_path(largest)} (wall s; the"
          " TestIndex and lazy stages are inside the rule that first asks):")
    for label, seconds in sorted(stages(largest, args.files).items(), key=lambda kv: -kv[1]):
        print(f"  {label:<48} {seconds:7.3f}")
    if args.profile:
        print(profile(largest, args.files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
