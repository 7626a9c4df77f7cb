"""Keystone (identity v3) access: users, groups with their members, roles, role assignments.

What a tenant loses without noticing when a merger keeps every server: a user
(its keypairs, its logins), a group member (every role the group carries), a
role assignment (the project's member can no longer boot anything).

- Users and groups are listed per domain (``?domain_id=``): with domain-specific
  identity drivers an unfiltered listing answers only the token's domain's
  (Keystone's ``_get_domain_id_for_list_request``). Both are paged with
  limit/marker since 2025.1. A group's members are one ``GET
  /v3/groups/{id}/users`` per group (not paged).
- ``GET /v3/roles`` lists the global roles (Keystone adds ``domain_id`` null to
  its filter); domain-specific roles are not listed.
- ``GET /v3/role_assignments?include_names=true`` lists the direct assignments
  of users and groups on projects, domains and the system (not ``effective``:
  group assignments stay the group's, inherited ones stay on their domain or
  project, ``"OS-INHERIT:inherited_to": "projects"``); Keystone neither pages
  it nor cuts it at ``list_limit`` (it wraps the list without hints). With
  ``include_names`` each of role, user, group, project and domain carries its
  ``name``, users', groups' and projects' also their ``domain`` (id and name).
  System-scope assignments (each cloud's own operators) are left out of the
  comparison.

Keystone's default policies give all four to admins, system readers and domain
readers only: a project-scoped run does not list them (never "missing").
"""

from __future__ import annotations

from typing import Any

from auditor.catalog.assignments import ROLE_ASSIGNMENTS_SPEC
from auditor.catalog.common import DESCRIPTION, ID, name
from auditor.catalog.identity import DOMAINS, PAGE, PROJECTS, USERS
from auditor.catalog.lookups import Reading
from auditor.catalog.policies import Flag, Ref, Rename, Renamed
from auditor.catalog.sources import Indexed, api, derived
from auditor.catalog.spec import (
    FAN_OUT_KEY,
    CollectionSpec,
    Family,
    FanOut,
    Field,
    KeyPart,
    Lookup,
    MatchKey,
    Owner,
    Paging,
    Request,
)
from auditor.catalog.transforms import boolean
from auditor.catalog.types import BOOL, NSTR, STR, STRS, TEXT, TEXT_OR_NULL
from auditor.model import Severity

JSON = dict[str, Any]

GROUPS = Request(
    "identity.groups",
    "identity",
    "/groups",
    "groups",
    query={"domain_id": "{id}"},
    page_size=PAGE,
    fan_out=FanOut(DOMAINS),
    keep=("id", "name", "domain_id"),
    shapes={"id": TEXT, "name": TEXT, "domain_id": TEXT, "description": TEXT_OR_NULL},
)
GROUP_USERS = Request(
    "identity.group_users",
    "identity",
    "/groups/{id}/users",
    "users",
    paging=Paging.UNPAGED,
    fan_out=FanOut(GROUPS),
    keep=("id", "name", "domain_id"),
)
"""The members of each group (one request per group)."""
ROLES = Request(
    "identity.roles",
    "identity",
    "/roles",
    "roles",
    paging=Paging.UNPAGED,
    shapes={"id": TEXT, "name": TEXT, "domain_id": TEXT_OR_NULL},
)
SAME_DOMAIN = MatchKey((KeyPart("domain", Rename.DOMAIN), KeyPart("name", Rename.NAME)))
"""Users and groups: by (renamed) name within their (renamed) domain."""


def _domain_fields(what: str) -> tuple[Field, Field]:
    return (
        Field(
            "domain",
            Indexed("domain_name", api("domain_id")),
            NSTR,
            f"Name of the {what}'s domain.",
        ),
        Field("domain_id", api("domain_id"), NSTR, f"Id of the {what}'s domain."),
    )


# -- users -----------------------------------------------------------------------------

USERS_SPEC = CollectionSpec(
    name="users",
    noun="user",
    family=Family.IDENTITY,
    owner=Owner.DOMAIN,
    requests=(USERS,),
    lookups=(Lookup(DOMAINS), Lookup(PROJECTS, required=False)),
    key=SAME_DOMAIN,
    docs="collections-access.md#users",
    doc="A disabled user is compared like any other: it must still exist (its keypairs"
    " and role assignments do), and stay disabled; a user dropped on purpose is recorded"
    " with a waiver.",
    fields=(
        ID,
        name(STR, "User name (unique within its domain)."),
        *_domain_fields("user"),
        Field(
            "enabled",
            api("enabled", default=True, then=boolean),
            BOOL,
            "False when the user is disabled (it cannot authenticate).",
            Flag(
                lost="is disabled in the target (it can no longer log in)",
                gained="is enabled in the target (was disabled in the source)",
                gained_severity=Severity.WARNING,
            ),
        ),
        DESCRIPTION,
        Field(
            "default_project",
            Indexed("project_name", api("default_project_id")),
            NSTR,
            "Name of the user's default project (null: none, or unknown).",
            Renamed(
                Severity.WARNING,
                "has default project {now}, expected {expected}",
                of="projects",
            ),
        ),
        Field("default_project_id", api("default_project_id"), NSTR, "Its id."),
    ),
)


# -- groups ----------------------------------------------------------------------------


def _members(reading: Reading) -> dict[str, list[JSON]]:
    """Group id -> its members' raw user items."""
    members: dict[str, list[JSON]] = {}
    for user in reading.lookups.listing(GROUP_USERS.key):
        group = user.get(FAN_OUT_KEY)
        if group is not None and user.get("id") is not None:
            members.setdefault(str(group), []).append(user)
    return members


def _of_group(raw: JSON, reading: Reading) -> list[JSON]:
    return list(reading.index("members", lambda: _members(reading)).get(str(raw["id"]), ()))


def _member_names(raw: JSON, reading: Reading) -> list[str]:
    return sorted({str(u.get("name") or u["id"]) for u in _of_group(raw, reading)})


def _member_ids(raw: JSON, reading: Reading) -> list[str]:
    return sorted({str(u["id"]) for u in _of_group(raw, reading)})


GROUPS_SPEC = CollectionSpec(
    name="groups",
    noun="group",
    family=Family.IDENTITY,
    owner=Owner.DOMAIN,
    requests=(GROUPS,),
    lookups=(Lookup(DOMAINS), Lookup(GROUP_USERS)),
    key=SAME_DOMAIN,
    docs="collections-access.md#groups",
    fields=(
        ID,
        name(STR, "Group name (unique within its domain)."),
        *_domain_fields("group"),
        DESCRIPTION,
        Field("members", derived(_member_names, "id"), STRS, "Sorted names of its members."),
        Field(
            "member_ids",
            derived(_member_ids, "id"),
            STRS,
            "Sorted ids of its members (compared through the users matches).",
            Ref(
                "users",
                lost="lost member {label}",
                gained="gained member {label}",
                unpaired="lost member {label} (the user has no counterpart)",
            ),
        ),
    ),
)


# -- roles -----------------------------------------------------------------------------

ROLES_SPEC = CollectionSpec(
    name="roles",
    noun="role",
    family=Family.IDENTITY,
    owner=Owner.CLOUD,
    requests=(ROLES,),
    docs="collections-access.md#roles",
    fields=(
        ID,
        name(STR, "Role name (admin, member, reader...)."),
        DESCRIPTION,
    ),
)


SPECS = (USERS_SPEC, GROUPS_SPEC, ROLES_SPEC, ROLE_ASSIGNMENTS_SPEC)
"""Role assignments are declared in :mod:`auditor.catalog.assignments`."""
