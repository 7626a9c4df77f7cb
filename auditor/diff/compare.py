"""Stable finding ids and item references, shared by the diff and the waivers."""

from __future__ import annotations

import hashlib
from typing import Any

from auditor.model import Kind, Ref

JSON = dict[str, Any]


def finding_id(kind: Kind, collection: str, *parts: str) -> str:
    """Stable id: a hash of what the finding is about, never of its values."""
    text = "|".join((kind.value, collection, *parts))
    return "f-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def ref(item: JSON) -> Ref:
    return Ref(
        id=str(item["id"]),
        name=item.get("name"),
        project=item.get("project"),
        domain=item.get("domain"),
    )
