"""A quick yes to "does this document conform to its schema?", without jsonschema.

Importing jsonschema (referencing, attrs, the metaschemas) costs about 25 ms,
a few per cent of a 5k-server audit, to learn that a valid rules file is
valid. :func:`conforms` answers True only when it is certain: it knows the
handful of keywords the rules and waivers schemas use, applies them as
jsonschema's Draft 2020-12 validator does, and answers False for anything it is
unsure of (a keyword it does not know, a remote ``$ref``, values whose equality
jsonschema defines its own way). False means "ask jsonschema": the caller then
validates with jsonschema, which words the error as before. A True never
replaces an error jsonschema would have raised.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from auditor.schemas import JSON_TYPES

_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "$defs",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
    }
)
"""Keywords that assert nothing (``$defs`` holds what ``$ref`` names)."""

_SCALARS = (str, int, bool, type(None))
"""Values ``const`` and ``enum`` compare here: same Python type and equal (jsonschema
tells ``1`` from ``True`` as this does; any other kind of value is left to it)."""


def conforms(instance: Any, schema: Mapping[str, Any]) -> bool:
    """True when ``instance`` certainly conforms to ``schema`` (a Draft 2020-12 schema
    whose ``$ref`` point into its own ``$defs``); False when it does not or when this
    check cannot tell (then jsonschema must decide)."""
    return _check(instance, schema, schema)


def _check(instance: Any, schema: Any, root: Mapping[str, Any]) -> bool:
    if schema is True:
        return True
    if not isinstance(schema, dict):
        return False
    for keyword, value in schema.items():
        if keyword in _ANNOTATIONS:
            continue
        if keyword == "additionalProperties":
            if not _additional(instance, value, schema.get("properties"), root):
                return False
            continue
        check = _KEYWORDS.get(keyword)
        if check is None or not check(instance, value, root):
            return False
    return True


def _is_type(instance: Any, name: str) -> bool:
    return type(instance) in JSON_TYPES.get(name, ())


def _type(instance: Any, value: Any, _root: Mapping[str, Any]) -> bool:
    names = value if isinstance(value, list) else [value]
    return any(isinstance(name, str) and _is_type(instance, name) for name in names)


def _ref(instance: Any, value: Any, root: Mapping[str, Any]) -> bool:
    if not isinstance(value, str) or not value.startswith("#/$defs/"):
        return False
    name = value[len("#/$defs/") :]
    if "/" in name or "~" in name or "%" in name:
        return False
    defs = root.get("$defs")
    if not isinstance(defs, dict) or name not in defs:
        return False
    return _check(instance, defs[name], root)


def _properties(instance: Any, value: Any, root: Mapping[str, Any]) -> bool:
    if not isinstance(value, dict):
        return False
    if not isinstance(instance, dict):
        return True
    return all(
        _check(instance[key], subschema, root)
        for key, subschema in value.items()
        if key in instance
    )


def _additional(instance: Any, value: Any, properties: Any, root: Mapping[str, Any]) -> bool:
    """The keys ``properties`` does not name (a ``patternProperties`` beside it is a
    keyword this check does not know: the schema is then left to jsonschema)."""
    if properties is not None and not isinstance(properties, dict):
        return False
    if not isinstance(instance, dict):
        return True
    named = properties or {}
    return all(_check(instance[key], value, root) for key in instance if key not in named)


def _required(instance: Any, value: Any, _root: Mapping[str, Any]) -> bool:
    if not isinstance(value, list):
        return False
    return not isinstance(instance, dict) or all(name in instance for name in value)


def _same(instance: Any, value: Any) -> bool:
    return (
        isinstance(value, _SCALARS)
        and type(instance) is type(value)  # bool is not int here
        and instance == value
    )


def _const(instance: Any, value: Any, _root: Mapping[str, Any]) -> bool:
    return _same(instance, value)


def _enum(instance: Any, value: Any, _root: Mapping[str, Any]) -> bool:
    return isinstance(value, list) and any(_same(instance, allowed) for allowed in value)


def _items(instance: Any, value: Any, root: Mapping[str, Any]) -> bool:
    if isinstance(value, list):  # the tuple form of older drafts
        return False
    return not isinstance(instance, list) or all(_check(item, value, root) for item in instance)


def _count(instance: Any, value: Any, kind: type[list[Any]] | type[str], least: bool) -> bool:
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    if not isinstance(instance, kind):
        return True
    return len(instance) >= value if least else len(instance) <= value


def _unique(instance: Any, value: Any, _root: Mapping[str, Any]) -> bool:
    if value is not True:
        return value is False
    if not isinstance(instance, list):
        return True
    # Strings only: jsonschema's own equality decides for any other kind of item.
    return all(type(item) is str for item in instance) and len(set(instance)) == len(instance)


def _pattern(instance: Any, value: Any, _root: Mapping[str, Any]) -> bool:
    if not isinstance(value, str):
        return False
    return not isinstance(instance, str) or re.search(value, instance) is not None


def _property_names(instance: Any, value: Any, root: Mapping[str, Any]) -> bool:
    return not isinstance(instance, dict) or all(_check(key, value, root) for key in instance)


_KEYWORDS: Mapping[str, Callable[[Any, Any, Mapping[str, Any]], bool]] = {
    "type": _type,
    "$ref": _ref,
    "properties": _properties,
    "required": _required,
    "const": _const,
    "enum": _enum,
    "items": _items,
    "uniqueItems": _unique,
    "pattern": _pattern,
    "propertyNames": _property_names,
    "minItems": lambda instance, value, _root: _count(instance, value, list, True),
    "maxItems": lambda instance, value, _root: _count(instance, value, list, False),
    "minLength": lambda instance, value, _root: _count(instance, value, str, True),
    "maxLength": lambda instance, value, _root: _count(instance, value, str, False),
}
"""The keywords this check applies; ``additionalProperties`` is handled with
``properties`` (it needs the keys ``properties`` names)."""
