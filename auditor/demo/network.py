"""The network family of the example clouds: networks, subnets, routers, security groups,
floating IPs.

Every tenant of the source has the network its servers' addresses name
(``<tenant>-net``) with an IPv4 subnet and an unnamed IPv6 one, a router
(``cw-<tenant>-router``) with a gateway on the provider network ``public``
and an interface on both subnets, a ``default`` security group and one per
server role (web, app, db, batch, cache) whose rules chain the tiers
(app from web, db from app), and a floating IP on each web server.

The target is the same after the rebranding: new ids, ``ocb-`` router
names, the same CIDRs and rules; the floating IPs moved to the target's
public range (matched through their servers), but for the tenants whose
addresses the migration carried over (:data:`KEPT_ADDRESSES`). The provider
networks belong to each cloud's admin project: the rules ignore them.
"""

from __future__ import annotations

import ipaddress
import random
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from auditor.demo.base import NAMESPACE, ROLES, ExampleCloud

JSON = dict[str, Any]

COLLECTIONS = ("networks", "subnets", "routers", "security_groups", "floating_ips")
"""The collections whose demo rows this family adds."""

DEFECTS = (
    "network vandelay-net of ocb-vandelay got MTU 1400 in the target (1450 in the source)",
    "subnet ocb-aperture/aperture-subnet lost DHCP",
    "router ocb-nakatomi/ocb-nakatomi-router lost its interface on the tenant's IPv6 subnet",
    "security group web of ocb-weyland lost its HTTPS rule",
    "floating IP of ocb-bluth/ocb-web-01, which kept its address, points to ocb-bluth/ocb-app-01",
)
"""What :func:`seed_defects` breaks in the target, one per collection."""

KEPT_ADDRESSES = ("bluth", "sterling")
"""Tenants whose floating IP addresses the migration carried over (a routed /28 each)."""

SOURCE_RANGE = ipaddress.IPv4Address("198.18.0.0")
TARGET_RANGE = ipaddress.IPv4Address("198.19.0.0")
"""First addresses of the two clouds' public ranges (198.18.0.0/15, for benchmarking)."""

TIERS: Mapping[str, tuple[tuple[str, int, str | None], ...]] = {
    # role -> (protocol, port, remote group) of its ingress rules, besides SSH
    "web": (("tcp", 80, None), ("tcp", 443, None)),
    "app": (("tcp", 8080, "web"),),
    "db": (("tcp", 5432, "app"),),
    "batch": (),
    "cache": (("tcp", 6379, "app"),),
}
BASTION = "198.51.100.0/24"
"""Where SSH comes from: the operator's bastion network."""


def _id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def _owned(project: Mapping[str, Any]) -> JSON:
    return {"project": project["name"], "project_id": project["id"], "domain": project["domain"]}


def _named(items: Iterable[JSON], project: str, name: str) -> JSON:
    return next(i for i in items if i.get("project") == project and i.get("name") == name)


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


def _rule_order(rule: Mapping[str, Any]) -> tuple[str, str, str, int, int, str, str]:
    """The order the collector sorts rules in (ports numerically)."""
    return (
        str(rule["direction"]),
        str(rule["ethertype"]),
        rule["protocol"] or "",
        rule["port_range_min"] if rule["port_range_min"] is not None else -1,
        rule["port_range_max"] if rule["port_range_max"] is not None else -1,
        rule["remote_ip_prefix"] or "",
        rule["remote_group"] or "",
    )


def _default_rules() -> list[JSON]:
    """Neutron's default group: all egress, ingress from the group itself."""
    rules = [
        _rule(
            direction,
            ethertype=ethertype,
            remote_group="default" if direction == "ingress" else None,
        )
        for direction in ("egress", "ingress")
        for ethertype in ("IPv4", "IPv6")
    ]
    return sorted(rules, key=_rule_order)


def _role_rules(role: str) -> list[JSON]:
    rules = [
        _rule("egress"),
        _rule("egress", ethertype="IPv6"),
        _rule(protocol="tcp", port_range_min=22, port_range_max=22, remote_ip_prefix=BASTION),
    ]
    for protocol, port, remote in TIERS[role]:
        rules.append(
            _rule(protocol=protocol, port_range_min=port, port_range_max=port, remote_group=remote)
        )
    return sorted(rules, key=_rule_order)


