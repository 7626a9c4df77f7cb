"""Quotas: one request per project and service (fan-out listings over Keystone's projects)."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

import pytest

from auditor.catalog import registry
from auditor.catalog.identity import PROJECTS
from auditor.catalog.lookups import Lookups
from auditor.catalog.spec import FAN_OUT_KEY, FanOut, Request
from auditor.collect.normalise import normalise
from auditor.collect.pager import Listed, RetryPolicy
from auditor.collect.run import Runner
from auditor.connect import CloudTarget
from auditor.model import Status
from tests import payloads as p
from tests.fakecloud import FakeCloud
from tests.harness import Inventory


def test_each_project_gets_one_request_per_service_and_one_item_each(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    cloud.quotas = {
        "compute": {"p-acme": p.nova_quota_set("p-acme", cores=(40, 12), instances=(10, 3))},
        "block-storage": {"p-acme": p.cinder_quota_set("p-acme", gigabytes=(500, 120))},
        "network": {"p-acme": p.neutron_quota_details("p-acme", floatingip=(5, 2))},
    }

    quotas = inventory(["quotas"]).collections["quotas"]

    assert quotas.status is Status.OK
    assert [q["id"] for q in quotas.items] == [
        "p-acme/block-storage",
        "p-acme/compute",
        "p-acme/network",
        "p-beta/block-storage",
        "p-beta/compute",
        "p-beta/network",
    ]
    by_id = {q["id"]: q for q in quotas.items}
    assert by_id["p-acme/compute"] == {
        "id": "p-acme/compute",
        "name": "compute",
        "project": "cw-acme",
        "project_id": "p-acme",
        "domain": "cloudwatt",
        "limits": {
            "cores": 40,
            "instances": 10,
            "key_pairs": 100,
            "metadata_items": 128,
            "ram": 51200,
            "server_group_members": 10,
            "server_groups": 10,
        },
        "usage": {
            "cores": 12,
            "instances": 3,
            "key_pairs": 0,
            "metadata_items": 0,
            "ram": 0,
            "server_group_members": 0,
            "server_groups": 0,
        },
    }
    assert by_id["p-acme/block-storage"]["limits"]["gigabytes"] == 500
    assert by_id["p-acme/block-storage"]["usage"]["gigabytes"] == 120
    assert by_id["p-acme/block-storage"]["limits"]["per_volume_gigabytes"] == -1
    # Neutron's answer does not name its project: the fan-out tag does.
    assert by_id["p-acme/network"]["project"] == "cw-acme"
    assert by_id["p-acme/network"]["limits"]["floatingip"] == 5
    assert by_id["p-acme/network"]["usage"]["floatingip"] == 2
    # Exactly one request per project and service, with the service's own paths.
    for path in ("/os-quota-sets/p-acme/detail", "/os-quota-sets/p-beta/detail"):
        assert len(cloud.requests_to(path)) == 1
    cinder = cloud.requests_to("/os-quota-sets/p-acme")
    assert len(cinder) == 1 and cloud.query(cinder[0]) == {"usage": ["True"]}
    assert len(cloud.requests_to("/v2.0/quotas/p-beta/details")) == 1
    assert len(cloud.requests_to("/os-quota-sets/p-acme/detail")) == 1


def test_the_compute_quota_request_carries_the_negotiated_microversion(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    inventory(["quotas"])

    request = cloud.requests_to("/os-quota-sets/p-acme/detail")[0]
    assert request.headers["OpenStack-API-Version"] == "compute 2.96"


def test_a_service_whose_quotas_fail_fails_the_collection_not_silently_short(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    failures = {"count": 0}

    def flaky(request: Any) -> Any:
        failures["count"] += 1
        return FakeCloud.reply({"NeutronError": {"message": "down"}}, 503)

    cloud.overrides["network:quotas"] = flaky

    quotas = inventory(["quotas"]).collections["quotas"]

    assert quotas.status is Status.ERROR
    assert quotas.items == ()
    assert "network quotas" in (quotas.error or "")
    assert "HTTP 503" in (quotas.error or "")


def test_a_transient_failure_of_one_project_is_retried(
    cloud: FakeCloud, inventory: Inventory, sleeps: list[float]
) -> None:
    cloud.answer_first("compute:quotas", FakeCloud.reply({}, 503))

    quotas = inventory(["quotas"]).collections["quotas"]

    assert quotas.status is Status.OK
    assert len(quotas.items) == 6
    assert len(sleeps) == 1


def test_quotas_need_the_projects_and_fail_with_them(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    cloud.overrides["/v3/projects"] = lambda _request: FakeCloud.reply({}, 503)

    quotas = inventory(["quotas"]).collections["quotas"]

    assert quotas.status is Status.ERROR
    assert "identity projects" in (quotas.error or "")
    assert not cloud.requests_to("/os-quota-sets/p-acme/detail")


def test_a_truncated_project_list_makes_quotas_incomplete(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    cloud.keystone_list_limit = 1

    quotas = inventory(["quotas"]).collections["quotas"]

    assert quotas.status is Status.INCOMPLETE
    assert {q["project_id"] for q in quotas.items} == {"p-acme"}


def quota_item(service: str, raw: dict[str, Any], lookups: Lookups) -> dict[str, Any]:
    """The quota item of one raw quota set of ``service``, as the catalog reads it."""
    quotas = registry.spec("quotas")
    request = next(r for r in quotas.requests if r.tag == service)
    (item,) = normalise(quotas, [(request, [raw])], lookups)
    return item


@pytest.mark.parametrize(
    ("service", "raw", "limits", "usage"),
    [
        # Cinder without usage=True: bare limits, no usage.
        ("block-storage", {"id": "p", "volumes": 10, "gigabytes": -1}, {"gigabytes": -1,
         "volumes": 10}, {}),
        # Neutron's details: "used", not "in_use".
        ("network", {"port": {"limit": 50, "used": 7, "reserved": 1}}, {"port": 50},
         {"port": 7}),
        # Nova's detail: the id is no resource.
        ("compute", {"id": "p", "cores": {"limit": -1, "in_use": 4, "reserved": 0}},
         {"cores": -1}, {"cores": 4}),
    ],
)  # fmt: skip
def test_quota_sets_of_every_shape(
    service: str, raw: dict[str, Any], limits: dict[str, int], usage: dict[str, int]
) -> None:
    item = quota_item(service, {**raw, FAN_OUT_KEY: "p"}, Lookups({}, {}))

    assert item["id"] == f"p/{service}"
    assert item["name"] == service
    assert item["limits"] == limits
    assert item["usage"] == usage


def test_quota_listings_are_declared_as_fan_outs_over_projects() -> None:
    listings = registry.listings()
    for key in ("compute.quotas", "block-storage.quotas", "network.quotas"):
        fan = listings[key].fan_out
        assert fan is not None and fan.over.key == "identity.projects", key
        assert "{id}" in listings[key].path


def test_a_fan_out_asks_only_for_the_selected_items_with_their_ids_quoted(
    cloud: FakeCloud, connection: Any
) -> None:
    cloud.projects.append(p.project("p/odd id", "odd", "d-cw"))
    request = Request(
        "compute.test_fan_out",
        "compute",
        "/os-quota-sets/{id}/detail",
        "quota_set",
        query={"hint": "for-{id}"},
        fan_out=FanOut(PROJECTS, select=lambda item: item["name"] != "cw-acme"),
    )
    runner = Runner(connection, CloudTarget(cloud.name), RetryPolicy())
    projects: Future[Listed] = Future()
    projects.set_result(runner.fetch(PROJECTS, None))

    items = runner.fetch_fan_out(request, None, projects).items

    assert sorted(i[FAN_OUT_KEY] for i in items) == ["p-beta", "p/odd id"]
    assert not cloud.requests_to("/os-quota-sets/p-acme/detail")
    odd = cloud.requests_to("/os-quota-sets/p%2Fodd%20id/detail")
    assert len(odd) == 1
    assert cloud.query(odd[0]) == {"hint": ["for-p/odd id"]}
