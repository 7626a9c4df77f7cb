"""Synthetic snapshots of any size, for the sandbox and reliability tests.

Every item is in the normalised form the inventory produces (sorted lists,
resolved project and domain names, masked secrets), so that serving a
synthetic snapshot and inventorying the sandbox gives the same snapshot back.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from auditor.catalog.identity import endpoint_name
from auditor.model import CollectionResult, Snapshot, Status
from auditor.sandbox.ids import synthetic_hex, synthetic_uuid
from auditor.secrets import MASK

JSON = dict[str, Any]

FLAVORS: tuple[dict[str, Any], ...] = (
    {"name": "m1.tiny", "vcpus": 1, "ram": 512, "disk": 1},
    {"name": "m1.small", "vcpus": 1, "ram": 2048, "disk": 20},
    {"name": "m1.medium", "vcpus": 2, "ram": 4096, "disk": 40},
    {"name": "m1.large", "vcpus": 4, "ram": 8192, "disk": 80},
)
IMAGES = ("debian-12", "ubuntu-24.04", "rocky-9", "windows-2022")
STATUSES = ("ACTIVE",) * 8 + ("SHUTOFF", "ERROR")
SERVICES = (
    ("identity", "keystone", "https://identity.{region}.{cloud}.example:5000/v3"),
    ("compute", "nova", "https://compute.{region}.{cloud}.example:8774/v2.1"),
    ("block-storage", "cinderv3", "https://volume.{region}.{cloud}.example:8776/v3/%(project_id)s"),
    ("image", "glance", "https://image.{region}.{cloud}.example:9292"),
    ("network", "neutron", "https://network.{region}.{cloud}.example:9696"),
)


def synthetic_snapshot(
    cloud: str = "sandbox",
    region: str | None = "RegionOne",
    *,
    domains: int = 2,
    projects: int = 6,
    servers: int = 20,
    volumes: int = 30,
    partial_servers: int = 0,
) -> Snapshot:
    """A consistent snapshot: projects in domains (one child project per domain),
    servers spread over the projects, volumes attached to some servers, and a
    catalog of five services with three interfaces each."""
    domain_items = [
        {"id": synthetic_hex(cloud, "domain", d), "name": f"{cloud}-domain-{d}"}
        for d in range(max(domains, 1))
    ]
    project_items: list[JSON] = []
    for p in range(max(projects, 1)):
        domain = domain_items[p % len(domain_items)]
        # The last project of each domain is the child of the domain's first one.
        parent = None
        if p >= 2 * len(domain_items) and p + len(domain_items) >= max(projects, 1):
            parent = project_items[p % len(domain_items)]["name"]
        project_items.append(
            {
                "id": synthetic_hex(cloud, "project", p),
                "name": f"{cloud}-project-{p}",
                "domain": domain["name"],
                "domain_id": domain["id"],
                "enabled": p % 7 != 6,
                "description": f"Project {p} of {cloud}",
                "tags": sorted({"synthetic", f"tier-{p % 3}"}),
                "parent": parent,
            }
        )

    server_items: list[JSON] = []
    volume_items: list[JSON] = []
    for s in range(servers):
        project = project_items[s % len(project_items)]
        image = None if s % 5 == 4 else IMAGES[s % len(IMAGES)]
        addresses: dict[str, list[str]] = {
            "private": [f"10.{(s >> 16) & 255}.{(s >> 8) & 255}.{s & 255}"]
        }
        if s % 3 == 0:
            addresses["public"] = sorted([f"203.0.{(s >> 8) & 255}.{s & 255}", f"2001:db8::{s:x}"])
        server_items.append(
            {
                "id": synthetic_uuid(cloud, "server", s),
                "name": f"{cloud}-server-{s:05d}",
                "project": project["name"],
                "project_id": project["id"],
                "domain": project["domain"],
                "status": STATUSES[s % len(STATUSES)],
                "flavor": dict(FLAVORS[s % len(FLAVORS)]),
                "image": (
                    {"id": synthetic_uuid(cloud, "image", image), "name": image} if image else None
                ),
                "key_name": None if s % 4 == 3 else "ops-key",
                "availability_zone": f"az-{s % 2 + 1}",
                "metadata": {"role": ("web", "db", "batch")[s % 3], "db_password": MASK}
                if s % 2 == 0
                else {},
                "addresses": addresses,
                "volumes": [],
                "security_groups": sorted({"default", ("web", "db", "batch")[s % 3]}),
                "tags": ["prod"] if s % 5 == 0 else [],
                "config_drive": s % 3 == 0,
                "locked": s % 7 == 0,
                **({"locked_reason": "legal hold"} if s % 14 == 0 else {}),
            }
        )
    for v in range(volumes):
        project = project_items[v % len(project_items)]
        attached = v < len(server_items) and v % 2 == 0
        vid = synthetic_uuid(cloud, "volume", v)
        attachments: list[str] = []
        if attached:
            server = server_items[v]
            server["volumes"].append(vid)
            attachments = [server["id"]]
            project = next(p for p in project_items if p["id"] == server["project_id"])
        volume_items.append(
            {
                "id": vid,
                "name": f"{cloud}-volume-{v:05d}" if v % 9 else "",
                "project": project["name"],
                "project_id": project["id"],
                "domain": project["domain"],
                "status": "in-use" if attached else "available",
                "size": 10 * (v % 10 + 1),
                "volume_type": ("ceph-ssd", "ceph-hdd")[v % 2],
                "bootable": v % 5 == 0,
                "encrypted": v % 4 == 0,
                "availability_zone": "nova",
                "metadata": {"backup": "daily"} if v % 3 == 0 else {},
                "attachments": attachments,
            }
        )
    for server in server_items:
        server["volumes"].sort()
    for p in range(partial_servers):
        project = project_items[p % len(project_items)]
        server_items.append(
            {
                "id": synthetic_uuid(cloud, "down-cell-server", p),
                "name": None,
                "project": project["name"],
                "project_id": project["id"],
                "domain": project["domain"],
                "status": "UNKNOWN",
                "flavor": None,
                "image": None,
                "key_name": None,
                "availability_zone": None,
                "metadata": {},
                "addresses": {},
                "volumes": [],
                "security_groups": [],
                "partial": True,
            }
        )

    endpoint_items = []
    for service_type, service_name, template in SERVICES:
        for interface in ("public", "internal", "admin"):
            url = template.format(region=region or "default", cloud=cloud)
            if interface != "public":
                url = url.replace("https://", f"http://{interface}-").replace(".example", ".lan")
            endpoint_items.append(
                {
                    "id": synthetic_hex(cloud, "endpoint", service_type, interface),
                    "name": endpoint_name(service_type, interface, region),
                    "service_type": service_type,
                    "service_name": service_name,
                    "interface": interface,
                    "region": region,
                    "url": url,
                    "enabled": True,
                }
            )

    def result(items: list[JSON]) -> CollectionResult:
        return CollectionResult(Status.OK, tuple(sorted(items, key=lambda i: str(i["id"]))))

    return Snapshot(
        cloud=cloud,
        region=region,
        auth_url=None,
        taken_at=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        duration_s=0.0,
        collections={
            "projects": result(project_items),
            "servers": result(server_items),
            "volumes": result(volume_items),
            "endpoints": result(endpoint_items),
        },
        microversions={"compute": "2.96", "block-storage": "3.70"},
    )


def servers_at(servers: tuple[JSON, ...], compute_max_version: str) -> tuple[JSON, ...]:
    """``servers`` as Nova answers them at ``compute_max_version``: without the fields it
    gives only from a later microversion (the catalog's ``since``: absent, unknown)."""
    from auditor.catalog import registry
    from auditor.catalog.sources import Api
    from auditor.catalog.text import version as version_tuple

    now = version_tuple(compute_max_version)
    later = {
        f.name
        for f in registry.spec("servers").fields
        if isinstance(f.source, Api) and f.source.since and now < version_tuple(f.source.since)
    }
    return tuple({k: v for k, v in s.items() if k not in later} for s in servers)


def down_cell_inventory(
    servers: tuple[JSON, ...], max_limit: int, compute_max_version: str
) -> tuple[Status, tuple[JSON, ...], str | None]:
    """What an inventory of the sandbox says of ``servers`` (some ``partial``: in a
    cell that is down), as Nova answers (servers.py ``_is_cell_down_supported``,
    compute/api.py ``get_all``), at ``compute_max_version`` (:func:`servers_at`):
    (status, items, error).

    Below 2.69 the down cell's servers are skipped without a word. From 2.69 the
    first, unpaged page holds partial records in the room its servers leave, and
    os-services names the down cell's hosts: the servers are incomplete.
    """
    from auditor.catalog.text import version as version_tuple
    from auditor.sandbox.cells import down_host_of

    servers = servers_at(servers, compute_max_version)
    up = tuple(s for s in servers if not s.get("partial"))
    down = [s for s in servers if s.get("partial")]
    if not down or version_tuple(compute_max_version) < (2, 69):
        return Status.OK, up, None
    room = max(max_limit - len(up), 0)
    kept = {str(s["id"]) for s in down[:room]}
    items = tuple(s for s in servers if not s.get("partial") or str(s["id"]) in kept)
    hosts = ", ".join(sorted({down_host_of(str(s["id"])) for s in down}))
    error = (
        f"compute: a cell is down (its compute hosts {hosts} answer UNKNOWN): Nova leaves its"
        " servers out of paged listings, so they are not all listed"
    )
    if kept:
        error += f"; {len(kept)} came back as partial records"
    return Status.INCOMPLETE, items, error
