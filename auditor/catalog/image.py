"""Glance (image v2): images, and the listings behind the servers' image names.

Glance pages 25 by default (``api_limit_max`` 1000) with a top-level
``next``. ``visibility=all`` shows community and shared images; hidden images
are only listed with ``os_hidden=true``, so they are a listing of their own,
whose items join the others'.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from auditor.catalog.common import NAME, api_field, owned_by_project
from auditor.catalog.identity import OWNERS
from auditor.catalog.lookups import Reading
from auditor.catalog.policies import ChangeSink, Custom, Exact, Flag, Status
from auditor.catalog.sources import Derived, api, derived
from auditor.catalog.spec import CollectionSpec, Family, Field, Owner, Request
from auditor.catalog.text import fmt
from auditor.catalog.transforms import boolean, integer, integer_or_zero, or_none
from auditor.catalog.types import (
    BOOLEAN,
    INTEGER_OR_NULL,
    NBOOL,
    NINT,
    NSTR,
    STR,
    STR_MAP,
    TEXT,
    TEXT_OR_NULL,
)
from auditor.model import Severity

JSON = dict[str, Any]

IMAGES = Request(
    "image.images",
    "image",
    "/images",
    "images",
    query={"visibility": "all"},
    page_size=1000,
    keep=("id", "name"),
    shapes={
        "id": TEXT,
        "name": TEXT_OR_NULL,
        "status": TEXT,
        "size": INTEGER_OR_NULL,
        "visibility": TEXT,
        "protected": BOOLEAN,
    },
)
HIDDEN_IMAGES = Request(
    "image.hidden_images",
    "image",
    "/images",
    "images",
    query={"visibility": "all", "os_hidden": "true"},
    page_size=1000,
    keep=("id", "name"),
)

IMAGE_UNUSABLE = frozenset({"deactivated", "killed", "deleted", "pending_delete"})
"""Glance statuses in which an image's data can no longer be booted or downloaded."""

OPENNESS = {"private": 0, "shared": 1, "community": 2, "public": 3}
"""How widely an image visibility shows it, for "narrowed" and "widened"."""


def image_hash(image: JSON, _reading: Reading | None = None) -> str | None:
    """``algo:hex`` of the image data: the multihash (``os_hash_algo``,
    ``os_hash_value``, Glance 17.0+), else the legacy MD5 ``checksum``; None
    for an image without data (queued)."""
    value = image.get("os_hash_value")
    if value:
        return f"{image.get('os_hash_algo') or 'sha512'}:{value}"
    checksum = image.get("checksum")
    return f"md5:{checksum}" if checksum else None


def _hash_parts(value: Any) -> tuple[str, str] | None:
    if not isinstance(value, str) or ":" not in value:
        return None
    algo, _, digest = value.partition(":")
    return algo, digest


def checksum(s: JSON, t: JSON, ch: ChangeSink) -> None:
    """Other data under the same hash algorithm (two algorithms, md5 against sha512
    across Glance releases, cannot be compared), or no data any more."""
    s_hash, t_hash = _hash_parts(s.get("checksum")), _hash_parts(t.get("checksum"))
    if s_hash and t_hash and s_hash[0] == t_hash[0] and s_hash[1] != t_hash[1]:
        ch.add(
            "checksum",
            s.get("checksum"),
            t.get("checksum"),
            Severity.ERROR,
            f"holds different data ({s_hash[0]} {s_hash[1][:12]}… -> {t_hash[1][:12]}…)",
        )
    elif s_hash and not t_hash:
        ch.add("checksum", s.get("checksum"), None, Severity.ERROR, "has no data any more")


def visibility(s: JSON, t: JSON, ch: ChangeSink) -> None:
    s_vis, t_vis = s.get("visibility"), t.get("visibility")
    if s_vis != t_vis:
        narrowed = OPENNESS.get(str(t_vis), -1) < OPENNESS.get(str(s_vis), -1)
        ch.add(
            "visibility",
            s_vis,
            t_vis,
            Severity.WARNING,
            f"visibility {'narrowed' if narrowed else 'changed'} from {fmt(s_vis)} to {fmt(t_vis)}",
        )


def owner(s: JSON, t: JSON, ch: ChangeSink) -> None:
    """The target item's project must be the counterpart of the source item's project
    (a source project without counterpart is the projects' own finding)."""
    s_project, t_project = s.get("project_id"), t.get("project_id")
    if not s_project or not ch.ctx.complete.get("projects", False):
        return
    expected = ch.ctx.maps.get("projects", {}).get(str(s_project))
    if expected is None or str(t_project) == expected:
        return
    label = ch.ctx.counterpart_label("projects", expected)
    actual = ch.ctx.counterpart_label("projects", str(t_project)) if t_project else None
    ch.add(
        "project",
        label,
        actual,
        Severity.ERROR,
        f"is owned by {fmt(actual)}, expected {label} (the counterpart of {fmt(s.get('project'))})",
    )


