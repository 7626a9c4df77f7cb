"""Octavia load balancers: served by the sandbox as Octavia answers, inventoried back over
HTTP page by page (members fanned out per pool), and diffed part by part."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.app.files import read_clouds_config
from auditor.audit import CloudTarget, RetryPolicy
from auditor.collect import take_inventory
from auditor.connect import connect
from auditor.demo import build_demo
from auditor.demo.data import RULES, generate
from auditor.diff.outcome import evaluate
from auditor.model import Snapshot
from auditor.rules import parse_rules
from auditor.sandbox import Sandbox, SandboxOptions

JSON = dict[str, Any]
CLEAN_SOURCE, CLEAN_TARGET = generate(extended=True, defects=False)


def _with(snapshot: Snapshot, name: str, items: list[JSON]) -> Snapshot:
    result = replace(snapshot.collections[name], items=tuple(items))
    return replace(snapshot, collections={**snapshot.collections, name: result})


def _findings(source: Snapshot, target: Snapshot) -> list[Any]:
    report = evaluate([source], target, parse_rules(RULES)).report
    return [f for f in report.findings if f.collection == "load_balancers"]


def _changes(target_lbs: list[JSON], source: Snapshot = CLEAN_SOURCE) -> list[tuple[str, str, str]]:
    """(field, severity, message) of every change the diff finds with these target items."""
    found = _findings(source, _with(CLEAN_TARGET, "load_balancers", target_lbs))
    assert all(f.kind.value == "changed" for f in found), [f.message for f in found]
    return sorted((c.field, c.severity.value, c.message) for f in found for c in f.changes)


def _target() -> list[JSON]:
    return copy.deepcopy(list(CLEAN_TARGET.collections["load_balancers"].items))


def test_load_balancers_are_inventoried_back_page_by_page(tmp_path: Path) -> None:
    demo = build_demo()
    expected = demo.source.collections["load_balancers"].items
    assert len(expected) >= 3 and all(lb["pools"][0]["members"] for lb in expected)
    with Sandbox([demo.source], options=SandboxOptions(max_limit=2)) as sandbox:
        clouds = tmp_path / "clouds.yaml"
        save_clouds_yaml(sandbox, str(clouds))
        target = CloudTarget("cloudwatt")
        conn = connect(target, config=read_clouds_config(str(clouds)))
        got = take_inventory(
            conn, target, collections=("load_balancers",), policy=RetryPolicy(attempts=1)
        ).collections
        asked = [(r.path, r.query) for r in sandbox.requests if "/lbaas/" in r.path]
    result = got["load_balancers"]
    assert result.status.value == "ok", result.error
    assert list(result.items) == list(expected)
    listed = [q for p, q in asked if p.endswith("/lbaas/loadbalancers")]
    assert len(listed) == len(expected) // 2 + 1 and any("marker=" in q for q in listed)
    members = sorted(p for p, _q in asked if p.endswith("/members"))
    assert members == sorted(
        f"/cloudwatt/load-balancer/v2.0/lbaas/pools/{lb['pools'][0]['id']}/members"
        for lb in expected
    )


def test_a_benign_migration_reports_nothing_and_the_demo_defect_is_found() -> None:
    assert _findings(CLEAN_SOURCE, CLEAN_TARGET) == []
    demo = build_demo()
    (finding,) = _findings(demo.source, demo.target)
    ((field, severity, message),) = [
        (c.field, c.severity.value, finding.message) for c in finding.changes
    ]
    assert (field, severity) == ("pools.members", "error")
    assert "points at server ocb-umbrella/ocb-app-01" in message
    assert "not at server ocb-umbrella/ocb-web-01" in message


def test_lost_and_changed_listeners() -> None:
    lbs = _target()
    lbs[0]["listeners"] = []
    lbs[1]["listeners"][0].update(protocol="HTTPS", connection_limit=100)
    lbs[2]["listeners"][0].update(name="", protocol_port=8080)
    changes = _changes(lbs)
    severities = {(field, severity) for field, severity, _m in changes}
    assert severities == {
        ("listeners", "error"),
        ("listeners.protocol", "error"),
        ("listeners.connection_limit", "warning"),
    }
    messages = " | ".join(m for _f, _s, m in changes)
    assert "lost listener http (HTTP:80)" in messages
    assert "protocol changed from HTTP to HTTPS" in messages
    # An unnamed listener on another port is no longer the one on port 80: lost.
    assert sum("lost listener" in m for _f, _s, m in changes) == 2


def test_pools_their_monitors_and_members() -> None:
    lbs = _target()
    first, second, third = (lb["pools"][0] for lb in lbs)
    first.update(lb_algorithm="LEAST_CONNECTIONS", session_persistence="SOURCE_IP")
    first["healthmonitor"].update(delay=30, url_path="/")
    second["healthmonitor"] = None
    second["members"] = []
    third["protocol"] = "TCP"
    third["members"][0]["weight"] = 0
    changes = _changes(lbs)
    assert sorted({(f, s) for f, s, _m in changes}) == [
        ("pools.healthmonitor", "error"),
        ("pools.healthmonitor.delay", "warning"),
        ("pools.healthmonitor.url_path", "warning"),
        ("pools.lb_algorithm", "warning"),
        ("pools.members", "error"),
        ("pools.members.weight", "warning"),
        ("pools.protocol", "error"),
        ("pools.session_persistence", "warning"),
    ]
    messages = " | ".join(m for _f, _s, m in changes)
    assert "lb algorithm changed from ROUND_ROBIN to LEAST_CONNECTIONS" in messages
    assert "lost its health monitor (HTTP every 5s)" in messages
    assert "lost member cw-web-01" in messages


def test_a_lost_pool_and_an_unnamed_member_moved_to_another_server() -> None:
    lbs = _target()
    lbs[0]["pools"] = []
    source_lbs = copy.deepcopy(list(CLEAN_SOURCE.collections["load_balancers"].items))
    for lb in (source_lbs[1], lbs[1]):
        lb["pools"][0]["members"][0]["name"] = ""
    source = _with(CLEAN_SOURCE, "load_balancers", source_lbs)
    other = next(
        s
        for s in CLEAN_TARGET.collections["servers"].items
        if s["project_id"] == lbs[1]["project_id"] and "-web-" not in s["name"]
    )
    lbs[1]["pools"][0]["members"][0].update(server_id=other["id"], address="10.0.0.99")
    changes = _changes(lbs, source)
    assert [(f, s) for f, s, _m in changes] == [("pools", "error"), ("pools.members", "error")]
    assert "lost pool web-pool" in changes[0][2]
    assert f"points at server {other['project']}/{other['name']}" in changes[1][2]


def test_a_lost_floating_ip_of_the_vip_through_the_floating_ip_matches() -> None:
    fips = CLEAN_SOURCE.collections["floating_ips"].items
    source_lbs = copy.deepcopy(list(CLEAN_SOURCE.collections["load_balancers"].items))
    source_lbs[0]["vip_floating_ips"] = [fips[0]["id"]]
    changes = _changes(_target(), _with(CLEAN_SOURCE, "load_balancers", source_lbs))
    ((field, severity, message),) = changes
    assert (field, severity) == ("vip_floating_ips", "error")
    assert "lost floating IP" in message and "of its VIP" in message


@pytest.mark.parametrize(
    ("field", "value"), [("provisioning_status", "ERROR"), ("operating_status", "ERROR")]
)
def test_a_load_balancer_in_error_is_an_error(field: str, value: str) -> None:
    lbs = _target()
    lbs[0][field] = value
    ((changed, severity, message),) = _changes(lbs)
    assert (changed, severity) == (field, "error")
    assert "went into status ERROR" in message
