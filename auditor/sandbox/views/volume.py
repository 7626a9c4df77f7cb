"""Cinder's items as ``GET /volumes/detail``, ``/snapshots/detail`` and ``/backups/detail``
give them at a microversion, and the microversions that change them."""

from __future__ import annotations

from typing import Any

from auditor.sandbox.ids import shared_hex, shared_uuid, synthetic_uuid
from auditor.sandbox.microversion import Version
from auditor.sandbox.views import Context, View
from auditor.sandbox.wire import (
    JSON,
    ApiError,
)

MV_GROUP_ID = (3, 13)
MV_PROVIDER_ID = (3, 21)
MV_SHARED_TARGETS = (3, 48)
MV_CLUSTER_NAME = (3, 61)
MV_VOLUME_TYPE_ID = (3, 63)
MV_ENCRYPTION_KEY_ID = (3, 64)
MV_CONSUMES_QUOTA = (3, 65)
MV_GROUP_SNAPSHOT_ID = (3, 14)
MV_BACKUP_PROJECT = (3, 18)
MV_SNAPSHOT_USER_ID = (3, 41)
MV_BACKUP_METADATA = (3, 43)
MV_BACKUP_USER_ID = (3, 56)

VOLUME_BANDS: tuple[Version, ...] = (
    (3, 0),
    MV_GROUP_ID,
    MV_PROVIDER_ID,
    MV_SHARED_TARGETS,
    MV_CLUSTER_NAME,
    MV_VOLUME_TYPE_ID,
    MV_ENCRYPTION_KEY_ID,
    MV_CONSUMES_QUOTA,
)
SNAPSHOT_BANDS: tuple[Version, ...] = (
    (3, 0),
    MV_GROUP_SNAPSHOT_ID,
    MV_SNAPSHOT_USER_ID,
    MV_CONSUMES_QUOTA,
)
BACKUP_BANDS: tuple[Version, ...] = (
    (3, 0),
    MV_BACKUP_PROJECT,
    MV_BACKUP_METADATA,
    MV_BACKUP_USER_ID,
    MV_ENCRYPTION_KEY_ID,
)


def bool_text(value: Any) -> str:
    if isinstance(value, str):
        return "true" if value.strip().lower() in ("true", "1", "yes") else "false"
    return "true" if value else "false"


def volume_view(volume: JSON, mv: Version, link: str) -> JSON:
    """One volume of ``GET /v3/{project_id}/volumes/detail`` at microversion ``mv``."""
    vid = str(volume["id"])
    project_id = volume.get("project_id")
    servers = volume.get("attachments") or []
    # The temporary target of an in-progress migration or retype (admins see it).
    moving = volume.get("migration_target_of")
    migration = f"target:{moving}" if moving else None
    view: JSON = {
        "id": vid,
        "name": volume.get("name"),
        "status": volume.get("status"),
        "size": volume.get("size"),
        "availability_zone": volume.get("availability_zone"),
        "created_at": "2024-01-15T09:29:41.000000",
        "updated_at": "2026-11-20T08:00:00.000000",
        "attachments": [
            {
                "server_id": server_id,
                "attachment_id": synthetic_uuid("attachment", vid, server_id),
                "attached_at": "2024-01-15T09:32:00.000000",
                "host_name": None,
                "volume_id": vid,
                "device": "/dev/vdb",
                "id": vid,
            }
            for server_id in servers
        ],
        "bootable": bool_text(volume.get("bootable")),
        "encrypted": bool(volume.get("encrypted")),
        "volume_type": volume.get("volume_type"),
        "multiattach": len(servers) > 1,
        "metadata": dict(volume.get("metadata") or {}),
        "description": None,
        "user_id": shared_hex("user", project_id),
        "os-vol-tenant-attr:tenant_id": project_id,
        "os-vol-host-attr:host": "cinder-volume@backend#pool",
        "os-vol-mig-status-attr:migstat": migration,
        "os-vol-mig-status-attr:name_id": None,
        "migration_status": migration,
        "replication_status": None,
        "consistencygroup_id": None,
        "source_volid": None,
        "snapshot_id": None,
        "links": [
            {"rel": "self", "href": f"{link}/volumes/{vid}"},
            {"rel": "bookmark", "href": f"{link}/volumes/{vid}"},
        ],
    }
    if mv >= MV_GROUP_ID:
        view["group_id"] = None
    if mv >= MV_PROVIDER_ID:
        view["provider_id"] = None
    if mv >= MV_SHARED_TARGETS:
        view["shared_targets"] = False
        view["service_uuid"] = shared_uuid("cinder-volume-service")
    if mv >= MV_CLUSTER_NAME:
        view["cluster_name"] = None
    if mv >= MV_VOLUME_TYPE_ID:
        view["volume_type_id"] = shared_uuid("volume-type", volume.get("volume_type"))
    if mv >= MV_ENCRYPTION_KEY_ID:
        view["encryption_key_id"] = synthetic_uuid("key", vid) if volume.get("encrypted") else None
    if mv >= MV_CONSUMES_QUOTA:
        # Cinder creates migration targets with use_quota=False.
        view["consumes_quota"] = not moving
    return view


