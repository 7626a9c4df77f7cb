"""The report of the golden snapshots, shared by the renderer tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.diff import diff
from auditor.model import Report, Snapshot
from auditor.rules import load_rules

GOLDEN = Path(__file__).resolve().parents[2] / "golden"


@pytest.fixture(scope="package")
def golden_report() -> Report:
    return diff(
        Snapshot.load(str(GOLDEN / "source.json")),
        Snapshot.load(str(GOLDEN / "target.json")),
        load_rules(str(GOLDEN / "rules.yaml")),
        generated_at="2026-11-22T12:00:00Z",
    )
