"""Glance listings behind image names: top-level next links, hidden images."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.catalog.registry import listings
from auditor.collect.pager import Pager, RetryPolicy
from tests import dataset
from tests import payloads as p
from tests.fakecloud import FakeCloud
from tests.harness import Inventory


def list_images(connection: Any, key: str) -> list[str]:
    listing = listings()[key]
    pager = Pager(connection.image, policy=RetryPolicy())
    listed = pager.list(listing.label, listing.path, listing.items, listing.params)
    return [image["id"] for image in listed.items]


@pytest.mark.parametrize(("count", "requests"), [(3, 2), (4, 2), (6, 3), (7, 3)])
def test_image_pages_follow_glance_top_level_next_without_loss_or_duplicate(
    cloud: FakeCloud, connection: Any, count: int, requests: int
) -> None:
    cloud.glance_max_limit = 3
    cloud.images = [p.image(f"img-{i:02d}", f"image-{i}") for i in range(1, count + 1)]

    listed = list_images(connection, "image.images")

    assert listed == [f"img-{i:02d}" for i in range(1, count + 1)]
    sent = cloud.requests_to("/v2/images")
    assert len(sent) == requests
    assert all(cloud.query(r)["visibility"] == ["all"] for r in sent)


def test_hidden_images_are_a_listing_of_their_own(cloud: FakeCloud, connection: Any) -> None:
    cloud.images = [p.image("img-1", "debian-12"), p.image("img-h", "old-base", hidden=True)]

    assert list_images(connection, "image.images") == ["img-1"]
    assert list_images(connection, "image.hidden_images") == ["img-h"]


def test_servers_name_images_from_any_page_and_hidden_ones(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    cloud.glance_max_limit = 2
    cloud.images = [p.image(f"img-{i}", f"image-{i}") for i in range(1, 6)]
    cloud.images.append(p.image("img-h", "old-base", hidden=True))
    cloud.servers = [
        p.server("s-1", "last-page", "p-acme", flavor_=dataset.SMALL, image_id="img-5"),
        p.server("s-2", "hidden", "p-acme", flavor_=dataset.SMALL, image_id="img-h"),
        p.server("s-3", "gone", "p-acme", flavor_=dataset.SMALL, image_id="img-deleted"),
    ]

    servers = inventory(["servers"]).collections["servers"]

    assert [s["image"] for s in servers.items] == [
        {"id": "img-5", "name": "image-5"},
        {"id": "img-h", "name": "old-base"},
        {"id": "img-deleted", "name": None},
    ]


def test_a_failed_image_listing_only_loses_image_names(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    cloud.overrides["/images"] = lambda _request: FakeCloud.reply({}, 503)

    servers = inventory(["servers"]).collections["servers"]

    assert servers.status.value == "ok"
    assert servers.items[0]["image"] == {"id": "img-1", "name": None}


# -- the images collection --------------------------------------------------------------


def test_images_of_both_listings_are_normalised_and_owned_by_their_project(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    cloud.glance_max_limit = 2
    cloud.images = [
        p.image("img-1", "debian-12", owner="p-admin-unknown"),
        p.image(
            "img-2",
            "cw-golden",
            owner="p-acme",
            visibility="private",
            protected=True,
            size=2_147_483_648,
            min_disk=20,
            min_ram=1024,
            disk_format="raw",
        ),
        # Before Glance 17.0 there is no multihash: the MD5 checksum is the hash.
        p.image("img-3", "legacy", owner="p-beta", visibility="shared", os_hash_value=None),
        p.image("img-h", "old-base", owner="p-acme", hidden=True, status="deactivated"),
        # Queued: no data yet, no hash, no size.
        p.image("img-q", None, owner=None, status="queued", size=None, checksum=None,
                os_hash_value=None),
    ]  # fmt: skip

    images = inventory(["images"]).collections["images"]

    assert images.status.value == "ok"
    by_id = {i["id"]: i for i in images.items}
    assert by_id["img-2"] == {
        "id": "img-2",
        "name": "cw-golden",
        "project": "cw-acme",
        "project_id": "p-acme",
        "domain": "cloudwatt",
        "status": "active",
        "visibility": "private",
        "hidden": False,
        "protected": True,
        "disk_format": "raw",
        "container_format": "bare",
        "size": 2_147_483_648,
        "min_disk": 20,
        "min_ram": 1024,
        "checksum": "sha512:" + "9f86d081884c7d65" * 8,
        "properties": {},
    }
    assert by_id["img-1"]["project"] is None
    assert by_id["img-1"]["project_id"] == "p-admin-unknown"
    assert by_id["img-3"]["checksum"] == "md5:0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    assert by_id["img-h"]["hidden"] is True
    assert by_id["img-h"]["status"] == "deactivated"
    assert by_id["img-q"] == {
        **by_id["img-q"],
        "name": None,
        "project_id": None,
        "project": None,
        "size": None,
        "checksum": None,
    }
    assert sorted(by_id) == ["img-1", "img-2", "img-3", "img-h", "img-q"]
    # Four visible images at two per page, then the hidden one: 3 + 1 requests.
    assert len(cloud.requests_to("/v2/images")) == 4


def test_images_fail_when_the_hidden_listing_fails(cloud: FakeCloud, inventory: Inventory) -> None:
    def hidden_fails(request: Any) -> Any:
        if FakeCloud.query(request).get("os_hidden") == ["true"]:
            return FakeCloud.reply({}, 503)
        return cloud.default("/images")(request)

    cloud.overrides["/images"] = hidden_fails

    images = inventory(["images"]).collections["images"]

    assert images.status.value == "error"
    assert "needs image hidden_images, which failed" in (images.error or "")
