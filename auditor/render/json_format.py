"""The machine-readable report: ``auditor.report/v1`` JSON."""

from __future__ import annotations

import json

from auditor.model import Report


def render(report: Report) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
