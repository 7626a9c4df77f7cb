"""The sharing family of the example clouds: volume types (with QoS, encryption and access).

The source has two public volume types (``ceph-ssd`` with a QoS limit,
``ceph-hdd``) and one private, encrypted type shared with two tenants. The
target is the same after the rebranding: new ids, the same names, extra
specs, limits and encryption, the private type shared with the tenants'
counterparts. No randomness: the other families' rows do not move.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from typing import Any

from auditor.demo.base import NAMESPACE, ExampleCloud

JSON = dict[str, Any]

COLLECTIONS = ("volume_types",)
"""The collections whose demo rows this family adds."""

DEFECTS = ("private volume type ceph-ssd-luks lost its encryption in the target",)
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


def add_source(cloud: ExampleCloud, rng: random.Random) -> None:
    """The legacy cloud's volume types."""
    del rng
    cloud.extra["volume_types"] = _types("cloudwatt", _tenants(cloud, "cw-"))


def add_target(source: ExampleCloud, target: ExampleCloud, rng: random.Random) -> None:
    """The same types in the target, shared with the tenants' counterparts."""
    del rng
    target.extra["volume_types"] = _types("ocb", _tenants(target, "ocb-"))
    by_name = {t["name"]: t for t in target.extra["volume_types"]}
    for volume_type in source.extra["volume_types"]:
        target.counterparts[str(volume_type["id"])] = str(by_name[volume_type["name"]]["id"])


def seed_defects(target: ExampleCloud) -> None:
    """Break the target's volume types as :data:`DEFECTS` says."""
    luks = next(t for t in target.extra["volume_types"] if t["name"] == "ceph-ssd-luks")
    luks["encryption"] = None
