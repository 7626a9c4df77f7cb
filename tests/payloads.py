"""API-reference-shaped items: what Keystone, Nova, Cinder and Glance answer."""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]


def domain(id_: str, name: str) -> JSON:
    return {
        "id": id_,
        "name": name,
        "description": "",
        "enabled": True,
        "tags": [],
        "options": {},
        "links": {"self": f"http://keystone.test:5000/v3/domains/{id_}"},
    }


def project(
    id_: str,
    name: str,
    domain_id: str,
    *,
    parent_id: str | None = None,
    enabled: bool = True,
    description: str = "",
    tags: list[str] | None = None,
) -> JSON:
    return {
        "id": id_,
        "name": name,
        "domain_id": domain_id,
        "description": description,
        "enabled": enabled,
        "is_domain": False,
        "parent_id": parent_id or domain_id,
        "tags": tags or [],
        "options": {},
        "links": {"self": f"http://keystone.test:5000/v3/projects/{id_}"},
    }


def service(id_: str, type_: str, name: str) -> JSON:
    return {
        "id": id_,
        "type": type_,
        "name": name,
        "enabled": True,
        "description": "",
        "links": {"self": f"http://keystone.test:5000/v3/services/{id_}"},
    }


def endpoint(id_: str, service_id: str, interface: str, region: str, url: str) -> JSON:
    return {
        "id": id_,
        "service_id": service_id,
        "interface": interface,
        "region": region,
        "region_id": region,
        "url": url,
        "enabled": True,
        "links": {"self": f"http://keystone.test:5000/v3/endpoints/{id_}"},
    }


def flavor(
    id_: str,
    name: str,
    vcpus: int,
    ram: int,
    disk: int,
    public: bool = True,
    *,
    ephemeral: int = 0,
    swap: int = 0,
    extra_specs: dict[str, str] | None = None,
    microversion: tuple[int, int] = (2, 1),
) -> JSON:
    """A flavor of GET /flavors/detail at ``microversion`` (extra specs from 2.61, swap an
    int from 2.75; before, no swap is "")."""
    body: JSON = {
        "id": id_,
        "name": name,
        "vcpus": vcpus,
        "ram": ram,
        "disk": disk,
        "OS-FLV-EXT-DATA:ephemeral": ephemeral,
        "OS-FLV-DISABLED:disabled": False,
        "swap": swap if swap or microversion >= (2, 75) else "",
        "rxtx_factor": 1.0,
        "os-flavor-access:is_public": public,
        "links": [{"rel": "self", "href": f"http://nova.test:8774/v2.1/flavors/{id_}"}],
    }
    if microversion >= (2, 55):
        body["description"] = None
    if microversion >= (2, 61):
        body["extra_specs"] = dict(extra_specs or {})
    return body


def region(id_: str, *, parent: str | None = None, description: str = "") -> JSON:
    """A region of GET /v3/regions."""
    return {
        "id": id_,
        "description": description,
        "parent_region_id": parent,
        "links": {"self": f"http://keystone.test:5000/v3/regions/{id_}"},
    }


def user(id_: str, name: str, domain_id: str) -> JSON:
    """A user of GET /v3/users."""
    return {
        "id": id_,
        "name": name,
        "domain_id": domain_id,
        "enabled": True,
        "default_project_id": None,
        "password_expires_at": None,
        "options": {},
        "links": {"self": f"http://keystone.test:5000/v3/users/{id_}"},
    }


def keypair(name: str, fingerprint: str, *, type_: str | None = "ssh") -> JSON:
    """An item of GET /os-keypairs (each keypair wrapped; ``type`` from 2.2)."""
    body: JSON = {
        "name": name,
        "public_key": f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFake{name} {name}@example",
        "fingerprint": fingerprint,
    }
    if type_ is not None:
        body["type"] = type_
    return {"keypair": body}


