"""Keystone (identity v3): projects, endpoints, domains, regions, services, and the
users behind keypairs.

Keystone pages projects, domains and users with limit/marker since 2025.1
and answers links as a dict; older releases ignore the limit, and with
``list_limit`` set cut the list and say ``"truncated": true``. The catalog
listings (services, endpoints, regions) cannot be paged (their backend
ignores markers): under ``list_limit`` they are fetched whole another way
(:mod:`auditor.collect.list_limit`).

Users are listed per domain: with domain-specific identity drivers
(``[identity] domain_specific_drivers_enabled``, LDAP domains) an unfiltered
``GET /v3/users`` answers only the token's domain's users (Keystone's
``_get_domain_id_for_list_request``), which would leave out every keypair of
another domain's user. One ``?domain_id=`` walk per domain sees them all.
"""

from __future__ import annotations

from typing import Any

from auditor.catalog.common import DESCRIPTION, ID, NAME, api_field, enabled, name
from auditor.catalog.lookups import Reading
from auditor.catalog.policies import Exact, Flag, Kept, Rename, Renamed
from auditor.catalog.sources import Indexed, api, derived
from auditor.catalog.spec import (
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
    SecondKey,
)
from auditor.catalog.transforms import boolean, or_none, sorted_list
from auditor.catalog.types import ARRAY, BOOL, BOOLEAN, NSTR, STR, STRS, TEXT, TEXT_OR_NULL
from auditor.model import Severity

JSON = dict[str, Any]

PAGE = 1000

DOMAINS = Request(
    "identity.domains",
    "identity",
    "/domains",
    "domains",
    page_size=PAGE,
    keep=("id", "name"),
    shapes={"id": TEXT, "name": TEXT, "enabled": BOOLEAN},
)
PROJECTS = Request(
    "identity.projects",
    "identity",
    "/projects",
    "projects",
    page_size=PAGE,
    keep=("id", "name", "domain_id"),
    shapes={
        "id": TEXT,
        "name": TEXT,
        "domain_id": TEXT,
        "enabled": BOOLEAN,
        "description": TEXT_OR_NULL,
        "tags": ARRAY,
        "parent_id": TEXT_OR_NULL,
    },
)
SERVICES = Request(
    "identity.services",
    "identity",
    "/services",
    "services",
    paging=Paging.UNPAGED,
    keep=("id", "type", "name"),
)
ENDPOINTS = Request(
    "identity.endpoints",
    "identity",
    "/endpoints",
    "endpoints",
    paging=Paging.UNPAGED,
    # Keystone accepts no other interface: the three answers hold every endpoint.
    partitions=(("interface", "public"), ("interface", "internal"), ("interface", "admin")),
    shapes={
        "id": TEXT,
        "url": TEXT,
        "interface": TEXT,
        "service_id": TEXT,
        "region_id": TEXT_OR_NULL,
        "enabled": BOOLEAN,
    },
)
REGIONS = Request("identity.regions", "identity", "/regions", "regions", paging=Paging.UNPAGED)
USERS = Request(
    "identity.users",
    "identity",
    "/users",
    "users",
    query={"domain_id": "{id}"},
    page_size=PAGE,
    fan_out=FanOut(DOMAINS),
    keep=("id", "name", "domain_id"),
)
"""Keystone users, per domain: a lookup (the owners of keypairs), no collection."""

OWNERS = (Lookup(PROJECTS), Lookup(DOMAINS))
"""The lookups of every project-owned collection: its project's name and domain."""


def _parent(raw: JSON, reading: Reading) -> str | None:
    # A top-level project's parent is its domain: that is no parent project.
    parent_id = raw.get("parent_id")
    if parent_id and parent_id != raw.get("domain_id"):
        return reading.lookups.project_name(parent_id)
    return None


PROJECTS_SPEC = CollectionSpec(
    name="projects",
    noun="project",
    family=Family.IDENTITY,
    owner=Owner.DOMAIN,
    core=True,
    requests=(PROJECTS,),
    lookups=(Lookup(DOMAINS),),
    key=MatchKey((KeyPart("domain", Rename.DOMAIN), KeyPart("name", Rename.NAME))),
    docs="usage.md#what-is-compared",
    fields=(
        ID,
        name(STR),
        Field(
            "domain",
            Indexed("domain_name", api("domain_id")),
            NSTR,
            "Name of the project's domain.",
            Renamed(Severity.WARNING, "is in domain {now}, expected {expected}", Rename.DOMAIN),
        ),
        api_field("domain_id", NSTR, "Id of the project's domain."),
        enabled("False when the project is disabled.", BOOL),
        Field(
            "description",
            DESCRIPTION.source,
            NSTR,
            "Free text.",
            Exact(Severity.INFO, "description", blank="", unless_folded=True),
            residue=True,
        ),
        api_field(
            "tags",
            STRS,
            "Sorted list of tags.",
            Kept(Severity.WARNING, "lost tags {lost}"),
            then=sorted_list,
        ),
        Field(
            "parent",
            derived(_parent, "parent_id", "domain_id"),
            NSTR,
            "Name of the parent project; null for a top-level project.",
            Renamed(Severity.WARNING, "has parent {now}, expected {expected}"),
        ),
    ),
)


