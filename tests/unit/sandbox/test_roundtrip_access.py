"""Round trip of the access collections: serving a snapshot's users, groups (with their
members), roles and role assignments and inventorying them over HTTP gives them back,
and the sandbox answers them in Keystone's shapes.

The shapes are the ones Keystone 30 answers (checked against the real Keystone in
tests/integration/test_real_access.py, which compares the two item by item).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import requests

from auditor.demo.data import generate
from auditor.model import CollectionResult, Snapshot, Status
from auditor.sandbox import Sandbox, SandboxOptions
from tests.unit.sandbox.test_roundtrip_identity import query, run_inventory

JSON = dict[str, Any]

ACCESS = ("users", "groups", "roles", "role_assignments")


def access_snapshot() -> Snapshot:
    """The demo's source (its access rows), plus what the demo lacks: a group of three,
    a user's domain assignment, an assignment on the system."""
    source, _target = generate(servers=6, defects=False, extended=True)
    collections = dict(source.collections)
    users = list(collections["users"].items)
    groups = [dict(g) for g in collections["groups"].items]
    trio = sorted(users[:3], key=lambda u: u["id"])
    groups.append(
        {
            "id": "a" * 32,
            "name": "trio",
            "domain": trio[0]["domain"],
            "domain_id": trio[0]["domain_id"],
            "description": "",
            "members": sorted(u["name"] for u in trio),
            "member_ids": [u["id"] for u in trio],
        }
    )
    assignments = [dict(a) for a in collections["role_assignments"].items]
    first = assignments[0]
    user = next(u for u in users if u["name"] == "support-1")
    assignments.append(
        {
            **first,
            "id": f"user:{user['id']}@domain:{user['domain_id']}/{first['role_id']}",
            "name": f"{first['role']} of user {user['domain']}/{user['name']}",
            "user": user["name"],
            "group": None,
            "actor_id": user["id"],
            "project": None,
            "scope_id": user["domain_id"],
            "inherited": False,
        }
    )
    assignments.append(
        {
            **first,
            "id": f"user:{user['id']}@system:all/{first['role_id']}",
            "name": f"{first['role']} of user {user['domain']}/{user['name']}",
            "user": user["name"],
            "group": None,
            "actor_id": user["id"],
            "project": None,
            "domain": None,
            "scope_id": None,
            "inherited": False,
            "system": "all",
        }
    )
    for name, items in (("groups", groups), ("role_assignments", assignments)):
        collections[name] = CollectionResult(
            Status.OK, tuple(sorted(items, key=lambda i: str(i["id"])))
        )
    return dataclasses.replace(source, cloud="cw", collections=collections)


