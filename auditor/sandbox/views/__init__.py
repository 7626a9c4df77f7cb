"""Item views of the sandbox: snapshot items shaped as each service answers them, per
microversion, where a service is too irregular for the catalog's sources run backwards."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from auditor.model import Snapshot


def items_of(snapshot: Snapshot, name: str) -> Sequence[dict[str, Any]]:
    """The snapshot's items of collection ``name`` (none when it has no such collection)."""
    result = snapshot.collections.get(name)
    return result.items if result is not None else ()
