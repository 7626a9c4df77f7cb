"""The pager's bulk GETs (auditor.collect.http) send what keystoneauth would send.

Each request is sent twice, once through the openstacksdk proxy (keystoneauth's
Adapter and Session) and once through :class:`BulkGet`, and what reached the
transport is compared: URL, headers (names, values and order), method.
"""

from __future__ import annotations

import gc
import logging
import weakref
from typing import Any

import keystoneauth1.exceptions as ks_exc
import pytest
import requests
import responses

from auditor.app.files import read_clouds_config
from auditor.authn import authenticate
from auditor.collect.http import BulkGet, bulk_get, lean_allowed
from auditor.collect.pager import RetryPolicy, get_options
from auditor.connect import CloudTarget, ReadOnlyAdapter, connect
from auditor.hostguard import HostGuard, TransportRefusal
from tests.fakecloud import TOKEN, FakeCloud

CASES = [
    # (proxy, path, query, extra headers, microversion)
    ("compute", "/servers/detail", {"all_tenants": "True", "limit": "2"}, {}, "2.96"),
    ("block_storage", "/volumes/detail", {"all_tenants": "True"}, {}, "3.70"),
    ("image", "/images", {"visibility": "all", "limit": "1000"}, {}, None),
    ("identity", "/projects", {"limit": "1000"}, {}, None),
    ("network", "/ports", {}, {"X-Auth-All-Projects": "true"}, None),
    ("compute", "/flavors/f-1/os-flavor-access", {}, {}, "2.1"),
    # A path and a query that requests quotes: the same URL either way.
    ("identity", "/projects", {"name": "a b&c=\u00e9/?+%", "limit": "2"}, {}, None),
    ("compute", "/os-quota-sets/p \u00e9~%41/detail", {"user_id": "u 1"}, {}, "2.1"),
    # A query requests' own preparing reads (not only strings), a path with a query.
    ("identity", "/projects", {"limit": 2, "tags": ["a", "b c"], "none": None}, {}, None),
    ("identity", "/projects?domain_id=d%201", {"limit": "2"}, {}, None),
]


def _last_request(rsps: responses.RequestsMock) -> requests.PreparedRequest:
    request: requests.PreparedRequest = rsps.calls[-1].request
    return request


def _both(
    conn: Any, rsps: responses.RequestsMock, proxy: str, path: str, **options: Any
) -> tuple[requests.PreparedRequest, requests.PreparedRequest, BulkGet]:
    adapter = getattr(conn, proxy)
    adapter.get(path, **options)
    through_keystoneauth = _last_request(rsps)
    bulk = BulkGet(adapter)
    assert bulk.lean
    bulk.get(path, **options)
    return through_keystoneauth, _last_request(rsps), bulk


@pytest.mark.parametrize(("proxy", "path", "query", "extra", "mv"), CASES)
def test_a_bulk_get_sends_what_keystoneauth_sends(
    connection: Any,
    rsps: responses.RequestsMock,
    proxy: str,
    path: str,
    query: dict[str, str],
    extra: dict[str, str],
    mv: str | None,
) -> None:
    authenticate(connection, CloudTarget(connection.name))
    options = get_options(getattr(connection, proxy), RetryPolicy(), query, extra, mv)
    before = len(rsps.calls)
    ks, lean, _bulk = _both(connection, rsps, proxy, path, **options)
    assert len(rsps.calls) == before + 2, "one request each, nothing else (no discovery)"
    assert lean.method == ks.method == "GET"
    assert lean.url == ks.url
    assert list(lean.headers.items()) == list(ks.headers.items())
    assert lean.headers["X-Auth-Token"] == TOKEN
    if mv is not None:
        assert mv in lean.headers["OpenStack-API-Version"]