def server(
    id_: str,
    name: str,
    project_id: str,
    *,
    flavor_: JSON,
    microversion: tuple[int, int] = (2, 96),
    status: str = "ACTIVE",
    image_id: str | None = "img-1",
    volumes: list[str] | None = None,
    metadata: dict[str, str] | None = None,
    addresses: dict[str, list[str]] | None = None,
    security_groups: list[str] | None = None,
    key_name: str | None = "ops-key",
    az: str = "nova",
    tags: list[str] | None = None,
    config_drive: bool = False,
    locked: bool = False,
    locked_reason: str | None = None,
) -> JSON:
    """A server of GET /servers/detail at the given microversion."""
    if microversion >= (2, 47):
        flavor_view: JSON = {
            "original_name": flavor_["name"],
            "vcpus": flavor_["vcpus"],
            "ram": flavor_["ram"],
            "disk": flavor_["disk"],
            "ephemeral": 0,
            "swap": 0,
            "extra_specs": {},
        }
    else:
        flavor_view = {
            "id": flavor_["id"],
            "links": [
                {"rel": "bookmark", "href": f"http://nova.test:8774/flavors/{flavor_['id']}"}
            ],
        }
    body: JSON = {
        "id": id_,
        "name": name,
        "status": status,
        "tenant_id": project_id,
        "user_id": "u-1",
        "metadata": metadata or {},
        "hostId": "c8a9e1f3" * 7,
        "image": (
            {
                "id": image_id,
                "links": [{"rel": "bookmark", "href": f"http://nova.test:8774/images/{image_id}"}],
            }
            if image_id
            else ""
        ),
        "flavor": flavor_view,
        "created": "2024-03-01T10:00:00Z",
        "updated": "2026-11-20T10:00:00Z",
        "addresses": {
            net: [
                {
                    "version": 4,
                    "addr": ip,
                    "OS-EXT-IPS:type": "fixed",
                    "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:00:00:01",
                }
                for ip in ips
            ]
            for net, ips in (addresses or {"private": ["10.0.0.5"]}).items()
        },
        "accessIPv4": "",
        "accessIPv6": "",
        "links": [{"rel": "self", "href": f"http://nova.test:8774/v2.1/servers/{id_}"}],
        "OS-DCF:diskConfig": "AUTO",
        "progress": 0,
        "OS-EXT-AZ:availability_zone": az,
        "config_drive": "True" if config_drive else "",
        "key_name": key_name,
        "OS-SRV-USG:launched_at": "2024-03-01T10:01:00.000000",
        "OS-SRV-USG:terminated_at": None,
        "OS-EXT-SRV-ATTR:host": "compute-12",
        "OS-EXT-SRV-ATTR:instance_name": "instance-0000002a",
        "OS-EXT-SRV-ATTR:hypervisor_hostname": "compute-12.fr1",
        "OS-EXT-STS:task_state": None,
        "OS-EXT-STS:vm_state": "active",
        "OS-EXT-STS:power_state": 1,
        "os-extended-volumes:volumes_attached": [
            {"id": v, "delete_on_termination": False} for v in (volumes or [])
        ],
        "security_groups": [{"name": g} for g in (security_groups or ["default"])],
    }
    if microversion >= (2, 26):
        body["tags"] = list(tags or [])
    if microversion >= (2, 9):
        body["locked"] = locked
    if microversion >= (2, 73):
        body["locked_reason"] = locked_reason
    return body


def down_cell_server(id_: str, project_id: str) -> JSON:
    """A partial record of a server in a cell that is down (compute 2.69+)."""
    return {
        "id": id_,
        "status": "UNKNOWN",
        "tenant_id": project_id,
        "created": "2024-03-01T10:00:00Z",
        "links": [{"rel": "self", "href": f"http://nova.test:8774/v2.1/servers/{id_}"}],
    }


def volume(
    id_: str,
    name: str,
    project_id: str,
    *,
    size: int = 10,
    status: str = "available",
    attached_to: list[str] | None = None,
    bootable: bool = False,
    encrypted: bool = False,
    volume_type: str = "ceph-ssd",
    metadata: dict[str, str] | None = None,
) -> JSON:
    """A volume of GET /v3/{project_id}/volumes/detail."""
    attachments = [
        {
            "server_id": s,
            "attachment_id": f"att-{id_}-{s}",
            "attached_at": "2024-03-01T10:02:00",
            "host_name": None,
            "volume_id": id_,
            "device": "/dev/vdb",
            "id": id_,
        }
        for s in (attached_to or [])
    ]
    return {
        "id": id_,
        "name": name,
        "status": "in-use" if attached_to else status,
        "size": size,
        "availability_zone": "nova",
        "created_at": "2024-03-01T10:00:00.000000",
        "updated_at": "2026-11-20T10:00:00.000000",
        "attachments": attachments,
        "bootable": "true" if bootable else "false",
        "encrypted": encrypted,
        "volume_type": volume_type,
        "multiattach": False,
        "metadata": metadata or {},
        "description": None,
        "user_id": "u-1",
        "os-vol-tenant-attr:tenant_id": project_id,
        "os-vol-host-attr:host": "cinder-vol-1@ceph#ceph",
        "os-vol-mig-status-attr:migstat": None,
        "os-vol-mig-status-attr:name_id": None,
        "replication_status": None,
        "consistencygroup_id": None,
        "source_volid": None,
        "snapshot_id": None,
        "links": [{"rel": "self", "href": f"http://cinder.test:8776/v3/p/volumes/{id_}"}],
    }


