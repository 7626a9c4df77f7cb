"""Keeping secrets out of snapshots, reports and logs.

Two mechanisms, both applied everywhere text leaves the process:

* structural masking: metadata values whose key looks like a secret, and
  well-known secret fields (``adminPass``, ``password``...), are replaced by
  :data:`MASK` when items are normalised;
* textual redaction: a :class:`Redactor` knows the secret values of the clouds
  in use (password, application-credential secret, token) and the shapes of
  secret headers and JSON fields, and scrubs any string before it is logged.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "***"

SECRET_KEY = re.compile(
    r"pass(word|wd|phrase)?|secret|token|credential|private[-_]?key|api[-_]?key|access[-_]?key"
    r"|adminpass|auth[-_]?key|session[-_]?key|temp[-_]?url[-_]?key",
    re.IGNORECASE,
)
"""A metadata or field name that looks like it holds a secret."""

_TEXT_PATTERNS = (
    # HTTP headers as keystoneauth and requests print them.
    re.compile(r"(?i)(x-(?:auth|subject|service)-token['\"]?\s*[:=]\s*['\"]?)([^'\"\s,}]+)"),
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)([^'\"\n,}]+)"),
    # JSON or repr fields whose name looks like a secret (a password, or metadata
    # such as "db_password" in a response body that keystoneauth logs at debug).
    re.compile(
        r"(?i)(['\"][^'\"\s]*(?:" + SECRET_KEY.pattern + r")[^'\"\s]*['\"]\s*:\s*['\"])"
        r"([^'\"]*)"
    ),
    # key=value in query strings or config dumps.
    re.compile(r"(?i)((?:password|secret|token)=)([^&\s]+)"),
)


@functools.lru_cache(maxsize=4096)
def looks_secret(key: str) -> bool:
    """True when a metadata or field name suggests its value is a secret.

    Cached: the same few metadata keys come back on every item of a listing.
    """
    return bool(SECRET_KEY.search(key))


_PLAIN_KEYS: set[str] = set()
"""Keys already seen that do not look secret: a mapping of only those is copied whole
(the same few metadata keys come back on every item: 0.55 -> 0.3 µs a mapping)."""
_PLAIN_KEYS_MAX = 4096


def mask_mapping(values: Mapping[str, Any] | None) -> dict[str, Any]:
    """Copy of ``values`` with the values of secret-looking keys masked."""
    if not values:
        return {}
    if type(values) is dict and values.keys() <= _PLAIN_KEYS:
        return values.copy()
    masked = {str(k): (MASK if looks_secret(str(k)) else v) for k, v in values.items()}
    if len(_PLAIN_KEYS) < _PLAIN_KEYS_MAX:
        _PLAIN_KEYS.update(k for k in values if type(k) is str and not looks_secret(k))
    return masked


class Redactor:
    """Scrubs secrets from text: known values of the clouds in use, and secret shapes."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()
        self._pattern: re.Pattern[str] | None = None

    def add(self, values: Iterable[object]) -> None:
        """Remember secret values (short values are ignored: they would mask ordinary words)."""
        with self._lock:
            for value in values:
                if isinstance(value, str) and len(value) >= 4:
                    self._values.add(value)
            if self._values:
                alternatives = sorted(self._values, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(v) for v in alternatives))

    def redact(self, text: str) -> str:
        """``text`` with every known secret value and secret-shaped field masked."""
        pattern = self._pattern
        if pattern is not None:
            text = pattern.sub(MASK, text)
        for shape in _TEXT_PATTERNS:
            text = shape.sub(lambda m: m.group(1) + MASK, text)
        return text

    def redact_value(self, value: Any) -> Any:
        """Redact strings inside a JSON-like value, masking secret-looking keys."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, Mapping):
            return {
                k: (MASK if isinstance(k, str) and looks_secret(k) and v else self.redact_value(v))
                for k, v in value.items()
            }
        if isinstance(value, (list, tuple)):
            return [self.redact_value(v) for v in value]
        return value


SECRET_AUTH_KEYS = (
    "password",
    "application_credential_secret",
    "token",
    "passcode",
    "client_secret",
    "secret",
)
"""Keys of a clouds.yaml ``auth`` section whose values are secrets."""
