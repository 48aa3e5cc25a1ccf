"""The parsed code-owners file remembered by content (``ownership.parsecache``): the same parse and
the same owners as parsing afresh; any other key, a damaged or truncated file is a miss."""

from __future__ import annotations

from pathlib import Path

import pytest

from repo_roles.ownership import parsecache
from repo_roles.ownership.codeowners import parse_codeowners
from repo_roles.ownership.matcher import CompiledCodeowners

GITLAB = (
    "# GitLab: sections, defaults, exclusions, a repeated heading, an invalid line\n"
    "* @all\n"
    "[Docs][2] @docs\n"
    "/docs/ \n"
    "!/docs/internal/ \n"
    "^[Optional] @opt\n"
    "*.md @writers\n"
    "[docs]\n"
    "/guide/ @guides\n"
    "/bad[ @x\n"
    "/caf\u00e9/ @caf\u00e9 not-an-owner\n"
)
PATHS = ["docs/a.md", "docs/internal/x.py", "guide/b.txt", "caf\u00e9/menu.py", "src/x.py", "README.md"]


def _owners(compiled: CompiledCodeowners) -> list:
    return [(m.owners, m.rule) for m in (compiled.match(p) for p in PATHS)]


@pytest.mark.parametrize("dialect, text", [
    ("gitlab", GITLAB),
    ("github", "* @a\n/src/**/*.py @py\n!nope @x\nsrc/x.py\n/caf\u00e9/ @b @c\n"),
])
def test_a_stored_parse_is_the_parse(tmp_path: Path, dialect: str, text: str) -> None:
    data = text.encode()
    parsed = parse_codeowners(data, path=".gitlab/CODEOWNERS", dialect=dialect)
    fresh = CompiledCodeowners(parsed)
    expected = _owners(fresh)
    key = parsecache.content_key(data, ".gitlab/CODEOWNERS", dialect)
    file = parsecache.stored_file(tmp_path / "cache", "p:0123")
    assert parsecache.load(file, key) is None  # nothing stored yet
    parsecache.save(file, key, parsed, fresh.candidate_segments())
    loaded, required = parsecache.load(file, key)  # type: ignore[misc]
    assert loaded == parsed and required == fresh.candidate_segments() and required is not None
    assert _owners(CompiledCodeowners(loaded, required)) == expected
    # another file, path, dialect: another key
    assert parsecache.load(file, parsecache.content_key(data + b"\n", ".gitlab/CODEOWNERS", dialect)) is None
    assert parsecache.load(file, parsecache.content_key(data, "CODEOWNERS", dialect)) is None
    assert parsecache.load(file, parsecache.content_key(data, ".gitlab/CODEOWNERS", "bitbucket")) is None
    raw = file.read_bytes()
    for damaged in (raw[: len(raw) // 2], raw.replace(b'"rules":[[', b'"rules":[["x",'), b"\xff" + raw):
        file.write_bytes(damaged)
        assert parsecache.load(file, key) is None


def test_check_files_reads_the_stored_parse(make_repo, run_cli, monkeypatch, tmp_path: Path) -> None:
    """A second check finds the parse stored by the first; the findings do not change, and a
    changed CODEOWNERS is parsed again."""
    repo = make_repo({".github/CODEOWNERS": "* @acme/core\n/web/ @acme/web\n/web/x.py\n",
                      "web/x.py": "x = 1\n", "web/y.py": "y = 1\n", "lib/z.py": "z = 1\n"})
    monkeypatch.chdir(repo)
    cache = tmp_path / "cache"
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(cache))
    args = ["check", "--exit-zero", "--output-format", "json", "web/x.py", "web/y.py", "lib/z.py"]
    uncached = run_cli(*args, "--no-cache").stdout
    assert '"OWN001"' in uncached and "CODEOWNERS:3" in uncached  # the parse decides a finding
    assert not list(cache.rglob("ownership-*.json"))
    assert run_cli(*args).stdout == uncached
    files = list(cache.rglob("ownership-*.json"))
    assert len(files) == 1 and '"required":[' in files[0].read_text()
    assert run_cli(*args).stdout == uncached
    (repo / ".github" / "CODEOWNERS").write_text("* @acme/core\n")
    assert run_cli(*args).stdout == run_cli(*args, "--no-cache").stdout
