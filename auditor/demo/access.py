"""The access family of the example clouds: users, groups, roles and role assignments.

The source has one administrator user per tenant (the owner of its keypair, the
tenant's member), a support desk (two users in group ``support``, readers of
every project of the domain through an inherited domain assignment), an
on-call account, and a former employee's disabled account; the roles are
Keystone's admin, member and reader plus Barbican's creator. The target is the
same after the rebranding: new ids, domain ``ocb-cloudwatt``, projects
``ocb-``; user, group and role names are kept.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from auditor.demo.base import ExampleCloud, hex_of

JSON = dict[str, Any]

COLLECTIONS = ("users", "groups", "roles", "role_assignments")
"""The collections whose demo rows this family adds."""

DEFECTS = (
    "user ops-oncall was not created in the target",
    "group support lost its member support-2",
    "role creator (Barbican's) was not created in the target",
    "user hooli-admin lost its member role on project ocb-hooli",
)
"""What :func:`seed_defects` breaks in the target, one per collection."""

ROLES = ("admin", "member", "reader", "creator")
STAFF = ("support-1", "support-2", "ops-oncall", "former-employee")
"""Users of no tenant: the support desk, the on-call account, a disabled account."""
SUPPORT = ("support-1", "support-2")


def _domain(cloud: ExampleCloud) -> tuple[str, str]:
    """(name, id) of the tenants' domain (the core clouds')."""
    tenant = _tenants(cloud)[0]
    return str(tenant["domain"]), str(tenant["domain_id"])


def _tenants(cloud: ExampleCloud) -> list[JSON]:
    return [p for p in cloud.projects if p["domain"] not in ("Default", "ocb-enterprise")]


def _user_id(cloud: ExampleCloud, name: str) -> str:
    # The tenants' administrators are the keypairs' owners (auditor.demo.identity).
    if cloud.name == "cloudwatt":
        tenant = name.removesuffix("-admin")
        key = tenant if name.endswith("-admin") else name
        return hex_of("cloudwatt", "user", key).replace("-", "")
    return hex_of("ocb", "user", name).replace("-", "")


def _user(cloud: ExampleCloud, name: str, project: Mapping[str, Any] | None) -> JSON:
    domain, domain_id = _domain(cloud)
    return {
        "id": _user_id(cloud, name),
        "name": name,
        "domain": domain,
        "domain_id": domain_id,
        "enabled": name != "former-employee",
        "description": "Tenant administrator" if project else "",
        "default_project": project["name"] if project else None,
        "default_project_id": project["id"] if project else None,
    }


def _assignment(
    cloud: ExampleCloud,
    role: str,
    actor: JSON,
    kind: str,
    project: Mapping[str, Any] | None,
    *,
    inherited: bool = False,
) -> JSON:
    domain, domain_id = _domain(cloud)
    scope, scope_id = ("project", project["id"]) if project else ("domain", domain_id)
    role_id = hex_of(cloud.name, "role", role).replace("-", "")
    suffix = "/inherited" if inherited else ""
    return {
        "id": f"{kind}:{actor['id']}@{scope}:{scope_id}/{role_id}{suffix}",
        "name": f"{role} of {kind} {actor['domain']}/{actor['name']}"
        + (" (inherited)" if inherited else ""),
        "role": role,
        "role_id": role_id,
        "user": actor["name"] if kind == "user" else None,
        "group": actor["name"] if kind == "group" else None,
        "actor_id": actor["id"],
        "actor_domain": actor["domain"],
        "project": project["name"] if project else None,
        "domain": domain,
        "scope_id": scope_id,
        "inherited": inherited,
    }


def _build(cloud: ExampleCloud, tenants: list[JSON]) -> None:
    domain, domain_id = _domain(cloud)
    prefix = "cw-" if cloud.name == "cloudwatt" else "ocb-"
    admins = [(_user(cloud, f"{p['name'][len(prefix) :]}-admin", p), p) for p in tenants]
    staff = [_user(cloud, name, None) for name in STAFF]
    users = [user for user, _ in admins] + staff
    by_name = {u["name"]: u for u in users}
    members = [by_name[name] for name in SUPPORT]
    support = {
        "id": hex_of(cloud.name, "group", "support").replace("-", ""),
        "name": "support",
        "domain": domain,
        "domain_id": domain_id,
        "description": "Support desk",
        "members": sorted(m["name"] for m in members),
        "member_ids": sorted(m["id"] for m in members),
    }
    cloud.extra["users"] = users
    cloud.extra["groups"] = [support]
    cloud.extra["roles"] = [
        {"id": hex_of(cloud.name, "role", role).replace("-", ""), "name": role, "description": ""}
        for role in ROLES
    ]
    cloud.extra["role_assignments"] = [
        *(_assignment(cloud, "member", user, "user", project) for user, project in admins),
        _assignment(cloud, "reader", support, "group", None, inherited=True),
    ]


def add_source(cloud: ExampleCloud, rng: random.Random) -> None:
    """The legacy cloud's users, groups, roles and role assignments."""
    del rng
    _build(cloud, _tenants(cloud))


def add_target(source: ExampleCloud, target: ExampleCloud, rng: random.Random) -> None:
    """The same after the rebranding (each source tenant's counterpart project)."""
    del rng
    projects = {str(p["id"]): p for p in target.projects}
    tenants = [projects[target.counterparts[str(p["id"])]] for p in _tenants(source)]
    _build(target, tenants)
    for name in COLLECTIONS:
        for old, new in zip(source.extra[name], target.extra[name], strict=True):
            target.counterparts[str(old["id"])] = str(new["id"])


def seed_defects(target: ExampleCloud) -> None:
    """Break the target's access as :data:`DEFECTS` says."""
    extra = target.extra
    extra["users"] = [u for u in extra["users"] if u["name"] != "ops-oncall"]
    support = extra["groups"][0]
    gone = next(u for u in extra["users"] if u["name"] == "support-2")
    support["members"] = [m for m in support["members"] if m != "support-2"]
    support["member_ids"] = [m for m in support["member_ids"] if m != gone["id"]]
    extra["roles"] = [r for r in extra["roles"] if r["name"] != "creator"]
    extra["role_assignments"] = [
        a
        for a in extra["role_assignments"]
        if not (a["user"] == "hooli-admin" and a["project"] == "ocb-hooli")
    ]
