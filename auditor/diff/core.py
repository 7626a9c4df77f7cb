"""Comparators of the core collections: projects, servers, volumes, endpoints."""

from __future__ import annotations

from auditor.diff.compare import (
    JSON,
    Changes,
    Comparator,
    compare_metadata,
    compare_plain,
    compare_refs,
    fmt,
    is_error_status,
)
from auditor.diff.network import expected_security_groups
from auditor.model import Severity


def compare_projects(s: JSON, t: JSON, ch: Changes) -> None:
    r = ch.ctx.rules
    expected_domain = r.domain(s.get("domain"))
    if expected_domain != t.get("domain"):
        ch.add(
            "domain",
            expected_domain,
            t.get("domain"),
            Severity.WARNING,
            f"is in domain {fmt(t.get('domain'))}, expected {fmt(expected_domain)}",
        )
    if s.get("enabled") and not t.get("enabled"):
        ch.add("enabled", True, False, Severity.ERROR, "is disabled in the target")
    elif not s.get("enabled") and t.get("enabled"):
        ch.add("enabled", False, True, Severity.INFO, "is enabled in the target (was disabled)")
    compare_plain(
        ch,
        "description",
        s.get("description") or "",
        t.get("description") or "",
        Severity.INFO,
        "description",
    )
    lost = sorted(set(s.get("tags") or []) - set(t.get("tags") or []))
    if lost:
        ch.add("tags", s.get("tags"), t.get("tags"), Severity.WARNING, f"lost tags {fmt(lost)}")
    expected_parent = r.name("projects", s.get("parent"))
    if expected_parent != t.get("parent"):
        ch.add(
            "parent",
            expected_parent,
            t.get("parent"),
            Severity.WARNING,
            f"has parent {fmt(t.get('parent'))}, expected {fmt(expected_parent)}",
        )


def compare_servers(s: JSON, t: JSON, ch: Changes) -> None:
    r = ch.ctx.rules
    s_status, t_status = s.get("status"), t.get("status")
    if s_status != t_status:
        if is_error_status(t_status) and not is_error_status(s_status):
            ch.add(
                "status",
                s_status,
                t_status,
                Severity.ERROR,
                f"went into status {t_status} (was {s_status})",
            )
        else:
            ch.add(
                "status",
                s_status,
                t_status,
                Severity.WARNING,
                f"status changed from {fmt(s_status)} to {fmt(t_status)}",
            )
    s_flavor, t_flavor = s.get("flavor") or {}, t.get("flavor") or {}
    smaller = [
        f"{k} {s_flavor.get(k)} -> {t_flavor.get(k)}"
        for k in ("vcpus", "ram", "disk")
        if isinstance(s_flavor.get(k), int)
        and isinstance(t_flavor.get(k), int)
        and t_flavor[k] < s_flavor[k]
    ]
    larger = [
        f"{k} {s_flavor.get(k)} -> {t_flavor.get(k)}"
        for k in ("vcpus", "ram", "disk")
        if isinstance(s_flavor.get(k), int)
        and isinstance(t_flavor.get(k), int)
        and t_flavor[k] > s_flavor[k]
    ]
    if smaller:
        ch.add(
            "flavor",
            s_flavor,
            t_flavor,
            Severity.ERROR,
            f"has a smaller flavor {fmt(t_flavor.get('name'))} ({'; '.join(smaller)})",
        )
    elif larger:
        ch.add(
            "flavor",
            s_flavor,
            t_flavor,
            Severity.INFO,
            f"has a larger flavor {fmt(t_flavor.get('name'))} ({'; '.join(larger)})",
        )
    elif r.name("flavors", s_flavor.get("name")) != t_flavor.get("name") and (
        s_flavor.get("name") and t_flavor.get("name")
    ):
        ch.add(
            "flavor.name",
            s_flavor.get("name"),
            t_flavor.get("name"),
            Severity.INFO,
            f"flavor renamed from {s_flavor.get('name')} to {t_flavor.get('name')} (same size)",
        )
    s_image, t_image = s.get("image"), t.get("image")
    if bool(s_image) != bool(t_image):
        ch.add(
            "image",
            s_image,
            t_image,
            Severity.WARNING,
            "now boots from a volume (had an image)"
            if s_image
            else f"now boots from image {fmt((t_image or {}).get('name'))}",
        )
    elif s_image and t_image:
        s_name = r.name("images", s_image.get("name"))
        t_name = t_image.get("name")
        if s_name and t_name and s_name != t_name:
            ch.add(
                "image",
                s_image,
                t_image,
                Severity.WARNING,
                f"boots from image {t_name}, expected {s_name}",
            )
    compare_plain(ch, "key_name", s.get("key_name"), t.get("key_name"), Severity.WARNING, "keypair")
    compare_plain(
        ch,
        "availability_zone",
        s.get("availability_zone"),
        t.get("availability_zone"),
        Severity.WARNING,
        "availability zone",
    )
    compare_metadata(ch, s, t)
    if s.get("addresses") and not t.get("addresses"):
        ch.add(
            "addresses",
            sorted(s["addresses"]),
            [],
            Severity.WARNING,
            f"has no network address (had some on {fmt(sorted(s['addresses']))})",
        )
    compare_refs(
        ch,
        "volumes",
        s.get("volumes") or [],
        t.get("volumes") or [],
        "volumes",
        lambda label: f"no longer has volume {label} attached",
    )
    # Through the security groups' matches when both snapshots have them, else by name.
    s_groups = expected_security_groups(ch, s)
    t_groups = set(t.get("security_groups") or [])
    lost = sorted(str(g) for g in s_groups - t_groups)
    if lost:
        ch.add(
            "security_groups",
            sorted(str(g) for g in s_groups),
            sorted(t_groups),
            Severity.WARNING,
            f"lost security group(s) {fmt(lost)}",
        )


