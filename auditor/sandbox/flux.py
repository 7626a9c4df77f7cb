"""A sandbox cloud that changes while it is audited: a test hook, and the timestamps and
change filters the services answer with.

:class:`Mutations` deletes, creates and renames items of a served cloud (between two
pages of a listing, with a :meth:`~auditor.sandbox.faults.FaultRules.before` rule,
or after a listing); each change is stamped, and the service APIs are built again
from the changed data. :class:`Stamps` is what the APIs read: when each item was
created and last updated (a fixed past time for items never changed), and the
items deleted, so that Nova's ``changes-since`` can list them as ``DELETED``.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from auditor.model import CollectionResult, Snapshot, Status
from auditor.sandbox.wire import JSON, ApiError

PAST = datetime(2024, 1, 15, 9, 30, tzinfo=timezone.utc)
"""When every item the sandbox serves was created and last updated, unless changed."""


def parse_time(value: str) -> datetime | None:
    """An ISO 8601 time of a query (``Z``, an offset, or none: UTC), None if it is not one."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def nova_time(moment: datetime) -> str:
    """Nova's and Neutron's and Glance's way: ``2026-12-06T01:02:03Z``."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def cinder_time(moment: datetime) -> str:
    """Cinder's way: ``2026-12-06T01:02:03.000000`` (naive UTC)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


@dataclass
class Stamps:
    """When the items of one cloud were created, last updated, or deleted."""

    created: dict[str, datetime] = field(default_factory=dict)
    updated: dict[str, datetime] = field(default_factory=dict)
    deleted: dict[str, list[tuple[JSON, datetime]]] = field(default_factory=dict)
    """Collection -> its deleted items, with when."""

    def created_at(self, item_id: Any, default: datetime = PAST) -> datetime:
        """When the item was created (``default``: the service's fixed time for the items
        the sandbox serves unchanged)."""
        return self.created.get(str(item_id), default)

    def updated_at(self, item_id: Any, default: datetime = PAST) -> datetime:
        """When the item was last updated (``default`` likewise)."""
        key = str(item_id)
        return self.updated.get(key) or self.created.get(key) or default

    def stamped(
        self, view: JSON, created: str, updated: str, fmt: Callable[[datetime], str]
    ) -> JSON:
        """``view`` (an item as the API answers it) with its ``created``/``updated`` fields
        set when the item was changed; unchanged items keep the service's fixed times."""
        key = str(view.get("id"))
        if key in self.created:
            view[created] = fmt(self.created[key])
        if key in self.updated or key in self.created:
            view[updated] = fmt(self.updated_at(key))
        return view

    def changed_since(self, since: datetime, default: datetime) -> Callable[[JSON], bool]:
        """Whether an item (a listing's source) was updated at or after ``since``."""
        return lambda item: self.updated_at(item.get("id"), default) >= since

    def updated_matches(
        self,
        tests: list[tuple[Callable[[datetime, datetime], bool], datetime]],
        default: datetime,
    ) -> Callable[[JSON], bool]:
        """Whether an item's ``updated_at`` passes every comparison of a time filter."""

        def keep(item: JSON) -> bool:
            updated = self.updated_at(item.get("id"), default)
            return all(compare(updated, moment) for compare, moment in tests)

        return keep

    def gone(self, collection: str, since: datetime) -> list[JSON]:
        """The items of ``collection`` deleted at or after ``since``."""
        return [item for item, at in self.deleted.get(collection, []) if at >= since]


OPERATORS: dict[str, Callable[[datetime, datetime], bool]] = {
    "gt": lambda value, moment: value > moment,
    "gte": lambda value, moment: value >= moment,
    "eq": lambda value, moment: value == moment,
    "neq": lambda value, moment: value != moment,
    "lt": lambda value, moment: value < moment,
    "lte": lambda value, moment: value <= moment,
}
"""The time comparisons of Cinder's and Glance's ``created_at``/``updated_at`` filters."""


def cinder_time_filter(value: str) -> list[tuple[Callable[[datetime, datetime], bool], datetime]]:
    """Cinder's ``updated_at=OP:T[,OP:T]`` (``cinder.api.v3.volumes``), its 400s' words."""
    tests = []
    for unit in value.split(","):
        operator, sep, moment = unit.partition(":")
        if not sep:
            raise ApiError(400, "Invalid updated_at value")
        if operator not in OPERATORS:
            raise ApiError(400, f"Invalid {operator} operator")
        parsed = parse_time(moment)
        if parsed is None:
            raise ApiError(400, f"Invalid {moment} value")
        tests.append((OPERATORS[operator], parsed))
    return tests


def glance_time_filter(value: str) -> list[tuple[Callable[[datetime, datetime], bool], datetime]]:
    """Glance's ``updated_at=OP:T`` (one comparison), its 400's words."""
    operator, _, moment = value.partition(":")
    parsed = parse_time(moment)
    if operator not in OPERATORS or parsed is None:
        raise ApiError(400, 'Bad "updated_at" query filter format. Use ISO 8601 DateTime notation.')
    return [(OPERATORS[operator], parsed)]


class Mutations:
    """Changes to one served cloud's data (a test hook)."""

    def __init__(self, snapshot: Snapshot, reopen: Callable[[Snapshot], None]) -> None:
        self.snapshot = snapshot
        self.stamps = Stamps()
        self._reopen = reopen
        self._lock = threading.Lock()

    def _items(self, collection: str) -> list[JSON]:
        result = self.snapshot.collections.get(collection)
        return [dict(i) for i in result.items] if result is not None else []

    def _replace(self, collection: str, items: list[JSON]) -> None:
        result = self.snapshot.collections.get(collection) or CollectionResult(Status.OK)
        items.sort(key=lambda i: str(i["id"]))
        collections = dict(self.snapshot.collections)
        collections[collection] = dataclasses.replace(result, items=tuple(items))
        self.snapshot = dataclasses.replace(self.snapshot, collections=collections)
        self._reopen(self.snapshot)

    def delete(self, collection: str, item_id: str, at: datetime | None = None) -> JSON:
        """Delete one item (``at``: when, default now); returns it."""
        with self._lock:
            items = self._items(collection)
            item = next(i for i in items if str(i["id"]) == item_id)
            when = at or datetime.now(timezone.utc)
            self.stamps.deleted.setdefault(collection, []).append((item, when))
            self.stamps.updated[item_id] = when
            self._replace(collection, [i for i in items if i is not item])
            return item

    def create(self, collection: str, item: JSON, at: datetime | None = None) -> None:
        """Add one item, created ``at`` (default now)."""
        with self._lock:
            when = at or datetime.now(timezone.utc)
            self.stamps.created[str(item["id"])] = when
            self._replace(collection, [*self._items(collection), dict(item)])

    def rename(self, collection: str, item_id: str, name: str, at: datetime | None = None) -> None:
        """Rename one item, updated ``at`` (default now)."""
        with self._lock:
            items = self._items(collection)
            for item in items:
                if str(item["id"]) == item_id:
                    item["name"] = name
            self.stamps.updated[item_id] = at or datetime.now(timezone.utc)
            self._replace(collection, items)
