"""Neutron security groups, with the rules they embed.

The listing is the one GET that can make Neutron write (the caller's
``default`` group: see :mod:`auditor.catalog.network`), so security groups are
never listed unless named. Rules are read where the groups embed them, their
remote groups named through the same listing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.catalog import network_checks as checks
from auditor.catalog.common import DESCRIPTION, ID, NAME, api_field
from auditor.catalog.identity import OWNERS
from auditor.catalog.network import OWNED, SECURITY_GROUPS
from auditor.catalog.policies import (
    Renamed,
    SetOf,
)
from auditor.catalog.sources import Each, NameInListing
from auditor.catalog.spec import (
    CollectionSpec,
    Family,
    Field,
    Owner,
    Record,
)
from auditor.catalog.types import NINT, NSTR, schema
from auditor.model import Severity

JSON = dict[str, Any]


# -- security groups --------------------------------------------------------------------------

PROTOCOLS: Mapping[str, str | None] = {
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

ANYWHERE = frozenset({"0.0.0.0/0", "::/0"})


def protocol_name(value: Any) -> str | None:
    if value is None or value == "":
        return None
    text = str(value).lower()
    return PROTOCOLS.get(text, text)


def prefix(value: Any) -> str | None:
    # Neutron holds 0.0.0.0/0, ::/0 and no prefix for the same rule.
    if not value or value in ANYWHERE:
        return None
    return str(value)


def rule_key(rule: Mapping[str, Any]) -> tuple[str, str, str, int, int, str, str]:
    """The sort key of a rule (ports in numeric order, none first)."""
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


SG_RULE = Record(
    "security group rule",
    (
        api_field("direction", NSTR, "ingress or egress."),
        api_field("ethertype", NSTR, "IPv4 or IPv6."),
        api_field("protocol", NSTR, "tcp, udp, icmp... (numbers named).", then=protocol_name),
        api_field("port_range_min", NINT, "Lowest port (ICMP type), null for any."),
        api_field("port_range_max", NINT, "Highest port (ICMP code), null for any."),
        api_field(
            "remote_ip_prefix",
            NSTR,
            "CIDR; null for anywhere (0.0.0.0/0, ::/0 and none are one rule).",
            then=prefix,
        ),
        Field(
            "remote_group",
            NameInListing("remote_group_id"),
            NSTR,
            "Remote group by name (compared through the groups' matches, else renamed).",
            Renamed(
                Severity.ERROR,
                "remote group {now}, expected {expected}",
                of="security_groups",
                matched=True,
            ),
        ),
    ),
    sort_key=rule_key,
)

SECURITY_GROUPS_SPEC = CollectionSpec(
    name="security_groups",
    noun="security group",
    family=Family.NETWORK,
    owner=Owner.PROJECT,
    requests=(SECURITY_GROUPS,),
    lookups=OWNERS,
    # A project's default group: one per project, merged by a fold.
    singleton=lambda item: item.get("name") == "default",
    docs="collections-network.md#security_groups",
    doc="Listed only when named: the listing is the one GET that can make Neutron write.",
    fields=(
        ID,
        NAME,
        *OWNED,
        DESCRIPTION,
        Field(
            "rules",
            Each("security_group_rules", SG_RULE),
            schema(type=["array", "null"], items={"type": "object"}),
            "Sorted rules: {direction, ethertype, protocol, port_range_min, port_range_max,"
            " remote_ip_prefix, remote_group}, remote_group by name.",
            SetOf(
                SG_RULE,
                describe=checks.describe_rule,
                lost="lost rule {text}",
                gained="gained rule {text}",
            ),
        ),
    ),
)


SPECS = (SECURITY_GROUPS_SPEC,)
