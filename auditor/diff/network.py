"""Comparators of the network family: networks, subnets, routers, security groups,
floating IPs; and the server <-> security group relationship the servers comparator uses.

Cross-references go through the matches (``ctx.maps``): a subnet must sit on
its network's counterpart, a router must have an interface on the
counterpart of each of its subnets, a floating IP must point to the
counterpart of its server. Without the referenced collection in both
snapshots, names after renaming stand in for the matches.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from auditor.diff.compare import (
    JSON,
    Changes,
    Comparator,
    beside,
    compare_description,
    compare_flag,
    compare_plain,
    compare_status,
    fmt,
)
from auditor.model import Severity

# -- shared -----------------------------------------------------------------------------


def _admin_state(ch: Changes, s: JSON, t: JSON) -> None:
    compare_flag(
        ch,
        "admin_state_up",
        s,
        t,
        lost="is administratively down",
        gained="is administratively up (was down)",
    )


def _subnet_label(ch: Changes, target_id: str) -> str:
    """A target subnet for messages: project/name, or project/CIDR when unnamed."""
    subnet = ch.ctx.target_items.get("subnets", {}).get(target_id)
    if subnet is None:
        return target_id
    name = subnet.get("name") or subnet.get("cidr") or target_id
    return f"{subnet['project']}/{name}" if subnet.get("project") else str(name)


def _compare_subnets_of(
    ch: Changes,
    field: str,
    source_ids: Iterable[str],
    target_ids: Iterable[str],
    lost: str,
    gained: str,
) -> None:
    """:func:`compare_refs` through the subnets' matches, naming unnamed subnets by CIDR."""
    ctx = ch.ctx
    if not ctx.complete.get("subnets", False) or not ch.wanted(field):
        return
    mapping = ctx.maps.get("subnets", {})
    expected = sorted({mapping[s] for s in source_ids if s in mapping})
    actual = set(target_ids)
    for target_id in expected:
        if target_id not in actual:
            label = _subnet_label(ch, target_id)
            ch.add(
                field,
                target_id,
                None,
                Severity.ERROR,
                f"{lost} {label}",
                texts=(beside(label, target_id), None),
            )
    counterparts = ctx.counterparts.get("subnets", frozenset())
    for target_id in sorted(t for t in actual if t not in expected and t in counterparts):
        label = _subnet_label(ch, target_id)
        ch.add(
            field,
            None,
            target_id,
            Severity.INFO,
            f"{gained} {label}",
            texts=(None, beside(label, target_id)),
        )


def _by_network(items: Mapping[str, JSON]) -> dict[str, list[str]]:
    """Network id -> ids of the subnets on it."""
    index: dict[str, list[str]] = {}
    for subnet_id, subnet in items.items():
        index.setdefault(str(subnet.get("network_id")), []).append(subnet_id)
    return index


# -- networks -----------------------------------------------------------------------------


# Why shared is information only (neutron _is_network_shared).
SHARED_CAVEAT = (
    "Neutron's shared flag says only whether the network is shared with every project or"
    " with the auditor's own project; grants to other projects are not visible in it"
)


