"""Requests and responses as the service modules see them; OpenStack-shaped errors."""

from __future__ import annotations

import enum
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Protocol
from urllib.parse import urlencode

from auditor.sandbox.tokens import Caller

if sys.version_info >= (3, 11):
    from typing import assert_never
else:  # pragma: no cover - Python 3.10
    from typing_extensions import assert_never

JSON = dict[str, Any]


_ENCODE = json.JSONEncoder(separators=(",", ":")).encode


def dumps(value: Any) -> bytes:
    """Compact JSON bytes (ASCII, like the services' own), as every body is written."""
    return _ENCODE(value).encode()


@dataclass(frozen=True)
class ApiRequest:
    """One request, routed to a service of a cloud."""

    method: str
    """GET, HEAD or POST."""
    path: str
    """Path inside the service: ``/v2.1/servers/detail``; ``""`` for the service root."""
    query: Mapping[str, str]
    """Query parameters (the first value of each)."""
    headers: Mapping[str, str]
    """Request headers, names in lower case."""
    body: bytes
    """Request body (the token request's JSON)."""
    cloud_url: str
    """``http://127.0.0.1:PORT/<cloud>``."""
    service_url: str
    """``http://127.0.0.1:PORT/<cloud>/<service>``."""
    auth: Caller | None = None
    """Who the request's token speaks for (None for public paths)."""
    pairs: tuple[tuple[str, str], ...] = ()
    """Every query parameter in order, repeated ones included (Neutron's ``fields``)."""

    def url(self) -> str:
        """The request's own URL (Keystone's ``links.self``)."""
        return self.service_url + self.path + (f"?{urlencode(self.query)}" if self.query else "")


@dataclass
class Response:
    """What the server sends back."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    repeat: int = 1
    """The body is sent this many times in a row (injected huge answers)."""
    reason: str | None = None
    """Reason phrase of the status line (None: the standard one)."""


def json_response(
    value: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(status, dumps(value), dict(headers or {}))


class ApiError(Exception):
    """Raised by a service module: the router answers with the service's error shape."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


class ErrorStyle(enum.Enum):
    """How a service shapes its error bodies."""

    KEYSTONE = "keystone"
    """``{"error": {"code", "title", "message"}}`` (also keystonemiddleware's 401)."""
    NOVA = "nova"
    """``{"itemNotFound": {"code", "message"}}`` and friends (Nova, Cinder)."""
    GLANCE = "glance"
    """Plain text: ``404 Not Found\\n\\nmessage``."""
    NEUTRON = "neutron"
    """``{"NeutronError": {"type", "message", "detail"}}``."""
    DESIGNATE = "designate"
    """``{"code", "type", "message", "request_id"}`` at the top level."""
    OCTAVIA = "octavia"
    """``{"faultcode": "Client", "faultstring", "debuginfo"}`` (wsme's fault)."""
    HEAT = "heat"
    """``{"explanation", "code", "error": {"message", "traceback", "type"}, "title"}``."""
    SWIFT = "swift"
    """Swift's HTML: ``<html><h1>Forbidden</h1><p>message</p></html>`` (also its 401)."""


_NOVA_KEYS = {
    400: "badRequest",
    403: "forbidden",
    404: "itemNotFound",
    405: "badMethod",
    406: "notAcceptable",
    409: "conflictingRequest",
    413: "overLimit",
    429: "overLimit",
}


_DESIGNATE_TYPES = {400: "bad_request", 403: "forbidden", 404: "not_found"}
_HEAT_EXPLANATIONS = {
    400: "The server could not comply with the request since it is either malformed or"
    " otherwise incorrect.",
    403: "Access was denied to this resource.",
    404: "The resource could not be found.",
}
_HEAT_TYPES = {400: "HTTPBadRequest", 403: "Forbidden", 404: "EntityNotFound"}


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_response(
    style: ErrorStyle, status: int, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    """An error answer shaped like ``style``'s service would shape it."""
    reason = _reason(status)
    if status == 401 and style is not ErrorStyle.SWIFT:
        # keystonemiddleware answers 401 for every service, in Keystone's shape (Swift
        # delays the decision to keystoneauth, which answers in its own HTML).
        style = ErrorStyle.KEYSTONE
    if style is ErrorStyle.KEYSTONE:
        body: Any = {"error": {"code": status, "title": reason, "message": message}}
    elif style is ErrorStyle.NOVA:
        key = _NOVA_KEYS.get(status, "computeFault")
        body = {key: {"code": status, "message": message}}
    elif style is ErrorStyle.NEUTRON:
        body = {
            "NeutronError": {
                "type": "HTTP" + reason.replace(" ", ""),
                "message": message,
                "detail": "",
            }
        }
    elif style is ErrorStyle.DESIGNATE:
        body = {
            "code": status,
            "type": _DESIGNATE_TYPES.get(status, reason.lower().replace(" ", "_")),
            "message": message,
            "request_id": "req-00000000-0000-0000-0000-000000000000",
        }
    elif style is ErrorStyle.OCTAVIA:
        fault = "Client" if status < 500 else "Server"
        body = {"faultcode": fault, "faultstring": message, "debuginfo": None}
    elif style is ErrorStyle.HEAT:
        body = {
            "explanation": _HEAT_EXPLANATIONS.get(status, message),
            "code": status,
            "error": {"message": message, "traceback": None, "type": _HEAT_TYPES.get(status, "")},
            "title": reason,
        }
    elif style is ErrorStyle.SWIFT:
        html = f"<html><h1>{reason}</h1><p>{message}</p></html>"
        return Response(status, html.encode(), dict(headers or {}), "text/html; charset=UTF-8")
    elif style is ErrorStyle.GLANCE:
        text = f"{status} {reason}\n\n{message}\n\n"
        return Response(status, text.encode(), dict(headers or {}), "text/plain; charset=UTF-8")
    else:
        assert_never(style)
    return json_response(body, status, headers)


class ServiceApi(Protocol):
    """One OpenStack service of one cloud."""

    style: ErrorStyle

    def is_public(self, request: ApiRequest) -> bool:
        """True when the path needs no token (version documents, the token request)."""
        ...

    def handle(self, request: ApiRequest) -> Response:
        """Answer a GET, HEAD (or, for Keystone, the token POST); may raise :class:`ApiError`."""
        ...


def int_param(query: Mapping[str, str], name: str, *, minimum: int = 0) -> int | None:
    """An integer query parameter, None when absent; ApiError 400 when malformed."""
    text = query.get(name)
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        raise ApiError(400, f"{name} param must be an integer") from None
    if value < minimum:
        raise ApiError(400, f"{name} param must be >= {minimum}")
    return value


_TRUE = frozenset({"1", "t", "true", "on", "y", "yes"})
_FALSE = frozenset({"0", "f", "false", "off", "n", "no"})


def bool_param(text: str, name: str) -> bool:
    """oslo's ``bool_from_string(strict=True)``: ApiError 400 for anything unknown."""
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ApiError(400, f"Invalid value {text!r} for {name}")


def all_tenants(query: Mapping[str, str]) -> bool:
    """Nova's and Cinder's ``all_tenants``: present and empty, or a true boolean."""
    if "all_tenants" not in query:
        return False
    value = query["all_tenants"]
    return True if value == "" else bool_param(value, "all_tenants")
