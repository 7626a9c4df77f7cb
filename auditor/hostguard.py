"""Where the auditor's requests may go: the cloud's own hosts, never a redirect elsewhere.

keystoneauth follows HTTP redirects itself (its own loop, below openstacksdk),
and re-sends every header, ``X-Auth-Token`` included, and the body (the
password of the token request) to wherever ``Location`` points. A version
document's links become service URLs too. So a hostile or misconfigured
server could otherwise collect an admin token or a password with a 307.

:class:`HostGuard` wraps the HTTP transport of the session (the same place as
the read-only guard) and so sees every hop of every request, whichever code
sends it:

- a request goes out only to an *origin* (scheme, host, port) of the cloud:
  the profile's ``auth_url``, an endpoint override of the profile, or an
  endpoint of the catalog of the token in use; the token request (the
  password, the application-credential secret) only to the ``auth_url``'s;
- a redirect is followed only to the request's own origin (never to another
  host or port, never from https to http), and the token request follows
  none;
- a response body larger than :data:`MAX_RESPONSE_BYTES` is not read further;
- a 401 to the identity version document, before any token, ends there:
  keystoneauth would otherwise wait for ever on its own lock.

Each refusal raises a :class:`TransportRefusal`, which no retry layer retries:
the listing fails (incomplete, exit 3), the token request fails as bad input
(exit 2), with one line naming the host.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions as urllib3_exc
from requests.adapters import BaseAdapter
from urllib3 import HTTPResponse

from auditor.errors import ListingError

REDIRECT_STATUSES = frozenset({301, 302, 303, 305, 307, 308})
"""The statuses keystoneauth follows (its ``Session._REDIRECT_STATUSES``)."""
MAX_REDIRECTS = 3
"""Same-origin redirects keystoneauth may follow for one request (its default is 30)."""
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
"""Largest response body read (after decompression). A page of 1000 Nova servers
with their addresses and metadata is a few MiB; a token with the catalog of a
big cloud well under one."""
_CHUNK = 1 << 16
_DEFAULT_PORTS = {"http": 80, "https": 443}

Origin = tuple[str, str, int]
"""(scheme, host, port) of a URL, lower case, with the default port filled in."""


def origin_of(url: str) -> Origin | None:
    """The origin of an http(s) URL; None for any other URL or a malformed one."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme]


def show(origin: Origin | None, url: str = "") -> str:
    """How messages name an origin: ``https://host:port`` (no path, query or userinfo)."""
    if origin is None:
        return "an unusable URL" if url else "(no URL)"
    scheme, host, port = origin
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}:{port}"


class TransportRefusal(ListingError):
    """A request, redirect or response the host guard refused; never retried."""


class RedirectRefused(TransportRefusal):
    """A redirect to another origin (or any redirect of the token request)."""


class HostRefused(TransportRefusal):
    """A request to an origin that is not the cloud's."""


class ResponseTooLarge(TransportRefusal):
    """A response body over :data:`MAX_RESPONSE_BYTES`."""


def is_token_request(method: str, url: str) -> bool:
    """The Keystone token request (v3 or v2.0): the one request that carries a password."""
    path = urlsplit(url).path.rstrip("/")
    return method == "POST" and (path.endswith("/auth/tokens") or path.endswith("/v2.0/tokens"))


def catalog_origins(catalog: Any) -> frozenset[Origin]:
    """Every origin of a Keystone catalog (v3 ``url``, v2.0 ``publicURL``...)."""
    found: set[Origin] = set()
    if not isinstance(catalog, list):
        return frozenset()
    for service in catalog:
        endpoints = service.get("endpoints") if isinstance(service, Mapping) else None
        for endpoint in endpoints if isinstance(endpoints, list) else ():
            if not isinstance(endpoint, Mapping):
                continue
            for key in ("url", "publicURL", "internalURL", "adminURL"):
                value = endpoint.get(key)
                origin = origin_of(value) if isinstance(value, str) else None
                if origin is not None:
                    found.add(origin)
    return frozenset(found)


class AllowedOrigins:
    """The origins of one cloud: its auth_url, its profile's endpoints, its catalog.

    The catalog is read from the token the auth plugin holds (``access()``
    returns its ``AccessInfo``, or None before the first token and while a
    token is renewed), at each request and without a request of its own: a
    renewed token's catalog counts from then on.
    """

    def __init__(
        self,
        auth_url: str | None,
        endpoints: Iterable[str] = (),
        access: Callable[[], Any] = lambda: None,
    ) -> None:
        auth = origin_of(auth_url) if auth_url else None
        self.password: frozenset[Origin] = frozenset({auth} if auth else ())
        """Where the token request may go: the auth_url's origin only."""
        configured = {origin_of(url) for url in endpoints}
        self.configured: frozenset[Origin] = self.password | {o for o in configured if o}
        self._access = access
        self._cached: tuple[Any, frozenset[Origin]] = (None, frozenset())

    def catalog(self) -> frozenset[Origin]:
        access = self._access()
        cached_access, origins = self._cached
        if access is None:
            # Before the first token: none. Between keystoneauth's invalidation of a
            # token and the next one (a 401 renews it while other listings are in
            # flight with the old one), the last token's catalog still counts.
            return origins
        if access is not cached_access:
            service_catalog = getattr(access, "service_catalog", None)
            origins = catalog_origins(getattr(service_catalog, "catalog", None))
            self._cached = (access, origins)
        return origins

    def authenticated(self) -> bool:
        """True once a token was issued (its catalog known)."""
        return self._access() is not None

    def for_request(self, token_request: bool) -> frozenset[Origin]:
        """Where a request may go (the token request: only to the auth_url)."""
        return self.password if token_request else self.configured | self.catalog()


