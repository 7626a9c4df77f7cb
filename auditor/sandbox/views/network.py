"""The snapshot's own network collections as Neutron answers them (the inverse of the
collector's): networks with their subnet ids, routers with their gateway and interface
ports, security groups with their rules embedded (remote groups by id), floating IPs
with ``port_details`` and their ports."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence

from auditor.sandbox.ids import synthetic_mac, synthetic_uuid
from auditor.sandbox.neutron_paging import STAMP, owned
from auditor.sandbox.views import Context, Version, View
from auditor.sandbox.wire import JSON


def serve_network(
    cloud: str, derived: Mapping[str, list[JSON]], collections: Mapping[str, Sequence[JSON]]
) -> dict[str, list[JSON]]:
    """The API items of every resource: the snapshot's collections where it has them
    (see :data:`NETWORK_COLLECTIONS`), the ones ``derived`` from the servers elsewhere."""
    served: dict[str, list[JSON]] = {
        "networks": list(derived["networks"]),
        "subnets": list(derived["subnets"]),
        "ports": list(derived["ports"]),
        "routers": [],
        "security_groups": list(derived["security_groups"]),
        "floatingips": [],
    }
    snap_networks = collections.get("networks")
    snap_subnets = collections.get("subnets")
    if snap_subnets is not None:
        served["subnets"] = [subnet_view(s) for s in snap_subnets]
    if snap_networks is not None:
        subnet_ids: dict[str, list[str]] = {}
        for subnet in served["subnets"] if snap_subnets is not None else ():
            subnet_ids.setdefault(str(subnet["network_id"]), []).append(str(subnet["id"]))
        if snap_subnets is None:
            # Only the subnets' names are known: subnets of those names stand for them.
            served["subnets"] = [
                named_subnet(cloud, n, label) for n in snap_networks for label in n["subnets"]
            ]
            for subnet in served["subnets"]:
                subnet_ids.setdefault(str(subnet["network_id"]), []).append(str(subnet["id"]))
        served["networks"] = [
            network_view(n, subnet_ids.get(str(n["id"]), [])) for n in snap_networks
        ]
    elif snap_subnets is not None:
        # Subnets without their networks: the networks they name, by name.
        known = {str(n["id"]) for n in served["networks"]}
        for s in snap_subnets:
            if str(s["network_id"]) not in known:
                known.add(str(s["network_id"]))
                served["networks"].append(
                    network_view(
                        {**s, "id": s["network_id"], "name": s.get("network"), "mtu": 1450}, []
                    )
                )
    if collections.get("ports") is not None:
        # The snapshot's ports are Neutron's (the servers' ones are not derived then).
        served["ports"] = [port_view(p, served["subnets"]) for p in collections["ports"]]
    network_ids = ids_by_name(served["networks"], prefer="router:external")
    if collections.get("routers") is not None:
        subnets_by_id = {str(s["id"]): s for s in served["subnets"]}
        wired = {
            (str(p["device_id"]), str(f["subnet_id"]))
            for p in served["ports"]
            for f in p["fixed_ips"]
        }
        for r in collections["routers"]:
            served["routers"].append(router_view(r, network_ids))
            # The interface ports the snapshot's ports lack, if any (it has none).
            served["ports"].extend(
                port
                for port in interface_ports(cloud, r, subnets_by_id)
                if (str(r["id"]), str(port["fixed_ips"][0]["subnet_id"])) not in wired
            )
    if collections.get("security_groups") is not None:
        groups = collections["security_groups"]
        served["security_groups"] = [security_group_view(cloud, g, groups) for g in groups]
    if collections.get("floating_ips") is not None:
        port_ids = {str(p["id"]) for p in served["ports"]}
        for f in collections["floating_ips"]:
            served["floatingips"].append(floating_ip_view(f, network_ids))
            if f.get("port_id") and str(f["port_id"]) not in port_ids:
                port_ids.add(str(f["port_id"]))
                served["ports"].append(floating_ip_port(f))
    by_id = lambda item: str(item["id"])  # noqa: E731
    return {name: sorted(items, key=by_id) for name, items in served.items()}


def ids_by_name(items: Sequence[JSON], prefer: str) -> dict[str, str]:
    """Name -> id; where names repeat, the item with ``prefer`` true wins."""
    ids: dict[str, str] = {}
    for item in sorted(items, key=lambda i: bool(i.get(prefer))):
        if item.get("name"):
            ids[str(item["name"])] = str(item["id"])
    return ids


def network_view(n: JSON, subnet_ids: list[str]) -> JSON:
    external = bool(n.get("external"))
    return {
        "id": n["id"],
        "name": n.get("name"),
        **owned(n.get("project_id")),
        "status": n.get("status") or "ACTIVE",
        "admin_state_up": n.get("admin_state_up", True),
        "shared": bool(n.get("shared")),
        "router:external": external,
        "subnets": sorted(subnet_ids),
        "mtu": n.get("mtu"),
        "availability_zones": ["nova"],
        "availability_zone_hints": [],
        "port_security_enabled": True,
        "provider:network_type": "flat" if external else "vxlan",
        "provider:physical_network": "physnet1" if external else None,
        "provider:segmentation_id": None if external else 1000,
        "is_default": external,
        "description": "",
        "tags": [],
        **STAMP,
        "revision_number": 1,
    }


def subnet_view(s: JSON) -> JSON:
    return {
        "id": s["id"],
        "name": s.get("name") or "",
        "network_id": s.get("network_id"),
        **owned(s.get("project_id")),
        "ip_version": s.get("ip_version"),
        "cidr": s.get("cidr"),
        "gateway_ip": s.get("gateway_ip"),
        "enable_dhcp": bool(s.get("enable_dhcp")),
        "allocation_pools": [],
        "dns_nameservers": list(s.get("dns_nameservers") or []),
        "host_routes": [dict(r) for r in s.get("host_routes") or []],
        "ipv6_ra_mode": None,
        "ipv6_address_mode": None,
        "subnetpool_id": None,
        "description": "",
        "tags": [],
        **STAMP,
        "revision_number": 0,
    }


def named_subnet(cloud: str, network: JSON, label: str) -> JSON:
    try:
        cidr: str | None = str(ipaddress.ip_network(label))
        name = ""
    except ValueError:
        cidr, name = None, label
    return subnet_view(
        {
            "id": synthetic_uuid(cloud, "subnet", network["id"], label),
            "name": name,
            "network_id": network["id"],
            "project_id": network.get("project_id"),
            "cidr": cidr,
            "ip_version": 6 if cidr and ":" in cidr else 4,
            "enable_dhcp": True,
        }
    )


def _holds(subnet: JSON | None, address: str) -> bool:
    try:
        cidr = ipaddress.ip_network(str((subnet or {}).get("cidr")))
        return ipaddress.ip_address(address) in cidr
    except ValueError:
        return False


def port_view(p: JSON, subnets: Sequence[JSON]) -> JSON:
    """A snapshot port as Neutron answers it: each fixed IP on the port's subnet whose
    CIDR holds it (on its only subnet when none is served), allowed address pairs with
    the port's MAC where the snapshot leaves it out, port security only when known."""
    by_id = {str(s["id"]): s for s in subnets}
    own = [str(s) for s in p.get("subnets") or []]
    fixed = []
    for address in p.get("fixed_ips") or []:
        holder = next((s for s in own if _holds(by_id.get(s), address)), None)
        if holder is None and len(own) == 1:
            holder = own[0]
        fixed.append({"subnet_id": holder, "ip_address": address})
    mac = p.get("mac_address")
    pairs = [
        {"ip_address": pair["ip_address"], "mac_address": pair.get("mac_address") or mac}
        for pair in p.get("allowed_address_pairs") or []
    ]
    security: JSON = {}
    if p.get("port_security_enabled") is not None:
        security["port_security_enabled"] = p["port_security_enabled"]
    return {
        "id": p["id"],
        "name": p.get("name") or "",
        "network_id": p.get("network_id"),
        **owned(p.get("project_id")),
        "mac_address": mac,
        "fixed_ips": fixed,
        "allowed_address_pairs": pairs,
        "security_groups": list(p.get("security_groups") or []),
        "device_id": p.get("device_id") or "",
        "device_owner": p.get("device_owner") or "",
        "status": p.get("status") or "DOWN",
        "admin_state_up": p.get("admin_state_up", True),
        **security,
        "binding:vnic_type": "normal",
        "extra_dhcp_opts": [],
        "description": "",
        "tags": [],
        **STAMP,
        "revision_number": 1,
    }


