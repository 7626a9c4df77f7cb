"""Cinder (block storage v3): volumes with their attachments, snapshots and backups.

Cinder caps ``limit`` at ``osapi_max_limit`` (default 1000) and gives
``<key>_links`` "next" only when a page is full. A snapshot's or backup's
volume is compared through the volume matches.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.catalog.common import ID, api_field, availability_zone, name, owned_by_project
from auditor.catalog.identity import OWNERS
from auditor.catalog.lookups import Reading
from auditor.catalog.policies import (
    ChangeSink,
    Custom,
    CustomCheck,
    Flag,
    Metadata,
    Ref,
    Sized,
    Status,
)
from auditor.catalog.sources import Source, api, attribute, derived, ids_of
from auditor.catalog.spec import NO_SHAPES, CollectionSpec, Family, Field, Owner, Request
from auditor.catalog.text import beside
from auditor.catalog.transforms import boolean, cinder_bool, mask, text_or_empty
from auditor.catalog.types import (
    ARRAY,
    BOOL,
    BOOLEAN,
    INTEGER,
    NBOOL,
    NINT,
    NOBJ,
    NSTR,
    OBJ,
    OBJECT,
    STRS,
    TEXT,
    TEXT_OR_NULL,
    RawTypes,
    Schema,
    schema,
)
from auditor.catalog.volume_types import volume_type
from auditor.model import Severity

JSON = dict[str, Any]

CLIENT_MAX_MICROVERSION = "3.70"
"""Highest block-storage microversion whose shapes the catalog knows."""

MIGRATION_STATUS = "os-vol-mig-status-attr:migstat"
"""A volume's migration status, for admins (the v3 view also says ``migration_status``)."""
MIGRATION_TARGET = "target:"
"""Prefix of the migration status of the temporary target volume of a migration or retype:
``target:<id of the volume being moved>`` (cinder.volume.manager.migrate_volume)."""
_MIGRATION_STATUS = attribute(MIGRATION_STATUS)
"""Its attribute on an item decoded into a ``Struct``."""


def _listing(what: str, path: str, shapes: Mapping[str, RawTypes] = NO_SHAPES) -> Request:
    return Request(
        f"block-storage.{what}",
        "block-storage",
        path,
        what,
        all_projects="all_tenants",
        page_size=1000,
        microversioned=True,
        shapes=shapes,
    )


