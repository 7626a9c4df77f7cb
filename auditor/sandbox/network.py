"""Neutron v2.0: networks, subnets, ports, routers, security groups and floating IPs.

The snapshot's own network collections are served as Neutron would answer
them (the inverse of :mod:`auditor.collect.network`): networks with their
subnet ids, routers with their gateway, security groups with their rules
embedded (remote groups by id), floating IPs with ``port_details``; and the
ports behind them: a ``network:router_interface`` port per router interface,
a compute port per floating IP's port.

What the snapshot lacks is a modest reconstruction from the servers: one
network per network name of the servers' addresses (owned by the project of
the first server on it, shared when several projects use it), one subnet per
network and IP version, one port per server and network, one security group
per project and group name. Everything is built on the first Neutron
request, so clouds nobody asks about cost nothing.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.sandbox.ids import synthetic_mac, synthetic_uuid
from auditor.sandbox.neutron_paging import default_security_group, neutron_page
from auditor.sandbox.options import SandboxOptions
from auditor.sandbox.paging import Listing, item_body
from auditor.sandbox.quotas import QuotaSets
from auditor.sandbox.wire import (
    JSON,
    ApiError,
    ApiRequest,
    ErrorStyle,
    Response,
    json_response,
)

RESOURCES = (
    ("networks", "network"),
    ("subnets", "subnet"),
    ("ports", "port"),
    ("routers", "router"),
    ("security-groups", "security_group"),
    ("floatingips", "floatingip"),
)
NETWORK_COLLECTIONS = ("networks", "subnets", "routers", "security_groups", "floating_ips")
"""The snapshot collections this API serves as they are (the others are derived)."""
_RESERVED = frozenset({"limit", "marker", "page_reverse", "fields", "sort_key", "sort_dir"})
_STAMP = {"created_at": "2024-01-10T08:00:00Z", "updated_at": "2024-01-10T08:00:00Z"}


@dataclass(frozen=True)
class _Resource:
    collection: str
    """Path segment, ``security-groups``."""
    key: str
    """Body key of the list, ``security_groups``."""
    member: str
    """Body key of one item, ``security_group``."""
    listing: Listing


def _owned(project_id: Any) -> JSON:
    return {"tenant_id": project_id, "project_id": project_id}


def derive_network(cloud: str, servers: Sequence[JSON]) -> dict[str, list[JSON]]:
    """Networks, subnets, ports and security groups implied by the servers."""
    networks: dict[str, JSON] = {}
    subnets: dict[tuple[str, int], JSON] = {}
    groups: dict[tuple[Any, str], JSON] = {}
    ports: list[JSON] = []
    for server in servers:
        if server.get("partial"):
            continue
        project_id = server.get("project_id")
        sid = str(server["id"])
        group_ids = []
        for name in server.get("security_groups") or []:
            group = groups.get((project_id, name))
            if group is None:
                group = {
                    "id": synthetic_uuid(cloud, "security-group", project_id, name),
                    "name": name,
                    **_owned(project_id),
                    "description": "Default security group" if name == "default" else "",
                    "security_group_rules": [],
                    "stateful": True,
                    "shared": False,
                    "tags": [],
                    **_STAMP,
                    "revision_number": 1,
                }
                groups[(project_id, name)] = group
            group_ids.append(group["id"])
        addresses = server.get("addresses")
        for net, ips in addresses.items() if isinstance(addresses, dict) else ():
            network = networks.get(net)
            if network is None:
                network = {
                    "id": synthetic_uuid(cloud, "network", net),
                    "name": net,
                    **_owned(project_id),
                    "status": "ACTIVE",
                    "admin_state_up": True,
                    "shared": False,
                    "router:external": False,
                    "subnets": [],
                    "mtu": 1450,
                    "availability_zones": ["nova"],
                    "availability_zone_hints": [],
                    "port_security_enabled": True,
                    "provider:network_type": "vxlan",
                    "provider:physical_network": None,
                    "provider:segmentation_id": 1000 + len(networks),
                    "description": "",
                    "tags": [],
                    **_STAMP,
                    "revision_number": 1,
                }
                networks[net] = network
            elif network["project_id"] != project_id:
                network["shared"] = True
            fixed_ips = []
            for ip in ips or []:
                subnet = _subnet_for(cloud, network, str(ip), subnets)
                if subnet is not None:
                    fixed_ips.append({"subnet_id": subnet["id"], "ip_address": ip})
            ports.append(
                {
                    "id": synthetic_uuid(cloud, "port", sid, net),
                    "name": "",
                    "network_id": network["id"],
                    **_owned(project_id),
                    "mac_address": synthetic_mac(sid, net),
                    "fixed_ips": fixed_ips,
                    "device_id": sid,
                    "device_owner": f"compute:{server.get('availability_zone') or 'nova'}",
                    "status": "ACTIVE",
                    "admin_state_up": True,
                    "security_groups": group_ids,
                    "binding:vnic_type": "normal",
                    "port_security_enabled": True,
                    "allowed_address_pairs": [],
                    "extra_dhcp_opts": [],
                    "description": "",
                    "tags": [],
                    **_STAMP,
                    "revision_number": 1,
                }
            )
    by_id = lambda item: item["id"]  # noqa: E731
    return {
        "networks": sorted(networks.values(), key=by_id),
        "subnets": sorted(subnets.values(), key=by_id),
        "ports": sorted(ports, key=by_id),
        "security_groups": sorted(groups.values(), key=by_id),
    }


def _subnet_for(
    cloud: str, network: JSON, ip: str, subnets: dict[tuple[str, int], JSON]
) -> JSON | None:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    key = (network["id"], address.version)
    subnet = subnets.get(key)
    if subnet is None:
        prefix = 24 if address.version == 4 else 64
        cidr = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
        hosts = cidr.hosts()
        gateway = str(next(hosts, cidr.network_address))
        subnet = {
            "id": synthetic_uuid(cloud, "subnet", network["id"], address.version),
            "name": f"{network['name']}-v{address.version}",
            "network_id": network["id"],
            "tenant_id": network["tenant_id"],
            "project_id": network["project_id"],
            "ip_version": address.version,
            "cidr": str(cidr),
            "gateway_ip": gateway,
            "enable_dhcp": True,
            "allocation_pools": [],
            "dns_nameservers": [],
            "host_routes": [],
            "ipv6_ra_mode": None,
            "ipv6_address_mode": None,
            "subnetpool_id": None,
            "description": "",
            "tags": [],
            **_STAMP,
            "revision_number": 0,
        }
        subnets[key] = subnet
        network["subnets"].append(subnet["id"])
    return subnet


# -- the snapshot's own network collections, as Neutron answers them ---------------------


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
        served["subnets"] = [_subnet_view(s) for s in snap_subnets]
    if snap_networks is not None:
        subnet_ids: dict[str, list[str]] = {}
        for subnet in served["subnets"] if snap_subnets is not None else ():
            subnet_ids.setdefault(str(subnet["network_id"]), []).append(str(subnet["id"]))
        if snap_subnets is None:
            # Only the subnets' names are known: subnets of those names stand for them.
            served["subnets"] = [
                _named_subnet(cloud, n, label) for n in snap_networks for label in n["subnets"]
            ]
            for subnet in served["subnets"]:
                subnet_ids.setdefault(str(subnet["network_id"]), []).append(str(subnet["id"]))
        served["networks"] = [
            _network_view(n, subnet_ids.get(str(n["id"]), [])) for n in snap_networks
        ]
    elif snap_subnets is not None:
        # Subnets without their networks: the networks they name, by name.
        known = {str(n["id"]) for n in served["networks"]}
        for s in snap_subnets:
            if str(s["network_id"]) not in known:
                known.add(str(s["network_id"]))
                served["networks"].append(
                    _network_view(
                        {**s, "id": s["network_id"], "name": s.get("network"), "mtu": 1450}, []
                    )
                )
    network_ids = _ids_by_name(served["networks"], prefer="router:external")
    if collections.get("routers") is not None:
        subnets_by_id = {str(s["id"]): s for s in served["subnets"]}
        for r in collections["routers"]:
            served["routers"].append(_router_view(r, network_ids))
            served["ports"].extend(_interface_ports(cloud, r, subnets_by_id))
    if collections.get("security_groups") is not None:
        groups = collections["security_groups"]
        served["security_groups"] = [_security_group_view(cloud, g, groups) for g in groups]
    if collections.get("floating_ips") is not None:
        port_ids = {str(p["id"]) for p in served["ports"]}
        for f in collections["floating_ips"]:
            served["floatingips"].append(_floating_ip_view(f, network_ids))
            if f.get("port_id") and str(f["port_id"]) not in port_ids:
                port_ids.add(str(f["port_id"]))
                served["ports"].append(_floating_ip_port(f))
    by_id = lambda item: str(item["id"])  # noqa: E731
    return {name: sorted(items, key=by_id) for name, items in served.items()}


def _ids_by_name(items: Sequence[JSON], prefer: str) -> dict[str, str]:
    """Name -> id; where names repeat, the item with ``prefer`` true wins."""
    ids: dict[str, str] = {}
    for item in sorted(items, key=lambda i: bool(i.get(prefer))):
        if item.get("name"):
            ids[str(item["name"])] = str(item["id"])
    return ids


def _network_view(n: JSON, subnet_ids: list[str]) -> JSON:
    external = bool(n.get("external"))
    return {
        "id": n["id"],
        "name": n.get("name"),
        **_owned(n.get("project_id")),
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
        **_STAMP,
        "revision_number": 1,
    }


def _subnet_view(s: JSON) -> JSON:
    return {
        "id": s["id"],
        "name": s.get("name") or "",
        "network_id": s.get("network_id"),
        **_owned(s.get("project_id")),
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
        **_STAMP,
        "revision_number": 0,
    }


def _named_subnet(cloud: str, network: JSON, label: str) -> JSON:
    try:
        cidr: str | None = str(ipaddress.ip_network(label))
        name = ""
    except ValueError:
        cidr, name = None, label
    return _subnet_view(
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


def _router_view(r: JSON, network_ids: Mapping[str, str]) -> JSON:
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
        **_owned(r.get("project_id")),
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
        **_STAMP,
        "revision_number": 1,
    }


def _interface_ports(cloud: str, r: JSON, subnets: Mapping[str, JSON]) -> list[JSON]:
    ports = []
    for subnet_id in r.get("interfaces") or []:
        subnet = subnets.get(str(subnet_id), {})
        ports.append(
            {
                "id": synthetic_uuid(cloud, "port", "router", r["id"], subnet_id),
                "name": "",
                "network_id": subnet.get("network_id"),
                **_owned(r.get("project_id")),
                "mac_address": synthetic_mac(r["id"], subnet_id),
                "fixed_ips": [{"subnet_id": subnet_id, "ip_address": subnet.get("gateway_ip")}],
                "device_id": r["id"],
                "device_owner": "network:router_interface",
                "status": "ACTIVE",
                "admin_state_up": True,
                "security_groups": [],
                "description": "",
                "tags": [],
                **_STAMP,
                "revision_number": 1,
            }
        )
    return ports


def _security_group_view(cloud: str, g: JSON, groups: Sequence[JSON]) -> JSON:
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
                **_owned(g.get("project_id")),
                "direction": rule.get("direction"),
                "ethertype": rule.get("ethertype"),
                "protocol": rule.get("protocol"),
                "port_range_min": rule.get("port_range_min"),
                "port_range_max": rule.get("port_range_max"),
                "remote_ip_prefix": rule.get("remote_ip_prefix"),
                "remote_group_id": group_id(str(remote)) if remote else None,
                "remote_address_group_id": None,
                "description": "",
                **_STAMP,
                "revision_number": 0,
            }
        )
    return {
        "id": g["id"],
        "name": g.get("name") or "",
        **_owned(g.get("project_id")),
        "description": g.get("description") or "",
        "security_group_rules": rules,
        "stateful": True,
        "shared": False,
        "tags": [],
        **_STAMP,
        "revision_number": 1,
    }


def _floating_ip_view(f: JSON, network_ids: Mapping[str, str]) -> JSON:
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
        **_owned(f.get("project_id")),
        "status": f.get("status"),
        "description": f.get("description") or "",
        "dns_domain": "",
        "dns_name": "",
        "port_forwardings": [],
        "qos_policy_id": None,
        "tags": [],
        **_STAMP,
        "revision_number": 1,
    }


def _floating_ip_port(f: JSON) -> JSON:
    server_id = f.get("server_id")
    return {
        "id": f["port_id"],
        "name": "",
        "network_id": None,
        **_owned(f.get("project_id")),
        "mac_address": synthetic_mac(f["port_id"]),
        "fixed_ips": [{"subnet_id": None, "ip_address": f.get("fixed_ip")}],
        "device_id": server_id or "",
        "device_owner": "compute:nova" if server_id else "",
        "status": "ACTIVE",
        "admin_state_up": True,
        "security_groups": [],
        "description": "",
        "tags": [],
        **_STAMP,
        "revision_number": 1,
    }


def _matches(item: JSON, field: str, wanted: str) -> bool:
    value = item.get(field)
    if isinstance(value, bool):
        return str(value).lower() == wanted.lower()
    return value is not None and str(value) == wanted


class NetworkApi:
    """Neutron v2.0 of one sandbox cloud."""

    style = ErrorStyle.NEUTRON

    def __init__(
        self,
        servers: Sequence[JSON],
        *,
        cloud: str,
        service_url: str,
        options: SandboxOptions,
        quotas: QuotaSets | None = None,
        collections: Mapping[str, Sequence[JSON]] | None = None,
        project_id: str | None = None,
    ) -> None:
        self.cloud = cloud
        self.project_id = project_id
        """The admin's project: whose ``default`` group listing security groups creates."""
        self.servers = servers
        self.collections = dict(collections or {})
        """The snapshot's network collections (see :data:`NETWORK_COLLECTIONS`)."""
        self.quotas = quotas if quotas is not None else QuotaSets(())
        self.service_url = service_url
        self.max_limit = options.max_limit
        self._lock = threading.Lock()
        self._resources: dict[str, _Resource] | None = None

    def is_public(self, request: ApiRequest) -> bool:
        return request.path in ("", "/", "/v2.0", "/v2.0/")

    def resources(self) -> dict[str, _Resource]:
        with self._lock:
            if self._resources is None:
                derived = serve_network(
                    self.cloud, derive_network(self.cloud, self.servers), self.collections
                )
                self._resources = {
                    collection: _Resource(
                        collection,
                        member + "s",
                        member,
                        Listing.of_items(derived[member + "s"]),
                    )
                    for collection, member in RESOURCES
                }
            return self._resources

    def handle(self, request: ApiRequest) -> Response:
        path = request.path
        if path in ("", "/"):
            link = [{"href": f"{self.service_url}/v2.0/", "rel": "self"}]
            return json_response({"versions": [{"id": "v2.0", "status": "CURRENT", "links": link}]})
        if path in ("/v2.0", "/v2.0/"):
            return json_response(
                {
                    "resources": [
                        {
                            "name": member,
                            "collection": collection,
                            "links": [
                                {"href": f"{self.service_url}/v2.0/{collection}", "rel": "self"}
                            ],
                        }
                        for collection, member in RESOURCES
                    ]
                }
            )
        parts = path.strip("/").split("/")
        if parts[:2] == ["v2.0", "quotas"] and len(parts) in (3, 4):
            # The quota details extension: one project's limits with their usage.
            if len(parts) == 4 and parts[3] != "details":
                raise ApiError(404, "The resource could not be found.")
            return self.quotas.network(parts[2], details=len(parts) == 4)
        resource = self.resources().get(parts[1]) if len(parts) in (2, 3) else None
        if parts[0] != "v2.0" or resource is None:
            raise ApiError(404, "The resource could not be found.")
        if len(parts) == 3:
            chunk = resource.listing.get(parts[2])
            if chunk is None:
                raise ApiError(404, f"{resource.member} {parts[2]} could not be found.")
            return Response(200, item_body(resource.member, chunk))
        if resource.collection == "security-groups":
            resource = self._ensure_default_group(resource, request)
        return self._list(resource, request)

    def _ensure_default_group(self, resource: _Resource, request: ApiRequest) -> _Resource:
        """What Neutron's ``get_security_groups`` does before listing: create the
        ``default`` group of the ``project_id`` (or ``tenant_id``) filter's project, or
        of the caller's, when it has none (``_ensure_default_security_group``)."""
        query = request.query
        caller = request.auth.project_id if request.auth is not None else None
        project = query.get("project_id") or query.get("tenant_id") or caller or self.project_id
        if not project:
            return resource
        self.resources()
        with self._lock:
            assert self._resources is not None
            current = self._resources[resource.collection]
            if any(
                s.get("name") == "default" and s.get("project_id") == project
                for s in current.listing.sources
            ):
                return current
            group = default_security_group(self.cloud, project)
            items = sorted([*current.listing.sources, group], key=lambda i: str(i["id"]))
            created = _Resource(
                current.collection, current.key, current.member, Listing.of_items(items)
            )
            self._resources[resource.collection] = created
            return created

    def _list(self, resource: _Resource, request: ApiRequest) -> Response:
        query = request.query
        listing = resource.listing
        wanted = {k: v for k, v in query.items() if k not in _RESERVED}
        if wanted:
            listing = listing.select(lambda i: all(_matches(i, k, v) for k, v in wanted.items()))
        base = f"{self.service_url}/v2.0/{resource.collection}"
        return Response(200, neutron_page(listing, request, self.max_limit, base, resource.key))
