"""Cinder (block storage v3): volumes with their attachments and quota sets, per
microversion (snapshots and backups are served from their declarations, with the
views of :mod:`auditor.sandbox.views.volume`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone

from auditor.sandbox.flux import Stamps, cinder_time, cinder_time_filter
from auditor.sandbox.microversion import (
    Version,
    VersionRange,
    at_microversion,
    band,
    parse_version,
    version_document,
)
from auditor.sandbox.options import SandboxOptions
from auditor.sandbox.paging import Listing, Views, item_body, linked_page
from auditor.sandbox.quotas import QuotaSets
from auditor.sandbox.tokens import Caller
from auditor.sandbox.views.volume import (
    VOLUME_BANDS,
    marker_gone,
    volume_summary,
    volume_view,
)
from auditor.sandbox.volume_types import VolumeTypes
from auditor.sandbox.wire import (
    JSON,
    ApiError,
    ApiRequest,
    ErrorStyle,
    Response,
    all_tenants,
    bool_param,
    int_param,
    json_response,
)


class VolumeApi:
    """Cinder v3 of one sandbox cloud."""

    style = ErrorStyle.NOVA

    def __init__(
        self,
        volumes: Sequence[JSON],
        *,
        service_url: str,
        project_id: str,
        options: SandboxOptions,
        quotas: QuotaSets | None = None,
        types: Sequence[JSON] = (),
        stamps: Stamps | None = None,
    ) -> None:
        self.stamps = stamps or Stamps()
        """When changed volumes were created or updated (:mod:`auditor.sandbox.flux`)."""
        self.versions = VersionRange("volume", (3, 0), parse_version(options.volume_max_version))
        self.service_url = service_url
        self.project_id = project_id
        self.link = f"{service_url}/v3/{project_id}"
        self.max_limit = options.max_limit
        self.volumes = list(volumes)
        self.quotas = quotas if quotas is not None else QuotaSets(())
        self.types = VolumeTypes(types, options.max_limit)
        self._views = Views(self._build)
        self._view("detail", self.versions.maximum)

    def is_public(self, request: ApiRequest) -> bool:
        parts = request.path.strip("/").split("/")
        return parts == [""] or (
            parts[0] == "v3" and len(parts) <= 2 and parts[-1] not in _RESOURCES
        )

    def handle(self, request: ApiRequest) -> Response:
        parts = request.path.strip("/").split("/")
        if parts == [""]:
            return json_response({"versions": [self._version_doc()]}, 300)
        if parts[0] != "v3":
            raise ApiError(404, "The resource could not be found.")
        if len(parts) == 1 or (len(parts) == 2 and parts[1] not in _RESOURCES):
            return json_response({"version": self._version_doc()})
        # /v3/{project_id}/volumes..., or /v3/volumes... (project-less URLs, 3.67+).
        project = None if parts[1] in _RESOURCES else parts[1]
        rest = parts[1:] if project is None else parts[2:]
        return at_microversion(
            self.versions, request.headers, lambda mv: self._route(rest, project, mv, request)
        )

    def _route(
        self, rest: list[str], project: str | None, mv: Version, request: ApiRequest
    ) -> Response:
        if rest and rest[0] == "volumes" and len(rest) <= 2:
            if len(rest) == 1:
                return self._list(request, project, mv, detail=False)
            if rest[1] == "detail":
                return self._list(request, project, mv, detail=True)
            chunk = self._view("detail", mv).get(rest[1])
            if chunk is None:
                raise ApiError(404, f"Volume {rest[1]} could not be found.")
            return Response(200, item_body("volume", chunk))
        if rest and rest[0] == "os-quota-sets" and len(rest) == 2:
            usage = request.query.get("usage")
            return self.quotas.block_storage(
                rest[1], usage=usage is not None and bool_param(usage, "usage")
            )
        base = f"{self.service_url}/v3" + (f"/{project}" if project else "")
        typed = self.types.answer(rest, request, base)
        if typed is not None:
            return typed
        raise ApiError(404, "The resource could not be found.")

    def _version_doc(self) -> JSON:
        return version_document(
            "v3.0",
            self.versions,
            "2023-08-31T00:00:00Z",
            [
                {"rel": "describedby", "type": "text/html", "href": "https://docs.openstack.org/"},
                {"rel": "self", "href": f"{self.service_url}/v3/"},
            ],
            "application/vnd.openstack.volume+json;version=3",
        )

    def _view(self, kind: str, mv: Version) -> Listing:
        return self._views.get(kind, band(mv, VOLUME_BANDS))

    def _build(self, kind: str, level: Version) -> Listing:
        link = self.link
        if kind == "summary":
            return Listing.build(self.volumes, lambda v: volume_summary(v, link))
        return Listing.build(
            self.volumes,
            lambda v: self.stamps.stamped(
                volume_view(v, level, link), "created_at", "updated_at", cinder_time
            ),
        )

    def _filter(
        self, query: Mapping[str, str], caller: Caller | None = None, mv: Version | None = None
    ) -> Callable[[JSON], bool] | None:
        tests: list[Callable[[JSON], bool]] = []
        # Cinder drops updated_at without a word below 3.31 (Cinder 2025.1; the API
        # reference gives 3.60, VOLUME_TIME_COMPARISON_FILTER: the auditor's bound).
        if query.get("updated_at") and mv is not None and mv >= MV_TIME_FILTERS:
            compared = cinder_time_filter(query["updated_at"])
            tests.append(self.stamps.updated_matches(compared, VOLUME_UPDATED))
        if all_tenants(query):
            if caller is not None and not caller.admin:
                raise ApiError(403, "Policy doesn't allow volume:get_all_tenants to be performed.")
            project = query.get("project_id")
            if project:
                tests.append(lambda v: v.get("project_id") == project)
        else:
            # The token's project (the admin's own without a project-scoped caller).
            own = caller.project_id if caller is not None and caller.project_id else self.project_id
            tests.append(lambda v: v.get("project_id") == own)
        if query.get("name"):
            name = query["name"]
            tests.append(lambda v: v.get("name") == name)
        if query.get("status"):
            status = query["status"]
            tests.append(lambda v: v.get("status") == status)
        if not tests:
            return None
        return lambda v: all(test(v) for test in tests)

    def _list(
        self, request: ApiRequest, project: str | None, mv: Version, *, detail: bool
    ) -> Response:
        query = request.query
        limit = int_param(query, "limit")
        limit = self.max_limit if limit is None else min(limit, self.max_limit)
        listing = self._view("detail" if detail else "summary", mv)
        keep = self._filter(query, request.auth, mv)
        if keep is not None:
            listing = listing.select(keep)
        prefix = f"{self.service_url}/v3" + (f"/{project}" if project else "")
        base = f"{prefix}/volumes" + ("/detail" if detail else "")
        return Response(200, linked_page(listing, query, limit, "volumes", base, marker_gone))


MV_TIME_FILTERS = (3, 31)
"""From when Cinder 2025.1 honours ``created_at``/``updated_at`` on volumes (seen against the
real service; below, it answers every volume). The API reference documents 3.60."""
VOLUME_UPDATED = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
"""When the volumes the sandbox serves unchanged were last updated (their ``updated_at``)."""

_RESOURCES = frozenset({"volumes", "snapshots", "backups", "os-quota-sets", "types", "qos-specs"})
"""First path segments that are resources, not a project id (snapshots and backups are
served from their declarations: :mod:`auditor.sandbox.declared`)."""
