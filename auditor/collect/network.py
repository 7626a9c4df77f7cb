"""Neutron (network v2.0): networks, subnets, routers, security groups, floating IPs.

Every listing is one all-projects walk: Neutron shows an admin every
project's resources without ``all_tenants``. Neutron pages only when its API
pagination is on (the case in current releases; older ones had an
``allow_pagination`` option, off by default): it then caps ``limit`` at
``pagination_max_limit`` (default: no cap) and links the next page in
``<resource>_links`` when a page is full; with pagination off it ignores
``limit`` and answers everything at once. The pager handles both.

Ports are no collection of the snapshot, only a lookup: the routers'
interfaces are the ports a router owns, and a floating IP points to a port
whose ``device_id`` is the server. The ports listing asks only the five
fields those need (``fields=...``), so it stays small with tens of thousands
of ports.

Security groups need care: on ``GET /v2.0/security-groups`` (and on
``/security-group-rules`` too) Neutron *creates* the ``default`` group of a
project that has none: its ``get_security_groups`` calls
``_ensure_default_security_group`` for the project of the ``tenant_id``
filter or, without one, for the caller's own project. The auditor lists
without any project filter (a per-project filter would create a ``default``
group in every project it names), so the only group the listing can create
is the ``default`` group of the auditor's own project, once: from then on it
exists and later listings find it. Listing the rules apart would not avoid it
(that listing does the same), so the rules are read where the groups embed
them (``security_group_rules``). This is the one listing whose GET can write,
which is why ``security_groups`` is not a core collection: it is listed only
when asked for (``--collections security_groups`` or ``all``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from auditor.collect.spec import JSON, Collection, Listing, Lookups

PAGE = {"limit": "1000"}
"""Neutron honours any limit up to ``pagination_max_limit`` (no cap by default): 1000 is
the page size of every other service."""

OWNED = ("id", "name", "tenant_id", "project_id")

ROUTER_INTERFACE_OWNERS = frozenset(
    {
        "network:router_interface",
        "network:router_interface_distributed",
        "network:ha_router_replicated_interface",
    }
)
"""``device_owner`` of the ports by which a router sits on a subnet (legacy, DVR, HA)."""

PORT_FIELDS = ("id", "device_id", "device_owner", "fixed_ips", "network_id")
"""What the ports lookup reads of a port: asked with ``fields=`` so the rest is never sent."""

# Listing params hold one value per key, and Neutron wants ``fields`` repeated
# (``fields=id&fields=device_id``, never comma-separated): the fields go in the
# path, to which the pager adds limit and marker (the next link's query repeats
# them; a repeated field is harmless).
PORTS_PATH = "/ports?" + "&".join(f"fields={name}" for name in PORT_FIELDS)

LISTINGS = (
    Listing(
        "network.networks",
        "network",
        "network",
        "/networks",
        "networks",
        PAGE,
        fields=frozenset(
            {*OWNED, "status", "admin_state_up", "shared", "router:external", "mtu", "subnets"}
        ),
    ),
    Listing(
        "network.subnets",
        "network",
        "network",
        "/subnets",
        "subnets",
        PAGE,
        fields=frozenset(
            {
                *OWNED,
                "network_id",
                "cidr",
                "ip_version",
                "gateway_ip",
                "enable_dhcp",
                "dns_nameservers",
                "host_routes",
            }
        ),
    ),
    Listing(
        "network.ports",
        "network",
        "network",
        PORTS_PATH,
        "ports",
        PAGE,
        fields=frozenset(PORT_FIELDS),
    ),
    Listing(
        "network.routers",
        "network",
        "network",
        "/routers",
        "routers",
        PAGE,
        fields=frozenset({*OWNED, "status", "admin_state_up", "external_gateway_info", "routes"}),
    ),
    Listing(
        "network.security_groups",
        "network",
        "network",
        "/security-groups",
        "security_groups",
        PAGE,
        fields=frozenset({*OWNED, "description", "security_group_rules"}),
    ),
    Listing(
        "network.floating_ips",
        "network",
        "network",
        "/floatingips",
        "floatingips",
        PAGE,
        fields=frozenset(
            {
                "id",
                "tenant_id",
                "project_id",
                "floating_ip_address",
                "floating_network_id",
                "fixed_ip_address",
                "port_id",
                "port_details",
                "status",
                "description",
            }
        ),
    ),
)


# -- shared pieces ---------------------------------------------------------------


def _owner(item: JSON, lk: Lookups) -> JSON:
    project_id = item.get("project_id") or item.get("tenant_id")
    return {
        "project": lk.project_name(project_id),
        "project_id": project_id,
        "domain": lk.project_domain(project_id),
    }


def _names(items: Iterable[JSON]) -> dict[str, str]:
    """Id -> name of raw items (an unnamed item is called by its id)."""
    return {str(i["id"]): i.get("name") or str(i["id"]) for i in items}


def _routes(raw: Any) -> list[JSON]:
    """Host routes or extra routes, ``[{destination, nexthop}]`` sorted."""
    routes = [
        {"destination": r.get("destination"), "nexthop": r.get("nexthop")}
        for r in raw or []
        if isinstance(r, dict)
    ]
    return sorted(routes, key=lambda r: (str(r["destination"]), str(r["nexthop"])))


def subnet_label(subnet: Mapping[str, Any]) -> str:
    """How a network names its subnet: the subnet's name, its CIDR when unnamed."""
    return str(subnet.get("name") or subnet.get("cidr") or subnet["id"])


