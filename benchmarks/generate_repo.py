#!/usr/bin/env python3
"""Generate a large, realistic monorepo for benchmarking repo-roles.

    python benchmarks/generate_repo.py DEST --files 100000 --rules 2000 [--seed 1]
                                       [--python-share 0.6] [--shape default|thin] [--no-git]

The tree looks like a company monorepo: Python services and libraries (``src/`` packages nested
2-7 directories deep, ``tests/`` mirrors, migrations, generated ``*_pb2.py``), React/TypeScript
apps and packages (components, ``*.test.tsx``, CSS, tiny images, generated API clients), Go
services (``cmd/``, ``internal/``, ``_test.go``), docs, vendored ``third_party/`` code, a
``.github/CODEOWNERS`` with exactly ``--rules`` rules (directory rules, globs, non-recursive
``dir/*``, anchored and floating patterns, a few rules without owners or matching nothing),
``.gitattributes`` and a ``repo-roles.toml`` roster.  Python modules mix documented and
undocumented functions/classes (each package has its own documentation ratio).  ``--shape thin``
keeps the same tree and makes every Python module and test about 200 bytes (one function), the
shape of service trees made of many small modules, where fixed per-file costs dominate.

Output is deterministic for a given seed (file contents, paths, and - with pinned dates and
identity - the commit id).  Unless ``--no-git``, the tree is committed with one ``git add -A``
and one ``git commit`` (no subprocess per file).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple

# --------------------------------------------------------------------------------------------
# Vocabulary

NOUNS = (
    "account", "address", "alert", "asset", "audit", "balance", "basket", "batch", "billing",
    "booking", "budget", "cache", "campaign", "catalog", "channel", "charge", "checkout",
    "claim", "cluster", "coupon", "credit", "customer", "dashboard", "dataset", "delivery",
    "device", "discount", "document", "event", "export", "feature", "feed", "forecast",
    "fulfilment", "gateway", "identity", "incident", "ingest", "inventory", "invoice", "job",
    "ledger", "listing", "locale", "login", "market", "media", "member", "message", "metric",
    "notification", "offer", "order", "partner", "payment", "payout", "permission", "plan",
    "policy", "price", "profile", "promotion", "quota", "rate", "receipt", "refund", "region",
    "report", "request", "reservation", "review", "risk", "route", "schedule", "search",
    "segment", "session", "settlement", "shipment", "signal", "sku", "stock", "store",
    "subscription", "supplier", "survey", "task", "tax", "team", "tenant", "ticket", "token",
    "transfer", "trip", "upload", "user", "vendor", "voucher", "wallet", "warehouse", "webhook",
)
VERBS = (
    "apply", "build", "calculate", "cancel", "check", "collect", "compute", "convert", "create",
    "decode", "delete", "dispatch", "encode", "enrich", "ensure", "estimate", "expire", "export",
    "fetch", "filter", "find", "format", "group", "handle", "import", "index", "load", "lookup",
    "merge", "migrate", "normalize", "notify", "parse", "prepare", "publish", "purge", "rank",
    "reconcile", "refresh", "register", "render", "resolve", "retry", "save", "schedule",
    "score", "select", "send", "serialize", "split", "store", "summarize", "sync", "track",
    "transform", "update", "validate", "verify",
)
ADJS = (
    "active", "aio", "batch", "cached", "core", "daily", "base", "external", "fast",
    "internal", "legacy", "live", "local", "common", "partial", "pending", "public", "raw",
    "remote", "shared", "simple", "smart", "stale", "v2",
)
CLASS_SUFFIXES = (
    "Service", "Repository", "Client", "Manager", "Handler", "Builder", "Validator", "Policy",
    "Store", "Resolver", "Worker", "Adapter", "Config", "Result", "Error", "Event",
)
PEOPLE = (
    "ada", "alan", "barbara", "bjarne", "brian", "claude", "dennis", "donald", "edsger",
    "frances", "grace", "guido", "hedy", "ivan", "james", "john", "ken", "leslie", "linus",
    "margaret", "niklaus", "radia", "rob", "shafi", "sophie", "tim", "yukihiro",
)
AREAS = (
    "payments", "checkout", "search", "identity", "growth", "logistics", "catalog", "platform",
    "data", "ml", "infra", "mobile", "web", "support", "risk", "finance", "ads", "messaging",
)

PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e5270ddc0000000049454e44ae426082"
)

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench Generator",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench Generator",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
    "GIT_CONFIG_NOSYSTEM": "1",
}
# Fast paths for one huge add/commit: no fsmonitor/untracked cache, parallel stat, cheap zlib,
# and no auto-gc (a 100k-loose-object repo would otherwise repack right after the commit).
GIT_FAST = (
    "-c", "core.fsmonitor=false",
    "-c", "core.untrackedCache=false",
    "-c", "core.preloadIndex=true",
    "-c", "core.looseCompression=1",
    "-c", "core.compression=1",
    "-c", "gc.auto=0",
    "-c", "maintenance.auto=false",
    "-c", "core.autocrlf=false",
    "-c", "core.safecrlf=false",
    "-c", "commit.gpgSign=false",
)


# --------------------------------------------------------------------------------------------
# Content renderers.  Each returns ``bytes``; a spec is (path, renderer, args).

Spec = Tuple[str, Callable[..., bytes], tuple]


def _snake(rng: random.Random) -> str:
    return f"{rng.choice(VERBS)}_{rng.choice(NOUNS)}"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)


def _pascal(name: str) -> str:
    return "".join(p.capitalize() for p in name.split("_"))


def _class_name(rng: random.Random) -> str:
    return _pascal(rng.choice(NOUNS)) + rng.choice(CLASS_SUFFIXES)


def _py_doc(rng: random.Random, indent: str, verb: str, noun: str, args: Sequence[str]) -> str:
    kind = rng.random()
    if kind < 0.55:
        return f'{indent}"""{verb.capitalize()} the {noun} and return the result."""\n'
    lines = [f'{indent}"""{verb.capitalize()} {noun} records for the caller.', ""]
    if args:
        lines.append(f"{indent}Args:")
        for a in args:
            lines.append(f"{indent}    {a}: the {a.replace('_', ' ')} to use.")
        lines.append("")
    lines.append(f"{indent}Returns:")
    lines.append(f"{indent}    The {noun} after {verb}ing it; never ``None``.")
    if kind > 0.85:
        lines += ["", f"{indent}Raises:", f"{indent}    ValueError: if the {noun} is invalid."]
    lines.append(f'{indent}"""')
    return "\n".join(lines) + "\n"


