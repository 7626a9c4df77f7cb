"""Neutron routers and floating IPs: what a project's servers are reached through.

A router's interfaces are the ports it owns (the ports lookup); a floating IP
points to a port whose ``device_id`` is the server.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from auditor.catalog import network_checks as checks
from auditor.catalog.common import DESCRIPTION, ID, NAME, api_field
from auditor.catalog.identity import OWNERS
from auditor.catalog.lookups import Reading
from auditor.catalog.network import (
    ADMIN_STATE,
    FLOATING_IPS,
    NETWORKS,
    OWNED,
    PORTS,
    ROUTERS,
    STATUS,
    network_named,
)
from auditor.catalog.policies import (
    Custom,
    Kept,
    Ref,
    Rename,
)
from auditor.catalog.sources import api, derived
from auditor.catalog.spec import (
    CollectionSpec,
    Family,
    Field,
    KeyPart,
    Lookup,
    MatchKey,
    Owner,
    SecondKey,
)
from auditor.catalog.transforms import routes
from auditor.catalog.types import NROUTES, NSTR, NSTRS, STR, schema
from auditor.model import Severity

JSON = dict[str, Any]

ROUTER_INTERFACE_OWNERS = frozenset(
    {
        "network:router_interface",
        "network:router_interface_distributed",
        "network:ha_router_replicated_interface",
    }
)
"""``device_owner`` of the ports by which a router sits on a subnet (legacy, DVR, HA)."""


# -- routers ------------------------------------------------------------------------------------


def router_interfaces(ports: Iterable[JSON]) -> dict[str, set[str]]:
    """Router id -> ids of the subnets it has an interface on, from the ports lookup."""
    interfaces: dict[str, set[str]] = {}
    for port in ports:
        if port.get("device_owner") not in ROUTER_INTERFACE_OWNERS or not port.get("device_id"):
            continue
        subnets = interfaces.setdefault(str(port["device_id"]), set())
        for fixed in port.get("fixed_ips") or []:
            if isinstance(fixed, dict) and fixed.get("subnet_id"):
                subnets.add(str(fixed["subnet_id"]))
    return interfaces


def _interfaces(raw: JSON, reading: Reading) -> list[str]:
    index = reading.index(
        "interfaces", lambda: router_interfaces(reading.lookups.listing(PORTS.key))
    )
    return sorted(index.get(str(raw["id"]), ()))


def _gateway(raw: JSON) -> JSON | None:
    gateway = raw.get("external_gateway_info")
    return gateway if isinstance(gateway, dict) and gateway.get("network_id") else None


def _gateway_network(raw: JSON, reading: Reading) -> Any:
    gateway = _gateway(raw)
    return network_named("network_id")(gateway, reading) if gateway else None


def _snat(raw: JSON, _reading: Reading) -> Any:
    # Neutron says enable_snat only to admins (and with ext-gw-mode); null then.
    gateway = _gateway(raw)
    return gateway.get("enable_snat") if gateway else None


ROUTERS_SPEC = CollectionSpec(
    name="routers",
    noun="router",
    family=Family.NETWORK,
    owner=Owner.PROJECT,
    requests=(ROUTERS,),
    lookups=(*OWNERS, Lookup(NETWORKS), Lookup(PORTS)),
    docs="collections-network.md#routers",
    fields=(
        ID,
        NAME,
        *OWNED,
        STATUS,
        ADMIN_STATE,
        Field(
            "external_network",
            derived(_gateway_network, "external_gateway_info"),
            NSTR,
            "Name of the network of its gateway, null without one.",
            Custom(checks.router_gateway, "lost gateway: error; SNAT changed: warning"),
        ),
        Field(
            "enable_snat",
            derived(_snat, "external_gateway_info"),
            schema(type=["boolean", "null"]),
            "SNAT on the gateway (null without one).",
        ),
        Field(
            "interfaces",
            derived(_interfaces, "id"),
            NSTRS,
            "Sorted ids of the subnets it has an interface on.",
            Ref(
                "subnets",
                lost="no longer has an interface on subnet {label}",
                gained="now has an interface on subnet {label}",
                label=checks.subnet_text,
            ),
        ),
        api_field(
            "routes",
            NROUTES,
            "Sorted extra routes: [{destination, nexthop}].",
            Kept(
                Severity.WARNING,
                "lost route(s) {lost}",
                key=checks.route_key,
                describe=checks.route_text,
            ),
            then=routes,
        ),
    ),
)


# -- floating IPs -----------------------------------------------------------------------------


def _server_of(raw: JSON, reading: Reading) -> str | None:
    """The server the floating IP's port belongs to: its device, when a compute port.
    ``port_details`` (fip-port-details, Rocky+) says the device; else the ports lookup."""
    port_id = raw.get("port_id")
    if not port_id:
        return None
    details = raw.get("port_details")
    if not isinstance(details, dict):
        ports = reading.index(
            "ports", lambda: {str(p["id"]): p for p in reading.lookups.listing(PORTS.key)}
        )
        details = ports.get(str(port_id))
    if not details or not str(details.get("device_owner") or "").startswith("compute:"):
        return None
    device = details.get("device_id")
    return str(device) if device else None


FLOATING_IPS_SPEC = CollectionSpec(
    name="floating_ips",
    noun="floating ip",
    family=Family.NETWORK,
    owner=Owner.PROJECT,
    requests=(FLOATING_IPS,),
    lookups=(*OWNERS, Lookup(NETWORKS), Lookup(PORTS)),
    # A floating IP moved to the target's address range keeps its server: the
    # counterpart of its source server identifies it (after the address failed).
    key=MatchKey(
        (KeyPart("name", Rename.NAME),),
        second=SecondKey(
            "server",
            "server_id",
            through="servers",
            label="then a floating IP on the counterpart of server {label}",
        ),
    ),
    docs="collections-network.md#floating_ips",
    fields=(
        Field("id", ID.source, STR, "Stable id."),
        Field(
            "name",
            api("floating_ip_address"),
            NSTR,
            "The floating IP address.",
            Custom(checks.floating_ip_address, "another address (not matched by it): info"),
            residue=True,
        ),
        *OWNED,
        Field(
            "floating_network",
            derived(network_named("floating_network_id"), "floating_network_id"),
            NSTR,
            "Name of the external network it comes from.",
        ),
        Field(
            "fixed_ip",
            api("fixed_ip_address"),
            NSTR,
            "Fixed address it is associated with, null when free.",
        ),
        api_field("port_id", NSTR, "Id of the port it points to, null when free."),
        Field(
            "server_id",
            derived(_server_of, "port_id", "port_details"),
            NSTR,
            "Id of the server owning that port, null when none.",
            Custom(checks.floating_ip_server, "not the server's counterpart: error", ("servers",)),
        ),
        STATUS,
        DESCRIPTION,
    ),
)

SPECS = (ROUTERS_SPEC, FLOATING_IPS_SPEC)
