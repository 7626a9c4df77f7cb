"""Swift containers (object storage, service type ``object-store``), per project.

Swift has no all-projects listing: each project's containers are in its own
*account*, ``<endpoint>/v1/AUTH_<project_id>``. The catalog's endpoint names
the admin's own account; the other projects' accounts are reached by swapping
the project id in it, which keystoneauth's Swift middleware allows to a user
with its ``reseller_admin_role`` (``ResellerAdmin``), while its
``operator_roles`` (``admin``, ``SwiftOperator``) only open the accounts of
the projects the token is scoped to: anyone else gets 403, and the collection
fails (never "every container missing").

Per project: ``GET <account>?format=json`` (paged by ``marker``, at most
10,000 names a page; ``[{"name", "count", "bytes", "last_modified"}]``), then
per container ``GET <account>/<container>?format=json&limit=0``, which
answers the container's headers (object count, bytes, storage policy, ACLs,
versioning, metadata) with an empty listing, ``[]``. With ``--objects`` the
container's objects are listed too (:mod:`auditor.collect.swift`), into the
``objects`` summary compared by :mod:`auditor.catalog.object_rows`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from auditor.catalog.common import owned_by_project
from auditor.catalog.identity import OWNERS, PROJECTS
from auditor.catalog.lookups import Reading
from auditor.catalog.object_rows import OBJECTS_SAYS, ROWS_KEPT, compare_objects
from auditor.catalog.policies import Custom, Exact, Flag, Metadata, Rename, Renamed, Sized
from auditor.catalog.sources import Derived, Joined, Subject, api, derived
from auditor.catalog.spec import (
    CollectionSpec,
    Family,
    FanOut,
    Field,
    Owner,
    Paging,
    Request,
)
from auditor.catalog.transforms import mask
from auditor.catalog.types import NBOOL, NINT, NOBJ, NSTR, STR, STR_MAP, TEXT
from auditor.model import Severity

JSON = dict[str, Any]

META = "x-container-meta-"
"""The prefix of a container's user metadata headers."""

LISTING_LIMIT = 10_000
"""Swift's ``container_listing_limit`` (default and maximum page of an account or a
container listing; a ``limit`` above it is 412)."""

CONTAINERS = Request(
    "object-store.containers",
    "object-store",
    "{id}",  # the account of project {id} (collect/swift.py swaps it into the endpoint)
    "",
    paging=Paging.SWIFT,
    fan_out=FanOut(PROJECTS),
    shapes={"name": TEXT, "count": (int,), "bytes": (int,)},
)


def header(name: str, then: Callable[[Any], Any] | None = None) -> Derived:
    """A source reading container header ``name`` (lower case) from the raw item's
    ``headers`` (the sandbox serves containers from a view: nothing is written back)."""

    def read(raw: JSON, reading: Reading) -> Any:
        del reading
        headers = raw.get("headers")
        value = headers.get(name) if isinstance(headers, Mapping) else None
        return then(value) if then is not None and value is not None else value

    return derived(read, "headers")


def _count(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes", "on", "t", "y")


def _metadata(raw: JSON, reading: Reading) -> dict[str, str]:
    """The ``X-Container-Meta-*`` headers, by key (lower case, prefix dropped), secret-looking
    values (``Temp-URL-Key``) masked."""
    del reading
    headers = raw.get("headers")
    if not isinstance(headers, Mapping):
        return {}
    return mask(
        {
            key[len(META) :]: str(value)
            for key, value in sorted(headers.items())
            if key.startswith(META)
        }
    )


def _objects(value: Any) -> Any:
    return dict(value) if isinstance(value, Mapping) else None


def _location(header_name: str, doc: str) -> Field:
    return Field(
        header_name.removeprefix("x-").replace("-", "_"),
        header(header_name),
        NSTR,
        doc,
        Renamed(
            Severity.ERROR,
            "keeps its old versions in {now!r}, expected {expected!r}",
            Rename.NAME,
            of="containers",
        ),
    )


CONTAINERS_SPEC = CollectionSpec(
    name="containers",
    noun="container",
    family=Family.OBJECT_STORE,
    owner=Owner.PROJECT,
    requests=(CONTAINERS,),
    lookups=OWNERS,
    docs="collections-object-store.md#containers",
    optional=True,
    doc=(
        "Listed per project, in each project's Swift account (the admin needs the"
        " reseller admin role to read other projects' accounts); `objects` only with"
        " `--objects`."
    ),
    fields=(
        Field("id", Joined((Subject(), api("name", required=True))), STR, "project_id/name."),
        Field("name", api("name"), NSTR, "Container name.", residue=True),
        *owned_by_project(source=Subject()),
        Field(
            "object_count",
            header("x-container-object-count", _count),
            NINT,
            "Objects in the container (X-Container-Object-Count).",
            Sized(
                smaller="holds fewer objects: {was} -> {now}",
                larger="holds more objects: {was} -> {now}",
                larger_severity=Severity.WARNING,
            ),
        ),
        Field(
            "bytes_used",
            header("x-container-bytes-used", _count),
            NINT,
            "Bytes stored in the container (X-Container-Bytes-Used).",
            Sized(
                smaller="holds fewer bytes: {was} -> {now}",
                larger="holds more bytes: {was} -> {now}",
                larger_severity=Severity.WARNING,
            ),
        ),
        Field(
            "storage_policy",
            header("x-storage-policy"),
            NSTR,
            "Storage policy (X-Storage-Policy).",
            Exact(Severity.WARNING, "storage policy"),
        ),
        Field(
            "read_acl",
            header("x-container-read"),
            NSTR,
            "Who may read (X-Container-Read: .r:* is public).",
            Exact(Severity.WARNING, "read ACL", blank=""),
        ),
        Field(
            "write_acl",
            header("x-container-write"),
            NSTR,
            "Who may write (X-Container-Write).",
            Exact(Severity.WARNING, "write ACL", blank=""),
        ),
        _location(
            "x-versions-location",
            "Container of the old versions, stack mode (X-Versions-Location).",
        ),
        _location(
            "x-history-location",
            "Container of the old versions, history mode (X-History-Location).",
        ),
        Field(
            "versions_enabled",
            header("x-versions-enabled", _truthy),
            NBOOL,
            "Object versioning on (X-Versions-Enabled, Swift 2.24+).",
            Flag(lost="lost its object versioning", gained="has object versioning (had none)"),
        ),
        Field(
            "sync_to",
            header("x-container-sync-to"),
            NSTR,
            "Where container sync copies to (X-Container-Sync-To).",
            Exact(Severity.WARNING, "container sync target"),
            residue=True,
        ),
        Field(
            "metadata",
            derived(_metadata, "headers"),
            STR_MAP,
            "User metadata (X-Container-Meta-*), keys in lower case.",
            Metadata(),
            residue=True,
        ),
        Field(
            "objects",
            api("objects", then=_objects),
            NOBJ,
            "With --objects: count, bytes, digest of every object's name, size and ETag,"
            f" and the objects themselves up to {ROWS_KEPT} (null: not listed).",
            Custom(compare_objects, says=OBJECTS_SAYS),
        ),
    ),
)

SPECS = (CONTAINERS_SPEC,)
