"""Glance (image v2): the listings behind image names."""

from __future__ import annotations

from auditor.collect.spec import Listing

IMAGE_FIELDS = frozenset({"id", "name"})
"""What the image-name lookup reads of an image."""

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
