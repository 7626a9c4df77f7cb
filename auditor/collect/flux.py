"""After the listings: ask the cloud what changed since each listing started, and read
differing items again by id (GET only).

:func:`ask_changes` sends each watched collection's filter (declared in
:mod:`auditor.catalog.flux`) and records what it answers with the collection;
:func:`reread` reads the items a diff found different, one GET each, within a
budget. Neither turns anything into a finding: :mod:`auditor.diff.flux` does.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from auditor.catalog import registry
from auditor.catalog.flux import WATCHES, Watch
from auditor.collect.pager import Pager
from auditor.collect.retry import RetryPolicy
from auditor.collect.run import Runner, describe
from auditor.connect import CloudTarget
from auditor.errors import ItemNotFound, ListingError
from auditor.logsetup import get_logger
from auditor.model import SCOPE_ADMIN, CollectionResult, Snapshot, Status
from auditor.model.flux import Changes, Event, ItemChange, Method

log = get_logger(__name__)

JSON = dict[str, Any]

EXTENSIONS_PATH = "/extensions"


def utc_stamp(moment: datetime | None = None) -> str:
    """``moment`` (default: now) as the snapshot writes times, to the second."""
    moment = moment or datetime.now(timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def service_time(value: Any) -> str | None:
    """A service's timestamp (``...Z``, ``+00:00``, or naive UTC as Cinder writes it) as the
    snapshot writes times; None when it is not one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return utc_stamp(moment)


def _mv_at_least(mv: str | None, wanted: str) -> bool:
    if mv is None:
        return False
    have = tuple(int(p) for p in mv.split("."))
    need = tuple(int(p) for p in wanted.split("."))
    return have >= need


CHANGE_FIELDS = ("status", "name", "tenant_id", "project_id", "owner")
"""The raw fields :func:`item_change` reads besides the watch's timestamps."""


def dated(watch: Watch, raw: JSON) -> bool:
    """Whether an answered item says when it changed: one without a timestamp (a service
    that ignored the filter and sends none) cannot be placed inside the window."""
    return bool(raw.get("id")) and bool(raw.get(watch.updated) or raw.get(watch.created))


def item_change(watch: Watch, raw: JSON, since: str, *, read_at: str | None = None) -> ItemChange:
    """What one item answered after its listing says happened to it."""
    updated = service_time(raw.get(watch.updated)) or service_time(raw.get(watch.created))
    created = service_time(raw.get(watch.created))
    if str(raw.get("status") or "").upper() == "DELETED":
        event = Event.DELETED
    elif created is not None and created >= since:
        event = Event.CREATED
    else:
        event = Event.UPDATED
    project = raw.get("tenant_id") or raw.get("project_id") or raw.get("owner")
    name = raw.get("name")
    return ItemChange(
        id=str(raw["id"]),
        event=event,
        at=updated or read_at or since,
        name=None if name is None else str(name),
        project_id=None if project is None else str(project),
    )


class _Asker:
    """The filters of one cloud, over one runner."""

    def __init__(self, run: Runner, snapshot: Snapshot) -> None:
        self.run = run
        self.snapshot = snapshot
        self._extensions: set[str] | None = None

    def extensions(self) -> set[str]:
        """Neutron's extension aliases (asked once)."""
        if self._extensions is None:
            pager = Pager(self.run.conn.network, policy=self.run.policy)
            body = pager.page("network extensions", EXTENSIONS_PATH, {})
            self._extensions = {
                str(e.get("alias")) for e in body.get("extensions") or () if isinstance(e, dict)
            }
        return self._extensions

    def unsupported(self, watch: Watch, service: str) -> str | None:
        """Why the collection's filter cannot be sent (None: it can)."""
        mv = self.snapshot.microversions.get(service)
        if watch.microversion is not None and not _mv_at_least(mv, watch.microversion):
            return (
                f"{watch.param} needs microversion {watch.microversion} (listed at {mv or 'none'})"
            )
        if watch.extension is not None and watch.extension not in self.extensions():
            return f"the {watch.extension} extension is not offered"
        if watch.refused_by is not None and watch.refused_by in self.extensions():
            return f"the {watch.refused_by} extension refuses {watch.param}"
        return None

    def changes(self, name: str, result: CollectionResult) -> Changes:
        watch = WATCHES[name]
        since = result.listed.started if result.listed is not None else self.snapshot.taken_at
        request = registry.spec(name).primary
        try:
            why = self.unsupported(watch, request.service)
        except ListingError as exc:
            why = str(exc)
        if why is not None:
            return Changes(since, utc_stamp(), None, error=f"{why}; differing items are re-read")
        mv = self.snapshot.microversions.get(request.service)
        found: list[ItemChange] = []
        # Every listing of the collection (Glance's hidden images are listed apart).
        for listing in registry.spec(name).requests:
            path = listing.path
            if "?fields=" in path:
                # A listing that asks for some fields must ask for the timestamps too.
                path += f"&fields={watch.created}&fields={watch.updated}"
            query = {**listing.query, **watch.query(since)}
            asked = dataclasses.replace(listing, path=path, query=query)
            try:
                # What item_change reads, besides what the catalog reads of the listing.
                listed = self.run.fetch(
                    asked,
                    mv,
                    convert=lambda page: page,
                    also=(watch.created, watch.updated, *CHANGE_FIELDS),
                )
            except ListingError as exc:
                return Changes(since, utc_stamp(), None, error=str(exc))
            found += [item_change(watch, raw, since) for raw in listed.items if dated(watch, raw)]
        checked_at = utc_stamp()
        return Changes(since, checked_at, watch.method, tuple(c for c in found if c.at >= since))


