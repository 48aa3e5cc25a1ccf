"""The paths in file-name order (coverage/name_order.py): module names found by binary search give
the same entries as the scan of every path, and a damaged stored order is a miss."""

from __future__ import annotations

from repo_roles.coverage import name_order
from repo_roles.coverage.test_names import PathNames

PATHS = [
    "a/util.py", "a/utils.py", "a/tests/test_util.py", "b/util_test.py", "b/test_utils.py", "c/util/x.py",
    "c/util/util.py", "web/util.test.ts", "web/__tests__/util.js", "web/util.ts", "d/test_util_test.py",
    "e/notutil.py", "f/testutil.py", "g/util.go", "g/util_test.go", "h/Util.py",
]
NAMES = ["util", "utils", "x", "Util", "util_test", "missing", "test"]


def _indexed(order):
    names = PathNames(PATHS)
    if order is not None:
        names.use_order(lambda: order)
    for name in NAMES:
        names.name(name)
    return names.py, names.js, names.py_dirs, names.js_dirs


def test_order_is_by_file_name():
    order = name_order.order_of(PATHS)
    bases = [PATHS[i].rpartition("/")[2] for i in order]
    assert bases == sorted(bases) and sorted(order) == list(range(len(PATHS)))


def test_prefix_search_returns_paths_in_list_order():
    order = name_order.order_of(PATHS)
    assert name_order.with_base_prefixes(PATHS, order, ("util", "test_util")) == [
        "a/util.py", "a/utils.py", "a/tests/test_util.py", "b/util_test.py", "b/test_utils.py",
        "c/util/util.py", "web/util.test.ts", "web/__tests__/util.js", "web/util.ts", "d/test_util_test.py",
        "g/util.go", "g/util_test.go"]


def test_names_by_order_equal_names_by_scan():
    assert _indexed(name_order.order_of(PATHS)) == _indexed(None)


def test_stored_order_round_trip_and_damage(tmp_path):
    listed = "digest"
    first = name_order.stored_order(tmp_path, "proj", listed, PATHS)
    path = name_order.order_file(tmp_path, "proj", listed)
    assert path.is_file() and name_order.load(path, len(PATHS)) == first
    assert name_order.load(path, len(PATHS) + 1) is None  # another path list's length: a miss
    raw = bytearray(path.read_bytes())
    raw[-1] ^= 0xFF
    path.write_bytes(bytes(raw))
    assert name_order.load(path, len(PATHS)) is None  # damaged: the CRC fails
    path.write_bytes(bytes(raw[: len(raw) // 2]))
    assert name_order.load(path, len(PATHS)) is None  # truncated
    assert name_order.stored_order(tmp_path, "proj", listed, PATHS) == first  # worked out again
    assert name_order.load(path, len(PATHS)) == first


PY_PATHS = [
    "__init__.py", "setup.py", "src/app/__init__.py", "src/app/billing/__init__.py", "src/app/billing/invoice.py",
    "src/app/utils.py", "scripts/utils.py", "tools/utils/__init__.py", "src/app/9lives.py", "src/app/a-b.py",
    "lib/ns/mod.py", "src/app/billing/__init__/odd.py", "tests/test_invoice.py", "tests/__init__.py",
]
QUESTIONS = [
    ("app.billing.invoice", "tests/test_invoice.py"), ("billing.invoice", "src/app/x.py"), ("utils", "scripts/run.py"),
    ("utils", "src/app/x.py"), ("utils", "tools/run.py"), ("app", "tests/test_x.py"), ("ns.mod", "lib/test_x.py"),
    ("mod", "lib/ns/t.py"), ("app.a-b", "x.py"), ("nothing.here", "x.py"), ("setup", "x.py"), ("__init__", "x.py"),
]


def test_python_modules_by_file_name_answer_as_the_whole_index():
    from repo_roles.testrefs.pyresolve import PythonModules

    order = name_order.order_of(PY_PATHS)
    whole = PythonModules(PY_PATHS, ["lib"])
    lazy = PythonModules.by_file_name(lambda base: name_order.named(PY_PATHS, order, base), ["lib"])
    assert lazy.packages == whole.packages
    for dotted, near in QUESTIONS:
        assert lazy.resolve(dotted, near) == whole.resolve(dotted, near), dotted
        assert lazy.longest_prefix(dotted + ".attr", near) == whole.longest_prefix(dotted + ".attr", near), dotted
    for module, level, near in [("invoice", 1, "src/app/billing/t.py"), ("", 1, "src/app/billing/t.py"),
                                ("billing", 2, "src/app/billing/t.py"), ("utils", 1, "tools/utils/x.py"),
                                ("odd", 1, "src/app/billing/__init__/t.py"), ("", 1, "t.py")]:
        assert lazy.resolve_relative(module, level, near) == whole.resolve_relative(module, level, near), module
    assert name_order.named(PY_PATHS, order, "utils.py") == ["src/app/utils.py", "scripts/utils.py"]  # list order
    assert name_order.named(PY_PATHS, order, "util.py") == []


def test_the_order_knows_whether_the_paths_are_sorted(tmp_path):
    """s12-b: the stored order says whether the paths are in code-point order (a path list with a
    name that is not UTF-8 may not be), so that a binary search in the paths needs no pass over
    them to find out; PathNames takes it from there and finds what a scan finds."""
    unsorted = ["b/x.py", "a/test_x.py", "a/x.py"]
    for paths, expected in ((sorted(PATHS), True), (unsorted, False)):
        name_order.stored_order(tmp_path, "proj", repr(paths), paths)
        order = name_order.load(name_order.order_file(tmp_path, "proj", repr(paths)), len(paths))
        assert order is not None and order.paths_sorted is expected
        counted = _Counted(paths)
        names = PathNames(counted)
        names.use_order(lambda: order)
        before = counted.passes
        assert names.is_sorted() is expected
        assert counted.passes == before  # told by the order: no pass over the paths
        assert names.project("a") == PathNames(paths).project("a")


class _Counted(list):
    """A path list that counts the passes over it whole (iterations and slices)."""

    passes = 0

    def __iter__(self):
        self.passes += 1
        return super().__iter__()

    def __getitem__(self, item):
        if isinstance(item, slice):
            self.passes += 1
        return super().__getitem__(item)


def test_rows_with_stems():
    """The rows whose file name less its last extension is a stem (the modules of a name a change
    touches: coverage/test_reuse.Invalid.rows_of), by binary search in the file-name order."""
    order = name_order.order_of(PATHS)
    found = name_order.rows_with_stems(PATHS, order, {"util", "util.test", "Util"})
    assert sorted(PATHS[i] for i in found) == ["a/util.py", "c/util/util.py", "g/util.go", "h/Util.py",
                                               "web/__tests__/util.js", "web/util.test.ts", "web/util.ts"]
