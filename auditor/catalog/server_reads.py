"""How a server's flavor and boot image are read of a raw item (a dict, or a ``Struct``).

A Nova server embeds its flavor from compute 2.47 (``original_name``, ``vcpus``,
``ram``, ``disk``), and before names only its id, read through the flavors'
listing; its image is an object with an id, or ``""`` (null in some releases)
when it was booted from a volume. An item decoded into a ``Struct``
(:mod:`auditor.collect.structs`) has its flavor and image decoded into the
Structs below, of the keys read only: read to the same answers as the dicts
(tests/unit/collect/test_structs.py).
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET

from auditor.catalog.lookups import Reading

JSON = dict[str, Any]


class Flavor(msgspec.Struct, gc=False):
    """A server's flavor as :func:`read_flavor` reads it of an item decoded into a ``Struct``
    (``sources.Derived.structs``): the embedded view's keys UNSET when absent (they tell
    the view of 2.47+ from an id), the others None."""

    original_name: Any = UNSET
    vcpus: Any = UNSET
    ram: Any = None
    disk: Any = None
    id: Any = None


class Image(msgspec.Struct, gc=False):
    """A server's image (an object; or "" or null when booted from a volume) as
    :func:`read_image` reads it of a ``Struct``: its id only."""

    id: Any = UNSET


def read_flavor(raw: JSON, reading: Reading) -> JSON | None:
    if type(raw) is not dict:
        return _flavor_of_struct(raw.flavor, reading)  # type: ignore[attr-defined]
    flavor = raw.get("flavor")
    if not isinstance(flavor, dict):
        return None
    if "original_name" in flavor or "vcpus" in flavor:
        return {
            "name": flavor.get("original_name"),
            "vcpus": flavor.get("vcpus"),
            "ram": flavor.get("ram"),
            "disk": flavor.get("disk"),
        }
    return _listed_flavor(flavor.get("id"), reading)


def _listed_flavor(flavor_id: Any, reading: Reading) -> JSON:
    source = reading.lookups.flavors.get(flavor_id or "", {})
    # A deleted flavor is no longer listed; its id is all the API still says.
    name = source.get("name") if source else None
    return {
        "name": name,
        "vcpus": source.get("vcpus"),
        "ram": source.get("ram"),
        "disk": source.get("disk"),
    }


def _flavor_of_struct(flavor: Any, reading: Reading) -> JSON | None:
    """:func:`read_flavor` of a ``Flavor`` (UNSET: absent; the type says it is an object)."""
    if type(flavor) is not Flavor:
        return None
    name, vcpus = flavor.original_name, flavor.vcpus
    if name is UNSET and vcpus is UNSET:
        return _listed_flavor(flavor.id, reading)
    return {
        "name": None if name is UNSET else name,
        "vcpus": None if vcpus is UNSET else vcpus,
        "ram": flavor.ram,
        "disk": flavor.disk,
    }


def read_image(raw: JSON, reading: Reading) -> JSON | None:
    if type(raw) is not dict:
        image = raw.image  # type: ignore[attr-defined]
        if type(image) is not Image or not image.id:
            return None
        return {"id": image.id, "name": reading.lookups.image_names.get(image.id)}
    image = raw.get("image")
    # Boot-from-volume servers answer image: "" (or null in some releases).
    if not isinstance(image, dict) or not image.get("id"):
        return None
    return {"id": image["id"], "name": reading.lookups.image_names.get(image["id"])}
