"""Ports, network RBAC policies, address scopes and subnet pools against the real Neutron.

The server ports, router interfaces, floating IPs and RBAC grants of
realnet.py's seeding, inventoried as users run the auditor (Neutron pages two
items at a time): the auditor's listing must be every port and grant Neutron
has, with the seeded values; and the sandbox, serving that inventory, must
answer the same ports and grants as the real Neutron did.
"""

from __future__ import annotations

from typing import Any

import pytest
from realcloud import RealCloud
from realnet import ADDRESS_PAIRS, ADDRESS_SPACES, Rest
from seedplan import EXTERNAL_NETWORK, NETWORK_GRANTS, SERVERS
from test_real_fidelity import _admin_password, inventory, items

from auditor.app.files import read_snapshot
from auditor.catalog.network import PORT_FIELDS
from auditor.sandbox import Sandbox

pytestmark = pytest.mark.integration

JSON = dict[str, Any]

COLLECTIONS = (
    "projects,servers,networks,subnets,security_groups,ports,rbac_policies,"
    "address_scopes,subnet_pools"
)
INFRASTRUCTURE = {"network:router_interface", "network:router_gateway", "network:floatingip"}
"""Neutron's own ports here: routers' interfaces and gateways, floating IPs (no DHCP
agent runs, so there is no DHCP port)."""


@pytest.fixture(scope="module")
def listed(real_cloud: RealCloud, tmp_path_factory: pytest.TempPathFactory) -> JSON:
    """One inventory of the network side, with the services' access logs of it and the
    snapshot file it wrote."""
    tmp = tmp_path_factory.mktemp("ports")
    marks = real_cloud.access_log_marks()
    proc, doc = inventory(real_cloud, tmp, real_cloud.cloud, COLLECTIONS)
    assert proc.returncode == 0, proc.stderr
    doc["@requests"] = real_cloud.requests_since(marks)
    doc["@file"] = str(tmp / f"{real_cloud.cloud}.json")
    return doc


def walk(rest: Rest, url: str, key: str) -> list[JSON]:
    """Every item of a Neutron listing, its next links followed (as an admin)."""
    out: list[JSON] = []
    while url:
        body = rest.call("GET", url)
        out.extend(body[key])
        url = next(
            (link["href"] for link in body.get(f"{key}_links", []) if link["rel"] == "next"), ""
        )
    return out


@pytest.fixture(scope="module")
def neutron(real_cloud: RealCloud, listed: JSON) -> dict[str, list[JSON]]:
    """The real Neutron's raw ports and RBAC policies, read after the inventory."""
    rest = Rest(real_cloud.urls["keystone"], _admin_password(real_cloud))
    v2 = f"{real_cloud.urls['neutron']}/v2.0"
    return {
        "ports": walk(rest, f"{v2}/ports", "ports"),
        # Shared address scopes are granted to "*" by RBAC too: not network grants.
        "rbac_policies": walk(rest, f"{v2}/rbac-policies?object_type=network", "rbac_policies"),
        "address_scopes": walk(rest, f"{v2}/address-scopes", "address_scopes"),
        "subnet_pools": walk(rest, f"{v2}/subnetpools", "subnetpools"),
    }


