"""Keystone's items built from a snapshot: domains (also from the projects'), projects,
users (the admin and the keypairs' owners), services, endpoints and regions (also from
the endpoints, with synthetic ids); and the sandbox's own catalog, which tokens carry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.model import Snapshot
from auditor.sandbox.ids import synthetic_hex
from auditor.sandbox.tokens import Credentials
from auditor.sandbox.views import items_of
from auditor.sandbox.views.access import user_item
from auditor.sandbox.wire import JSON

INTERFACES = ("public", "internal", "admin")


@dataclass(frozen=True)
class CatalogEntry:
    """One service of the sandbox's own catalog."""

    type: str
    name: str
    path: str
    """Path under the cloud's URL; ``{project_id}`` is replaced by the token's project."""


def roles(names: Sequence[str]) -> list[JSON]:
    return [{"id": synthetic_hex("role", name), "name": name} for name in names]


def domain_ok(domain: Any, domain_id: str, domain_name: str | None) -> bool:
    """A scope's or a user's ``domain`` (absent, by id or by name) names this domain."""
    if domain is None:
        return True
    if not isinstance(domain, dict):
        return False
    if domain.get("id") is not None:
        return bool(domain.get("id") == domain_id)
    return bool(domain.get("name") == domain_name)


# -- building the listings from a snapshot --------------------------------------


def domain_items(snapshot: Snapshot, link: str) -> list[JSON]:
    out: dict[str, JSON] = {}

    def add(domain_id: Any, name: Any, source: Mapping[str, Any]) -> None:
        if domain_id is None or name is None or str(domain_id) in out:
            return
        out[str(domain_id)] = {
            "id": str(domain_id),
            "name": name,
            "description": source.get("description") or "",
            "enabled": bool(source.get("enabled", True)),
            "tags": list(source.get("tags") or []),
            "options": {},
            "links": {"self": f"{link}/domains/{domain_id}"},
        }

    for domain in items_of(snapshot, "domains"):
        add(domain.get("id"), domain.get("name"), domain)
    for project in items_of(snapshot, "projects"):
        add(project.get("domain_id"), project.get("domain"), {})
    known = {d["name"] for d in out.values()}
    for name in _owner_domains(snapshot):
        # A keypair owner's, user's or group's domain that no project names: made
        # up, so it resolves.
        if name is not None and name not in known:
            known.add(name)
            add(synthetic_hex(snapshot.cloud, "domain", name), name, {})
    return sorted(out.values(), key=lambda d: d["id"])


def _owner_domains(snapshot: Snapshot) -> list[Any]:
    names = [k.get("domain") for k in items_of(snapshot, "keypairs")]
    for name in ("users", "groups"):
        names += [i.get("domain") for i in items_of(snapshot, name) if not i.get("domain_id")]
    for a in items_of(snapshot, "role_assignments"):
        names += [a.get("actor_domain"), a.get("domain")]
    return names


def user_items(
    snapshot: Snapshot, domains: Sequence[JSON], credentials: Credentials, link: str
) -> list[JSON]:
    """The snapshot's users (else the sandbox's admin) and every owner of a keypair of
    the snapshot."""
    domain_ids = {d["name"]: d["id"] for d in domains}
    out: dict[str, JSON] = {}
    for user in items_of(snapshot, "users"):
        domain_id = user.get("domain_id") or domain_ids.get(user.get("domain"))
        out[str(user["id"])] = user_item(user, domain_id, link)

    def add(user_id: str, name: Any, domain_id: Any) -> None:
        if user_id in out:
            return
        out[user_id] = {
            "id": user_id,
            "name": name,
            "domain_id": domain_id,
            "enabled": True,
            "password_expires_at": None,
            "options": {},
            "links": {"self": f"{link}/users/{user_id}"},
        }

    if "users" not in snapshot.collections:
        # A snapshot with users lists its own admins (the sandbox's still logs in).
        add(credentials.user_id, credentials.username, credentials.domain_id)
    for keypair in items_of(snapshot, "keypairs"):
        if keypair.get("user_id") is not None:
            add(str(keypair["user_id"]), keypair.get("user"), domain_ids.get(keypair.get("domain")))
    return sorted(out.values(), key=lambda u: u["id"])


