"""TestIndex: which test files belong to which source file, per ecosystem convention.

Sources pinned (one per convention, named in the ids):
- pytest "Conventions for Python test discovery" (https://docs.pytest.org/en/stable/explanation/goodpractices.html):
  ``test_*.py`` or ``*_test.py`` files; tests outside the application code (``tests/`` mirroring
  the package) or inlined next to it.
- Jest ``testMatch`` default (https://jestjs.io/docs/configuration#testmatch-arraystring):
  ``**/__tests__/**/*.?([mc])[jt]s?(x)`` and ``**/?(*.)+(spec|test).?([mc])[jt]s?(x)``.
- ``go help test`` / https://pkg.go.dev/cmd/go#hdr-Test_packages: tests are ``*_test.go`` files
  of the package (directory).
- Maven Surefire inclusions (https://maven.apache.org/surefire/maven-surefire-plugin/examples/inclusion-exclusion.html):
  ``**/Test*.java``, ``**/*Test.java``, ``**/*Tests.java``, ``**/*TestCase.java``; Failsafe:
  ``**/IT*.java``, ``**/*IT.java``, ``**/*ITCase.java``; standard layout ``src/test/java``.
- RSpec Rails directory structure (https://rspec.info/features/6-0/rspec-rails/directory-structure/):
  ``app/models/y.rb`` <-> ``spec/models/y_spec.rb``; gems: ``lib/x/y.rb`` <-> ``spec/x/y_spec.rb``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Tuple

import pytest

from repo_roles import roles as R
from repo_roles.config import model as M
from repo_roles.coverage.test_presence import TestIndex, defines_code


def index(paths: Sequence[str], *, roles: Dict[str, str] = {}, **config: object) -> TestIndex:
    return TestIndex(list(paths), M.TestsConfig(**config), lambda p: roles.get(p, R.BACKEND_LOGIC))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("paths", "source", "expected"),
    [
        # Python / pytest
        pytest.param(["pkg/a.py", "tests/test_a.py"], "pkg/a.py", ("tests/test_a.py",),
                     id="pytest-test_name-in-tests-dir"),
        pytest.param(["pkg/a.py", "tests/a_test.py"], "pkg/a.py", ("tests/a_test.py",),
                     id="pytest-name_test-in-tests-dir"),
        pytest.param(["pkg/a.py", "tests/test_b.py"], "pkg/a.py", (), id="pytest-other-name-is-not-a-test"),
        pytest.param(["pkg/a.py", "pkg/test_a.py"], "pkg/a.py", ("pkg/test_a.py",), id="pytest-inlined-next-to-module"),
        pytest.param(["pkg/a.py", "other/test_a.py"], "pkg/a.py", (),
                     id="pytest-same-name-outside-tests-dir-and-not-next-to-it"),
        pytest.param(["src/pkg/a/b.py", "tests/a/test_b.py"], "src/pkg/a/b.py", ("tests/a/test_b.py",),
                     id="pytest-tests-mirror-package-subpath"),
        pytest.param(["src/pkg/a/b.py", "tests/pkg/a/test_b.py"], "src/pkg/a/b.py", ("tests/pkg/a/test_b.py",),
                     id="pytest-tests-mirror-full-package-path"),
        pytest.param(["src/pkg/a/b.py", "tests/unit/test_b.py", "tests/integration/test_b.py"], "src/pkg/a/b.py",
                     ("tests/integration/test_b.py", "tests/unit/test_b.py"), id="pytest-loose-name-match-anywhere-in-tests"),
        pytest.param(["src/pkg/a/b.py", "src/pkg/c/b.py", "tests/a/test_b.py", "tests/c/test_b.py"], "src/pkg/a/b.py",
                     ("tests/a/test_b.py",), id="pytest-mirror-preferred-over-same-name-elsewhere"),
        pytest.param(["src/pkg/a/b.py", "src/pkg/c/b.py", "tests/a/test_b.py"], "src/pkg/c/b.py", (),
                     id="pytest-test-mirroring-another-same-named-module-is-not-ours"),
        pytest.param(["backend/shop/api/routes.py", "backend/tests/api/test_routes.py"],
                     "backend/shop/api/routes.py", ("backend/tests/api/test_routes.py",),
                     id="pytest-nested-tests-folder-shop-example"),
        pytest.param(["backend/x.py", "backend/tests/test_x.py", "tests/test_x.py"], "backend/x.py",
                     ("backend/tests/test_x.py",), id="pytest-nearest-tests-dir-wins"),
        # Go
        pytest.param(["svc/inv/a.go", "svc/inv/b_test.go"], "svc/inv/a.go", ("svc/inv/b_test.go",),
                     id="go-help-test-package-with-any-_test.go"),
        pytest.param(["svc/inv/a.go", "svc/inv/a_test.go", "svc/inv/b_test.go"], "svc/inv/a.go",
                     ("svc/inv/a_test.go", "svc/inv/b_test.go"), id="go-own-_test.go-listed-first"),
        pytest.param(["svc/inv/a.go", "svc/other/a_test.go"], "svc/inv/a.go", (), id="go-test-in-other-package-does-not-count"),
        # JavaScript / TypeScript (Jest testMatch)
        pytest.param(["web/src/Button.tsx", "web/src/Button.test.tsx"], "web/src/Button.tsx",
                     ("web/src/Button.test.tsx",), id="jest-testmatch-test-suffix-colocated"),
        pytest.param(["src/util.ts", "src/util.spec.ts"], "src/util.ts", ("src/util.spec.ts",),
                     id="jest-testmatch-spec-suffix-colocated"),
        pytest.param(["src/util.ts", "src/__tests__/util.ts"], "src/util.ts", ("src/__tests__/util.ts",),
                     id="jest-testmatch-__tests__-same-dir"),
        pytest.param(["src/lib/util.ts", "src/__tests__/util.test.ts"], "src/lib/util.ts",
                     ("src/__tests__/util.test.ts",), id="jest-testmatch-__tests__-parent-dir"),
        pytest.param(["src/lib/util.ts", "src/other/__tests__/util.test.ts"], "src/lib/util.ts", (),
                     id="jest-testmatch-__tests__-of-sibling-dir-does-not-count"),
        pytest.param(["src/util.ts", "src/utility.test.ts"], "src/util.ts", (), id="jest-testmatch-other-stem"),
        # Java (Surefire / Failsafe includes)
        pytest.param(["src/main/java/com/ex/Foo.java", "src/test/java/com/ex/FooTest.java"],
                     "src/main/java/com/ex/Foo.java", ("src/test/java/com/ex/FooTest.java",), id="surefire-FooTest"),
        pytest.param(["src/main/java/com/ex/Foo.java", "src/test/java/com/ex/FooTests.java"],
                     "src/main/java/com/ex/Foo.java", ("src/test/java/com/ex/FooTests.java",), id="surefire-FooTests"),
        pytest.param(["lib/src/main/java/com/ex/Foo.java", "lib/src/test/java/com/ex/TestFoo.java"],
                     "lib/src/main/java/com/ex/Foo.java", ("lib/src/test/java/com/ex/TestFoo.java",),
                     id="surefire-TestFoo-in-module"),
        pytest.param(["src/main/java/com/ex/Foo.java", "src/test/java/com/ex/FooIT.java"],
                     "src/main/java/com/ex/Foo.java", ("src/test/java/com/ex/FooIT.java",), id="failsafe-FooIT"),
        pytest.param(["src/main/java/com/ex/Foo.java", "src/test/java/com/other/FooTest.java"],
                     "src/main/java/com/ex/Foo.java", (), id="surefire-other-package-does-not-count"),
        # Ruby (RSpec / Rails)
        pytest.param(["lib/x/y.rb", "spec/x/y_spec.rb"], "lib/x/y.rb", ("spec/x/y_spec.rb",), id="rspec-lib-to-spec"),
        pytest.param(["app/models/y.rb", "spec/models/y_spec.rb"], "app/models/y.rb", ("spec/models/y_spec.rb",),
                     id="rspec-rails-app-models-to-spec-models"),
        pytest.param(["app/models/y.rb", "spec/controllers/y_spec.rb"], "app/models/y.rb", (),
                     id="rspec-rails-other-kind-does-not-count"),
        # Issue 17: C/C++ (GoogleTest foo_test.cc / foo_unittest.cc, Catch2 test_foo.cpp), Rust
        # (cargo test: the crate's tests/), C# (xUnit/NUnit FooTests.cs), PHP (PHPUnit FooTest.php)
        pytest.param(["src/foo.cc", "src/foo.h", "test/foo_test.cc"], "src/foo.h", ("test/foo_test.cc",),
                     id="googletest-foo_test-https://google.github.io/googletest/primer.html"),
        pytest.param(["src/foo.cc", "unittests/foo_unittest.cc"], "src/foo.cc", ("unittests/foo_unittest.cc",),
                     id="googletest-foo_unittest"),
        pytest.param(["src/foo.cpp", "tests/test_foo.cpp", "tests/test_bar.cpp"], "src/foo.cpp", ("tests/test_foo.cpp",),
                     id="catch2-test_foo-https://github.com/catchorg/Catch2/blob/devel/docs/tutorial.md"),
        pytest.param(["a/CMakeLists.txt", "src/foo.cc", "src/bar_test.cc"], "src/foo.cc", (), id="cpp-other-stem"),
        pytest.param(["Cargo.toml", "src/lib.rs", "tests/api.rs"], "src/lib.rs", ("tests/api.rs",),
                     id="cargo-integration-tests-https://doc.rust-lang.org/cargo/guide/tests.html"),
        pytest.param(["Cargo.toml", "src/lib.rs", "other/Cargo.toml", "other/tests/api.rs"], "src/lib.rs", (),
                     id="cargo-other-crate-tests-do-not-count"),
        pytest.param(["src/App/Foo.cs", "tests/App.Tests/FooTests.cs"], "src/App/Foo.cs",
                     ("tests/App.Tests/FooTests.cs",), id="xunit-FooTests"),
        pytest.param(["src/Foo.php", "tests/Unit/FooTest.php"], "src/Foo.php", ("tests/Unit/FooTest.php",),
                     id="phpunit-FooTest-https://docs.phpunit.de/en/11.5/organizing-tests.html"),
    ],
)
def test_conventions(paths: List[str], source: str, expected: Tuple[str, ...]) -> None:
    assert index(paths).tests_for(source) == expected


@pytest.mark.parametrize(
    ("paths", "source", "expected"),
    [
        pytest.param(["services/a/pyproject.toml", "services/a/tests/test_x.py",
                      "services/b/pyproject.toml", "services/b/x.py"], "services/b/x.py", (),
                     id="other-service-tests-dir-never-counts"),
        pytest.param(["services/a/tests/test_x.py", "services/b/x.py"], "services/b/x.py", (),
                     id="other-service-tests-dir-never-counts-without-manifests"),
        pytest.param(["tests/test_x.py", "services/b/pyproject.toml", "services/b/x.py"], "services/b/x.py", (),
                     id="root-tests-dir-does-not-serve-a-sub-project"),
        pytest.param(["tests/test_x.py", "services/b/x.py"], "services/b/x.py", ("tests/test_x.py",),
                     id="root-tests-dir-serves-the-root-project"),
        pytest.param(["apps/a/package.json", "apps/a/__tests__/x.test.ts", "apps/b/package.json", "apps/b/src/x.ts"],
                     "apps/b/src/x.ts", (), id="jest-other-package-never-counts"),
    ],
)
def test_monorepo_projects_do_not_share_tests(paths: List[str], source: str, expected: Tuple[str, ...]) -> None:
    assert index(paths).tests_for(source) == expected


@pytest.mark.parametrize(
    ("mapping", "paths", "source", "expected"),
    [
        pytest.param({"src/{dir}/{name}.py": ["checks/{dir}/check_{name}.py"]},
                     ["src/a/b/c.py", "checks/a/b/check_c.py"], "src/a/b/c.py", ("checks/a/b/check_c.py",),
                     id="mapping-dir-and-name"),
        pytest.param({"src/{dir}/{name}.py": ["checks/{dir}/check_{name}.py"]},
                     ["src/c.py", "checks/check_c.py"], "src/c.py", ("checks/check_c.py",), id="mapping-empty-dir"),
        pytest.param({"src/{dir}/{name}.py": ["checks/{dir}/check_{name}.py"]},
                     ["src/a/c.py", "checks/b/check_c.py"], "src/a/c.py", (), id="mapping-other-dir-does-not-count"),
        pytest.param({"db/{name}.sql": ["db/tests/{name}_test.sql"]},
                     ["db/users.sql", "db/tests/users_test.sql"], "db/users.sql", ("db/tests/users_test.sql",),
                     id="mapping-for-a-language-without-convention"),
        pytest.param({"src/{dir}/{name}.py": ["checks/{dir}/check_{name}.py"]},
                     ["src/a/c.py", "src/a/test_c.py"], "src/a/c.py", ("src/a/test_c.py",),
                     id="mapping-miss-falls-back-to-conventions"),
    ],
)
def test_mapping_templates(mapping: Dict[str, List[str]], paths: List[str], source: str,
                           expected: Tuple[str, ...]) -> None:
    assert index(paths, mapping=mapping).tests_for(source) == expected


@pytest.mark.parametrize(
    ("path", "role", "reason"),
    [
        pytest.param("pkg/__init__.py", R.BACKEND_LOGIC, None, id="init-py-whose-code-is-unknown-is-not-exempt"),
        pytest.param("app/migrations/0001_initial.py", R.BACKEND_LOGIC,
                     "django-migrations: Django migrations are generated schema steps; they are exercised by "
                     "running them, not by unit tests", id="migrations-django-docs"),
        pytest.param("scripts/check-migrations.py", R.BACKEND_LOGIC,
                     "not-importable: a file whose name is not a Python identifier (check-migrations.py) cannot be "
                     "imported by a test", id="not-importable-python-reference-identifiers"),
        pytest.param("backend/conftest.py", R.BACKEND_LOGIC,
                     "pytest-conftest: conftest.py holds pytest fixtures and hooks: test code, not code under test",
                     id="conftest-pytest-docs"),
        pytest.param("svc/cmd/api/main.go", R.BACKEND_LOGIC, "exempt by [tests] exempt glob '**/cmd/*/main.go'",
                     id="go-main-package"),
        pytest.param("pkg/api_pb2.py", R.GENERATED, "generated code", id="generated-role"),
        pytest.param("third_party/lib.py", R.VENDORED, "vendored code", id="vendored-role"),
        pytest.param("pkg/types.pyi", R.BACKEND_LOGIC, "type declarations only", id="pyi-stub"),
        pytest.param("svc/inv/doc.go", R.BACKEND_LOGIC, "Go package documentation file", id="go-doc-go"),
        pytest.param("db/schema.sql", R.BACKEND_LOGIC, "no test convention for .sql files", id="no-convention"),
        pytest.param("tests/test_a.py", R.BACKEND_TESTS, "a test file", id="test-file-itself"),
        pytest.param("pkg/service.py", R.BACKEND_LOGIC, None, id="plain-module-is-not-exempt"),
        pytest.param("svc/inv/tax.go", R.BACKEND_LOGIC, None, id="plain-go-file-is-not-exempt"),
    ],
)
def test_exempt_reason(path: str, role: str, reason: object) -> None:
    assert index([path], roles={path: role}).exempt_reason(path) == reason


def test_custom_exempt_globs_replace_the_defaults() -> None:
    ix = index(["legacy/a.py", "pkg/__init__.py"], exempt=("legacy/**",))
    assert ix.exempt_reason("legacy/a.py") == "exempt by [tests] exempt glob 'legacy/**'"
    assert ix.exempt_reason("pkg/__init__.py") is None


@pytest.mark.parametrize(
    ("source", "data_only"),
    [
        pytest.param(b"", True, id="empty"),
        pytest.param(b"RATE = 0.2\nNAMES = {'a': 1}\n", True, id="constants-only"),
        pytest.param(b'DOC = """\ndef not_code():\n"""\n', False, id="def-in-string-counts-conservatively"),
        pytest.param(b"def f():\n    return 1\n", False, id="function"),
        pytest.param(b"@dataclass\nclass A:\n    x: int\n", False, id="decorated-class"),
        pytest.param(b"if True:\n    async def f():\n        pass\n", False, id="nested-async-def"),
    ],
)
def test_defines_code(source: bytes, data_only: bool) -> None:
    assert defines_code(source) is (not data_only)


def test_looked_for_names_the_tests_dir() -> None:
    ix = index(["backend/pyproject.toml", "backend/shop/inventory.py", "backend/tests/test_models.py"])
    assert ix.looked_for("backend/shop/inventory.py") == (
        "test_inventory.py / inventory_test.py under backend/tests/ and next to it"
    )


def test_test_files_have_no_tests_of_their_own() -> None:
    ix = index(["svc/a.go", "svc/a_test.go", "src/x.test.ts", "tests/test_a.py"])
    assert [ix.tests_for(p) for p in ("svc/a_test.go", "src/x.test.ts", "tests/test_a.py")] == [(), (), ()]


def test_ls_jsonl_records_carry_tests(make_repo: Callable[..., Path], run_cli: Callable) -> None:
    """The `ls --format jsonl` contract: ``tests`` lists the test files found (empty when none)."""
    root = make_repo({
        "pkg/a.py": "def f():\n    pass\n",
        "pkg/b.py": "def g():\n    pass\n",
        "tests/test_a.py": "def test_f():\n    pass\n",
    })
    result = run_cli("ls", str(root), "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    tests = {r["path"]: r["tests"] for r in map(json.loads, result.stdout.splitlines())}
    assert tests == {"pkg/a.py": ["tests/test_a.py"], "pkg/b.py": [], "tests/test_a.py": []}


def _convention_paths() -> List[str]:
    """Every path of the convention and monorepo cases above, in one tree."""
    paths: List[str] = []
    for case in (test_conventions, test_monorepo_projects_do_not_share_tests):
        for param in case.pytestmark[0].args[1]:  # type: ignore[attr-defined]
            paths += [p for p in param.values[0] if p not in paths]
    return sorted(paths)


@pytest.mark.parametrize("order", [pytest.param(1, id="asked-in-path-order"), pytest.param(-1, id="asked-in-reverse")])
def test_name_by_name_index_answers_as_the_whole_index(order: int) -> None:
    """A few questions index only the names asked about (pre-commit on 5 files); past a few
    dozen names, or when told many are coming, the whole path list is indexed: same answers."""
    paths = _convention_paths() + [f"gen/m{i}/mod{i}.py" for i in range(40)] + [
        "gen/tests/test_mod7.py", "svc/inv/deep/c_test.go", "mod3.py", "tests/test_mod3.py"]
    whole = index(paths)
    whole.expect(len(paths))
    lazy = index(paths)
    for path in paths[::order]:
        assert lazy.tests_for(path) == whole.tests_for(path), path
        assert lazy.looked_for(path) == whole.looked_for(path), path
        assert lazy.exempt_reason(path) == whole.exempt_reason(path), path


@pytest.mark.parametrize("source, tested", [
    pytest.param("pub fn f() {}\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {}\n}\n", True,
                 id="rust-book-ch11-cfg-test-module"),
    pytest.param("pub fn f() {}\n#[tokio::test]\nasync fn t() {}\n", True, id="tokio-test-attribute"),
    pytest.param("pub fn f() {}\n// #[cfg(tests)] is not it\n", False, id="no-unit-tests"),
])
def test_rust_unit_tests_in_the_file_count_as_its_tests(make_repo, source: str, tested: bool) -> None:
    """The Rust book, ch. 11.3: unit tests live in each file's `#[cfg(test)]` module."""
    from repo_roles.scan import scan

    root = make_repo({"Cargo.toml": "[package]\nname = \"c\"\n", "src/lib.rs": source})
    needing = scan(root).modules_needing_tests
    assert needing["src/lib.rs"] == (("src/lib.rs",) if tested else ())


def test_cargo_bench_example_and_build_targets_need_no_test(make_repo) -> None:
    """Cargo's project layout: benches/, examples/ and build.rs are targets of their own."""
    from repo_roles.scan import scan

    root = make_repo({"Cargo.toml": "[package]\nname = \"c\"\n", "src/lib.rs": "pub fn f() {}\n",
                      "benches/speed.rs": "fn main() {}\n", "examples/demo.rs": "fn main() {}\n",
                      "build.rs": "fn main() {}\n"})
    assert sorted(scan(root).modules_needing_tests) == ["src/lib.rs"]
