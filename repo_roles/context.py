"""What analysis stages and rules may read of a scan: one :class:`ProjectContext` protocol.

The pipeline (:mod:`repo_roles.scan`) builds a concrete ``ScanContext`` that satisfies it; the
analysis packages (``coverage/``, ``testrefs/``, ``history/``) and the rules under ``checks/``
type against this protocol only, so none of them imports the pipeline, and the pipeline imports
no rule: commands hand the context to :func:`repo_roles.checks.engine.run_checks`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Protocol, Tuple



if TYPE_CHECKING:
    from repo_roles.classify import Classification, Classifier
    from repo_roles.config import Config
    from repo_roles.coverage.analyze import CoverageResult
    from repo_roles.coverage.test_presence import TestIndex
    from repo_roles.findings import Finding
    from repo_roles.history.stage import History
    from repo_roles.inventory import FileEntry, Inventory
    from repo_roles.ownership.resolve import Ownership
    from repo_roles.testrefs.evidence import EvidenceIndex


class ProjectContext(Protocol):
    """One scanned project: its files, their roles and owners, and stages computed on first use.

    ``targets`` are the files reported on (the scope, or the files pre-commit passed); the rest of
    ``inventory`` is context.  ``repository_checks`` says whether repository-scope rules run.
    ``__dict__`` is where a rule may keep what it computed once per scan.
    """

    config: "Config"
    inventory: "Inventory"
    classifier: "Classifier"
    classifications: Mapping[str, "Classification"]
    ownership: "Ownership"
    targets: List["FileEntry"]
    repository_checks: bool
    findings: List["Finding"]
    use_cache: bool
    __dict__: Dict[str, Any]

    @property
    def root(self) -> Path: ...

    @property
    def target_paths(self) -> frozenset: ...

    def role_of(self, path: str) -> str: ...

    def note(self, text: str) -> None: ...

    @property
    def coverage(self) -> "CoverageResult": ...

    @property
    def test_index(self) -> "TestIndex": ...

    @property
    def test_evidence(self) -> "EvidenceIndex": ...

    @property
    def history(self) -> "History": ...

    @property
    def modules_needing_tests(self) -> Mapping[str, Tuple[str, ...]]: ...