def test_the_ports_are_every_port_neutron_has_with_the_seeded_values(
    listed: JSON, neutron: dict[str, list[JSON]], real_cloud: RealCloud
) -> None:
    ports = {p["id"]: p for p in items(listed, "ports")}
    extra = [(p["device_owner"], p["device_id"]) for p in neutron["ports"] if p["id"] not in ports]
    assert sorted(ports) == sorted(p["id"] for p in neutron["ports"]), extra
    raw = {p["id"]: p for p in neutron["ports"]}
    seeded = real_cloud.network
    servers = 0
    for plan in SERVERS:
        for net in plan.networks:
            port = ports[seeded["ports"][f"{plan.name}/{net.name}"]]
            servers += 1
            versions = {4 if ":" not in a else 6 for a in net.fixed}
            groups = [
                seeded["security_groups"][f"{plan.project}/{g}"] for g in plan.security_groups
            ]
            assert {
                k: port[k]
                for k in (
                    "project_id",
                    "network",
                    "fixed_ips",
                    "subnets",
                    "server_id",
                    "device_owner",
                    "mac_address",
                    "security_groups",
                    "port_security_enabled",
                    "status",
                )
            } == {
                "project_id": real_cloud.project_ids[plan.project],
                "network": net.name,
                "fixed_ips": sorted(net.fixed),
                "subnets": sorted(seeded["subnets"][f"{net.name}-v{v}"] for v in versions),
                "server_id": real_cloud.server_ids[plan.name],
                "device_owner": "compute:nova",
                "mac_address": raw[port["id"]]["mac_address"],
                "security_groups": sorted(groups),
                "port_security_enabled": True,
                "status": "DOWN",  # no agent binds it
            }, plan.name
            assert "infrastructure" not in port
    pairs = ports[seeded["ports"]["cw-web-1/cw-acme-net"]]["allowed_address_pairs"]
    seeded_pairs = ADDRESS_PAIRS["cw-web-1/cw-acme-net"]
    assert pairs == [
        {"ip_address": p["ip_address"], "mac_address": p.get("mac_address")} for p in seeded_pairs
    ]
    others = [p for p in ports.values() if not p["server_id"]]
    assert len(ports) == servers + len(others)
    assert {p["infrastructure"] for p in others} == INFRASTRUCTURE
    assert all(p["infrastructure"] == p["device_owner"] for p in others)


def test_the_rbac_policies_are_the_seeded_grants_and_neutrons_own(
    listed: JSON, neutron: dict[str, list[JSON]], real_cloud: RealCloud
) -> None:
    grants = items(listed, "rbac_policies")
    assert sorted(g["id"] for g in grants) == sorted(g["id"] for g in neutron["rbac_policies"])
    got = {(g["project"], g["network"], g["action"], g["target_project"]) for g in grants}
    # Making a network external made Neutron grant it to every project.
    assert got == {
        ("admin", EXTERNAL_NETWORK, "access_as_external", "*"),
        *(
            (
                next(p.project for p in SERVERS for n in p.networks if n.name == network),
                network,
                "access_as_shared",
                grantee,
            )
            for network, grantee in NETWORK_GRANTS.items()
        ),
    }
    assert {g["object_type"] for g in grants} == {"network"}


def test_ports_were_paged_and_rbac_policies_asked_once(listed: JSON) -> None:
    # The auditor's own (Nova asks Neutron for the servers' ports too).
    requests = [
        r for s, r in listed["@requests"] if s == "neutron" and "auditor" in r["user_agent"]
    ]
    ports = [r for r in requests if r["path"] == "/v2.0/ports"]
    count = len(items(listed, "ports"))
    assert count > 2
    assert len(ports) >= count // 2
    assert sum(1 for r in ports if "marker=" in r["query"]) >= count // 2 - 1
    assert all("fields=mac_address" in r["query"] for r in ports), [r["query"] for r in ports]
    # Neutron does not page RBAC policies (its controller has allow_pagination=False):
    # one answer held all three, although pagination_max_limit is 2.
    (rbac,) = [r for r in requests if r["path"] == "/v2.0/rbac-policies"]
    assert "limit=" not in rbac["query"] and "object_type=network" in rbac["query"]
    assert len(items(listed, "rbac_policies")) > 2
    assert all(r["status"] == 200 for r in [*ports, rbac])


