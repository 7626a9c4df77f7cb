"""The real Glance API and Neutron server of the integration cloud, seeded through their APIs.

Their configuration is in realconf.py. Glance keeps images in a file store;
Neutron runs ML2 with the ``logger`` mechanism driver and no agent (ports and
floating IPs stay ``DOWN``); its schema is made from its models (its
migrations do not run on sqlite) and stamped.

Seeding goes through the services' own REST APIs with an admin token, as an
operator would: images of every visibility (hidden, shared with a member,
community, one without data); an external network, tenant networks and
subnets, routers with a gateway and interfaces, security groups with rules,
server ports and floating IPs. What the APIs assigned (ids) is returned for
the tests and for the Nova seeding (the servers' network info cache).
"""

from __future__ import annotations

import ipaddress
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from seedplan import (
    EXTERNAL_NETWORK,
    EXTERNAL_SUBNETS,
    GROUP_RULES,
    IMAGES,
    NETWORK_GRANTS,
    NETWORK_PROJECTS,
    ROUTERS,
    SERVERS,
)

JSON = dict[str, Any]


ADDRESS_PAIRS: Mapping[str, tuple[JSON, ...]] = {
    "cw-web-1/cw-acme-net": (
        {"ip_address": "10.0.0.250"},
        {"ip_address": "10.0.0.251", "mac_address": "fa:16:3e:00:00:fb"},
    ),
}
"""Server port (``server/network``) -> the allowed address pairs it is seeded with (a VIP on
the port's own MAC, another on a MAC of its own)."""

ADDRESS_SPACES: Mapping[str, tuple[str, str, bool]] = {
    "cw-acme-scope": ("cw-acme", "10.100.0.0/16", True),
    "cw-globex-scope": ("cw-globex", "10.101.0.0/16", False),
    "ocb-acme-scope": ("ocb-acme", "10.102.0.0/16", True),
}
"""Address scope -> (project, the prefix of the pool ``<scope>-pool`` in it, shared)."""

NEUTRON_SCHEMA = """
import sys
import uuid
from oslo_config import cfg
from oslo_db import options as db_options
from neutron.db.migration.models import head
import sqlalchemy as sa

db_options.set_defaults(cfg.CONF)
cfg.CONF(["--config-file", sys.argv[1]], project="neutron")
engine = sa.create_engine(cfg.CONF.database.connection)
metadata = head.get_metadata()
metadata.create_all(engine)
# The rows migration c33da356b165 (2023.2) adds: the security group rule
# templates, four in every default group, the two egress ones in every other.
attrs = metadata.tables["standardattributes"]
templates = metadata.tables["securitygroupdefaultrules"]
with engine.begin() as db:
    for direction, ethertype in (
        ("egress", "IPv4"), ("egress", "IPv6"), ("ingress", "IPv4"), ("ingress", "IPv6")
    ):
        ingress = direction == "ingress"
        attr = db.execute(attrs.insert().values(
            resource_type="securitygroupdefaultrules",
            description=f"Legacy default SG rule for {direction} traffic",
        )).inserted_primary_key[0]
        db.execute(templates.insert().values(
            id=str(uuid.uuid4()), standard_attr_id=attr, direction=direction,
            ethertype=ethertype, remote_group_id="PARENT" if ingress else None,
            used_in_default_sg=True, used_in_non_default_sg=not ingress,
        ))
print(len(metadata.tables), "tables")
"""
"""Neutron's migrations do not run on sqlite (ALTER of constraints): the schema is made
from the models, with the rows its migrations insert (the default security group rule
templates), then ``neutron-db-manage stamp heads`` records it as migrated."""


# -- the REST API, as an admin -------------------------------------------------------------


