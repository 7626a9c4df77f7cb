"""Volumes from Cinder: normalised fields, microversion, paging, vanished markers."""

from __future__ import annotations

from typing import Any

import pytest

from tests import payloads as p
from tests.fakecloud import FakeCloud, walked
from tests.harness import Inventory

EXPECTED_VOLUMES = [
    {
        "id": "v-1",
        "name": "cw-data",
        "project": "cw-acme",
        "project_id": "p-acme",
        "domain": "cloudwatt",
        "status": "in-use",
        "size": 100,
        "volume_type": "ceph-ssd",
        "bootable": False,
        "encrypted": True,
        "availability_zone": "nova",
        "metadata": {"backup": "daily", "luks_passphrase": "***"},
        "attachments": ["s-1"],
    },
    {
        "id": "v-2",
        "name": "cw-root",
        "project": "cw-beta",
        "project_id": "p-beta",
        "domain": "cloudwatt",
        "status": "in-use",
        "size": 20,
        "volume_type": "ceph-ssd",
        "bootable": True,
        "encrypted": False,
        "availability_zone": "nova",
        "metadata": {},
        "attachments": ["s-2"],
    },
]


def numbered_volumes(count: int) -> list[dict[str, Any]]:
    return [p.volume(f"v-{i:02d}", f"data-{i}", "p-acme") for i in range(1, count + 1)]


def test_volumes_are_normalised_to_the_core_fields(inventory: Inventory) -> None:
    volumes = inventory(["volumes"]).collections["volumes"]

    assert volumes.status.value == "ok"
    assert list(volumes.items) == EXPECTED_VOLUMES


@pytest.mark.parametrize(
    ("server_max", "negotiated"),
    [("3.50", "3.50"), ("3.70", "3.70"), ("3.80", "3.70")],
)
def test_the_volume_listing_carries_the_negotiated_microversion(
    cloud: FakeCloud, inventory: Inventory, server_max: str, negotiated: str
) -> None:
    cloud.volume_max = server_max

    snapshot = inventory(["volumes"])

    assert snapshot.microversions["block-storage"] == negotiated
    sent = cloud.requests_to("/volumes/detail")
    assert [r.headers.get("OpenStack-API-Version") for r in sent] == [f"volume {negotiated}"]


@pytest.mark.parametrize(("count", "requests"), [(3, 2), (4, 2), (6, 3), (7, 3)])
def test_volume_pages_are_walked_to_the_end_without_loss_or_duplicate(
    cloud: FakeCloud, inventory: Inventory, count: int, requests: int
) -> None:
    cloud.cinder_max_limit = 3
    cloud.volumes = numbered_volumes(count)

    volumes = inventory(["volumes"]).collections["volumes"]

    first, _ = walked(cloud, "/volumes/detail", volumes.items, "v", count, requests)
    assert first == {"all_tenants": ["True"], "limit": ["1000"]}


