"""Clouds that change during an audit: when each listing ran, and what the cloud said
changed since (the snapshot's ``listed`` and ``changes`` of a collection).

A listing of tens of thousands of servers takes minutes, and tenants keep working
meanwhile. Each collection records when its listing started and ended; after the
listings, the cloud is asked what changed since each listing started (Nova's
``changes-since``, the ``updated_at=gte:`` and ``changed_since`` filters), or the
differing items are read again one by one. What it answers is kept with the
collection, so that a diff of the snapshots (``diff``, ``verify-evidence``) explains
the same differences as the audit that took them.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any

from auditor.model.codec import Record
from auditor.model.enums import Kind

UTC_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
"""How the snapshot writes a time: ISO 8601, UTC, with a ``Z``."""

DEFAULT_MAX_REREADS = 500
"""The default bound of the GET requests that read differing items again (``--max-rereads``)."""


class Event(str, enum.Enum):
    """What happened to an item during its cloud's audit window."""

    DELETED = "deleted"
    """Gone: listed by ``changes-since`` as ``DELETED``, or a 404 when read again."""
    CREATED = "created"
    """Created after its collection's listing started."""
    UPDATED = "updated"
    """Changed (renamed, resized...) after its collection's listing started."""


class Method(str, enum.Enum):
    """How a collection's changes were asked for."""

    CHANGES_SINCE = "changes-since"
    """Nova: ``GET /servers/detail?changes-since=T`` (deleted servers included)."""
    UPDATED_AT = "updated_at"
    """Cinder (microversion 3.60+) and Glance: ``updated_at=gte:T``."""
    CHANGED_SINCE = "changed_since"
    """Neutron with the ``standard-attr-timestamp`` extension: ``changed_since=T``."""
    REREAD = "reread"
    """No such filter: the differing items were read again, one GET each."""


def utc_time(value: Any, where: str) -> str:
    """``value`` when it is a time as the snapshot writes it, else a :class:`ValueError`
    naming ``where``."""
    if not isinstance(value, str) or not UTC_TIME.match(value):
        raise ValueError(f"{where} is {value!r}, not a UTC time (YYYY-MM-DDTHH:MM:SSZ)")
    return value


@dataclass(frozen=True)
class ListingWindow(Record):
    """When one collection's listing ran."""

    started: str
    """UTC time its first request was sent (ISO 8601, ``Z``)."""
    ended: str
    """UTC time its last answer arrived."""

    @classmethod
    def checked(cls, doc: Any, where: str) -> ListingWindow:
        """Read from a snapshot, each time checked (a one-line ``ValueError``)."""
        if not isinstance(doc, dict):
            raise ValueError(f"{where} is not an object")
        started = utc_time(doc.get("started"), f"{where}.started")
        ended = utc_time(doc.get("ended"), f"{where}.ended")
        if ended < started:
            raise ValueError(f"{where}: ended {ended} before it started {started}")
        return cls(started, ended)


@dataclass(frozen=True)
class ItemChange(Record):
    """One item the cloud says changed during the window."""

    OPTIONAL = frozenset({"name", "project_id"})

    id: str
    event: Event
    at: str
    """When, as the service says it (its ``updated``/``updated_at``; a re-read: when it
    was read)."""
    name: str | None = None
    project_id: str | None = None


@dataclass(frozen=True)
class Changes(Record):
    """What one cloud said changed in one collection after its listing started."""

    OPTIONAL = frozenset({"method", "error", "items", "bound"})
    OMIT_ZERO = frozenset({"rereads"})

    since: str
    """The time asked about: the listing's start."""
    checked_at: str
    """When the cloud was asked (the end of the collection's audit window)."""
    method: Method | None = None
    """How (None: not asked, see ``error``)."""
    items: tuple[ItemChange, ...] = ()
    error: str | None = None
    """Why the changes are not known (a failed request, no filter and no GET by id)."""
    rereads: int = 0
    """GET requests made to read differing items again."""
    bound: int | None = None
    """When the re-reads stopped at ``--max-rereads``: that bound (some differences were
    not read again); None when they did not."""

    def by_id(self) -> dict[str, ItemChange]:
        """Item id -> its (latest) change."""
        out: dict[str, ItemChange] = {}
        for change in self.items:
            known = out.get(change.id)
            if known is None or change.at >= known.at:
                out[change.id] = change
        return out


@dataclass(frozen=True)
class FluxNote(Record):
    """What an ``in_flux`` finding would have been, and the change that explains it."""

    was: Kind
    """missing, unexpected, changed or count_mismatch."""
    side: str
    """The side whose cloud reported the change: source or target."""
    cloud: str
    event: Event
    at: str
    """When the cloud says it happened (UTC)."""
    window: ListingWindow
    """That cloud's audit window."""
