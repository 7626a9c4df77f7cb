"""The sandbox's APIs over raw HTTP: shapes, paging, microversions, auth, methods."""

from __future__ import annotations

import http.client
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from auditor.model import Snapshot
from auditor.sandbox import Sandbox, SandboxOptions

JSON = dict[str, Any]
LIMIT = 7


@pytest.fixture
def sandbox(snapshot: Snapshot, make_snapshot: Callable[..., Snapshot]) -> Iterator[Sandbox]:
    with Sandbox(
        [snapshot, make_snapshot("ocb", "ocb-fr1")], options=SandboxOptions(max_limit=LIMIT)
    ) as running:
        yield running
        assert running.errors == []


@pytest.fixture
def token(sandbox: Sandbox, token_for: Callable[[Sandbox, str], str]) -> str:
    return token_for(sandbox, "cw")


def get(url: str, token: str | None = None, **headers: str) -> requests.Response:
    if token is not None:
        headers["X-Auth-Token"] = token
    return requests.get(url, headers=headers, timeout=10)


def cw(sandbox: Sandbox, path: str) -> str:
    return f"{sandbox.url}/cw/{path}"


def items_of(snapshot: Snapshot, name: str) -> tuple[JSON, ...]:
    return snapshot.collections[name].items


# -- discovery and Keystone -----------------------------------------------------


def test_version_documents_need_no_token(sandbox: Sandbox) -> None:
    root = get(cw(sandbox, "identity/"))
    assert root.status_code == 300
    assert root.json()["versions"]["values"][0]["id"] == "v3.14"
    v3 = get(cw(sandbox, "identity/v3")).json()["version"]
    assert v3["status"] == "stable"
    assert v3["links"][0]["href"] == cw(sandbox, "identity/v3/")
    nova = get(cw(sandbox, "compute/v2.1/")).json()["version"]
    assert (nova["min_version"], nova["version"]) == ("2.1", "2.96")
    assert get(cw(sandbox, "compute/")).json()["versions"][0]["id"] == "v2.1"
    cinder = get(cw(sandbox, "volume/"))
    assert cinder.status_code == 300
    assert cinder.json()["versions"][0]["version"] == "3.70"
    glance = get(cw(sandbox, "image"))
    assert glance.status_code == 300
    assert glance.json()["versions"][0] == {
        "id": "v2.16",
        "status": "CURRENT",
        "links": [{"rel": "self", "href": cw(sandbox, "image/v2/")}],
    }
    assert get(cw(sandbox, "network/")).json()["versions"][0]["id"] == "v2.0"


def test_token_catalog_points_at_the_sandbox(
    sandbox: Sandbox, issue_token: Callable[..., requests.Response]
) -> None:
    response = issue_token(sandbox, "cw")
    assert response.status_code == 201
    assert response.headers["X-Subject-Token"]
    token = response.json()["token"]
    assert token["project"]["name"] == "admin"
    assert {r["name"] for r in token["roles"]} >= {"admin"}
    catalog = {entry["type"]: entry for entry in token["catalog"]}
    assert set(catalog) == {
        "identity",
        "compute",
        "block-storage",
        "image",
        "network",
        "dns",
        "load-balancer",
        "orchestration",
    }
    for entry in catalog.values():
        for endpoint in entry["endpoints"]:
            assert endpoint["url"].startswith(f"{sandbox.url}/cw/")
            assert endpoint["region_id"] == "fr1"
    project_id = token["project"]["id"]
    assert catalog["block-storage"]["endpoints"][0]["url"].endswith(f"/volume/v3/{project_id}")
    # Heat's endpoint names the project too (``/v1/%(tenant_id)s``).
    assert catalog["orchestration"]["endpoints"][0]["url"].endswith(
        f"/orchestration/v1/{project_id}"
    )


def test_wrong_password_is_a_keystone_401(
    sandbox: Sandbox, issue_token: Callable[..., requests.Response]
) -> None:
    response = issue_token(sandbox, "cw", password="wrong")
    assert response.status_code == 401
    assert "X-Subject-Token" not in response.headers
    assert response.json() == {
        "error": {
            "code": 401,
            "title": "Unauthorized",
            "message": "The request you have made requires authentication.",
        }
    }
    assert response.headers["WWW-Authenticate"].startswith("Keystone uri=")


