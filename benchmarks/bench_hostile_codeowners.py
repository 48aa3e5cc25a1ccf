"""Benchmark: CODEOWNERS matching with adversarial wildcard lines vs ordinary lines (issue 9).

Builds (seeded) a 20,000-file tree in which a share of the file names are 200 characters long,
then times ``CompiledCodeowners(parsed).match_all(paths)`` -- parse excluded, build included --
for two CODEOWNERS files of the same size:

* ordinary: the 2,000 rules ``bench_ownership.py`` writes (directories, extensions, globs);
* adversarial: 2,000 lines such as ``**/**/**/**/a*a*a*a*a*a*a*a*b @x`` (each with its own
  letters, so none is a duplicate), the shape that made a backtracking matcher take time
  growing as the eighth power of the name length.

The target (issue 9): the adversarial run stays within 3x of the ordinary one.

    python benchmarks/bench_hostile_codeowners.py [--paths 20000] [--rules 2000] [--runs 5] [--dialect github]

This script prints its figures: it is a command-line tool, not library code.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import string
import sys
import time
from typing import Callable, List

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_ownership import make_codeowners, make_paths  # noqa: E402

from repo_roles.ownership import CompiledCodeowners, parse_codeowners  # noqa: E402

LONG = 200


def long_names(rng: random.Random, paths: List[str], share: float) -> List[str]:
    """``paths`` with ``share`` of the file names replaced by 200-character names made of the
    letters the adversarial patterns use (the worst case for a backtracking matcher)."""
    out = set()
    for path in paths:
        if rng.random() < share:
            directory = path.rpartition("/")[0]
            letters = rng.choice(string.ascii_lowercase[:4])
            path = f"{directory}/{letters * (LONG - 3)}.py"[: len(directory) + 1 + LONG]
            path = path if path not in out else path[:-1] + "x"
        out.add(path)
    return sorted(out)


def adversarial(rng: random.Random, count: int, dialect: str) -> bytes:
    lines = ["[Hostile]"] if dialect == "gitlab" else []
    letters = string.ascii_lowercase[:4]
    seen = set()
    while len(seen) < count:
        a, b = rng.choice(letters), rng.choice(letters)
        stars = rng.randint(6, 10)
        globs = "**/" * rng.randint(4, 10)
        pattern = globs + f"{a}*" * stars + b + rng.choice(["", "*", "?", f"{rng.randint(0, 999)}"])
        if pattern in seen:
            continue
        seen.add(pattern)
        lines.append(f"{pattern} @org/team-{rng.randint(0, 120)}")
    return ("\n".join(lines) + "\n").encode()


def median(func: Callable[[], object], runs: int) -> List[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return times


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=20_000)
    parser.add_argument("--rules", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--long-share", type=float, default=0.25, help="share of 200-character file names")
    parser.add_argument("--dialect", choices=["github", "gitlab"], default="github")
    args = parser.parse_args(argv)

    rng = random.Random(20261206)
    plain_paths, dirs = make_paths(rng, args.paths)
    paths = long_names(rng, plain_paths, args.long_share)
    ordinary = make_codeowners(rng, dirs, args.rules)
    if args.dialect == "gitlab":
        ordinary = b"[Ordinary]\n" + ordinary
    hostile = adversarial(rng, args.rules, args.dialect)

    figures = {}
    for name, data in (("ordinary", ordinary), ("adversarial", hostile)):
        parsed = parse_codeowners(data, dialect=args.dialect)
        times = median(lambda: CompiledCodeowners(parsed).match_all(paths), args.runs)
        figures[name] = times
        owned = sum(1 for m in CompiledCodeowners(parsed).match_all(paths).values() if m.owners)
        print(
            f"{name:12} rules={len(parsed.rules):5} match_all+build median {statistics.median(times) * 1000:8.1f} ms"
            f" (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}, {args.runs} runs); owned {owned}/{len(paths)}"
        )
    ratio = statistics.median(figures["adversarial"]) / statistics.median(figures["ordinary"])
    long_count = sum(1 for p in paths if len(p.rpartition("/")[2]) >= LONG)
    print(f"paths={len(paths)} ({long_count} with {LONG}-character names) dialect={args.dialect}")
    print(f"adversarial / ordinary: {ratio:.2f}x (target: within 3x)")
    return 0 if ratio <= 3 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
