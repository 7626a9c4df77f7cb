"""Project members of the sandbox: non-admin users, over real HTTP.

What a project member's token may do on a default-policy cloud: scope to its
projects only, list them at /v3/auth/projects, list its project's servers and
volumes (never with all_tenants: 403), never Keystone's admin listings (403).
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
import yaml

from auditor.sandbox import Sandbox, SandboxOptions
from auditor.sandbox.options import ProjectMember
from tests.builders import project, server, snapshot, volume

ACME = project("p-acme", "cw-acme")
GLOBEX = project("p-globex", "cw-globex")
BETA = project("p-beta", "cw-beta", domain="other")
SNAPSHOT = snapshot(
    "cloudwatt",
    "fr1",
    {
        "projects": [ACME, GLOBEX, BETA],
        "servers": [
            server("s-1", "cw-web", ACME),
            server("s-2", "cw-db", GLOBEX),
            server("s-3", "cw-app", BETA),
        ],
        "volumes": [volume("v-1", "cw-data", ACME), volume("v-3", "cw-logs", BETA)],
    },
)
ALICE = ProjectMember("alice", "alice-secret", ("cw-acme", "p-globex", "no-such-project"))
OPTIONS = SandboxOptions(members=(ALICE,))


@pytest.fixture(scope="module")
def sandbox() -> Any:
    with Sandbox([SNAPSHOT], options=OPTIONS) as running:
        yield running


def token(
    sandbox: Sandbox,
    *,
    user: str = "alice",
    password: str = "alice-secret",
    scope: dict[str, Any] | None = None,
) -> requests.Response:
    body: dict[str, Any] = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"name": user, "domain": {"name": "Default"}, "password": password}
                },
            }
        }
    }
    if scope is not None:
        body["auth"]["scope"] = scope
    return requests.post(f"{sandbox.auth_url('cloudwatt')}/auth/tokens", json=body, timeout=10)


def get(sandbox: Sandbox, path: str, token_id: str, **params: str) -> requests.Response:
    site = sandbox.site("cloudwatt")
    return requests.get(
        f"{site.url}/{path}", params=params, headers={"X-Auth-Token": token_id}, timeout=10
    )


def scoped(sandbox: Sandbox, project_name: str, domain: str = "cloudwatt") -> str:
    response = token(sandbox, scope={"project": {"name": project_name, "domain": {"name": domain}}})
    assert response.status_code == 201, response.text
    return response.headers["X-Subject-Token"]


def test_a_member_scopes_to_its_projects_only(sandbox: Sandbox) -> None:
    response = token(sandbox, scope={"project": {"id": "p-globex"}})
    assert response.status_code == 201
    body = response.json()["token"]
    assert body["user"]["name"] == "alice"
    assert body["project"] == {
        "id": "p-globex",
        "name": "cw-globex",
        "domain": {"id": "dom-cloudwatt", "name": "cloudwatt"},
    }
    assert sorted(r["name"] for r in body["roles"]) == ["member", "reader"]
    volume_urls = {
        e["url"] for s in body["catalog"] if s["type"] == "block-storage" for e in s["endpoints"]
    }
    assert all(url.endswith("/volume/v3/p-globex") for url in volume_urls)
    # Not a member of cw-beta; a wrong password is refused too.
    assert token(sandbox, scope={"project": {"id": "p-beta"}}).status_code == 401
    assert token(sandbox, password="nope").status_code == 401
    assert token(sandbox, scope={"domain": {"name": "Default"}}).status_code == 401
    # Unscoped: no catalog, no roles.
    unscoped = token(sandbox)
    assert unscoped.status_code == 201 and "catalog" not in unscoped.json()["token"]


def test_auth_projects_lists_the_member_projects(sandbox: Sandbox) -> None:
    unscoped = token(sandbox).headers["X-Subject-Token"]
    response = get(sandbox, "identity/v3/auth/projects", unscoped)
    assert response.status_code == 200
    assert [p["id"] for p in response.json()["projects"]] == ["p-acme", "p-globex"]
    assert response.json()["links"]["next"] is None


@pytest.mark.parametrize(
    "listing",
    [
        "projects",
        "domains",
        "users",
        "services",
        "endpoints",
        "groups",
        "roles",
        "role_assignments",
    ],
)
def test_keystone_admin_listings_are_forbidden(sandbox: Sandbox, listing: str) -> None:
    response = get(sandbox, f"identity/v3/{listing}", scoped(sandbox, "cw-acme"))
    assert response.status_code == 403
    assert f"identity:list_{listing}" in response.json()["error"]["message"]


def test_a_groups_members_are_forbidden(sandbox: Sandbox) -> None:
    response = get(sandbox, "identity/v3/groups/g-1/users", scoped(sandbox, "cw-acme"))
    assert response.status_code == 403
    assert "identity:list_users_in_group" in response.json()["error"]["message"]


def test_regions_are_anyones(sandbox: Sandbox) -> None:
    assert get(sandbox, "identity/v3/regions", scoped(sandbox, "cw-acme")).status_code == 200


def test_all_tenants_listings_are_forbidden_and_own_listings_are_the_project(
    sandbox: Sandbox,
) -> None:
    acme = scoped(sandbox, "cw-acme")
    refused = get(sandbox, "compute/v2.1/servers/detail", acme, all_tenants="True")
    assert refused.status_code == 403
    assert "get_all_tenants" in refused.json()["forbidden"]["message"]
    own = get(sandbox, "compute/v2.1/servers/detail", acme)
    assert [s["id"] for s in own.json()["servers"]] == ["s-1"]
    assert get(sandbox, "volume/v3/p-acme/volumes/detail", acme, all_tenants="1").status_code == 403
    volumes = get(sandbox, "volume/v3/p-acme/volumes/detail", acme).json()["volumes"]
    assert [v["id"] for v in volumes] == ["v-1"]
    globex = scoped(sandbox, "cw-globex")
    servers = get(sandbox, "compute/v2.1/servers/detail", globex).json()["servers"]
    assert [s["id"] for s in servers] == ["s-2"]


def test_the_admin_is_unchanged(sandbox: Sandbox) -> None:
    site = sandbox.site("cloudwatt")
    cred = site.credentials
    response = token(
        sandbox,
        user=cred.username,
        password=cred.password,
        scope={"project": {"name": cred.project_name, "domain": {"name": "Default"}}},
    )
    assert response.status_code == 201
    admin = response.headers["X-Subject-Token"]
    assert sorted(r["name"] for r in response.json()["token"]["roles"]) == [
        "admin",
        "member",
        "reader",
    ]
    every = get(sandbox, "compute/v2.1/servers/detail", admin, all_tenants="True").json()
    assert sorted(s["id"] for s in every["servers"]) == ["s-1", "s-2", "s-3"]
    assert get(sandbox, "identity/v3/projects", admin).status_code == 200


def test_clouds_yaml_has_a_profile_per_member(sandbox: Sandbox) -> None:
    clouds = yaml.safe_load(yaml.safe_dump(sandbox.clouds_yaml()))["clouds"]
    assert set(clouds) == {"cloudwatt", "cloudwatt-alice"}
    auth = clouds["cloudwatt-alice"]["auth"]
    assert (auth["username"], auth["project_name"], auth["project_domain_name"]) == (
        "alice",
        "cw-acme",
        "cloudwatt",
    )


def test_members_need_names_of_their_own() -> None:
    with pytest.raises(ValueError, match="user names of their own"):
        SandboxOptions(members=(ProjectMember("admin", "x", ("cw-acme",)),))
    with pytest.raises(ValueError, match="user names of their own"):
        SandboxOptions(members=(ALICE, ALICE))
    with pytest.raises(ValueError, match="user names of their own"):
        SandboxOptions(members=(ALICE, ProjectMember("alice", "x", (), cloud="ocb")))
    # One alice per cloud is fine.
    SandboxOptions(
        members=(
            ProjectMember("alice", "x", (), cloud="cloudwatt"),
            ProjectMember("alice", "y", (), cloud="ocb"),
        )
    )
