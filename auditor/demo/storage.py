"""The storage family of the example clouds: images, volume snapshots, volume backups, quotas.

The source has the public images its servers boot from (owned by the admin
project) and a private golden image per tenant, a nightly snapshot of every
database volume with a weekly full and a daily incremental backup, one
backup that outlived its volume, and quotas for every project and service
with the usage its resources make. The target is the same after the
rebranding: new ids and ``ocb-`` names, the same image data, snapshots and
backups of the volumes' counterparts (snapshots carrying ``migrated_from_id``),
and the same quota limits.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from auditor.demo.base import IMAGES, NAMESPACE, ExampleCloud
from auditor.sandbox.quotas import COUNTS, count_usage
from auditor.sandbox.quotas import DEFAULTS as QUOTA_DEFAULTS

JSON = dict[str, Any]

COLLECTIONS = ("images", "volume_snapshots", "volume_backups", "quotas")
"""The collections whose demo rows this family adds."""

DEFECTS = (
    "image ocb-cyberdyne/ocb-cyberdyne-golden was copied corrupted (other data, same size)",
    "snapshot ocb-soylent/ocb-db-01-data-nightly belongs to another volume of the tenant",
    "backup ocb-gringotts/ocb-db-01-data-weekly failed in the target (status error)",
    "Nova counts one instance of ocb-hooli that no listing shows (a count mismatch)",
    "compute quota of ocb-monarch allows 1 core, fewer than its servers used in the source",
)
"""What :func:`seed_defects` breaks in the target, one per collection."""

GOLDEN_TENANTS = ("acme", "cyberdyne", "soylent", "gringotts", "monarch", "oscorp")
"""Tenants with a private golden image of their own."""


def _id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def _sha512(*parts: object) -> str:
    return "sha512:" + hashlib.sha512("/".join(str(p) for p in parts).encode()).hexdigest()


def _rebrand(name: str) -> str:
    return "ocb-" + name[3:] if name.startswith("cw-") else name


def _owned(project: Mapping[str, Any]) -> JSON:
    return {"project": project["name"], "project_id": project["id"], "domain": project["domain"]}


def _named(items: Iterable[JSON], project: str, name: str) -> JSON:
    return next(i for i in items if i.get("project") == project and i.get("name") == name)


def _image(image_id: str, name: str, owner: Mapping[str, Any], **fields: Any) -> JSON:
    return {
        "id": image_id,
        "name": name,
        **_owned(owner),
        "status": "active",
        "visibility": "public",
        "hidden": False,
        "protected": True,
        "disk_format": "qcow2",
        "container_format": "bare",
        "size": 0,
        "min_disk": 10,
        "min_ram": 512,
        "checksum": None,
        "properties": {},
        **fields,
    }


# -- quotas with usage ---------------------------------------------------------------------


def _limit(default: int, used: int) -> int:
    """The default, or more when the project needs it (twice its use, to the next 10)."""
    return default if used * 2 <= default else -(-used * 2 // 10) * 10


def _quotas(cloud: ExampleCloud) -> list[JSON]:
    """Quotas of every project and service, with the usage of the cloud's resources."""
    extra = cloud.extra
    usage: dict[tuple[str, str], dict[str, int]] = {}

    def use(project_id: Any, service: str, resource: str, amount: int) -> None:
        counts = usage.setdefault((str(project_id), service), {})
        counts[resource] = counts.get(resource, 0) + amount

    for server in cloud.servers:
        pid = server["project_id"]
        use(pid, "compute", "instances", 1)
        use(pid, "compute", "cores", server["flavor"]["vcpus"])
        use(pid, "compute", "ram", server["flavor"]["ram"])
        use(pid, "network", "port", len(server["addresses"]))
    for volume in cloud.volumes:
        use(volume["project_id"], "block-storage", "volumes", 1)
        use(volume["project_id"], "block-storage", "gigabytes", volume["size"])
    for snapshot in extra.get("volume_snapshots", []):
        use(snapshot["project_id"], "block-storage", "snapshots", 1)
        use(snapshot["project_id"], "block-storage", "gigabytes", snapshot["size"])
    for backup in extra.get("volume_backups", []):
        use(backup["project_id"], "block-storage", "backups", 1)
        use(backup["project_id"], "block-storage", "backup_gigabytes", backup["size"])
    networks: dict[str, set[str]] = {}
    for server in cloud.servers:
        networks.setdefault(str(server["project_id"]), set()).update(server["addresses"])
    for pid, names in networks.items():
        use(pid, "network", "network", len(names))
        use(pid, "network", "subnet", len(names))
    items = []
    for project in cloud.projects:
        # Every project has the services' default quotas, as the sandbox answers them.
        for service, defaults in QUOTA_DEFAULTS.items():
            used = usage.get((str(project["id"]), service), {})
            items.append(
                {
                    "id": f"{project['id']}/{service}",
                    "name": service,
                    **_owned(project),
                    "limits": {
                        name: -1 if default == -1 else _limit(default, used.get(name, 0))
                        for name, default in defaults.items()
                    },
                    "usage": {name: used.get(name, 0) for name in defaults},
                }
            )
    return items


