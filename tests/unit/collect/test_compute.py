"""Servers from Nova: flavors at every microversion, negotiation, paging, down cells."""

from __future__ import annotations

from typing import Any

import pytest

from tests import dataset
from tests import payloads as p
from tests.fakecloud import FakeCloud, walked
from tests.harness import Inventory

EXPECTED_SERVERS: list[dict[str, Any]] = [
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
        "tags": ["backup", "web"],
        "config_drive": True,
        "locked": False,
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
        "tags": [],
        "config_drive": False,
        "locked": True,
        "locked_reason": "legal hold",
    },
]
SINCE = {"locked": (2, 9), "tags": (2, 26), "locked_reason": (2, 73)}
"""Fields a server has only from a microversion on (below it: absent, unknown)."""


def expected_servers(version: str) -> list[dict[str, Any]]:
    """EXPECTED_SERVERS as an inventory at compute ``version`` gives them."""
    mv = tuple(int(part) for part in version.split("."))
    return [
        {k: v for k, v in server.items() if k not in SINCE or mv >= SINCE[k]}
        for server in EXPECTED_SERVERS
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


@pytest.mark.parametrize(
    "version", ["2.1", "2.8", "2.9", "2.25", "2.26", "2.46", "2.47", "2.73", "2.96"]
)
def test_servers_are_normalised_alike_at_every_microversion(
    cloud: FakeCloud, inventory: Inventory, version: str
) -> None:
    """Alike, but for the fields Nova gives only from a microversion on: absent below."""
    at_microversion(cloud, version)

    servers = inventory(["servers"]).collections["servers"]

    assert servers.status.value == "ok"
    assert list(servers.items) == expected_servers(version)
    if version == "2.96":
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

    first, following = walked(cloud, "/servers/detail", servers.items, "s", count, requests)
    # No limit on the first page: Nova gives down cells' partial records only then.
    assert first == {"all_tenants": ["True"]}
    assert all(q["limit"] == ["3"] for q in following)


def test_an_archived_marker_restarts_the_listing_and_keeps_each_server_once(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    cloud.nova_max_limit = 2
    cloud.servers = numbered_servers(5)
    default = cloud.default("/servers/detail")

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
    default = cloud.default("/servers/detail")

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

    # A partial record means a cell is down: the servers are incomplete, never "missing".
    assert servers.status.value == "incomplete"
    assert servers.error == (
        "compute: a cell is down: Nova leaves its servers out of paged listings, so they"
        " are not all listed; 1 came back as partial records"
    )
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


def test_a_down_cell_named_by_os_services_makes_servers_incomplete(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    # No partial record had room on the first page (or the listing skipped the
    # cell): os-services still says a cell is down, by its hosts' minimal records.
    cloud.servers = dataset.servers((2, 96))[:1]
    cloud.compute_services = [
        {"id": "3f1c", "binary": "nova-compute", "host": "cmp-1", "status": "enabled"},
        {"binary": "nova-compute", "host": "cmp-7", "status": "UNKNOWN"},
        {"binary": "nova-compute", "host": "cmp-6", "status": "UNKNOWN"},
    ]

    servers = inventory(["servers"]).collections["servers"]

    assert servers.status.value == "incomplete"
    assert servers.error == (
        "compute: a cell is down (its compute hosts cmp-6, cmp-7 answer UNKNOWN): Nova"
        " leaves its servers out of paged listings, so they are not all listed"
    )
    assert [s["id"] for s in servers.items] == ["s-1"]
    (query,) = (cloud.query(r) for r in cloud.requests_to("/os-services"))
    assert query == {"binary": ["nova-compute"]}


def test_servers_stay_ok_when_os_services_cannot_be_listed(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    # The check is a check: without it the listing itself is still whole.
    cloud.servers = dataset.servers((2, 96))[:1]
    cloud.overrides["/os-services"] = lambda _request: FakeCloud.reply({}, 403)

    servers = inventory(["servers"]).collections["servers"]

    assert servers.status.value == "ok"


# -- flavors with their access lists, keypairs per user (the identity family) ----------

FINGERPRINT = "ee:3c:62:16:2c:b1:4e:12:ba:12:cd:6b:61:0b:2b:0f"


def private_and_public_flavors(cloud: FakeCloud, version: tuple[int, int]) -> None:
    cloud.compute_max = f"{version[0]}.{version[1]}"
    cloud.flavors = [
        p.flavor("f-small", "m1.small", 1, 2048, 20, microversion=version),
        p.flavor(
            "f-gpu",
            "cw-gpu",
            16,
            65536,
            100,
            public=False,
            ephemeral=200,
            swap=4096,
            extra_specs={"pci_passthrough:alias": "a100:1"},
            microversion=version,
        ),
        p.flavor("f-nobody", "cw-nobody", 2, 4096, 10, public=False, microversion=version),
    ]
    # p-gone was granted access, then deleted: its id is all that is left.
    cloud.flavor_access = {"f-gpu": ["p-beta", "p-acme", "p-gone"], "f-nobody": []}


@pytest.mark.parametrize(
    ("version", "specs"),
    [((2, 96), {"pci_passthrough:alias": "a100:1"}), ((2, 60), None), ((2, 1), None)],
)
def test_flavors_are_normalised_with_the_access_of_private_ones(
    cloud: FakeCloud,
    inventory: Inventory,
    version: tuple[int, int],
    specs: dict[str, str] | None,
) -> None:
    private_and_public_flavors(cloud, version)

    flavors = inventory(["flavors"]).collections["flavors"]

    assert flavors.status.value == "ok"
    by_id = {f["id"]: f for f in flavors.items}
    assert by_id["f-gpu"] == {
        "id": "f-gpu",
        "name": "cw-gpu",
        "vcpus": 16,
        "ram": 65536,
        "disk": 100,
        "ephemeral": 200,
        "swap": 4096,
        "is_public": False,
        "extra_specs": specs,
        "access": ["cw-acme", "cw-beta", "p-gone"],
        "access_ids": ["p-acme", "p-beta", "p-gone"],
    }
    assert by_id["f-small"]["swap"] == 0  # "" before 2.75
    assert by_id["f-small"]["is_public"] is True
    assert by_id["f-small"]["access"] == by_id["f-nobody"]["access"] == []
    assert by_id["f-small"]["extra_specs"] == ({} if specs is not None else None)
    # One access request per private flavor, none for public ones (Nova would say 404).
    sent = sorted(r.url.split("/")[-2] for r in cloud.requests_to("/os-flavor-access"))
    assert sent == ["f-gpu", "f-nobody"]
    assert [cloud.query(r)["is_public"] for r in cloud.requests_to("/flavors/detail")] == [["none"]]


def test_servers_and_flavors_share_one_flavor_listing(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    at_microversion(cloud, "2.40")

    snapshot = inventory(["servers", "flavors"])

    assert snapshot.complete
    assert len(cloud.requests_to("/flavors/detail")) == 1
    large = next(f for f in snapshot.collections["flavors"].items if f["id"] == "f-large")
    assert large["is_public"] is False
    assert large["access"] == []


def test_flavors_fail_when_an_access_list_cannot_be_listed(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    private_and_public_flavors(cloud, (2, 96))
    cloud.overrides["/os-flavor-access"] = lambda _request: FakeCloud.reply({}, 503)

    snapshot = inventory(["servers", "flavors"])

    flavors = snapshot.collections["flavors"]
    assert flavors.status.value == "error"
    assert flavors.items == ()
    assert "compute flavor_access" in str(flavors.error)
    assert snapshot.collections["servers"].status.value == "ok"


def user_keypairs(cloud: FakeCloud) -> None:
    cloud.users = [
        p.user("u-alice", "alice", "d-cw"),
        p.user("u-bob", "bob", "default"),
        p.user("u-nokeys", "carol", "d-cw"),
    ]
    cloud.keypairs = {
        "u-alice": [
            p.keypair("cw-deploy", FINGERPRINT),
            p.keypair("cw-ops", "11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00"),
            p.keypair("cw-vpn", "5c:1d:8e:00:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55", type_="x509"),
        ],
        "u-bob": [p.keypair("cw-deploy", "01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10")],
    }


def test_keypairs_are_listed_per_user_and_normalised(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    user_keypairs(cloud)

    keypairs = inventory(["keypairs"]).collections["keypairs"]

    assert keypairs.status.value == "ok"
    assert list(keypairs.items) == [
        {
            "id": "u-alice/cw-deploy",
            "name": "cw-deploy",
            "user": "alice",
            "user_id": "u-alice",
            "domain": "cloudwatt",
            "type": "ssh",
            "fingerprint": FINGERPRINT,
        },
        {
            "id": "u-alice/cw-ops",
            "name": "cw-ops",
            "user": "alice",
            "user_id": "u-alice",
            "domain": "cloudwatt",
            "type": "ssh",
            "fingerprint": "11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00",
        },
        {
            "id": "u-alice/cw-vpn",
            "name": "cw-vpn",
            "user": "alice",
            "user_id": "u-alice",
            "domain": "cloudwatt",
            "type": "x509",
            "fingerprint": "5c:1d:8e:00:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55",
        },
        {
            "id": "u-bob/cw-deploy",
            "name": "cw-deploy",
            "user": "bob",
            "user_id": "u-bob",
            "domain": "Default",
            "type": "ssh",
            "fingerprint": "01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10",
        },
    ]
    sent = cloud.requests_to("/os-keypairs")
    assert sorted(cloud.query(r)["user_id"][0] for r in sent) == ["u-alice", "u-bob", "u-nokeys"]
    assert {api_version(r) for r in sent} == {"compute 2.96"}


def test_keypair_pages_follow_keypairs_links_by_name(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    user_keypairs(cloud)
    cloud.nova_max_limit = 2

    keypairs = inventory(["keypairs"]).collections["keypairs"]

    assert [k["id"] for k in keypairs.items] == [
        "u-alice/cw-deploy",
        "u-alice/cw-ops",
        "u-alice/cw-vpn",
        "u-bob/cw-deploy",
    ]
    alice = [r for r in cloud.requests_to("/os-keypairs") if "u-alice" in r.url]
    assert [cloud.query(r).get("marker", [None])[0] for r in alice] == [None, "cw-ops"]


def test_keypairs_before_2_10_are_an_error_rather_than_the_callers_own(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    user_keypairs(cloud)
    cloud.compute_max = "2.9"

    keypairs = inventory(["keypairs"]).collections["keypairs"]

    assert keypairs.status.value == "error"
    assert "needs 2.10 or later" in str(keypairs.error)


def test_keypairs_fail_when_users_cannot_be_listed(cloud: FakeCloud, inventory: Inventory) -> None:
    user_keypairs(cloud)
    cloud.overrides["/v3/users"] = lambda _request: FakeCloud.reply({}, 503)

    keypairs = inventory(["keypairs"]).collections["keypairs"]

    assert keypairs.status.value == "error"
    assert "identity users" in str(keypairs.error)
    assert cloud.requests_to("/os-keypairs") == []
