"""Collection: inventory a cloud by the requests the catalog declares.

:func:`take_inventory` lists every project's resources as an admin
(:mod:`auditor.collect.inventory`); :func:`auditor.collect.scoped.inventory`
does so project by project for a user without the admin role. Both run their
requests through :class:`~auditor.collect.run.Runner`: the pager
(:mod:`~auditor.collect.pager`) walks each one under the retry policy
(:mod:`~auditor.collect.retry`), and the generic normaliser
(:mod:`~auditor.collect.normalise`) reads items by the catalog's field sources.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from auditor.catalog import registry
from auditor.catalog.spec import CollectionSpec
from auditor.errors import BadInputError

if TYPE_CHECKING:
    from auditor.collect.inventory import take_inventory
    from auditor.collect.run import InventoryObserver, Runner

__all__ = [
    "COLLECTIONS",
    "CORE_COLLECTIONS",
    "InventoryObserver",
    "Runner",
    "parse_collections",
    "take_inventory",
]

COLLECTIONS: Mapping[str, CollectionSpec] = MappingProxyType(
    {name: registry.spec(name) for name in registry.names()}
)
"""Every collection the auditor knows, by name."""
CORE_COLLECTIONS = registry.core()
"""The collections listed by default."""


def parse_collections(text: str | None) -> tuple[str, ...]:
    """``--collections a,b`` -> validated names (default: the core collections; ``all``:
    every collection the auditor knows, core first)."""
    if not text:
        return CORE_COLLECTIONS
    if text.strip() == "all":
        return (*CORE_COLLECTIONS, *sorted(set(COLLECTIONS) - set(CORE_COLLECTIONS)))
    names = tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in COLLECTIONS]
    if unknown or not names:
        known = ", ".join(sorted(COLLECTIONS))
        raise BadInputError(
            f"--collections: unknown collection {unknown[0]!r} (known: {known})"
            if unknown
            else "--collections: no collection named"
        )
    return names


def __getattr__(name: str) -> Any:
    """``take_inventory``, ``Runner`` and ``InventoryObserver``, imported at first use:
    they import openstacksdk, keystoneauth and requests, which the collection names
    above (the CLI's options, ``diff``) do without."""
    if name == "take_inventory":
        from auditor.collect.inventory import take_inventory

        return take_inventory
    if name in ("Runner", "InventoryObserver"):
        from auditor.collect import run

        return getattr(run, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
