"""A merger, address scopes and subnet pools: the example clouds' scopes and pools served
by the sandbox and audited over HTTP.

The target is the faithful migration of the source (new ids, ``ocb-`` projects, the pools
in their scopes' counterparts) with one defect per collection seeded by
:func:`auditor.demo.network_pools.seed_defects`; the audit must find each of them, with
its kind and severity, and nothing else.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from auditor.audit import AuditResult
from auditor.demo import network_pools
from auditor.model import CollectionResult, Snapshot, Status, Verdict
from tests.merger import audit_over_http, family_clouds

COLLECTIONS = ("projects", "address_scopes", "subnet_pools")


def clouds(*, defects: bool) -> tuple[Snapshot, Snapshot]:
    return family_clouds(network_pools, servers=90, seed=2026, by_metadata=0.8, defects=defects)


def audit(source: Snapshot, target: Snapshot, tmp_path: Path) -> AuditResult:
    return audit_over_http(source, target, COLLECTIONS, tmp_path).result


def test_a_faithful_migration_of_scopes_and_pools_is_verified_over_http(tmp_path: Path) -> None:
    source, target = clouds(defects=False)

    report = audit(source, target, tmp_path).report

    assert [f.message for f in report.findings] == []
    assert report.verdict is Verdict.VERIFIED
    summary = {n: (s.source, s.matched) for n, s in report.summary.items() if n != "projects"}
    assert summary == {"address_scopes": (3, 3), "subnet_pools": (3, 3)}


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> AuditResult:
    source, target = clouds(defects=True)
    return audit(source, target, tmp_path_factory.mktemp("merger"))


def test_each_seeded_defect_is_found_and_nothing_else(broken: AuditResult) -> None:
    got = {
        (f.kind.value, f.collection, f.target.label, f.message, f.severity.value)
        for f in broken.report.findings
        if f.target is not None
    }
    assert got == {
        (
            "changed",
            "address_scopes",
            "ocb-hooli/hooli-scope",
            "address scope ocb-hooli/hooli-scope is no longer shared with every project.",
            "error",
        ),
        (
            "changed",
            "subnet_pools",
            "ocb-vandelay/vandelay-pool",
            "subnet pool ocb-vandelay/vandelay-pool lost prefix(es) 10.214.0.0/16.",
            "error",
        ),
    }
    assert len(broken.report.findings) == len(network_pools.DEFECTS)


def test_a_pool_moved_to_another_scope_is_an_error(tmp_path: Path) -> None:
    source, target = clouds(defects=False)
    pools = [dict(p) for p in target.collections["subnet_pools"].items]
    scopes = {s["name"]: s["id"] for s in target.collections["address_scopes"].items}
    bluth = next(p for p in pools if p["name"] == "bluth-pool")
    bluth["address_scope_id"] = scopes["hooli-scope"]
    changed: dict[str, Any] = {
        **target.collections,
        "subnet_pools": CollectionResult(Status.OK, tuple(pools)),
    }

    report = audit(source, dataclasses.replace(target, collections=changed), tmp_path).report

    (finding,) = report.findings
    assert [(c.severity.value, c.message) for c in finding.changes] == [
        ("error", "is no longer in address scope ocb-bluth/bluth-scope"),
        ("info", "is now in address scope ocb-hooli/hooli-scope"),
    ]
