"""The normalised fields of each collection, documented once.

Used by the rules validation (a field named in ``ignore`` or ``severity`` must
exist), the JSON Schema of snapshots, and the documentation.
"""

from __future__ import annotations

from types import MappingProxyType

COMMON = {
    "id": "Stable id of the item in its cloud.",
    "name": "Name (endpoints: service_type/interface/region, since they have none).",
}

PROJECT_OWNED = {
    "project": "Name of the owning project (null when the project is unknown).",
    "project_id": "Id of the owning project.",
    "domain": "Name of the owning project's domain.",
}

FIELDS: MappingProxyType[str, MappingProxyType[str, str]] = MappingProxyType(
    {
        "projects": MappingProxyType(
            {
                **COMMON,
                "domain": "Name of the project's domain.",
                "domain_id": "Id of the project's domain.",
                "enabled": "False when the project is disabled.",
                "description": "Free text.",
                "tags": "Sorted list of tags.",
                "parent": "Name of the parent project; null for a top-level project.",
            }
        ),
        "servers": MappingProxyType(
            {
                **COMMON,
                **PROJECT_OWNED,
                "status": "Nova status (ACTIVE, SHUTOFF, ERROR...).",
                "flavor": "{name, vcpus, ram (MiB), disk (GiB)} whatever the microversion.",
                "image": "{id, name} of the boot image; null when booted from a volume.",
                "key_name": "Keypair name.",
                "availability_zone": "Availability zone.",
                "metadata": "Server metadata; values of secret-looking keys masked.",
                "addresses": "{network: [ip, ...]}.",
                "volumes": "Sorted ids of the attached volumes.",
                "security_groups": "Sorted names of the security groups.",
                "partial": "Present and true for a down-cell partial record (compute 2.69+).",
            }
        ),
        "volumes": MappingProxyType(
            {
                **COMMON,
                **PROJECT_OWNED,
                "status": "Cinder status (available, in-use, error...).",
                "size": "Size in GiB.",
                "volume_type": "Volume type name.",
                "bootable": "True when bootable.",
                "encrypted": "True when encrypted.",
                "availability_zone": "Availability zone.",
                "metadata": "Volume metadata; values of secret-looking keys masked.",
                "attachments": "Sorted ids of the servers the volume is attached to.",
                "migration_target_of": "Present on the temporary target volume of an"
                " in-progress migration or retype (Cinder migration_status target:<id>): the"
                " id of the volume being moved. Left out of the comparison.",
            }
        ),
        "endpoints": MappingProxyType(
            {
                **COMMON,
                "service_type": "Catalog service type (compute, identity...).",
                "service_name": "Catalog service name.",
                "interface": "public, internal or admin.",
                "region": "Region id.",
                "url": "Endpoint URL.",
                "enabled": "False when the endpoint is disabled.",
            }
        ),
        # -- extended collections -------------------------------------------
        "domains": MappingProxyType(
            {
                **COMMON,
                "description": "Free text.",
                "enabled": "False when the domain is disabled.",
            }
        ),
        "regions": MappingProxyType(
            {
                "id": "Region id (its name in every API).",
                "name": "Same as the id.",
                "description": "Free text.",
                "parent": "Id of the parent region, null for a top-level region.",
            }
        ),
        "services": MappingProxyType(
            {
                **COMMON,
                "service_type": "Catalog type (compute, identity...).",
                "description": "Free text.",
                "enabled": "False when the service is disabled.",
            }
        ),
        "flavors": MappingProxyType(
            {
                **COMMON,
                "vcpus": "Virtual CPUs.",
                "ram": "RAM in MiB.",
                "disk": "Root disk in GiB.",
                "ephemeral": "Ephemeral disk in GiB.",
                "swap": "Swap in MiB (0 when none).",
                "is_public": "False for a private flavor.",
                "extra_specs": "Extra specs (compute 2.61+ lists them with the flavor;"
                " null before, when they are unknown).",
                "access": "Sorted names of the projects a private flavor is shared with.",
                "access_ids": "Sorted ids of those projects (compared through the project"
                " matches; names alone are ambiguous across domains).",
            }
        ),
        "images": MappingProxyType(
            {
                **COMMON,
                **PROJECT_OWNED,
                "status": "Glance status (active, queued, deactivated...).",
                "visibility": "public, private, shared or community.",
                "hidden": "True when hidden from the default image list (os_hidden).",
                "protected": "True when protected from deletion.",
                "disk_format": "qcow2, raw...",
                "container_format": "bare, ovf...",
                "size": "Size in bytes.",
                "min_disk": "Minimum disk in GiB.",
                "min_ram": "Minimum RAM in MiB.",
                "checksum": "algo:hex of the image data (os_hash_algo:os_hash_value, else"
                " md5:checksum): compared only between equal algorithms; null without data.",
            }
        ),
        "keypairs": MappingProxyType(
            {
                "id": "user_id/name (keypairs have no id of their own).",
                "name": "Keypair name.",
                "user": "Name of the owning user.",
                "user_id": "Id of the owning user.",
                "domain": "Name of the owning user's domain.",
                "type": "ssh or x509.",
                "fingerprint": "Fingerprint of the public key.",
            }
        ),
        "networks": MappingProxyType(
            {
                **COMMON,
                **PROJECT_OWNED,
                "status": "ACTIVE, DOWN...",
                "admin_state_up": "False when administratively down.",
                "shared": "Neutron's shared flag: true when shared with every project or with"
                " the auditor's own project (grants to other projects are not visible).",
                "external": "True for an external (router:external) network.",
                "mtu": "MTU.",
                "subnets": "Sorted names of its subnets.",
            }
        ),
        "subnets": MappingProxyType(
            {
                **COMMON,
                **PROJECT_OWNED,
                "network": "Name of its network.",
                "network_id": "Id of its network.",
                "cidr": "CIDR.",
                "ip_version": "4 or 6.",
                "gateway_ip": "Gateway address, null when none.",
                "enable_dhcp": "True when DHCP is on.",
                "dns_nameservers": "Sorted DNS servers.",
                "host_routes": "Sorted routes: [{destination, nexthop}].",
            }
        ),
        "routers": MappingProxyType(
            {
                **COMMON,
                **PROJECT_OWNED,
                "status": "ACTIVE, DOWN...",
                "admin_state_up": "False when administratively down.",
                "external_network": "Name of the network of its gateway, null without one.",
                "enable_snat": "SNAT on the gateway (null without one).",
                "interfaces": "Sorted ids of the subnets it has an interface on.",
                "routes": "Sorted extra routes: [{destination, nexthop}].",
            }
        ),
        "security_groups": MappingProxyType(
            {
                **COMMON,
                **PROJECT_OWNED,
                "description": "Free text.",
                "rules": "Sorted rules: {direction, ethertype, protocol, port_range_min,"
                " port_range_max, remote_ip_prefix, remote_group}, remote_group by name.",
            }
        ),
        "floating_ips": MappingProxyType(
            {
                "id": "Stable id.",
                "name": "The floating IP address.",
                **PROJECT_OWNED,
                "floating_network": "Name of the external network it comes from.",
                "fixed_ip": "Fixed address it is associated with, null when free.",
                "port_id": "Id of the port it points to, null when free.",
                "server_id": "Id of the server owning that port, null when none.",
                "status": "ACTIVE, DOWN...",
                "description": "Free text.",
            }
        ),
        "volume_snapshots": MappingProxyType(
            {
                **COMMON,
                **PROJECT_OWNED,
                "status": "available, error...",
                "size": "Size in GiB.",
                "volume_id": "Id of the volume it is a snapshot of.",
                "metadata": "Metadata; values of secret-looking keys masked.",
            }
        ),
        "volume_backups": MappingProxyType(
            {
                **COMMON,
                **PROJECT_OWNED,
                "status": "available, error...",
                "size": "Size in GiB.",
                "volume_id": "Id of the volume it backs up.",
                "incremental": "True for an incremental backup.",
            }
        ),
        "quotas": MappingProxyType(
            {
                "id": "project_id/service.",
                "name": "Service type: compute, block-storage or network.",
                **PROJECT_OWNED,
                "limits": "{resource: limit} (-1 unlimited).",
                "usage": "{resource: in use} where the service reports it.",
            }
        ),
    }
)

PROJECT_OWNED_COLLECTIONS = frozenset(
    name for name, fields in FIELDS.items() if "project_id" in fields
)

ALL_COLLECTIONS = (
    "projects",
    "servers",
    "volumes",
    "endpoints",
    "domains",
    "regions",
    "services",
    "flavors",
    "images",
    "keypairs",
    "networks",
    "subnets",
    "routers",
    "security_groups",
    "floating_ips",
    "volume_snapshots",
    "volume_backups",
    "quotas",
)
"""Every collection the SPEC names, core first (rules may name any of them)."""

LEFT_OUT: MappingProxyType[str, tuple[str, str]] = MappingProxyType(
    {
        "volumes": (
            "migration_target_of",
            "temporary target volumes of in-progress migrations or retypes",
        ),
    }
)
"""Collection -> (field marking an item the diff leaves out, what such items are): they
are no resource of their own, and the report says how many were left out."""
