"""Benchmark: CompiledCodeowners.match_all against a naive per-file pathspec loop.

Generates (seeded) a monorepo-like tree of 100,000 paths and a 2,000-rule GitHub CODEOWNERS
in memory, then reports the median of 5 runs of ``match_all`` (and of building the matcher)
and of the naive loop: for each file, the rules' pathspec patterns from last to first, stopping
at the first match (last match wins). The naive loop is timed on a sample and extrapolated.

    python benchmarks/bench_ownership.py [--paths 100000] [--rules 2000] [--sample 5000]

This script prints its figures: it is a command-line tool, not library code.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from typing import Callable, List, Tuple

import pathspec

from repo_roles.ownership import CompiledCodeowners, parse_codeowners

TOP = ["services", "libs", "apps", "tools", "infra", "docs", "packages", "platform"]
WORDS = ["core", "api", "web", "auth", "billing", "search", "storage", "utils", "client", "server",
         "models", "views", "handlers", "jobs", "config", "internal", "common", "proto", "ui", "db"]
EXTS = [".py", ".ts", ".go", ".md", ".json", ".yaml", ".tsx", ".rs", ".java", ".sql", ".txt", ".sh"]
SPECIAL = ["Makefile", "Dockerfile", "README.md", "BUILD", "package.json", "go.mod", "OWNERS"]


def make_paths(rng: random.Random, count: int) -> Tuple[List[str], List[str]]:
    """``count`` unique file paths and the directories that hold them."""
    dirs: List[str] = []
    for top in TOP:
        for i in range(rng.randint(60, 150)):
            base = f"{top}/{rng.choice(WORDS)}-{i}"
            dirs.append(base)
            for _ in range(rng.randint(2, 10)):
                depth = rng.randint(1, 4)
                dirs.append(base + "".join("/" + rng.choice(WORDS + ["tests", "src", "logs"]) for _ in range(depth)))
    paths = set()
    while len(paths) < count:
        directory = rng.choice(dirs)
        if rng.random() < 0.08:
            name = rng.choice(SPECIAL)
        else:
            name = f"{rng.choice(WORDS)}_{rng.randint(0, 400)}{rng.choice(EXTS)}"
        paths.add(f"{directory}/{name}")
    return sorted(paths), sorted(set(dirs))


def make_codeowners(rng: random.Random, dirs: List[str], count: int) -> bytes:
    lines = ["*   @org/everyone"]
    while len(lines) < count:
        roll = rng.random()
        owner = f"@org/team-{rng.randint(0, 120)}"
        directory = rng.choice(dirs)
        if roll < 0.55:
            lines.append(f"/{directory}/ {owner}")
        elif roll < 0.65:
            lines.append(f"/{directory}/*{rng.choice(EXTS)} {owner}")
        elif roll < 0.72:
            lines.append(f"/{directory}/{rng.choice(SPECIAL)} {owner} dev{rng.randint(0, 99)}@example.com")
        elif roll < 0.78:
            lines.append(f"*{rng.choice(EXTS)} {owner}")
        elif roll < 0.82:
            lines.append(f"{rng.choice(SPECIAL)} {owner}")
        elif roll < 0.88:
            lines.append(f"/{directory.split('/')[0]}/**/{rng.choice(['tests', 'logs', 'proto'])}/ {owner}")
        elif roll < 0.92:
            lines.append(f"{rng.choice(WORDS)}/ {owner}")
        elif roll < 0.96:
            lines.append(f"/{directory}/*/{rng.choice(WORDS)}_* {owner}")
        else:
            lines.append(f"/{directory}/generated")  # explicitly unowned
    return ("\n".join(lines) + "\n").encode()


def median_time(func: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def naive(patterns: List[str], owners: List[Tuple[str, ...]], paths: List[str], *, backwards: bool) -> dict:
    """Per file, every rule's pathspec pattern; the last hit wins.

    ``backwards=False`` is the plain loop (every rule, remember the last hit); ``backwards=True``
    the smarter one (from the last rule down, stop at the first hit).
    """
    gitignore = pathspec.lookup_pattern("gitignore")
    compiled = [gitignore(p) for p in patterns]
    order = range(len(compiled) - 1, -1, -1) if backwards else range(len(compiled))
    out = {}
    for path in paths:
        found: Tuple[str, ...] = ()
        for i in order:
            if compiled[i].match_file(path) is not None:
                found = owners[i]
                if backwards:
                    break
        out[path] = found
    return out


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=100_000)
    parser.add_argument("--rules", type=int, default=2_000)
    parser.add_argument("--sample", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    rng = random.Random(20240101)
    paths, dirs = make_paths(rng, args.paths)
    data = make_codeowners(rng, dirs, args.rules)
    parsed = parse_codeowners(data)
    assert not parsed.issues, parsed.issues[:3]

    parse_s = median_time(lambda: parse_codeowners(data), args.runs)
    build_s = median_time(lambda: CompiledCodeowners(parsed), args.runs)
    match_s = median_time(lambda: CompiledCodeowners(parsed).match_all(paths), args.runs) - build_s
    result = CompiledCodeowners(parsed).match_all(paths)

    sample = rng.sample(paths, min(args.sample, len(paths)))
    patterns = [r.pattern for r in parsed.rules]
    owners = [r.owners for r in parsed.rules]
    scale = len(paths) / len(sample)
    plain_s = median_time(lambda: naive(patterns, owners, sample, backwards=False), 1) * scale
    backwards_s = median_time(lambda: naive(patterns, owners, sample, backwards=True), 3) * scale

    # The two engines read CODEOWNERS differently on purpose (docs/* and friends): count them.
    reference = naive(patterns, owners, sample, backwards=True)
    differ = sum(1 for p in sample if reference[p] != result[p].owners)

    print(
        f"paths={len(paths)} directories={len({p.rpartition('/')[0] for p in paths})} rules={len(parsed.rules)} "
        f"codeowners={len(data) // 1024} KiB"
    )
    print(f"parse:                     {parse_s * 1000:9.1f} ms (median of {args.runs})")
    print(f"build matcher:             {build_s * 1000:9.1f} ms (median of {args.runs})")
    print(f"match_all:                 {match_s * 1000:9.1f} ms (median of {args.runs}, build excluded)")
    print(f"match_all + build:         {(match_s + build_s) * 1000:9.1f} ms")
    print(f"naive loop, every rule:    {plain_s * 1000:9.1f} ms (1 run on {len(sample)} paths, extrapolated)")
    print(f"naive loop, last-first:    {backwards_s * 1000:9.1f} ms (median of 3 on {len(sample)} paths, extrapolated)")
    print(
        f"speed-up (match_all+build): {plain_s / (match_s + build_s):8.1f}x vs every rule, "
        f"{backwards_s / (match_s + build_s):.1f}x vs last-first"
    )
    print(f"owners differing from pathspec's gitignore reading on the sample: {differ}/{len(sample)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
