"""Seed a real Nova (API and cell1) database the way a running cloud would have left it.

Run with the *services* venv's interpreter, before nova-api starts::

    OS_NOVA_DISABLE_EVENTLET_PATCHING=1 python seed_nova.py PLAN.json RESULT.json

PLAN.json holds the Nova config file, flavors, compute hosts (with their
availability zones) and servers (see ``realcloud.py``); RESULT.json receives
``{"flavors": {name: flavorid}}``. Keypairs (of users of any domain) go in the
API database. There is no hypervisor, conductor or
scheduler, so rows are written through ``nova.objects``, the layer those
services write through: the API then reads them exactly as in production.
Per server that is what a boot leaves behind: the instance in cell1 (flavor,
states, metadata, network info cache), its block device mappings, its
request spec and its instance mapping in the API database.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import sys
from datetime import datetime, timezone
from typing import Any


def _network_info(networks: list[dict[str, Any]], server_uuid: str) -> Any:
    from nova.network import model as nm

    vifs: list[Any] = []
    for index, net in enumerate(networks):
        subnets: dict[int, Any] = {}
        first_v4: Any = None
        for address in net["fixed"]:
            ip = ipaddress.ip_address(address)
            if ip.version not in subnets:
                prefix = 24 if ip.version == 4 else 64
                cidr = ipaddress.ip_interface(f"{address}/{prefix}").network
                subnets[ip.version] = nm.Subnet(cidr=str(cidr), ips=[], version=ip.version)
            fixed = nm.FixedIP(address=address, version=ip.version, type="fixed")
            subnets[ip.version]["ips"].append(fixed)
            if ip.version == 4 and first_v4 is None:
                first_v4 = fixed
        for address in net.get("floating") or []:
            first_v4.add_floating_ip(nm.IP(address=address, type="floating", version=4))
        network = nm.Network(
            id=net["network_id"], label=net["name"], bridge="br-int", subnets=list(subnets.values())
        )
        vifs.append(
            nm.VIF(
                id=net["port_id"],
                address=f"fa:16:3e:{index:02x}:{int(server_uuid[:2], 16):02x}:{len(vifs):02x}",
                network=network,
                type="ovs",
                active=True,
                vnic_type="normal",
            )
        )
    return nm.NetworkInfo(vifs)


def admin(config_file: str, prog: str) -> tuple[Any, Any]:
    """Nova's objects registered, its configuration read: an admin context and cell1."""
    from nova import config, objects
    from nova import context as nova_context

    objects.register_all()
    config.parse_args([prog, "--config-file", config_file])
    ctx = nova_context.get_admin_context()
    cell1 = next(c for c in objects.CellMappingList.get_all(ctx) if c.name == "cell1")
    return ctx, cell1


def boot(
    ctx: Any, cell1: Any, spec: dict[str, Any], flavor: Any, compute_id: int, now: Any
) -> None:
    """What a boot leaves of one server (``spec``, as the plan gives it): its instance in
    cell1, block device mappings, request spec and instance mapping."""
    from nova import context as nova_context
    from nova import objects
    from nova.compute import power_state, vm_states

    states = {
        "active": (vm_states.ACTIVE, power_state.RUNNING),
        "stopped": (vm_states.STOPPED, power_state.SHUTDOWN),
        "error": (vm_states.ERROR, power_state.NOSTATE),
    }
    vm_state, pwr_state = states[spec["state"]]
    locked = spec.get("locked")
    with nova_context.target_cell(ctx, cell1) as cctx:
        instance = objects.Instance(
            cctx,
            uuid=spec["id"],
            project_id=spec["project_id"],
            user_id=spec["user_id"],
            display_name=spec["name"],
            display_description=spec["name"],
            hostname=spec["name"],
            image_ref=spec.get("image") or "",
            key_name=spec.get("key_name"),
            vm_state=vm_state,
            power_state=pwr_state,
            task_state=None,
            host=spec["host"],
            node=spec["host"],
            compute_id=compute_id,
            launched_on=spec["host"],
            availability_zone=spec["availability_zone"],
            flavor=flavor,
            old_flavor=None,
            new_flavor=None,
            instance_type_id=flavor.id,
            memory_mb=flavor.memory_mb,
            vcpus=flavor.vcpus,
            root_gb=flavor.root_gb,
            ephemeral_gb=flavor.ephemeral_gb,
            metadata=dict(spec.get("metadata") or {}),
            # What compute/api.py lock() records: locked_by, and the reason if any.
            system_metadata={"locked_reason": locked} if locked else {},
            launched_at=now,
            launch_index=0,
            root_device_name="/dev/vda",
            locked=locked is not None,
            locked_by="admin" if locked is not None else None,
            # The column is a string: "True", or "" for none (compute/api.py).
            config_drive="True" if spec.get("config_drive") else "",
            info_cache=objects.InstanceInfoCache(
                network_info=_network_info(spec.get("networks") or [], spec["id"])
            ),
            security_groups=objects.SecurityGroupList(),
        )
        instance.create()
        for tag in spec.get("tags") or []:
            objects.Tag(cctx, resource_id=instance.uuid, tag=tag).create()
        if spec.get("image"):
            objects.BlockDeviceMapping(
                cctx,
                instance_uuid=instance.uuid,
                source_type="image",
                destination_type="local",
                image_id=spec["image"],
                boot_index=0,
                device_name="/dev/vda",
                delete_on_termination=True,
            ).create()
        for volume in spec.get("volumes") or []:
            objects.BlockDeviceMapping(
                cctx,
                instance_uuid=instance.uuid,
                source_type="volume",
                destination_type="volume",
                volume_id=volume["id"],
                volume_size=volume["size"],
                device_name=volume["device"],
                boot_index=0 if volume.get("boot") else None,
                delete_on_termination=False,
                connection_info="{}",
            ).create()
    objects.RequestSpec(
        ctx,
        instance_uuid=instance.uuid,
        project_id=spec["project_id"],
        user_id=spec["user_id"],
        flavor=flavor,
        image=objects.ImageMeta.from_dict({}),
        num_instances=1,
        availability_zone=spec["availability_zone"],
        scheduler_hints={},
        is_bfv=not spec.get("image"),
    ).create()
    objects.InstanceMapping(
        ctx,
        instance_uuid=instance.uuid,
        cell_mapping=cell1,
        project_id=spec["project_id"],
        user_id=spec["user_id"],
        queued_for_delete=False,
    ).create()


