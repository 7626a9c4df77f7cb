"""Glance (image v2): images, and the listings behind the servers' image names."""

from __future__ import annotations

from typing import Any

from auditor.collect.spec import JSON, Collection, Listing, Lookups

IMAGE_FIELDS = frozenset(
    {
        "id",
        "name",
        "owner",
        "status",
        "visibility",
        "os_hidden",
        "protected",
        "disk_format",
        "container_format",
        "size",
        "min_disk",
        "min_ram",
        "checksum",
        "os_hash_algo",
        "os_hash_value",
    }
)
"""What the image-name lookup and :func:`normalise_images` read of an image."""

# Glance pages 25 by default (api_limit_max 1000) with a top-level "next".
# visibility=all shows community and shared images; hidden images are only
# listed with os_hidden=true, so they are a listing of their own.
LISTINGS = (
    Listing(
        "image.images",
        "image",
        "image",
        "/images",
        "images",
        {"visibility": "all", "limit": "1000"},
        fields=IMAGE_FIELDS,
    ),
    Listing(
        "image.hidden_images",
        "image",
        "image",
        "/images",
        "images",
        {"visibility": "all", "os_hidden": "true", "limit": "1000"},
        fields=IMAGE_FIELDS,
    ),
)


def image_hash(image: JSON) -> str | None:
    """``algo:hex`` of the image data: the multihash (``os_hash_algo``,
    ``os_hash_value``, Glance 17.0+), else the legacy MD5 ``checksum``; None
    for an image without data (queued)."""
    value = image.get("os_hash_value")
    if value:
        return f"{image.get('os_hash_algo') or 'sha512'}:{value}"
    checksum = image.get("checksum")
    return f"md5:{checksum}" if checksum else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def normalise_images(raw: list[JSON], lk: Lookups) -> list[JSON]:
    """Images of both listings (``visibility=all``, then the hidden ones), owned by ``owner``."""
    out = []
    seen: set[str] = set()
    for image in (*raw, *lk.listing("image.hidden_images")):
        image_id = str(image["id"])
        if image_id in seen:
            continue
        seen.add(image_id)
        owner = image.get("owner") or None
        out.append(
            {
                "id": image_id,
                "name": image.get("name"),
                "project": lk.project_name(owner),
                "project_id": owner,
                "domain": lk.project_domain(owner),
                "status": image.get("status"),
                "visibility": image.get("visibility"),
                "hidden": bool(image.get("os_hidden", False)),
                "protected": bool(image.get("protected", False)),
                "disk_format": image.get("disk_format"),
                "container_format": image.get("container_format"),
                "size": _int(image.get("size")),
                "min_disk": _int(image.get("min_disk")) or 0,
                "min_ram": _int(image.get("min_ram")) or 0,
                "checksum": image_hash(image),
            }
        )
    return out


COLLECTIONS = (
    Collection(
        "images",
        "image.images",
        normalise_images,
        requires=lambda _mv: ("identity.projects", "identity.domains", "image.hidden_images"),
    ),
)
