"""A cloud mocked with ``responses``: Keystone v3, Nova, Cinder, Glance, Neutron.

Payloads follow the OpenStack API references: a Keystone token with its
catalog, version documents for discovery, and list endpoints that page like
the real services (``servers_links``/``volumes_links`` next only on a full page,
Keystone ``links`` dicts, Glance's top-level ``next``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import responses

from auditor.catalog import registry
from auditor.catalog.spec import CollectionSpec, Request
from tests import payloads

JSON = dict[str, Any]

PROJECT_ID = "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0"
TOKEN = "gAAAAABtoken-secret-value-0123456789"
PASSWORD = "s3cr3t-Pa55word!"


def paged(
    items: Sequence[JSON],
    query: dict[str, list[str]],
    *,
    max_limit: int,
    base_url: str,
) -> tuple[list[JSON], str | None]:
    """One page as Nova and Cinder cut it: after ``marker``, at most min(limit, max_limit)."""
    limit = min(int(query.get("limit", [max_limit])[0]), max_limit)
    start = 0
    if "marker" in query:
        ids = [i["id"] for i in items]
        marker = query["marker"][0]
        if marker not in ids:
            return [], "MARKER_NOT_FOUND"
        start = ids.index(marker) + 1
    page = list(items[start : start + limit])
    if len(page) == limit and page:
        params = {k: v[0] for k, v in query.items()}
        params["marker"] = page[-1]["id"]
        params["limit"] = str(limit)
        return page, f"{base_url}?{urlencode(params)}"
    return page, None


ENDPOINTS = {
    "identity": ("keystone", "/v3"),
    "compute": ("nova", "/v2.1"),
    "block-storage": ("cinder", f"/v3/{PROJECT_ID}"),
    "image": ("glance", "/v2"),
    "network": ("neutron", "/v2.0"),
}
"""Service type -> the FakeCloud attribute holding its root URL, and the version its
requests' paths are under."""

ITEMS = {"compute.services": "compute_services", "network.floating_ips": "floating_ips"}
"""Listing -> the FakeCloud attribute holding its raw items, where it is not the listing's
body key (``servers``...)."""


def listing_routes(catalog: Sequence[CollectionSpec] = registry.CATALOG) -> dict[str, Request]:
    """The catalog's listings a FakeCloud serves from its item lists, by override key: the
    path (``/servers/detail``; ``/v3/projects`` for Keystone's). Fan-outs with the item in
    their path (access lists, quotas) have routes of their own."""
    out: dict[str, Request] = {}
    for request in registry.listings(catalog).values():
        if "{id}" not in request.path:
            path = request.path.split("?", 1)[0]
            out[("/v3" if request.service == "identity" else "") + path] = request
    return out


KEYSTONE_FILTERS = {
    "users": ("domain_id",),
    "endpoints": ("interface", "service_id", "region_id"),
    "services": ("type", "name"),
    "regions": ("parent_region_id",),
}
"""Query parameters Keystone's listings filter by (the fields of the same name)."""