def test_every_other_path_needs_a_valid_token_of_its_cloud(
    sandbox: Sandbox, token_for: Callable[[Sandbox, str], str]
) -> None:
    for path in ("identity/v3/projects", "compute/v2.1/servers/detail", "image/v2/images"):
        assert get(cw(sandbox, path)).status_code == 401
        assert get(cw(sandbox, path), "gAAAAA-made-up").status_code == 401
    ocb_token = token_for(sandbox, "ocb")
    assert get(cw(sandbox, "identity/v3/projects"), ocb_token).status_code == 401
    assert get(f"{sandbox.url}/ocb/identity/v3/projects", ocb_token).status_code == 200


def test_only_reads_and_the_token_request_are_served(sandbox: Sandbox, token: str) -> None:
    headers = {"X-Auth-Token": token}
    for method in ("PUT", "DELETE", "PATCH"):
        response = requests.request(
            method, cw(sandbox, "compute/v2.1/servers/x"), headers=headers, timeout=10
        )
        assert response.status_code == 405
        assert response.headers["Allow"] == "GET, HEAD"
    created = requests.post(
        cw(sandbox, "compute/v2.1/servers"), json={"server": {}}, headers=headers, timeout=10
    )
    assert created.status_code == 405
    assert created.json()["badMethod"]["code"] == 405
    assert (
        requests.post(cw(sandbox, "identity/v3/projects"), json={}, timeout=10).status_code == 405
    )
    logged = [(r.method, r.status) for r in sandbox.requests if r.method != "GET"]
    assert logged == [
        ("POST", 201),
        ("PUT", 405),
        ("DELETE", 405),
        ("PATCH", 405),
        ("POST", 405),
        ("POST", 405),
    ]


def test_keystone_pages_with_a_links_dict(sandbox: Sandbox, snapshot: Snapshot, token: str) -> None:
    url: str | None = cw(sandbox, "identity/v3/projects?limit=1000")
    seen: list[str] = []
    pages = 0
    while url:
        body = get(url, token).json()
        pages += 1
        assert set(body["links"]) == {"self", "previous", "next"}
        assert len(body["projects"]) <= LIMIT
        seen += [p["id"] for p in body["projects"]]
        url = body["links"]["next"]
    assert seen == [p["id"] for p in items_of(snapshot, "projects")]
    assert pages == len(seen) // LIMIT + 1
    unpaged = get(cw(sandbox, "identity/v3/projects"), token).json()
    assert len(unpaged["projects"]) == len(seen)
    assert "truncated" not in unpaged


def test_projects_carry_parents_and_domains(
    sandbox: Sandbox, snapshot: Snapshot, token: str
) -> None:
    projects = {
        p["id"]: p for p in get(cw(sandbox, "identity/v3/projects"), token).json()["projects"]
    }
    child = projects["cw-p-twin-child"]
    # Two projects are named "twin": the parent is the one in the child's domain.
    assert child["parent_id"] == "cw-p-twin-b"
    assert projects["cw-p-twin-b"]["parent_id"] == projects["cw-p-twin-b"]["domain_id"]
    assert child["enabled"] is False
    domains = get(cw(sandbox, "identity/v3/domains"), token).json()["domains"]
    assert {d["id"] for d in domains} == {p["domain_id"] for p in items_of(snapshot, "projects")}
    one = get(cw(sandbox, "identity/v3/projects/cw-p-twin-child"), token).json()["project"]
    assert one == child
    filtered = get(cw(sandbox, "identity/v3/projects?name=twin"), token).json()["projects"]
    assert sorted(p["id"] for p in filtered) == ["cw-p-twin-a", "cw-p-twin-b"]


