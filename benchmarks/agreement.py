"""Agreement with the reference tools: Doxygen for C/C++ headers, rustc's ``missing_docs`` for Rust,
``yard stats --list-undoc`` for Ruby, PHP_CodeSniffer's PEAR commenting sniffs for PHP, Mono's
``mcs -doc`` (CS1591) for C#.

    python benchmarks/agreement.py doxygen HEADER... [--namespace NS ...]
    python benchmarks/agreement.py yard PROJECT_DIR [--pattern 'lib/**/*.rb']
    python benchmarks/agreement.py phpcs PROJECT_DIR [--pattern 'src/**/*.php']
    python benchmarks/agreement.py mcs PROJECT_DIR [--pattern '**/*.cs'] [-r System.dll ...] [--strip-docs]
    python benchmarks/agreement.py rustc CRATE_DIR [--edition 2018] [--cfg 'feature="std"' ...] [--skip src/x.rs ...]
                                        [--no-default-features]

``doxygen`` runs Doxygen twice on the headers that repo-roles can read (the others are listed as
left out): without preprocessing for functions, classes/structs/unions, enums and typedefs (both
sides then see every ``#if`` branch) and with it for macros (Doxygen extracts ``#define`` only
then). Each header and each ``--namespace`` is declared documented in an extra ``.dox`` input, so
that Doxygen warns about file and namespace members as it does about class members (it is
silent about members of undocumented files). Warnings about variables and enum values are not
compared (repo-roles counts declarations, not fields). ``--macro-expansion``: the first run
with the preprocessor and ``MACRO_EXPANSION = YES``, for headers whose declarations sit behind
export macros (``CJSON_PUBLIC(cJSON *) cJSON_Parse(…)``) that Doxygen reads only expanded.

``rustc`` compiles ``CRATE_DIR/src/lib.rs`` with ``-W missing_docs`` (nothing is run: no build
script, no dependencies) and compares its warnings (file:line) with the items repo-roles
counts as missing in ``CRATE_DIR/src/**/*.rs``, after the crate-level pass that exempts files
reached only through private modules and evaluates ``cfg`` (``--per-file``: without it, as before). Both
sides build the crate's default features (``--cfg feature="…"`` for each, from ``Cargo.toml``;
``--no-default-features``: none) for x86_64-unknown-linux-gnu, and no build script runs (its
custom cfgs are unset on both sides). ``--skip`` leaves out files whose items macros generate
(invisible to a syntax reading). ``--strip-docs`` runs both on a copy whose doc comments are made
plain comments: then every item either side asks documentation for is compared, not only the
items the authors left undocumented.

Both print the undocumented items each side reports, the items only one side reports,
undocumented agreement = both / union, and item verdicts agree = items repo-roles counts that
the tool judges the same way (documented, or reported) / (those + items only the tool reports). A command-line tool: it prints its figures.
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Set, Tuple

from repo_roles._compat import tomllib
from repo_roles.coverage import rust_cfg, rust_crate
from repo_roles.coverage.languages import analyze
from repo_roles.coverage.model import FileDocs

_DOXYGEN = re.compile(r"^(.*?):(\d+): warning: (?:Member (\S+?)(?:\(.*)? \(([\w ]+)\)|Compound (\S+)) .*is not documented")
_RUSTC = re.compile(r"^(\S+?):(\d+):\d+: warning: missing documentation for (the crate)?")
_COMPOUNDS = frozenset({"class", "struct", "union"})


def _report(label: str, ours: Set[tuple], theirs: Set[tuple], counted: int, tool: str) -> None:
    both, union = ours & theirs, ours | theirs
    share = f"{100 * len(both) / len(union):.1f}%" if union else "-"
    # Per item: every item repo-roles counts gets the same verdict from the tool (documented, or
    # reported), except those only one side reports as undocumented.
    same, items = counted - len(ours - theirs), counted + len(theirs - ours)
    print(f"== {label}: counted by repo-roles {counted}; undocumented: repo-roles {len(ours)}, {tool} {len(theirs)}, "
          f"both {len(both)}; undocumented agreement {len(both)}/{len(union)} = {share}; "
          f"item verdicts agree {same}/{items} = {100 * same / items if items else 0:.1f}%")
    for key in sorted(ours - theirs, key=str):
        print("   only repo-roles", *key)
    for key in sorted(theirs - ours, key=str):
        print(f"   only {tool:<10}", *key)


def doxygen(headers: List[str], namespaces: List[str], macro_expansion: bool = False) -> int:
    readable: List[Path] = []
    for name in headers:
        path = Path(name).resolve()
        docs = analyze(path.read_bytes(), path.name)
        if docs is None or docs.problems:
            print(f"left out: {name}: {docs.problems[0][:2] if docs else 'not C/C++'}")
        else:
            readable.append(path)
    ours: Dict[Tuple[str, object], str] = {}
    counted: Dict[str, int] = collections.Counter()
    for path in readable:
        docs = analyze(path.read_bytes(), path.name)
        for item in docs.counted:
            counted["macro" if item.kind == "macro" else "other"] += 1
        for item in docs.missing:
            # compounds and macros by name (Doxygen names a compound at its first declaration
            # and a macro in the #if branch it takes), members by line (Doxygen may misname one)
            key = (str(path), item.name) if item.kind in _COMPOUNDS or item.kind == "macro" else (str(path), item.line)
            ours[key] = "macro" if item.kind == "macro" else "other"
    with tempfile.TemporaryDirectory(prefix="rr-doxygen-") as tmp:
        extra = Path(tmp) / "public.dox"
        extra.write_text("".join(f"/** @file {p.name}\n Public header. */\n" for p in readable)
                         + "".join(f"/** @namespace {ns}\n Documented. */\n" for ns in namespaces))
        for preprocessing, macros in (("YES" if macro_expansion else "NO", False), ("YES", True)):
            log = Path(tmp) / f"warnings-{preprocessing}.txt"
            (Path(tmp) / "Doxyfile").write_text("\n".join([
                f"INPUT = {extra} " + " ".join(map(str, readable)), f"OUTPUT_DIRECTORY = {tmp}/out",
                "GENERATE_HTML = NO", "GENERATE_LATEX = NO", "EXTRACT_ALL = NO", "EXTRACT_PRIVATE = NO",
                "EXTRACT_STATIC = NO", "EXTRACT_ANON_NSPACES = NO", "WARN_IF_UNDOCUMENTED = YES",
                "WARN_IF_DOC_ERROR = NO", "WARN_NO_PARAMDOC = NO", f"WARN_LOGFILE = {log}", "QUIET = YES",
                f"ENABLE_PREPROCESSING = {preprocessing}",
                f"MACRO_EXPANSION = {'YES' if macro_expansion and not macros else 'NO'}", "FILE_PATTERNS = *.h *.hpp *.dox",
            ]) + "\n")
            subprocess.run(["doxygen", str(Path(tmp) / "Doxyfile")], cwd=tmp, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            theirs: Set[tuple] = set()
            for line in log.read_text().splitlines():
                m = _DOXYGEN.match(line)
                if not m:
                    continue
                kind = m.group(4) or "compound"
                if kind in ("variable", "enumvalue", "friend") or (kind == "macro definition") != macros:
                    continue
                if kind == "compound":
                    theirs.add((m.group(1), m.group(5)))
                elif macros:
                    theirs.add((m.group(1), m.group(3)))
                else:
                    theirs.add((m.group(1), int(m.group(2))))
            mine = {k for k, v in ours.items() if (v == "macro") == macros}
            _report("macros" if macros else "functions, classes, enums, typedefs", mine, theirs,
                    counted["macro" if macros else "other"], "doxygen")
    return 0


_DOC_OPENERS = re.compile(rb"//[/!]|/\*[*!]")


def _stripped_copy(root: Path, tmp: str) -> Path:
    """A copy of ``root`` (Cargo.toml and src/) with every doc comment turned into a plain one
    (``///`` -> ``//_``, same length: lines stay put), so that rustc reports every item it asks
    documentation for, and the comparison covers all of them, not only the undocumented few."""
    copy = Path(tmp) / "stripped"
    for path in [root / "Cargo.toml", *sorted((root / "src").rglob("*"))]:
        if not path.is_file():
            continue
        target = copy / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        data = path.read_bytes()
        if path.suffix == ".rs":
            data = _DOC_OPENERS.sub(lambda m: m.group(0)[:2] + b"_", data)
        target.write_bytes(data)
    return copy


def rustc(crate: str, cfgs: List[str], skip: List[str], edition: str, crate_pass: bool = True,
          default_features: bool = True, strip_docs: bool = False) -> int:
    if strip_docs:
        with tempfile.TemporaryDirectory(prefix="rr-stripped-") as tmp:
            print("doc comments stripped: every item is compared")
            return rustc(str(_stripped_copy(Path(crate).resolve(), tmp)), cfgs, skip, edition, crate_pass,
                         default_features)
    root = Path(crate).resolve()
    features = frozenset()
    if default_features and (root / "Cargo.toml").is_file():
        features = rust_cfg.default_features(tomllib.loads((root / "Cargo.toml").read_text()))
    cfgs = cfgs + [f'feature="{name}"' for name in sorted(features)]
    print(f"features: {', '.join(sorted(features)) or '(none)'}")
    with tempfile.TemporaryDirectory(prefix="rr-rustc-") as tmp:
        command = ["rustc", "--crate-type", "lib", "--edition", edition, "-W", "missing_docs", "--cap-lints", "warn",
                   "--error-format", "short",
                   "--out-dir", tmp, "src/lib.rs"]
        for cfg in cfgs:
            command += ["--cfg", cfg]
        done = subprocess.run(command, cwd=root, capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stderr[-3000:])
        return 2
    # the crate by name: rustc puts it at the crate's first token, repo-roles at line 1
    theirs = {(m.group(1), "crate" if m.group(3) else int(m.group(2))) for m in map(_RUSTC.match, done.stderr.splitlines())
              if m and m.group(1) not in skip}
    ours: Set[tuple] = set()
    counted = 0
    every: Dict[str, FileDocs] = {}
    for path in sorted((root / "src").rglob("*.rs")):
        relative = path.relative_to(root).as_posix()
        docs = analyze(path.read_bytes(), relative)
        if docs is not None:
            every[relative] = docs
    if crate_pass:  # the crate-level pass the coverage stage runs (private module files)
        every.update(rust_crate.apply(every, (), {"src/lib.rs": features}))
    for relative, docs in every.items():
        if relative in skip:
            continue
        if docs is None or docs.problems:
            print(f"left out: {relative}: {docs.problems[0][:2] if docs else '?'}")
            continue
        counted += len(docs.counted)
        ours.update((relative, "crate" if item.kind == "crate" else item.line) for item in docs.missing)
    _report(f"{root.name}", ours, theirs, counted, "rustc")
    return 0


def yard(project: str, pattern: str) -> int:
    """``yard stats --list-undoc`` against repo-roles' Ruby items, by object name (YARD merges a
    class reopened in several files; repo-roles counts it documented if any definition is)."""
    root = Path(project).resolve()
    done = subprocess.run(["yard", "stats", "--list-undoc", "--no-save", "--no-output", "-q", pattern],
                          cwd=root, capture_output=True, text=True, check=True)
    listed = done.stdout.split("Undocumented Objects:", 1)[-1].splitlines()
    theirs = {line.strip() for line in listed if line.strip() and not line.startswith("(in file")}
    items: Dict[str, bool] = {}
    for path in sorted(root.glob(pattern)):
        relative = path.relative_to(root).as_posix()
        docs = analyze(path.read_bytes(), relative)
        if docs is None or docs.problems:
            print(f"left out: {relative}: {docs.problems[0][:2] if docs else '?'}")
            continue
        for item in docs.counted:
            items[item.name] = items.get(item.name, False) or item.documented
    ours = {name for name, documented in items.items() if not documented}
    # yard also lists constants, which repo-roles does not count: compared are the names it
    # has an item for, and method names (# or . in the last segment)
    compared = {n for n in theirs if n in items or "#" in n or "." in n.split("::")[-1]}
    print(f"yard names not compared (constants): {len(theirs - compared)}")
    _report(root.name, {(n,) for n in ours}, {(n,) for n in compared}, len(items), "yard")
    return 0


def _missing_by_line(root: Path, files: List[Path]) -> Tuple[Set[tuple], int]:
    """``({(file, line) of each item repo-roles counts undocumented}, items counted)``."""
    ours: Set[tuple] = set()
    counted = 0
    for path in files:
        relative = path.relative_to(root).as_posix()
        docs = analyze(path.read_bytes(), relative)
        if docs is None or docs.problems:
            print(f"left out: {relative}: {docs.problems[0][:2] if docs else '?'}")
            continue
        counted += len(docs.counted)
        ours.update((relative, item.line) for item in docs.missing)
    return ours, counted


_PHPCS_RULESET = """<?xml version="1.0"?>
<ruleset name="repo-roles-agreement">
  <rule ref="PEAR.Commenting.ClassComment.Missing"/>
  <rule ref="PEAR.Commenting.FunctionComment.Missing"/>
  <rule ref="PEAR.Commenting.FunctionComment">
    <properties><property name="minimumVisibility" value="public"/></properties>
  </rule>
