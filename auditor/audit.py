"""The use cases: what ``inventory``, ``diff``, ``audit`` and ``demo`` do, one frozen
options object in, documents out.

No file, no environment variable, no console here: the application layer
(:mod:`auditor.app`) reads the inputs, builds :class:`AuditOptions` from the command
line with one function, and writes the outputs. This module is also the one through
which it reaches the collection layer (the collection names, :class:`RetryPolicy`,
:class:`Deadline`, connections), so that layer can change behind it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from auditor.clouds import CloudTarget, ConfigSource, Deadline, RetryPolicy
from auditor.collect import COLLECTIONS, CORE_COLLECTIONS, parse_collections
from auditor.defaults import DEFAULT_TIMEOUT
from auditor.diff.crosscheck import counter_services
from auditor.diff.flux import rereads_wanted
from auditor.diff.outcome import Outcome, compare
from auditor.model import CollectionResult, Report, Severity, Snapshot
from auditor.model.flux import DEFAULT_MAX_REREADS
from auditor.rules import Rules
from auditor.secrets import Redactor

if TYPE_CHECKING:
    from auditor.collect import InventoryObserver
    from auditor.collect.flux import Budget
    from auditor.idmap import IdMap
    from auditor.waivers import Waivers

# The collection layer (auditor.collect's walking, auditor.connect) imports openstacksdk,
# keystoneauth and requests: the functions that connect and list import it, so a diff of
# saved snapshots, which touches no cloud, starts without them.

JSON = dict[str, Any]

KNOWN_COLLECTIONS: tuple[str, ...] = tuple(sorted(COLLECTIONS))
"""Every collection the auditor can list (``--collections``)."""

__all__ = [
    "CORE_COLLECTIONS",
    "DEFAULT_MAX_REREADS",
    "DEFAULT_TIMEOUT",
    "KNOWN_COLLECTIONS",
    "AuditOptions",
    "AuditResult",
    "CloudTarget",
    "Clouds",
    "ConfigSource",
    "Deadline",
    "OpenInventory",
    "RetryPolicy",
    "compare_snapshots",
    "open_inventory",
    "parse_collections",
    "run_audit",
]


@dataclass(frozen=True)
class Clouds:
    """The clouds of an audit: one source or several (a merger), and the target."""

    sources: tuple[CloudTarget, ...]
    """Each source, labelled in the report by its ``NAME[@REGION]``."""
    target: CloudTarget
    config: ConfigSource = field(default_factory=ConfigSource)
    """Where their clouds.yaml profiles come from."""

    @property
    def all(self) -> tuple[CloudTarget, ...]:
        """The sources, then the target."""
        return (*self.sources, self.target)


@dataclass(frozen=True)
class AuditOptions:
    """How ``inventory``, ``diff``, ``audit`` and ``demo`` run; one object for all four, so
    they cannot drift apart. The defaults are the command line's."""

    collections: tuple[str, ...] = CORE_COLLECTIONS
    """What to list (``--collections``), validated by :func:`parse_collections`."""
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    """Attempts per page and the run's deadline (``--retries``, ``--deadline``)."""
    timeout: float = DEFAULT_TIMEOUT
    """Seconds of every HTTP request (``--timeout``)."""
    fail_on: Severity = Severity.ERROR
    """The lowest severity that makes the verdict discrepancies (``--fail-on``)."""
    waivers: Waivers | None = None
    """Accepted differences (``--waivers``)."""
    today: date | None = None
    """The day waivers' expiry is checked against (``--as-of``; None: today, UTC)."""
    cross_check: bool = True
    """Compare the services' usage counters with the listings (``--no-cross-check``)."""
    max_rereads: int = DEFAULT_MAX_REREADS
    """At most this many GET requests read differing items again (``--max-rereads``)."""
    objects: bool = False
    """List the objects of Swift containers too (``--objects``, the deep mode)."""


