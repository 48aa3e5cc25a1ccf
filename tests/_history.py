"""Scripted histories for the history tests: every commit with a fixed author and date."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Dict, Mapping, Optional, Tuple

Author = Tuple[str, str]
ANN: Author = ("Ann", "ann@example.com")
BOB: Author = ("Bob", "bob@example.com")
CAROL: Author = ("Carol", "carol@example.com")
DAN: Author = ("Dan", "dan@example.com")
BOT: Author = ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")


def date(day: int) -> str:
    """Day ``day`` after 2020-01-01, noon UTC (git's ISO date form)."""
    return f"@{1577880000 + day * 86400} +0000"


class Script:
    """``script.commit(ANN, 3, {"a.py": "x"})`` writes, stages and commits as Ann on day 3."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, author: Author = ANN, day: int = 0) -> str:
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1],
            "GIT_COMMITTER_NAME": author[0], "GIT_COMMITTER_EMAIL": author[1],
            "GIT_AUTHOR_DATE": date(day), "GIT_COMMITTER_DATE": date(day),
            "GIT_CONFIG_NOSYSTEM": "1",
        }
        return subprocess.run(["git", "-C", str(self.root), *args], check=True, capture_output=True,
                              text=True, env=env).stdout

    def commit(self, author: Author, day: int, files: Mapping[str, Optional[str]] = {},
               renames: Optional[Dict[str, str]] = None, message: str = "change") -> str:
        for old, new in (renames or {}).items():
            (self.root / new).parent.mkdir(parents=True, exist_ok=True)
            self.git("mv", old, new)
        for rel, content in files.items():
            target = self.root / rel
            if content is None:
                self.git("rm", "-q", rel)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
            self.git("add", rel)
        self.git("commit", "-q", "--allow-empty", "-m", message, author=author, day=day)
        return self.git("rev-parse", "HEAD").strip()


def body(seed: str, lines: int = 30) -> str:
    """A file body long enough for git's similarity rename detection."""
    return "".join(f"{seed} line {k}\n" for k in range(lines))


def merged_old_branch(root: Path, files: Mapping[str, Optional[str]] = {}) -> Script:
    """main on days 10-30; a branch forked on day 10 with commits dated days 12-16 (before the
    cached head's day 30) that rename, modify, delete and re-add files main also touches."""
    s = Script(root)
    s.commit(ANN, 10, {"g.py": body("g"), "d.py": body("d"), "m.py": "1", "re.py": "r", **files})
    s.git("branch", "topic")
    s.commit(BOB, 20, {"g.py": body("g") + "bob\n", "d.py": body("d") + "bob\n", "m.py": "2"})
    s.commit(ANN, 30, {"m.py": "3"})
    s.git("checkout", "-q", "topic")
    s.commit(CAROL, 12, renames={"g.py": "h.py"})
    s.commit(CAROL, 14, {"d.py": None, "re.py": None})
    s.commit(CAROL, 16, {"re.py": "again", "m.py": "carol"})
    s.git("checkout", "-q", "main")
    return s


def merge_topic(s: Script, day: int) -> None:
    """Merge topic, keeping main's d.py (a modify/delete conflict) and topic's other changes."""
    try:
        s.git("merge", "-q", "-X", "theirs", "--no-edit", "topic", author=DAN, day=day)
    except subprocess.CalledProcessError:
        s.git("add", "d.py")
    else:
        raise AssertionError("the merge should stop on d.py")
    s.git("commit", "-q", "--no-edit", author=DAN, day=day)