</ruleset>
"""
_PHPCS_MISSING = frozenset({"PEAR.Commenting.ClassComment.Missing", "PEAR.Commenting.FunctionComment.Missing"})


def phpcs(project: str, pattern: str) -> int:
    """PHP_CodeSniffer's PEAR sniffs against repo-roles' PHP items, by file and line:
    ``ClassComment.Missing`` (classes, interfaces, traits, enums) and ``FunctionComment.Missing``
    with ``minimumVisibility = public`` (functions and public methods)."""
    import json

    root = Path(project).resolve()
    files = sorted(root.glob(pattern))
    with tempfile.TemporaryDirectory(prefix="rr-phpcs-") as tmp:
        ruleset = Path(tmp) / "ruleset.xml"
        ruleset.write_text(_PHPCS_RULESET)
        done = subprocess.run(["phpcs", f"--standard={ruleset}", "--report=json", "-q", *map(str, files)],
                              cwd=root, capture_output=True, text=True)
    report = json.loads(done.stdout)
    theirs = {(Path(name).relative_to(root).as_posix(), message["line"])
              for name, result in report["files"].items() for message in result["messages"]
              if message["source"] in _PHPCS_MISSING}
    ours, counted = _missing_by_line(root, files)
    _report(root.name, ours, theirs, counted, "phpcs")
    return 0


_CS1591 = re.compile(r"^(.*?)\((\d+),\d+\): warning CS1591: ")
_CS_DOC = re.compile(rb"///")


def mcs(project: str, pattern: str, references: List[str], strip_docs: bool) -> int:
    """Mono's C# compiler with ``-doc`` (CS1591, "Missing XML comment for publicly visible type
    or member") against repo-roles' C# items, by file and line. ``--strip-docs``: both on a copy
    whose ``///`` comments are made plain (``//_``), so every item CS1591 asks for is compared."""
    root = Path(project).resolve()
    with tempfile.TemporaryDirectory(prefix="rr-mcs-") as tmp:
        if strip_docs:
            copy = Path(tmp) / "stripped"
            for path in sorted(root.glob(pattern)):
                target = copy / path.relative_to(root)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(_CS_DOC.sub(b"//_", path.read_bytes()))
            root = copy
            print("doc comments stripped: every item is compared")
        files = sorted(root.glob(pattern))
        command = ["mcs", "-target:library", f"-doc:{tmp}/doc.xml", f"-out:{tmp}/out.dll", "-warn:4",
                   *(f"-r:{name}" for name in references), *(path.relative_to(root).as_posix() for path in files)]
        done = subprocess.run(command, cwd=root, capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stdout[-3000:])
            return 2
        theirs = {(m.group(1).replace("\\", "/"), int(m.group(2)))
                  for m in map(_CS1591.match, (done.stdout + done.stderr).splitlines()) if m}
        ours, counted = _missing_by_line(root, files)
    _report(Path(project).name, ours, theirs, counted, "mcs")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="tool", required=True)
    dox = sub.add_parser("doxygen")
    dox.add_argument("headers", nargs="+")
    dox.add_argument("--namespace", action="append", default=[])
    dox.add_argument("--macro-expansion", action="store_true",
                     help="functions, classes, enums, typedefs with Doxygen's preprocessor and MACRO_EXPANSION=YES "
                          "(export macros such as CJSON_PUBLIC(type) expanded; only the active #if branches)")
    rs = sub.add_parser("rustc")
    rs.add_argument("crate")
    rs.add_argument("--cfg", action="append", default=[])
    rs.add_argument("--skip", action="append", default=[])
    rs.add_argument("--edition", default="2021", help="the crate's Rust edition (Cargo.toml)")
    rs.add_argument("--per-file", action="store_true", help="without the crate-level pass (private module files)")
    rs.add_argument("--no-default-features", action="store_true", help="build without the Cargo.toml default features")
    rs.add_argument("--strip-docs", action="store_true",
                    help="compare on a copy without doc comments: every item rustc asks docs for is compared")
    php = sub.add_parser("phpcs")
    php.add_argument("project")
    php.add_argument("--pattern", default="src/**/*.php")
    cs = sub.add_parser("mcs")
    cs.add_argument("project")
    cs.add_argument("--pattern", default="**/*.cs")
    cs.add_argument("-r", "--reference", action="append", default=[], help="an assembly to reference (System.dll)")
    cs.add_argument("--strip-docs", action="store_true", help="compare on a copy without /// comments")
    rb = sub.add_parser("yard")
    rb.add_argument("project")
    rb.add_argument("--pattern", default="lib/**/*.rb")
    args = parser.parse_args()
    if args.tool == "yard":
        return yard(args.project, args.pattern)
    if args.tool == "phpcs":
        return phpcs(args.project, args.pattern)
    if args.tool == "mcs":
        return mcs(args.project, args.pattern, args.reference, args.strip_docs)
    if args.tool == "doxygen":
        return doxygen(args.headers, args.namespace, args.macro_expansion)
    return rustc(args.crate, args.cfg, args.skip, args.edition, not args.per_file, not args.no_default_features,
                 args.strip_docs)


if __name__ == "__main__":
    sys.exit(main())
