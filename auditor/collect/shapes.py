"""The JSON types of the raw fields the normalisers read, as the API references give them.

The pager checks every item of these listings against its table (fields that
are present only: a down-cell server or an old release may leave some out).
An answer of another shape (a flavor that is a string, addresses that are a
list) fails the listing, which is then incomplete: read leniently, it would
turn into false "changed" or "missing" findings instead.

Sources: the compute, block-storage, identity and image API references
(``GET /servers/detail``, ``/volumes/detail``, ``/v3/projects``,
``/v3/domains``, ``/v3/endpoints``, ``/v2/images``).
"""

from __future__ import annotations

from collections.abc import Mapping

Types = Mapping[str, tuple[type, ...]]

OBJECT: tuple[type, ...] = (dict,)
ARRAY: tuple[type, ...] = (list,)
TEXT: tuple[type, ...] = (str,)
TEXT_OR_NULL: tuple[type, ...] = (str, type(None))
BOOLEAN: tuple[type, ...] = (bool,)
INTEGER: tuple[type, ...] = (int,)
INTEGER_OR_NULL: tuple[type, ...] = (int, type(None))
"""A bool is never taken for an integer (see :func:`auditor.collect.pager.type_error`)."""

SHAPES: dict[str, Types] = {
    "compute.servers": {
        "id": TEXT,
        "name": TEXT,
        "status": TEXT,
        "tenant_id": TEXT,
        "flavor": OBJECT,
        "key_name": TEXT_OR_NULL,
        "metadata": OBJECT,
        "addresses": OBJECT,
        "os-extended-volumes:volumes_attached": ARRAY,
        "security_groups": ARRAY,
        "OS-EXT-AZ:availability_zone": TEXT_OR_NULL,
    },
    "block-storage.volumes": {
        "id": TEXT,
        "name": TEXT_OR_NULL,
        "status": TEXT,
        "size": INTEGER,
        "metadata": OBJECT,
        "attachments": ARRAY,
        "encrypted": BOOLEAN,
        "volume_type": TEXT_OR_NULL,
        "os-vol-tenant-attr:tenant_id": TEXT,
    },
    "identity.projects": {
        "id": TEXT,
        "name": TEXT,
        "domain_id": TEXT,
        "enabled": BOOLEAN,
        "description": TEXT_OR_NULL,
        "tags": ARRAY,
        "parent_id": TEXT_OR_NULL,
    },
    "identity.domains": {"id": TEXT, "name": TEXT, "enabled": BOOLEAN},
    "identity.endpoints": {
        "id": TEXT,
        "url": TEXT,
        "interface": TEXT,
        "service_id": TEXT,
        "region_id": TEXT_OR_NULL,
        "enabled": BOOLEAN,
    },
    "image.images": {
        "id": TEXT,
        "name": TEXT_OR_NULL,
        "status": TEXT,
        "size": INTEGER_OR_NULL,
        "visibility": TEXT,
        "protected": BOOLEAN,
    },
}
"""Listing key -> raw field -> the JSON types it may have."""
