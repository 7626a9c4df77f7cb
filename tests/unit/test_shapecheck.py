"""The snapshot shape check with leaf members inlined (issue 22's export speed) gives the
same verdict and the same error text as the plain recursive checker it replaced."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from auditor.catalog import registry
from auditor.shapecheck import _NAMES, _resolve, _types, compile_schema, item_schema
from tests.unit.catalog import adapter
from tests.unit.catalog.world import VARIANTS, raw_world

Checker = Callable[[Any], "str | None"]


def reference(schema: Mapping[str, Any]) -> Checker:
    """The checker as it was before (48ee9f8), one call per value."""
    schema = _resolve(schema)
    parts = [reference(part) for part in schema.get("allOf", ())]
    names = schema.get("type")
    types = _types(names) if names is not None else None
    expected = (names if isinstance(names, str) else " or ".join(names)) if names else ""
    properties = {k: reference(v) for k, v in schema.get("properties", {}).items()}
    extra_schema = schema.get("additionalProperties")
    extra = reference(extra_schema) if isinstance(extra_schema, Mapping) else None
    items_schema = schema.get("items")
    items = reference(items_schema) if isinstance(items_schema, Mapping) else None

    def check(value: Any) -> str | None:
        for part in parts:
            wrong = part(value)
            if wrong is not None:
                return wrong
        kind = type(value)
        if types is not None and kind not in types:
            return f": expected {expected}, got {_NAMES.get(kind, kind.__name__)}"
        if kind is dict and (properties or extra is not None):
            for key, sub in value.items():
                checker = properties.get(key, extra)
                if checker is not None:
                    wrong = checker(sub)
                    if wrong is not None:
                        return f".{key}{wrong}"
        elif kind is list and items is not None:
            for index, sub in enumerate(value):
                wrong = items(sub)
                if wrong is not None:
                    return f"[{index}]{wrong}"
        return None

    return check


VALUES: list[Any] = [
    None,
    0,
    1.5,
    True,
    "s",
    [],
    ["s"],
    [1, "s"],
    [None],
    [{"id": 1}],
    {},
    {"k": "v"},
    {"k": 1},
    {"k": ["s", 2]},
    {"name": 3, "id": "x"},
    {"id": None, "name": None, "vcpus": "2"},
]


def _variants(item: dict[str, Any]) -> list[dict[str, Any]]:
    """``item`` with each field (and each member of a mapping field) set to each value."""
    out = []
    for key, value in item.items():
        for other in VALUES:
            out.append({**item, key: other})
        if isinstance(value, dict):
            for member in list(value)[:4] or ["new"]:
                for other in VALUES:
                    changed = copy.deepcopy(item)
                    changed[key][member] = other
                    out.append(changed)
        if isinstance(value, list) and value:
            for other in VALUES:
                out.append({**item, key: [*value, other]})
    out.append({**item, "unknown_field": {"any": ["thing"]}})
    return out


@pytest.mark.parametrize("name", registry.names())
def test_same_verdicts_and_errors_as_the_recursive_checker(name: str) -> None:
    schema = item_schema(name)
    if schema is None:
        pytest.skip(f"no item schema for {name}")
    fast, slow = compile_schema(schema), reference(schema)
    mv = VARIANTS["compute-2.96"]
    normalised = adapter.normalise(name, raw_world(mv), mv)
    items = list(normalised.get("items", [])) if isinstance(normalised, dict) else normalised
    assert items, name
    wrong = 0
    for item in items[:3]:
        for variant in [item, *_variants(item)]:
            assert fast(variant) == slow(variant), variant
            wrong += slow(variant) is not None
    assert wrong, "some variants are refused"
