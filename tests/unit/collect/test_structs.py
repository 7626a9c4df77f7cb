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
from auditor.collect.normalise import normalise_items
from auditor.collect.structs import STRUCTS, struct_layout
from tests.unit.catalog.world import VARIANTS, raw_world

JSON = dict[str, Any]


ELEMENTS: list[list[JSON]] = [
    [],
    [{}],
    [{"x": None}],
    [{"x": ""}],
    [{"x": None, "other": 1}],
    [{"x": "b"}, {"x": "a"}],
    [{"x": "a"}, {"x": "a"}],
    [{"x": "a"}, {"x": ""}],
    [{"x": "a"}, {}],
    [{"x": "c"}, {"x": "a"}, {"x": "b"}, {"x": "a"}],
    [{"x": "c"}, {}, {"x": ""}, {"x": None}],
]
"""Lists of objects of which one key ("x") is read: absent, null, empty, repeated..."""


def _renamed(element: JSON, key: str) -> JSON:
    return {key if k == "x" else k: v for k, v in element.items()}


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
            {**item, "image": {"id": None, "links": []}},
            {**item, "image": {}},
            {**item, "image": {"id": "img-unlisted", "links": [{"rel": "bookmark"}]}},
            {**item, "flavor": {"id": "no-such-flavor"}},
            {**item, "flavor": {"id": None}},
            {**item, "flavor": {}},
            {**item, "flavor": {"original_name": "m1.x"}},
            {**item, "flavor": {"vcpus": 3, "ram": 1, "links": []}},
            {**item, "flavor": {"original_name": None, "vcpus": None, "disk": 0}},
            {**item, "flavor": {"id": "f-1", "ram": 7}},
            {**item, "tenant_id": "", "project_id": "p-other"},
            {**item, "config_drive": "True"},
            {**item, "config_drive": ""},
            {**item, "tags": []},
        ]
        volumes = "os-extended-volumes:volumes_attached"
        for elements in ELEMENTS:
            out.append({**item, volumes: [_renamed(e, "id") for e in elements]})
            out.append({**item, "security_groups": [_renamed(e, "name") for e in elements]})
    if name == "volumes":
        out += [
            {**item, MIGRATION_STATUS: "target:v-9"},
            {**item, MIGRATION_STATUS: None, "migration_status": "target:v-8"},
            {**item, MIGRATION_STATUS: "", "migration_status": "migrating"},
            {**item, "bootable": "true", "encrypted": False},
        ]
        for elements in ELEMENTS:
            out.append({**item, "attachments": [_renamed(e, "server_id") for e in elements]})
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
        struct_layout(spec),
    )
    assert decoder.structs
    body, trimmed = decoder.decode(content)
    assert trimmed
    decoded = body[request.items]
    as_dicts = [_outcome(spec, item, reading) for item in json.loads(content)[request.items]]
    as_structs = [_outcome(spec, item, reading) for item in decoded]
    return as_dicts, as_structs, decoded


def _outcome(spec: Any, item: Any, reading: Reading) -> JSON:
    """The snapshot item of ``item``, or the error normalising it raises (the listing
    fails with it: tests/unit/test_cli_inventory.py)."""
    try:
        (normalised,) = normalise_items(spec, [item], reading)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        return {"<error>": f"{type(exc).__name__}: {exc}"}
    return normalised


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("name", sorted(STRUCTS))
def test_items_decoded_into_structs_normalise_as_dicts_do(name: str, variant: str) -> None:
    as_dicts, as_structs, decoded = _both_ways(name, variant)
    assert all(isinstance(item, msgspec.Struct) for item in decoded)
    assert len(as_dicts) > 20
    assert as_structs == as_dicts
    assert sum("<error>" in item for item in as_dicts) < len(as_dicts) / 10
    # The optional fields an absent key leaves out are left out both ways.
    assert [sorted(item) for item in as_structs] == [sorted(item) for item in as_dicts]


def test_a_partial_record_is_told_from_a_null_flavor_both_ways() -> None:
    as_dicts, as_structs, _ = _both_ways("servers", next(iter(VARIANTS)))
    partial = [item["id"] for item in as_dicts if item.get("partial")]
    servers = len(raw_world(next(iter(VARIANTS.values())))["compute.servers"])
    assert len(partial) == servers, "one per server: status UNKNOWN and no flavor"
    assert [item["id"] for item in as_structs if item.get("partial")] == partial


def test_absent_keys_are_unset_only_where_a_derived_function_tells_them_from_null() -> None:
    layout = struct_layout(registry.spec("servers"))
    assert layout is not None
    absent = dict(layout.absent)
    assert absent["flavor"] is msgspec.UNSET
    assert absent["image"] is msgspec.UNSET
    assert absent["status"] is None, "read by the status field: absent reads null"
    assert absent["id"] is msgspec.NODEFAULT, "an item without an id is decoded as a dict"
    assert dict(layout.elements) == {
        "os-extended-volumes:volumes_attached": "id",
        "security_groups": "name",
    }
    volumes_layout = struct_layout(registry.spec("volumes"))
    assert volumes_layout is not None
    volumes = dict(volumes_layout.absent)
    assert volumes[MIGRATION_STATUS] is msgspec.UNSET
    assert attribute(MIGRATION_STATUS) == "f_os_vol_mig_status_attr_migstat"
    assert attribute("status") == "status"


def test_collections_outside_structs_are_read_as_dicts() -> None:
    for name in registry.names():
        if name not in STRUCTS:
            assert struct_layout(registry.spec(name)) is None, name


@pytest.mark.parametrize(
    "change",
    [
        {"os-extended-volumes:volumes_attached": [None]},
        {"os-extended-volumes:volumes_attached": ["v-1"]},
        {"os-extended-volumes:volumes_attached": [["v-1"]]},
        {"security_groups": [7]},
        {"image": 7},
        {"image": ["i"]},
        {"image": True},
        {"flavor": "f-1"},
    ],
)
def test_other_types_where_objects_are_read_are_decoded_as_dicts(change: JSON) -> None:
    # The pager checks them (tests/unit/collect/test_pager.py); the normaliser reads them
    # as dicts, as before.
    spec = registry.spec("servers")
    request = spec.primary
    layout = struct_layout(spec)
    fields = frozenset(registry.kept_fields(request.key) or ()) | set(request.shapes)
    decoder = PageDecoder("servers", "servers_links", fields, frozenset(), layout)
    assert decoder.structs
    page = {"servers": [{"id": "s-0"}, {"id": "s-1", **change}]}
    body, trimmed = decoder.decode(json.dumps(page).encode())
    assert not trimmed
    assert body == page
