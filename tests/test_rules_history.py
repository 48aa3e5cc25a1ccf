"""History rules HIS001-HIS005: a fires and a does-not-fire case each, on scripted repositories.

Authors by Degree of Authorship (Fritz et al. 2010; Avelino et al., ICPC 2016), truck factor by
Avelino et al.'s greedy algorithm; CODEOWNERS semantics from GitHub docs, "About code owners".
Every scenario's newest commit is on day 800, so the default active window (365 days) starts on
day 435.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from _history import ANN, BOB, CAROL, DAN, Script

from repo_roles.checks.registry import RULES, iter_rules
from repo_roles.checks.engine import run_checks
from repo_roles.scan import scan

ROSTER = """\
[teams."@acme/pay"]
members = ["@ann", "bob@example.com"]

[teams."@acme/web"]
members = ["@carol"]

[history]
identities = { "ann@example.com" = "@ann", "Carol" = "@carol" }
concentration-files = 2
"""

CODEOWNERS = "/pay/ @acme/pay\n/web/ @carol\n"


def scenario(tmp_path: Path, commits: List[Tuple], codeowners: str = CODEOWNERS) -> Path:
    s = Script(tmp_path / "r")
    s.commit(ANN, 0, {"repo-roles.toml": ROSTER, ".github/CODEOWNERS": codeowners})
    for author, day, files in commits:
        s.commit(author, day, files)
    return s.root


def run(root: Path, rule_id: str) -> List[Tuple[str, Optional[int], Optional[int], Optional[str]]]:
    iter_rules()
    context = scan(root)
    return sorted((f.path, f.line, f.column, f.key) for f in RULES[rule_id].check(context))


def test_rules_are_off_by_default_and_history_is_not_read(tmp_path: Path) -> None:
    iter_rules()
    assert all(not RULES[f"HIS00{k}"].enabled_by_default for k in range(1, 6))
    root = scenario(tmp_path, [(DAN, 800, {"pay/x.py": "1"})])
    context = scan(root)
    assert not any(f.rule_id.startswith("HIS") for f in run_checks(context))
    assert "_history" not in context.__dict__  # nothing asked for it: no git log ran


# -- HIS001 stale-owner -------------------------------------------------------------------------
def test_his001_fires_when_only_others_committed_lately(tmp_path: Path) -> None:
    root = scenario(tmp_path, [(ANN, 1, {"pay/x.py": "1"}), (DAN, 800, {"pay/x.py": "2"})])
    assert run(root, "HIS001") == [("pay/x.py", None, None, "@acme/pay")]


def test_his001_quiet_when_a_member_committed_to_the_directory(tmp_path: Path) -> None:
    root = scenario(tmp_path, [(ANN, 1, {"pay/x.py": "1"}), (BOB, 700, {"pay/y.py": "1"}),
                               (DAN, 800, {"pay/x.py": "2"})])
    assert run(root, "HIS001") == []


# -- HIS002 departed-owner ----------------------------------------------------------------------
def test_his002_fires_on_the_codeowners_line_of_a_departed_person_and_team(tmp_path: Path) -> None:
    root = scenario(tmp_path, [(CAROL, 1, {"web/a.ts": "1"}), (DAN, 800, {"pay/x.py": "1"})])
    assert run(root, "HIS002") == [(".github/CODEOWNERS", 1, 7, "@acme/pay"), (".github/CODEOWNERS", 2, 7, "@carol")]


def test_his002_quiet_when_owners_committed_anywhere_lately(tmp_path: Path) -> None:
    root = scenario(tmp_path, [(CAROL, 700, {"web/a.ts": "1"}), (BOB, 800, {"docs.md": "1"})])
    assert run(root, "HIS002") == []


def test_his002_leaves_owners_history_cannot_identify_alone(tmp_path: Path) -> None:
    root = scenario(tmp_path, [(DAN, 800, {"x.py": "1"})], codeowners="* @stranger\n")
    assert run(root, "HIS002") == []


# -- HIS003 ownership-drift ---------------------------------------------------------------------
def test_his003_fires_when_no_owner_is_among_the_authors(tmp_path: Path) -> None:
    root = scenario(tmp_path, [(DAN, 800, {"pay/x.py": "1"})])
    assert run(root, "HIS003") == [("pay/x.py", None, None, "@acme/pay")]


def test_his003_quiet_when_a_team_member_is_an_author(tmp_path: Path) -> None:
    root = scenario(tmp_path, [(BOB, 1, {"pay/x.py": "1"}), (DAN, 800, {"pay/x.py": "2"})])
    assert run(root, "HIS003") == []


# -- HIS004 knowledge-concentration -------------------------------------------------------------
def test_his004_fires_on_a_directory_and_an_owner_with_truck_factor_1(tmp_path: Path) -> None:
    root = scenario(tmp_path, [(ANN, 800, {"pay/a.py": "1", "pay/b.py": "1", "pay/c.py": "1"})])
    assert run(root, "HIS004") == [(".github/CODEOWNERS", None, None, "@acme/pay"), ("pay", None, None, "pay")]


def test_his004_quiet_with_truck_factor_2(tmp_path: Path) -> None:
    # Removing Ann orphans exactly half the files (not more than half): Bob goes too, TF = 2.
    root = scenario(tmp_path, [(ANN, 799, {"pay/a.py": "1", "pay/b.py": "1"}),
                               (BOB, 800, {"pay/c.py": "1", "pay/d.py": "1"})])
    assert run(root, "HIS004") == []


# -- HIS005 orphaned-knowledge ------------------------------------------------------------------
def test_his005_fires_when_every_author_is_inactive(tmp_path: Path) -> None:
    root = scenario(tmp_path, [(CAROL, 1, {"old.py": "1"}), (DAN, 800, {"new.py": "1"})])
    assert ("old.py", None, None, "") in run(root, "HIS005")
    assert all(path != "new.py" for path, *_ in run(root, "HIS005"))


def test_his005_quiet_when_an_author_is_active_elsewhere(tmp_path: Path) -> None:
    root = scenario(tmp_path, [(CAROL, 1, {"old.py": "1"}), (CAROL, 700, {"web/x.ts": "1"}),
                               (DAN, 800, {"new.py": "1"})])
    assert all(path != "old.py" for path, *_ in run(root, "HIS005"))


# -- shallow clones -----------------------------------------------------------------------------
def test_history_rules_on_a_shallow_clone_say_one_note_and_give_no_verdict(tmp_path: Path, run_cli, monkeypatch) -> None:
    """actions/checkout fetches one commit by default (fetch-depth: 1)."""
    root = scenario(tmp_path, [(CAROL, 1, {"old.py": "1"}), (DAN, 800, {"pay/x.py": "1"})])
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{root}", str(shallow)], check=True)
    monkeypatch.chdir(shallow)
    result = run_cli("check", "--select", "HIS", ".")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("history needs the full history: fetch-depth: 0") == 1
    assert "HIS" not in result.stdout
