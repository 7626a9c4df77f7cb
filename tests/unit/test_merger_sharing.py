"""Merger scenario of the sharing family over HTTP: volume types (QoS, encryption, access)
and a shared image's members and properties, one seeded defect each, found through the
sandbox, nothing else; the faithful migration is verified."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.demo import sharing
from auditor.model import Snapshot, Status, Verdict
from auditor.sandbox import SandboxOptions
from tests.findings import described
from tests.merger import audit_over_http, family_clouds

COLLECTIONS = (
    "projects",
    "servers",
    "volumes",
    "endpoints",
    "images",
    "image_members",
    "volume_types",
)

SEEDED = {
    # (kind, collection, target or source name, first changed field, severity)
    ("changed", "volume_types", "ceph-ssd-luks", "encryption", "error"),
    ("missing", "image_members", "cw-acme-base", None, "error"),
    ("changed", "images", "ocb-acme-base", "properties.hw_firmware_type", "error"),
}


def clouds(defects: bool) -> tuple[Snapshot, Snapshot]:
    return family_clouds(sharing, servers=40, seed=7, by_metadata=0.5, defects=defects)


@pytest.mark.parametrize(
    "options",
    [SandboxOptions(), SandboxOptions(max_limit=1, volume_max_version="3.0")],
    ids=["current", "paged-3.0"],
)
def test_one_defect_per_collection_is_found_and_nothing_else(
    options: SandboxOptions, tmp_path: Path
) -> None:
    source, target = clouds(defects=True)
    result = audit_over_http(source, target, COLLECTIONS, tmp_path, options).result
    for snapshot in (result.source, result.target):
        for name in COLLECTIONS:
            assert snapshot.collections[name].status is Status.OK, name
    assert described(result.report, by="name") == SEEDED
    assert result.report.verdict is Verdict.DISCREPANCIES


def test_the_faithful_target_is_verified(tmp_path: Path) -> None:
    source, target = clouds(defects=False)
    result = audit_over_http(source, target, COLLECTIONS, tmp_path, SandboxOptions()).result
    assert result.report.findings == ()
    assert result.report.verdict is Verdict.VERIFIED
    assert result.report.summary["image_members"].matched == 2
    assert result.report.summary["volume_types"].matched == 3
