"""Comparators of the core collections: projects, servers, volumes, endpoints."""

from __future__ import annotations

from auditor.diff.compare import (
    JSON,
    Changes,
    Comparator,
    beside,
    compare_description,
    compare_flag,
    compare_metadata,
    compare_plain,
    compare_refs,
    compare_size,
    compare_status,
    fmt,
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
    compare_flag(
        ch,
        "enabled",
        s,
        t,
        lost="is disabled in the target",
        gained="is enabled in the target (was disabled)",
    )
    if r.fold_of(s.get("name")) is None:
        # A fold's target project cannot carry every source project's description.
        compare_description(ch, s, t)
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
    compare_status(ch, s, t)
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
    expected_flavor = r.name("flavors", s_flavor.get("name"))
    instead = (
        f", expected {expected_flavor}"
        if expected_flavor and expected_flavor != t_flavor.get("name")
        else ""
    )
    if smaller:
        ch.add(
            "flavor",
            s_flavor,
            t_flavor,
            Severity.ERROR,
            f"has a smaller flavor {fmt(t_flavor.get('name'))}{instead} ({'; '.join(smaller)})",
            texts=(flavor_text(s_flavor), flavor_text(t_flavor)),
        )
    elif larger:
        ch.add(
            "flavor",
            s_flavor,
            t_flavor,
            Severity.INFO,
            f"has a larger flavor {fmt(t_flavor.get('name'))}{instead} ({'; '.join(larger)})",
            texts=(flavor_text(s_flavor), flavor_text(t_flavor)),
        )
    elif expected_flavor != t_flavor.get("name") and expected_flavor and t_flavor.get("name"):
        ch.add(
            "flavor.name",
            expected_flavor,
            t_flavor.get("name"),
            Severity.INFO,
            f"has flavor {t_flavor.get('name')}, expected {expected_flavor} (the same size)",
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
            texts=(image_text(s_image), image_text(t_image)),
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
                texts=(image_text(s_image), image_text(t_image)),
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
        unpaired_message=lambda label: (
            f"lost its attached volume {label}, which has no counterpart in the target"
        ),
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


def flavor_text(flavor: JSON) -> str | None:
    """``m1.small (1 vCPU, 2048 MiB RAM, 20 GiB disk)``."""
    if not flavor:
        return None
    sizes = [f"{flavor[k]} {unit}" for k, unit in FLAVOR_UNITS if isinstance(flavor.get(k), int)]
    name = str(flavor.get("name") or "unnamed flavor")
    return f"{name} ({', '.join(sizes)})" if sizes else name


FLAVOR_UNITS = (("vcpus", "vCPU"), ("ram", "MiB RAM"), ("disk", "GiB disk"))


def image_text(image: JSON | None) -> str | None:
    """``debian-12 (its id)``; None without an image (the value reads as none)."""
    if not image:
        return None
    name = image.get("name")
    return beside(str(name), image.get("id")) if name else str(image.get("id"))


def compare_volumes(s: JSON, t: JSON, ch: Changes) -> None:
    # available <-> in-use is what the attachments comparison explains.
    compare_status(ch, s, t, explained=frozenset({"available", "in-use"}))
    compare_size(ch, s, t)
    compare_flag(ch, "encrypted", s, t, lost="lost its encryption", gained="is now encrypted")
    compare_flag(ch, "bootable", s, t, lost="is no longer bootable", gained="is now bootable")
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
