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