def ask_changes(
    conn: Any, target: CloudTarget, snapshot: Snapshot, policy: RetryPolicy | None = None
) -> Snapshot:
    """``snapshot`` with each watched collection's changes since its listing started, as the
    cloud answers them (a collection that failed to list is not asked)."""
    if snapshot.scope != SCOPE_ADMIN:
        # A project-scoped token sees its own project's changes only: not asked.
        return snapshot
    asker = _Asker(Runner(conn, target, policy or RetryPolicy()), snapshot)
    collections = dict(snapshot.collections)
    for name, result in snapshot.collections.items():
        if name not in WATCHES or result.status is Status.ERROR:
            continue
        changes = asker.changes(name, result)
        log.info(
            "changes asked",
            cloud=snapshot.cloud,
            collection=name,
            method=changes.method.value if changes.method else None,
            items=len(changes.items),
            error=changes.error,
        )
        collections[name] = dataclasses.replace(result, changes=changes)
    return dataclasses.replace(snapshot, collections=collections)


class Budget:
    """The GET requests re-reads may still make (shared by every cloud of an audit)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        """One request more, if the budget allows it."""
        with self._lock:
            if self.used >= self.limit:
                return False
            self.used += 1
            return True


def reread(
    conn: Any,
    target: CloudTarget,
    snapshot: Snapshot,
    wanted: Mapping[str, Iterable[str]],
    budget: Budget,
    policy: RetryPolicy | None = None,
) -> Snapshot:
    """``snapshot`` with the items of ``wanted`` (collection -> ids) read again by id,
    one GET each while ``budget`` lasts: a 404 is a deletion, a timestamp after the
    listing started a change; what they say is added to the collection's changes."""
    if snapshot.scope != SCOPE_ADMIN:
        # A project-scoped token would not find other projects' items: never read again.
        return snapshot
    policy = policy or RetryPolicy()
    collections = dict(snapshot.collections)
    for name, ids in wanted.items():
        result = snapshot.collections.get(name)
        watch = WATCHES.get(name)
        if result is None or watch is None:
            continue
        request = registry.spec(name).primary
        pager = Pager(getattr(conn, request.proxy), policy=policy)
        mv = snapshot.microversions.get(request.service) if request.microversioned else None
        since = result.listed.started if result.listed is not None else snapshot.taken_at
        previous = result.changes or Changes(since, utc_stamp())
        found: list[ItemChange] = []
        made = 0
        reached = False
        for item_id in sorted(set(ids)):
            if not budget.take():
                reached = True
                break
            made += 1
            path = watch.item_path.replace("{id}", item_id)
            try:
                body = pager.page(f"{request.service} {name} {item_id}", path, {}, mv)
            except ItemNotFound:
                found.append(ItemChange(item_id, Event.DELETED, utc_stamp()))
                continue
            except ListingError as exc:
                log.warning(
                    "re-read failed", cloud=snapshot.cloud, item=item_id, reason=describe(exc)
                )
                continue
            raw = body.get(watch.item_key) if watch.item_key else body
            if isinstance(raw, dict) and raw.get("id"):
                change = item_change(watch, raw, since, read_at=utc_stamp())
                if change.at >= since or change.event is Event.DELETED:
                    found.append(change)
        collections[name] = dataclasses.replace(
            result,
            changes=dataclasses.replace(
                previous,
                checked_at=max(previous.checked_at, utc_stamp()),
                method=previous.method or Method.REREAD,
                items=(*previous.items, *found),
                rereads=previous.rereads + made,
                bound=budget.limit if reached else previous.bound,
            ),
        )
    return dataclasses.replace(snapshot, collections=collections)
