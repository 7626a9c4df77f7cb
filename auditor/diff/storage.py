"""Comparators of the storage family: images, volume snapshots, volume backups, quotas.

Relationships are compared through the matches: an image's owner through the
project matches, a snapshot's or backup's volume through the volume matches.
"""

from __future__ import annotations

from typing import Any

from auditor.diff.compare import (
    JSON,
    Changes,
    Comparator,
    as_int,
    beside,
    compare_flag,
    compare_metadata,
    compare_plain,
    compare_size,
    compare_status,
    fmt,
)
from auditor.model import Severity

IMAGE_UNUSABLE = frozenset({"deactivated", "killed", "deleted", "pending_delete"})
"""Glance statuses in which an image's data can no longer be booted or downloaded."""

OPENNESS = {"private": 0, "shared": 1, "community": 2, "public": 3}
"""How widely an image visibility shows it, for "narrowed" and "widened"."""


def _hash_parts(value: Any) -> tuple[str, str] | None:
    if not isinstance(value, str) or ":" not in value:
        return None
    algo, _, digest = value.partition(":")
    return algo, digest


# -- relationships ----------------------------------------------------------------------


def compare_owner(s: JSON, t: JSON, ch: Changes, what: str = "owned by") -> None:
    """The target item's project must be the counterpart of the source item's project."""
    s_project, t_project = s.get("project_id"), t.get("project_id")
    if not s_project or not ch.ctx.complete.get("projects", False):
        return
    expected = ch.ctx.maps.get("projects", {}).get(str(s_project))
    if expected is None or str(t_project) == expected:
        # A source project without counterpart is the projects' own finding.
        return
    label = ch.ctx.counterpart_label("projects", expected)
    actual = ch.ctx.counterpart_label("projects", str(t_project)) if t_project else None
    ch.add(
        "project",
        label,
        actual,
        Severity.ERROR,
        f"is {what} {fmt(actual)}, expected {label} (the counterpart of {fmt(s.get('project'))})",
    )