class HostGuard(BaseAdapter):
    """Wraps a requests transport adapter: requests only to the cloud's origins, redirects
    only to the request's own origin (none for the token request), bodies of bounded size."""

    def __init__(self, inner: BaseAdapter, allowed: AllowedOrigins) -> None:
        super().__init__()
        self.inner = inner
        self.allowed = allowed
        self.max_bytes = MAX_RESPONSE_BYTES

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        url = request.url or ""
        token_request = is_token_request((request.method or "GET").upper(), url)
        origin = origin_of(url)
        if origin is None or origin not in self.allowed.for_request(token_request):
            what = "the token request (with the credentials)" if token_request else "a request"
            raise HostRefused(
                f"refused to send {what} to {show(origin, url)}: not "
                + ("the auth_url's host" if token_request else "a host of the cloud's catalog")
            )
        stream = bool(kwargs.pop("stream", False))
        response: requests.Response = self.inner.send(request, stream=True, **kwargs)
        if response.status_code in REDIRECT_STATUSES and "location" in response.headers:
            check_redirect(response, url, origin, token_request=token_request)
        if (
            response.status_code == 401
            and not token_request
            and "X-Auth-Token" not in request.headers
            and not self.allowed.authenticated()
        ):
            # keystoneauth answers a 401 on its unauthenticated identity discovery by
            # asking for a token from within the token request: it would wait on its
            # own lock for ever. (Later, a 401 on a service's version document is
            # asked again with the token, as keystoneauth does: Cinder needs it.)
            response.close()
            raise HostRefused(
                f"{show(origin)} answered 401 to the identity version document, which"
                " needs no token; is auth_url Keystone's?"
            )
        if not stream:
            read_bounded(response, self.max_bytes)
        return response

    def close(self) -> None:
        self.inner.close()


def check_redirect(
    response: requests.Response, url: str, origin: Origin, *, token_request: bool
) -> None:
    """Refuse a redirect to another origin, and any redirect of the token request; make a
    same-origin ``Location`` absolute (keystoneauth sends it as it is)."""
    try:
        target = urljoin(url, response.headers["location"])
    except ValueError:
        target = response.headers["location"]
    to = origin_of(target)
    if token_request or to != origin:
        response.close()
        if token_request:
            raise RedirectRefused(
                f"the token request to {show(origin)} was redirected to {show(to, target)};"
                " refused: credentials are only sent to the auth_url (is it the right URL?)"
            )
        downgrade = origin[0] == "https" and to is not None and to[0] == "http"
        raise RedirectRefused(
            f"{show(origin)} redirected to {show(to, target)}; not followed"
            + (" (https to http)" if downgrade else " (another host: the token stays home)")
        )
    response.headers["location"] = target


def read_bounded(response: requests.Response, limit: int) -> None:
    """Read the body of a streamed response into it, refusing more than ``limit`` bytes."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        response.close()
        raise ResponseTooLarge(_too_large(response, limit, f"{int(declared)} bytes announced"))
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    # A Transfer-Encoding overrides the announced length (RFC 9112, 6.3): http.client
    # then reads chunks as they come, and only the loop below bounds them.
    framed = "transfer-encoding" not in response.headers
    if (
        declared.isdigit()
        and framed
        and encoding == "identity"
        and isinstance(response.raw, HTTPResponse)
    ):
        # The announced length, not compressed, within the limit: one read into one
        # buffer (http.client reads exactly that many bytes, and a short body is an
        # error), rather than 64 KiB chunks through iter_content and a join.
        response._content = _read_whole(response.raw)
        response._content_consumed = True  # type: ignore[attr-defined]
        return
    chunks: list[bytes] = []
    total = 0
    # iter_content raises what requests raises for a broken body (ChunkedEncodingError...).
    for chunk in response.iter_content(_CHUNK):
        total += len(chunk)
        if total > limit:
            response.close()
            raise ResponseTooLarge(_too_large(response, limit, "more sent"))
        chunks.append(chunk)
    response._content = b"".join(chunks)


def _read_whole(raw: HTTPResponse) -> bytes:
    """The rest of ``raw``'s body, urllib3's errors raised as requests' ``iter_content``
    raises them (a cut body: ``ChunkedEncodingError``; a stalled one: ``ConnectionError``)."""
    try:
        return raw.read(decode_content=True)
    except urllib3_exc.ProtocolError as exc:
        raise requests.exceptions.ChunkedEncodingError(exc) from exc
    except urllib3_exc.DecodeError as exc:
        raise requests.exceptions.ContentDecodingError(exc) from exc
    except urllib3_exc.ReadTimeoutError as exc:
        raise requests.exceptions.ConnectionError(exc) from exc
    except urllib3_exc.SSLError as exc:
        raise requests.exceptions.SSLError(exc) from exc


def _too_large(response: requests.Response, limit: int, detail: str) -> str:
    origin = origin_of(response.url or "")
    return (
        f"{show(origin)} answered a body over {limit // (1024 * 1024)} MiB ({detail});"
        " not read further"
    )
