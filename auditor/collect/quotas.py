"""Quotas with their usage: one request per project and service (Nova, Cinder, Neutron).

No service lists every project's quotas with usage in one call, so these are
fan-out listings over Keystone's projects (see :class:`~auditor.collect.spec.FanOut`):

* compute: ``GET /os-quota-sets/{project_id}/detail`` (limit, in_use, reserved);
* block-storage: ``GET /v3/{admin_project}/os-quota-sets/{project_id}?usage=True``;
* network: ``GET /v2.0/quotas/{project_id}/details`` (Neutron's quota details
  extension: limit, used, reserved).

Each answers one object; the project it is about comes from the fan-out tag
(Neutron's answer does not say it).
"""

from __future__ import annotations

from typing import Any

from auditor.collect.spec import FAN_OUT_KEY, JSON, Collection, FanOut, Listing, Lookups

PROJECTS = FanOut("identity.projects")

# Below compute 2.36 a quota set also holds the network quotas Nova proxied to
# Neutron (floating_ips, security_groups...), and below 2.57 the injected-file
# ones: the negotiated microversion is sent so only Nova's own are compared.
LISTINGS = (
    Listing(
        "compute.quotas",
        "compute",
        "compute",
        "/os-quota-sets/{id}/detail",
        "quota_set",
        microversioned=True,
        fan_out=PROJECTS,
    ),
    Listing(
        "block-storage.quotas",
        "block_storage",
        "block-storage",
        "/os-quota-sets/{id}",
        "quota_set",
        {"usage": "True"},
        fan_out=PROJECTS,
    ),
    Listing(
        "network.quotas",
        "network",
        "network",
        "/quotas/{id}/details",
        "quota",
        fan_out=PROJECTS,
    ),
)

SERVICES = (
    ("compute", "compute.quotas"),
    ("block-storage", "block-storage.quotas"),
    ("network", "network.quotas"),
)
"""Service type (the name of a quota item) -> its listing."""

_NOT_RESOURCES = frozenset({"id", "project_id", "tenant_id", FAN_OUT_KEY})


def _number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def quota_item(service: str, raw: JSON, lk: Lookups) -> JSON:
    """One project's quota set of one service -> its quota item.

    A resource is ``{limit, in_use|used, reserved...}`` in the detailed answers,
    a bare limit in the plain ones (then there is no usage).
    """
    project_id = raw.get(FAN_OUT_KEY) or raw.get("id")
    limits: dict[str, int | None] = {}
    usage: dict[str, int | None] = {}
    for resource, value in raw.items():
        if resource in _NOT_RESOURCES:
            continue
        if isinstance(value, dict):
            limits[resource] = _number(value.get("limit"))
            used = value.get("in_use", value.get("used"))
            if used is not None:
                usage[resource] = _number(used)
        elif _number(value) is not None:
            limits[resource] = value
    return {
        "id": f"{project_id}/{service}",
        "name": service,
        "project": lk.project_name(project_id),
        "project_id": project_id,
        "domain": lk.project_domain(project_id),
        "limits": dict(sorted(limits.items())),
        "usage": dict(sorted(usage.items())),
    }


def normalise_quotas(raw: list[JSON], lk: Lookups) -> list[JSON]:
    """Every project's quota items: compute (``raw``), block-storage and network."""
    out = [quota_item("compute", q, lk) for q in raw]
    for service, key in SERVICES[1:]:
        out.extend(quota_item(service, q, lk) for q in lk.listing(key))
    return out


COLLECTIONS = (
    Collection(
        "quotas",
        "compute.quotas",
        normalise_quotas,
        # A service whose quotas could not be listed fails the collection:
        # otherwise its quotas would all look missing.
        requires=lambda _mv: (
            "identity.projects",
            "identity.domains",
            "block-storage.quotas",
            "network.quotas",
        ),
        microversion_service="compute",
    ),
)
