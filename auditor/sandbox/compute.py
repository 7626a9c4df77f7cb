"""Nova (compute v2.1): servers shaped per microversion, and the flavors behind them.

Servers are served from the snapshot's normalised records, turned back into
what ``GET /servers/detail`` answers at the negotiated microversion: below
2.47 a flavor reference ``{id, links}`` (resolved through ``GET
/flavors/detail``, whose flavors are the snapshot's flavors, plus the servers'
flavors it lacks with synthetic stable ids), from 2.47 the embedded flavor;
records marked ``"partial": true`` are the servers of a cell that is down:
as Nova does (servers.py ``_is_cell_down_supported``), they come back as
partial records at 2.69+ only on a listing with no limit, marker, sort key or
filter but ``all_tenants``, ahead of the page's servers and only as many as
the page has room for; every other listing skips them (or answers 500 with
``nova_skip_down_cells`` off), and ``/os-services`` answers their cell's
compute hosts as minimal records (2.69+). Private flavors answer their access list
(``/flavors/{id}/os-flavor-access``), and ``/os-keypairs?user_id=`` the
snapshot's keypairs of that user (paged from 2.35). Each microversion band is
built and serialised once.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.sandbox.cells import (
    cell_down_supported,
    compute_services,
    first_page_with_partials,
    host_of,
)
from auditor.sandbox.ids import bucket, shared_hex, synthetic_hex, synthetic_mac, synthetic_uuid
from auditor.sandbox.microversion import (
    MicroversionError,
    Version,
    VersionRange,
    band,
    format_version,
    parse_version,
)
from auditor.sandbox.options import SandboxOptions
from auditor.sandbox.paging import Listing, item_body, linked_page, list_body
from auditor.sandbox.quotas import QuotaSets
from auditor.sandbox.tokens import Caller
from auditor.sandbox.wire import (
    JSON,
    ApiError,
    ApiRequest,
    ErrorStyle,
    Response,
    all_tenants,
    bool_param,
    dumps,
    int_param,
    json_response,
)

CREATED = "2024-01-15T09:30:00Z"
UPDATED = "2026-11-20T08:00:00Z"

# Microversions that change what a server or a flavor looks like in a listing.
MV_DELETE_ON_TERMINATION = (2, 3)
MV_LOCKED = (2, 9)
MV_HOST_STATUS = (2, 16)
MV_KEYPAIR_TYPE = (2, 2)
MV_KEYPAIRS_OF_USER = (2, 10)
MV_DESCRIPTION = (2, 19)
MV_KEYPAIR_PAGING = (2, 35)
MV_TAGS = (2, 26)
MV_FLAVOR_EMBEDDED = (2, 47)
MV_FLAVOR_DESCRIPTION = (2, 55)
MV_FLAVOR_EXTRA_SPECS = (2, 61)
MV_TRUSTED_CERTS = (2, 63)
MV_DOWN_CELLS = (2, 69)
MV_LOCKED_REASON = (2, 73)
MV_SWAP_INT = (2, 75)
MV_PINNED_AZ = (2, 96)

SERVER_BANDS: tuple[Version, ...] = (
    (2, 1),
    MV_DELETE_ON_TERMINATION,
    MV_LOCKED,
    MV_HOST_STATUS,
    MV_DESCRIPTION,
    MV_TAGS,
    MV_FLAVOR_EMBEDDED,
    MV_TRUSTED_CERTS,
    MV_DOWN_CELLS,
    MV_LOCKED_REASON,
    MV_PINNED_AZ,
)
FLAVOR_BANDS: tuple[Version, ...] = (
    (2, 1),
    MV_FLAVOR_DESCRIPTION,
    MV_FLAVOR_EXTRA_SPECS,
    MV_SWAP_INT,
)
KEYPAIR_BANDS: tuple[Version, ...] = ((2, 1), MV_KEYPAIR_TYPE)

_STATES = {
    "ACTIVE": ("active", 1),
    "BUILD": ("building", 0),
    "SHUTOFF": ("stopped", 4),
    "PAUSED": ("paused", 3),
    "SUSPENDED": ("suspended", 4),
    "ERROR": ("error", 0),
    "RESCUE": ("rescued", 1),
    "VERIFY_RESIZE": ("resized", 1),
    "SHELVED": ("shelved", 4),
    "SHELVED_OFFLOADED": ("shelved_offloaded", 4),
    "SOFT_DELETED": ("soft-delete", 0),
    "DELETED": ("deleted", 0),
}


def flavor_key(flavor: Mapping[str, Any]) -> str:
    """What identifies a flavor derived from servers: its name and sizes."""
    return json.dumps(
        [flavor.get("name"), flavor.get("vcpus"), flavor.get("ram"), flavor.get("disk")],
        default=str,
    )


def derive_flavors(
    cloud: str, servers: Sequence[JSON], listed: Sequence[JSON] = ()
) -> tuple[list[JSON], dict[str, str]]:
    """The flavors to list and flavor key -> id: the snapshot's flavors (``listed``), then
    those the servers use that it lacks (id, name, vcpus, ram, disk).

    A flavor whose name and sizes are all null is one the audited cloud had
    deleted: it gets an id but is not listed, like a deleted flavor.
    """
    flavors: dict[str, JSON] = {}
    ids: dict[str, str] = {}
    for item in listed:
        flavors[str(item["id"])] = item
        ids.setdefault(flavor_key(item), str(item["id"]))
    for server in servers:
        flavor = server.get("flavor")
        if not isinstance(flavor, dict):
            continue
        key = flavor_key(flavor)
        if key in ids:
            continue
        flavor_id = synthetic_uuid(cloud, "flavor", key)
        ids[key] = flavor_id
        fields = {f: flavor.get(f) for f in ("name", "vcpus", "ram", "disk")}
        if any(v is not None for v in fields.values()):
            flavors[flavor_id] = {"id": flavor_id, **fields}
    return sorted(flavors.values(), key=lambda f: f["id"]), ids


def _marker_gone(marker: str) -> ApiError:
    """Nova answers 400 for a marker it does not know (deleted or archived)."""
    return ApiError(400, f"marker [{marker}] not found")


@dataclass(frozen=True)
class _Urls:
    root: str
    """Unversioned service URL (bookmark links)."""
    versioned: str
    """``.../v2.1`` (self links)."""


def _links(urls: _Urls, kind: str, item_id: str) -> list[JSON]:
    return [
        {"rel": "self", "href": f"{urls.versioned}/{kind}/{item_id}"},
        {"rel": "bookmark", "href": f"{urls.root}/{kind}/{item_id}"},
    ]


def _addresses(raw: Any, server_id: str) -> JSON:
    if not isinstance(raw, dict):
        return {}
    return {
        net: [
            {
                "version": 6 if ":" in str(ip) else 4,
                "addr": ip,
                "OS-EXT-IPS:type": "fixed",
                "OS-EXT-IPS-MAC:mac_addr": synthetic_mac(server_id, net),
            }
            for ip in ips or []
        ]
        for net, ips in raw.items()
    }


def server_view(server: JSON, mv: Version, urls: _Urls, flavor_ids: Mapping[str, str]) -> JSON:
    """One server of ``GET /servers/detail`` at microversion ``mv``."""
    sid = str(server["id"])
    links = _links(urls, "servers", sid)
    project_id = server.get("project_id")
    if server.get("partial"):
        return {
            "id": sid,
            "status": "UNKNOWN",
            "tenant_id": project_id,
            "created": CREATED,
            "links": links,
        }
    status = server.get("status")
    vm_state, power_state = _STATES.get(str(status).upper(), (str(status).lower(), 0))
    flavor = server.get("flavor")
    flavor_view: Any = flavor
    if isinstance(flavor, dict):
        if mv >= MV_FLAVOR_EMBEDDED:
            flavor_view = {
                "original_name": flavor.get("name"),
                "vcpus": flavor.get("vcpus"),
                "ram": flavor.get("ram"),
                "disk": flavor.get("disk"),
                "ephemeral": 0,
                "swap": 0,
                "extra_specs": {},
            }
        else:
            flavor_id = flavor_ids[flavor_key(flavor)]
            flavor_view = {
                "id": flavor_id,
                "links": [{"rel": "bookmark", "href": f"{urls.root}/flavors/{flavor_id}"}],
            }
    image = server.get("image")
    image_view: Any = ""
    if isinstance(image, dict) and image.get("id"):
        image_view = {
            "id": image["id"],
            "links": [{"rel": "bookmark", "href": f"{urls.root}/images/{image['id']}"}],
        }
    host = host_of(sid)
    attached: list[JSON] = [
        {"id": v, "delete_on_termination": False} if mv >= MV_DELETE_ON_TERMINATION else {"id": v}
        for v in server.get("volumes") or []
    ]
    view: JSON = {
        "id": sid,
        "name": server.get("name"),
        "status": status,
        "tenant_id": project_id,
        "user_id": shared_hex("user", project_id),
        "metadata": dict(server.get("metadata") or {}),
        "hostId": shared_hex("host", project_id, host),
        "image": image_view,
        "flavor": flavor_view,
        "created": CREATED,
        "updated": UPDATED,
        "addresses": _addresses(server.get("addresses"), sid),
        "accessIPv4": "",
        "accessIPv6": "",
        "links": links,
        "OS-DCF:diskConfig": "MANUAL",
        "progress": 0,
        "OS-EXT-AZ:availability_zone": server.get("availability_zone"),
        "config_drive": "",
        "key_name": server.get("key_name"),
        "OS-SRV-USG:launched_at": "2024-01-15T09:31:02.000000",
        "OS-SRV-USG:terminated_at": None,
        "OS-EXT-SRV-ATTR:host": host,
        "OS-EXT-SRV-ATTR:instance_name": f"instance-{bucket(sid, 1 << 24):08x}",
        "OS-EXT-SRV-ATTR:hypervisor_hostname": f"{host}.sandbox",
        "OS-EXT-STS:task_state": None,
        "OS-EXT-STS:vm_state": vm_state,
        "OS-EXT-STS:power_state": power_state,
        "os-extended-volumes:volumes_attached": attached,
        "security_groups": [{"name": g} for g in server.get("security_groups") or []],
    }
    if mv >= MV_DELETE_ON_TERMINATION:
        view["OS-EXT-SRV-ATTR:hostname"] = server.get("name")
        view["OS-EXT-SRV-ATTR:reservation_id"] = "r-" + sid[:8]
        view["OS-EXT-SRV-ATTR:launch_index"] = 0
        view["OS-EXT-SRV-ATTR:kernel_id"] = ""
        view["OS-EXT-SRV-ATTR:ramdisk_id"] = ""
        view["OS-EXT-SRV-ATTR:root_device_name"] = "/dev/vda"
    if mv >= MV_LOCKED:
        view["locked"] = False
    if mv >= MV_HOST_STATUS:
        view["host_status"] = "UP"
    if mv >= MV_DESCRIPTION:
        view["description"] = None
    if mv >= MV_TAGS:
        view["tags"] = []
    if mv >= MV_TRUSTED_CERTS:
        view["trusted_image_certificates"] = None
    if mv >= MV_LOCKED_REASON:
        view["locked_reason"] = None
    if mv >= MV_PINNED_AZ:
        view["pinned_availability_zone"] = None
    return view


def server_summary(server: JSON, mv: Version, urls: _Urls) -> JSON:
    """One server of ``GET /servers``."""
    sid = str(server["id"])
    summary: JSON = {"id": sid, "links": _links(urls, "servers", sid)}
    if server.get("partial"):
        summary["status"] = "UNKNOWN"
    else:
        summary["name"] = server.get("name")
    return summary


def flavor_view(flavor: JSON, mv: Version, urls: _Urls, detail: bool) -> JSON:
    """One flavor of ``GET /flavors/detail`` (or ``/flavors``) at ``mv``."""
    view: JSON = {
        "id": flavor["id"],
        "name": flavor.get("name"),
        "links": _links(urls, "flavors", flavor["id"]),
    }
    if mv >= MV_FLAVOR_DESCRIPTION:
        view["description"] = None
    if not detail:
        return view
    swap = flavor.get("swap") or 0
    view.update(
        {
            "vcpus": flavor.get("vcpus"),
            "ram": flavor.get("ram"),
            "disk": flavor.get("disk"),
            "OS-FLV-EXT-DATA:ephemeral": flavor.get("ephemeral") or 0,
            "OS-FLV-DISABLED:disabled": False,
            # Before 2.75 no swap is "", not 0.
            "swap": swap if swap or mv >= MV_SWAP_INT else "",
            "rxtx_factor": 1.0,
            "os-flavor-access:is_public": flavor.get("is_public", True) is not False,
        }
    )
    if mv >= MV_FLAVOR_EXTRA_SPECS:
        view["extra_specs"] = dict(flavor.get("extra_specs") or {})
    return view


def public_key(keypair: JSON) -> str:
    """A made-up public key: the snapshot keeps only the fingerprint."""
    blob = synthetic_hex("public-key", keypair.get("user_id"), keypair.get("name"))
    if keypair.get("type") == "x509":
        return f"-----BEGIN CERTIFICATE-----\n{blob}\n-----END CERTIFICATE-----\n"
    return f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{blob} {keypair.get('name')}"


def keypair_view(keypair: JSON, mv: Version) -> JSON:
    """One item of ``GET /os-keypairs``: each keypair wrapped, without its user."""
    view: JSON = {
        "name": keypair.get("name"),
        "public_key": public_key(keypair),
        "fingerprint": keypair.get("fingerprint"),
    }
    if mv >= MV_KEYPAIR_TYPE:
        view["type"] = keypair.get("type") or "ssh"
    return {"keypair": view}


class ComputeApi:
    """Nova of one sandbox cloud."""

    style = ErrorStyle.NOVA

    def __init__(
        self,
        servers: Sequence[JSON],
        *,
        cloud: str,
        service_url: str,
        project_id: str,
        options: SandboxOptions,
        flavors: Sequence[JSON] = (),
        keypairs: Sequence[JSON] = (),
        user_id: str | None = None,
        quotas: QuotaSets | None = None,
    ) -> None:
        self.versions = VersionRange(
            "compute",
            (2, 1),
            parse_version(options.compute_max_version),
            legacy_header="X-OpenStack-Nova-API-Version",
        )
        self.urls = _Urls(root=service_url, versioned=f"{service_url}/v2.1")
        self.options = options
        self.project_id = project_id
        self.max_limit = options.max_limit
        self.servers = list(servers)
        self.quotas = quotas if quotas is not None else QuotaSets(())
        self.flavors, self.flavor_ids = derive_flavors(cloud, self.servers, flavors)
        self.private = {
            str(f["id"]): [str(p) for p in f.get("access_ids") or []]
            for f in flavors
            if f.get("is_public") is False
        }
        """Private flavor id -> ids of the projects it is shared with."""
        self.keypairs: dict[str, list[JSON]] = {}
        """User id -> its keypairs, by name."""
        for keypair in sorted(keypairs, key=lambda k: str(k.get("name"))):
            self.keypairs.setdefault(str(keypair.get("user_id")), []).append(keypair)
        self.user_id = user_id
        """The caller: whose keypairs Nova lists without (or before 2.10, despite) user_id."""
        self._keypair_views: dict[tuple[str, Version], Listing] = {}
        self._lock = threading.Lock()
        self._views: dict[tuple[str, Version], Listing] = {}
        # The shape clients negotiate (the highest) is ready before the first request.
        self._view("detail", self.versions.maximum)

    # -- routing ---------------------------------------------------------------

    def is_public(self, request: ApiRequest) -> bool:
        return request.path in ("", "/", "/v2.1", "/v2.1/")

    def handle(self, request: ApiRequest) -> Response:
        path = request.path
        if path in ("", "/"):
            return json_response({"versions": [self._version_doc()]})
        if path != "/v2.1" and not path.startswith("/v2.1/"):
            raise ApiError(404, "The resource could not be found.")
        try:
            mv = self.versions.negotiate(request.headers)
        except MicroversionError as exc:
            raise ApiError(exc.status, exc.message) from None
        headers = self.versions.response_headers(mv)
        try:
            response = self._route(path[len("/v2.1") :].strip("/").split("/"), mv, request)
        except ApiError as exc:
            exc.headers.update(headers)
            raise
        response.headers.update(headers)
        return response

    def _route(self, parts: list[str], mv: Version, request: ApiRequest) -> Response:
        if parts == [""]:
            return json_response({"version": self._version_doc()})
        if parts[0] == "servers" and len(parts) <= 2:
            if len(parts) == 1:
                return self._list_servers(request, mv, detail=False)
            if parts[1] == "detail":
                return self._list_servers(request, mv, detail=True)
            chunk = self._view("detail", mv).get(parts[1])
            if chunk is None and mv >= MV_DOWN_CELLS:
                chunk = self._view("down-detail", mv).get(parts[1])
            if chunk is None:
                raise ApiError(404, f"Instance {parts[1]} could not be found.")
            return Response(200, item_body("server", chunk))
        if parts[0] == "flavors" and len(parts) == 3 and parts[2] == "os-flavor-access":
            return self._flavor_access(parts[1])
        if parts == ["os-keypairs"]:
            return self._list_keypairs(request, mv)
        if parts == ["os-services"]:
            return self._list_services(request, mv)
        if parts[0] == "flavors" and len(parts) <= 2:
            if len(parts) == 1:
                return self._list_flavors(request, mv, detail=False)
            if parts[1] == "detail":
                return self._list_flavors(request, mv, detail=True)
            chunk = self._view("flavors-detail", mv).get(parts[1])
            if chunk is None:
                raise ApiError(404, f"Flavor {parts[1]} could not be found.")
            return Response(200, item_body("flavor", chunk))
        if parts[0] == "os-quota-sets" and len(parts) in (2, 3) and parts[-1] != "":
            if len(parts) == 3 and parts[2] != "detail":
                raise ApiError(404, "The resource could not be found.")
            return self.quotas.compute(parts[1], mv, detail=len(parts) == 3)
        raise ApiError(404, "The resource could not be found.")

    def _version_doc(self) -> JSON:
        return {
            "id": "v2.1",
            "status": "CURRENT",
            "version": format_version(self.versions.maximum),
            "min_version": format_version(self.versions.minimum),
            "updated": "2013-07-23T11:33:21Z",
            "links": [
                {"rel": "self", "href": f"{self.urls.versioned}/"},
                {"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"},
            ],
            "media-types": [
                {
                    "base": "application/json",
                    "type": "application/vnd.openstack.compute+json;version=2.1",
                }
            ],
        }

    # -- views -------------------------------------------------------------------

    def _view(self, kind: str, mv: Version) -> Listing:
        """The listing of ``kind`` at ``mv``'s band, built on first use."""
        bands = FLAVOR_BANDS if kind.startswith("flavors") else SERVER_BANDS
        key = (kind, band(mv, bands))
        listing = self._views.get(key)
        if listing is None:
            with self._lock:
                listing = self._views.get(key)
                if listing is None:
                    listing = self._build(kind, key[1])
                    self._views[key] = listing
        return listing

    def _build(self, kind: str, mv: Version) -> Listing:
        urls = self.urls
        if kind == "flavors-detail":
            return Listing.build(self.flavors, lambda f: flavor_view(f, mv, urls, True))
        if kind == "flavors":
            return Listing.build(self.flavors, lambda f: flavor_view(f, mv, urls, False))
        # The servers of a down cell are no part of any paged listing (see _list_servers).
        if kind in ("down-summary", "down-detail"):
            down = [s for s in self.servers if s.get("partial")]
            if kind == "down-summary":
                return Listing.build(down, lambda s: server_summary(s, mv, urls))
            return Listing.build(down, lambda s: server_view(s, mv, urls, self.flavor_ids))
        servers = [s for s in self.servers if not s.get("partial")]
        if kind == "summary":
            return Listing.build(servers, lambda s: server_summary(s, mv, urls))
        flavor_ids = self.flavor_ids
        return Listing.build(servers, lambda s: server_view(s, mv, urls, flavor_ids))

    # -- listings ------------------------------------------------------------------

    def _limit(self, query: Mapping[str, str]) -> int:
        limit = int_param(query, "limit")
        return self.max_limit if limit is None else min(limit, self.max_limit)

    def _server_filter(
        self, query: Mapping[str, str], caller: Caller | None = None
    ) -> Callable[[JSON], bool] | None:
        tests: list[Callable[[JSON], bool]] = []
        if all_tenants(query):
            if caller is not None and not caller.admin:
                raise ApiError(
                    403,
                    "Policy doesn't allow os_compute_api:servers:detail:get_all_tenants to be"
                    " performed.",
                )
            project = query.get("project_id") or query.get("tenant_id")
            if project:
                tests.append(lambda s: s.get("project_id") == project)
        else:
            # The token's project (the admin's own without a project-scoped caller).
            own = caller.project_id if caller is not None and caller.project_id else self.project_id
            tests.append(lambda s: s.get("project_id") == own)
        if query.get("name"):
            try:
                pattern = re.compile(query["name"])
            except re.error:
                raise ApiError(400, f"Invalid name filter {query['name']!r}") from None
            tests.append(lambda s: bool(pattern.search(str(s.get("name") or ""))))
        if query.get("status"):
            status = query["status"].upper()
            tests.append(lambda s: str(s.get("status") or "").upper() == status)
        if query.get("availability_zone"):
            zone = query["availability_zone"]
            tests.append(lambda s: s.get("availability_zone") == zone)
        if not tests:
            return None
        return lambda s: all(test(s) for test in tests)

    def _list_servers(self, request: ApiRequest, mv: Version, *, detail: bool) -> Response:
        query = request.query
        limit = self._limit(query)
        listing = self._view("detail" if detail else "summary", mv)
        keep = self._server_filter(query, request.auth)
        if keep is not None:
            listing = listing.select(keep)
        base = f"{self.urls.versioned}/servers" + ("/detail" if detail else "")
        down = self._view("down-detail" if detail else "down-summary", mv)
        if not len(down):
            return Response(200, linked_page(listing, query, limit, "servers", base, _marker_gone))
        if not cell_down_supported(query, mv):
            if not self.options.nova_skip_down_cells:
                raise ApiError(
                    500, "Cell is not responding but configuration indicates that we should fail."
                )
            return Response(200, linked_page(listing, query, limit, "servers", base, _marker_gone))
        own = all_tenants(query)
        project = request.auth.project_id if request.auth is not None else None
        down = down.select(lambda s: own or s.get("project_id") == (project or self.project_id))
        return Response(200, first_page_with_partials(listing, down, query, limit, base))

    def _list_services(self, request: ApiRequest, mv: Version) -> Response:
        services = compute_services(self.servers, mv, self.urls.root, UPDATED, request.query)
        return json_response({"services": services})

    def _list_flavors(self, request: ApiRequest, mv: Version, *, detail: bool) -> Response:
        query = request.query
        limit = self._limit(query)
        listing = self._view("flavors-detail" if detail else "flavors", mv)
        is_public = query.get("is_public")
        # Nova lists public flavors by default; an admin's is_public=none lists all.
        if is_public is None or is_public.lower() != "none":
            public = True if is_public is None else bool_param(is_public, "is_public")
            listing = listing.select(lambda f: (f.get("is_public") is not False) is public)
        base = f"{self.urls.versioned}/flavors" + ("/detail" if detail else "")
        return Response(200, linked_page(listing, query, limit, "flavors", base, _marker_gone))

    def _flavor_access(self, flavor_id: str) -> Response:
        if self._view("flavors-detail", self.versions.maximum).get(flavor_id) is None:
            raise ApiError(404, f"Flavor {flavor_id} could not be found.")
        projects = self.private.get(flavor_id)
        if projects is None:
            raise ApiError(404, "Access list not available for public flavors.")
        return json_response(
            {"flavor_access": [{"flavor_id": flavor_id, "tenant_id": p} for p in projects]}
        )

    def _keypair_listing(self, user_id: str, mv: Version) -> Listing:
        key = (user_id, band(mv, KEYPAIR_BANDS))
        listing = self._keypair_views.get(key)
        if listing is None:
            with self._lock:
                listing = self._keypair_views.get(key)
                if listing is None:
                    own = self.keypairs.get(user_id, [])
                    listing = Listing(
                        [str(k.get("name")) for k in own],
                        [dumps(keypair_view(k, key[1])) for k in own],
                        list(own),
                    )
                    self._keypair_views[key] = listing
        return listing

    def _list_keypairs(self, request: ApiRequest, mv: Version) -> Response:
        query = request.query
        user_id = query.get("user_id") if mv >= MV_KEYPAIRS_OF_USER else None
        listing = self._keypair_listing(user_id or str(self.user_id), mv)
        if mv < MV_KEYPAIR_PAGING:
            return Response(200, list_body("keypairs", listing.chunks))
        limit = self._limit(query)
        base = f"{self.urls.versioned}/os-keypairs"
        return Response(200, linked_page(listing, query, limit, "keypairs", base, _marker_gone))
