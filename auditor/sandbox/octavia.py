"""Octavia v2 of one sandbox cloud: the snapshot's load balancers, taken apart again.

The snapshot nests a load balancer's listeners, pools, members and health
monitors in its item; Octavia lists each kind on its own, as served here:
``/v2/lbaas/loadbalancers``, ``/listeners``, ``/pools``, ``/healthmonitors``
and ``/pools/{pool_id}/members`` (``/v2.0/...`` too, where openstacksdk asks).
As Octavia answers: an admin sees every project's items (``project_id=``
filters), anyone else their project's; a page holds ``limit`` items (at most
``pagination_max_limit``) after ``marker``, and a full page links the next in
``<key>_links`` (a page after a marker links the previous one too); an unknown
marker is a 400; errors are ``{"faultcode", "faultstring", "debuginfo"}``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from auditor.sandbox.options import SandboxOptions
from auditor.sandbox.paging import Listing, MarkerNotFound, list_body, next_href
from auditor.sandbox.wire import (
    JSON,
    ApiError,
    ApiRequest,
    ErrorStyle,
    Response,
    int_param,
    json_response,
)

KINDS = ("loadbalancers", "listeners", "pools", "healthmonitors")
STAMP = "2025-01-01T00:00:00"


def _statuses(item: Mapping[str, Any]) -> JSON:
    return {"provisioning_status": "ACTIVE", "operating_status": "ONLINE"}


def _owned(lb: Mapping[str, Any]) -> JSON:
    return {
        "project_id": lb.get("project_id"),
        "tenant_id": lb.get("project_id"),
        "created_at": STAMP,
        "updated_at": STAMP,
        "tags": [],
    }


def _refs(ids: Iterable[Any]) -> list[JSON]:
    return [{"id": str(i)} for i in ids if i]


def _load_balancer(lb: JSON) -> JSON:
    return {
        "id": lb["id"],
        "name": lb.get("name") or "",
        "description": lb.get("description") or "",
        **_owned(lb),
        "provider": lb.get("provider") or "amphora",
        "vip_address": lb.get("vip_address"),
        "vip_port_id": lb.get("vip_port_id"),
        "vip_network_id": lb.get("vip_network_id"),
        "vip_subnet_id": lb.get("vip_subnet_id"),
        "vip_qos_policy_id": None,
        "additional_vips": [],
        "flavor_id": None,
        "availability_zone": None,
        "admin_state_up": lb.get("admin_state_up", True) is not False,
        "provisioning_status": lb.get("provisioning_status") or "ACTIVE",
        "operating_status": lb.get("operating_status") or "ONLINE",
        "listeners": _refs(r.get("id") for r in lb.get("listeners") or ()),
        "pools": _refs(r.get("id") for r in lb.get("pools") or ()),
    }


def _listener(lb: JSON, record: JSON, pool_ids: Mapping[str, str]) -> JSON:
    return {
        "id": record["id"],
        "name": record.get("name") or "",
        "description": "",
        **_owned(lb),
        **_statuses(record),
        "admin_state_up": True,
        "protocol": record.get("protocol"),
        "protocol_port": record.get("protocol_port"),
        "connection_limit": record.get("connection_limit", -1),
        "default_pool_id": pool_ids.get(str(record.get("default_pool") or "")),
        "loadbalancers": _refs([lb["id"]]),
        "l7policies": [],
        "insert_headers": {},
        "timeout_client_data": 50000,
        "timeout_member_connect": 5000,
        "timeout_member_data": 50000,
        "timeout_tcp_inspect": 0,
        "allowed_cidrs": None,
    }


def _pool(lb: JSON, record: JSON, listener_ids: Sequence[str]) -> JSON:
    monitor = record.get("healthmonitor") or None
    persistence = record.get("session_persistence")
    return {
        "id": record["id"],
        "name": record.get("name") or "",
        "description": "",
        **_owned(lb),
        **_statuses(record),
        "admin_state_up": True,
        "protocol": record.get("protocol"),
        "lb_algorithm": record.get("lb_algorithm"),
        "session_persistence": {"type": persistence} if persistence else None,
        "loadbalancers": _refs([lb["id"]]),
        "listeners": _refs(listener_ids),
        "healthmonitor_id": monitor.get("id") if monitor else None,
        "members": _refs(m.get("id") for m in record.get("members") or ()),
        "tls_enabled": False,
    }


def _member(lb: JSON, record: JSON) -> JSON:
    return {
        "id": record["id"],
        "name": record.get("name") or "",
        **_owned(lb),
        **_statuses(record),
        "admin_state_up": True,
        "address": record.get("address"),
        "protocol_port": record.get("protocol_port"),
        "weight": record.get("weight", 1),
        "backup": bool(record.get("backup", False)),
        "subnet_id": record.get("subnet_id"),
        "monitor_address": None,
        "monitor_port": None,
    }


def _monitor(lb: JSON, record: JSON, pool_id: str) -> JSON:
    return {
        **{k: record.get(k) for k in record if k != "name"},
        "name": record.get("name") or "",
        **_owned(lb),
        **_statuses(record),
        "admin_state_up": True,
        "pools": _refs([pool_id]),
    }


def take_apart(
    load_balancers: Iterable[JSON],
) -> tuple[dict[str, list[JSON]], dict[str, list[JSON]]]:
    """The API items of each kind, and the members of each pool, from snapshot items."""
    kinds: dict[str, list[JSON]] = {kind: [] for kind in KINDS}
    members: dict[str, list[JSON]] = {}
    for lb in load_balancers:
        kinds["loadbalancers"].append(_load_balancer(lb))
        pools = [p for p in lb.get("pools") or () if p.get("id")]
        listeners = [li for li in lb.get("listeners") or () if li.get("id")]
        pool_ids = {str(p.get("name") or p["id"]): str(p["id"]) for p in pools}
        for record in listeners:
            kinds["listeners"].append(_listener(lb, record, pool_ids))
        for record in pools:
            ports = set(record.get("listener_ports") or ())
            on = [str(li["id"]) for li in listeners if li.get("protocol_port") in ports]
            kinds["pools"].append(_pool(lb, record, on))
            monitor = record.get("healthmonitor")
            if monitor and monitor.get("id"):
                kinds["healthmonitors"].append(_monitor(lb, monitor, str(record["id"])))
            members[str(record["id"])] = [
                _member(lb, m) for m in record.get("members") or () if m.get("id")
            ]
    return kinds, members


class OctaviaApi:
    """Octavia v2 of one sandbox cloud."""

    style = ErrorStyle.OCTAVIA

    def __init__(
        self, load_balancers: Sequence[JSON], *, service_url: str, options: SandboxOptions
    ) -> None:
        self.service_url = service_url
        self.max_limit = options.max_limit
        kinds, members = take_apart(load_balancers)
        self.listings = {kind: Listing.of_items(items) for kind, items in kinds.items()}
        self.members = {pool: Listing.of_items(items) for pool, items in members.items()}

    def is_public(self, request: ApiRequest) -> bool:
        return request.path.strip("/") in ("", "v2", "v2.0")

    def handle(self, request: ApiRequest) -> Response:
        parts = request.path.strip("/").split("/")
        if parts in ([""], ["v2"], ["v2.0"]):
            return json_response(
                {"versions": self._versions()}
                if parts == [""]
                else {"version": self._versions()[-1]}
            )
        if parts[0] not in ("v2", "v2.0") or parts[1:2] != ["lbaas"] or len(parts) < 3:
            raise ApiError(404, "The resource could not be found.")
        rest = parts[2:]
        if len(rest) == 1 and rest[0] in self.listings:
            return self._list(request, self.listings[rest[0]], rest[0])
        if len(rest) == 2 and rest[0] in self.listings:
            return self._one(rest[0], rest[1])
        if len(rest) == 3 and rest[0] == "pools" and rest[2] == "members":
            if self.listings["pools"].get(rest[1]) is None:
                raise ApiError(404, f"Pool {rest[1]} not found.")
            return self._list(request, self.members.get(rest[1], Listing([], [], [])), "members")
        raise ApiError(404, "The resource could not be found.")

    def _versions(self) -> list[JSON]:
        link = [{"href": f"{self.service_url}/v2", "rel": "self"}]
        return [
            {"id": "v2.0", "status": "SUPPORTED", "updated": "2016-12-11T00:00:00Z", "links": link},
            {"id": "v2.27", "status": "CURRENT", "updated": "2023-05-17T00:00:00Z", "links": link},
        ]

    def _one(self, kind: str, item_id: str) -> Response:
        chunk = self.listings[kind].get(item_id)
        if chunk is None:
            raise ApiError(404, f"{_NOUNS[kind]} {item_id} not found.")
        return Response(200, b'{"' + kind[:-1].encode() + b'":' + chunk + b"}")

    def _list(self, request: ApiRequest, listing: Listing, key: str) -> Response:
        query = request.query
        caller = request.auth
        admin = caller is None or caller.admin
        own = caller.project_id if caller is not None else None
        wanted = query.get("project_id")
        if not admin:
            # Octavia scopes a non-admin's listing to its project, whatever it asks.
            wanted = own or ""
        if wanted is not None:
            listing = listing.select(_project_is(wanted))
        limit = int_param(query, "limit")
        limit = self.max_limit if limit is None or limit < 1 else min(limit, self.max_limit)
        marker = query.get("marker")
        try:
            chunks, last = listing.page(marker, limit)
        except MarkerNotFound:
            raise ApiError(400, f"Invalid marker {marker}") from None
        base = f"{request.service_url}{request.path}"
        links: list[JSON] = []
        if marker and chunks:
            first = listing.ids[listing.index[str(marker)] + 1]
            links.append({"rel": "previous", "href": _previous(base, limit, first)})
        if last is not None:
            links.append({"rel": "next", "href": next_href(base, {}, limit, last)})
        return Response(200, list_body(key, chunks, {f"{key}_links": links}))


_NOUNS = {
    "loadbalancers": "Load Balancer",
    "listeners": "Listener",
    "pools": "Pool",
    "healthmonitors": "Health Monitor",
}


def _project_is(project: str) -> Callable[[JSON], bool]:
    return lambda item: item.get("project_id") == project


def _previous(base: str, limit: int, first: str) -> str:
    return f"{base}?limit={limit}&marker={first}&page_reverse=True"