PROPERTY_PREFIXES = ("hw_", "os_")
"""Extra properties that say how the guest is built (hw_*) and what it is (os_*)."""
GLANCE_OWN = frozenset({"os_hidden", "os_hash_algo", "os_hash_value"})
"""os_* fields that are Glance's own image attributes, not extra properties."""
BOOT_CRITICAL = frozenset({"hw_firmware_type", "hw_machine_type", "hw_disk_bus", "hw_scsi_model"})
"""Properties without which, or with another value, the guest may no longer boot."""


def properties(image: JSON, _reading: Reading | None = None) -> dict[str, str]:
    """The image's hw_* and os_* extra properties (Glance answers each as a field)."""
    return {
        str(k): str(v)
        for k, v in image.items()
        if k.startswith(PROPERTY_PREFIXES)
        and k not in GLANCE_OWN
        and not k.startswith("os_glance")
        and v is not None
    }


def property_changes(s: JSON, t: JSON, ch: ChangeSink) -> None:
    """A boot-critical hw_* property lost or changed: error; another hw_* or os_* one:
    warning; one gained: info."""
    was, now = s.get("properties") or {}, t.get("properties") or {}
    if was == now:
        return
    for key in sorted(set(was) | set(now)):
        before, after = was.get(key), now.get(key)
        if before == after:
            continue
        if before is None:
            severity, text = Severity.INFO, f"gained property {key}={after}"
        else:
            severity = Severity.ERROR if key in BOOT_CRITICAL else Severity.WARNING
            text = (
                f"lost property {key}={before}"
                if after is None
                else f"property {key} changed from {before} to {after}"
            )
        ch.add(f"properties.{key}", before, after, severity, text)


_project, _project_id, _domain = owned_by_project(source=api("owner", then=or_none))

IMAGES_SPEC = CollectionSpec(
    name="images",
    noun="image",
    family=Family.IMAGE,
    owner=Owner.PROJECT,
    requests=(IMAGES, HIDDEN_IMAGES),
    lookups=OWNERS,
    docs="collections-storage.md#images",
    fields=(
        Field("id", api("id", required=True, then=str), STR, "Stable id of the item in its cloud."),
        NAME,
        dataclasses.replace(
            _project,
            compare=Custom(owner, "not the source owner's counterpart: error", ("projects",)),
        ),
        _project_id,
        _domain,
        api_field(
            "status",
            NSTR,
            "Glance status (active, queued, deactivated...).",
            Status(
                unusable=IMAGE_UNUSABLE,
                message="is {target} (was {was}): it can no longer be booted",
            ),
        ),
        api_field(
            "visibility",
            NSTR,
            "public, private, shared or community.",
            Custom(visibility, "changed: warning"),
        ),
        Field(
            "hidden",
            api("os_hidden", default=False, then=boolean),
            NBOOL,
            "True when hidden from the default image list (os_hidden).",
            Flag(
                lost="is no longer hidden",
                gained="is now hidden from the image list",
                lost_severity=Severity.INFO,
            ),
        ),
        api_field(
            "protected",
            NBOOL,
            "True when protected from deletion.",
            Flag(
                lost="is no longer protected from deletion",
                gained="is now protected from deletion",
                lost_severity=Severity.WARNING,
            ),
            default=False,
            then=boolean,
        ),
        api_field("disk_format", NSTR, "qcow2, raw...", Exact(Severity.WARNING, "disk format")),
        api_field(
            "container_format", NSTR, "bare, ovf...", Exact(Severity.WARNING, "container format")
        ),
        api_field(
            "size",
            NINT,
            "Size in bytes.",
            Exact(Severity.ERROR, message="size changed from {was} to {now} bytes", known=True),
            then=integer,
        ),
        api_field(
            "min_disk",
            NINT,
            "Minimum disk in GiB.",
            Exact(Severity.INFO, "min_disk"),
            then=integer_or_zero,
        ),
        api_field(
            "min_ram",
            NINT,
            "Minimum RAM in MiB.",
            Exact(Severity.INFO, "min_ram"),
            then=integer_or_zero,
        ),
        Field(
            "checksum",
            derived(image_hash, "checksum", "os_hash_algo", "os_hash_value"),
            NSTR,
            "algo:hex of the image data (os_hash_algo:os_hash_value, else md5:checksum):"
            " compared only between equal algorithms; null without data.",
            Custom(checksum, "other data: error; no data any more: error"),
        ),
        Field(
            "properties",
            Derived(properties, None),
            STR_MAP,
            "The hw_* and os_* extra properties (hw_firmware_type, hw_disk_bus, os_distro...).",
            Custom(
                property_changes,
                "hw_firmware_type, hw_machine_type, hw_disk_bus or hw_scsi_model lost or"
                " changed: error; another lost or changed: warning; gained: info",
            ),
        ),
    ),
)

SPECS = (IMAGES_SPEC,)
