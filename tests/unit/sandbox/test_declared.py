"""A collection the sandbox has no code for is served from its declaration alone.

Two throwaway declarations, registered in this test only: groups shaped like
Nova's server groups (``/os-test-groups?all_projects=True``, paged with
``limit``/``marker`` and ``test_groups_links``, ``policies`` before
microversion 2.64 and ``policy`` with ``rules`` from it), and their members,
one request per group (a fan-out, ``{id}`` in the path). The sandbox serves
them with no module of its own: the inventory over HTTP (openstacksdk, the
real collector) gives the snapshot's items back, at both ends of the
microversion range, page by page, and a non-admin is refused the
all-projects listing and sees only its project's items without it. Neutron's
and Keystone's paging and offset paging are declared the same way; Cinder's
snapshots show what a view adds (its fields, one item, filters).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.app.files import read_clouds_config
from auditor.catalog import registry
from auditor.catalog.sources import api, ids_of
from auditor.catalog.spec import (
    CollectionSpec,
    Family,
    Field,
    Owner,
    Paging,
    Request,
)
from auditor.catalog.types import NBOOL, NSTR, NSTRS, STR
from auditor.collect import take_inventory
from auditor.collect.pager import RetryPolicy
from auditor.connect import CloudTarget, connect
from auditor.model import CollectionResult, Snapshot
from auditor.sandbox import Sandbox, SandboxOptions
from auditor.sandbox.options import ProjectMember
from tests.builders import ok, project, snapshot
from tests.declared import GROUPS, GROUPS_SPEC, MEMBERS_SPEC, register
from tests.unit.sandbox.conftest import member_token

JSON = dict[str, Any]
CATALOG = (*registry.CATALOG, GROUPS_SPEC, MEMBERS_SPEC)

ACME = project("p-acme", "cw-acme")
GLOBEX = project("p-globex", "cw-globex")
ADMIN = project("p-admin", "admin", domain="Default")


def _group(n: int, owner: JSON, policy: str, rules: JSON) -> JSON:
    return {
        "id": f"g-{n}",
        "name": f"group-{n}",
        "project_id": owner["id"],
        "user_id": f"u-{n % 2}",
        "members": sorted(f"s-{n}-{m}" for m in range(n % 3)),
        "policy": policy,
        "rules": rules,
    }


GROUP_ITEMS = [
    _group(1, ACME, "anti-affinity", {"max_server_per_host": 2}),
    _group(2, ACME, "affinity", {}),
    _group(3, GLOBEX, "soft-anti-affinity", {}),
    _group(4, ADMIN, "affinity", {}),
    _group(5, GLOBEX, "anti-affinity", {}),
]
MEMBER_ITEMS = [
    {"id": f"{g['id']}/{server}", "group_id": g["id"], "server": server}
    for g in GROUP_ITEMS
    for server in g["members"]
]
SNAPSHOT = snapshot(
    "cloudwatt",
    "fr1",
    {
        "projects": [ACME, GLOBEX, ADMIN],
        "test_groups": GROUP_ITEMS,
        "test_group_members": MEMBER_ITEMS,
    },
)
ALICE = ProjectMember("alice", "alice-secret", ("cw-acme",))


@pytest.fixture
def declared(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The two declarations known to the collector (as if declared in the catalog)."""
    register(monkeypatch, GROUPS_SPEC, MEMBERS_SPEC)
    yield


def untimed(result: CollectionResult) -> CollectionResult:
    """``result`` without when it was listed (each inventory's own)."""
    assert result.listed is not None and result.listed.started <= result.listed.ended
    return dataclasses.replace(result, listed=None)


def _inventory_of(sandbox: Sandbox, tmp_path: Path, *collections: str) -> Snapshot:
    """Inventory ``collections`` of the running sandbox's cloud as the CLI does."""
    clouds = tmp_path / "clouds.yaml"
    save_clouds_yaml(sandbox, str(clouds))
    target = CloudTarget("cloudwatt")
    conn = connect(target, config=read_clouds_config(str(clouds)))
    return take_inventory(conn, target, collections=collections, policy=RetryPolicy(attempts=1))


