"""A token rejected mid-listing (HTTP 401) is renewed and the page asked again."""

from __future__ import annotations

from typing import Any

import responses

from auditor.model import Status
from tests.fakecloud import FakeCloud
from tests.harness import Inventory


def test_a_page_answered_401_after_keystoneauth_renewed_is_asked_again(
    cloud: FakeCloud, inventory: Inventory, rsps: responses.RequestsMock
) -> None:
    # keystoneauth renews the token once per request; with concurrent listings
    # the other requests racing on the expired token get their 401 passed on.
    # Here the service answers 401 twice (original + keystoneauth's retry).
    answers = iter([401, 401])
    default = cloud.overrides.get("/servers/detail")

    def servers(request: Any) -> Any:
        status = next(answers, None)
        if status is not None:
            return FakeCloud.reply({"error": {"code": 401, "title": "Unauthorized"}}, status)
        cloud.overrides.pop("/servers/detail")
        return cloud.default("/servers/detail")(request)

    assert default is None
    cloud.overrides["/servers/detail"] = servers
    snapshot = inventory()
    servers_result = snapshot.collections["servers"]
    assert servers_result.status is Status.OK
    assert [s["id"] for s in servers_result.items] == ["s-1", "s-2"]
    tokens = [c for c in rsps.calls if str(c.request.url).endswith("/auth/tokens")]
    assert len(tokens) >= 2, "the 401 made keystoneauth fetch a new token"


def test_a_listing_rejected_even_with_fresh_tokens_is_an_error(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    cloud.overrides["/servers/detail"] = lambda _r: FakeCloud.reply({}, 401)
    snapshot = inventory()
    result = snapshot.collections["servers"]
    assert result.status is Status.ERROR
    assert result.error == "compute servers: HTTP 401 Unauthorized, even with a fresh token"
    assert snapshot.collections["volumes"].status is Status.OK
