"""Boot and delete one server in a running real Nova, the way its services would leave it.

Run with the *services* venv's interpreter, while nova-api runs::

    OS_NOVA_DISABLE_EVENTLET_PATCHING=1 python flux_nova.py PLAN.json RESULT.json

PLAN.json: ``{"config_file", "project_id", "user_id", "name", "flavor", "host",
"availability_zone"}``. There is no compute service to boot or delete through, so
the rows are written through ``nova.objects`` as a boot leaves them (instance in
cell1, request spec, instance mapping), then as a delete leaves them: the
instance's ``vm_state`` set to ``deleted`` and the row soft-deleted, its mapping
queued for delete. RESULT.json receives ``{"id": uuid}``.
"""

from __future__ import annotations

import json
import sys
import uuid
from datetime import datetime, timezone
from typing import Any


def main(plan_path: str, result_path: str) -> None:
    with open(plan_path, encoding="utf-8") as f:
        plan: dict[str, Any] = json.load(f)

    from nova import config, objects
    from nova import context as nova_context
    from nova.compute import power_state, vm_states
    from nova.network import model as network_model

    objects.register_all()
    config.parse_args(["flux_nova", "--config-file", plan["config_file"]])
    ctx = nova_context.get_admin_context()
    cell1 = next(c for c in objects.CellMappingList.get_all(ctx) if c.name == "cell1")
    flavor = objects.Flavor.get_by_flavor_id(ctx, plan["flavor"])
    server_id = str(uuid.uuid4())
    with nova_context.target_cell(ctx, cell1) as cctx:
        node = objects.ComputeNode.get_by_host_and_nodename(cctx, plan["host"], plan["host"])
        instance = objects.Instance(
            cctx,
            uuid=server_id,
            project_id=plan["project_id"],
            user_id=plan["user_id"],
            display_name=plan["name"],
            hostname=plan["name"],
            image_ref="",
            vm_state=vm_states.ACTIVE,
            power_state=power_state.RUNNING,
            task_state=None,
            host=plan["host"],
            node=plan["host"],
            compute_id=node.id,
            launched_on=plan["host"],
            availability_zone=plan["availability_zone"],
            flavor=flavor,
            old_flavor=None,
            new_flavor=None,
            instance_type_id=flavor.id,
            memory_mb=flavor.memory_mb,
            vcpus=flavor.vcpus,
            root_gb=flavor.root_gb,
            ephemeral_gb=flavor.ephemeral_gb,
            metadata={},
            system_metadata={},
            launched_at=datetime.now(timezone.utc),
            launch_index=0,
            root_device_name="/dev/vda",
            locked=False,
            info_cache=objects.InstanceInfoCache(network_info=network_model.NetworkInfo([])),
            security_groups=objects.SecurityGroupList(),
        )
        instance.create()
    objects.RequestSpec(
        ctx,
        instance_uuid=server_id,
        project_id=plan["project_id"],
        user_id=plan["user_id"],
        flavor=flavor,
        image=objects.ImageMeta.from_dict({}),
        num_instances=1,
        availability_zone=plan["availability_zone"],
        scheduler_hints={},
        is_bfv=True,
    ).create()
    mapping = objects.InstanceMapping(
        ctx,
        instance_uuid=server_id,
        cell_mapping=cell1,
        project_id=plan["project_id"],
        user_id=plan["user_id"],
        queued_for_delete=False,
    )
    mapping.create()
    # What nova-compute's delete leaves: the state, then the soft-deleted row.
    with nova_context.target_cell(ctx, cell1) as cctx:
        instance = objects.Instance.get_by_uuid(cctx, server_id)
        instance.vm_state = vm_states.DELETED
        instance.power_state = power_state.NOSTATE
        instance.terminated_at = datetime.now(timezone.utc)
        instance.save()
        instance.destroy()
    mapping.queued_for_delete = True
    mapping.save()
    with open(result_path, "w", encoding="utf-8") as f:
        json.dump({"id": server_id}, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
