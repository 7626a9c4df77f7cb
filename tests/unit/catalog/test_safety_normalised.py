"""Safety net of the catalog redesign: every collection normalises as it did.

The raw listings of :mod:`tests.unit.catalog.world` (API-shaped, edge cases
included) are normalised at several microversions; the items (key order
included) and errors are pinned in tests/golden/catalog/normalised.json,
taken from the hand-written normalisers before the redesign. Each listing,
trimmed to the raw fields the pager keeps of it, normalises the same.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.catalog import adapter, golden
from tests.unit.catalog.world import VARIANTS, raw_world

NAMES = (
    "projects", "servers", "volumes", "endpoints", "domains", "regions", "services",
    "flavors", "images", "keypairs", "networks", "subnets", "routers", "security_groups",
    "floating_ips", "volume_snapshots", "volume_backups", "quotas",
)  # fmt: skip


def normalised_world() -> dict[str, dict[str, Any]]:
    return {
        variant: {name: adapter.normalise(name, raw_world(mv), mv) for name in NAMES}
        for variant, mv in VARIANTS.items()
    }


def test_every_collection_normalises_as_it_did() -> None:
    golden.check("normalised.json", normalised_world())


def _trimmed(raw: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    out = {}
    for key, items in raw.items():
        kept = adapter.kept_fields(key)
        out[key] = (
            items
            if kept is None
            else [{k: v for k, v in item.items() if k in kept or k == "@for"} for item in items]
        )
    return out


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_trimmed_listings_normalise_the_same(variant: str) -> None:
    mv = VARIANTS[variant]
    raw = raw_world(mv)
    trimmed = _trimmed(raw)
    for name in NAMES:
        assert adapter.normalise(name, trimmed, mv) == adapter.normalise(name, raw, mv), name
