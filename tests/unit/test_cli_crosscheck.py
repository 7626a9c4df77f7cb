"""The count cross-check is on by default in ``auditor audit`` (issue 22, point 1).

Through the command line, over the sandbox on loopback: an audit of the core
collections reads the usage counters those collections can be compared with
(Nova's and Cinder's, one quota set per project and service, no Neutron's)
without listing the ``quotas`` collection, records them in the snapshot as
cross-check data, and reports a counter that disagrees. ``--no-cross-check``
reads none. A member, or an admin whose policy refuses quota sets, gets the
audit with one note per side, never a failure. Snapshots without counters
(older ones) still load and diff.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.model import CollectionResult, Snapshot, Status
from auditor.sandbox import Fault, Sandbox
from auditor.schemas import load_schema
from tests.builders import endpoint, flavor, project, server, volume
from tests.harness import run_auditor
from tests.unit.test_scoped import OPTIONS  # alice: a member of acme and globex
from tests.worlds import RENAMES, cloudwatt_fr1, ocb_fr1

JSON = dict[str, Any]

RULES = "version: 1\n" + RENAMES
PROJECTS = ("acme", "globex", "initech")


def quota(project_id: str, name: str, usage: dict[str, int]) -> JSON:
    return {
        "id": f"{project_id}/compute",
        "name": "compute",
        "project": name,
        "project_id": project_id,
        "domain": "ocb-cloudwatt",
        "limits": dict.fromkeys(usage, -1),
        "usage": usage,
    }


def side(prefix: str, *, drift: bool = False) -> Snapshot:
    """Three projects with two servers (2 vCPUs, 4 GiB) and a volume each; with ``drift``
    Nova counts 3 instances for the first project (a listing came back short, or the
    counter drifted)."""
    ids = "p" if prefix == "cw" else "P"
    domain = "cloudwatt" if prefix == "cw" else "ocb-cloudwatt"
    projects = [project(f"{ids}-{n}", f"{prefix}-{n}", domain=domain) for n in PROJECTS]
    size = flavor("m2", vcpus=2, ram=4096)
    servers = [
        server(f"{ids}-s-{n}-{i}", f"{prefix}-{n}-{i}", p, flavor_=size)
        for n, p in zip(PROJECTS, projects, strict=True)
        for i in range(2)
    ]
    volumes = [
        volume(f"{ids}-v-{n}", f"{prefix}-{n}-data", p, size=10)
        for n, p in zip(PROJECTS, projects, strict=True)
    ]
    region = "fr1" if prefix == "cw" else "ocb-fr1"
    endpoints = [endpoint(f"{ids}-e", "compute", "public", region, "https://c.example")]
    collections: dict[str, Any] = {
        "projects": projects,
        "servers": servers,
        "volumes": volumes,
        "endpoints": endpoints,
    }
    if drift:
        first = projects[0]
        usage = {"instances": 3, "cores": 4, "ram": 8192}
        collections["quotas"] = [quota(first["id"], first["name"], usage)]
    make = cloudwatt_fr1 if prefix == "cw" else ocb_fr1
    return make(**collections)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Sandbox, Path]]:
    (tmp_path / "rules.yaml").write_text(RULES)
    with Sandbox([side("cw"), side("ocb", drift=True)], options=OPTIONS) as sandbox:
        save_clouds_yaml(sandbox, str(tmp_path / "clouds.yaml"))
        yield sandbox, tmp_path
        assert sandbox.errors == []


def audit(tmp: Path, source: str, target: str, *extra: str) -> tuple[int, JSON]:
    code, out = run_auditor(
        "--os-client-config-file", str(tmp / "clouds.yaml"), "audit", "--source", source,
        "--target", target, "--rules", str(tmp / "rules.yaml"), "-f", "json", *extra,
    )  # fmt: skip
    report: JSON = json.loads(out)
    jsonschema.validate(report, load_schema("report"))
    return code, report


def quota_requests(sandbox: Sandbox) -> list[tuple[str | None, str, str]]:
    """(cloud, service, project id) of every quota set asked."""
    out = []
    for r in sandbox.requests:
        if "/os-quota-sets/" in r.path:
            service = "compute" if "/compute/" in r.path else "block-storage"
            out.append((r.cloud, service, r.path.rsplit("/os-quota-sets/", 1)[1].split("/")[0]))
        elif "/quotas/" in r.path:
            out.append((r.cloud, "network", r.path.rsplit("/quotas/", 1)[1].split("/")[0]))
    return sorted(out)


def mismatches(report: JSON) -> list[str]:
    return [f["message"] for f in report["findings"] if f["kind"] == "count_mismatch"]


DRIFT = (
    "target ocb: Nova says project ocb-acme uses 3 instances (instances); the listed servers"
    " come to 2"
)


def test_audit_cross_checks_the_core_collections_by_default(
    served: tuple[Sandbox, Path],
) -> None:
    sandbox, tmp = served
    saved = tmp / "inventories"

    code, report = audit(tmp, "cloudwatt", "ocb", "--save-inventories", str(saved))

    assert mismatches(report) == [DRIFT]
    assert code == 0  # a warning, under --fail-on error
    assert "notes" not in report
    # One compute and one block-storage quota set per project and cloud; no Neutron's
    # (no network collection is listed), and the quotas collection is not listed.
    asked = quota_requests(sandbox)
    for cloud, prefix in (("cloudwatt", "p"), ("ocb", "P")):
        for service in ("compute", "block-storage"):
            got = sorted(pid for c, s, pid in asked if (c, s) == (cloud, service))
            assert got == sorted(f"{prefix}-{n}" for n in PROJECTS), (cloud, service)
    assert len(asked) == 2 * 2 * len(PROJECTS)
    assert all("usage=True" in r.query for r in sandbox.requests if "/volume/" in r.path
               and "/os-quota-sets/" in r.path)  # fmt: skip
    # The snapshot records them as cross-check data, not as the quotas collection.
    schema = load_schema("inventory")
    for name in ("source", "target"):
        doc = json.loads((saved / f"{name}.json").read_text())
        jsonschema.validate(doc, schema)
        assert "quotas" not in doc["collections"]
        assert sorted(doc["counters"]) == ["block-storage", "compute"]
        assert all(c["status"] == "ok" and c["count"] == 3 for c in doc["counters"].values())
    # The saved inventories diff to the same mismatch, offline.
    code, out = run_auditor(
        "diff", str(saved / "source.json"), str(saved / "target.json"), "--rules",
        str(tmp / "rules.yaml"), "-f", "json",
    )  # fmt: skip
    assert mismatches(json.loads(out)) == [DRIFT]


def test_no_cross_check_reads_no_counter(served: tuple[Sandbox, Path]) -> None:
    sandbox, tmp = served
    saved = tmp / "inventories"

    code, report = audit(tmp, "cloudwatt", "ocb", "--no-cross-check", "--save-inventories",
                         str(saved))  # fmt: skip

    assert (code, mismatches(report)) == (0, [])
    assert quota_requests(sandbox) == []
    assert "counters" not in json.loads((saved / "target.json").read_text())


def test_with_the_quotas_collection_its_quota_sets_are_read_once(
    served: tuple[Sandbox, Path],
) -> None:
    sandbox, tmp = served
    collections = "projects,servers,volumes,endpoints,quotas"

    _code, report = audit(tmp, "cloudwatt", "ocb", "--collections", collections)

    assert mismatches(report) == [DRIFT]
    # The quotas collection's three services, once per project and cloud: no second read.
    assert len(quota_requests(sandbox)) == 3 * 2 * len(PROJECTS)


def test_a_member_gets_the_audit_and_one_note_per_side_never_a_failure(
    served: tuple[Sandbox, Path],
) -> None:
    sandbox, tmp = served

    code, report = audit(tmp, "cloudwatt-alice", "ocb-alice")

    assert (code, report["verdict"], mismatches(report)) == (0, "verified", [])
    assert report["notes"] == [
        "count cross-check skipped on the source (cloudwatt-alice): Nova's, Cinder's usage"
        " counters could not be read (project-scoped credentials: every project's usage"
        " counters need the admin role)",
        "count cross-check skipped on the target (ocb-alice): Nova's, Cinder's usage"
        " counters could not be read (project-scoped credentials: every project's usage"
        " counters need the admin role)",
    ]
    assert quota_requests(sandbox) == []
    (tmp / "report.json").write_text(json.dumps(report))
    for fmt, mark in (
        ("text", "Note: count"),
        ("markdown", "**Note:** count"),
        ("html", "Note: count"),
    ):
        code, shown = run_auditor("render", str(tmp / "report.json"), "--format", fmt)
        assert (code, shown.count(mark)) == (0, 2), fmt


def test_an_admin_refused_the_counters_gets_a_note_not_a_failure(
    served: tuple[Sandbox, Path],
) -> None:
    sandbox, tmp = served
    sandbox.faults.add(Fault(r"/ocb/compute/v2\.1/os-quota-sets/", status=403, times=None))

    code, report = audit(tmp, "cloudwatt", "ocb", "--retries", "1")

    assert (code, report["verdict"], mismatches(report)) == (0, "verified", [])
    (note,) = report["notes"]
    assert note.startswith(
        "count cross-check skipped on the target (ocb): Nova's usage counters could not be read"
    )
    assert "403" in note
    # Cinder's were read and agree; every collection was listed whole.
    assert all(s["complete"] for s in report["summary"].values())


def test_a_snapshot_without_counters_still_loads_and_diffs(
    served: tuple[Sandbox, Path],
) -> None:
    _sandbox, tmp = served
    saved = tmp / "inventories"
    audit(tmp, "cloudwatt", "ocb", "--save-inventories", str(saved))
    for name in ("source", "target"):
        doc = json.loads((saved / f"{name}.json").read_text())
        del doc["counters"]  # as an auditor before counters wrote it
        (saved / f"{name}.json").write_text(json.dumps(doc))

    code, out = run_auditor(
        "diff", str(saved / "source.json"), str(saved / "target.json"), "--rules",
        str(tmp / "rules.yaml"), "-f", "json",
    )  # fmt: skip

    report = json.loads(out)
    assert (code, report["verdict"], mismatches(report)) == (0, "verified", [])
    assert "notes" not in report


def test_a_snapshots_counters_are_checked_like_its_items(tmp_path: Path) -> None:
    bad = CollectionResult(Status.OK, ({"id": "p/compute", "usage": "lots"},))
    snapshot = Snapshot(
        "cw", None, None, "2026-12-06T00:00:00Z", 1.0, {}, counters={"compute": bad}
    )
    (tmp_path / "cw.json").write_text(snapshot.dumps())

    code, _out = run_auditor("diff", str(tmp_path / "cw.json"), str(tmp_path / "cw.json"))

    assert code == 2