_PY_BODIES = (
    "{i}result = {{}}\n"
    "{i}for item in {a0}:\n"
    "{i}    if item is None:\n"
    "{i}        continue\n"
    "{i}    key = getattr(item, \"{noun}_id\", item)\n"
    "{i}    result[key] = result.get(key, 0) + 1\n"
    "{i}return result\n",
    "{i}if not {a0}:\n"
    "{i}    raise ValueError(\"{noun} is required\")\n"
    "{i}value = str({a0}).strip().lower()\n"
    "{i}if len(value) > {n}:\n"
    "{i}    value = value[:{n}]\n"
    "{i}logger.debug(\"{verb} %s -> %s\", {a0}, value)\n"
    "{i}return value\n",
    "{i}started = time.monotonic()\n"
    "{i}items = [x for x in {a0} if x]\n"
    "{i}items.sort(key=lambda x: getattr(x, \"{noun}\", x))\n"
    "{i}elapsed = time.monotonic() - started\n"
    "{i}if elapsed > {n} / 1000:\n"
    "{i}    logger.warning(\"slow {verb}: %.3fs for %d items\", elapsed, len(items))\n"
    "{i}return items\n",
    "{i}payload = {{\n"
    "{i}    \"{noun}\": {a0},\n"
    "{i}    \"version\": {n},\n"
    "{i}    \"source\": __name__,\n"
    "{i}}}\n"
    "{i}try:\n"
    "{i}    return json.dumps(payload, sort_keys=True, default=str)\n"
    "{i}except (TypeError, ValueError) as exc:\n"
    "{i}    logger.error(\"cannot {verb} {noun}: %s\", exc)\n"
    "{i}    raise\n",
    "{i}total = 0\n"
    "{i}for index, entry in enumerate({a0}):\n"
    "{i}    weight = {n} if index % 2 else 1\n"
    "{i}    total += weight * len(str(entry))\n"
    "{i}return total\n",
    "{i}cache = _CACHE.setdefault(\"{verb}_{noun}\", {{}})\n"
    "{i}key = repr({a0})\n"
    "{i}if key not in cache:\n"
    "{i}    cache[key] = [{a0}] * ({n} % 3 + 1)\n"
    "{i}return cache[key]\n",
)

_ARG_NAMES = ("items", "value", "records", "payload", "entries", "ids", "rows", "options")


def _py_function(rng: random.Random, documented: bool, indent: str = "", method: bool = False) -> str:
    verb, noun = rng.choice(VERBS), rng.choice(NOUNS)
    name = f"{verb}_{noun}"
    if rng.random() < 0.12:
        name = "_" + name  # private helpers are not "public items"
    args = list(rng.sample(_ARG_NAMES, rng.randint(1, 3)))
    sig = ", ".join((["self"] if method else []) + [f"{a}: Any" for a in args[:-1]] + [f"{args[-1]}=None"])
    i2 = indent + "    "
    out = [f"{indent}def {name}({sig}) -> Any:\n"]
    if documented:
        out.append(_py_doc(rng, i2, verb, noun, args))
    body = rng.choice(_PY_BODIES)
    out.append(body.format(i=i2, a0=args[0], noun=noun, verb=verb, n=rng.randint(8, 400)))
    return "".join(out)


def _py_class(rng: random.Random, ratio: float) -> str:
    name = _class_name(rng)
    noun = rng.choice(NOUNS)
    out = [f"class {name}:\n"]
    if rng.random() < ratio:
        out.append(f'    """Keeps {noun} state for one request; not thread-safe."""\n\n')
    out.append(
        "    def __init__(self, client: Any = None, limit: int = 100) -> None:\n"
        "        self.client = client\n"
        "        self.limit = limit\n"
        f"        self._{noun}s: List[Any] = []\n"
    )
    for _ in range(rng.randint(1, 4)):
        out.append("\n")
        out.append(_py_function(rng, rng.random() < ratio, indent="    ", method=True))
    return "".join(out)


def render_python(seed: int, ratio: float, items: int) -> bytes:
    rng = random.Random(seed)
    noun = rng.choice(NOUNS)
    parts = []
    if rng.random() < ratio + 0.1:
        parts.append(f'"""{noun.capitalize()} handling: {rng.choice(VERBS)} and {rng.choice(VERBS)} {noun}s."""\n\n')
    parts.append(
        "from __future__ import annotations\n\n"
        "import json\nimport logging\nimport time\n"
        "from typing import Any, Dict, List, Optional\n\n"
        "logger = logging.getLogger(__name__)\n\n"
        f"_CACHE: Dict[str, Any] = {{}}\nDEFAULT_{noun.upper()}_LIMIT = {rng.randint(10, 500)}\n"
    )
    for _ in range(items):
        parts.append("\n\n")
        if rng.random() < 0.25:
            parts.append(_py_class(rng, ratio))
        else:
            parts.append(_py_function(rng, rng.random() < ratio))
    return "".join(parts).encode()