def test_the_global_request_id_and_the_profile_headers_go_out_as_through_keystoneauth(
    connection: Any, rsps: responses.RequestsMock
) -> None:
    authenticate(connection, CloudTarget(connection.name))
    tracked = connection.global_request("req-0123-global")
    tracked.session.additional_headers["X-Profile-Header"] = "profile"
    tracked.compute.additional_headers["X-Adapter-Header"] = "adapter"
    options = get_options(tracked.compute, RetryPolicy(), {}, None, "2.96")
    ks, lean, _bulk = _both(tracked, rsps, "compute", "/servers/detail", **options)
    assert list(lean.headers.items()) == list(ks.headers.items())
    assert lean.headers["X-OpenStack-Request-ID"] == "req-0123-global"
    assert lean.headers["X-Profile-Header"] == "profile"
    assert lean.headers["X-Adapter-Header"] == "adapter"


def test_the_deadline_timeout_and_the_session_timeout_are_the_requests(
    connection: Any, rsps: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    authenticate(connection, CloudTarget(connection.name))
    seen: list[Any] = []
    real_send = requests.Session.send

    def send(self: requests.Session, request: Any, **kwargs: Any) -> Any:
        seen.append((kwargs.get("timeout"), kwargs.get("allow_redirects"), kwargs.get("verify")))
        return real_send(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", send)
    bulk = BulkGet(connection.compute)
    bulk.get("/servers/detail", params={}, raise_exc=False)
    connection.compute.get("/servers/detail", raise_exc=False)
    bulk.get("/servers/detail", params={}, timeout=1.5, raise_exc=False)
    connection.compute.get("/servers/detail", timeout=1.5, raise_exc=False)
    assert seen[0] == seen[1]
    assert seen[0][0] == connection.session.timeout
    assert seen[2] == seen[3]
    assert seen[2][:2] == (1.5, False)


def test_a_token_renewed_before_expiry_is_the_one_sent(
    connection: Any, rsps: responses.RequestsMock
) -> None:
    authenticate(connection, CloudTarget(connection.name))
    bulk = bulk_get(connection.compute)
    assert bulk is bulk_get(connection.compute), "one per adapter"
    bulk.get("/servers/detail", params={})
    first = _last_request(rsps).headers["X-Auth-Token"]
    # The plugin's token is forgotten (expired): the session fetches another.
    connection.session.auth.invalidate()
    tokens = len([c for c in rsps.calls if str(c.request.url).endswith("/auth/tokens")])
    bulk.get("/servers/detail", params={})
    after = len([c for c in rsps.calls if str(c.request.url).endswith("/auth/tokens")])
    assert after == tokens + 1
    assert _last_request(rsps).headers["X-Auth-Token"] == first  # the fake's one token


def test_a_401_is_asked_once_more_with_a_fresh_token_as_keystoneauth_does(
    cloud: FakeCloud, connection: Any, rsps: responses.RequestsMock
) -> None:
    authenticate(connection, CloudTarget(connection.name))
    cloud.answer_first("/servers/detail", FakeCloud.reply({}, 401))
    bulk = BulkGet(connection.compute)
    tokens = len(cloud.requests_to("/auth/tokens", "POST"))
    response = bulk.get("/servers/detail", params={}, raise_exc=False)
    assert response.status_code == 200
    assert len(cloud.requests_to("/servers/detail")) == 2
    assert len(cloud.requests_to("/auth/tokens", "POST")) == tokens + 1


def test_a_same_origin_redirect_is_followed_and_another_host_refused(
    cloud: FakeCloud, connection: Any, rsps: responses.RequestsMock
) -> None:
    authenticate(connection, CloudTarget(connection.name))
    moved = f"{cloud.nova}/v2.1/servers/detail?moved=1"
    cloud.answer_first(
        "/servers/detail",
        FakeCloud.reply({}, 301, {"Location": moved, "X-OpenStack-Request-Id": "req-r1"}),
    )
    response = BulkGet(connection.compute).get("/servers/detail", params={"limit": "5"})
    assert response.status_code == 200
    assert [r.status_code for r in response.history] == [301]
    followed = cloud.requests_to("/servers/detail")[-1]
    assert followed.url == moved, "the Location as it is, the query not repeated"
    assert followed.headers["x-openstack-request-id"] == "req-r1"
    cloud.answer_first(
        "/servers/detail", FakeCloud.reply({}, 302, {"Location": "http://elsewhere.test/x"})
    )
    with pytest.raises(TransportRefusal):
        BulkGet(connection.compute).get("/servers/detail", params={})


def test_redirects_beyond_the_sessions_limit_come_back_as_they_are(
    cloud: FakeCloud, connection: Any, rsps: responses.RequestsMock
) -> None:
    authenticate(connection, CloudTarget(connection.name))
    loop = FakeCloud.reply({}, 307, {"Location": f"{cloud.nova}/v2.1/servers/detail"})
    cloud.answer_first("/servers/detail", *([loop] * 10))
    response = BulkGet(connection.compute).get("/servers/detail", params={})
    assert response.status_code == 307
    assert len(response.history) == connection.session.redirect


def test_the_transport_guards_stay_in_the_path(
    connection: Any, rsps: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    authenticate(connection, CloudTarget(connection.name))
    adapters = connection.session.session.adapters
    assert all(isinstance(a, ReadOnlyAdapter) for a in adapters.values())
    assert all(isinstance(a.inner, HostGuard) for a in adapters.values())
    guarded: list[str] = []
    for cls in (ReadOnlyAdapter, HostGuard):
        real = cls.send

        def send(self: Any, request: Any, _real: Any = real, **kwargs: Any) -> Any:
            guarded.append(type(self).__name__)
            return _real(self, request, **kwargs)

        monkeypatch.setattr(cls, "send", send)
    BulkGet(connection.compute).get("/servers/detail", params={})
    assert guarded == ["ReadOnlyAdapter", "HostGuard"]


def test_connection_failures_are_keystoneauths_for_the_retry_policy(
    cloud: FakeCloud, connection: Any, rsps: responses.RequestsMock
) -> None:
    authenticate(connection, CloudTarget(connection.name))
    cloud.answer_first("/servers/detail", requests.exceptions.ConnectionError("refused"))
    with pytest.raises(ks_exc.ConnectFailure):
        BulkGet(connection.compute).get("/servers/detail", params={})
    cloud.answer_first("/servers/detail", requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(ks_exc.ConnectTimeout):
        BulkGet(connection.compute).get("/servers/detail", params={})


def test_keystoneauth_sends_when_its_http_log_is_on(connection: Any) -> None:
    logger = logging.getLogger("keystoneauth.session")
    old = logger.level
    try:
        logger.setLevel(logging.DEBUG)
        assert not lean_allowed(connection.compute)
    finally:
        logger.setLevel(old)
    assert lean_allowed(connection.compute)


def test_other_options_go_through_keystoneauth(
    connection: Any, rsps: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    authenticate(connection, CloudTarget(connection.name))
    adapter = connection.compute
    through: list[dict[str, Any]] = []
    real = adapter.get

    def get(path: str, **options: Any) -> Any:
        through.append(options)
        return real(path, **options)

    monkeypatch.setattr(adapter, "get", get)
    bulk = BulkGet(adapter)
    bulk.get("/servers/detail", params={}, raise_exc=False, connect_retries=0)
    assert through == []
    bulk.get("/servers/detail", params={}, raise_exc=True)
    bulk.get("/servers/detail", params={}, connect_retries=2)
    bulk.get("/servers/detail", params={}, endpoint_override="http://nova.test:8774/v2.1")
    bulk.get("http://nova.test:8774/v2.1/servers/detail")
    assert len(through) == 4


def test_a_connection_done_with_is_not_kept_alive_by_its_bulk_gets(
    cloud: FakeCloud, clouds_file: Any, rsps: responses.RequestsMock
) -> None:
    conn = connect(CloudTarget(cloud.name), config=read_clouds_config(str(clouds_file)))
    authenticate(conn, CloudTarget(cloud.name))
    bulk_get(conn.compute).get("/servers/detail", params={})
    gone = weakref.ref(conn.compute)
    del conn
    gc.collect()
    assert gone() is None