def image(
    id_: str,
    name: str | None,
    *,
    hidden: bool = False,
    visibility: str = "public",
    owner: str | None = "p-admin",
    status: str = "active",
    size: int | None = 1024,
    checksum: str | None = "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
    os_hash_value: str | None = "9f86d081884c7d65" * 8,
    protected: bool = False,
    disk_format: str = "qcow2",
    min_disk: int = 0,
    min_ram: int = 0,
) -> JSON:
    """An image of GET /v2/images (Glance 17.0+: with its multihash)."""
    return {
        "id": id_,
        "name": name,
        "status": status,
        "visibility": visibility,
        "os_hidden": hidden,
        "owner": owner,
        "disk_format": disk_format,
        "container_format": "bare",
        "size": size,
        "virtual_size": None,
        "checksum": checksum,
        "os_hash_algo": "sha512" if os_hash_value else None,
        "os_hash_value": os_hash_value,
        "min_disk": min_disk,
        "min_ram": min_ram,
        "protected": protected,
        "tags": [],
        "created_at": "2024-02-01T08:00:00Z",
        "updated_at": "2024-02-01T08:05:00Z",
        "self": f"/v2/images/{id_}",
        "file": f"/v2/images/{id_}/file",
        "schema": "/v2/schemas/image",
    }


def snapshot(
    id_: str,
    name: str,
    project_id: str,
    volume_id: str,
    *,
    size: int = 10,
    status: str = "available",
    metadata: dict[str, str] | None = None,
) -> JSON:
    """A snapshot of GET /v3/{project_id}/snapshots/detail (microversion 3.65+)."""
    return {
        "id": id_,
        "name": name,
        "description": None,
        "status": status,
        "size": size,
        "volume_id": volume_id,
        "metadata": metadata or {},
        "created_at": "2024-03-02T10:00:00.000000",
        "updated_at": "2024-03-02T10:01:00.000000",
        "os-extended-snapshot-attributes:project_id": project_id,
        "os-extended-snapshot-attributes:progress": "100%",
        "group_snapshot_id": None,
        "user_id": "u-1",
        "consumes_quota": True,
    }


def backup(
    id_: str,
    name: str,
    project_id: str | None,
    volume_id: str,
    *,
    size: int = 10,
    status: str = "available",
    incremental: bool = False,
) -> JSON:
    """A backup of GET /v3/{project_id}/backups/detail; ``project_id`` None is what
    Cinder answers below microversion 3.18 (no ``os-backup-project-attr:project_id``)."""
    body: JSON = {
        "id": id_,
        "name": name,
        "description": None,
        "status": status,
        "size": size,
        "volume_id": volume_id,
        "snapshot_id": None,
        "is_incremental": incremental,
        "has_dependent_backups": False,
        "container": "volumebackups",
        "availability_zone": "nova",
        "object_count": 22,
        "fail_reason": None,
        "data_timestamp": "2024-03-03T02:00:00.000000",
        "created_at": "2024-03-03T02:00:00.000000",
        "updated_at": "2024-03-03T02:10:00.000000",
        "links": [{"rel": "self", "href": f"http://cinder.test:8776/v3/p/backups/{id_}"}],
    }
    if project_id is not None:
        body["os-backup-project-attr:project_id"] = project_id
    return body


def _detail(values: dict[str, tuple[int, int]], used: str) -> JSON:
    return {k: {"limit": limit, used: use, "reserved": 0} for k, (limit, use) in values.items()}


