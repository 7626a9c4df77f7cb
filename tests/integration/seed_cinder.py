"""Seed a real Cinder database the way cinder-volume would have left it.

Run with the *services* venv's interpreter, before cinder-api starts::

    python seed_cinder.py PLAN.json RESULT.json

PLAN.json holds the Cinder config file, the volume types and volumes to
create, and the volumes being migrated (see ``realcloud.py``); RESULT.json
receives ``{"volumes": {name: id}, "volume_types": {name: id},
"migration_targets": {name: id}}``. There is no cinder-volume (no storage, no
message bus), so rows are written through ``cinder.objects`` and
``cinder.db``, the layer cinder-volume itself writes through: the API then
reads them exactly as in production; each volume's quota is reserved and
committed as cinder-api does, so the usage counters count it (the migration's
temporary target, outside quota, is not).
"""

from __future__ import annotations

import json
import sys
import uuid
from datetime import datetime, timezone
from typing import Any

VOLUME_HOST = "cinder-volume-1@lvm#lvm"


def main(plan_path: str, result_path: str) -> None:
    with open(plan_path, encoding="utf-8") as f:
        plan: dict[str, Any] = json.load(f)

    from cinder import context as cinder_context
    from cinder import objects
    from cinder.common import config  # noqa: F401 - registers the options
    from cinder.db import api as db
    from oslo_config import cfg

    objects.register_all()
    cfg.CONF(["--config-file", plan["config_file"]], project="cinder")

    from cinder.quota import QUOTAS
    from cinder.volume import rpcapi as volume_rpcapi

    ctx = cinder_context.get_admin_context()
    now = datetime.now(timezone.utc).replace(tzinfo=None)

    # cinder-api refuses to start while no cinder-volume has reported its RPC and
    # object versions ("cinder-volume is in Liberty version"): register one.
    objects.Service(
        ctx,
        host=VOLUME_HOST.split("#", maxsplit=1)[0],
        binary="cinder-volume",
        topic="cinder-volume",
        availability_zone=plan["availability_zone"],
        report_count=1,
        disabled=False,
        rpc_current_version=volume_rpcapi.VolumeAPI.RPC_API_VERSION,
        object_current_version=objects.base.OBJ_VERSIONS.get_current(),
    ).create()

    type_ids: dict[str, str] = {}
    for vt in plan["volume_types"]:
        row = db.volume_type_create(
            ctx,
            {
                "name": vt["name"],
                "description": vt.get("description"),
                "is_public": True,
                "extra_specs": vt.get("extra_specs") or {},
            },
        )
        type_ids[vt["name"]] = row["id"]
        if vt.get("encryption"):
            db.volume_type_encryption_create(ctx, row["id"], dict(vt["encryption"]))

    volume_ids: dict[str, str] = {}
    for spec in plan["volumes"]:
        metadata = dict(spec.get("metadata") or {})
        if spec.get("migrated_from"):
            metadata["migrated_from_id"] = volume_ids[spec["migrated_from"]]
        attached = bool(spec["attachments"])
        # What cinder-api's create flow does (flows/api/create_volume.py): reserve the
        # project's quota first (a first reservation counts what the project already
        # has), so Cinder's usage counters count the volume.
        deltas = {"volumes": 1, "gigabytes": spec["size"]}
        QUOTAS.add_volume_type_opts(ctx, deltas, type_ids[spec["volume_type"]])
        reserved = QUOTAS.reserve(ctx, project_id=spec["project_id"], **deltas)
        volume = objects.Volume(
            ctx,
            display_name=spec["name"],
            display_description=spec.get("description"),
            project_id=spec["project_id"],
            user_id=spec["user_id"],
            size=spec["size"],
            volume_type_id=type_ids[spec["volume_type"]],
            availability_zone=spec["availability_zone"],
            host=VOLUME_HOST,
            status="in-use" if attached else "available",
            attach_status="attached" if attached else "detached",
            bootable=bool(spec.get("bootable")),
            multiattach=bool(spec.get("multiattach")),
            encryption_key_id=str(uuid.uuid4()) if spec.get("encrypted") else None,
            metadata=metadata,
            launched_at=now,
        )
        volume.create()
        # ... and commit it once the volume exists (as the flow does).
        QUOTAS.commit(ctx, reserved, project_id=spec["project_id"])
        for index, server_id in enumerate(spec["attachments"]):
            objects.VolumeAttachment(
                ctx,
                volume_id=volume.id,
                instance_uuid=server_id,
                attached_host="compute-1",
                mountpoint=f"/dev/vd{chr(ord('b') + index)}",
                attach_status="attached",
                attach_mode="rw",
                attach_time=now,
            ).create()
        volume_ids[spec["name"]] = volume.id

    # A migration (or retype) in progress, as cinder-volume leaves it
    # (volume/manager.py _migrate_volume_generic): the volume says "migrating",
    # and a copy of it on the destination, outside quota, says "target:<id>".
    targets: dict[str, str] = {}
    for name in plan.get("migrating") or []:
        source = objects.Volume.get_by_id(ctx, volume_ids[name])
        source.migration_status = "migrating"
        source.save()
        target = objects.Volume(
            ctx,
            display_name=source.display_name,
            display_description=source.display_description,
            project_id=source.project_id,
            user_id=source.user_id,
            size=source.size,
            volume_type_id=source.volume_type_id,
            availability_zone=source.availability_zone,
            host="cinder-volume-2@lvm#lvm",
            status="available",
            attach_status="detached",
            migration_status=f"target:{source.id}",
            use_quota=False,
            metadata=dict(source.metadata),
            launched_at=now,
        )
        target.create()
        targets[name] = target.id

    with open(result_path, "w", encoding="utf-8") as f:
        json.dump(
            {"volumes": volume_ids, "volume_types": type_ids, "migration_targets": targets}, f
        )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
