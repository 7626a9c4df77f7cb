"""Routes generated from the catalog: a declared collection served with no code of its own.

Every request of a collection (:class:`~auditor.catalog.spec.Request`) that no
view of the sandbox serves (:data:`auditor.sandbox.cloud.VIEWED`) is answered
from its declaration alone:

- the path under the service's version prefix, ``{id}`` (a fan-out's subject)
  matching one segment, or the value of a query parameter declared ``{id}``:
  the items whose :class:`~auditor.catalog.sources.Subject` field holds it;
- the all-projects parameter (Designate: header): for an admin every project's
  items, for anyone else 403 as the services' policies answer; without it, the caller's
  project's items only (a project-owned collection without such a parameter:
  an admin sees every project's, as Neutron and Keystone answer);
- the microversion, negotiated as the service does, picks the band of the
  item's shape: its fields' ``since`` (:func:`auditor.sandbox.backwards.thresholds`);
- the items are the snapshot's, its fields' sources run backwards
  (:mod:`auditor.sandbox.backwards`), wrapped when the request says so,
  built and serialised once per band;
- the page is cut and linked as the service does it (:mod:`auditor.sandbox.pages`);
- a :class:`~auditor.sandbox.views.View`, where the sandbox has one, adds the
  fields the service answers besides the declared ones, one item by id and
  the filters it honours.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.catalog.spec import CollectionSpec, Request
from auditor.sandbox import backwards
from auditor.sandbox.microversion import Version, VersionRange, at_microversion, band
from auditor.sandbox.options import SandboxOptions
from auditor.sandbox.pages import page
from auditor.sandbox.paging import Listing, Views, item_body
from auditor.sandbox.views import Context, View
from auditor.sandbox.wire import (
    JSON,
    ApiError,
    ApiRequest,
    ErrorStyle,
    Response,
    ServiceApi,
    bool_param,
    dumps,
)

PREFIXES: Mapping[str, str] = {
    "identity": "/v3",
    "compute": "/v2.1",
    "block-storage": "/v3",
    "image": "/v2",
    "network": "/v2.0",
    "dns": "/v2",
}
"""Service type -> the version its requests' paths are under (the endpoint's, or the one
the client discovers for an unversioned endpoint)."""

SUBJECT = "{id}"


@dataclass(frozen=True, eq=False)
class Route:
    """One declared request of one collection, with the snapshot's items of it."""

    spec: CollectionSpec
    request: Request
    items: Sequence[JSON]
    view: View | None = None

    @property
    def patterns(self) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
        """Its listing's path, and (with a view naming a member) one item's."""
        path = self.request.path.split("?", 1)[0].strip("/")
        parts = [re.escape(p) if p != SUBJECT else "(?P<id>[^/]+)" for p in path.split("/")]
        listing = re.compile("/".join(parts))
        if self.view is None or self.view.member is None:
            return listing, None
        if parts[-1] == "detail":
            # ``<path>`` lists them too (as ``<path>/detail`` does).
            parts = parts[:-1]
            listing = re.compile("/".join(parts) + "(?:/detail)?")
        return listing, re.compile("/".join([*parts, "(?P<item>[^/]+)"]))

    def subject(self, matched: re.Match[str], query: Mapping[str, str]) -> str | None:
        """The id a fan-out request was made for (None: not a fan-out)."""
        if self.request.fan_out is None:
            return None
        if SUBJECT in self.request.path:
            return matched.group("id")
        for name, value in self.request.query.items():
            if value == SUBJECT:
                return query.get(name)
        return None


def _policy(service: str, path: str, param: str) -> str:
    """The policy rule that refuses a non-admin the all-projects listing."""
    segment = path.strip("/").split("/")[0]
    if service == "compute":
        return f"os_compute_api:{segment}:index:{param}"
    if service == "block-storage":
        return "volume:get_all_tenants"
    if service == "dns":
        return "all_tenants"
    return f"{service}:{segment}:{param}"


def _equals(field: str, value: str) -> Callable[[JSON], bool]:
    return lambda item: item.get(field) == value