def render_python_thin(seed: int, ratio: float, _items: int) -> bytes:
    """A thin module of about 200 bytes (``--shape thin``): one constant and one function, as
    in service trees made of many small modules."""
    rng = random.Random(seed)
    verb, noun = rng.choice(VERBS), rng.choice(NOUNS)
    out = []
    if rng.random() < ratio + 0.1:
        out.append(f'"""{noun.capitalize()} {verb} helpers."""\n\n')
    out.append(f"from __future__ import annotations\n\n{noun.upper()}_LIMIT = {rng.randint(10, 500)}\n\n\n")
    out.append(f"def {verb}_{noun}(items=None):\n")
    if rng.random() < ratio:
        out.append(f'    """{verb.capitalize()} the {noun} and return it."""\n')
    out.append(f"    return items or {noun.upper()}_LIMIT\n")
    return "".join(out).encode()


def render_py_test_thin(seed: int, module: str) -> bytes:
    """A thin test module (``--shape thin``): one import, one test."""
    rng = random.Random(seed)
    return (f"from {module} import *  # noqa: F401,F403\n\n\n"
            f"def test_{_snake(rng)}() -> None:\n    assert {rng.randint(1, 50)} > 0\n").encode()


def render_py_test(seed: int, module: str) -> bytes:
    rng = random.Random(seed)
    out = [
        "from __future__ import annotations\n\nimport pytest\n\n"
        f"from {module} import *  # noqa: F401,F403\n"
    ]
    for _ in range(rng.randint(2, 8)):
        name = _snake(rng)
        n = rng.randint(1, 50)
        out.append(
            "\n\n"
            f"@pytest.mark.parametrize(\"value\", [{n}, {n * 2}, {n * 3}])\n"
            f"def test_{name}(value: int) -> None:\n"
            f"    assert value % {n} == 0\n"
            f"    assert str(value).isdigit()\n"
        )
    return "".join(out).encode()


def render_text(text: str) -> bytes:
    return text.encode()


def render_conftest(seed: int) -> bytes:
    rng = random.Random(seed)
    noun = rng.choice(NOUNS)
    return (
        "from __future__ import annotations\n\nimport pytest\n\n\n"
        f"@pytest.fixture\ndef {noun}_factory():\n"
        f"    def make(**kwargs):\n        return dict({{\"id\": 1, \"name\": \"{noun}\"}}, **kwargs)\n\n"
        "    return make\n"
    ).encode()


def render_pb2(seed: int, name: str) -> bytes:
    return (
        "# -*- coding: utf-8 -*-\n# Generated by the protocol buffer compiler.  DO NOT EDIT!\n"
        f"# source: {name}.proto\n\"\"\"Generated protocol buffer code.\"\"\"\n"
        "from google.protobuf import descriptor_pool as _descriptor_pool\n"
        "from google.protobuf.internal import builder as _builder\n\n"
        f"DESCRIPTOR = _descriptor_pool.Default().AddSerializedFile(b'\\n\\x{len(name) + 6:02x}{name}.proto')\n"
        "_builder.BuildMessageAndEnumDescriptors(DESCRIPTOR, globals())\n"
        f"# @@protoc_insertion_point(module_scope) {seed}\n"
    ).encode()


def render_migration(seed: int, number: int) -> bytes:
    rng = random.Random(seed)
    table = rng.choice(NOUNS) + "s"
    col = rng.choice(NOUNS) + "_id"
    return (
        f'"""add {table}.{col}\n\nRevision ID: {number:04d}\nRevises: {max(number - 1, 0):04d}\n"""\n\n'
        "from __future__ import annotations\n\nimport sqlalchemy as sa\nfrom alembic import op\n\n"
        f"revision = \"{number:04d}\"\ndown_revision = \"{max(number - 1, 0):04d}\"\n\n\n"
        f"def upgrade() -> None:\n    op.add_column(\"{table}\", sa.Column(\"{col}\", sa.Integer, nullable=True))\n\n\n"
        f"def downgrade() -> None:\n    op.drop_column(\"{table}\", \"{col}\")\n"
    ).encode()


def render_ts(seed: int, documented: float) -> bytes:
    rng = random.Random(seed)
    noun = rng.choice(NOUNS)
    iface = _pascal(noun)
    out = [
        f"import {{ http }} from \"../lib/http\";\n\n"
        f"export interface {iface} {{\n  id: string;\n  {noun}Count: number;\n  updatedAt: string;\n}}\n"
    ]
    for _ in range(rng.randint(2, 7)):
        fn = _camel(_snake(rng))
        if rng.random() < documented:
            out.append(f"\n/** {fn} for one {noun}; resolves with the server's copy. */")
        out.append(
            f"\nexport async function {fn}(id: string, limit = {rng.randint(5, 200)}): Promise<{iface}[]> {{\n"
            f"  const res = await http.get<{iface}[]>(`/api/{noun}s/${{id}}?limit=${{limit}}`);\n"
            f"  return res.filter((x) => x.{noun}Count > 0).slice(0, limit);\n}}\n"
        )
    return "".join(out).encode()


def render_tsx(seed: int, name: str, documented: float) -> bytes:
    rng = random.Random(seed)
    noun = rng.choice(NOUNS)
    doc = f"/** Shows the {noun} of one customer. */\n" if rng.random() < documented else ""
    return (
        "import { useEffect, useState } from \"react\";\n"
        f"import styles from \"./{name}.module.css\";\n\n"
        f"export interface {name}Props {{\n  id: string;\n  compact?: boolean;\n}}\n\n"
        f"{doc}export function {name}({{ id, compact = false }}: {name}Props) {{\n"
        f"  const [{noun}, set{_pascal(noun)}] = useState<string | null>(null);\n"
        f"  useEffect(() => {{\n    fetch(`/api/{noun}s/${{id}}`).then((r) => r.text()).then(set{_pascal(noun)});\n  }}, [id]);\n"
        f"  if ({noun} === null) return <div className={{styles.loading}}>Loading…</div>;\n"
        f"  return (\n    <section className={{compact ? styles.compact : styles.root}}>\n"
        f"      <h2>{_pascal(noun)}</h2>\n      <p>{{{noun}}}</p>\n    </section>\n  );\n}}\n"
    ).encode()


