"""Networks, subnets, routers, security groups and floating IPs from Neutron.

Payloads are shaped like the networking API reference (ML2/OVN with the
usual extensions); the records the auditor must make of them are written out
by hand.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests import payloads as p
from tests.fakecloud import FakeCloud
from tests.harness import Inventory

NETWORK = ("networks", "subnets", "routers", "security_groups", "floating_ips")
OWNED_BY_ACME = {"project": "cw-acme", "project_id": "p-acme", "domain": "cloudwatt"}


@pytest.fixture
def neutron(cloud: FakeCloud) -> FakeCloud:
    """The example cloud with a tenant network behind a router, a public network,
    two security groups and two floating IPs."""
    cloud.networks = [
        p.network("n-private", "cw-net", "p-acme", subnets=["sub-v4", "sub-v6"]),
        p.network("n-public", "public", "p-admin", subnets=["sub-ext"], external=True, mtu=1500),
    ]
    cloud.subnets = [
        p.subnet(
            "sub-v4",
            "cw-subnet",
            "p-acme",
            "n-private",
            "10.0.0.0/24",
            gateway_ip="10.0.0.1",
            dns_nameservers=["9.9.9.9", "1.1.1.1"],
            host_routes=[
                {"destination": "192.168.0.0/16", "nexthop": "10.0.0.254"},
                {"destination": "172.16.0.0/12", "nexthop": "10.0.0.254"},
            ],
        ),
        p.subnet("sub-v6", "", "p-acme", "n-private", "2001:db8::/64", enable_dhcp=False),
        p.subnet("sub-ext", "public-v4", "p-admin", "n-public", "203.0.113.0/24"),
    ]
    cloud.ports = [
        p.port(
            "port-s1",
            "n-private",
            "p-acme",
            device_id="s-1",
            device_owner="compute:nova",
            fixed_ips=[("sub-v4", "10.0.0.5")],
        ),
        p.port(
            "port-r1",
            "n-private",
            "p-acme",
            device_id="r-1",
            device_owner="network:router_interface",
            fixed_ips=[("sub-v4", "10.0.0.1")],
        ),
        p.port(
            "port-r1-ha",
            "n-private",
            "p-acme",
            device_id="r-1",
            device_owner="network:ha_router_replicated_interface",
            fixed_ips=[("sub-v6", "2001:db8::1")],
        ),
        # The gateway port and the DHCP port are no interfaces.
        p.port(
            "port-r1-gw",
            "n-public",
            "",
            device_id="r-1",
            device_owner="network:router_gateway",
            fixed_ips=[("sub-ext", "203.0.113.2")],
        ),
        p.port(
            "port-dhcp",
            "n-private",
            "p-acme",
            device_id="dhcp-1",
            device_owner="network:dhcp",
            fixed_ips=[("sub-v4", "10.0.0.2")],
        ),
        p.port("port-lb", "n-private", "p-acme", device_id="lb-1", device_owner="Octavia"),
    ]
    cloud.routers = [
        p.router(
            "r-1",
            "cw-router",
            "p-acme",
            gateway_network="n-public",
            routes=[{"destination": "192.168.0.0/16", "nexthop": "10.0.0.254"}],
        ),
        p.router("r-2", "cw-isolated", "p-beta", gateway_network=None),
    ]
    cloud.security_groups = [
        p.security_group(
            "sg-web",
            "cw-web",
            "p-acme",
            [
                p.sg_rule("r-3", "sg-web", "p-acme", protocol="6", ports=(443, 443)),
                p.sg_rule(
                    "r-4",
                    "sg-web",
                    "p-acme",
                    protocol="tcp",
                    ports=(22, 22),
                    remote_ip_prefix="198.51.100.0/24",
                ),
                p.sg_rule(
                    "r-5",
                    "sg-web",
                    "p-acme",
                    protocol="tcp",
                    ports=(80, 80),
                    remote_ip_prefix="0.0.0.0/0",
                ),
                p.sg_rule(
                    "r-6",
                    "sg-web",
                    "p-acme",
                    ethertype="IPv6",
                    protocol="icmpv6",
                    remote_group_id="sg-default",
                ),
                p.sg_rule("r-7", "sg-web", "p-acme", "egress"),
            ],
            description="Web front ends",
        ),
        p.security_group(
            "sg-default",
            "default",
            "p-acme",
            [p.sg_rule("r-1", "sg-default", "p-acme", remote_group_id="sg-default")],
            description="Default security group",
        ),
    ]
    cloud.floating_ips = [
        p.floating_ip(
            "fip-1",
            "203.0.113.7",
            "p-acme",
            "n-public",
            port_id="port-s1",
            fixed_ip="10.0.0.5",
            device_id="s-1",
        ),
        p.floating_ip("fip-2", "203.0.113.9", "p-acme", "n-public"),
    ]
    return cloud


EXPECTED_NETWORKS = [
    {
        "id": "n-private",
        "name": "cw-net",
        **OWNED_BY_ACME,
        "status": "ACTIVE",
        "admin_state_up": True,
        "shared": False,
        "external": False,
        "mtu": 1450,
        # An unnamed subnet is called by its CIDR.
        "subnets": ["2001:db8::/64", "cw-subnet"],
    },
    {
        "id": "n-public",
        "name": "public",
        # The admin project is not in the example cloud's project listing.
        "project": None,
        "project_id": "p-admin",
        "domain": None,
        "status": "ACTIVE",
        "admin_state_up": True,
        "shared": False,
        "external": True,
        "mtu": 1500,
        "subnets": ["public-v4"],
    },
]

EXPECTED_SUBNETS = [
    {
        "id": "sub-ext",
        "name": "public-v4",
        "project": None,
        "project_id": "p-admin",
        "domain": None,
        "network": "public",
        "network_id": "n-public",
        "cidr": "203.0.113.0/24",
        "ip_version": 4,
        "gateway_ip": None,
        "enable_dhcp": True,
        "dns_nameservers": [],
        "host_routes": [],
    },
    {
        "id": "sub-v4",
        "name": "cw-subnet",
        **OWNED_BY_ACME,
        "network": "cw-net",
        "network_id": "n-private",
        "cidr": "10.0.0.0/24",
        "ip_version": 4,
        "gateway_ip": "10.0.0.1",
        "enable_dhcp": True,
        "dns_nameservers": ["1.1.1.1", "9.9.9.9"],
        "host_routes": [
            {"destination": "172.16.0.0/12", "nexthop": "10.0.0.254"},
            {"destination": "192.168.0.0/16", "nexthop": "10.0.0.254"},
        ],
    },
    {
        "id": "sub-v6",
        "name": "",
        **OWNED_BY_ACME,
        "network": "cw-net",
        "network_id": "n-private",
        "cidr": "2001:db8::/64",
        "ip_version": 6,
        "gateway_ip": None,
        "enable_dhcp": False,
        "dns_nameservers": [],
        "host_routes": [],
    },
]

EXPECTED_ROUTERS = [
    {
        "id": "r-1",
        "name": "cw-router",
        **OWNED_BY_ACME,
        "status": "ACTIVE",
        "admin_state_up": True,
        "external_network": "public",
        "enable_snat": True,
        "interfaces": ["sub-v4", "sub-v6"],
        "routes": [{"destination": "192.168.0.0/16", "nexthop": "10.0.0.254"}],
    },
    {
        "id": "r-2",
        "name": "cw-isolated",
        "project": "cw-beta",
        "project_id": "p-beta",
        "domain": "cloudwatt",
        "status": "ACTIVE",
        "admin_state_up": True,
        "external_network": None,
        "enable_snat": None,
        "interfaces": [],
        "routes": [],
    },
]


def rule(direction: str = "ingress", **values: Any) -> dict[str, Any]:
    base = {
        "direction": direction,
        "ethertype": "IPv4",
        "protocol": None,
        "port_range_min": None,
        "port_range_max": None,
        "remote_ip_prefix": None,
        "remote_group": None,
    }
    return {**base, **values}


EXPECTED_SECURITY_GROUPS = [
    {
        "id": "sg-default",
        "name": "default",
        **OWNED_BY_ACME,
        "description": "Default security group",
        "rules": [rule(remote_group="default")],
    },
    {
        "id": "sg-web",
        "name": "cw-web",
        **OWNED_BY_ACME,
        "description": "Web front ends",
        # Sorted (ports in numeric order); protocol 6 is tcp, icmpv6 is ipv6-icmp,
        # 0.0.0.0/0 is no prefix.
        "rules": [
            rule("egress"),
            rule(ethertype="IPv4", protocol="tcp", port_range_min=22, port_range_max=22,
                 remote_ip_prefix="198.51.100.0/24"),
            rule(protocol="tcp", port_range_min=80, port_range_max=80),
            rule(protocol="tcp", port_range_min=443, port_range_max=443),
            rule(ethertype="IPv6", protocol="ipv6-icmp", remote_group="default"),
        ],
    },
]  # fmt: skip

EXPECTED_FLOATING_IPS = [
    {
        "id": "fip-1",
        "name": "203.0.113.7",
        **OWNED_BY_ACME,
        "floating_network": "public",
        "fixed_ip": "10.0.0.5",
        "port_id": "port-s1",
        "server_id": "s-1",
        "status": "ACTIVE",
        "description": "",
    },
    {
        "id": "fip-2",
        "name": "203.0.113.9",
        **OWNED_BY_ACME,
        "floating_network": "public",
        "fixed_ip": None,
        "port_id": None,
        "server_id": None,
        "status": "DOWN",
        "description": "",
    },
]


def test_each_collection_is_normalised(neutron: FakeCloud, inventory: Inventory) -> None:
    snapshot = inventory(list(NETWORK))

    got = {name: snapshot.collections[name] for name in NETWORK}
    assert {name: c.status.value for name, c in got.items()} == dict.fromkeys(NETWORK, "ok")
    assert list(got["networks"].items) == EXPECTED_NETWORKS
    assert list(got["subnets"].items) == EXPECTED_SUBNETS
    assert list(got["routers"].items) == EXPECTED_ROUTERS
    assert list(got["security_groups"].items) == EXPECTED_SECURITY_GROUPS
    assert list(got["floating_ips"].items) == EXPECTED_FLOATING_IPS


def test_one_request_per_listing_all_projects_without_filters(
    neutron: FakeCloud, inventory: Inventory
) -> None:
    inventory(list(NETWORK))

    for path in ("/networks", "/subnets", "/ports", "/routers", "/security-groups", "/floatingips"):
        sent = neutron.requests_to(path)
        assert len(sent) == 1, path
        query = parse_qs(urlsplit(str(sent[0].url)).query)
        # Admins see every project without all_tenants; no project filter either
        # (on security groups it would create the default group of that project).
        assert "all_tenants" not in query and "tenant_id" not in query, path
        assert "project_id" not in query, path
        assert query["limit"] == ["1000"], path


def test_security_groups_are_listed_only_when_asked_for(
    neutron: FakeCloud, inventory: Inventory
) -> None:
    inventory(["networks", "subnets", "routers", "floating_ips"])

    assert neutron.requests_to("/security-groups") == []


def test_the_ports_lookup_asks_only_the_fields_it_reads(
    neutron: FakeCloud, inventory: Inventory
) -> None:
    neutron.neutron_max_limit = 2

    snapshot = inventory(["routers", "floating_ips"])

    sent = neutron.requests_to("/ports")
    assert len(sent) == 4  # 6 ports by 2, and the empty page after the last full one
    for request in sent:
        query = parse_qs(urlsplit(str(request.url)).query)
        # What the ports collection reads: the lookup shares its walk.
        assert set(query["fields"]) == set(p.PORT_FIELDS)
    assert list(snapshot.collections["routers"].items) == EXPECTED_ROUTERS


@pytest.mark.parametrize(("count", "requests"), [(3, 2), (4, 3), (5, 3)])
def test_pages_are_walked_to_the_end_without_loss_or_duplicate(
    neutron: FakeCloud, inventory: Inventory, count: int, requests: int
) -> None:
    neutron.neutron_max_limit = 2
    neutron.networks = [p.network(f"n-{i:02d}", f"net-{i}", "p-acme") for i in range(count)]

    networks = inventory(["networks"]).collections["networks"]

    assert [n["id"] for n in networks.items] == [f"n-{i:02d}" for i in range(count)]
    sent = neutron.requests_to("/networks")
    assert len(sent) == requests
    assert [parse_qs(urlsplit(str(r.url)).query).get("marker") for r in sent][1:] == [
        [f"n-{i:02d}"] for i in range(1, count, 2)
    ][: requests - 1]


def test_without_api_pagination_everything_comes_in_one_answer(
    neutron: FakeCloud, inventory: Inventory
) -> None:
    neutron.neutron_pagination = False
    neutron.floating_ips = [
        p.floating_ip(f"fip-{i:04d}", f"203.0.{i // 250}.{i % 250}", "p-acme", "n-public")
        for i in range(1500)
    ]

    fips = inventory(["floating_ips"]).collections["floating_ips"]

    assert fips.status.value == "ok"
    assert len(fips.items) == 1500
    assert len(neutron.requests_to("/floatingips")) == 1


def test_a_floating_ip_without_port_details_finds_its_server_through_the_ports(
    neutron: FakeCloud, inventory: Inventory
) -> None:
    # Before Rocky (no fip-port-details) a floating IP says only its port.
    neutron.floating_ips = [
        p.floating_ip(
            "fip-1",
            "203.0.113.7",
            "p-acme",
            "n-public",
            port_id="port-s1",
            fixed_ip="10.0.0.5",
            port_details=False,
        ),
        # Pointing to a load balancer's port: a port, but no server.
        p.floating_ip(
            "fip-3", "203.0.113.8", "p-acme", "n-public", port_id="port-lb", port_details=False
        ),
    ]

    fips = inventory(["floating_ips"]).collections["floating_ips"]

    assert [(f["id"], f["port_id"], f["server_id"]) for f in fips.items] == [
        ("fip-1", "port-s1", "s-1"),
        ("fip-3", "port-lb", None),
    ]


def test_a_failed_ports_lookup_fails_routers_and_floating_ips_only(
    neutron: FakeCloud, inventory: Inventory
) -> None:
    error = neutron.reply({"NeutronError": {"type": "HTTPForbidden", "message": "no"}}, 403)
    neutron.overrides["/ports"] = lambda _request: error

    snapshot = inventory(list(NETWORK))

    status = {name: snapshot.collections[name].status.value for name in NETWORK}
    assert status == {
        "networks": "ok",
        "subnets": "ok",
        "routers": "error",
        "security_groups": "ok",
        "floating_ips": "error",
    }
    assert "network ports" in (snapshot.collections["routers"].error or "")
    assert snapshot.collections["routers"].items == ()


def test_a_neutron_503_is_retried(neutron: FakeCloud, inventory: Inventory) -> None:
    from auditor.collect.pager import RetryPolicy

    neutron.answer_first("/subnets", neutron.reply({}, 503))

    snapshot = inventory(["subnets"], policy=RetryPolicy(initial_wait=0.0, max_wait=0.0))

    assert list(snapshot.collections["subnets"].items) == EXPECTED_SUBNETS
    assert len(neutron.requests_to("/subnets")) == 2


def test_a_vanished_marker_restarts_the_listing(neutron: FakeCloud, inventory: Inventory) -> None:
    neutron.neutron_max_limit = 1
    first_page = neutron._defaults["/routers"]
    calls = {"n": 0}

    def vanish_once(request: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            return neutron.reply({"NeutronError": {"type": "HTTPNotFound"}}, 404)
        return first_page(request)

    neutron.overrides["/routers"] = vanish_once

    routers = inventory(["routers"]).collections["routers"]

    assert list(routers.items) == EXPECTED_ROUTERS