def snapshot_extra(snapshot: JSON, mv: Version, _context: Context) -> JSON:
    """What ``GET /v3/{project_id}/snapshots/detail`` answers of a snapshot at ``mv``
    besides its declared fields."""
    extra: JSON = {
        "description": None,
        # Cinder answers an empty object, never null.
        "metadata": dict(snapshot.get("metadata") or {}),
        "created_at": "2024-02-10T03:00:00.000000",
        "updated_at": "2024-02-10T03:02:00.000000",
        "os-extended-snapshot-attributes:progress": "100%",
    }
    if mv >= MV_GROUP_SNAPSHOT_ID:
        extra["group_snapshot_id"] = None
    if mv >= MV_SNAPSHOT_USER_ID:
        extra["user_id"] = shared_hex("user", snapshot.get("project_id"))
    if mv >= MV_CONSUMES_QUOTA:
        extra["consumes_quota"] = True
    return extra


def backup_extra(backup: JSON, mv: Version, context: Context) -> JSON:
    """What ``GET /v3/{project_id}/backups/detail`` answers of a backup at ``mv`` besides
    its declared fields (its project from 3.18)."""
    bid = str(backup["id"])
    link = f"{context.service_url}/v3/{context.project_id}/backups/{bid}"
    failed = str(backup.get("status") or "").startswith("error")
    extra: JSON = {
        "description": None,
        "snapshot_id": None,
        "is_incremental": bool(backup.get("incremental")),
        "has_dependent_backups": False,
        "container": "volumebackups",
        "availability_zone": "nova",
        "object_count": 0 if failed else max(int(backup.get("size") or 0) // 2, 1),
        "fail_reason": "Backup driver failed" if failed else None,
        "data_timestamp": "2024-02-11T02:00:00.000000",
        "created_at": "2024-02-11T02:00:00.000000",
        "updated_at": "2024-02-11T02:20:00.000000",
        "links": [{"rel": "self", "href": link}, {"rel": "bookmark", "href": link}],
    }
    if mv >= MV_BACKUP_METADATA:
        extra["metadata"] = {}
    if mv >= MV_BACKUP_USER_ID:
        extra["user_id"] = shared_hex("user", backup.get("project_id"))
    if mv >= MV_ENCRYPTION_KEY_ID:
        extra["encryption_key_id"] = None
    return extra


FILTERS = {"name": "name", "status": "status"}
"""Query parameters Cinder filters snapshots and backups by (the field of the same name)."""

SNAPSHOTS = View(snapshot_extra, SNAPSHOT_BANDS, member="snapshot", filters=FILTERS)
BACKUPS = View(backup_extra, BACKUP_BANDS, member="backup", filters=FILTERS)


def volume_summary(volume: JSON, link: str) -> JSON:
    vid = str(volume["id"])
    return {
        "id": vid,
        "name": volume.get("name"),
        "links": [{"rel": "self", "href": f"{link}/volumes/{vid}"}],
    }


def marker_gone(marker: str) -> ApiError:
    """Cinder answers 404 for a marker it does not know (deleted mid-walk)."""
    return ApiError(404, f"Marker {marker} could not be found.")
