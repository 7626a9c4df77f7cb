"""The load balancers and Heat stacks of the example clouds.

Some tenants (every tenth, from the fourth) put their web servers behind an
Octavia load balancer ``cw-<tenant>-lb``: an HTTP listener on port 80 whose
pool balances the ``web`` servers on port 8080, checked by an HTTP health
monitor; a member is the server's address on its subnet. Some tenants (every
tenth, from the sixth) run a Heat stack ``cw-<tenant>-app`` whose parameters
and outputs carry the tenant's public URL. The migration re-created both with
new ids in the renamed projects, members on the servers' counterparts, URLs
rewritten to the new brand.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from typing import Any

from auditor.demo.base import NAMESPACE, ExampleCloud

JSON = dict[str, Any]

COLLECTIONS = ("load_balancers", "stacks")
"""The collections whose demo rows this family adds."""

DEFECTS = (
    "load balancer ocb-umbrella-lb: pool web-pool's member ocb-web-01 points at another server",
    "stack ocb-pied-piper-app is in status UPDATE_FAILED",
)
"""What :func:`seed_defects` breaks in the target, one per collection."""


def _id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def _owned(project: Mapping[str, Any]) -> JSON:
    return {"project": project["name"], "project_id": project["id"], "domain": project["domain"]}


def _tenants(cloud: ExampleCloud, start: int) -> list[JSON]:
    tenants = [p for p in cloud.projects if p["domain"] == "cloudwatt"]
    return [p for n, p in enumerate(tenants) if n % 10 == start]


def _compute_ports(cloud: ExampleCloud) -> dict[str, JSON]:
    """Server id -> its compute port."""
    return {
        str(p["server_id"]): p
        for p in cloud.extra.get("ports", [])
        if str(p.get("device_owner") or "").startswith("compute:") and p.get("server_id")
    }


def _member(server: JSON, port: JSON, prefix: str) -> JSON:
    return {
        "id": _id(prefix, "member", server["id"]),
        "name": server["name"],
        "address": port["fixed_ips"][0],
        "protocol_port": 8080,
        "weight": 1,
        "backup": False,
        "subnet_id": port["subnets"][0],
        "server_id": server["id"],
    }


def _load_balancer(project: JSON, servers: list[JSON], ports: Mapping[str, JSON]) -> JSON:
    tenant = str(project["name"]).split("-", 1)[1]
    lb_id = _id("cloudwatt", "lb", project["id"])
    port = ports[str(servers[0]["id"])]
    return {
        "id": lb_id,
        "name": f"cw-{tenant}-lb",
        **_owned(project),
        "description": f"{tenant} web front",
        "provider": "amphora",
        "vip_address": "10.0.0.250",
        "vip_port_id": _id("cloudwatt", "vip-port", lb_id),
        "vip_network_id": port["network_id"],
        "vip_network": port["network"],
        "vip_floating_ips": [],
        "vip_floating_addresses": [],
        "provisioning_status": "ACTIVE",
        "operating_status": "ONLINE",
        "admin_state_up": True,
        "listeners": [
            {
                "id": _id("cloudwatt", "listener", lb_id),
                "name": "http",
                "protocol": "HTTP",
                "protocol_port": 80,
                "connection_limit": -1,
                "default_pool": "web-pool",
            }
        ],
        "pools": [
            {
                "id": _id("cloudwatt", "pool", lb_id),
                "name": "web-pool",
                "protocol": "HTTP",
                "lb_algorithm": "ROUND_ROBIN",
                "session_persistence": None,
                "listener_ports": [80],
                "healthmonitor": {
                    "id": _id("cloudwatt", "monitor", lb_id),
                    "name": "",
                    "type": "HTTP",
                    "delay": 5,
                    "timeout": 3,
                    "max_retries": 3,
                    "max_retries_down": 3,
                    "http_method": "GET",
                    "url_path": "/healthz",
                    "expected_codes": "200",
                },
                "members": sorted(
                    (_member(s, ports[str(s["id"])], "cloudwatt") for s in servers),
                    key=lambda m: (str(m["address"]), m["protocol_port"]),
                ),
            }
        ],
    }


def _stack(project: JSON, brand: str) -> JSON:
    tenant = str(project["name"]).split("-", 1)[1]
    prefix = "cw" if brand == "cloudwatt" else "ocb"
    host = "fr1.cloudwatt.com" if brand == "cloudwatt" else "fr1.cloud.orange-business.com"
    return {
        "id": _id(brand, "stack", project["id"]),
        "name": f"{prefix}-{tenant}-app",
        **_owned(project),
        "status": "CREATE_COMPLETE",
        "status_reason": "Stack CREATE completed successfully",
        "template_description": f"{tenant} application: web and app tiers",
        "disable_rollback": True,
        "parameters": {
            "flavor": "m1.small",
            "image": "debian-12",
            "api_url": f"https://{tenant}.{host}/api",
        },
        "outputs": {"public_url": f"https://{tenant}.{host}/"},
    }


def _web_servers(cloud: ExampleCloud, project: JSON, ports: Mapping[str, JSON]) -> list[JSON]:
    return sorted(
        (
            s
            for s in cloud.servers
            if s["project_id"] == project["id"] and "-web-" in s["name"] and str(s["id"]) in ports
        ),
        key=lambda s: str(s["name"]),
    )


def add_source(cloud: ExampleCloud, rng: random.Random) -> None:
    """A load balancer for every tenth tenant from the fourth, a stack from the sixth."""
    del rng
    ports = _compute_ports(cloud)
    lbs = []
    for project in _tenants(cloud, 3):
        web = _web_servers(cloud, project, ports)
        if web:
            lbs.append(_load_balancer(project, web, ports))
    stacks = [_stack(project, "cloudwatt") for project in _tenants(cloud, 5)]
    cloud.extra.update(load_balancers=lbs, stacks=stacks)


def add_target(source: ExampleCloud, target: ExampleCloud, rng: random.Random) -> None:
    """The same with new ids, in the renamed projects, members on the servers' counterparts."""
    del rng
    counterparts = target.counterparts
    projects = {str(p["id"]): p for p in target.projects}
    servers = {str(s["id"]): s for s in target.servers}
    ports = _compute_ports(target)
    lbs = []
    for lb in source.extra["load_balancers"]:
        owner = projects[counterparts[str(lb["project_id"])]]
        web = [servers[counterparts[str(m["server_id"])]] for m in lb["pools"][0]["members"]]
        moved = _load_balancer(owner, web, ports)
        tenant = str(owner["name"])[4:]
        moved_id = _id("ocb", "lb", lb["id"])
        counterparts[str(lb["id"])] = moved_id
        moved.update(id=moved_id, name=f"ocb-{tenant}-lb")
        moved["vip_port_id"] = _id("ocb", "vip-port", moved_id)
        for kind in ("listeners", "pools"):
            for record in moved[kind]:
                record["id"] = _id("ocb", kind, record["id"])
        pool = moved["pools"][0]
        pool["healthmonitor"]["id"] = _id("ocb", "monitor", pool["healthmonitor"]["id"])
        for member in pool["members"]:
            member["id"] = _id("ocb", "member", member["id"])
        lbs.append(moved)
    stacks = []
    for stack in source.extra["stacks"]:
        owner = projects[counterparts[str(stack["project_id"])]]
        moved = _stack(owner, "ocb")
        counterparts[str(stack["id"])] = str(moved["id"])
        stacks.append(moved)
    target.extra.update(load_balancers=lbs, stacks=stacks)


def seed_defects(target: ExampleCloud) -> None:
    """Break the target as :data:`DEFECTS` says."""
    lb = next(b for b in target.extra["load_balancers"] if b["project"] == "ocb-umbrella")
    member = next(m for m in lb["pools"][0]["members"] if m["name"] == "ocb-web-01")
    ports = _compute_ports(target)
    other = next(
        s
        for s in target.servers
        if s["project_id"] == lb["project_id"]
        and "-web-" not in s["name"]
        and str(s["id"]) in ports
    )
    port = ports[str(other["id"])]
    member.update(address=port["fixed_ips"][0], subnet_id=port["subnets"][0], server_id=other["id"])
    stack = next(s for s in target.extra["stacks"] if s["project"] == "ocb-pied-piper")
    stack.update(status="UPDATE_FAILED", status_reason="Resource UPDATE failed: timed out")
