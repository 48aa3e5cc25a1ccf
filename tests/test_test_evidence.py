"""Test presence from evidence: a module is tested when a test file exercises it (issue #10).

Sources pinned: Python's import system (https://docs.python.org/3/reference/import.html: regular
and namespace packages, relative imports), unittest.mock "where to patch"
(https://docs.python.org/3/library/unittest.mock.html#where-to-patch), pytest conftest fixtures
(https://docs.pytest.org/en/stable/reference/fixtures.html), TypeScript module resolution
(https://www.typescriptlang.org/docs/handbook/modules/reference.html#paths, tsconfig ``extends``),
``go help test`` / "go test" external test packages, Alembic's migration environment
(https://alembic.sqlalchemy.org/en/latest/tutorial.html), PEP 621 ``[project]``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Callable, Dict, List

import pytest

from conftest import git
from repo_roles.testrefs.extract import extract, kind_of
from repo_roles.testrefs.jsresolve import JsResolver
from repo_roles.testrefs.pyresolve import PythonModules

CODE = "def f():\n    return 1\n"
PROJECT = '[project]\nname = "backend"\n'

# Every shape of the "Done when", in one repository.
SHAPES: Dict[str, str] = {
    "backend/pyproject.toml": PROJECT,
    "backend/app/__init__.py": "",
    # an application module named setup.py: not a packaging script, not a project boundary
    "backend/app/setup.py": "def configure(app):\n    return app\n",
    "backend/app/llm/__init__.py": "",
    "backend/app/llm/multi_llm.py": CODE,
    "backend/app/llm/stream_buffer.py": CODE,
    "backend/app/llm/lonely.py": CODE,
    "backend/app/db/__init__.py": "",
    "backend/app/db/skill.py": CODE,
    "backend/app/billing/__init__.py": "",
    "backend/app/billing/client.py": CODE,
    "backend/app/billing/invoice.py": CODE,
    "backend/app/models.py": CODE,
    "backend/billing/__init__.py": "",
    "backend/billing/models.py": CODE,
    # mirrored tests/unit tree, other file names
    "backend/tests/unit/app/llm/test_llm_calls.py": "from app.llm.multi_llm import f\n\ndef test_a():\n    f()\n",
    "backend/tests/unit/test_stream_buffer_unit.py": "import app.llm.stream_buffer as sb\n",
    "backend/tests/unit/test_skills_api.py":
        "from unittest import mock\n\n@mock.patch('app.db.skill.f')\ndef test_s(m):\n    pass\n",
    "backend/tests/conftest.py":
        "import pytest\n\n@pytest.fixture\ndef billing_client():\n    from app.billing import client\n"
        "    return client\n",
    "backend/tests/test_api.py": "def test_pay(billing_client):\n    assert billing_client\n",
    "backend/tests/test_invoices.py": "from app import billing\n",
    # a test_models.py deep in the tree that tests another package's models
    "backend/tests/deep/other/test_models.py": "from billing.models import f\n",
    # Alembic: env.py + versions/ in a folder not called migrations
    "backend/alembic.ini": "[alembic]\nscript_location = dbschema\n",
    "backend/dbschema/env.py": CODE,
    "backend/dbschema/versions/1a2b3c_add_users.py": "def upgrade():\n    pass\n\ndef downgrade():\n    pass\n",
    # a custom-named migrations folder: numbered modules with forwards/backwards steps
    "backend/snuba_like_migrations/events/0001_create.py":
        "class Migration:\n    def forwards_ops(self):\n        return []\n    def backwards_ops(self):\n"
        "        return []\n",
    "backend/scripts/check-migrations.py": CODE,
    # Go: one file exercised, one not
    "svc/go.mod": "module example.com/svc\n\ngo 1.21\n",
    "svc/inv/tax.go": "package inv\n\nfunc Tax() int { return 1 }\n",
    "svc/inv/rate.go": "package inv\n\nfunc Rate() int { return 2 }\n",
    "svc/inv/inv_test.go": 'package inv\n\nimport "testing"\n\nfunc TestTax(t *testing.T) { _ = Tax() }\n',
    "svc/api/api.go": "package api\n\nfunc Serve() {}\n",
    "svc/api/api_ext_test.go":
        'package api_test\n\nimport (\n\t"testing"\n\n\t"example.com/svc/api"\n)\n\n'
        "func TestServe(t *testing.T) { api.Serve() }\n",
    # TS through a tsconfig alias (baseUrl + paths, from a base config it extends)
    "web/package.json": '{"name": "web"}\n',
    "web/tsconfig.base.json": '{\n  // comments and trailing commas are allowed\n  "compilerOptions": {\n'
                              '    "baseUrl": ".",\n    "paths": {"@/*": ["src/*"],},\n  },\n}\n',
    "web/tsconfig.json": '{"extends": "./tsconfig.base.json"}\n',
    "web/src/lib/price.ts": "export const price = 1;\n",
    "web/src/lib/unused.ts": "export const unused = 1;\n",
    "web/tests/price.test.ts": "import { price } from '@/lib/price';\ntest('p', () => expect(price).toBe(1));\n",
    # Java: a test class with another name imports the class
    "jvm/src/main/java/com/acme/Tax.java": "package com.acme;\npublic class Tax {}\n",
    "jvm/src/test/java/com/acme/PricingSuite.java":
        "package com.acme.pricing;\nimport com.acme.Tax;\nclass PricingSuite {}\n",
}


def _tst001(run_cli: Callable, root: Path, *extra: str) -> List[str]:
    result = run_cli("check", str(root), "--select", "TST001", "--output-format", "concise", *extra)
    assert result.exit_code in (0, 1), result.stderr
    return sorted(line.split(":")[0] for line in result.stdout.splitlines() if " TST001 " in line)


def _ls_tests(run_cli: Callable, root: Path) -> Dict[str, List[str]]:
    result = run_cli("ls", str(root), "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    return {r["path"]: r["tests"] for r in map(json.loads, result.stdout.splitlines())}


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("shapes")
    for path, text in SHAPES.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "shapes"]):
        git(root, *args)
    return root


def test_every_shape_gets_the_reviewers_verdict(shapes: Path, run_cli: Callable) -> None:
    """Only the modules no test exercises are reported; migrations and scripts never are."""
    assert _tst001(run_cli, shapes) == [
        "backend/app/billing/invoice.py",  # the test imports app.billing only
        "backend/app/llm/lonely.py",
        "backend/app/models.py",  # test_models.py tests billing.models, not this one
        "backend/app/setup.py",  # a module like any other: no test imports it
        "svc/inv/rate.go",  # the package's test names Tax only
    ]


def test_ls_lists_the_tests_that_exercise_each_module(shapes: Path, run_cli: Callable) -> None:
    tests = _ls_tests(run_cli, shapes)
    assert tests["backend/app/llm/multi_llm.py"] == ["backend/tests/unit/app/llm/test_llm_calls.py"]
    assert tests["backend/app/llm/stream_buffer.py"] == ["backend/tests/unit/test_stream_buffer_unit.py"]
    assert tests["backend/app/db/skill.py"] == ["backend/tests/unit/test_skills_api.py"]  # patch target
    assert tests["backend/app/billing/client.py"] == ["backend/tests/test_api.py"]  # conftest fixture
    assert tests["backend/billing/models.py"] == ["backend/tests/deep/other/test_models.py"]
    assert tests["backend/app/models.py"] == []
    assert tests["svc/inv/tax.go"] == ["svc/inv/inv_test.go"]
    assert tests["svc/inv/rate.go"] == []
    assert tests["svc/api/api.go"] == ["svc/api/api_ext_test.go"]  # external _test package
    assert tests["web/src/lib/price.ts"] == ["web/tests/price.test.ts"]  # tsconfig alias via extends
    assert tests["web/src/lib/unused.ts"] == []
    assert tests["jvm/src/main/java/com/acme/Tax.java"] == ["jvm/src/test/java/com/acme/PricingSuite.java"]


def test_explain_shows_each_piece_of_evidence(shapes: Path, run_cli: Callable) -> None:
    result = run_cli("explain", str(shapes / "backend/app/llm/multi_llm.py"), str(shapes / "backend/app/db/skill.py"),
                     str(shapes / "backend/dbschema/versions/1a2b3c_add_users.py"),
                     str(shapes / "backend/snuba_like_migrations/events/0001_create.py"))
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "tests:    backend/tests/unit/app/llm/test_llm_calls.py:1 from app.llm.multi_llm import f [import]" in out
    assert "tests:    backend/tests/unit/test_skills_api.py:3 patch target \"app.db.skill.f\" [patch]" in out
    assert "none needed (alembic-revisions:" in out
    assert "none needed (numbered-migrations:" in out


def test_tst001_names_what_was_searched_and_the_nearest_candidate(shapes: Path, run_cli: Callable) -> None:
    result = run_cli("check", str(shapes), "--select", "TST001", "--output-format", "concise")
    line = next(x for x in result.stdout.splitlines() if x.startswith("backend/app/billing/invoice.py"))
    assert "no test imports app.billing.invoice; backend/tests/test_invoices.py imports app.billing only" in line
    assert "Python test files searched" in line


def test_non_packaging_setup_py_is_no_project_boundary_and_no_package(shapes: Path, run_cli: Callable) -> None:
    """setuptools quickstart: a packaging setup.py calls setup(); backend/app/setup.py does not."""
    result = run_cli("check", str(shapes), "--select", "DOC003", "--output-format", "concise")
    assert "backend/app/setup.py" not in result.stdout
    assert "backend/pyproject.toml: DOC003" in result.stdout


def test_audit_names_the_evidence_kinds(shapes: Path, run_cli: Callable) -> None:
    result = run_cli("audit", str(shapes))
    assert result.exit_code in (0, 1), result.stderr
    assert ("evidence used: name convention, Python imports, patch targets, conftest fixtures, JS/TS imports, "
            "Go identifiers, Java imports/names") in result.stdout


def test_rule_tst001_lists_the_default_exemptions(run_cli: Callable) -> None:
    out = run_cli("rule", "TST001").stdout
    for name in ("django-migrations", "alembic-revisions", "numbered-migrations", "rails-migrations",
                 "flyway-migrations", "liquibase-changelogs", "pytest-conftest", "codeless-init", "manage-scripts",
                 "not-importable"):
        assert f"* {name} (" in out


# --- hostile and broken input ---------------------------------------------------------------------


def test_unparsable_test_file_is_reported_once_and_its_evidence_skipped(make_repo: Callable[..., Path],
                                                                         run_cli: Callable) -> None:
    root = make_repo({"pkg/__init__.py": "", "pkg/a.py": CODE, "tests/test_api_calls.py": "import pkg.a\ndef broken(:\n"})
    result = run_cli("check", str(root), "--select", "DOC004,TST001", "--output-format", "concise")
    lines = result.stdout.splitlines()
    assert [x for x in lines if "DOC004" in x] == [
        "tests/test_api_calls.py:2: DOC004 tests/test_api_calls.py:2: test file cannot be parsed (line 2); its test evidence is "
        "skipped, the run continues"
    ]
    assert any(x.startswith("pkg/a.py: TST001") for x in lines)  # the import was not counted


def test_import_cycle_ends(make_repo: Callable[..., Path], run_cli: Callable) -> None:
    root = make_repo({"pkg/__init__.py": "from pkg import a\n", "pkg/a.py": "from pkg import b\n" + CODE,
                      "pkg/b.py": "from pkg import a\n" + CODE, "tests/test_a.py": "from pkg import a\nfrom . import x\n",
                      "tests/x.py": "from tests import test_a\n"})
    assert _tst001(run_cli, root) == ["pkg/b.py"]


def test_deep_package_path_ends(make_repo: Callable[..., Path], run_cli: Callable) -> None:
    """A 5,000-level package path (in git's index only: no file system holds it) is a module like any other."""
    root = make_repo({"tests/test_x.py": "import x\n", "x.py": CODE})
    deep = "/".join(["p"] * 5000) + "/mod.py"
    proc = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=root, input=CODE.encode(),
                          capture_output=True, check=True)
    blob = proc.stdout.decode().strip()
    git(root, "update-index", "--add", "--cacheinfo", f"100644,{blob},{deep}")
    result = run_cli("check", str(root), "--select", "TST001", "--output-format", "concise")
    assert result.exit_code in (0, 1), result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_tsconfig_that_extends_itself_is_a_clear_finding(make_repo: Callable[..., Path], run_cli: Callable) -> None:
    """TypeScript reports "Circularity detected while resolving configuration"; so does TST002."""
    root = make_repo({"web/tsconfig.json": '{"extends": "./tsconfig.json", "compilerOptions": {"baseUrl": "."}}\n',
                      "web/src/a.ts": "export const a = 1;\n", "web/a.test.ts": "import {a} from 'src/a';\n"})
    result = run_cli("check", str(root), "--select", "TST002", "--output-format", "concise")
    assert result.exit_code == 1, result.stderr
    assert result.stdout.splitlines()[0] == (
        "web/tsconfig.json: TST002 web/tsconfig.json: extends forms a cycle (web/tsconfig.json -> web/tsconfig.json); "
        "its paths aliases are not used")


