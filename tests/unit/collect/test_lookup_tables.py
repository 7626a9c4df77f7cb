"""The generated builders read some indexes' tables themselves (``Lookups.TABLES``):
the same names as the indexes' own methods, whatever the item holds."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from auditor.catalog import registry
from auditor.catalog.lookups import Lookups, Reading
from auditor.catalog.sources import Api, Derived, Indexed, Subject
from auditor.catalog.spec import FAN_OUT_KEY, CollectionSpec
from auditor.collect.normalise import builder, reader
from tests import payloads

JSON = dict[str, Any]

LOOKUPS_RAW = {
    "identity.domains": [payloads.domain("d-1", "cloudwatt"), payloads.domain("d-2", "")],
    "identity.projects": [
        payloads.project("p-1", "cw-acme", "d-1"),
        payloads.project("p-2", "cw-beta", "d-2"),
        payloads.project("p-3", "cw-nodomain", "d-missing"),
        # An empty id is no project for an index: the table holds it all the same.
        payloads.project("", "cw-empty", "d-1"),
    ],
}

PROJECT_IDS: list[Any] = [None, "", "p-1", "p-2", "p-3", "p-unknown", 0, [], {}]


def _tabled() -> list[tuple[CollectionSpec, str, Indexed]]:
    found = []
    for name in registry.names():
        spec = registry.spec(name)
        for f in spec.fields:
            source = f.source
            # (A Derived key reads more of an item than one id: the same code reads it.)
            if isinstance(source, Indexed) and source.index in Lookups.TABLES:
                if isinstance(source.key, Derived):
                    continue
                found.append((spec, f.name, source))
    return found


def test_the_tables_are_read_by_some_collections() -> None:
    names = {spec.name for spec, _, _ in _tabled()}
    assert {"servers", "volumes"} <= names


@pytest.mark.parametrize("index", sorted(Lookups.TABLES))
def test_an_index_is_its_table_read_by_a_key(index: str) -> None:
    lookups = Lookups(LOOKUPS_RAW, {})
    table = getattr(lookups, Lookups.TABLES[index])
    for key in PROJECT_IDS:
        assert getattr(lookups, index)(key) == (table.get(key) if key else None)


def _items(source: Indexed) -> list[tuple[JSON, JSON]]:
    """(item, raw item as listed) pairs holding each of PROJECT_IDS where the source reads."""
    if isinstance(source.key, Subject):
        return [({"id": "item-1"}, {"id": "item-1", FAN_OUT_KEY: v}) for v in PROJECT_IDS]
    assert isinstance(source.key, Api)
    pairs = []
    for name in source.key.names:
        for value in PROJECT_IDS:
            item = {"id": "item-1", name: value}
            pairs.append((item, item))
    return pairs


@pytest.mark.parametrize(
    ("spec", "field", "source"),
    [pytest.param(*t, id=f"{t[0].name}.{t[1]}") for t in _tabled()],
)
def test_the_builder_reads_a_table_as_the_index_does(
    spec: CollectionSpec, field: str, source: Indexed
) -> None:
    lookups = Lookups(LOOKUPS_RAW, {})
    reading = Reading(lookups, None)
    by_method = reader(source)
    # The builder of this one field (its key read once), then of every field read
    # through the same key (read once, named, then shared): the others would need
    # more of the item.
    shared = {f.name for f in spec.fields if f.name == field or _reads_like(f.source, source.key)}
    for names in ({field}, shared):
        fields = tuple(f for f in spec.fields if f.name in names)
        build = builder(dataclasses.replace(spec, fields=fields))
        seen = set()
        for item, raw in _items(source):
            expected = by_method(item, raw, reading)
            assert build(item, raw, reading).get(field) == expected, (item, raw)
            seen.add(expected)
        assert seen & {"cw-acme", "cloudwatt"}
        assert None in seen


def _reads_like(source: Any, key: Any) -> bool:
    if isinstance(source, Indexed):
        return _reads_like(source.key, key)
    if isinstance(source, Api) and isinstance(key, Api):
        return source.names == key.names
    return False


def test_a_key_read_by_several_fields_is_shared() -> None:
    spec = registry.spec("volumes")
    fields = tuple(f for f in spec.fields if f.name in ("project_id", "project", "domain"))
    build = builder(dataclasses.replace(spec, fields=fields))
    reading = Reading(Lookups(LOOKUPS_RAW, {}), None)
    item = {"id": "v-1", "os-vol-tenant-attr:tenant_id": "p-2"}
    assert build(item, item, reading) == {
        "project_id": "p-2",
        "project": "cw-beta",
        "domain": "d-2",
    }
