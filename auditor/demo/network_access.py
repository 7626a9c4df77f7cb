"""The ports and network RBAC family of the example clouds: how servers are wired, and
which tenants may use another's network.

Every server has one port on its tenant's network, with its address, a MAC
of its own, its security groups; the ``db`` servers hold a keepalived VIP as
an allowed address pair. Every router has an interface port on each of its
subnets and every DHCP-enabled subnet a DHCP port: Neutron's own ports, which
the diff leaves out. Some tenants share their network with the next tenant
(an ``access_as_shared`` grant), and the provider network ``public`` is
external to every project (the grant Neutron makes with an external network).

The migration re-created the ports with their addresses and MACs (new ids,
on the networks' and servers' counterparts), and the grants between the
renamed projects; Neutron's own ports got new ids and MACs.
"""

from __future__ import annotations

import itertools
import random
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from auditor.demo.base import NAMESPACE, ExampleCloud

JSON = dict[str, Any]

COLLECTIONS = ("ports", "rbac_policies")
"""The collections whose demo rows this family adds."""

DEFECTS = (
    "the port of ocb-globex/ocb-db-01 was re-created with a new MAC address",
    "network monarch-net of ocb-monarch is no longer shared with ocb-oscorp",
)
"""What :func:`seed_defects` breaks in the target, one per collection."""

VIP = "10.0.254.10"
"""The keepalived address the ``db`` servers of a tenant share (an allowed address pair)."""
DHCP_ADDRESS = "10.0.255.253"
SHARING = 2
"""Tenants whose position is this modulo 5 share their network with the next tenant."""


def _id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def _mac(*parts: object) -> str:
    """A MAC of Neutron's default prefix (fa:16:3e), deterministic."""
    tail = uuid.uuid5(NAMESPACE, "mac/" + "/".join(str(p) for p in parts)).bytes[:3]
    return "fa:16:3e:" + ":".join(f"{b:02x}" for b in tail)


def _owned(item: Mapping[str, Any]) -> JSON:
    return {"project": item["project"], "project_id": item["project_id"], "domain": item["domain"]}


def _named(items: Iterable[JSON], project: str, name: str) -> JSON:
    return next(i for i in items if i.get("project") == project and i.get("name") == name)


def _port(port_id: str, network: JSON, **fields: Any) -> JSON:
    port: JSON = {
        "id": port_id,
        "name": "",
        **_owned(network),
        "network": network["name"],
        "network_id": network["id"],
        "fixed_ips": [],
        "subnets": [],
        "mac_address": _mac(port_id),
        "allowed_address_pairs": [],
        "port_security_enabled": True,
        "security_groups": [],
        "device_owner": "",
        "device_id": "",
        "server_id": None,
        "status": "ACTIVE",
        "admin_state_up": True,
    }
    port.update(fields)
    return port


def _network_ports(cloud: ExampleCloud) -> list[JSON]:
    """Neutron's own ports: router interfaces (the routers' as they are) and DHCP."""
    extra = cloud.extra
    networks = {str(n["id"]): n for n in extra["networks"]}
    subnets = {str(s["id"]): s for s in extra["subnets"]}
    ports = []
    for router in extra["routers"]:
        for subnet_id in router["interfaces"]:
            subnet = subnets[str(subnet_id)]
            port_id = _id(cloud.name, "port", "router", router["id"], subnet_id)
            ports.append(
                _port(
                    port_id,
                    networks[str(subnet["network_id"])],
                    fixed_ips=[subnet["gateway_ip"]],
                    subnets=[subnet_id],
                    device_owner="network:router_interface",
                    device_id=router["id"],
                    infrastructure="network:router_interface",
                )
            )
    for subnet in extra["subnets"]:
        if not subnet["enable_dhcp"] or subnet["ip_version"] != 4:
            continue
        network = networks[str(subnet["network_id"])]
        ports.append(
            _port(
                _id(cloud.name, "port", "dhcp", subnet["id"]),
                network,
                fixed_ips=[DHCP_ADDRESS],
                subnets=[subnet["id"]],
                device_owner="network:dhcp",
                device_id=f"dhcp{_id(cloud.name, 'dhcp-host').replace('-', '')}-{network['id']}",
                infrastructure="network:dhcp",
            )
        )
    return ports


