"""Round trip of the storage family: serving a snapshot's images, volume snapshots,
volume backups and quotas and inventorying them over HTTP gives them back.

What the APIs do not say is left out of the expectation: a backup's project
below block-storage 3.18. Request counts show the per-project calls: one quota
request per Keystone project and service, nothing per image, snapshot or backup.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import pytest

from auditor.model import CollectionResult, Snapshot, Status
from auditor.sandbox import Sandbox, SandboxOptions
from auditor.sandbox.ids import synthetic_uuid
from auditor.sandbox.quotas import DEFAULTS
from tests.synthetic import down_cell_inventory
from tests.unit.sandbox.conftest import build_snapshot
from tests.unit.sandbox.test_roundtrip import inventory

JSON = dict[str, Any]

MINE = ("images", "volume_snapshots", "volume_backups", "quotas")
COLLECTIONS = ("projects", "servers", "volumes", *MINE)

VARIANTS = {
    "current": SandboxOptions(),
    "old-and-paged": SandboxOptions(
        max_limit=7, image_default_limit=5, compute_max_version="2.40", volume_max_version="3.0"
    ),
}


def _owned(project: JSON) -> JSON:
    return {"project": project["name"], "project_id": project["id"], "domain": project["domain"]}


def _image(image_id: str, name: str | None, owner: JSON | None, **fields: Any) -> JSON:
    item: JSON = {
        "id": image_id,
        "name": name,
        **(_owned(owner) if owner else {"project": None, "project_id": None, "domain": None}),
        "status": "active",
        "visibility": "public",
        "hidden": False,
        "protected": False,
        "disk_format": "qcow2",
        "container_format": "bare",
        "size": 524_288_000,
        "min_disk": 0,
        "min_ram": 0,
        "checksum": "sha512:" + "5e" * 64,
        "properties": {"hw_disk_bus": "virtio", "os_distro": "debian"} if name == "golden" else {},
    }
    item.update(fields)
    return item


def _storage(base: Snapshot) -> dict[str, list[JSON]]:
    cloud = base.cloud
    projects = list(base.collections["projects"].items)
    first, second = projects[0], projects[1]
    volumes = list(base.collections["volumes"].items)
    # Every image a server boots from and the inventory could name is listed.
    images: dict[str, JSON] = {}
    for server in base.collections["servers"].items:
        ref = server.get("image")
        if isinstance(ref, dict) and ref.get("name") is not None:
            images.setdefault(ref["id"], _image(ref["id"], ref["name"], first, protected=True))
    extra = [
        _image(synthetic_uuid(cloud, "img", "golden"), "golden", second, visibility="private",
               size=2_147_483_648, min_disk=20, min_ram=2048, disk_format="raw"),
        _image(synthetic_uuid(cloud, "img", "shared"), "shared", second, visibility="shared",
               checksum="md5:0a1b2c3d4e5f60718293a4b5c6d7e8f9"),
        _image(synthetic_uuid(cloud, "img", "community"), "community", None,
               visibility="community"),
        _image(synthetic_uuid(cloud, "img", "hidden"), "old-base", first, hidden=True,
               status="deactivated"),
        _image(synthetic_uuid(cloud, "img", "queued"), None, second, status="queued",
               disk_format=None, container_format=None, size=None, checksum=None),
    ]  # fmt: skip
    for item in extra:
        images[item["id"]] = item
    snapshots = [
        {
            "id": synthetic_uuid(cloud, "snapshot", n),
            "name": f"{volume['name'] or 'unnamed'}-snap-{n}" if n % 4 else "",
            **_owned(next(p for p in projects if p["id"] == volume["project_id"])),
            "status": "error" if n == 3 else "available",
            "size": volume["size"],
            "volume_id": volume["id"],
            "metadata": {"keep": str(n)} if n % 2 else {},
        }
        for n, volume in enumerate(volumes[:12])
    ]
    backups = [
        {
            "id": synthetic_uuid(cloud, "backup", n),
            "name": f"backup-{n}",
            **_owned(next(p for p in projects if p["id"] == volume["project_id"])),
            "status": "error" if n == 5 else "available",
            "size": volume["size"],
            # The last one outlived its volume.
            "volume_id": volume["id"] if n < 8 else synthetic_uuid(cloud, "deleted-volume"),
            "incremental": n % 3 == 2,
        }
        for n, volume in enumerate(volumes[:9])
    ]
    quotas = []
    for index, project in enumerate(projects):
        for service, defaults in DEFAULTS.items():
            limits = dict(defaults)
            usage = dict.fromkeys(limits, 0)
            if index % 3 == 0:
                first_name = sorted(limits)[0]
                limits[first_name] = -1 if index % 2 else limits[first_name] * 2
                usage[first_name] = index + 1
            quotas.append(
                {
                    "id": f"{project['id']}/{service}",
                    "name": service,
                    **_owned(project),
                    "limits": limits,
                    "usage": usage,
                }
            )
    return {
        "images": list(images.values()),
        "volume_snapshots": snapshots,
        "volume_backups": backups,
        "quotas": quotas,
    }


def storage_snapshot(cloud: str = "cw") -> Snapshot:
    base = build_snapshot(cloud)
    extra = _storage(base)
    collections = dict(base.collections)
    for name, items in extra.items():
        collections[name] = CollectionResult(
            Status.OK, tuple(sorted(items, key=lambda i: str(i["id"])))
        )
    return dataclasses.replace(base, collections=collections)


def storage_inventory(sandbox: Sandbox, tmp_path: Path) -> tuple[int, Snapshot | None]:
    return inventory(sandbox, "cw", tmp_path, COLLECTIONS)


def expected(snapshot: Snapshot, options: SandboxOptions, name: str) -> list[JSON]:
    items = [dict(i) for i in snapshot.collections[name].items]
    if name == "volume_backups" and options.volume_max_version == "3.0":
        # Below 3.18 Cinder does not say a backup's project.
        for item in items:
            item.update(project=None, project_id=None, domain=None)
    return items


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_inventory_of_the_sandbox_gives_the_storage_collections_back(
    variant: str, tmp_path: Path
) -> None:
    options = VARIANTS[variant]
    snapshot = storage_snapshot()
    with Sandbox([snapshot], options=options) as sandbox:
        code, got = storage_inventory(sandbox, tmp_path)
        log = sandbox.requests
        assert sandbox.errors == []

    status, servers, _error = down_cell_inventory(
        snapshot.collections["servers"].items, options.max_limit, options.compute_max_version
    )
    assert code == (0 if status is Status.OK else 3)
    assert got is not None
    for name in MINE:
        want = expected(snapshot, options, name)
        items = [dict(i) for i in got.collections[name].items]
        for mine, theirs in zip(items, want, strict=False):
            assert mine == theirs, name
        assert items == want, name
    # The core collections still come back whole, server image names included (but the
    # down cell's servers, which Nova answers as it does: see down_cell_inventory).
    for name in ("projects", "volumes"):
        assert got.collections[name].items == snapshot.collections[name].items, name
    assert got.collections["servers"].items == servers
    assert got.collections["servers"].status is status
    assert [r.method for r in log if r.method != "GET"] == ["POST"]

    def count(fragment: str) -> int:
        # The listings' walks (the changes asked after them are other requests).
        return sum(1 for r in log if fragment in r.path and "updated_at=" not in r.query)

    # One quota request per project and service, and nothing per other item.
    projects = len(snapshot.collections["projects"].items)
    assert count("/os-quota-sets/") == 2 * projects
    assert count("/v2.0/quotas/") == projects
    assert sum(1 for r in log if "/os-quota-sets/" in r.path and "/volume/" in r.path) == projects
    page = options.max_limit

    def pages(items: int, size: int = page) -> int:
        return math.floor(items / size) + 1

    assert count("/snapshots/detail") == pages(len(snapshot.collections["volume_snapshots"].items))
    assert count("/backups/detail") == pages(len(snapshot.collections["volume_backups"].items))
    hidden = sum(1 for i in snapshot.collections["images"].items if i["hidden"])
    visible = len(snapshot.collections["images"].items) - hidden
    assert count("/v2/images") == pages(visible) + pages(hidden)
