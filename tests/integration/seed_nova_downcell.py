"""Give the second Nova API a cell that is down, in copies of the seeded databases.

Run with the *services* venv's interpreter, after seed_nova.py and after the
API and cell1 databases were copied (``nova_api_downcell.db``,
``nova_cell1_downcell.db``)::

    OS_NOVA_DISABLE_EVENTLET_PATCHING=1 python seed_nova_downcell.py PLAN.json RESULT.json

PLAN.json holds the config file of the second API (whose databases are the
copies), the cell1 copy's URL, cell2's URL (a database that cannot be opened),
cell2's compute host and the servers that live in cell2. In the copies, as
nova-manage and a cross-cell move would leave them: cell1's mapping points to
the cell1 copy; cell2 is mapped, with a host mapping and the servers'
instance mappings; the servers are gone from the cell1 copy. When cell2's
database cannot be opened, the API's scatter-gather finds the cell down.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def main(plan_path: str, result_path: str) -> None:
    with open(plan_path, encoding="utf-8") as f:
        plan: dict[str, Any] = json.load(f)

    from nova import config, objects
    from nova import context as nova_context

    objects.register_all()
    config.parse_args(["seed_nova_downcell", "--config-file", plan["config_file"]])
    ctx = nova_context.get_admin_context()

    cell1 = next(c for c in objects.CellMappingList.get_all(ctx) if c.name == "cell1")
    cell1.database_connection = plan["cell1"]
    cell1.save()
    cell2 = objects.CellMapping(
        ctx,
        uuid="00000000-0000-4000-8000-00000000c312",
        name="cell2",
        transport_url="fake://",
        database_connection=plan["cell2"],
    )
    cell2.create()
    objects.HostMapping(ctx, host=plan["host"], cell_mapping=cell2).create()
    moved = []
    for server_id in plan["servers"]:
        mapping = objects.InstanceMapping.get_by_instance_uuid(ctx, server_id)
        mapping.cell_mapping = cell2
        mapping.save()
        with nova_context.target_cell(ctx, cell1) as cctx:
            instance = objects.Instance.get_by_uuid(cctx, server_id)
            instance.destroy()
        moved.append(server_id)

    with open(result_path, "w", encoding="utf-8") as f:
        json.dump({"cell2": cell2.uuid, "moved": moved}, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
