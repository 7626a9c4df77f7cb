"""Read-only end-to-end checks against a real cloud or a DevStack VM.

Run with ``AUDITOR_TEST_CLOUD=<clouds.yaml profile> pytest -m devstack``; the
profile needs the admin role. Nothing is created or changed: the auditor's
transport guard refuses anything but reads.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import jsonschema
import pytest

from auditor.cli import main
from auditor.schemas import load_schema

CLOUD = os.environ.get("AUDITOR_TEST_CLOUD")

pytestmark = [
    pytest.mark.devstack,
    pytest.mark.skipif(not CLOUD, reason="AUDITOR_TEST_CLOUD names no clouds.yaml profile"),
]


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(["--no-progress", *argv], stdout=out), out.getvalue()


def test_inventory_is_complete_and_valid(tmp_path: Path) -> None:
    assert CLOUD is not None
    path = tmp_path / "snapshot.json"
    code, _ = run("inventory", "--cloud", CLOUD, "--output", str(path))
    snapshot = json.loads(path.read_text())
    jsonschema.validate(snapshot, load_schema("inventory"))
    statuses = {name: c["status"] for name, c in snapshot["collections"].items()}
    assert statuses == dict.fromkeys(("endpoints", "projects", "servers", "volumes"), "ok")
    assert code == 0
    assert snapshot["collections"]["projects"]["count"] >= 1
    assert snapshot["collections"]["endpoints"]["count"] >= 1


def test_a_cloud_audited_against_itself_is_verified() -> None:
    assert CLOUD is not None
    code, out = run("audit", "--source", CLOUD, "--target", CLOUD, "--format", "json")
    report = json.loads(out)
    jsonschema.validate(report, load_schema("report"))
    assert report["findings"] == []
    assert (code, report["verdict"]) == (0, "verified")