def test_endpoints_are_the_snapshots_with_consistent_services(
    sandbox: Sandbox, snapshot: Snapshot, token: str
) -> None:
    endpoints = get(cw(sandbox, "identity/v3/endpoints"), token).json()["endpoints"]
    services = {
        s["id"]: s for s in get(cw(sandbox, "identity/v3/services"), token).json()["services"]
    }
    expected = {e["id"]: e for e in items_of(snapshot, "endpoints")}
    assert {e["id"] for e in endpoints} == set(expected)
    for endpoint in endpoints:
        want = expected[endpoint["id"]]
        service = services[endpoint["service_id"]]
        assert endpoint["url"] == want["url"]
        assert (service["type"], service.get("name")) == (
            want["service_type"],
            want["service_name"],
        )
    regions = get(cw(sandbox, "identity/v3/regions"), token).json()["regions"]
    assert [r["id"] for r in regions] == ["fr1", "fr2"]


# -- Nova -----------------------------------------------------------------------


def nova(sandbox: Sandbox, path: str, token: str, version: str | None) -> requests.Response:
    headers = {} if version is None else {"OpenStack-API-Version": f"compute {version}"}
    return get(cw(sandbox, f"compute/v2.1/{path}"), token, **headers)


def test_microversions_are_negotiated_and_echoed(sandbox: Sandbox, token: str) -> None:
    response = nova(sandbox, "servers/detail?all_tenants=1", token, "2.60")
    assert response.headers["OpenStack-API-Version"] == "compute 2.60"
    assert response.headers["X-OpenStack-Nova-API-Version"] == "2.60"
    legacy = get(
        cw(sandbox, "compute/v2.1/servers"), token, **{"X-OpenStack-Nova-API-Version": "2.10"}
    )
    assert legacy.headers["OpenStack-API-Version"] == "compute 2.10"
    assert nova(sandbox, "servers", token, None).headers["OpenStack-API-Version"] == "compute 2.1"
    assert nova(sandbox, "servers", token, "latest").headers["OpenStack-API-Version"] == (
        "compute 2.96"
    )
    assert nova(sandbox, "servers", token, "2.97").status_code == 406
    assert nova(sandbox, "servers", token, "two").status_code == 400
    volume = get(
        cw(sandbox, "volume/v3/x/volumes?all_tenants=1"),
        token,
        **{"OpenStack-API-Version": "volume 3.50"},
    )
    assert volume.headers["OpenStack-API-Version"] == "volume 3.50"


def walk(
    sandbox: Sandbox, url: str, token: str, key: str, **headers: str
) -> tuple[list[JSON], int]:
    items: list[JSON] = []
    pages = 0
    next_url: str | None = url
    while next_url:
        body = get(next_url, token, **headers).json()
        pages += 1
        items += body[key]
        links = body.get(f"{key}_links") or []
        assert len(body[key]) == LIMIT or not links, "next only on a full page"
        next_url = links[0]["href"] if links else None
    return items, pages