def test_the_sandbox_serves_the_inventory_as_the_real_neutron_answered(
    listed: JSON, neutron: dict[str, list[JSON]], real_cloud: RealCloud
) -> None:
    snapshot = read_snapshot(listed["@file"])
    with Sandbox([snapshot]) as sandbox:
        site = sandbox.site(snapshot.cloud)
        # The sandbox's admin is "admin" of project "admin", as the real cloud's.
        rest = Rest(f"{site.url}/identity", site.credentials.password)
        v2 = f"{site.url}/network/v2.0"
        served = {
            "ports": walk(rest, f"{v2}/ports", "ports"),
            "rbac_policies": rest.call("GET", f"{v2}/rbac-policies"),
            "address_scopes": walk(rest, f"{v2}/address-scopes", "address_scopes"),
            "subnet_pools": walk(rest, f"{v2}/subnetpools", "subnetpools"),
        }
    real_ports = {p["id"]: p for p in neutron["ports"]}
    assert sorted(p["id"] for p in served["ports"]) == sorted(real_ports)

    def same(port: JSON) -> JSON:
        out = {k: port.get(k) for k in PORT_FIELDS}
        out["fixed_ips"] = sorted(port["fixed_ips"], key=lambda f: f["ip_address"])
        out["allowed_address_pairs"] = sorted(
            port["allowed_address_pairs"], key=lambda f: f["ip_address"]
        )
        out["security_groups"] = sorted(port["security_groups"])
        return out

    for port in served["ports"]:
        real = real_ports[port["id"]]
        assert same(port) == same(real), port["device_owner"]
        assert set(port) <= set(real), sorted(set(port) - set(real))
    assert sorted(served["rbac_policies"]["rbac_policies"], key=lambda g: g["id"]) == sorted(
        neutron["rbac_policies"], key=lambda g: g["id"]
    )

    # Address scopes and subnet pools: every field the catalog reads is the real one's.
    for name, reads in (
        ("address_scopes", ("id", "name", "tenant_id", "project_id", "ip_version", "shared")),
        (
            "subnet_pools",
            (
                "id",
                "name",
                "tenant_id",
                "project_id",
                "ip_version",
                "prefixes",
                "default_prefixlen",
                "min_prefixlen",
                "max_prefixlen",
                "default_quota",
                "is_default",
                "shared",
                "address_scope_id",
                "description",
            ),
        ),
    ):
        real = {i["id"]: i for i in neutron[name]}
        assert sorted(real) == sorted(i["id"] for i in served[name]), name
        for item in served[name]:
            assert {k: item.get(k) for k in reads} == {k: real[item["id"]].get(k) for k in reads}
            assert set(item) <= set(real[item["id"]]), sorted(set(item) - set(real[item["id"]]))


def test_address_scopes_and_subnet_pools_are_the_seeded_ones(
    listed: JSON, neutron: dict[str, list[JSON]], real_cloud: RealCloud
) -> None:
    seeded = real_cloud.network
    scopes = {s["name"]: s for s in items(listed, "address_scopes")}
    pools = {p["name"]: p for p in items(listed, "subnet_pools")}
    assert sorted(s["id"] for s in scopes.values()) == sorted(
        s["id"] for s in neutron["address_scopes"]
    )
    assert sorted(p["id"] for p in pools.values()) == sorted(
        p["id"] for p in neutron["subnet_pools"]
    )
    for name, (owner, prefix, shared) in ADDRESS_SPACES.items():
        scope = scopes[name]
        assert (scope["id"], scope["project_id"], scope["ip_version"], scope["shared"]) == (
            seeded["address_scopes"][name],
            real_cloud.project_ids[owner],
            4,
            shared,
        )
        pool = pools[f"{name}-pool"]
        assert (
            pool["id"],
            pool["prefixes"],
            pool["default_prefixlen"],
            pool["address_scope_id"],
        ) == (
            seeded["subnet_pools"][f"{name}-pool"],
            [prefix],
            24,
            scope["id"],
        )
    # Three of each, two a page: both listings were walked with Neutron's markers.
    requests = [
        r for s, r in listed["@requests"] if s == "neutron" and "auditor" in r["user_agent"]
    ]
    for path in ("/v2.0/address-scopes", "/v2.0/subnetpools"):
        sent = [r for r in requests if r["path"] == path]
        assert len(sent) >= 2 and any("marker=" in r["query"] for r in sent), path
