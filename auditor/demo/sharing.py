"""The sharing family of the example clouds: volume types (with QoS, encryption and
access), and a shared image with its members and hw_*/os_* properties.

The source has two public volume types (``ceph-ssd`` with a QoS limit,
``ceph-hdd``) and one private, encrypted type shared with two tenants, and
Acme's base image shared with two other tenants, who accepted it. The target
is the same after the rebranding: new ids, the same type names, extra specs,
limits and encryption, the private type and the image shared with the
tenants' counterparts. No randomness: the other families' rows do not move.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from typing import Any

from auditor.demo.base import NAMESPACE, ExampleCloud

JSON = dict[str, Any]

COLLECTIONS = ("volume_types", "image_members")
"""The collections whose demo rows this family adds."""

DEFECTS = (
    "private volume type ceph-ssd-luks lost its encryption in the target",
    "image ocb-acme-base is no longer shared with ocb-initech",
    "image ocb-acme-base lost its hw_firmware_type=uefi property (its guests boot in BIOS mode)",
)
"""What :func:`seed_defects` breaks in the target, one per collection."""

LUKS = {
    "provider": "luks",
    "cipher": "aes-xts-plain64",
    "key_size": 256,
    "control_location": "front-end",
}
VOLUME_TYPES: tuple[tuple[str, Mapping[str, str], Mapping[str, str] | None, bool], ...] = (
    ("ceph-ssd", {"volume_backend_name": "ceph-ssd"}, {"total_iops_sec": "5000"}, False),
    ("ceph-hdd", {"volume_backend_name": "ceph-hdd"}, None, False),
    ("ceph-ssd-luks", {"volume_backend_name": "ceph-ssd"}, {"total_iops_sec": "2000"}, True),
)
"""(name, extra specs, QoS limits, private and encrypted)."""
SHARED_WITH = ("acme", "cyberdyne")
"""The tenants the private type is shared with."""
BASE_IMAGE = ("acme", "acme-base", ("globex", "initech"))
"""(owning tenant, image name after the prefix, tenants it is shared with)."""
BASE_PROPERTIES = {
    "hw_firmware_type": "uefi",
    "hw_disk_bus": "scsi",
    "hw_scsi_model": "virtio-scsi",
    "os_distro": "debian",
    "os_type": "linux",
}


def _id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def _types(cloud: str, projects: Mapping[str, JSON]) -> list[JSON]:
    out = []
    for name, specs, limits, private in VOLUME_TYPES:
        qos_id = _id(cloud, "qos", name) if limits else None
        shared = [projects[t] for t in SHARED_WITH if t in projects] if private else []
        out.append(
            {
                "id": _id(cloud, "volume-type", name),
                "name": name,
                "description": f"{name} volumes",
                "is_public": not private,
                "extra_specs": dict(specs),
                "qos_specs_id": qos_id,
                "qos": (
                    {"name": f"{name}-qos", "consumer": "front-end", "specs": dict(limits)}
                    if limits
                    else None
                ),
                "encryption": dict(LUKS) if private else None,
                "access": sorted(str(p["name"]) for p in shared),
                "access_ids": sorted(str(p["id"]) for p in shared),
            }
        )
    return out


def _tenants(cloud: ExampleCloud, prefix: str) -> dict[str, JSON]:
    return {
        str(p["name"])[len(prefix) :]: p
        for p in cloud.projects
        if str(p["name"]).startswith(prefix) and not str(p["name"]).endswith("-staging")
    }


def _owned(project: Mapping[str, Any]) -> JSON:
    return {"project": project["name"], "project_id": project["id"], "domain": project["domain"]}


def _share(cloud: ExampleCloud, prefix: str, image_id: str) -> list[JSON]:
    """The shared base image (added to the images) and its members."""
    tenants = _tenants(cloud, prefix)
    owner, name, members = BASE_IMAGE
    if owner not in tenants:
        return []
    cloud.extra.setdefault("images", []).append(
        {
            "id": image_id,
            "name": f"{prefix}{name}",
            **_owned(tenants[owner]),
            "status": "active",
            "visibility": "shared",
            "hidden": False,
            "protected": False,
            "disk_format": "qcow2",
            "container_format": "bare",
            "size": 2_147_483_648,
            "min_disk": 20,
            "min_ram": 1024,
            "checksum": "sha512:" + "ab" * 64,
            "properties": dict(BASE_PROPERTIES),
        }
    )
    return [
        {
            "id": f"{image_id}/{tenants[member]['id']}",
            "name": f"{prefix}{name}",
            "image_id": image_id,
            "image_project": tenants[owner]["name"],
            **_owned(tenants[member]),
            "status": "accepted",
        }
        for member in members
        if member in tenants
    ]


def add_source(cloud: ExampleCloud, rng: random.Random) -> None:
    """The legacy cloud's volume types and shared image."""
    del rng
    cloud.extra["volume_types"] = _types("cloudwatt", _tenants(cloud, "cw-"))
    cloud.extra["image_members"] = _share(cloud, "cw-", _id("cloudwatt", "image", "base"))


def add_target(source: ExampleCloud, target: ExampleCloud, rng: random.Random) -> None:
    """The same types in the target, shared with the tenants' counterparts."""
    del rng
    target.extra["volume_types"] = _types("ocb", _tenants(target, "ocb-"))
    by_name = {t["name"]: t for t in target.extra["volume_types"]}
    for volume_type in source.extra["volume_types"]:
        target.counterparts[str(volume_type["id"])] = str(by_name[volume_type["name"]]["id"])
    image_id = _id("ocb", "image", "base")
    target.extra["image_members"] = _share(target, "ocb-", image_id)
    target.counterparts[_id("cloudwatt", "image", "base")] = image_id


def seed_defects(target: ExampleCloud) -> None:
    """Break the target's volume types as :data:`DEFECTS` says."""
    luks = next(t for t in target.extra["volume_types"] if t["name"] == "ceph-ssd-luks")
    luks["encryption"] = None
    members = target.extra["image_members"]
    target.extra["image_members"] = [m for m in members if m["project"] != "ocb-initech"]
    base = next(i for i in target.extra["images"] if i["name"] == "ocb-acme-base")
    del base["properties"]["hw_firmware_type"]
