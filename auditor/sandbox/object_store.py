"""Swift (object storage v1) of one sandbox cloud: accounts, containers and objects.

Served as a Swift proxy behind keystoneauth answers (Swift's API reference,
"Show account details and list containers", "Show container details and list
objects", "Page through large lists"):

- ``GET|HEAD /v1/AUTH_<project_id>``: the account's containers in name order,
  a bare JSON list with ``format=json`` (``name``, ``count``, ``bytes``,
  ``last_modified``; else one name a line), ``marker``/``end_marker``
  and ``limit`` (default and maximum 10,000; above it 412), the
  ``X-Account-Container-Count``, ``-Object-Count`` and ``-Bytes-Used`` headers;
  an empty listing is ``[]`` (200) in JSON, ``204 No Content`` in plain text (the
  account and container servers' ``create_listing``: 204 when the body is empty).
- ``GET|HEAD /v1/AUTH_<project_id>/<container>``: its objects the same way
  (``name``, ``hash``, ``bytes``, ``content_type``, ``last_modified``, and
  ``slo_etag`` for a static large object's manifest), with the container's
  headers (object count, bytes, storage policy, ACLs, versioning, sync,
  ``X-Container-Meta-*``); ``limit=0`` (which the container server accepts: only a
  limit above 10,000 is refused) answers the headers and no object.
- keystoneauth's rules: a token scoped to the account's project reads it; the
  admin's token reads every account when it carries the reseller admin role
  (:attr:`~auditor.sandbox.options.SandboxOptions.swift_reseller_admin`), else
  ``403 Forbidden``; an unknown container is ``404``; errors have Swift's HTML
  bodies.

The objects are a container item's kept ``objects.rows`` (a snapshot taken with
``--objects``); without them, ``object_count`` objects are made up, each named
``object-<index>`` with a share of ``bytes_used`` and the MD5 of its name as
ETag, computed per page (a container of millions of objects costs no memory).
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from auditor.sandbox.options import SandboxOptions
from auditor.sandbox.wire import JSON, ApiError, ApiRequest, ErrorStyle, Response, dumps

LISTING_LIMIT = 10_000
"""``container_listing_limit`` / ``account_listing_limit`` (default and maximum)."""
LAST_MODIFIED = "2026-11-20T09:00:00.000000"
TIMESTAMP = "1795338000.00000"


@dataclass(frozen=True)
class _Objects:
    """A container's objects in name order: kept rows, or ``count`` made-up ones."""

    rows: Sequence[JSON] | None
    count: int
    bytes: int

    def __len__(self) -> int:
        return len(self.rows) if self.rows is not None else self.count

    def name(self, index: int) -> str:
        if self.rows is not None:
            return str(self.rows[index]["name"])
        return f"object-{index:09d}"

    def item(self, index: int) -> JSON:
        if self.rows is not None:
            row = self.rows[index]
            out: JSON = {
                "name": row["name"],
                "hash": row.get("etag"),
                "bytes": row.get("bytes"),
                "content_type": row.get("content_type") or "application/octet-stream",
                "last_modified": row.get("last_modified") or LAST_MODIFIED,
            }
            if row.get("large"):
                out["slo_etag"] = row.get("etag")
                out["hash"] = hashlib.md5(str(row["name"]).encode()).hexdigest()
            return out
        name = self.name(index)
        share, rest = divmod(self.bytes, self.count)
        return {
            "name": name,
            "hash": hashlib.md5(name.encode()).hexdigest(),
            "bytes": share + (1 if index < rest else 0),
            "content_type": "application/octet-stream",
            "last_modified": LAST_MODIFIED,
        }

    def start(self, marker: str) -> int:
        """Index of the first name after ``marker``."""
        return bisect.bisect_right(_Names(self), marker)


class _Names(Sequence[str]):
    def __init__(self, objects: _Objects) -> None:
        self.objects = objects

    def __len__(self) -> int:
        return len(self.objects)

    def __getitem__(self, index: Any) -> Any:
        return self.objects.name(index)


@dataclass(frozen=True)
class _Container:
    item: JSON
    objects: _Objects

    @property
    def name(self) -> str:
        return str(self.item["name"])

    def headers(self) -> dict[str, str]:
        item = self.item
        out = {
            "X-Container-Object-Count": str(len(self.objects)),
            "X-Container-Bytes-Used": str(self.objects.bytes),
            "X-Timestamp": TIMESTAMP,
            "X-Storage-Policy": str(item.get("storage_policy") or "Policy-0"),
        }
        optional = {
            "X-Container-Read": item.get("read_acl"),
            "X-Container-Write": item.get("write_acl"),
            "X-Versions-Location": item.get("versions_location"),
            "X-History-Location": item.get("history_location"),
            "X-Container-Sync-To": item.get("sync_to"),
        }
        out.update({k: str(v) for k, v in optional.items() if v})
        if item.get("versions_enabled") is not None:
            out["X-Versions-Enabled"] = "True" if item["versions_enabled"] else "False"
        for key, value in (item.get("metadata") or {}).items():
            out[f"X-Container-Meta-{key}"] = str(value)
        return out

    def summary(self) -> JSON:
        return {
            "name": self.name,
            "count": len(self.objects),
            "bytes": self.objects.bytes,
            "last_modified": LAST_MODIFIED,
        }


