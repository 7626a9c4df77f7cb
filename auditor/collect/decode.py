"""Page bodies decoded straight into what the pager keeps (issue 19).

A page of 1,000 Nova servers is ~2 MB of JSON, ~6.7 KB of Python objects per
server when decoded whole, of which the catalog's field sources read a dozen
keys (:func:`auditor.catalog.registry.kept_fields`). msgspec decodes a page
into a ``TypedDict`` of those keys and skips the others while parsing, without
building them: measured at N = 20k, a server page decodes in about half the time
of ``json.loads`` (docs/performance.md).

What comes out is the same as decoding the page with :mod:`json` and then
keeping those keys: plain dicts, lists, strings, numbers, booleans and None.
Anything the typed decoding refuses (an item that is not an object, a page
that is an object where a list was expected) is decoded again untyped, so the
pager's own checks name the problem as before; text that msgspec cannot parse
is handed to :mod:`json`, so what the pager accepts and refuses is unchanged.

The JSON types the catalog declares for a listing's fields (``Request.shapes``)
are decoded as such too, and the item's ``id`` as a string, an integer or null:
a page decoded typed has items that are objects, whose checked fields and id are
of their types, and the pager skips those checks (:attr:`PageDecoder.typed`). A
page with an item of another type is decoded again untyped and checked by the
pager, which names the field as before.
"""

from __future__ import annotations

import functools
import json
import types
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict, Union

import msgspec

from auditor.catalog.sources import attribute

__all__ = ["Layout", "NotJSON", "PageDecoder", "page_decoder"]


class NotJSON(ValueError):
    """The body is not JSON."""


_UNTYPED = msgspec.json.Decoder()


def decode_any(content: bytes) -> Any:
    """The JSON value of ``content``, every key kept (as :func:`json.loads` gives it)."""
    try:
        return _UNTYPED.decode(content)
    except (msgspec.DecodeError, RecursionError):
        pass
    # msgspec refuses some texts json accepts (NaN, integers beyond 64 bits...): the
    # standard library decides, as it did before msgspec.
    try:
        return json.loads(content)
    except (ValueError, RecursionError):
        raise NotJSON from None


_ANNOTATIONS: dict[type, Any] = {
    dict: dict,
    list: list,
    str: str,
    bool: bool,  # msgspec takes no integer for a bool, nor a bool for an integer,
    int: int,  # as the pager's check (a float is left to it: msgspec would take 1)
    type(None): None,
}
ID_TYPES: tuple[type, ...] = (str, int, type(None))
"""What an item's id may be (the pager de-duplicates by it; null: no id)."""


def _typed_dict(annotations: dict[str, Any]) -> Any:
    # Built at run time, in the functional syntax: the services' keys are not
    # identifiers ("os-extended-volumes:volumes_attached").
    make: Any = TypedDict
    return make("item", annotations, total=False)


@dataclass(frozen=True)
class Layout:
    """How a listing's items are decoded into ``Struct``s (:func:`_struct`)."""

    absent: frozenset[tuple[str, Any]]
    """Field -> its value when the item has no such key (``msgspec.NODEFAULT``: the item
    must have it; a field not named: ``msgspec.UNSET``)."""
    elements: frozenset[tuple[str, str]] = frozenset()
    """Field -> the one key read of each of its objects (a list of objects, or null):
    decoded into ``Struct``s of that key only (``msgspec.UNSET`` when absent)."""
    types: frozenset[tuple[str, Any]] = frozenset()
    """Field -> the msgspec type it is decoded as (a derived function's choice)."""


@functools.lru_cache(maxsize=64)
def _element(key: str) -> Any:
    name = attribute(key)
    field = msgspec.field(default=msgspec.UNSET, name=None if name == key else key)
    return msgspec.defstruct("element", [(name, Any, field)], gc=False)


def _struct(annotations: dict[str, Any], layout: Layout) -> Any:
    """The ``Struct`` of an item: each field an attribute (:func:`attribute`), as
    ``layout`` says."""
    absent = dict(layout.absent)
    elements = dict(layout.elements)
    decoded = dict(layout.types)
    fields: list[tuple[str, Any, Any]] = []
    names: set[str] = set()
    for key, declared in sorted(annotations.items()):
        name = attribute(key)
        if name in names:
            raise TypeError(f"two fields named {name}")
        names.add(name)
        default = absent.get(key, msgspec.UNSET)
        annotation = declared
        if key in decoded:
            if declared not in (Any, dict):
                raise TypeError(f"{key} is declared {declared}")
            annotation = decoded[key]
        elif key in elements:
            if declared not in (Any, list):
                raise TypeError(f"{key} is no list")
            one = types.GenericAlias(list, (_element(elements[key]),))
            annotation = one if declared is list else Union[one, None]  # noqa: UP007
        if default is msgspec.UNSET and annotation is not Any:
            annotation = Union[annotation, msgspec.UnsetType]  # noqa: UP007
        renamed = None if name == key else key
        if default is msgspec.NODEFAULT:
            fields.append((name, annotation, msgspec.field(name=renamed)))
        else:
            fields.append((name, annotation, msgspec.field(default=default, name=renamed)))
    # No reference cycle can be decoded from JSON: the collector need not track items.
    return msgspec.defstruct("item", fields, kw_only=True, gc=False)


