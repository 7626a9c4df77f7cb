"""The shared pager: retries and backoff, Retry-After, next links, de-duplication."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
import requests

from auditor.catalog.registry import listings
from auditor.catalog.spec import Paging
from auditor.collect.decode import Layout
from auditor.collect.pager import MAX_RETRY_AFTER, Listed, Pager, RetryPolicy, next_query
from auditor.errors import ListingError
from tests import payloads as p
from tests.dataset import SMALL
from tests.fakecloud import FakeCloud

VOLUMES = listings()["block-storage.volumes"]
SERVERS = listings()["compute.servers"]


class PageCounter:
    def __init__(self) -> None:
        self.pages: list[tuple[str, int]] = []

    def on_page(self, listing: str, items: int) -> None:
        self.pages.append((listing, items))


def walk(
    connection: Any,
    listing: Any = VOLUMES,
    policy: RetryPolicy | None = None,
    observer: PageCounter | None = None,
) -> Listed:
    adapter = getattr(connection, listing.proxy)
    pager = Pager(adapter, policy=policy or RetryPolicy(), observer=observer)
    return pager.list(listing.label, listing.path, listing.items, listing.params)


def ids(listed: Listed) -> list[str]:
    return [item["id"] for item in listed.items]


def test_a_page_answered_503_is_retried_until_it_succeeds(
    cloud: FakeCloud, connection: Any, sleeps: list[float]
) -> None:
    cloud.answer_first("/volumes/detail", FakeCloud.reply({}, 503), FakeCloud.reply({}, 503))

    listed = walk(connection)

    assert ids(listed) == ["v-1", "v-2"]
    assert len(cloud.requests_to("/volumes/detail")) == 3
    assert len(sleeps) == 2


def test_a_429_waits_as_long_as_retry_after_says(
    cloud: FakeCloud, connection: Any, sleeps: list[float]
) -> None:
    cloud.answer_first("/volumes/detail", FakeCloud.reply({}, 429, {"Retry-After": "7"}))

    listed = walk(connection)

    assert ids(listed) == ["v-1", "v-2"]
    assert sleeps == [7.0]


def test_a_retry_after_date_far_ahead_is_capped(
    cloud: FakeCloud, connection: Any, sleeps: list[float]
) -> None:
    far = {"Retry-After": "Fri, 31 Dec 2099 23:59:59 GMT"}
    cloud.answer_first("/volumes/detail", FakeCloud.reply({}, 503, far))

    walk(connection)

    assert sleeps == [MAX_RETRY_AFTER]


def test_backoff_grows_exponentially_with_jitter_then_the_listing_fails(
    cloud: FakeCloud, connection: Any, sleeps: list[float]
) -> None:
    cloud.overrides["/volumes/detail"] = lambda _request: FakeCloud.reply({}, 502)
    policy = RetryPolicy(attempts=5, initial_wait=0.5, max_wait=30.0)

    with pytest.raises(ListingError) as failure:
        walk(connection, policy=policy)

    assert str(failure.value) == "block-storage volumes: HTTP 502 after 5 attempts"
    assert len(sleeps) == 4
    for wait, ceiling in zip(sleeps, [0.5, 1.0, 2.0, 4.0], strict=True):
        assert ceiling / 2 <= wait <= ceiling


def test_backoff_never_exceeds_max_wait(
    cloud: FakeCloud, connection: Any, sleeps: list[float]
) -> None:
    cloud.overrides["/volumes/detail"] = lambda _request: FakeCloud.reply({}, 503)

    with pytest.raises(ListingError):
        walk(connection, policy=RetryPolicy(attempts=6, initial_wait=1.0, max_wait=2.0))

    assert len(sleeps) == 5
    assert max(sleeps) <= 2.0


def test_the_retry_policy_bounds_the_attempts(cloud: FakeCloud, connection: Any) -> None:
    cloud.overrides["/volumes/detail"] = lambda _request: FakeCloud.reply({}, 500)

    with pytest.raises(ListingError) as failure:
        walk(connection, policy=RetryPolicy(attempts=2))

    assert str(failure.value) == "block-storage volumes: HTTP 500 after 2 attempts"
    assert len(cloud.requests_to("/volumes/detail")) == 2


def test_a_connection_error_is_retried(
    cloud: FakeCloud, connection: Any, sleeps: list[float]
) -> None:
    cloud.answer_first("/volumes/detail", requests.ConnectionError("connection reset by peer"))

    listed = walk(connection)

    assert ids(listed) == ["v-1", "v-2"]
    assert len(sleeps) == 1


def test_a_connection_that_keeps_failing_is_named_in_the_error(
    cloud: FakeCloud, connection: Any
) -> None:
    cloud.overrides["/volumes/detail"] = lambda _request: requests.ConnectionError("refused")

    with pytest.raises(ListingError) as failure:
        walk(connection)

    assert str(failure.value) == "block-storage volumes: connection failed after 5 attempts"


def test_a_client_error_is_not_retried(cloud: FakeCloud, connection: Any) -> None:
    cloud.overrides["/volumes/detail"] = lambda _request: FakeCloud.reply({}, 403)

    with pytest.raises(ListingError) as failure:
        walk(connection)

    assert str(failure.value) == "block-storage volumes: HTTP 403 Forbidden (admin role needed?)"
    assert len(cloud.requests_to("/volumes/detail")) == 1


def test_a_body_without_the_item_list_fails_the_listing(cloud: FakeCloud, connection: Any) -> None:
    cloud.overrides["/volumes/detail"] = lambda _request: FakeCloud.reply({"volume": {}})

    with pytest.raises(ListingError) as failure:
        walk(connection)

    assert str(failure.value) == "block-storage volumes: response has no 'volumes' list"


def test_items_repeated_by_a_page_shift_are_kept_once(cloud: FakeCloud, connection: Any) -> None:
    # When the walk's sort order shifts under it (an item created, or its sort
    # key changed, between two requests), a page can start with an item the
    # page before already had.
    servers = [p.server(f"s-{i}", f"vm-{i}", "p-acme", flavor_=SMALL) for i in range(1, 6)]
    next_link = "http://nova.test:8774/v2.1/servers/detail?limit=3&marker=s-3"

    def shifted(request: Any) -> Any:
        if "marker" not in cloud.query(request):
            return FakeCloud.reply(
                {"servers": servers[:3], "servers_links": [{"rel": "next", "href": next_link}]}
            )
        return FakeCloud.reply({"servers": servers[2:]})

    cloud.overrides["/servers/detail"] = shifted

    listed = walk(connection, SERVERS)

    assert ids(listed) == ["s-1", "s-2", "s-3", "s-4", "s-5"]


def test_a_service_repeating_its_marker_fails_instead_of_looping(
    cloud: FakeCloud, connection: Any
) -> None:
    looping = "http://cinder.test:8776/v3/x/volumes/detail?limit=1&marker=v-1"
    page = {
        "volumes": [p.volume("v-1", "d", "p-acme")],
        "volumes_links": [{"rel": "next", "href": looping}],
    }
    cloud.overrides["/volumes/detail"] = lambda _request: FakeCloud.reply(page)

    with pytest.raises(ListingError) as failure:
        walk(connection)

    assert str(failure.value) == "block-storage volumes: the service repeated page marker 'v-1'"
    assert len(cloud.requests_to("/volumes/detail")) == 2


def test_the_next_link_query_is_sent_to_the_catalog_endpoint(
    cloud: FakeCloud, connection: Any
) -> None:
    # Services behind a proxy often advertise an internal host in their links.
    cloud.cinder_max_limit = 1
    internal = "http://10.0.0.9:8776/v3/x/volumes/detail?limit=1&marker=v-1"
    cloud.answer_first(
        "/volumes/detail",
        FakeCloud.reply(
            {"volumes": cloud.volumes[:1], "volumes_links": [{"rel": "next", "href": internal}]}
        ),
    )

    listed = walk(connection)

    assert ids(listed) == ["v-1", "v-2"]
    second = cloud.requests_to("/volumes/detail")[1]
    assert second.url.startswith("http://cinder.test:8776/")
    assert cloud.query(second)["marker"] == ["v-1"]


def test_the_observer_hears_of_every_page_with_its_new_items(
    cloud: FakeCloud, connection: Any
) -> None:
    cloud.cinder_max_limit = 1
    counter = PageCounter()

    walk(connection, observer=counter)

    assert counter.pages == [
        ("block-storage volumes", 1),
        ("block-storage volumes", 1),
        ("block-storage volumes", 0),
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {
                "servers": [],
                "servers_links": [
                    {"rel": "next", "href": "http://n/v2.1/servers/detail?limit=2&marker=s-2"}
                ],
            },
            {"limit": "2", "marker": "s-2"},
        ),
        (
            {
                "servers": [],
                "links": {
                    "next": "http://k/v3/projects?marker=p-9&limit=5",
                    "self": "http://k/v3/projects",
                    "previous": None,
                },
            },
            {"marker": "p-9", "limit": "5"},
        ),
        (
            {"servers": [], "next": "/v2/images?marker=i-3&limit=3"},
            {"marker": "i-3", "limit": "3"},
        ),
        ({"servers": [], "links": {"next": None, "self": "x", "previous": None}}, None),
        ({"servers": [], "servers_links": [{"rel": "self", "href": "http://n/x?a=1"}]}, None),
        ({"servers": []}, None),
    ],
    ids=[
        "nova-links-list",
        "keystone-links-dict",
        "glance-top-level",
        "keystone-last",
        "self-only",
        "no-link",
    ],
)
def test_next_query_reads_every_link_shape(body: dict[str, Any], expected: Any) -> None:
    assert next_query(body, "servers") == expected


def test_the_pager_is_the_only_retry_layer(cloud: FakeCloud, connection: Any) -> None:
    # openstacksdk asks keystoneauth to retry Glance 503s five times by itself.
    cloud.overrides["/images"] = lambda _request: FakeCloud.reply({}, 503)

    with pytest.raises(ListingError):
        walk(connection, listings()["image.images"], policy=RetryPolicy(attempts=2))

    assert len(cloud.requests_to("/v2/images")) == 2


class OffsetService:
    """A listing paged by limit and offset, with no next link (Nova's server groups),
    capping the page at ``max_limit`` whatever limit is asked."""

    def __init__(self, items: list[dict[str, Any]], max_limit: int) -> None:
        self.items = items
        self.max_limit = max_limit
        self.asked: list[dict[str, str]] = []
        self.session = None

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        params = dict(kwargs["params"])
        self.asked.append(params)
        limit = min(int(params.get("limit", self.max_limit)), self.max_limit)
        offset = int(params.get("offset", 0))
        response = requests.Response()
        response.status_code = 200
        page = self.items[offset : offset + limit]
        response._content = json.dumps({"server_groups": page}).encode()
        return response


@pytest.mark.parametrize(("count", "max_limit"), [(0, 3), (2, 3), (3, 3), (7, 3), (7, 1000)])
def test_an_offset_paged_listing_is_asked_until_an_empty_page(count: int, max_limit: int) -> None:
    service = OffsetService([{"id": f"g-{i}"} for i in range(count)], max_limit)
    pager = Pager(service, policy=RetryPolicy())

    listed = pager.list(
        "compute server_groups",
        "/os-server-groups",
        "server_groups",
        {"all_projects": "True", "limit": "1000"},
        paging=Paging.OFFSET,
    )

    assert [i["id"] for i in listed.items] == [f"g-{i}" for i in range(count)]
    # A short page is no proof of the end when the service caps the limit lower.
    pages = -(-count // max_limit) + 1 if count else 1
    assert listed.pages == pages == len(service.asked)
    assert [q.get("offset") for q in service.asked] == [None] + [
        str(min(max_limit * n, count)) for n in range(1, pages)
    ]
    assert all(q["all_projects"] == "True" and q["limit"] == "1000" for q in service.asked)


LAYOUT = Layout(frozenset({("id", msgspec.NODEFAULT), ("name", None)}))


def _as_dicts(page: list[Any]) -> list[dict[str, Any]]:
    """A converter of a listing decoded into Structs: each item as the dict it reads as
    (its fields absent from the item left out), and what it was decoded into."""
    out = []
    for item in page:
        if type(item) is dict:
            out.append({**item, "<decoded>": "dict"})
            continue
        fields = {f.encode_name: getattr(item, f.name) for f in msgspec.structs.fields(item)}
        fields = {f: v for f, v in fields.items() if v is not msgspec.UNSET}
        out.append({**fields, "<decoded>": "struct"})
    return out


@pytest.mark.parametrize("typed", [False, True, "structs"], ids=["untyped", "typed", "structs"])
def test_pages_decoded_typed_keep_what_untyped_pages_keep(
    cloud: FakeCloud, connection: Any, typed: bool | str
) -> None:
    # Decoded with the catalog's types (issue 19), a page's checks are msgspec's; what
    # is kept, dropped as seen twice, or refused must not change.
    servers = [p.server(f"s-{i}", f"vm-{i}", "p-acme", flavor_=SMALL) for i in range(1, 6)]
    no_id = [{k: v for k, v in servers[0].items() if k != "id"} for _ in range(2)]
    next_link = "http://nova.test:8774/v2.1/servers/detail?limit=3&marker=s-3"

    def shifted(request: Any) -> Any:
        if "marker" not in cloud.query(request):
            page = [*servers[:3], servers[1]]
            return FakeCloud.reply(
                {"servers": page, "servers_links": [{"rel": "next", "href": next_link}]}
            )
        return FakeCloud.reply({"servers": [*servers[2:], *no_id]})

    cloud.overrides["/servers/detail"] = shifted
    pager = Pager(connection.compute, policy=RetryPolicy())
    fields = {"id", "name", "status"}
    listed = pager.list(
        "compute servers",
        SERVERS.path,
        SERVERS.items,
        SERVERS.params,
        fields=fields if typed else None,
        types=SERVERS.shapes,
        convert=_as_dicts if typed == "structs" else None,
        layout=LAYOUT,
    )
    assert [item.get("id") for item in listed.items] == [f"s-{i}" for i in range(1, 6)] + [
        None,
        None,
    ]
    assert listed.duplicates == 2, "s-2 twice on page 1, s-3 again on page 2"
    if typed == "structs":
        # Items without an id: their page is decoded as dicts (an id is required).
        decoded = [item.pop("<decoded>") for item in listed.items]
        assert decoded == ["struct"] * 3 + ["dict"] * 4
        kept = fields | set(SERVERS.shapes)
        assert all(set(item) <= kept for item in listed.items[:3]), "fields read, checked"
    elif typed:
        assert all(set(item) <= fields for item in listed.items)


@pytest.mark.parametrize("typed", [False, True, "structs"], ids=["untyped", "typed", "structs"])
@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"name": 5}, "item 1: 'name' is an integer, expected a string"),
        ({"locked": 1}, "item 1: 'locked' is an integer, expected a boolean"),
        ({"metadata": []}, "item 1: 'metadata' is an array, expected an object"),
        ({"id": 1.5}, "item 1: 'id' is a number, expected a string"),
        ({"id": {"x": 1}}, "item 1: 'id' is an object, expected a string"),
        # Without a type declared for the id, the pager's own check of it.
        ({"id": 1.5, "-": "id"}, "item 1 has an id of type float"),
        ({"id": True, "name": 7, "-": "id"}, "item 1: 'name' is an integer, expected a string"),
        ({"id": [1], "-": "id"}, "item 1 has an id of type list"),
    ],
)
def test_a_field_of_another_type_fails_the_listing_typed_or_not(
    cloud: FakeCloud, connection: Any, typed: bool | str, change: dict[str, Any], error: str
) -> None:
    servers = [p.server(f"s-{i}", f"vm-{i}", "p-acme", flavor_=SMALL) for i in range(1, 4)]
    change = dict(change)
    untyped = change.pop("-", None)
    servers[1] = {**servers[1], **change}
    shapes = {k: v for k, v in SERVERS.shapes.items() if k != untyped}
    cloud.overrides["/servers/detail"] = lambda _r: FakeCloud.reply({"servers": servers})
    pager = Pager(connection.compute, policy=RetryPolicy())
    with pytest.raises(ListingError) as caught:
        pager.list(
            "compute servers",
            SERVERS.path,
            SERVERS.items,
            SERVERS.params,
            fields={"id", "name", "locked", "metadata"} if typed else None,
            types=shapes,
            # Decoded into Structs where the page can be: a page msgspec refuses is
            # decoded as dicts, checked by the pager, which names the fault as before.
            convert=_as_dicts if typed == "structs" else None,
            layout=LAYOUT,
        )
    assert str(caught.value) == f"compute servers: page 1 {error}"