def router_view(r: JSON, network_ids: Mapping[str, str]) -> JSON:
    gateway: JSON | None = None
    if r.get("external_network"):
        name = str(r["external_network"])
        # An external network the snapshot does not list is named by its id.
        gateway = {"network_id": network_ids.get(name, name), "external_fixed_ips": []}
        if r.get("enable_snat") is not None:
            gateway["enable_snat"] = r["enable_snat"]
    return {
        "id": r["id"],
        "name": r.get("name") or "",
        **owned(r.get("project_id")),
        "status": r.get("status") or "ACTIVE",
        "admin_state_up": r.get("admin_state_up", True),
        "external_gateway_info": gateway,
        "routes": [dict(route) for route in r.get("routes") or []],
        "distributed": False,
        "ha": False,
        "flavor_id": None,
        "availability_zones": ["nova"],
        "availability_zone_hints": [],
        "description": "",
        "tags": [],
        **STAMP,
        "revision_number": 1,
    }


def interface_ports(cloud: str, r: JSON, subnets: Mapping[str, JSON]) -> list[JSON]:
    ports = []
    for subnet_id in r.get("interfaces") or []:
        subnet = subnets.get(str(subnet_id), {})
        ports.append(
            {
                "id": synthetic_uuid(cloud, "port", "router", r["id"], subnet_id),
                "name": "",
                "network_id": subnet.get("network_id"),
                **owned(r.get("project_id")),
                "mac_address": synthetic_mac(r["id"], subnet_id),
                "fixed_ips": [{"subnet_id": subnet_id, "ip_address": subnet.get("gateway_ip")}],
                "device_id": r["id"],
                "device_owner": "network:router_interface",
                "status": "ACTIVE",
                "admin_state_up": True,
                "security_groups": [],
                "description": "",
                "tags": [],
                **STAMP,
                "revision_number": 1,
            }
        )
    return ports