def test_tst002_does_not_fire_on_a_chain_that_ends(make_repo: Callable[..., Path], run_cli: Callable) -> None:
    root = make_repo({"web/tsconfig.json": '{"extends": "./base.json"}\n', "web/base.json": "{}\n"})
    result = run_cli("check", str(root), "--select", "TST002", "--output-format", "concise")
    assert result.exit_code == 0, result.stdout


# --- units -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paths", "dotted", "near", "expected"),
    [
        pytest.param(["src/pkg/__init__.py", "src/pkg/mod.py"], "pkg.mod", "tests/test_m.py", "src/pkg/mod.py",
                     id="src-layout"),
        pytest.param(["a/ns/mod.py"], "ns.mod", "a/tests/test_m.py", "a/ns/mod.py", id="namespace-package-pep420"),
        pytest.param(["app/__init__.py", "app/mod.py"], "mod", "tests/test_m.py", None,
                     id="inside-a-regular-package-not-top-level"),
        pytest.param(["x/utils.py", "tests/utils.py"], "utils", "tests/test_m.py", "tests/utils.py",
                     id="nearest-of-same-named-scripts"),
    ],
)
def test_python_resolution(paths: List[str], dotted: str, near: str, expected: object) -> None:
    assert PythonModules(paths).resolve(dotted, near) == expected


