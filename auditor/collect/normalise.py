"""Raw API items -> snapshot items, by the field sources the catalog declares.

One generic normaliser for every collection: each field's source
(:mod:`auditor.catalog.sources`) is compiled once into a small reader, and the
function that builds an item is generated from them (:func:`builder`).
Nothing here knows a collection.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

from auditor.catalog.lookups import Lookups, Reading
from auditor.catalog.registry import baseline
from auditor.catalog.sources import (
    Api,
    Derived,
    Each,
    Elements,
    Indexed,
    Joined,
    NameInListing,
    Source,
    Subject,
    Tag,
    Versioned,
    attribute,
)
from auditor.catalog.spec import FAN_OUT_KEY, CollectionSpec, Record, Request
from auditor.catalog.text import version
from auditor.collect.structs import struct_picker

if sys.version_info >= (3, 11):
    from typing import assert_never
else:  # pragma: no cover
    from typing_extensions import assert_never

JSON = dict[str, Any]

Reader = Callable[[JSON, JSON, Reading], Any]
"""(the item, the raw item as listed (a wrapper, a fan-out's), the reading) -> value."""


def _api(source: Api) -> Reader:
    name, *others = source.names
    then = source.then
    if others:
        names = source.names

        def first(item: JSON, _raw: JSON, _rd: Reading) -> Any:
            value = None
            for key in names:
                value = item.get(key)
                if value:
                    break
            return value

        get: Reader = first
    elif source.required:
        get = lambda item, _raw, _rd: item[name]  # noqa: E731
    elif source.default is None:
        get = lambda item, _raw, _rd: item.get(name)  # noqa: E731
    else:
        default = source.default
        get = lambda item, _raw, _rd: item.get(name, default)  # noqa: E731
    if then is None:
        return get
    return lambda item, raw, rd: then(get(item, raw, rd))


def picker(attr: str, present: bool) -> Callable[[Any], list[Any]]:
    """What reads an :class:`Elements` source from the raw list: the sorted, distinct
    ``attr`` of its objects. One object with a string (a volume's one attachment, a
    server's one volume) is read without a set: 0.4 -> 0.2 µs; so are two objects with
    non-empty strings (a server's two security groups or volumes)."""

    def pick(values: Any) -> list[Any]:
        if not values:
            return []
        if type(values) is list:
            size = len(values)
            if size == 1:
                element = values[0]
                if type(element) is dict:
                    value = element.get(attr)
                    if type(value) is str:
                        return [value] if value or present else []
            elif size == 2:
                first, second = values
                if type(first) is dict and type(second) is dict:
                    one, other = first.get(attr), second.get(attr)
                    if type(one) is str and type(other) is str and one and other:
                        if one == other:
                            return [one]
                        return [one, other] if one < other else [other, one]
        if present:
            return sorted({e[attr] for e in values if isinstance(e, dict) and attr in e})
        return sorted({e[attr] for e in values if isinstance(e, dict) and e.get(attr)})

    return pick


def _elements(source: Elements) -> Reader:
    key, pick = source.key, picker(source.attr, source.present)
    return lambda item, _raw, _rd: pick(item.get(key))


def _each(source: Each) -> Reader:
    key, record = source.key, source.record
    readers = record_readers(record)
    sort_key = record.sort_key

    def read(item: JSON, raw: JSON, rd: Reading) -> list[JSON]:
        out = [
            {name: get(element, raw, rd) for name, get in readers}
            for element in item.get(key) or []
            if isinstance(element, dict)
        ]
        return sorted(out, key=sort_key) if sort_key is not None else out

    return read


def reader(source: Source) -> Reader:
    """What reads ``source``'s value from a raw item."""
    match source:
        case Api():
            return _api(source)
        case Elements():
            return _elements(source)
        case Indexed(index=index, key=key):
            inner = reader(key)
            return lambda item, raw, rd: getattr(rd.lookups, index)(inner(item, raw, rd))
        case Subject(fallback=fallback):
            return lambda item, raw, _rd: (
                raw.get(FAN_OUT_KEY) or (item.get(fallback) if fallback else None)
            )
        case Tag():
            return lambda _item, _raw, rd: rd.tag
        case Joined(parts=parts, sep=sep):
            readers = [reader(part) for part in parts]
            return lambda item, raw, rd: sep.join(str(r(item, raw, rd)) for r in readers)
        case Each():
            return _each(source)
        case NameInListing(key=key):

            def named(item: JSON, _raw: JSON, rd: Reading) -> str | None:
                other = item.get(key)
                return rd.names.get(str(other), str(other)) if other else None

            return named
        case Derived(fn=fn):
            return lambda item, _raw, rd: fn(item, rd)
        case Versioned(choices=choices):
            bands = [(version(since) if since else None, reader(c)) for since, c in choices]

            def banded(item: JSON, raw: JSON, rd: Reading) -> Any:
                now = version(rd.microversion)
                for since, get in bands:
                    if since is None or now >= since:
                        return get(item, raw, rd)
                return None

            return banded
        case _:
            assert_never(source)


def record_readers(record: Record) -> list[tuple[str, Reader]]:
    return [(f.name, reader(f.source)) for f in record.fields]


Builder = Callable[[JSON, JSON, Reading], JSON]
"""(the item, the raw item as listed, the reading) -> the snapshot item."""

_BUILDERS: dict[tuple[int, bool], tuple[CollectionSpec, Builder]] = {}


class _Reads:
    """The plain reads of a builder's item (``item.get(...)``, no side effect): one made
    by several fields (the project id of ``project``, ``project_id`` and ``domain``) is
    made once. The builder is generated twice: first counting the reads (``counts``
    None), then assigning a repeated read's value where it is first made (``:=``)."""

    def __init__(self, counts: dict[str, int] | None = None, *, structs: bool = False) -> None:
        self.structs = structs
        """The item is a ``Struct`` (:func:`auditor.collect.structs.struct_layout`): its
        fields are attributes."""
        self.counting = counts is None
        self.counts: dict[str, int] = {} if counts is None else counts
        self.names: dict[str, str] = {}

    def read(self, value: str) -> str:
        if self.counting:
            self.counts[value] = self.counts.get(value, 0) + 1
            return value
        if self.counts.get(value, 0) < 2:
            return value
        if value in self.names:
            return self.names[value]
        name = self.names[value] = f"read_{len(self.names)}"
        return f"({name} := {value})"


def _expression(key: str, source: Source, env: dict[str, Any], reads: _Reads) -> str:
    """How the generated builder reads a source: what a hand-written normaliser would
    write for the plain ones (``item.get("name")``), a call of its reader for the others.
    Every value from the catalog goes into ``env`` under a name of its own (``key``);
    only field names appear in the code, as literals."""
    match source:
        case Api(names=names, default=default, then=then, required=required):
            if reads.structs:
                # An absent field is its Struct's default: the source's (struct_layout).
                value = " or ".join(f"item.{attribute(name)}" for name in names)
            elif required and len(names) == 1:
                value = f"item[{names[0]!r}]"
            elif default is not None and len(names) == 1:
                env[f"default_{key}"] = default
                value = f"item.get({names[0]!r}, default_{key})"
            else:
                value = " or ".join(f"item.get({name!r})" for name in names)
            value = reads.read(f"({value})")
            if then is None:
                return value
            env[f"then_{key}"] = then
            return f"then_{key}({value})"
        case Indexed(index=index, key=inner):
            value = _expression(key + "_key", inner, env, reads)
            table = Lookups.TABLES.get(index)
            if table is None:
                return f"rd.lookups.{index}({value})"
            # The index's own reading, without a call (Lookups.TABLES).
            name = value if value.isidentifier() else f"key_{key}"
            read = name if name == value else f"({name} := {value})"
            return f"(rd.lookups.{table}.get({name}) if {read} else None)"
        case Subject(fallback=fallback):
            other = f" or item.get({fallback!r})" if fallback else ""
            return f"(raw.get({FAN_OUT_KEY!r}){other})"
        case Tag():
            return "rd.tag"
        case Elements(key=field, attr=attr, present=present):
            if reads.structs:
                env[f"elements_{key}"] = struct_picker(attr, present)
                return f"elements_{key}(item.{attribute(field)})"
            env[f"elements_{key}"] = picker(attr, present)
            return f"elements_{key}(item.get({field!r}))"
        case Derived(fn=fn):
            env[f"derived_{key}"] = fn
            return f"derived_{key}(item, rd)"
    env[f"reader_{key}"] = reader(source)
    return f"reader_{key}(item, raw, rd)"


def builder(spec: CollectionSpec, structs: bool = False) -> Builder:
    """The function that builds one item of ``spec``, generated once from its field
    sources (as :mod:`dataclasses` generates ``__init__``): a big listing is read at
    the speed of a hand-written normaliser. Optional fields are set when not null.
    ``structs``: of an item decoded into a ``Struct`` (:mod:`auditor.collect.structs`)."""
    known = _BUILDERS.get((id(spec), structs))
    if known is not None and known[0] is spec:
        return known[1]
    counted = _Reads(structs=structs)
    _code(spec, {}, counted)
    env: dict[str, Any] = {}
    exec(_code(spec, env, _Reads(counted.counts, structs=structs)), env)
    build: Builder = env["build"]
    _BUILDERS[(id(spec), structs)] = (spec, build)
    return build


def _code(spec: CollectionSpec, env: dict[str, Any], reads: _Reads) -> str:
    plain = [
        f"        {f.name!r}: {_expression(str(i), f.source, env, reads)},"
        for i, f in enumerate(spec.fields)
        if not f.optional
    ]
    lines = ["def build(item, raw, rd):", "    doc = {", *plain, "    }"]
    for i, f in enumerate(spec.fields):
        if f.optional:
            lines += [
                f"    value = {_expression(str(i), f.source, env, reads)}",
                f"    if value is not None:\n        doc[{f.name!r}] = value",
            ]
    lines.append("    return doc")
    return "\n".join(lines)


def check_microversion(spec: CollectionSpec, microversion: str | None) -> None:
    """Refuse a microversion below the collection's minimum (its listing is no truth)."""
    least = spec.min_microversion
    if least is None or spec.service is None:
        return
    if version(microversion) < version(least):
        given = microversion or baseline(spec.service)
        raise ValueError(spec.min_reason.format(microversion=given))


def normalise_items(
    spec: CollectionSpec, raw_items: Sequence[JSON], reading: Reading
) -> list[JSON]:
    """The snapshot items of ``raw_items`` (of one of ``spec``'s requests)."""
    check_microversion(spec, reading.microversion)
    build = builder(spec, bool(raw_items) and type(raw_items[0]) is not dict)
    wrapped = spec.primary.wrapped
    if wrapped:
        return [build(raw.get(wrapped) or raw, raw, reading) for raw in raw_items]
    return [build(raw, raw, reading) for raw in raw_items]


def normalise(
    spec: CollectionSpec,
    listed: Sequence[tuple[Request, Sequence[JSON]]],
    lookups: Lookups,
) -> list[JSON]:
    """The snapshot items of a collection from the raw items of each of its requests;
    an item already listed by an earlier request (same id) is kept once."""
    microversion = lookups.microversions.get(spec.service) if spec.service else None
    if len(listed) == 1:
        request, raw = listed[0]
        return normalise_items(spec, raw, Reading(lookups, microversion, raw, request.tag))
    seen: set[str] = set()
    out: list[JSON] = []
    for request, raw in listed:
        reading = Reading(lookups, microversion, raw, request.tag)
        for item in normalise_items(spec, raw, reading):
            key = str(item["id"])
            if key not in seen:
                seen.add(key)
                out.append(item)
    return out
