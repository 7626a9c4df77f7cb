"""The catalog's field sources run backwards give each collection's items back.

The sandbox serves a collection it has no view of by writing each snapshot
field where its source reads it (:mod:`auditor.sandbox.backwards`). For every
collection of the catalog, at every microversion of the catalog's test world,
each normalised item is written back to a raw item and normalised again:
every field written from its declaration must read back the same. The few
that do not are listed with the reason: the sandbox's views serve those
collections (a new collection's fields must not join this list unless it
gets a view).
"""

from __future__ import annotations

from typing import Any

import pytest

from auditor.catalog import registry
from auditor.catalog.lookups import Lookups, Reading
from auditor.catalog.sources import Api, Each, Elements, Source, Versioned
from auditor.collect.normalise import normalise_items
from auditor.sandbox import backwards
from auditor.sandbox.cloud import VIEWED
from auditor.sandbox.microversion import parse_version
from tests.unit.catalog import adapter
from tests.unit.catalog.world import VARIANTS, raw_world

NOT_BACKWARDS = {
    ("endpoints", "region"): "an empty region_id reads as absent (region_id, then region)",
    ("security_groups", "rules"): "a rule's remote group is read by name through the listing",
    ("ports", "fixed_ips"): "a fixed IP and its subnet are one object, read as two fields",
    ("servers", "addresses"): "Nova's address objects are read down to their addresses",
}
"""(collection, field) -> why writing it back does not give it back: each is served by
a view of the sandbox."""


def _written(source: Source) -> bool:
    return isinstance(source, (Api, Elements, Each, Versioned))


def _round_trips(variant: str) -> dict[tuple[str, str], tuple[Any, Any]]:
    microversions = VARIANTS[variant]
    raw = raw_world(microversions)
    lookups = Lookups(raw, microversions)
    differ: dict[tuple[str, str], tuple[Any, Any]] = {}
    for name in registry.names():
        spec = registry.spec(name)
        normalised = adapter.normalise(name, raw, microversions)
        items = normalised.get("items", []) if isinstance(normalised, dict) else normalised
        service = spec.service
        microversion = microversions.get(service) if service else None
        mv = parse_version(microversion) if microversion else (0, 0)
        wrapped = spec.primary.wrapped
        for item in items:
            written = backwards.item(spec.fields, item, mv)
            served = {wrapped: written} if wrapped else written
            reading = Reading(lookups, microversion, [served], spec.primary.tag)
            (again,) = normalise_items(spec, [served], reading)
            for field in spec.fields:
                if _written(field.source) and again.get(field.name) != item.get(field.name):
                    differ.setdefault(
                        (name, field.name), (item.get(field.name), again.get(field.name))
                    )
    return differ


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_declared_field_written_back_reads_back(variant: str) -> None:
    differ = _round_trips(variant)
    unexpected = {key: values for key, values in differ.items() if key not in NOT_BACKWARDS}
    assert unexpected == {}


def test_the_fields_listed_as_not_backwards_still_are_not_and_have_views() -> None:
    seen = {key for variant in VARIANTS for key in _round_trips(variant)}
    assert sorted(set(NOT_BACKWARDS) - seen) == []
    for name, _field in NOT_BACKWARDS:
        assert registry.spec(name).primary.key in VIEWED, name


def test_a_field_written_back_is_where_its_source_reads_it() -> None:
    flavors = registry.spec("flavors")
    item = {"id": "f-1", "name": "m1", "swap": 0, "extra_specs": {"a": "b"}, "is_public": False}
    old = backwards.item(flavors.fields, item, (2, 1))
    new = backwards.item(flavors.fields, item, (2, 61))
    assert "extra_specs" not in old and new["extra_specs"] == {"a": "b"}
    assert new["os-flavor-access:is_public"] is False
    assert backwards.thresholds(flavors.fields)[0] == (0, 0)
    assert (2, 61) in backwards.thresholds(flavors.fields)