def nova_quota_set(project_id: str, **values: tuple[int, int]) -> JSON:
    """GET /os-quota-sets/{project_id}/detail (compute 2.57+): {resource: (limit, in use)}
    over Nova's defaults."""
    defaults = {
        "cores": (20, 0),
        "instances": (10, 0),
        "key_pairs": (100, 0),
        "metadata_items": (128, 0),
        "ram": (51200, 0),
        "server_group_members": (10, 0),
        "server_groups": (10, 0),
    }
    return {"id": project_id, **_detail({**defaults, **values}, "in_use")}


def cinder_quota_set(project_id: str, **values: tuple[int, int]) -> JSON:
    """GET /v3/{admin}/os-quota-sets/{project_id}?usage=True over Cinder's defaults."""
    defaults = {
        "backup_gigabytes": (1000, 0),
        "backups": (10, 0),
        "gigabytes": (1000, 0),
        "groups": (10, 0),
        "per_volume_gigabytes": (-1, 0),
        "snapshots": (10, 0),
        "volumes": (10, 0),
    }
    body = _detail({**defaults, **values}, "in_use")
    for entry in body.values():
        entry["allocated"] = 0
    return {"id": project_id, **body}


def neutron_quota_details(_project_id: str, **values: tuple[int, int]) -> JSON:
    """GET /v2.0/quotas/{project_id}/details (the quota details extension) over
    Neutron's defaults; the answer does not name the project."""
    defaults = {
        "floatingip": (50, 0),
        "network": (100, 0),
        "port": (500, 0),
        "rbac_policy": (10, 0),
        "router": (10, 0),
        "security_group": (10, 0),
        "security_group_rule": (100, 0),
        "subnet": (100, 0),
        "subnetpool": (-1, 0),
    }
    return _detail({**defaults, **values}, "used")


# -- neutron (network v2.0) ------------------------------------------------------------

_NEUTRON_STAMP = {
    "created_at": "2024-01-10T08:00:00Z",
    "updated_at": "2024-01-10T08:00:00Z",
    "revision_number": 3,
    "tags": [],
}


def network(
    id_: str,
    name: str,
    project_id: str,
    *,
    subnets: list[str] | None = None,
    status: str = "ACTIVE",
    admin_state_up: bool = True,
    shared: bool = False,
    external: bool = False,
    mtu: int = 1450,
) -> JSON:
    """A network of GET /v2.0/networks (ML2/OVN, with the usual extensions)."""
    return {
        "id": id_,
        "name": name,
        "tenant_id": project_id,
        "project_id": project_id,
        "status": status,
        "admin_state_up": admin_state_up,
        "shared": shared,
        "router:external": external,
        "mtu": mtu,
        "subnets": subnets or [],
        "availability_zone_hints": [],
        "availability_zones": ["nova"],
        "ipv4_address_scope": None,
        "ipv6_address_scope": None,
        "port_security_enabled": True,
        "provider:network_type": "flat" if external else "geneve",
        "provider:physical_network": "physnet1" if external else None,
        "provider:segmentation_id": None if external else 1042,
        "qos_policy_id": None,
        "dns_domain": "",
        "is_default": external,
        "l2_adjacency": True,
        "description": "",
        **_NEUTRON_STAMP,
    }


def subnet(
    id_: str,
    name: str,
    project_id: str,
    network_id: str,
    cidr: str,
    *,
    gateway_ip: str | None = None,
    enable_dhcp: bool = True,
    dns_nameservers: list[str] | None = None,
    host_routes: list[JSON] | None = None,
) -> JSON:
    """A subnet of GET /v2.0/subnets."""
    version = 6 if ":" in cidr else 4
    return {
        "id": id_,
        "name": name,
        "tenant_id": project_id,
        "project_id": project_id,
        "network_id": network_id,
        "ip_version": version,
        "cidr": cidr,
        "gateway_ip": gateway_ip,
        "enable_dhcp": enable_dhcp,
        "allocation_pools": [],
        "dns_nameservers": dns_nameservers or [],
        "host_routes": host_routes or [],
        "ipv6_address_mode": None,
        "ipv6_ra_mode": None,
        "subnetpool_id": None,
        "segment_id": None,
        "service_types": [],
        "dns_publish_fixed_ip": False,
        "description": "",
        **_NEUTRON_STAMP,
    }


PORT_FIELDS = (
    "id",
    "name",
    "tenant_id",
    "project_id",
    "network_id",
    "mac_address",
    "fixed_ips",
    "allowed_address_pairs",
    "port_security_enabled",
    "security_groups",
    "device_owner",
    "device_id",
    "status",
    "admin_state_up",
)
"""The ``fields=`` the auditor asks of Neutron's ports, in order (pinned here, apart from
the catalog's own list)."""