def render_tsx_test(name: str) -> bytes:
    return (
        "import { render, screen } from \"@testing-library/react\";\n"
        f"import {{ {name} }} from \"./{name}\";\n\n"
        f"describe(\"{name}\", () => {{\n  it(\"shows a loading state first\", () => {{\n"
        f"    render(<{name} id=\"1\" />);\n    expect(screen.getByText(\"Loading…\")).toBeTruthy();\n  }});\n}});\n"
    ).encode()


def render_ts_test(seed: int, module: str) -> bytes:
    rng = random.Random(seed)
    fn = _camel(_snake(rng))
    return (
        "import { describe, expect, it } from \"vitest\";\n"
        f"import * as mod from \"./{module}\";\n\n"
        f"describe(\"{module}\", () => {{\n  it(\"exports {fn}\", () => {{\n"
        "    expect(Object.keys(mod).length).toBeGreaterThan(0);\n  });\n});\n"
    ).encode()


def render_css(seed: int) -> bytes:
    rng = random.Random(seed)
    out = []
    for _ in range(rng.randint(3, 10)):
        cls = rng.choice(ADJS) + "-" + rng.choice(NOUNS)
        out.append(
            f".{cls} {{\n  display: {rng.choice(('flex', 'grid', 'block'))};\n"
            f"  gap: {rng.randint(2, 24)}px;\n  padding: {rng.randint(0, 32)}px;\n"
            f"  color: #{rng.randrange(0x1000000):06x};\n}}\n\n"
        )
    return "".join(out).encode()


def render_go(seed: int, package: str, documented: float) -> bytes:
    rng = random.Random(seed)
    out = [f"package {package}\n\nimport (\n\t\"errors\"\n\t\"strings\"\n)\n"]
    if rng.random() < documented:
        out[0] = f"// Package {package} implements {rng.choice(NOUNS)} handling.\n" + out[0]
    for _ in range(rng.randint(2, 8)):
        noun = rng.choice(NOUNS)
        fn = _pascal(_snake(rng)) if rng.random() < 0.8 else _camel(_snake(rng))
        if rng.random() < documented:
            out.append(f"\n// {fn} normalizes a {noun} key and rejects empty input.")
        out.append(
            f"\nfunc {fn}(key string) (string, error) {{\n"
            f"\tif key == \"\" {{\n\t\treturn \"\", errors.New(\"{package}: empty {noun}\")\n\t}}\n"
            f"\treturn strings.ToLower(strings.TrimSpace(key)), nil\n}}\n"
        )
    return "".join(out).encode()


def render_go_test(package: str, seed: int) -> bytes:
    rng = random.Random(seed)
    return (
        f"package {package}\n\nimport \"testing\"\n\n"
        f"func Test{_pascal(_snake(rng))}(t *testing.T) {{\n"
        f"\tif got := 1 + {rng.randint(1, 9)}; got < 2 {{\n\t\tt.Fatalf(\"got %d\", got)\n\t}}\n}}\n"
    ).encode()


def render_go_main(module: str) -> bytes:
    return (
        "// Command main starts the service.\npackage main\n\n"
        "import (\n\t\"log\"\n\t\"net/http\"\n)\n\n"
        "func main() {\n\thttp.HandleFunc(\"/healthz\", func(w http.ResponseWriter, _ *http.Request) {\n"
        "\t\tw.WriteHeader(http.StatusNoContent)\n\t})\n"
        f"\tlog.Printf(\"{module} listening on :8080\")\n\tlog.Fatal(http.ListenAndServe(\":8080\", nil))\n}}\n"
    ).encode()


def render_md(seed: int, title: str) -> bytes:
    rng = random.Random(seed)
    out = [f"# {title}\n\n"]
    for _ in range(rng.randint(2, 6)):
        noun = rng.choice(NOUNS)
        out.append(f"## {noun.capitalize()}\n\n")
        out.append(
            f"The {noun} flow is owned by the {rng.choice(AREAS)} team. Call `{_snake(rng)}()` "
            f"before `{_snake(rng)}()`; both are idempotent.\n\n"
        )
        if rng.random() < 0.3:
            out.append(f"```console\n$ make {rng.choice(VERBS)}-{noun}\n```\n\n")
    return "".join(out).encode()


def render_svg(seed: int) -> bytes:
    rng = random.Random(seed)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" '
        f'r="{rng.randint(3, 8)}" fill="#{rng.randrange(0x1000000):06x}"/></svg>\n'
    ).encode()


def render_png(_seed: int) -> bytes:
    return PNG_1X1


def render_json(seed: int) -> bytes:
    rng = random.Random(seed)
    keys = rng.sample(NOUNS, rng.randint(3, 8))
    body = ",\n".join(f'  "{k}": {{"enabled": {str(rng.random() < 0.5).lower()}, "limit": {rng.randint(1, 999)}}}' for k in keys)
    return ("{\n" + body + "\n}\n").encode()


