"""Golden-file tests of the renderers: the exact text operators and tickets get.

Regenerate after an intended change with ``AUDITOR_UPDATE_GOLDEN=1 pytest
tests/unit/render`` and review the diff; a missing golden file fails.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from auditor.model import Report
from auditor.render import Format, render
from auditor.schemas import load_schema

GOLDEN = Path(__file__).resolve().parents[2] / "golden"
SUFFIX = {
    Format.JSON: "json",
    Format.TEXT: "txt",
    Format.MARKDOWN: "md",
    Format.HTML: "html",
    Format.JUNIT: "xml",
    Format.CSV: "csv",
    Format.SARIF: "sarif",
}


def test_every_format_has_a_golden_file() -> None:
    assert set(SUFFIX) == set(Format)


@pytest.mark.parametrize("fmt", list(Format))
def test_render_matches_golden(golden_report: Report, fmt: Format) -> None:
    path = GOLDEN / f"report.{SUFFIX[fmt]}"
    text = render(golden_report, fmt)
    if os.environ.get("AUDITOR_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"golden file {path} is missing (AUDITOR_UPDATE_GOLDEN=1 writes it)"
    assert text == path.read_text(encoding="utf-8")


def test_json_report_validates_and_round_trips(golden_report: Report) -> None:
    doc = json.loads(render(golden_report, Format.JSON))
    jsonschema.validate(doc, load_schema("report"))
    assert Report.from_json(doc).to_json() == doc


def test_renderers_are_pure(golden_report: Report) -> None:
    for fmt in Format:
        assert render(golden_report, fmt) == render(golden_report, fmt)
