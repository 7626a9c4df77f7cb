"""Heat v1 of one sandbox cloud: the snapshot's stacks.

Served as Heat answers them, under ``/v1/{tenant_id}``: ``/stacks`` lists the
URL's project's stacks, or with ``global_tenant=True`` every project's (each
then says its ``project``), which only an admin may ask (403 otherwise);
``limit`` and ``marker`` page it, and a page as long as the ``limit`` links
the next in a top-level ``links`` list (no ``limit``: every stack, no link).
``/stacks/{id}`` (or a name) redirects (302) to ``/v1/{owner}/stacks/{name}/{id}``,
which answers ``{"stack": {...}}`` with parameters (``OS::`` ones included)
and outputs; a non-admin reads only their own project's. Errors are Heat's
``{"explanation", "code", "error": {...}, "title"}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote, urlencode

from auditor.catalog.orchestration import STACKS_SPEC
from auditor.sandbox import backwards
from auditor.sandbox.paging import Listing, MarkerNotFound, list_body
from auditor.sandbox.wire import (
    JSON,
    ApiError,
    ApiRequest,
    ErrorStyle,
    Response,
    bool_param,
    dumps,
    int_param,
    json_response,
)

STAMP = "2025-01-01T00:00:00Z"
LIST_KEYS = (
    "id",
    "stack_name",
    "description",
    "stack_status",
    "stack_status_reason",
    "creation_time",
    "deletion_time",
    "updated_time",
    "stack_owner",
    "parent",
    "stack_user_project_id",
    "tags",
    "links",
)
"""What the listing says of a stack (Heat's ``basic_keys``, then ``project``)."""


class HeatApi:
    """Heat v1 of one sandbox cloud."""

    style = ErrorStyle.HEAT

    def __init__(self, stacks: Sequence[JSON], *, service_url: str) -> None:
        self.service_url = service_url
        self.full = {str(s["id"]): self._show(s) for s in stacks if s.get("id")}
        self.by_name = {
            (str(s.get("project_id")), str(s["stack_name"])): s for s in self.full.values()
        }
        self.listing = Listing.build(self.full.values(), self._summary)

    def _link(self, stack: JSON) -> str:
        name = quote(str(stack["stack_name"]), safe="")
        return f"{self.service_url}/v1/{stack['project_id']}/stacks/{name}/{stack['id']}"

    def _show(self, source: JSON) -> JSON:
        raw = backwards.item(STACKS_SPEC.fields, source, (0, 0))
        parameters = {
            "OS::stack_id": source["id"],
            "OS::stack_name": source.get("name"),
            "OS::project_id": source.get("project_id"),
            **(raw.get("parameters") or {}),
        }
        return {
            **raw,
            "id": source["id"],
            "project_id": source.get("project_id"),
            "description": raw.get("template_description") or "",
            "parameters": parameters,
            "outputs": raw.get("outputs") or [],
            "stack_status_reason": raw.get("stack_status_reason") or "",
            "creation_time": STAMP,
            "deletion_time": None,
            "updated_time": None,
            "stack_owner": None,
            "parent": None,
            "stack_user_project_id": None,
            "tags": None,
            "timeout_mins": None,
            "capabilities": [],
            "notification_topics": [],
        }

    def _summary(self, stack: JSON) -> JSON:
        out = {key: stack.get(key) for key in LIST_KEYS}
        out["links"] = [{"href": self._link(stack), "rel": "self"}]
        return out

    def is_public(self, request: ApiRequest) -> bool:
        return request.path.strip("/") in ("", "v1")

    def handle(self, request: ApiRequest) -> Response:
        parts = request.path.strip("/").split("/")
        if parts in ([""], ["v1"]):
            link = [{"href": f"{self.service_url}/v1/", "rel": "self"}]
            return json_response(
                {"versions": [{"id": "v1.0", "status": "CURRENT", "links": link}]}, 300
            )
        if parts[0] != "v1" or len(parts) < 3 or parts[2] != "stacks":
            raise ApiError(404, "The resource could not be found.")
        tenant = parts[1]
        caller = request.auth
        admin = caller is None or caller.admin
        if not admin and caller is not None and caller.project_id != tenant:
            raise ApiError(403, "Access was denied to this resource.")
        rest = parts[3:]
        if not rest:
            return self._list(request, tenant, admin)
        if len(rest) == 1:
            stack = self.full.get(rest[0]) or self.by_name.get((tenant, rest[0]))
            if stack is None or not self._visible(stack, tenant, admin):
                raise ApiError(404, f"The Stack ({rest[0]}) could not be found.")
            return Response(302, b"", {"Location": self._link(stack)})
        if len(rest) == 2:
            stack = self.full.get(rest[1])
            if (
                stack is None
                or stack.get("stack_name") != rest[0]
                or not self._visible(stack, tenant, admin)
            ):
                raise ApiError(404, f"The Stack ({rest[0]}) could not be found.")
            body = {key: value for key, value in stack.items() if key != "project_id"}
            body["links"] = [{"href": self._link(stack), "rel": "self"}]
            return Response(200, dumps({"stack": body}))
        raise ApiError(404, "The resource could not be found.")

    @staticmethod
    def _visible(stack: JSON, tenant: str, admin: bool) -> bool:
        return admin or stack.get("project_id") == tenant

    def _list(self, request: ApiRequest, tenant: str, admin: bool) -> Response:
        query = request.query
        every = "global_tenant" in query and bool_param(query["global_tenant"], "global_tenant")
        if every and not admin:
            raise ApiError(403, "You are not authorized to use global_index.")
        listing = self.listing
        if not every:
            listing = listing.select(lambda stack: stack.get("project_id") == tenant)
        limit = int_param(query, "limit")
        marker = query.get("marker")
        try:
            chunks, last = listing.page(marker, limit or len(listing) or 1)
        except MarkerNotFound:
            raise ApiError(400, f"Invalid marker: {marker}") from None
        if every:
            owners = [
                listing.sources[listing.index[i]].get("project_id")
                for i in _ids(listing, marker, len(chunks))
            ]
            chunks = [
                c[:-1] + b',"project":' + dumps(o) + b"}"
                for c, o in zip(chunks, owners, strict=True)
            ]
        extra: JSON = {}
        if limit and last is not None:
            params = {**query, "marker": last}
            href = f"{request.service_url}{request.path}?{urlencode(params)}"
            extra["links"] = [{"rel": "next", "href": href}]
        return Response(200, list_body("stacks", chunks, extra))


def _ids(listing: Listing, marker: str | None, count: int) -> list[str]:
    start = listing.index[marker] + 1 if marker is not None else 0
    return listing.ids[start : start + count]
