"""A fast check of snapshot items against the inventory schema's item definitions.

A snapshot file may have been edited, corrupted or forged: an item whose
``metadata`` is a list or whose ``flavor`` is a string would crash the diff.
Validating a whole snapshot with jsonschema takes seconds per ten thousand
items, so this checks what the diff relies on with plain ``isinstance``: the
``type``, ``items``, ``properties``, ``additionalProperties``, ``allOf`` and
``$ref`` keywords of the inventory schema's item definitions (generated from
the catalog for every collection: :mod:`auditor.schemas.items`), fields that
are present only. Errors name the item and
the field, as ``items[3].metadata: expected object, got array``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from auditor.errors import SnapshotError
from auditor.schemas import load_schema

if TYPE_CHECKING:
    from auditor.model import Snapshot

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


COUNTERS_SHAPE = "quotas"
"""The collection whose items a snapshot's usage counters are shaped as."""


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


Checker = Callable[[Any], "str | None"]
"""Returns None for a fitting value, else where below it and what is wrong."""


def _types(names: Any) -> frozenset[type]:
    allowed = [names] if isinstance(names, str) else list(names)
    # JSON values have exact types: type(True) is bool, never taken for an integer.
    return frozenset(t for name in allowed for t in _TYPES[name])


Leaf = tuple[frozenset[type], str]
"""A schema that says a type and nothing else: the types allowed, and their names."""


def _expected(names: Any) -> str:
    return names if isinstance(names, str) else " or ".join(names)


def _leaf(schema: Mapping[str, Any]) -> Leaf | bool | None:
    """``schema`` as a :data:`Leaf`; True when it checks nothing at all; None when it
    needs a checker of its own (allOf, properties, additionalProperties, items)."""
    schema = _resolve(schema)
    if "allOf" in schema or "properties" in schema:
        return None
    if isinstance(schema.get("additionalProperties"), Mapping):
        return None
    if isinstance(schema.get("items"), Mapping):
        return None
    names = schema.get("type")
    if not names:
        return True
    return _types(names), _expected(names)


def _wrong_type(kind: type, expected: str) -> str:
    return f": expected {expected}, got {_NAMES.get(kind, kind.__name__)}"


def _sub(schema: Any) -> tuple[Checker | None, Leaf | None]:
    """The checker or the leaf of a sub-schema (``items``, ``additionalProperties``);
    neither when there is none or it checks nothing."""
    if not isinstance(schema, Mapping):
        return None, None
    leaf = _leaf(schema)
    if isinstance(leaf, tuple):
        return None, leaf
    return (compile_schema(schema) if leaf is None else None), None


def compile_schema(schema: Mapping[str, Any]) -> Checker:
    """A checker of ``schema``'s type keywords (see the module's docstring).

    The members of an object and the items of an array whose schema only says a type
    are checked in the loop over them, not by a checker each: 5 million calls fewer
    for a snapshot of 100,000 servers (issue 22's export), the same errors.
    """
    schema = _resolve(schema)
    parts = [compile_schema(part) for part in schema.get("allOf", ())]
    names = schema.get("type")
    types = _types(names) if names is not None else None
    expected = _expected(names) if names else ""
    # Members: a leaf's types, or a checker (None: anything goes).
    leaves: dict[str, Leaf] = {}
    properties: dict[str, Checker | None] = {}
    for key, sub in schema.get("properties", {}).items():
        leaf = _leaf(sub)
        if isinstance(leaf, tuple):
            leaves[key] = leaf
        else:
            properties[key] = None if leaf is True else compile_schema(sub)
    extra, extra_leaf = _sub(schema.get("additionalProperties"))
    members = bool(leaves or properties or extra is not None or extra_leaf is not None)
    items, items_leaf = _sub(schema.get("items"))

    def check(value: Any) -> str | None:
        for part in parts:
            wrong = part(value)
            if wrong is not None:
                return wrong
        kind = type(value)
        if types is not None and kind not in types:
            return _wrong_type(kind, expected)
        if kind is dict and members:
            for key, sub in value.items():
                leaf = leaves.get(key)
                if leaf is None and extra_leaf is not None and key not in properties:
                    leaf = extra_leaf
                if leaf is not None:
                    if type(sub) not in leaf[0]:
                        return f".{key}{_wrong_type(type(sub), leaf[1])}"
                    continue
                checker = properties.get(key, extra)
                if checker is not None:
                    wrong = checker(sub)
                    if wrong is not None:
                        return f".{key}{wrong}"
        elif kind is list:
            if items_leaf is not None:
                allowed = items_leaf[0]
                for index, sub in enumerate(value):
                    if type(sub) not in allowed:
                        return f"[{index}]{_wrong_type(type(sub), items_leaf[1])}"
            elif items is not None:
                for index, sub in enumerate(value):
                    wrong = items(sub)
                    if wrong is not None:
                        return f"[{index}]{wrong}"
        return None

    return check


@functools.cache
def _checker(collection: str) -> Checker | None:
    schema = item_schema(collection)
    return compile_schema(schema) if schema is not None else None


def check_items(collection: str, items: list[Any], where: str) -> None:
    """Every item of a collection of a snapshot, against its schema (if the schema has one)."""
    checker = _checker(collection)
    if checker is None:
        for index, item in enumerate(items):
            if type(item.get("id")) not in (str, int):
                raise ShapeError(f"{where}.items[{index}].id: expected string")
        return
    for index, item in enumerate(items):
        wrong = checker(item)
        if wrong is not None:
            raise ShapeError(f"{where}.items[{index}]{wrong}")


def check_snapshot(snapshot: Snapshot, origin: str) -> None:
    """Every item of every collection of ``snapshot`` read from ``origin`` (a file), against
    the inventory schema; raises a one-line :class:`~auditor.errors.SnapshotError` naming
    the file, the item and the field."""
    listed = [
        (name, result, f"collections.{name}") for name, result in snapshot.collections.items()
    ]
    # Usage counters are quota sets: shaped as the quotas collection's items.
    listed += [(COUNTERS_SHAPE, r, f"counters.{s}") for s, r in snapshot.counters.items()]
    for name, result, where in listed:
        try:
            check_items(name, list(result.items), where)
        except ShapeError as exc:
            raise SnapshotError(f"{origin}: {exc}") from None
