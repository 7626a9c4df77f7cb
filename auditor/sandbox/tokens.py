"""Credentials of a sandbox cloud and the tokens Keystone issued for it."""

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

    def issue(self) -> Issued:
        token = "gAAAAA" + secrets.token_urlsafe(48)
        now = datetime.now(timezone.utc)
        with self._lock:
            self._expiry[token] = time.monotonic() + self.ttl
        return Issued(token, _iso(now), _iso(now + timedelta(seconds=self.ttl)))

    def valid(self, token: str | None) -> bool:
        if not token:
            return False
        with self._lock:
            expiry = self._expiry.get(token)
            if expiry is None:
                return False
            if time.monotonic() >= expiry:
                del self._expiry[token]
                return False
            return True

    def revoke_all(self) -> None:
        """Forget every token: the next request of each client gets a 401 and re-authenticates."""
        with self._lock:
            self._expiry.clear()
