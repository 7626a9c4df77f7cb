"""Glance listings behind image names: top-level next links, hidden images."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.collect import LISTINGS
from auditor.collect.pager import Pager, RetryPolicy
from tests import dataset
from tests import payloads as p
from tests.fakecloud import FakeCloud
from tests.harness import Inventory


def list_images(connection: Any, key: str) -> list[str]:
    listing = LISTINGS[key]
    pager = Pager(connection.image, policy=RetryPolicy())
    listed = pager.list(listing.label, listing.path, listing.item_key, listing.params)
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
