"""Cinder (block storage v3): volumes with their attachments."""

from __future__ import annotations

from typing import Any

from auditor.collect.spec import JSON, Collection, Listing, Lookups
from auditor.secrets import mask_mapping

CLIENT_MAX_MICROVERSION = "3.70"
"""Highest block-storage microversion whose volume shapes this module knows."""

VOLUME_FIELDS = frozenset(
    {
        "id",
        "name",
        "os-vol-tenant-attr:tenant_id",
        "project_id",
        "status",
        "size",
        "volume_type",
        "bootable",
        "encrypted",
        "availability_zone",
        "metadata",
        "attachments",
    }
)
"""What :func:`normalise_volumes` reads of a volume."""

# Cinder caps limit at osapi_max_limit (default 1000) and gives volumes_links
# "next" only when a page is full.
LISTINGS = (
    Listing(
        "block-storage.volumes",
        "block_storage",
        "block-storage",
        "/volumes/detail",
        "volumes",
        {"all_tenants": "True", "limit": "1000"},
        microversioned=True,
        fields=VOLUME_FIELDS,
    ),
)


def _bool(value: Any) -> bool:
    # Cinder answers bootable as the string "true"/"false".
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def normalise_volumes(raw: list[JSON], lk: Lookups) -> list[JSON]:
    out = []
    for v in raw:
        project_id = v.get("os-vol-tenant-attr:tenant_id") or v.get("project_id")
        out.append(
            {
                "id": v["id"],
                "name": v.get("name") or "",
                "project": lk.project_name(project_id),
                "project_id": project_id,
                "domain": lk.project_domain(project_id),
                "status": v.get("status"),
                "size": v.get("size"),
                "volume_type": v.get("volume_type"),
                "bootable": _bool(v.get("bootable")),
                "encrypted": _bool(v.get("encrypted")),
                "availability_zone": v.get("availability_zone"),
                "metadata": mask_mapping(v.get("metadata")),
                "attachments": sorted(
                    {
                        a["server_id"]
                        for a in v.get("attachments") or []
                        if isinstance(a, dict) and a.get("server_id")
                    }
                ),
            }
        )
    return out


COLLECTIONS = (
    Collection(
        "volumes",
        "block-storage.volumes",
        normalise_volumes,
        requires=lambda _mv: ("identity.projects", "identity.domains"),
        microversion_service="block-storage",
        per_page=True,
    ),
)
