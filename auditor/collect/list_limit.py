"""Keystone's unpageable listings (services, endpoints, regions; roles, a group's
members) under ``list_limit``.

With ``[catalog] list_limit`` (or ``[DEFAULT] list_limit``) set, as Keystone
advises for large deployments, ``GET /v3/services`` and ``/v3/endpoints``
answer at most that many items with ``"truncated": true``; since 2025.1 they
also give a ``links.next`` with a marker, but the catalog's SQL backend
ignores markers (``keystone.catalog.backends.sql``): the "next" page is the
first one again (so it is for roles and a group's members, whose SQL queries
only apply the limit). Following it is never right. (``/v3/regions`` escapes
``list_limit``, its hints being handed over positionally, but is cut the same
way by a request's ``limit``.) Keystone's flag is exact there (the backend
counts, ``keystone.common.sql.core._limit``): a list without it is whole.

So each catalog listing is fetched whole another way, when it can be:

1. the plain request; not truncated: whole;
2. the same with ``limit=1000``: since 2025.1 a request's ``limit`` replaces
   ``list_limit`` (up to ``max_db_limit``, 1000 by default); not truncated: whole;
3. for endpoints, one request per interface (the request's ``partitions``:
   ``public``, ``internal``, ``admin``; Keystone accepts no other), each
   with the better of the two; none truncated: whole.

Otherwise what was found is kept and the listing is cut, with a reason naming
``list_limit``: the collection is incomplete, never an error. The token's
catalog (``GET /v3/auth/catalog``) cannot stand in: it leaves out disabled
endpoints and the endpoints of disabled services, holds URLs with the
project's id substituted, and is filtered by project endpoint groups.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from auditor.catalog.spec import Request
from auditor.collect.pager import Listed, Pager

JSON = dict[str, Any]

WHOLE_LIMIT = "1000"
"""The ``limit`` sent at step 2: Keystone's default ``max_db_limit``."""


def _items(body: JSON, item_key: str) -> list[JSON]:
    page = body.get(item_key)
    return [item for item in page if isinstance(item, dict)] if isinstance(page, list) else []


class _Found:
    """Items found so far, de-duplicated by id, in the order first seen."""

    def __init__(self) -> None:
        self.items: dict[str, JSON] = {}

    def add(self, items: list[JSON]) -> None:
        for item in items:
            # Role assignments have no id: the same assignment is the same object.
            key = item.get("id")
            self.items.setdefault(
                str(key) if key is not None else json.dumps(item, sort_keys=True), item
            )


def list_whole(pager: Pager, listing: Request) -> Listed:
    """Every item of a Keystone catalog listing, or what could be found and why not all."""
    found = _Found()
    listed = Listed()

    def ask(params: Mapping[str, str]) -> tuple[int, bool]:
        body = pager.page(listing.label, listing.path, params)
        items = _items(body, listing.items)
        found.add(items)
        listed.pages += 1
        return len(items), body.get("truncated") is True

    def whole() -> Listed:
        listed.items = list(found.items.values())
        return listed

    plain = dict(listing.params)
    shown, cut = ask(plain)
    if not cut:
        return whole()
    widest, best = shown, plain
    if "limit" not in plain:
        limited = {**plain, "limit": WHOLE_LIMIT}
        shown, cut = ask(limited)
        if not cut:
            return whole()
        if shown > widest:
            widest, best = shown, limited
    partitions = listing.partitions
    if partitions:
        cuts = [ask({**best, key: value})[1] for key, value in partitions]
        if not any(cuts):
            return whole()
    listed.items = list(found.items.values())
    listed.truncated = True
    listed.reason = (
        f"Keystone's list_limit cut {listing.label} at {widest} items, and this listing"
        f" cannot be paged (its next link repeats the first page);"
        f" {len(listed.items)} found"
    )
    return listed