# -- networks and subnets ------------------------------------------------------------


def normalise_networks(raw: list[JSON], lk: Lookups) -> list[JSON]:
    subnets = {str(s["id"]): subnet_label(s) for s in lk.listing("network.subnets")}
    out = []
    for n in raw:
        out.append(
            {
                "id": n["id"],
                "name": n.get("name"),
                **_owner(n, lk),
                "status": n.get("status"),
                "admin_state_up": bool(n.get("admin_state_up", True)),
                "shared": bool(n.get("shared")),
                "external": bool(n.get("router:external")),
                "mtu": n.get("mtu"),
                "subnets": sorted(subnets.get(str(s), str(s)) for s in n.get("subnets") or []),
            }
        )
    return out


def normalise_subnets(raw: list[JSON], lk: Lookups) -> list[JSON]:
    networks = _names(lk.listing("network.networks"))
    out = []
    for s in raw:
        network_id = s.get("network_id")
        out.append(
            {
                "id": s["id"],
                "name": s.get("name"),
                **_owner(s, lk),
                "network": networks.get(str(network_id), network_id),
                "network_id": network_id,
                "cidr": s.get("cidr"),
                "ip_version": s.get("ip_version"),
                "gateway_ip": s.get("gateway_ip"),
                "enable_dhcp": bool(s.get("enable_dhcp")),
                "dns_nameservers": sorted(str(d) for d in s.get("dns_nameservers") or []),
                "host_routes": _routes(s.get("host_routes")),
            }
        )
    return out


# -- routers -----------------------------------------------------------------------------


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


def normalise_routers(raw: list[JSON], lk: Lookups) -> list[JSON]:
    networks = _names(lk.listing("network.networks"))
    interfaces = router_interfaces(lk.listing("network.ports"))
    out = []
    for r in raw:
        gateway = r.get("external_gateway_info")
        gateway = gateway if isinstance(gateway, dict) and gateway.get("network_id") else None
        out.append(
            {
                "id": r["id"],
                "name": r.get("name"),
                **_owner(r, lk),
                "status": r.get("status"),
                "admin_state_up": bool(r.get("admin_state_up", True)),
                "external_network": (
                    networks.get(str(gateway["network_id"]), gateway["network_id"])
                    if gateway
                    else None
                ),
                # Neutron says enable_snat only to admins (and with ext-gw-mode); null then.
                "enable_snat": gateway.get("enable_snat") if gateway else None,
                "interfaces": sorted(interfaces.get(str(r["id"]), ())),
                "routes": _routes(r.get("routes")),
            }
        )
    return out


# -- security groups ------------------------------------------------------------------

_PROTOCOLS = {
    "1": "icmp",
    "6": "tcp",
    "17": "udp",
    "58": "ipv6-icmp",
    "icmpv6": "ipv6-icmp",
    "132": "sctp",
    "any": None,
}
"""Protocols Neutron treats as the same rule, written one way (numbers of the common ones
as names, the legacy IPv6 ICMP name, ``any`` as no protocol)."""

_ANYWHERE = frozenset({"0.0.0.0/0", "::/0"})


def _protocol(value: Any) -> str | None:
    if value is None or value == "":
        return None
    text = str(value).lower()
    return _PROTOCOLS.get(text, text)


