"""Cinder (block storage v3): volumes with their attachments, snapshots and backups."""

from __future__ import annotations

from typing import Any

from auditor.collect.spec import JSON, Collection, Listing, Lookups
from auditor.secrets import mask_mapping

CLIENT_MAX_MICROVERSION = "3.70"
"""Highest block-storage microversion whose volume shapes this module knows."""

MIGRATION_STATUS = "os-vol-mig-status-attr:migstat"
"""A volume's migration status, for admins (the v3 view also says ``migration_status``)."""
MIGRATION_TARGET = "target:"
"""Prefix of the migration status of the temporary target volume of a migration or retype:
``target:<id of the volume being moved>`` (cinder.volume.manager.migrate_volume)."""

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
        MIGRATION_STATUS,
        "migration_status",
    }
)
"""What :func:`normalise_volumes` reads of a volume."""
SNAPSHOT_FIELDS = frozenset(
    {
        "id",
        "name",
        "os-extended-snapshot-attributes:project_id",
        "status",
        "size",
        "volume_id",
        "metadata",
    }
)
"""What :func:`normalise_snapshots` reads of a snapshot."""
BACKUP_FIELDS = frozenset(
    {
        "id",
        "name",
        "os-backup-project-attr:project_id",
        "status",
        "size",
        "volume_id",
        "is_incremental",
    }
)
"""What :func:`normalise_backups` reads of a backup (its project from microversion 3.18)."""

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
    # Same paging (snapshots_links, backups_links).
    Listing(
        "block-storage.snapshots",
        "block_storage",
        "block-storage",
        "/snapshots/detail",
        "snapshots",
        {"all_tenants": "True", "limit": "1000"},
        microversioned=True,
        fields=SNAPSHOT_FIELDS,
    ),
    Listing(
        "block-storage.backups",
        "block_storage",
        "block-storage",
        "/backups/detail",
        "backups",
        {"all_tenants": "True", "limit": "1000"},
        microversioned=True,
        fields=BACKUP_FIELDS,
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
                **_migration_target(v),
            }
        )
    return out


def _migration_target(volume: JSON) -> JSON:
    """``{"migration_target_of": id}`` for the temporary target of an in-progress
    migration, which the diff leaves out; nothing for any other volume."""
    status = volume.get(MIGRATION_STATUS) or volume.get("migration_status")
    if isinstance(status, str) and status.startswith(MIGRATION_TARGET):
        return {"migration_target_of": status[len(MIGRATION_TARGET) :]}
    return {}


def normalise_snapshots(raw: list[JSON], lk: Lookups) -> list[JSON]:
    out = []
    for s in raw:
        project_id = s.get("os-extended-snapshot-attributes:project_id")
        out.append(
            {
                "id": s["id"],
                "name": s.get("name") or "",
                "project": lk.project_name(project_id),
                "project_id": project_id,
                "domain": lk.project_domain(project_id),
                "status": s.get("status"),
                "size": s.get("size"),
                "volume_id": s.get("volume_id"),
                "metadata": mask_mapping(s.get("metadata")),
            }
        )
    return out


def normalise_backups(raw: list[JSON], lk: Lookups) -> list[JSON]:
    """Backups; below microversion 3.18 Cinder does not say their project (null)."""
    out = []
    for b in raw:
        project_id = b.get("os-backup-project-attr:project_id")
        out.append(
            {
                "id": b["id"],
                "name": b.get("name") or "",
                "project": lk.project_name(project_id),
                "project_id": project_id,
                "domain": lk.project_domain(project_id),
                "status": b.get("status"),
                "size": b.get("size"),
                "volume_id": b.get("volume_id"),
                "incremental": bool(b.get("is_incremental", False)),
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
    Collection(
        "volume_snapshots",
        "block-storage.snapshots",
        normalise_snapshots,
        requires=lambda _mv: ("identity.projects", "identity.domains"),
        microversion_service="block-storage",
        per_page=True,
    ),
    Collection(
        "volume_backups",
        "block-storage.backups",
        normalise_backups,
        requires=lambda _mv: ("identity.projects", "identity.domains"),
        microversion_service="block-storage",
        per_page=True,
    ),
)
