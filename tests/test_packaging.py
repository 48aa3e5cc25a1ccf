"""The wheel ships the package and the built-in rule packs; the console script works."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import repo_roles

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_contains_package_and_rule_packs(tmp_path: Path) -> None:
    # --no-isolation: hatchling comes from the test extras, so no network round-trip is needed.
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("repo_roles-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "repo_roles/cli.py" in names
    packs = {p.name for p in (ROOT / "rules").glob("*.toml")}
    assert packs, "rules/ holds the built-in packs"
    for pack in packs:
        assert f"repo_roles/rules/{pack}" in names
    # The audit report's package data: its JSON Schema and the HTML page's inlined assets.
    for data in ("audit.schema.json", "static/report.js", "static/report.css"):
        assert f"repo_roles/auditreport/{data}" in names
    metadata = next(n for n in names if n.endswith("METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "Requires-Dist: tomli>=1.1; python_version < \"3.11\"" in text or "tomli" in text
    assert "entry_points.txt" in " ".join(names)


def test_console_script_version() -> None:
    result = subprocess.run(["repo-roles", "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == f"repo-roles, version {repo_roles.__version__}"


def test_module_entry_point_version() -> None:
    result = subprocess.run([sys.executable, "-m", "repo_roles", "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert repo_roles.__version__ in result.stdout
