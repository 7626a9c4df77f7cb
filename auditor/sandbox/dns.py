"""Designate (DNS v2) of one sandbox cloud: its version document, and what its zones
and record sets answer besides their declared fields.

The listings themselves are served from the catalog's declarations
(:mod:`auditor.sandbox.declared`): the ``X-Auth-All-Projects`` header (403 for
a non-admin, as Designate's ``all_tenants`` policy answers), ``limit`` (20 by
default, ``max``, capped at ``max_limit``) and ``marker`` paging with
``links.next`` on a full page and ``metadata.total_count``
(:mod:`auditor.sandbox.pages`), and Designate's error bodies
(``{"code", "type", "message", "request_id"}``, :mod:`auditor.sandbox.wire`).
"""

from __future__ import annotations

from auditor.sandbox.views import Context, Version, View
from auditor.sandbox.wire import JSON, ApiError, ApiRequest, ErrorStyle, Response, json_response

CREATED_AT = "2026-01-05T09:00:00.000000"

DEFAULT_LIMIT = 20
"""Designate's ``[service:api] default_limit_v2``: a page without ``limit``."""


def zone_extra(item: JSON, _mv: Version, ctx: Context) -> JSON:
    """What Designate answers of a zone besides the declared fields."""
    return {
        "pool_id": "794ccc2c-d751-44fe-b57f-8894c9f5c842",
        "serial": 1767603600,
        "action": "NONE",
        "version": 1,
        "attributes": {},
        "transferred_at": None,
        "created_at": CREATED_AT,
        "updated_at": None,
        "links": {"self": f"{ctx.service_url}/v2/zones/{item['id']}"},
    }


def recordset_extra(item: JSON, _mv: Version, ctx: Context) -> JSON:
    """What Designate answers of a record set besides the declared fields."""
    zone = item.get("zone_id")
    return {
        "action": "NONE",
        "version": 1,
        "created_at": CREATED_AT,
        "updated_at": None,
        "links": {"self": f"{ctx.service_url}/v2/zones/{zone}/recordsets/{item['id']}"},
    }


ZONES = View(zone_extra, filters={"status": "status", "type": "type"})
RECORDSETS = View(recordset_extra, filters={"status": "status", "type": "type"})


class DnsApi:
    """Designate's own answers: the version document at the root; 404 elsewhere (the
    declared routes answer the listings before it)."""

    style = ErrorStyle.DESIGNATE

    def __init__(self, service_url: str) -> None:
        self.service_url = service_url

    def is_public(self, request: ApiRequest) -> bool:
        return request.path in ("", "/")

    def handle(self, request: ApiRequest) -> Response:
        if request.path in ("", "/"):
            link = f"{self.service_url}/v2"
            return json_response(
                {
                    "versions": [
                        {
                            "id": version,
                            "links": [{"href": link, "rel": "self"}],
                            "status": status,
                            "updated": "2022-06-29T00:00:00Z",
                        }
                        for version, status in (("v2", "SUPPORTED"), ("v2.0", "CURRENT"))
                    ]
                }
            )
        raise ApiError(404, "Not Found")
