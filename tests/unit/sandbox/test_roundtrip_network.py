"""Round trip of the network family: serving a snapshot's networks, subnets, routers,
security groups and floating IPs and inventorying them over HTTP gives them back.

The sandbox answers as Neutron does (subnet ids on networks, the gateway's
network by id, rules' remote groups by id, ``port_details`` on floating IPs,
router-interface ports), and the collectors must turn that back into the
snapshot's records, at the services' page size and with pages of two items.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from auditor.model import CollectionResult, Snapshot, Status
from auditor.sandbox import Sandbox, SandboxOptions
from tests.payloads import PORT_FIELDS
from tests.synthetic import synthetic_snapshot
from tests.unit.sandbox.test_roundtrip import inventory

JSON = dict[str, Any]

MINE = ("networks", "subnets", "routers", "security_groups", "floating_ips")


def _owned(project: JSON | None) -> JSON:
    if project is None:
        return {"project": None, "project_id": None, "domain": None}
    return {"project": project["name"], "project_id": project["id"], "domain": project["domain"]}


def _rule(direction: str = "ingress", **values: Any) -> JSON:
    return {
        "direction": direction,
        "ethertype": "IPv4",
        "protocol": None,
        "port_range_min": None,
        "port_range_max": None,
        "remote_ip_prefix": None,
        "remote_group": None,
        **values,
    }


def _network(base: Snapshot) -> dict[str, list[JSON]]:
    projects = sorted(base.collections["projects"].items, key=lambda p: str(p["id"]))
    a, b = projects[0], projects[1]
    servers = [s for s in base.collections["servers"].items if not s.get("partial")]
    on_a = next(s for s in servers if s["project_id"] == a["id"])
    networks = [
        {
            "id": "n-app",
            "name": "app-net",
            **_owned(a),
            "status": "ACTIVE",
            "admin_state_up": True,
            "shared": False,
            "external": False,
            "mtu": 1450,
            "subnets": ["2001:db8::/64", "app-subnet"],
        },
        {
            "id": "n-shared",
            "name": "shared-net",
            **_owned(b),
            "status": "DOWN",
            "admin_state_up": False,
            "shared": True,
            "external": False,
            "mtu": 9000,
            "subnets": [],
        },
        {
            "id": "n-public",
            "name": "public",
            # Owned by a project outside the snapshot (the admin project).
            **_owned(None),
            "project_id": "p-outside",
            "status": "ACTIVE",
            "admin_state_up": True,
            "shared": False,
            "external": True,
            "mtu": 1500,
            "subnets": ["public-v4"],
        },
    ]
    subnets = [
        {
            "id": "sub-app",
            "name": "app-subnet",
            **_owned(a),
            "network": "app-net",
            "network_id": "n-app",
            "cidr": "10.0.0.0/24",
            "ip_version": 4,
            "gateway_ip": "10.0.0.1",
            "enable_dhcp": True,
            "dns_nameservers": ["1.1.1.1", "9.9.9.9"],
            "host_routes": [{"destination": "192.168.0.0/16", "nexthop": "10.0.0.254"}],
        },
        {
            "id": "sub-v6",
            "name": "",
            **_owned(a),
            "network": "app-net",
            "network_id": "n-app",
            "cidr": "2001:db8::/64",
            "ip_version": 6,
            "gateway_ip": None,
            "enable_dhcp": False,
            "dns_nameservers": [],
            "host_routes": [],
        },
        {
            "id": "sub-public",
            "name": "public-v4",
            **_owned(None),
            "project_id": "p-outside",
            "network": "public",
            "network_id": "n-public",
            "cidr": "203.0.113.0/24",
            "ip_version": 4,
            "gateway_ip": "203.0.113.1",
            "enable_dhcp": False,
            "dns_nameservers": [],
            "host_routes": [],
        },
    ]
    routers = [
        {
            "id": "r-gw",
            "name": "router",
            **_owned(a),
            "status": "ACTIVE",
            "admin_state_up": True,
            "external_network": "public",
            "enable_snat": False,
            "interfaces": ["sub-app", "sub-v6"],
            "routes": [{"destination": "172.16.0.0/12", "nexthop": "10.0.0.254"}],
        },
        {
            "id": "r-isolated",
            "name": "isolated",
            **_owned(b),
            "status": "DOWN",
            "admin_state_up": False,
            "external_network": None,
            "enable_snat": None,
            "interfaces": [],
            "routes": [],
        },
    ]
    groups = [
        {
            "id": "sg-default-a",
            "name": "default",
            **_owned(a),
            "description": "Default security group",
            "rules": [
                _rule("egress"),
                _rule("egress", ethertype="IPv6"),
                _rule(remote_group="default"),
            ],
        },
        {
            "id": "sg-default-b",
            "name": "default",
            **_owned(b),
            "description": "Default security group",
            "rules": [_rule(remote_group="default")],
        },
        {
            "id": "sg-web",
            "name": "web",
            **_owned(a),
            "description": "Web front ends: ünicode",
            "rules": [
                _rule(protocol="tcp", port_range_min=22, port_range_max=22,
                      remote_ip_prefix="198.51.100.0/24"),
                _rule(protocol="tcp", port_range_min=443, port_range_max=443),
                _rule(protocol="udp", port_range_min=5000, port_range_max=5100,
                      remote_group="web"),
                _rule(protocol="ipv6-icmp", ethertype="IPv6"),
            ],
        },
    ]  # fmt: skip
    floating_ips = [
        {
            "id": "fip-server",
            "name": "203.0.113.7",
            **_owned(a),
            "floating_network": "public",
            "fixed_ip": "10.0.0.5",
            "port_id": "port-of-server",
            "server_id": on_a["id"],
            "status": "ACTIVE",
            "description": "web entry point",
        },
        {
            "id": "fip-lb",
            "name": "203.0.113.8",
            **_owned(a),
            "floating_network": "public",
            "fixed_ip": "10.0.0.20",
            "port_id": "port-of-lb",
            "server_id": None,
            "status": "ACTIVE",
            "description": "",
        },
        {
            "id": "fip-free",
            "name": "203.0.113.9",
            **_owned(b),
            "floating_network": "public",
            "fixed_ip": None,
            "port_id": None,
            "server_id": None,
            "status": "DOWN",
            "description": "",
        },
    ]
    return {
        "networks": networks,
        "subnets": subnets,
        "routers": routers,
        "security_groups": groups,
        "floating_ips": floating_ips,
    }


def network_snapshot() -> Snapshot:
    base = synthetic_snapshot("cw", "fr1", domains=2, projects=4, servers=6, volumes=0)
    extra = _network(base)
    collections = dict(base.collections)
    for name, items in extra.items():
        collections[name] = CollectionResult(
            Status.OK, tuple(sorted(items, key=lambda i: str(i["id"])))
        )
    return dataclasses.replace(base, collections=collections)


def network_inventory(sandbox: Sandbox, tmp_path: Path) -> tuple[int, Snapshot]:
    code, snapshot = inventory(sandbox, "cw", tmp_path, ("projects", *MINE))
    assert snapshot is not None
    return code, snapshot


@pytest.mark.parametrize("max_limit", [1000, 2])
def test_inventory_of_the_served_network_is_the_snapshot(max_limit: int, tmp_path: Path) -> None:
    snapshot = network_snapshot()
    with Sandbox([snapshot], options=SandboxOptions(max_limit=max_limit)) as sandbox:
        code, got = network_inventory(sandbox, tmp_path)
        log = sandbox.requests
        admin_project = sandbox.site("cw").credentials.project_id
        assert sandbox.errors == []

    assert code == 0
    # Listing security groups created the caller's default group, as Neutron does.
    groups = list(got.collections["security_groups"].items)
    (created,) = [g for g in groups if g["project_id"] == admin_project]
    assert (created["name"], created["description"]) == ("default", "Default security group")
    assert [(r["direction"], r["ethertype"], r["remote_group"]) for r in created["rules"]] == [
        ("egress", "IPv4", None),
        ("egress", "IPv6", None),
        ("ingress", "IPv4", "default"),
        ("ingress", "IPv6", "default"),
    ]
    groups.remove(created)
    assert groups == list(snapshot.collections["security_groups"].items)
    for name in MINE:
        if name == "security_groups":
            continue
        assert list(got.collections[name].items) == list(snapshot.collections[name].items), name
    assert [(r.method, r.path) for r in log if r.method != "GET"] == [
        ("POST", "/cw/identity/v3/auth/tokens")
    ]

    def listing(resource: str) -> list[Any]:
        # The listing's walk (the changes asked after it are another request).
        return [
            r
            for r in log
            if r.path == f"/cw/network/v2.0/{resource}" and "changed_since" not in r.query
        ]

    # One walk per listing, ports shared by routers and floating IPs; no project filter.
    for resource, items in (("networks", 3), ("subnets", 3), ("routers", 2), ("floatingips", 3)):
        pages = items // max_limit + 1
        assert len(listing(resource)) == pages, resource
    for request in listing("security-groups") + listing("ports"):
        query = parse_qs(request.query)
        assert "tenant_id" not in query and "project_id" not in query
    assert tuple(parse_qs(listing("ports")[0].query)["fields"]) == PORT_FIELDS


def test_networks_without_their_subnets_are_served_with_subnets_of_those_names(
    tmp_path: Path,
) -> None:
    full = network_snapshot()
    collections = {k: v for k, v in full.collections.items() if k != "subnets"}
    snapshot = dataclasses.replace(full, collections=collections)
    with Sandbox([snapshot]) as sandbox:
        code, got = network_inventory(sandbox, tmp_path)

    assert code == 0
    assert got.collections["networks"].items == full.collections["networks"].items


def test_a_snapshot_without_network_collections_is_still_served_from_its_servers(
    tmp_path: Path,
) -> None:
    base = synthetic_snapshot("cw", "fr1", domains=1, projects=2, servers=4, volumes=0)
    with Sandbox([base]) as sandbox:
        code, got = network_inventory(sandbox, tmp_path)

    assert code == 0
    networks = got.collections["networks"].items
    assert networks and {n["name"] for n in networks} == {
        net for s in base.collections["servers"].items for net in s.get("addresses") or {}
    }
    assert got.collections["routers"].items == ()
    assert got.collections["floating_ips"].items == ()