def _inventory(options: SandboxOptions, tmp_path: Path) -> tuple[Snapshot, list[str]]:
    with Sandbox([SNAPSHOT], options=options, catalog=CATALOG) as sandbox:
        got = _inventory_of(sandbox, tmp_path, "test_groups", "test_group_members")
        paths = [f"{r.path}?{r.query}" for r in sandbox.requests if r.status == 200]
    return got, paths


@pytest.mark.parametrize("max_version", ["2.96", "2.40"])
def test_a_declared_collection_is_inventoried_back(
    declared: None, max_version: str, tmp_path: Path
) -> None:
    options = SandboxOptions(max_limit=2, compute_max_version=max_version)
    got, paths = _inventory(options, tmp_path)
    groups = got.collections["test_groups"]
    assert groups.status.value == "ok", groups.error
    want = GROUP_ITEMS
    if max_version == "2.40":
        # Before 2.64 the API gives no rules: unknown.
        want = [{**g, "rules": None} for g in GROUP_ITEMS]
    assert list(groups.items) == want
    assert untimed(got.collections["test_group_members"]) == ok(MEMBER_ITEMS)
    # Five groups, two a page: three pages, every one asking every project's.
    pages = [p for p in paths if p.endswith("os-test-groups") or "os-test-groups?" in p]
    assert len(pages) == 3
    assert all("all_projects=True" in p for p in pages)
    # One members walk per group, two a page: a full page is followed by another.
    walks = sum(1 + len(g["members"]) // 2 for g in GROUP_ITEMS)
    assert sum("/members" in p for p in paths) == walks == 7


def test_a_declared_collection_paged_by_offset(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # As Nova pages its server groups: limit and offset, no link, until an empty page.
    by_offset = dataclasses.replace(GROUPS, paging=Paging.OFFSET)
    spec = dataclasses.replace(GROUPS_SPEC, requests=(by_offset,))
    register(monkeypatch, spec)
    options = SandboxOptions(max_limit=2)
    catalog = (*registry.CATALOG, spec)
    with Sandbox([SNAPSHOT], options=options, catalog=catalog) as sandbox:
        got = _inventory_of(sandbox, tmp_path, "test_groups")
        queries = [r.query for r in sandbox.requests if r.path.endswith("/os-test-groups")]
    assert list(got.collections["test_groups"].items) == GROUP_ITEMS
    assert [q.split("offset=")[1] if "offset=" in q else None for q in queries] == [
        None,
        "2",
        "4",
        "5",
    ]


def _get(sandbox: Sandbox, token: str, version: str, **params: str) -> requests.Response:
    url = f"{sandbox.site('cloudwatt').url}/compute/v2.1/os-test-groups"
    headers = {"X-Auth-Token": token, "OpenStack-API-Version": f"compute {version}"}
    return requests.get(url, params=params, headers=headers, timeout=10)


def test_the_declaration_decides_shape_paging_and_who_sees_what() -> None:
    options = SandboxOptions(max_limit=2, members=(ALICE,), password="admin-secret")
    with Sandbox([SNAPSHOT], options=options, catalog=CATALOG) as sandbox:
        alice = member_token(sandbox, "alice", "alice-secret", "cw-acme")
        refused = _get(sandbox, alice, "2.64", all_projects="True")
        mine = _get(sandbox, alice, "2.64")
        old = _get(sandbox, alice, "2.63")
        bad_marker = _get(sandbox, alice, "2.64", marker="g-404")
    assert refused.status_code == 403
    assert refused.json() == {
        "forbidden": {
            "code": 403,
            "message": "Policy doesn't allow os_compute_api:os-test-groups:index:all_projects"
            " to be performed.",
        }
    }
    assert refused.headers["OpenStack-API-Version"] == "compute 2.64"
    # Without all_projects: the token's project's groups, a full page linking the next.
    assert mine.status_code == 200
    body = mine.json()
    assert [g["id"] for g in body["test_groups"]] == ["g-1", "g-2"]
    assert body["test_groups"][0] == {
        "id": "g-1",
        "name": "group-1",
        "project_id": "p-acme",
        "user_id": "u-1",
        "members": ["s-1-0"],
        "policy": "anti-affinity",
        "rules": {"max_server_per_host": 2},
    }
    (link,) = body["test_groups_links"]
    assert link["rel"] == "next" and "marker=g-2" in link["href"] and "limit=2" in link["href"]
    # Below 2.64: a list of policies, no rules.
    assert old.json()["test_groups"][0] == {
        "id": "g-1",
        "name": "group-1",
        "project_id": "p-acme",
        "user_id": "u-1",
        "members": ["s-1-0"],
        "policies": ["anti-affinity"],
    }
    assert bad_marker.status_code == 400
    assert bad_marker.json()["badRequest"]["message"] == "marker [g-404] not found"


def test_the_sandbox_has_no_code_for_them() -> None:
    package = Path(__file__).parents[3] / "auditor" / "sandbox"
    for module in package.glob("*.py"):
        assert "test_group" not in module.read_text(), module


# -- other services' paging: Neutron's links, Keystone's whole lists --------------------

THINGS = Request(
    "network.test_things",
    "network",
    "/test-things",
    "test_things",
    page_size=2,
)
THINGS_SPEC = CollectionSpec(
    name="test_things",
    noun="test thing",
    family=Family.NETWORK,
    owner=Owner.PROJECT,
    requests=(THINGS,),
    docs="nowhere.md",
    fields=(
        Field("id", api("id", required=True), STR, "Id."),
        Field("name", api("name"), NSTR, "Name."),
        Field("project_id", api("project_id"), NSTR, "Project id."),
        Field("tags", ids_of("tag_objects", "tag"), NSTRS, "Tags."),
    ),
)
KINDS = Request(
    "identity.test_kinds", "identity", "/test-kinds", "test_kinds", paging=Paging.UNPAGED
)
KINDS_SPEC = CollectionSpec(
    name="test_kinds",
    noun="test kind",
    family=Family.IDENTITY,
    owner=Owner.CLOUD,
    requests=(KINDS,),
    docs="nowhere.md",
    fields=(
        Field("id", api("id", required=True), STR, "Id."),
        Field("enabled", api("enabled"), NBOOL, "Enabled."),
    ),
)
THING_ITEMS = [
    {"id": f"t-{n}", "name": f"thing-{n}", "project_id": p["id"], "tags": sorted({"a", f"n{n}"})}
    for n, p in enumerate([ACME, GLOBEX, ACME, ADMIN, GLOBEX])
]
KIND_ITEMS = [{"id": f"k-{n}", "enabled": n % 2 == 0} for n in range(4)]
OTHERS = snapshot(
    "cloudwatt",
    "fr1",
    {"projects": [ACME, GLOBEX, ADMIN], "test_things": THING_ITEMS, "test_kinds": KIND_ITEMS},
)


def test_neutron_and_keystone_listings_are_served_from_their_declarations(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    register(monkeypatch, THINGS_SPEC, KINDS_SPEC)
    options = SandboxOptions(members=(ALICE,), password="admin-secret")
    catalog = (*registry.CATALOG, THINGS_SPEC, KINDS_SPEC)
    with Sandbox([OTHERS], options=options, catalog=catalog) as sandbox:
        got = _inventory_of(sandbox, tmp_path, "test_things", "test_kinds")
        pages = [r for r in sandbox.requests if r.path.endswith("/test-things")]
        site = sandbox.site("cloudwatt")
        alice = member_token(sandbox, "alice", "alice-secret", "cw-acme")
        mine = requests.get(
            f"{site.url}/network/v2.0/test-things", headers={"X-Auth-Token": alice}, timeout=10
        )
        kinds = requests.get(
            f"{site.url}/identity/v3/test-kinds", headers={"X-Auth-Token": alice}, timeout=10
        )
    assert untimed(got.collections["test_things"]) == ok(THING_ITEMS)
    assert untimed(got.collections["test_kinds"]) == ok(KIND_ITEMS)
    # Two a page, Neutron's way: a next link on full pages, the last one short.
    assert len(pages) == 3
    # A project member sees its project's things only (an admin every project's).
    assert [t["id"] for t in mine.json()["test_things"]] == ["t-0", "t-2"]
    assert mine.json()["test_things"][0]["tag_objects"] == [{"tag": "a"}, {"tag": "n0"}]
    links = mine.json()["test_things_links"]
    assert [link["rel"] for link in links] == ["previous"]
    body = kinds.json()
    assert [k["id"] for k in body["test_kinds"]] == ["k-0", "k-1", "k-2", "k-3"]
    assert body["links"]["next"] is None


# -- a declared collection with a view: Cinder's snapshots ----------------------------------


def _snapshot(n: int, owner: JSON, status: str) -> JSON:
    return {
        "id": f"snap-{n}",
        "name": f"cw-data-{n}",
        "project": owner["name"],
        "project_id": owner["id"],
        "domain": owner["domain"],
        "status": status,
        "size": 10 * n,
        "volume_id": f"vol-{n}",
        "metadata": {"n": str(n)},
    }


SNAPSHOTS = [
    _snapshot(1, ACME, "available"),
    _snapshot(2, GLOBEX, "error"),
    _snapshot(3, ACME, "available"),
]


def test_a_view_adds_fields_one_item_and_filters_to_a_declared_collection() -> None:
    cloud = snapshot(
        "cloudwatt", "fr1", {"projects": [ACME, GLOBEX, ADMIN], "volume_snapshots": SNAPSHOTS}
    )
    options = SandboxOptions(members=(ALICE,), password="admin-secret")
    with Sandbox([cloud], options=options) as sandbox:
        admin = member_token(sandbox, "admin", "admin-secret", "admin", "Default")
        alice = member_token(sandbox, "alice", "alice-secret", "cw-acme")
        base = f"{sandbox.site('cloudwatt').url}/volume/v3/{ADMIN['id']}/snapshots"

        def get(path: str, token: str, **params: str) -> requests.Response:
            headers = {"X-Auth-Token": token, "OpenStack-API-Version": "volume 3.70"}
            return requests.get(base + path, params=params, headers=headers, timeout=10)

        one = get("/snap-2", admin)
        unknown = get("/snap-404", admin)
        failed = get("/detail", admin, all_tenants="True", status="error")
        of_acme = get("/detail", admin, all_tenants="True", project_id=ACME["id"])
        refused = get("/detail", alice, all_tenants="True")
        mine = get("/detail", alice)
    assert one.status_code == 200
    item = one.json()["snapshot"]
    # Declared: where the catalog reads them; the view's: Cinder's others, at 3.70.
    assert {k: item[k] for k in ("id", "name", "status", "size", "volume_id", "metadata")} == {
        "id": "snap-2",
        "name": "cw-data-2",
        "status": "error",
        "size": 20,
        "volume_id": "vol-2",
        "metadata": {"n": "2"},
    }
    assert item["os-extended-snapshot-attributes:project_id"] == GLOBEX["id"]
    assert item["os-extended-snapshot-attributes:progress"] == "100%"
    assert item["consumes_quota"] is True and "user_id" in item and "group_snapshot_id" in item
    assert unknown.status_code == 404
    assert unknown.json() == {
        "itemNotFound": {"code": 404, "message": "Snapshot snap-404 could not be found."}
    }
    assert [s["id"] for s in failed.json()["snapshots"]] == ["snap-2"]
    assert [s["id"] for s in of_acme.json()["snapshots"]] == ["snap-1", "snap-3"]
    assert refused.status_code == 403
    assert refused.json()["forbidden"]["message"] == (
        "Policy doesn't allow volume:get_all_tenants to be performed."
    )
    assert [s["id"] for s in mine.json()["snapshots"]] == ["snap-1", "snap-3"]
