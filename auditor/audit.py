"""An audit: both inventories taken concurrently, then the diff.

The orchestration shared by ``auditor audit`` and ``auditor demo``; it prints
nothing and exits nowhere.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

from auditor.collect import CORE_COLLECTIONS, InventoryObserver
from auditor.collect.pager import RetryPolicy
from auditor.collect.scoped import inventory
from auditor.connect import DEFAULT_TIMEOUT, CloudTarget, ConfigSource, connect, connect_project
from auditor.diff.outcome import Outcome, compare
from auditor.idmap import IdMap
from auditor.model import CollectionResult, Report, Severity, Snapshot
from auditor.rules import Rules
from auditor.secrets import Redactor
from auditor.waivers import Waivers


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
    source: CloudTarget | Sequence[CloudTarget],
    target: CloudTarget,
    rules: Rules,
    *,
    config: ConfigSource | None = None,
    collections: Sequence[str] = CORE_COLLECTIONS,
    policy: RetryPolicy | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    fail_on: Severity = Severity.ERROR,
    observer: InventoryObserver | None = None,
    redactor: Redactor | None = None,
    waivers: Waivers | None = None,
    today: date | None = None,
) -> AuditResult:
    """Inventory ``source`` and ``target`` at the same time, then diff them under ``rules``
    (and ``waivers``, checked against ``today``).

    ``source`` may be several clouds (a merger): all are inventoried at once and
    each is diffed against the target, labelled by its ``NAME[@REGION]``. Every
    connection is opened (and its profile checked) before any request is sent,
    so a bad profile fails fast. Credentials without the admin role are
    inventoried project by project (:mod:`auditor.collect.scoped`).
    """
    sources = [source] if isinstance(source, CloudTarget) else list(source)
    clouds = [*sources, target]
    conns = [connect(t, config=config, timeout=timeout, redactor=redactor) for t in clouds]
    with ThreadPoolExecutor(max_workers=len(clouds), thread_name_prefix="auditor-cloud") as pool:
        futures = [
            pool.submit(
                inventory,
                conn,
                t,
                rescope=functools.partial(connect_project, conn, timeout=timeout),
                collections=collections,
                policy=policy,
                observer=None if observer is None else _CloudObserver(observer, str(t)),
            )
            for conn, t in zip(conns, clouds, strict=True)
        ]
        snapshots = [f.result() for f in futures]
    *source_snapshots, target_snapshot = snapshots
    outcome = compare(
        source_snapshots,
        target_snapshot,
        rules,
        fail_on=fail_on,
        waivers=waivers,
        today=today,
        labels=[str(s) for s in sources],
    )
    return AuditResult(tuple(source_snapshots), target_snapshot, outcome)
