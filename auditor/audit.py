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
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from auditor.collect import COLLECTIONS, CORE_COLLECTIONS, InventoryObserver, parse_collections
from auditor.collect.pager import Deadline, RetryPolicy
from auditor.collect.scoped import inventory
from auditor.connect import CloudTarget, ConfigSource, connect, connect_project
from auditor.defaults import DEFAULT_TIMEOUT
from auditor.diff.outcome import Outcome, compare
from auditor.idmap import IdMap
from auditor.model import CollectionResult, Report, Severity, Snapshot
from auditor.rules import Rules
from auditor.secrets import Redactor
from auditor.waivers import Waivers

KNOWN_COLLECTIONS: tuple[str, ...] = tuple(sorted(COLLECTIONS))
"""Every collection the auditor can list (``--collections``)."""

__all__ = [
    "CORE_COLLECTIONS",
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

    def take(self, observer: InventoryObserver | None = None) -> Snapshot:
        """List the cloud: as an admin across all projects, or project by project with
        project-scoped credentials (:mod:`auditor.collect.scoped`)."""
        return inventory(
            self.conn,
            self.target,
            rescope=functools.partial(connect_project, self.conn, timeout=self.options.timeout),
            collections=self.options.collections,
            policy=self.options.retry,
            observer=observer,
        )


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
    with ThreadPoolExecutor(max_workers=len(opened), thread_name_prefix="auditor-cloud") as pool:
        futures = [
            pool.submit(
                cloud.take,
                None if observer is None else _CloudObserver(observer, str(cloud.target)),
            )
            for cloud in opened
        ]
        snapshots = [f.result() for f in futures]
    *source_snapshots, target_snapshot = snapshots
    outcome = compare_snapshots(
        source_snapshots,
        target_snapshot,
        rules,
        options,
        labels=[str(s) for s in clouds.sources],
    )
    return AuditResult(tuple(source_snapshots), target_snapshot, outcome)