def test_python_roots_from_pyproject() -> None:
    modules = PythonModules(["svc/lib/__init__.py", "svc/lib/mod.py"], roots=["svc/lib"])
    assert modules.resolve("mod", "svc/tests/test_m.py") == "svc/lib/mod.py"


def test_setup_py_packaging_is_detected_by_the_setup_call() -> None:
    assert extract("setup.py", b"from setuptools import setup\nsetup(name='x')\n") == {"packaging": True}
    assert extract("setup.py", b"import setuptools\nsetuptools.setup()\n") == {"packaging": True}
    assert extract("setup.py", b"def setup(app):\n    return app\nsetup(None)\n") == {"packaging": False}


def test_pyproject_is_a_project_only_with_a_project_table() -> None:
    assert extract("pyproject", b"[tool.ruff]\nline-length = 99\n")["project"] is False
    assert extract("pyproject", b"[build-system]\nrequires = []\n")["project"] is True
    assert extract("pyproject", b'[tool.poetry]\nname = "x"\n')["project"] is True


def test_js_resolution_extensions_index_and_workspaces() -> None:
    paths = frozenset({"a/b.ts", "a/c/index.tsx", "packages/ui/package.json", "packages/ui/src/index.ts",
                       "packages/ui/src/button.tsx"})
    resolver = JsResolver(paths, {}, {"packages/ui/package.json": {"name": "@acme/ui", "entries": []}})
    assert resolver.resolve("a/x.test.ts", "./b") == "a/b.ts"
    assert resolver.resolve("a/x.test.ts", "./b.js") == "a/b.ts"  # TypeScript's ESM convention
    assert resolver.resolve("a/x.test.ts", "./c") == "a/c/index.tsx"
    assert resolver.resolve("a/x.test.ts", "@acme/ui") == "packages/ui/src/index.ts"
    assert resolver.resolve("a/x.test.ts", "@acme/ui/button") == "packages/ui/src/button.tsx"
    assert resolver.resolve("a/x.test.ts", "react") is None