def test_servers_page_and_shape_per_microversion(
    sandbox: Sandbox, snapshot: Snapshot, token: str
) -> None:
    url = cw(sandbox, "compute/v2.1/servers/detail?all_tenants=True&limit=100")
    latest, _ = walk(sandbox, url, token, "servers", **{"OpenStack-API-Version": "compute 2.96"})
    # A down cell's servers (partial: true) are no part of a paged listing, as in Nova.
    up = [s["id"] for s in items_of(snapshot, "servers") if not s.get("partial")]
    down = [s["id"] for s in items_of(snapshot, "servers") if s.get("partial")]
    assert len(down) == 2
    assert [s["id"] for s in latest] == up
    everything = next(s for s in latest if s["id"] == "cw-s-everything")
    assert everything["flavor"] == {
        "original_name": "g1.huge",
        "vcpus": 64,
        "ram": 262144,
        "disk": 0,
        "ephemeral": 0,
        "swap": 0,
        "extra_specs": {},
    }
    assert everything["image"]["id"] == "cw-img-custom"
    assert everything["addresses"]["net-b"][1]["version"] == 6
    assert everything["addresses"]["net-b"][0]["addr"] == "198.51.100.7"
    assert everything["os-extended-volumes:volumes_attached"] == [
        {"id": "cw-v-multi", "delete_on_termination": False},
        {"id": "cw-v-root", "delete_on_termination": False},
    ]
    assert everything["security_groups"] == [{"name": "default"}, {"name": "ssh"}]
    assert everything["tenant_id"] == "cw-p-twin-a"
    assert everything["OS-EXT-AZ:availability_zone"] == "nova"
    assert everything["metadata"]["api_token"] == "***"
    assert everything["key_name"] == "deploy"
    assert next(s for s in latest if s["id"] == "cw-s-other")["image"] == ""
    assert all(s["status"] != "UNKNOWN" for s in latest)
    # With no limit, marker, sort or filter but all_tenants (2.69+) Nova puts partial
    # records first, but only in the room the page leaves: here the page is full.
    assert len(up) > LIMIT
    unpaged = cw(sandbox, "compute/v2.1/servers/detail?all_tenants=True")
    first = get(unpaged, token, **{"OpenStack-API-Version": "compute 2.96"}).json()["servers"]
    assert [s["id"] for s in first] == up[:LIMIT]
    show = f"{cw(sandbox, 'compute/v2.1')}/servers/{down[0]}"
    partial = get(show, token, **{"OpenStack-API-Version": "compute 2.96"}).json()["server"]
    assert set(partial) == {"id", "status", "tenant_id", "created", "links"}
    assert partial["status"] == "UNKNOWN"

    old, _ = walk(sandbox, url, token, "servers", **{"OpenStack-API-Version": "compute 2.68"})
    assert len(old) == len(latest)
    assert all(s["status"] != "UNKNOWN" for s in old)
    before = get(unpaged, token, **{"OpenStack-API-Version": "compute 2.68"}).json()["servers"]
    assert [s["id"] for s in before] == up[:LIMIT]

    legacy, _ = walk(sandbox, url, token, "servers")
    flavors, _ = walk(
        sandbox, cw(sandbox, "compute/v2.1/flavors/detail?is_public=none"), token, "flavors"
    )
    by_id = {f["id"]: f for f in flavors}
    resolved = {s["id"]: by_id.get(s["flavor"]["id"]) for s in legacy}
    assert set(legacy[0]["flavor"]) == {"id", "links"}
    huge = resolved["cw-s-everything"]
    assert huge is not None
    assert (huge["name"], huge["vcpus"], huge["ram"], huge["disk"]) == ("g1.huge", 64, 262144, 0)
    assert resolved["cw-s-other"] == huge
    # A deleted flavor: its id is all the server says; the flavor listing does not have it.
    assert resolved["cw-s-deleted-flavor"] is None
    assert get(cw(sandbox, "compute/v2.1/flavors/detail?is_public=false"), token).json() == {
        "flavors": []
    }


def test_nova_paging_rules(sandbox: Sandbox, snapshot: Snapshot, token: str) -> None:
    servers = [s for s in items_of(snapshot, "servers") if not s.get("partial")]
    items, pages = walk(
        sandbox, cw(sandbox, "compute/v2.1/servers/detail?all_tenants=1"), token, "servers"
    )
    assert len(items) == len(servers)
    assert pages == len(servers) // LIMIT + 1
    bad = get(cw(sandbox, "compute/v2.1/servers/detail?all_tenants=1&marker=nope"), token)
    assert bad.status_code == 400
    assert "badRequest" in bad.json()
    assert get(cw(sandbox, "compute/v2.1/servers/detail?limit=-1"), token).status_code == 400
    # Without all_tenants an admin sees the servers of its own project: none here.
    assert get(cw(sandbox, "compute/v2.1/servers/detail"), token).json() == {"servers": []}
    one = get(cw(sandbox, "compute/v2.1/servers/cw-s-other"), token).json()["server"]
    assert one["name"] == "other"
    assert get(cw(sandbox, "compute/v2.1/servers/nope"), token).status_code == 404


# -- Cinder, Glance, Neutron ------------------------------------------------------


