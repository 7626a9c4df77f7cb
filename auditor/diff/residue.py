"""Residue: old-brand strings left in the target (``residue.patterns`` in the rules)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.diff.compare import JSON
from auditor.rules import Rules


def spelled_out(rules: Rules, collection: str) -> frozenset[str]:
    """Target names the rules give literally (renamed domains and regions): whatever
    old-brand string they hold, the operator chose them."""
    if collection == "domains":
        return frozenset(rules.domains.values())
    if collection == "regions":
        return frozenset(rules.regions.values())
    return frozenset()


def residue_hits(rules: Rules, item: JSON) -> list[tuple[str, str]]:
    """(field, matched text) of every old-brand string left in a target item."""
    if not rules.residue:
        return []
    values: list[tuple[str, Any]] = [
        ("name", item.get("name")),
        ("description", item.get("description")),
        ("url", item.get("url")),
    ]
    metadata = item.get("metadata")
    if isinstance(metadata, Mapping):
        values.extend(
            (f"metadata.{k}", v) for k, v in sorted(metadata.items()) if k != rules.metadata_key
        )
    hits = []
    for field, value in values:
        if not isinstance(value, str) or not value:
            continue
        for pattern in rules.residue:
            found = pattern.search(value)
            if found:
                hits.append((field, found.group(0)))
                break
    return hits
