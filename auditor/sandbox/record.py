"""The request log: every request the sandbox answered (or hung up on), in order."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

MAX_ENTRIES = 100_000
"""Entries kept: a long-running sandbox forgets its oldest requests beyond this."""


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the sandbox saw it."""

    method: str
    """GET, HEAD, POST..."""
    path: str
    """Path as sent, without the query: ``/cw/compute/v2.1/servers/detail``."""
    query: str
    """Raw query string, ``""`` when none."""
    status: int | None
    """Status answered; None when an injected fault dropped the connection."""
    cloud: str | None = None
    """Cloud (snapshot) name the path addressed, None outside any cloud."""
    injected: bool = False
    """True when a fault rule decided the answer."""


class RequestLog:
    """Append-only, bounded, thread-safe."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._lock = threading.Lock()
        self._entries: deque[RecordedRequest] = deque(maxlen=max_entries)

    def append(self, entry: RecordedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[RecordedRequest]:
        """A copy of the log."""
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
