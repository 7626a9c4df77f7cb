"""From a request target to a cloud, a service and an answer: the checks every API shares.

``/<cloud>/<service>/<path>``: the cloud's URL segment, then ``identity``,
``compute``, ``volume``, ``image`` or ``network``. Only GET and HEAD are
served, and POST of Keystone's token request; anything else is 405. Every
path but version documents and the token request needs a valid
``X-Auth-Token`` of that cloud; the services learn whom it speaks for
(``ApiRequest.auth``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import parse_qsl

from auditor.sandbox.cloud import CloudSite
from auditor.sandbox.wire import (
    ApiError,
    ApiRequest,
    ErrorStyle,
    Response,
    error_response,
    json_response,
)

READ_METHODS = ("GET", "HEAD")
TOKEN_PATH = "/v3/auth/tokens"
_NOT_FOUND = "The resource could not be found."


class Router:
    """Routes requests to the clouds of one sandbox."""

    def __init__(self, sites: Mapping[str, CloudSite]) -> None:
        self.sites = dict(sites)

    def _locate(self, path: str) -> tuple[CloudSite | None, str | None, str]:
        """(cloud, service segment, path inside the service) of a request path."""
        parts = path.split("/", 3)
        site = self.sites.get(parts[1]) if len(parts) > 1 else None
        if site is None or len(parts) < 3:
            return site, None, ""
        return site, parts[2], "/" + parts[3] if len(parts) == 4 else ""

    def cloud_of(self, path: str) -> str | None:
        site, _service, _rest = self._locate(path)
        return site.name if site is not None else None

    def style_of(self, path: str) -> ErrorStyle:
        site, service, _rest = self._locate(path)
        api = site.apis.get(service) if site is not None and service is not None else None
        return api.style if api is not None else ErrorStyle.KEYSTONE

    def route(
        self, method: str, path: str, raw_query: str, headers: Mapping[str, str], body: bytes
    ) -> Response:
        if path in ("", "/"):
            if method not in READ_METHODS:
                return _not_allowed(ErrorStyle.KEYSTONE)
            return json_response(
                {
                    "clouds": [
                        {"name": s.name, "region": s.snapshot.region, "auth_url": s.auth_url}
                        for s in self.sites.values()
                    ]
                }
            )
        site, service, inner = self._locate(path)
        api = site.apis.get(service) if site is not None and service is not None else None
        if site is None or api is None:
            style = ErrorStyle.KEYSTONE
            if method not in READ_METHODS:
                return _not_allowed(style)
            return error_response(style, 404, _NOT_FOUND)
        token_request = service == "identity" and inner.rstrip("/") == TOKEN_PATH
        if method not in READ_METHODS and not (method == "POST" and token_request):
            return _not_allowed(api.style)
        request = ApiRequest(
            method=method,
            path=inner,
            query=_first_values(raw_query),
            pairs=tuple(parse_qsl(raw_query, keep_blank_values=True)),
            headers=headers,
            body=body,
            cloud_url=site.url,
            service_url=f"{site.url}/{service}",
        )
        if not api.is_public(request):
            token = headers.get("x-auth-token")
            if not site.tokens.valid(token):
                return error_response(
                    api.style,
                    401,
                    "The request you have made requires authentication.",
                    {"WWW-Authenticate": f'Keystone uri="{site.url}/identity"'},
                )
            request = replace(request, auth=site.tokens.caller(token))
        try:
            return api.handle(request)
        except ApiError as exc:
            return error_response(api.style, exc.status, exc.message, exc.headers)


def _first_values(raw_query: str) -> dict[str, str]:
    query: dict[str, str] = {}
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        query.setdefault(key, value)
    return query


def _not_allowed(style: ErrorStyle) -> Response:
    return error_response(
        style,
        405,
        "The sandbox is read-only: only GET, HEAD and the Keystone token request are served.",
        {"Allow": "GET, HEAD"},
    )