def endpoint_name(service_type: Any, interface: Any, region: Any) -> str:
    """The readable name the auditor gives an endpoint (endpoints have none)."""
    return f"{service_type}/{interface}/{region or '-'}"


def _endpoint_name(raw: JSON, reading: Reading) -> str:
    service_type = reading.lookups.service_type(raw.get("service_id"))
    return endpoint_name(
        service_type, raw.get("interface"), raw.get("region_id") or raw.get("region")
    )


SERVICE_ID = api("service_id")

ENDPOINTS_SPEC = CollectionSpec(
    name="endpoints",
    noun="endpoint",
    family=Family.IDENTITY,
    owner=Owner.CLOUD,
    core=True,
    requests=(ENDPOINTS,),
    lookups=(Lookup(SERVICES),),
    key=MatchKey(
        (KeyPart("service_type"), KeyPart("interface"), KeyPart("region", Rename.REGION)),
        required=(),
    ),
    in_region="region",
    docs="usage.md#what-is-compared",
    fields=(
        ID,
        Field(  # Endpoints have none: service_type/interface/region.
            "name",
            derived(_endpoint_name, "service_id", "interface", "region_id", "region"),
            STR,
            NAME.doc,
            residue=True,
        ),
        Field(
            "service_type",
            Indexed("service_type", SERVICE_ID),
            NSTR,
            "Catalog service type (compute, identity...).",
        ),
        Field(
            "service_name",
            Indexed("service_name", SERVICE_ID),
            NSTR,
            "Catalog service name.",
            Exact(Severity.INFO, "service name"),
        ),
        api_field("interface", NSTR, "public, internal or admin."),
        Field("region", api("region_id", "region"), NSTR, "Region id."),
        api_field(
            "url",
            NSTR,
            "Endpoint URL.",
            Renamed(Severity.ERROR, "URL is {now}, expected {expected}", Rename.URL),
            residue=True,
        ),
        api_field(
            "enabled",
            BOOL,
            "False when the endpoint is disabled.",
            Flag(lost="is disabled in the target", gained=None),
            default=True,
            then=boolean,
        ),
    ),
)

DOMAINS_SPEC = CollectionSpec(
    name="domains",
    noun="domain",
    family=Family.IDENTITY,
    owner=Owner.CLOUD,
    requests=(DOMAINS,),
    key=MatchKey(
        (KeyPart("name", Rename.DOMAIN),),
        label=lambda key, item, _rules: str(key["name"] or item.get("id")),
    ),
    in_domain="name",
    docs="collections-identity.md#domains",
    fields=(ID, NAME, DESCRIPTION, enabled("False when the domain is disabled.")),
)

REGIONS_SPEC = CollectionSpec(
    name="regions",
    noun="region",
    family=Family.IDENTITY,
    owner=Owner.CLOUD,
    requests=(REGIONS,),
    # A region's id is its name in every API (endpoints, tokens, clouds.yaml).
    key=MatchKey((KeyPart("id", Rename.REGION),), required=()),
    in_region="id",
    docs="collections-identity.md#regions",
    fields=(
        Field("id", ID.source, STR, "Region id (its name in every API)."),
        name(NSTR, "Same as the id.", api("id", required=True)),
        DESCRIPTION,
        Field(
            "parent",
            api("parent_region_id", then=or_none),
            NSTR,
            "Id of the parent region, null for a top-level region.",
            Renamed(
                Severity.WARNING, "has parent region {now}, expected {expected}", Rename.REGION
            ),
        ),
    ),
)

SERVICES_SPEC = CollectionSpec(
    name="services",
    noun="service",
    family=Family.IDENTITY,
    owner=Owner.CLOUD,
    requests=(SERVICES,),
    # A service renamed otherwise than the rules say is still its type's service.
    key=MatchKey(
        (KeyPart("service_type"), KeyPart("name", Rename.NAME)),
        required=(),
        second=SecondKey("type", "service_type"),
        label=lambda key, _item, _rules: f"{key['service_type']}/{key['name'] or '-'}",
    ),
    docs="collections-identity.md#services",
    fields=(
        ID,
        # Matched by type when the (renamed) name found no counterpart.
        name(compare=Renamed(Severity.INFO, "is named {now}, expected {expected}")),
        Field("service_type", api("type"), NSTR, "Catalog type (compute, identity...)."),
        DESCRIPTION,
        enabled("False when the service is disabled."),
    ),
)

SPECS = (PROJECTS_SPEC, ENDPOINTS_SPEC, DOMAINS_SPEC, REGIONS_SPEC, SERVICES_SPEC)
