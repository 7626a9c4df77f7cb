"""Glance v2: the snapshot's images, or the images the servers boot from.

Images come from the snapshot's ``images`` collection when it has one (the
inventory lists every image, the servers' included); else from the servers'
``image`` ``{id, name}``, where an image whose name is null is one the audited
cloud no longer listed: it is not served either. Hidden images are listed only
with ``os_hidden=true``; an image's hash is served as Glance's multihash
(``os_hash_algo``, ``os_hash_value``) or, for ``md5:``, its legacy ``checksum``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone

from auditor.sandbox.flux import Stamps, glance_time_filter, nova_time
from auditor.sandbox.options import SandboxOptions
from auditor.sandbox.paging import Listing, MarkerNotFound, list_body, next_href
from auditor.sandbox.views import Context, Version, View
from auditor.sandbox.wire import (
    JSON,
    ApiError,
    ApiRequest,
    ErrorStyle,
    Response,
    bool_param,
    int_param,
    json_response,
)

VISIBILITIES = ("public", "private", "shared", "community")


def derive_images(images: Sequence[JSON] | None, servers: Sequence[JSON]) -> list[JSON]:
    """Source records of the images to serve: the snapshot's images (None: it has no
    images collection), else the servers' ones."""
    out: dict[str, JSON] = {}
    for image in images or ():
        if image.get("id") is not None:
            out.setdefault(str(image["id"]), image)
    for server in servers if images is None else ():
        ref = server.get("image")
        if isinstance(ref, dict) and ref.get("id") and ref.get("name") is not None:
            out.setdefault(str(ref["id"]), {"id": ref["id"], "name": ref["name"]})
    return [out[key] for key in sorted(out)]


def _hidden(image: JSON) -> bool:
    return bool(image.get("hidden", image.get("os_hidden", False)))


def image_view(image: JSON) -> JSON:
    """One image of ``GET /v2/images``."""
    iid = str(image["id"])
    algo, _, digest = str(image.get("checksum") or "").partition(":")
    multihash = bool(digest) and algo != "md5"
    return {
        "id": iid,
        "name": image.get("name"),
        "status": image.get("status") or "active",
        "visibility": image.get("visibility") or "public",
        "os_hidden": _hidden(image),
        "protected": bool(image.get("protected", False)),
        "owner": image.get("owner") or image.get("project_id"),
        # A queued image has no formats yet: a snapshot's nulls stay nulls.
        "disk_format": image.get("disk_format", "qcow2"),
        "container_format": image.get("container_format", "bare"),
        "size": image.get("size"),
        "virtual_size": None,
        "min_disk": image.get("min_disk") or 0,
        "min_ram": image.get("min_ram") or 0,
        "checksum": digest if digest and not multihash else None,
        "os_hash_algo": algo if multihash else None,
        "os_hash_value": digest if multihash else None,
        "tags": list(image.get("tags") or []),
        # Glance answers each extra property (hw_*, os_distro...) as a field of its own.
        **{str(k): str(v) for k, v in (image.get("properties") or {}).items()},
        "created_at": "2023-06-01T12:00:00Z",
        "updated_at": "2023-06-01T12:00:00Z",
        "self": f"/v2/images/{iid}",
        "file": f"/v2/images/{iid}/file",
        "schema": "/v2/schemas/image",
    }


def member_extra(member: JSON, _mv: Version, _context: Context) -> JSON:
    """What ``GET /v2/images/{id}/members`` says of a member besides its declared fields."""
    return {
        "image_id": member.get("image_id"),
        "created_at": "2023-06-01T12:00:00Z",
        "updated_at": "2023-06-01T12:00:00Z",
        "schema": "/v2/schemas/member",
    }


MEMBERS = View(member_extra)
"""The members of a shared image, served from the ``image_members`` declaration."""


IMAGE_UPDATED = datetime(2023, 6, 1, 12, 0, tzinfo=timezone.utc)
"""When the images the sandbox serves unchanged were last updated (their ``updated_at``)."""


class ImageApi:
    """Glance v2 of one sandbox cloud."""

    style = ErrorStyle.GLANCE

    def __init__(
        self,
        images: Sequence[JSON] | None,
        servers: Sequence[JSON],
        *,
        service_url: str,
        options: SandboxOptions,
        stamps: Stamps | None = None,
    ) -> None:
        self.service_url = service_url
        self.max_limit = options.max_limit
        self.default_limit = min(options.image_default_limit, options.max_limit)
        self.stamps = stamps or Stamps()
        """When changed images were created or updated (:mod:`auditor.sandbox.flux`)."""
        self.listing = Listing.build(
            derive_images(images, servers),
            lambda i: self.stamps.stamped(image_view(i), "created_at", "updated_at", nova_time),
        )
        self._lock = threading.Lock()
        self._filtered: dict[tuple[str, bool], Listing] = {}

    def is_public(self, request: ApiRequest) -> bool:
        return request.path in ("", "/", "/v2", "/v2/")

    def handle(self, request: ApiRequest) -> Response:
        path = request.path
        if path in ("", "/", "/v2", "/v2/"):
            return json_response({"versions": self._versions()}, 300)
        parts = path.strip("/").split("/")
        if parts[:2] != ["v2", "images"] or len(parts) > 3:
            raise ApiError(404, "The resource could not be found.")
        if len(parts) == 3:
            chunk = self.listing.get(parts[2])
            if chunk is None:
                raise ApiError(404, f"No image found with ID {parts[2]}")
            return Response(200, chunk)
        return self._list(request.query)

    def _versions(self) -> list[JSON]:
        link = [{"rel": "self", "href": f"{self.service_url}/v2/"}]
        return [
            {
                "id": f"v2.{minor}",
                "status": "CURRENT" if minor == 16 else "SUPPORTED",
                "links": link,
            }
            for minor in range(16, -1, -1)
        ]

    def _select(self, visibility: str | None, hidden: bool) -> Listing:
        key = (visibility or "", hidden)
        with self._lock:
            listing = self._filtered.get(key)
            if listing is None:

                def keep(image: JSON) -> bool:
                    shown = image.get("visibility") or "public"
                    if visibility == "all":
                        wanted = True
                    elif visibility is None:
                        wanted = shown != "community"
                    else:
                        wanted = shown == visibility
                    return wanted and _hidden(image) is hidden

                listing = self.listing.select(keep)
                self._filtered[key] = listing
            return listing

    def _list(self, query: Mapping[str, str]) -> Response:
        visibility = query.get("visibility")
        if visibility is not None and visibility not in (*VISIBILITIES, "all"):
            raise ApiError(400, f"Invalid visibility value: {visibility}")
        hidden = bool_param(query["os_hidden"], "os_hidden") if "os_hidden" in query else False
        limit = int_param(query, "limit")
        limit = self.default_limit if limit is None else min(limit, self.max_limit)
        listing = self._select(visibility, hidden)
        if query.get("updated_at"):
            compared = glance_time_filter(query["updated_at"])
            listing = listing.select(self.stamps.updated_matches(compared, IMAGE_UPDATED))
        marker = query.get("marker")
        try:
            chunks, last = listing.page(marker, limit)
        except MarkerNotFound:
            raise ApiError(400, f"marker {marker} not found") from None
        extra: JSON = {"first": "/v2/images", "schema": "/v2/schemas/images"}
        if last is not None:
            extra["next"] = next_href("/v2/images", query, limit, last)
        return Response(200, list_body("images", chunks, extra))
