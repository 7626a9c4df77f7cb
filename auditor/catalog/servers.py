"""Nova servers (compute v2.1), listed across projects with ``all_tenants``.

Down cells (2.69+): Nova answers partial records for the servers of a cell
that does not respond only to a listing with no limit, marker, sort key or
filter but ``all_tenants`` (``servers.py`` ``_is_cell_down_supported``), and
then only as many as the page has room for; any other listing skips them
silently (``[api] list_records_by_skipping_down_cells``, default true) or
answers 500. So the first page is asked with no limit (Nova pages at
``max_limit`` anyway; the next links carry limit and marker), and
``os-services``, whose records of a down cell's compute hosts are minimal
(status UNKNOWN, no id), says whether a cell is down even when no partial
record had room on that page.

How a server's flavor and boot image are compared is code
(:mod:`auditor.catalog.compute_checks`).
"""

from __future__ import annotations

from typing import Any

from msgspec import UNSET

from auditor.catalog import compute_checks as checks
from auditor.catalog.common import ID, NAME, api_field, availability_zone, owned_by_project
from auditor.catalog.compute import FLAVORS
from auditor.catalog.identity import OWNERS
from auditor.catalog.image import HIDDEN_IMAGES, IMAGES
from auditor.catalog.lookups import Lookups, Reading
from auditor.catalog.policies import (
    Custom,
    Exact,
    Flag,
    Kept,
    Metadata,
    Ref,
    RefByName,
    Status,
)
from auditor.catalog.server_reads import Flavor, Image, read_flavor, read_image
from auditor.catalog.sources import api, derived, ids_of, names_of
from auditor.catalog.spec import (
    CollectionSpec,
    Family,
    Field,
    Lookup,
    Owner,
    Request,
)
from auditor.catalog.transforms import (
    addresses_by_network,
    mask,
)
from auditor.catalog.types import (
    ARRAY,
    BOOLEAN,
    NBOOL,
    NSTR,
    NSTRS,
    OBJ,
    OBJECT,
    STRS,
    TEXT,
    TEXT_OR_NULL,
    TRUE,
    RawTypes,
    schema,
)
from auditor.model import Severity

JSON = dict[str, Any]

CONFIG_DRIVE: RawTypes = (str, bool, type(None))
"""Nova's response schema: "True", "", "False" or null (and a boolean from 2.75)."""

FLAVOR_EMBEDDED = "2.47"
"""From 2.47 a server's flavor is embedded (original_name, vcpus, ram, disk), with no id."""

SERVERS = Request(
    "compute.servers",
    "compute",
    "/servers/detail",
    "servers",
    all_projects="all_tenants",
    microversioned=True,
    shapes={
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
        "tags": ARRAY,
        "config_drive": CONFIG_DRIVE,
        "locked": BOOLEAN,
        "locked_reason": TEXT_OR_NULL,
    },
)
COMPUTE_SERVICES = Request(
    "compute.services",
    "compute",
    "/os-services",
    "services",
    query={"binary": "nova-compute"},
    microversioned=True,
    keep=("id", "host", "binary", "status", "state", "zone"),
)
"""Nova's compute services: whether a cell is down (its hosts answer UNKNOWN)."""
# -- servers -----------------------------------------------------------------------------


def _tags(value: Any) -> list[str] | None:
    # Compute 2.26+ answers every server's tags (a list, maybe empty); before, none.
    if isinstance(value, list):
        return sorted(map(str, value)) if value else []
    return None


def _locked(value: Any) -> bool | None:
    # Compute 2.9+ answers a boolean; before (or a partial record), none: unknown.
    return value if isinstance(value, bool) else None


def _has_config_drive(value: Any) -> bool | None:
    # Nova stores the string "True" or "" (null on some records, the response schema
    # allows "False" and, from 2.75, a boolean); a partial record has none: unknown.
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip().lower() not in ("", "false", "0", "no")
    return bool(value)


def _config_drive(value: Any) -> str | None:
    # The sandbox writes it as Nova does: "True" or "" (null when unknown).
    return None if value is None else "True" if value else ""


def _partial(raw: JSON, _reading: Reading) -> bool | None:
    # Compute 2.69+: a server in a cell that is down comes back as a partial
    # record (id, status UNKNOWN, tenant_id, created, links...). Its absent
    # fields are unknown, not changed.
    if type(raw) is dict:
        return True if raw.get("status") == "UNKNOWN" and "flavor" not in raw else None
    # A Struct: an absent status reads None (an API source reads it), a flavor UNSET.
    unknown = raw.status == "UNKNOWN" and raw.flavor is UNSET  # type: ignore[attr-defined]
    return True if unknown else None


def down_cell_hosts(services: list[JSON]) -> list[str]:
    """Compute hosts of cells that are down: os-services (2.69+) answers them as
    minimal records, ``{binary, host, status: UNKNOWN}`` with no id."""
    return sorted(
        {
            str(s.get("host"))
            for s in services
            if s.get("status") == "UNKNOWN" and "id" not in s and s.get("host")
        }
    )


