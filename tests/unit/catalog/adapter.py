"""What the safety net asks of the code: one function per derived table.

The golden files pin what these return; when the code that derives a table
moves (records.py and the collect modules' tables into the catalog), only
this module changes, never the golden files (unless on purpose, and said).
"""

from __future__ import annotations

import copy
from typing import Any

JSON = dict[str, Any]


def listings() -> dict[str, JSON]:
    """Every listing: its request and the raw fields it keeps."""
    from auditor.collect import LISTINGS

    out: dict[str, JSON] = {}
    for key in sorted(LISTINGS):
        listing = LISTINGS[key]
        out[key] = {
            "service_type": listing.service_type,
            "path": listing.path,
            "item_key": listing.item_key,
            "params": dict(listing.params),
            "microversioned": listing.microversioned,
            "fields": sorted(listing.fields) if listing.fields is not None else None,
            "fan_out": (
                {"over": listing.fan_out.over, "selective": listing.fan_out.select is not None}
                if listing.fan_out is not None
                else None
            ),
            "walker": listing.walker.__name__ if listing.walker is not None else None,
        }
    return out


def collections() -> dict[str, JSON]:
    """Every collection: what it is listed from, at two compute microversions."""
    from auditor.collect import COLLECTIONS

    out: dict[str, JSON] = {}
    for name in sorted(COLLECTIONS):
        c = COLLECTIONS[name]
        out[name] = {
            "primary": c.primary,
            "requires_2.1": list(c.requires({"compute": "2.1"})),
            "requires_2.96": list(c.requires({"compute": "2.96"})),
            "optional": list(c.optional),
            "microversion_service": c.microversion_service,
            "per_page": c.per_page,
            "assessed": c.assess is not None,
            "checks": list(c.checks),
        }
    return out


def tables() -> JSON:
    """The tables every layer derives its behaviour from."""
    from auditor import folds
    from auditor.collect import CORE_COLLECTIONS, parse_collections
    from auditor.collect.shapes import SHAPES
    from auditor.diff.engine import COMPARATORS
    from auditor.diff.fold import FOLD_COMPARATORS
    from auditor.match import DOMAIN_SCOPED, LINKED_KEYS, NATURAL_KEYS
    from auditor.records import ALL_COLLECTIONS, FIELDS, LEFT_OUT, PROJECT_OWNED_COLLECTIONS

    return {
        "all_collections": list(ALL_COLLECTIONS),
        "core": list(CORE_COLLECTIONS),
        "collections_all": list(parse_collections("all")),
        "project_owned": sorted(PROJECT_OWNED_COLLECTIONS),
        "fields": {name: list(fields.items()) for name, fields in FIELDS.items()},
        "left_out": {name: list(rule) for name, rule in LEFT_OUT.items()},
        "natural_keys": sorted(NATURAL_KEYS),
        "linked_keys": sorted(LINKED_KEYS),
        "domain_scoped": sorted(DOMAIN_SCOPED),
        "compared": sorted(COMPARATORS),
        "fold_compared": sorted(FOLD_COMPARATORS),
        "singletons": sorted(folds.SINGLETONS),
        "shapes": {
            key: {field: sorted(t.__name__ for t in types) for field, types in shape.items()}
            for key, shape in sorted(SHAPES.items())
        },
    }


def kept_fields(key: str) -> frozenset[str] | None:
    """The raw fields the pager keeps of listing ``key`` (None: all)."""
    from auditor.collect import LISTINGS

    return LISTINGS[key].fields


def normalise(name: str, raw: dict[str, list[JSON]], microversions: dict[str, str]) -> Any:
    """Collection ``name`` normalised from the raw listings (sorted by id), or its error;
    with the servers, what the down-cell assessment says."""
    from auditor.collect import COLLECTIONS
    from auditor.collect.spec import Lookups

    raw = copy.deepcopy(raw)
    c = COLLECTIONS[name]
    lookups = Lookups(raw, microversions)
    try:
        items = c.normalise(list(raw.get(c.primary, [])), lookups)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return {"error": repr(exc)}
    items.sort(key=lambda item: str(item["id"]))
    if c.assess is not None:
        return {"items": items, "assessed": c.assess(items, lookups)}
    return items
