"""Item views of the sandbox: what a service answers beyond what the catalog declares.

A collection of the catalog is served from its declaration
(:mod:`auditor.sandbox.declared`); a :class:`View` adds what the service
answers besides its declared fields (timestamps, links, constants), and what
it serves besides its listing (one item by id, filters). The services too
irregular for that (servers, flavors, Keystone's derived lists, Neutron's)
have item views of their own in this package.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from auditor.model import Snapshot

JSON = dict[str, Any]
Version = tuple[int, int]


def items_of(snapshot: Snapshot, name: str) -> Sequence[JSON]:
    """The snapshot's items of collection ``name`` (none when it has no such collection)."""
    result = snapshot.collections.get(name)
    return result.items if result is not None else ()


@dataclass(frozen=True)
class Context:
    """Where the items are served: what their links name."""

    service_url: str
    """``http://127.0.0.1:PORT/<cloud>/<service>``."""
    project_id: str
    """The admin's project (Cinder's URLs name one)."""


@dataclass(frozen=True, eq=False)
class View:
    """What a service answers of a declared collection beyond its declared fields."""

    extra: Callable[[JSON, Version, Context], JSON]
    """The other fields of a snapshot item's API item at a microversion."""
    bands: tuple[Version, ...] = ()
    """The microversions at which those fields change."""
    member: str | None = None
    """The body key of one item: ``GET <path>/<id>`` (``/detail`` dropped) answers it."""
    filters: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Query parameter -> the snapshot field an item's must equal (``status``)."""