def recount(cloud: ExampleCloud) -> None:
    """Each quota set's usage counted again from the cloud's final items (after every
    family and defect), as the services count it (:func:`count_usage`): what the count
    cross-check compares."""
    items = {**cloud.extra, "servers": cloud.servers, "volumes": cloud.volumes}
    counted = count_usage(items)
    for quota in cloud.extra.get("quotas", []):
        used = counted.get((str(quota["project_id"]), str(quota["name"])), {})
        for _collection, service, resource, _amount in COUNTS:
            if service == quota["name"] and resource in quota["usage"]:
                quota["usage"][resource] = used.get(resource, 0)


def seed_count_mismatch(target: ExampleCloud) -> None:
    """One counter that disagrees with the listing: Nova still counts an instance of
    ocb-hooli that no listing shows (an instance record left behind in a cell)."""
    hooli = next(p for p in target.projects if p["name"] == "ocb-hooli")
    quota = next(
        q for q in target.extra["quotas"]
        if q["project_id"] == hooli["id"] and q["name"] == "compute"
    )  # fmt: skip
    quota["usage"]["instances"] += 1


def _source_limits(source: ExampleCloud) -> dict[tuple[str, str], JSON]:
    """(project name, service) -> limits of the source's quotas."""
    return {(str(q["project"]), str(q["name"])): q["limits"] for q in source.extra["quotas"]}


# -- the clouds -------------------------------------------------------------------------------


def add_source(cloud: ExampleCloud, rng: random.Random) -> None:
    """The legacy cloud's storage side."""
    admin = next(p for p in cloud.projects if p["name"] == "admin")
    tenants = {str(p["name"])[3:]: p for p in cloud.projects if p["domain"] == "cloudwatt"}
    images = [
        _image(
            _id("cloudwatt", "image", name),
            name,
            admin,
            size=rng.randrange(300, 900) * 1_048_576,
            checksum=_sha512("image", name),
        )
        for name in IMAGES
    ]
    for tenant in GOLDEN_TENANTS:
        if tenant in tenants:
            images.append(
                _image(
                    _id("cloudwatt", "image", "golden", tenant),
                    f"cw-{tenant}-golden",
                    tenants[tenant],
                    visibility="private",
                    protected=False,
                    size=rng.randrange(1024, 4096) * 1_048_576,
                    min_disk=20,
                    min_ram=2048,
                    checksum=_sha512("golden", tenant),
                )
            )
    cloud.extra["images"] = images
    db_volumes = [
        v for v in cloud.volumes if v["name"].startswith("cw-db-") and "-data" in v["name"]
    ]
    cloud.extra["volume_snapshots"] = [
        {
            "id": _id("cloudwatt", "snapshot", v["id"]),
            "name": f"{v['name']}-nightly",
            **_owned({"name": v["project"], "id": v["project_id"], "domain": v["domain"]}),
            "status": "available",
            "size": v["size"],
            "volume_id": v["id"],
            "metadata": {"retention": "7d"},
        }
        for v in db_volumes
    ]
    backups = []
    for v in db_volumes:
        owner = {"name": v["project"], "id": v["project_id"], "domain": v["domain"]}
        for kind, incremental in (("weekly", False), ("daily", True)):
            backups.append(
                {
                    "id": _id("cloudwatt", "backup", v["id"], kind),
                    "name": f"{v['name']}-{kind}",
                    **_owned(owner),
                    "status": "available",
                    "size": v["size"],
                    "volume_id": v["id"],
                    "incremental": incremental,
                }
            )
    if "gringotts" in tenants:
        # The last backup of a decommissioned volume: kept, its volume long gone.
        backups.append(
            {
                "id": _id("cloudwatt", "backup", "vault-archive"),
                "name": "cw-vault-archive-final",
                **_owned(tenants["gringotts"]),
                "status": "available",
                "size": 500,
                "volume_id": _id("cloudwatt", "volume", "decommissioned-vault"),
                "incremental": False,
            }
        )
    cloud.extra["volume_backups"] = backups
    cloud.extra["quotas"] = _quotas(cloud)


