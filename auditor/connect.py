"""clouds.yaml profile -> an authenticated, read-only openstacksdk Connection.

The SDK does everything about configuration and authentication: clouds.yaml
lookup (``OS_CLIENT_CONFIG_FILE``, ``./clouds.yaml``, ``~/.config/openstack``),
secure.yaml, ``OS_CLOUD``, passwords and application credentials. This module
only adds what an auditor needs on top: a request timeout, a transport-level
guard that lets nothing but reads (and the token request) leave the process,
and one-line errors for profiles that cannot be used.

It reads no file and no environment variable itself: the application layer
resolves ``OS_CLOUD`` into :class:`CloudTarget` and hands the clouds.yaml it
was given, with its text, in a :class:`ConfigSource` (openstacksdk still reads
its own configuration to build the profile).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import keystoneauth1.exceptions as ks_exc
import openstack
import openstack.config
import openstack.connection
import openstack.exceptions
import requests
import yaml
from requests.adapters import BaseAdapter, HTTPAdapter

from auditor.clouds import CloudTarget, ConfigSource
from auditor.defaults import DEFAULT_TIMEOUT
from auditor.errors import ConfigError
from auditor.hostguard import (
    MAX_REDIRECTS,
    AllowedOrigins,
    HostGuard,
    is_token_request,
)
from auditor.profilecheck import check_profile_types
from auditor.secrets import SECRET_AUTH_KEYS, Redactor
from auditor.textsafe import first_line

__all__ = [
    "APP_NAME",
    "POOL_SIZE",
    "CloudTarget",
    "ConfigSource",
    "ReadOnlyAdapter",
    "ReadOnlyViolation",
    "auth_url",
    "check_clouds_yaml",
    "connect",
    "connect_project",
    "install_host_guard",
    "install_read_only_guard",
    "region_name",
    "widen_pools",
]
"""Besides the connection, the cloud and profile it is made from (:mod:`auditor.clouds`)."""

APP_NAME = "auditor"


class ReadOnlyViolation(RuntimeError):
    """A request other than a read or the Keystone token request was about to be sent."""


class ReadOnlyAdapter(BaseAdapter):
    """Wraps a requests transport adapter and refuses anything but reads.

    Installed on the requests session inside keystoneauth's session, so it sees
    every request the SDK, keystoneauth or the auditor itself would send, just
    before it would leave the process. Allowed: GET, HEAD, and POST to the
    Keystone token endpoint.
    """

    def __init__(self, inner: BaseAdapter) -> None:
        super().__init__()
        self.inner = inner

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        method = (request.method or "GET").upper()
        url = request.url or ""
        if method not in ("GET", "HEAD") and not is_token_request(method, url):
            raise ReadOnlyViolation(
                f"refused {method} {urlsplit(url).path}: the auditor is read-only"
            )
        return self.inner.send(request, **kwargs)

    def close(self) -> None:
        self.inner.close()


POOL_SIZE = 32
"""Connections kept per host: listings run concurrently (8 workers, fan-outs of 4 each),
and requests' default of 10 would drop and reopen connections under that load."""


def widen_pools(session: requests.Session, size: int = POOL_SIZE) -> None:
    """Give every HTTP transport adapter of ``session`` a pool of ``size`` connections."""
    for prefix, adapter in list(session.adapters.items()):
        if isinstance(adapter, HTTPAdapter):
            session.mount(prefix, type(adapter)(pool_connections=size, pool_maxsize=size))


def install_read_only_guard(session: requests.Session) -> None:
    """Wrap every transport adapter of ``session`` in a :class:`ReadOnlyAdapter`."""
    for prefix, adapter in list(session.adapters.items()):
        if not isinstance(adapter, ReadOnlyAdapter):
            session.mount(prefix, ReadOnlyAdapter(adapter))


