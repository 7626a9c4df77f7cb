"""Listings built once and paged by index: what keeps 50,000 servers cheap to serve.

Every item of a listing is turned into its API dictionary and serialised to
JSON bytes once, when the listing is built; a page is then a slice of those
bytes joined into the response body, found through a marker -> index dict.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from auditor.sandbox.wire import JSON, dumps


class MarkerNotFound(Exception):
    """The marker names no item of the listing."""


class Listing:
    """The items of one listing (one shape), serialised, in service order."""

    __slots__ = ("chunks", "ids", "index", "sources")

    def __init__(self, ids: list[str], chunks: list[bytes], sources: list[JSON]) -> None:
        self.ids = ids
        """Item ids, in order."""
        self.chunks = chunks
        """Each item's JSON bytes, in order."""
        self.sources = sources
        """What each item was built from (a snapshot item, or the API item itself): filters
        look at these."""
        self.index = {item_id: n for n, item_id in enumerate(ids)}
        """Id -> position."""

    @classmethod
    def build(cls, sources: Iterable[JSON], view: Callable[[JSON], JSON]) -> Listing:
        """Shape every source with ``view`` and serialise it."""
        ids: list[str] = []
        chunks: list[bytes] = []
        kept: list[JSON] = []
        for source in sources:
            item = view(source)
            ids.append(str(item["id"]))
            chunks.append(dumps(item))
            kept.append(source)
        return cls(ids, chunks, kept)

    @classmethod
    def of_items(cls, items: Iterable[JSON]) -> Listing:
        """A listing of API items that are their own sources."""
        return cls.build(items, lambda item: item)

    def select(self, keep: Callable[[JSON], bool]) -> Listing:
        """The items whose source passes ``keep`` (sharing the serialised bytes)."""
        chosen = [n for n, source in enumerate(self.sources) if keep(source)]
        return Listing(
            [self.ids[n] for n in chosen],
            [self.chunks[n] for n in chosen],
            [self.sources[n] for n in chosen],
        )

    def __len__(self) -> int:
        return len(self.ids)

    def get(self, item_id: str) -> bytes | None:
        """One item's JSON bytes."""
        position = self.index.get(item_id)
        return None if position is None else self.chunks[position]

    def page(self, marker: str | None, limit: int) -> tuple[list[bytes], str | None]:
        """Up to ``limit`` items after ``marker``, and the last id when the page is full.

        Raises :class:`MarkerNotFound` for an unknown marker.
        """
        start = 0
        if marker is not None:
            position = self.index.get(marker)
            if position is None:
                raise MarkerNotFound(marker)
            start = position + 1
        stop = start + limit
        chunks = self.chunks[start:stop]
        full = bool(chunks) and len(chunks) == limit
        return chunks, (self.ids[start + len(chunks) - 1] if full else None)


def list_body(key: str, chunks: Sequence[bytes], extra: Mapping[str, Any] | None = None) -> bytes:
    """``{"<key>": [<chunks>], <extra>...}`` assembled from pre-serialised items."""
    parts = [b'{"', key.encode(), b'":[', b",".join(chunks), b"]"]
    for name, value in (extra or {}).items():
        parts += [b',"', name.encode(), b'":', dumps(value)]
    parts.append(b"}")
    return b"".join(parts)


def item_body(key: str, chunk: bytes) -> bytes:
    """``{"<key>": <chunk>}``: one item of a prebuilt listing."""
    return b'{"' + key.encode() + b'":' + chunk + b"}"


def linked_page(
    listing: Listing,
    query: Mapping[str, str],
    limit: int,
    key: str,
    base: str,
    not_found: Callable[[str], Exception],
) -> bytes:
    """One page as Nova and Cinder answer it: after ``marker``, with ``<key>_links``
    next only when the page is full; an unknown marker raises ``not_found(marker)``."""
    marker = query.get("marker")
    try:
        chunks, last = listing.page(marker, limit)
    except MarkerNotFound:
        raise not_found(str(marker)) from None
    extra: JSON = {}
    if last is not None:
        extra[f"{key}_links"] = [{"rel": "next", "href": next_href(base, query, limit, last)}]
    return list_body(key, chunks, extra)


def next_href(base: str, query: Mapping[str, str], limit: int, marker: str) -> str:
    """The link to the page after ``marker``: the request's query with limit and marker."""
    params = {k: v for k, v in query.items() if k not in ("limit", "marker")}
    params["limit"] = str(limit)
    params["marker"] = marker
    return f"{base}?{urlencode(params)}"


class Views:
    """Listings built on first use and kept, one per key (a kind of listing and the
    microversion band of its shape), safe for the server's threads."""

    def __init__(self, build: Callable[[Any, Any], Listing]) -> None:
        self._build = build
        self._built: dict[tuple[Any, Any], Listing] = {}
        self._lock = threading.Lock()

    def get(self, kind: Any, level: Any) -> Listing:
        key = (kind, level)
        listing = self._built.get(key)
        if listing is None:
            with self._lock:
                listing = self._built.get(key)
                if listing is None:
                    listing = self._build(kind, level)
                    self._built[key] = listing
        return listing
