"""Octavia v2 (service type ``load-balancer``): load balancers with their parts.

An admin lists every project's load balancers, listeners, pools and health
monitors without any all-projects parameter (Octavia answers an admin all of
them, ``project_id=`` filters); each listing is paged with ``limit`` and
``marker`` and links the next page in ``<key>_links`` (``loadbalancers_links``)
on a full page. The members are only listed per pool
(``GET /v2/lbaas/pools/{pool_id}/members``): one request per pool that has
members. openstacksdk's endpoint for the service ends in ``/v2.0`` (Octavia
answers under ``/v2`` and ``/v2.0`` alike), so the paths start at ``/lbaas``.
The parts are nested in their load balancer's item
(:mod:`auditor.catalog.load_balancer_parts`).

The VIP is read from the load balancer (address, port, network), its floating
IP from Neutron's floating IPs by the VIP port; a member's server from
Neutron's ports (the compute port holding the member's address).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auditor.catalog import load_balancer_parts as parts
from auditor.catalog.common import DESCRIPTION, ID, NAME, api_field, owned_by_project
from auditor.catalog.identity import OWNERS
from auditor.catalog.lookups import Reading
from auditor.catalog.network import ADMIN_STATE, FLOATING_IPS, NETWORKS, PORTS, network_named
from auditor.catalog.policies import Custom, Exact, Ref, Renamed, Status
from auditor.catalog.sources import derived
from auditor.catalog.spec import (
    CollectionSpec,
    Family,
    FanOut,
    Field,
    Lookup,
    Owner,
    Request,
)
from auditor.catalog.types import ARRAY, INTEGER, NSTR, NSTRS, TEXT, TEXT_OR_NULL, schema
from auditor.model import Severity

JSON = dict[str, Any]

SERVICE = "load-balancer"

# Octavia's pagination_max_limit is 1000 by default: the page size of the other services.
PAGE = 1000


def _listing(what: str, items: str, path: str, **more: Any) -> Request:
    return Request(f"{SERVICE}.{what}", SERVICE, f"/lbaas/{path}", items, page_size=PAGE, **more)


LOAD_BALANCERS = _listing(
    "loadbalancers",
    "loadbalancers",
    "loadbalancers",
    shapes={"vip_address": TEXT_OR_NULL, "provisioning_status": TEXT},
)
LISTENERS = _listing(
    "listeners",
    "listeners",
    "listeners",
    keep=(*parts.LISTENER_FIELDS, "loadbalancers", "default_pool_id"),
    shapes={"protocol": TEXT, "protocol_port": INTEGER, "loadbalancers": ARRAY},
)
POOLS = _listing(
    "pools",
    "pools",
    "pools",
    keep=(
        "id",
        "name",
        "protocol",
        "lb_algorithm",
        "session_persistence",
        "loadbalancers",
        "listeners",
        "healthmonitor_id",
        "members",
    ),
    shapes={"lb_algorithm": TEXT, "members": ARRAY},
)
HEALTH_MONITORS = _listing(
    "healthmonitors", "healthmonitors", "healthmonitors", keep=(*parts.MONITOR_FIELDS, "pools")
)


def _has_members(pool: JSON) -> bool:
    return bool(pool.get("members"))


MEMBERS = _listing(
    "members",
    "members",
    "pools/{id}/members",
    fan_out=FanOut(POOLS, select=_has_members),
    keep=parts.MEMBER_FIELDS,
    shapes={"address": TEXT, "protocol_port": INTEGER},
)
assert (LISTENERS.key, POOLS.key, MEMBERS.key, HEALTH_MONITORS.key) == (
    parts.LISTENERS,
    parts.POOLS,
    parts.MEMBERS,
    parts.HEALTH_MONITORS,
)


def _on_vip_port(attribute: str) -> Callable[[JSON, Reading], list[str]]:
    """``attribute`` (id, address) of each floating IP on the VIP port, sorted."""

    def read(raw: JSON, reading: Reading) -> list[str]:
        port = raw.get("vip_port_id")
        if not port:
            return []
        index: dict[str, list[str]] = reading.index(
            f"fips_by_port.{attribute}",
            lambda: _group(reading.lookups.listing(FLOATING_IPS.key), "port_id", attribute),
        )
        return sorted(index.get(str(port), ()))

    return read


def _group(items: list[JSON], by: str, value: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in items:
        if item.get(by) and item.get(value):
            out.setdefault(str(item[by]), []).append(str(item[value]))
    return out


_TEXT = {"type": ["string", "null"]}
_INT = {"type": ["integer", "null"]}
_BOOL = {"type": ["boolean", "null"]}

LISTENER_RECORDS = schema(
    type=["array", "null"],
    items={
        "type": "object",
        "properties": {
            "id": _TEXT,
            "name": _TEXT,
            "protocol": _TEXT,
            "protocol_port": _INT,
            "connection_limit": _INT,
            "default_pool": _TEXT,
        },
    },
)
"""``[{id, name, protocol, protocol_port, connection_limit, default_pool}]``."""

POOL_RECORDS = schema(
    type=["array", "null"],
    items={
        "type": "object",
        "properties": {
            "id": _TEXT,
            "name": _TEXT,
            "protocol": _TEXT,
            "lb_algorithm": _TEXT,
            "session_persistence": _TEXT,
            "listener_ports": {"type": "array", "items": {"type": "integer"}},
            "healthmonitor": {
                "type": ["object", "null"],
                "properties": {
                    name: _INT
                    if name in ("delay", "timeout", "max_retries", "max_retries_down")
                    else _TEXT
                    for name in parts.MONITOR_FIELDS
                },
            },
            "members": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": _TEXT,
                        "name": _TEXT,
                        "address": _TEXT,
                        "protocol_port": _INT,
                        "weight": _INT,
                        "backup": _BOOL,
                        "subnet_id": _TEXT,
                        "server_id": _TEXT,
                    },
                },
            },
        },
    },
)
"""``[{id, name, protocol, lb_algorithm, session_persistence, listener_ports,
healthmonitor: {type, delay, timeout, max_retries...} | null, members: [{address,
protocol_port, weight, backup, subnet_id, server_id...}]}]``."""

OPERATING = frozenset({"ERROR"})
PROVISIONING = frozenset({"ERROR"})

LOAD_BALANCERS_SPEC = CollectionSpec(
    name="load_balancers",
    noun="load balancer",
    family=Family.LOAD_BALANCER,
    owner=Owner.PROJECT,
    requests=(LOAD_BALANCERS,),
    lookups=(
        *OWNERS,
        Lookup(LISTENERS),
        Lookup(POOLS),
        Lookup(MEMBERS),
        Lookup(HEALTH_MONITORS),
        Lookup(NETWORKS, required=False),
        Lookup(PORTS),
        Lookup(FLOATING_IPS),
    ),
    optional=True,
    docs="collections-apps.md#load_balancers",
    doc=(
        "Listeners, pools, members and health monitors are nested in their load"
        " balancer: a lost one is an error, like a member on another server than"
        " the counterpart of its server (resolved through Neutron's ports)."
    ),
    fields=(
        ID,
        NAME,
        *owned_by_project("project_id", "tenant_id"),
        DESCRIPTION,
        api_field(
            "provider",
            NSTR,
            "Provider driver (amphora, ovn...).",
            Exact(Severity.WARNING, "provider"),
        ),
        api_field("vip_address", NSTR, "The VIP's fixed address."),
        api_field("vip_port_id", NSTR, "Id of the VIP's Neutron port."),
        api_field("vip_network_id", NSTR, "Id of the VIP's network."),
        Field(
            "vip_network",
            derived(network_named("vip_network_id"), "vip_network_id"),
            NSTR,
            "Name of the VIP's network.",
            Renamed(
                Severity.WARNING,
                "VIP on network {now}, expected {expected}",
                of="networks",
                matched=True,
            ),
        ),
        Field(
            "vip_floating_ips",
            derived(_on_vip_port("id"), "vip_port_id"),
            NSTRS,
            "Ids of the floating IPs on the VIP port.",
            Ref(
                "floating_ips",
                lost="lost floating IP {label} of its VIP",
                gained="has a new floating IP {label} on its VIP",
            ),
        ),
        Field(
            "vip_floating_addresses",
            derived(_on_vip_port("floating_ip_address"), "vip_port_id"),
            NSTRS,
            "Addresses of those floating IPs.",
        ),
        api_field(
            "provisioning_status",
            NSTR,
            "ACTIVE, PENDING_UPDATE, ERROR...",
            Status(unusable=PROVISIONING),
        ),
        api_field(
            "operating_status",
            NSTR,
            "ONLINE, DEGRADED, ERROR, OFFLINE, NO_MONITOR.",
            Status(unusable=OPERATING),
        ),
        ADMIN_STATE,
        Field(
            "listeners",
            derived(parts.listeners, "id"),
            LISTENER_RECORDS,
            "Its listeners (protocol, port, default pool).",
            Custom(
                parts.compare_listeners,
                "lost listener, protocol or port changed: error; connection limit: warning",
            ),
        ),
        Field(
            "pools",
            derived(parts.pools, "id", "project_id"),
            POOL_RECORDS,
            "Its pools, each with its health monitor and members (and their servers).",
            Custom(
                parts.compare_pools,
                "lost pool, member or health monitor, protocol changed, member on another"
                " server than its server's counterpart: error; algorithm, persistence,"
                " health monitor settings, member weight: warning",
                ("servers",),
            ),
        ),
    ),
)

SPECS = (LOAD_BALANCERS_SPEC,)
