"""Boot and delete one server in a running real Nova, the way its services would leave it.

Run with the *services* venv's interpreter, while nova-api runs::

    OS_NOVA_DISABLE_EVENTLET_PATCHING=1 python flux_nova.py PLAN.json RESULT.json

PLAN.json: ``{"config_file", "project_id", "user_id", "name", "flavor", "host",
"availability_zone"}``. There is no compute service to boot or delete through, so
the rows are written through ``nova.objects`` as a boot leaves them (``seed_nova.boot``:
instance in cell1, request spec, instance mapping), then as a delete leaves them: the
instance's ``vm_state`` set to ``deleted`` and the row soft-deleted, its mapping
queued for delete. RESULT.json receives ``{"id": uuid}``.
"""

from __future__ import annotations

import json
import sys
import uuid
from datetime import datetime, timezone
from typing import Any

import seed_nova


def main(plan_path: str, result_path: str) -> None:
    with open(plan_path, encoding="utf-8") as f:
        plan: dict[str, Any] = json.load(f)

    from nova import context as nova_context
    from nova import objects
    from nova.compute import power_state, vm_states

    ctx, cell1 = seed_nova.admin(plan["config_file"], "flux_nova")
    flavor = objects.Flavor.get_by_flavor_id(ctx, plan["flavor"])
    server_id = str(uuid.uuid4())
    with nova_context.target_cell(ctx, cell1) as cctx:
        node = objects.ComputeNode.get_by_host_and_nodename(cctx, plan["host"], plan["host"])
    spec = {"id": server_id, "state": "active", "image": None, "volumes": [], **plan}
    seed_nova.boot(ctx, cell1, spec, flavor, node.id, datetime.now(timezone.utc))
    # What nova-compute's delete leaves: the state, then the soft-deleted row.
    with nova_context.target_cell(ctx, cell1) as cctx:
        instance = objects.Instance.get_by_uuid(cctx, server_id)
        instance.vm_state = vm_states.DELETED
        instance.power_state = power_state.NOSTATE
        instance.terminated_at = datetime.now(timezone.utc)
        instance.save()
        instance.destroy()
    mapping = objects.InstanceMapping.get_by_instance_uuid(ctx, server_id)
    mapping.queued_for_delete = True
    mapping.save()
    with open(result_path, "w", encoding="utf-8") as f:
        json.dump({"id": server_id}, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
