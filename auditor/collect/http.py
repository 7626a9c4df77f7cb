"""The bulk GETs of the listings: keystoneauth's token and endpoint, requests' pooled
transport, without their per-request bookkeeping (issue 19).

A GET through an openstacksdk proxy (a keystoneauth ``Adapter``) costs about
1.2 ms of client CPU on loopback, most of it work that gives the same answer
for every page of a walk: the endpoint looked up in the token's catalog (which
keystoneauth deep-copies and normalises at each request), the headers and user
agent assembled, the proxies and CA bundle read from the environment, the
netrc file looked up, the settings merged. :class:`BulkGet` does that work once
per service (again when the token, and so the catalog, changes) and per request
only what changes: the auth headers from the keystoneauth session (so a token
about to expire is renewed as before), the query, the timeout.

What goes out is what keystoneauth would send: the same URL, the same headers
(``X-Auth-Token``, ``User-Agent``, ``OpenStack-API-Version`` and the legacy
microversion headers, the global request id, the profile's additional headers),
through the same ``requests.Session`` and its mounted transport adapters (the
read-only guard and the host guard of :mod:`auditor.connect` stay in the path),
with the same redirect rule (keystoneauth's: same-session redirects up to the
session's ``redirect``, which the host guard confines to the request's origin),
the same one re-authentication on a 401, and the same exceptions
(``ConnectFailure``, ``ConnectTimeout``, ``SSLError``...) for the retry policy.

Whatever keystoneauth or openstacksdk would add on its own is kept by sending
through them instead (:func:`lean_allowed`): the HTTP debug log (``-vv``),
openstacksdk's response cache and metrics, keystoneauth's timing collection,
osprofiler, a templated endpoint override.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import keystoneauth1.adapter as ks_adapter
import keystoneauth1.exceptions as ks_exc
import keystoneauth1.session as ks_session
import requests
from requests.cookies import RequestsCookieJar, merge_cookies
from requests.sessions import merge_setting
from requests.structures import CaseInsensitiveDict
from requests.utils import get_netrc_auth

JSON = dict[str, Any]

_KS_LOGGERS = (
    "keystoneauth.session",
    "keystoneauth.session.request",
    "keystoneauth.session.response",
    "keystoneauth.session.body",
    "keystoneauth.session.request-id",
)
"""keystoneauth's HTTP loggers (its ``split_loggers`` among them): at debug, it logs
every request and response (redacted by the CLI's log setup), so GETs go through it."""

_LEAN_OPTIONS = frozenset(
    {
        "params",
        "headers",
        "microversion",
        "timeout",
        "raise_exc",
        "connect_retries",
        "status_code_retries",
    }
)
"""The options of the GETs sent here; any other goes to keystoneauth."""
_LEAN_OFF = ("raise_exc", "connect_retries", "status_code_retries")
"""Options keystoneauth acts on when set (raising, retrying): sent through it then."""

_log = logging.getLogger("keystoneauth.session")
"""keystoneauth's warning for a redirect without a Location is kept, under its name."""


def lean_allowed(adapter: Any) -> bool:
    """True when :class:`BulkGet` sends exactly what ``adapter.get`` would, and nothing
    that keystoneauth or openstacksdk does around a request is configured."""
    session = getattr(adapter, "session", None)
    if not isinstance(session, ks_session.Session):
        return False
    if not isinstance(session.session, requests.Session):
        return False
    loggers = [logging.getLogger(name) for name in _KS_LOGGERS]
    if getattr(adapter, "logger", None) is not None:
        loggers.append(adapter.logger)
    if any(logger.isEnabledFor(logging.DEBUG) for logger in loggers):
        return False
    conn = _connection(adapter)
    if conn is not None and getattr(conn, "cache_enabled", False):
        return False
    metrics = ("_statsd_client", "_prometheus_counter", "_prometheus_histogram")
    if any(getattr(adapter, name, None) for name in (*metrics, "_influxdb_client")):
        return False
    if getattr(session, "_collect_timing", False) or session.original_ip:
        return False
    if getattr(ks_session, "osprofiler_web", None) is not None:
        return False
    override = getattr(adapter, "endpoint_override", None)
    if override and "%" in override:
        return False  # keystoneauth fills in %(project_id)s...
    http = session.session
    return http.auth is None and not http.params


def _connection(adapter: Any) -> Any:
    get = getattr(adapter, "_get_connection", None)
    return get() if callable(get) else None


class _Target:
    """Where a service's GETs go while one token is in use: its endpoint, and requests'
    settings for that host (proxies, CA bundle, client certificate, netrc)."""

    def __init__(self, access: Any, base: str, settings: JSON, netrc: Any) -> None:
        self.access = access
        self.base = base.rstrip("/")
        self.settings = settings
        self.netrc = netrc


class BulkGet:
    """GETs of one service (one adapter), as keystoneauth would send them, for less."""

    def __init__(self, adapter: Any) -> None:
        self.adapter = adapter
        self.lean = lean_allowed(adapter)
        self._target: _Target | None = None
        self._headers: dict[tuple[Any, ...], dict[str, Any]] = {}
        self._urls: dict[str, str] = {}
        """URL (without a query) -> as requests prepares it (quoted, IDNA...)."""

    def get(self, path: str, **options: Any) -> requests.Response:
        """The response to ``GET path``, as ``adapter.get(path, **options)`` answers it
        with the pager's options (:func:`auditor.collect.pager.get_options`: no status
        raised, no retry by keystoneauth), which go to keystoneauth when it must send."""
        if (
            not self.lean
            or not _LEAN_OPTIONS.issuperset(options)
            or any(options.get(name) for name in _LEAN_OFF)
            or "//" in path  # a whole URL, not a path under the endpoint
        ):
            response: requests.Response = self.adapter.get(path, **options)
            return response
        params: JSON = dict(options.get("params") or {})
        extra: Mapping[str, str] = options.get("headers") or {}
        microversion: str | None = options.get("microversion")
        timeout: float | None = options.get("timeout")
        adapter = self.adapter
        session: ks_session.Session = adapter.session
        auth = adapter.auth or None
        authenticated = bool(auth or session.auth)
        auth_headers: Mapping[str, str] = {}
        if authenticated:
            found = session.get_auth_headers(auth)
            if found is None:
                raise ks_exc.AuthorizationFailure("No valid authentication is available")
            auth_headers = _sanitized(found)
        target = self._endpoint(session, auth)
        if microversion is None:
            microversion = adapter.default_microversion
        conn = _connection(adapter)
        request_id = getattr(conn, "_global_request_id", None) if conn is not None else None
        sent = dict(self._base_headers(session, extra, microversion, request_id, auth_headers))
        sent.update(auth_headers)
        if timeout is None:
            timeout = session.timeout
        url = f"{target.base}/{path.lstrip('/')}"
        response = self._send(session, target, url, params, sent, timeout, session.redirect)
        if response.status_code == 401 and authenticated and session.invalidate(auth):
            # keystoneauth's one renewal: a fresh token, the request once more.
            renewed = session.get_auth_headers(auth)
            if renewed is not None:
                sent.update(_sanitized(renewed))
                response = self._send(
                    session, target, url, dict(params), sent, timeout, session.redirect
                )
        return response

    def _endpoint(self, session: ks_session.Session, auth: Any) -> _Target:
        """The service's endpoint for the token in use (looked up again after a renewal:
        the catalog may have changed)."""
        plugin = auth or session.auth
        access = getattr(plugin, "auth_ref", None)
        target = self._target
        if target is not None and target.access is access:
            return target
        adapter = self.adapter
        allow = {"allow": adapter.allow} if adapter.allow else {}
        # keystoneauth's own lookup (openstacksdk's identity proxy names another method so).
        base = ks_adapter.Adapter.get_endpoint(adapter, **allow)
        if not base:
            raise ks_exc.EndpointNotFound()
        http: requests.Session = session.session
        verify: Any = session.verify
        cert: Any = session.cert or None
        try:
            connection: Mapping[str, Any] = session.get_auth_connection_params(auth=auth)
        except ks_exc.MissingAuthPlugin:
            connection = {}
        if connection:
            cert = connection.get("cert", cert)
            verify = connection.get("verify", verify)
        settings = dict(http.merge_environment_settings(base, {}, None, verify, cert))
        netrc = get_netrc_auth(base) if http.trust_env else None
        target = _Target(access, base, settings, netrc)
        self._target = target
        return target

    def _base_headers(
        self,
        session: ks_session.Session,
        extra: Mapping[str, str],
        microversion: str | None,
        request_id: str | None,
        auth_headers: Mapping[str, str],
    ) -> dict[str, Any]:
        """The headers keystoneauth and requests would send, in their order, with the
        auth headers as they are now (replaced at each request)."""
        key = (tuple(extra.items()), microversion, request_id, tuple(auth_headers))
        known = self._headers.get(key)
        if known is not None:
            return known
        adapter = self.adapter
        # What the adapter adds (keystoneauth's Adapter._request)...
        headers: CaseInsensitiveDict[Any] = CaseInsensitiveDict(extra)
        for name, value in adapter.additional_headers.items():
            headers.setdefault(name, value)
        if adapter.global_request_id is not None:
            headers.setdefault("X-OpenStack-Request-ID", adapter.global_request_id)
        # ... then the session (keystoneauth's Session.request).
        if microversion:
            session._set_microversion_headers(
                headers, microversion, None, {"service_type": adapter.service_type}
            )
        headers.update(auth_headers)
        headers["User-Agent"] = _user_agent(session, adapter, headers)
        if request_id is not None:
            headers[ks_session._REQUEST_ID_HEADER] = request_id
        for name, value in session.additional_headers.items():
            headers.setdefault(name, value)
        # ... and requests' merge with its session's own headers.
        http: requests.Session = session.session
        merged = merge_setting(  # type: ignore[no-untyped-call]
            _sanitized(headers), http.headers, dict_class=CaseInsensitiveDict
        )
        built = dict(merged.items())
        if len(self._headers) < 64:
            self._headers[key] = built
        return built

    def _prepare(
        self,
        http: requests.Session,
        target: _Target,
        url: str,
        params: JSON,
        headers: dict[str, Any],
    ) -> requests.PreparedRequest:
        """The GET as requests' ``Session.request`` prepares it, its settings merged.

        The usual case (a URL without a query, user or fragment, a query of strings,
        no netrc entry, no cookie in the session) costs less: the URL is prepared once
        per path, and the query is ``urlencode``'s, which requests' re-quoting leaves
        as it is; the headers are still checked by requests.
        """
        prepared = requests.PreparedRequest()
        if (
            target.netrc is not None
            or len(http.cookies)
            or any(mark in url for mark in "?#@")
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in params.items())
        ):
            prepared.prepare(
                method="GET",
                url=url,
                headers=headers,
                params=params,
                auth=target.netrc,
                cookies=merge_cookies(RequestsCookieJar(), http.cookies),  # type: ignore[no-untyped-call]
                hooks=http.hooks,
            )
            return prepared
        base = self._urls.get(url)
        if base is None:
            prepared.prepare_url(url, None)
            base = str(prepared.url)
            if len(self._urls) < 256:
                self._urls[url] = base
        prepared.method = "GET"
        prepared.url = f"{base}?{urlencode(params)}" if params else base
        prepared.prepare_headers(headers)
        prepared._cookies = RequestsCookieJar()  # type: ignore[attr-defined]
        prepared.prepare_hooks(http.hooks)
        return prepared

    def _send(
        self,
        session: ks_session.Session,
        target: _Target,
        url: str,
        params: JSON,
        headers: dict[str, Any],
        timeout: float | None,
        redirect: int | bool,
    ) -> requests.Response:
        """One GET and the redirects keystoneauth would follow (its ``_send_request``)."""
        http: requests.Session = session.session
        semaphore = getattr(self.adapter, "_rate_semaphore", None) or ks_session.NoOpSemaphore()
        try:
            # As requests' Session.request prepares it, its settings merged already.
            prepared = self._prepare(http, target, url, params, headers)
            with semaphore:
                response = http.send(
                    prepared, timeout=timeout, allow_redirects=False, **target.settings
                )
        except requests.exceptions.SSLError as exc:
            raise ks_exc.SSLError(f"SSL exception connecting to {url}: {exc}") from None
        except requests.exceptions.Timeout:
            raise ks_exc.ConnectTimeout(f"Request to {url} timed out") from None
        except requests.exceptions.ConnectionError as exc:
            raise ks_exc.ConnectFailure(f"Unable to establish connection to {url}: {exc}") from None
        except requests.exceptions.RequestException as exc:
            raise ks_exc.UnknownConnectionError(
                f"Unexpected exception for {url}: {exc}", exc
            ) from None
        if response.status_code not in session._REDIRECT_STATUSES:
            return response
        if isinstance(redirect, bool):
            allowed = redirect
        else:
            redirect -= 1
            allowed = redirect >= 0
        if not allowed:
            return response
        location = response.headers.get("location")
        if location is None:
            _log.warning(
                "Failed to redirect request to %s as new location was not provided.",
                response.url,
            )
            return response
        if "x-openstack-request-id" in response.headers:
            headers.setdefault("x-openstack-request-id", response.headers["x-openstack-request-id"])
        followed = self._send(session, target, location, {}, headers, timeout, redirect)
        followed.history = [response, *followed.history]
        return followed


