"""Routes generated from the catalog: a declared collection served with no code of its own.

Every request of a collection (:class:`~auditor.catalog.spec.Request`) that no
view of the sandbox serves (:data:`auditor.sandbox.cloud.VIEWED`) is answered
from its declaration alone:

- the path under the service's version prefix, ``{id}`` (a fan-out's subject)
  matching one segment, or the value of a query parameter declared ``{id}``:
  the items whose :class:`~auditor.catalog.sources.Subject` field holds it;
- the all-projects parameter: for an admin every project's items, for anyone
  else 403 as the services' policies answer; without it, the caller's
  project's items only (a project-owned collection without such a parameter:
  an admin sees every project's, as Neutron and Keystone answer);
- the microversion, negotiated as the service does, picks the band of the
  item's shape: its fields' ``since`` (:func:`auditor.sandbox.backwards.thresholds`);
- the items are the snapshot's, its fields' sources run backwards
  (:mod:`auditor.sandbox.backwards`), wrapped when the request says so,
  built and serialised once per band;
- the page is cut and linked as the service does it (:mod:`auditor.sandbox.pages`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.catalog.spec import CollectionSpec, Request
from auditor.sandbox import backwards
from auditor.sandbox.microversion import Version, VersionRange, at_microversion, band
from auditor.sandbox.options import SandboxOptions
from auditor.sandbox.pages import page
from auditor.sandbox.paging import Listing
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

    @property
    def pattern(self) -> re.Pattern[str]:
        path = self.request.path.split("?", 1)[0].strip("/")
        parts = [re.escape(p) if p != SUBJECT else "(?P<id>[^/]+)" for p in path.split("/")]
        return re.compile("/".join(parts))

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
    return f"{service}:{segment}:{param}"


class DeclaredRoutes:
    """The declared routes of one service of one cloud."""

    def __init__(
        self,
        service: str,
        routes: Sequence[Route],
        *,
        options: SandboxOptions,
        project_id: str,
        versions: VersionRange | None = None,
    ) -> None:
        self.service = service
        self.prefix = PREFIXES[service]
        self.routes = [(route, route.pattern) for route in routes]
        self.options = options
        self.project_id = project_id
        """The admin's project: whose items a listing without the all-projects parameter
        answers when the token names none."""
        self.versions = versions
        self._lock = threading.Lock()
        self._listings: dict[tuple[str, Version], Listing] = {}

    def match(self, path: str) -> tuple[Route, re.Match[str]] | None:
        if not path.startswith(self.prefix + "/"):
            return None
        rest = path[len(self.prefix) :].strip("/")
        for route, pattern in self.routes:
            found = pattern.fullmatch(rest)
            if found is None and self.service == "block-storage" and "/" in rest:
                # /v3/{project_id}/<path>: Cinder's URLs name the project first.
                found = pattern.fullmatch(rest.split("/", 1)[1])
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
        param = wanted.all_projects
        every = False
        if param is not None and param in request.query:
            value = request.query[param]
            every = value == "" or bool_param(value, param)
        if every and not admin:
            policy = _policy(self.service, wanted.path, param or "")
            raise ApiError(403, f"Policy doesn't allow {policy} to be performed.")
        if spec.project_owned and not every and (param is not None or not admin):
            project = own or self.project_id
            listing = listing.select(lambda item: item.get("project_id") == project)
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

    def _listing(self, route: Route, mv: Version) -> Listing:
        """The route's items at ``mv``'s band, built and serialised on first use."""
        at = band(mv, backwards.thresholds(route.spec.fields))
        key = (route.request.key, at)
        with self._lock:
            listing = self._listings.get(key)
            if listing is None:
                listing = self._build(route, at)
                self._listings[key] = listing
            return listing

    @staticmethod
    def _build(route: Route, mv: Version) -> Listing:
        ids: list[str] = []
        chunks: list[bytes] = []
        wrapped = route.request.wrapped
        for source in route.items:
            raw: Any = backwards.item(route.spec.fields, source, mv)
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
