"""Benchmark: documentation coverage of a C++/Rust tree against a Go tree of the same size.

    python benchmarks/bench_languages.py [--files 20000] [--runs 3] [--baseline-python python3]

Generates two git repositories of ``--files`` files each in a temporary directory (or reuses
``--keep DIR``): a C++/Rust tree (headers with classes, methods, functions, macros and
typedefs, ``.cc`` sources, GoogleTest files, Rust crates with ``pub`` items, fields, variants and
``tests/``) and a Go tree (packages of ``.go`` files with exported functions, methods, types and
``_test.go`` files), with the same file sizes and the same share of documented items. Each round,
interleaved so machine load hits them alike:

* ``cpp/rust cold`` — ``repo-roles audit`` on the C++/Rust tree with an empty cache;
* ``go cold`` — the same on the Go tree, run by ``--baseline-python`` (default: this Python;
  pass the interpreter where the previous repo-roles is installed to compare with it);
* ``cpp/rust warm`` — the C++/Rust audit again with the cache the cold run left, counting the
  repository files the process reads (``Inventory.read_bytes``/``read_head``): a warm run must
  read none.

It prints per-file medians (ms/file), their spread and the 1-minute load average. A
command-line tool: it prints its figures.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

# Runs an audit in-process, counting reads of repository files (a warm run must do none).
COUNTING = """
import sys
from repo_roles import inventory
from repo_roles.cli import main
reads = [0]
for name in ("read_bytes", "read_head"):
    original = getattr(inventory.Inventory, name)
    def counted(self, *args, _original=original, **kwargs):
        reads[0] += 1
        return _original(self, *args, **kwargs)
    setattr(inventory.Inventory, name, counted)
try:
    main(["audit", sys.argv[1]], standalone_mode=False)
except SystemExit:
    pass
