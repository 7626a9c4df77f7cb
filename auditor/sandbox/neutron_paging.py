"""Neutron's listings as the sandbox pages them, and the ``default`` group it creates.

Read against neutron 29 (``api/api_common.py``): ``pagination_max_limit`` caps a
``limit`` and stands for it when none is given; every page links ``previous``
(``page_reverse=True``, marker = its first item) and a full page ``next``, both
carrying the request's own query (repeated ``fields`` included); ``fields=``
keeps only the fields asked for. ``db/securitygroups_db.py``
``_ensure_default_security_group`` creates a project's ``default`` group, with
the default rule templates, when security groups are listed for it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import urlencode

from auditor.sandbox.ids import synthetic_uuid
from auditor.sandbox.paging import Listing, MarkerNotFound, list_body
from auditor.sandbox.wire import JSON, ApiError, ApiRequest, dumps, int_param

STAMP = {"created_at": "2024-01-10T08:00:00Z", "updated_at": "2024-01-10T08:00:00Z"}


def owned(project_id: object) -> JSON:
    return {"tenant_id": project_id, "project_id": project_id}


def neutron_page(
    listing: Listing, request: ApiRequest, max_limit: int, base: str, key: str
) -> bytes:
    """One page of ``listing`` (already filtered) as Neutron answers ``request``."""
    query = request.query
    fields = [v for k, v in request.pairs if k == "fields" and v]
    limit = min(int_param(query, "limit") or max_limit, max_limit)
    marker = query.get("marker")
    try:
        chunks, last = listing.page(marker, limit)
    except MarkerNotFound:
        raise ApiError(404, f"{key[:-1]} {marker} could not be found.") from None
    start = 0 if marker is None else listing.index[marker] + 1
    ids = listing.ids[start : start + len(chunks)]
    if fields:
        chunks = [dumps(only_fields(json.loads(c), fields)) for c in chunks]
    # get_pagination_links: next on a full page, previous on every page.
    links = []
    if last is not None:
        links.append({"rel": "next", "href": pagination_link(base, request.pairs, last)})
    first = ids[0] if ids else None
    previous = pagination_link(base, request.pairs, first, reverse=True)
    links.append({"rel": "previous", "href": previous})
    return list_body(key, chunks, {f"{key}_links": links})


def only_fields(item: JSON, fields: Sequence[str]) -> JSON:
    """``fields=`` as Neutron applies it: only the fields asked for."""
    return {k: v for k, v in item.items() if k in fields}


def pagination_link(
    base: str, pairs: Sequence[tuple[str, str]], marker: str | None, *, reverse: bool = False
) -> str:
    """Neutron's next and previous links: the request's own query (repeated ``fields``
    included), its marker replaced, ``page_reverse`` set for previous, dropped for next."""
    kept = [(k, v) for k, v in pairs if k not in ("marker", "page_reverse")]
    if marker is not None:
        kept.append(("marker", marker))
    if reverse:
        kept.append(("page_reverse", "True"))
    return f"{base}?{urlencode(kept)}"


def default_security_group(cloud: str, project_id: str) -> JSON:
    """The ``default`` group Neutron creates for a project, with its default rules
    (ingress from the group itself and egress anywhere, IPv4 and IPv6)."""
    group_id = synthetic_uuid(cloud, "security-group", project_id, "default")
    rules = [
        {
            "id": synthetic_uuid(cloud, "security-group-rule", group_id, direction, ethertype),
            "security_group_id": group_id,
            **owned(project_id),
            "direction": direction,
            "ethertype": ethertype,
            "protocol": None,
            "port_range_min": None,
            "port_range_max": None,
            "remote_ip_prefix": None,
            "remote_group_id": group_id if direction == "ingress" else None,
            "remote_address_group_id": None,
            "description": "",
            **STAMP,
            "revision_number": 0,
        }
        for direction in ("ingress", "egress")
        for ethertype in ("IPv4", "IPv6")
    ]
    return {
        "id": group_id,
        "name": "default",
        **owned(project_id),
        "description": "Default security group",
        "security_group_rules": rules,
        "stateful": True,
        "shared": False,
        "tags": [],
        **STAMP,
        "revision_number": 1,
    }