def compare_networks(s: JSON, t: JSON, ch: Changes) -> None:
    compare_status(ch, s, t, with_previous=False)
    _admin_state(ch, s, t)
    for field, severity in (("external", Severity.WARNING), ("shared", Severity.INFO)):
        was, now = bool(s.get(field)), bool(t.get(field))
        if was != now:
            told = f"shared flag {'cleared' if was else 'set'} ({SHARED_CAVEAT})"
            if field == "external":
                told = "is no longer external" if was else "is now external"
            ch.add(field, was, now, severity, told)
    s_mtu, t_mtu = s.get("mtu"), t.get("mtu")
    if isinstance(s_mtu, int) and isinstance(t_mtu, int) and s_mtu != t_mtu:
        smaller = t_mtu < s_mtu
        ch.add(
            "mtu",
            s_mtu,
            t_mtu,
            Severity.WARNING if smaller else Severity.INFO,
            f"MTU {'shrank' if smaller else 'grew'} from {s_mtu} to {t_mtu}",
        )
    ctx = ch.ctx
    if "subnets" in ctx.complete:
        # Through the subnets' matches: the counterpart of each subnet on the
        # source network must be on the target network.
        source = ctx.index(
            "subnets.source.by_network", lambda: _by_network(ctx.source_items.get("subnets", {}))
        )
        target = ctx.index(
            "subnets.target.by_network", lambda: _by_network(ctx.target_items.get("subnets", {}))
        )
        _compare_subnets_of(
            ch,
            "subnets",
            source.get(str(s["id"]), ()),
            target.get(str(t["id"]), ()),
            "lost subnet",
            "now has subnet",
        )
        return
    r = ctx.rules
    expected = {str(r.name("subnets", n)) for n in s.get("subnets") or []}
    lost = sorted(expected - set(t.get("subnets") or []))
    if lost:
        ch.add(
            "subnets",
            sorted(expected),
            t.get("subnets"),
            Severity.ERROR,
            f"lost subnet(s) {fmt(lost)}",
        )


# -- subnets ---------------------------------------------------------------------------------


def compare_subnets(s: JSON, t: JSON, ch: Changes) -> None:
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
    compare_plain(ch, "cidr", s.get("cidr"), t.get("cidr"), Severity.ERROR, "CIDR")
    compare_plain(
        ch, "gateway_ip", s.get("gateway_ip"), t.get("gateway_ip"), Severity.WARNING, "gateway"
    )
    compare_flag(ch, "enable_dhcp", s, t, lost="lost DHCP", gained="has DHCP on (was off)")
    compare_plain(
        ch,
        "dns_nameservers",
        s.get("dns_nameservers") or [],
        t.get("dns_nameservers") or [],
        Severity.WARNING,
        "DNS servers",
    )
    s_routes, t_routes = s.get("host_routes") or [], t.get("host_routes") or []
    if s_routes != t_routes:
        ch.add(
            "host_routes",
            s_routes,
            t_routes,
            Severity.WARNING,
            f"host routes changed from {_routes(s_routes)} to {_routes(t_routes)}",
            texts=(_routes(s_routes), _routes(t_routes)),
        )


def _routes(routes: Iterable[Mapping[str, Any]]) -> str:
    return ", ".join(f"{r.get('destination')} via {r.get('nexthop')}" for r in routes) or "none"


# -- routers ----------------------------------------------------------------------------------


def compare_routers(s: JSON, t: JSON, ch: Changes) -> None:
    compare_status(ch, s, t, with_previous=False)
    _admin_state(ch, s, t)
    s_gw, t_gw = s.get("external_network"), t.get("external_network")
    if s_gw and not t_gw:
        ch.add("external_network", s_gw, None, Severity.ERROR, f"lost its gateway (on {s_gw})")
    elif t_gw and not s_gw:
        ch.add("external_network", None, t_gw, Severity.INFO, f"has a gateway on {t_gw} (had none)")
    elif s_gw and t_gw:
        # Which external network: not compared, the target's are its own (provider
        # networks are seldom migrated); only a lost gateway loses substance.
        s_snat, t_snat = s.get("enable_snat"), t.get("enable_snat")
        if s_snat is not None and t_snat is not None and s_snat != t_snat:
            ch.add(
                "enable_snat",
                s_snat,
                t_snat,
                Severity.WARNING,
                "no longer does SNAT" if s_snat else "now does SNAT",
            )
    _compare_subnets_of(
        ch,
        "interfaces",
        s.get("interfaces") or [],
        t.get("interfaces") or [],
        "no longer has an interface on subnet",
        "now has an interface on subnet",
    )
    s_routes = {(r.get("destination"), r.get("nexthop")) for r in s.get("routes") or []}
    t_routes = {(r.get("destination"), r.get("nexthop")) for r in t.get("routes") or []}
    lost = sorted(s_routes - t_routes, key=str)
    if lost:
        ch.add(
            "routes",
            s.get("routes"),
            t.get("routes"),
            Severity.WARNING,
            f"lost route(s) {', '.join(f'{d} via {n}' for d, n in lost)}",
            texts=(_routes(s.get("routes") or []), _routes(t.get("routes") or [])),
        )


