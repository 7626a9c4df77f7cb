"""The types of a clouds.yaml profile's values, checked before openstacksdk reads it.

openstacksdk passes values on as they are: a numeric password is sent to
Keystone as a number, ``api_timeout: abc`` ends in a traceback, a list where
a region name belongs is used as one. Errors name the file and the key and
never echo the value (it may be a password).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from auditor.errors import ConfigError

_PROFILE_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "region_name": ((str,), "a string"),
    "regions": ((list,), "a list"),
    "auth_type": ((str,), "a string"),
    "interface": ((str,), "a string"),
    "cacert": ((str,), "a string (a file)"),
    "cert": ((str,), "a string (a file)"),
    "key": ((str,), "a string (a file)"),
    "verify": ((bool, str), "true, false or a CA file"),
    "api_timeout": ((int, float), "a number of seconds"),
    "profile": ((str,), "a string"),
}
"""Types of the clouds.yaml profile keys the SDK reads without checking them."""


def check_profile_types(path: str, where: str, profile: Mapping[str, Any]) -> None:
    """Refuse values of the wrong type, naming the key (never echoing a secret).

    openstacksdk passes them on as they are: a numeric password is sent to
    Keystone as a number, ``api_timeout: abc`` ends in a traceback.
    """
    for key, value in profile.items():
        allowed, what = _PROFILE_TYPES.get(str(key), ((), ""))
        if key.endswith(("_endpoint_override", "_api_version")):
            allowed, what = (str, int, float), "a string"
        if allowed and (not isinstance(value, allowed) or _wrong_bool(value, allowed)):
            raise ConfigError(f"{path}: {where}.{key}: expected {what}, got {_kind(value)}")
        if key in ("cacert", "verify") and isinstance(value, str) and not os.path.isfile(value):
            raise ConfigError(f"{path}: {where}.{key}: no such CA file {value!r}")
    for key, value in (profile.get("auth") or {}).items():
        if key == "auth_methods" and isinstance(value, list):
            continue
        if not isinstance(value, str):
            hint = " (quote it)" if isinstance(value, (int, float)) else ""
            raise ConfigError(
                f"{path}: {where}.auth.{key}: expected a string{hint}, got {_kind(value)}"
            )


def _wrong_bool(value: Any, allowed: tuple[type, ...]) -> bool:
    return isinstance(value, bool) and bool not in allowed


def _kind(value: Any) -> str:
    """A value's YAML kind, never the value (it may be a password)."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    return "a string" if isinstance(value, str) else f"a {type(value).__name__}"