def test_jsonc_paths_with_glob_stars_survive_comment_stripping() -> None:
    facts = extract("tsconfig", b'{"compilerOptions": {"paths": {"@/*": ["./src/*"]}} /* c */}')
    assert facts["paths"] == {"@/*": ["./src/*"]}


def test_kinds_by_name() -> None:
    assert kind_of("tests/test_a.py") == "py-test"
    assert kind_of("app/conftest.py") == "py-conftest"
    assert kind_of("db/0003_add.py") == "py-numbered"
    assert kind_of("app/models.py") is None
    assert kind_of("web/a.spec.tsx") == "js-test"
    assert kind_of("svc/x_test.go") == "go-test"


def test_cached_evidence_follows_a_changed_test_file(make_repo: Callable[..., Path], run_cli: Callable) -> None:
    """The evidence is cached by blob id: an edited (uncommitted) test file is read again."""
    root = make_repo({"pkg/__init__.py": "", "pkg/a.py": CODE, "pkg/b.py": CODE,
                      "tests/test_api.py": "import pkg.a\n"})
    assert _tst001(run_cli, root) == ["pkg/b.py"]
    assert _tst001(run_cli, root) == ["pkg/b.py"]  # warm: the whole index from the cache
    (root / "tests/test_api.py").write_text("import pkg.b\n")
    assert _tst001(run_cli, root) == ["pkg/a.py"]
    assert _tst001(run_cli, root, "--no-cache") == ["pkg/a.py"]


