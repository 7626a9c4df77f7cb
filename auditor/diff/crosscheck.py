"""Independent count cross-checks: what was listed against the services' own counters.

A listing can come back short with no paging error (a service's page cap, a
policy that hides items, a cell that answers nothing). Each service also keeps
its own count of what a project uses, for its quotas: Nova's ``in_use``
(instances, cores, ram), Cinder's (volumes, gigabytes, snapshots, backups,
backup_gigabytes), Neutron's ``used`` (networks, subnets, routers, floating
IPs, security groups and their rules). The ``quotas`` collection records them
per project, and ``auditor audit`` reads the ones its listed collections can be
compared with even when that collection is not listed (the snapshot's
``counters``: cross-check data, never compared as quota sets); here they are
compared with the figures of the listed items of the same project: counts,
and sums (the servers' flavors' vCPUs and RAM, the volumes' and snapshots'
GiB). Counters that could not be read (a member's credentials, a policy that
refuses them) skip the cross-check of their service with a note.

A disagreement is a ``count_mismatch`` finding (a warning by default) naming the
project, the counter, the listed figure and the service's; it never turns
into missing or unexpected items. A figure is compared only when its
collections and the project's quota set were listed completely. Counters can
drift from the truth on their own (docs/evidence.md says which and how to
resync them): the finding says the two disagree, not which one is wrong.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from auditor.diff.flux import explain_count
from auditor.model import JSON, Finding, Kind, Ref, Severity, Snapshot
from auditor.model.ids import finding_id

SERVICES = {"compute": "Nova", "block-storage": "Cinder", "network": "Neutron"}
"""How messages name the service of a quota set."""

Items = Mapping[str, Sequence[JSON]]
"""One project's listed items, by collection."""


def _count(collection: str) -> Callable[[Items], tuple[int, ...]]:
    return lambda items: (len(items[collection]),)


def _flavor_sum(key: str) -> Callable[[Items], tuple[int, ...]]:
    def figure(items: Items) -> tuple[int, ...]:
        return (sum(int((s.get("flavor") or {}).get(key) or 0) for s in items["servers"]),)

    return figure


def _gigabytes(items: Items) -> tuple[int, ...]:
    volumes = sum(int(v.get("size") or 0) for v in items["volumes"])
    snapshots = sum(int(s.get("size") or 0) for s in items["volume_snapshots"])
    # Cinder counts snapshots' GiB too, unless no_snapshot_gb_quota is set.
    return (volumes + snapshots, volumes)


def _backup_gigabytes(items: Items) -> tuple[int, ...]:
    return (sum(int(b.get("size") or 0) for b in items["volume_backups"]),)


def _rules(items: Items) -> tuple[int, ...]:
    return (sum(len(g.get("rules") or ()) for g in items["security_groups"]),)


@dataclass(frozen=True)
class Counter:
    """One usage counter of one service, and the listed figure it should equal."""

    service: str
    """The quota set's service: compute, block-storage or network."""
    resource: str
    """The counter's name in the quota set."""
    collections: tuple[str, ...]
    """The listed collections the figure is made of (the first names the finding)."""
    unit: str
    """What the counter counts, as messages say it (``instances``, ``MiB of RAM``)."""
    listed: str
    """What the listed figure is made of (``servers``, ``servers' flavors``)."""
    figure: Callable[[Items], tuple[int, ...]]
    """The listed figure, and other figures the service may count instead (a setting)."""


def _counter(
    service: str,
    resource: str,
    collections: str,
    unit: str,
    listed: str,
    figure: Callable[[Items], tuple[int, ...]] | None = None,
) -> Counter:
    names = tuple(collections.split())
    return Counter(service, resource, names, unit, listed, figure or _count(names[0]))


COUNTERS = (
    _counter("compute", "instances", "servers", "instances", "servers"),
    _counter("compute", "cores", "servers", "cores", "servers' flavors", _flavor_sum("vcpus")),
    _counter("compute", "ram", "servers", "MiB of RAM", "servers' flavors", _flavor_sum("ram")),
    _counter("block-storage", "volumes", "volumes", "volumes", "volumes"),
    _counter(
        "block-storage", "gigabytes", "volumes volume_snapshots", "GiB", "volumes and snapshots",
        _gigabytes,
    ),
    _counter("block-storage", "snapshots", "volume_snapshots", "snapshots", "snapshots"),
    _counter("block-storage", "backups", "volume_backups", "backups", "backups"),
    _counter(
        "block-storage", "backup_gigabytes", "volume_backups", "GiB of backups", "backups",
        _backup_gigabytes,
    ),
    _counter("network", "network", "networks", "networks", "networks"),
    _counter("network", "subnet", "subnets", "subnets", "subnets"),
    _counter("network", "router", "routers", "routers", "routers"),
    _counter("network", "floatingip", "floating_ips", "floating IPs", "floating IPs"),
    _counter("network", "security_group", "security_groups", "security groups", "security groups"),
    _counter(
        "network", "security_group_rule", "security_groups", "security group rules",
        "security groups' rules", _rules,
    ),
)  # fmt: skip
"""Every counter compared: its service's name of it, and the listed figure it should equal."""


