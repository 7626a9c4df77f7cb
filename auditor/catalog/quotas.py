"""Quotas with their usage: one request per project and service (Nova, Cinder, Neutron).

No service lists every project's quotas with usage in one call, so these are
fan-out requests over Keystone's projects, one quota set each:

* compute: ``GET /os-quota-sets/{project_id}/detail`` (limit, in_use, reserved),
  made at the negotiated microversion: below 2.36 a quota set also holds the
  network quotas Nova proxied to Neutron, below 2.57 the injected-file ones,
  so only Nova's own are compared;
* block-storage: ``GET /v3/{admin_project}/os-quota-sets/{project_id}?usage=True``;
* network: ``GET /v2.0/quotas/{project_id}/details`` (Neutron's quota details
  extension: limit, used, reserved).

The project a set is about comes from the fan-out (Neutron's answer does not
say it). A resource is ``{limit, in_use|used, reserved...}`` in the detailed
answers, a bare limit in the plain ones (then there is no usage).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from auditor.catalog.common import owned_by_project
from auditor.catalog.identity import OWNERS, PROJECTS
from auditor.catalog.lookups import Reading
from auditor.catalog.network import SECURITY_GROUPS
from auditor.catalog.policies import Limits
from auditor.catalog.sources import Derived, Joined, Subject, Tag
from auditor.catalog.spec import FAN_OUT_KEY, CollectionSpec, Family, FanOut, Field, Owner, Request
from auditor.catalog.text import as_int
from auditor.catalog.types import NINT_MAP, STR

JSON = dict[str, Any]

PER_PROJECT = FanOut(PROJECTS)

COMPUTE_QUOTAS = Request(
    "compute.quotas",
    "compute",
    "/os-quota-sets/{id}/detail",
    "quota_set",
    microversioned=True,
    fan_out=PER_PROJECT,
    tag="compute",
)
BLOCK_STORAGE_QUOTAS = Request(
    "block-storage.quotas",
    "block-storage",
    "/os-quota-sets/{id}",
    "quota_set",
    query={"usage": "True"},
    fan_out=PER_PROJECT,
    tag="block-storage",
)
NETWORK_QUOTAS = Request(
    "network.quotas",
    "network",
    "/quotas/{id}/details",
    "quota",
    fan_out=PER_PROJECT,
    # Listing security groups makes Neutron create the caller's default group: read
    # after it, the usage counts the group the listing holds (a count cross-check
    # read before it would report the admin project's group as a mismatch).
    after=(SECURITY_GROUPS.key,),
    tag="network",
)

_NOT_RESOURCES = frozenset({"id", "project_id", "tenant_id", FAN_OUT_KEY})


def _resources(raw: JSON) -> list[tuple[str, Any]]:
    return sorted((k, v) for k, v in raw.items() if k not in _NOT_RESOURCES)


def quota_limits(raw: JSON, _reading: Reading) -> dict[str, int | None]:
    """``{resource: limit}``: a detailed resource's ``limit``, or a bare integer."""
    limits: dict[str, int | None] = {}
    for resource, value in _resources(raw):
        if isinstance(value, dict):
            limits[resource] = as_int(value.get("limit"))
        elif as_int(value) is not None:
            limits[resource] = value
    return limits


def quota_usage(raw: JSON, _reading: Reading) -> dict[str, int | None]:
    """``{resource: in use}`` where the service reports it (``in_use`` or ``used``)."""
    usage: dict[str, int | None] = {}
    for resource, value in _resources(raw):
        if isinstance(value, dict):
            used = value.get("in_use", value.get("used"))
            if used is not None:
                usage[resource] = as_int(used)
    return usage


PROJECT_ID = Subject("id")

QUOTAS_SPEC = CollectionSpec(
    name="quotas",
    noun="quota",
    family=Family.QUOTAS,
    owner=Owner.PROJECT,
    # A service whose quotas could not be listed fails the collection: otherwise
    # its quotas would all look missing.
    requests=(COMPUTE_QUOTAS, BLOCK_STORAGE_QUOTAS, NETWORK_QUOTAS),
    lookups=OWNERS,
    # A project's quota set of each service: one per project, merged by a fold.
    singleton=lambda _item: True,
    docs="collections-storage.md#quotas",
    fields=(
        Field("id", Joined((PROJECT_ID, Tag())), STR, "project_id/service."),
        Field("name", Tag(), STR, "Service type: compute, block-storage or network.", residue=True),
        *owned_by_project(source=PROJECT_ID),
        Field(
            "limits",
            Derived(quota_limits, None),
            NINT_MAP,
            "{resource: limit} (-1 unlimited).",
            Limits(),
        ),
        Field(
            "usage",
            Derived(quota_usage, None),
            NINT_MAP,
            "{resource: in use} where the service reports it.",
        ),
    ),
)

SPECS = (QUOTAS_SPEC,)

COUNTER_REQUESTS = {r.tag: r for r in QUOTAS_SPEC.requests if r.tag}
"""Service -> the quota-set request that reads its usage counters."""


def counters_spec(service: str) -> CollectionSpec:
    """One service's usage counters, listed as the quotas collection lists them (one quota
    set per project) but apart from it: the count cross-check's data, recorded in a
    snapshot's ``counters`` (not compared as a collection)."""
    return replace(QUOTAS_SPEC, name=f"counters.{service}", requests=(COUNTER_REQUESTS[service],))