def port(
    id_: str,
    network_id: str,
    project_id: str,
    *,
    device_id: str = "",
    device_owner: str = "",
    fixed_ips: list[tuple[str, str]] | None = None,
) -> JSON:
    """A port of GET /v2.0/ports; ``fixed_ips`` as (subnet id, address) pairs."""
    return {
        "id": id_,
        "name": "",
        "network_id": network_id,
        "tenant_id": project_id,
        "project_id": project_id,
        "mac_address": "fa:16:3e:4f:2a:01",
        "admin_state_up": True,
        "status": "ACTIVE",
        "device_id": device_id,
        "device_owner": device_owner,
        "fixed_ips": [{"subnet_id": s, "ip_address": ip} for s, ip in fixed_ips or []],
        "allowed_address_pairs": [],
        "extra_dhcp_opts": [],
        "security_groups": [],
        "binding:vnic_type": "normal",
        "binding:host_id": "compute-12",
        "binding:vif_type": "ovs",
        "binding:vif_details": {"port_filter": True},
        "binding:profile": {},
        "port_security_enabled": True,
        "dns_name": "",
        "description": "",
        **_NEUTRON_STAMP,
    }


def address_scope(
    id_: str, name: str, project_id: str, *, ip_version: int = 4, shared: bool = False
) -> JSON:
    """An address scope of GET /v2.0/address-scopes (neutron 29's fields)."""
    return {
        "id": id_,
        "name": name,
        "tenant_id": project_id,
        "project_id": project_id,
        "ip_version": ip_version,
        "shared": shared,
        **_NEUTRON_STAMP,
    }


def subnet_pool(
    id_: str,
    name: str,
    project_id: str,
    prefixes: list[str],
    *,
    address_scope_id: str | None = None,
    **fields: Any,
) -> JSON:
    """A subnet pool of GET /v2.0/subnetpools (neutron 29's fields: prefix lengths as
    strings)."""
    return {
        "id": id_,
        "name": name,
        "tenant_id": project_id,
        "project_id": project_id,
        "prefixes": prefixes,
        "ip_version": 4,
        "default_prefixlen": "24",
        "min_prefixlen": "8",
        "max_prefixlen": "32",
        "default_quota": None,
        "is_default": False,
        "shared": False,
        "address_scope_id": address_scope_id,
        "description": "",
        **_NEUTRON_STAMP,
        **fields,
    }


def rbac_policy(
    id_: str,
    network_id: str,
    project_id: str,
    target: str,
    action: str = "access_as_shared",
) -> JSON:
    """A network RBAC policy of GET /v2.0/rbac-policies (neutron 29's fields)."""
    return {
        "id": id_,
        "object_type": "network",
        "object_id": network_id,
        "action": action,
        "target_tenant": target,
        "tenant_id": project_id,
        "project_id": project_id,
    }


def router(
    id_: str,
    name: str,
    project_id: str,
    *,
    gateway_network: str | None = None,
    enable_snat: bool | None = True,
    routes: list[JSON] | None = None,
    status: str = "ACTIVE",
) -> JSON:
    """A router of GET /v2.0/routers (as an admin sees it: enable_snat is admin-only)."""
    gateway: JSON | None = None
    if gateway_network is not None:
        gateway = {
            "network_id": gateway_network,
            "external_fixed_ips": [{"subnet_id": "sub-ext", "ip_address": "203.0.113.2"}],
        }
        if enable_snat is not None:
            gateway["enable_snat"] = enable_snat
    return {
        "id": id_,
        "name": name,
        "tenant_id": project_id,
        "project_id": project_id,
        "status": status,
        "admin_state_up": True,
        "external_gateway_info": gateway,
        "routes": routes or [],
        "distributed": False,
        "ha": False,
        "flavor_id": None,
        "availability_zone_hints": [],
        "availability_zones": ["nova"],
        "description": "",
        **_NEUTRON_STAMP,
    }


