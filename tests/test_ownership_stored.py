"""Issue 13: who owns each file, remembered whole (``repo_roles.ownership.stored``): a run with
the same ownership inputs reuses every stored answer and matches only new paths; any change to
an input (the code-owners file's bytes, an OWNERS file, the settings) is another key; a damaged
table is no table."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Tuple

from repo_roles.config import load_config
from repo_roles.inventory import load_inventory
from repo_roles.ownership import stored as S
from repo_roles.ownership.resolve import FileOwnership, resolve_ownership
from tests.conftest import git

CODEOWNERS = "* @everyone\n/src/ @core @ada\n/docs/ @writers\n/src/vendor/\n"
FILES = {
    ".github/CODEOWNERS": CODEOWNERS,
    "src/a.py": "a = 1\n",
    "src/vendor/lib.py": "x = 1\n",
    "docs/index.md": "# docs\n",
    "tools/OWNERS": "approvers:\n- tim\n",
    "README.md": "# r\n",
}


class Memory:
    """Snapshots kept in a dict, counting the writes."""

    def __init__(self) -> None:
        self.tables: Dict[Tuple[str, str], bytes] = {}
        self.writes: List[str] = []

    def read_snapshot(self, kind: str, salt: str) -> Optional[bytes]:
        return self.tables.get((kind, salt))

    def put_snapshot(self, kind: str, salt: str, data: bytes) -> None:
        self.tables = {k: v for k, v in self.tables.items() if k[0] != kind}  # one per kind
        self.tables[(kind, salt)] = data
        self.writes.append(kind)


def _resolve(root: Path, snapshots: Optional[Memory]) -> Dict[str, FileOwnership]:
    inventory = load_inventory(root)
    ownership = resolve_ownership(inventory, load_config(None), inventory.paths, snapshots)
    return {path: ownership.lookup(path) for path in inventory.paths}


def test_stored_answers_equal_fresh_ones_and_a_rerun_writes_nothing(make_repo) -> None:
    root = make_repo(FILES)
    memory = Memory()
    fresh = _resolve(root, None)
    assert _resolve(root, memory) == fresh and memory.writes == [S.KIND, S.KIND_AT]
    assert _resolve(root, memory) == fresh and memory.writes == [S.KIND, S.KIND_AT]  # nothing new: no write
    assert fresh["src/a.py"] == FileOwnership(("@core", "@ada"), 2, ".github/CODEOWNERS")
    assert fresh["tools/OWNERS"] == FileOwnership(("@everyone",), 1, ".github/CODEOWNERS")


def test_only_new_paths_are_matched(make_repo, monkeypatch) -> None:
    """A stored answer is used as it is (here a planted one proves it), a new path is matched."""
    root = make_repo(FILES)
    memory = Memory()
    _resolve(root, memory)
    (kind, key), data = next(iter(memory.tables.items()))
    planted = S.decode(data, FileOwnership)
    planted["README.md"] = FileOwnership(("@planted",), 9, ".github/CODEOWNERS")
    memory.tables[(kind, key)] = S.encode(planted)
    (root / "src" / "new.py").write_text("n = 1\n")
    git(root, "add", "src/new.py")
    got = _resolve(root, memory)
    assert got["README.md"].owners == ("@planted",)  # reused, not matched again
    assert got["src/new.py"] == FileOwnership(("@core", "@ada"), 2, ".github/CODEOWNERS")
    assert memory.writes == [S.KIND, S.KIND_AT] * 2  # the tables now hold the new path too


def test_the_same_path_list_takes_every_answer_by_position(make_repo) -> None:
    """An edit of file contents keeps the path list: the positional table answers (a planted
    answer proves it); a damaged one is no table (the table by path answers)."""
    root = make_repo(FILES)
    memory = Memory()
    fresh = _resolve(root, memory)
    ((kind, salt), data), = [(k, v) for k, v in memory.tables.items() if k[0] == S.KIND_AT]
    paths = load_inventory(root).paths
    answers = S.decode_at(data, len(paths), FileOwnership)
    assert answers is not None and dict(zip(paths, answers)) == fresh
    answers[paths.index("README.md")] = FileOwnership(("@planted",), 9, ".github/CODEOWNERS")
    memory.tables[(kind, salt)] = S.encode_at(answers)
    (root / "src" / "a.py").write_text("a = 2\n")
    git(root, "add", "src/a.py")
    assert _resolve(root, memory)["README.md"].owners == ("@planted",)
    memory.tables[(kind, salt)] = S.encode_at(answers)[:-1]
    assert _resolve(root, memory) == fresh  # damaged: answered by path, the table rewritten
    assert S.decode_at(memory.tables[(kind, salt)], len(paths), FileOwnership) == [fresh[p] for p in paths]


def test_every_input_changes_the_key(make_repo) -> None:
    root = make_repo(FILES)
    memory = Memory()
    before = _resolve(root, memory)
    (root / ".github" / "CODEOWNERS").write_text(CODEOWNERS.replace("@writers", "@editors"))
    after = _resolve(root, memory)
    assert after["docs/index.md"].owners == ("@editors",) != before["docs/index.md"].owners
    assert after == _resolve(root, None)
    keys = {key for _, key in memory.tables}
    (root / "tools" / "OWNERS").write_text("approvers:\n- ken\n")
    _resolve(root, memory)
    assert {key for _, key in memory.tables} != keys  # an OWNERS file's bytes are in the key


def test_a_damaged_table_is_no_table() -> None:
    data = S.encode({"a.py": (("@x",), 1, "CODEOWNERS"), "b.py": ((), None, None)})
    assert S.decode(data, FileOwnership) == {"a.py": FileOwnership(("@x",), 1, "CODEOWNERS"),
                                             "b.py": FileOwnership((), None, None)}
    for cut in (0, 10, len(data) - 1):
        assert S.decode(data[:cut], FileOwnership) == {}
    bad = data.replace(b'[\\"@x\\"]', b'[1]')
    assert bad != data and S.decode(bad, FileOwnership) == {}
    assert S.decode(None, FileOwnership) == {}
    at = S.encode_at([FileOwnership(("@x",), 1, "CODEOWNERS"), FileOwnership((), None, None)])
    assert S.decode_at(at, 2, FileOwnership) == [FileOwnership(("@x",), 1, "CODEOWNERS"), FileOwnership((), None, None)]
    assert S.decode_at(at, 3, FileOwnership) is None  # another path list's length
    for cut in (0, 10, len(at) - 1):
        assert S.decode_at(at[:cut], 2, FileOwnership) is None
