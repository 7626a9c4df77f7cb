"""Neutron (network v2.0): networks, subnets, routers, security groups, floating IPs.

Every listing is one all-projects walk: Neutron shows an admin every
project's resources without ``all_tenants``. Neutron pages only when its API
pagination is on (the case in current releases; older ones had an
``allow_pagination`` option, off by default): it then caps ``limit`` at
``pagination_max_limit`` (default: no cap) and links the next page in
``<resource>_links`` when a page is full; with pagination off it ignores
``limit`` and answers everything at once. The pager handles both.

Ports are a collection (:mod:`auditor.catalog.network_ports`) and a lookup:
the routers' interfaces are the ports a router owns, and a floating IP points
to a port whose ``device_id`` is the server. The ports listing asks only the
fields those read (``fields=...``), so it stays small with tens of thousands
of ports; the collection and the lookup share the one walk.

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

from collections.abc import Callable
from typing import Any

from auditor.catalog import network_checks as checks
from auditor.catalog.common import ID, NAME, api_field, owned_by_project
from auditor.catalog.identity import OWNERS
from auditor.catalog.lookups import Reading
from auditor.catalog.policies import (
    Custom,
    Exact,
    Flag,
    Rename,
    Sized,
    Status,
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
    Request,
)
from auditor.catalog.transforms import boolean, routes, sorted_texts
from auditor.catalog.types import NBOOL, NINT, NROUTES, NSTR, NSTRS
from auditor.model import Severity

JSON = dict[str, Any]

PORT_FIELDS = (
    "id",
    "name",
    "tenant_id",
    "project_id",
    "network_id",
    "mac_address",
    "fixed_ips",
    "allowed_address_pairs",
    "port_security_enabled",
    "security_groups",
    "device_owner",
    "device_id",
    "status",
    "admin_state_up",
)
"""What the ports collection and the ports lookup read of a port: asked with ``fields=``
so the rest (bindings, DNS, extra DHCP options, timestamps...) is never sent."""


def _listing(what: str, path: str, items: str = "", keep: tuple[str, ...] = ()) -> Request:
    # Neutron honours any limit up to pagination_max_limit (no cap by default): 1000
    # is the page size of every other service.
    return Request(f"network.{what}", "network", path, items or what, page_size=1000, keep=keep)


NETWORKS = _listing("networks", "/networks", keep=("id", "name"))
SUBNETS = _listing("subnets", "/subnets", keep=("id", "name", "cidr"))
# Listing params hold one value per key, and Neutron wants ``fields`` repeated
# (``fields=id&fields=device_id``, never comma-separated): the fields go in the
# path, to which the pager adds limit and marker (the next link's query repeats
# them; a repeated field is harmless).
PORTS = _listing(
    "ports", "/ports?" + "&".join(f"fields={name}" for name in PORT_FIELDS), keep=PORT_FIELDS
)
ROUTERS = _listing("routers", "/routers")
SECURITY_GROUPS = _listing("security_groups", "/security-groups")
FLOATING_IPS = _listing("floating_ips", "/floatingips", "floatingips")

OWNED = owned_by_project("project_id", "tenant_id")
STATUS = api_field("status", NSTR, "ACTIVE, DOWN...", Status(with_previous=False))
ADMIN_STATE = api_field(
    "admin_state_up",
    NBOOL,
    "False when administratively down.",
    Flag(lost="is administratively down", gained="is administratively up (was down)"),
    default=True,
    then=boolean,
)


def _names(reading: Reading, key: str) -> dict[str, str]:
    """Id -> name of the raw items of listing ``key`` (an unnamed item by its id)."""
    names: dict[str, str] = reading.index(
        key,
        lambda: {str(i["id"]): i.get("name") or str(i["id"]) for i in reading.lookups.listing(key)},
    )
    return names


def network_named(field: str) -> Callable[[JSON, Reading], Any]:
    """The name of the network whose id is in raw field ``field`` (its id when unknown)."""

    def read(raw: JSON, reading: Reading) -> Any:
        network_id = raw.get(field)
        return _names(reading, NETWORKS.key).get(str(network_id), network_id)

    return read


ON_NETWORK = Field(
    "network",
    derived(network_named("network_id"), "network_id"),
    NSTR,
    "Name of its network.",
    Custom(checks.subnet_network, "not on the network's counterpart: error", ("networks",)),
)
"""An item's network (subnets, ports): by name, compared through the networks' matches."""


# -- networks and subnets ---------------------------------------------------------------------


def _subnet_names(raw: JSON, reading: Reading) -> list[str]:
    labels = reading.index(
        "subnet labels",
        lambda: {
            str(s["id"]): checks.subnet_label(s) for s in reading.lookups.listing(SUBNETS.key)
        },
    )
    return sorted(labels.get(str(s), str(s)) for s in raw.get("subnets") or [])


NETWORKS_SPEC = CollectionSpec(
    name="networks",
    noun="network",
    family=Family.NETWORK,
    owner=Owner.PROJECT,
    requests=(NETWORKS,),
    lookups=(*OWNERS, Lookup(SUBNETS)),
    docs="collections-network.md#networks",
    fields=(
        ID,
        NAME,
        *OWNED,
        STATUS,
        ADMIN_STATE,
        api_field(
            "shared",
            NBOOL,
            "Neutron's shared flag: true when shared with every project or with the"
            " auditor's own project (grants to other projects are not visible).",
            Flag(
                lost=f"shared flag cleared ({checks.SHARED_CAVEAT})",
                gained=f"shared flag set ({checks.SHARED_CAVEAT})",
                lost_severity=Severity.INFO,
            ),
            then=boolean,
        ),
        Field(
            "external",
            api("router:external", then=boolean),
            NBOOL,
            "True for an external (router:external) network.",
            Flag(
                lost="is no longer external",
                gained="is now external",
                lost_severity=Severity.WARNING,
                gained_severity=Severity.WARNING,
            ),
        ),
        api_field(
            "mtu",
            NINT,
            "MTU.",
            Sized(
                "MTU shrank from {was} to {now}",
                "MTU grew from {was} to {now}",
                smaller_severity=Severity.WARNING,
            ),
        ),
        Field(
            "subnets",
            derived(_subnet_names, "subnets"),
            NSTRS,
            "Sorted names of its subnets.",
            Custom(checks.network_subnets, "lost subnet: error; new subnet: info", ("subnets",)),
        ),
    ),
)


def on_network(item: JSON, what: str) -> str:
    """An unnamed item in messages: ``project/<what> on network <name> (<id>)``."""
    where = f"{item['project']}/" if item.get("project") else ""
    return f"{where}{what} on network {item.get('network') or '-'} ({item['id']})"


def _unnamed_subnet(item: JSON) -> str | None:
    """An unnamed subnet in messages: its CIDR on its network."""
    if item.get("name") or not item.get("cidr"):
        return None
    return on_network(item, str(item["cidr"]))


SUBNETS_SPEC = CollectionSpec(
    name="subnets",
    noun="subnet",
    family=Family.NETWORK,
    owner=Owner.PROJECT,
    requests=(SUBNETS,),
    lookups=(*OWNERS, Lookup(NETWORKS)),
    # A subnet is often left unnamed: then its (renamed) network and CIDR identify it.
    key=MatchKey(
        (KeyPart("name", Rename.NAME),),
        fallback=MatchKey(
            (KeyPart("network", Rename.NAME, of="networks"), KeyPart("cidr")),
            required=("cidr",),
            label=lambda key, item, rules: (
                f"a subnet {item['cidr']} on network {rules.name('projects', item.get('project'))}/"
                f"{key['network'] or '-'}"
            ),
        ),
    ),
    item_label=_unnamed_subnet,
    docs="collections-network.md#subnets",
    fields=(
        ID,
        NAME,
        *OWNED,
        ON_NETWORK,
        api_field("network_id", NSTR, "Id of its network."),
        api_field("cidr", NSTR, "CIDR.", Exact(Severity.ERROR, "CIDR")),
        api_field("ip_version", NINT, "4 or 6."),
        api_field(
            "gateway_ip",
            NSTR,
            "Gateway address, null when none.",
            Exact(Severity.WARNING, "gateway"),
        ),
        api_field(
            "enable_dhcp",
            NBOOL,
            "True when DHCP is on.",
            Flag(lost="lost DHCP", gained="has DHCP on (was off)"),
            then=boolean,
        ),
        api_field(
            "dns_nameservers",
            NSTRS,
            "Sorted DNS servers.",
            Exact(Severity.WARNING, "DNS servers", blank=[]),
            then=sorted_texts,
        ),
        api_field(
            "host_routes",
            NROUTES,
            "Sorted routes: [{destination, nexthop}].",
            Exact(
                Severity.WARNING,
                message="host routes changed from {was} to {now}",
                blank=[],
                show=checks.routes_text,
            ),
            then=routes,
        ),
    ),
)


SPECS = (NETWORKS_SPEC, SUBNETS_SPEC)
