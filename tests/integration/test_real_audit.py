"""``auditor audit`` against real Keystone, Nova API, Cinder API, Glance and Neutron.

The real cloud holds both sides of a migration in progress: the legacy
``cloudwatt`` domain (cw-* projects, servers, volumes) and the
``ocb-cloudwatt`` domain where only part of it has been migrated so far
(ocb-acme's web server and its data volume, carrying ``migrated_from_id``,
and the three projects but not cw-acme-dev). Auditing the cloud against itself
with rules that scope the source to ``cloudwatt`` and the target to
``ocb-cloudwatt`` must report exactly what the seed plan left out, and nothing
that was migrated faithfully.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from realcloud import RealCloud
from seedplan import SERVERS, VOLUMES, migration_rules

from auditor.schemas import load_schema
from tests.findings import label_of

pytestmark = pytest.mark.integration

RULES = migration_rules()

EXPECTED = {
    # The project nobody migrated.
    ("missing", "projects", "cw-acme-dev", "error"),
    # Servers and volumes not migrated yet.
    ("missing", "servers", "cw-acme/cw-db-1", "error"),
    ("missing", "servers", "cw-globex/cw-app-1", "error"),
    ("missing", "servers", "cw-initech/cw-batch-1", "error"),
    ("missing", "volumes", "cw-acme/cw-db-boot", "error"),
    ("missing", "volumes", "cw-acme/cw-db-data", "error"),
    ("missing", "volumes", "cw-acme/cw-shared", "error"),
    ("missing", "volumes", "cw-globex/cw-spare", "error"),
    # The migrated web server lost its (masked) db_password metadata key (a warning),
    # and the multi-attached cw-shared volume, which was not migrated (an error).
    ("changed", "servers", "ocb-acme/ocb-web-1", "error"),
}


def test_audit_of_a_migration_in_progress(real_cloud: RealCloud, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    saved = tmp_path / "inventories"
    marks = real_cloud.access_log_marks()
    proc = real_cloud.auditor(
        "audit",
        "--source",
        real_cloud.cloud,
        "--target",
        real_cloud.cloud,
        "--rules",
        str(rules),
        "--format",
        "json",
        "--save-inventories",
        str(saved),
        timeout=180,
    )
    report = json.loads(proc.stdout)
    jsonschema.validate(report, load_schema("report"))
    got = {(f["kind"], f["collection"], label_of(f), f["severity"]) for f in report["findings"]}
    assert got == EXPECTED, proc.stderr
    # The count cross-check ran by default, on Nova's and Cinder's real counters (read
    # without the quotas collection), and they agree with the listings: no mismatch.
    assert "notes" not in report
    for side in ("source", "target"):
        doc = json.loads((saved / f"{side}.json").read_text())
        assert "quotas" not in doc["collections"]
        counters = doc["counters"]
        assert sorted(counters) == ["block-storage", "compute"]
        assert all(c["status"] == "ok" for c in counters.values()), counters
        seeded = {
            (q["name"], q["project"]): q["usage"] for c in counters.values() for q in c["items"]
        }
        for project in ("cw-acme", "cw-globex", "ocb-acme"):
            servers = sum(1 for s in SERVERS if s.project == project)
            volumes = [v.size for v in VOLUMES if v.project == project]
            assert seeded[("compute", project)]["instances"] == servers, project
            assert seeded[("block-storage", project)]["volumes"] == len(volumes), project
            assert seeded[("block-storage", project)]["gigabytes"] == sum(volumes), project
    assert (proc.returncode, report["verdict"]) == (1, "discrepancies")

    changed = next(f for f in report["findings"] if f["kind"] == "changed")
    assert changed["matched_by"] == "metadata"
    shared = next(
        v["id"]
        for v in json.loads((saved / "source.json").read_text())["collections"]["volumes"]["items"]
        if v["name"] == "cw-shared"
    )
    assert changed["changes"] == [
        {
            "field": "metadata.db_password",
            "source": "***",
            "target": None,
            "severity": "warning",
            "message": "lost metadata key 'db_password'",
        },
        {
            "field": "volumes",
            "source": shared,
            "target": None,
            "severity": "error",
            "message": "lost its attached volume cw-acme/cw-shared, which has no counterpart"
            " in the target",
            "source_text": f"cw-acme/cw-shared ({shared})",
        },
    ]
    summary = report["summary"]
    assert summary["projects"] == {
        "source": 4,
        "target": 3,
        "matched": 3,
        "missing": 1,
        "unexpected": 0,
        "changed": 0,
        "ambiguous": 0,
        "partial": 0,
        "complete": True,
    }
    assert (summary["servers"]["matched"], summary["volumes"]["matched"]) == (1, 1)
    # cw-spare's migration is in progress: Cinder's temporary target volume is left
    # out of the comparison (of each side: the cloud is audited against itself),
    # so it is no ambiguous or duplicate cw-spare.
    assert summary["volumes"]["left_out"] == 2
    assert summary["endpoints"]["missing"] == summary["endpoints"]["unexpected"] == 0
    acme = next(s for s in report["scorecard"] if s["source"]["name"] == "cw-acme")
    assert acme["target"]["name"] == "ocb-acme"
    assert (acme["matched"], acme["missing"], acme["changed"]) == (2, 4, 1)

    # Only reads reached the services while the auditor ran; the one other method is
    # the token request (the auditor's, and Nova's and Cinder's validating it).
    requests = _requests(real_cloud, marks)
    writes = [(m, p) for m, p in requests if m not in ("GET", "HEAD")]
    assert writes and all(m == "POST" and p.endswith("/v3/auth/tokens") for m, p in writes)
    assert sum(1 for m, p in requests if p.endswith("/servers/detail")) >= 2

    # The saved inventories replay offline to the same findings.
    offline = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditor",
            "diff",
            str(saved / "source.json"),
            str(saved / "target.json"),
            "--rules",
            str(rules),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert json.loads(offline.stdout)["findings"] == report["findings"]


def _requests(cloud: RealCloud, marks: Any) -> list[tuple[str, str]]:
    """(method, path) of every request the services logged after ``marks``."""
    return [(record["method"], record["path"]) for _service, record in cloud.requests_since(marks)]
