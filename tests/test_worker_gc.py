"""A documentation worker runs with the cyclic collector off and the parent's heap frozen, and
frees what a task left in a reference cycle once the task ends (analyze._init_worker/_work)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import gc, sys, weakref
    from repo_roles.coverage import analyze as A
    from repo_roles.coverage.model import DocOptions

    class Node:
        pass

    seen = {}
    gc.enable()
    parent_heap = [Node() for _ in range(100)]  # what a forked worker inherits
    A._init_worker(sys.argv[1], DocOptions(), False)
    real = A._worker.run_many

    def run_many(todo):
        seen["enabled"] = gc.isenabled()
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle: reference counting alone never frees it
        seen["cycle"] = weakref.ref(a)
        return real(todo)

    A._worker.run_many = run_many
    wired = A._work([("mod.py", None)])
    print(seen["enabled"], seen["cycle"]() is None, gc.get_freeze_count() >= len(parent_heap), len(wired),
          A.from_wire(wired[0])[0].docs.items[0].documented)
""")


def test_worker_collects_cycles_per_task_with_collector_off(tmp_path):
    (tmp_path / "mod.py").write_text('"""Doc."""\n')
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True,
                         check=True).stdout.split()
    # off while the task ran, the task's cycle freed after it, the parent's objects frozen,
    # and the task's output as before
    assert out == ["False", "True", "True", "1", "True"]
