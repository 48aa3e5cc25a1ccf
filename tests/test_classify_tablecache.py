"""``rules/classify.toml`` as a former run read it (``repo_roles.classify.tablecache``): the same
tables (every glob's regex source included) as parsing the file, no pathspec import in a
``check FILES`` run once the tables and the configuration are remembered; a damaged entry is a
miss."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from repo_roles import globs as G
from repo_roles.classify import tablecache, tables


def _shape(loaded: tables.Tables) -> list:
    """Every field, a glob table as its globs and their translations."""
    out = []
    for value in loaded:
        if isinstance(value, tables.PathTable):
            value = value._replace(globs=(value.globs.globs, value.globs._sources))
        elif isinstance(value, G.GlobTable):
            value = (value.globs, value._sources)
        elif isinstance(value, tables.JsTables):
            value = value._replace(path_globs=value.path_globs.globs)
        elif isinstance(value, tuple) and value and isinstance(value[0], tables.Header):
            value = [(h.name, h.regex.pattern, h.extensions) for h in value]
        out.append(value)
    return out


def _forget() -> None:
    tables.load_tables.cache_clear()
    tables._REMEMBERED.clear()


def test_remembered_tables_are_the_parsed_ones() -> None:
    parsed = tables.load_tables.__wrapped__(tables.rules_dir() / tables.TABLES_FILE)  # always parsed
    root = Path(os.environ["REPO_ROLES_CACHE_DIR"]) / "classify-tables"
    _forget()
    try:
        assert _shape(tables.load_tables()) == _shape(parsed) and not root.exists()  # no cache asked for
        _forget()
        tables.remember_tables()  # parsed, then kept
        first = tables.load_tables()
        entries = list(root.glob("*" + tablecache.SUFFIX))
        assert len(entries) == 1
        _forget()
        G._KNOWN.clear()

        def untranslated(glob: str):
            raise AssertionError(f"translated again: {glob}")

        with pytest.MonkeyPatch.context() as patch:  # from the entry: every translation given
            patch.setattr(G, "_to_regex", untranslated)
            tables.remember_tables()
            again = tables.load_tables()
        assert _shape(parsed) == _shape(first) == _shape(again)
        entries[0].write_bytes(entries[0].read_bytes()[:-2])
        _forget()
        tables.remember_tables()
        assert _shape(tables.load_tables()) == _shape(parsed)  # damaged: parsed again
    finally:
        _forget()


def test_a_check_on_a_few_files_imports_no_pathspec(make_repo: Callable) -> None:
    repo = make_repo({
        "repo-roles.toml": 'extends = "recommended"\nexclude = ["build/"]\n[roles]\n"frontend.ui" = ["web/**/*.ts"]\n',
        "src/app.py": "def f():\n    return 1\n", "tests/test_app.py": "from app import f\n",
        "web/a.ts": "export const a = 1;\n",
    })
    probe = ("import sys\nfrom repo_roles.cli import main\n"
             "try:\n    main(['check', '--exit-zero', 'src/app.py', 'web/a.ts'], standalone_mode=False)\n"
             "except SystemExit:\n    pass\nprint('pathspec' in sys.modules)\n")
    runs = [subprocess.run([sys.executable, "-c", probe], cwd=repo, capture_output=True, text=True, check=True)
            for _ in range(2)]
    assert runs[1].stdout.strip().splitlines()[-1] == "False", runs[1].stderr
    assert runs[0].stdout.splitlines()[:-1] == runs[1].stdout.splitlines()[:-1]  # the same findings


@pytest.mark.parametrize("command", ["audit", "ls"])
def test_a_warm_audit_or_ls_after_a_change_imports_no_pathspec(make_repo: Callable, command: str) -> None:
    """``audit`` and ``ls`` take the remembered tables and configuration as ``check`` does: once
    both are kept, a run after an edit (no stored run to replay) translates no glob; ``--no-cache``
    parses the tables and imports pathspec."""
    repo = make_repo({
        "repo-roles.toml": 'extends = "recommended"\nexclude = ["build/"]\n[roles]\n"frontend.ui" = ["web/**/*.ts"]\n',
        "src/app.py": "def f():\n    return 1\n", "tests/test_app.py": "from app import f\n",
        "web/a.ts": "export const a = 1;\n",
    })
    probe = ("import sys\nfrom repo_roles.cli import main\n"
             f"try:\n    main([{command!r}] + sys.argv[1:], standalone_mode=False)\n"
             "except SystemExit:\n    pass\nprint('pathspec' in sys.modules)\n")

    def run(*args: str) -> str:
        done = subprocess.run([sys.executable, "-c", probe, *args], cwd=repo, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1]

    run()
    (repo / "src" / "app.py").write_text("def f():\n    return 2\n")
    assert run() == "False"
    (repo / "src" / "app.py").write_text("def f():\n    return 3\n")
    assert run("--no-cache") == "True"