VOLUMES = _listing(
    "volumes",
    "/volumes/detail",
    {
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
)
SNAPSHOTS = _listing("snapshots", "/snapshots/detail")
BACKUPS = _listing("backups", "/backups/detail")


def _migration_target(raw: JSON, _reading: Reading) -> str | None:
    """The id of the volume being moved, for the temporary target of an in-progress
    migration (which the diff leaves out); None for any other volume."""
    if type(raw) is dict:
        status = raw.get(MIGRATION_STATUS) or raw.get("migration_status")
    else:  # A Struct (sources.Derived.structs): either is UNSET when absent, as falsy.
        status = getattr(raw, _MIGRATION_STATUS) or raw.migration_status  # type: ignore[attr-defined]
    if isinstance(status, str) and status.startswith(MIGRATION_TARGET):
        return status[len(MIGRATION_TARGET) :]
    return None


def volume_of(thing: str) -> CustomCheck:
    """A snapshot's or backup's volume, through the volume matches.

    Error when the target's volume is not the counterpart of the source's one:
    another volume, or none at all (gone). A source item whose own volume is no
    longer in the source (a backup outliving its volume) has nothing to keep.
    """

    def check(s: JSON, t: JSON, ch: ChangeSink) -> None:
        ctx = ch.ctx
        if not ctx.complete.get("volumes", False) or not ch.wanted("volume_id"):
            return
        s_volume, t_volume = s.get("volume_id"), t.get("volume_id")
        if not s_volume or str(s_volume) not in ctx.source_items.get("volumes", {}):
            return
        expected = ctx.maps.get("volumes", {}).get(str(s_volume))
        t_exists = t_volume is not None and str(t_volume) in ctx.target_items.get("volumes", {})
        if expected is not None and str(t_volume) == expected:
            return
        expected_text = (
            beside(ctx.counterpart_label("volumes", expected), expected)
            if expected is not None
            else beside(ctx.source_label("volumes", str(s_volume)), str(s_volume))
        )
        if not t_exists:
            wanted = (
                f"volume {ctx.counterpart_label('volumes', expected)}"
                if expected is not None
                else "the source volume, which has no counterpart either"
            )
            ch.add(
                "volume_id",
                expected,
                t_volume,
                Severity.ERROR,
                f"is a {thing} of a volume that is gone (expected {wanted})",
                texts=(expected_text, f"a volume that is gone ({t_volume})" if t_volume else None),
            )
            return
        actual = ctx.counterpart_label("volumes", str(t_volume))
        texts = (expected_text, beside(actual, str(t_volume)))
        if expected is not None:
            message = (
                f"is a {thing} of volume {actual},"
                f" expected {ctx.counterpart_label('volumes', expected)}"
            )
            ch.add("volume_id", expected, t_volume, Severity.ERROR, message, texts=texts)
        elif str(t_volume) in ctx.counterparts.get("volumes", frozenset()):
            message = f"is a {thing} of volume {actual}, the counterpart of another source volume"
            ch.add("volume_id", None, t_volume, Severity.ERROR, message, texts=texts)
        # Otherwise the source volume and the target one are both unpaired: the
        # volumes' missing and unexpected findings already say so.

    return check


NAME = name(source=api("name", then=text_or_empty))
SIZE = api_field(
    "size",
    NINT,
    "Size in GiB.",
    Sized("shrank from {was} GiB to {now} GiB", "grew from {was} GiB to {now} GiB"),
)


def _metadata(doc: str, type_: Schema = NOBJ) -> Field:
    return api_field("metadata", type_, doc, Metadata(), then=mask, residue=True)


VOLUMES_SPEC = CollectionSpec(
    name="volumes",
    noun="volume",
    family=Family.BLOCK_STORAGE,
    owner=Owner.PROJECT,
    core=True,
    requests=(VOLUMES,),
    lookups=OWNERS,
    per_page=True,
    docs="usage.md#what-is-compared",
    fields=(
        ID,
        NAME,
        *owned_by_project("os-vol-tenant-attr:tenant_id", "project_id"),
        api_field(
            "status",
            NSTR,
            "Cinder status (available, in-use, error...).",
            Status(explained=frozenset({"available", "in-use"})),
        ),
        SIZE,
        api_field(
            "volume_type",
            NSTR,
            "Volume type name.",
            Custom(
                volume_type,
                "changed: warning; to a type without the source type's encryption, or with"
                " lower QoS limits: error",
                ("volume_types",),
                same=("volume_type",),
            ),
        ),
        api_field(
            "bootable",
            BOOL,
            "True when bootable.",
            Flag(lost="is no longer bootable", gained="is now bootable"),
            then=cinder_bool,
        ),
        api_field(
            "encrypted",
            BOOL,
            "True when encrypted.",
            Flag(lost="lost its encryption", gained="is now encrypted"),
            then=cinder_bool,
        ),
        availability_zone("availability_zone"),
        _metadata("Volume metadata; values of secret-looking keys masked.", OBJ),
        Field(
            "attachments",
            ids_of("attachments", "server_id"),
            STRS,
            "Sorted ids of the servers the volume is attached to.",
            Ref(
                "servers",
                lost="is no longer attached to server {label}",
                gained="is now attached to server {label}",
            ),
        ),
        Field(
            "migration_target_of",
            derived(_migration_target, MIGRATION_STATUS, "migration_status", structs=True),
            schema(type="string"),
            "Present on the temporary target volume of an in-progress migration or retype"
            " (Cinder migration_status target:<id>): the id of the volume being moved. Left"
            " out of the comparison.",
            optional=True,
            leaves_out="temporary target volumes of in-progress migrations or retypes",
        ),
    ),
)


def _of_a_volume(
    what: str, request: Request, owner: Source, doc: str, *fields: Field, about: str = ""
) -> CollectionSpec:
    """A snapshot or backup collection: a project's copies of its volumes, each compared
    through the volume matches."""
    thing = what.removeprefix("volume_").rstrip("s")
    return CollectionSpec(
        name=what,
        noun=f"volume {thing}",
        family=Family.BLOCK_STORAGE,
        owner=Owner.PROJECT,
        requests=(request,),
        lookups=OWNERS,
        per_page=True,
        docs=f"collections-storage.md#{what}",
        doc=about,
        fields=(
            ID,
            NAME,
            *owned_by_project(source=owner),
            api_field("status", NSTR, "available, error...", Status()),
            SIZE,
            api_field(
                "volume_id",
                NSTR,
                doc,
                Custom(
                    volume_of(thing), "not the source volume's counterpart: error", ("volumes",)
                ),
            ),
            *fields,
        ),
    )


VOLUME_SNAPSHOTS_SPEC = _of_a_volume(
    "volume_snapshots",
    SNAPSHOTS,
    api("os-extended-snapshot-attributes:project_id"),
    "Id of the volume it is a snapshot of.",
    _metadata("Metadata; values of secret-looking keys masked."),
)

VOLUME_BACKUPS_SPEC = _of_a_volume(
    "volume_backups",
    BACKUPS,
    api("os-backup-project-attr:project_id", since="3.18"),
    "Id of the volume it backs up.",
    Field(
        "incremental",
        api("is_incremental", default=False, then=boolean),
        NBOOL,
        "True for an incremental backup.",
        Flag(
            lost="is now a full backup (was incremental)",
            gained="is now an incremental backup (was full)",
            lost_severity=Severity.WARNING,
            gained_severity=Severity.WARNING,
        ),
    ),
    about="Below microversion 3.18 Cinder does not say a backup's project (null).",
)

SPECS = (VOLUMES_SPEC, VOLUME_SNAPSHOTS_SPEC, VOLUME_BACKUPS_SPEC)
