"""The token request of a connection, with one clear error for each way it fails.

Connecting (:mod:`auditor.connect`) sends nothing; :func:`authenticate` fetches
the token, so that rejected credentials, a wrong ``auth_url`` or a TLS failure
stop the run at once with one line, while the failures worth retrying
(connection refused, time-outs, Keystone's 5xx and 429) reach the caller's
retry policy as keystoneauth's own exceptions.
"""

from __future__ import annotations

import re

import keystoneauth1.exceptions as ks_exc
import openstack.connection

from auditor.connect import CloudTarget, auth_url
from auditor.errors import AuthError, ConfigError
from auditor.hostguard import TransportRefusal
from auditor.textsafe import first_line


def _token(conn: openstack.connection.Connection) -> None:
    """The token, with keystoneauth's discovery wrapper taken off.

    When ``auth_url``'s path does not start with the version (DevStack's
    ``/identity/v3``, the sandbox's ``/<cloud>/identity/v3``), keystoneauth's
    generic plugin turns any failure of the version document into a bare
    ``DiscoveryFailure``: a refused connection, a time-out, an expired
    certificate and a 503 would all read "could not find versioned identity
    endpoints". The failure it wraps is raised instead, so each is told (and
    retried) as it would be for a ``/v3`` URL.
    """
    try:
        conn.session.get_token()
    except ks_exc.DiscoveryFailure as exc:
        wrapped = exc.__context__
        if isinstance(wrapped, ks_exc.ConnectionError | ks_exc.HttpError):
            raise wrapped from None
        raise


def authenticate(conn: openstack.connection.Connection, target: CloudTarget) -> None:
    """Fetch a token now, so that rejected credentials fail fast and clearly.

    Raises :class:`AuthError` when Keystone rejects the credentials (HTTP 401/403
    or another 4xx answer to the token request, or an unknown token endpoint).
    Connection failures and 5xx/429 answers propagate as keystoneauth
    exceptions (``ConnectFailure``, ``HttpError``) for the caller's retry policy.

    The token is fetched from the keystoneauth session rather than with
    ``Connection.authorize()``, which wraps every keystoneauth error into a bare
    ``SDKException`` and so hides both the status and the retryable failures.
    """
    try:
        _token(conn)
    except TransportRefusal as exc:
        # A redirect of the token request, or a version document pointing it elsewhere.
        raise AuthError(f"cloud {target}: {exc}") from None
    except (ks_exc.InvalidResponse, KeyError, TypeError, AttributeError) as exc:
        # keystoneauth reads the token answer as it comes: an HTML login page, no
        # X-Subject-Token header, a token that is not an object...
        raise AuthError(
            f"cloud {target}: {auth_url(conn) or 'Keystone'} answered the token request with"
            f" no usable token ({type(exc).__name__}); is auth_url Keystone's?"
        ) from None
    except ks_exc.SSLError as exc:
        raise ConfigError(
            f"cloud {target}: TLS verification of {auth_url(conn) or 'Keystone'} failed"
            f" ({_tls_reason(exc)}); for a private CA set cacert in the profile"
        ) from None
    except (ks_exc.Unauthorized, ks_exc.Forbidden) as exc:
        raise AuthError(
            f"cloud {target}: credentials rejected by {auth_url(conn) or 'Keystone'}"
            f" (HTTP {exc.http_status})"
        ) from None
    except ks_exc.NotFound:
        raise AuthError(
            f"cloud {target}: Keystone at {auth_url(conn) or '?'} has no token endpoint"
            " (wrong auth_url?)"
        ) from None
    except ks_exc.HttpError as exc:
        status = exc.http_status or 0
        if status == 429 or status >= 500:
            raise
        raise AuthError(
            f"cloud {target}: Keystone at {auth_url(conn) or '?'} refused the token request"
            f" (HTTP {status})"
        ) from None
    except ks_exc.DiscoveryFailure as exc:
        raise AuthError(
            f"cloud {target}: no Keystone version document at {auth_url(conn) or '?'}"
            f" ({first_line(exc)}); is auth_url Keystone's?"
        ) from None
    except Exception as exc:
        # keystoneauth's generic password plugin raises a bare Exception
        # ("password is a required attribute") for a profile without a password.
        if type(exc) is not Exception:
            raise
        raise ConfigError(f"cloud {target}: cannot authenticate ({first_line(exc)})") from None


def _tls_reason(exc: BaseException) -> str:
    """``certificate verify failed: self-signed certificate`` out of requests' long message."""
    found = re.search(r"certificate verify failed: ([^(')\]]+)", str(exc))
    if found:
        return f"certificate verify failed: {found.group(1).strip()}"
    return "TLS handshake failed"
