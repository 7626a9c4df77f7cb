"""The snapshot (``auditor.inventory/v1``): one cloud's inventory, and its JSON.

Normalised items stay plain JSON dictionaries (their fields are documented per
collection in :mod:`auditor.records`): a snapshot of tens of thousands of
servers is built, written, read and diffed without a conversion layer.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import msgspec

from auditor import __version__
from auditor.errors import SnapshotError
from auditor.gcpause import paused_gc
from auditor.model.codec import dumps
from auditor.model.enums import INVENTORY_SCHEMA, JSON, Status
from auditor.model.flux import Changes, ListingWindow, utc_time

SCOPE_ADMIN = "admin"
"""A snapshot listed as an admin, across all projects."""
SCOPE_PROJECT = "project"
"""A snapshot listed with project-scoped credentials: the user's projects only."""


@dataclass(frozen=True)
class CollectionResult:
    """One collection of a snapshot."""

    status: Status
    """ok, incomplete, error or not_offered."""
    items: tuple[JSON, ...] = ()
    """Normalised items, sorted by id."""
    error: str | None = None
    """Why the collection is not ok; one line, no secret."""
    listed: ListingWindow | None = None
    """When its listing started and ended (None: a snapshot of an older version)."""
    changes: Changes | None = None
    """What the cloud said changed after its listing started (None: not asked)."""

    @property
    def complete(self) -> bool:
        """True when every item was listed (a service the cloud does not offer has none)."""
        return self.status in (Status.OK, Status.NOT_OFFERED)

    def to_json(self) -> JSON:
        out: JSON = {"status": self.status.value, "count": len(self.items)}
        if self.error is not None:
            out["error"] = self.error
        if self.listed is not None:
            out["listed"] = self.listed.to_json()
        if self.changes is not None:
            out["changes"] = self.changes.to_json()
        out["items"] = list(self.items)
        return out


@dataclass(frozen=True)
class Snapshot:
    """An inventory of one cloud (region) at one moment: ``auditor.inventory/v1``."""

    cloud: str
    """The clouds.yaml profile name (or the name the snapshot was given)."""
    region: str | None
    """The region listed, None when the cloud has a single unnamed region."""
    auth_url: str | None
    """Keystone's URL, for the record."""
    taken_at: str
    """UTC time the inventory started, ISO 8601 with a Z."""
    duration_s: float
    """Wall-clock seconds the inventory took."""
    collections: Mapping[str, CollectionResult]
    """Collection name -> result."""
    tool_version: str = __version__
    """Version of the auditor that took the snapshot."""
    scope: str = SCOPE_ADMIN
    """``admin`` for an all-projects inventory, ``project`` for one made with
    project-scoped credentials (see ``projects_covered``)."""
    microversions: Mapping[str, str | None] = field(default_factory=dict)
    """Service type -> microversion the listings were made with."""
    projects_covered: tuple[JSON, ...] = ()
    """For ``scope: project``: the projects listed, ``{id, name, domain}`` each."""
    counters: Mapping[str, CollectionResult] = field(default_factory=dict)
    """Service -> its usage counters (quota sets with usage, one per project), read for the
    count cross-check when the ``quotas`` collection is not listed: cross-check data, not
    a collection (no finding is about them)."""

    @property
    def complete(self) -> bool:
        """True when every collection was listed completely."""
        return all(c.complete for c in self.collections.values())

    @property
    def window(self) -> ListingWindow:
        """The cloud's audit window: from the first listing's start to the last answer
        about it (a listing's end, or when the cloud was asked what changed since). A
        snapshot of an older version: its start and duration."""
        starts = [r.listed.started for r in self.collections.values() if r.listed is not None]
        ends = [r.listed.ended for r in self.collections.values() if r.listed is not None]
        ends += [r.changes.checked_at for r in self.collections.values() if r.changes is not None]
        if not starts:
            try:
                began = datetime.strptime(self.taken_at, "%Y-%m-%dT%H:%M:%SZ")
            except ValueError:
                return ListingWindow(self.taken_at, self.taken_at)
            end = began + timedelta(seconds=math.ceil(max(self.duration_s, 0.0)))
            return ListingWindow(self.taken_at, end.strftime("%Y-%m-%dT%H:%M:%SZ"))
        return ListingWindow(min(starts), max(ends))

    def to_json(self) -> JSON:
        return {
            "schema": INVENTORY_SCHEMA,
            "tool_version": self.tool_version,
            "cloud": self.cloud,
            "region": self.region,
            "auth_url": self.auth_url,
            "scope": self.scope,
            "taken_at": self.taken_at,
            "duration_s": round(self.duration_s, 3),
            "microversions": dict(self.microversions),
            **(
                {"projects_covered": list(self.projects_covered)}
                if self.scope == SCOPE_PROJECT
                else {}
            ),
            **(
                {"counters": {s: self.counters[s].to_json() for s in sorted(self.counters)}}
                if self.counters
                else {}
            ),
            "collections": {
                name: self.collections[name].to_json() for name in sorted(self.collections)
            },
        }

    def dumps(self) -> str:
        """The snapshot as the JSON text written to files."""
        return dumps(self.to_json(), indent=1) + "\n"

    @classmethod
    def from_json(cls, doc: Any, origin: str, *, items_checked: bool = False) -> Snapshot:
        """Build a snapshot from parsed JSON; ``origin`` names the file in errors.

        The structure is checked here; the items' fields are checked against the
        inventory schema by :func:`auditor.shapecheck.check_snapshot`.
        ``items_checked``: every collection's (and counter set's) items are known to be
        objects with an id (:func:`auditor.shapecheck.fits_schema`), not checked again.
        """
        if not isinstance(doc, dict):
            raise SnapshotError(f"{origin}: not an auditor snapshot (top level is not an object)")
        schema = doc.get("schema")
        if schema != INVENTORY_SCHEMA:
            raise SnapshotError(f"{origin}: schema is {schema!r}, expected {INVENTORY_SCHEMA!r}")
        try:
            raw_collections = doc["collections"]
            if not isinstance(raw_collections, dict):
                raise TypeError("collections is not an object")
            collections = {
                str(name): _collection_from_json(value, f"collections.{name}", items_checked)
                for name, value in raw_collections.items()
            }
            return cls(
                cloud=str(doc["cloud"]),
                region=_opt_str(doc.get("region")),
                auth_url=_opt_str(doc.get("auth_url")),
                taken_at=str(doc["taken_at"]),
                duration_s=float(doc.get("duration_s", 0.0)),
                collections=collections,
                tool_version=str(doc.get("tool_version", "unknown")),
                scope=str(doc.get("scope", SCOPE_ADMIN)),
                microversions=dict(doc.get("microversions") or {}),
                projects_covered=tuple(doc.get("projects_covered") or ()),
                counters=_counters_from_json(doc.get("counters"), items_checked),
            )
        except KeyError as exc:
            raise SnapshotError(f"{origin}: missing key {exc.args[0]!r}") from None
        except (TypeError, ValueError) as exc:
            raise SnapshotError(f"{origin}: {exc}") from None

    @classmethod
    def loads(cls, text: str, origin: str) -> Snapshot:
        """Build a snapshot from its JSON text (what :meth:`dumps` writes); ``origin`` names
        the file in errors, each a one-line :class:`SnapshotError`.

        Decoded by msgspec (1.5x faster than :mod:`json` on a snapshot of 100,000
        servers) with the cyclic collector paused (the tree is acyclic): 2.7 s of
        CPU down to about 0.6 s for 155 MB (issue 19). Text msgspec refuses goes to
        :mod:`json`, which accepts what it always did and words the errors.
        """
        with paused_gc():
            doc = cls.decode(text)
            if doc is None:
                doc = cls.parse_text(text, origin)
        return cls.from_json(doc, origin)

    @staticmethod
    def decode(data: str | bytes) -> Any:
        """The JSON document of ``data`` as msgspec decodes it; None when msgspec refuses
        it (:meth:`parse_text` then decides and words the error). Bytes msgspec decodes
        are UTF-8 (it checks every string)."""
        try:
            return _DECODER.decode(data)
        except (msgspec.DecodeError, RecursionError):
            return None

    @staticmethod
    def text_of(data: bytes) -> str:
        """``data`` as a snapshot file opened as UTF-8 text reads (universal newlines, as
        :func:`open` reads; the line numbers of errors count them); raises
        :class:`UnicodeDecodeError`."""
        return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8").read()

    @staticmethod
    def parse_text(text: str, origin: str) -> Any:
        """The JSON document of ``text`` by :mod:`json` (one-line errors naming ``origin``)."""
        try:
            return json.loads(text)
        except RecursionError:
            raise SnapshotError(f"{origin}: nested too deeply, not a snapshot") from None
        except json.JSONDecodeError as exc:
            raise SnapshotError(
                f"{origin}: not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg});"
                " truncated or corrupt snapshot?"
            ) from None


