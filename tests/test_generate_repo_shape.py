"""benchmarks/generate_repo.py --shape thin: the same tree as the default shape, with Python
modules and tests of about 200 bytes (issue 13's small-file monorepo)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "generate_repo.py"


def _tree(dest: Path, shape: str) -> dict:
    subprocess.run([sys.executable, str(SCRIPT), str(dest), "--files", "300", "--rules", "50", "--no-git",
                    "--jobs", "1", "--shape", shape], check=True, capture_output=True)
    return {p.relative_to(dest).as_posix(): p.stat().st_size for p in dest.rglob("*") if p.is_file()}


def test_thin_shape_keeps_the_tree_and_shrinks_python_files(tmp_path) -> None:
    default, thin = _tree(tmp_path / "default", "default"), _tree(tmp_path / "thin", "thin")
    assert set(thin) == set(default)
    modules = [p for p in thin if p.endswith(".py") and not p.endswith("__init__.py")]
    assert len(modules) > 50
    sizes = sorted(thin[p] for p in modules)
    assert 120 <= sizes[len(sizes) // 2] <= 260  # about 200 bytes
    assert sum(default[p] for p in modules) > 5 * sum(sizes)
    others = [p for p in thin if not p.endswith(".py")]
    assert all(thin[p] == default[p] for p in others)  # only the Python files change
