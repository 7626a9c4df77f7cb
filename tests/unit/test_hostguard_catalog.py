"""The host guard's catalog origins across keystoneauth's token renewals.

keystoneauth drops the token it holds (``auth_ref = None``) before it asks for
a new one when a service answers 401; requests of other listings already on
their way with the old token pass the guard meanwhile. They used to be refused
("not a host of the cloud's catalog"): a race seen as a flaky re-auth test.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from auditor.hostguard import AllowedOrigins

NOVA = ("https", "nova.example", 8774)
NOVA_MOVED = ("https", "compute.example", 443)


def _access(url: str) -> Any:
    return SimpleNamespace(service_catalog=SimpleNamespace(catalog=[{"endpoints": [{"url": url}]}]))


def test_the_last_catalog_counts_while_the_token_is_renewed() -> None:
    held: dict[str, Any] = {"token": None}
    allowed = AllowedOrigins("https://keystone.example:5000/v3", (), lambda: held["token"])
    assert NOVA not in allowed.for_request(False), "no catalog before the first token"

    held["token"] = _access("https://nova.example:8774/v2.1")
    assert NOVA in allowed.for_request(False)

    held["token"] = None  # keystoneauth invalidated it and is asking for a new one
    assert NOVA in allowed.for_request(False)
    assert not allowed.authenticated()

    held["token"] = _access("https://compute.example/v2.1")
    assert NOVA_MOVED in allowed.for_request(False)
    assert NOVA not in allowed.for_request(False), "the renewed token's catalog replaces it"
    assert allowed.for_request(True) == {("https", "keystone.example", 5000)}