def _prefix(value: Any) -> str | None:
    # Neutron holds 0.0.0.0/0, ::/0 and no prefix for the same rule.
    if not value or value in _ANYWHERE:
        return None
    return str(value)


def normalise_rule(rule: JSON, group_names: Mapping[str, str]) -> JSON:
    """One security-group rule, its remote group by name."""
    remote = rule.get("remote_group_id")
    return {
        "direction": rule.get("direction"),
        "ethertype": rule.get("ethertype"),
        "protocol": _protocol(rule.get("protocol")),
        "port_range_min": rule.get("port_range_min"),
        "port_range_max": rule.get("port_range_max"),
        "remote_ip_prefix": _prefix(rule.get("remote_ip_prefix")),
        "remote_group": group_names.get(str(remote), str(remote)) if remote else None,
    }


def rule_key(rule: Mapping[str, Any]) -> tuple[str, str, str, int, int, str, str]:
    """The sort key of a normalised rule (ports in numeric order, none first)."""
    low, high = rule["port_range_min"], rule["port_range_max"]
    return (
        rule["direction"] or "",
        rule["ethertype"] or "",
        rule["protocol"] or "",
        low if isinstance(low, int) else -1,
        high if isinstance(high, int) else -1,
        rule["remote_ip_prefix"] or "",
        rule["remote_group"] or "",
    )


def normalise_security_groups(raw: list[JSON], lk: Lookups) -> list[JSON]:
    """Security groups with their embedded rules, remote groups named.

    Their listing is the one GET that can make Neutron write (the caller's
    ``default`` group): see the module's docstring and docs/collections-network.md.
    """
    group_names = _names(raw)
    out = []
    for g in raw:
        rules = [
            normalise_rule(r, group_names)
            for r in g.get("security_group_rules") or []
            if isinstance(r, dict)
        ]
        out.append(
            {
                "id": g["id"],
                "name": g.get("name"),
                **_owner(g, lk),
                "description": g.get("description") or "",
                "rules": sorted(rules, key=rule_key),
            }
        )
    return out


# -- floating IPs ---------------------------------------------------------------------


def _server_of(port: Mapping[str, Any] | None) -> str | None:
    """The server a port belongs to: its device, when a compute port."""
    if not port or not str(port.get("device_owner") or "").startswith("compute:"):
        return None
    device = port.get("device_id")
    return str(device) if device else None


def normalise_floating_ips(raw: list[JSON], lk: Lookups) -> list[JSON]:
    networks = _names(lk.listing("network.networks"))
    ports: dict[str, JSON] | None = None
    out = []
    for f in raw:
        port_id = f.get("port_id")
        server_id = None
        if port_id:
            # port_details (fip-port-details, Rocky+) says the device; else the ports lookup.
            details = f.get("port_details")
            if not isinstance(details, dict):
                if ports is None:
                    ports = {str(p["id"]): p for p in lk.listing("network.ports")}
                details = ports.get(str(port_id))
            server_id = _server_of(details)
        network_id = f.get("floating_network_id")
        out.append(
            {
                "id": f["id"],
                "name": f.get("floating_ip_address"),
                **_owner(f, lk),
                "floating_network": networks.get(str(network_id), network_id),
                "fixed_ip": f.get("fixed_ip_address"),
                "port_id": port_id,
                "server_id": server_id,
                "status": f.get("status"),
                "description": f.get("description") or "",
            }
        )
    return out


_OWNERS = ("identity.projects", "identity.domains")

COLLECTIONS = (
    Collection(
        "networks",
        "network.networks",
        normalise_networks,
        requires=lambda _mv: (*_OWNERS, "network.subnets"),
    ),
    Collection(
        "subnets",
        "network.subnets",
        normalise_subnets,
        requires=lambda _mv: (*_OWNERS, "network.networks"),
    ),
    Collection(
        "routers",
        "network.routers",
        normalise_routers,
        requires=lambda _mv: (*_OWNERS, "network.networks", "network.ports"),
    ),
    Collection(
        "security_groups",
        "network.security_groups",
        normalise_security_groups,
        requires=lambda _mv: _OWNERS,
    ),
    Collection(
        "floating_ips",
        "network.floating_ips",
        normalise_floating_ips,
        requires=lambda _mv: (*_OWNERS, "network.networks", "network.ports"),
    ),
)
