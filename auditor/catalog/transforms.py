"""Pure value transforms that field sources apply (``api(..., then=...)``).

Each takes the raw JSON value the API gave (possibly null or of another type)
and returns the snapshot's value; none raises.
"""

from __future__ import annotations

from typing import Any

from auditor.catalog.text import as_int
from auditor.secrets import mask_mapping

mask = mask_mapping
"""Metadata with the values of secret-looking keys masked (``{}`` for none)."""


def text_or_empty(value: Any) -> Any:
    """Free text: ``""`` for none (null and empty are the same)."""
    return value or ""


def or_none(value: Any) -> Any:
    """An empty value (``""``, ``[]``...) is none."""
    return value or None


def boolean(value: Any) -> bool:
    return bool(value)


_CINDER_WORDS = {"true": True, "false": False}
"""How Cinder spells them (read without stripping and lowering: 0.13 -> 0.06 µs)."""


def cinder_bool(value: Any) -> bool:
    """Cinder answers some booleans (``bootable``) as the strings ``"true"``/``"false"``."""
    if value is True or value is False:
        return value
    if isinstance(value, str):
        known = _CINDER_WORDS.get(value)
        if known is not None:
            return known
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def nova_int(value: Any) -> int:
    """Nova's sizes: an int, or ``""`` for none (swap before 2.75)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return 0


def integer(value: Any) -> int | None:
    """An integer, else null."""
    return as_int(value)


def integer_or_zero(value: Any) -> int:
    """An integer, else (null or 0) 0."""
    return as_int(value) or 0


def sorted_list(value: Any) -> list[Any]:
    """A sorted list (``[]`` for none)."""
    return sorted(value or [])


def sorted_texts(value: Any) -> list[str]:
    """Sorted strings (``[]`` for none)."""
    return sorted(map(str, value)) if value else []


def object_or_none(value: Any) -> dict[str, Any] | None:
    """A copy of an object, null for anything else (unknown)."""
    return dict(value) if isinstance(value, dict) else None


def not_false(value: Any) -> bool:
    """True unless the API says false (a flag that defaults to true)."""
    return value is not False


def routes(value: Any) -> list[dict[str, Any]]:
    """Routes, ``[{destination, nexthop}]`` sorted."""
    out = [
        {"destination": r.get("destination"), "nexthop": r.get("nexthop")}
        for r in value or []
        if isinstance(r, dict)
    ]
    return sorted(out, key=lambda r: (str(r["destination"]), str(r["nexthop"])))


def addresses_by_network(value: Any) -> dict[str, list[str]]:
    """Nova's addresses: ``{network: [ip, ...]}``, sorted."""
    if type(value) is dict and len(value) == 1:
        # One network with one address (most servers): read without a sort (0.7 -> 0.3 µs).
        for net, entries in value.items():
            if type(net) is str and type(entries) is list and len(entries) == 1:
                entry = entries[0]
                if type(entry) is dict:
                    addr = entry.get("addr")
                    return {net: [addr] if addr else []}
    if not isinstance(value, dict):
        return {}
    return {
        str(net): sorted(a["addr"] for a in entries if isinstance(a, dict) and a.get("addr"))
        for net, entries in value.items()
        if isinstance(entries, list)
    }
