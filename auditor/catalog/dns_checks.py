"""The comparisons of DNS items the policies cannot say (:mod:`auditor.catalog.dns`)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from auditor.catalog.policies import ChangeSink, CompareContext
from auditor.model import Severity

JSON = dict[str, Any]

ADDRESS_TYPES = frozenset({"A", "AAAA"})
"""Record types whose data are addresses: owned by the project, not renamed."""

WRITTEN_BY_DESIGNATE = frozenset({"SOA"})
"""Record types whose data Designate writes itself (the SOA's serial and primary server
differ in every cloud): not compared."""

OWNERS_OF_ADDRESSES = ("floating_ips", "ports", "servers")
"""Target collections that say which addresses a project owns."""


def email(s: JSON, t: JSON, ch: ChangeSink) -> None:
    """The target's e-mail must be the source's, its domain under ``rename.dns``."""
    expected = ch.ctx.rules.dns_text(s.get("email"))
    now = t.get("email")
    if (expected or "").lower() != (now or "").lower():
        ch.add(
            "email",
            expected,
            now,
            Severity.WARNING,
            f"has e-mail {now!r} (expected {expected!r})",
        )


def _addresses(collection: str, item: JSON) -> Iterable[str]:
    """Every address an item of :data:`OWNERS_OF_ADDRESSES` holds: a floating IP's is its
    name, a port's its fixed IPs, a server's those of its ``addresses``."""
    if collection == "floating_ips":
        if item.get("name"):
            yield str(item["name"])
    elif collection == "ports":
        yield from (str(a) for a in item.get("fixed_ips") or [])
    else:
        addresses = item.get("addresses")
        if isinstance(addresses, Mapping):
            for ips in addresses.values():
                yield from (str(a) for a in ips or [])


def _canonical(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return address.strip().lower()


def owned_addresses(ctx: CompareContext) -> Mapping[str, frozenset[str]] | None:
    """Target project id -> the addresses it owns, or None when no collection that
    says so was listed completely on both sides."""
    listed = [name for name in OWNERS_OF_ADDRESSES if ctx.complete.get(name)]
    if not listed:
        return None

    def build() -> dict[str, frozenset[str]]:
        owned: dict[str, set[str]] = {}
        for name in listed:
            for item in ctx.target_items.get(name, {}).values():
                project = str(item.get("project_id") or "")
                owned.setdefault(project, set()).update(
                    _canonical(a) for a in _addresses(name, item)
                )
        return {k: frozenset(v) for k, v in owned.items()}

    built: Mapping[str, frozenset[str]] = ctx.index("dns.owned_addresses", build)
    return built


def records(s: JSON, t: JSON, ch: ChangeSink) -> None:
    """Addresses (A, AAAA): each target address owned by the target's project, and no
    fewer of them; SOA: Designate's own, not compared; other types: every source record,
    its names renamed, still there (a new one: a warning)."""
    source = list(s.get("records") or [])
    target = list(t.get("records") or [])
    kind = str(t.get("type") or "").upper()
    if kind in WRITTEN_BY_DESIGNATE:
        return
    if kind in ADDRESS_TYPES:
        _addresses_owned(source, target, t, ch)
        return
    rules = ch.ctx.rules
    expected = sorted({rules.dns_text(r) or r for r in source})
    now = {r.lower() for r in target}
    lost = [r for r in expected if r.lower() not in now]
    if lost:
        ch.add(
            "records",
            expected,
            sorted(target),
            Severity.ERROR,
            f"lost record(s) {', '.join(lost)}",
        )
    else:
        known = {e.lower() for e in expected}
        gained = sorted(r for r in target if r.lower() not in known)
        if gained:
            ch.add(
                "records",
                expected,
                sorted(target),
                Severity.WARNING,
                f"gained record(s) {', '.join(gained)}",
            )


def _addresses_owned(source: list[str], target: list[str], t: JSON, ch: ChangeSink) -> None:
    if len(target) < len(source):
        ch.add(
            "records",
            len(source),
            len(target),
            Severity.ERROR,
            f"has {len(target)} address(es) instead of {len(source)}",
        )
        return
    owned = owned_addresses(ch.ctx)
    if owned is None:
        return  # nothing listed says who owns what: not judged
    mine = owned.get(str(t.get("project_id") or ""), frozenset())
    foreign = [a for a in target if _canonical(a) not in mine]
    if foreign:
        ch.add(
            "records",
            sorted(source),
            sorted(target),
            Severity.ERROR,
            f"points at {', '.join(foreign)}, not an address of project {t.get('project')}"
            " in the target",
        )
