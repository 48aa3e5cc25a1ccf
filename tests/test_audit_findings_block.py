"""The audit's findings block counted per segment and kept by content (issue 13): a run after a
change counts only the segments whose findings changed, and every format equals ``--no-cache``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List

import pytest

from repo_roles.auditreport import findings_block as FB
from tests.conftest import git, record_calls, write_files


def _module(name: str, undocumented: int) -> str:
    body = '"""A module."""\n'
    for i in range(undocumented):
        body += f"\n\ndef {name}_{i}(x):\n    return x\n"
    return body


FILES: Dict[str, str] = {
    ".github/CODEOWNERS": "* @acme/core\n/api/ @acme/api\n/web/ @acme/web @acme/core\n",
    **{f"api/handlers/h{i}.py": _module(f"h{i}", 1 + i % 3) for i in range(6)},
    **{f"api/models/m{i}.py": _module(f"m{i}", 2) for i in range(4)},
    **{f"web/app/v{i}.py": _module(f"v{i}", 1 + i % 2) for i in range(5)},
    **{f"tools/t{i}.py": _module(f"t{i}", 1) for i in range(3)},
}

FORMATS = {
    "json": ("--format", "json", "--findings"),
    "text": (),
    "markdown, depth 2": ("--format", "markdown", "--depth", "2"),
    "html": ("--format", "html"),
}


@pytest.fixture
def small_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    """Segments of 3 findings: this small project's findings span many of them."""
    monkeypatch.setattr(FB, "SEGMENT", 3)


def _audits(run_cli, root: Path, cached: bool) -> Dict[str, str]:
    """Every audit format of FORMATS, cached or ``--no-cache``."""
    out = {}
    for name, args in FORMATS.items():
        result = run_cli("audit", str(root), *args, *(() if cached else ("--no-cache",)))
        assert result.exit_code in (0, 1), result.stderr
        out[name] = result.stdout
    return out


