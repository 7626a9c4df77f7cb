"""Comparisons of network fields whose meaning no generic policy holds, and how rules,
routes and subnets read in messages.

Cross-references go through the matches: a subnet must sit on its network's
counterpart, a network must hold the counterparts of its subnets, a floating
IP must point to the counterpart of its server. Without the referenced
collection in the diff, names after renaming stand in for the matches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from auditor.catalog.policies import ChangeSink
from auditor.catalog.text import beside, fmt
from auditor.model import Severity

JSON = dict[str, Any]

SHARED_CAVEAT = (
    "Neutron's shared flag says only whether the network is shared with every project or"
    " with the auditor's own project; grants to other projects are not visible in it"
)
"""Why shared is information only (neutron ``_is_network_shared``)."""


def subnet_label(subnet: Mapping[str, Any]) -> str:
    """How a network names its subnet: the subnet's name, its CIDR when unnamed."""
    return str(subnet.get("name") or subnet.get("cidr") or subnet["id"])


def subnet_text(subnet: Mapping[str, Any]) -> str:
    """A subnet for messages: project/name, or project/CIDR when unnamed."""
    name = subnet_label(subnet)
    return f"{subnet['project']}/{name}" if subnet.get("project") else name


def route_key(route: Mapping[str, Any]) -> tuple[Any, Any]:
    return route.get("destination"), route.get("nexthop")


def route_text(route: Mapping[str, Any]) -> str:
    """``10.9.0.0/16 via 10.0.0.254``."""
    return f"{route.get('destination')} via {route.get('nexthop')}"


def routes_text(routes: Iterable[Mapping[str, Any]]) -> str:
    return ", ".join(route_text(r) for r in routes) or "none"


def describe_rule(rule: Mapping[str, Any]) -> str:
    """``ingress IPv4 tcp port 22 from 198.51.100.0/24``."""
    parts = [str(rule.get("direction")), str(rule.get("ethertype")), rule.get("protocol") or "any"]
    low, high = rule.get("port_range_min"), rule.get("port_range_max")
    if rule.get("protocol") in ("icmp", "ipv6-icmp"):
        if low is not None:
            parts.append(f"type {low}" + (f" code {high}" if high is not None else ""))
    elif low is not None:
        parts.append(f"port {low}" if low == high else f"ports {low}-{high}")
    side = "from" if rule.get("direction") == "ingress" else "to"
    if rule.get("remote_group"):
        parts.append(f"{side} group {rule['remote_group']}")
    else:
        parts.append(f"{side} {rule.get('remote_ip_prefix') or 'anywhere'}")
    return " ".join(parts)


def _by_network(items: Mapping[str, JSON]) -> dict[str, list[str]]:
    """Network id -> ids of the subnets on it."""
    index: dict[str, list[str]] = {}
    for subnet_id, subnet in items.items():
        index.setdefault(str(subnet.get("network_id")), []).append(subnet_id)
    return index


def network_subnets(s: JSON, t: JSON, ch: ChangeSink) -> None:
    """The counterpart of each subnet on the source network must be on the target one
    (through the subnets' matches; by renamed name without subnets in the diff)."""
    ctx = ch.ctx
    if "subnets" in ctx.complete:
        source = ctx.index(
            "subnets.source.by_network", lambda: _by_network(ctx.source_items.get("subnets", {}))
        )
        target = ctx.index(
            "subnets.target.by_network", lambda: _by_network(ctx.target_items.get("subnets", {}))
        )
        ch.refs(
            "subnets",
            source.get(str(s["id"]), ()),
            target.get(str(t["id"]), ()),
            "subnets",
            lost="lost subnet {label}",
            gained="now has subnet {label}",
            label=subnet_text,
        )
        return
    expected = {str(ctx.rules.name("subnets", n)) for n in s.get("subnets") or []}
    lost = sorted(expected - set(t.get("subnets") or []))
    if lost:
        message = f"lost subnet(s) {fmt(lost)}"
        ch.add("subnets", sorted(expected), t.get("subnets"), Severity.ERROR, message)


def subnet_network(s: JSON, t: JSON, ch: ChangeSink) -> None:
    """A subnet must be on its network's counterpart."""
    ctx = ch.ctx
    if ctx.complete.get("networks"):
        expected = ctx.maps.get("networks", {}).get(str(s.get("network_id")))
        if expected is not None and str(t.get("network_id")) != expected:
            ch.add(
                "network",
                ctx.counterpart_label("networks", expected),
                t.get("network"),
                Severity.ERROR,
                f"is on network {fmt(t.get('network'))},"
                f" expected {ctx.counterpart_label('networks', expected)}",
            )
    elif "networks" not in ctx.complete:
        expected_name = ctx.rules.name("networks", s.get("network"))
        if expected_name != t.get("network"):
            ch.add(
                "network",
                expected_name,
                t.get("network"),
                Severity.ERROR,
                f"is on network {fmt(t.get('network'))}, expected {fmt(expected_name)}",
            )


def router_gateway(s: JSON, t: JSON, ch: ChangeSink) -> None:
    """A lost gateway (error), a new one (info); with both, SNAT turned on or off
    (warning). Which external network is not compared: the target's are its own
    (provider networks are seldom migrated); only a lost gateway loses substance."""
    s_gw, t_gw = s.get("external_network"), t.get("external_network")
    if s_gw and not t_gw:
        ch.add("external_network", s_gw, None, Severity.ERROR, f"lost its gateway (on {s_gw})")
    elif t_gw and not s_gw:
        ch.add("external_network", None, t_gw, Severity.INFO, f"has a gateway on {t_gw} (had none)")
    elif s_gw and t_gw:
        s_snat, t_snat = s.get("enable_snat"), t.get("enable_snat")
        if s_snat is not None and t_snat is not None and s_snat != t_snat:
            message = "no longer does SNAT" if s_snat else "now does SNAT"
            ch.add("enable_snat", s_snat, t_snat, Severity.WARNING, message)


def floating_ip_server(s: JSON, t: JSON, ch: ChangeSink) -> None:
    """A floating IP must point to the counterpart of its server (error); one that
    points to a server now and did not is information."""
    ctx = ch.ctx
    if not ctx.complete.get("servers") or not ch.wanted("server_id"):
        return
    servers = ctx.maps.get("servers", {})
    expected = servers.get(str(s.get("server_id"))) if s.get("server_id") else None
    actual = str(t["server_id"]) if t.get("server_id") else None
    if expected is not None and actual != expected:
        now = ctx.counterpart_label("servers", actual) if actual else "nothing"
        wanted = ctx.counterpart_label("servers", expected)
        ch.add(
            "server_id",
            expected,
            actual,
            Severity.ERROR,
            f"no longer points to server {wanted} (points to {now})",
            texts=(beside(wanted, expected), beside(now, actual) if actual else None),
        )
    elif not s.get("server_id") and actual in ctx.counterparts.get("servers", frozenset()):
        now = ctx.counterpart_label("servers", str(actual))
        ch.add(
            "server_id",
            None,
            actual,
            Severity.INFO,
            f"now points to server {now}",
            texts=(None, beside(now, actual)),
        )


def floating_ip_address(s: JSON, t: JSON, ch: ChangeSink) -> None:
    """Another address (information): matched by its server, a floating IP moved to the
    target's range is benign."""
    expected = ch.ctx.rules.name("floating_ips", s.get("name"))
    if ch.matched_by != "name" and expected != t.get("name"):
        ch.add(
            "name",
            expected,
            t.get("name"),
            Severity.INFO,
            f"address changed from {fmt(s.get('name'))} to {fmt(t.get('name'))}",
        )
