"""Benchmark: building the TestIndex over a 100k-path monorepo, and asking it about every file.

The paths come from ``generate_repo.py``'s planner (same seed, same tree; nothing is written):
Python ``src/`` packages with mirrored ``tests/``, TypeScript with ``*.test.tsx`` and
``__tests__/``, Go packages with and without ``_test.go``.  Reports the median of ``--runs``
runs of ``TestIndex(...)`` and of what TST001 asks: ``tests_for`` of every path, then
``exempt_reason`` of those without tests.

    python benchmarks/bench_test_presence.py [--files 100000] [--runs 5]

This script prints its figures: it is a command-line tool, not library code.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ownership import median_time  # noqa: E402
from generate_repo import build_tree  # noqa: E402

from repo_roles import roles as R  # noqa: E402
from repo_roles.config.model import TestsConfig  # noqa: E402
from repo_roles.coverage.test_presence import TestIndex  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    tree = build_tree(argparse.Namespace(files=args.files, seed=args.seed, python_share=0.6))
    paths: List[str] = sorted(tree.paths)
    config = TestsConfig()

    def role_of(path: str) -> str:
        return R.BACKEND_LOGIC

    build = median_time(lambda: TestIndex(paths, config, role_of), args.runs)
    index = TestIndex(paths, config, role_of)

    def ask_all() -> int:
        """What TST001 asks: tests_for every file, exempt_reason for those without tests."""
        found = 0
        for path in paths:
            if index.tests_for(path):
                found += 1
            else:
                index.exempt_reason(path)
        return found

    ask = median_time(ask_all, args.runs)
    tested = ask_all()
    modules = sum(1 for p in paths if p.endswith((".py", ".go", ".ts", ".tsx")) and not index.is_test(p))
    print(f"{len(paths)} paths: build {build * 1000:.0f} ms, tests_for over all (+exempt_reason when none) {ask * 1000:.0f} ms "
          f"(median of {args.runs}); {tested} of {modules} source files have tests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
