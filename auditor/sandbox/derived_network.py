"""The network a snapshot without network collections implies: from its servers.

A snapshot may hold servers and no Neutron collections (an inventory of
``--collections servers``); the sandbox's Neutron then serves the networks,
subnets, ports and security groups the servers' addresses and groups name, as
a cloud holding those servers would have them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

from auditor.sandbox.ids import synthetic_mac, synthetic_uuid
from auditor.sandbox.neutron_paging import STAMP, owned
from auditor.sandbox.views.network import subnet_view
from auditor.sandbox.wire import JSON


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
                    **owned(project_id),
                    "description": "Default security group" if name == "default" else "",
                    "security_group_rules": [],
                    "stateful": True,
                    "shared": False,
                    "tags": [],
                    **STAMP,
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
                    **owned(project_id),
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
                    **STAMP,
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
                    **owned(project_id),
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
                    **STAMP,
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
        subnet = subnet_view(
            {
                "id": synthetic_uuid(cloud, "subnet", network["id"], address.version),
                "name": f"{network['name']}-v{address.version}",
                "network_id": network["id"],
                "project_id": network["project_id"],
                "ip_version": address.version,
                "cidr": str(cidr),
                "gateway_ip": gateway,
                "enable_dhcp": True,
            }
        )
        subnets[key] = subnet
        network["subnets"].append(subnet["id"])
    return subnet
