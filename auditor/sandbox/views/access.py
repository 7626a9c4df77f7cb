"""Keystone's access items built from a snapshot: users (besides the admin and the
keypairs' owners), groups and their members, roles, and role assignments as ``GET
/v3/role_assignments`` answers them, with and without ``include_names``.

Keystone gives a user's ``description`` and ``default_project_id`` only when they
are set (they are extra attributes), a group its ``description`` always, a role
``domain_id`` (null for a global role), ``description`` and ``options``. A role
assignment has no id: it is its role, its actor (``user`` or ``group``) and its
``scope`` (``project``, ``domain`` or ``system``, plus ``OS-INHERIT:inherited_to``
for an inherited one), and ``links.assignment``; with ``include_names`` each of
those objects also carries its ``name``, users', groups' and projects' their
``domain`` (id and name).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from auditor.model import Snapshot
from auditor.sandbox.ids import synthetic_hex
from auditor.sandbox.paging import Listing
from auditor.sandbox.views import items_of
from auditor.sandbox.wire import JSON, dumps

INHERITED = "OS-INHERIT:inherited_to"


def user_item(user: Mapping[str, Any], domain_id: Any, link: str) -> JSON:
    """One user as ``GET /v3/users`` gives it."""
    item: JSON = {
        "id": str(user["id"]),
        "name": user.get("name"),
        "domain_id": domain_id,
        "enabled": bool(user.get("enabled", True)),
        "password_expires_at": None,
        "options": {},
        "links": {"self": f"{link}/users/{user['id']}"},
    }
    if user.get("description"):
        item["description"] = user["description"]
    if user.get("default_project_id"):
        item["default_project_id"] = user["default_project_id"]
    return item


def group_items(snapshot: Snapshot, domain_ids: Mapping[Any, str], link: str) -> list[JSON]:
    return sorted(
        (
            {
                "id": str(g["id"]),
                "name": g.get("name"),
                "domain_id": g.get("domain_id") or domain_ids.get(g.get("domain")),
                "description": g.get("description") or "",
                "links": {"self": f"{link}/groups/{g['id']}"},
            }
            for g in items_of(snapshot, "groups")
        ),
        key=lambda g: g["id"],
    )


def group_members(snapshot: Snapshot, users: Mapping[str, JSON]) -> dict[str, list[JSON]]:
    """Group id -> its members, as users (a member the listing lacks: made up from the
    group's names, in the group's domain)."""
    out: dict[str, list[JSON]] = {}
    for group in items_of(snapshot, "groups"):
        names = list(group.get("members") or [])
        ids = list(group.get("member_ids") or [])
        members = []
        for n, user_id in enumerate(ids):
            known = users.get(str(user_id))
            if known is None:
                name = names[n] if n < len(names) else user_id
                known = {"id": str(user_id), "name": name, "domain_id": group.get("domain_id")}
            members.append(known)
        out[str(group["id"])] = sorted(members, key=lambda u: str(u["id"]))
    return out


def role_items(snapshot: Snapshot, link: str) -> list[JSON]:
    return sorted(
        (
            {
                "id": str(r["id"]),
                "name": r.get("name"),
                "domain_id": None,
                "description": r.get("description") or None,
                "options": {},
                "links": {"self": f"{link}/roles/{r['id']}"},
            }
            for r in items_of(snapshot, "roles")
        ),
        key=lambda r: r["id"],
    )


def _ref(id_: Any, name: Any, domain: JSON | None, names: bool) -> JSON:
    if not names:
        return {"id": id_}
    ref: JSON = {"id": id_, "name": name}
    if domain is not None:
        ref["domain"] = domain
    return ref


def assignment_items(
    snapshot: Snapshot,
    domain_ids: Mapping[Any, str],
    project_domains: Mapping[str, str],
    link: str,
    *,
    names: bool,
) -> list[tuple[str, JSON]]:
    """The snapshot's role assignments as Keystone lists them (``names``: with
    ``include_names``)."""
    cloud = snapshot.cloud

    def domain(name: Any) -> JSON:
        return {"id": domain_ids.get(name) or synthetic_hex(cloud, "domain", name), "name": name}

    out: list[tuple[str, JSON]] = []
    for a in items_of(snapshot, "role_assignments"):
        item: JSON = {}
        path = ""
        scope: JSON
        if a.get("system"):
            scope = {"system": {"all": True}}
            path = "/system"
        elif a.get("project") is not None or (
            a.get("scope_id") and str(a.get("scope_id")) in project_domains
        ):
            pid = str(a.get("scope_id"))
            project_domain = {"id": project_domains.get(pid), "name": a.get("domain")}
            if project_domain["id"] is None:
                project_domain = domain(a.get("domain"))
            scope = {"project": _ref(pid, a.get("project"), project_domain, names)}
            path = f"/projects/{pid}"
        else:
            scope_domain = domain(a.get("domain"))
            scope_id = a.get("scope_id") or scope_domain["id"]
            scope = {"domain": _ref(scope_id, a.get("domain"), None, names)}
            path = f"/domains/{scope_id}"
        kind = "group" if a.get("group") is not None else "user"
        actor_id = a.get("actor_id")
        item[kind] = _ref(actor_id, a.get(kind), domain(a.get("actor_domain")), names)
        path += f"/{kind}s/{actor_id}/roles/{a.get('role_id')}"
        if a.get("inherited"):
            scope[INHERITED] = "projects"
            path = f"/OS-INHERIT{path}/inherited_to_projects"
        item["scope"] = scope
        item["role"] = _ref(a.get("role_id"), a.get("role"), None, names)
        item["links"] = {"assignment": f"{link}{path}"}
        out.append((str(a["id"]), item))
    return sorted(out, key=lambda pair: pair[0])


def unnamed_listing(pairs: Sequence[tuple[str, JSON]]) -> Listing:
    """A listing of items without ids of their own, by the snapshot's ids."""
    return Listing([i for i, _ in pairs], [dumps(item) for _, item in pairs], [p[1] for p in pairs])
