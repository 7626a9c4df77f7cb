"""JSON types of the catalog: of raw API fields (checked by the pager) and of snapshot
fields (the inventory JSON Schema).

Raw types are tuples of Python types, as :func:`auditor.collect.walk.type_error`
checks them (a bool is never taken for an integer). Snapshot types are JSON
Schema fragments; the inventory schema's item definitions are generated from
them (:mod:`auditor.schemas`), so they are written as that schema spells them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

RawTypes = tuple[type, ...]

OBJECT: RawTypes = (dict,)
ARRAY: RawTypes = (list,)
TEXT: RawTypes = (str,)
TEXT_OR_NULL: RawTypes = (str, type(None))
BOOLEAN: RawTypes = (bool,)
INTEGER: RawTypes = (int,)
INTEGER_OR_NULL: RawTypes = (int, type(None))

Schema = Mapping[str, Any]
"""A JSON Schema fragment (read-only)."""


def schema(**keywords: Any) -> Schema:
    """A read-only JSON Schema fragment."""
    return MappingProxyType(dict(keywords))


STR = schema(type="string")
NSTR = schema(**{"$ref": "#/$defs/nullableString"})
BOOL = schema(type="boolean")
INT = schema(type="integer")
NINT = schema(type=["integer", "null"])
OBJ = schema(type="object")
NOBJ = schema(type=["object", "null"])
STRS = schema(type="array", items={"type": "string"})
"""A list of strings (ids, names, tags...)."""
TRUE = schema(const=True)
"""A marker present only when true."""
INT_MAP = schema(type="object", additionalProperties={"type": ["integer", "null"]})
"""{name: integer or null} (quota limits and usage)."""
STR_MAP = schema(type="object", additionalProperties={"type": "string"})
ROUTES = schema(
    type="array",
    items={
        "type": "object",
        "required": ["destination", "nexthop"],
        "properties": {
            "destination": {"type": ["string", "null"]},
            "nexthop": {"type": ["string", "null"]},
        },
    },
)
"""Routes, ``[{destination, nexthop}]``."""


def nullable(fragment: Schema) -> Schema:
    """``fragment`` or null: what a snapshot written by hand (or by an older auditor) may
    hold where the auditor writes a value; the diff reads null as empty."""
    kinds = fragment["type"]
    listed = [kinds] if isinstance(kinds, str) else list(kinds)
    return schema(**{**fragment, "type": [*listed, "null"] if "null" not in listed else listed})


NBOOL = nullable(BOOL)
NSTRS = nullable(STRS)
NROUTES = nullable(ROUTES)
NINT_MAP = nullable(INT_MAP)


def plain(value: Any) -> Any:
    """A schema fragment as plain JSON (dicts and lists), for the generated schema."""
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value