def sg_rule(
    id_: str,
    group_id: str,
    project_id: str,
    direction: str = "ingress",
    *,
    ethertype: str = "IPv4",
    protocol: str | None = None,
    ports: tuple[int, int] | None = None,
    remote_ip_prefix: str | None = None,
    remote_group_id: str | None = None,
) -> JSON:
    """A security group rule, as embedded in a group's ``security_group_rules``."""
    return {
        "id": id_,
        "security_group_id": group_id,
        "tenant_id": project_id,
        "project_id": project_id,
        "direction": direction,
        "ethertype": ethertype,
        "protocol": protocol,
        "port_range_min": ports[0] if ports else None,
        "port_range_max": ports[1] if ports else None,
        "remote_ip_prefix": remote_ip_prefix,
        "remote_group_id": remote_group_id,
        "remote_address_group_id": None,
        "normalized_cidr": remote_ip_prefix,
        "belongs_to_default_sg": False,
        "description": "",
        **_NEUTRON_STAMP,
    }


def security_group(
    id_: str, name: str, project_id: str, rules: list[JSON], *, description: str = ""
) -> JSON:
    """A security group of GET /v2.0/security-groups, its rules embedded."""
    return {
        "id": id_,
        "name": name,
        "tenant_id": project_id,
        "project_id": project_id,
        "description": description,
        "security_group_rules": rules,
        "stateful": True,
        "shared": False,
        **_NEUTRON_STAMP,
    }


def floating_ip(
    id_: str,
    address: str,
    project_id: str,
    network_id: str,
    *,
    port_id: str | None = None,
    fixed_ip: str | None = None,
    device_id: str | None = None,
    device_owner: str = "compute:nova",
    status: str | None = None,
    port_details: bool = True,
) -> JSON:
    """A floating IP of GET /v2.0/floatingips; ``port_details`` (fip-port-details, Rocky+)
    says the device of its port."""
    body: JSON = {
        "id": id_,
        "floating_ip_address": address,
        "floating_network_id": network_id,
        "tenant_id": project_id,
        "project_id": project_id,
        "fixed_ip_address": fixed_ip,
        "port_id": port_id,
        "router_id": "r-1" if port_id else None,
        "status": status or ("ACTIVE" if port_id else "DOWN"),
        "qos_policy_id": None,
        "dns_domain": "",
        "dns_name": "",
        "port_forwardings": [],
        "description": "",
        **_NEUTRON_STAMP,
    }
    if port_details:
        body["port_details"] = (
            {
                "name": "",
                "network_id": "n-private",
                "mac_address": "fa:16:3e:4f:2a:01",
                "admin_state_up": True,
                "status": "ACTIVE",
                "device_id": device_id or "",
                "device_owner": device_owner,
            }
            if port_id
            else None
        )
    return body


# -- Designate (DNS v2) ------------------------------------------------------------------


def dns_zone(
    id_: str,
    name: str,
    project_id: str,
    *,
    email: str = "hostmaster@example.org",
    ttl: int = 7200,
    type_: str = "PRIMARY",
    masters: list[str] | None = None,
    status: str = "ACTIVE",
    description: str | None = None,
) -> JSON:
    """A zone of GET /v2/zones, with every field of the API reference's sample."""
    return {
        "id": id_,
        "pool_id": "572ba08c-d929-4c70-8e42-03824bb24ca2",
        "project_id": project_id,
        "name": name,
        "email": email,
        "ttl": ttl,
        "serial": 1404757531,
        "status": status,
        "action": "NONE",
        "description": description,
        "masters": list(masters or []),
        "type": type_,
        "transferred_at": None,
        "version": 1,
        "created_at": "2014-07-07T18:25:31.275934",
        "updated_at": None,
        "attributes": {"tier": "gold"},
        "links": {"self": f"https://127.0.0.1:9001/v2/zones/{id_}"},
    }


def dns_recordset(
    id_: str,
    name: str,
    zone: JSON,
    type_: str,
    records: list[str],
    *,
    ttl: int | None = None,
    status: str = "ACTIVE",
    description: str | None = None,
) -> JSON:
    """A record set of GET /v2/recordsets, with every field of the API reference's sample."""
    return {
        "id": id_,
        "name": name,
        "project_id": zone["project_id"],
        "zone_id": zone["id"],
        "zone_name": zone["name"],
        "type": type_,
        "records": list(records),
        "ttl": ttl,
        "status": status,
        "action": "NONE",
        "description": description,
        "version": 1,
        "created_at": "2014-10-24T19:59:44.000000",
        "updated_at": None,
        "links": {
            "self": f"https://127.0.0.1:9001/v2/zones/{zone['id']}/recordsets/{id_}",
        },
    }
