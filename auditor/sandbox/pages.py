"""One page of a listing, as each service cuts and links it (:class:`~auditor.catalog.spec.Paging`).

``LINKS`` is each service's own: Nova and Cinder ``<key>_links`` next on a full
page (an unknown marker: Nova 400, Cinder 404), Neutron ``<key>_links`` next
and previous (:mod:`auditor.sandbox.neutron_paging`), Keystone ``links.next``
with ``truncated`` on a full page, Glance a top-level ``next`` (default page
size ``image_default_limit``). ``OFFSET``: ``limit`` and ``offset``, no link.
``UNPAGED``: every item (Keystone still says ``links``). Designate: ``links.next`` on
every full page, ``metadata.total_count`` (:func:`designate_page`).
"""

from __future__ import annotations

from typing import Any

from auditor.catalog.spec import Paging
from auditor.sandbox.neutron_paging import neutron_page
from auditor.sandbox.options import SandboxOptions
from auditor.sandbox.paging import Listing, MarkerNotFound, linked_page, list_body, next_href
from auditor.sandbox.views import compute, volume
from auditor.sandbox.wire import JSON, ApiError, ApiRequest, int_param


def page(
    listing: Listing,
    request: ApiRequest,
    *,
    service: str,
    key: str,
    paging: Paging,
    options: SandboxOptions,
) -> bytes:
    """The body answering ``request`` with ``listing`` (already filtered), under ``key``."""
    query = request.query
    base = f"{request.service_url}{request.path}"
    cap = options.max_limit
    keystone = service == "identity"
    links: dict[str, Any] = {"self": request.url(), "previous": None, "next": None}
    if paging is Paging.UNPAGED:
        return list_body(key, listing.chunks, {"links": links} if keystone else None)
    if paging is Paging.OFFSET:
        limit = min(int_param(query, "limit", minimum=1) or cap, cap)
        offset = int_param(query, "offset") or 0
        return list_body(key, listing.chunks[offset : offset + limit])
    if service == "network":
        return neutron_page(listing, request, cap, base, key)
    if service in ("compute", "block-storage"):
        gone = compute.marker_gone if service == "compute" else volume.marker_gone
        limit = min(int_param(query, "limit") or cap, cap)
        return linked_page(listing, query, limit, key, base, gone)
    if service == "dns":
        return designate_page(listing, request, cap, base, key)
    default = options.image_default_limit if service == "image" else cap
    limit = min(int_param(query, "limit", minimum=1) or default, cap)
    marker = query.get("marker")
    try:
        chunks, last = listing.page(marker, limit)
    except MarkerNotFound:
        if keystone:
            raise ApiError(404, f"Could not find {key}: {marker}.") from None
        raise ApiError(400, f"marker {marker} not found") from None
    extra: JSON = {}
    if keystone:
        extra["links"] = links
        if last is not None:
            links["next"] = next_href(base, query, limit, last)
            extra["truncated"] = True
    elif last is not None:
        extra["next"] = next_href(request.path, query, limit, last)
    return list_body(key, chunks, extra)


DESIGNATE_DEFAULT_LIMIT = 20
"""Designate's ``default_limit_v2``: the page size without ``limit``."""


def designate_page(listing: Listing, request: ApiRequest, cap: int, base: str, key: str) -> bytes:
    """A Designate page: ``limit`` (20 by default, ``max`` for the cap, a bad one 400
    ``invalid_limit``), ``marker`` (unknown: 400), ``links.next`` on a full page only,
    and ``metadata.total_count`` (every item the filters keep)."""
    query = request.query
    text = query.get("limit")
    if text is None:
        limit = DESIGNATE_DEFAULT_LIMIT
    elif text.lower() == "max":
        limit = cap
    else:
        try:
            limit = int(text)
        except ValueError:
            limit = 0
        if limit <= 0:
            raise ApiError(400, f"limit should be an integer between 1 and {cap}")
        limit = min(limit, cap)
    marker = query.get("marker")
    try:
        chunks, last = listing.page(marker, limit)
    except MarkerNotFound:
        raise ApiError(400, f"Marker {marker} could not be found") from None
    links: JSON = {"self": request.url()}
    if last is not None:
        # Designate links a next page whenever a page is full, even the last one.
        links["next"] = next_href(base, query, limit, last)
    return list_body(key, chunks, {"links": links, "metadata": {"total_count": len(listing)}})
