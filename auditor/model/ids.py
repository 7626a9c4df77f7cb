"""The stable ids of findings and the way a finding names an item: shared by the diff and
the waivers (which match findings by id), so neither imports the other for them."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from auditor.model.enums import Kind
from auditor.model.findings import Ref


def finding_id(kind: Kind, collection: str, *parts: str) -> str:
    """Stable id: a hash of what the finding is about, never of its values."""
    text = "|".join((kind.value, collection, *parts))
    return "f-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def ref(item: Mapping[str, Any]) -> Ref:
    """How findings name a normalised item: its id, name, and project and domain if any."""
    return Ref(
        id=str(item["id"]),
        name=item.get("name"),
        project=item.get("project"),
        domain=item.get("domain"),
    )
