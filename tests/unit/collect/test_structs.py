"""Pages decoded into ``Struct``s read as pages decoded into dicts (issue 19).

The servers and volumes of a page decoded into ``msgspec.Struct``s are normalised by
a builder of their own and by derived functions that read attributes; whatever a
page holds (fields absent, null, empty, of another microversion, a down cell's
partial records, a migration's target), both ways must give the same snapshot items.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import msgspec
import pytest

from auditor.catalog import registry
from auditor.catalog.block_storage import MIGRATION_STATUS
from auditor.catalog.lookups import Lookups, Reading
from auditor.catalog.sources import attribute
from auditor.collect.decode import PageDecoder
from auditor.collect.normalise import STRUCTS, absent_values, normalise_items
from tests.unit.catalog.world import VARIANTS, raw_world

JSON = dict[str, Any]


def _mutants(name: str, item: JSON) -> list[JSON]:
    """``item`` and variations of it: each field absent, null where the API allows it,
    empty or irregular (of the types the listing's shapes allow: a page with another
    type fails its listing both ways, tests/unit/collect/test_pager.py)."""
    shapes = registry.spec(name).primary.shapes
    out = [item]
    for key in item:
        if key == "id":
            continue
        out.append({k: v for k, v in item.items() if k != key})
        if type(None) in shapes.get(key, (type(None),)):
            out.append({**item, key: None})
    if name == "servers":
        partial: JSON = {k: item[k] for k in ("id", "tenant_id", "links") if k in item}
        out += [
            {**partial, "status": "UNKNOWN"},
            {**item, "image": ""},
            {**item, "image": {"id": ""}},
            {**item, "flavor": {"id": "no-such-flavor"}},
            {**item, "tenant_id": "", "project_id": "p-other"},
            {**item, "config_drive": "True"},
            {**item, "config_drive": ""},
            {**item, "tags": []},
            {**item, "os-extended-volumes:volumes_attached": [{"id": "v-2"}, {"id": "v-1"}]},
        ]
    if name == "volumes":
        out += [
            {**item, MIGRATION_STATUS: "target:v-9"},
            {**item, MIGRATION_STATUS: None, "migration_status": "target:v-8"},
            {**item, MIGRATION_STATUS: "", "migration_status": "migrating"},
            {**item, "bootable": "true", "encrypted": False},
            {**item, "attachments": [{"server_id": "s-2"}, {"server_id": "s-1"}]},
        ]
    return [copy.deepcopy(o) for o in out]


def _both_ways(name: str, variant: str) -> tuple[list[JSON], list[JSON], list[Any]]:
    spec = registry.spec(name)
    microversions = VARIANTS[variant]
    raw = raw_world(microversions)
    request = spec.primary
    items = [m for item in raw[request.key] for m in _mutants(name, item)]
    for index, item in enumerate(items):
        item["id"] = f"{item['id']}-{index}"
    microversion = microversions.get(spec.service) if spec.service else None
    reading = Reading(Lookups(raw, microversions), microversion, tag=request.tag)
    content = json.dumps({request.items: items}).encode()
    decoder = PageDecoder(
        request.items,
        f"{request.items}_links",
        frozenset(registry.kept_fields(request.key) or ()) | {"id"} | set(request.shapes),
        frozenset(request.shapes.items()),
        absent_values(spec),
    )
    assert decoder.structs
    body, trimmed = decoder.decode(content)
    assert trimmed
    decoded = body[request.items]
    as_dicts = normalise_items(spec, json.loads(content)[request.items], reading)
    as_structs = normalise_items(spec, decoded, reading)
    return as_dicts, as_structs, decoded


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("name", sorted(STRUCTS))
def test_items_decoded_into_structs_normalise_as_dicts_do(name: str, variant: str) -> None:
    as_dicts, as_structs, decoded = _both_ways(name, variant)
    assert all(isinstance(item, msgspec.Struct) for item in decoded)
    assert len(as_dicts) > 20
    assert as_structs == as_dicts
    # The optional fields an absent key leaves out are left out both ways.
    assert [sorted(item) for item in as_structs] == [sorted(item) for item in as_dicts]


def test_a_partial_record_is_told_from_a_null_flavor_both_ways() -> None:
    as_dicts, as_structs, _ = _both_ways("servers", next(iter(VARIANTS)))
    partial = [item["id"] for item in as_dicts if item.get("partial")]
    servers = len(raw_world(next(iter(VARIANTS.values())))["compute.servers"])
    assert len(partial) == servers, "one per server: status UNKNOWN and no flavor"
    assert [item["id"] for item in as_structs if item.get("partial")] == partial


def test_absent_keys_are_unset_only_where_a_derived_function_tells_them_from_null() -> None:
    absent = dict(absent_values(registry.spec("servers")) or ())
    assert absent["flavor"] is msgspec.UNSET
    assert absent["image"] is msgspec.UNSET
    assert absent["status"] is None, "read by the status field: absent reads null"
    assert absent["id"] is msgspec.NODEFAULT, "an item without an id is decoded as a dict"
    volumes = dict(absent_values(registry.spec("volumes")) or ())
    assert volumes[MIGRATION_STATUS] is msgspec.UNSET
    assert attribute(MIGRATION_STATUS) == "f_os_vol_mig_status_attr_migstat"
    assert attribute("status") == "status"


def test_collections_outside_structs_are_read_as_dicts() -> None:
    for name in registry.names():
        if name not in STRUCTS:
            assert absent_values(registry.spec(name)) is None, name
