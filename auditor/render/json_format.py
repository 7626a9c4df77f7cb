"""The machine-readable report: ``auditor.report/v1`` JSON."""

from __future__ import annotations

from auditor.model import Report
from auditor.model.codec import dumps


def render(report: Report) -> str:
    return dumps(report.to_json(), indent=2) + "\n"