def add_target(source: ExampleCloud, target: ExampleCloud, rng: random.Random) -> None:
    """The same after the rebranding: new ids and names, same data, same limits."""
    del rng
    counterparts = target.counterparts
    projects = {str(p["id"]): p for p in target.projects}
    target_admin = next(p for p in target.projects if p["name"] == "admin")

    def owner_of(item: JSON) -> JSON:
        pid = counterparts.get(str(item["project_id"]))
        return projects[pid] if pid is not None else target_admin

    images = []
    for image in source.extra["images"]:
        public = image["project"] == "admin"
        new_id = _id("ocb", "image", image["name"]) if public else _id("ocb", "image", image["id"])
        counterparts[str(image["id"])] = new_id
        images.append(
            dict(image, id=new_id, name=_rebrand(image["name"]), **_owned(owner_of(image)))
        )
    target.extra["images"] = images
    snapshots = []
    for snapshot in source.extra["volume_snapshots"]:
        new_id = _id("ocb", "snapshot", snapshot["id"])
        counterparts[str(snapshot["id"])] = new_id
        snapshots.append(
            dict(
                snapshot,
                id=new_id,
                name=_rebrand(snapshot["name"]),
                **_owned(owner_of(snapshot)),
                volume_id=counterparts[str(snapshot["volume_id"])],
                metadata={**snapshot["metadata"], "migrated_from_id": snapshot["id"]},
            )
        )
    target.extra["volume_snapshots"] = snapshots
    backups = []
    for backup in source.extra["volume_backups"]:
        new_id = _id("ocb", "backup", backup["id"])
        counterparts[str(backup["id"])] = new_id
        volume_id = str(backup["volume_id"])
        backups.append(
            dict(
                backup,
                id=new_id,
                name=_rebrand(backup["name"]),
                **_owned(owner_of(backup)),
                volume_id=counterparts.get(volume_id, _id("ocb", "volume", volume_id)),
            )
        )
    target.extra["volume_backups"] = backups
    quotas = _quotas(target)
    limits = _source_limits(source)
    for quota in quotas:
        # The migration carried each project's limits over (by the source project's name).
        source_name = str(quota["project"]).replace("ocb-", "cw-", 1)
        carried = limits.get((source_name, str(quota["name"])))
        if carried is not None:
            quota["limits"] = dict(carried)
    for quota in source.extra["quotas"]:
        project_id = counterparts.get(str(quota["project_id"]))
        if project_id is not None:
            counterparts[str(quota["id"])] = f"{project_id}/{quota['name']}"
    target.extra["quotas"] = quotas


def seed_defects(target: ExampleCloud) -> None:
    """Break the target's storage side as :data:`DEFECTS` says."""
    extra = target.extra
    golden = _named(extra["images"], "ocb-cyberdyne", "ocb-cyberdyne-golden")
    golden["checksum"] = _sha512("golden", "cyberdyne", "bit rot")
    snapshot = _named(extra["volume_snapshots"], "ocb-soylent", "ocb-db-01-data-nightly")
    other = _named(target.volumes, "ocb-soylent", "ocb-web-01-data")
    snapshot["volume_id"] = other["id"]
    _named(extra["volume_backups"], "ocb-gringotts", "ocb-db-01-data-weekly")["status"] = "error"
    quota = _named(extra["quotas"], "ocb-monarch", "compute")
    quota["limits"] = dict(quota["limits"], cores=1)