_DECODER = msgspec.json.Decoder()


def _counters_from_json(value: Any, items_checked: bool) -> dict[str, CollectionResult]:
    if value is None:
        return {}  # a snapshot taken before counters were read, or without them
    if not isinstance(value, dict):
        raise TypeError("counters is not an object")
    return {
        str(service): _collection_from_json(result, f"counters.{service}", items_checked)
        for service, result in value.items()
    }


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _collection_from_json(value: Any, where: str, items_checked: bool) -> CollectionResult:
    if not isinstance(value, dict):
        raise TypeError(f"{where} is not an object")
    try:
        status = Status(value.get("status"))
    except ValueError:
        raise ValueError(f"{where}.status is {value.get('status')!r}") from None
    items = value.get("items", [])
    if not items_checked and (
        not isinstance(items, list) or not all(isinstance(i, dict) for i in items)
    ):
        raise TypeError(f"{where}.items is not a list of objects")
    if status is Status.NOT_OFFERED and items:
        raise ValueError(f"{where} is not_offered but lists {len(items)} items")
    for index, item in enumerate(() if items_checked else items):
        if "id" not in item:
            raise ValueError(f"{where}.items[{index}] has no id")
    if "count" in value and value["count"] != len(items):
        raise ValueError(
            f"{where}.count says {value['count']} but {len(items)} items are present"
            " (truncated snapshot?)"
        )
    error = value.get("error")
    listed = value.get("listed")
    return CollectionResult(
        status=status,
        items=tuple(items),
        error=_opt_str(error),
        listed=None if listed is None else ListingWindow.checked(listed, f"{where}.listed"),
        changes=_changes_from_json(value.get("changes"), f"{where}.changes"),
    )


def _changes_from_json(value: Any, where: str) -> Changes | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise TypeError(f"{where} is not an object")
    utc_time(value.get("since"), f"{where}.since")
    utc_time(value.get("checked_at"), f"{where}.checked_at")
    for index, change in enumerate(value.get("items") or ()):
        if not isinstance(change, dict) or "id" not in change:
            raise ValueError(f"{where}.items[{index}] has no id")
        utc_time(change.get("at"), f"{where}.items[{index}].at")
    try:
        return Changes.from_json(value)
    except KeyError as exc:
        raise ValueError(f"{where} has no {exc.args[0]!r}") from None
