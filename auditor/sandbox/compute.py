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

import re
from collections.abc import Callable, Mapping, Sequence

from auditor.sandbox.cells import (
    cell_down_supported,
    compute_services,
    first_page_with_partials,
)
from auditor.sandbox.flux import Stamps, nova_time, parse_time
from auditor.sandbox.microversion import (
    Version,
    VersionRange,
    at_microversion,
    band,
    parse_version,
    version_document,
)
from auditor.sandbox.options import SandboxOptions
from auditor.sandbox.paging import Listing, Views, item_body, linked_page, list_body
from auditor.sandbox.quotas import QuotaSets
from auditor.sandbox.tokens import Caller
from auditor.sandbox.views.compute import (
    FLAVOR_BANDS,
    KEYPAIR_BANDS,
    MV_DOWN_CELLS,
    MV_KEYPAIR_PAGING,
    MV_KEYPAIRS_OF_USER,
    SERVER_BANDS,
    UPDATED,
    Urls,
    derive_flavors,
    flavor_view,
    keypair_view,
    marker_gone,
    server_summary,
    server_view,
)
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
        stamps: Stamps | None = None,
    ) -> None:
        self.stamps = stamps or Stamps()
        """When changed servers were created, updated or deleted (:mod:`auditor.sandbox.flux`)."""
        self.versions = VersionRange(
            "compute",
            (2, 1),
            parse_version(options.compute_max_version),
            legacy_header="X-OpenStack-Nova-API-Version",
        )
        self.urls = Urls(root=service_url, versioned=f"{service_url}/v2.1")
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
        self._keypair_views = Views(self._build_keypairs)
        self._views = Views(self._build)
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
        parts = path[len("/v2.1") :].strip("/").split("/")
        return at_microversion(
            self.versions, request.headers, lambda mv: self._route(parts, mv, request)
        )

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
        describedby = {
            "rel": "describedby",
            "type": "text/html",
            "href": "http://docs.openstack.org/",
        }
        return version_document(
            "v2.1",
            self.versions,
            "2013-07-23T11:33:21Z",
            [{"rel": "self", "href": f"{self.urls.versioned}/"}, describedby],
            "application/vnd.openstack.compute+json;version=2.1",
        )

    # -- views -------------------------------------------------------------------

    def _view(self, kind: str, mv: Version) -> Listing:
        """The listing of ``kind`` at ``mv``'s band, built on first use."""
        return self._views.get(
            kind, band(mv, FLAVOR_BANDS if kind.startswith("flavors") else SERVER_BANDS)
        )

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
        return Listing.build(servers, lambda s: self._detail(s, mv))

    def _detail(self, server: JSON, mv: Version) -> JSON:
        view = server_view(server, mv, self.urls, self.flavor_ids)
        return self.stamps.stamped(view, "created", "updated", nova_time)

    def _changes_since(self, value: str, mv: Version, *, detail: bool) -> Listing:
        """``changes-since``: the servers updated since, and those deleted since (as
        ``DELETED``), as Nova lists them whenever the filter is given."""
        since = parse_time(value)
        if since is None:
            # Nova's query schema checks the format before anything is listed.
            raise ApiError(
                400,
                f"Invalid input for query parameters changes-since. Value: {value}."
                f" '{value}' is not a 'date-time'",
            )
        default = parse_time(UPDATED) or since
        live = [
            s
            for s in self.servers
            if not s.get("partial") and self.stamps.updated_at(s["id"], default) >= since
        ]
        gone = [{**s, "status": "DELETED"} for s in self.stamps.gone("servers", since)]
        changed = sorted([*live, *gone], key=lambda s: str(s["id"]))
        if detail:
            return Listing.build(changed, lambda s: self._detail(s, mv))
        return Listing.build(changed, lambda s: server_summary(s, mv, self.urls))

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
        since = query.get("changes-since")
        if since is not None:
            listing = self._changes_since(since, mv, detail=detail)
        if keep is not None:
            listing = listing.select(keep)
        base = f"{self.urls.versioned}/servers" + ("/detail" if detail else "")
        if since is not None:
            return Response(200, linked_page(listing, query, limit, "servers", base, marker_gone))
        down = self._view("down-detail" if detail else "down-summary", mv)
        if not len(down):
            return Response(200, linked_page(listing, query, limit, "servers", base, marker_gone))
        if not cell_down_supported(query, mv):
            if not self.options.nova_skip_down_cells:
                raise ApiError(
                    500, "Cell is not responding but configuration indicates that we should fail."
                )
            return Response(200, linked_page(listing, query, limit, "servers", base, marker_gone))
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
        return Response(200, linked_page(listing, query, limit, "flavors", base, marker_gone))

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
        return self._keypair_views.get(user_id, band(mv, KEYPAIR_BANDS))

    def _build_keypairs(self, user_id: str, mv: Version) -> Listing:
        own = self.keypairs.get(user_id, [])
        return Listing(
            [str(k.get("name")) for k in own], [dumps(keypair_view(k, mv)) for k in own], list(own)
        )

    def _list_keypairs(self, request: ApiRequest, mv: Version) -> Response:
        query = request.query
        user_id = query.get("user_id") if mv >= MV_KEYPAIRS_OF_USER else None
        listing = self._keypair_listing(user_id or str(self.user_id), mv)
        if mv < MV_KEYPAIR_PAGING:
            return Response(200, list_body("keypairs", listing.chunks))
        limit = self._limit(query)
        base = f"{self.urls.versioned}/os-keypairs"
        return Response(200, linked_page(listing, query, limit, "keypairs", base, marker_gone))
