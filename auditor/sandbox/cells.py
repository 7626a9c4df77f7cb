"""Nova's cells as the sandbox serves them: the servers marked ``partial`` live in a
cell that is down.

Read against nova 34: ``servers.py`` ``_is_cell_down_supported`` gives partial
records (2.69+) only to a listing with no limit, marker or sort parameter and no
filter but ``all_tenants``; ``compute/api.py`` ``get_all`` puts them ahead of
the page's servers, only as many as the page has room for; any other listing
skips them (``[api] list_records_by_skipping_down_cells``, default true) or
answers 500; ``compute/api.py`` ``_service_get_all_cells`` answers the down
cell's compute hosts as minimal ``os-services`` records (2.69+).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from auditor.sandbox.ids import bucket, synthetic_uuid
from auditor.sandbox.microversion import Version
from auditor.sandbox.paging import Listing, list_body, next_href
from auditor.sandbox.wire import JSON

DOWN_CELLS = (2, 69)
"""From 2.69 Nova answers what it knows of a down cell (partial records)."""
PAGING_SORTING = ("limit", "marker", "sort_key", "sort_dir")


def cell_down_supported(query: Mapping[str, str], mv: Version) -> bool:
    """Nova's ``_is_cell_down_supported``: 2.69+, no paging or sorting parameter,
    no filter but ``all_tenants``."""
    if mv < DOWN_CELLS or any(k in query for k in PAGING_SORTING):
        return False
    return set(query) <= {"all_tenants"}


def host_of(server_id: str) -> str:
    """The compute host a server runs on (its ``OS-EXT-SRV-ATTR:host``)."""
    return f"compute-{bucket(server_id, 16):02d}"


def down_host_of(server_id: str) -> str:
    """The compute host, in the cell that is down, of a partial server."""
    return f"cell2-compute-{bucket(server_id, 4)}"


def first_page_with_partials(
    listing: Listing, down: Listing, query: Mapping[str, str], limit: int, base: str
) -> bytes:
    """The unpaged first page (``get_all``): the down cell's partial records first, in
    the room the cells that answer leave; a next link when the page is full."""
    chunks, _last = listing.page(None, limit)
    partial = down.chunks[: limit - len(chunks)]
    ids = [*down.ids[: len(partial)], *listing.ids[: len(chunks)]]
    extra: JSON = {}
    if ids and len(ids) == limit:
        extra["servers_links"] = [{"rel": "next", "href": next_href(base, query, limit, ids[-1])}]
    return list_body("servers", [*partial, *chunks], extra)


def compute_services(
    servers: Iterable[JSON], mv: Version, root: str, updated: str, query: Mapping[str, str]
) -> list[JSON]:
    """``GET /os-services``: the compute services of the hosts the servers run on, and
    (2.69+) the down cell's hosts as minimal records; ``binary`` and ``host`` filter."""
    servers = list(servers)
    up = sorted({host_of(str(s["id"])) for s in servers if not s.get("partial")})
    down = sorted({down_host_of(str(s["id"])) for s in servers if s.get("partial")})
    services: list[JSON] = [
        {
            "id": synthetic_uuid(root, "service", host),
            "binary": "nova-compute",
            "host": host,
            "zone": "nova",
            "status": "enabled",
            "state": "up",
            "updated_at": updated,
            "disabled_reason": None,
            "forced_down": False,
        }
        for host in up
    ]
    if mv >= DOWN_CELLS:
        services += [{"binary": "nova-compute", "host": h, "status": "UNKNOWN"} for h in down]
    return [
        svc
        for svc in services
        if all(svc.get(k) == query[k] for k in ("binary", "host") if k in query)
    ]
