"""A merger of the storage side, audited end to end over HTTP.

The example source and its faithful target (auditor.demo.storage on top of the
core example clouds) are served by the sandbox; the target then gets one
defect per collection of the family. ``auditor audit``'s code path (both
inventories through openstacksdk, concurrently, quotas fanned out per project
and service, then the diff) must find each defect, with its kind and severity,
and nothing else; the faithful target must be verified.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.audit import AuditResult
from auditor.demo import storage
from auditor.model import Severity, Snapshot, Status, Verdict
from auditor.sandbox import SandboxOptions
from tests.findings import described
from tests.merger import audit_over_http, family_clouds

FAMILY = ("images", "volume_snapshots", "volume_backups", "quotas")
COLLECTIONS = ("projects", "servers", "volumes", "endpoints", *FAMILY)

SEEDED = {
    # (kind, collection, target label, first changed field, severity)
    ("changed", "images", "ocb-cyberdyne/ocb-cyberdyne-golden", "checksum", "error"),
    ("changed", "volume_snapshots", "ocb-soylent/ocb-db-01-data-nightly", "volume_id", "error"),
    ("changed", "volume_backups", "ocb-gringotts/ocb-db-01-data-weekly", "status", "error"),
    ("changed", "quotas", "ocb-monarch/compute", "limits.cores", "error"),
}


def clouds(defects: bool) -> tuple[Snapshot, Snapshot]:
    return family_clouds(storage, servers=60, seed=11, by_metadata=0.5, defects=defects)


def audit(source: Snapshot, target: Snapshot, options: SandboxOptions, tmp: Path) -> AuditResult:
    run = audit_over_http(source, target, COLLECTIONS, tmp, options)
    result, log = run.result, run.requests
    for snapshot in (result.source, result.target):
        for name in COLLECTIONS:
            assert snapshot.collections[name].status is Status.OK, name
    # Quotas cost one request per project and service; nothing else is per item.
    projects = len(source.collections["projects"].items) + len(target.collections["projects"].items)
    assert sum(1 for r in log if "/os-quota-sets/" in r.path) == 2 * projects
    assert sum(1 for r in log if "/v2.0/quotas/" in r.path) == projects
    return result


OPTIONS = {
    "current": SandboxOptions(),
    # Small pages: images, snapshots and backups walked page by page; compute before 2.47.
    "paged-2.40": SandboxOptions(max_limit=4, image_default_limit=3, compute_max_version="2.40"),
}


@pytest.mark.parametrize("variant", list(OPTIONS))
def test_one_defect_per_collection_is_found_and_nothing_else(variant: str, tmp_path: Path) -> None:
    source, target = clouds(defects=True)

    report = audit(source, target, OPTIONS[variant], tmp_path).report

    assert described(report, by="label") == SEEDED
    assert report.verdict is Verdict.DISCREPANCIES
    by_collection = {f.collection: f for f in report.findings}
    for finding in by_collection.values():
        assert [c.severity for c in finding.changes] == [Severity.ERROR]
    assert by_collection["volume_snapshots"].matched_by == "metadata"
    assert by_collection["volume_snapshots"].message == (
        "volume snapshot ocb-soylent/ocb-db-01-data-nightly is a snapshot of volume"
        " ocb-soylent/ocb-web-01-data, expected ocb-soylent/ocb-db-01-data."
    )
    quota = by_collection["quotas"]
    cores = sum(
        s["flavor"]["vcpus"] for s in source.collections["servers"].items
        if s["project"] == "cw-monarch"
    )  # fmt: skip
    assert (quota.changes[0].source, quota.changes[0].target) == (20, 1)
    assert f"below the {cores} used in the source" in quota.message


def test_the_faithful_target_is_verified(tmp_path: Path) -> None:
    source, target = clouds(defects=False)

    report = audit(source, target, SandboxOptions(), tmp_path).report

    assert report.findings == ()
    assert report.verdict is Verdict.VERIFIED
    for name in FAMILY:
        summary = report.summary[name]
        assert summary.matched == summary.source > 0, name
    # Every project's three services, admin and service projects included.
    assert report.summary["quotas"].matched == 3 * len(source.collections["projects"].items)