sys.stderr.write(f"READS {reads[0]}\\n")
"""

WORDS = ("buffer", "packet", "stream", "sensor", "widget", "parser", "token", "frame", "cache", "queue",
         "timer", "socket", "record", "index", "batch", "codec", "route", "store", "event", "state")


def _name(rng: random.Random, style: str) -> str:
    a, b = rng.choice(WORDS), rng.choice(WORDS)
    return f"{a.title()}{b.title()}" if style == "type" else f"{a}_{b}_{rng.randrange(1000)}"


def _doc(rng: random.Random, ratio: float, marker: str) -> str:
    return f"{marker} Does the {rng.choice(WORDS)} work for the {rng.choice(WORDS)}.\n" if rng.random() < ratio else ""


def cpp_header(rng: random.Random, ratio: float, guard: str) -> str:
    out = [f"// Header {guard}\n#ifndef {guard}\n#define {guard}\n\n#include <cstdint>\n#include <string>\n\n"]
    out.append(f"{_doc(rng, ratio, '///')}#define {guard}_LIMIT {rng.randrange(99)}\n\nnamespace acme {{\n\n")
    for _ in range(rng.randint(2, 4)):
        cls = _name(rng, "type")
        out.append(f"{_doc(rng, ratio, '///')}class {cls} {{\n public:\n  {cls}();\n  explicit {cls}(int size);\n"
                   f"  ~{cls}();\n")
        for _ in range(rng.randint(3, 7)):
            out.append(f"  {_doc(rng, ratio, '///')}  int {_name(rng, 'fn')}(const std::string &text, int count) const;\n")
        out.append(f"  {_doc(rng, ratio, '///')}  inline int size() const {{ return size_ * 2 + 1; }}\n"
                   f" private:\n  int helper_(int x);\n  int size_{{0}};\n}};\n\n")
    for _ in range(rng.randint(2, 5)):
        out.append(f"{_doc(rng, ratio, '//!')}int {_name(rng, 'fn')}(std::uint32_t value, const char *label);\n")
    out.append(f"{_doc(rng, ratio, '///')}using {_name(rng, 'type')}Id = std::uint64_t;\n\n}}  // namespace acme\n#endif\n")
    return "".join(out)


def cpp_source(rng: random.Random) -> str:
    body = "".join(f"int {_name(rng, 'fn')}(std::uint32_t value, const char *label) {{\n"
                   f"  int total = 0;\n  for (std::uint32_t i = 0; i < value; ++i) {{ total += label[i % 4]; }}\n"
                   f"  return total;\n}}\n\n" for _ in range(rng.randint(4, 9)))
    return f'#include "acme/{rng.choice(WORDS)}.h"\n\nnamespace acme {{\n\n{body}}}  // namespace acme\n'


def rust_file(rng: random.Random, ratio: float, root: bool) -> str:
    out = ["//! The crate.\n\n" if root else (_doc(rng, ratio, "//!") + "\n")]
    for _ in range(rng.randint(1, 3)):
        typ = _name(rng, "type")
        out.append(f"{_doc(rng, ratio, '///')}#[derive(Debug, Clone)]\npub struct {typ} {{\n")
        for _ in range(rng.randint(2, 4)):
            out.append(f"    {_doc(rng, ratio, '///')}    pub {_name(rng, 'fn')}: u32,\n")
        out.append(f"    secret: u8,\n}}\n\nimpl {typ} {{\n")
        for _ in range(rng.randint(2, 5)):
            out.append(f"    {_doc(rng, ratio, '///')}    pub fn {_name(rng, 'fn')}(&self, value: u32) -> u32 {{\n"
                       f"        let mut total = 0;\n        for i in 0..value {{ total += i * 3; }}\n        total\n    }}\n")
        out.append("}\n\n")
    out.append(f"{_doc(rng, ratio, '///')}pub enum {_name(rng, 'type')}Kind {{ {_doc(rng, ratio, '///')} Fast, Slow }}\n\n")
    for _ in range(rng.randint(1, 3)):
        out.append(f"{_doc(rng, ratio, '///')}pub fn {_name(rng, 'fn')}(value: &str) -> usize {{ value.len() * 2 }}\n\n")
    out.append("#[cfg(test)]\nmod tests {\n    #[test]\n    fn works() { assert_eq!(2, 1 + 1); }\n}\n")
    return "".join(out)


def go_file(rng: random.Random, ratio: float, package: str) -> str:
    out = [f"package {package}\n\nimport \"strings\"\n\n"]
    for _ in range(rng.randint(2, 4)):
        typ = _name(rng, "type")
        out.append(f"{_doc(rng, ratio, '//')}type {typ} struct {{\n\tName string\n\tsize int\n}}\n\n")
        for _ in range(rng.randint(3, 6)):
            fn = _name(rng, "fn").title().replace("_", "")
            out.append(f"{_doc(rng, ratio, '//')}func (t *{typ}) {fn}(text string, count int) int {{\n"
                       f"\ttotal := 0\n\tfor i := 0; i < count; i++ {{\n\t\ttotal += len(strings.TrimSpace(text))\n\t}}\n"
                       f"\treturn total\n}}\n\n")
    for _ in range(rng.randint(2, 4)):
        fn = _name(rng, "fn").title().replace("_", "")
        out.append(f"{_doc(rng, ratio, '//')}func {fn}(value uint32, label string) int {{ return int(value) + len(label) }}\n\n")
    return "".join(out)


def generate(root: Path, files: int, kind: str, seed: int = 1) -> None:
    """``files`` files of a C++/Rust (``kind="cpp-rust"``) or Go (``kind="go"``) tree, committed."""
    rng = random.Random(seed)
    root.mkdir(parents=True)
    written = 0
    component = 0
    while written < files:
        component += 1
        ratio = rng.uniform(0.3, 0.9)
        base = root / f"components/c{component:04d}"
        batch: List[Tuple[Path, str]] = []
        if kind == "go":
            batch.append((base / "go.mod", f"module example.com/c{component}\n\ngo 1.22\n"))
            for i in range(rng.randint(8, 20)):
                pkg = f"pkg{i // 5}"
                batch.append((base / pkg / f"f{i}.go", go_file(rng, ratio, pkg)))
                if i % 3 == 0:
                    batch.append((base / pkg / f"f{i}_test.go", f"package {pkg}\n\nimport \"testing\"\n\nfunc TestF{i}(t *testing.T) {{}}\n"))
        elif component % 2:
            for i in range(rng.randint(8, 20)):
                batch.append((base / f"include/acme/h{i}.h", cpp_header(rng, ratio, f"ACME_C{component}_H{i}_H")))
                batch.append((base / f"src/h{i}.cc", cpp_source(rng)))
                if i % 3 == 0:
                    batch.append((base / f"test/h{i}_test.cc", f'#include "acme/h{i}.h"\n\nTEST(H{i}, Works) {{ EXPECT_EQ(1, 1); }}\n'))
        else:
            batch.append((base / "Cargo.toml", f"[package]\nname = \"c{component}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"))
            batch.append((base / "src/lib.rs", rust_file(rng, ratio, True)))
            for i in range(rng.randint(8, 20)):
                batch.append((base / f"src/m{i}.rs", rust_file(rng, ratio, False)))
                if i % 4 == 0:
                    batch.append((base / f"tests/t{i}.rs", f"#[test]\nfn t{i}() {{ assert_eq!(1, 1); }}\n"))
        for path, text in batch[:files - written]:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        written += min(len(batch), files - written)
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
           "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z"}
    for command in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "-c", "gc.auto=0", "commit", "-qm", "bench"]):
        subprocess.run(command, cwd=root, env=env, check=True)


def timed(command: List[str], env: Dict[str, str]) -> Tuple[float, str]:
    start = time.perf_counter()
    # From a neutral directory: ``-m repo_roles`` must import the installed package, not a checkout.
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          cwd=tempfile.gettempdir())
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed, done.stderr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-python", default=sys.executable,
                        help="interpreter whose repo-roles audits the Go tree (e.g. the previous version's)")
    parser.add_argument("--keep", help="generate (or reuse) the two trees under this directory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rr-bench-lang-") as tmp:
        where = Path(args.keep) if args.keep else Path(tmp)
        trees = {"cpp-rust": where / "cpp-rust", "go": where / "go"}
        for kind, root in trees.items():
            if not root.exists():
                start = time.perf_counter()
                generate(root, args.files, kind)
                print(f"generated {args.files} files ({kind}) in {time.perf_counter() - start:.1f}s", flush=True)
        times: Dict[str, List[float]] = {"cpp/rust cold": [], "go cold": [], "cpp/rust warm": []}
        reads: List[int] = []
        loads: List[float] = []
        for run in range(args.runs):
            loads.append(os.getloadavg()[0])
            cache = Path(tmp) / f"cache-{run}"
            env = {**os.environ, "REPO_ROLES_CACHE_DIR": str(cache / "cpp")}
            audit = [sys.executable, "-m", "repo_roles", "audit", str(trees["cpp-rust"])]
            times["cpp/rust cold"].append(timed(audit, env)[0])
            go_env = {**os.environ, "REPO_ROLES_CACHE_DIR": str(cache / "go")}
            times["go cold"].append(timed([args.baseline_python, "-m", "repo_roles", "audit", str(trees["go"])], go_env)[0])
            elapsed, err = timed([sys.executable, "-c", COUNTING, str(trees["cpp-rust"])], env)
            times["cpp/rust warm"].append(elapsed)
            reads.append(int(err.rsplit("READS ", 1)[1].split()[0]))
            loads.append(os.getloadavg()[0])
            print(f"run {run + 1}: " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in times.items())
                  + f", warm reads {reads[-1]} (load {loads[-2]:.2f} -> {loads[-1]:.2f})", flush=True)
    print(f"\n{args.files} files per tree — median of {args.runs} runs on {os.cpu_count()} CPUs, "
          f"1-min load average {min(loads):.2f}..{max(loads):.2f}")
    for name, values in times.items():
        print(f"  {name:<14} {statistics.median(values):8.2f} s  {1000 * statistics.median(values) / args.files:6.3f} ms/file"
              f"  (spread {min(values):.2f}..{max(values):.2f} s)")
    ratio = statistics.median(times["cpp/rust cold"]) / statistics.median(times["go cold"])
    print(f"  cold C++/Rust per file / cold Go per file: {ratio:.2f}  (goal <= 1)")
    print(f"  repository files read by the warm runs: {reads}  (goal: 0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