# -- security groups --------------------------------------------------------------------------

RULE_FIELDS = (
    "direction",
    "ethertype",
    "protocol",
    "port_range_min",
    "port_range_max",
    "remote_ip_prefix",
    "remote_group",
)


def rule_key(rule: Mapping[str, Any]) -> tuple[Any, ...]:
    """What makes two rules the same rule."""
    return tuple(rule.get(k) for k in RULE_FIELDS)


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


def compare_security_groups(s: JSON, t: JSON, ch: Changes) -> None:
    r = ch.ctx.rules
    s_rules = [
        {**rule, "remote_group": r.name("security_groups", rule.get("remote_group"))}
        if rule.get("remote_group")
        else rule
        for rule in s.get("rules") or []
    ]
    t_rules = list(t.get("rules") or [])
    s_keys = Counter(rule_key(rule) for rule in s_rules)
    t_keys = Counter(rule_key(rule) for rule in t_rules)
    lost_keys = s_keys - t_keys
    gained_keys = t_keys - s_keys
    for rule in s_rules:
        key = rule_key(rule)
        if lost_keys[key] > 0:
            lost_keys[key] -= 1
            ch.add(
                "rules",
                rule,
                None,
                Severity.ERROR,
                f"lost rule {describe_rule(rule)}",
                texts=(describe_rule(rule), None),
            )
    for rule in t_rules:
        key = rule_key(rule)
        if gained_keys[key] > 0:
            gained_keys[key] -= 1
            ch.add(
                "rules",
                None,
                rule,
                Severity.WARNING,
                f"gained rule {describe_rule(rule)}",
                texts=(None, describe_rule(rule)),
            )
    compare_description(ch, s, t)


def expected_security_groups(ch: Changes, server: JSON) -> set[str]:
    """The names the target counterpart of ``server`` must list as its security groups.

    Servers name their groups (Nova says no id). With the security groups in
    both snapshots, each source group is found by (project, name) and its
    counterpart's name is expected, whatever strategy matched it; otherwise
    (or for a group without counterpart) the renamed name is.
    """
    ctx = ch.ctx
    rename = ctx.rules.name
    names = server.get("security_groups") or []
    if not ctx.complete.get("security_groups"):
        return {str(rename("security_groups", g)) for g in names}
    by_name = ctx.index(
        "security_groups.source.by_project_name",
        lambda: {
            (g.get("project_id"), g.get("name")): gid
            for gid, g in ctx.source_items.get("security_groups", {}).items()
        },
    )
    mapping = ctx.maps.get("security_groups", {})
    targets = ctx.target_items.get("security_groups", {})
    expected = set()
    for name in names:
        target_id = mapping.get(by_name.get((server.get("project_id"), name)) or "")
        target = targets.get(target_id) if target_id else None
        if target is not None and target.get("name"):
            expected.add(str(target["name"]))
        else:
            expected.add(str(rename("security_groups", name)))
    return expected


# -- floating IPs ------------------------------------------------------------------------------


def compare_floating_ips(s: JSON, t: JSON, ch: Changes) -> None:
    ctx = ch.ctx
    if ctx.complete.get("servers") and ch.wanted("server_id"):
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
    compare_status(ch, s, t, with_previous=False)
    expected = ch.ctx.rules.name("floating_ips", s.get("name"))
    # Matched by its server, a floating IP moved to the target's range: benign.
    if ch.matched_by != "name" and expected != t.get("name"):
        ch.add(
            "name",
            expected,
            t.get("name"),
            Severity.INFO,
            f"address changed from {fmt(s.get('name'))} to {fmt(t.get('name'))}",
        )
    compare_description(ch, s, t)


COMPARATORS: dict[str, Comparator] = {
    "networks": compare_networks,
    "subnets": compare_subnets,
    "routers": compare_routers,
    "security_groups": compare_security_groups,
    "floating_ips": compare_floating_ips,
}