def _user_agent(session: ks_session.Session, adapter: Any, headers: Mapping[str, Any]) -> str:
    """The User-Agent keystoneauth sends for ``adapter``'s requests."""
    if adapter.user_agent:
        return str(adapter.user_agent)
    if session.user_agent:
        return str(headers.get("User-Agent") or session.user_agent)
    agent: list[str] = []
    if session.app_name and session.app_version:
        agent.append(f"{session.app_name}/{session.app_version}")
    elif session.app_name:
        agent.append(session.app_name)
    if adapter.client_name and adapter.client_version:
        agent.append(f"{adapter.client_name}/{adapter.client_version}")
    elif adapter.client_name:
        agent.append(adapter.client_name)
    for additional in session.additional_user_agent:
        agent.append("{}/{}".format(*additional))
    if not agent:
        if session._determined_user_agent is None:
            session._determined_user_agent = ks_session._determine_user_agent()
        if session._determined_user_agent:
            agent.append(session._determined_user_agent)
    agent.append(ks_session.DEFAULT_USER_AGENT)
    return str(headers.get("User-Agent") or " ".join(agent))


def _sanitized(headers: Mapping[Any, Any]) -> dict[str, Any]:
    """keystoneauth's ``_sanitize_headers``: names and values as str, not bytes."""
    out: dict[str, Any] = {}
    for name, value in headers.items():
        key = name.decode("ascii") if isinstance(name, bytes) else name
        out[key] = value.decode("ascii") if isinstance(value, bytes) else value
    return out


_ATTRIBUTE = "_auditor_bulk_get"


def bulk_get(adapter: Any) -> BulkGet:
    """The :class:`BulkGet` of ``adapter`` (one per adapter, kept on it: its endpoint and
    headers are worked out once for every listing and fan-out over it, and it goes
    when the adapter goes)."""
    found: BulkGet | None = getattr(adapter, _ATTRIBUTE, None)
    if found is None:
        found = BulkGet(adapter)
        # An object without a __dict__ (a test double) keeps none: made each time.
        with contextlib.suppress(AttributeError):
            setattr(adapter, _ATTRIBUTE, found)
    return found