def install_host_guard(conn: openstack.connection.Connection) -> None:
    """Keep ``conn``'s requests on its cloud's hosts (see :mod:`auditor.hostguard`).

    Every transport adapter is wrapped in a :class:`~auditor.hostguard.HostGuard`
    allowing the profile's auth_url and endpoints and the catalog of the token
    in use; keystoneauth follows at most a few (same-host) redirects.
    """
    config = conn.config.config
    auth = config.get("auth") or {}
    endpoints = [
        value
        for key, value in [*config.items(), *(("auth_endpoint", auth.get("endpoint")),)]
        if isinstance(value, str) and key.endswith(("endpoint_override", "_endpoint"))
    ]
    auth_url = auth.get("auth_url")
    plugin = conn.session.auth
    allowed = AllowedOrigins(
        auth_url if isinstance(auth_url, str) else None,
        endpoints,
        lambda: getattr(plugin, "auth_ref", None),
    )
    conn.session.redirect = MAX_REDIRECTS
    session = conn.session.session
    for prefix, adapter in list(session.adapters.items()):
        if not isinstance(adapter, (HostGuard, ReadOnlyAdapter)):
            session.mount(prefix, HostGuard(adapter, allowed))


def connect(
    target: CloudTarget,
    *,
    config: ConfigSource | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    redactor: Redactor | None = None,
) -> openstack.connection.Connection:
    """Open a read-only connection for ``target``; no request is sent yet.

    Raises :class:`ConfigError` for an unknown profile, a malformed clouds.yaml,
    or a profile missing required auth options.
    """
    config = config or ConfigSource()
    config_file = config.path
    if config_file is not None and config.text is not None:
        _check_once(config_file, config.text)
    where = config_file or "clouds.yaml"
    loader: openstack.config.OpenStackConfig | None = None
    try:
        # What openstack.connect() does, with the loader kept for the error messages.
        loader = openstack.config.OpenStackConfig(
            config_files=[config_file] if config_file is not None else None, app_name=APP_NAME
        )
        region = loader.get_one(cloud=target.cloud, region_name=target.region)
        conn = openstack.connection.Connection(config=region)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}:{_yaml_line(exc)} is not valid YAML") from None
    except openstack.exceptions.ConfigException as exc:
        unknown = _unknown_cloud(loader, target, config)
        if unknown is not None:
            raise ConfigError(unknown) from None
        raise ConfigError(f"{where}: cloud {target}: {first_line(exc)}") from None
    except ks_exc.MissingRequiredOptions as exc:
        names = ", ".join(opt.dest for opt in exc.options)
        raise ConfigError(f"{where}: cloud {target}: missing auth option(s) {names}") from None
    except (ks_exc.ClientException, ValueError, TypeError, KeyError, AttributeError) as exc:
        # openstacksdk's loader assumes the file's shape (AttributeError on a list
        # where a mapping belongs): any of these is an unusable profile.
        raise ConfigError(
            f"{where}: cloud {target}: unusable profile ({first_line(exc)})"
        ) from None

    if redactor is not None:
        redactor.add(_auth_secrets(conn.config.config.get("auth") or {}))
    session = conn.session
    session.timeout = timeout
    widen_pools(session.session)
    install_host_guard(conn)
    install_read_only_guard(session.session)
    return conn


def connect_project(
    conn: openstack.connection.Connection,
    project: Mapping[str, Any],
    *,
    timeout: float = DEFAULT_TIMEOUT,
) -> openstack.connection.Connection:
    """A read-only connection like ``conn`` but scoped to ``project`` (``{id, name,
    domain_id}``, as ``GET /v3/auth/projects`` gives it); no request is sent yet.

    openstacksdk's ``connect_as_project`` builds it from the same profile, so the
    same credentials ask Keystone for a token scoped to that project (the token
    request: the one non-GET request allowed).
    """
    try:
        scoped: openstack.connection.Connection = conn.connect_as_project(
            {k: project.get(k) for k in ("id", "name", "domain_id") if project.get(k)}
        )
    except (openstack.exceptions.ConfigException, ks_exc.ClientException, ValueError) as exc:
        raise ConfigError(
            f"cloud {conn.name}: cannot scope to project {project.get('name')} ({first_line(exc)})"
        ) from None
    scoped.session.timeout = timeout
    install_host_guard(scoped)
    install_read_only_guard(scoped.session.session)
    return scoped