def compare_volumes(s: JSON, t: JSON, ch: Changes) -> None:
    s_status, t_status = s.get("status"), t.get("status")
    if s_status != t_status:
        if is_error_status(t_status) and not is_error_status(s_status):
            ch.add(
                "status",
                s_status,
                t_status,
                Severity.ERROR,
                f"went into status {t_status} (was {s_status})",
            )
        elif {s_status, t_status} != {"available", "in-use"}:
            # available <-> in-use is what the attachments comparison explains.
            ch.add(
                "status",
                s_status,
                t_status,
                Severity.WARNING,
                f"status changed from {fmt(s_status)} to {fmt(t_status)}",
            )
    s_size, t_size = s.get("size"), t.get("size")
    if isinstance(s_size, int) and isinstance(t_size, int) and s_size != t_size:
        if t_size < s_size:
            ch.add(
                "size", s_size, t_size, Severity.ERROR, f"shrank from {s_size} GiB to {t_size} GiB"
            )
        else:
            ch.add("size", s_size, t_size, Severity.INFO, f"grew from {s_size} GiB to {t_size} GiB")
    if s.get("encrypted") and not t.get("encrypted"):
        ch.add("encrypted", True, False, Severity.ERROR, "lost its encryption")
    elif not s.get("encrypted") and t.get("encrypted"):
        ch.add("encrypted", False, True, Severity.INFO, "is now encrypted")
    if s.get("bootable") and not t.get("bootable"):
        ch.add("bootable", True, False, Severity.ERROR, "is no longer bootable")
    elif not s.get("bootable") and t.get("bootable"):
        ch.add("bootable", False, True, Severity.INFO, "is now bootable")
    compare_plain(
        ch,
        "volume_type",
        s.get("volume_type"),
        t.get("volume_type"),
        Severity.WARNING,
        "volume type",
    )
    compare_plain(
        ch,
        "availability_zone",
        s.get("availability_zone"),
        t.get("availability_zone"),
        Severity.WARNING,
        "availability zone",
    )
    compare_metadata(ch, s, t)
    compare_refs(
        ch,
        "attachments",
        s.get("attachments") or [],
        t.get("attachments") or [],
        "servers",
        lambda label: f"is no longer attached to server {label}",
    )


def compare_endpoints(s: JSON, t: JSON, ch: Changes) -> None:
    expected = ch.ctx.rules.url(s.get("url"))
    if expected != t.get("url"):
        ch.add(
            "url",
            expected,
            t.get("url"),
            Severity.ERROR,
            f"URL is {fmt(t.get('url'))}, expected {fmt(expected)}",
        )
    if s.get("enabled") and not t.get("enabled"):
        ch.add("enabled", True, False, Severity.ERROR, "is disabled in the target")
    compare_plain(
        ch,
        "service_name",
        s.get("service_name"),
        t.get("service_name"),
        Severity.INFO,
        "service name",
    )


COMPARATORS: dict[str, Comparator] = {
    "projects": compare_projects,
    "servers": compare_servers,
    "volumes": compare_volumes,
    "endpoints": compare_endpoints,
}