class _CloudObserver:
    """Passes progress on with each listing named after its cloud.

    Both inventories run at once and list the same collections: without the
    cloud's name their pages would add up on one progress line.
    """

    def __init__(self, observer: InventoryObserver, cloud: str) -> None:
        self.observer = observer
        self.cloud = cloud

    def on_page(self, listing: str, items: int) -> None:
        self.observer.on_page(f"{self.cloud}: {listing}", items)

    def on_collection(self, cloud: str, name: str, result: CollectionResult) -> None:
        self.observer.on_collection(cloud, name, result)


@dataclass(frozen=True)
class OpenInventory:
    """A cloud connected (its profile checked, no request sent yet), ready to be listed."""

    target: CloudTarget
    conn: Any
    """The read-only openstacksdk connection."""
    options: AuditOptions

    def take(
        self, observer: InventoryObserver | None = None, *, counters: Sequence[str] = ()
    ) -> Snapshot:
        """List the cloud: as an admin across all projects, or project by project with
        project-scoped credentials (:mod:`auditor.collect.scoped`); with ``counters``
        (services), also their usage counters, for the count cross-check."""
        from auditor.collect.flux import ask_changes
        from auditor.collect.scoped import inventory
        from auditor.connect import connect_project

        snapshot = inventory(
            self.conn,
            self.target,
            rescope=functools.partial(connect_project, self.conn, timeout=self.options.timeout),
            collections=self.options.collections,
            policy=self.options.retry,
            observer=observer,
            objects=self.options.objects,
            counters=counters,
        )
        # What changed while it was listed (auditor.collect.flux).
        return ask_changes(self.conn, self.target, snapshot, self.options.retry)

    def reread(
        self, snapshot: Snapshot, wanted: Mapping[str, set[str]], budget: Budget
    ) -> Snapshot:
        """``snapshot`` with the ``wanted`` items read again by id, within ``budget``."""
        if not any(wanted.values()):
            return snapshot
        from auditor.collect.flux import reread

        return reread(self.conn, self.target, snapshot, wanted, budget, self.options.retry)


def open_inventory(
    target: CloudTarget,
    config: ConfigSource,
    options: AuditOptions,
    *,
    redactor: Redactor | None = None,
) -> OpenInventory:
    """Connect to ``target`` (read-only; its secrets handed to ``redactor``) for
    ``inventory``, ``audit`` and ``demo``; :meth:`OpenInventory.take` lists it.

    Connecting sends nothing: an audit opens every cloud first, so a bad profile
    fails before any cloud is listed.
    """
    from auditor.connect import connect

    conn = connect(target, config=config, timeout=options.timeout, redactor=redactor)
    return OpenInventory(target, conn, options)


def compare_snapshots(
    sources: Sequence[Snapshot],
    target: Snapshot,
    rules: Rules,
    options: AuditOptions,
    *,
    labels: Sequence[str] | None = None,
) -> Outcome:
    """``diff``: each source snapshot against the target under ``rules`` (and the options'
    waivers, checked against its day), in one report with its id maps."""
    return compare(
        sources,
        target,
        rules,
        fail_on=options.fail_on,
        waivers=options.waivers,
        today=options.today,
        labels=labels,
        cross_check=options.cross_check,
    )


@dataclass(frozen=True)
class AuditResult:
    sources: tuple[Snapshot, ...]
    """The source snapshots, in the order the sources were given."""
    target: Snapshot
    outcome: Outcome
    """The report and the id maps."""

    @property
    def source(self) -> Snapshot:
        """The (first) source snapshot."""
        return self.sources[0]

    @property
    def report(self) -> Report:
        return self.outcome.report

    @property
    def id_map(self) -> IdMap:
        """Every match of the audit (all sources)."""
        return self.outcome.id_map


def audit_counters(options: AuditOptions) -> tuple[str, ...]:
    """The services whose usage counters an audit reads for the count cross-check: those
    its collections can be compared with, unless it is off or the ``quotas`` collection
    (which holds them) is listed anyway."""
    if not options.cross_check or "quotas" in options.collections:
        return ()
    return counter_services(options.collections)


