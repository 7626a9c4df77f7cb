"""A merger, network side: the example clouds' networks, subnets, routers, security groups
and floating IPs served by the sandbox and audited over HTTP.

The target is the faithful migration of the source (new ids, ``ocb-`` names,
floating IPs moved to the target's range) with one defect per collection
seeded by :func:`auditor.demo.network.seed_defects`; the audit must find
each of them, with its kind and severity, and nothing else.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.audit import AuditResult
from auditor.demo import network as family
from auditor.model import Snapshot, Verdict
from tests.merger import audit_over_http, family_clouds

NETWORK = ("networks", "subnets", "routers", "security_groups", "floating_ips")
COLLECTIONS = ("projects", "servers", *NETWORK)


def clouds(*, defects: bool) -> tuple[Snapshot, Snapshot]:
    """The example source and target with only the network family added (and broken)."""
    return family_clouds(family, servers=90, seed=2026, by_metadata=0.8, defects=defects)


def audit(source: Snapshot, target: Snapshot, tmp_path: Path) -> tuple[AuditResult, list[str]]:
    run = audit_over_http(source, target, COLLECTIONS, tmp_path)
    writes = [f"{r.method} {r.path}" for r in run.requests if r.method != "GET"]
    return run.result, writes


def test_a_faithful_network_migration_is_verified_over_http(tmp_path: Path) -> None:
    source, target = clouds(defects=False)

    result, writes = audit(source, target, tmp_path)

    report = result.report
    assert [f.message for f in report.findings] == []
    assert report.verdict is Verdict.VERIFIED
    summary = {name: (s.source, s.matched) for name, s in report.summary.items()}
    assert summary == {
        "projects": (30, 30),
        "servers": (90, 90),
        "networks": (30, 30),
        "subnets": (60, 60),
        "routers": (30, 30),
        # 6 per tenant, and the admin project's default (made by the first listing).
        "security_groups": (181, 181),
        # 28 moved to the target's range (matched through their servers), 2 kept theirs.
        "floating_ips": (30, 30),
    }
    # Read-only: the token requests (one per cloud, concurrently) are the only writes.
    assert sorted(writes) == [
        "POST /cloudwatt/identity/v3/auth/tokens",
        "POST /ocb/identity/v3/auth/tokens",
    ]


EXPECTED = {
    # (kind, collection, target label, changed field, severity)
    ("changed", "networks", "ocb-vandelay/vandelay-net", "mtu", "warning"),
    ("changed", "subnets", "ocb-aperture/aperture-subnet", "enable_dhcp", "error"),
    ("changed", "routers", "ocb-nakatomi/ocb-nakatomi-router", "interfaces", "error"),
    ("changed", "security_groups", "ocb-weyland/web", "rules", "error"),
    ("changed", "floating_ips", "ocb-bluth/198.18.0.24", "server_id", "error"),
}


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> AuditResult:
    source, target = clouds(defects=True)
    result, _writes = audit(source, target, tmp_path_factory.mktemp("merger"))
    return result


def test_each_seeded_defect_is_found_and_nothing_else(broken: AuditResult) -> None:
    got = set()
    for f in broken.report.findings:
        assert f.target is not None
        assert len(f.changes) == 1, f.message
        got.add((f.kind.value, f.collection, f.target.label, f.changes[0].field, f.severity.value))

    assert got == EXPECTED
    assert len(EXPECTED) == len(family.DEFECTS)
    assert broken.report.verdict is Verdict.DISCREPANCIES


def test_the_findings_say_what_an_operator_must_fix(broken: AuditResult) -> None:
    messages = {f.collection: f.message for f in broken.report.findings}

    assert messages == {
        "networks": "network ocb-vandelay/vandelay-net MTU shrank from 1450 to 1400.",
        "subnets": "subnet ocb-aperture/aperture-subnet lost DHCP.",
        "routers": "router ocb-nakatomi/ocb-nakatomi-router no longer has an interface on"
        " subnet ocb-nakatomi/fd00:15::/64.",
        "security_groups": "security group ocb-weyland/web lost rule ingress IPv4 tcp port 443"
        " from anywhere.",
        "floating_ips": "floating ip ocb-bluth/198.18.0.24 no longer points to server"
        " ocb-bluth/ocb-web-01 (points to ocb-bluth/ocb-app-01).",
    }


def test_matching_went_through_the_servers_for_moved_floating_ips(broken: AuditResult) -> None:
    pairs = {
        f.target.label: f.matched_by
        for f in broken.report.findings
        if f.collection == "floating_ips" and f.target is not None
    }
    # The defect is on a floating IP that kept its address: matched by it.
    assert pairs == {"ocb-bluth/198.18.0.24": "name"}
    assert broken.report.summary["floating_ips"].matched == 30
