"""What the safety net asks of the code: one function per derived table.

The golden files pin what these return; when the code that derives a table
moves (records.py and the collect modules' tables into the catalog), only
this module changes, never the golden files (unless on purpose, and said).
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

JSON = dict[str, Any]


def listings() -> dict[str, JSON]:
    """Every listing: its request and the raw fields it keeps."""
    from auditor.catalog import registry
    from auditor.catalog.spec import Paging

    out: dict[str, JSON] = {}
    requests = registry.listings()
    for key in sorted(requests):
        request = requests[key]
        kept = registry.kept_fields(key)
        out[key] = {
            "service_type": request.service,
            "path": request.path,
            "item_key": request.items,
            "params": request.params,
            "microversioned": request.microversioned,
            "fields": sorted(kept) if kept is not None else None,
            "fan_out": (
                {"over": request.fan_out.over.key, "selective": request.fan_out.select is not None}
                if request.fan_out is not None
                else None
            ),
            "walker": "list_whole" if request.paging is Paging.UNPAGED else None,
        }
    return out


def collections() -> dict[str, JSON]:
    """Every collection: what it is listed from, at two compute microversions."""
    from auditor.catalog import registry

    out: dict[str, JSON] = {}
    for name in sorted(registry.names()):
        c = registry.spec(name)
        out[name] = {
            "primary": c.primary.key,
            "requires_2.1": [r.key for r in c.needs({"compute": "2.1"})],
            "requires_2.96": [r.key for r in c.needs({"compute": "2.96"})],
            "optional": [r.key for r in c.enriched_by],
            "microversion_service": c.service,
            "per_page": c.per_page,
            "assessed": c.assess is not None,
            "checks": [r.key for r in c.checks],
        }
    return out


def tables() -> JSON:
    """The tables every layer derives its behaviour from."""
    from auditor import folds
    from auditor.catalog import registry
    from auditor.catalog.spec import BY_NAME
    from auditor.collect import parse_collections
    from auditor.collect.shapes import SHAPES
    from auditor.diff.comparator import comparator, fold_checks_of

    specs = [registry.spec(name) for name in registry.names()]
    return {
        "all_collections": list(registry.order()),
        "core": list(registry.core()),
        "collections_all": list(parse_collections("all")),
        "project_owned": sorted(registry.project_owned()),
        "fields": {s.name: [[f.name, f.doc] for f in s.fields] for s in specs},
        "left_out": {name: list(rule) for name, rule in registry.left_out().items()},
        "natural_keys": sorted(
            s.name for s in specs if dataclasses.replace(s.key, second=None) != BY_NAME
        ),
        "linked_keys": sorted(s.name for s in specs if s.key.second is not None),
        "domain_scoped": sorted(
            s.name for s in specs if s.scope_domain == "domain" and not s.project_owned
        ),
        "compared": sorted(s.name for s in specs if comparator(s.name) is not None),
        "fold_compared": sorted(s.name for s in specs if fold_checks_of(s.name)),
        "singletons": sorted(folds.SINGLETONS),
        "shapes": {
            key: {field: sorted(t.__name__ for t in types) for field, types in shape.items()}
            for key, shape in sorted(SHAPES.items())
        },
    }


def kept_fields(key: str) -> frozenset[str] | None:
    """The raw fields the pager keeps of listing ``key`` (None: all)."""
    from auditor.catalog import registry

    return registry.kept_fields(key)


def normalise(name: str, raw: dict[str, list[JSON]], microversions: dict[str, str]) -> Any:
    """Collection ``name`` normalised from the raw listings (sorted by id), or its error;
    with the servers, what the down-cell assessment says."""
    from auditor.catalog import registry
    from auditor.catalog.lookups import Lookups
    from auditor.collect.normalise import normalise as read

    raw = copy.deepcopy(raw)
    c = registry.spec(name)
    lookups = Lookups(raw, microversions)
    try:
        items = read(c, [(r, raw.get(r.key, [])) for r in c.requests], lookups)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return {"error": repr(exc)}
    items.sort(key=lambda item: str(item["id"]))
    if c.assess is not None:
        return {"items": items, "assessed": c.assess(items, lookups)}
    return items
