"""Keystone (identity v3): projects, endpoints, domains, regions, services, and the
lookups behind names (users: the owners of keypairs)."""

from __future__ import annotations

from typing import Any

from auditor.collect.catalog import list_catalog
from auditor.collect.spec import JSON, Collection, FanOut, Listing, Lookups

# Keystone pages projects, domains and users with limit/marker since 2025.1 and
# answers links as a dict; older releases ignore the limit, and with
# list_limit set cut the list and say "truncated": true.
PAGE = "1000"

USER_FIELDS = frozenset({"id", "name", "domain_id"})
"""What the user lookup (owners of keypairs) reads of a user."""

LISTINGS = (
    Listing("identity.domains", "identity", "identity", "/domains", "domains", {"limit": PAGE}),
    Listing("identity.projects", "identity", "identity", "/projects", "projects", {"limit": PAGE}),
    # The catalog listings cannot be paged (their backend ignores markers): under
    # list_limit they are fetched whole another way (auditor.collect.catalog).
    Listing(
        "identity.services", "identity", "identity", "/services", "services", walker=list_catalog
    ),
    Listing(
        "identity.endpoints", "identity", "identity", "/endpoints", "endpoints", walker=list_catalog
    ),
    Listing("identity.regions", "identity", "identity", "/regions", "regions", walker=list_catalog),
    # Users page like projects.
    # Users are listed per domain: with domain-specific identity drivers
    # ([identity] domain_specific_drivers_enabled, LDAP domains) an unfiltered
    # GET /v3/users answers only the token's domain's users (Keystone's
    # _get_domain_id_for_list_request), which would leave out every keypair
    # of another domain's user. One ?domain_id= walk per domain sees them all.
    Listing(
        "identity.users",
        "identity",
        "identity",
        "/users",
        "users",
        {"domain_id": "{id}", "limit": PAGE},
        fields=USER_FIELDS,
        fan_out=FanOut("identity.domains"),
    ),
)


def normalise_projects(raw: list[JSON], lk: Lookups) -> list[JSON]:
    out = []
    for p in raw:
        domain_id = p.get("domain_id")
        parent_id = p.get("parent_id")
        # A top-level project's parent is its domain: that is no parent project.
        parent = lk.project_name(parent_id) if parent_id and parent_id != domain_id else None
        out.append(
            {
                "id": p["id"],
                "name": p.get("name"),
                "domain": lk.domain_names.get(domain_id or ""),
                "domain_id": domain_id,
                "enabled": bool(p.get("enabled", True)),
                "description": p.get("description") or "",
                "tags": sorted(p.get("tags") or []),
                "parent": parent,
            }
        )
    return out


def normalise_domains(raw: list[JSON], _lk: Lookups) -> list[JSON]:
    return [
        {
            "id": d["id"],
            "name": d.get("name"),
            "description": d.get("description") or "",
            "enabled": bool(d.get("enabled", True)),
        }
        for d in raw
    ]


def normalise_regions(raw: list[JSON], _lk: Lookups) -> list[JSON]:
    # A region's id is its name in every API (endpoints, tokens, clouds.yaml).
    return [
        {
            "id": r["id"],
            "name": r["id"],
            "description": r.get("description") or "",
            "parent": r.get("parent_region_id") or None,
        }
        for r in raw
    ]


def normalise_services(raw: list[JSON], _lk: Lookups) -> list[JSON]:
    return [
        {
            "id": s["id"],
            "name": s.get("name"),
            "service_type": s.get("type"),
            "description": s.get("description") or "",
            "enabled": bool(s.get("enabled", True)),
        }
        for s in raw
    ]


def endpoint_name(service_type: Any, interface: Any, region: Any) -> str:
    """The readable name the auditor gives an endpoint (endpoints have none)."""
    return f"{service_type}/{interface}/{region or '-'}"


def normalise_endpoints(raw: list[JSON], lk: Lookups) -> list[JSON]:
    out = []
    for e in raw:
        service = lk.services.get(e.get("service_id") or "", {})
        service_type = service.get("type")
        region = e.get("region_id") or e.get("region")
        interface = e.get("interface")
        out.append(
            {
                "id": e["id"],
                "name": endpoint_name(service_type, interface, region),
                "service_type": service_type,
                "service_name": service.get("name"),
                "interface": interface,
                "region": region,
                "url": e.get("url"),
                "enabled": bool(e.get("enabled", True)),
            }
        )
    return out


COLLECTIONS = (
    Collection(
        "projects",
        "identity.projects",
        normalise_projects,
        requires=lambda _mv: ("identity.domains",),
    ),
    Collection(
        "endpoints",
        "identity.endpoints",
        normalise_endpoints,
        requires=lambda _mv: ("identity.services",),
    ),
    Collection("domains", "identity.domains", normalise_domains),
    Collection("regions", "identity.regions", normalise_regions),
    Collection("services", "identity.services", normalise_services),
)
