"""Octavia and Heat of the sandbox over raw HTTP: paging and links, admin and member, the
redirect of a stack by id, error bodies, and the catalog offering them only with their
collections."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
import requests

from auditor.demo.data import generate
from auditor.sandbox import Sandbox, SandboxOptions
from auditor.sandbox.options import ProjectMember
from tests.unit.sandbox.conftest import member_token, post_token

JSON = dict[str, Any]
SOURCE, _TARGET = generate(extended=True)
WITH_LB = next(p for p in SOURCE.collections["load_balancers"].items)
WITH_STACK = next(p for p in SOURCE.collections["stacks"].items)
MEMBER = ProjectMember("alice", "alice-secret", (str(WITH_LB["project"]),))


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox([SOURCE], options=SandboxOptions(max_limit=2, members=(MEMBER,))) as running:
        yield running
        assert running.errors == []


def _admin(sandbox: Sandbox) -> str:
    response = post_token(sandbox, "cloudwatt")
    assert response.status_code == 201, response.text
    return response.headers["X-Subject-Token"]


def _get(url: str, token: str, **params: str) -> requests.Response:
    return requests.get(
        url, params=params, headers={"X-Auth-Token": token}, timeout=10, allow_redirects=False
    )


def _walk(url: str, token: str, key: str, links: str) -> tuple[list[JSON], int]:
    """Every item of a listing by its next links, and how many pages it took."""
    items: list[JSON] = []
    pages = 0
    next_url: str | None = url
    while next_url:
        body = _get(next_url, token).json()
        pages += 1
        items += body[key]
        found = [link["href"] for link in body.get(links, []) if link["rel"] == "next"]
        next_url = found[0] if found else None
    return items, pages


def test_octavia_pages_every_project_to_an_admin(sandbox: Sandbox) -> None:
    token = _admin(sandbox)
    base = f"{sandbox.site('cloudwatt').url}/load-balancer/v2/lbaas"
    lbs, pages = _walk(f"{base}/loadbalancers", token, "loadbalancers", "loadbalancers_links")
    expected = SOURCE.collections["load_balancers"].items
    assert sorted(lb["id"] for lb in lbs) == sorted(lb["id"] for lb in expected)
    # Two a page, a full last page links one more (empty) page, as Octavia does.
    assert pages == len(expected) // 2 + 1
    second = _get(f"{base}/loadbalancers", token, limit="2", marker=lbs[1]["id"]).json()
    rels = [link["rel"] for link in second["loadbalancers_links"]]
    assert rels[0] == "previous"
    pool = WITH_LB["pools"][0]
    members = _get(f"{base}/pools/{pool['id']}/members", token).json()
    assert [m["address"] for m in members["members"]] == [m["address"] for m in pool["members"]]
    assert members["members"][0]["protocol_port"] == 8080
    mine = _get(f"{base}/listeners", token, project_id=str(WITH_LB["project_id"])).json()
    assert [li["loadbalancers"] for li in mine["listeners"]] == [[{"id": WITH_LB["id"]}]]


def test_octavia_errors_and_a_members_view(sandbox: Sandbox) -> None:
    token = _admin(sandbox)
    base = f"{sandbox.site('cloudwatt').url}/load-balancer/v2.0/lbaas"
    bad = _get(f"{base}/loadbalancers", token, marker="no-such-lb")
    assert bad.status_code == 400
    assert bad.json() == {
        "faultcode": "Client",
        "faultstring": "Invalid marker no-such-lb",
        "debuginfo": None,
    }
    gone = _get(f"{base}/pools/no-such-pool/members", token)
    assert (gone.status_code, gone.json()["faultstring"]) == (404, "Pool no-such-pool not found.")
    alice = member_token(sandbox, "alice", "alice-secret", str(WITH_LB["project"]))
    seen, _pages = _walk(f"{base}/loadbalancers", alice, "loadbalancers", "loadbalancers_links")
    assert [lb["id"] for lb in seen] == [WITH_LB["id"]]


def test_heat_lists_all_tenants_to_an_admin_and_redirects_a_stack_by_id(
    sandbox: Sandbox,
) -> None:
    token = _admin(sandbox)
    site = sandbox.site("cloudwatt")
    base = f"{site.url}/orchestration/v1/{site.credentials.project_id}"
    # No limit: every stack at once, no link (Heat has no page cap).
    whole = _get(f"{base}/stacks", token, global_tenant="True").json()
    assert "links" not in whole
    assert len(whole["stacks"]) == len(SOURCE.collections["stacks"].items)
    assert {s["project"] for s in whole["stacks"]} == {
        s["project_id"] for s in SOURCE.collections["stacks"].items
    }
    own = _get(f"{base}/stacks", token).json()
    assert own["stacks"] == []  # the admin project has none
    paged = _get(f"{base}/stacks", token, global_tenant="True", limit="1").json()
    (link,) = paged["links"]
    assert link["rel"] == "next" and f"marker={paged['stacks'][0]['id']}" in link["href"]
    found = _get(f"{base}/stacks/{WITH_STACK['id']}", token)
    assert found.status_code == 302
    location = found.headers["Location"]
    assert location.endswith(
        f"/v1/{WITH_STACK['project_id']}/stacks/{WITH_STACK['name']}/{WITH_STACK['id']}"
    )
    stack = _get(location, token).json()["stack"]
    assert stack["parameters"]["OS::stack_id"] == WITH_STACK["id"]
    assert stack["parameters"]["api_url"] == WITH_STACK["parameters"]["api_url"]
    assert [o["output_key"] for o in stack["outputs"]] == list(WITH_STACK["outputs"])


def test_heat_refuses_a_member_the_global_listing(sandbox: Sandbox) -> None:
    project = next(
        p for p in SOURCE.collections["projects"].items if p["name"] == WITH_LB["project"]
    )
    alice = member_token(sandbox, "alice", "alice-secret", str(project["name"]))
    base = f"{sandbox.site('cloudwatt').url}/orchestration/v1/{project['id']}"
    refused = _get(f"{base}/stacks", alice, global_tenant="True")
    assert refused.status_code == 403
    body = refused.json()
    assert (body["code"], body["title"], body["error"]["type"]) == (403, "Forbidden", "Forbidden")
    assert _get(f"{base}/stacks", alice).json() == {"stacks": []}
    other = _get(f"{base}/stacks/{WITH_STACK['id']}", alice)
    assert other.status_code == 404
    assert other.json()["error"]["message"] == f"The Stack ({WITH_STACK['id']}) could not be found."


def test_a_snapshot_without_them_is_served_as_services_that_have_none(
    token_for: Callable[[Sandbox, str], str],
) -> None:
    kept = {k: v for k, v in SOURCE.collections.items() if k not in ("load_balancers", "stacks")}
    with Sandbox([replace(SOURCE, collections=kept)]) as running:
        token = token_for(running, "cloudwatt")
        site = running.site("cloudwatt")
        lbs = _get(f"{site.url}/load-balancer/v2/lbaas/loadbalancers", token).json()
        assert lbs == {"loadbalancers": [], "loadbalancers_links": []}
        base = f"{site.url}/orchestration/v1/{site.credentials.project_id}"
        assert _get(f"{base}/stacks", token, global_tenant="True").json() == {"stacks": []}
