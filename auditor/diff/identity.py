"""Comparators of the identity family: domains, regions, services, flavors, keypairs.

A flavor's access list is compared through the project matches (``ctx.maps``):
each project a private source flavor was shared with must find its
counterpart in the target flavor's access list. Without projects in both
snapshots, the renamed project names stand in for the matches.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.diff.compare import (
    JSON,
    Changes,
    Comparator,
    beside,
    compare_description,
    compare_flag,
    compare_plain,
    fmt,
)
from auditor.model import Severity

FLAVOR_SIZES = (
    ("vcpus", "vCPUs", ""),
    ("ram", "RAM", " MiB"),
    ("disk", "root disk", " GiB"),
    ("ephemeral", "ephemeral disk", " GiB"),
    ("swap", "swap", " MiB"),
)
"""Flavor fields that must not shrink: (field, label, unit)."""


def _enabled(ch: Changes, s: JSON, t: JSON) -> None:
    compare_flag(
        ch,
        "enabled",
        s,
        t,
        lost="is disabled in the target",
        gained="is enabled in the target (was disabled)",
    )


def compare_domains(s: JSON, t: JSON, ch: Changes) -> None:
    _enabled(ch, s, t)
    compare_description(ch, s, t)


def compare_regions(s: JSON, t: JSON, ch: Changes) -> None:
    expected = ch.ctx.rules.region(s.get("parent"))
    if expected != t.get("parent"):
        ch.add(
            "parent",
            expected,
            t.get("parent"),
            Severity.WARNING,
            f"has parent region {fmt(t.get('parent'))}, expected {fmt(expected)}",
        )
    compare_description(ch, s, t)


def compare_services(s: JSON, t: JSON, ch: Changes) -> None:
    _enabled(ch, s, t)
    # Matched by type when the (renamed) name found no counterpart.
    expected = ch.ctx.rules.name("services", s.get("name"))
    if expected != t.get("name"):
        ch.add(
            "name",
            expected,
            t.get("name"),
            Severity.INFO,
            f"is named {fmt(t.get('name'))}, expected {fmt(expected)}",
        )
    compare_description(ch, s, t)


def _sizes(ch: Changes, s: JSON, t: JSON) -> None:
    for field, label, unit in FLAVOR_SIZES:
        s_value, t_value = s.get(field), t.get(field)
        if not isinstance(s_value, int) or not isinstance(t_value, int) or s_value == t_value:
            continue
        if t_value < s_value:
            ch.add(
                field,
                s_value,
                t_value,
                Severity.ERROR,
                f"has less {label}: {t_value}{unit}, was {s_value}{unit}",
            )
        else:
            ch.add(
                field,
                s_value,
                t_value,
                Severity.INFO,
                f"has more {label}: {t_value}{unit}, was {s_value}{unit}",
            )


def _lost_access(ch: Changes, s: JSON, t: JSON) -> Iterable[tuple[str, str]]:
    """(target project id or expected name, label) of each project the flavor lost."""
    ctx = ch.ctx
    if ctx.complete.get("projects", False):
        mapping = ctx.maps.get("projects", {})
        actual = set(t.get("access_ids") or [])
        # A source project without a counterpart is a project finding of its own.
        expected = sorted({mapping[p] for p in s.get("access_ids") or [] if p in mapping})
        return [
            (pid, ctx.counterpart_label("projects", pid)) for pid in expected if pid not in actual
        ]
    rename = ctx.rules.name
    names = {str(rename("projects", n)) for n in s.get("access") or []}
    have = set(t.get("access") or [])
    return [(name, name) for name in sorted(names - have)]


def _gained_access(ch: Changes, s: JSON, t: JSON) -> list[str]:
    ctx = ch.ctx
    if not ctx.complete.get("projects", False):
        return []
    mapping = ctx.maps.get("projects", {})
    expected = {mapping[p] for p in s.get("access_ids") or [] if p in mapping}
    counterparts = ctx.counterparts.get("projects", frozenset())
    return sorted(
        ctx.counterpart_label("projects", p)
        for p in t.get("access_ids") or []
        if p not in expected and p in counterparts
    )


def compare_flavors(s: JSON, t: JSON, ch: Changes) -> None:
    _sizes(ch, s, t)
    s_public, t_public = s.get("is_public", True), t.get("is_public", True)
    if s_public != t_public:
        ch.add(
            "is_public",
            s_public,
            t_public,
            Severity.WARNING,
            "is private in the target (was public)"
            if s_public
            else "is public in the target (was private)",
        )
    s_specs, t_specs = s.get("extra_specs"), t.get("extra_specs")
    # null: listed before compute 2.61, the specs are unknown.
    if s_specs is not None and t_specs is not None and s_specs != t_specs:
        keys = sorted(k for k in set(s_specs) | set(t_specs) if s_specs.get(k) != t_specs.get(k))
        ch.add(
            "extra_specs",
            s_specs,
            t_specs,
            Severity.WARNING,
            f"extra specs differ ({fmt(keys)})",
        )
    # A public target flavor is every project's: only private ones can lose a project.
    if s_public or t_public or not ch.wanted("access"):
        return
    lost = list(_lost_access(ch, s, t))
    if lost:
        ch.add(
            "access",
            [key for key, _label in lost],
            None,
            Severity.ERROR,
            f"is no longer shared with project(s) {fmt([label for _key, label in lost])}",
            texts=(", ".join(beside(label, key) for key, label in lost), None),
        )
        if ch.ctx.complete.get("projects", False):
            ch.affects(key for key, _label in lost)
    gained = _gained_access(ch, s, t)
    if gained:
        ch.add("access", None, gained, Severity.INFO, f"is now shared with {fmt(gained)} too")


def compare_keypairs(s: JSON, t: JSON, ch: Changes) -> None:
    owner = f"{t.get('domain') or '-'}/{t.get('user') or t.get('user_id')}"
    if s.get("fingerprint") != t.get("fingerprint"):
        ch.add(
            "fingerprint",
            s.get("fingerprint"),
            t.get("fingerprint"),
            Severity.ERROR,
            f"of user {owner} holds a different public key (fingerprint"
            f" {fmt(t.get('fingerprint'))}, was {fmt(s.get('fingerprint'))}): the private key"
            " the tenant has no longer opens its servers",
        )
    compare_plain(ch, "type", s.get("type"), t.get("type"), Severity.WARNING, "keypair type")


COMPARATORS: dict[str, Comparator] = {
    "domains": compare_domains,
    "regions": compare_regions,
    "services": compare_services,
    "flavors": compare_flavors,
    "keypairs": compare_keypairs,
}
