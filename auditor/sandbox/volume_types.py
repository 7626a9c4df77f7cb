"""Cinder's volume types as the API answers them, from a snapshot's ``volume_types``.

- ``GET /types``: the public types only, unless an admin asks ``is_public=None``
  (both) or ``is_public=false`` (the private ones); anyone else sees the public
  types and the private ones shared with their project. ``extra_specs`` and
  ``qos_specs_id`` are shown to admins. Paged by limit and marker at the cloud's
  max limit, the next link (on a full page) under ``volume_type_links``.
- ``GET /qos-specs``: every QoS specs record a type uses (admin only).
- ``GET /types/{id}/encryption``: the encryption object itself, ``{}`` when none.
- ``GET /types/{id}/os-volume-type-access``: a private type's projects; a public
  type has no access list (404).
"""

from __future__ import annotations

from collections.abc import Sequence

from auditor.sandbox.paging import next_href
from auditor.sandbox.tokens import Caller
from auditor.sandbox.wire import (
    JSON,
    ApiError,
    ApiRequest,
    Response,
    bool_param,
    int_param,
    json_response,
)


def _type_view(item: JSON, admin: bool) -> JSON:
    public = item.get("is_public", True) is not False
    view: JSON = {
        "id": item["id"],
        "name": item.get("name"),
        "description": item.get("description") or None,
        "is_public": public,
        "os-volume-type-access:is_public": public,
        "extra_specs": dict(item.get("extra_specs") or {}),
    }
    if admin:
        view["qos_specs_id"] = item.get("qos_specs_id")
    return view


class VolumeTypes:
    """The volume types of one sandbox cloud."""

    def __init__(self, types: Sequence[JSON], max_limit: int = 1000) -> None:
        self.types = list(types)
        self.by_id = {str(t["id"]): t for t in self.types}
        self.max_limit = max_limit

    def answer(self, rest: list[str], request: ApiRequest, base: str) -> Response | None:
        """The answer to ``rest`` (the path after the project, under ``base``), None when
        it is not ours."""
        caller = request.auth
        admin = caller is None or caller.admin
        if rest == ["types"]:
            return self._list(request, caller, admin, f"{base}/types")
        if rest == ["qos-specs"]:
            if not admin:
                raise ApiError(
                    403,
                    "Policy doesn't allow volume_extension:qos_specs_manage:get_all"
                    " to be performed.",
                )
            return json_response({"qos_specs": self._qos_specs()})
        if (
            len(rest) == 3
            and rest[0] == "types"
            and rest[2]
            in (
                "encryption",
                "os-volume-type-access",
            )
        ):
            item = self.by_id.get(rest[1])
            if item is None:
                raise ApiError(404, f"Volume type {rest[1]} could not be found.")
            if not admin:
                raise ApiError(403, "Policy doesn't allow this to be performed.")
            if rest[2] == "encryption":
                encryption = item.get("encryption") or {}
                body = {**encryption, "volume_type_id": item["id"]} if encryption else {}
                return json_response(body)
            if item.get("is_public", True) is not False:
                raise ApiError(404, "Access list not available for public volume types.")
            access = [
                {"volume_type_id": item["id"], "project_id": p}
                for p in item.get("access_ids") or []
            ]
            return json_response({"volume_type_access": access})
        return None

    def _list(self, request: ApiRequest, caller: Caller | None, admin: bool, base: str) -> Response:
        wanted: bool | None = True
        if admin and "is_public" in request.query:
            value = request.query["is_public"]
            if value.lower() == "none":
                wanted = None
            else:
                try:
                    wanted = bool_param(value, "is_public")
                except ApiError:
                    raise ApiError(400, f"Invalid is_public filter [{value}]") from None
        project = caller.project_id if caller is not None else None

        def shown(item: JSON) -> bool:
            public = item.get("is_public", True) is not False
            if not admin:
                return public or (project is not None and project in (item.get("access_ids") or []))
            return wanted is None or public == wanted

        types = [_type_view(t, admin) for t in self.types if shown(t)]
        limit = int_param(request.query, "limit")
        limit = self.max_limit if limit is None else min(limit, self.max_limit)
        marker = request.query.get("marker")
        if marker is not None:
            ids = [t["id"] for t in types]
            if marker not in ids:
                raise ApiError(404, f"Volume type {marker} could not be found.")
            types = types[ids.index(marker) + 1 :]
        page = types[:limit]
        body: JSON = {"volume_types": page}
        if page and len(page) == limit:
            href = next_href(base, request.query, limit, str(page[-1]["id"]))
            body["volume_type_links"] = [{"rel": "next", "href": href}]
        return json_response(body)

    def _qos_specs(self) -> list[JSON]:
        found: dict[str, JSON] = {}
        for item in self.types:
            qos, qos_id = item.get("qos"), item.get("qos_specs_id")
            if qos and qos_id and qos_id not in found:
                found[str(qos_id)] = {
                    "id": qos_id,
                    "name": qos.get("name"),
                    "consumer": qos.get("consumer"),
                    "specs": dict(qos.get("specs") or {}),
                }
        return list(found.values())
