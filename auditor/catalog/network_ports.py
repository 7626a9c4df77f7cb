"""Neutron ports and network RBAC policies: how servers are wired, and who may use a network.

Ports are the one big network listing (a few per server): it is the same
``fields=``-trimmed walk the routers and floating IPs look interfaces and
devices up in (:data:`auditor.catalog.network.PORTS`), read page by page.

A server's port is matched by its server's counterpart (through the servers'
matches) and its network (renamed): a port's name is no key for it, since
the ports of many servers may share one. Other ports are matched by name,
an unnamed one by its network and fixed addresses. The ports of network
devices (router interfaces and gateways, DHCP, floating IPs: ``device_owner``
``network:*``) are Neutron's own; they get new ids, MACs and often addresses
when re-created, and what they stand for is compared elsewhere (a router's
interfaces, a subnet's DHCP, a floating IP's server), so the diff leaves them
out and counts them.

Network RBAC policies grant a project (or ``*``, every project) the use of a
network: ``access_as_shared`` (attach ports to it) or ``access_as_external``
(use it as a router gateway). Only ``object_type=network`` is listed (QoS
policies, security groups, address scopes and subnet pools can be shared too:
not audited yet). Neutron does not page this listing (its controller is made
with ``allow_pagination=False``): one answer holds every policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.catalog.common import ID, NAME
from auditor.catalog.identity import OWNERS
from auditor.catalog.lookups import Reading
from auditor.catalog.network import (
    ADMIN_STATE,
    NETWORKS,
    ON_NETWORK,
    OWNED,
    PORTS,
    network_named,
    on_network,
)
from auditor.catalog.network_checks import floating_ip_server, subnet_text
from auditor.catalog.policies import ChangeSink, Custom, Kept, Ref, Rename
from auditor.catalog.sources import api, derived, ids_of
from auditor.catalog.spec import (
    CollectionSpec,
    Family,
    Field,
    KeyPart,
    Lookup,
    MatchKey,
    Owner,
    Paging,
    Request,
    SecondKey,
)
from auditor.catalog.text import fmt
from auditor.catalog.transforms import sorted_texts
from auditor.catalog.types import NBOOL, NSTR, NSTRS, schema
from auditor.model import Severity

JSON = dict[str, Any]

SERVER_OWNER = "compute:"
"""``device_owner`` prefix of a server's port (``compute:<availability zone>``)."""
NETWORK_OWNER = "network:"
"""``device_owner`` prefix of the ports Neutron makes for its own devices."""


# -- ports ----------------------------------------------------------------------------------


def _addresses(value: Any) -> list[str]:
    """Sorted distinct fixed IP addresses of ``fixed_ips``."""
    return sorted(
        {str(f["ip_address"]) for f in value or [] if isinstance(f, dict) and f.get("ip_address")}
    )


def _pairs(raw: JSON, _reading: Reading) -> list[JSON]:
    """Allowed address pairs, sorted; a pair's MAC is null when it is the port's own (the
    default): a port re-created with a new MAC keeps such pairs."""
    own = str(raw.get("mac_address") or "").lower()
    out = []
    for pair in raw.get("allowed_address_pairs") or []:
        if not isinstance(pair, dict) or not pair.get("ip_address"):
            continue
        mac = str(pair.get("mac_address") or "").lower() or None
        mine = None if mac == own else mac
        out.append({"ip_address": str(pair["ip_address"]), "mac_address": mine})
    return sorted(out, key=_pair_key)


def _pair_key(pair: Mapping[str, Any]) -> tuple[str, str]:
    return str(pair.get("ip_address")), str(pair.get("mac_address") or "")


def pair_text(pair: Mapping[str, Any]) -> str:
    """``10.0.0.100`` or ``10.0.0.100 (fa:16:3e:00:00:01)``."""
    mac = pair.get("mac_address")
    return f"{pair.get('ip_address')}" + (f" ({mac})" if mac else "")


def _server(raw: JSON, _reading: Reading) -> str | None:
    """The device of a server's port (None for any other port)."""
    if not str(raw.get("device_owner") or "").startswith(SERVER_OWNER):
        return None
    return str(raw["device_id"]) if raw.get("device_id") else None


def _infrastructure(raw: JSON, _reading: Reading) -> str | None:
    owner = str(raw.get("device_owner") or "")
    return owner if owner.startswith(NETWORK_OWNER) else None


