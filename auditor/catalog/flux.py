"""How each collection's cloud is asked what changed after its listing started.

Declared here, walked by :mod:`auditor.collect.flux`:

- Nova: ``GET /servers/detail?all_tenants=True&changes-since=T``; the only listing
  that also answers the servers deleted since ``T`` (``status: DELETED``).
- Cinder: ``GET /volumes/detail?all_tenants=True&updated_at=gte:T`` from
  microversion 3.60 on, as the API reference documents it (Cinder 2025.1 honours
  it from 3.31 and, below, drops it without a word and answers every volume: seen
  against the real service), so never sent below.
- Neutron: ``changed_since=T`` on each resource with standard attributes, when the
  ``standard-attr-timestamp`` extension is offered (``GET /v2.0/extensions``) and
  ``filter-validation`` is not (it refuses the filter; on by default).
- Glance: ``GET /v2/images?visibility=all&updated_at=gte:T``.

Deleted items are answered only by Nova. Everywhere else (and where the filter
is not offered) the items that differ are read again by id, a bounded number of
GET requests: a 404 is a deletion, an ``updated_at`` inside the window a change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from auditor.model.flux import Method


@dataclass(frozen=True)
class Watch:
    """How one collection's changes are asked for."""

    collection: str
    method: Method
    """The filter sent after the listings."""
    param: str
    """Its query parameter."""
    operator: str = ""
    """Prefix of the time (``gte:``)."""
    microversion: str | None = None
    """The lowest microversion of the service that honours the filter."""
    extension: str | None = None
    """The Neutron extension that must be offered for the filter to be honoured."""
    refused_by: str | None = None
    """The Neutron extension that, when offered, refuses the filter (400)."""
    updated: str = "updated_at"
    """The raw field holding when an item last changed."""
    created: str = "created_at"
    """The raw field holding when an item was created."""
    item_path: str = ""
    """``GET`` of one item (``{id}``): what re-reads it."""
    item_key: str = ""
    """The answer's key of the one item."""

    def query(self, since: str) -> dict[str, str]:
        """The filter's query parameters for changes after ``since``."""
        return {self.param: f"{self.operator}{since}"}


TIMESTAMP_EXTENSION = "standard-attr-timestamp"
"""Neutron's extension that adds ``created_at``/``updated_at`` and ``changed_since``."""
FILTER_VALIDATION = "filter-validation"
"""Neutron's extension (``[DEFAULT] filter_validation``, on by default) that refuses any
filter no attribute declares: ``changed_since`` included (``neutron.api.api_common``
``get_filters_from_dict``: "['changed_since'] is invalid attribute for filtering", seen
on Neutron 2025.1), so that the timestamp extension's filter is usable only without it."""


def _neutron(collection: str, path: str, key: str) -> Watch:
    return Watch(
        collection,
        Method.CHANGED_SINCE,
        "changed_since",
        extension=TIMESTAMP_EXTENSION,
        refused_by=FILTER_VALIDATION,
        item_path=f"{path}/{{id}}",
        item_key=key,
    )


WATCHES: Mapping[str, Watch] = MappingProxyType(
    {
        w.collection: w
        for w in (
            Watch(
                "servers",
                Method.CHANGES_SINCE,
                "changes-since",
                updated="updated",
                created="created",
                item_path="/servers/{id}",
                item_key="server",
            ),
            Watch(
                "volumes",
                Method.UPDATED_AT,
                "updated_at",
                "gte:",
                microversion="3.60",
                item_path="/volumes/{id}",
                item_key="volume",
            ),
            Watch("images", Method.UPDATED_AT, "updated_at", "gte:", item_path="/images/{id}"),
            _neutron("networks", "/networks", "network"),
            _neutron("subnets", "/subnets", "subnet"),
            _neutron("ports", "/ports", "port"),
            _neutron("routers", "/routers", "router"),
            _neutron("security_groups", "/security-groups", "security_group"),
            _neutron("floating_ips", "/floatingips", "floatingip"),
        )
    }
)
"""Collection -> how its changes are asked for; other collections are not watched."""
