"""``--output-format json-lines``: the ``json`` objects, one compact object per line.

Nothing at all when there are no findings (an empty JSON Lines stream).  Newlines inside
messages or paths are JSON-escaped, so each finding is exactly one line.
"""

from __future__ import annotations

import json

from repo_roles.report.base import ReportInput
from repo_roles.report.json_format import finding_objects


class JsonLinesFormatter:
    name = "json-lines"

    def render(self, report: ReportInput) -> str:
        return "".join(json.dumps(obj) + "\n" for obj in finding_objects(report))