def test_a_full_run_reads_no_test_file_twice(make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    """The coverage stage hands its facts over: test evidence does not read those files again."""
    from collections import Counter

    from repo_roles.inventory import Inventory
    from repo_roles.scan import scan

    root = make_repo({"pkg/__init__.py": "", "pkg/a.py": CODE, "tests/test_api.py": "import pkg.a\n",
                      "tests/conftest.py": "import pytest\n", "web/tsconfig.json": "{}\n"})
    (root / "tests/test_api.py").write_text("import pkg.a\nimport pkg\n")  # edited: no blob id from git
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(tmp_path / "cache"))
    reads: Counter = Counter()
    original = Inventory.read_bytes

    def counting(self: Inventory, path: str, max_size: int) -> object:
        reads[path] += 1
        return original(self, path, max_size)

    monkeypatch.setattr(Inventory, "read_bytes", counting)
    context = scan(str(root))
    context.coverage  # the stage first, as in an audit
    assert context.test_index.tests_for("pkg/a.py") == ("tests/test_api.py",)
    assert max(reads[p] for p in ("tests/test_api.py", "tests/conftest.py", "web/tsconfig.json")) == 1


def test_python_modules_from_stored_inits_answer_as_by_file_name():
    """s12-a: a whole run's update in shards builds the modules from the path list's
    ``__init__.py`` files worked out beforehand (``init_columns``): the answers of
    ``by_file_name``, which reads every ``__init__.py`` of the file-name order."""
    from repo_roles.coverage import name_order
    from repo_roles.testrefs.pyresolve import PythonModules, init_columns
    from tests.test_name_order import PY_PATHS, QUESTIONS

    paths = PY_PATHS + ["__init__.py", "x-y/__init__.py", "src/app/x-y/__init__.py", "src/app/x-y/m.py"]
    order = name_order.order_of(paths)
    named = lambda base: name_order.named(paths, order, base)  # noqa: E731
    lazy = PythonModules.by_file_name(named, ["lib"])
    stored = PythonModules.from_inits(named, *init_columns(paths), roots=["lib"])
    assert stored.packages == lazy.packages
    for dotted, near in QUESTIONS + [("app", "t.py"), ("billing", "src/app/t.py")]:
        assert stored.resolve(dotted, near) == lazy.resolve(dotted, near), dotted
        assert stored.longest_prefix(dotted + ".attr", near) == lazy.longest_prefix(dotted + ".attr", near), dotted
    for module, level, near in [("invoice", 1, "src/app/billing/t.py"), ("", 1, "src/app/billing/t.py"),
                                ("billing", 2, "src/app/billing/t.py"), ("utils", 1, "tools/utils/x.py"), ("", 1, "t.py")]:
        assert stored.resolve_relative(module, level, near) == lazy.resolve_relative(module, level, near), module
    # the names asked, each with its files in the same order
    assert stored._asked == lazy._asked and {n: stored.by_last.get(n) for n in lazy._asked} == {
        n: lazy.by_last.get(n) for n in lazy._asked}