def main(plan_path: str, result_path: str) -> None:
    with open(plan_path, encoding="utf-8") as f:
        plan: dict[str, Any] = json.load(f)

    from nova import context as nova_context
    from nova import objects

    ctx, cell1 = admin(plan["config_file"], "seed_nova")
    now = datetime.now(timezone.utc)

    flavors: dict[str, Any] = {}
    for spec in plan["flavors"]:
        flavor = objects.Flavor(
            ctx,
            name=spec["name"],
            flavorid=spec["flavorid"],
            vcpus=spec["vcpus"],
            memory_mb=spec["ram"],
            root_gb=spec["disk"],
            ephemeral_gb=0,
            swap=0,
            rxtx_factor=1.0,
            vcpu_weight=0,
            is_public=True,
            disabled=False,
            extra_specs={},
            description=spec.get("description"),
        )
        flavor.create()
        flavors[spec["name"]] = flavor

    compute_ids: dict[str, int] = {}
    for host in plan["hosts"]:
        objects.HostMapping(ctx, host=host["name"], cell_mapping=cell1).create()
        if host.get("aggregate_zone"):
            aggregate = objects.Aggregate(
                ctx,
                name=f"{host['aggregate_zone']}-hosts",
                metadata={"availability_zone": host["aggregate_zone"]},
            )
            aggregate.create()
            aggregate.add_host(host["name"])
        with nova_context.target_cell(ctx, cell1) as cctx:
            objects.Service(
                cctx, host=host["name"], binary="nova-compute", topic="compute", report_count=1
            ).create()
            node = objects.ComputeNode(
                cctx,
                host=host["name"],
                hypervisor_hostname=host["name"],
                hypervisor_type="QEMU",
                hypervisor_version=8002000,
                cpu_info="{}",
                vcpus=32,
                memory_mb=131072,
                local_gb=2000,
                vcpus_used=0,
                memory_mb_used=0,
                local_gb_used=0,
                free_ram_mb=131072,
                free_disk_gb=2000,
                current_workload=0,
                running_vms=0,
                disk_available_least=2000,
                host_ip="127.0.0.1",
                # Without uptime, hypervisor views at 2.88+ ask the (absent)
                # compute service over RPC and time out.
                stats={"uptime": " 10:00:00 up 10 days"},
            )
            node.create()
            compute_ids[host["name"]] = node.id

    for spec in plan["servers"]:
        boot(ctx, cell1, spec, flavors[spec["flavor"]], compute_ids[spec["host"]], now)

    # Keypairs of users of several domains (imported: only the public key is kept).
    for spec in plan.get("keypairs") or []:
        blob = hashlib.sha256(f"{spec['user_id']}/{spec['name']}".encode()).hexdigest()
        objects.KeyPair(
            ctx,
            user_id=spec["user_id"],
            name=spec["name"],
            type="ssh",
            public_key=f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5{blob} {spec['name']}",
            fingerprint=":".join(blob[i : i + 2] for i in range(0, 32, 2)),
        ).create()

    with open(result_path, "w", encoding="utf-8") as f:
        json.dump({"flavors": {name: fl.flavorid for name, fl in flavors.items()}}, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
