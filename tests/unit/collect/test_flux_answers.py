"""What an answer to a change filter says: an item is a change only when it says when."""

from __future__ import annotations

from auditor.catalog.flux import WATCHES
from auditor.collect.flux import dated, item_change
from auditor.model.flux import Event

SINCE = "2026-12-05T10:00:00Z"


def test_an_item_without_a_timestamp_is_no_change() -> None:
    # A service that ignores the filter and sends no timestamps answers every item:
    # none of them may be placed inside the window (they would hide real differences).
    volumes = WATCHES["volumes"]
    assert not dated(volumes, {"id": "v-1", "name": "data", "status": "available"})
    assert not dated(volumes, {"name": "no id", "updated_at": "2026-12-05T10:01:00"})
    assert dated(volumes, {"id": "v-1", "updated_at": "2026-12-05T10:01:00.000000"})
    assert dated(volumes, {"id": "v-1", "updated_at": None, "created_at": "2026-12-05T10:02:00"})


def test_an_answered_item_is_deleted_created_or_updated_as_its_times_say() -> None:
    servers = WATCHES["servers"]
    gone = {"id": "s-1", "status": "DELETED", "updated": "2026-12-05T10:03:00Z"}
    assert item_change(servers, gone, SINCE).event is Event.DELETED
    new = {"id": "s-2", "created": "2026-12-05T10:01:00Z", "updated": "2026-12-05T10:01:00Z"}
    assert item_change(servers, new, SINCE).event is Event.CREATED
    old = {"id": "s-3", "created": "2026-11-01T00:00:00Z", "updated": "2026-12-05T10:04:00Z"}
    change = item_change(servers, old, SINCE)
    assert change.event is Event.UPDATED and change.at == "2026-12-05T10:04:00Z"
