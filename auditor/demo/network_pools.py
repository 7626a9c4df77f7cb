"""The address scopes and subnet pools of the example clouds.

Some tenants (every tenth, from the fifth) route their own address space: an
address scope ``<tenant>-scope``, shared with every project so that their
partners' pools can join it, and a subnet pool ``<tenant>-pool`` in it
handing out two /16 prefixes. The migration re-created them with new ids,
the pools in their scopes' counterparts.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from auditor.demo.base import NAMESPACE, ExampleCloud

JSON = dict[str, Any]

COLLECTIONS = ("address_scopes", "subnet_pools")
"""The collections whose demo rows this family adds."""

DEFECTS = (
    "address scope hooli-scope of ocb-hooli is no longer shared with every project",
    "subnet pool vandelay-pool of ocb-vandelay lost its prefix 10.214.0.0/16",
)
"""What :func:`seed_defects` breaks in the target, one per collection."""


def _id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def _owned(project: Mapping[str, Any]) -> JSON:
    return {"project": project["name"], "project_id": project["id"], "domain": project["domain"]}


def _named(items: Iterable[JSON], project: str, name: str) -> JSON:
    return next(i for i in items if i.get("project") == project and i.get("name") == name)


def add_source(cloud: ExampleCloud, rng: random.Random) -> None:
    """A scope and a pool for every tenth tenant, from the fifth."""
    del rng
    scopes: list[JSON] = []
    pools: list[JSON] = []
    tenants = [p for p in cloud.projects if p["domain"] == "cloudwatt"]
    for n, project in enumerate(tenants):
        if n % 10 != 4:
            continue
        tenant = str(project["name"])[3:]
        scope_id = _id("cloudwatt", "address-scope", project["id"])
        scopes.append(
            {
                "id": scope_id,
                "name": f"{tenant}-scope",
                **_owned(project),
                "ip_version": 4,
                "shared": True,
            }
        )
        pools.append(
            {
                "id": _id("cloudwatt", "subnet-pool", project["id"]),
                "name": f"{tenant}-pool",
                **_owned(project),
                "ip_version": 4,
                "prefixes": sorted([f"10.{100 + n}.0.0/16", f"10.{200 + n}.0.0/16"]),
                "default_prefixlen": 24,
                "min_prefixlen": 16,
                "max_prefixlen": 28,
                "default_quota": None,
                "is_default": False,
                "shared": False,
                "address_scope_id": scope_id,
                "description": f"{tenant} address space",
            }
        )
    cloud.extra.update(address_scopes=scopes, subnet_pools=pools)


def add_target(source: ExampleCloud, target: ExampleCloud, rng: random.Random) -> None:
    """The same with new ids, in the renamed projects, pools in their scopes' counterparts."""
    del rng
    counterparts = target.counterparts
    projects = {str(p["id"]): p for p in target.projects}

    def moved(item: JSON, kind: str, **fields: Any) -> JSON:
        new_id = _id("ocb", kind, item["id"])
        counterparts[str(item["id"])] = new_id
        owner = projects[counterparts[str(item["project_id"])]]
        return {**item, "id": new_id, **_owned(owner), **fields}

    scopes = [moved(s, "address-scope") for s in source.extra["address_scopes"]]
    pools = [
        moved(p, "subnet-pool", address_scope_id=counterparts[str(p["address_scope_id"])])
        for p in source.extra["subnet_pools"]
    ]
    target.extra.update(address_scopes=scopes, subnet_pools=pools)


def seed_defects(target: ExampleCloud) -> None:
    """Break the target as :data:`DEFECTS` says."""
    extra = target.extra
    _named(extra["address_scopes"], "ocb-hooli", "hooli-scope")["shared"] = False
    pool = _named(extra["subnet_pools"], "ocb-vandelay", "vandelay-pool")
    pool["prefixes"] = [p for p in pool["prefixes"] if p != "10.214.0.0/16"]
