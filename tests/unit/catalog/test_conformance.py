"""Every collection of the catalog, checked the same way: declarations that agree with
each other, items that fit the generated schema, names every input may use.

These tests run over ``registry.names()``: a new collection is checked by them
as soon as it is declared.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import jsonschema
import pytest

from auditor.catalog import compute, registry
from auditor.catalog.policies import Ref
from auditor.catalog.spec import KeyPart, MatchKey
from auditor.errors import RulesError
from auditor.rules import parse_rules
from auditor.schemas import load_schema
from auditor.shapecheck import ShapeError, check_items
from tests.unit.catalog import adapter
from tests.unit.catalog.world import VARIANTS, raw_world

NAMES = registry.names()


def _items(name: str, variant: str) -> list[dict[str, Any]]:
    mv = VARIANTS[variant]
    normalised = adapter.normalise(name, raw_world(mv), mv)
    if isinstance(normalised, dict):
        return list(normalised.get("items", []))
    return list(normalised)


@pytest.mark.parametrize("name", NAMES)
def test_normalised_items_fit_the_generated_schema(name: str) -> None:
    schema = load_schema("inventory")
    for variant in VARIANTS:
        items = _items(name, variant)
        doc = {
            "schema": "auditor.inventory/v1",
            "tool_version": "0",
            "cloud": "c",
            "region": None,
            "taken_at": "2026-01-01T00:00:00Z",
            "collections": {name: {"status": "ok", "count": len(items), "items": items}},
        }
        jsonschema.validate(doc, schema)
        check_items(name, items, f"collections.{name}")


@pytest.mark.parametrize("name", NAMES)
def test_an_item_of_another_shape_is_refused_on_load(name: str) -> None:
    """The generated definitions are what snapshot files are checked against."""
    items = _items(name, "compute-2.96")
    field = next(f for f in registry.spec(name).fields if f.name not in ("id",))
    wrong = (
        [{**items[0], field.name: {"not": "this"}}] if field.type.get("type") != "object" else []
    )
    if not wrong:
        pytest.skip(f"{name}.{field.name} is an object")
    with pytest.raises(ShapeError, match=field.name):
        check_items(name, wrong, f"collections.{name}")


@pytest.mark.parametrize("name", NAMES)
def test_rules_may_name_every_collection_and_its_fields(name: str) -> None:
    fields = [f.name for f in registry.spec(name).fields]
    rules = parse_rules(
        f"version: 1\nignore:\n  fields:\n    {name}: [{fields[-1]}]\n"
        f"severity:\n  {name}.missing: warning\n"
    )
    assert rules.ignore_fields[name] == frozenset({fields[-1]})
    with pytest.raises(RulesError, match="no field"):
        parse_rules(f"version: 1\nignore:\n  fields:\n    {name}: [no_such_field]\n")


def test_the_rules_schema_names_the_catalog() -> None:
    assert load_schema("rules")["$defs"]["collection"]["enum"] == list(NAMES)


def test_every_relationship_points_at_a_collection_matched_in_order() -> None:
    for name, _field, to in registry.edges():
        assert to in NAMES, (name, to)
    # Floating IPs are matched through the servers' matches: servers come first.
    order = registry.order()
    assert order.index("servers") < order.index("floating_ips")


def _with(spec: Any) -> tuple[Any, ...]:
    """The catalog with ``spec`` instead of the collection of its name."""
    return tuple(spec if s.name == spec.name else s for s in registry.CATALOG)


def test_a_contradicting_declaration_is_refused() -> None:
    servers = registry.spec("servers")
    unknown_ref = dataclasses.replace(
        servers,
        fields=(
            *servers.fields[:-2],
            dataclasses.replace(servers.fields[-2], compare=Ref("nope", "{label}", "{label}")),
            servers.fields[-1],
        ),
    )
    with pytest.raises(ValueError, match="unknown collection nope"):
        registry.validate(_with(unknown_ref))
    unknown_key = dataclasses.replace(servers, key=MatchKey((KeyPart("hostname"),)))
    with pytest.raises(ValueError, match="unknown fields"):
        registry.validate(_with(unknown_key))
    with pytest.raises(ValueError, match="projects first"):
        registry.validate((servers, registry.spec("projects")))


def test_listings_are_each_declared_once() -> None:
    listings = registry.listings()
    assert len(listings) == len(
        {(r.service, r.path, tuple(r.params.items())) for r in listings.values()}
    )
    for name in NAMES:
        for request in registry.spec(name).requests:
            assert listings[request.key] is request


def test_a_collection_declared_in_a_family_module_is_gathered_last() -> None:
    """Declaring a collection in its family's SPECS is all it takes to be in the catalog:
    it comes after the others, so the findings of every other keep their order."""
    flavors = registry.spec("flavors")
    extra = dataclasses.replace(flavors, name="zz_new", noun="new thing")

    class Family:
        SPECS = (extra,)

    class Compute:
        SPECS = (extra, *compute.SPECS)

    gathered = registry.gather((*registry.FAMILIES, Family))
    assert [s.name for s in gathered] == [*NAMES, "zz_new"]
    # Wherever it is declared in its module, it comes after the first collections.
    reordered = tuple(Compute if f is compute else f for f in registry.FAMILIES)
    names = [s.name for s in registry.gather(reordered)]
    first = len(registry.FIRST)
    assert names[:first] == list(registry.FIRST)
    assert sorted(names[first:]) == sorted([*NAMES[first:], "zz_new"])