def _tenants(cloud: ExampleCloud) -> list[JSON]:
    return [p for p in cloud.projects if p["domain"] in ("cloudwatt", "ocb-cloudwatt")]


def _admin_default_group(cloud: ExampleCloud) -> JSON:
    """The admin project's ``default`` group: Neutron made it the first time the
    admin listed security groups (as the sandbox does when it is missing)."""
    admin = next(p for p in cloud.projects if p["name"] == "admin")
    return {
        "id": _id(cloud.name, "security-group", admin["id"], "default"),
        "name": "default",
        **_owned(admin),
        "description": "Default security group",
        "rules": _default_rules(),
    }


def _provider(cloud: ExampleCloud, name: str, cidr: str) -> tuple[JSON, JSON]:
    """The provider network ``public`` of the cloud's admin project, with its subnet."""
    admin = next(p for p in cloud.projects if p["name"] == "admin")
    network_id = _id(cloud.name, "network", "public")
    subnet_id = _id(cloud.name, "subnet", "public")
    network = {
        "id": network_id,
        "name": name,
        **_owned(admin),
        "status": "ACTIVE",
        "admin_state_up": True,
        "shared": False,
        "external": True,
        "mtu": 1500,
        "subnets": [f"{name}-v4"],
    }
    subnet = {
        "id": subnet_id,
        "name": f"{name}-v4",
        **_owned(admin),
        "network": name,
        "network_id": network_id,
        "cidr": cidr,
        "ip_version": 4,
        "gateway_ip": str(ipaddress.ip_network(cidr)[1]),
        "enable_dhcp": False,
        "dns_nameservers": [],
        "host_routes": [],
    }
    return network, subnet


# -- the clouds -------------------------------------------------------------------------------


def add_source(cloud: ExampleCloud, rng: random.Random) -> None:
    """The legacy cloud's network side."""
    del rng
    public, public_v4 = _provider(cloud, "public", "198.18.0.0/15")
    networks, subnets = [public], [public_v4]
    routers: list[JSON] = []
    groups: list[JSON] = [_admin_default_group(cloud)]
    fips: list[JSON] = []
    for n, project in enumerate(_tenants(cloud)):
        tenant = str(project["name"])[3:]
        owned = _owned(project)
        net_id = _id("cloudwatt", "network", project["id"])
        v4 = {
            "id": _id("cloudwatt", "subnet", project["id"], 4),
            "name": f"{tenant}-subnet",
            **owned,
            "network": f"{tenant}-net",
            "network_id": net_id,
            "cidr": "10.0.0.0/16",
            "ip_version": 4,
            "gateway_ip": "10.0.0.1",
            "enable_dhcp": True,
            "dns_nameservers": ["1.1.1.1", "9.9.9.9"],
            "host_routes": [],
        }
        v6_cidr = f"fd00:{n:x}::/64"
        v6 = {
            **v4,
            "id": _id("cloudwatt", "subnet", project["id"], 6),
            "name": "",
            "cidr": v6_cidr,
            "ip_version": 6,
            "gateway_ip": f"fd00:{n:x}::1",
            "enable_dhcp": False,
            "dns_nameservers": [],
        }
        subnets += [v4, v6]
        networks.append(
            {
                "id": net_id,
                "name": f"{tenant}-net",
                **owned,
                "status": "ACTIVE",
                "admin_state_up": True,
                "shared": False,
                "external": False,
                "mtu": 1450,
                "subnets": sorted([v4["name"], v6_cidr]),
            }
        )
        routers.append(
            {
                "id": _id("cloudwatt", "router", project["id"]),
                "name": f"cw-{tenant}-router",
                **owned,
                "status": "ACTIVE",
                "admin_state_up": True,
                "external_network": "public",
                "enable_snat": True,
                "interfaces": sorted([v4["id"], v6["id"]]),
                "routes": [],
            }
        )
        groups.append(
            {
                "id": _id("cloudwatt", "security-group", project["id"], "default"),
                "name": "default",
                **owned,
                "description": "Default security group",
                "rules": _default_rules(),
            }
        )
        for role in ROLES:
            groups.append(
                {
                    "id": _id("cloudwatt", "security-group", project["id"], role),
                    "name": role,
                    **owned,
                    "description": f"{role} tier",
                    "rules": _role_rules(role),
                }
            )
    for server in cloud.servers:
        if "web" not in server["security_groups"]:
            continue
        address = str(SOURCE_RANGE + len(fips))
        fixed = next(iter(server["addresses"].values()))[0]
        fips.append(
            {
                "id": _id("cloudwatt", "floating-ip", server["id"]),
                "name": address,
                **_owned_like(server),
                "floating_network": "public",
                "fixed_ip": fixed,
                "port_id": _id("cloudwatt", "port", server["id"]),
                "server_id": server["id"],
                "status": "ACTIVE",
                "description": "",
            }
        )
    cloud.extra.update(
        networks=networks,
        subnets=subnets,
        routers=routers,
        security_groups=groups,
        floating_ips=fips,
    )