def test_volumes(sandbox: Sandbox, snapshot: Snapshot, token: str) -> None:
    url = cw(sandbox, "volume/v3/any-project/volumes/detail?all_tenants=True")
    volumes, pages = walk(sandbox, url, token, "volumes")
    assert [v["id"] for v in volumes] == [v["id"] for v in items_of(snapshot, "volumes")]
    assert pages == len(volumes) // LIMIT + 1
    multi = next(v for v in volumes if v["id"] == "cw-v-multi")
    assert multi["bootable"] == "false"
    assert multi["os-vol-tenant-attr:tenant_id"] == "cw-p-twin-a"
    assert multi["multiattach"] is True
    assert [(a["server_id"], a["volume_id"]) for a in multi["attachments"]] == [
        ("cw-s-everything", "cw-v-multi"),
        ("cw-s-other", "cw-v-multi"),
    ]
    root = next(v for v in volumes if v["id"] == "cw-v-root")
    assert (root["bootable"], root["encrypted"], root["size"]) == ("true", True, 1)
    gone = get(cw(sandbox, "volume/v3/p/volumes/detail?all_tenants=1&marker=nope"), token)
    assert gone.status_code == 404
    assert "itemNotFound" in gone.json()


def test_images(sandbox: Sandbox, token: str) -> None:
    first = get(cw(sandbox, "image/v2/images?limit=2"), token).json()
    assert len(first["images"]) == 2
    assert first["next"].startswith("/v2/images?")
    everything: list[JSON] = []
    url: str | None = cw(sandbox, "image/v2/images?visibility=all")
    while url:
        body = get(url, token).json()
        everything += body["images"]
        url = cw(sandbox, "image" + body["next"]) if "next" in body else None
    names = {i["id"]: i["name"] for i in everything}
    assert names["cw-img-custom"] == "custom ünicode"
    # An image whose name the snapshot lost was deleted: not served.
    assert "cw-img-gone" not in names
    hidden = get(cw(sandbox, "image/v2/images?visibility=all&os_hidden=true"), token).json()
    assert hidden["images"] == []
    assert get(cw(sandbox, "image/v2/images?marker=nope"), token).status_code == 400
    assert get(cw(sandbox, "image/v2/images/cw-img-custom"), token).json()["name"] == (
        "custom ünicode"
    )


def test_networks_derived_from_addresses(sandbox: Sandbox, token: str) -> None:
    body = get(cw(sandbox, "network/v2.0/networks?limit=1"), token).json()
    assert body["networks_links"][0]["rel"] == "next"
    networks = get(cw(sandbox, "network/v2.0/networks"), token).json()["networks"]
    assert {n["name"] for n in networks} >= {"private", "public", "net-a", "net-b"}
    ports = get(cw(sandbox, "network/v2.0/ports?device_id=cw-s-everything"), token).json()["ports"]
    assert sorted(ip["ip_address"] for p in ports for ip in p["fixed_ips"]) == [
        "10.1.0.5",
        "10.1.0.6",
        "198.51.100.7",
        "2001:db8::5",
    ]
    groups = get(cw(sandbox, "network/v2.0/security-groups?name=ssh"), token).json()
    assert [g["project_id"] for g in groups["security_groups"]] == ["cw-p-twin-a"]


# -- HTTP ----------------------------------------------------------------------------


def test_head_and_keep_alive(sandbox: Sandbox, token: str) -> None:
    url = urlsplit(cw(sandbox, "compute/v2.1/servers/detail?all_tenants=1"))
    target = f"{url.path}?{url.query}"
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)
    try:
        lengths = []
        for method in ("GET", "HEAD", "GET"):
            connection.request(method, target, headers={"X-Auth-Token": token})
            response = connection.getresponse()
            body = response.read()
            assert response.status == 200
            assert response.getheader("Connection") != "close"
            lengths.append((int(response.getheader("Content-Length") or -1), len(body)))
    finally:
        connection.close()
    (get_length, get_body), (head_length, head_body), second = lengths
    assert get_length == get_body > 0
    assert (head_length, head_body) == (get_length, 0)
    assert second == lengths[0]


def test_unknown_paths_are_404(sandbox: Sandbox, token: str) -> None:
    assert get(f"{sandbox.url}/nowhere/identity/v3").status_code == 404
    assert get(cw(sandbox, "object-store/v1"), token).status_code == 404
    assert get(cw(sandbox, "compute/v2.1/os-hypervisors"), token).status_code == 404
    index = get(f"{sandbox.url}/").json()
    assert [c["name"] for c in index["clouds"]] == ["cw", "ocb"]
