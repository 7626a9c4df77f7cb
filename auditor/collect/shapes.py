"""The JSON types of the raw fields the catalog reads, as the API references give them.

The pager checks every item of these listings against its table (fields that
are present only: a down-cell server or an old release may leave some out).
An answer of another shape (a flavor that is a string, addresses that are a
list) fails the listing, which is then incomplete: read leniently, it would
turn into false "changed" or "missing" findings instead.

The tables are declared with each request (``Request.shapes`` in
:mod:`auditor.catalog`); sources: the compute, block-storage, identity and
image API references (``GET /servers/detail``, ``/volumes/detail``,
``/v3/projects``, ``/v3/domains``, ``/v3/endpoints``, ``/v2/images``).
"""

from __future__ import annotations

from collections.abc import Mapping

from auditor.catalog import registry
from auditor.catalog.types import RawTypes

Types = Mapping[str, RawTypes]

SHAPES: dict[str, Types] = {
    key: request.shapes for key, request in registry.listings().items() if request.shapes
}
"""Listing key -> raw field -> the JSON types it may have."""