def _annotation(allowed: tuple[type, ...]) -> Any:
    """The msgspec type of a field of the JSON types ``allowed``; None: not expressible."""
    if not allowed or any(t not in _ANNOTATIONS for t in allowed):
        return None
    parts = tuple(_ANNOTATIONS[t] for t in allowed)
    return parts[0] if len(parts) == 1 else Union[parts]  # noqa: UP007


class PageDecoder:
    """Decodes the pages of one listing, keeping only ``fields`` of each item, and
    checking the types ``types`` gives (``typed``: the fields so checked)."""

    def __init__(
        self,
        item_key: str,
        links_key: str,
        fields: frozenset[str],
        types: frozenset[tuple[str, tuple[type, ...]]] = frozenset(),
        layout: Layout | None = None,
    ) -> None:
        self.item_key = item_key
        self.fields = fields
        annotations: dict[str, Any] = dict.fromkeys(fields, Any)
        typed: set[str] = set()
        for name, allowed in (*types, ("id", ID_TYPES)):
            annotation = _annotation(allowed)
            if name in fields and annotation is not None and name not in typed:
                annotations[name] = annotation
                typed.add(name)
        self.structs = False
        """The items of a page decoded typed are ``Struct``s (else dicts)."""
        if layout is not None and typed >= {name for name, _ in types}:
            try:
                item = _struct(annotations, layout)
                self._typed = self._decoder(item_key, links_key, item)
                self.typed: frozenset[str] = frozenset(typed)
                """Fields whose JSON type a page decoded typed has checked (``id`` among them)."""
                self.structs = True
                return
            except TypeError:
                pass  # A union or a default msgspec refuses: dicts, as below.
        try:
            self._typed = self._decoder(item_key, links_key, _typed_dict(annotations))
            self.typed = frozenset(typed)
        except TypeError:
            # A union msgspec cannot decode: the fields are kept untyped, the pager checks.
            item = _typed_dict(dict.fromkeys(fields, Any))
            self._typed = self._decoder(item_key, links_key, item)
            self.typed = frozenset()

    @staticmethod
    def _decoder(item_key: str, links_key: str, item: Any) -> Any:
        make: Any = TypedDict
        envelope = {
            item_key: list[item],
            links_key: Any,
            # Every other key the pager reads of a page (next links, Keystone's flag).
            "links": Any,
            "next": Any,
            "truncated": Any,
        }
        page = make("page", envelope, total=False)
        return msgspec.json.Decoder(page)

    def decode(self, content: bytes) -> tuple[Any, bool]:
        """The page, and whether its items hold ``fields`` only (False: decoded whole)."""
        try:
            return self._typed.decode(content), True
        except msgspec.ValidationError:
            # Valid JSON of another shape: the pager's checks say what is wrong with it.
            return decode_any(content), False
        except (msgspec.DecodeError, RecursionError):
            return decode_any(content), False


@functools.lru_cache(maxsize=256)
def _decoder(
    item_key: str,
    links_key: str,
    fields: frozenset[str],
    types: frozenset[tuple[str, tuple[type, ...]]],
    layout: Layout | None,
) -> PageDecoder:
    return PageDecoder(item_key, links_key, fields, types, layout)


def page_decoder(
    item_key: str,
    links_key: str | None,
    fields: Collection[str] | None,
    checked: Collection[str] | Mapping[str, tuple[type, ...]] | None = None,
    layout: Layout | None = None,
) -> PageDecoder | None:
    """The decoder of a listing's pages keeping ``fields`` of the items under ``item_key``,
    and the fields the pager reads itself: ``id`` (it de-duplicates by it) and the
    ``checked`` ones (their JSON types: decoded as such when ``checked`` maps them to
    their types); None when everything is kept. With ``layout``, items are decoded
    into ``Struct``s where every checked type can be (:attr:`PageDecoder.structs`)."""
    if fields is None or not item_key:
        return None
    keep = frozenset(fields) | {"id"} | frozenset(checked or ())
    links = links_key or f"{item_key}_links"
    if item_key in (links, "links", "next", "truncated") or links in ("links", "next", "truncated"):
        return None
    types = frozenset(checked.items()) if isinstance(checked, Mapping) else frozenset()
    return _decoder(item_key, links, keep, types, layout)
