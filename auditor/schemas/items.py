"""The parts of the schemas generated from the catalog: every collection's item
definition (inventory), and the collection names rules and waivers may name.

The JSON files hold the envelopes (what a snapshot, a rules file... is made
of); :func:`auditor.schemas.load_schema` completes them with these parts, so a
new collection is in every schema as soon as it is declared.
"""

from __future__ import annotations

from typing import Any

from auditor.catalog import registry
from auditor.catalog.spec import CollectionSpec
from auditor.catalog.types import plain

JSON = dict[str, Any]

OWNED = frozenset({"id", "name", "project", "project_id", "domain"})
"""The fields of a project-owned item that the envelope's ``owned`` definition holds."""


def definition(spec: CollectionSpec) -> str:
    """The name of a collection's item definition (``volume_snapshot``)."""
    return spec.noun.replace(" ", "_")


def item_schema(spec: CollectionSpec) -> JSON:
    """The JSON Schema of one item of ``spec``: its fields, typed; the optional ones (present
    only on some items) not required."""
    owned = spec.project_owned
    fields = [f for f in spec.fields if not (owned and f.name in OWNED)]
    required = [f.name for f in fields if not f.optional]
    properties = {f.name: plain(f.type) for f in fields}
    if owned:
        return {
            "allOf": [{"$ref": "#/$defs/owned"}],
            "required": required,
            "properties": properties,
        }
    return {"type": "object", "required": required, "properties": properties}


def complete_inventory(schema: JSON) -> None:
    """Add every collection's item definition to the inventory schema's envelope."""
    collections = schema["properties"]["collections"]["properties"]
    for name in registry.names():
        spec = registry.spec(name)
        ref = f"#/$defs/{definition(spec)}"
        collections[name] = {
            "$ref": "#/$defs/collection",
            "properties": {"items": {"items": {"$ref": ref}}},
        }
        schema["$defs"][definition(spec)] = item_schema(spec)


def complete_rules(schema: JSON) -> None:
    """The collection names a rules file may use (the ``collection`` definition's enum)."""
    schema["$defs"]["collection"]["enum"] = list(registry.names())
