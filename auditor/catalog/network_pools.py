"""Neutron address scopes and subnet pools: where a tenant's subnets take their prefixes.

A subnet pool hands out prefixes (``prefixes``, cut at ``default_prefixlen``)
to the subnets made from it; an address scope groups pools whose addresses
route to each other without NAT (a router between two subnets of one scope
does not translate). Both are paged like every Neutron listing (their
controllers are made with ``allow_pagination=True``), and both can be shared
with every project (``shared``); their RBAC grants to single projects
(``object_type`` ``address_scope``, ``subnetpool``) are not audited yet.
"""

from __future__ import annotations

from typing import Any

from auditor.catalog.common import DESCRIPTION, ID, NAME
from auditor.catalog.identity import OWNERS
from auditor.catalog.network import OWNED
from auditor.catalog.policies import ChangeSink, Custom, Exact, Flag, Kept
from auditor.catalog.sources import api
from auditor.catalog.spec import CollectionSpec, Family, Field, Owner, Request
from auditor.catalog.transforms import boolean, sorted_texts
from auditor.catalog.types import NBOOL, NINT, NSTR, NSTRS
from auditor.model import Severity

JSON = dict[str, Any]

ADDRESS_SCOPES = Request(
    "network.address_scopes", "network", "/address-scopes", "address_scopes", page_size=1000
)
SUBNET_POOLS = Request(
    "network.subnet_pools", "network", "/subnetpools", "subnetpools", page_size=1000
)


def _length(value: Any) -> int | None:
    """A prefix length as Neutron writes it (``"24"``, or an integer), as an integer."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip() if isinstance(value, str) else ""
    return int(text) if text.isdigit() else None


def _text(value: Any) -> Any:
    """How Neutron writes a pool's prefix lengths: as strings (``"24"``)."""
    return None if value is None else str(value)


IP_VERSION = Field(
    "ip_version", api("ip_version"), NINT, "4 or 6.", Exact(Severity.ERROR, "IP version")
)


def _shared(what: str) -> Field:
    return Field(
        "shared",
        api("shared", then=boolean),
        NBOOL,
        f"True when the {what} is shared with every project.",
        Flag(
            lost="is no longer shared with every project", gained="is now shared with every project"
        ),
    )


ADDRESS_SCOPES_SPEC = CollectionSpec(
    name="address_scopes",
    noun="address scope",
    family=Family.NETWORK,
    owner=Owner.PROJECT,
    requests=(ADDRESS_SCOPES,),
    lookups=OWNERS,
    docs="collections-network.md#address_scopes",
    fields=(ID, NAME, *OWNED, IP_VERSION, _shared("address scope")),
)


def in_scope(s: JSON, t: JSON, ch: ChangeSink) -> None:
    """A pool must be in the counterpart of its address scope (through its matches)."""

    def ids(item: JSON) -> list[str]:
        return [str(item["address_scope_id"])] if item.get("address_scope_id") else []

    ch.refs(
        "address_scope_id",
        ids(s),
        ids(t),
        "address_scopes",
        lost="is no longer in address scope {label}",
        gained="is now in address scope {label}",
    )


def _prefix_length(which: str, doc: str) -> Field:
    """``<which>_prefixlen``: another one is a warning."""
    what = {"default": "default", "min": "minimum", "max": "maximum"}[which]
    return Field(
        f"{which}_prefixlen",
        api(f"{which}_prefixlen", then=_length, back=_text),
        NINT,
        doc,
        Exact(Severity.WARNING, f"{what} prefix length"),
    )


SUBNET_POOLS_SPEC = CollectionSpec(
    name="subnet_pools",
    noun="subnet pool",
    family=Family.NETWORK,
    owner=Owner.PROJECT,
    requests=(SUBNET_POOLS,),
    lookups=OWNERS,
    docs="collections-network.md#subnet_pools",
    fields=(
        ID,
        NAME,
        *OWNED,
        IP_VERSION,
        Field(
            "prefixes",
            api("prefixes", then=sorted_texts),
            NSTRS,
            "Sorted prefixes it hands out.",
            Kept(Severity.ERROR, "lost prefix(es) {lost}"),
        ),
        _prefix_length("default", "Prefix length of a subnet asked without one."),
        _prefix_length("min", "Shortest prefix length it allows."),
        _prefix_length("max", "Longest prefix length it allows."),
        Field(
            "default_quota",
            api("default_quota"),
            NINT,
            "Addresses a project may take from it (null: no limit).",
            Exact(Severity.WARNING, "quota"),
        ),
        Field(
            "is_default",
            api("is_default", then=boolean),
            NBOOL,
            "True for the default pool of its IP version.",
            Flag(
                lost="is no longer the default pool",
                gained="is now the default pool",
                lost_severity=Severity.WARNING,
            ),
        ),
        _shared("pool"),
        Field(
            "address_scope_id",
            api("address_scope_id"),
            NSTR,
            "Id of its address scope, null without one.",
            Custom(in_scope, "not in its scope's counterpart: error", ("address_scopes",)),
        ),
        DESCRIPTION,
    ),
)

SPECS = (ADDRESS_SCOPES_SPEC, SUBNET_POOLS_SPEC)
