"""Items the diff leaves out of the comparison (fields the catalog marks ``leaves_out``),
counted per side.

An admin listing volumes during a migration or a retype also sees Cinder's
temporary target volume (``migration_status: target:<id>``): a copy that
becomes the moved volume's storage and disappears when the move ends. It is no
resource of its own; compared, it would be an unexpected or duplicate volume.
"""

from __future__ import annotations

import dataclasses
import operator
from itertools import repeat

from auditor.catalog.registry import LEFT_OUT
from auditor.model import CollectionResult


def leave_out(name: str, result: CollectionResult) -> tuple[CollectionResult, int]:
    """``result`` without the items the diff leaves out, and how many there were."""
    rule = LEFT_OUT.get(name)
    if rule is None:
        return result, 0
    marker = rule[0]
    if not any(map(operator.contains, result.items, repeat(marker))):
        return result, 0  # the usual case, found without a Python call per item
    kept = tuple(item for item in result.items if marker not in item)
    dropped = len(result.items) - len(kept)
    return (dataclasses.replace(result, items=kept) if dropped else result), dropped