def _listed(item: JSON) -> bool:
    # A migration's temporary target volume is no volume of the tenant's quota.
    return "migration_target_of" not in item


def counter_services(collections: Iterable[str]) -> tuple[str, ...]:
    """The services whose usage counters the cross-check can compare with a listing of
    ``collections`` (Nova's with the servers, Cinder's with the volumes...), in order."""
    listed = set(collections)
    return tuple(
        sorted({c.service for c in COUNTERS if set(c.collections) <= listed}, key=_SERVICES.index)
    )


_SERVICES = tuple(SERVICES)


def _quota_sets(snapshot: Snapshot) -> tuple[JSON, ...] | None:
    """The quota sets with usage the snapshot holds: its quotas collection's, else the
    usage counters read for the cross-check (those of services that could be read);
    None: neither."""
    quotas = snapshot.collections.get("quotas")
    if quotas is not None:
        return quotas.items
    if not snapshot.counters:
        return None
    return tuple(
        item for result in snapshot.counters.values() if result.complete for item in result.items
    )


def cross_check_notes(
    sources: Iterable[tuple[Snapshot, str | None]], target: Snapshot
) -> list[str]:
    """One note per snapshot whose usage counters could not all be read: the cross-check
    of those services was skipped (never a finding: the listings are not in doubt)."""
    notes = []
    sides = [(s, "source", label) for s, label in sources] + [(target, "target", None)]
    for snapshot, side, label in sides:
        unread = {s: r.error for s, r in snapshot.counters.items() if not r.complete}
        if not unread:
            continue
        services = ", ".join(f"{SERVICES.get(s, s)}'s" for s in unread)
        reasons = "; ".join(dict.fromkeys(str(why) for why in unread.values()))
        name = label or f"{snapshot.cloud}"
        notes.append(
            f"count cross-check skipped on the {side} ({name}): {services} usage counters"
            f" could not be read ({reasons})"
        )
    return notes


def cross_check(
    snapshot: Snapshot,
    side: str,
    severity_of: Callable[[str, Kind], Severity],
    origin: str | None = None,
) -> list[Finding]:
    """The ``count_mismatch`` findings of one snapshot (``side``: source or target)."""
    quota_sets = _quota_sets(snapshot)
    if quota_sets is None:
        return []
    complete = {name for name, result in snapshot.collections.items() if result.complete}
    by_project: dict[str, dict[str, list[JSON]]] = defaultdict(lambda: defaultdict(list))
    for name in {c for counter in COUNTERS for c in counter.collections} & complete:
        for item in snapshot.collections[name].items:
            if item.get("project_id") and _listed(item):
                by_project[str(item["project_id"])][name].append(item)
    findings = []
    for quota in quota_sets:
        usage = quota.get("usage") or {}
        project_id = str(quota.get("project_id") or "")
        items = by_project.get(project_id, defaultdict(list))
        for counter in COUNTERS:
            counted = usage.get(counter.resource)
            if (
                counter.service != quota.get("name")
                or counted is None
                or not set(counter.collections) <= complete
            ):
                continue
            figures = counter.figure(items)
            if counted in figures:
                continue
            listed = figures[0]
            found = _finding(snapshot, side, quota, counter, listed, counted, severity_of, origin)
            # A project whose items changed inside the audit window: in flux, not a mismatch.
            findings.append(explain_count(found, snapshot, severity_of))
    return findings


def _finding(
    snapshot: Snapshot,
    side: str,
    quota: JSON,
    counter: Counter,
    listed: int,
    counted: int,
    severity_of: Callable[[str, Kind], Severity],
    origin: str | None,
) -> Finding:
    collection = counter.collections[0]
    project = quota.get("project") or quota.get("project_id")
    about = Ref(str(quota.get("project_id")), quota.get("project"), domain=quota.get("domain"))
    service = SERVICES.get(counter.service, counter.service)
    return Finding(
        id=finding_id(
            Kind.COUNT_MISMATCH, collection, side, str(quota.get("project_id")), counter.resource
        ),
        kind=Kind.COUNT_MISMATCH,
        collection=collection,
        severity=severity_of(collection, Kind.COUNT_MISMATCH),
        message=(
            f"{side} {snapshot.cloud}: {service} says project {project} uses {counted}"
            f" {counter.unit} ({counter.resource}); the listed {counter.listed} come to {listed}"
        ),
        source=about if side == "source" else None,
        target=about if side == "target" else None,
        side=side,
        project=quota.get("project"),
        origin=origin,
    )


def cross_checks(
    sources: Iterable[tuple[Snapshot, str | None]],
    target: Snapshot,
    severity_of: Callable[[str, Kind], Severity],
) -> list[Finding]:
    """Every snapshot's count_mismatch findings: each source (with its origin label in a
    merger), then the target."""
    found = [
        f
        for snapshot, origin in sources
        for f in cross_check(snapshot, "source", severity_of, origin)
    ]
    return found + cross_check(target, "target", severity_of)
