"""Servers from Nova: flavors at every microversion, negotiation, paging, down cells."""

from __future__ import annotations

from typing import Any

import pytest

from tests import dataset
from tests import payloads as p
from tests.fakecloud import FakeCloud
from tests.harness import Inventory

EXPECTED_SERVERS = [
    {
        "id": "s-1",
        "name": "cw-web",
        "project": "cw-acme",
        "project_id": "p-acme",
        "domain": "cloudwatt",
        "status": "ACTIVE",
        "flavor": {"name": "m1.small", "vcpus": 1, "ram": 2048, "disk": 20},
        "image": {"id": "img-1", "name": "debian-12"},
        "key_name": "ops-key",
        "availability_zone": "nova",
        "metadata": {"role": "web", "db_password": "***"},
        "addresses": {"private": ["10.0.0.5"], "public": ["192.0.2.10", "203.0.113.7"]},
        "volumes": ["v-1"],
        "security_groups": ["default", "web"],
    },
    {
        "id": "s-2",
        "name": "cw-db",
        "project": "cw-beta",
        "project_id": "p-beta",
        "domain": "cloudwatt",
        "status": "ACTIVE",
        "flavor": {"name": "m1.large", "vcpus": 4, "ram": 8192, "disk": 80},
        "image": None,
        "key_name": None,
        "availability_zone": "az-2",
        "metadata": {},
        "addresses": {"private": ["10.0.0.5"]},
        "volumes": ["v-2"],
        "security_groups": ["default"],
    },
]


def at_microversion(cloud: FakeCloud, version: str) -> None:
    """Make Nova's maximum ``version`` and shape its servers as it would answer them."""
    major, minor = (int(part) for part in version.split("."))
    cloud.compute_max = version
    cloud.servers = dataset.servers((major, minor))


def numbered_servers(count: int) -> list[dict[str, Any]]:
    return [
        p.server(f"s-{i:02d}", f"vm-{i}", "p-acme", flavor_=dataset.SMALL)
        for i in range(1, count + 1)
    ]


def api_version(request: Any) -> str | None:
    value: str | None = request.headers.get("OpenStack-API-Version")
    return value


@pytest.mark.parametrize("version", ["2.1", "2.46", "2.47", "2.96"])
def test_servers_are_normalised_alike_at_every_microversion(
    cloud: FakeCloud, inventory: Inventory, version: str
) -> None:
    at_microversion(cloud, version)

    servers = inventory(["servers"]).collections["servers"]

    assert servers.status.value == "ok"
    assert list(servers.items) == EXPECTED_SERVERS


@pytest.mark.parametrize("version", ["2.1", "2.46"])
def test_flavor_ids_are_resolved_from_one_flavor_listing(
    cloud: FakeCloud, inventory: Inventory, version: str
) -> None:
    at_microversion(cloud, version)
    cloud.servers += [
        p.server(f"s-{i}", f"vm-{i}", "p-acme", flavor_=dataset.SMALL, microversion=(2, 1))
        for i in range(3, 8)
    ]

    inventory(["servers"])

    flavor_requests = cloud.requests_to("/flavors/detail")
    assert len(flavor_requests) == 1
    assert cloud.query(flavor_requests[0])["is_public"] == ["none"]
    per_flavor = [url for _method, url in cloud.sent() if "/flavors/f-" in url]
    assert per_flavor == []


@pytest.mark.parametrize("version", ["2.47", "2.96"])
def test_embedded_flavors_need_no_flavor_listing(
    cloud: FakeCloud, inventory: Inventory, version: str
) -> None:
    at_microversion(cloud, version)

    inventory(["servers"])

    assert cloud.requests_to("/flavors/detail") == []
    assert all("/flavors" not in url for _method, url in cloud.sent())


@pytest.mark.parametrize(
    ("server_max", "negotiated"),
    [("2.40", "2.40"), ("2.96", "2.96"), ("2.99", "2.96")],
)
def test_listings_carry_the_negotiated_microversion(
    cloud: FakeCloud, inventory: Inventory, server_max: str, negotiated: str
) -> None:
    cloud.compute_max = server_max

    snapshot = inventory(["servers"])

    assert snapshot.microversions["compute"] == negotiated
    listing_requests = cloud.requests_to("/servers/detail") + cloud.requests_to("/flavors/detail")
    assert listing_requests
    assert {api_version(r) for r in listing_requests} == {f"compute {negotiated}"}


