"""The core collections of the example clouds: projects, servers, volumes and endpoints
of a Cloudwatt-style source, its faithful Orange-Cloud-for-Business-style successor, and
the defects seeded in it."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from auditor.demo.base import (
    COMPANIES,
    FLAVORS,
    IMAGES,
    JSON,
    ROLES,
    SERVICES,
    ExampleCloud,
    hex_of,
    uuid_of,
)

COLLECTIONS = ("projects", "servers", "volumes", "endpoints")
"""The collections whose demo rows this module makes (the clouds' own fields)."""


def _tenant_names(count: int) -> Iterator[str]:
    for index in range(count):
        base = COMPANIES[index % len(COMPANIES)]
        yield base if index < len(COMPANIES) else f"{base}-{index // len(COMPANIES) + 1}"


def _project(pid: str, name: str, domain: str, domain_id: str, **extra: Any) -> JSON:
    return {
        "id": pid,
        "name": name,
        "domain": domain,
        "domain_id": domain_id,
        "enabled": True,
        "description": extra.pop("description", ""),
        "tags": extra.pop("tags", []),
        "parent": None,
        **extra,
    }


def _endpoints(cloud: str, region: str, host: str) -> list[JSON]:
    out = []
    for stype, sname, short, path in SERVICES:
        for interface in ("public", "internal", "admin"):
            prefix = short if interface == "public" else f"{short}-{interface}"
            out.append(
                {
                    "id": hex_of(cloud, "endpoint", stype, interface),
                    "name": f"{stype}/{interface}/{region}",
                    "service_type": stype,
                    "service_name": sname,
                    "interface": interface,
                    "region": region,
                    "url": f"https://{prefix}.{host}{path}",
                    "enabled": True,
                }
            )
    return out


def source_cloud(servers: int, rng: random.Random) -> ExampleCloud:
    """The legacy cloud: ``servers`` servers, ~1.5 volumes each, a project per ~20 servers
    (at least 30 projects for the demo's sake when ``servers`` is small)."""
    cloud = ExampleCloud("cloudwatt", "fr1")
    domain_id = hex_of("cloudwatt", "domain")
    cloud.projects += [
        _project(hex_of("cloudwatt", "admin"), "admin", "Default", "default"),
        _project(hex_of("cloudwatt", "service"), "service", "Default", "default"),
    ]
    tenants = max(servers // 20, min(30, max(servers // 3, 1)))
    for tenant in _tenant_names(tenants):
        pid = hex_of("cloudwatt", "project", tenant)
        cloud.projects.append(
            _project(
                pid,
                f"cw-{tenant}",
                "cloudwatt",
                domain_id,
                description=f"{tenant.replace('-', ' ').title()} production",
                tags=["customer"],
            )
        )
    tenant_projects = cloud.projects[2:]
    for index in range(servers):
        project = tenant_projects[index % len(tenant_projects)]
        tenant = project["name"][3:]
        role = ROLES[(index // len(tenant_projects)) % len(ROLES)]
        number = index // (len(tenant_projects) * len(ROLES)) + 1
        sid = uuid_of("cloudwatt", "server", index)
        flavor = dict(FLAVORS[rng.randrange(len(FLAVORS))])
        image_name = IMAGES[rng.randrange(len(IMAGES))]
        server: JSON = {
            "id": sid,
            "name": f"cw-{role}-{number:02d}",
            "project": project["name"],
            "project_id": project["id"],
            "domain": "cloudwatt",
            "status": "ACTIVE" if rng.random() > 0.1 else "SHUTOFF",
            "flavor": flavor,
            "image": {"id": uuid_of("cloudwatt", "image", image_name), "name": image_name},
            "key_name": f"{tenant}-ops",
            "availability_zone": "fr1-a" if index % 2 else "fr1-b",
            "metadata": {"role": role, "owner": f"ops@{tenant}.example"},
            "addresses": {
                f"{tenant}-net": [f"10.{index // 65536 % 256}.{index // 256 % 256}.{index % 256}"]
            },
            "volumes": [],
            "security_groups": sorted({"default", role}),
            "tags": [],
            "config_drive": False,
            "locked": False,
        }
        cloud.servers.append(server)
    # 1.5 volumes per server: one data volume on every server, and one more
    # on every other server, half of those left unattached.
    for index in range(servers + servers // 2):
        server = cloud.servers[index % servers]
        attached = index < servers or index % 2 == 0
        vid = uuid_of("cloudwatt", "volume", index)
        suffix = "data" if index < servers else "extra"
        volume: JSON = {
            "id": vid,
            "name": f"{server['name']}-{suffix}",
            "project": server["project"],
            "project_id": server["project_id"],
            "domain": "cloudwatt",
            "status": "in-use" if attached else "available",
            "size": rng.choice((10, 20, 50, 100, 200, 500)),
            "volume_type": "ceph-ssd" if rng.random() > 0.3 else "ceph-hdd",
            "bootable": False,
            "encrypted": rng.random() < 0.2,
            "availability_zone": "nova",
            "metadata": {"backup": "daily"} if rng.random() < 0.5 else {},
            "attachments": [server["id"]] if attached else [],
        }
        if attached:
            server["volumes"].append(vid)
        cloud.volumes.append(volume)
    for server in cloud.servers:
        server["volumes"].sort()
    cloud.endpoints = _endpoints("cloudwatt", "fr1", "fr1.cloudwatt.com")
    return cloud


def _rebrand(text: str) -> str:
    return "ocb-" + text[3:] if text.startswith("cw-") else text


def target_cloud(source: ExampleCloud, *, by_metadata: float, rng: random.Random) -> ExampleCloud:
    """The source after the migration, faithful: new ids, new names, new region."""
    cloud = ExampleCloud("ocb", "ocb-fr1")
    domain_id = hex_of("ocb", "domain", "ocb-cloudwatt")
    pmap: dict[str, JSON] = {}
    for project in source.projects:
        if project["domain"] == "Default":
            continue
        copy = dict(
            project,
            id=hex_of("ocb", "project", project["id"]),
            name=_rebrand(project["name"]),
            domain="ocb-cloudwatt",
            domain_id=domain_id,
        )
        pmap[project["id"]] = copy
        cloud.counterparts[project["id"]] = copy["id"]
        cloud.projects.append(copy)
    # The target cloud has other customers too: out of the migration's scope.
    other_domain = hex_of("ocb", "domain", "ocb-enterprise")
    for name in ("eiffel", "loire", "garonne"):
        cloud.projects.append(
            _project(hex_of("ocb", "project", name), name, "ocb-enterprise", other_domain)
        )
    cloud.projects += [
        _project(hex_of("ocb", "admin"), "admin", "Default", "default"),
        _project(hex_of("ocb", "service"), "service", "Default", "default"),
    ]
    smap: dict[str, str] = {}
    for server in source.servers:
        project = pmap[server["project_id"]]
        new_id = uuid_of("ocb", "server", server["id"])
        smap[server["id"]] = new_id
        cloud.counterparts[server["id"]] = new_id
        metadata = dict(server["metadata"])
        if rng.random() < by_metadata:
            metadata["migrated_from_id"] = server["id"]
        image = server["image"]
        cloud.servers.append(
            dict(
                server,
                id=new_id,
                name=_rebrand(server["name"]),
                project=project["name"],
                project_id=project["id"],
                domain="ocb-cloudwatt",
                image={"id": uuid_of("ocb", "image", image["name"]), "name": image["name"]},
                metadata=metadata,
                # The migration kept the servers' addresses: their ports were
                # re-created with them (and their MACs).
                addresses={net: list(ips) for net, ips in server["addresses"].items()},
                volumes=[],
                flavor=dict(server["flavor"]),
            )
        )
    servers_by_id = {s["id"]: s for s in cloud.servers}
    for volume in source.volumes:
        project = pmap[volume["project_id"]]
        new_id = uuid_of("ocb", "volume", volume["id"])
        cloud.counterparts[volume["id"]] = new_id
        metadata = dict(volume["metadata"])
        if rng.random() < by_metadata:
            metadata["migrated_from_id"] = volume["id"]
        attachments = [smap[s] for s in volume["attachments"]]
        for server_id in attachments:
            servers_by_id[server_id]["volumes"].append(new_id)
        cloud.volumes.append(
            dict(
                volume,
                id=new_id,
                name=_rebrand(volume["name"]),
                project=project["name"],
                project_id=project["id"],
                domain="ocb-cloudwatt",
                metadata=metadata,
                attachments=attachments,
            )
        )
    for server in cloud.servers:
        server["volumes"].sort()
    cloud.endpoints = _endpoints("ocb", "ocb-fr1", "fr1.cloud.orange-business.com")
    return cloud


def _find(items: list[JSON], project: str, name: str) -> JSON:
    for item in items:
        if item.get("project") == project and item.get("name") == name:
            return item
    raise LookupError(f"{project}/{name}")


DEFECTS = (
    "volume ocb-acme/ocb-db-01-data shrank to half its size",
    "server cw-initech/cw-app-01 was never migrated",
    "the first encrypted volume (by project and name) lost its encryption",
    "volume ocb-umbrella/ocb-app-01-data is no longer attached to its server",
    "server ocb-hooli/ocb-db-01 got a smaller flavor",
    "server ocb-stark/ocb-web-01 is in status ERROR",
    "project ocb-wayne is disabled",
    "the public image endpoint still points at cloudwatt.com",
    "server ocb-wonka/ocb-tmp-debug exists in the target only",
    "server ocb-tyrell/ocb-app-01 still says 'cloudwatt' in its metadata",
)
"""What :func:`seed_defects` breaks in the target, as an operator would describe it."""


def seed_defects(target: ExampleCloud) -> None:
    """Break the target the way real migrations break (see :data:`DEFECTS`)."""
    volume = _find(target.volumes, "ocb-acme", "ocb-db-01-data")
    volume["size"] = max(volume["size"] // 2, 1)
    missing = _find(target.servers, "ocb-initech", "ocb-app-01")
    target.servers.remove(missing)
    for v in target.volumes:
        v["attachments"] = [s for s in v["attachments"] if s != missing["id"]]
        if not v["attachments"]:
            v["status"] = "available"
    encrypted = sorted(
        (v for v in target.volumes if v["encrypted"]), key=lambda v: (v["project"], v["name"])
    )
    if encrypted:
        encrypted[0]["encrypted"] = False
    volume = _find(target.volumes, "ocb-umbrella", "ocb-app-01-data")
    for server_id in volume["attachments"]:
        server = next(s for s in target.servers if s["id"] == server_id)
        server["volumes"] = [v for v in server["volumes"] if v != volume["id"]]
    volume["attachments"] = []
    volume["status"] = "available"
    server = _find(target.servers, "ocb-hooli", "ocb-db-01")
    names = [f["name"] for f in FLAVORS]
    step = names.index(server["flavor"]["name"])
    server["flavor"] = (
        dict(FLAVORS[step - 1]) if step > 0 else dict(FLAVORS[0], name="m1.tiny", ram=1024)
    )
    _find(target.servers, "ocb-stark", "ocb-web-01")["status"] = "ERROR"
    next(p for p in target.projects if p["name"] == "ocb-wayne")["enabled"] = False
    endpoint = next(
        e for e in target.endpoints if e["service_type"] == "image" and e["interface"] == "public"
    )
    endpoint["url"] = "https://image.fr1.cloudwatt.com"
    template = _find(target.servers, "ocb-wonka", "ocb-web-01")
    target.servers.append(
        dict(
            template,
            id=uuid_of("ocb", "server", "tmp-debug"),
            name="ocb-tmp-debug",
            metadata={"role": "debug"},
            volumes=[],
        )
    )
    server = _find(target.servers, "ocb-tyrell", "ocb-app-01")
    server["metadata"] = dict(server["metadata"], note="migrated from cloudwatt fr1")
