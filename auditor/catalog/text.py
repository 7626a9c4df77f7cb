"""How values read in messages, for the diff's policies and the catalog's custom code."""

from __future__ import annotations

from typing import Any


def fmt(value: Any) -> str:
    """A value for people: ``none`` for null or empty, lists joined by commas."""
    if value is None or value == "":
        return "none"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


def beside(label: str, item_id: str | None) -> str:
    """``label (id)``: a name for people with the id beside it (just the label when the
    label is the id)."""
    if item_id is None or item_id in label:
        return label
    return f"{label} ({item_id})"


def as_int(value: Any) -> int | None:
    """``value`` when it is an integer (a bool is not), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def version(text: str | None, baseline: tuple[int, int] = (2, 1)) -> tuple[int, int]:
    """``"2.47"`` -> (2, 47); None (no microversion) -> ``baseline``."""
    if not text:
        return baseline
    major, _, minor = text.partition(".")
    return (int(major), int(minor or 0))
