"""Documentation and test-coverage rules (DOCxxx, TSTxxx, SUPxxx): one module per rule, imported here in id order."""

from repo_roles.checks.coverage import doc001_undocumented_item  # noqa: F401
from repo_roles.checks.coverage import doc002_coverage_below_threshold  # noqa: F401
from repo_roles.checks.coverage import doc003_package_without_readme  # noqa: F401
from repo_roles.checks.coverage import doc004_unparsable_file  # noqa: F401
from repo_roles.checks.coverage import sup001_unused_suppression  # noqa: F401
from repo_roles.checks.coverage import tst001_module_without_tests  # noqa: F401
from repo_roles.checks.coverage import tst002_test_evidence_config  # noqa: F401
