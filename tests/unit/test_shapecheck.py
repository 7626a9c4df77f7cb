"""The snapshot shape check with leaf members inlined (issue 22's export speed) gives the
same verdict and the same error text as the plain recursive checker it replaced."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from auditor.catalog import registry
from auditor.errors import SnapshotError
from auditor.model import Snapshot
from auditor.shapecheck import (
    _NAMES,
    _resolve,
    _types,
    compile_schema,
    fits_schema,
    item_schema,
    load_snapshot,
)
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


def _fits_item(name: str, item: Any) -> bool:
    """Whether msgspec's check (:func:`fits_schema`) passes a snapshot of ``item`` alone."""
    doc = {"collections": {name: {"status": "ok", "count": 1, "items": [item]}}}
    return fits_schema(doc)


@pytest.mark.parametrize("name", registry.names())
def test_msgspec_check_passes_only_what_the_checker_passes(name: str) -> None:
    """A snapshot msgspec passes is not checked item by item: it must refuse every item
    the checker refuses (it may refuse more: those are checked item by item), and pass
    the items an inventory writes, or it saves nothing."""
    schema = item_schema(name)
    assert schema is not None
    check = compile_schema(schema)
    mv = VARIANTS["compute-2.96"]
    normalised = adapter.normalise(name, raw_world(mv), mv)
    items = list(normalised.get("items", [])) if isinstance(normalised, dict) else normalised
    refused = 0
    for item in items[:3]:
        assert _fits_item(name, item), item
        for variant in [item, *_variants(item), {k: v for k, v in item.items() if k != "id"}]:
            fits = _fits_item(name, variant)
            if fits:
                assert check(variant) is None and "id" in variant, variant
            refused += not fits
    assert refused, "some variants are refused"


def test_msgspec_check_of_the_envelope() -> None:
    """What the per-item path would refuse in a snapshot's envelope is refused too (and
    then worded by it); a collection the schema does not know goes item by item."""
    server = {"id": "s1", "name": None, "project": None, "project_id": None, "domain": None}
    good = {"collections": {"servers": {"status": "ok", "items": [server]}}}
    assert fits_schema(good)
    assert fits_schema({**good, "counters": None})
    quota = {"collections": {"quotas": {"status": "ok", "items": []}}}
    assert fits_schema({**quota, "counters": {"compute": {"status": "ok", "items": []}}})
    refused: list[Any] = [
        [],
        {},
        {"collections": []},
        {"collections": {"servers": []}},
        {"collections": {"servers": {"items": None}}},
        {"collections": {"servers": {"items": [["s1"]]}}},
        {"collections": {"servers": {"items": [{"name": "no id"}]}}},
        {"collections": {"servers": {"items": [{**server, "metadata": []}]}}},
        {"collections": {"no_such_collection": {"items": []}}},
        {**good, "counters": []},
        {**good, "counters": {"compute": []}},
        {**good, "counters": {"compute": {"items": [{"id": 1, "usage": 3}]}}},
    ]
    for bad in refused:
        assert not fits_schema(bad), bad


def test_snapshot_bytes_read_as_the_text_was(tmp_path: Path) -> None:
    """A file's bytes (read_snapshot's fast path) give the errors its text gave: line
    numbers counted over universal newlines, UTF-8 refused as UTF-8."""
    broken = b'{\r\n "schema": "auditor.inventory/v1",\r\n "collections": {,}\r\n}\r\n'
    path = tmp_path / "broken.json"
    path.write_bytes(broken)
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    with pytest.raises(SnapshotError) as from_text:
        Snapshot.loads(text, "f")
    with pytest.raises(SnapshotError) as from_bytes:
        load_snapshot(broken, "f")
    assert str(from_bytes.value) == str(from_text.value)
    assert "(line 3 column" in str(from_bytes.value)
    with pytest.raises(UnicodeDecodeError):
        load_snapshot(b'{"schema": "\xff"}', "f")
