"""A fold in the example clouds: acme's staging tenant merged into its production project.

The source has one more tenant, ``cw-acme-staging`` (a server with its data
volume, its quota sets, Neutron's ``default`` security group). The migration
merged it into ``ocb-acme`` on purpose, and the demo's rules say so
(``fold: [{into: ocb-acme, projects: [cw-acme, cw-acme-staging]}]``): the
server and the volume are in ``ocb-acme``, its one ``default`` group holds
both tenants' rules, and its quotas allow both tenants' usage together. The
fold is faithful: it adds no finding (the demo's seeded defects in
``ocb-acme`` are the production tenant's).

Applied last (the families before it build the collections it adds to), and
only to the extended example clouds.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from typing import Any

from auditor.demo.base import FLAVORS, NAMESPACE, ExampleCloud

JSON = dict[str, Any]

COLLECTIONS: tuple[str, ...] = ()
"""The collections whose demo rows this family adds."""

DEFECTS: tuple[str, ...] = ()
"""The fold is faithful: no defect."""

STAGING = "cw-acme-staging"
INTO = "acme"
"""The tenant whose project the staging tenant was merged into."""


def _id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def _owned(project: Mapping[str, Any]) -> JSON:
    return {"project": project["name"], "project_id": project["id"], "domain": project["domain"]}


def add_source(cloud: ExampleCloud, rng: random.Random) -> None:
    """The staging tenant: a project, a server, its volume, quota sets, a default group."""
    del rng
    production = next(p for p in cloud.projects if p["name"] == f"cw-{INTO}")
    staging = dict(
        production,
        id=_id("cloudwatt", "project", STAGING).replace("-", ""),
        name=STAGING,
        description="Acme staging",
    )
    cloud.projects.append(staging)
    server_id = _id("cloudwatt", "server", STAGING)
    volume_id = _id("cloudwatt", "volume", STAGING)
    template = next(s for s in cloud.servers if s["project_id"] == production["id"])
    cloud.servers.append(
        dict(
            template,
            id=server_id,
            name="cw-staging-01",
            **_owned(staging),
            status="ACTIVE",
            flavor=dict(FLAVORS[0]),
            metadata={"role": "staging", "owner": f"ops@{INTO}.example"},
            addresses={f"{INTO}-staging-net": ["10.250.0.10"]},
            volumes=[volume_id],
            security_groups=["default"],
        )
    )
    template = next(v for v in cloud.volumes if v["project_id"] == production["id"])
    cloud.volumes.append(
        dict(
            template,
            id=volume_id,
            name="cw-staging-01-data",
            **_owned(staging),
            status="in-use",
            size=20,
            encrypted=False,
            metadata={},
            attachments=[server_id],
        )
    )
    extra = cloud.extra
    if "security_groups" in extra:
        default = next(
            g
            for g in extra["security_groups"]
            if g["project_id"] == production["id"] and g["name"] == "default"
        )
        extra["security_groups"].append(
            dict(default, id=_id("cloudwatt", "security-group", STAGING), **_owned(staging))
        )
    if "quotas" in extra:
        for quota in [q for q in extra["quotas"] if q["project_id"] == production["id"]]:
            extra["quotas"].append(
                {
                    **quota,
                    "id": f"{staging['id']}/{quota['name']}",
                    **_owned(staging),
                    "limits": dict(quota["limits"]),
                    "usage": _usage(str(quota["name"]), quota["usage"]),
                }
            )


def _usage(service: str, resources: Mapping[str, Any]) -> JSON:
    """What the staging tenant uses of ``service``: one small server and its 20 GiB volume."""
    by_service: dict[str, dict[str, Any]] = {
        "compute": {"instances": 1, "cores": FLAVORS[0]["vcpus"], "ram": FLAVORS[0]["ram"]},
        "block-storage": {"volumes": 1, "gigabytes": 20},
        "network": {"port": 1, "network": 1, "subnet": 1},
    }
    used = by_service.get(service, {})
    return {name: used.get(name, 0) for name in resources}


def add_target(source: ExampleCloud, target: ExampleCloud, rng: random.Random) -> None:
    """The staging tenant's resources in ``ocb-acme``; its quotas enough for both tenants."""
    del rng
    staging = next(p for p in source.projects if p["name"] == STAGING)
    into = next(p for p in target.projects if p["name"] == f"ocb-{INTO}")
    target.counterparts[str(staging["id"])] = str(into["id"])
    server = next(s for s in source.servers if s["project_id"] == staging["id"])
    volume = next(v for v in source.volumes if v["project_id"] == staging["id"])
    server_id, volume_id = _id("ocb", "server", server["id"]), _id("ocb", "volume", volume["id"])
    target.counterparts.update({server["id"]: server_id, volume["id"]: volume_id})
    target.servers.append(
        dict(
            server,
            id=server_id,
            name="ocb-staging-01",
            **_owned(into),
            image={
                "id": _id("ocb", "image", server["image"]["name"]),
                "name": server["image"]["name"],
            },
            metadata={**server["metadata"], "migrated_from_id": server["id"]},
            addresses={f"{INTO}-staging-net": ["172.250.0.10"]},
            volumes=[volume_id],
        )
    )
    target.volumes.append(
        dict(
            volume,
            id=volume_id,
            name="ocb-staging-01-data",
            **_owned(into),
            attachments=[server_id],
        )
    )
    extra = target.extra
    if "quotas" in extra:
        # The operator raised ocb-acme's limits to hold both tenants' usage.
        staging_quotas = {
            q["name"]: q for q in source.extra["quotas"] if q["project_id"] == staging["id"]
        }
        production = next(p for p in source.projects if p["name"] == f"cw-{INTO}")
        production_quotas = {
            q["name"]: q for q in source.extra["quotas"] if q["project_id"] == production["id"]
        }
        for quota in [q for q in extra["quotas"] if q["project_id"] == into["id"]]:
            both = [production_quotas[quota["name"]], staging_quotas[quota["name"]]]
            quota["limits"] = {
                name: -1 if limit == -1 else max(limit, sum(q["usage"].get(name, 0) for q in both))
                for name, limit in quota["limits"].items()
            }
            counterparts = target.counterparts
            counterparts[f"{staging['id']}/{quota['name']}"] = str(quota["id"])


def seed_defects(target: ExampleCloud) -> None:
    """Nothing: the fold is faithful (see :data:`DEFECTS`)."""
    del target