def mac_address(s: JSON, t: JSON, ch: ChangeSink) -> None:
    """A server's port with another MAC is an error (a licence or a DHCP reservation bound
    to it breaks); another port's, a warning."""
    was, now = s.get("mac_address"), t.get("mac_address")
    if was and str(was).lower() != str(now or "").lower():
        severity = Severity.ERROR if s.get("server_id") else Severity.WARNING
        ch.add("mac_address", was, now, severity, f"MAC address changed from {was} to {fmt(now)}")


def port_security(s: JSON, t: JSON, ch: ChangeSink) -> None:
    """Port security (anti-spoofing, security groups) turned off is an error; turned on, a
    warning (a router or VIP server's traffic is then dropped); unknown on either side
    (the extension is off), not compared."""
    was, now = s.get("port_security_enabled"), t.get("port_security_enabled")
    if was is None or now is None or was == now:
        return
    if was:
        ch.add("port_security_enabled", True, False, Severity.ERROR, "lost port security")
    else:
        message = "has port security on (was off: spoofed or VIP traffic is dropped)"
        ch.add("port_security_enabled", False, True, Severity.WARNING, message)


def _port_label(item: JSON) -> str | None:
    """An unnamed port in messages: its addresses on its network."""
    if item.get("name"):
        return None
    return on_network(item, ", ".join(item.get("fixed_ips") or []) or "no address")


PORTS_SPEC = CollectionSpec(
    name="ports",
    noun="port",
    family=Family.NETWORK,
    owner=Owner.PROJECT,
    requests=(PORTS,),
    lookups=(*OWNERS, Lookup(NETWORKS)),
    per_page=True,
    key=MatchKey(
        (KeyPart("name", Rename.NAME),),
        unless="server_id",
        fallback=MatchKey(
            (KeyPart("network", Rename.NAME, of="networks"), KeyPart("fixed_ips")),
            required=("fixed_ips",),
            label=lambda key, item, rules: (
                f"a port on network {rules.name('projects', item.get('project'))}/"
                f"{key['network'] or '-'} with address(es) {fmt(key['fixed_ips'])}"
            ),
        ),
        second=SecondKey(
            "server",
            "server_id",
            through="servers",
            parts=(KeyPart("network", Rename.NAME, of="networks"),),
            label="the port on network {network} of the counterpart of server {label}",
        ),
    ),
    item_label=_port_label,
    docs="collections-network.md#ports",
    doc=(
        "Ports of network devices (``device_owner`` ``network:*``) are listed but left out"
        " of the comparison."
    ),
    fields=(
        ID,
        NAME,
        *OWNED,
        ON_NETWORK,
        Field("network_id", api("network_id"), NSTR, "Id of its network."),
        Field(
            "fixed_ips",
            api("fixed_ips", then=_addresses),
            NSTRS,
            "Sorted fixed IP addresses.",
            Kept(Severity.ERROR, "lost fixed IP(s) {lost}"),
        ),
        Field(
            "subnets",
            ids_of("fixed_ips", "subnet_id"),
            NSTRS,
            "Sorted ids of the subnets of its fixed IPs.",
            Ref(
                "subnets",
                lost="no longer has an address on subnet {label}",
                gained="now has an address on subnet {label}",
                label=subnet_text,
            ),
        ),
        Field(
            "mac_address",
            api("mac_address"),
            NSTR,
            "MAC address.",
            Custom(mac_address, "changed: error on a server's port, else warning"),
        ),
        Field(
            "allowed_address_pairs",
            derived(_pairs, "allowed_address_pairs", "mac_address"),
            schema(type=["array", "null"], items={"type": "object"}),
            "Sorted [{ip_address, mac_address}], mac_address null when the port's own.",
            Kept(
                Severity.ERROR,
                "lost allowed address pair(s) {lost}",
                key=_pair_key,
                describe=pair_text,
            ),
        ),
        Field(
            "port_security_enabled",
            api("port_security_enabled"),
            NBOOL,
            "Port security (null when the port_security extension is off).",
            Custom(port_security, "lost: error; gained: warning"),
        ),
        Field(
            "security_groups",
            api("security_groups", then=sorted_texts),
            NSTRS,
            "Sorted ids of its security groups.",
            Ref(
                "security_groups",
                lost="no longer in security group {label}",
                gained="now in security group {label}",
            ),
        ),
        Field("device_owner", api("device_owner"), NSTR, "compute:<zone>, network:dhcp..."),
        Field("device_id", api("device_id"), NSTR, "Id of the device (server, router...)."),
        Field(
            "server_id",
            derived(_server, "device_owner", "device_id"),
            NSTR,
            "Id of its server (device of a compute:* port), null for other ports.",
            Custom(floating_ip_server, "not on the server's counterpart: error", ("servers",)),
        ),
        Field(
            "status",
            api("status"),
            NSTR,
            "ACTIVE, DOWN... (not compared: a port is down while its server is off).",
        ),
        ADMIN_STATE,
        Field(
            "infrastructure",
            derived(_infrastructure, "device_owner"),
            NSTR,
            "The device_owner of a network device's port (network:*); absent otherwise.",
            optional=True,
            leaves_out=(
                "ports of network devices (router interfaces and gateways, DHCP, floating IPs):"
                " Neutron's own, compared as routers, subnets and floating IPs"
            ),
        ),
    ),
)


