"""A merger, ports and network RBAC side: the example clouds' ports and grants (on top of
their networks, subnets, routers and security groups) served by the sandbox and audited
over HTTP.

The target is the faithful migration of the source (new ids, ``ocb-`` projects, the
servers' ports re-created with their addresses and MACs, the grants between the renamed
projects) with one defect per collection seeded by
:func:`auditor.demo.network_access.seed_defects`; the audit must find each of them,
with its kind and severity, and nothing else.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from auditor.audit import AuditResult
from auditor.demo import network, network_access
from auditor.model import CollectionResult, Snapshot, Status, Verdict
from tests.merger import audit_over_http, family_clouds

COLLECTIONS = (
    "projects",
    "servers",
    "networks",
    "subnets",
    "routers",
    "security_groups",
    "ports",
    "rbac_policies",
)


def clouds(*, defects: bool) -> tuple[Snapshot, Snapshot]:
    """The example clouds with the network family (faithful) and this one (broken)."""
    return family_clouds(
        network_access,
        servers=90,
        seed=2026,
        by_metadata=0.8,
        defects=defects,
        after=(network,),
    )


def audit(source: Snapshot, target: Snapshot, tmp_path: Path) -> AuditResult:
    return audit_over_http(source, target, COLLECTIONS, tmp_path).result


def _changed(snapshot: Snapshot, name: str, change: Any) -> Snapshot:
    """``snapshot`` with ``change(items)`` applied to a copy of collection ``name``."""
    items = [dict(item) for item in snapshot.collections[name].items]
    change(items)
    result = CollectionResult(Status.OK, tuple(items))
    return dataclasses.replace(snapshot, collections={**snapshot.collections, name: result})


def test_a_faithful_migration_of_ports_and_grants_is_verified_over_http(tmp_path: Path) -> None:
    source, target = clouds(defects=False)

    report = audit(source, target, tmp_path).report

    assert [f.message for f in report.findings] == []
    assert report.verdict is Verdict.VERIFIED
    summary = {
        name: (s.source, s.matched, s.left_out)
        for name, s in report.summary.items()
        if name in ("ports", "rbac_policies")
    }
    # A port per server; each cloud's 60 router interface and 30 DHCP ports left out.
    # Six tenants share their network with the next one; public is external to all.
    assert summary == {"ports": (90, 90, 180), "rbac_policies": (7, 7, 0)}


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> AuditResult:
    source, target = clouds(defects=True)
    return audit(source, target, tmp_path_factory.mktemp("merger"))


def _found(result: AuditResult) -> set[tuple[str, str, str, str | None, str]]:
    got = set()
    for f in result.report.findings:
        ref = f.target or f.source
        assert ref is not None
        field = f.changes[0].field if f.changes else None
        got.add((f.kind.value, f.collection, ref.label, field, f.severity.value))
    return got


def _port_of(result: AuditResult) -> str:
    return next(f.target.id for f in result.report.findings if f.collection == "ports" and f.target)


def test_each_seeded_defect_is_found_and_nothing_else(broken: AuditResult) -> None:
    port = _port_of(broken)
    assert _found(broken) == {
        ("changed", "ports", f"ocb-globex/(no name) ({port})", "mac_address", "error"),
        ("missing", "rbac_policies", "cw-monarch/monarch-net shared with cw-oscorp", None, "error"),
    }
    assert len(network_access.DEFECTS) == 2
    assert broken.report.verdict is Verdict.DISCREPANCIES


def test_the_findings_say_what_an_operator_must_fix(broken: AuditResult) -> None:
    port = _port_of(broken)
    messages = sorted(f.message for f in broken.report.findings)
    assert messages == [
        "network RBAC policy cw-monarch/monarch-net shared with cw-oscorp has no counterpart"
        " in the target (looked for ocb-monarch/monarch-net/access_as_shared/ocb-oscorp/"
        "ocb-cloudwatt, then a grant of the counterpart of network cw-monarch/monarch-net);"
        " restore it or record its fate.",
        f"port ocb-globex/10.0.0.61 on network globex-net ({port}) MAC address changed from"
        " fa:16:3e:f2:73:29 to fa:16:3e:3e:f2:17.",
    ]


def test_server_ports_were_matched_through_their_servers(broken: AuditResult) -> None:
    (changed,) = [f for f in broken.report.findings if f.collection == "ports"]
    # Unnamed: only its server's counterpart (and its network) could pair it.
    assert changed.matched_by == "name"
    assert changed.source is not None and changed.target is not None
    assert changed.source.id != changed.target.id
    assert broken.report.summary["ports"].matched == 90


def test_a_port_that_lost_its_address_its_vip_and_its_port_security(tmp_path: Path) -> None:
    source, target = clouds(defects=False)
    db = next(
        s
        for s in target.collections["servers"].items
        if s["project"] == "ocb-initech" and s["name"] == "ocb-db-01"
    )

    db_group = next(
        g["id"]
        for g in target.collections["security_groups"].items
        if g["project"] == "ocb-initech" and g["name"] == "db"
    )

    def renumber(ports: list[dict[str, Any]]) -> None:
        port = next(p for p in ports if p.get("server_id") == db["id"])
        port.update(
            fixed_ips=["10.0.200.9"],
            allowed_address_pairs=[],
            port_security_enabled=False,
            security_groups=[g for g in port["security_groups"] if g != db_group],
        )

    report = audit(source, _changed(target, "ports", renumber), tmp_path).report

    (finding,) = report.findings
    changes = {c.field: (c.severity.value, c.message) for c in finding.changes}
    assert changes == {
        "fixed_ips": ("error", "lost fixed IP(s) 10.0.0.62"),
        "allowed_address_pairs": ("error", "lost allowed address pair(s) 10.0.254.10"),
        "port_security_enabled": ("error", "lost port security"),
        "security_groups": ("error", "no longer in security group ocb-initech/db"),
    }
    assert finding.severity.value == "error"
