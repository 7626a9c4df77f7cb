"""Designate as the sandbox serves it, over raw HTTP and through the real collector.

Payload shapes follow the Designate v2 API reference (``list-zones-response.json``,
``list-all-recordset-response.json``): the all-projects switch is the
``X-Auth-All-Projects`` header (403 for a project member), pages are cut at
``limit`` (20 by default, ``max``) with ``links.next`` on every full page and
``metadata.total_count``, and errors are ``{"code", "type", "message",
"request_id"}``. Designate itself is not run in CI (see docs/testing.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from auditor.demo.data import generate
from auditor.model import Status
from auditor.sandbox import Sandbox, SandboxOptions
from auditor.sandbox.options import ProjectMember
from tests.unit.sandbox.conftest import member_token
from tests.unit.sandbox.test_roundtrip import inventory

JSON = dict[str, Any]

SOURCE, _TARGET = generate(defects=False, extended=True)
ZONES = SOURCE.collections["dns_zones"].items
RECORDSETS = SOURCE.collections["dns_recordsets"].items
MEMBER = ProjectMember("zoe", "zoe-secret", (str(ZONES[0]["project"]),))


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox([SOURCE], options=SandboxOptions(max_limit=40, members=(MEMBER,))) as running:
        yield running
        assert running.errors == []


def _token(sandbox: Sandbox, user: str, password: str, project: str) -> str:
    if user == "admin":
        return member_token(sandbox, user, password, "admin", domain="Default")
    return member_token(sandbox, user, password, project)


@pytest.fixture(scope="module")
def admin(sandbox: Sandbox) -> str:
    cred = sandbox.site("cloudwatt").credentials
    return _token(sandbox, "admin", cred.password, "admin")


def _get(sandbox: Sandbox, path: str, token: str, *, every: bool = True, **params: str) -> Any:
    headers = {"X-Auth-Token": token, **({"X-Auth-All-Projects": "True"} if every else {})}
    url = f"{sandbox.site('cloudwatt').url}/dns/v2/{path}"
    return requests.get(url, params=params, headers=headers, timeout=10)


def test_the_version_document_needs_no_token(sandbox: Sandbox) -> None:
    response = requests.get(f"{sandbox.site('cloudwatt').url}/dns/", timeout=10)
    assert response.status_code == 200
    versions = {v["id"]: v["status"] for v in response.json()["versions"]}
    assert versions == {"v2": "SUPPORTED", "v2.0": "CURRENT"}


def test_pages_of_twenty_by_default_linked_on_every_full_page(sandbox: Sandbox, admin: str) -> None:
    assert len(ZONES) == 30
    first = _get(sandbox, "zones", admin).json()
    assert len(first["zones"]) == 20
    assert first["metadata"] == {"total_count": 30}
    assert "limit=20" in first["links"]["next"] and "marker=" in first["links"]["next"]
    marker = first["zones"][-1]["id"]
    second = _get(sandbox, "zones", admin, limit="20", marker=marker).json()
    assert len(second["zones"]) == 10 and "next" not in second["links"]
    # A page exactly full is linked too (Designate compares the page with the limit).
    exact = _get(sandbox, "zones", admin, limit="15", marker=first["zones"][14]["id"]).json()
    assert len(exact["zones"]) == 15 and "next" in exact["links"]
    ids = [z["id"] for z in (*first["zones"], *second["zones"])]
    assert sorted(ids) == sorted(z["id"] for z in ZONES)
    capped = _get(sandbox, "recordsets", admin, limit="max").json()
    assert len(capped["recordsets"]) == 40  # max_limit
    assert capped["metadata"] == {"total_count": len(RECORDSETS)}


def test_items_are_shaped_as_the_api_reference(sandbox: Sandbox, admin: str) -> None:
    zone = _get(sandbox, "zones", admin, limit="1").json()["zones"][0]
    assert {
        "id", "pool_id", "project_id", "name", "email", "ttl", "serial", "status", "action",
        "description", "masters", "type", "transferred_at", "version", "created_at",
        "updated_at", "attributes", "links",
    } <= set(zone)  # fmt: skip
    assert zone["links"]["self"].endswith(f"/v2/zones/{zone['id']}")
    recordset = _get(sandbox, "recordsets", admin, limit="1").json()["recordsets"][0]
    assert {
        "id", "name", "project_id", "zone_id", "zone_name", "type", "records", "ttl", "status",
        "action", "description", "version", "created_at", "updated_at", "links",
    } <= set(recordset)  # fmt: skip


def test_errors_are_designate_bodies(sandbox: Sandbox, admin: str) -> None:
    bad = _get(sandbox, "zones", admin, limit="0")
    assert bad.status_code == 400
    body = bad.json()
    assert body["code"] == 400 and body["type"] == "bad_request"
    assert "limit should be an integer between 1 and 40" in body["message"]
    assert "request_id" in body
    gone = _get(sandbox, "zones", admin, marker="no-such-zone")
    assert gone.status_code == 400


def test_the_all_projects_header_is_refused_to_a_member(sandbox: Sandbox) -> None:
    token = _token(sandbox, "zoe", "zoe-secret", MEMBER.projects[0])
    refused = _get(sandbox, "zones", token)
    assert refused.status_code == 403
    assert refused.json()["type"] == "forbidden"
    own = _get(sandbox, "zones", token, every=False).json()["zones"]
    assert [z["name"] for z in own] == [ZONES[0]["name"]]


def test_without_the_header_an_admin_sees_its_own_project_only(
    sandbox: Sandbox, admin: str
) -> None:
    assert _get(sandbox, "zones", admin, every=False).json()["zones"] == []


def test_the_collector_lists_every_project_with_the_header(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    before = len(sandbox.requests)
    code, got = inventory(
        sandbox, "cloudwatt", tmp_path, ("projects", "dns_zones", "dns_recordsets")
    )
    assert code == 0 and got is not None
    for name in ("dns_zones", "dns_recordsets"):
        assert got.collections[name].status is Status.OK
        assert got.collections[name].items == SOURCE.collections[name].items, name
    pages = [r for r in sandbox.requests[before:] if "/dns/v2/recordsets" in r.path]
    assert len(RECORDSETS) == 150
    assert len(pages) == 4  # 40 + 40 + 40 + 30, one listing for every zone's record sets


def test_a_project_member_lists_its_projects_zones_without_the_header(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    code, got = inventory(sandbox, "cloudwatt-zoe", tmp_path, ("projects", "dns_zones"))
    assert code == 0 and got is not None
    assert got.scope == "project"
    assert [z["name"] for z in got.collections["dns_zones"].items] == [ZONES[0]["name"]]