def compare_volume_ref(s: JSON, t: JSON, ch: Changes, thing: str) -> None:
    """A snapshot's or backup's volume, through the volume matches.

    Error when the target's volume is not the counterpart of the source's one:
    another volume, or none at all (gone). A source item whose own volume is no
    longer in the source (a backup outliving its volume) has nothing to keep.
    """
    if not ch.ctx.complete.get("volumes", False) or not ch.wanted("volume_id"):
        return
    s_volume, t_volume = s.get("volume_id"), t.get("volume_id")
    if not s_volume or str(s_volume) not in ch.ctx.source_items.get("volumes", {}):
        return
    expected = ch.ctx.maps.get("volumes", {}).get(str(s_volume))
    target_volumes = ch.ctx.target_items.get("volumes", {})
    t_exists = t_volume is not None and str(t_volume) in target_volumes
    if expected is not None and str(t_volume) == expected:
        return
    expected_text = (
        beside(ch.ctx.counterpart_label("volumes", expected), expected)
        if expected is not None
        else beside(ch.ctx.source_label("volumes", str(s_volume)), str(s_volume))
    )
    if not t_exists:
        wanted = (
            f"volume {ch.ctx.counterpart_label('volumes', expected)}"
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
    actual = ch.ctx.counterpart_label("volumes", str(t_volume))
    if expected is not None:
        ch.add(
            "volume_id",
            expected,
            t_volume,
            Severity.ERROR,
            f"is a {thing} of volume {actual},"
            f" expected {ch.ctx.counterpart_label('volumes', expected)}",
            texts=(expected_text, beside(actual, str(t_volume))),
        )
    elif str(t_volume) in ch.ctx.counterparts.get("volumes", frozenset()):
        ch.add(
            "volume_id",
            None,
            t_volume,
            Severity.ERROR,
            f"is a {thing} of volume {actual}, the counterpart of another source volume",
            texts=(expected_text, beside(actual, str(t_volume))),
        )
    # Otherwise the source volume and the target one are both unpaired: the
    # volumes' missing and unexpected findings already say so.


# -- comparators ------------------------------------------------------------------------


def compare_images(s: JSON, t: JSON, ch: Changes) -> None:
    s_hash, t_hash = _hash_parts(s.get("checksum")), _hash_parts(t.get("checksum"))
    if s_hash and t_hash and s_hash[0] == t_hash[0] and s_hash[1] != t_hash[1]:
        # The same algorithm on both sides: different bits. (Two algorithms, e.g.
        # md5 against sha512 across Glance releases, cannot be compared.)
        ch.add(
            "checksum",
            s.get("checksum"),
            t.get("checksum"),
            Severity.ERROR,
            f"holds different data ({s_hash[0]} {s_hash[1][:12]}… -> {t_hash[1][:12]}…)",
        )
    elif s_hash and not t_hash:
        ch.add("checksum", s.get("checksum"), None, Severity.ERROR, "has no data any more")
    s_size, t_size = as_int(s.get("size")), as_int(t.get("size"))
    if s_size is not None and s_size != t_size:
        ch.add(
            "size",
            s_size,
            t_size,
            Severity.ERROR,
            f"size changed from {s_size} to {fmt(t_size)} bytes",
        )
    s_status, t_status = s.get("status"), t.get("status")
    if s_status != t_status:
        if t_status in IMAGE_UNUSABLE and s_status not in IMAGE_UNUSABLE:
            ch.add(
                "status",
                s_status,
                t_status,
                Severity.ERROR,
                f"is {t_status} (was {fmt(s_status)}): it can no longer be booted",
            )
        else:
            ch.add(
                "status",
                s_status,
                t_status,
                Severity.WARNING,
                f"status changed from {fmt(s_status)} to {fmt(t_status)}",
            )
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
    compare_flag(
        ch,
        "protected",
        s,
        t,
        lost="is no longer protected from deletion",
        gained="is now protected from deletion",
        lost_severity=Severity.WARNING,
    )
    if bool(s.get("hidden")) != bool(t.get("hidden")):
        ch.add(
            "hidden",
            bool(s.get("hidden")),
            bool(t.get("hidden")),
            Severity.INFO,
            "is now hidden from the image list" if t.get("hidden") else "is no longer hidden",
        )
    for field, what in (("disk_format", "disk format"), ("container_format", "container format")):
        compare_plain(ch, field, s.get(field), t.get(field), Severity.WARNING, what)
    compare_plain(ch, "min_disk", s.get("min_disk"), t.get("min_disk"), Severity.INFO, "min_disk")
    compare_plain(ch, "min_ram", s.get("min_ram"), t.get("min_ram"), Severity.INFO, "min_ram")
    compare_owner(s, t, ch)


def compare_volume_snapshots(s: JSON, t: JSON, ch: Changes) -> None:
    compare_status(ch, s, t)
    compare_size(ch, s, t)
    compare_metadata(ch, s, t)
    compare_volume_ref(s, t, ch, "snapshot")


def compare_volume_backups(s: JSON, t: JSON, ch: Changes) -> None:
    compare_status(ch, s, t)
    compare_size(ch, s, t)
    if bool(s.get("incremental")) != bool(t.get("incremental")):
        ch.add(
            "incremental",
            bool(s.get("incremental")),
            bool(t.get("incremental")),
            Severity.WARNING,
            "is now an incremental backup (was full)"
            if t.get("incremental")
            else "is now a full backup (was incremental)",
        )
    compare_volume_ref(s, t, ch, "backup")


def compare_quotas(s: JSON, t: JSON, ch: Changes) -> None:
    """Each resource's target limit against the source limit and the source usage.

    Below what the project used in the source (and not unlimited, -1): error,
    the tenant cannot even recreate what it had. Below the source limit but
    enough for the usage: warning. Above: info. A resource the target service
    does not report (another release): info.
    """
    s_limits: JSON = s.get("limits") or {}
    t_limits: JSON = t.get("limits") or {}
    usage: JSON = s.get("usage") or {}
    for resource in sorted(s_limits):
        field = f"limits.{resource}"
        s_limit, t_limit = as_int(s_limits[resource]), as_int(t_limits.get(resource))
        if resource not in t_limits:
            ch.add(field, s_limit, None, Severity.INFO, f"has no {resource} quota any more")
            continue
        if s_limit == t_limit or s_limit is None or t_limit is None or t_limit == -1:
            if t_limit == -1 and s_limit not in (-1, None):
                ch.add(field, s_limit, t_limit, Severity.INFO, f"{resource} is now unlimited")
            continue
        used = as_int(usage.get(resource)) or 0
        was = "unlimited" if s_limit == -1 else str(s_limit)
        if t_limit < used:
            ch.add(
                field,
                s_limit,
                t_limit,
                Severity.ERROR,
                f"{resource} quota is {t_limit} (was {was}), below the {used} used in the"
                " source: the project cannot even recreate what it had",
            )
        elif s_limit == -1 or t_limit < s_limit:
            ch.add(
                field,
                s_limit,
                t_limit,
                Severity.WARNING,
                f"{resource} quota lowered from {was} to {t_limit} ({used} used in the source)",
            )
        else:
            ch.add(
                field,
                s_limit,
                t_limit,
                Severity.INFO,
                f"{resource} quota raised from {was} to {t_limit}",
            )


COMPARATORS: dict[str, Comparator] = {
    "images": compare_images,
    "volume_snapshots": compare_volume_snapshots,
    "volume_backups": compare_volume_backups,
    "quotas": compare_quotas,
}