class DeclaredRoutes:
    """The declared routes of one service of one cloud."""

    def __init__(
        self,
        service: str,
        routes: Sequence[Route],
        *,
        options: SandboxOptions,
        context: Context,
        versions: VersionRange | None = None,
    ) -> None:
        self.service = service
        self.prefix = PREFIXES[service]
        self.routes = [(route, *route.patterns) for route in routes]
        self.options = options
        self.context = context
        self.project_id = context.project_id
        """The admin's project: whose items a listing without the all-projects parameter
        answers when the token names none."""
        self.versions = versions
        by_key = {route.request.key: route for route in routes}
        self._listings = Views(lambda key, at: self._build(by_key[key], at))

    def match(self, path: str) -> tuple[Route, re.Match[str]] | None:
        """The route of ``path`` and what its pattern matched (``item``: one item's)."""
        if not path.startswith(self.prefix + "/"):
            return None
        rest = path[len(self.prefix) :].strip("/")
        # /v3/{project_id}/<path>: Cinder's URLs name the project first (3.67+: or not).
        tails = [rest]
        if self.service == "block-storage" and "/" in rest:
            tails.append(rest.split("/", 1)[1])
        for index in (0, 1):  # listings first: ``<path>/detail`` is no item
            for route, *patterns in self.routes:
                wanted = patterns[index]
                if wanted is None:
                    continue
                for tail in tails:
                    found = wanted.fullmatch(tail)
                    if found is not None:
                        return route, found
        return None

    def answer(self, request: ApiRequest) -> Response | None:
        """The answer to ``request`` when a declared route serves it, else None."""
        found = self.match(request.path)
        if found is None:
            return None
        route, matched = found

        def answer(mv: Version) -> Response:
            if "item" in matched.groupdict():
                return Response(200, self._item(route, matched.group("item"), mv))
            return Response(200, self._list(route, matched, request, mv))

        if self.versions is None:
            return answer((0, 0))
        return at_microversion(self.versions, request.headers, answer)

    def _list(
        self, route: Route, matched: re.Match[str], request: ApiRequest, mv: Version
    ) -> bytes:
        listing = self._listing(route, mv)
        spec, wanted = route.spec, route.request
        caller = request.auth
        own = caller.project_id if caller is not None and caller.project_id else None
        admin = caller is None or caller.admin
        param = wanted.all_projects or wanted.all_projects_header
        every = False
        if wanted.all_projects is not None and wanted.all_projects in request.query:
            value = request.query[wanted.all_projects]
            every = value == "" or bool_param(value, wanted.all_projects)
        elif wanted.all_projects_header is not None:
            # Designate: a header; absent or false, the token's project's items only.
            value = request.headers.get(wanted.all_projects_header.lower(), "")
            every = value != "" and bool_param(value, wanted.all_projects_header)
        if every and not admin:
            policy = _policy(self.service, wanted.path, param or "")
            raise ApiError(403, f"Policy doesn't allow {policy} to be performed.")
        if spec.project_owned and not every and (param is not None or not admin):
            project = own or self.project_id
            listing = listing.select(lambda item: item.get("project_id") == project)
        elif every and request.query.get("project_id"):
            # An admin's all-projects listing of one project's items (Nova, Cinder).
            project = request.query["project_id"]
            listing = listing.select(lambda item: item.get("project_id") == project)
        filters = route.view.filters if route.view is not None else {}
        for name, held_in in filters.items():
            if request.query.get(name):
                value = request.query[name]
                listing = listing.select(_equals(held_in, value))
        subject = route.subject(matched, request.query)
        held = backwards.subject_field(spec.fields)
        if subject is not None and held is not None:
            listing = listing.select(lambda item: str(item.get(held)) == subject)
        tag = backwards.tag_field(spec.fields)
        if wanted.tag is not None and tag is not None:
            listing = listing.select(lambda item: item.get(tag) == wanted.tag)
        return page(
            listing,
            request,
            service=self.service,
            key=wanted.items,
            paging=wanted.paging,
            options=self.options,
        )

    def _item(self, route: Route, item_id: str, mv: Version) -> bytes:
        """One item, whatever its project, as ``GET <path>/<id>`` answers it."""
        member = route.view.member if route.view is not None else None
        chunk = self._listing(route, mv).get(item_id)
        if chunk is None or member is None:
            raise ApiError(404, f"{str(member).capitalize()} {item_id} could not be found.")
        return item_body(member, chunk)

    def _listing(self, route: Route, mv: Version) -> Listing:
        """The route's items at ``mv``'s band, built and serialised on first use."""
        bands = backwards.thresholds(route.spec.fields)
        if route.view is not None:
            bands = tuple(sorted({*bands, *route.view.bands}))
        return self._listings.get(route.request.key, band(mv, bands))

    def _build(self, route: Route, mv: Version) -> Listing:
        ids: list[str] = []
        chunks: list[bytes] = []
        wrapped = route.request.wrapped
        view = route.view
        for source in route.items:
            raw: Any = backwards.item(route.spec.fields, source, mv)
            if view is not None:
                raw = {**raw, **view.extra(source, mv, self.context)}
            ids.append(str(raw.get("id", source.get("id"))))
            chunks.append(dumps({wrapped: raw} if wrapped else raw))
        return Listing(ids, chunks, list(route.items))


class WithDeclared:
    """A service's view, and before it the declared routes of collections it has no view of."""

    def __init__(self, view: ServiceApi, declared: DeclaredRoutes) -> None:
        self.view = view
        self.declared = declared
        self.style: ErrorStyle = view.style

    def is_public(self, request: ApiRequest) -> bool:
        return self.declared.match(request.path) is None and self.view.is_public(request)

    def handle(self, request: ApiRequest) -> Response:
        return self.declared.answer(request) or self.view.handle(request)