def test_a_server_below_2_47_gets_its_flavors_listed(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    cloud.compute_max = "2.40"

    inventory(["servers"])

    assert [api_version(r) for r in cloud.requests_to("/flavors/detail")] == ["compute 2.40"]


def test_a_flavor_deleted_since_boot_leaves_its_sizes_unknown(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    at_microversion(cloud, "2.1")
    cloud.flavors = [dataset.LARGE]

    servers = inventory(["servers"]).collections["servers"]

    assert servers.status.value == "ok"
    by_id = {s["id"]: s for s in servers.items}
    assert by_id["s-1"]["flavor"] == {"name": None, "vcpus": None, "ram": None, "disk": None}
    assert by_id["s-2"]["flavor"] == {"name": "m1.large", "vcpus": 4, "ram": 8192, "disk": 80}


def test_servers_fail_when_the_flavors_they_need_cannot_be_listed(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    at_microversion(cloud, "2.1")
    cloud.overrides["/flavors/detail"] = lambda _request: FakeCloud.reply({}, 503)

    snapshot = inventory(["servers"])

    servers = snapshot.collections["servers"]
    assert servers.status.value == "error"
    assert servers.items == ()
    assert servers.error == (
        "needs compute flavors, which failed: compute flavors: HTTP 503 after 5 attempts"
    )


@pytest.mark.parametrize(("count", "requests"), [(3, 2), (4, 2), (6, 3), (7, 3)])
def test_server_pages_are_walked_to_the_end_without_loss_or_duplicate(
    cloud: FakeCloud, inventory: Inventory, count: int, requests: int
) -> None:
    cloud.nova_max_limit = 3
    cloud.servers = numbered_servers(count)

    servers = inventory(["servers"]).collections["servers"]

    assert [s["id"] for s in servers.items] == [f"s-{i:02d}" for i in range(1, count + 1)]
    sent = cloud.requests_to("/servers/detail")
    assert len(sent) == requests
    first, *following = (cloud.query(r) for r in sent)
    assert first == {"all_tenants": ["True"], "limit": ["1000"]}
    assert [q["marker"][0] for q in following] == [f"s-{i:02d}" for i in range(3, count + 1, 3)]


def test_an_archived_marker_restarts_the_listing_and_keeps_each_server_once(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    cloud.nova_max_limit = 2
    cloud.servers = numbered_servers(5)
    default = cloud._nova_servers

    def archive_marker_once(request: Any) -> Any:
        marker = cloud.query(request).get("marker", [None])[0]
        if marker == "s-02" and not archived:
            archived.append(marker)
            cloud.servers = [s for s in cloud.servers if s["id"] != marker]
        return default(request)

    archived: list[str] = []
    cloud.overrides["/servers/detail"] = archive_marker_once

    servers = inventory(["servers"]).collections["servers"]

    ids = [s["id"] for s in servers.items]
    assert servers.status.value == "ok"
    assert len(ids) == len(set(ids))
    assert {s["id"] for s in cloud.servers} <= set(ids)
    from_start = [r for r in cloud.requests_to("/servers/detail") if "marker" not in r.url]
    assert len(from_start) == 2


def test_a_marker_that_keeps_vanishing_fails_the_listing(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    cloud.nova_max_limit = 1
    default = cloud._nova_servers

    def marker_always_gone(request: Any) -> Any:
        if "marker" in cloud.query(request):
            return FakeCloud.reply({"badRequest": {"code": 400}}, 400)
        return default(request)

    cloud.overrides["/servers/detail"] = marker_always_gone

    servers = inventory(["servers"]).collections["servers"]

    assert servers.status.value == "error"
    assert servers.error == "compute servers: marker vanished 4 times, giving up"


def test_down_cell_servers_are_partial_records(cloud: FakeCloud, inventory: Inventory) -> None:
    cloud.servers = [*dataset.servers((2, 96))[:1], p.down_cell_server("s-9", "p-acme")]

    servers = inventory(["servers"]).collections["servers"]

    assert servers.status.value == "ok"
    by_id = {s["id"]: s for s in servers.items}
    assert "partial" not in by_id["s-1"]
    assert by_id["s-9"] == {
        "id": "s-9",
        "name": None,
        "project": "cw-acme",
        "project_id": "p-acme",
        "domain": "cloudwatt",
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
