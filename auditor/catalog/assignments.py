"""Keystone's role assignments (``GET /v3/role_assignments?include_names=true``), a
collection of :mod:`auditor.catalog.access`.

The direct assignments of users and groups on projects, domains and the system
(no ``effective``: a group's stay the group's, inherited ones stay on their
domain or project, ``"OS-INHERIT:inherited_to": "projects"``). Keystone neither
pages the listing nor cuts it at ``list_limit`` (it wraps the list without
hints). With ``include_names`` each of role, user, group, project and domain
carries its ``name``, users', groups' and projects' also their ``domain`` (id
and name): the names an assignment is matched on, under the rules' renames.
An assignment has no id: the auditor makes one of the ids it names.
"""

from __future__ import annotations

from typing import Any

from auditor.catalog.lookups import Reading
from auditor.catalog.policies import Rename
from auditor.catalog.sources import derived
from auditor.catalog.spec import (
    CollectionSpec,
    Family,
    Field,
    KeyPart,
    MatchKey,
    Owner,
    Paging,
    Request,
)
from auditor.catalog.types import BOOL, NSTR, STR, schema

JSON = dict[str, Any]

ROLE_ASSIGNMENTS = Request(
    "identity.role_assignments",
    "identity",
    "/role_assignments",
    "role_assignments",
    query={"include_names": "true"},
    paging=Paging.UNPAGED,
)


def _named(raw: JSON, key: str) -> JSON:
    value = raw.get(key)
    return value if isinstance(value, dict) else {}


def _scope(raw: JSON) -> tuple[str | None, JSON]:
    """(project, domain or system; the scope's object)."""
    scope = _named(raw, "scope")
    for kind in ("project", "domain"):
        if isinstance(scope.get(kind), dict):
            return kind, scope[kind]
    return ("system", {}) if "system" in scope else (None, {})


def _actor(raw: JSON) -> tuple[str | None, JSON]:
    for kind in ("user", "group"):
        if isinstance(raw.get(kind), dict):
            return kind, raw[kind]
    return None, {}


def _inherited(raw: JSON) -> bool:
    return _named(raw, "scope").get("OS-INHERIT:inherited_to") == "projects"


def _assignment_id(raw: JSON, _reading: Reading) -> str:
    actor, who = _actor(raw)
    scope, where = _scope(raw)
    on = "all" if scope == "system" else where.get("id")
    suffix = "/inherited" if _inherited(raw) else ""
    return f"{actor}:{who.get('id')}@{scope}:{on}/{_named(raw, 'role').get('id')}{suffix}"


def _actor_name(kind: str) -> Any:
    def read(raw: JSON, _reading: Reading) -> str | None:
        actor, who = _actor(raw)
        return who.get("name") if actor == kind else None

    return read


def _actor_id(raw: JSON, _reading: Reading) -> str | None:
    return _actor(raw)[1].get("id")


def _actor_domain(raw: JSON, _reading: Reading) -> str | None:
    return _named(_actor(raw)[1], "domain").get("name")


def _project(raw: JSON, _reading: Reading) -> str | None:
    scope, where = _scope(raw)
    return where.get("name") if scope == "project" else None


def _scope_domain(raw: JSON, _reading: Reading) -> str | None:
    scope, where = _scope(raw)
    if scope == "project":
        return _named(where, "domain").get("name")
    return where.get("name") if scope == "domain" else None


def _scope_id(raw: JSON, _reading: Reading) -> str | None:
    return _scope(raw)[1].get("id")


def _system(raw: JSON, _reading: Reading) -> str | None:
    scope = _named(raw, "scope")
    return "all" if "system" in scope else None


def _name(raw: JSON, _reading: Reading) -> str:
    actor, who = _actor(raw)
    domain = _named(who, "domain").get("name")
    inherited = " (inherited)" if _inherited(raw) else ""
    role = _named(raw, "role")
    return f"{role.get('name') or role.get('id')} of {actor} {domain}/{who.get('name')}{inherited}"


def _label(key: Any, item: JSON, _rules: Any) -> str:
    actor = f"user {key['user']}" if key.get("user") else f"group {key.get('group')}"
    where = (
        f"project {key['domain']}/{key['project']}"
        if key.get("project")
        else f"domain {key.get('domain')}"
    )
    inherited = " (inherited to its projects)" if item.get("inherited") else ""
    return f"{key['role']} of {actor} ({key.get('actor_domain')}) on {where}{inherited}"


def _readable(item: JSON) -> str | None:
    return _label(item, item, None)


READS = ("role", "user", "group", "scope")

ROLE_ASSIGNMENTS_SPEC = CollectionSpec(
    name="role_assignments",
    noun="role assignment",
    family=Family.IDENTITY,
    owner=Owner.DOMAIN,
    requests=(ROLE_ASSIGNMENTS,),
    key=MatchKey(
        (
            KeyPart("domain", Rename.DOMAIN),
            KeyPart("project", Rename.NAME, of="projects"),
            KeyPart("user", Rename.NAME, of="users"),
            KeyPart("group", Rename.NAME, of="groups"),
            KeyPart("actor_domain", Rename.DOMAIN),
            KeyPart("role", Rename.NAME, of="roles"),
            KeyPart("inherited"),
        ),
        required=("role",),
        label=_label,
    ),
    item_label=_readable,
    docs="collections-access.md#role-assignments",
    doc="An assignment is identified by what it grants, names renamed by the rules: the"
    " role, the user or group (and its domain), the project (and its domain) or the"
    " domain, and whether it is inherited. A source assignment without its counterpart"
    " (a user or group that lost a role on the matched project or domain: admin, member,"
    " reader alike) is an error; a target assignment no source one explains is a warning.",
    fields=(
        Field("id", derived(_assignment_id, *READS), STR, "actor:id@scope:id/role id."),
        Field(
            "name",
            derived(_name, "role", "user", "group", "scope"),
            STR,
            "How reports name it: role of user (or group) domain/name, (inherited).",
        ),
        Field(
            "role",
            derived(lambda raw, _r: _named(raw, "role").get("name"), "role"),
            NSTR,
            "Role name.",
        ),
        Field(
            "role_id",
            derived(lambda raw, _r: _named(raw, "role").get("id"), "role"),
            NSTR,
            "Role id.",
        ),
        Field("user", derived(_actor_name("user"), "user"), NSTR, "User name (null: a group's)."),
        Field(
            "group", derived(_actor_name("group"), "group"), NSTR, "Group name (null: a user's)."
        ),
        Field("actor_id", derived(_actor_id, "user", "group"), NSTR, "Id of the user or group."),
        Field(
            "actor_domain",
            derived(_actor_domain, "user", "group"),
            NSTR,
            "Name of the user's or group's domain.",
        ),
        Field(
            "project",
            derived(_project, "scope"),
            NSTR,
            "Name of the project it is on (null: on a domain).",
        ),
        Field(
            "domain",
            derived(_scope_domain, "scope"),
            NSTR,
            "Name of the domain it is on, or of its project's domain.",
        ),
        Field("scope_id", derived(_scope_id, "scope"), NSTR, "Id of that project or domain."),
        Field(
            "inherited",
            derived(lambda raw, _r: _inherited(raw), "scope"),
            BOOL,
            "True for an assignment inherited by the projects below its domain or project.",
        ),
        Field(
            "system",
            derived(_system, "scope"),
            schema(type="string"),
            "Present on a system-scope assignment (all): left out of the comparison.",
            optional=True,
            leaves_out="system-scope assignments (each cloud's own operators)",
        ),
    ),
)