def damage_file(stored: Path, damage: str) -> None:
    """Damage a stored file: "flipped byte", "truncated" or "empty"."""
    raw = bytearray(stored.read_bytes())
    if damage == "flipped byte":
        raw[len(raw) * 3 // 4] ^= 0x55
    elif damage == "truncated":
        raw = raw[: len(raw) // 2]
    else:
        raw = bytearray()
    stored.write_bytes(bytes(raw))


def _stored(cache: Path) -> List[Path]:
    return sorted((cache / "report").glob("findings-parts-*.bin"))


def test_parts_reused_after_an_edit_equal_no_cache(make_repo, run_cli, small_segments, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo(FILES)
    cache = tmp_path / "cache"
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(cache))
    assert _audits(run_cli, root, True) == _audits(run_cli, root, False)
    assert len(_stored(cache)) == 1
    counted: List[int] = []
    real_part = FB._part

    def counting_part(context, rule_ids, *args):
        counted.append(len(rule_ids))
        return real_part(context, rule_ids, *args)

    monkeypatch.setattr(FB, "_part", counting_part)
    # one module gains undocumented functions, another loses its own, a file appears
    write_files(root, {"api/models/m1.py": _module("m1", 5), "web/app/v0.py": '"""A module."""\n',
                       "api/handlers/new.py": _module("new", 2)})
    git(root, "add", "-A")
    expected = _audits(run_cli, root, False)
    counted.clear()
    assert _audits(run_cli, root, True) == expected
    findings = json.loads(expected["json"])["findings"]["total"]
    assert 0 < sum(counted) < findings, "the unchanged segments are reused, the changed ones counted"
    # an edit of the owners changes the key: every segment counted again, still equal
    write_files(root, {".github/CODEOWNERS": FILES[".github/CODEOWNERS"] + "/tools/ @acme/tools\n"})
    expected = _audits(run_cli, root, False)
    counted.clear()
    assert _audits(run_cli, root, True) == expected
    assert sum(counted) == json.loads(expected["json"])["findings"]["total"]
    assert "@acme/tools" in expected["text"]


def test_compare_with_reused_parts_equals_no_cache(make_repo, run_cli, small_segments, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo(FILES)
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(tmp_path / "cache"))
    previous = tmp_path / "previous.json"
    assert run_cli("audit", str(root), "--format", "json", "-o", str(previous)).exit_code == 1
    write_files(root, {"tools/t0.py": _module("t0", 4)})
    cached = run_cli("audit", str(root), "--compare", str(previous))
    uncached = run_cli("audit", str(root), "--compare", str(previous), "--no-cache")
    assert cached.stdout == uncached.stdout and "+3" in cached.stdout


@pytest.mark.parametrize("store", ["findings-parts", "summary-buckets", "not-measured"])
@pytest.mark.parametrize("damage", ["flipped byte", "truncated", "empty"])
def test_damaged_stores_are_a_miss(make_repo, run_cli, small_segments, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch, damage: str, store: str) -> None:
    """The report's stores (the findings block's parts, the summary's buckets, the "not
    measured" figures): a damaged file is a miss, the answer that of ``--no-cache``."""
    root = make_repo(FILES)
    cache = tmp_path / "cache"
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(cache))
    run_cli("audit", str(root), "--format", "json")
    (stored,) = sorted((cache / "report").glob(f"{store}-*.bin"))
    damage_file(stored, damage)
    write_files(root, {"tools/t1.py": _module("t1", 3)})  # a change: the stored run is not replayed
    assert _audits(run_cli, root, True) == _audits(run_cli, root, False)


def test_findings_out_of_path_order_are_counted_whole(make_repo, monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    """The segments rest on the engine's order (by path); a list in any other order is counted
    as one segment, with the same figures, and nothing is stored."""
    from repo_roles.checks.engine import run_checks
    from repo_roles.scan import scan

    root = make_repo(FILES)
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(tmp_path / "cache"))
    context = scan(root)
    context.findings = run_checks(context)
    in_order = FB.findings_block(context, 0)
    monkeypatch.setattr(FB._Store, "save", lambda *args: pytest.fail("stored parts of unsorted findings"))
    context.findings = context.findings[::-1]
    assert FB.findings_block(context, 0) == in_order


def test_unchanged_findings_read_the_stored_sum(make_repo, run_cli, small_segments, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """An edit that changes no finding's rule, severity or path (a comment added) reads the
    block the parts summed to, neither the parts nor a sum; a changed finding sums again."""
    root = make_repo(FILES)
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(tmp_path / "cache"))
    _audits(run_cli, root, True)
    summed = record_calls(monkeypatch, FB, "_sum", lambda parts, total: total)
    write_files(root, {"tools/t2.py": _module("t2", 1) + "# a comment\n"})
    expected = _audits(run_cli, root, False)
    summed.clear()
    with monkeypatch.context() as m:
        m.setattr(FB._Stored, "parts", lambda self: pytest.fail("parts decoded"))
        assert _audits(run_cli, root, True) == expected
    assert summed == []
    write_files(root, {"tools/t2.py": _module("t2", 2)})
    expected = _audits(run_cli, root, False)
    summed.clear()
    assert _audits(run_cli, root, True) == expected
    assert summed, "a changed segment: the parts summed again"


def test_unsound_stored_parts_are_counted_afresh_and_replaced(make_repo, run_cli, small_segments, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Stored parts that are not sound (past the file's checksum): the block is counted afresh,
    equal to ``--no-cache``, the entry is emptied and the next run stores a sound one."""
    root = make_repo(FILES)
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(tmp_path / "cache"))
    json_args, text_args = FORMATS["json"], FORMATS["text"]
    assert run_cli("audit", str(root), *json_args).exit_code == 1
    saved = record_calls(monkeypatch, FB._Store, "save", lambda self, *args: self)
    write_files(root, {"tools/t1.py": _module("t1", 3)})
    expected = run_cli("audit", str(root), *json_args, "--no-cache").stdout
    asked: List[bool] = []
    with monkeypatch.context() as m:
        m.setattr(FB._Stored, "parts", lambda self: asked.append(True))
        assert run_cli("audit", str(root), *json_args).stdout == expected
    assert asked, "some stored parts were needed"
    assert saved and saved[-1].load() is None, "the unsound entry is emptied"
    saved.clear()
    assert run_cli("audit", str(root), *text_args).stdout == run_cli("audit", str(root), *text_args,
                                                                     "--no-cache").stdout
    stored = saved[-1].load()
    assert stored is not None and stored.parts() is not None


def test_an_unsound_stored_sum_is_summed_again_and_replaced(make_repo, run_cli, small_segments, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A stored sum that is not sound (past the file's checksum) while no segment changed: the
    parts are summed again, equal to ``--no-cache``, and the entry is written again."""
    root = make_repo(FILES)
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(tmp_path / "cache"))
    _audits(run_cli, root, True)
    saves = record_calls(monkeypatch, FB._Store, "save")
    write_files(root, {"tools/t2.py": _module("t2", 1) + "# a comment\n"})
    expected = _audits(run_cli, root, False)
    saves.clear()
    with monkeypatch.context() as m:
        m.setattr(FB._Stored, "summed", lambda self: None)
        assert _audits(run_cli, root, True) == expected
    assert saves, "the entry with an unsound sum is written again"


def test_segments_of_the_same_stored_rows_are_not_digested(make_repo, run_cli, small_segments, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A segment whose findings are the same rows of the same stored findings as when its part
    was stored (its row key) is taken as stored without a digest of its content; a segment
    holding a file computed afresh is digested.  Every format equals ``--no-cache``."""
    root = make_repo(FILES)
    monkeypatch.setenv("REPO_ROLES_CACHE_DIR", str(tmp_path / "cache"))
    _audits(run_cli, root, True)
    for comment in ("# one\n", "# two\n"):  # the second run stores the row keys, the third reads them
        write_files(root, {"tools/t2.py": _module("t2", 1) + comment})
        digested = record_calls(monkeypatch, FB, "_digest")
        assert run_cli("audit", str(root)).stdout == run_cli("audit", str(root), "--no-cache").stdout
    from repo_roles.coverage import colfile

    segments = len(colfile.unpack(colfile.read(_stored(tmp_path / "cache")[0]), FB.MAGIC, 4)[0]["bounds"]) + 1
    assert segments > 4
    assert 1 <= len(digested) <= 2, f"only the segments of the file computed afresh: {len(digested)} of {segments}"
    write_files(root, {"tools/t2.py": _module("t2", 2)})
    assert _audits(run_cli, root, True) == _audits(run_cli, root, False)