def run_audit(
    clouds: Clouds,
    rules: Rules,
    options: AuditOptions = AuditOptions(),
    *,
    observer: InventoryObserver | None = None,
    redactor: Redactor | None = None,
) -> AuditResult:
    """``audit`` and ``demo``: inventory the sources and the target at the same time, then
    diff each source against the target under ``rules``.

    Every connection is opened (and its profile checked) before any request is
    sent, so a bad profile fails fast.
    """
    opened = [open_inventory(t, clouds.config, options, redactor=redactor) for t in clouds.all]
    counters = audit_counters(options)
    with ThreadPoolExecutor(max_workers=len(opened), thread_name_prefix="auditor-cloud") as pool:
        futures = [
            pool.submit(
                cloud.take,
                None if observer is None else _CloudObserver(observer, str(cloud.target)),
                counters=counters,
            )
            for cloud in opened
        ]
        snapshots = [f.result() for f in futures]
    *source_snapshots, target_snapshot = snapshots
    labels = [str(s) for s in clouds.sources]
    outcome = compare_snapshots(source_snapshots, target_snapshot, rules, options, labels=labels)
    # Differences no filter could explain: their items read again, then compared again.
    wanted_sources, wanted_target = rereads_wanted(
        outcome.report, source_snapshots, target_snapshot
    )
    if any(wanted_target.values()) or any(any(w.values()) for w in wanted_sources):
        from auditor.collect.flux import Budget

        budget = Budget(options.max_rereads)
        *source_snapshots, target_snapshot = [
            cloud.reread(snapshot, wanted, budget)
            for cloud, snapshot, wanted in zip(
                opened, snapshots, [*wanted_sources, wanted_target], strict=True
            )
        ]
        outcome = compare_snapshots(
            source_snapshots, target_snapshot, rules, options, labels=labels
        )
    if options.objects:
        named = _objects_named(opened, source_snapshots, target_snapshot, outcome, options)
        if named is not None:
            # The differing objects of big containers named: the diff again, with them.
            source_snapshots, target_snapshot = named
            outcome = compare_snapshots(
                source_snapshots, target_snapshot, rules, options, labels=labels
            )
    return AuditResult(tuple(source_snapshots), target_snapshot, outcome)


def _containers(snapshot: Snapshot) -> dict[str, JSON]:
    result = snapshot.collections.get("containers")
    return {str(i["id"]): i for i in result.items} if result is not None else {}


def _patched(snapshot: Snapshot, objects: Mapping[str, JSON]) -> Snapshot:
    """``snapshot`` with the ``objects`` of some containers (by id) replaced."""
    result = snapshot.collections.get("containers")
    if result is None or not objects:
        return snapshot
    items = tuple(
        {**i, "objects": objects[str(i["id"])]} if str(i["id"]) in objects else i
        for i in result.items
    )
    collections = {**snapshot.collections, "containers": replace(result, items=items)}
    return replace(snapshot, collections=collections)


def _objects_named(
    opened: Sequence[OpenInventory],
    sources: Sequence[Snapshot],
    target: Snapshot,
    outcome: Outcome,
    options: AuditOptions,
) -> tuple[list[Snapshot], Snapshot] | None:
    """``--objects``: the matched containers too big to have kept their objects, whose
    digests differ, listed again on both sides at once and merged, so that each keeps
    the objects that differ (:func:`~auditor.collect.swift.name_differences`); None
    when there is none."""
    from auditor.collect.swift import name_differences

    target_items = _containers(target)
    target_objects: dict[str, JSON] = {}
    patched: list[Snapshot] = []
    for index, (snapshot, id_map) in enumerate(zip(sources, outcome.id_maps, strict=True)):
        source_items = _containers(snapshot)
        pairs = [
            (source_items[e.source_id], target_items[e.target_id])
            for e in id_map.entries
            if e.collection == "containers"
            and e.source_id in source_items
            and e.target_id in target_items
        ]
        named = name_differences(opened[index].conn, opened[-1].conn, pairs, options.retry)
        target_objects.update({t: objects for (_s, t), (_o, objects) in named.items()})
        patched.append(_patched(snapshot, {s: objects for (s, _t), (objects, _o) in named.items()}))
    if not target_objects:
        return None
    return patched, _patched(target, target_objects)
