"""Which listings' pages are decoded into ``msgspec.Struct``s, and how (issue 19).

A page decoded into ``Struct``s builds no dict per item: the catalog's fields
become attributes (named by :func:`auditor.catalog.sources.attribute`), read by a
builder of their own (:func:`auditor.collect.normalise.builder`). Absent and null
must read as they do from a dict: each field's value when absent comes from the
sources that read it (:func:`struct_layout`), and a list of objects of which one
key is read (an :class:`~auditor.catalog.sources.Elements` source) is decoded into
``Struct``s of that key only, read by :func:`struct_picker`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from auditor.catalog.sources import Api, Derived, Elements, Indexed, Source, Tag, attribute
from auditor.catalog.spec import CollectionSpec
from auditor.collect.decode import Layout

STRUCTS = frozenset({"servers", "volumes"})
"""The collections whose pages are decoded into ``Struct``s (measured to pay: the
biggest listings; benchmarks/struct_cpu.py)."""


class _Reads:
    """What a collection's sources read of each raw field."""

    def __init__(self) -> None:
        self.absent: dict[str, list[Any]] = {}
        """Field -> what each source reading it takes its absence for (none: UNSET)."""
        self.elements: dict[str, set[str]] = {}
        """Field -> the key an :class:`Elements` source reads of each of its objects."""
        self.whole: set[str] = set()
        """Fields some other source reads whole."""
        self.types: dict[str, list[Any]] = {}
        """Field -> the msgspec types derived functions have it decoded as."""

    def add(self, source: Source) -> bool:
        """Note what ``source`` reads; False: it cannot read a ``Struct``."""
        match source:
            case Api(names=(name,), default=default, required=required):
                self.absent.setdefault(name, []).append(msgspec.NODEFAULT if required else default)
                self.whole.add(name)
            case Api(names=names):
                for name in names:
                    self.absent.setdefault(name, []).append(None)
                    self.whole.add(name)
            case Elements(key=key, attr=attr):
                self.absent.setdefault(key, []).append(None)
                self.elements.setdefault(key, set()).add(attr)
            case Indexed(key=inner):
                return self.add(inner)
            case Tag():
                pass
            case Derived(reads=names, structs=True, decoded=decoded) if names is not None:
                for name in names:
                    self.absent.setdefault(name, [])
                    self.whole.add(name)
                for name, type_ in decoded:
                    self.types.setdefault(name, []).append(type_)
            case _:
                return False
        return True


def struct_layout(spec: CollectionSpec) -> Layout | None:
    """How ``spec``'s items are decoded into ``Struct``s that read as the dicts do; None:
    as dicts (not in :data:`STRUCTS`, or a source that reads dicts only).

    A field's value when absent is the default of the API sources that read it (None
    for ``item.get``; ``msgspec.NODEFAULT`` for a required one: an item without it has
    its page decoded as dicts, and fails as before); ``msgspec.UNSET`` when only
    derived functions read it (they tell absent from null)."""
    if spec.name not in STRUCTS or spec.primary.wrapped or len(spec.requests) != 1:
        return None
    reads = _Reads()
    if not all(reads.add(f.source) for f in spec.fields):
        return None
    absent: dict[str, Any] = {}
    for name, values in reads.absent.items():
        if any(type(v) is not type(values[0]) or v != values[0] for v in values):
            return None  # Two sources would read its absence differently.
        absent[name] = values[0] if values else msgspec.UNSET
    elements: dict[str, str] = {}
    for name, attrs in reads.elements.items():
        if len(attrs) != 1 or name in reads.whole:
            return None  # Its objects are read otherwise too.
        (elements[name],) = attrs
    types: dict[str, Any] = {}
    for name, decoded in reads.types.items():
        if len(set(decoded)) != 1 or reads.absent[name]:
            return None  # Read as another type by another source, or as JSON by the API's.
        types[name] = decoded[0]
    try:
        return Layout(
            frozenset(absent.items()), frozenset(elements.items()), frozenset(types.items())
        )
    except TypeError:  # A default that is no constant (a list): dicts.
        return None


def struct_picker(attr: str, present: bool) -> Callable[[Any], list[Any]]:
    """:func:`auditor.collect.normalise.picker` of a list of ``Struct``s of ``attr``
    only (UNSET where an object has no such key), or None."""
    name = attribute(attr)
    UNSET = msgspec.UNSET

    def pick(values: Any) -> list[Any]:
        if not values:
            return []
        if len(values) == 1:
            value = getattr(values[0], name)
            if type(value) is str:
                return [value] if value or present else []
        elif len(values) == 2:
            first, second = values
            one, other = getattr(first, name), getattr(second, name)
            if type(one) is str and type(other) is str and one and other:
                if one == other:
                    return [one]
                return [one, other] if one < other else [other, one]
        if present:
            return sorted({v for e in values if (v := getattr(e, name)) is not UNSET})
        return sorted({v for e in values if (v := getattr(e, name))})

    return pick
