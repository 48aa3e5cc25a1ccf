"""``repo-roles explain``: every classification signal in order, the deciding one, and owners.

Signal order is the documented one (repo_roles/classify/__init__.py, ``SIGNAL_ORDER``).
CODEOWNERS precedence is GitHub's ("About code owners": the last matching pattern wins), so
explain lists the winning line first and the earlier matching lines as overridden.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable, List

import pytest

from repo_roles.classify import SIGNAL_ORDER

MakeRepo = Callable[..., Path]

CONFIG = """\
extends = "recommended"

[roles]
"frontend.ui" = ["src/ui/**"]
"""

CODEOWNERS = """\
*              @acme/all
/src/          @acme/backend
/src/core.py   @acme/core @alice
"""


@pytest.fixture
def project(make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_repo({
        "repo-roles.toml": CONFIG,
        ".github/CODEOWNERS": CODEOWNERS,
        "src/core.py": "def run():\n    return 1\n",
        "src/ui/widget.py": "x = 1\n",
    })
    monkeypatch.chdir(root)  # config sources are shown relative to the working directory
    return root


def signal_lines(stdout: str) -> List[str]:
    start = stdout.index("signals considered, in order:\n") + len("signals considered, in order:\n")
    return [line for line in stdout[start:].splitlines() if line.startswith("    ") and not line.startswith("    wins")
            and not line.startswith("    overridden")]


def test_every_signal_in_documented_order_and_the_deciding_one(project: Path, run_cli) -> None:
    result = run_cli("explain", "src/core.py")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.splitlines()[0] == "src/core.py"
    assert "  role:     backend.logic" in out
    assert "  decided:  language: extension .py" in out
    lines = signal_lines(out)
    names = [line[7:].split()[0] for line in lines]
    assert names == list(SIGNAL_ORDER)
    marks = {line[7:].split()[0]: line[4:6] for line in lines}
    assert marks["language"] == "->"
    # Everything before the decision was tried and failed; everything after was not reached.
    decided = SIGNAL_ORDER.index("language")
    assert all(marks[s] == " x" for s in SIGNAL_ORDER[:decided])
    assert all(marks[s] == "  " for s in SIGNAL_ORDER[decided + 1:])
    assert "not reached" in lines[-1]


def test_roles_glob_names_the_config_file_and_line(project: Path, run_cli) -> None:
    out = run_cli("explain", "src/ui/widget.py").stdout
    assert "  role:     frontend.ui" in out
    assert "  decided:  config-glob: [roles] glob 'src/ui/**'  [repo-roles.toml:4]" in out
    first = signal_lines(out)[0]
    assert first.startswith("    -> config-glob") and first.endswith("=> frontend.ui  [repo-roles.toml:4]")


def test_codeowners_winning_line_then_overridden_lines(project: Path, run_cli) -> None:
    out = run_cli("explain", "src/core.py").stdout
    owners = out[out.index("  owners:"):out.index("  history:")].splitlines()  # history follows
    assert owners[0] == "  owners:   @acme/core @alice  [.github/CODEOWNERS:3]"
    assert re.match(r"^\s+wins\s+\.github/CODEOWNERS:3\s+/src/core\.py\s+@acme/core @alice$", owners[1])
    assert re.match(r"^\s+overridden\s+\.github/CODEOWNERS:2\s+/src/\s+@acme/backend$", owners[2])
    assert re.match(r"^\s+overridden\s+\.github/CODEOWNERS:1\s+\*\s+@acme/all$", owners[3])
    assert len(owners) == 4


def test_several_paths_one_block_each(project: Path, run_cli) -> None:
    result = run_cli("explain", "src/core.py", "src/ui/widget.py")
    assert result.exit_code == 0
    blocks = result.stdout.split("\n\n")
    assert [block.splitlines()[0] for block in blocks] == ["src/core.py", "src/ui/widget.py"]


def test_path_given_from_outside_the_project(project: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project.parent)
    result = run_cli("explain", os.path.join(project.name, "src", "core.py"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "src/core.py"  # project-relative, whatever the cwd


@pytest.mark.parametrize(
    "committed, note",
    [
        pytest.param(True, None, id="tracked-file-no-note"),
        pytest.param(False, "not in the inventory", id="untracked-file-says-so"),
    ],
)
def test_untracked_file_is_explained_by_path(project: Path, run_cli, committed: bool, note) -> None:
    name = "src/core.py" if committed else "src/draft.py"
    if not committed:
        (project / name).write_text("y = 2\n")
    out = run_cli("explain", name).stdout
    assert "  role:     backend.logic" in out
    assert (note in out) if note else ("note:" not in out)


def test_symlink_pointing_outside_is_never_followed(project: Path, run_cli, tmp_path: Path) -> None:
    secret = tmp_path / "secret.py"
    secret.write_text("SECRET = 1\n")
    os.symlink(str(secret), project / "src" / "link.py")
    result = run_cli("explain", "--untracked", "src/link.py")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert f"  kind:     symlink -> {secret} (never followed or read; classified by path)" in out
    assert "  role:     backend.logic" in out  # by its name, as the target is never read
    assert "SECRET" not in out


def test_explain_names_frontend_docs_and_why(make_repo: MakeRepo, run_cli) -> None:
    """A README inside a React package: frontend.docs, decided by the docs signal, and the
    package.json that made it frontend is named."""
    root = make_repo({
        "web/package.json": '{"dependencies": {"react": "19.0.0"}}\n',
        "web/README.md": "# web\n",
    })
    result = run_cli("explain", str(root / "web" / "README.md"))
    assert result.exit_code == 0, result.stderr
    assert "role:     frontend.docs" in result.stdout
    assert "web/package.json depends on 'react'" in result.stdout
