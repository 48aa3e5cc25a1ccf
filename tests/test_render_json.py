"""``audit --format json`` writes exactly the text of ``json.dumps(doc, indent=1, separators=(",", ": "))``
(repo_roles.auditreport.render_json, which encodes containers of scalars at C speed)."""

from __future__ import annotations

import json
import random

import pytest

from repo_roles.auditreport.render_json import render


def _reference(doc: dict) -> str:
    return json.dumps(doc, indent=1, separators=(",", ": ")) + "\n"


_SCALARS = [None, True, False, 0, -3, 2 ** 70, 1.5, -0.0, float("nan"), float("inf"), "", 'a"b\\', "é\n}",
            "\udc80", "},\n{", "],\n[", "x"]


def _value(rnd: random.Random, depth: int) -> object:
    pick = rnd.random()
    if depth > 4 or pick < 0.4:
        return rnd.choice(_SCALARS)
    if pick < 0.6:
        return [_value(rnd, depth + 1) for _ in range(rnd.randint(0, 4))]
    if pick < 0.7:  # rows of pairs, some empty
        return [[rnd.choice(_SCALARS) for _ in range(rnd.randint(0, 3))] for _ in range(rnd.randint(1, 3))]
    if pick < 0.8:  # rows of flat objects, some empty
        return [{str(rnd.randint(0, 9)): rnd.choice(_SCALARS) for _ in range(rnd.randint(0, 3))}
                for _ in range(rnd.randint(1, 3))]
    if pick < 0.85:
        return tuple(_value(rnd, depth + 1) for _ in range(rnd.randint(0, 3)))
    return {rnd.choice(["k", "é", "a,\n", "}"]) + str(i): _value(rnd, depth + 1) for i in range(rnd.randint(0, 4))}


def test_random_documents_are_written_as_json_dumps_writes_them() -> None:
    rnd = random.Random(13)
    for _ in range(3000):
        doc = {"a": _value(rnd, 0), "rows": [_value(rnd, 0) for _ in range(3)]}
        assert render(doc) == _reference(doc), doc


@pytest.mark.parametrize("doc", [
    pytest.param({}, id="empty"),
    pytest.param({"items": [{"rule": "DOC001", "line": None, "message": "x"}, {"rule": "TST001", "line": 3}]},
                 id="findings-rows"),
    pytest.param({"owners": [["@a", 3], ["@b", 1]], "roles": {}}, id="pairs-and-empty"),
    pytest.param({"t": [{1: "int key", None: 0, 1.5: True, False: []}]}, id="keys-json-converts"),
    pytest.param({"n": {2: {"deep": [1]}}}, id="non-string-key-above-a-container"),
])
def test_documents_of_the_audit_shapes(doc: dict) -> None:
    assert render(doc) == _reference(doc)


def test_audit_json_is_the_reference_text(make_repo, run_cli) -> None:
    root = make_repo({"pkg/__init__.py": "", "pkg/m.py": "def f():\n    pass\n", "README.md": "# R\n"})
    result = run_cli("audit", str(root), "--format", "json", "--findings")
    assert result.output == _reference(json.loads(result.output))