class Rest:
    """JSON requests with an admin token (urllib: no dependency beyond the stdlib)."""

    def __init__(self, keystone: str, password: str) -> None:
        body = {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {"name": "admin", "domain": {"id": "default"}, "password": password}
                    },
                },
                "scope": {"project": {"name": "admin", "domain": {"id": "default"}}},
            }
        }
        request = urllib.request.Request(
            f"{keystone}/v3/auth/tokens",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            self.token = response.headers["X-Subject-Token"]

    def call(
        self,
        method: str,
        url: str,
        body: Any = None,
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
        request = urllib.request.Request(
            url,
            data=data,
            headers={"X-Auth-Token": self.token, "Content-Type": content_type, **(headers or {})},
            method=method,
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:500]
            raise RuntimeError(f"{method} {url}: HTTP {exc.code}: {detail}") from None
        return json.loads(raw) if raw.strip() else None


# -- Glance ------------------------------------------------------------------------------


def seed_glance(rest: Rest, glance: str, project_ids: Mapping[str, str]) -> dict[str, str]:
    """Every image of the plan, through Glance's v2 API; name -> id."""
    ids: dict[str, str] = {}
    for plan in IMAGES:
        body: JSON = {
            "name": plan.name,
            "owner": project_ids[plan.owner],
            "visibility": plan.visibility,
            "disk_format": "raw",
            "container_format": "bare",
            "min_ram": plan.min_ram,
            "protected": plan.protected,
            "os_hidden": plan.hidden,
            **dict(plan.properties),
        }
        if plan.image_id:
            body["id"] = plan.image_id
        image = rest.call("POST", f"{glance}/v2/images", body)
        ids[plan.name] = image["id"]
        if plan.data is not None:
            rest.call(
                "PUT",
                f"{glance}/v2/images/{image['id']}/file",
                plan.data,
                "application/octet-stream",
            )
        for member in plan.members:
            rest.call(
                "POST",
                f"{glance}/v2/images/{image['id']}/members",
                {"member": project_ids[member]},
            )
    return ids


# -- Neutron ---------------------------------------------------------------------------


def _cidr(address: str) -> str:
    ip = ipaddress.ip_address(address)
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_interface(f"{address}/{prefix}").network)


def network_addresses() -> dict[str, list[str]]:
    """Tenant network -> the fixed addresses the servers have on it."""
    out: dict[str, list[str]] = {name: [] for name in NETWORK_PROJECTS}
    for server in SERVERS:
        for net in server.networks:
            out[net.name].extend(net.fixed)
    return out


def seed_neutron(
    rest: Rest, neutron: str, project_ids: Mapping[str, str], server_ids: Mapping[str, str]
) -> JSON:
    """Networks, subnets, routers, security groups, server ports and floating IPs.

    Returns ``{"networks": {name: id}, "subnets": {name: id}, "routers": {name: id},
    "security_groups": {"project/name": id}, "ports": {"server/network": id},
    "floating_ips": {address: id}, "address_scopes": {name: id}, "subnet_pools": {name: id}}``.
    """
    v2 = f"{neutron}/v2.0"
    seeded: JSON = {k: {} for k in ("networks", "subnets", "routers", "security_groups")}
    seeded.update(ports={}, floating_ips={})
    admin = project_ids["admin"]
    external = rest.call(
        "POST",
        f"{v2}/networks",
        {
            "network": {
                "name": EXTERNAL_NETWORK,
                "project_id": admin,
                "router:external": True,
                "provider:network_type": "flat",
                "provider:physical_network": EXTERNAL_NETWORK,
            }
        },
    )["network"]
    seeded["networks"][EXTERNAL_NETWORK] = external["id"]
    for name, cidr in EXTERNAL_SUBNETS.items():
        subnet = _subnet(rest, v2, name, external["id"], admin, cidr, dhcp=False)
        seeded["subnets"][name] = subnet["id"]
    for net_name, project in NETWORK_PROJECTS.items():
        network = rest.call(
            "POST",
            f"{v2}/networks",
            {"network": {"name": net_name, "project_id": project_ids[project]}},
        )["network"]
        seeded["networks"][net_name] = network["id"]
        versions: dict[int, str] = {}
        for address in network_addresses()[net_name]:
            version = ipaddress.ip_address(address).version
            if version in versions:
                continue
            versions[version] = _cidr(address)
        for ip_version, cidr in sorted(versions.items()):
            name = f"{net_name}-v{ip_version}"
            subnet = _subnet(rest, v2, name, network["id"], project_ids[project], cidr, dhcp=True)
            seeded["subnets"][name] = subnet["id"]
    for net_name, grantee in NETWORK_GRANTS.items():
        rest.call(
            "POST",
            f"{v2}/rbac-policies",
            {
                "rbac_policy": {
                    "object_type": "network",
                    "object_id": seeded["networks"][net_name],
                    "action": "access_as_shared",
                    "target_tenant": project_ids[grantee],
                    "project_id": project_ids[NETWORK_PROJECTS[net_name]],
                }
            },
        )
    for router in ROUTERS:
        made = rest.call(
            "POST",
            f"{v2}/routers",
            {
                "router": {
                    "name": router.name,
                    "project_id": project_ids[router.project],
                    "external_gateway_info": {"network_id": external["id"]},
                }
            },
        )["router"]
        seeded["routers"][router.name] = made["id"]
        for net_name in router.interfaces:
            rest.call(
                "PUT",
                f"{v2}/routers/{made['id']}/add_router_interface",
                {"subnet_id": seeded["subnets"][f"{net_name}-v4"]},
            )
    seeded.update(address_scopes={}, subnet_pools={})
    for scope_name, (owner, prefix, shared) in ADDRESS_SPACES.items():
        scope = rest.call(
            "POST",
            f"{v2}/address-scopes",
            {
                "address_scope": {
                    "name": scope_name,
                    "project_id": project_ids[owner],
                    "ip_version": 4,
                    "shared": shared,
                }
            },
        )["address_scope"]
        seeded["address_scopes"][scope_name] = scope["id"]
        pool = rest.call(
            "POST",
            f"{v2}/subnetpools",
            {
                "subnetpool": {
                    "name": f"{scope_name}-pool",
                    "project_id": project_ids[owner],
                    "prefixes": [prefix],
                    "default_prefixlen": 24,
                    "address_scope_id": scope["id"],
                }
            },
        )["subnetpool"]
        seeded["subnet_pools"][f"{scope_name}-pool"] = pool["id"]
    groups = _security_groups(rest, v2, project_ids)
    seeded["security_groups"] = groups
    for server in SERVERS:
        for net in server.networks:
            project = project_ids[server.project]
            fixed = [
                {
                    "subnet_id": seeded["subnets"][
                        f"{net.name}-v{ipaddress.ip_address(address).version}"
                    ],
                    "ip_address": address,
                }
                for address in net.fixed
            ]
            port = rest.call(
                "POST",
                f"{v2}/ports",
                {
                    "port": {
                        "name": f"{server.name}-{net.name}",
                        "network_id": seeded["networks"][net.name],
                        "project_id": project,
                        "device_id": server_ids[server.name],
                        "device_owner": "compute:nova",
                        "fixed_ips": fixed,
                        "security_groups": [
                            groups[f"{server.project}/{g}"] for g in server.security_groups
                        ],
                        "allowed_address_pairs": list(
                            ADDRESS_PAIRS.get(f"{server.name}/{net.name}", ())
                        ),
                    }
                },
            )["port"]
            seeded["ports"][f"{server.name}/{net.name}"] = port["id"]
            for address in net.floating:
                fip = rest.call(
                    "POST",
                    f"{v2}/floatingips",
                    {
                        "floatingip": {
                            "floating_network_id": external["id"],
                            "floating_ip_address": address,
                            "project_id": project,
                            "port_id": port["id"],
                            "description": f"{server.name} public address",
                        }
                    },
                )["floatingip"]
                seeded["floating_ips"][address] = fip["id"]
    return seeded


def _subnet(
    rest: Rest, v2: str, name: str, network_id: str, project_id: str, cidr: str, *, dhcp: bool
) -> JSON:
    version = ipaddress.ip_network(cidr).version
    body: JSON = {
        "name": name,
        "network_id": network_id,
        "project_id": project_id,
        "ip_version": version,
        "cidr": cidr,
        "enable_dhcp": dhcp,
    }
    if version == 4 and dhcp:
        body["dns_nameservers"] = ["192.0.2.53", "192.0.2.54"]
    subnet: JSON = rest.call("POST", f"{v2}/subnets", {"subnet": body})["subnet"]
    return subnet


def _security_groups(rest: Rest, v2: str, project_ids: Mapping[str, str]) -> dict[str, str]:
    """``project/name`` -> id of every group the servers use: Neutron's ``default`` (made
    by listing the project's groups, as Neutron does) and the planned ones with rules."""
    wanted: dict[tuple[str, str], None] = {}
    for server in SERVERS:
        for group in server.security_groups:
            wanted[(server.project, group)] = None
    out: dict[str, str] = {}
    for project, name in wanted:
        pid = project_ids[project]
        if name == "default":
            listed = rest.call("GET", f"{v2}/security-groups?project_id={pid}&name=default")
            out[f"{project}/default"] = listed["security_groups"][0]["id"]
            continue
        group = rest.call(
            "POST",
            f"{v2}/security-groups",
            {"security_group": {"name": name, "project_id": pid, "description": f"{name} tier"}},
        )["security_group"]
        out[f"{project}/{name}"] = group["id"]
        for protocol, port, prefix in GROUP_RULES[name]:
            rest.call(
                "POST",
                f"{v2}/security-group-rules",
                {
                    "security_group_rule": {
                        "security_group_id": group["id"],
                        "project_id": pid,
                        "direction": "ingress",
                        "ethertype": "IPv4",
                        "protocol": protocol,
                        "port_range_min": port,
                        "port_range_max": port,
                        "remote_ip_prefix": prefix,
                    }
                },
            )
    return out