def project_items(snapshot: Snapshot, link: str) -> list[JSON]:
    items = items_of(snapshot, "projects")
    by_name: dict[Any, list[JSON]] = {}
    for project in items:
        by_name.setdefault(project.get("name"), []).append(project)

    def parent_id(project: JSON) -> Any:
        parent = project.get("parent")
        if parent is None:
            return project.get("domain_id")
        candidates = by_name.get(parent, [])
        # Keystone keeps a project and its parent in one domain.
        same = [c for c in candidates if c.get("domain_id") == project.get("domain_id")]
        chosen = same or candidates
        if not chosen:
            # The parent is not in the snapshot: an id that resolves to no listed project.
            return synthetic_hex(snapshot.cloud, "project", parent)
        return chosen[0]["id"]

    return [
        {
            "id": p["id"],
            "name": p.get("name"),
            "domain_id": p.get("domain_id"),
            "description": p.get("description") or "",
            "enabled": bool(p.get("enabled", True)),
            "is_domain": False,
            "parent_id": parent_id(p),
            "tags": list(p.get("tags") or []),
            "options": {},
            "links": {"self": f"{link}/projects/{p['id']}"},
        }
        for p in items
    ]


def services_and_endpoints(snapshot: Snapshot, link: str) -> tuple[list[JSON], list[JSON]]:
    declared = {
        (s.get("service_type"), s.get("name")): s
        for s in items_of(snapshot, "services")
        if s.get("id") is not None
    }
    services: dict[str, JSON] = {}

    def service_id(service_type: Any, service_name: Any) -> str:
        source = declared.get((service_type, service_name))
        if source is None and service_type is None:
            # The audited cloud listed the endpoint but not its service.
            return synthetic_hex(snapshot.cloud, "unlisted-service", service_name)
        sid = (
            str(source["id"])
            if source
            else synthetic_hex(snapshot.cloud, "service", service_type, service_name)
        )
        if sid not in services:
            service: JSON = {
                "id": sid,
                "type": service_type,
                "enabled": bool((source or {}).get("enabled", True)),
                "description": (source or {}).get("description") or "",
                "links": {"self": f"{link}/services/{sid}"},
            }
            if service_name is not None:
                service["name"] = service_name
            services[sid] = service
        return sid

    for (service_type, service_name), _source in declared.items():
        service_id(service_type, service_name)
    endpoints = []
    for e in items_of(snapshot, "endpoints"):
        region = e.get("region")
        endpoints.append(
            {
                "id": e["id"],
                "service_id": service_id(e.get("service_type"), e.get("service_name")),
                "interface": e.get("interface"),
                "region": region,
                "region_id": region,
                "url": e.get("url"),
                "enabled": bool(e.get("enabled", True)),
                "links": {"self": f"{link}/endpoints/{e['id']}"},
            }
        )
    return sorted(services.values(), key=lambda s: s["id"]), endpoints


def region_items(snapshot: Snapshot, endpoints: list[JSON], link: str) -> list[JSON]:
    names: dict[str, JSON] = {}
    for region in items_of(snapshot, "regions"):
        names[str(region["id"])] = region
    for endpoint in endpoints:
        if endpoint.get("region_id"):
            names.setdefault(str(endpoint["region_id"]), {})
    if snapshot.region:
        names.setdefault(snapshot.region, {})
    return [
        {
            "id": name,
            "description": source.get("description") or "",
            "parent_region_id": source.get("parent"),
            "links": {"self": f"{link}/regions/{name}"},
        }
        for name, source in sorted(names.items())
    ]


def token_catalog(
    cloud: str, region: str, entries: Sequence[CatalogEntry], cloud_url: str, project_id: str
) -> list[JSON]:
    """The catalog of a token: the sandbox's own services, each at ``cloud_url``."""
    out = []
    for entry in entries:
        url = f"{cloud_url}/{entry.path.format(project_id=project_id)}"
        service_id = synthetic_hex(cloud, "sandbox-service", entry.type)
        out.append(
            {
                "endpoints": [
                    {
                        "id": synthetic_hex(service_id, interface),
                        "interface": interface,
                        "region": region,
                        "region_id": region,
                        "url": url,
                    }
                    for interface in INTERFACES
                ],
                "id": service_id,
                "type": entry.type,
                "name": entry.name,
            }
        )
    return out
