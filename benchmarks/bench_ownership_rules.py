"""Benchmark: the ownership rules (OWN001-OWN012) on a large repository.

Scans the repository once (without checks), then times each ownership rule on that context,
median of ``--runs`` runs; the shared analysis of which CODEOWNERS lines decide something
(``_usage.rule_usage``) is dropped before every run, so each figure includes building it when
the rule needs it; ``--cold`` also clears the compiled-regex caches (the scan's matcher then
recompiles on demand too, so cold figures are an upper bound).  Generate the input first::

    python benchmarks/generate_repo.py /tmp/rr-bench-100k --files 100000 --rules 2000
    python benchmarks/bench_ownership_rules.py /tmp/rr-bench-100k [--runs 5] [--cold]

This script prints its figures: it is a command-line tool, not library code.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path
from typing import List

from repo_roles.checks.ownership._usage import rule_usage
from repo_roles.checks.registry import iter_rules
from repo_roles.ownership.patterns import compile_regex
from repo_roles.scan import ScanContext, scan


COLD = False


def _drop_cache(context: ScanContext) -> None:
    context.__dict__.pop("_ownership_rule_usage", None)
    if COLD:  # also forget every compiled pattern regex, as in a fresh process
        compile_regex.cache_clear()
        re.purge()


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold", action="store_true", help="clear the regex caches before every run")
    args = parser.parse_args(argv)
    global COLD
    COLD = args.cold

    start = time.perf_counter()
    context = scan(args.root, run_checks=False)
    print(f"scan (no checks): {time.perf_counter() - start:.2f}s, {len(context.inventory.entries)} files, "
          f"{len(context.ownership.parsed.rules) if context.ownership.parsed else 0} CODEOWNERS rules")

    def usage_once() -> None:
        _drop_cache(context)
        rule_usage(context)

    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        usage_once()
        times.append(time.perf_counter() - t0)
    usage = rule_usage(context)
    assert usage is not None
    print(f"{'shared analysis':<28} {statistics.median(times):7.3f}s  ({len(usage.winning)} lines decide something)")

    total = 0.0
    for rule in iter_rules():
        if not rule.id.startswith("OWN"):
            continue
        times, count = [], 0
        for _ in range(args.runs):
            _drop_cache(context)
            t0 = time.perf_counter()
            count = sum(1 for _ in rule.check(context))
            times.append(time.perf_counter() - t0)
        median = statistics.median(times)
        total += median
        print(f"{rule.id} {rule.name:<23} {median:7.3f}s  {count} findings")
    print(f"{'all ownership rules':<28} {total:7.3f}s  (sum of medians; the shared analysis counted per rule)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
