"""Field sources: where a snapshot field comes from in a raw API item.

Each source is plain data, so that it can be read both ways: the collector
(:mod:`auditor.collect.normalise`) applies it to raw items, and a fake API can
run it backwards to serve a snapshot item as the API would. Only
:class:`Derived` is code; it names the raw fields it reads, so that listings
can still be trimmed to what the catalog reads.

The API names are the API reference's (``OS-EXT-AZ:availability_zone``); a
field that the API gives only from some microversion says so (``since``).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditor.catalog.lookups import Reading
    from auditor.catalog.spec import Record

JSON = dict[str, Any]


@dataclass(frozen=True, eq=False, repr=False)
class Api:
    """Raw field ``names[0]``, or when it is empty (falsy) the next one's: ``tenant_id``
    then ``project_id``; ``default`` when the (single) field is absent; then ``then``."""

    names: tuple[str, ...]
    default: Any = None
    then: Callable[[Any], Any] | None = None
    """A pure transform of the value (a JSON value in, the snapshot's value out)."""
    required: bool = False
    """An item without the field is malformed (its listing fails): ids."""
    since: str | None = None
    """The API gives the field from this microversion of its service on (before: absent)."""
    back: Callable[[Any], Any] | None = None
    """The inverse of ``then``, where ``then`` does not give a snapshot value back
    unchanged: how a fake API (the sandbox) writes the snapshot's value as the API gives
    it (None: as it is)."""


@dataclass(frozen=True, eq=False, repr=False)
class Elements:
    """The sorted, distinct ``attr`` of the objects listed under raw field ``key``
    (``[{"id": ...}]`` -> ids); elements without it (``present``: absent; else empty)
    or that are no object are left out."""

    key: str
    attr: str
    present: bool = False


@dataclass(frozen=True, eq=False, repr=False)
class Indexed:
    """A name found through another listing: ``index`` is a method of
    :class:`~auditor.catalog.lookups.Lookups` (``project_name``, ``project_domain``,
    ``domain_name``, ``user_name``, ``user_domain``, ``service_type``,
    ``service_name``) applied to the value of ``key``."""

    index: str
    key: Source


@dataclass(frozen=True, eq=False, repr=False)
class Subject:
    """The id of the item a fan-out request was made for (``{id}`` in its path); for an
    item that came from no fan-out, raw field ``fallback``."""

    fallback: str | None = None


@dataclass(frozen=True, eq=False, repr=False)
class Tag:
    """The ``tag`` of the request an item came from (a collection of several requests)."""


@dataclass(frozen=True, eq=False, repr=False)
class Joined:
    """The values of ``parts`` joined by ``sep`` (``None`` written as such): an id made of
    several (``user_id/name``)."""

    parts: tuple[Source, ...]
    sep: str = "/"


@dataclass(frozen=True, eq=False, repr=False)
class Each:
    """The objects listed under raw field ``key``, each read as ``record`` says, sorted by
    the record's sort key (elements that are no object are left out)."""

    key: str
    record: Record


@dataclass(frozen=True, eq=False, repr=False)
class NameInListing:
    """The name of another item of the same listing, by the id in raw field ``key`` (its
    id when it has no name or is not listed; null without an id)."""

    key: str


@dataclass(frozen=True, eq=False, repr=False)
class Derived:
    """Code, where the API is irregular: ``fn(raw item, reading)``."""

    fn: Callable[[JSON, Reading], Any]
    reads: tuple[str, ...] | None = ()
    """The raw fields ``fn`` reads (None: it may read any, so the listing is never trimmed)."""
    structs: bool = False
    """``fn`` also reads an item decoded into a ``msgspec.Struct`` (``reads`` as its
    attributes, named by :func:`attribute`; a field absent from the item is
    ``msgspec.UNSET`` unless an API source reads it too, then None), to the same answer
    as from the dict."""
    decoded: tuple[tuple[str, Any], ...] = ()
    """Fields of ``reads`` decoded, on a ``Struct`` item, as the ``msgspec`` type given
    (an object of which ``fn`` reads a few keys: a ``Struct`` of those), else as JSON."""


@dataclass(frozen=True, eq=False, repr=False)
class Versioned:
    """One source per microversion band: the first whose ``since`` the microversion
    reaches (``None``: any), so choices go from the newest to the oldest."""

    choices: tuple[tuple[str | None, Source], ...]


Source = (
    Api | Elements | Indexed | Subject | Tag | Joined | Each | NameInListing | Derived | Versioned
)
"""Where a snapshot field comes from (a closed union: readers match on it)."""


def api(
    *names: str,
    default: Any = None,
    then: Callable[[Any], Any] | None = None,
    required: bool = False,
    since: str | None = None,
    back: Callable[[Any], Any] | None = None,
) -> Api:
    return Api(tuple(names), default, then, required, since, back)


def ids_of(key: str, attr: str = "id") -> Elements:
    """Sorted distinct ids of a list of objects (``[{"id": ...}]``)."""
    return Elements(key, attr)


def names_of(key: str) -> Elements:
    """Sorted distinct names of a list of objects (``[{"name": ...}]``)."""
    return Elements(key, "name", present=True)


def derived(
    fn: Callable[[JSON, Reading], Any],
    *reads: str,
    structs: bool = False,
    decoded: Mapping[str, Any] | None = None,
) -> Derived:
    return Derived(fn, tuple(reads), structs, tuple((decoded or {}).items()))


def attribute(key: str) -> str:
    """The attribute name of raw field ``key`` on an item decoded into a ``Struct``: the
    key where it is an identifier, else its other characters as ``_``
    after ``f_``
    (``os-vol-mig-status-attr:migstat`` -> ``f_os_vol_mig_status_attr_migstat``)."""
    if key.isidentifier() and not keyword.iskeyword(key) and not key.startswith("_"):
        return key
    return "f_" + re.sub(r"\W", "_", key)


def versioned(*choices: tuple[str | None, Source]) -> Versioned:
    return Versioned(tuple(choices))


def reads(source: Source) -> frozenset[str] | None:
    """The raw fields ``source`` reads (None: any field)."""
    match source:
        case Api(names=names):
            return frozenset(names)
        case Elements(key=key) | Each(key=key) | NameInListing(key=key):
            return frozenset({key})
        case Indexed(key=key):
            return reads(key)
        case Subject(fallback=fallback):
            return frozenset({fallback}) if fallback else frozenset()
        case Tag():
            return frozenset()
        case Joined(parts=parts):
            return _union(reads(part) for part in parts)
        case Derived(reads=names):
            return None if names is None else frozenset(names)
        case Versioned(choices=choices):
            return _union(reads(choice) for _, choice in choices)
    raise TypeError(f"not a source: {source!r}")


def _union(parts: Any) -> frozenset[str] | None:
    out: set[str] = set()
    for part in parts:
        if part is None:
            return None
        out |= part
    return frozenset(out)