def _objects(item: Mapping[str, Any]) -> _Objects:
    kept = item.get("objects")
    rows = kept.get("rows") if isinstance(kept, Mapping) else None
    if isinstance(rows, list):
        return _Objects(rows, len(rows), sum(int(r.get("bytes") or 0) for r in rows))
    return _Objects(None, int(item.get("object_count") or 0), int(item.get("bytes_used") or 0))


class ObjectStoreApi:
    """Swift v1 of one sandbox cloud."""

    style = ErrorStyle.SWIFT

    def __init__(self, containers: Sequence[JSON], *, options: SandboxOptions) -> None:
        self.options = options
        self.accounts: dict[str, list[_Container]] = {}
        for item in containers:
            owner = str(item.get("project_id") or "")
            self.accounts.setdefault(owner, []).append(_Container(item, _objects(item)))
        for listed in self.accounts.values():
            listed.sort(key=lambda c: c.name)  # code point order: UTF-8 byte order

    def is_public(self, request: ApiRequest) -> bool:
        return request.path.rstrip("/") == "/info"

    def handle(self, request: ApiRequest) -> Response:
        if request.path.rstrip("/") == "/info":
            return self._answer(
                request,
                200,
                dumps(
                    {
                        "swift": {
                            "version": "2.35.0",
                            "account_listing_limit": LISTING_LIMIT,
                            "container_listing_limit": LISTING_LIMIT,
                        },
                        "slo": {},
                    }
                ),
                {},
            )
        parts = request.path.lstrip("/").split("/", 2)
        if len(parts) < 2 or parts[0] != "v1" or not parts[1].startswith("AUTH_"):
            raise ApiError(404, "The resource could not be found.")
        project_id = unquote(parts[1][len("AUTH_") :])
        self._authorize(request, project_id)
        containers = self.accounts.get(project_id, [])
        if len(parts) == 2 or not parts[2]:
            return self._account(request, containers)
        name = unquote(parts[2])
        found = next((c for c in containers if c.name == name), None)
        if found is None:
            raise ApiError(404, "The resource could not be found.")
        return self._container(request, found)

    def _authorize(self, request: ApiRequest, project_id: str) -> None:
        caller = request.auth
        if caller is None:
            raise ApiError(401, "This server could not verify that you are authorized.")
        if caller.project_id == project_id:
            return
        if caller.admin and self.options.swift_reseller_admin:
            return
        raise ApiError(403, "Access was denied to this resource.")

    def _account(self, request: ApiRequest, containers: Sequence[_Container]) -> Response:
        headers = {
            "X-Account-Container-Count": str(len(containers)),
            "X-Account-Object-Count": str(sum(len(c.objects) for c in containers)),
            "X-Account-Bytes-Used": str(sum(c.objects.bytes for c in containers)),
            "X-Timestamp": TIMESTAMP,
        }
        names = [c.name for c in containers]
        start, stop = _window(request.query, names.__getitem__, len(names))
        return self._listing(
            request, [containers[i].summary() for i in range(start, stop)], headers
        )

    def _container(self, request: ApiRequest, container: _Container) -> Response:
        objects = container.objects
        start, stop = _window(request.query, objects.name, len(objects), objects.start)
        items = [objects.item(i) for i in range(start, stop)]
        return self._listing(request, items, container.headers())

    def _listing(self, request: ApiRequest, items: list[JSON], headers: dict[str, str]) -> Response:
        # The container and account servers answer a JSON listing even when it is
        # empty ("[]", 200); an empty body (plain text, nothing listed) is 204.
        if _json(request):
            return self._answer(request, 200, dumps(items), headers)
        if not items:
            return self._answer(request, 204, b"", headers, "text/html; charset=UTF-8")
        body = "".join(f"{item['name']}\n" for item in items).encode()
        return self._answer(request, 200, body, headers, "text/plain; charset=utf-8")

    @staticmethod
    def _answer(
        request: ApiRequest,
        status: int,
        body: bytes,
        headers: dict[str, str],
        content_type: str = "application/json; charset=utf-8",
    ) -> Response:
        if request.method == "HEAD":
            headers = {**headers, "Content-Length": str(len(body))}
            body = b""
        return Response(status, body, headers, content_type)


def _json(request: ApiRequest) -> bool:
    fmt = request.query.get("format")
    if fmt is not None:
        return fmt == "json"
    return "application/json" in request.headers.get("accept", "")


def _window(
    query: Mapping[str, str],
    name_at: Any,
    size: int,
    start_of: Any = None,
) -> tuple[int, int]:
    """(start, stop) indexes of the page a listing query asks for."""
    text = query.get("limit")
    limit = LISTING_LIMIT
    if text is not None and text.isdigit():
        limit = int(text)
        if limit > LISTING_LIMIT:
            raise ApiError(412, f"Maximum limit is {LISTING_LIMIT}")
    marker = query.get("marker") or ""
    if not marker:
        start = 0
    elif start_of is not None:
        start = start_of(marker)
    else:
        start = bisect.bisect_right([name_at(i) for i in range(size)], marker)
    end_marker = query.get("end_marker") or ""
    stop = start
    while stop < size and stop - start < limit:
        name = name_at(stop)
        if end_marker and name >= end_marker:
            break
        stop += 1
    return start, stop
