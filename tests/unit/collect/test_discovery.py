"""Version discovery: a failed version document is retried, never silently skipped.

openstacksdk falls back to no microversion when discovery fails; Nova would
then omit down-cell servers and embed no flavor without saying so.
"""

from __future__ import annotations

from typing import Any

from auditor.collect.pager import RetryPolicy
from auditor.model import Status
from tests.fakecloud import FakeCloud
from tests.harness import Inventory


def failing(times: int, calls: list[int]) -> Any:
    def handler(request: Any) -> Any:
        calls.append(1)
        if len(calls) <= times:
            return FakeCloud.reply({"error": "unavailable"}, 503)
        return None

    return handler


def test_a_version_document_that_fails_once_is_fetched_again(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    calls: list[int] = []
    fail_once = failing(1, calls)

    def discovery(request: Any) -> Any:
        return fail_once(request) or cloud._nova_version(request)

    cloud.overrides["compute:discovery"] = discovery
    snapshot = inventory()
    assert snapshot.microversions["compute"] == "2.96"
    assert snapshot.collections["servers"].status is Status.OK
    assert len(calls) >= 2


def test_a_service_whose_discovery_keeps_failing_is_an_error_not_a_downgrade(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    cloud.overrides["compute:discovery"] = lambda _r: FakeCloud.reply({}, 503)
    snapshot = inventory(policy=RetryPolicy(attempts=3))
    servers = snapshot.collections["servers"]
    assert servers.status is Status.ERROR
    assert servers.error == (
        "compute: version discovery: no microversion range announced after 3 attempts"
    )
    assert snapshot.collections["volumes"].status is Status.OK
    assert "compute" not in snapshot.microversions