def assess_servers(items: list[JSON], lookups: Lookups) -> str | None:
    """Why the servers are incomplete: a Nova cell is down (its servers are not listed;
    some may be partial records). Nova's API names no cell: its hosts stand for it."""
    hosts = down_cell_hosts(lookups.listing(COMPUTE_SERVICES.key))
    partial = sum(1 for item in items if item.get("partial"))
    if not hosts and not partial:
        return None
    where = f" (its compute hosts {', '.join(hosts)} answer UNKNOWN)" if hosts else ""
    kept = f"; {partial} came back as partial records" if partial else ""
    return (
        f"compute: a cell is down{where}: Nova leaves its servers out of paged listings,"
        f" so they are not all listed{kept}"
    )


FLAVOR_VIEW = schema(
    type=["object", "null"],
    required=["name", "vcpus", "ram", "disk"],
    properties={
        "name": {"$ref": "#/$defs/nullableString"},
        "vcpus": {"type": ["integer", "null"]},
        "ram": {"type": ["integer", "null"]},
        "disk": {"type": ["integer", "null"]},
    },
    additionalProperties=False,
)
IMAGE_VIEW = schema(
    type=["object", "null"],
    required=["id", "name"],
    properties={"id": {"type": "string"}, "name": {"$ref": "#/$defs/nullableString"}},
    additionalProperties=False,
)
ADDRESSES = schema(
    type="object", additionalProperties={"type": "array", "items": {"type": "string"}}
)

SERVERS_SPEC = CollectionSpec(
    name="servers",
    noun="server",
    family=Family.COMPUTE,
    owner=Owner.PROJECT,
    core=True,
    requests=(SERVERS,),
    lookups=(
        *OWNERS,
        Lookup(FLAVORS, below=FLAVOR_EMBEDDED),
        Lookup(IMAGES, required=False),
        Lookup(HIDDEN_IMAGES, required=False),
    ),
    checks=(COMPUTE_SERVICES,),
    assess=assess_servers,
    per_page=True,
    docs="usage.md#what-is-compared",
    fields=(
        ID,
        NAME,
        *owned_by_project("tenant_id", "project_id"),
        api_field("status", NSTR, "Nova status (ACTIVE, SHUTOFF, ERROR...).", Status()),
        Field(
            "flavor",
            derived(read_flavor, "flavor", structs=True, decoded={"flavor": Flavor}),
            FLAVOR_VIEW,
            "{name, vcpus, ram (MiB), disk (GiB)} whatever the microversion.",
            Custom(
                checks.server_flavor, "smaller: error; larger: info; renamed: info", ("flavors",)
            ),
        ),
        Field(
            "image",
            derived(read_image, "image", structs=True, decoded={"image": Image | str | None}),
            IMAGE_VIEW,
            "{id, name} of the boot image; null when booted from a volume.",
            Custom(
                checks.boot_image,
                "another image, or boot from volume instead: warning",
                ("images",),
            ),
        ),
        api_field("key_name", NSTR, "Keypair name.", Exact(Severity.WARNING, "keypair")),
        availability_zone("OS-EXT-AZ:availability_zone"),
        api_field(
            "metadata",
            OBJ,
            "Server metadata; values of secret-looking keys masked.",
            Metadata(),
            then=mask,
            residue=True,
        ),
        api_field(
            "addresses",
            ADDRESSES,
            "{network: [ip, ...]}.",
            Custom(checks.lost_addresses, "no address left: warning", same=("addresses",)),
            then=addresses_by_network,
        ),
        Field(
            "volumes",
            ids_of("os-extended-volumes:volumes_attached"),
            STRS,
            "Sorted ids of the attached volumes.",
            Ref(
                "volumes",
                lost="no longer has volume {label} attached",
                gained="is now attached to volume {label}",
                unpaired="lost its attached volume {label}, which has no counterpart in the target",
            ),
        ),
        Field(
            "security_groups",
            names_of("security_groups"),
            STRS,
            "Sorted names of the security groups.",
            RefByName("security_groups", Severity.WARNING, "lost security group(s) {lost}"),
        ),
        Field(
            "tags",
            api("tags", since="2.26", then=_tags),
            NSTRS,
            "Sorted tags (compute 2.26+; absent below: unknown).",
            Kept(Severity.WARNING, "lost tag(s) {lost}", known=True),
            optional=True,
        ),
        Field(
            "config_drive",
            api("config_drive", then=_has_config_drive, back=_config_drive),
            NBOOL,
            'True when it has a config drive (Nova answers "True" or ""); absent: unknown.',
            Flag(
                lost="no longer has a config drive: a guest that reads its metadata or network"
                " configuration from it (no metadata service) loses them",
                gained="now has a config drive",
                known=True,
            ),
            optional=True,
        ),
        Field(
            "locked",
            api("locked", since="2.9", then=_locked),
            NBOOL,
            "True when locked against non-admin actions (compute 2.9+; absent below: unknown).",
            Custom(
                checks.server_lock,
                "no longer locked: error; locked now: info; another reason (2.73+): info",
            ),
            optional=True,
        ),
        Field(
            "locked_reason",
            api("locked_reason", since="2.73"),
            NSTR,
            "Why it is locked (compute 2.73+; absent below, or without a reason):"
            " compared with locked.",
            optional=True,
        ),
        Field(
            "partial",
            derived(_partial, "status", "flavor", structs=True),
            TRUE,
            "Present and true for a down-cell partial record (compute 2.69+).",
            optional=True,
        ),
    ),
)


SPECS = (SERVERS_SPEC,)