VARIANTS = {
    "current": SandboxOptions(),
    # Users and groups in pages of 2 (a limit cuts group members and roles: not sent).
    "paged-2": SandboxOptions(max_limit=2),
    # Roles cut at 2: asked again with limit=1000, whole (group members: below).
    "list-limit-3": SandboxOptions(keystone_list_limit=3),
    "domain-drivers": SandboxOptions(keystone_domain_drivers=True, max_limit=2),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_access_collections_come_back_from_the_sandbox(variant: str, tmp_path: Path) -> None:
    snapshot = access_snapshot()
    options = VARIANTS[variant]
    with Sandbox([snapshot], options=options) as sandbox:
        got = run_inventory(sandbox, tmp_path, ACCESS)
        log = sandbox.requests
        assert sandbox.errors == []
    for name in ACCESS:
        result = got.collections[name]
        assert result.status is Status.OK, (name, result.error)
        assert [dict(i) for i in result.items] == [
            dict(i) for i in snapshot.collections[name].items
        ], name
    assert {r.method for r in log} == {"GET", "POST"}
    member_walks = [r for r in log if r.path.endswith("/users") and "/groups/" in r.path]
    assert len({r.path for r in member_walks}) == len(snapshot.collections["groups"].items)
    listed = [r for r in log if r.path.endswith("/role_assignments")]
    assert listed and all(query(r) == {"include_names": "true"} for r in listed)


def _get(sandbox: Sandbox, path: str) -> JSON:
    auth = sandbox.clouds_yaml()["clouds"]["cw"]["auth"]
    user = {
        "name": auth["username"],
        "password": auth["password"],
        "domain": {"name": auth["user_domain_name"]},
    }
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": user}}}}
    url = sandbox.auth_url("cw")
    token = requests.post(f"{url}/auth/tokens", json=body, timeout=10).headers["X-Subject-Token"]
    answer = requests.get(f"{url}{path}", headers={"X-Auth-Token": token}, timeout=10)
    assert answer.status_code == 200, answer.text
    got: JSON = answer.json()
    return got


def test_role_assignments_are_answered_as_keystone_does() -> None:
    snapshot = access_snapshot()
    with Sandbox([snapshot]) as sandbox:
        named = _get(sandbox, "/role_assignments?include_names=true")
        bare = _get(sandbox, "/role_assignments")
        off = _get(sandbox, "/role_assignments?include_names=0")
        roles = _get(sandbox, "/roles")
    assert set(named) == {"role_assignments", "links"}
    assert named["links"]["next"] is None and "truncated" not in named
    items = named["role_assignments"]
    assert len(items) == len(snapshot.collections["role_assignments"].items)
    # Keystone's query_filter_is_true: "0" is false, anything else true.
    assert off == {**bare, "links": off["links"]}
    by_kind: dict[str, JSON] = {}
    for item in items:
        actor = "user" if "user" in item else "group"
        scope = next(k for k in ("project", "domain", "system") if k in item["scope"])
        inherited = "OS-INHERIT:inherited_to" in item["scope"]
        by_kind[f"{actor}/{scope}{'/inherited' if inherited else ''}"] = item
        assert set(item) == {actor, "scope", "role", "links"}
        assert set(item["links"]) == {"assignment"}
        assert set(item["role"]) == {"id", "name"}
        assert set(item[actor]) == {"id", "name", "domain"}
        assert set(item[actor]["domain"]) == {"id", "name"}
    assert set(by_kind) == {"user/project", "group/domain/inherited", "user/domain", "user/system"}
    project = by_kind["user/project"]["scope"]["project"]
    assert set(project) == {"id", "name", "domain"} and set(project["domain"]) == {"id", "name"}
    assert set(by_kind["user/domain"]["scope"]["domain"]) == {"id", "name"}
    assert by_kind["user/system"]["scope"] == {"system": {"all": True}}
    group = by_kind["group/domain/inherited"]
    assert group["scope"]["OS-INHERIT:inherited_to"] == "projects"
    assert "/OS-INHERIT/domains/" in group["links"]["assignment"]
    assert group["links"]["assignment"].endswith("/inherited_to_projects")
    # Without include_names: ids only.
    for item in bare["role_assignments"]:
        actor = "user" if "user" in item else "group"
        assert set(item[actor]) == {"id"} and set(item["role"]) == {"id"}
        for scope in ("project", "domain"):
            if scope in item["scope"]:
                assert set(item["scope"][scope]) == {"id"}
    # Global roles: domain_id null, description null when none, options.
    assert {r["name"] for r in roles["roles"]} == {"admin", "member", "reader", "creator"}
    for role in roles["roles"]:
        assert set(role) == {"id", "name", "domain_id", "description", "options", "links"}
        assert role["domain_id"] is None


def test_a_group_keystone_cannot_list_whole_makes_the_groups_incomplete(tmp_path: Path) -> None:
    """Under list_limit 2 a group of three is cut with or without a request's limit (a
    limit does not replace list_limit there, and the marker of its next link is
    ignored): incomplete, never a lost member. Roles are whole (limit=1000)."""
    options = SandboxOptions(keystone_list_limit=2)
    with Sandbox([access_snapshot()], options=options) as sandbox:
        got = run_inventory(sandbox, tmp_path, ("groups", "roles"))
        asked = [query(r) for r in sandbox.requests if r.path.endswith("/users")]
    groups = got.collections["groups"]
    assert groups.status is not Status.OK
    assert "list_limit" in str(groups.error) and "identity group_users" in str(groups.error)
    assert {"limit": "1000"} in asked and not [q for q in asked if "marker" in q]
    assert got.collections["roles"].status is Status.OK
