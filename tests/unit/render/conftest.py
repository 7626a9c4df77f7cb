"""The report of the golden snapshots, shared by the renderer tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.app.files import read_rules, read_snapshot
from auditor.diff import diff
from auditor.model import Report

GOLDEN = Path(__file__).resolve().parents[2] / "golden"


@pytest.fixture(scope="package")
def golden_report() -> Report:
    return diff(
        read_snapshot(str(GOLDEN / "source.json")),
        read_snapshot(str(GOLDEN / "target.json")),
        read_rules(str(GOLDEN / "rules.yaml")),
        generated_at="2026-11-22T12:00:00Z",
    )