@dataclass
class FakeCloud:
    """Register a whole cloud on a ``responses`` mock."""

    rsps: responses.RequestsMock
    name: str = "cw"
    keystone: str = "http://keystone.test:5000"
    nova: str = "http://nova.test:8774"
    cinder: str = "http://cinder.test:8776"
    glance: str = "http://glance.test:9292"
    neutron: str = "http://neutron.test:9696"
    region: str = "fr1"
    compute_max: str = "2.96"
    volume_max: str = "3.70"
    nova_max_limit: int = 1000
    cinder_max_limit: int = 1000
    glance_page: int = 25
    glance_max_limit: int = 1000
    """Glance [DEFAULT] api_limit_max: the largest page it serves."""
    domains: list[JSON] = field(default_factory=list)
    projects: list[JSON] = field(default_factory=list)
    services: list[JSON] = field(default_factory=list)
    endpoints: list[JSON] = field(default_factory=list)
    regions: list[JSON] = field(default_factory=list)
    users: list[JSON] = field(default_factory=list)
    """Keystone ``/v3/users`` items (paged like projects)."""
    flavor_access: dict[str, list[str]] = field(default_factory=dict)
    """Private flavor id -> ids of the projects it is shared with (default: none)."""
    keypairs: dict[str, list[JSON]] = field(default_factory=dict)
    """User id -> its keypairs as ``GET /os-keypairs`` lists them (``{"keypair": {...}}``)."""
    servers: list[JSON] = field(default_factory=list)
    compute_services: list[JSON] = field(default_factory=list)
    """Nova ``/os-services`` items (a down cell's hosts: ``{binary, host, status: UNKNOWN}``)."""
    flavors: list[JSON] = field(default_factory=list)
    volumes: list[JSON] = field(default_factory=list)
    images: list[JSON] = field(default_factory=list)
    snapshots: list[JSON] = field(default_factory=list)
    """Cinder ``snapshots/detail`` items."""
    backups: list[JSON] = field(default_factory=list)
    """Cinder ``backups/detail`` items."""
    quotas: dict[str, dict[str, JSON]] = field(default_factory=dict)
    """``compute``, ``block-storage`` or ``network`` -> project id -> the detailed quota
    body (``quota_set`` or ``quota``); a project without one gets the service's defaults."""
    networks: list[JSON] = field(default_factory=list)
    """Neutron items of GET /v2.0/networks (and likewise the five lists below)."""
    subnets: list[JSON] = field(default_factory=list)
    ports: list[JSON] = field(default_factory=list)
    routers: list[JSON] = field(default_factory=list)
    security_groups: list[JSON] = field(default_factory=list)
    floating_ips: list[JSON] = field(default_factory=list)
    neutron_pagination: bool = True
    """Neutron's API pagination (always on since Queens): off, limit and marker are ignored
    and every item comes in one answer."""
    neutron_max_limit: int | None = None
    """Neutron [DEFAULT] pagination_max_limit: the largest page it serves (None: no cap)."""
    keystone_page: int | None = None
    """Page size Keystone applies (2025.1 paging); None: no paging."""
    keystone_list_limit: int | None = None
    """Keystone [DEFAULT] list_limit: cut lists and say truncated."""
    overrides: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    """listing path (``/servers/detail``...), ``/v3/auth/tokens``, ``compute:discovery``,
    ``block-storage:discovery``, or ``<service>:quotas`` (compute, block-storage,
    network) -> callback(request) replacing the default handler."""
    lists: dict[str, list[JSON]] = field(default_factory=dict)
    """Raw items of any other listing of the catalog, by its body key."""
    collections: Sequence[CollectionSpec] = registry.CATALOG
    """The collections whose listings are routed (the auditor's)."""
    _defaults: dict[str, Callable[[Any], Any]] = field(default_factory=dict, repr=False)

    # -- registration ------------------------------------------------------

    def register(self) -> FakeCloud:
        r = self.rsps
        r.add_callback(responses.GET, f"{self.keystone}/v3", callback=self._keystone_version)
        r.add_callback(responses.GET, f"{self.keystone}/v3/", callback=self._keystone_version)
        r.add_callback(
            responses.POST,
            f"{self.keystone}/v3/auth/tokens",
            callback=self._wrap("/v3/auth/tokens", self._token),
        )
        for key, request in listing_routes(self.collections).items():
            if request.service not in ENDPOINTS:
                # Not in this fake's catalog either: an optional service it does not offer.
                continue
            root, prefix = ENDPOINTS[request.service]
            base = getattr(self, root) + prefix + key.removeprefix("/v3")
            r.add_callback(
                responses.GET,
                re.compile(rf"{re.escape(base)}(\?.*)?$"),
                callback=self._wrap(key, self._listing(request, base)),
            )
        nova_version = self._wrap("compute:discovery", self._nova_version)
        r.add_callback(responses.GET, f"{self.nova}/v2.1", callback=nova_version)
        r.add_callback(responses.GET, f"{self.nova}/v2.1/", callback=nova_version)
        r.add_callback(
            responses.GET,
            f"{self.nova}/",
            callback=self._wrap("compute:discovery", self._nova_versions),
        )
        r.add_callback(
            responses.GET,
            re.compile(rf"{re.escape(self.nova)}/v2.1/flavors/([^/?]+)/os-flavor-access$"),
            callback=self._wrap("/os-flavor-access", self._nova_flavor_access),
        )
        cinder_version = self._wrap("block-storage:discovery", self._cinder_version)
        r.add_callback(
            responses.GET,
            f"{self.cinder}/",
            callback=self._wrap("block-storage:discovery", self._cinder_versions),
        )
        r.add_callback(responses.GET, f"{self.cinder}/v3/", callback=cinder_version)
        r.add_callback(responses.GET, f"{self.cinder}/v3/{PROJECT_ID}", callback=cinder_version)
        r.add_callback(
            responses.GET,
            re.compile(rf"{re.escape(self.nova)}/v2.1/os-quota-sets/([^/?]+)/detail(\?.*)?$"),
            callback=self._wrap("compute:quotas", self._quotas("compute")),
        )
        r.add_callback(
            responses.GET,
            re.compile(rf"{re.escape(self.cinder)}/v3/{PROJECT_ID}/os-quota-sets/([^/?]+)(\?.*)?$"),
            callback=self._wrap("block-storage:quotas", self._quotas("block-storage")),
        )
        neutron_versions = self._wrap("network:discovery", self._neutron_versions)
        r.add_callback(responses.GET, f"{self.neutron}/", callback=neutron_versions)
        r.add_callback(responses.GET, f"{self.neutron}/v2.0", callback=neutron_versions)
        r.add_callback(responses.GET, f"{self.neutron}/v2.0/", callback=neutron_versions)
        r.add_callback(
            responses.GET,
            re.compile(rf"{re.escape(self.neutron)}/v2.0/quotas/([^/?]+)/details(\?.*)?$"),
            callback=self._wrap("network:quotas", self._quotas("network")),
        )
        r.add_callback(responses.GET, f"{self.glance}/", callback=self._glance_versions)
        r.add_callback(responses.GET, f"{self.glance}/v2", callback=self._glance_versions)
        r.add_callback(responses.GET, f"{self.glance}/v2/", callback=self._glance_versions)
        return self

    def clouds_yaml(self, **auth_overrides: Any) -> JSON:
        auth = {
            "auth_url": f"{self.keystone}/v3",
            "username": "admin",
            "password": PASSWORD,
            "project_name": "admin",
            "user_domain_name": "Default",
            "project_domain_name": "Default",
            **auth_overrides,
        }
        return {
            "clouds": {
                self.name: {
                    "auth": auth,
                    "region_name": self.region,
                    "identity_api_version": 3,
                }
            }
        }

    # -- helpers -------------------------------------------------------------

    def answer_first(self, key: str, *answers: Any) -> None:
        """Answer the next requests of ``key`` with ``answers``, then as usual.

        An answer is what a ``responses`` callback returns: a (status, headers,
        body) tuple such as :meth:`reply` makes, or an exception to raise (a
        ``requests.ConnectionError`` stands for a connection reset).
        """
        queue = list(answers)
        default = self._defaults[key]

        def handler(request: Any) -> Any:
            return queue.pop(0) if queue else default(request)

        self.overrides[key] = handler

    def items_of(self, what: str) -> list[JSON]:
        """The raw items of a listing: the attribute of that name, else :attr:`lists`'."""
        items = getattr(self, what, None)
        return items if isinstance(items, list) else self.lists.get(what, [])

    def default(self, key: str) -> Callable[[Any], Any]:
        """The handler of ``key`` (as :attr:`overrides` names it) when no override replaces
        it (once registered)."""
        return self._defaults[key]

    def _wrap(self, key: str, default: Callable[[Any], Any]) -> Callable[[Any], Any]:
        self._defaults[key] = default

        def handler(request: Any) -> Any:
            override = self.overrides.get(key)
            return override(request) if override is not None else default(request)

        return handler

    @staticmethod
    def reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Any:
        """A ``responses`` callback result: JSON ``body`` with ``status`` and ``headers``."""
        return (status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(body))

    @staticmethod
    def query(request: Any) -> dict[str, list[str]]:
        return parse_qs(urlsplit(request.url).query, keep_blank_values=True)

    def sent(self) -> list[tuple[str, str]]:
        """(method, URL) of every request sent so far, in order."""
        return [(str(c.request.method), str(c.request.url)) for c in self.rsps.calls]

    def requests_to(self, path: str, method: str = "GET") -> list[Any]:
        """The requests sent so far whose URL path ends with ``path``, in order."""
        return [
            call.request
            for call in self.rsps.calls
            if call.request.method == method
            and urlsplit(str(call.request.url)).path.rstrip("/").endswith(path)
        ]

    # -- listings ------------------------------------------------------------

    def _listing(self, request: Request, base: str) -> Callable[[Any], Any]:
        """The handler of one catalog listing, paged as its service pages."""
        what = ITEMS.get(request.key, request.items)
        if request.service == "identity":
            return self._keystone_list(what)
        if request.service == "network":
            return self._neutron_list(base, what, request.items)
        if request.service == "image":
            return self._glance_images
        if request.key == "compute.keypairs":
            return self._nova_keypairs
        return self._linked(request.service, what, request.items, base)

    def _linked(self, service: str, what: str, key: str, base: str) -> Callable[[Any], Any]:
        """Nova's and Cinder's listings: ``<key>_links`` next on a full page; an unknown
        marker is Nova's 400, Cinder's 404."""
        compute = service == "compute"

        def handler(request: Any) -> Any:
            page, nxt = paged(
                self.items_of(what),
                self.query(request),
                max_limit=self.nova_max_limit if compute else self.cinder_max_limit,
                base_url=base,
            )
            if nxt == "MARKER_NOT_FOUND":
                if compute:
                    return self.reply(
                        {"badRequest": {"code": 400, "message": "marker not found"}}, 400
                    )
                return self.reply(
                    {"itemNotFound": {"code": 404, "message": "marker not found"}}, 404
                )
            body: JSON = {key: page}
            if nxt:
                body[f"{key}_links"] = [{"rel": "next", "href": nxt}]
            return self.reply(body)

        return handler

    # -- keystone ------------------------------------------------------------

    def _keystone_version(self, _request: Any) -> Any:
        return self.reply(
            {
                "version": {
                    "id": "v3.14",
                    "status": "stable",
                    "updated": "2020-04-07T00:00:00Z",
                    "links": [{"rel": "self", "href": f"{self.keystone}/v3/"}],
                    "media-types": [
                        {
                            "base": "application/json",
                            "type": "application/vnd.openstack.identity-v3+json",
                        }
                    ],
                }
            }
        )

    def catalog(self) -> list[JSON]:
        def entry(stype: str, name: str, url: str) -> JSON:
            return {
                "type": stype,
                "name": name,
                "id": f"svc-{name}",
                "endpoints": [
                    {
                        "id": f"ep-{name}-{iface}",
                        "interface": iface,
                        "region": self.region,
                        "region_id": self.region,
                        "url": url,
                    }
                    for iface in ("public", "internal", "admin")
                ],
            }

        return [
            entry("identity", "keystone", f"{self.keystone}/v3"),
            entry("compute", "nova", f"{self.nova}/v2.1"),
            entry("block-storage", "cinderv3", f"{self.cinder}/v3/{PROJECT_ID}"),
            entry("image", "glance", self.glance),
            entry("network", "neutron", self.neutron),
        ]

    def _token(self, _request: Any) -> Any:
        body = {
            "token": {
                "methods": ["password"],
                "expires_at": "2099-01-01T00:00:00.000000Z",
                "issued_at": "2026-11-26T00:00:00.000000Z",
                "user": {
                    "id": "u-admin",
                    "name": "admin",
                    "domain": {"id": "default", "name": "Default"},
                },
                "project": {
                    "id": PROJECT_ID,
                    "name": "admin",
                    "domain": {"id": "default", "name": "Default"},
                },
                "roles": [{"id": "r-admin", "name": "admin"}],
                "catalog": self.catalog(),
            }
        }
        return (
            201,
            {"Content-Type": "application/json", "X-Subject-Token": TOKEN},
            json.dumps(body),
        )

    def _keystone_list(self, what: str) -> Callable[[Any], Any]:
        def handler(request: Any) -> Any:
            query = self.query(request)
            # Keystone filters by the listing's own filter keys (users by domain_id...).
            items: list[JSON] = [
                item
                for item in self.items_of(what)
                if all(
                    str(item.get(key)) == query[key][0]
                    for key in KEYSTONE_FILTERS.get(what, ())
                    if key in query
                )
            ]
            base = f"{self.keystone}/v3/{what}"
            body: JSON = {"links": {"self": request.url, "previous": None, "next": None}}
            if self.keystone_list_limit is not None and len(items) > self.keystone_list_limit:
                body[what] = items[: self.keystone_list_limit]
                body["truncated"] = True
                return self.reply(body)
            if self.keystone_page is not None and what in ("domains", "projects", "users"):
                page, nxt = paged(items, query, max_limit=self.keystone_page, base_url=base)
                if nxt == "MARKER_NOT_FOUND":
                    return self.reply({"error": {"code": 404}}, 404)
                body[what] = page
                body["links"]["next"] = nxt
                return self.reply(body)
            body[what] = items
            return self.reply(body)

        return handler

    # -- nova ------------------------------------------------------------------

    def _nova_version_doc(self) -> JSON:
        return {
            "id": "v2.1",
            "status": "CURRENT",
            "version": self.compute_max,
            "min_version": "2.1",
            "updated": "2013-07-23T11:33:21Z",
            "links": [{"rel": "self", "href": f"{self.nova}/v2.1/"}],
        }

    def _nova_version(self, _request: Any) -> Any:
        return self.reply({"version": self._nova_version_doc()})

    def _nova_versions(self, _request: Any) -> Any:
        return self.reply({"versions": [self._nova_version_doc()]})

    def _nova_flavor_access(self, request: Any) -> Any:
        flavor_id = urlsplit(str(request.url)).path.split("/")[-2]
        flavor = next((f for f in self.flavors if f["id"] == flavor_id), None)
        if flavor is None or flavor.get("os-flavor-access:is_public", True):
            message = (
                f"Flavor {flavor_id} could not be found."
                if flavor is None
                else "Access list not available for public flavors."
            )
            return self.reply({"itemNotFound": {"code": 404, "message": message}}, 404)
        projects = self.flavor_access.get(flavor_id, [])
        return self.reply(
            {"flavor_access": [{"flavor_id": flavor_id, "tenant_id": p} for p in projects]}
        )

    def _nova_keypairs(self, request: Any) -> Any:
        """Keypairs of ``user_id`` (2.10+), paged by name with ``keypairs_links`` (2.35+)."""
        query = self.query(request)
        user_id = query.get("user_id", ["u-admin"])[0]
        items = [
            {"id": k["keypair"]["name"], **k} for k in self.keypairs.get(user_id, [])
        ]  # paged() pages by "id": the name is the marker
        page, nxt = paged(
            items, query, max_limit=self.nova_max_limit, base_url=f"{self.nova}/v2.1/os-keypairs"
        )
        if nxt == "MARKER_NOT_FOUND":
            return self.reply({"badRequest": {"code": 400, "message": "marker not found"}}, 400)
        body: JSON = {"keypairs": [{"keypair": k["keypair"]} for k in page]}
        if nxt:
            body["keypairs_links"] = [{"rel": "next", "href": nxt}]
        return self.reply(body)

    # -- cinder -----------------------------------------------------------------

    def _cinder_version_doc(self) -> JSON:
        return {
            "id": "v3.0",
            "status": "CURRENT",
            "version": self.volume_max,
            "min_version": "3.0",
            "updated": "2023-08-31T00:00:00Z",
            "links": [{"rel": "self", "href": f"{self.cinder}/v3/"}],
        }

    def _cinder_versions(self, _request: Any) -> Any:
        return self.reply({"versions": [self._cinder_version_doc()]})

    def _cinder_version(self, _request: Any) -> Any:
        return self.reply({"version": self._cinder_version_doc()})

    # -- quotas (one request per project and service) ----------------------------

    def _quotas(self, service: str) -> Callable[[Any], Any]:
        key = "quota" if service == "network" else "quota_set"
        builders: dict[str, Callable[..., JSON]] = {
            "compute": payloads.nova_quota_set,
            "block-storage": payloads.cinder_quota_set,
            "network": payloads.neutron_quota_details,
        }
        defaults = builders[service]

        def handler(request: Any) -> Any:
            path = urlsplit(str(request.url)).path
            project_id = path.split("/os-quota-sets/" if key == "quota_set" else "/quotas/")[1]
            project_id = project_id.split("/")[0]
            body = self.quotas.get(service, {}).get(project_id)
            if body is None:
                # The service's defaults, and its counters of what the project uses, as
                # its own data says (as Nova, Cinder and Neutron keep them).
                body = defaults(project_id, **self._usage(service, project_id))
            if service == "block-storage" and self.query(request).get("usage") != ["True"]:
                # Without usage=True, Cinder answers bare limits.
                body = {k: v["limit"] if isinstance(v, dict) else v for k, v in body.items()}
            return self.reply({key: body})

        return handler

    def _usage(self, service: str, project_id: str) -> dict[str, tuple[int, int]]:
        """{resource: (default limit, in use)} of what the fake holds of ``project_id``."""

        def mine(items: list[JSON], *keys: str) -> list[JSON]:
            return [i for i in items if any(i.get(k) == project_id for k in keys)]

        if service == "compute":
            flavors = {str(f["id"]): f for f in self.flavors}
            sizes = [
                s["flavor"] if "vcpus" in s["flavor"] else flavors.get(str(s["flavor"]["id"]), {})
                for s in mine(self.servers, "tenant_id", "project_id")
                if isinstance(s.get("flavor"), dict)
            ]
            return {
                "instances": (10, len(sizes)),
                "cores": (20, sum(int(f.get("vcpus") or 0) for f in sizes)),
                "ram": (51200, sum(int(f.get("ram") or 0) for f in sizes)),
            }
        if service == "block-storage":
            volumes = mine(self.volumes, "os-vol-tenant-attr:tenant_id")
            snapshots = mine(self.snapshots, "os-extended-snapshot-attributes:project_id")
            backups = mine(self.backups, "os-backup-project-attr:project_id")
            size = sum(int(v.get("size") or 0) for v in [*volumes, *snapshots])
            return {
                "volumes": (10, len(volumes)),
                "gigabytes": (1000, size),
                "snapshots": (10, len(snapshots)),
                "backups": (10, len(backups)),
                "backup_gigabytes": (1000, sum(int(b.get("size") or 0) for b in backups)),
            }
        groups = mine(self.security_groups, "project_id", "tenant_id")
        return {
            "network": (100, len(mine(self.networks, "project_id", "tenant_id"))),
            "subnet": (100, len(mine(self.subnets, "project_id", "tenant_id"))),
            "router": (10, len(mine(self.routers, "project_id", "tenant_id"))),
            "floatingip": (50, len(mine(self.floating_ips, "project_id", "tenant_id"))),
            "security_group": (10, len(groups)),
            "security_group_rule": (
                100,
                sum(len(g.get("security_group_rules") or ()) for g in groups),
            ),
        }

    # -- neutron -------------------------------------------------------------------

    def _neutron_versions(self, _request: Any) -> Any:
        return self.reply(
            {
                "versions": [
                    {
                        "id": "v2.0",
                        "status": "CURRENT",
                        "links": [{"rel": "self", "href": f"{self.neutron}/v2.0/"}],
                    }
                ]
            }
        )

    def _neutron_list(self, base: str, attr: str, key: str) -> Callable[[Any], Any]:
        """A Neutron listing: pages only with ``limit`` (and pagination on), a next link in
        ``<key>_links`` on full pages, a previous one after a marker, ``fields`` honoured."""

        def handler(request: Any) -> Any:
            items = self.items_of(attr)
            query = self.query(request)
            fields = query.get("fields")
            links: list[JSON] = []
            if self.neutron_pagination and ("limit" in query or "marker" in query):
                limit = int(query.get("limit", ["0"])[0]) or self.neutron_max_limit or len(items)
                if self.neutron_max_limit is not None:
                    limit = min(limit, self.neutron_max_limit)
                start = 0
                if "marker" in query:
                    ids = [i["id"] for i in items]
                    if query["marker"][0] not in ids:
                        return self.reply(
                            {
                                "NeutronError": {
                                    "type": "HTTPNotFound",
                                    "message": "marker not found",
                                    "detail": "",
                                }
                            },
                            404,
                        )
                    start = ids.index(query["marker"][0]) + 1
                    links.append({"rel": "previous", "href": base})
                page = items[start : start + limit]
                if page and len(page) == limit:
                    # Neutron's next link repeats the whole query (every fields=).
                    params = [(k, v) for k, vs in query.items() if k != "marker" for v in vs]
                    params.append(("marker", page[-1]["id"]))
                    href = f"{base}?{urlencode(params)}"
                    links.insert(0, {"rel": "next", "href": href})
            else:
                page = items
            if fields:
                page = [{k: v for k, v in item.items() if k in fields} for item in page]
            body: JSON = {key: page}
            if links:
                body[f"{key}_links"] = links
            return self.reply(body)

        return handler

    # -- glance ------------------------------------------------------------------

    def _glance_versions(self, _request: Any) -> Any:
        return self.reply(
            {
                "versions": [
                    {
                        "id": "v2.16",
                        "status": "CURRENT",
                        "links": [{"rel": "self", "href": f"{self.glance}/v2/"}],
                    }
                ]
            }
        )

    def _glance_images(self, request: Any) -> Any:
        query = self.query(request)
        hidden = query.get("os_hidden", ["false"])[0] == "true"
        items = [i for i in self.images if bool(i.get("os_hidden")) == hidden]
        limit = min(int(query.get("limit", [self.glance_page])[0]), self.glance_max_limit)
        page, nxt = paged(
            items, {**query, "limit": [str(limit)]}, max_limit=limit, base_url="/v2/images"
        )
        body: JSON = {"images": page, "first": "/v2/images", "schema": "/v2/schemas/images"}
        if nxt and nxt != "MARKER_NOT_FOUND":
            body["next"] = nxt
        return self.reply(body)


def walked(
    cloud: FakeCloud, path: str, items: Sequence[JSON], prefix: str, count: int, pages: int
) -> tuple[dict[str, list[str]], list[dict[str, list[str]]]]:
    """Check a listing of ``count`` items numbered ``<prefix>-01``... walked in ``pages``
    requests to ``path``, three a page, each next page from the last id of the previous
    one; the queries of the first page and of the following ones, for what differs."""
    assert [i["id"] for i in items] == [f"{prefix}-{n:02d}" for n in range(1, count + 1)]
    sent = cloud.requests_to(path)
    assert len(sent) == pages
    first, *following = (cloud.query(r) for r in sent)
    assert [q["marker"][0] for q in following] == [
        f"{prefix}-{n:02d}" for n in range(3, count + 1, 3)
    ]
    return first, following
