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