def _owned_like(item: Mapping[str, Any]) -> JSON:
    return {"project": item["project"], "project_id": item["project_id"], "domain": item["domain"]}


def _rebrand(name: str) -> str:
    return "ocb-" + name[3:] if name.startswith("cw-") else name


def add_target(source: ExampleCloud, target: ExampleCloud, rng: random.Random) -> None:
    """The same after the rebranding: new ids and router names, same CIDRs and rules; the
    floating IPs in the target's range but for :data:`KEPT_ADDRESSES`."""
    del rng
    counterparts = target.counterparts
    projects = {str(p["id"]): p for p in target.projects}
    servers = {str(s["id"]): s for s in target.servers}

    def moved(item: JSON, kind: str, **fields: Any) -> JSON:
        new_id = _id("ocb", kind, item["id"])
        counterparts[str(item["id"])] = new_id
        return {
            **item,
            "id": new_id,
            **_owned(projects[str(counterparts[str(item["project_id"])])]),
            **fields,
        }

    public, public_v4 = _provider(target, "public", "198.19.0.0/16")
    networks, subnets = [public], [public_v4]
    src = source.extra
    for network in src["networks"]:
        if network["external"]:
            continue
        networks.append(moved(network, "network"))
    for subnet in src["subnets"]:
        if subnet["project"] == "admin":
            continue
        subnets.append(moved(subnet, "subnet", network_id=counterparts[str(subnet["network_id"])]))
    routers = [
        moved(
            r,
            "router",
            name=_rebrand(r["name"]),
            interfaces=sorted(counterparts[str(s)] for s in r["interfaces"]),
        )
        for r in src["routers"]
    ]
    groups = [_admin_default_group(target)] + [
        moved(g, "security-group") for g in src["security_groups"] if g["project"] != "admin"
    ]
    fips = []
    for n, fip in enumerate(src["floating_ips"]):
        server = servers[counterparts[str(fip["server_id"])]]
        kept = str(fip["project"])[3:] in KEPT_ADDRESSES
        fips.append(
            moved(
                fip,
                "floating-ip",
                name=fip["name"] if kept else str(TARGET_RANGE + n),
                port_id=_id("ocb", "port", server["id"]),
                server_id=server["id"],
                fixed_ip=next(iter(server["addresses"].values()))[0],
            )
        )
    target.extra.update(
        networks=networks,
        subnets=subnets,
        routers=routers,
        security_groups=groups,
        floating_ips=fips,
    )


def seed_defects(target: ExampleCloud) -> None:
    """Break the target's network side as :data:`DEFECTS` says."""
    extra = target.extra
    _named(extra["networks"], "ocb-vandelay", "vandelay-net")["mtu"] = 1400
    _named(extra["subnets"], "ocb-aperture", "aperture-subnet")["enable_dhcp"] = False
    router = _named(extra["routers"], "ocb-nakatomi", "ocb-nakatomi-router")
    v6 = next(
        s["id"] for s in extra["subnets"] if s["project"] == "ocb-nakatomi" and s["ip_version"] == 6
    )
    router["interfaces"] = [s for s in router["interfaces"] if s != v6]
    web = _named(extra["security_groups"], "ocb-weyland", "web")
    web["rules"] = [r for r in web["rules"] if r["port_range_min"] != 443]
    app = _named(target.servers, "ocb-bluth", "ocb-app-01")
    fip = next(
        f
        for f in extra["floating_ips"]
        if f["server_id"] == _named(target.servers, "ocb-bluth", "ocb-web-01")["id"]
    )
    fip.update(
        server_id=app["id"],
        port_id=_id("ocb", "port", app["id"]),
        fixed_ip=next(iter(app["addresses"].values()))[0],
    )
