"""Neutron v2.0: networks, subnets, ports and security groups derived from the servers.

A modest reconstruction: one network per network name of the servers'
addresses (owned by the project of the first server on it, shared when
several projects use it), one subnet per network and IP version, one port
per server and network, one security group per project and group name. It is
built on the first Neutron request, so clouds nobody asks about cost nothing.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.sandbox.ids import synthetic_mac, synthetic_uuid
from auditor.sandbox.options import SandboxOptions
from auditor.sandbox.paging import Listing, MarkerNotFound, item_body, list_body, next_href
from auditor.sandbox.wire import (
    JSON,
    ApiError,
    ApiRequest,
    ErrorStyle,
    Response,
    int_param,
    json_response,
)

RESOURCES = (
    ("networks", "network"),
    ("subnets", "subnet"),
    ("ports", "port"),
    ("security-groups", "security_group"),
)
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
    ) -> None:
        self.cloud = cloud
        self.servers = servers
        self.service_url = service_url
        self.max_limit = options.max_limit
        self._lock = threading.Lock()
        self._resources: dict[str, _Resource] | None = None

    def is_public(self, request: ApiRequest) -> bool:
        return request.path in ("", "/", "/v2.0", "/v2.0/")

    def resources(self) -> dict[str, _Resource]:
        with self._lock:
            if self._resources is None:
                derived = derive_network(self.cloud, self.servers)
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
        resource = self.resources().get(parts[1]) if len(parts) in (2, 3) else None
        if parts[0] != "v2.0" or resource is None:
            raise ApiError(404, "The resource could not be found.")
        if len(parts) == 3:
            chunk = resource.listing.get(parts[2])
            if chunk is None:
                raise ApiError(404, f"{resource.member} {parts[2]} could not be found.")
            return Response(200, item_body(resource.member, chunk))
        return self._list(resource, request.query)

    def _list(self, resource: _Resource, query: Mapping[str, str]) -> Response:
        listing = resource.listing
        wanted = {k: v for k, v in query.items() if k not in _RESERVED}
        if wanted:
            listing = listing.select(lambda i: all(_matches(i, k, v) for k, v in wanted.items()))
        limit = int_param(query, "limit")
        marker = query.get("marker")
        if limit is None and marker is None:
            return Response(200, list_body(resource.key, listing.chunks))
        limit = self.max_limit if not limit else min(limit, self.max_limit)
        try:
            chunks, last = listing.page(marker, limit)
        except MarkerNotFound:
            raise ApiError(404, f"{resource.member} {marker} could not be found.") from None
        base = f"{self.service_url}/v2.0/{resource.collection}"
        links = []
        if last is not None:
            links.append({"rel": "next", "href": next_href(base, query, limit, last)})
        if marker is not None and chunks:
            first = listing.ids[listing.index[marker] + 1]
            params = {**query, "page_reverse": "True"}
            links.append({"rel": "previous", "href": next_href(base, params, limit, first)})
        return Response(200, list_body(resource.key, chunks, {f"{resource.key}_links": links}))
