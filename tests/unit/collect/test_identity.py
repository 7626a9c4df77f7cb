"""Projects and endpoints from Keystone: fields, dict-link paging, truncated lists."""

from __future__ import annotations

import pytest

from tests import payloads as p
from tests.fakecloud import FakeCloud
from tests.harness import Inventory

EXPECTED_PROJECTS = [
    {
        "id": "p-acme",
        "name": "cw-acme",
        "domain": "cloudwatt",
        "domain_id": "d-cw",
        "enabled": True,
        "description": "",
        "tags": ["billing", "prod"],
        "parent": None,
    },
    {
        "id": "p-beta",
        "name": "cw-beta",
        "domain": "cloudwatt",
        "domain_id": "d-cw",
        "enabled": False,
        "description": "Beta team",
        "tags": [],
        "parent": "cw-acme",
    },
]

EXPECTED_ENDPOINTS = [
    {
        "id": "e-1",
        "name": "compute/public/fr1",
        "service_type": "compute",
        "service_name": "nova",
        "interface": "public",
        "region": "fr1",
        "url": "https://compute.fr1.cloudwatt.com/v2.1",
        "enabled": True,
    },
    {
        "id": "e-2",
        "name": "block-storage/internal/fr1",
        "service_type": "block-storage",
        "service_name": "cinderv3",
        "interface": "internal",
        "region": "fr1",
        "url": "http://10.1.0.4:8776/v3/%(project_id)s",
        "enabled": True,
    },
]


def test_projects_are_normalised_to_the_core_fields(inventory: Inventory) -> None:
    projects = inventory(["projects"]).collections["projects"]

    assert projects.status.value == "ok"
    assert list(projects.items) == EXPECTED_PROJECTS


def test_endpoints_are_normalised_to_the_core_fields(inventory: Inventory) -> None:
    endpoints = inventory(["endpoints"]).collections["endpoints"]

    assert endpoints.status.value == "ok"
    assert list(endpoints.items) == EXPECTED_ENDPOINTS


@pytest.mark.parametrize(("count", "requests"), [(3, 2), (4, 2), (6, 3), (7, 3)])
def test_project_pages_follow_keystone_dict_links_without_loss_or_duplicate(
    cloud: FakeCloud, inventory: Inventory, count: int, requests: int
) -> None:
    cloud.keystone_page = 3
    cloud.projects = [p.project(f"p-{i:02d}", f"proj-{i}", "d-cw") for i in range(1, count + 1)]

    projects = inventory(["projects"]).collections["projects"]

    assert [x["id"] for x in projects.items] == [f"p-{i:02d}" for i in range(1, count + 1)]
    sent = cloud.requests_to("/v3/projects")
    assert len(sent) == requests
    markers = [cloud.query(r).get("marker", [None])[0] for r in sent]
    assert markers == [None] + [f"p-{i:02d}" for i in range(3, count + 1, 3)]


def test_a_truncated_project_list_is_incomplete_and_keeps_its_items(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    cloud.keystone_list_limit = 2
    cloud.projects.append(p.project("p-gamma", "cw-gamma", "d-cw"))

    projects = inventory().collections["projects"]

    assert projects.status.value == "incomplete"
    assert [x["id"] for x in projects.items] == ["p-acme", "p-beta"]
    assert projects.error == "the service truncated identity projects (Keystone list_limit?)"


def test_collections_that_need_a_truncated_list_are_incomplete_too(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    cloud.keystone_list_limit = 2
    cloud.projects.append(p.project("p-gamma", "cw-gamma", "d-cw"))

    snapshot = inventory()

    statuses = {name: c.status.value for name, c in snapshot.collections.items()}
    assert statuses == {
        "projects": "incomplete",
        "servers": "incomplete",
        "volumes": "incomplete",
        "endpoints": "ok",
    }
    assert len(snapshot.collections["servers"].items) == 2
    assert len(snapshot.collections["volumes"].items) == 2
    assert not snapshot.complete


# -- domains, regions, services (the identity family) ---------------------------------


def test_domains_regions_and_services_are_normalised(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    cloud.domains[1].update(description="Cloudwatt customers", enabled=False)
    cloud.regions = [
        p.region("fr", description="France"),
        p.region("fr1", parent="fr"),
    ]
    cloud.services.append(
        {**p.service("svc-swift", "object-store", "swift"), "enabled": False, "description": "S3"}
    )
    del cloud.services[0]["name"]  # Keystone's name is optional

    snapshot = inventory(["domains", "regions", "services"])

    assert snapshot.complete
    assert list(snapshot.collections["domains"].items) == [
        {"id": "d-cw", "name": "cloudwatt", "description": "Cloudwatt customers", "enabled": False},
        {"id": "default", "name": "Default", "description": "", "enabled": True},
    ]
    assert list(snapshot.collections["regions"].items) == [
        {"id": "fr", "name": "fr", "description": "France", "parent": None},
        {"id": "fr1", "name": "fr1", "description": "", "parent": "fr"},
    ]
    assert list(snapshot.collections["services"].items) == [
        {
            "id": "svc-cinder",
            "name": "cinderv3",
            "service_type": "block-storage",
            "description": "",
            "enabled": True,
        },
        {
            "id": "svc-nova",
            "name": None,
            "service_type": "compute",
            "description": "",
            "enabled": True,
        },
        {
            "id": "svc-swift",
            "name": "swift",
            "service_type": "object-store",
            "description": "S3",
            "enabled": False,
        },
    ]
    # One unpaged request each: Keystone does not page regions and services.
    for path in ("/v3/domains", "/v3/regions", "/v3/services"):
        assert len(cloud.requests_to(path)) == 1, path


def test_domains_share_the_listing_projects_need(cloud: FakeCloud, inventory: Inventory) -> None:
    snapshot = inventory(["projects", "domains"])

    assert snapshot.complete
    assert len(cloud.requests_to("/v3/domains")) == 1


@pytest.mark.parametrize(("count", "requests"), [(2, 1), (3, 2), (7, 3)])
def test_users_page_with_keystone_dict_links_for_the_keypair_walks(
    cloud: FakeCloud, inventory: Inventory, count: int, requests: int
) -> None:
    cloud.keystone_page = 3
    cloud.users = [p.user(f"u-{i:02d}", f"user-{i}", "d-cw") for i in range(1, count + 1)]

    keypairs = inventory(["keypairs"]).collections["keypairs"]

    assert keypairs.status.value == "ok"
    # One walk per domain (users are listed by domain_id): the cloudwatt one is paged.
    walks = [cloud.query(r)["domain_id"][0] for r in cloud.requests_to("/v3/users")]
    assert walks.count("d-cw") == requests
    assert sorted(set(walks)) == ["d-cw", "default"]
    assert walks.count("default") == 1
    # One keypair walk per user, none lost at a page boundary.
    walked = [cloud.query(r)["user_id"][0] for r in cloud.requests_to("/os-keypairs")]
    assert sorted(walked) == [u["id"] for u in cloud.users]


def test_a_truncated_user_list_makes_keypairs_incomplete(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    cloud.keystone_list_limit = 2
    cloud.users = [p.user(f"u-{i}", f"user-{i}", "d-cw") for i in range(3)]

    keypairs = inventory(["keypairs"]).collections["keypairs"]

    assert keypairs.status.value == "incomplete"
    assert "identity users" in str(keypairs.error)
