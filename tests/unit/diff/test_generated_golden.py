"""The diff of the benchmark's generated clouds (``generate(servers=2000)`` under the demo's
rules) gives the same findings, summary and scorecard as before the diff's speed-ups
(issue 19): the golden was written by the diff of main a7a1cad.

Regenerate only after an intended change of what the diff finds:
``AUDITOR_UPDATE_GOLDEN=1 python -m pytest tests/unit/diff/test_generated_golden.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from auditor.demo.data import RULES, generate
from auditor.diff import diff
from auditor.model.codec import encode
from auditor.rules import parse_rules

GOLDEN = Path(__file__).parents[2] / "golden" / "generated-2000.json"


def outcome() -> dict[str, Any]:
    """What the golden holds: the report without its time, the scorecard one row a line."""
    source, target = generate(servers=2000)
    report = diff(source, target, parse_rules(RULES, "rules.yaml"), generated_at="-")
    doc = json.loads(json.dumps(encode(report), default=str))
    return {
        "verdict": doc["verdict"],
        "summary": doc["summary"],
        "findings": doc["findings"],
        "scorecard": [json.dumps(row, sort_keys=True) for row in doc["scorecard"]],
    }


def test_the_generated_clouds_diff_as_before() -> None:
    got = outcome()
    if os.environ.get("AUDITOR_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n")
    assert GOLDEN.exists(), f"golden file {GOLDEN} is missing (AUDITOR_UPDATE_GOLDEN=1 writes it)"
    want = json.loads(GOLDEN.read_text())
    assert len(want["findings"]) == 13 and want["summary"]["servers"]["matched"] == 1999
    assert got["findings"] == want["findings"]
    assert got["summary"] == want["summary"]
    assert got["scorecard"] == want["scorecard"]
    assert got["verdict"] == want["verdict"]