# -- network RBAC policies ------------------------------------------------------------------

RBAC_POLICIES = Request(
    "network.rbac_policies",
    "network",
    "/rbac-policies",
    "rbac_policies",
    query={"object_type": "network"},
    paging=Paging.UNPAGED,
)
"""Not paged by Neutron: ``limit`` would be ignored, so none is sent."""

EVERY_PROJECT = "*"
ACTIONS = {"access_as_shared": "shared with", "access_as_external": "external to"}


def _target_project(raw: JSON, reading: Reading) -> str | None:
    target = raw.get("target_tenant")
    if target == EVERY_PROJECT:
        return EVERY_PROJECT
    return reading.lookups.project_name(target) or (str(target) if target else None)


def _target_domain(raw: JSON, reading: Reading) -> str | None:
    return reading.lookups.project_domain(raw.get("target_tenant"))


def _grant(raw: JSON, reading: Reading) -> str:
    """``acme-net shared with globex``: how a grant reads."""
    network = network_named("object_id")(raw, reading)
    verb = ACTIONS.get(str(raw.get("action")), str(raw.get("action")))
    target = _target_project(raw, reading)
    whom = "every project" if target == EVERY_PROJECT else target
    return f"{network} {verb} {whom}"


GRANT = (
    KeyPart("action"),
    KeyPart("target_project", Rename.NAME, of="projects"),
    KeyPart("target_domain", Rename.DOMAIN),
)
"""What a grant gives to whom, besides its network (the rules' renaming applied)."""


RBAC_SPEC = CollectionSpec(
    name="rbac_policies",
    noun="network RBAC policy",
    family=Family.NETWORK,
    owner=Owner.PROJECT,
    requests=(RBAC_POLICIES,),
    lookups=(*OWNERS, Lookup(NETWORKS)),
    # Each grant is identified by its network (renamed), its action and its target
    # project (renamed); then by the network's counterpart, through the networks' matches.
    key=MatchKey(
        (KeyPart("network", Rename.NAME, of="networks"), *GRANT),
        required=("network", "action", "target_project"),
        second=SecondKey(
            "network",
            "object_id",
            through="networks",
            parts=GRANT,
            label="then a grant of the counterpart of network {label}",
        ),
    ),
    docs="collections-network.md#rbac_policies",
    doc="Only grants on networks (object_type network) are listed.",
    fields=(
        ID,
        Field(
            "name",
            derived(_grant, "object_id", "action", "target_tenant"),
            NSTR,
            "The grant as it reads: <network> shared with <project> (or external to).",
        ),
        *OWNED,
        Field("object_type", api("object_type"), NSTR, "network (the only type listed)."),
        Field("object_id", api("object_id"), NSTR, "Id of the network granted."),
        Field(
            "network",
            derived(network_named("object_id"), "object_id"),
            NSTR,
            "Name of the network granted (its id when unknown).",
        ),
        Field("action", api("action"), NSTR, "access_as_shared or access_as_external."),
        Field(
            "target_project_id",
            api("target_tenant"),
            NSTR,
            "Id of the project granted (target_tenant), * for every project.",
        ),
        Field(
            "target_project",
            derived(_target_project, "target_tenant"),
            NSTR,
            "Name of the project granted (its id when unknown), * for every project.",
        ),
        Field(
            "target_domain",
            derived(_target_domain, "target_tenant"),
            NSTR,
            "Domain of the project granted (null for *).",
        ),
    ),
)

SPECS = (PORTS_SPEC, RBAC_SPEC)