def test_a_marker_deleted_mid_walk_restarts_the_listing_and_keeps_each_volume_once(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    cloud.cinder_max_limit = 2
    cloud.volumes = numbered_volumes(5)
    default = cloud.default("/volumes/detail")
    deleted: list[str] = []
    statuses: list[int] = []

    def delete_marker_once(request: Any) -> Any:
        marker = cloud.query(request).get("marker", [None])[0]
        if marker == "v-02" and not deleted:
            deleted.append(marker)
            cloud.volumes = [v for v in cloud.volumes if v["id"] != marker]
        answer = default(request)
        statuses.append(answer[0])
        return answer

    cloud.overrides["/volumes/detail"] = delete_marker_once

    volumes = inventory(["volumes"]).collections["volumes"]

    ids = [v["id"] for v in volumes.items]
    assert volumes.status.value == "ok"
    assert len(ids) == len(set(ids))
    assert {v["id"] for v in cloud.volumes} <= set(ids)
    assert 404 in statuses
    from_start = [r for r in cloud.requests_to("/volumes/detail") if "marker" not in r.url]
    assert len(from_start) == 2


def test_a_volume_listing_that_keeps_failing_is_an_error_not_an_empty_list(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    cloud.overrides["/volumes/detail"] = lambda _request: FakeCloud.reply({}, 503)

    snapshot = inventory()

    volumes = snapshot.collections["volumes"]
    assert volumes.status.value == "error"
    assert volumes.error == "block-storage volumes: HTTP 503 after 5 attempts"
    assert volumes.items == ()
    others = {name: c.status.value for name, c in snapshot.collections.items() if name != "volumes"}
    assert others == {"projects": "ok", "servers": "ok", "endpoints": "ok"}
    assert len(cloud.requests_to("/volumes/detail")) == 5


# -- snapshots and backups -----------------------------------------------------------


def test_snapshots_are_normalised_with_their_project_volume_and_masked_metadata(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    cloud.snapshots = [
        p.snapshot(
            "sn-1",
            "cw-data-nightly",
            "p-acme",
            "v-1",
            size=100,
            metadata={"migrated_from_id": "x", "api_token": "t0k3n"},
        ),
        p.snapshot("sn-2", "", "p-beta", "v-2", size=20, status="error"),
    ]

    snapshots = inventory(["volume_snapshots"]).collections["volume_snapshots"]

    assert snapshots.status.value == "ok"
    assert list(snapshots.items) == [
        {
            "id": "sn-1",
            "name": "cw-data-nightly",
            "project": "cw-acme",
            "project_id": "p-acme",
            "domain": "cloudwatt",
            "status": "available",
            "size": 100,
            "volume_id": "v-1",
            "metadata": {"migrated_from_id": "x", "api_token": "***"},
        },
        {
            "id": "sn-2",
            "name": "",
            "project": "cw-beta",
            "project_id": "p-beta",
            "domain": "cloudwatt",
            "status": "error",
            "size": 20,
            "volume_id": "v-2",
            "metadata": {},
        },
    ]
    sent = cloud.requests_to("/snapshots/detail")
    assert len(sent) == 1
    assert cloud.query(sent[0]) == {"all_tenants": ["True"], "limit": ["1000"]}
    assert sent[0].headers["OpenStack-API-Version"] == "volume 3.70"


def test_backups_are_normalised_with_their_project_from_microversion_3_18(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    cloud.backups = [
        p.backup("b-1", "cw-data-weekly", "p-acme", "v-1", size=100),
        p.backup("b-2", "cw-data-daily", "p-acme", "v-1", size=100, incremental=True),
        # Below 3.18 Cinder does not say a backup's project.
        p.backup("b-3", "orphan", None, "v-deleted", status="error"),
    ]

    backups = inventory(["volume_backups"]).collections["volume_backups"]

    assert backups.status.value == "ok"
    assert list(backups.items) == [
        {
            "id": "b-1",
            "name": "cw-data-weekly",
            "project": "cw-acme",
            "project_id": "p-acme",
            "domain": "cloudwatt",
            "status": "available",
            "size": 100,
            "volume_id": "v-1",
            "incremental": False,
        },
        {
            "id": "b-2",
            "name": "cw-data-daily",
            "project": "cw-acme",
            "project_id": "p-acme",
            "domain": "cloudwatt",
            "status": "available",
            "size": 100,
            "volume_id": "v-1",
            "incremental": True,
        },
        {
            "id": "b-3",
            "name": "orphan",
            "project": None,
            "project_id": None,
            "domain": None,
            "status": "error",
            "size": 10,
            "volume_id": "v-deleted",
            "incremental": False,
        },
    ]


@pytest.mark.parametrize("what", ["snapshots", "backups"])
def test_snapshot_and_backup_pages_follow_their_links_without_loss_or_duplicate(
    cloud: FakeCloud, inventory: Inventory, what: str
) -> None:
    cloud.cinder_max_limit = 2
    make = p.snapshot if what == "snapshots" else p.backup
    setattr(cloud, what, [make(f"x-{i}", f"n-{i}", "p-acme", "v-1") for i in range(1, 6)])
    name = "volume_snapshots" if what == "snapshots" else "volume_backups"

    items = inventory([name]).collections[name].items

    assert [i["id"] for i in items] == [f"x-{i}" for i in range(1, 6)]
    assert len(cloud.requests_to(f"/{what}/detail")) == 3


def test_a_snapshot_listing_that_keeps_failing_is_an_error(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    cloud.overrides["/snapshots/detail"] = lambda _request: FakeCloud.reply({}, 500)

    snapshot = inventory(["volume_snapshots", "volumes"])

    assert snapshot.collections["volume_snapshots"].status.value == "error"
    assert "block-storage snapshots: HTTP 500" in (
        snapshot.collections["volume_snapshots"].error or ""
    )
    assert snapshot.collections["volumes"].status.value == "ok"
