"""A fast check of snapshot items against the inventory schema's item definitions.

A snapshot file may have been edited, corrupted or forged: an item whose
``metadata`` is a list or whose ``flavor`` is a string would crash the diff.
Validating a whole snapshot with jsonschema takes seconds per ten thousand
items, so this checks what the diff relies on with plain ``isinstance``: the
``type``, ``items``, ``properties``, ``additionalProperties``, ``allOf`` and
``$ref`` keywords of the item definitions of ``inventory.schema.json`` (the
core collections), fields that are present only. Errors name the item and
the field, as ``items[3].metadata: expected object, got array``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from auditor.schemas import load_schema

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
    "null": (type(None),),
}
_NAMES = {str: "string", int: "integer", float: "number", bool: "boolean", dict: "object"}
_NAMES.update({list: "array", type(None): "null"})


class ShapeError(ValueError):
    """An item of a snapshot is not shaped as the inventory schema says."""


@functools.cache
def _schema() -> Mapping[str, Any]:
    return load_schema("inventory")


def item_schema(collection: str) -> Mapping[str, Any] | None:
    """The schema of one item of ``collection`` (None when the schema has none)."""
    collections = _schema()["properties"]["collections"]["properties"]
    entry = collections.get(collection)
    if entry is None:
        return None
    items: Mapping[str, Any] = entry["properties"]["items"]["items"]
    return items


def _resolve(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        resolved: Mapping[str, Any] = _schema()["$defs"][ref.removeprefix("#/$defs/")]
        return resolved
    return schema


def _type_ok(value: Any, names: Any) -> bool:
    allowed = [names] if isinstance(names, str) else list(names)
    for name in allowed:
        if isinstance(value, bool) and name in ("integer", "number"):
            continue
        if isinstance(value, _TYPES[name]):
            return True
    return False


def check(value: Any, schema: Mapping[str, Any], where: str) -> None:
    """Raise :class:`ShapeError` naming ``where`` when ``value`` does not fit ``schema``."""
    schema = _resolve(schema)
    for part in schema.get("allOf", ()):
        check(value, part, where)
    names = schema.get("type")
    if names is not None and not _type_ok(value, names):
        expected = names if isinstance(names, str) else " or ".join(names)
        got = _NAMES.get(type(value), type(value).__name__)
        raise ShapeError(f"{where}: expected {expected}, got {got}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, sub in value.items():
            if key in properties:
                check(sub, properties[key], f"{where}.{key}")
            elif isinstance(extra, Mapping):
                check(sub, extra, f"{where}.{key}")
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for index, sub in enumerate(value):
            check(sub, schema["items"], f"{where}[{index}]")


def check_items(collection: str, items: list[Any], where: str) -> None:
    """Every item of a collection of a snapshot, against its schema (if the schema has one)."""
    schema = item_schema(collection)
    if schema is None:
        for index, item in enumerate(items):
            if not isinstance(item.get("id"), (str, int)) or isinstance(item.get("id"), bool):
                raise ShapeError(f"{where}.items[{index}].id: expected string")
        return
    for index, item in enumerate(items):
        check(item, schema, f"{where}.items[{index}]")