def _server_ports(cloud: ExampleCloud, port_id: Any, mac: Any) -> list[JSON]:
    """A port per server on its tenant's network; ``port_id(server)``, ``mac(server)``."""
    extra = cloud.extra
    ports = []
    for server in cloud.servers:
        (network_name, addresses), *_ = server["addresses"].items()
        network = _named(extra["networks"], server["project"], network_name)
        subnet = next(
            s for s in extra["subnets"] if s["network_id"] == network["id"] and s["ip_version"] == 4
        )
        groups = sorted(
            _named(extra["security_groups"], server["project"], name)["id"]
            for name in server["security_groups"]
        )
        role = server["metadata"].get("role")
        ports.append(
            _port(
                port_id(server),
                network,
                fixed_ips=sorted(addresses),
                subnets=[subnet["id"]],
                mac_address=mac(server),
                allowed_address_pairs=(
                    [{"ip_address": VIP, "mac_address": None}] if role == "db" else []
                ),
                security_groups=groups,
                device_owner=f"compute:{server['availability_zone']}",
                device_id=server["id"],
                server_id=server["id"],
                status="ACTIVE" if server["status"] == "ACTIVE" else "DOWN",
            )
        )
    return ports


def _grant(cloud: ExampleCloud, network: JSON, target: JSON | None, action: str) -> JSON:
    whom = target["name"] if target is not None else "*"
    verb = "shared with" if action == "access_as_shared" else "external to"
    return {
        "id": _id(cloud.name, "rbac", network["id"], action, whom),
        "name": f"{network['name']} {verb} {whom if target is not None else 'every project'}",
        **_owned(network),
        "object_type": "network",
        "object_id": network["id"],
        "network": network["name"],
        "action": action,
        "target_project_id": target["id"] if target is not None else "*",
        "target_project": whom,
        "target_domain": target["domain"] if target is not None else None,
    }


def _grants(cloud: ExampleCloud) -> list[JSON]:
    """``public`` external to every project; some tenants' networks shared with the next."""
    extra = cloud.extra
    public = next(n for n in extra["networks"] if n["external"])
    grants = [_grant(cloud, public, None, "access_as_external")]
    tenants = [p for p in cloud.projects if p["domain"] in ("cloudwatt", "ocb-cloudwatt")]
    for n, (owner, grantee) in enumerate(itertools.pairwise(tenants)):
        if n % 5 != SHARING:
            continue
        network = next(
            x for x in extra["networks"] if x["project_id"] == owner["id"] and not x["external"]
        )
        grants.append(_grant(cloud, network, grantee, "access_as_shared"))
    return grants


def add_source(cloud: ExampleCloud, rng: random.Random) -> None:
    """The legacy cloud's ports and grants."""
    del rng
    ports = _server_ports(
        cloud,
        # The id the network family's floating IPs point to.
        lambda server: _id("cloudwatt", "port", server["id"]),
        lambda server: _mac("cloudwatt", server["id"]),
    )
    cloud.extra.update(ports=ports + _network_ports(cloud), rbac_policies=_grants(cloud))


def add_target(source: ExampleCloud, target: ExampleCloud, rng: random.Random) -> None:
    """The same re-created: new ids, on the counterparts, the servers' addresses (the
    migration kept them) and the source's MACs."""
    del rng
    originals = {str(v): str(k) for k, v in target.counterparts.items()}
    ports = _server_ports(
        target,
        lambda server: _id("ocb", "port", server["id"]),
        lambda server: _mac("cloudwatt", originals[str(server["id"])]),
    )
    target.extra.update(ports=ports + _network_ports(target), rbac_policies=_grants(target))


def seed_defects(target: ExampleCloud) -> None:
    """Break the target as :data:`DEFECTS` says."""
    extra = target.extra
    server = _named(target.servers, "ocb-globex", "ocb-db-01")
    port = next(p for p in extra["ports"] if p["server_id"] == server["id"])
    port["mac_address"] = _mac("ocb", "re-created", server["id"])
    network = _named(extra["networks"], "ocb-monarch", "monarch-net")
    extra["rbac_policies"] = [
        g
        for g in extra["rbac_policies"]
        if not (g["object_id"] == network["id"] and g["target_project"] == "ocb-oscorp")
    ]
    # Ports follow the other families' defects: a server never migrated has no port
    # (its source port is reported missing with it), a router that lost an interface
    # lost its port.
    migrated = {str(s["id"]) for s in target.servers}
    servers = [
        p for p in extra["ports"] if "infrastructure" not in p and str(p["server_id"]) in migrated
    ]
    extra["ports"] = servers + _network_ports(target)