def render_vendored_js(seed: int, name: str) -> bytes:
    rng = random.Random(seed)
    return (
        f"/*! {name} v{rng.randint(1, 4)}.{rng.randint(0, 20)}.{rng.randint(0, 9)} | MIT License */\n"
        f"!function(e,t){{\"object\"==typeof exports?module.exports=t():e.{_camel(name.replace('-', '_'))}=t()}}"
        f"(this,function(){{\"use strict\";return function(n){{return n*{rng.randint(2, 99)}}}}});\n"
    ).encode()


def render_generated_ts(seed: int) -> bytes:
    rng = random.Random(seed)
    fields = "\n".join(f"    {n}: string;" for n in rng.sample(NOUNS, 5))
    return (
        "/**\n * This file was auto-generated by openapi-typescript.\n * Do not make direct changes to the file.\n */\n\n"
        f"export interface components {{\n  schemas: {{\n    {_pascal(rng.choice(NOUNS))}: {{\n{fields}\n    }};\n  }};\n}}\n"
    ).encode()


# --------------------------------------------------------------------------------------------
# Tree layout


class Builder:
    """Collects file specs with unique paths, and the directories they create."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.specs: List[Spec] = []
        self.paths: Set[str] = set()
        self.components: List[Tuple[str, str]] = []  # (kind, root)
        self.shape = "default"  # "thin": Python modules and tests of ~200 bytes (same tree)

    def add(self, path: str, render: Callable[..., bytes], *args: object) -> bool:
        if path in self.paths:
            return False
        self.paths.add(path)
        self.specs.append((path, render, args))
        return True

    def seed(self) -> int:
        return self.rng.getrandbits(32)

    def unique_name(self, used: Set[str], make: Callable[[], str]) -> str:
        for _ in range(50):
            name = make()
            if name not in used:
                used.add(name)
                return name
        name = f"{make()}_{len(used)}"
        used.add(name)
        return name

    def subdirs(self, root: str, count: int, max_depth: int) -> List[str]:
        """``count`` directories below ``root`` (including ``root``), at most ``max_depth`` deep."""
        dirs = [(root, 0)]
        used: Set[str] = set()
        rng = self.rng
        while len(dirs) < count:
            parent, depth = rng.choice(dirs)
            if depth >= max_depth:
                continue
            name = self.unique_name(used, lambda: rng.choice(NOUNS + ADJS))
            dirs.append((f"{parent}/{name}", depth + 1))
        return [d for d, _ in dirs]


def split(total: int, parts: int, rng: random.Random, low: float = 0.4, high: float = 2.5) -> List[int]:
    """Split ``total`` into ``parts`` positive-ish integers with random weights."""
    if parts <= 0:
        return []
    weights = [rng.uniform(low, high) for _ in range(parts)]
    scale = total / sum(weights)
    out = [int(w * scale) for w in weights]
    for i in range(total - sum(out)):
        out[i % parts] += 1
    return out


def python_component(b: Builder, root: str, n_py: int, extra: Dict[str, int]) -> None:
    """A Python service/library: src package tree, mirrored tests, migrations, protos."""
    rng = b.rng
    pkg = root.rsplit("/", 1)[-1].replace("-", "_")
    ratio = rng.choice((0.3, 0.5, 0.65, 0.75, 0.85, 0.95))
    test_share = rng.choice((0.0, 0.15, 0.3, 0.4, 0.5)) if n_py > 20 else 0.2
    n_tests = int(n_py * test_share)
    n_special = min(max(n_py // 60, 0), 12)
    n_mod = max(n_py - n_tests - 2 * n_special, 1)
    # keep files at most 7 directories deep: <prefix>/<name>/src/<pkg>/ + up to 3 levels
    depth = max(1, min(rng.randint(1, 3), 7 - (root.count("/") + 3)))
    dirs = b.subdirs(f"{root}/src/{pkg}", max(1, n_mod // rng.randint(8, 20)), depth)
    modules: List[str] = []
    made = 0
    for d in dirs:
        if made < n_mod and b.add(f"{d}/__init__.py", render_text, ""):
            made += 1
    used: Set[str] = set()
    thin = b.shape == "thin"  # same tree and random draws, only the contents are smaller
    module_renderer = render_python_thin if thin else render_python
    test_renderer = render_py_test_thin if thin else render_py_test
    while made < n_mod:
        d = rng.choice(dirs)
        name = b.unique_name(used, lambda: _snake(rng))
        if b.add(f"{d}/{name}.py", module_renderer, b.seed(), ratio, rng.randint(5, 14)):
            modules.append(f"{d}/{name}.py")
            made += 1
    # tests mirror the package layout: tests/<sub>/test_<module>.py
    made_tests = 0
    if n_tests and b.add(f"{root}/tests/conftest.py", render_conftest, b.seed()):
        made_tests += 1
    rng.shuffle(modules)
    for mod in modules:
        if made_tests >= n_tests:
            break
        rel = mod[len(f"{root}/src/"):-3]
        sub, _, name = rel.rpartition("/")
        sub = sub[len(pkg):].lstrip("/")
        test_dir = f"{root}/tests/{sub}".rstrip("/")
        if b.add(f"{test_dir}/test_{name}.py", test_renderer, b.seed(), rel.replace("/", ".")):
            made_tests += 1
    for i in range(n_special):
        b.add(f"{root}/src/{pkg}/migrations/{i + 1:04d}_{_snake(rng)}.py", render_migration, b.seed(), i + 1)
        name = rng.choice(NOUNS)
        b.add(f"{root}/src/{pkg}/proto/{name}_pb2.py", render_pb2, b.seed(), name)
    # non-Python files of a Python component come out of the other budgets
    if extra.get("json", 0) > 0:
        extra["json"] -= 1
        b.add(
            f"{root}/pyproject.toml", render_text,
            f"[project]\nname = \"{pkg}\"\nversion = \"0.{rng.randint(1, 40)}.0\"\nrequires-python = \">=3.9\"\n",
        )
    if extra.get("md", 0) > 0:
        extra["md"] -= 1
        b.add(f"{root}/README.md", render_md, b.seed(), pkg)


def ts_component(b: Builder, root: str, n_ts: int, n_css: int, n_img: int, n_gen: int, app: bool) -> None:
    rng = b.rng
    documented = rng.choice((0.1, 0.3, 0.6))
    comp_dirs = b.subdirs(f"{root}/src/components", max(1, n_ts // 25), rng.randint(1, 2))
    lib_dirs = b.subdirs(f"{root}/src/lib", max(1, n_ts // 60), 2)
    made = 0
    used: Set[str] = set()
    while made < n_ts:
        r = rng.random()
        if app and r < 0.55:
            d = rng.choice(comp_dirs)
            name = b.unique_name(used, lambda: _pascal(rng.choice(NOUNS)) + rng.choice(("Card", "List", "Panel", "Form", "View", "Badge")))
            if b.add(f"{d}/{name}.tsx", render_tsx, b.seed(), name, documented):
                made += 1
                if made < n_ts and rng.random() < 0.4:
                    where = f"{d}/__tests__/{name}.test.tsx" if rng.random() < 0.3 else f"{d}/{name}.test.tsx"
                    made += b.add(where, render_tsx_test, name)
        else:
            d = rng.choice(lib_dirs)
            name = b.unique_name(used, lambda: _camel(_snake(rng)))
            if b.add(f"{d}/{name}.ts", render_ts, b.seed(), documented):
                made += 1
                if made < n_ts and rng.random() < 0.35:
                    made += b.add(f"{d}/{name}.test.ts", render_ts_test, b.seed(), name)
    for _ in range(n_css):
        d = rng.choice(comp_dirs)
        b.add(f"{d}/{rng.choice(NOUNS)}-{rng.randint(1, 999)}.module.css", render_css, b.seed())
    for _ in range(n_img):
        ext, fn = (".svg", render_svg) if rng.random() < 0.5 else (".png", render_png)
        b.add(f"{root}/public/img/{rng.choice(AREAS)}/{rng.choice(NOUNS)}-{rng.randint(1, 9999)}{ext}", fn, b.seed())
    for _ in range(n_gen):
        b.add(f"{root}/src/generated/{rng.choice(NOUNS)}-{rng.randint(1, 9999)}.ts", render_generated_ts, b.seed())
    name = root.rsplit("/", 1)[-1]
    deps = '"react": "^18.3.1", "react-dom": "^18.3.1"' if app else '"zod": "^3.23.8"'
    b.add(
        f"{root}/package.json", render_text,
        f"{{\n  \"name\": \"@bench/{name}\",\n  \"version\": \"1.0.0\",\n  \"private\": true,\n"
        f"  \"dependencies\": {{ {deps} }},\n  \"devDependencies\": {{ \"typescript\": \"^5.5.3\", \"vitest\": \"^2.0.3\" }}\n}}\n",
    )


def go_component(b: Builder, root: str, n_go: int) -> None:
    rng = b.rng
    name = root.rsplit("/", 1)[-1]
    documented = rng.choice((0.2, 0.5, 0.8, 0.95))
    b.add(f"{root}/go.mod", render_text, f"module github.com/bench/monorepo/{root}\n\ngo 1.22\n")
    b.add(f"{root}/cmd/{name}/main.go", render_go_main, name)
    dirs = b.subdirs(f"{root}/internal", max(1, n_go // 10), rng.randint(1, 3))
    made = 1
    used: Set[str] = set()
    while made < n_go:
        d = rng.choice(dirs)
        package = d.rsplit("/", 1)[-1].replace("-", "")
        if package == "internal":
            package = name.replace("-", "")
        file = b.unique_name(used, lambda: _snake(rng))
        if b.add(f"{d}/{file}.go", render_go, b.seed(), package, documented):
            made += 1
            if made < n_go and rng.random() < 0.45:
                made += b.add(f"{d}/{file}_test.go", render_go_test, package, b.seed())


def build_tree(args: argparse.Namespace) -> Builder:
    rng = random.Random(args.seed)
    b = Builder(rng)
    b.shape = args.shape
    total = args.files
    n_py = int(total * args.python_share)
    rest = total - n_py
    budget = {
        "ts": int(rest * 0.38), "css": int(rest * 0.08), "go": int(rest * 0.18),
        "md": int(rest * 0.10), "json": int(rest * 0.06), "img": int(rest * 0.10),
        "vendored": int(rest * 0.05), "gen": int(rest * 0.05),
    }
    used_roots: Set[str] = set()

    def root_name(prefix: str) -> str:
        return b.unique_name(used_roots, lambda: f"{prefix}/{rng.choice(NOUNS)}-{rng.choice(('api', 'service', 'worker', 'core', 'sdk', 'jobs', 'gateway', 'sync'))}")

    # Python: services (deep) and libs
    n_py_comp = max(1, n_py // 450)
    for count in split(n_py, n_py_comp, rng):
        prefix = rng.choice(("services", "services", "libs", f"platform/{rng.choice(AREAS)}"))
        root = root_name(prefix)
        b.components.append(("python", root))
        python_component(b, root, max(count, 1), budget)
    # TypeScript apps/packages
    n_ts_comp = max(1, budget["ts"] // 350)
    css = split(budget["css"], n_ts_comp, rng)
    img = split(budget["img"], n_ts_comp, rng)
    gen = split(budget["gen"], n_ts_comp, rng)
    budget["json"] -= n_ts_comp
    for i, count in enumerate(split(budget["ts"], n_ts_comp, rng)):
        app = rng.random() < 0.6
        root = root_name("apps" if app else "packages")
        b.components.append(("ts-app" if app else "ts-package", root))
        ts_component(b, root, max(count, 1), css[i], img[i], gen[i], app)
    # Go services
    n_go_comp = max(1, budget["go"] // 200)
    budget["json"] -= n_go_comp  # go.mod
    for count in split(budget["go"], n_go_comp, rng):
        root = root_name("go")
        b.components.append(("go", root))
        go_component(b, root, max(count, 2))
    # docs (with a few names that need quoting: spaces, unicode)
    doc_dirs = b.subdirs("docs", max(1, budget["md"] // 15), 4)
    for i in range(budget["md"]):
        d = rng.choice(doc_dirs)
        title = f"{rng.choice(VERBS)}-{rng.choice(NOUNS)}"
        if i % 997 == 5:
            title = f"Design notes {i}" if i % 2 else f"über-{rng.choice(NOUNS)} {i}"
        b.add(f"{d}/{title}.md", render_md, b.seed(), title)
    # vendored code
    libs = ["left-pad", "tiny-emitter", "mini-dom", "fast-deep-equal", "nanoid", "mitt", "klona"]
    for i in range(budget["vendored"]):
        lib = libs[i % len(libs)]
        b.add(f"third_party/{lib}/dist/{lib}-{i}.min.js", render_vendored_js, b.seed(), lib)
    # config JSON
    for i in range(max(budget["json"], 0)):
        comp = rng.choice(b.components)[1]
        b.add(f"{comp}/config/{rng.choice(NOUNS)}-{i}.json", render_json, b.seed())
    b.add("README.md", render_text, "# bench monorepo\n\nGenerated by benchmarks/generate_repo.py.\n")
    b.add(
        ".gitattributes", render_text,
        "* text=auto eol=lf\n*.png binary\n**/generated/** linguist-generated\n"
        "**/proto/*_pb2.py linguist-generated\nthird_party/** linguist-vendored\n",
    )
    # exact file count: trim the random tail or pad with docs
    b.specs.sort(key=lambda s: s[0])
    reserved = 2  # CODEOWNERS and repo-roles.toml
    target = total - reserved
    if len(b.specs) > target:
        keep = {".gitattributes", "README.md"}
        extra = len(b.specs) - target
        drop_idx = set(rng.sample([i for i, s in enumerate(b.specs) if s[0] not in keep], extra))
        b.specs = [s for i, s in enumerate(b.specs) if i not in drop_idx]
    i = 0
    while len(b.specs) < target:
        b.add(f"docs/extra/page-{i}.md", render_md, b.seed(), f"page {i}")
        i += 1
    b.paths = {s[0] for s in b.specs}
    return b


# --------------------------------------------------------------------------------------------
# CODEOWNERS and roster


def make_teams(rng: random.Random, rules: int) -> List[Tuple[str, List[str], List[str]]]:
    count = max(6, min(200, rules // 25))
    teams = []
    used: Set[str] = set()
    for i in range(count):
        area = AREAS[i % len(AREAS)]
        kind = ("backend", "frontend", "docs", "platform")[i % 4]
        handle = f"@bench/{area}-{kind}" if f"@bench/{area}-{kind}" not in used else f"@bench/{area}-{kind}-{i}"
        used.add(handle)
        responsible = {
            "backend": ["backend", "generated"],
            "frontend": ["frontend", "vendored"],
            "docs": ["backend.docs"],
            "platform": ["config", "unclassified"],
        }[kind]
        members = [f"@{p}" for p in rng.sample(PEOPLE, 3)]
        teams.append((handle, responsible, members))
    return teams


def make_codeowners(b: Builder, n_rules: int, teams: List[Tuple[str, List[str], List[str]]]) -> str:
    rng = b.rng
    handles = [t[0] for t in teams]
    by_kind: Dict[str, List[str]] = {}
    for h in handles:
        kind = h.rsplit("-", 1)[-1] if not h.rsplit("-", 1)[-1].isdigit() else h.split("-")[1]
        by_kind.setdefault(kind, []).append(h)

    def owners(kind: str) -> str:
        pool = by_kind.get(kind) or handles
        out = [rng.choice(pool)]
        r = rng.random()
        if r < 0.15:
            out.append(f"@{rng.choice(PEOPLE)}")
        elif r < 0.18:
            out.append(f"{rng.choice(PEOPLE)}@example.com")
        elif r < 0.19:
            out.append("@bench/ghosts")  # not in the roster
        return " ".join(out)

    dirs: Dict[str, Set[str]] = {}
    for path in b.paths:
        parent = path.rpartition("/")[0]
        while parent:
            dirs.setdefault(parent, set())
            parent = parent.rpartition("/")[0]
    all_dirs = sorted(dirs)
    files = sorted(b.paths)
    lines: List[str] = ["# Generated by benchmarks/generate_repo.py — the last matching rule wins.", ""]
    count = 0

    def emit(line: str) -> None:
        nonlocal count
        if count < n_rules:
            lines.append(line)
            count += 1

    emit("*                                   " + owners("platform"))
    for glob, kind in (
        ("*.md", "docs"), ("*.css", "frontend"), ("*.tsx", "frontend"), ("**/tests/", "backend"),
        ("*.go", "backend"), ("/docs/", "docs"), ("/third_party/", "frontend"), ("**/generated/**", "backend"),
    ):
        emit(f"{glob:<36}{owners(kind)}")
    kind_of = {"python": "backend", "go": "backend", "ts-app": "frontend", "ts-package": "frontend"}
    comps = list(b.components)
    rng.shuffle(comps)
    # one section per component: its root, then deeper overrides
    per_comp = max(1, (n_rules - count) // max(len(comps), 1))
    for kind, root in comps:
        if count >= n_rules:
            break
        lines += ["", f"# {root}"]
        team = kind_of[kind]
        emit(f"/{root + '/':<35}{owners(team)}")
        subs = [d for d in all_dirs if d.startswith(root + "/")]
        for _ in range(per_comp - 1):
            if count >= n_rules or not subs:
                break
            r = rng.random()
            if r < 0.45:
                emit(f"/{rng.choice(subs)}/  {owners(team)}")
            elif r < 0.60:
                emit(f"/{rng.choice(subs)}/*  {owners(team)}")  # non-recursive
            elif r < 0.72:
                d = rng.choice(subs)
                emit(f"{d.rsplit('/', 1)[-1]}/  {owners(team)}")  # floating directory name
            elif r < 0.84:
                cand = [f for f in (rng.choice(files) for _ in range(8)) if f.startswith(root + "/")]
                if cand:
                    emit(f"/{cand[0].replace(' ', chr(92) + ' ')}  {owners(team)}")
            elif r < 0.92:
                ext = {"python": "*.py", "go": "*_test.go", "ts-app": "*.test.tsx", "ts-package": "*.ts"}[kind]
                emit(f"/{root}/**/{ext}  {owners(team)}")
            elif r < 0.96:
                emit(f"/{rng.choice(subs)}/")  # no owners: un-owns the directory
            else:
                emit(f"/{root}/removed-{rng.randint(1, 999)}/  {owners(team)}")  # matches nothing
    # top up with more directory rules when components ran out
    while count < n_rules:
        d = rng.choice(all_dirs)
        emit(f"/{d}/  {owners(rng.choice(('backend', 'frontend', 'docs', 'platform')))}")
    return "\n".join(lines) + "\n"


def make_config(teams: List[Tuple[str, List[str], List[str]]]) -> str:
    out = [
        "# Generated by benchmarks/generate_repo.py",
        'extends = "recommended"',
        'exclude = ["**/node_modules/"]',
        "",
        "[roles]",
        '"frontend.ui" = ["apps/*/src/**/*.ts"]',
        "",
    ]
    for handle, responsible, members in teams:
        resp = ", ".join(f'"{r}"' for r in responsible)
        mem = ", ".join(f'"{m}"' for m in members)
        out += [f'[teams."{handle}"]', f"responsible = [{resp}]", f"members = [{mem}]", ""]
    out += [
        "[ownership]",
        'file = ".github/CODEOWNERS"',
        'require-owner = ["backend.logic", "backend.tests", "frontend.ui", "frontend.tests"]',
        "",
    ]
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Writing and committing


def _write_chunk(base: str, specs: Sequence[Spec]) -> int:
    size = 0
    for path, render, args in specs:
        data = render(*args)
        size += len(data)
        with open(os.path.join(base, path), "wb") as fh:
            fh.write(data)
    return size


def write_tree(dest: Path, specs: Sequence[Spec], jobs: int) -> int:
    """Create the directories, then render and write the files in ``jobs`` processes."""
    base = str(dest)
    for parent in sorted({path.rpartition("/")[0] for path, _, _ in specs} - {""}):
        os.makedirs(os.path.join(base, parent), exist_ok=True)
    if jobs <= 1 or len(specs) < 5000:
        return _write_chunk(base, specs)
    from concurrent.futures import ProcessPoolExecutor

    # Interleaved chunks balance the load (Python modules are the expensive ones).
    chunks = [specs[i::jobs * 4] for i in range(jobs * 4)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return sum(pool.map(_write_chunk, [base] * len(chunks), chunks))


def git(dest: Path, *args: str) -> None:
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", *GIT_FAST, *args], cwd=dest, env=env, check=True)


def commit(dest: Path) -> None:
    git(dest, "init", "-q", "-b", "main", ".")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "--no-verify", "-m", "Generated benchmark monorepo")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--rules", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--python-share", type=float, default=0.6)
    parser.add_argument("--shape", choices=("default", "thin"), default="default",
                        help="thin: Python modules and tests of ~200 bytes (one function each) in the "
                             "same tree; default: ~4 KB modules")
    parser.add_argument("--no-git", action="store_true", help="only write the files")
    parser.add_argument("--force", action="store_true", help="replace DEST if it exists")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="writer processes")
    args = parser.parse_args(argv)
    if args.files < 50:
        parser.error("--files must be at least 50")
    if not 0.0 <= args.python_share <= 1.0:
        parser.error("--python-share must be between 0 and 1")
    dest: Path = args.dest.resolve()
    if dest.exists() and any(dest.iterdir()):
        if not args.force:
            parser.error(f"{dest} exists and is not empty (use --force to replace it)")
        shutil.rmtree(dest)
    dest.mkdir(parents=True, exist_ok=True)

    t0 = time.perf_counter()
    b = build_tree(args)
    teams = make_teams(b.rng, args.rules)
    specs = list(b.specs)
    specs.append((".github/CODEOWNERS", render_text, (make_codeowners(b, args.rules, teams),)))
    specs.append(("repo-roles.toml", render_text, (make_config(teams),)))
    t1 = time.perf_counter()
    size = write_tree(dest, specs, args.jobs)
    t2 = time.perf_counter()
    if not args.no_git:
        commit(dest)
    t3 = time.perf_counter()
    n_py = sum(1 for s in specs if s[0].endswith(".py"))
    print(
        f"wrote {len(specs)} files ({n_py / len(specs):.0%} Python, {size / 1e6:.1f} MB), "
        f"{args.rules} CODEOWNERS rules, {len(teams)} teams into {dest}\n"
        f"plan {t1 - t0:.1f}s, write {t2 - t1:.1f}s, git {t3 - t2:.1f}s"
        f"{' (skipped)' if args.no_git else ''}; total {t3 - t0:.1f}s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