def security_group_view(cloud: str, g: JSON, groups: Sequence[JSON]) -> JSON:
    def group_id(name: str) -> str:
        # The remote group is the group of that name of the same project, else of any;
        # a name no group has stands for its own id.
        same = [x for x in groups if x.get("name") == name]
        own = [x for x in same if x.get("project_id") == g.get("project_id")]
        chosen = (own or same or [{"id": name}])[0]
        return str(chosen["id"])

    rules = []
    for n, rule in enumerate(g.get("rules") or []):
        remote = rule.get("remote_group")
        rules.append(
            {
                "id": synthetic_uuid(cloud, "security-group-rule", g["id"], n),
                "security_group_id": g["id"],
                **owned(g.get("project_id")),
                "direction": rule.get("direction"),
                "ethertype": rule.get("ethertype"),
                "protocol": rule.get("protocol"),
                "port_range_min": rule.get("port_range_min"),
                "port_range_max": rule.get("port_range_max"),
                "remote_ip_prefix": rule.get("remote_ip_prefix"),
                "remote_group_id": group_id(str(remote)) if remote else None,
                "remote_address_group_id": None,
                "description": "",
                **STAMP,
                "revision_number": 0,
            }
        )
    return {
        "id": g["id"],
        "name": g.get("name") or "",
        **owned(g.get("project_id")),
        "description": g.get("description") or "",
        "security_group_rules": rules,
        "stateful": True,
        "shared": False,
        "tags": [],
        **STAMP,
        "revision_number": 1,
    }


def floating_ip_view(f: JSON, network_ids: Mapping[str, str]) -> JSON:
    network = str(f.get("floating_network") or "")
    server_id = f.get("server_id")
    details: JSON | None = None
    if f.get("port_id"):
        details = {
            "name": "",
            "network_id": None,
            "mac_address": synthetic_mac(f["port_id"]),
            "admin_state_up": True,
            "status": "ACTIVE",
            "device_id": server_id or "",
            "device_owner": "compute:nova" if server_id else "",
        }
    return {
        "id": f["id"],
        "floating_ip_address": f.get("name"),
        "floating_network_id": network_ids.get(network, network or None),
        "fixed_ip_address": f.get("fixed_ip"),
        "port_id": f.get("port_id"),
        "port_details": details,
        "router_id": None,
        **owned(f.get("project_id")),
        "status": f.get("status"),
        "description": f.get("description") or "",
        "dns_domain": "",
        "dns_name": "",
        "port_forwardings": [],
        "qos_policy_id": None,
        "tags": [],
        **STAMP,
        "revision_number": 1,
    }


def floating_ip_port(f: JSON) -> JSON:
    server_id = f.get("server_id")
    return {
        "id": f["port_id"],
        "name": "",
        "network_id": None,
        **owned(f.get("project_id")),
        "mac_address": synthetic_mac(f["port_id"]),
        "fixed_ips": [{"subnet_id": None, "ip_address": f.get("fixed_ip")}],
        "device_id": server_id or "",
        "device_owner": "compute:nova" if server_id else "",
        "status": "ACTIVE",
        "admin_state_up": True,
        "security_groups": [],
        "description": "",
        "tags": [],
        **STAMP,
        "revision_number": 1,
    }


def _owner(item: JSON, _mv: Version, _context: Context) -> JSON:
    """Neutron names an item's owner both ways."""
    return {"tenant_id": item.get("project_id")}


def _stamped_owner(item: JSON, mv: Version, context: Context) -> JSON:
    """The owner both ways, and the standard attributes (timestamps, revision, tags)."""
    return {**_owner(item, mv, context), "tags": [], **STAMP, "revision_number": 1}


RBAC_POLICIES = View(
    _owner,
    member="rbac_policy",
    filters={
        "object_type": "object_type",
        "object_id": "object_id",
        "action": "action",
        "target_tenant": "target_project_id",
    },
)
"""Network RBAC policies (``/v2.0/rbac-policies``, declared): their owner's ``tenant_id``,
one by id, and the filters the auditor and operators use."""
ADDRESS_SCOPES = View(_owner, member="address_scope", filters={"name": "name"})
SUBNET_POOLS = View(_stamped_owner, member="subnetpool", filters={"name": "name"})
"""Address scopes (no standard attributes) and subnet pools (with them), declared."""