def _unknown_cloud(
    loader: openstack.config.OpenStackConfig | None, target: CloudTarget, config: ConfigSource
) -> str | None:
    """Why the profile ``target`` names is not there: the profiles that are and the files
    read, or, when no clouds.yaml was found at all, where openstacksdk looked for one.
    None when the profile exists (the error is about something else)."""
    name = target.cloud
    if loader is None or not name or name in loader.get_cloud_names():
        return None
    if loader.config_filename is None:
        override = config.env_file
        candidates = [config.path] if config.path else list(openstack.config.loader.CONFIG_FILES)
        places = [*([override] if override else []), *candidates]
        directories = ", ".join(dict.fromkeys(os.path.dirname(p) or "." for p in places))
        return (
            f"cloud {name}: no clouds.yaml found (looked for clouds.yaml, clouds.yml and"
            f" clouds.json in {directories}); name one with --os-client-config-file FILE or"
            " OS_CLIENT_CONFIG_FILE"
        )
    profiles = [
        "envvars (the OS_* environment variables)" if n == loader.envvar_key else n
        for n in sorted(loader.get_cloud_names())
    ]
    read = [f for f in (loader.config_filename, loader.secure_config_filename) if f]
    return (
        f"{loader.config_filename}: cloud {name}: not found; the profiles there are"
        f" {', '.join(profiles) or 'none'} (files read: {', '.join(read)})"
    )


def _yaml_line(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    return f" line {mark.line + 1}" if mark is not None else ""


@functools.lru_cache(maxsize=4)
def _check_once(path: str, text: str) -> None:
    """:func:`check_clouds_yaml`, once per file and text: an audit connects to each of
    its clouds with the same clouds.yaml (a file that fails is checked again, and fails
    again, each time)."""
    check_clouds_yaml(path, text)


def check_clouds_yaml(path: str, text: str) -> None:
    """Refuse a clouds.yaml (``path``, read as ``text``) that is not YAML, or not shaped like
    one, naming the line or key.

    openstacksdk skips a file it cannot parse with a logged warning and then
    reports the cloud as "not found", which sends the operator looking for a
    typo in the cloud name; a file of the wrong shape crashes its loader. This
    only checks the syntax and the outline (mappings where mappings belong):
    the SDK still reads the file (and secure.yaml, vendors...) for real.
    """
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}:{_yaml_line(exc)} is not valid YAML") from None
    if doc is None:
        return
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: not a clouds.yaml (the top level is not a mapping)")
    clouds = doc.get("clouds")
    if clouds is None:
        return
    if not isinstance(clouds, dict):
        raise ConfigError(f"{path}: clouds: expected a mapping of cloud names to profiles")
    for name, profile in clouds.items():
        if not isinstance(profile, dict):
            raise ConfigError(f"{path}: clouds.{name}: expected a mapping (a cloud profile)")
        auth = profile.get("auth")
        if auth is not None and not isinstance(auth, dict):
            raise ConfigError(f"{path}: clouds.{name}.auth: expected a mapping")
        check_profile_types(path, f"clouds.{name}", profile)


def auth_url(conn: openstack.connection.Connection) -> str | None:
    """The profile's Keystone URL, with any userinfo stripped."""
    auth = conn.config.config.get("auth") or {}
    url = auth.get("auth_url")
    if not isinstance(url, str):
        return None
    parts = urlsplit(url)
    if parts.username or parts.password:
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        parts = parts._replace(netloc=netloc)
    return parts.geturl()


def region_name(conn: openstack.connection.Connection) -> str | None:
    """The region the connection is bound to, if any."""
    name = conn.config.get_region_name()
    return str(name) if name else None


def _auth_secrets(auth: Mapping[str, Any]) -> list[str]:
    return [str(auth[key]) for key in SECRET_AUTH_KEYS if auth.get(key)]
