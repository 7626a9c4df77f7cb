"""Credentials of a sandbox cloud and the tokens Keystone issued for it (and for whom)."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone


@dataclass(frozen=True)
class Credentials:
    """The one user of a sandbox cloud: an admin scoped to one project."""

    username: str
    password: str
    user_id: str
    domain_id: str
    """Id of the user's and the project's domain (``default``)."""
    domain_name: str
    project_id: str
    project_name: str


@dataclass(frozen=True)
class Member:
    """A user without the admin role: the member role on some projects of the cloud."""

    username: str
    password: str
    user_id: str
    domain_id: str
    """Id of the user's domain (``default``)."""
    domain_name: str
    project_ids: tuple[str, ...]
    """The projects the user has the member role on."""


@dataclass(frozen=True)
class Caller:
    """Who a token speaks for, and for which project."""

    user_id: str
    username: str
    project_id: str | None
    """The token's project; None for an unscoped (or domain-, system-scoped) token."""
    admin: bool
    """The token carries the admin role."""


@dataclass(frozen=True)
class Issued:
    """A token just issued."""

    token: str
    issued_at: str
    expires_at: str


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class TokenStore:
    """Tokens of one cloud; thread-safe."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._expiry: dict[str, float] = {}
        self._callers: dict[str, Caller] = {}

    def issue(self, caller: Caller | None = None) -> Issued:
        token = "gAAAAA" + secrets.token_urlsafe(48)
        now = datetime.now(timezone.utc)
        with self._lock:
            self._expiry[token] = time.monotonic() + self.ttl
            if caller is not None:
                self._callers[token] = caller
        return Issued(token, _iso(now), _iso(now + timedelta(seconds=self.ttl)))

    def caller(self, token: str | None) -> Caller | None:
        """Who a valid token speaks for (None for an invalid token)."""
        if not self.valid(token):
            return None
        with self._lock:
            return self._callers.get(token or "")

    def valid(self, token: str | None) -> bool:
        if not token:
            return False
        with self._lock:
            expiry = self._expiry.get(token)
            if expiry is None:
                return False
            if time.monotonic() >= expiry:
                del self._expiry[token]
                self._callers.pop(token, None)
                return False
            return True

    def revoke_all(self) -> None:
        """Forget every token: the next request of each client gets a 401 and re-authenticates."""
        with self._lock:
            self._expiry.clear()
            self._callers.clear()
